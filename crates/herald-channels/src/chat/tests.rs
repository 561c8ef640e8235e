use std::time::Duration;

use chrono::Utc;

use super::*;
use crate::discord::Discord;
use crate::slack::Slack;
use crate::teams::Teams;

fn answer(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpOutcome {
    HttpOutcome {
        started_at: Utc::now(),
        duration: Duration::from_millis(5),
        status: Some(status),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: Some(body.to_owned()),
        retry_after: None,
        error: None,
    }
}

fn disables(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Permanent { disable: Some(_) })
}

#[test]
fn slack_answers_mean_what_slack_says() {
    assert_eq!(Slack::verdict(&answer(200, "ok", &[])), Verdict::Delivered);
    assert_eq!(
        Slack::verdict(&answer(400, "invalid_payload", &[])),
        Verdict::Permanent { disable: None }
    );
    assert_eq!(
        Slack::verdict(&answer(403, "action_prohibited", &[])),
        Verdict::Permanent { disable: None }
    );
    assert!(disables(Slack::verdict(&answer(
        404,
        "channel_not_found",
        &[]
    ))));
    let archived = Slack::verdict(&answer(410, "channel_is_archived", &[]));
    assert_eq!(
        archived,
        Verdict::Permanent {
            disable: Some("Slack answered 410 channel_is_archived".into())
        }
    );
    assert_eq!(
        Slack::verdict(&answer(500, "", &[])),
        Verdict::Retry { after: None }
    );
}

#[test]
fn discord_429_waits_its_retry_after_and_a_deleted_webhook_disables() {
    assert_eq!(Discord::verdict(&answer(204, "", &[])), Verdict::Delivered);
    assert_eq!(
        Discord::verdict(&answer(
            429,
            r#"{"retry_after": 1.2, "global": false}"#,
            &[]
        )),
        Verdict::Retry {
            after: Some(Duration::from_millis(1200))
        }
    );
    assert!(disables(Discord::verdict(&answer(
        404,
        r#"{"message": "Unknown Webhook", "code": 10015}"#,
        &[]
    ))));
    assert_eq!(
        Discord::verdict(&answer(400, "{}", &[])),
        Verdict::Permanent { disable: None }
    );
    let hint = Discord::pace_hint(&answer(
        204,
        "",
        &[
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset-After", "1.5"),
        ],
    ));
    assert_eq!(
        hint,
        Some(PaceHint {
            remaining: 0,
            reset_after: Duration::from_millis(1500)
        })
    );
}

#[test]
fn teams_throttling_in_a_200_is_retried() {
    assert_eq!(Teams::verdict(&answer(202, "", &[])), Verdict::Delivered);
    assert_eq!(Teams::verdict(&answer(200, "1", &[])), Verdict::Delivered);
    assert_eq!(
        Teams::verdict(&answer(
            200,
            "Microsoft Teams endpoint returned HTTP error 429 with ContextId …",
            &[]
        )),
        Verdict::Retry { after: None }
    );
    assert!(disables(Teams::verdict(&answer(404, "", &[]))));
}
