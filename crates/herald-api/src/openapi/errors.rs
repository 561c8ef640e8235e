//! The error answers, as named responses every operation points at, and what every `/v1`
//! operation shares: the bearer token, and the refusals the token check and the limits make
//! before a handler runs (401, 408, 413, 429) or a store failure after (500). Those are added
//! here to each operation, so a handler's attribute lists only its own.

use serde_json::{Value, json};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, ToResponse};

/// An error response in the API's one shape, with an example per case.
fn error(description: &str, examples: &[(&str, &str, Value)]) -> ResponseBuilder {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .examples_from_iter(examples.iter().map(|(name, summary, body)| {
            let example = ExampleBuilder::new()
                .summary(*summary)
                .value(Some(json!({ "error": body })))
                .build();
            (*name, example)
        }))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
}

fn text_header(description: &str, schema_type: Type) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(schema_type))
        .description(Some(description))
        .build()
}

macro_rules! error_response {
    ($(#[$doc:meta])* $name:ident => $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), RefOr::T($build))
            }
        }
    };
}

error_response!(BadRequest => error(
    "Malformed: the body is not a JSON object, or the request could not be read",
    &[
        ("malformed", "The body is not JSON", json!({"code": "malformed",
            "message": "the body is not valid JSON: expected value at line 1 column 1"})),
        ("bad_request", "A query string axum could not read", json!({"code": "bad_request",
            "message": "bad request"})),
    ],
).build());

error_response!(Unauthorized => error(
    "No bearer token, or one Herald does not know (revoked tokens included)",
    &[("unauthorized", "No valid token", json!({"code": "unauthorized",
        "message": "a valid bearer token is required"}))],
)
.header("WWW-Authenticate", text_header("Always `Bearer`.", Type::String))
.build());

error_response!(Forbidden => error(
    "The token may not do this: a read-only token on anything but GET, a tenant token on \
     another tenant or on tokens",
    &[
        ("read_only", "A read-only token", json!({"code": "forbidden",
            "message": "this token is read-only"})),
        ("other_tenant", "Writing for another tenant", json!({"code": "forbidden",
            "message": "a tenant token works on its own tenant only"})),
        ("admin_only", "Token management", json!({"code": "forbidden",
            "message": "only the admin token manages tokens"})),
    ],
).build());

error_response!(NotFound => error(
    "No such object, or another tenant's (never a 403 that would confirm it exists)",
    &[("not_found", "Unknown id", json!({"code": "not_found",
        "message": "subscription not found"}))],
).build());

error_response!(Timeout => error(
    "The request ran longer than 30 s",
    &[("timeout", "Too slow", json!({"code": "timeout",
        "message": "the request took longer than 30 s"}))],
).build());

error_response!(Conflict => error(
    "The object is not in a state that allows this",
    &[("conflict", "Retrying a delivery that is not failed", json!({"code": "conflict",
        "message": "only a failed delivery can be retried; this one is delivered"}))],
).build());

error_response!(NameTaken => error(
    "Another subscription of the tenant has this name",
    &[("conflict", "A taken name", json!({"code": "conflict",
        "message": "name is taken by sub_06FDM2K7Q5VJX9T1ZR3NBW8PCB in this tenant",
        "fields": {"name": "is taken by sub_06FDM2K7Q5VJX9T1ZR3NBW8PCB in this tenant"}}))],
).build());

error_response!(TooLarge => error(
    "The body is over 2 MiB",
    &[("too_large", "Too large", json!({"code": "too_large",
        "message": "the body is larger than 2097152 bytes"}))],
).build());

error_response!(Invalid => error(
    "Valid JSON with invalid values: every bad field (or parameter) named in `fields`",
    &[("invalid", "Two bad fields", json!({"code": "invalid",
        "message": "the request has invalid values",
        "fields": {
            "target.url": "not a valid URL: relative URL without a base",
            "event_types[1]": "\"Backup\" is not a valid event type pattern: expected an event type, family.* or *"
        }}))],
).build());

error_response!(EventRefused => error(
    "The event is refused for the reason NATS ingest would give, `code` as in \
     `Herald-Rejection-Code` (`missing_attribute`, `bad_attribute`, `bad_specversion`, \
     `bad_type`, `tenant_mismatch`, `missing_data_field`, `bad_data`, `too_large`, \
     `not_json`, `not_object`, `empty`, `unsupported_content_type`, `reserved_type` for a \
     `herald.*` type, which only Herald itself publishes, …); or, from the admin, `invalid` \
     for an event without `tenant`",
    &[
        ("missing_attribute", "No source", json!({"code": "missing_attribute",
            "message": "the source attribute is required"})),
        ("reserved_type", "A type only Herald publishes", json!({"code": "reserved_type",
            "message": "the type \"herald.delivery.failed\" is reserved: types starting with \"herald.\" are Herald's own events"})),
        ("tenant", "The admin named no tenant", json!({"code": "invalid",
            "message": "the request has invalid values",
            "fields": {"tenant": "is required: the tenant the event belongs to"}})),
    ],
).build());

error_response!(RateLimited => error(
    "Over the token's rate (`HERALD_API_RATE_PER_SECOND` a second, bursts of twice that)",
    &[("rate_limited", "Too fast", json!({"code": "rate_limited",
        "message": "too many requests for this token; try again in 1 s"}))],
)
.header("Retry-After", text_header("Whole seconds until a request is taken.", Type::Integer))
.build());

error_response!(Internal => error(
    "Herald failed (the database, most likely); the log says why",
    &[("internal", "A database failure", json!({"code": "internal",
        "message": "internal error"}))],
).build());

error_response!(Unavailable => error(
    "A dependency did not answer: NATS, or what a digest needs",
    &[("unavailable", "NATS is down", json!({"code": "unavailable",
        "message": "NATS is not reachable"}))],
).build());

/// Adds the bearer scheme, and to every `/v1` operation its requirement and the answers every
/// such operation can give.
pub struct Common;

impl Modify for Common {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The admin token (`HERALD_ADMIN_TOKEN`), which sees every tenant, or a \
                         tenant token (`hrd_…`, made by the admin), which sees its own.",
                    ))
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if path.starts_with("/v1/") {
                    add_common(operation);
                }
            }
        }
    }
}

fn add_common(operation: &mut Operation) {
    operation.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    let mut common = vec![
        ("401", Unauthorized::response().0),
        ("408", Timeout::response().0),
        ("429", RateLimited::response().0),
        ("500", Internal::response().0),
    ];
    // The body limit refuses before a handler reads the body.
    if operation.request_body.is_some() {
        common.push(("413", TooLarge::response().0));
    }
    for (status, name) in common {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}
