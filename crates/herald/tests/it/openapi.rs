//! `/openapi.json` as a running Herald serves it: open, the committed file byte for byte, and
//! every operation it documents answered by a route (not the 404 of an unknown path, not a 405).

use serde_json::Value;

use crate::support::{ADMIN_TOKEN, spawn_targets};

fn committed() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
    std::fs::read_to_string(path).expect("openapi.json is committed at the repository's root")
}

#[tokio::test]
async fn the_served_document_is_the_committed_file() {
    let app = spawn_targets("api", |_| {}).await;
    // No token: the document is as open as /healthz.
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let served = response.text().await.unwrap();
    assert!(
        served == committed(),
        "the served /openapi.json differs from the committed openapi.json: run make openapi"
    );
}

#[tokio::test]
async fn every_documented_operation_reaches_a_route() {
    let app = spawn_targets("api", |_| {}).await;
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", "sub_00000000000000000000000000");
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .http
                .request(method.clone(), app.url(&concrete))
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            let unrouted = status == 405 || (status == 404 && text.contains("route not found"));
            assert!(
                !unrouted,
                "{method} {path} is documented but answers {status} {text}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} operations checked");
}
