use serde_json::json;

use super::*;
use crate::Notice;
use crate::fixtures::{digest_report, event, huge_events, nasty, quiet_digest, sample};

fn failure_with_link() -> serde_json::Value {
    let mut failed = sample("transfer.failed");
    failed["data"]["url"] = json!("https://transfers.example.com/t/def-456?tab=log&step=2");
    failed
}

/// Every sample, the odd events of the fixtures, and both digests.
fn all_mails() -> Vec<MailContent> {
    let events = herald_domain::samples::SAMPLE_TYPES
        .iter()
        .map(|t| sample(t))
        .chain(huge_events())
        .chain([failure_with_link()]);
    let mut mails: Vec<MailContent> = events
        .map(|event| event_mail(&Notice::from_event(&event)))
        .collect();
    mails.push(digest_mail(&digest_report()));
    mails.push(digest_mail(&quiet_digest()));
    mails
}

#[test]
fn every_mail_has_both_parts_and_no_remote_image() {
    for mail in all_mails() {
        assert!(!mail.subject.is_empty());
        assert!(!mail.text.trim().is_empty(), "{}", mail.subject);
        assert!(mail.html.contains("</html>"), "{}", mail.subject);
        let html = mail.html.to_lowercase();
        assert!(!html.contains("<img"), "{}", mail.subject);
        assert!(!html.contains("url("), "{}", mail.subject);
        assert!(!html.contains("<script"), "{}", mail.subject);
    }
}

#[test]
fn every_mail_stays_bounded() {
    for mail in all_mails() {
        assert!(mail.subject.chars().count() <= SUBJECT_MAX);
        assert!(!mail.subject.contains(['\r', '\n']));
        // Ten times the publisher's 10,000-character texts would be a mail nobody reads.
        assert!(mail.html.len() < 200_000, "{} bytes", mail.html.len());
        assert!(mail.text.len() < 100_000, "{} bytes", mail.text.len());
    }
}

#[test]
fn huge_events_are_cut_and_say_so() {
    for event in huge_events() {
        let mail = event_mail(&Notice::from_event(&event));
        assert!(mail.subject.ends_with('…'), "{}", mail.subject);
        assert!(mail.text.contains('…'));
        assert!(mail.html.contains("more not shown") || mail.html.contains('…'));
    }
}

#[test]
fn publisher_text_never_becomes_markup() {
    let event = event(
        "transfer.failed",
        json!({
            "name": "<script>alert(1)</script>",
            "source": "<img src=http://evil.example/x.png>",
            "destination": "\"><a href=\"http://evil.example\">",
            "error": { "code": "E</td>", "message": "broke </td></tr></table> here", "details": "</pre><b>x</b>" },
            "warnings": ["<style>body{display:none}</style>"],
            "labels": { "<k>": "</td>" },
        }),
    );
    let mail = event_mail(&Notice::from_event(&event));
    for raw in [
        "<script",
        "</td></tr></table> here",
        "E</td>",
        "<img",
        "<a href=\"http://evil",
        "</pre><b>",
        "<style>body",
        "<k>",
    ] {
        assert!(!mail.html.contains(raw), "{raw} is in the HTML");
    }
    assert!(
        mail.html
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
    );
    // The text part is plain text: shown as written.
    assert!(mail.text.contains("<script>alert(1)</script>"));
}

#[test]
fn the_subject_is_one_line() {
    let event = event(
        "transfer.failed",
        json!({ "name": "nightly\r\nBcc: x@evil.example\r\n\r\nbody", "error": "e" }),
    );
    let subject = event_mail(&Notice::from_event(&event)).subject;
    assert_eq!(
        subject,
        "❌ Transfer failed: nightly Bcc: x@evil.example body"
    );
    assert_eq!(
        mail_subject("a\r\nb\u{2028}c\u{85}d\te\u{202E}f"),
        "a b c d ef"
    );
    let long = mail_subject(&nasty(500));
    assert!(long.chars().count() <= SUBJECT_MAX && long.ends_with('…'));
    assert!(!long.contains('\n'));
}

#[test]
fn a_digest_names_a_hostile_tenant_harmlessly() {
    let mut report = digest_report();
    report.tenant = "<b>acme</b>\r\nBcc: x@evil.example".to_owned();
    report.failures[0].name = Some("<script>alert(1)</script>".to_owned());
    report.failures[0].error_message = Some("</td>".to_owned());
    let mail = digest_mail(&report);
    assert!(!mail.subject.contains(['\r', '\n']));
    assert!(mail.subject.contains("<b>acme</b> Bcc: x@evil.example"));
    assert!(!mail.html.contains("<b>acme"));
    assert!(!mail.html.contains("<script"));
    assert!(mail.html.contains("&lt;&#x2f;td&gt;"));
    // The same cells as the benign report's: the error closed none of them.
    let cells = |html: &str| html.matches("</td>").count();
    assert_eq!(
        cells(&mail.html),
        cells(&digest_mail(&digest_report()).html)
    );
}

#[test]
fn the_link_is_a_button_and_nothing_else_links() {
    let mail = event_mail(&Notice::from_event(&failure_with_link()));
    assert_eq!(mail.html.matches("<a ").count(), 1);
    assert!(
        mail.html
            .contains("href=\"https:&#x2f;&#x2f;transfers.example.com")
    );
    assert!(
        mail.text
            .contains("Details: https://transfers.example.com/t/def-456?tab=log&step=2")
    );
    let without = event_mail(&Notice::from_event(&sample("transfer.failed")));
    assert!(!without.html.contains("<a "));
}

/// `HERALD_WRITE_MAIL_SHOTS=dir cargo test -p herald-render write_mail_shots` writes the HTML
/// of a failure, a success, a warning and both digests, to look at in a browser.
#[test]
fn write_mail_shots() {
    let Some(dir) = std::env::var_os("HERALD_WRITE_MAIL_SHOTS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mails = [
        (
            "failure",
            event_mail(&Notice::from_event(&failure_with_link())),
        ),
        (
            "success",
            event_mail(&Notice::from_event(&sample("transfer.completed"))),
        ),
        (
            "warning",
            event_mail(&Notice::from_event(&sample("backup.warning"))),
        ),
        ("digest", digest_mail(&digest_report())),
        ("digest-quiet", digest_mail(&quiet_digest())),
        ("huge", event_mail(&Notice::from_event(&huge_events()[0]))),
    ];
    for (name, mail) in mails {
        std::fs::write(dir.join(format!("{name}.html")), &mail.html).unwrap();
        std::fs::write(dir.join(format!("{name}.txt")), &mail.text).unwrap();
    }
}
