//! `trace_url_template` (`HERALD_TRACE_URL_TEMPLATE`): where an attempt's trace can be seen,
//! such as Grafana's Explore on Tempo. Checked once at start, so a typo stops the start
//! instead of answering every attempt with a broken link.

/// What `{trace_id}` stands for in the template.
const PLACEHOLDER: &str = "{trace_id}";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceUrlError {
    #[error("must start with http:// or https://")]
    NotHttp,
    #[error("must contain {{trace_id}}, where the attempt's trace id goes")]
    NoPlaceholder,
    #[error("must name a host after the scheme")]
    NoHost,
}

/// An http(s) URL with `{trace_id}` in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceUrlTemplate(String);

impl TraceUrlTemplate {
    pub fn parse(text: &str) -> Result<Self, TraceUrlError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        let rest = ["http://", "https://"]
            .iter()
            .find_map(|scheme| lower.strip_prefix(scheme))
            .ok_or(TraceUrlError::NotHttp)?;
        if !text.contains(PLACEHOLDER) {
            return Err(TraceUrlError::NoPlaceholder);
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') || host.contains(PLACEHOLDER) {
            return Err(TraceUrlError::NoHost);
        }
        Ok(Self(text.to_owned()))
    }

    /// The link to `trace_id`'s trace. The id is 32 hex digits as Herald records it, so it
    /// needs no escaping wherever the template puts it; anything else gets no link.
    pub fn link(&self, trace_id: &str) -> Option<String> {
        let plausible = !trace_id.is_empty() && trace_id.chars().all(|c| c.is_ascii_hexdigit());
        plausible.then(|| self.0.replace(PLACEHOLDER, trace_id))
    }
}

#[cfg(test)]
mod tests;
