//! `openapi.json` at the repository's root: the document the code makes (regenerate with
//! `make openapi`), valid OpenAPI 3.1, every example fitting its schema, and every route of
//! the router in it, so a route added without docs fails here.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

fn document() -> Value {
    serde_json::from_str(&herald_api::openapi_json()).unwrap()
}

/// With `HERALD_WRITE_OPENAPI` set (`make openapi`) this writes the file instead.
#[test]
fn openapi_json_is_current() {
    let generated = herald_api::openapi_json();
    let path = committed_path();
    if std::env::var_os("HERALD_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let first_difference = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .map_or_else(|| "its length".to_owned(), |i| format!("line {}", i + 1));
    assert!(
        committed == generated,
        "openapi.json is stale: run make openapi (first difference at {first_difference})"
    );
}

#[test]
fn the_document_is_valid_openapi_3_1() {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/oas-3.1-schema-2022-10-07.json")).unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let doc = document();
    assert_eq!(doc["openapi"], json!("3.1.0"));
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");
    // The OAS schema leaves Schema Objects unchecked: each must be valid JSON Schema 2020-12.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
            panic!("{name} is not a valid JSON Schema: {error}");
        }
    }
}

/// A validator for `schema`, its `$ref`s resolved against the whole document.
fn validator_for(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = doc.clone();
    root["x-herald-under-test"] = schema.clone();
    root["$ref"] = json!("#/x-herald-under-test");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).unwrap())
        }
        None => value,
    }
}

/// Every example of a request or response body, with the schema it must fit.
fn media_examples(doc: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    let mut media = |place: String, content: &Value| {
        for (media_type, entry) in content.as_object().into_iter().flatten() {
            let schema = entry.get("schema").cloned().unwrap_or(json!({}));
            if let Some(example) = entry.get("example") {
                found.push((
                    format!("{place} {media_type}"),
                    schema.clone(),
                    example.clone(),
                ));
            }
            for (name, example) in entry["examples"].as_object().into_iter().flatten() {
                let value = resolve(doc, example)["value"].clone();
                found.push((
                    format!("{place} {media_type} {name}"),
                    schema.clone(),
                    value,
                ));
            }
        }
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            media(
                format!("{method} {path} request"),
                &operation["requestBody"]["content"],
            );
            for (status, response) in operation["responses"].as_object().unwrap() {
                let response = resolve(doc, response);
                media(format!("{method} {path} {status}"), &response["content"]);
            }
        }
    }
    found
}

/// Every `examples` list inside the component schemas, with the schema holding it.
fn schema_examples(schema: &Value, place: &str, found: &mut Vec<(String, Value, Value)>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(examples)) = map.get("examples") {
                for example in examples {
                    found.push((place.to_owned(), schema.clone(), example.clone()));
                }
            }
            for (key, sub) in map {
                schema_examples(sub, &format!("{place}/{key}"), found);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| schema_examples(i, place, found)),
        _ => {}
    }
}

#[test]
fn every_example_fits_its_schema() {
    let doc = document();
    let mut examples = media_examples(&doc);
    let media = examples.len();
    schema_examples(
        &doc["components"]["schemas"],
        "#/components/schemas",
        &mut examples,
    );
    assert!(
        media > 40 && examples.len() > media,
        "the walk found too few examples"
    );
    let refuses = |schema: Value, bad: Value| !validator_for(&doc, &schema).is_valid(&bad);
    assert!(
        refuses(
            json!({"$ref": "#/components/schemas/ErrorBody"}),
            json!({"code": "x"})
        ) && refuses(
            json!({"$ref": "#/components/schemas/SubscriptionRequest"}),
            json!({"tenant": "acme", "name": "x", "channel": "slack",
                    "target": {"url": "https://example.com"}})
        ),
        "the validator takes anything"
    );
    for (place, schema, example) in examples {
        let validator = validator_for(&doc, &schema);
        let errors: Vec<String> = validator
            .iter_errors(&example)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "the example of {place} does not fit: {errors:#?}"
        );
    }
}

const METHODS: [&str; 7] = ["get", "post", "put", "patch", "delete", "head", "options"];

/// The `(method, path)` of every `.route(…)` in `router()` of src/lib.rs, nested prefixes
/// applied: read from the source, so a route added there is seen here without anyone
/// listing it again.
fn routes_in_router() -> BTreeSet<(String, String)> {
    routes_in(&lib_rs())
}

fn lib_rs() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap()
}

fn routes_in(source: &str) -> BTreeSet<(String, String)> {
    let body = source
        .split("pub fn router(")
        .nth(1)
        .expect("lib.rs has router()");
    let mut prefixes = BTreeMap::new();
    for nest in body.split(".nest(\"").skip(1) {
        let (prefix, rest) = nest.split_once('"').unwrap();
        let name = rest
            .trim_start_matches([',', ' ', '\n'])
            .split(')')
            .next()
            .unwrap();
        prefixes.insert(name.trim().to_owned(), prefix.to_owned());
    }
    let mut routes = BTreeSet::new();
    for statement in body.split(';') {
        let prefix = statement
            .split_once("let ")
            .and_then(|(_, s)| s.split_whitespace().next())
            .and_then(|name| prefixes.get(name))
            .cloned()
            .unwrap_or_default();
        for call in statement.split(".route(").skip(1) {
            let call = call.trim_start();
            let path = call.strip_prefix('"').unwrap().split('"').next().unwrap();
            let methods = balanced(call);
            let mut found = 0;
            for method in METHODS {
                let calls = methods
                    .match_indices(&format!("{method}("))
                    .filter(|(at, _)| {
                        *at == 0 || !methods.as_bytes()[at - 1].is_ascii_alphanumeric()
                    })
                    .count();
                if calls > 0 {
                    routes.insert((method.to_owned(), format!("{prefix}{path}")));
                    found += 1;
                }
            }
            assert!(found > 0, "no method found in .route({call:.80}…)");
        }
    }
    assert!(
        routes.len() > 20,
        "too few routes read from lib.rs: {routes:?}"
    );
    routes
}

/// The text up to the parenthesis closing the one `text` is inside of.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..at];
                }
            }
            _ => {}
        }
    }
    text
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert((method.clone(), path.clone()));
        }
    }
    operations
}

/// The web console's static files: routed beside the API but not part of it, so on purpose
/// left out of the document. Listed here one by one, so any other undocumented route fails.
const CONSOLE_ROUTES: [(&str, &str); 2] = [("get", "/"), ("get", "/console/{*path}")];

#[test]
fn every_route_of_the_router_is_documented_and_nothing_else() {
    let mut routes = routes_in_router();
    for (method, path) in CONSOLE_ROUTES {
        assert!(
            routes.remove(&(method.to_owned(), path.to_owned())),
            "the console route {method} {path} is no longer routed: update CONSOLE_ROUTES"
        );
    }
    let documented = documented_operations(&document());
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes without OpenAPI docs (add #[utoipa::path] and list the handler in \
         openapi.rs): {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

/// The reader itself: routes added to the router, nested or not, are seen.
#[test]
fn the_route_reader_sees_added_routes() {
    let source = lib_rs();
    let before = routes_in(&source);
    let changed = source
        .replacen(
            ".route(\"/metrics\"",
            ".route(\"/extra\", post(extra::post))\n        .route(\"/metrics\"",
            1,
        )
        .replacen(
            ".route(\"/rejections\"",
            ".route(\"/things/{id}\", get(things::get).put(things::put))\n        \
             .route(\"/rejections\"",
            1,
        );
    let added: Vec<_> = routes_in(&changed).difference(&before).cloned().collect();
    let expected: Vec<(String, String)> = [
        ("get", "/v1/things/{id}"),
        ("post", "/extra"),
        ("put", "/v1/things/{id}"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(added, expected);
}

#[test]
fn every_operation_is_complete() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            let id = operation["operationId"].as_str().unwrap();
            assert!(
                ids.insert(id.to_owned()),
                "{at}: operationId {id} is used twice"
            );
            assert!(operation["summary"].is_string(), "{at} has no summary");
            assert!(operation["tags"].is_array(), "{at} has no tag");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{at} has no 2xx"
            );
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            let in_path: BTreeSet<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            assert_eq!(declared, in_path, "{at}: path parameters");
            let secured = operation.get("security").is_some();
            assert_eq!(secured, path.starts_with("/v1/"), "{at}: security");
            if secured {
                for status in ["401", "408", "429", "500"] {
                    assert!(responses.contains_key(status), "{at} lacks {status}");
                }
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("413"), "{at} lacks 413");
            }
        }
    }
}
