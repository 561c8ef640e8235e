//! The mail of a grouped message (`herald.group`): its title and first names in the band, the
//! counts beside, then a table of the members, as the view that `group.html.j2` and
//! `group.txt.j2` lay out.

use serde::Serialize;

use super::{MailContent, mail_subject, palette, render};
use crate::group::{GroupReport, MemberLine, group_notice};
use crate::text::fit_plain;

/// A mail lists more members than a chat message; past these a line counts the rest.
const MAX_MEMBERS: usize = 100;
const TITLE_MAX: usize = 300;
const NAMES_MAX: usize = 400;
const VALUE_MAX: usize = 1000;
const ID_MAX: usize = 300;
const PREHEADER_MAX: usize = 150;

#[derive(Debug, Serialize)]
struct View {
    subject: String,
    preheader: String,
    band: String,
    icon: &'static str,
    title: String,
    names: Option<String>,
    facts: Vec<FactView>,
    members: Vec<MemberLine>,
    members_more: u64,
    /// The zone of the members' times.
    zone: String,
    time: String,
    tenant: String,
    event_id: String,
}

#[derive(Debug, Serialize)]
struct FactView {
    label: String,
    value: String,
}

/// The group as an email: its headline as the subject (`❌ 12 transfers from s3:/archive
/// failed in 30 s: nightly-a, …`), the members in a table.
pub fn group_mail(report: &GroupReport, event: &serde_json::Value) -> MailContent {
    let notice = group_notice(report, event);
    let (members, members_more) = report.member_lines(MAX_MEMBERS);
    let view = View {
        subject: mail_subject(&notice.headline()),
        preheader: fit_plain(
            &members.first().map(MemberLine::text).unwrap_or_default(),
            PREHEADER_MAX,
        ),
        band: palette::band(notice.colour),
        icon: notice.icon,
        title: fit_plain(&notice.title, TITLE_MAX),
        names: notice.name.as_deref().map(|n| fit_plain(n, NAMES_MAX)),
        facts: notice
            .facts
            .iter()
            .map(|f| FactView {
                label: f.label.clone(),
                value: fit_plain(&f.value, VALUE_MAX),
            })
            .collect(),
        members,
        members_more,
        zone: report
            .quiet_hours
            .as_ref()
            .map_or_else(|| "UTC".to_owned(), |q| q.timezone.name().to_owned()),
        time: notice.time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        tenant: fit_plain(&notice.tenant, ID_MAX),
        event_id: fit_plain(&notice.event_id, ID_MAX),
    };
    render("group", &view.subject, &view)
}
