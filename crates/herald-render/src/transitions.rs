//! What a `notify: transitions` delivery adds to its event's message: "Still failing — 5 runs
//! since 02:00 UTC" for a reminder, "Recovered after 5 failures" with how long the job was
//! down for its first success. A job's first failure reads as the failure it is. Applied to
//! the [`Notice`], so Slack, Discord, Teams and email all show it the same way.

use chrono::{DateTime, Utc};
use herald_domain::{JobNotice, JobNoticeKind, Outcome};

use crate::notice::{Fact, Notice};
use crate::{human, style};

impl Notice {
    /// The notice with what `job` says: a title of its own, and the run count, the start of
    /// the failures and the downtime first among the facts. `None`, and a job's first failure,
    /// leave it as it is.
    pub fn with_job_notice(mut self, job: Option<&JobNotice>) -> Notice {
        let Some(job) = job else {
            return self;
        };
        let since = since(job.since, self.time);
        let lead = match job.kind {
            JobNoticeKind::Failing => return self,
            JobNoticeKind::StillFailing => {
                self.title = format!(
                    "Still failing — {} since {since}",
                    plural(job.failures, "run", "runs")
                );
                self.look(Outcome::Failure);
                vec![
                    fact("Failed runs", job.failures.to_string()),
                    fact("Failing since", since),
                ]
            }
            JobNoticeKind::Recovered => {
                self.title = format!(
                    "Recovered after {}",
                    plural(job.failures, "failure", "failures")
                );
                self.look(Outcome::Success);
                let mut lead = Vec::with_capacity(3);
                if let Some(down) = job.down_for() {
                    lead.push(fact("Down for", human::duration(down.as_secs_f64())));
                }
                lead.push(fact("Failed runs", job.failures.to_string()));
                lead.push(fact("Failing since", since));
                lead
            }
        };
        self.facts.splice(0..0, lead);
        self
    }

    fn look(&mut self, outcome: Outcome) {
        self.outcome = outcome;
        self.icon = style::icon(outcome);
        self.colour = style::colour(outcome);
    }
}

fn fact(label: &str, value: String) -> Fact {
    Fact {
        label: label.to_owned(),
        value,
    }
}

/// `02:00 UTC` on the day of `now` (the event's time), `2026-02-28 02:00 UTC` before it. In
/// UTC, as every other time in Herald's messages but Slack's own date token: a subscription
/// has no time zone of its own to read it in.
fn since(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if since.date_naive() == now.date_naive() {
        since.format("%H:%M UTC").to_string()
    } else {
        since.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use herald_domain::{JobNotice, JobNoticeKind};
    use serde_json::json;

    use crate::Notice;

    fn notice(event_type: &str, time: &str) -> Notice {
        Notice::from_event(&json!({
            "specversion": "1.0", "id": "e1", "source": "cloudklone", "type": event_type,
            "time": time, "tenant": "acme",
            "data": {"name": "nightly-a", "schedule": {"id": "sch-1"}, "bytes_transferred": 1024},
        }))
    }

    fn job(kind: JobNoticeKind, failures: u32, down_for_seconds: Option<u64>) -> JobNotice {
        JobNotice {
            kind,
            failures,
            since: Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap(),
            down_for_seconds,
        }
    }

    fn facts(notice: &Notice) -> Vec<(&str, &str)> {
        notice
            .facts
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn a_recovery_says_after_how_many_failures_and_how_long_it_was_down() {
        let recovered = notice("transfer.completed", "2026-03-01T08:10:00Z")
            .with_job_notice(Some(&job(JobNoticeKind::Recovered, 5, Some(22_200))));
        assert_eq!(
            recovered.headline(),
            "✅ Recovered after 5 failures: nightly-a"
        );
        assert_eq!(
            facts(&recovered)[..3],
            [
                ("Down for", "6 h 10 min"),
                ("Failed runs", "5"),
                ("Failing since", "02:00 UTC"),
            ]
        );
    }

    #[test]
    fn a_reminder_counts_the_runs_since_the_first_failure() {
        let reminder = notice("transfer.failed", "2026-03-01T04:00:00Z")
            .with_job_notice(Some(&job(JobNoticeKind::StillFailing, 5, None)));
        assert_eq!(
            reminder.headline(),
            "❌ Still failing — 5 runs since 02:00 UTC: nightly-a"
        );
        assert!(reminder.is_failure());
        let next_day = notice("transfer.failed", "2026-03-02T04:00:00Z")
            .with_job_notice(Some(&job(JobNoticeKind::StillFailing, 49, None)));
        assert_eq!(
            next_day.title,
            "Still failing — 49 runs since 2026-03-01 02:00 UTC"
        );
    }

    #[test]
    fn a_first_failure_and_no_notice_leave_the_message_as_it_was() {
        let plain = notice("transfer.failed", "2026-03-01T02:00:00Z");
        assert_eq!(
            plain
                .clone()
                .with_job_notice(Some(&job(JobNoticeKind::Failing, 1, None))),
            plain
        );
        assert_eq!(plain.clone().with_job_notice(None), plain);
    }

    #[test]
    fn one_failure_is_singular() {
        let recovered = notice("backup.succeeded", "2026-03-01T02:30:00Z")
            .with_job_notice(Some(&job(JobNoticeKind::Recovered, 1, Some(1800))));
        assert_eq!(recovered.title, "Recovered after 1 failure");
    }

    #[test]
    fn every_chat_platform_and_the_mail_show_the_recovery() {
        use herald_domain::TeamsFormat;

        use crate::fixtures;
        let recovered = notice("transfer.completed", "2026-03-01T08:10:00Z")
            .with_job_notice(Some(&job(JobNoticeKind::Recovered, 5, Some(22_200))));
        let shown = [
            crate::slack_message(&recovered, &fixtures::slack(None)).to_string(),
            crate::discord_message(&recovered, &fixtures::discord(None)).to_string(),
            crate::teams_message(&recovered, &fixtures::teams(TeamsFormat::AdaptiveCard))
                .to_string(),
            crate::teams_message(&recovered, &fixtures::teams(TeamsFormat::MessageCard))
                .to_string(),
            crate::event_mail(&recovered).html,
            crate::event_mail(&recovered).text,
        ];
        for message in shown {
            assert!(message.contains("Recovered after 5 failures"), "{message}");
            assert!(message.contains("6 h 10 min"), "{message}");
        }
        assert_eq!(
            crate::event_mail(&recovered).subject,
            "✅ Recovered after 5 failures: nightly-a"
        );
    }

    /// `HERALD_WRITE_NOTICE_SHOTS=dir cargo test -p herald-render write_notice_shots` writes
    /// the Slack payloads and mails of a reminder and a recovery, for tools/chat-preview and a
    /// browser (docs/images/recovered-*.png).
    #[test]
    fn write_notice_shots() {
        let Some(dir) = std::env::var_os("HERALD_WRITE_NOTICE_SHOTS") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The samples happen at 09:30; the job has been failing since 03:20.
        let since = Utc.with_ymd_and_hms(2026, 3, 1, 3, 20, 0).unwrap();
        let shown = |event_type: &str, kind, failures, down_for_seconds| {
            let job = JobNotice {
                kind,
                failures,
                since,
                down_for_seconds,
            };
            Notice::from_event(&crate::fixtures::sample(event_type)).with_job_notice(Some(&job))
        };
        let shots = [
            (
                "recovered",
                shown(
                    "transfer.completed",
                    JobNoticeKind::Recovered,
                    13,
                    Some(22_200),
                ),
            ),
            (
                "still-failing",
                shown("transfer.failed", JobNoticeKind::StillFailing, 9, None),
            ),
        ];
        for (name, notice) in shots {
            let slack = crate::slack_message(&notice, &crate::fixtures::slack(None));
            std::fs::write(dir.join(format!("{name}-slack.json")), slack.to_string()).unwrap();
            let mail = crate::event_mail(&notice);
            std::fs::write(dir.join(format!("{name}-mail.html")), &mail.html).unwrap();
            std::fs::write(dir.join(format!("{name}-mail.txt")), &mail.text).unwrap();
        }
    }
}
