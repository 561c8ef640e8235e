//! MiniJinja templates, channel-neutral: the webhook body and the email subject today, the chat
//! messages later. One environment for all of them, so every template sees the same context
//! and filters (documented in docs/behaviour.md and the README).

mod context;
mod filters;

use std::fmt;
use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior};

pub use context::{TemplateContext, TemplateSubscription};

/// Bounds the work one render may do, loops over publisher data included.
const FUEL: u64 = 50_000;

// Built once: compiling a template borrows the environment, and every render gets its own fuel.
static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    // No loader: a template cannot reach files or other templates.
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    // One template serves success and failure events: `data.error.message` of an event
    // without an error renders empty instead of failing the delivery.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    filters::register(&mut env);
    env
});

/// Why a template did not compile or render: MiniJinja's message and the line it points at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    message: String,
    line: Option<usize>,
}

impl TemplateError {
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based, when MiniJinja knows it.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} (line {line})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl From<minijinja::Error> for TemplateError {
    fn from(error: minijinja::Error) -> Self {
        let message = match error.detail() {
            Some(detail) => format!("{}: {detail}", error.kind()),
            None => error.kind().to_string(),
        };
        TemplateError {
            message,
            line: error.line(),
        }
    }
}

/// Checks that `source` compiles, without rendering it.
pub fn check_template(source: &str) -> Result<(), TemplateError> {
    ENVIRONMENT.template_from_str(source)?;
    Ok(())
}

/// Renders `source` against `context`.
pub fn render_template(source: &str, context: &TemplateContext) -> Result<String, TemplateError> {
    Ok(ENVIRONMENT.render_str(source, context.value())?)
}

#[cfg(test)]
mod tests;
