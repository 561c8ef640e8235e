use std::fmt;

use url::Url;

use crate::DomainError;

/// An absolute http(s) URL with a host: where webhooks and chat messages are sent.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    pub fn parse(value: &str) -> Result<WebhookUrl, DomainError> {
        let url = Url::parse(value).map_err(|e| DomainError::BadUrl(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(DomainError::BadUrl(format!(
                "the scheme must be http or https, not {}",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(DomainError::BadUrl("a host is required".into()));
        }
        Ok(WebhookUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// For a generic webhook: the path stays, query values and any password become `****`.
    pub fn masked(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            // Setting a password cannot fail on a URL that already has one.
            let _ = url.set_password(Some("****"));
        }
        let names: Vec<String> = url
            .query_pairs()
            .map(|(name, _)| name.into_owned())
            .collect();
        if !names.is_empty() {
            url.query_pairs_mut()
                .clear()
                .extend_pairs(names.iter().map(|name| (name, "****")));
        }
        url.into()
    }

    /// For a chat webhook, whose path is the credential: keep the leading path segments up to
    /// the first that looks like an id or token (has a digit or is ≥ 16 chars), show two of its
    /// characters, and hide the rest: `https://discord.com/api/webhooks/12…/****`.
    pub fn masked_token(&self) -> String {
        let url = &self.0;
        let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
        if let Some(port) = url.port() {
            out.push_str(&format!(":{port}"));
        }
        for segment in url.path_segments().into_iter().flatten() {
            if segment.chars().any(|c| c.is_ascii_digit()) || segment.chars().count() >= 16 {
                let shown: String = segment.chars().take(2).collect();
                out.push_str(&format!("/{shown}…"));
                break;
            }
            if !segment.is_empty() {
                out.push('/');
                out.push_str(segment);
            }
        }
        out.push_str("/****");
        out
    }
}

impl AsRef<str> for WebhookUrl {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Debug shows the token-masked form: a URL may carry credentials and Debug ends up in logs.
impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({:?})", self.masked_token())
    }
}

#[cfg(test)]
mod tests;
