//! Numbers and names the way people read them. Sizes and durations mirror the
//! `filesizeformat` and `durationformat` template filters of herald-domain (which keeps them
//! private to its template engine), so a chat message and a webhook template agree.

const BINARY_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

fn one_decimal(n: f64) -> f64 {
    (n * 10.0).round() / 10.0
}

/// `52428800` → `50 MiB`, `1536` → `1.5 KiB`: binary units, one decimal, `.0` dropped.
pub(crate) fn bytes(bytes: f64) -> String {
    let sign = if bytes < 0.0 { "-" } else { "" };
    let mut size = bytes.abs();
    let mut unit = 0;
    // Compared after rounding, so 1023.99 KiB shows as 1 MiB rather than 1024 KiB.
    while unit + 1 < BINARY_UNITS.len() && one_decimal(size) >= 1024.0 {
        size /= 1024.0;
        unit += 1;
    }
    let shown = if unit == 0 {
        size.round()
    } else {
        one_decimal(size)
    };
    format!("{sign}{shown} {}", BINARY_UNITS[unit])
}

/// The two largest units with zero parts left out: `1 h 5 min`, `45 s`, `2 d 3 h`.
pub(crate) fn duration(seconds: f64) -> String {
    let sign = if seconds < 0.0 { "-" } else { "" };
    let seconds = seconds.abs();
    let millis = (seconds * 1000.0).round();
    if millis > 0.0 && millis < 1000.0 {
        return format!("{sign}{millis} ms");
    }
    let total = seconds.round() as u64;
    let parts = [
        (total / 86_400, "d"),
        (total / 3_600 % 24, "h"),
        (total / 60 % 60, "min"),
        (total % 60, "s"),
    ];
    let first = parts
        .iter()
        .position(|(n, _)| *n > 0)
        .unwrap_or(parts.len() - 1);
    let words: Vec<String> = parts[first..]
        .iter()
        .take(2)
        .enumerate()
        .filter(|(i, (n, _))| *i == 0 || *n > 0)
        .map(|(_, (n, unit))| format!("{n} {unit}"))
        .collect();
    format!("{sign}{}", words.join(" "))
}

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
