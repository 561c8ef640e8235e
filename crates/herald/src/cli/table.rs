//! Output: aligned tables for people, the API's JSON for scripts (`-o json`).

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Table,
    Json,
}

/// A column: its header and the field it shows (`a.b` for nested ones).
pub type Column = (&'static str, &'static str);

pub fn json(value: &Value) {
    // A Value always serializes; the fallback only keeps this free of unwrap.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

pub fn rows(items: &[Value], columns: &[Column]) {
    let cells: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|(_, key)| cell(lookup(item, key)))
                .collect()
        })
        .collect();
    let headers: Vec<String> = columns.iter().map(|(h, _)| (*h).to_owned()).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (width, text) in widths.iter_mut().zip(row) {
            *width = (*width).max(text.chars().count());
        }
    }
    for row in std::iter::once(&headers).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(text, width)| format!("{text:<width$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

/// One object as `field  value` lines, nested objects as compact JSON.
pub fn record(item: &Value) {
    record_without(item, &[]);
}

/// Like `record`, leaving out fields the caller shows otherwise (a list as its own table).
pub fn record_without(item: &Value, left_out: &[&str]) {
    let Some(map) = item.as_object() else {
        println!("{}", cell(item));
        return;
    };
    let shown = || map.iter().filter(|(k, _)| !left_out.contains(&k.as_str()));
    let width = shown().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (key, value) in shown() {
        println!("{key:<width$}  {}", cell(value));
    }
}

fn lookup<'a>(item: &'a Value, key: &str) -> &'a Value {
    key.split('.').fold(item, |value, part| &value[part])
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// `12h`, `30m`, `2d`, `90s` → that long before now, as RFC 3339; RFC 3339 passes through.
pub fn since(text: &str) -> Result<String, String> {
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Ok(text.to_owned());
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let amount: i64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 12h, 30m, 2d or an RFC 3339 time"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d")),
    };
    let at = chrono::Utc::now() - chrono::Duration::seconds(amount.saturating_mul(seconds));
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}
