//! What a template sees: the event's CloudEvents attributes at the top level (CONTRACT §2:
//! `{{ type }}`, `{{ data.name }}`), the whole event again as `event` for templates written
//! against the first docs, and the delivery it is rendered for.

use minijinja::context;
use minijinja::value::{Serde, Value};

/// The subscription a delivery belongs to, as `subscription.id`, `.name` and `.tenant`.
#[derive(Debug, Clone, Copy)]
pub struct TemplateSubscription<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub tenant: &'a str,
}

/// The context of one render; built once per delivery attempt.
#[derive(Debug, Clone)]
pub struct TemplateContext(Value);

impl TemplateContext {
    /// `event` is the CloudEvents JSON document (`EventDocument::value`).
    pub fn new(
        event: &serde_json::Value,
        delivery_id: &str,
        attempt: u32,
        subscription: TemplateSubscription<'_>,
    ) -> Self {
        let event = Value::from(Serde(event));
        // Herald's own names win over an extension attribute of the same name (`attempt`).
        TemplateContext(context! {
            event => event.clone(),
            delivery_id,
            attempt,
            subscription => context! {
                id => subscription.id,
                name => subscription.name,
                tenant => subscription.tenant,
            },
            ..event
        })
    }

    /// Adds what a `notify: transitions` delivery says (`notice.kind`, `.failures`, `.since`,
    /// `.down_for_seconds`, as stored with the delivery); absent otherwise, which a template
    /// tests with `{% if notice %}`.
    pub fn with_notice(self, notice: Option<&crate::JobNotice>) -> Self {
        match notice {
            Some(notice) => TemplateContext(context! {
                notice => Value::from(Serde(notice)),
                ..self.0
            }),
            None => self,
        }
    }

    pub(super) fn value(&self) -> Value {
        self.0.clone()
    }
}
