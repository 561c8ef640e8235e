//! `SubscriptionSpec::from_json`: the API/YAML document of CONTRACT §2, checked whole so
//! that one response names every mistake.

mod noise;
mod read;
mod target;
mod templates;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::retry::{MAX_ATTEMPTS, MAX_DELAY_SECONDS};
use crate::{
    Channel, Condition, DigestSchedule, EventTypePattern, FieldErrors, Filter, Outcome,
    RetryPolicy, SubscriptionSpec, Tenant,
};
use read::{
    Object, field, opt_array, opt_bool, opt_int, opt_object, opt_str, parsed, reject_unknown,
    req_str, string_map,
};

/// Every field a subscription document may have; any other is refused by name.
pub const SUBSCRIPTION_FIELDS: &[&str] = &[
    "tenant",
    "name",
    "enabled",
    "event_types",
    "condition",
    "filter",
    "channel",
    "target",
    "retry",
    "rate_limit_per_second",
    "digest",
    "notify",
    "group_key",
    "repeat_interval",
    "group",
    "quiet_hours",
    "fallback_subscription_id",
];
const READ_ONLY: &[(&str, &str)] = &[
    ("id", "is assigned by Herald and cannot be set"),
    ("created_at", "is kept by Herald and cannot be set"),
    ("updated_at", "is kept by Herald and cannot be set"),
    ("health", "is reported by Herald and cannot be set"),
];
const MAX_NAME_CHARS: usize = 200;

/// How far a template is checked: a stored subscription was checked when it was saved, and
/// loading it again sits on the hot path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TemplateCheck {
    CompileAndRenderSamples,
    CompileOnly,
}

impl SubscriptionSpec {
    /// Validates the API/YAML JSON shape of CONTRACT §2 (without `id`), collecting every problem;
    /// a template must also render for the sample event of every type the subscription receives.
    pub fn from_json(v: &Value) -> Result<SubscriptionSpec, FieldErrors> {
        parse(v, TemplateCheck::CompileAndRenderSamples)
    }

    /// The same, for a subscription read back from storage: templates are compiled but not
    /// test-rendered, so a subscription saved by an older build still loads.
    pub fn from_stored_json(v: &Value) -> Result<SubscriptionSpec, FieldErrors> {
        parse(v, TemplateCheck::CompileOnly)
    }
}

fn parse(v: &Value, template_check: TemplateCheck) -> Result<SubscriptionSpec, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(object) = v.as_object() else {
        errors.add("$", "a subscription must be a JSON object");
        return Err(errors);
    };
    let errs = &mut errors;
    // What Herald shows beside the document but never takes from it: a document copied from
    // an answer names them, and hears why they are refused rather than "not a known field".
    for (key, why) in READ_ONLY {
        if object.contains_key(*key) {
            errs.add(*key, *why);
        }
    }
    reject_unknown(object, SUBSCRIPTION_FIELDS, "", errs);
    let tenant = parsed(
        req_str(object, "tenant", "", errs),
        "tenant",
        Tenant::parse,
        errs,
    );
    let name = req_str(object, "name", "", errs).and_then(|name| {
        let chars = name.trim().chars().count();
        if chars == 0 || name.chars().count() > MAX_NAME_CHARS {
            errs.add("name", "must be 1 to 200 characters");
            return None;
        }
        Some(name.to_owned())
    });
    let enabled = opt_bool(object, "enabled", "", errs).unwrap_or(true);
    let event_types = event_types(object, errs);
    let condition = condition(object, errs);
    let filter = filter(object, errs);
    let channel = parsed(
        req_str(object, "channel", "", errs),
        "channel",
        Channel::parse,
        errs,
    );
    let target = match field(object, "target") {
        None => {
            errs.add("target", "is required");
            None
        }
        Some(value) => match (value.as_object(), channel) {
            (None, _) => {
                errs.add("target", "must be an object");
                None
            }
            (Some(target), Some(channel)) => target::parse(channel, target, errs),
            // The target's shape depends on the channel, which is already reported.
            (Some(_), None) => None,
        },
    };
    let retry = retry(object, errs);
    let rate_limit = opt_int(
        object,
        "rate_limit_per_second",
        "",
        1..=u64::from(u32::MAX),
        errs,
    )
    .and_then(|n| u32::try_from(n).ok());
    let digest = digest(object, channel, errs);
    let noise = noise::parse(object, field(object, "digest").is_some(), errs);

    let (Some(tenant), Some(name), Some(event_types), Some(condition), Some(target), Some(retry)) =
        (tenant, name, event_types, condition, target, retry)
    else {
        return Err(errors);
    };
    let spec = SubscriptionSpec {
        tenant,
        name,
        enabled,
        event_types,
        condition,
        filter,
        target,
        retry,
        rate_limit_per_second: rate_limit,
        digest,
        notify: noise.notify,
        group: noise.group,
        quiet_hours: noise.quiet_hours,
        fallback_subscription_id: noise.fallback_subscription_id,
    };
    if template_check == TemplateCheck::CompileAndRenderSamples {
        templates::render_samples(&spec, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(spec)
}

fn event_types(object: &Object, errors: &mut FieldErrors) -> Option<Vec<EventTypePattern>> {
    if field(object, "event_types").is_none() {
        return Some(vec![EventTypePattern::any()]);
    }
    let items = opt_array(object, "event_types", "", errors)?;
    if items.is_empty() {
        errors.add(
            "event_types",
            "must list at least one event type or pattern",
        );
        return None;
    }
    let mut patterns = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("event_types[{i}]");
        match item.as_str() {
            Some(text) => {
                patterns.extend(parsed(Some(text), path, EventTypePattern::parse, errors))
            }
            None => errors.add(path, "must be a string"),
        }
    }
    (patterns.len() == items.len()).then_some(patterns)
}

/// A keyword (`on_failure`) or a list of outcomes (`["failure", "warning"]`), kept as given.
fn condition(object: &Object, errors: &mut FieldErrors) -> Option<Condition> {
    const EXPECTED: &str = "must be always, on_success, on_failure or a list of outcomes";
    let Some(value) = field(object, "condition") else {
        return Some(Condition::default());
    };
    if let Some(text) = value.as_str() {
        return Condition::parse_keyword(text).or_else(|| {
            errors.add("condition", format!("{EXPECTED}, not {text:?}"));
            None
        });
    }
    let Some(items) = value.as_array() else {
        errors.add("condition", EXPECTED);
        return None;
    };
    if items.is_empty() {
        errors.add("condition", "must list at least one outcome");
        return None;
    }
    let mut outcomes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str().and_then(Outcome::parse) {
            Some(outcome) => outcomes.push(outcome),
            None => errors.add(
                format!("condition[{i}]"),
                format!(
                    "{item} is not an outcome: expected one of {}",
                    Outcome::ALL.map(Outcome::as_str).join(", ")
                ),
            ),
        }
    }
    (outcomes.len() == items.len()).then_some(Condition::Outcomes(outcomes))
}

fn filter(object: &Object, errors: &mut FieldErrors) -> Filter {
    let Some(filter) = opt_object(object, "filter", "", errors) else {
        return Filter::default();
    };
    reject_unknown(
        filter,
        &["labels", "source_prefix", "destination_prefix"],
        "filter",
        errors,
    );
    let labels: BTreeMap<String, String> = string_map(filter, "labels", "filter", errors)
        .into_iter()
        .map(|(k, v)| (k.clone(), v.to_owned()))
        .collect();
    Filter {
        labels,
        source_prefix: opt_str(filter, "source_prefix", "filter", errors).map(str::to_owned),
        destination_prefix: opt_str(filter, "destination_prefix", "filter", errors)
            .map(str::to_owned),
    }
}

fn retry(object: &Object, errors: &mut FieldErrors) -> Option<RetryPolicy> {
    let default = RetryPolicy::default();
    let Some(retry) = opt_object(object, "retry", "", errors) else {
        return field(object, "retry").is_none().then_some(default);
    };
    reject_unknown(retry, &["max_attempts", "delays_seconds"], "retry", errors);
    let max_attempts = match field(retry, "max_attempts") {
        None => Some(default.max_attempts()),
        Some(_) => opt_int(
            retry,
            "max_attempts",
            "retry",
            1..=u64::from(MAX_ATTEMPTS),
            errors,
        )
        .and_then(|n| u32::try_from(n).ok()),
    };
    let delays = match opt_array(retry, "delays_seconds", "retry", errors) {
        None if field(retry, "delays_seconds").is_none() => Some(default.delays().to_vec()),
        None => None,
        Some(items) => delays(items, errors),
    };
    let policy = RetryPolicy::new(max_attempts?, delays?);
    policy.map_err(|e| errors.add("retry", e.to_string())).ok()
}

fn delays(items: &[Value], errors: &mut FieldErrors) -> Option<Vec<Duration>> {
    if items.is_empty() {
        errors.add("retry.delays_seconds", "must list at least one delay");
        return None;
    }
    let mut delays = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_f64() {
            Some(s) if s.is_finite() && s > 0.0 && s <= MAX_DELAY_SECONDS => {
                delays.push(Duration::from_secs_f64(s));
            }
            _ => errors.add(
                format!("retry.delays_seconds[{i}]"),
                "must be a number of seconds above 0 and at most 604800",
            ),
        }
    }
    (delays.len() == items.len()).then_some(delays)
}

fn digest(
    object: &Object,
    channel: Option<Channel>,
    errors: &mut FieldErrors,
) -> Option<DigestSchedule> {
    let digest = opt_object(object, "digest", "", errors)?;
    if channel == Some(Channel::Webhook) {
        errors.add(
            "digest",
            "is available with the email, slack, discord and teams channels",
        );
    }
    reject_unknown(
        digest,
        &["hour", "timezone", "skip_empty"],
        "digest",
        errors,
    );
    let skip_empty = opt_bool(digest, "skip_empty", "digest", errors).unwrap_or(false);
    let hour = match field(digest, "hour") {
        None => Some(DigestSchedule::DEFAULT_HOUR),
        Some(_) => {
            opt_int(digest, "hour", "digest", 0..=23, errors).and_then(|h| u8::try_from(h).ok())
        }
    };
    let timezone = parsed(
        opt_str(digest, "timezone", "digest", errors),
        "digest.timezone",
        |name| {
            name.parse::<chrono_tz::Tz>()
                .map_err(|_| crate::DomainError::BadTimezone(name.to_owned()))
        },
        errors,
    );
    Some(DigestSchedule {
        hour: hour?,
        timezone,
        skip_empty,
    })
}

#[cfg(test)]
mod noise_tests;
#[cfg(test)]
mod tests;
