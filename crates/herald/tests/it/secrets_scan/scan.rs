//! Every secret one run hands Herald, in every form it could leak in (as given, and encoded
//! the way it goes over the wire), and a record of each place one was found.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

pub const SIGNING_KEY: &str = "Qx7vLm2PzR9kTw4YbN8cHs3JdF6gUa1E";
pub const BASIC_USER: &str = "scanops";
pub const BASIC_PASSWORD: &str = "basicPassw0rd-Kq83jdX";
pub const HEADER_VALUE: &str = "hdrValue-Zp42mQvT9";
pub const BEARER_TOKEN: &str = "bearerTok-Wn5rL8sPq2";
pub const API_KEY: &str = "apiKeyVal-Hj7cX3bN6";
pub const URL_USER: &str = "urluser";
pub const URL_PASSWORD: &str = "urlPassw0rd-Gt4kE9";
pub const QUERY_TOKEN: &str = "queryTok-Rv8mY2wD5";
pub const SLACK_TOKEN: &str = "slackTok-Bq3nF7hK1zUe";
pub const DISCORD_TOKEN: &str = "discordTok-Mx6pJ4tC8rLa";
pub const DEAD_DISCORD_TOKEN: &str = "deadDiscordTok-Ys2dV9gQ";
pub const TEAMS_SIG: &str = "teamsSig-Nf5wZ1kR7hPb";
pub const SMTP_USER: &str = "relayuser";
pub const SMTP_PASSWORD: &str = "smtpPassw0rd-Lc9vB3xM";
pub const PATCHED_TOKEN: &str = "patchedTok-Ue6sH2jW4";
pub const DATABASE_PASSWORD: &str = "dbPassw0rd-Ka7nT5qZ";

/// (what it is, the text that must not appear).
pub struct Secrets(Vec<(String, String)>);

impl Secrets {
    /// Every secret the run uses; the tenant token and the rotated signing
    /// secrets are added as they become known.
    pub fn new(admin_token: &str, encryption_key: &str) -> Self {
        let mut secrets = Self(Vec::new());
        let plain = [
            ("webhook signing secret", SIGNING_KEY),
            ("basic auth password", BASIC_PASSWORD),
            ("custom header value", HEADER_VALUE),
            ("bearer token", BEARER_TOKEN),
            ("api key", API_KEY),
            ("URL password", URL_PASSWORD),
            ("URL query token", QUERY_TOKEN),
            ("Slack webhook token", SLACK_TOKEN),
            ("Discord webhook token", DISCORD_TOKEN),
            ("Discord webhook token (dead)", DEAD_DISCORD_TOKEN),
            ("Teams webhook signature", TEAMS_SIG),
            ("SMTP password", SMTP_PASSWORD),
            ("bearer token set by PATCH", PATCHED_TOKEN),
            ("database password", DATABASE_PASSWORD),
            ("admin token", admin_token),
            ("encryption key", encryption_key),
        ];
        for (what, value) in plain {
            secrets.add(what, value);
        }
        // As they travel: basic auth and SMTP AUTH are base64 on the wire.
        let encoded = [
            (
                "basic auth header",
                format!("{BASIC_USER}:{BASIC_PASSWORD}"),
            ),
            (
                "URL credentials header",
                format!("{URL_USER}:{URL_PASSWORD}"),
            ),
            ("SMTP AUTH PLAIN", format!("\0{SMTP_USER}\0{SMTP_PASSWORD}")),
            ("SMTP AUTH LOGIN password", SMTP_PASSWORD.to_owned()),
        ];
        for (what, value) in encoded {
            secrets.add(what, &BASE64.encode(value));
        }
        secrets
    }

    pub fn add(&mut self, what: &str, value: &str) {
        self.0.push((what.to_owned(), value.to_owned()));
    }

    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Where each secret was found: `source: what`, with a little context.
#[derive(Default)]
pub struct Findings {
    found: Vec<String>,
    /// How many texts were scanned per kind of source, so an empty scan cannot pass.
    pub scanned: std::collections::BTreeMap<String, usize>,
}

impl Findings {
    /// Scans `text` from `source` for every secret but those in `shown_by_design`.
    pub fn scan(
        &mut self,
        secrets: &Secrets,
        kind: &str,
        source: &str,
        text: &str,
        shown_by_design: &[&str],
    ) {
        *self.scanned.entry(kind.to_owned()).or_default() += 1;
        for (what, value) in secrets.all() {
            if shown_by_design.contains(&value.as_str()) {
                continue;
            }
            if let Some(at) = text.find(value.as_str()) {
                let start = text.floor_char_boundary(at.saturating_sub(160));
                let end = text.ceil_char_boundary((at + value.len() + 80).min(text.len()));
                self.found
                    .push(format!("{source}: {what} in …{}…", &text[start..end]));
            }
        }
    }

    pub fn found(&self) -> &[String] {
        &self.found
    }
}
