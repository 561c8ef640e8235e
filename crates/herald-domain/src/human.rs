//! Sizes and durations the way people read them, shared by the template filters
//! (`filesizeformat`, `durationformat`) and the chat and mail renderers, so a webhook template
//! and a chat message say the same thing.

const BINARY_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

fn one_decimal(n: f64) -> f64 {
    (n * 10.0).round() / 10.0
}

/// `52428800` → `50 MiB`, `1536` → `1.5 KiB`: binary units, one decimal, `.0` dropped.
pub fn bytes(bytes: f64) -> String {
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
pub fn duration(seconds: f64) -> String {
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

/// The compact units of a written duration, largest first: a duration string lists each at
/// most once, in this order (`1d4h`, `1h30m`).
const COMPACT_UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// `30s`, `15m`, `4h`, `1d`, `1h30m` → a whole number of seconds. Each unit at most once,
/// largest first, no spaces; at least one part.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, crate::DomainError> {
    let refuse = || crate::DomainError::BadDuration(text.to_owned());
    let mut total: u64 = 0;
    let mut digits = String::new();
    // Units must come largest first, so `30m1h` and `1h1h` are refused.
    let mut next_unit = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let position = COMPACT_UNITS[next_unit..]
            .iter()
            .position(|(unit, _)| *unit == c)
            .ok_or_else(refuse)?;
        let (_, seconds) = COMPACT_UNITS[next_unit + position];
        let count: u64 = digits.parse().map_err(|_| refuse())?;
        total = count
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(refuse)?;
        digits.clear();
        next_unit += position + 1;
    }
    if !digits.is_empty() || next_unit == 0 {
        return Err(refuse());
    }
    Ok(std::time::Duration::from_secs(total))
}

/// The shortest string `parse_duration` reads back as `duration` (whole seconds): `5400 s` →
/// `1h30m`, `86400 s` → `1d`, zero → `0s`.
pub fn format_duration(duration: std::time::Duration) -> String {
    let mut left = duration.as_secs();
    if left == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, seconds) in COMPACT_UNITS {
        let count = left / seconds;
        if count > 0 {
            out.push_str(&format!("{count}{unit}"));
            left -= count * seconds;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{format_duration, parse_duration};

    #[test]
    fn durations_parse_and_format_back_in_the_shortest_form() {
        for (text, seconds, shortest) in [
            ("30s", 30, "30s"),
            ("15m", 900, "15m"),
            ("4h", 14_400, "4h"),
            ("1d", 86_400, "1d"),
            ("1h30m", 5_400, "1h30m"),
            ("90m", 5_400, "1h30m"),
            ("1d2h3m4s", 93_784, "1d2h3m4s"),
            ("24h", 86_400, "1d"),
            ("0s", 0, "0s"),
            ("007m", 420, "7m"),
        ] {
            let parsed = parse_duration(text).unwrap();
            assert_eq!(parsed, Duration::from_secs(seconds), "{text}");
            assert_eq!(format_duration(parsed), shortest, "{text}");
        }
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "",
            "30",
            "m",
            "1h 30m",
            "30m1h",
            "1h1h",
            "1.5h",
            "-1m",
            "1w",
            "1H",
            " 1h",
            "99999999999999999999d",
            "300000000000000d",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} was accepted");
        }
    }
}
