//! A subscription's template is test-rendered before it is saved, against the sample event of
//! every type it would receive (the samples of `herald publish --sample`): a template that
//! fails there would fail each such delivery, so its author hears of it now, as a 422.

use chrono::Utc;

use crate::samples::{SAMPLE_TYPES, sample_event};
use crate::{
    DeliveryId, EventType, FieldErrors, SubscriptionId, SubscriptionSpec, Target, TemplateContext,
    TemplateError, TemplateSubscription, render_template,
};

/// `what (line 3): message`, the line left out when MiniJinja does not know it.
pub(super) fn problem(what: &str, error: &TemplateError) -> String {
    match error.line() {
        Some(line) => format!("{what} (line {line}): {}", error.message()),
        None => format!("{what}: {}", error.message()),
    }
}

/// Records the first sample the template does not render for.
pub(super) fn render_samples(spec: &SubscriptionSpec, errors: &mut FieldErrors) {
    let (path, source) = match &spec.target {
        Target::Webhook(webhook) => ("target.template", webhook.template.as_deref()),
        Target::Email(email) => ("target.subject_template", email.subject_template.as_deref()),
        Target::Slack(_) | Target::Discord(_) | Target::Teams(_) => {
            ("target.template", spec.target.chat_template())
        }
    };
    // A chat template makes the platform's JSON payload: it must come out as a JSON object.
    let chat = spec.target.chat_template().is_some();
    let Some(source) = source else {
        return;
    };
    // Not saved yet, so no id of its own: a fresh one has the shape templates will see.
    let subscription_id = SubscriptionId::new().to_string();
    let delivery_id = DeliveryId::new().to_string();
    let subscription = TemplateSubscription {
        id: &subscription_id,
        name: &spec.name,
        tenant: spec.tenant.as_str(),
    };
    let now = Utc::now();
    for event_type in received_types(spec) {
        let event = sample_event(event_type.as_str(), spec.tenant.as_str(), "sample", now);
        let context = TemplateContext::new(&event, &delivery_id, 1, subscription);
        match render_template(source, &context) {
            Err(error) => {
                let what = format!("does not render for {event_type}");
                errors.add(path, problem(&what, &error));
                return;
            }
            Ok(rendered) if chat && !is_json_object(&rendered) => {
                errors.add(
                    path,
                    format!("renders for {event_type} as something that is not a JSON object"),
                );
                return;
            }
            Ok(_) => {}
        }
    }
}

/// The sample types the patterns and the condition let through, and every exact type the
/// patterns name that has no sample (a custom type gets a minimal custom event). A family
/// pattern of types Herald has no sample of (`deploy.*`) adds nothing.
fn received_types(spec: &SubscriptionSpec) -> Vec<EventType> {
    let mut types: Vec<EventType> = SAMPLE_TYPES
        .iter()
        .filter_map(|name| EventType::parse(name).ok())
        .filter(|t| spec.event_types.iter().any(|p| p.matches(t)))
        .collect();
    for named in spec
        .event_types
        .iter()
        .filter_map(|p| EventType::parse(p.as_str()).ok())
    {
        if !types.contains(&named) {
            types.push(named);
        }
    }
    types.retain(|t| spec.condition.holds_for(t.outcome()));
    types
}

fn is_json_object(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object())
}
