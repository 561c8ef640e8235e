//! The JSON form of a subscription, in the same shape `from_json` reads: with secrets for
//! storage and merge-patching, masked for anything shown to people.

use serde_json::{Map, Value, json};

use crate::human::format_duration;
use crate::noise::DAY_NAMES;
use crate::{Condition, Notify, QuietHours, SubscriptionSpec, Target, WebhookAuth, WebhookTarget};

const MASK: &str = "****";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Secrets {
    Reveal,
    Mask,
}

impl SubscriptionSpec {
    /// Full JSON, secrets included; round-trips through `from_json`.
    pub fn to_json(&self) -> Value {
        document(self, Secrets::Reveal)
    }

    /// The same shape with every secret masked: safe for API responses and logs.
    pub fn to_masked_json(&self) -> Value {
        document(self, Secrets::Mask)
    }
}

fn document(spec: &SubscriptionSpec, secrets: Secrets) -> Value {
    let mut out = Map::new();
    out.insert("tenant".into(), spec.tenant.as_str().into());
    out.insert("name".into(), spec.name.clone().into());
    out.insert("enabled".into(), spec.enabled.into());
    let patterns: Vec<&str> = spec.event_types.iter().map(|p| p.as_str()).collect();
    out.insert("event_types".into(), json!(patterns));
    out.insert("condition".into(), condition(&spec.condition));
    let mut filter = Map::new();
    filter.insert("labels".into(), json!(spec.filter.labels));
    insert_some(
        &mut filter,
        "source_prefix",
        spec.filter.source_prefix.as_deref(),
    );
    insert_some(
        &mut filter,
        "destination_prefix",
        spec.filter.destination_prefix.as_deref(),
    );
    out.insert("filter".into(), Value::Object(filter));
    out.insert("channel".into(), spec.channel().as_str().into());
    out.insert("target".into(), target(&spec.target, secrets));
    let delays: Vec<Value> = spec.retry.delays().iter().map(|d| seconds(*d)).collect();
    out.insert(
        "retry".into(),
        json!({ "max_attempts": spec.retry.max_attempts(), "delays_seconds": delays }),
    );
    if let Some(limit) = spec.rate_limit_per_second {
        out.insert("rate_limit_per_second".into(), limit.into());
    }
    if let Some(digest) = &spec.digest {
        let mut d = Map::new();
        d.insert("hour".into(), digest.hour.into());
        d.insert("skip_empty".into(), digest.skip_empty.into());
        insert_some(
            &mut d,
            "timezone",
            digest.timezone.as_ref().map(|tz| tz.name()),
        );
        out.insert("digest".into(), Value::Object(d));
    }
    noise(spec, &mut out);
    Value::Object(out)
}

/// `notify` always, with its `repeat_interval` filled in for transitions; the other options
/// only when set. Durations as the shortest string that reads back (`1h30m`).
fn noise(spec: &SubscriptionSpec, out: &mut Map<String, Value>) {
    out.insert("notify".into(), spec.notify.as_str().into());
    if let Notify::Transitions {
        key,
        repeat_interval,
    } = &spec.notify
    {
        insert_some(out, "group_key", key.as_ref().map(|k| k.as_str()));
        out.insert(
            "repeat_interval".into(),
            format_duration(*repeat_interval).into(),
        );
    }
    if let Some(group) = &spec.group {
        let by: Vec<&str> = group.by.iter().map(|p| p.as_str()).collect();
        out.insert(
            "group".into(),
            json!({
                "by": by,
                "wait": format_duration(group.wait),
                "interval": format_duration(group.interval),
            }),
        );
    }
    if let Some(quiet) = &spec.quiet_hours {
        out.insert("quiet_hours".into(), quiet_hours(quiet));
    }
    if let Some(fallback) = &spec.fallback_subscription_id {
        out.insert(
            "fallback_subscription_id".into(),
            fallback.to_string().into(),
        );
    }
}

fn quiet_hours(quiet: &QuietHours) -> Value {
    let windows: Vec<Value> = quiet
        .windows
        .iter()
        .map(|w| {
            let days: Vec<&str> = DAY_NAMES
                .iter()
                .zip(w.days)
                .filter_map(|(name, on)| on.then_some(*name))
                .collect();
            json!({
                "days": days,
                "from": w.from.format("%H:%M").to_string(),
                "to": w.to.format("%H:%M").to_string(),
            })
        })
        .collect();
    let except: Vec<&str> = quiet.except.iter().map(|o| o.as_str()).collect();
    json!({
        "timezone": quiet.timezone.name(),
        "windows": windows,
        "during": quiet.during.as_str(),
        "except": except,
    })
}

fn condition(condition: &Condition) -> Value {
    match condition {
        Condition::Outcomes(outcomes) => outcomes.iter().map(|o| Value::from(o.as_str())).collect(),
        Condition::Always | Condition::OnSuccess | Condition::OnFailure => {
            condition.keyword().into()
        }
    }
}

/// Whole seconds as integers, as people write them; fractions only when there are some.
fn seconds(delay: std::time::Duration) -> Value {
    if delay.subsec_nanos() == 0 {
        delay.as_secs().into()
    } else {
        delay.as_secs_f64().into()
    }
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        map.insert(key.into(), value.into());
    }
}

fn secret_text(text: &str, secrets: Secrets) -> Value {
    match secrets {
        Secrets::Reveal => text.into(),
        Secrets::Mask => MASK.into(),
    }
}

fn target(target: &Target, secrets: Secrets) -> Value {
    let chat_url = |url: &crate::WebhookUrl| -> Value {
        match secrets {
            Secrets::Reveal => url.as_str().into(),
            Secrets::Mask => url.masked_token().into(),
        }
    };
    let mut out = Map::new();
    match target {
        Target::Webhook(webhook) => return webhook_target(webhook, secrets),
        Target::Slack(slack) => {
            out.insert("webhook_url".into(), chat_url(&slack.webhook_url));
            insert_some(&mut out, "username", slack.username.as_deref());
            insert_some(&mut out, "icon_emoji", slack.icon_emoji.as_deref());
            insert_some(
                &mut out,
                "mention_on_failure",
                slack.mention_on_failure.as_deref(),
            );
            insert_some(&mut out, "template", slack.template.as_deref());
        }
        Target::Discord(discord) => {
            out.insert("webhook_url".into(), chat_url(&discord.webhook_url));
            insert_some(&mut out, "username", discord.username.as_deref());
            insert_some(&mut out, "avatar_url", discord.avatar_url.as_deref());
            insert_some(
                &mut out,
                "mention_on_failure",
                discord.mention_on_failure.as_deref(),
            );
            insert_some(&mut out, "template", discord.template.as_deref());
        }
        Target::Teams(teams) => {
            out.insert("webhook_url".into(), chat_url(&teams.webhook_url));
            out.insert("format".into(), teams.format.as_str().into());
            insert_some(&mut out, "template", teams.template.as_deref());
        }
        Target::Email(email) => {
            let list = |addresses: &[crate::EmailAddress]| -> Value {
                addresses.iter().map(|a| Value::from(a.as_str())).collect()
            };
            out.insert("to".into(), list(&email.to));
            out.insert("cc".into(), list(&email.cc));
            insert_some(
                &mut out,
                "subject_template",
                email.subject_template.as_deref(),
            );
        }
    }
    Value::Object(out)
}

fn webhook_target(webhook: &WebhookTarget, secrets: Secrets) -> Value {
    let mut out = Map::new();
    let url = match secrets {
        Secrets::Reveal => webhook.url.as_str().to_owned(),
        Secrets::Mask => webhook.url.masked(),
    };
    out.insert("url".into(), url.into());
    out.insert("method".into(), webhook.method.as_str().into());
    out.insert("content_type".into(), webhook.content_type.clone().into());
    insert_some(&mut out, "template", webhook.template.as_deref());
    let headers: Map<String, Value> = webhook
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), secret_text(value, secrets)))
        .collect();
    out.insert("headers".into(), Value::Object(headers));
    if let Some(auth) = &webhook.auth {
        let auth_json = match auth {
            WebhookAuth::Basic { username, password } => {
                json!({ "type": auth.kind(), "username": username, "password": secret_text(password, secrets) })
            }
            WebhookAuth::Bearer { token } => {
                json!({ "type": auth.kind(), "token": secret_text(token, secrets) })
            }
            WebhookAuth::ApiKey { header, value } => {
                json!({ "type": auth.kind(), "header": header, "value": secret_text(value, secrets) })
            }
        };
        out.insert("auth".into(), auth_json);
    }
    out.insert("timeout_ms".into(), webhook.timeout_ms.into());
    let secret = match secrets {
        Secrets::Reveal => webhook.secret.expose().into(),
        Secrets::Mask => Value::from("whsec_****"),
    };
    out.insert("secret".into(), secret);
    if let Some(previous) = &webhook.previous_secret {
        let secret = match secrets {
            Secrets::Reveal => previous.secret.expose().into(),
            Secrets::Mask => Value::from("whsec_****"),
        };
        out.insert(
            "previous_secret".into(),
            json!({ "secret": secret, "expires_at": previous.expires_at }),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests;
