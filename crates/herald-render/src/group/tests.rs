use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use herald_domain::Outcome;
use serde_json::json;

use super::*;
use crate::{discord_message, fixtures, group_mail, slack_message};

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, s).unwrap()
}

fn member(i: usize, event_type: &str, name: Option<&str>) -> GroupMember {
    let outcome = herald_domain::EventType::parse(event_type)
        .unwrap()
        .outcome();
    GroupMember {
        id: format!("ev-{i}"),
        event_id: format!("evt_{i}"),
        delivery_id: format!("dlv_{i}"),
        event_type: event_type.to_owned(),
        outcome,
        time: at(2, 30, 0) + chrono::TimeDelta::seconds(i as i64 * 2),
        name: name.map(str::to_owned),
        source: Some("s3:/archive".to_owned()),
        destination: None,
        error: (outcome == Outcome::Failure).then(|| MemberError {
            code: Some("ACCESS_DENIED".into()),
            message: Some("Access denied".into()),
        }),
        notice: None,
    }
}

fn report(members: Vec<GroupMember>) -> GroupReport {
    let mut types = BTreeMap::new();
    let mut outcomes = BTreeMap::new();
    for m in &members {
        *types.entry(m.event_type.clone()).or_insert(0) += 1;
        *outcomes.entry(m.outcome.as_str().to_owned()).or_insert(0) += 1;
    }
    GroupReport {
        subscription_id: "sub_1".into(),
        subscription_name: "ops".into(),
        reason: GroupReason::Group,
        group: vec![
            GroupValue {
                path: "type".into(),
                value: "transfer.failed".into(),
            },
            GroupValue {
                path: "data.source".into(),
                value: "s3:/archive".into(),
            },
        ],
        quiet_hours: None,
        count: members.len() as u64,
        types,
        outcomes,
        first_time: members.first().unwrap().time,
        last_time: members.last().unwrap().time,
        members,
        members_omitted: 0,
    }
}

fn nightly(n: usize) -> GroupReport {
    let names = ["nightly-a", "nightly-b", "nightly-c", "nightly-d"];
    report(
        (0..n)
            .map(|i| {
                let name = format!("{}{}", names[i % 4], i / 4);
                member(i, "transfer.failed", Some(&name))
            })
            .collect(),
    )
}

fn event() -> serde_json::Value {
    json!({"id": "group:sub_1:dlv_9", "type": "herald.group", "tenant": "acme",
           "time": "2026-11-22T02:31:00Z"})
}

#[test]
fn a_burst_of_one_type_reads_as_that_types_words_with_the_first_names() {
    let notice = group_notice(&nightly(12), &event());
    assert_eq!(
        notice.headline(),
        "❌ 12 transfers from s3:/archive failed in 22 s: nightly-a0, nightly-b0, nightly-c0, … and 9 more"
    );
    assert!(notice.is_failure());
    let description = notice.description.unwrap();
    assert!(description.starts_with("• 02:30:00 ❌ nightly-a0 — Access denied (ACCESS_DENIED)"));
    assert_eq!(notice.facts[0].value, "12");
    assert_eq!(notice.facts[1].value, "transfer.failed · s3:/archive");
}

#[test]
fn one_job_failing_again_and_again_is_named_once() {
    let members = (0..5)
        .map(|i| member(i, "backup.failed", Some("db-main")))
        .collect();
    let mut report = report(members);
    report.group.truncate(1);
    assert_eq!(
        group_notice(&report, &event()).headline(),
        "❌ 5 backups failed in 8 s: db-main"
    );
}

#[test]
fn mixed_outcomes_are_counted_and_look_like_the_worst() {
    let report = report(vec![
        member(0, "transfer.completed", Some("a")),
        member(1, "transfer.failed", Some("b")),
        member(2, "transfer.completed", Some("c")),
    ]);
    let notice = group_notice(&report, &event());
    assert_eq!(
        notice.title,
        "3 transfers from s3:/archive in 4 s: 1 failed, 2 succeeded"
    );
    assert!(notice.is_failure());
    assert!(
        notice
            .description
            .unwrap()
            .contains("✅ Transfer complete: a")
    );
}

#[test]
fn a_quiet_hours_release_says_so_in_the_zone_of_the_window() {
    let mut report = report(vec![
        member(0, "backup.succeeded", Some("a")),
        member(1, "transfer.completed", None),
    ]);
    report.reason = GroupReason::QuietHours;
    report.group.clear();
    report.quiet_hours = Some(QuietSpan {
        timezone: chrono_tz::Europe::Berlin,
        from: "22:00".into(),
        to: "07:00".into(),
    });
    let notice = group_notice(&report, &event());
    assert_eq!(
        notice.headline(),
        "✅ While quiet hours ran (22:00–07:00): 2 events succeeded: a, … and 1 more"
    );
    let description = notice.description.unwrap();
    assert!(
        description.contains("03:30:00 ✅ Backup succeeded: a"),
        "{description}"
    );
    assert!(
        description.contains("03:30:02 ✅ Transfer complete"),
        "{description}"
    );
}

#[test]
fn a_held_transitions_notice_keeps_its_words_in_the_member_line() {
    use herald_domain::{JobNotice, JobNoticeKind};
    let notice = |kind, failures, down_for_seconds| JobNotice {
        kind,
        failures,
        since: at(1, 0, 0),
        down_for_seconds,
    };
    let mut failing = member(0, "transfer.failed", Some("nightly-a"));
    failing.notice = Some(notice(JobNoticeKind::Failing, 1, None));
    let mut still = member(1, "transfer.failed", Some("nightly-b"));
    still.notice = Some(notice(JobNoticeKind::StillFailing, 4, None));
    let mut recovered = member(2, "transfer.completed", Some("nightly-a"));
    recovered.notice = Some(notice(JobNoticeKind::Recovered, 5, Some(22_200)));
    let mut report = report(vec![failing, still, recovered]);
    report.reason = GroupReason::QuietHours;
    report.group.clear();
    let description = group_notice(&report, &event()).description.unwrap();
    for line in [
        "❌ Transfer failed: nightly-a failing",
        "❌ Transfer failed: nightly-b still failing — 4 runs",
        "✅ Transfer complete: nightly-a recovered after 5 failures (down 6 h 10 min)",
    ] {
        assert!(description.contains(line), "{line} in {description}");
    }
    // The webhook's data carries the notice as the delivery stored it.
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["members"][2]["notice"]["kind"], "recovered");
    assert_eq!(value["members"][2]["notice"]["failures"], 5);
    assert_eq!(value["members"][2]["notice"]["down_for_seconds"], 22_200);
    assert!(value["members"][0]["notice"]["down_for_seconds"].is_null());
    let back: GroupReport = serde_json::from_value(value).unwrap();
    assert_eq!(back, report);
    // One job's member lines, its type alone: "✅ nightly-a recovered after 5 failures".
    let mut alone = member(0, "transfer.completed", Some("nightly-a"));
    alone.notice = Some(notice(JobNoticeKind::Recovered, 5, None));
    let description = group_notice(&self::report(vec![alone]), &event())
        .description
        .unwrap();
    assert!(
        description.contains("✅ nightly-a recovered after 5 failures"),
        "{description}"
    );
}

#[test]
fn the_report_round_trips_through_the_events_json() {
    let report = nightly(3);
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["reason"], "group");
    assert_eq!(value["members"][0]["type"], "transfer.failed");
    assert_eq!(value["members"][0]["outcome"], "failure");
    let back: GroupReport = serde_json::from_value(value).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_large_group_stays_within_every_platforms_limits() {
    let mut report = nightly(GroupReport::MAX_MEMBERS);
    report.count = 10_000;
    report.members_omitted = 10_000 - GroupReport::MAX_MEMBERS as u64;
    for m in &mut report.members {
        m.name = Some("x".repeat(5000));
    }
    let notice = group_notice(&report, &event());
    let slack = slack_message(&notice, &fixtures::slack(Some("<!here>")));
    for block in slack["blocks"].as_array().unwrap() {
        if let Some(text) = block["text"]["text"].as_str() {
            assert!(text.chars().count() <= 3000);
        }
    }
    let description = notice.description.clone().unwrap();
    assert!(description.ends_with("…and 9980 more"), "{description}");
    let discord = discord_message(&notice, &fixtures::discord(None));
    let total: usize = discord.to_string().chars().count();
    assert!(total < 12_000, "{total}");
    let mail = group_mail(&report, &event());
    assert!(mail.html.contains("…and 9900 more"));
    assert!(mail.text.contains("…and 9900 more"));
    assert!(mail.subject.chars().count() <= 200);
}

/// `HERALD_WRITE_GROUP_SHOTS=dir cargo test -p herald-render write_group_shots` writes the
/// Slack, Discord and Teams payloads and the mail of a burst and of a quiet-hours release, for
/// tools/chat-preview and a browser (docs/images/group-*.png).
#[test]
fn write_group_shots() {
    let Some(dir) = std::env::var_os("HERALD_WRITE_GROUP_SHOTS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let names = [
        "nightly-photos",
        "nightly-docs",
        "nightly-mail",
        "nightly-music",
        "nightly-code",
        "nightly-crm",
        "nightly-wiki",
        "nightly-logs",
        "nightly-finance",
        "nightly-hr",
        "nightly-design",
        "nightly-video",
    ];
    let burst = report(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut m = member(i * 2 + 1, "transfer.failed", Some(name));
                if i % 3 == 2 {
                    m.error = Some(MemberError {
                        code: Some("QUOTA_EXCEEDED".into()),
                        message: Some("Bucket quota exceeded".into()),
                    });
                }
                m
            })
            .collect(),
    );
    let mut quiet = report(vec![
        member(0, "backup.succeeded", Some("db-main")),
        member(600, "transfer.completed", Some("nightly-photos")),
        member(1200, "backup.warning", Some("db-replica")),
        member(1800, "transfer.completed", Some("nightly-docs")),
    ]);
    quiet.reason = GroupReason::QuietHours;
    quiet.group.clear();
    quiet.quiet_hours = Some(QuietSpan {
        timezone: chrono_tz::Europe::Berlin,
        from: "22:00".into(),
        to: "07:00".into(),
    });
    // A night in Berlin (CET): 23:10, 01:45, 03:20, 05:05, released at 07:00.
    let night = [
        (11, 21, 22, 10),
        (11, 22, 0, 45),
        (11, 22, 2, 20),
        (11, 22, 4, 5),
    ];
    for (m, (mo, d, h, mi)) in quiet.members.iter_mut().zip(night) {
        m.time = Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap();
    }
    quiet.first_time = quiet.members[0].time;
    quiet.last_time = quiet.members[3].time;
    let mut morning = event();
    morning["time"] = json!("2026-11-22T06:00:00Z");
    for (name, report, event) in [("group", &burst, event()), ("quiet", &quiet, morning)] {
        let event = &event;
        let notice = group_notice(report, event);
        let payloads = [
            (
                "slack",
                slack_message(&notice, &fixtures::slack(Some("<!here>"))),
            ),
            (
                "discord",
                discord_message(&notice, &fixtures::discord(None)),
            ),
            (
                "teams",
                crate::teams_message(
                    &notice,
                    &fixtures::teams(herald_domain::TeamsFormat::AdaptiveCard),
                ),
            ),
        ];
        for (platform, payload) in payloads {
            std::fs::write(
                dir.join(format!("{name}-{platform}.json")),
                serde_json::to_string_pretty(&payload).unwrap(),
            )
            .unwrap();
        }
        let mail = group_mail(report, event);
        std::fs::write(dir.join(format!("{name}-mail.html")), &mail.html).unwrap();
        std::fs::write(dir.join(format!("{name}-mail.txt")), &mail.text).unwrap();
    }
}
