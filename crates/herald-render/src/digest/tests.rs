use chrono::TimeZone;
use herald_domain::TeamsFormat;

use super::*;
use crate::fixtures::{self, digest_report, nasty, quiet_digest};
use crate::text::units;
use crate::{digest_mail, discord_digest, slack_digest, teams_digest};

fn schedule(name: &str, family: &str, runs: u64, failed: u64) -> ScheduleRuns {
    ScheduleRuns {
        schedule: name.to_owned(),
        family: family.to_owned(),
        runs,
        failed,
        last_failure: (failed > 0).then(|| Utc.with_ymd_and_hms(2026, 11, 21, 1, 30, 0).unwrap()),
    }
}

#[test]
fn the_subject_counts_the_day() {
    assert_eq!(
        digest_mail(&digest_report()).subject,
        "Herald daily report — acme — 2026-11-21: 15 ok, 3 failed, 1 warning"
    );
    let mut calm = digest_report();
    calm.day.families = vec![FamilyCounts {
        family: "transfer".into(),
        succeeded: 15,
        failed: 2,
        total: 17,
        ..FamilyCounts::default()
    }];
    assert_eq!(
        digest_mail(&calm).subject,
        "Herald daily report — acme — 2026-11-21: 15 ok, 2 failed"
    );
    assert_eq!(
        digest_mail(&quiet_digest()).subject,
        "Herald daily report — acme — 2026-11-22: no events"
    );
}

#[test]
fn the_outcome_is_red_for_any_failure_green_otherwise_grey_when_empty() {
    assert_eq!(digest_report().outcome(), Outcome::Failure);
    assert_eq!(quiet_digest().outcome(), Outcome::Info);
    let mut fine = digest_report();
    fine.day.families.retain(|f| f.failed == 0);
    fine.day.families[0].failed = 0;
    fine.failures.clear();
    fine.failures_total = 0;
    assert_eq!(fine.outcome(), Outcome::Success);
}

#[test]
fn every_schedule_ran_successfully() {
    let mut report = digest_report();
    report.schedules = (1..=5)
        .map(|i| schedule(&format!("s{i}"), "transfer", 3, 0))
        .collect();
    let text = schedules(&report);
    assert!(text.all_ok);
    assert_eq!(
        text.lines,
        ["All 5 recurring transfers ran successfully (15 runs)"]
    );
    report.schedules.truncate(1);
    assert_eq!(
        schedules(&report).lines,
        ["The recurring transfer ran successfully (3 runs)"]
    );
    report.schedules.clear();
    assert!(schedules(&report).lines.is_empty());
}

#[test]
fn schedules_with_failures_are_named_with_when() {
    let mut report = digest_report();
    report.schedules = vec![
        schedule("Nightly", "transfer", 7, 2),
        schedule("Weekly", "transfer", 0, 0),
        schedule("Hourly", "transfer", 24, 0),
        schedule("Daily", "transfer", 1, 0),
    ];
    let text = schedules(&report);
    assert!(!text.all_ok);
    assert_eq!(
        text.lines,
        [
            // 01:30 UTC is 02:30 in Berlin.
            "Nightly — 2 of 7 runs failed, last at 02:30",
            "Weekly — did not run",
            "The other 2 recurring transfers ran successfully",
        ]
    );
}

#[test]
fn changes_from_the_day_before() {
    assert_eq!(delta(15, 12).as_deref(), Some("▲3"));
    assert_eq!(delta(1, 4).as_deref(), Some("▼3"));
    assert_eq!(delta(2, 2), None);
}

#[test]
fn chat_lines_of_a_busy_day() {
    let lines = digest_chat(&digest_report());
    assert_eq!(lines.title, "Herald daily report — acme — 2026-11-21");
    assert_eq!(
        lines.summary,
        "15 ok, 3 failed, 1 warning · 3.4 GiB transferred"
    );
    assert_eq!(
        lines.previous.as_deref(),
        Some("Day before: 13 ok, 0 failed · 2.9 GiB transferred")
    );
    assert_eq!(
        lines.failures[0],
        "02:30 Transfer failed: nightly-backup — dropbox:/files → s3:/archive — Access denied (ACCESS_DENIED)"
    );
    assert_eq!(lines.failures_more, 1);
    assert_eq!(lines.footer, "acme · times in Europe/Berlin");
}

#[test]
fn no_comparison_without_a_day_before() {
    let mut report = digest_report();
    report.previous = None;
    assert_eq!(digest_chat(&report).previous, None);
    let mail = digest_mail(&report);
    assert!(!mail.text.contains('▲') && !mail.html.contains('▲'));
}

/// A day at every limit: 200 failures of huge text, 100 schedules failing, hostile names.
fn huge_report() -> DigestReport {
    let mut report = digest_report();
    report.tenant = nasty(400);
    let failure = DigestFailure {
        name: Some(nasty(2000)),
        source: Some(nasty(5000)),
        destination: Some(nasty(5000)),
        error_code: Some(nasty(500)),
        error_message: Some(nasty(10_000)),
        ..report.failures[0].clone()
    };
    report.failures = vec![failure; 200];
    report.failures_total = 5000;
    report.warnings = (0..200)
        .map(|_| DigestWarning {
            text: nasty(5000),
            ..report.warnings[0].clone()
        })
        .collect();
    report.schedules = (0..100)
        .map(|_| schedule(&nasty(1000), "transfer", 9, 9))
        .collect();
    report.day.families = (0..100)
        .map(|i| FamilyCounts {
            family: format!("{i}{}", nasty(300)),
            failed: 1,
            total: 1,
            ..FamilyCounts::default()
        })
        .collect();
    report
}

#[test]
fn a_huge_day_stays_within_every_platform() {
    let report = huge_report();
    let slack = slack_digest(&report, &fixtures::slack(Some("<!here>")));
    let blocks = slack["blocks"].as_array().unwrap();
    assert!(units(blocks[0]["text"]["text"].as_str().unwrap()) <= 150);
    for block in &blocks[1..blocks.len() - 1] {
        assert!(units(block["text"]["text"].as_str().unwrap()) <= 3000);
    }
    assert!(units(slack["text"].as_str().unwrap()) <= 3000);

    let discord = discord_digest(&report, &fixtures::discord(Some("<@&123>")));
    let embed = &discord["embeds"][0];
    let [title, description, footer] = [
        &embed["title"],
        &embed["description"],
        &embed["footer"]["text"],
    ]
    .map(|text| units(text.as_str().unwrap()));
    assert!(title <= 256 && description <= 4096 && footer <= 2048);
    assert!(title + description + footer <= 6000);
    assert_eq!(
        discord["allowed_mentions"],
        serde_json::json!({ "parse": [] })
    );

    for format in [TeamsFormat::AdaptiveCard, TeamsFormat::MessageCard] {
        let teams = teams_digest(&report, &fixtures::teams(format));
        assert!(teams.to_string().len() <= crate::teams::BODY_MAX);
    }

    let mail = digest_mail(&report);
    assert!(mail.subject.chars().count() <= 200);
    assert!(mail.html.len() < 400_000, "{} bytes", mail.html.len());
    assert!(mail.html.contains("…and 4950 more"));
}

#[test]
fn chat_digests_list_at_most_ten_failures() {
    let lines = digest_chat(&huge_report());
    assert_eq!(lines.failures.len(), 10);
    assert_eq!(lines.failures_more, 4990);
    assert!(lines.failures.iter().all(|line| units(line) <= 300));
}
