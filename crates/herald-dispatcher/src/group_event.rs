//! The `herald.group` event a release writes: a CloudEvent of the subscription's tenant whose
//! data ([`GroupReport`]) lists the members, which a webhook receives as it is and the other
//! channels render as one message.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use herald_domain::{DeliveryId, Outcome};
use herald_render::{
    GROUP_EVENT_TYPE, GroupMember, GroupReason, GroupReport, GroupValue, MemberError, QuietSpan,
};
use herald_store::{GroupDraft, HeldMember, Subscription};
use serde_json::json;

use crate::hold;

/// What a release knows besides its members.
pub(crate) struct Release<'a> {
    pub subscription: &'a Subscription,
    pub hold_key: &'a str,
    /// The window that held them, for a quiet-hours release.
    pub quiet: Option<QuietSpan>,
    pub delivery_id: DeliveryId,
    pub now: DateTime<Utc>,
}

/// The group's event. Its publisher id names the subscription and the group's own delivery,
/// so it is unique however many groups a subscription sends.
pub(crate) fn compose(release: &Release<'_>, members: &[HeldMember]) -> GroupDraft {
    let subscription = release.subscription;
    let ce_id = format!("group:{}:{}", subscription.id, release.delivery_id);
    let report = report(release, members);
    let cloudevent = json!({
        "specversion": "1.0",
        "id": ce_id,
        "source": "herald",
        "type": GROUP_EVENT_TYPE,
        "time": release.now,
        "subject": format!("subscriptions/{}", subscription.id),
        "tenant": subscription.spec.tenant.as_str(),
        "datacontenttype": "application/json",
        // A report is plain data: serializing it cannot fail.
        "data": serde_json::to_value(&report).unwrap_or_default(),
    });
    GroupDraft {
        ce_id,
        event_type: GROUP_EVENT_TYPE.to_owned(),
        // As the type's last word says: a group is neither a failure nor a success itself,
        // so the digest's failure lists and outcome conditions never count it.
        outcome: Outcome::Info,
        time: release.now,
        cloudevent,
    }
}

fn report(release: &Release<'_>, members: &[HeldMember]) -> GroupReport {
    let mut types = BTreeMap::new();
    let mut outcomes = BTreeMap::new();
    for member in members {
        *types.entry(member.event_type.clone()).or_insert(0) += 1;
        *outcomes.entry(member.outcome.clone()).or_insert(0) += 1;
    }
    let spec = &release.subscription.spec;
    let (reason, group) = if release.hold_key == hold::QUIET_KEY {
        (GroupReason::QuietHours, Vec::new())
    } else {
        let values = hold::group_values(spec.group.as_ref(), release.hold_key)
            .into_iter()
            .map(|(path, value)| GroupValue { path, value })
            .collect();
        (GroupReason::Group, values)
    };
    let listed: Vec<GroupMember> = members
        .iter()
        .take(GroupReport::MAX_MEMBERS)
        .map(member)
        .collect();
    GroupReport {
        subscription_id: release.subscription.id.to_string(),
        subscription_name: spec.name.clone(),
        reason,
        group,
        quiet_hours: release.quiet.clone(),
        count: members.len() as u64,
        types,
        outcomes,
        first_time: members.first().map_or(release.now, |m| m.time),
        last_time: members.last().map_or(release.now, |m| m.time),
        members_omitted: members.len().saturating_sub(listed.len()) as u64,
        members: listed,
    }
}

fn member(held: &HeldMember) -> GroupMember {
    let error = (held.error_code.is_some() || held.error_message.is_some()).then(|| MemberError {
        code: held.error_code.clone(),
        message: held.error_message.clone(),
    });
    GroupMember {
        id: held.ce_id.clone(),
        event_id: held.event_id.to_string(),
        delivery_id: held.delivery_id.to_string(),
        event_type: held.event_type.clone(),
        outcome: Outcome::parse(&held.outcome).unwrap_or(Outcome::Info),
        time: held.time,
        name: held.name.clone(),
        source: held.source.clone(),
        destination: held.destination.clone(),
        error,
        notice: held.notice.clone(),
    }
}
