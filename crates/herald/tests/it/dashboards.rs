//! Dashboards and alert rules never name a metric Herald does not export: every `herald_*`
//! identifier in the PromQL of deploy/grafana/*.json and deploy/prometheus/alerts.yml must be a
//! sample name of a real scrape of the admin port of a process running every target.
//!
//! Names are compared as Prometheus stores them (`x_total`, `x_bucket`, `x_info`, ...), derived
//! from each family's `# TYPE` line and from the samples themselves: a dashboard asking for
//! `herald_dispatch_attempts` (no `_total`) would show nothing, and fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_nats::HeaderMap;
use serde_json::{Value, json};

use crate::support::{
    Platform, Receiver, Reply, StandIn, TestApp, eventually, spawn_targets, subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(30);
/// How long the scrape may take to show what the traffic caused (recorders batch, gauges
/// are refreshed every few seconds).
const SETTLE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn dashboards_and_alerts_name_only_metrics_herald_exports() {
    // (file, where, metric) of every herald_ name the files use.
    let mut wanted = Vec::new();
    let mut files = dashboard_files();
    files.push(deploy_dir().join("prometheus/alerts.yml"));
    for file in &files {
        let exprs = if file.extension().is_some_and(|e| e == "json") {
            dashboard_exprs(file)
        } else {
            alert_exprs(file)
        };
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        let before = wanted.len();
        for (place, expr) in exprs {
            for metric in metric_names(&expr) {
                wanted.push((file_name.clone(), place.clone(), metric));
            }
        }
        // A file whose expressions name no Herald metric would pass this test whatever it says.
        assert!(wanted.len() > before, "{file_name} names no herald_ metric");
    }

    let app = spawn_targets("all", |_| {}).await;
    drive_traffic(&app).await;
    // prometheus-client leaves a family out until it has a sample: scrape until every name
    // is there or the traffic has surely been counted.
    let deadline = tokio::time::Instant::now() + SETTLE;
    let (exported, unknown) = loop {
        let exported = exported_names(&scrape(&app).await);
        let unknown: Vec<String> = wanted
            .iter()
            .filter(|(_, _, metric)| !exported.contains(metric))
            .map(|(file, place, metric)| format!("{file}: {place}: {metric}"))
            .collect();
        if unknown.is_empty() || tokio::time::Instant::now() > deadline {
            break (exported, unknown);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        unknown.is_empty(),
        "metrics Herald does not export:\n  {}\nexported: {exported:?}",
        unknown.join("\n  ")
    );
}

/// One delivered and one failed delivery, a rejected event, a subscription disabled and a
/// digest sent, so every labelled family has a sample.
async fn drive_traffic(app: &TestApp) {
    let ok = Receiver::start(Reply::status(204)).await;
    let refusing = Receiver::start(Reply::status(400)).await;
    subscribe_receiver(app, &ok.url, json!({})).await;
    subscribe_receiver(app, &refusing.url, json!({})).await;
    let (paused, _) = subscribe_receiver(app, &ok.url, json!({"event_types": ["gc.*"]})).await;
    app.publish_sample("transfer.failed", "dashboards").await;
    app.nats
        .publish_raw(
            "acme",
            "transfer.failed",
            HeaderMap::new(),
            b"not json".to_vec(),
        )
        .await;
    eventually(WAIT, "one delivered and one failed delivery", || async {
        let settled: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries WHERE status IN ('delivered', 'failed')",
        )
        .fetch_one(app.store.pool())
        .await
        .ok()?;
        (settled == 2).then_some(())
    })
    .await;
    eventually(WAIT, "the rejected event", || async {
        (!app.nats.rejected().await.is_empty()).then_some(())
    })
    .await;
    let path = format!("/v1/subscriptions/{paused}");
    let response = app.patch(&path, &json!({"enabled": false})).await;
    assert_eq!(response.status(), 200, "disabling {paused}");

    let discord = StandIn::start(Platform::Discord).await;
    let digest = app
        .subscribe(json!({
            "tenant": "acme", "name": "dashboards digest", "channel": "discord",
            "target": {"webhook_url": discord.url}, "digest": {"hour": 8},
        }))
        .await;
    let response = app
        .post(&format!("/v1/digests/{digest}/send"), &json!({}))
        .await;
    assert!(response.status().is_success(), "digest sent: {response:?}");
    discord.wait_for(1, WAIT).await;
}

/// The admin listener's /metrics: what Prometheus scrapes in a deployment.
async fn scrape(app: &TestApp) -> String {
    let response = app
        .http
        .get(format!("{}/metrics", app.admin))
        .send()
        .await
        .expect("GET /metrics on the admin port");
    assert_eq!(response.status(), 200, "the admin port's /metrics answers");
    response.text().await.expect("a text body")
}

/// Every name a query could use for the families of an exposition (OpenMetrics or the
/// classic text format).
fn exported_names(exposition: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in exposition.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let (Some(family), Some(kind)) = (parts.next(), parts.next()) else {
                continue;
            };
            let suffixes: &[&str] = match kind {
                // The classic format names a counter with its `_total` already.
                "counter" if family.ends_with("_total") => &[""],
                "counter" => &["_total", "_created"],
                "histogram" | "gaugehistogram" => &["_bucket", "_sum", "_count", "_created"],
                "summary" => &["", "_sum", "_count", "_created"],
                "info" => &["_info"],
                _ => &[""],
            };
            names.extend(suffixes.iter().map(|s| format!("{family}{s}")));
        } else if !line.starts_with('#') {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn dashboard_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir().join("grafana"))
        .expect("deploy/grafana exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "deploy/grafana holds no dashboard");
    files
}

/// (where, PromQL) of every Prometheus target and every query variable of a dashboard.
fn dashboard_exprs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("a readable dashboard");
    let board: Value = serde_json::from_str(&text).expect("a JSON dashboard");
    let mut exprs = Vec::new();
    let mut panels: Vec<&Value> = Vec::new();
    for panel in board["panels"].as_array().into_iter().flatten() {
        panels.push(panel);
        panels.extend(panel["panels"].as_array().into_iter().flatten());
    }
    for panel in panels {
        let title = panel["title"].as_str().unwrap_or("?");
        for target in panel["targets"].as_array().into_iter().flatten() {
            if let Some(expr) = target["expr"].as_str() {
                let reference = target["refId"].as_str().unwrap_or("?");
                exprs.push((format!("panel {title:?} ({reference})"), expr.to_owned()));
            }
        }
    }
    for variable in board["templating"]["list"].as_array().into_iter().flatten() {
        let query = &variable["query"];
        let query = query.as_str().or_else(|| query["query"].as_str());
        if let (Some(query), Some("query")) = (query, variable["type"].as_str()) {
            let name = variable["name"].as_str().unwrap_or("?");
            exprs.push((format!("variable ${name}"), query.to_owned()));
        }
    }
    exprs
}

/// (alert, PromQL) of every rule: `expr:` inline or as a `|` / `>` block. The rules file is
/// plain enough that a line reader does; it saves a YAML dependency.
fn alert_exprs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("a readable rules file");
    let mut exprs = Vec::new();
    let mut rule = String::from("?");
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let indent = line.len() - line.trim_start().len();
        if let Some(name) = trimmed
            .strip_prefix("alert:")
            .or_else(|| trimmed.strip_prefix("record:"))
        {
            rule = name.trim().to_owned();
        }
        let Some(value) = trimmed.strip_prefix("expr:") else {
            continue;
        };
        let value = value.trim();
        let expr = if value.starts_with('|') || value.starts_with('>') {
            let mut block = Vec::new();
            while let Some(next) = lines.peek() {
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push(lines.next().unwrap_or_default().trim());
            }
            block.join("\n")
        } else {
            unquote(value).to_owned()
        };
        exprs.push((format!("alert {rule}"), expr));
    }
    assert!(!exprs.is_empty(), "{} holds no expr", path.display());
    exprs
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// The `herald_*` metric names a PromQL expression selects: identifiers outside strings,
/// comments, label matchers `{...}`, ranges `[...]`, grouping lists (`by (...)`, `on (...)`,
/// ...), and not followed by `(` (functions and aggregations).
fn metric_names(expr: &str) -> BTreeSet<String> {
    const GROUPING: [&str; 6] = [
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
    ];
    let chars: Vec<char> = expr.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    let skip_to = |from: usize, close: char| {
        let mut j = from + 1;
        while j < chars.len() && chars[j] != close {
            if matches!(chars[j], '"' | '\'' | '`') {
                j = end_of_string(&chars, j);
            }
            j += 1;
        }
        j + 1
    };
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '"' | '\'' | '`') {
            i = end_of_string(&chars, i) + 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '{' {
            i = skip_to(i, '}');
        } else if c == '[' {
            i = skip_to(i, ']');
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | ':'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            let called = chars.get(next) == Some(&'(');
            if GROUPING.contains(&word.as_str()) && called {
                i = skip_to(next, ')');
            } else if !called && word.starts_with("herald_") {
                names.insert(word);
            }
        } else if c.is_ascii_digit() {
            // A number or a duration (5m, 1e3): not a name.
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    names
}

/// The index of the quote closing the string opened at `open` (backslash escapes skipped;
/// raw backtick strings have none).
fn end_of_string(chars: &[char], open: usize) -> usize {
    let quote = chars[open];
    let mut j = open + 1;
    while j < chars.len() && chars[j] != quote {
        if chars[j] == '\\' && quote != '`' {
            j += 1;
        }
        j += 1;
    }
    j
}

#[test]
fn metric_names_skip_labels_functions_groupings_strings_and_ranges() {
    let expr = r#"sum by (herald_label, le) (rate(herald_a_total{job=~"herald_job", x='herald_q\'s'}[5m]))
        / on (herald_on) group_left (herald_gl) max(herald_b)
        + label_replace(herald_c, "herald_dst", "${1}", "status", "(\\d)..") # herald_comment
        and herald_d:recorded > 1e3 * herald_e"#;
    let names: Vec<String> = metric_names(expr).into_iter().collect();
    assert_eq!(
        names,
        [
            "herald_a_total",
            "herald_b",
            "herald_c",
            "herald_d:recorded",
            "herald_e"
        ]
    );
}

#[test]
fn exported_names_follow_the_families_types() {
    let exposition = "# TYPE herald_x counter\nherald_x_total 1\n# TYPE herald_h histogram\n\
        # TYPE herald_build info\n# TYPE herald_g gauge\nherald_g{a=\"1\"} 2\n\
        # TYPE herald_old_total counter\n# EOF\n";
    let names: Vec<String> = exported_names(exposition).into_iter().collect();
    assert_eq!(
        names,
        [
            "herald_build_info",
            "herald_g",
            "herald_h_bucket",
            "herald_h_count",
            "herald_h_created",
            "herald_h_sum",
            "herald_old_total",
            "herald_x_created",
            "herald_x_total"
        ]
    );
}
