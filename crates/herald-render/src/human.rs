//! Numbers and names the way people read them. Sizes and durations are herald-domain's, the
//! same as the `filesizeformat` and `durationformat` template filters, so a chat message and
//! a webhook template agree.

pub(crate) use herald_domain::human::{bytes, duration};

/// A whole number as written (`120`), any other as the shortest decimal that round-trips.
pub(crate) fn number(n: f64) -> String {
    // Below 2^53 every whole f64 is exact, so the cast loses nothing.
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A data key as a label: `snapshots_deleted` → `Snapshots deleted`, `lastError` →
/// `Last error`, `schedule.name` → `Schedule name`, `subscription_id` → `Subscription ID`.
pub(crate) fn label(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        let boundary = matches!(c, '_' | '-' | '.' | ' ') || (c.is_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        if !matches!(c, '_' | '-' | '.' | ' ') {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = String::with_capacity(key.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match word.as_str() {
            "id" | "url" | "api" => out.push_str(&word.to_uppercase()),
            _ if i == 0 => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// `• first\n• second`, at most `max` items and a line saying how many more there are.
pub(crate) fn bullets(items: &[String], max: usize) -> Option<String> {
    let mut lines: Vec<String> = items
        .iter()
        .take(max)
        .map(|item| format!("• {item}"))
        .collect();
    if items.len() > max {
        lines.push(format!("…and {} more", items.len() - max));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

#[cfg(test)]
mod tests;
