//! The `target` object of each channel.

use std::collections::BTreeMap;

use super::read::{
    Object, field, join, opt_array, opt_int, opt_object, opt_str, parsed, reject_unknown, req_str,
    string_map,
};
use super::templates;
use crate::template::check_template;
use crate::{
    Channel, DiscordTarget, EmailAddress, EmailTarget, FieldErrors, HttpMethod, PreviousSecret,
    SlackTarget, Target, TeamsFormat, TeamsTarget, WebhookAuth, WebhookSecret, WebhookTarget,
    WebhookUrl,
};

const P: &str = "target";

pub(super) fn parse(channel: Channel, target: &Object, errors: &mut FieldErrors) -> Option<Target> {
    match channel {
        Channel::Webhook => webhook(target, errors).map(Target::Webhook),
        Channel::Slack => slack(target, errors).map(Target::Slack),
        Channel::Discord => discord(target, errors).map(Target::Discord),
        Channel::Teams => teams(target, errors).map(Target::Teams),
        Channel::Email => email(target, errors).map(Target::Email),
    }
}

fn url(target: &Object, key: &str, required: bool, errors: &mut FieldErrors) -> Option<WebhookUrl> {
    let text = if required {
        req_str(target, key, P, errors)
    } else {
        opt_str(target, key, P, errors)
    };
    parsed(text, join(P, key), WebhookUrl::parse, errors)
}

/// Compiled only: whether it renders depends on the event types, checked once all is parsed.
fn template(target: &Object, key: &str, errors: &mut FieldErrors) -> Option<String> {
    let source = opt_str(target, key, P, errors)?;
    match check_template(source) {
        Ok(()) => Some(source.to_owned()),
        Err(error) => {
            errors.add(join(P, key), templates::problem("does not compile", &error));
            None
        }
    }
}

fn text(target: &Object, key: &str, errors: &mut FieldErrors) -> Option<String> {
    opt_str(target, key, P, errors).map(str::to_owned)
}

fn webhook(target: &Object, errors: &mut FieldErrors) -> Option<WebhookTarget> {
    reject_unknown(
        target,
        &[
            "url",
            "method",
            "content_type",
            "template",
            "headers",
            "auth",
            "timeout_ms",
            "secret",
            "previous_secret",
        ],
        P,
        errors,
    );
    let url = url(target, "url", true, errors);
    let method = match opt_str(target, "method", P, errors) {
        None => Some(HttpMethod::default()),
        method => parsed(method, "target.method", HttpMethod::parse, errors),
    };
    let content_type = opt_str(target, "content_type", P, errors)
        .unwrap_or(WebhookTarget::DEFAULT_CONTENT_TYPE)
        .to_owned();
    let template = template(target, "template", errors);
    if content_type.trim().is_empty()
        || !content_type
            .chars()
            .all(|c| c.is_ascii_graphic() || c == ' ')
    {
        errors.add(
            "target.content_type",
            "must be a media type like application/json",
        );
    }
    let built_in =
        WebhookTarget::BUILT_IN_CONTENT_TYPES.contains(&content_type.to_ascii_lowercase().as_str());
    if !built_in && field(target, "template").is_none() {
        errors.add(
            "target.template",
            format!("is required to render content type {content_type}"),
        );
    }
    let headers = headers(target, errors);
    let auth = opt_object(target, "auth", P, errors).and_then(|auth| webhook_auth(auth, errors));
    let timeout_ms = match field(target, "timeout_ms") {
        None => Some(WebhookTarget::DEFAULT_TIMEOUT_MS),
        Some(_) => opt_int(target, "timeout_ms", P, 100..=120_000, errors)
            .and_then(|n| u32::try_from(n).ok()),
    };
    let secret = match opt_str(target, "secret", P, errors) {
        None if field(target, "secret").is_none() => Some(WebhookSecret::generate()),
        secret => parsed(secret, "target.secret", WebhookSecret::parse, errors),
    };
    let previous_secret = opt_object(target, "previous_secret", P, errors)
        .and_then(|previous| previous_secret(previous, errors));
    Some(WebhookTarget {
        url: url?,
        method: method?,
        content_type,
        template,
        headers,
        auth,
        timeout_ms: timeout_ms?,
        secret: secret?,
        previous_secret,
    })
}

/// `{"secret": "whsec_…", "expires_at": "2026-12-02T08:00:00Z"}`, as a rotation leaves it.
fn previous_secret(previous: &Object, errors: &mut FieldErrors) -> Option<PreviousSecret> {
    const S: &str = "target.previous_secret";
    reject_unknown(previous, &["secret", "expires_at"], S, errors);
    let secret = parsed(
        req_str(previous, "secret", S, errors),
        "target.previous_secret.secret",
        WebhookSecret::parse,
        errors,
    );
    let expires_at = req_str(previous, "expires_at", S, errors).and_then(|text| {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| {
                errors.add(
                    "target.previous_secret.expires_at",
                    "must be an RFC 3339 time",
                )
            })
            .ok()
    });
    Some(PreviousSecret {
        secret: secret?,
        expires_at: expires_at?,
    })
}

/// Headers Herald sets itself, which a subscription may not override.
fn is_reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "host"
            | "content-length"
            | "content-type"
            | "webhook-id"
            | "webhook-timestamp"
            | "webhook-signature"
    ) || lower.starts_with("herald-")
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn is_header_value(value: &str) -> bool {
    value.chars().all(|c| c == ' ' || c.is_ascii_graphic())
}

fn header_name_problem(name: &str) -> Option<&'static str> {
    if !is_token(name) {
        Some("is not a valid header name")
    } else if is_reserved(name) {
        Some("is set by Herald and cannot be overridden")
    } else {
        None
    }
}

fn headers(target: &Object, errors: &mut FieldErrors) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    for (name, value) in string_map(target, "headers", P, errors) {
        let path = format!("target.headers.{name}");
        if let Some(problem) = header_name_problem(name) {
            errors.add(path, problem);
        } else if !is_header_value(value) {
            errors.add(path, "must contain only visible ASCII characters");
        } else {
            headers.insert(name.clone(), value.to_owned());
        }
    }
    headers
}

fn webhook_auth(auth: &Object, errors: &mut FieldErrors) -> Option<WebhookAuth> {
    const A: &str = "target.auth";
    let kind = req_str(auth, "type", A, errors)?;
    let secret = |key: &str, errors: &mut FieldErrors| {
        let value = req_str(auth, key, A, errors)?;
        if value.is_empty() || !is_header_value(value) {
            errors.add(join(A, key), "must be non-empty visible ASCII");
            return None;
        }
        Some(value.to_owned())
    };
    let auth_value = match kind {
        "basic" => {
            reject_unknown(auth, &["type", "username", "password"], A, errors);
            let username = secret("username", errors);
            if username.as_deref().is_some_and(|u| u.contains(':')) {
                errors.add("target.auth.username", "must not contain ':'");
            }
            let password = secret("password", errors);
            WebhookAuth::Basic {
                username: username?,
                password: password?,
            }
        }
        "bearer" => {
            reject_unknown(auth, &["type", "token"], A, errors);
            WebhookAuth::Bearer {
                token: secret("token", errors)?,
            }
        }
        "api_key" => {
            reject_unknown(auth, &["type", "header", "value"], A, errors);
            let header = req_str(auth, "header", A, errors);
            if let Some(problem) = header.and_then(header_name_problem) {
                errors.add("target.auth.header", problem);
            }
            let value = secret("value", errors);
            WebhookAuth::ApiKey {
                header: header?.to_owned(),
                value: value?,
            }
        }
        _ => {
            errors.add("target.auth.type", "must be basic, bearer or api_key");
            return None;
        }
    };
    Some(auth_value)
}

fn slack(target: &Object, errors: &mut FieldErrors) -> Option<SlackTarget> {
    reject_unknown(
        target,
        &[
            "webhook_url",
            "username",
            "icon_emoji",
            "mention_on_failure",
            "template",
        ],
        P,
        errors,
    );
    Some(SlackTarget {
        webhook_url: url(target, "webhook_url", true, errors)?,
        username: text(target, "username", errors),
        icon_emoji: text(target, "icon_emoji", errors),
        mention_on_failure: text(target, "mention_on_failure", errors),
        template: template(target, "template", errors),
    })
}

fn discord(target: &Object, errors: &mut FieldErrors) -> Option<DiscordTarget> {
    reject_unknown(
        target,
        &[
            "webhook_url",
            "username",
            "avatar_url",
            "mention_on_failure",
            "template",
        ],
        P,
        errors,
    );
    let webhook_url = url(target, "webhook_url", true, errors);
    let avatar_url = url(target, "avatar_url", false, errors).map(|u| u.as_str().to_owned());
    Some(DiscordTarget {
        webhook_url: webhook_url?,
        username: text(target, "username", errors),
        avatar_url,
        mention_on_failure: text(target, "mention_on_failure", errors),
        template: template(target, "template", errors),
    })
}

fn teams(target: &Object, errors: &mut FieldErrors) -> Option<TeamsTarget> {
    reject_unknown(target, &["webhook_url", "format", "template"], P, errors);
    let webhook_url = url(target, "webhook_url", true, errors);
    let format = match opt_str(target, "format", P, errors) {
        None | Some("adaptive_card") => Some(TeamsFormat::AdaptiveCard),
        Some("message_card") => Some(TeamsFormat::MessageCard),
        Some(_) => {
            errors.add("target.format", "must be adaptive_card or message_card");
            None
        }
    };
    let template = template(target, "template", errors);
    Some(TeamsTarget {
        webhook_url: webhook_url?,
        format: format?,
        template,
    })
}

fn addresses(target: &Object, key: &str, errors: &mut FieldErrors) -> Option<Vec<EmailAddress>> {
    let Some(items) = opt_array(target, key, P, errors) else {
        return field(target, key).is_none().then(Vec::new);
    };
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("target.{key}[{i}]");
        match item.as_str() {
            Some(text) => list.extend(parsed(Some(text), path, EmailAddress::parse, errors)),
            None => errors.add(path, "must be a string"),
        }
    }
    (list.len() == items.len()).then_some(list)
}

fn email(target: &Object, errors: &mut FieldErrors) -> Option<EmailTarget> {
    reject_unknown(target, &["to", "cc", "subject_template"], P, errors);
    let to = addresses(target, "to", errors);
    if to.as_ref().is_some_and(Vec::is_empty) {
        errors.add("target.to", "must list at least one address");
    }
    let cc = addresses(target, "cc", errors);
    let subject_template = template(target, "subject_template", errors);
    Some(EmailTarget {
        to: to?,
        cc: cc?,
        subject_template,
    })
}
