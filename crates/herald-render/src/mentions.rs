//! The one mention a message may carry: the subscription's own `mention_on_failure`, on
//! failures only. Publisher text never pings (see `escape`); on Discord `allowed_mentions`
//! enforces that a second time, letting through exactly what this mention names.

use serde_json::{Value, json};

use crate::Notice;
use crate::text::units;

/// Longer than any real mention list; a longer one is a mistake better dropped than cut
/// mid-token.
const MAX_MENTION: usize = 500;
/// Discord takes at most 100 ids in each of `roles` and `users`.
const MAX_IDS: usize = 100;

/// The mention to put in front of this notice, if any.
pub(crate) fn failure_mention<'a>(notice: &Notice, mention: Option<&'a str>) -> Option<&'a str> {
    let mention = mention?.trim();
    (notice.is_failure() && !mention.is_empty() && units(mention) <= MAX_MENTION).then_some(mention)
}

/// `{"parse": []}` plus what `mention` names: `<@&123>` a role, `<@456>` or `<@!456>` a user,
/// `@everyone` and `@here` the `everyone` kind.
pub(crate) fn discord_allowed_mentions(mention: Option<&str>) -> Value {
    let mut allowed = json!({ "parse": [] });
    let Some(mention) = mention else {
        return allowed;
    };
    if mention.contains("@everyone") || mention.contains("@here") {
        allowed["parse"] = json!(["everyone"]);
    }
    let mut roles: Vec<&str> = Vec::new();
    let mut users: Vec<&str> = Vec::new();
    for token in mention.split("<@").skip(1) {
        let (ids, id) = match token.strip_prefix('&') {
            Some(rest) => (&mut roles, rest),
            None => (&mut users, token.strip_prefix('!').unwrap_or(token)),
        };
        let Some((id, _)) = id.split_once('>') else {
            continue;
        };
        let is_snowflake = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        if is_snowflake && !ids.contains(&id) && ids.len() < MAX_IDS {
            ids.push(id);
        }
    }
    if !roles.is_empty() {
        allowed["roles"] = json!(roles);
    }
    if !users.is_empty() {
        allowed["users"] = json!(users);
    }
    allowed
}

#[cfg(test)]
mod tests;
