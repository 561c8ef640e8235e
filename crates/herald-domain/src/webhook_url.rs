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
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host() {
        assert!(WebhookUrl::parse("https://hooks.example.com/herald").is_ok());
        assert!(WebhookUrl::parse("http://localhost:8080/x").is_ok());
        for bad in [
            "ftp://example.com/",
            "mailto:a@b.c",
            "https://",
            "/relative",
            "not a url",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn chat_urls_hide_their_token() {
        let masked = |s| WebhookUrl::parse(s).unwrap().masked_token();
        assert_eq!(
            masked("https://discord.com/api/webhooks/123456789/abcdefTOKEN"),
            "https://discord.com/api/webhooks/12…/****"
        );
        assert_eq!(
            masked("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/services/T0…/****"
        );
        assert_eq!(
            masked(
                "https://prod.logic.azure.com:8443/workflows/abcdefabcdefabcdef/triggers?sig=SECRET"
            ),
            "https://prod.logic.azure.com:8443/workflows/ab…/****"
        );
        let debug = format!(
            "{:?}",
            WebhookUrl::parse("https://discord.com/api/webhooks/1/SECRET").unwrap()
        );
        assert!(!debug.contains("SECRET"));
    }

    #[test]
    fn generic_urls_keep_their_path_but_not_credentials() {
        let url = WebhookUrl::parse("https://user:pw@hooks.example.com/in/herald?token=SECRET&x=1")
            .unwrap();
        let masked = url.masked();
        assert_eq!(
            masked,
            "https://user:****@hooks.example.com/in/herald?token=****&x=****"
        );
    }
}
