//! Email: one mail per event, one per grouped message, and the daily digest. Each is a subject, a plain-text part and an
//! HTML part, made from the MiniJinja templates under `templates/`. The HTML is what mail
//! clients render reliably: tables at most 600 px wide and fluid below, inline CSS, system
//! fonts, no images; a small `<style>` adds dark mode and phone padding where clients keep it.

mod digest;
mod engine;
mod event;
mod group;
mod palette;

pub use digest::digest_mail;
pub use event::event_mail;
pub use group::group_mail;

use crate::read;
use crate::text::fit_plain;

/// What the email channel sends: a `multipart/alternative` of `text` and `html`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Long enough for any headline; mail clients show about a third of it.
const SUBJECT_MAX: usize = 200;

/// `text` as a subject: one line, so nothing a publisher wrote can start another header (line
/// breaks, tabs and other control characters become spaces, runs of blanks one space), no
/// bidi overrides, at most 200 characters ending in "…" when cut. The email channel passes a
/// subscription's rendered `subject_template` through this too.
pub fn mail_subject(text: &str) -> String {
    // A control character between two words (a line break, NEL) separates them.
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = read::clean(&spaced).unwrap_or_default();
    let line = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    fit_plain(&line, SUBJECT_MAX)
}

/// The text and HTML of `view`, from `{name}.txt.j2` and `{name}.html.j2`. The templates are
/// compiled into the binary and each is rendered in the tests, so a failure here is a bug; the
/// mail then still says what happened, in its subject's words, rather than not going out.
fn render(name: &str, subject: &str, view: &impl serde::Serialize) -> MailContent {
    let text = engine::render(&format!("{name}.txt.j2"), view).unwrap_or_else(|_| subject.into());
    let html = engine::render(&format!("{name}.html.j2"), view)
        .unwrap_or_else(|_| format!("<p>{}</p>", minijinja::HtmlEscape(subject)));
    MailContent {
        subject: subject.to_owned(),
        text,
        html,
    }
}

#[cfg(test)]
mod tests;
