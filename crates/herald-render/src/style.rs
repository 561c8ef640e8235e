//! How an outcome looks and how an event type reads as a title, the same on every channel.

use herald_domain::Outcome;

use crate::human;

/// ✅ ❌ ⚠️ ▶️ ℹ️: one glance tells whether to act.
pub(crate) fn icon(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "✅",
        Outcome::Failure => "❌",
        Outcome::Warning => "⚠️",
        Outcome::Started => "▶️",
        Outcome::Info => "ℹ️",
    }
}

/// Green, red, amber, blue and grey, as 0xRRGGBB. Mid-tones that read on light and dark
/// themes alike.
pub(crate) fn colour(outcome: Outcome) -> u32 {
    match outcome {
        Outcome::Success => 0x2E_B6_7D,
        Outcome::Failure => 0xE0_1E_5A,
        Outcome::Warning => 0xEC_B2_2E,
        Outcome::Started => 0x1D_9B_D1,
        Outcome::Info => 0x9A_A0_A6,
    }
}

/// `transfer.completed` → `Transfer complete`, `backup.warning` → `Backup finished with
/// warnings`, `gc.started` → `Garbage collection started`, `deploy.finished` → `Deploy
/// finished`. Herald's own events drop the `herald.` prefix: `Delivery failed`.
pub(crate) fn title(event_type: &str) -> String {
    let segments: Vec<&str> = event_type.split('.').filter(|s| !s.is_empty()).collect();
    let segments = match segments.as_slice() {
        ["herald", "test"] => return "Test notification".to_owned(),
        ["herald", rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    let Some((last, subject)) = segments.split_last() else {
        return "Event".to_owned();
    };
    if subject.is_empty() {
        return human::label(last);
    }
    let noun = match subject {
        ["transfer"] => "Transfer".to_owned(),
        ["backup"] => "Backup".to_owned(),
        ["snapshot"] => "Snapshot".to_owned(),
        ["restore"] => "Restore".to_owned(),
        ["gc"] => "Garbage collection".to_owned(),
        ["verify"] => "Verification".to_owned(),
        other => human::label(&other.join(" ")),
    };
    let verb = match *last {
        "completed" => "complete".to_owned(),
        "warning" => "finished with warnings".to_owned(),
        other => human::label(other).to_lowercase(),
    };
    format!("{noun} {verb}")
}

#[cfg(test)]
mod tests;
