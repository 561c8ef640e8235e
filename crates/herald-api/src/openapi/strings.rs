//! The constrained strings of the API, each a named schema with the rule its parser applies,
//! so every field of that kind points at one description.

use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

macro_rules! string_type {
    (
        $(#[$doc:meta])*
        $name:ident, $description:literal
        $(, pattern = $pattern:literal)?
        $(, format = $format:literal)?
        $(, max_length = $max:literal)?
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    $(.pattern(Some($pattern)))?
                    $(.format(Some(SchemaFormat::Custom($format.into()))))?
                    $(.max_length(Some($max)))?
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

string_type!(
    Tenant,
    "A tenant: one NATS subject token of lowercase letters, digits, `_` and `-`.",
    pattern = "^[a-z0-9_-]{1,64}$"
);

string_type!(
    EventType,
    "An event type: a family and one or more dotted segments of lowercase letters, digits and \
     `_` (`transfer.failed`). The last segment says the outcome.",
    pattern = "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$"
);

string_type!(
    EventTypePattern,
    "Which event types a subscription wants: an exact type (`transfer.failed`), a family \
     (`backup.*`) or every type (`*`).",
    pattern = "^(\\*|[a-z][a-z0-9_]*\\.\\*|[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+)$"
);

string_type!(
    HttpUrl,
    "An absolute http or https URL with a host.",
    pattern = "^[Hh][Tt][Tt][Pp][Ss]?://",
    format = "uri"
);

string_type!(
    EmailAddress,
    "A mail address `local@domain`; the domain is dotted or `localhost`. Spaces, `<>`, `,` \
     and other characters that could break a mail header are refused.",
    pattern = "^[!#-'*+\\-./0-9=?A-Z^-~]{1,64}@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+|[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt])$",
    max_length = 254
);

string_type!(
    WebhookSecret,
    "A Standard Webhooks signing secret: `whsec_` and the standard base64 of a 24 to 64 byte \
     key. Left out, Herald makes one (32 random bytes).",
    pattern = "^whsec_[A-Za-z0-9+/]{32,88}={0,2}$"
);

string_type!(
    Template,
    "A MiniJinja template. It sees the event's CloudEvents attributes at the top level \
     (`{{ type }}`, `{{ data.name }}`), the whole event as `event`, `delivery_id`, `attempt` \
     and `subscription` (`id`, `name`, `tenant`). It must compile, and render for the sample \
     event of every type the subscription receives; a chat template must render a JSON object."
);

string_type!(Timezone, "An IANA time zone (`Europe/Berlin`).");

string_type!(
    FieldPath,
    "Where a value is read from an event: `type`, `source`, `subject`, `tenant`, or a field of \
     its data (`data.source`, `data.schedule.id`; a number indexes an array). A string is \
     used as it is, a number or boolean as its JSON text; any other value counts as missing.",
    pattern = "^(type|source|subject|tenant|data(\\.[^.]+)+)$",
    max_length = 200
);

string_type!(
    DurationText,
    "A duration: whole days, hours, minutes and seconds, largest first, each at most once, \
     no spaces (`30s`, `15m`, `4h`, `1d`, `1h30m`). Herald shows it back in its shortest \
     form (`90m` as `1h30m`).",
    pattern = "^([0-9]+d([0-9]+h)?([0-9]+m)?([0-9]+s)?|[0-9]+h([0-9]+m)?([0-9]+s)?|[0-9]+m([0-9]+s)?|[0-9]+s)$"
);

string_type!(
    TimeOfDay,
    "A local time of day, `HH:MM` on the 24-hour clock (`07:00`, `22:30`).",
    pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
);
