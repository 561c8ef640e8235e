//! Events, targets and digests the tests share: the domain's sample events at a fixed time,
//! one target of each channel built the way the API builds them, and two daily reports.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use herald_domain::{
    DiscordTarget, SlackTarget, SubscriptionSpec, Target, TeamsFormat, TeamsTarget, samples,
};
use serde_json::{Value, json};

use crate::{
    DayCounts, DigestFailure, DigestReport, DigestWarning, FamilyCounts, JobActivity, ScheduleRuns,
};

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
}

pub(crate) fn sample(event_type: &str) -> Value {
    samples::sample_event(event_type, "acme", "evt-0001", now())
}

/// An event of `event_type` with exactly `data`.
pub(crate) fn event(event_type: &str, data: Value) -> Value {
    let mut event = sample("custom.ping");
    event["type"] = json!(event_type);
    event["data"] = data;
    event
}

fn target(channel: &str, target: Value) -> Target {
    let spec = json!({
        "tenant": "acme",
        "name": "chat",
        "channel": channel,
        "target": target,
    });
    SubscriptionSpec::from_json(&spec).unwrap().target
}

pub(crate) fn slack(mention: Option<&str>) -> SlackTarget {
    let mut fields = json!({
        "webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX",
        "username": "Herald",
        "icon_emoji": ":bell:",
    });
    if let Some(mention) = mention {
        fields["mention_on_failure"] = json!(mention);
    }
    match target("slack", fields) {
        Target::Slack(slack) => slack,
        other => panic!("not a Slack target: {other:?}"),
    }
}

pub(crate) fn discord(mention: Option<&str>) -> DiscordTarget {
    let mut fields = json!({
        "webhook_url": "https://discord.com/api/webhooks/1/abc",
        "username": "Herald",
        "avatar_url": "https://example.com/herald.png",
    });
    if let Some(mention) = mention {
        fields["mention_on_failure"] = json!(mention);
    }
    match target("discord", fields) {
        Target::Discord(discord) => discord,
        other => panic!("not a Discord target: {other:?}"),
    }
}

pub(crate) fn teams(format: TeamsFormat) -> TeamsTarget {
    let fields = json!({
        "webhook_url": "https://example.webhook.office.com/webhookb2/abc",
        "format": format.as_str(),
    });
    match target("teams", fields) {
        Target::Teams(teams) => teams,
        other => panic!("not a Teams target: {other:?}"),
    }
}

/// Text of `chars` characters built to cost the most: emoji sequences, characters every
/// markup escapes, mentions and line breaks.
pub(crate) fn nasty(chars: usize) -> String {
    const PIECES: [&str; 8] = [
        "👨\u{200D}👩\u{200D}👧",
        "*_~`|<@&1>",
        "@everyone ",
        "&<>\\",
        "🇩🇪",
        "e\u{301}",
        "\n# - ",
        "ok ",
    ];
    let mut text = String::new();
    for piece in PIECES.iter().cycle() {
        if text.chars().count() >= chars {
            break;
        }
        text.push_str(piece);
    }
    text.chars().take(chars).collect()
}

/// Events at and past every limit: a 300-character name, a 10,000-character error message
/// and details, 40 labels, 40 custom fields, long warnings and routes.
pub(crate) fn huge_events() -> Vec<Value> {
    let labels: serde_json::Map<String, Value> = (0..40)
        .map(|i| {
            (
                format!("label_{i:02}_{}", "k".repeat(50)),
                json!(nasty(200)),
            )
        })
        .collect();
    let error = json!({ "code": nasty(300), "message": nasty(10_000), "details": nasty(10_000) });
    let warnings: Vec<String> = (0..100).map(|_| nasty(500)).collect();
    let mut custom = serde_json::Map::new();
    for i in 0..40 {
        custom.insert(format!("field_{i:02}_{}", nasty(60)), json!(nasty(2000)));
    }
    custom.insert("name".into(), json!(nasty(300)));
    custom.insert("message".into(), json!(nasty(10_000)));
    custom.insert("error".into(), error.clone());
    vec![
        event(
            "backup.failed",
            json!({
                "job_id": "job-1",
                "job_name": nasty(300),
                "databases": (0..200).map(|_| nasty(40)).collect::<Vec<_>>(),
                "size_bytes": "734003200",
                "storage": nasty(3000),
                "warnings": warnings,
                "error": error,
                "labels": labels,
            }),
        ),
        event(
            "transfer.failed",
            json!({
                "transfer_id": "t-1",
                "name": nasty(300),
                "source": nasty(5000),
                "destination": nasty(5000),
                "status": nasty(2000),
                "error": { "message": nasty(10_000) },
                "labels": labels,
            }),
        ),
        event("deploy.failed", Value::Object(custom)),
    ]
}

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, hour, minute, 0).unwrap()
}

fn family(name: &str, counts: [u64; 4]) -> FamilyCounts {
    let [succeeded, failed, warnings, started] = counts;
    FamilyCounts {
        family: name.to_owned(),
        succeeded,
        failed,
        warnings,
        started,
        total: succeeded + failed + warnings + started,
    }
}

/// A busy day in Berlin: failures (one more than listed), a warning, a schedule that failed
/// twice, and the day before to compare with.
pub(crate) fn digest_report() -> DigestReport {
    DigestReport {
        tenant: "acme".to_owned(),
        date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        timezone: chrono_tz::Europe::Berlin,
        day: DayCounts {
            families: vec![
                family("transfer", [10, 2, 0, 12]),
                family("backup", [5, 0, 1, 6]),
                family("verify", [0, 1, 0, 1]),
            ],
            bytes: 3_650_722_201,
        },
        previous: Some(DayCounts {
            families: vec![
                family("transfer", [8, 0, 0, 8]),
                family("backup", [5, 0, 0, 5]),
            ],
            bytes: 3_113_851_289,
        }),
        failures: vec![
            DigestFailure {
                time: at(1, 30),
                event_type: "transfer.failed".to_owned(),
                name: Some("nightly-backup".to_owned()),
                source: Some("dropbox:/files".to_owned()),
                destination: Some("s3:/archive".to_owned()),
                error_code: Some("ACCESS_DENIED".to_owned()),
                error_message: Some("Access denied".to_owned()),
            },
            DigestFailure {
                time: at(13, 5),
                event_type: "verify.failed".to_owned(),
                name: Some("repo-1".to_owned()),
                source: None,
                destination: None,
                error_code: None,
                error_message: Some("3 chunks missing".to_owned()),
            },
        ],
        failures_total: 3,
        warnings: vec![DigestWarning {
            time: at(4, 0),
            event_type: "backup.warning".to_owned(),
            name: Some("postgres-main".to_owned()),
            text: "table audit_log skipped: locked".to_owned(),
        }],
        warnings_total: 1,
        schedules: vec![
            ScheduleRuns {
                schedule: "Nightly".to_owned(),
                family: "transfer".to_owned(),
                runs: 7,
                failed: 2,
                last_failure: Some(at(1, 30)),
            },
            ScheduleRuns {
                schedule: "Hourly".to_owned(),
                family: "backup".to_owned(),
                runs: 6,
                failed: 0,
                last_failure: None,
            },
        ],
        busiest: vec![
            JobActivity {
                name: "nightly-backup".to_owned(),
                runs: 7,
                bytes: 2_147_483_648,
            },
            JobActivity {
                name: "postgres-main".to_owned(),
                runs: 6,
                bytes: 1_503_238_553,
            },
            JobActivity {
                name: "repo-1".to_owned(),
                runs: 1,
                bytes: 0,
            },
        ],
    }
}

/// A day without a single event, and none the day before either.
pub(crate) fn quiet_digest() -> DigestReport {
    DigestReport {
        tenant: "acme".to_owned(),
        date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        timezone: chrono_tz::Europe::Berlin,
        day: DayCounts::default(),
        previous: Some(DayCounts::default()),
        failures: Vec::new(),
        failures_total: 0,
        warnings: Vec::new(),
        warnings_total: 0,
        schedules: Vec::new(),
        busiest: Vec::new(),
    }
}
