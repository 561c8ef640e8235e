//! The query parameters of each route, as the handlers read them from the query string. A
//! bad value is a 422 naming the parameter.

use utoipa::IntoParams;

use super::shared::{Channel, DeliveryStatus};
use super::strings::Tenant;

/// `limit` and `cursor`, on every list.
macro_rules! paged {
    ($(#[$doc:meta])* $name:ident { $($fields:tt)* }) => {
        $(#[$doc])*
        #[derive(IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($fields)*
            /// Items per page, 1 to 500; default 50.
            #[param(minimum = 1, maximum = 500)]
            pub limit: Option<u32>,
            /// The `next_cursor` of the page before.
            pub cursor: Option<String>,
        }
    };
}

paged!(SubscriptionListQuery {
    /// Only this tenant's (the admin's choice; a tenant token lists its own tenant).
    pub tenant: Option<Tenant>,
    pub channel: Option<Channel>,
    pub enabled: Option<bool>,
});

paged!(EventListQuery {
    /// Only this tenant's (the admin's choice; a tenant token lists its own tenant).
    pub tenant: Option<Tenant>,
    /// Only this event type (exact).
    #[param(rename = "type")]
    pub event_type: Option<String>,
    /// Received at or after (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Received before (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
});

paged!(DeliveryListQuery {
    pub status: Option<DeliveryStatus>,
    /// Only this subscription's (`sub_…`).
    pub subscription_id: Option<String>,
    /// Only deliveries of this event type (exact).
    pub event_type: Option<String>,
    /// Only this tenant's (the admin's choice; a tenant token lists its own tenant).
    pub tenant: Option<Tenant>,
    /// Created at or after (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Created before (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
});

paged!(TokenListQuery {
    /// Only this tenant's tokens.
    pub tenant: Option<Tenant>,
});

paged!(RejectionQuery {
    /// Only this tenant's (the admin's choice; a tenant token lists its own tenant).
    pub tenant: Option<Tenant>,
});

/// The tenant of a publisher's event id several tenants used.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventLookupQuery {
    /// The admin's choice; a tenant token looks in its own tenant.
    pub tenant: Option<Tenant>,
}

/// The day of a digest.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DigestQuery {
    /// The local day (`YYYY-MM-DD`); default yesterday in the digest's zone.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
}
