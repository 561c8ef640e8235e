//! Turning arrivals into figures: percentiles, the printed table, bench/results.jsonl.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::ceilings::Ceilings;
use crate::receiver::Receiver;
use crate::scenario::Measured;
use crate::{Goal, Outcome, Scenario};

pub(crate) fn summarize(
    scenario: &Scenario,
    measured: Measured,
    receiver: Receiver,
    peak_rss_mib: f64,
    log: PathBuf,
) -> anyhow::Result<Outcome> {
    let received = receiver.finish();
    let mut latencies_ms = Vec::with_capacity(received.arrivals.len());
    let mut last_arrival = measured.first_publish;
    for arrival in &received.arrivals {
        let published = measured
            .publish_times
            .get(&arrival.event_id)
            .with_context(|| format!("a delivery of an unknown event {}", arrival.event_id))?;
        latencies_ms.push(arrival.at.duration_since(*published).as_secs_f64() * 1000.0);
        last_arrival = last_arrival.max(arrival.at);
    }
    latencies_ms.sort_by(f64::total_cmp);
    let since_first = |at: Instant| {
        at.duration_since(measured.first_publish)
            .as_secs_f64()
            .max(1e-9)
    };
    let ingest_secs = since_first(measured.ingested);
    let deliver_secs = since_first(last_arrival);
    Ok(Outcome {
        events_per_s: scenario.events as f64 / ingest_secs,
        deliveries_per_s: scenario.deliveries() as f64 / deliver_secs,
        p50_ms: percentile(&latencies_ms, 50.0),
        p95_ms: percentile(&latencies_ms, 95.0),
        p99_ms: percentile(&latencies_ms, 99.0),
        peak_rss_mib,
        publish_secs: since_first(measured.published),
        ingest_secs,
        deliver_secs,
        duplicates: received.duplicates,
        unreadable: received.unreadable,
        cpu: measured.cpu,
        cpu_secs: measured.cpu_secs,
        log,
    })
}

/// Nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) fn print_ceilings(c: &Ceilings) {
    let row = |name: &str, value: f64, note: &str| {
        println!(
            "  {name:<30} {:>14}  {note}",
            format!("{}/s", thousands(value, 0))
        );
    };
    row(
        "bare HTTP client",
        c.http_per_s,
        "hyper, 64 in flight, to the benchmark's receiver",
    );
    row(
        "JetStream publish",
        c.publish_per_s,
        "event-sized, acks awaited per 1,000",
    );
    row(
        "JetStream consume + ack",
        c.consume_ack_per_s,
        "pull consumer",
    );
    row(
        "Postgres rows inserted",
        c.insert_rows_per_s,
        "delivery-shaped, 1,000 per INSERT",
    );
}

/// Whether the outcome meets the scenario's goal, and the goal in words.
fn judged(goal: Goal, o: &Outcome, c: &Ceilings) -> (bool, String) {
    match goal {
        Goal::HttpShare(share) => (
            o.deliveries_per_s >= share * c.http_per_s,
            format!("deliveries/s >= {:.0} % of the bare client", share * 100.0),
        ),
        Goal::P99Below(limit) => (o.p99_ms < limit, format!("p99 < {limit:.0} ms")),
        Goal::AllWithin(secs) => (
            o.deliver_secs < secs,
            format!("all delivered < {secs:.0} s"),
        ),
        Goal::PeakRssBelow(mib) => (o.peak_rss_mib < mib, format!("peak RSS < {mib:.0} MiB")),
    }
}

pub(crate) fn print_outcome(scenario: &Scenario, o: &Outcome, c: &Ceilings) {
    let row = |name: &str, value: String, note: &str| {
        println!("  {name:<30} {value:>14}  {note}");
    };
    println!("  {:<30} {:>14}", "metric", "value");
    println!("  {}", "-".repeat(66));
    for &goal in &scenario.goals {
        let (met, words) = judged(goal, o, c);
        row("goal", if met { "MET" } else { "MISSED" }.into(), &words);
    }
    row(
        "deliveries/s (end to end)",
        thousands(o.deliveries_per_s, 0),
        &format!(
            "{:.1} % of the bare HTTP client",
            100.0 * o.deliveries_per_s / c.http_per_s
        ),
    );
    row(
        "events/s ingested",
        thousands(o.events_per_s, 0),
        &format!(
            "{:.1} % of JetStream publish",
            100.0 * o.events_per_s / c.publish_per_s
        ),
    );
    row("latency p50 (publish→received)", ms(o.p50_ms), "");
    row("latency p95", ms(o.p95_ms), "");
    row("latency p99", ms(o.p99_ms), "");
    row(
        "Herald peak RSS (VmHWM)",
        format!("{:.1} MiB", o.peak_rss_mib),
        "",
    );
    println!("  {}", "-".repeat(66));
    row(
        "all published and acked after",
        format!("{:.2} s", o.publish_secs),
        &format!(
            "({}/s)",
            thousands(scenario.events as f64 / o.publish_secs, 0)
        ),
    );
    row(
        "all stored after",
        format!("{:.2} s", o.ingest_secs),
        "(SELECT count(*) polled every 50 ms)",
    );
    row(
        "all delivered after",
        format!("{:.2} s", o.deliver_secs),
        "",
    );
    row(
        "re-deliveries / unreadable",
        format!("{} / {}", o.duplicates, o.unreadable),
        "",
    );
    row(
        "CPU, cores (of all on the box)",
        format!("herald {:.2}", o.cpu.herald),
        &format!(
            "postgres {:.2}, nats-server {:.2}, herald-bench {:.2}",
            o.cpu.postgres, o.cpu.nats, o.cpu.bench
        ),
    );
    let per = cpu_per_delivery(scenario, o);
    row(
        "CPU per delivery",
        format!("herald {:.3} ms", per.herald),
        &format!(
            "postgres {:.3} ms, nats-server {:.3} ms",
            per.postgres, per.nats
        ),
    );
    println!("  Herald's log: {}", o.log.display());
}

/// Milliseconds of CPU each group spent per delivery over the measured window.
fn cpu_per_delivery(scenario: &Scenario, o: &Outcome) -> crate::cpu::CpuShare {
    let per = |cores: f64| cores * o.cpu_secs * 1000.0 / scenario.deliveries().max(1) as f64;
    crate::cpu::CpuShare {
        herald: per(o.cpu.herald),
        postgres: per(o.cpu.postgres),
        nats: per(o.cpu.nats),
        bench: per(o.cpu.bench),
    }
}

pub(crate) fn ms(value: f64) -> String {
    format!("{value:.1} ms")
}

/// 12345.6 -> "12,346" (decimals 0).
pub(crate) fn thousands(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int.to_owned(), Some(frac.to_owned())),
        None => (text.clone(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", int.as_str()),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

/// One line of `bench/results.jsonl`, fields in this order.
#[derive(serde::Serialize)]
pub(crate) struct ResultLine<'a> {
    date: String,
    commit: &'a str,
    scenario: &'a str,
    events: usize,
    subscriptions: usize,
    events_per_s: f64,
    deliveries_per_s: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    peak_rss_mib: f64,
    /// Events a second of a steady scenario, null when published at once.
    rate: Option<u32>,
    /// Herald's settings that are not its defaults, KEY=VALUE.
    settings: Vec<String>,
    http_ceiling_per_s: f64,
    http_share: f64,
    cpu_ms_per_delivery: [f64; 3],
}

pub(crate) fn append_result(
    path: &Path,
    commit: &str,
    scenario: &Scenario,
    o: &Outcome,
    c: &Ceilings,
) -> anyhow::Result<()> {
    let round = |value: f64, places: i32| {
        let factor = 10f64.powi(places);
        (value * factor).round() / factor
    };
    let line = ResultLine {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        commit,
        scenario: &scenario.name,
        events: scenario.events,
        subscriptions: scenario.subscriptions,
        events_per_s: round(o.events_per_s, 1),
        deliveries_per_s: round(o.deliveries_per_s, 1),
        p50_ms: round(o.p50_ms, 2),
        p95_ms: round(o.p95_ms, 2),
        p99_ms: round(o.p99_ms, 2),
        peak_rss_mib: round(o.peak_rss_mib, 1),
        rate: scenario.rate,
        settings: scenario
            .settings
            .iter()
            .map(|(key, value, _)| format!("{key}={value}"))
            .collect(),
        http_ceiling_per_s: round(c.http_per_s, 0),
        http_share: round(o.deliveries_per_s / c.http_per_s, 4),
        cpu_ms_per_delivery: {
            let per = cpu_per_delivery(scenario, o);
            [
                round(per.herald, 4),
                round(per.postgres, 4),
                round(per.nats, 4),
            ]
        },
    };
    let line = serde_json::to_string(&line).context("result JSON")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(file, "{line}").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `git rev-parse --short HEAD`, plus `-dirty` when the work tree has changes (the results file
/// this benchmark appends to does not count).
pub(crate) fn git_commit(repo: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(repo)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let Some(commit) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    match git(&[
        "status",
        "--porcelain",
        "--",
        ".",
        ":(exclude)bench/results.jsonl",
    ]) {
        Some(status) if status.is_empty() => commit,
        _ => format!("{commit}-dirty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 50.0) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 99.0) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&[7.0], 95.0) - 7.0).abs() < f64::EPSILON);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1234567.0, 0), "1,234,567");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(12345.67, 1), "12,345.7");
    }
}
