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
