//! Request bodies the handlers read field by field (to name every bad one at once); these
//! types only describe them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::noise::Notify;
use super::shared::{Channel, Condition};
use super::strings::{DurationText, EventType, EventTypePattern, FieldPath, Tenant};

/// A JSON merge patch (RFC 7396) over the subscription as created: a field given replaces,
/// `null` removes (back to its default), objects (`target`, `filter`, `retry`, `digest`,
/// `group`, `quiet_hours`) merge key by key, arrays are replaced whole. The merged
/// subscription must be a valid create request: going back to `notify: every_event` takes
/// `group_key` and `repeat_interval` out (`null`) in the same patch.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<EventTypePattern>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub filter: Option<Map<String, Value>>,
    /// The merged `target` must fit the new channel: remove (`null`) each field of the old
    /// target in the same patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Merged into the current target, key by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub target: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub retry: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_second: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub digest: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_key: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_interval: Option<DurationText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub group: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub quiet_hours: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
    pub fallback_subscription_id: Option<String>,
}

/// Which event to preview: exactly one of `event_id` and `sample`; with `group_of`, the one
/// grouped message (`herald.group`) that many such events would become.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PreviewRequest {
    Recorded(PreviewRecorded),
    Sample(PreviewSample),
}

/// A recorded event of the subscription's tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewRecorded {
    /// Herald's `evt_…` id or the publisher's CloudEvents id.
    pub event_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 500)]
    pub group_of: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<PreviewNotice>,
}

/// Herald's sample event of a type (the samples of `herald publish --sample`; a type without
/// one gets a minimal event).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewSample {
    pub sample: EventType,
    /// Preview the grouped message of this many copies of the event (their names numbered),
    /// grouped as the subscription's `group` says, else as its quiet hours would release
    /// them, else by type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 500)]
    pub group_of: Option<u32>,
    /// Preview the message of a `notify: transitions` subscription: the event as a job's
    /// first failure, a reminder or its recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<PreviewNotice>,
}

/// What a `notify: transitions` delivery says beyond its event, as a webhook receives it in
/// the `herald-notice*` headers. Only `kind` is needed: a reminder or recovery counts 5
/// failures unless told, a recovery was down 6 h 10 min, and `since` follows from the
/// event's time.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewNotice {
    pub kind: NoticeKind,
    /// The failed runs: so far (`failing`, `still_failing`), or in all (`recovered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000000)]
    pub failures: Option<u32>,
    /// The first failure (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// `recovered` only: from the first failure to the success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub down_for_seconds: Option<u64>,
}

/// What a `notify: transitions` delivery says beyond its event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryNotice {
    pub kind: NoticeKind,
    /// The failed runs: so far (`failing`, `still_failing`), or in all (`recovered`).
    pub failures: u32,
    /// The event time of the period's first failure.
    pub since: chrono::DateTime<chrono::Utc>,
    /// `recovered` only: from the first failure to the success that ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_for_seconds: Option<u64>,
}

/// `failing`: a job's first failure; `still_failing`: the reminder every `repeat_interval`;
/// `recovered`: its first success after failures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Failing,
    StillFailing,
    Recovered,
}

/// A tenant token to make.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub tenant: Tenant,
    /// What it is for; 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// A read-only token gets 403 on every method but GET; default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// Whom to fan the event out to again. An empty body (or `{}`) means every enabled
/// subscription it matches now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Only this subscription, whatever its filters say: it must be the event's tenant's,
    /// enabled, and not a digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
    pub subscription_id: Option<String>,
}

/// Which failed deliveries to retry; every field optional, `null` as left out. An empty
/// body (or `{}`) retries every failed delivery the caller sees.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRetryRequest {
    /// Only `failed`: a retrying delivery is retried already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^failed$")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
    pub subscription_id: Option<String>,
    /// Exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// The admin's choice; a tenant token retries its own tenant's whatever it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    /// Inclusive, on the delivery's `created_at` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Exclusive, on the delivery's `created_at` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
    /// Only count what would be retried (200), changing nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}
