//! The operator CLI (`herald apply`, `herald subscriptions …`): the real binary against the
//! real API, as an operator's shell or script would run it.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{ADMIN_TOKEN, TestApp, spawn_app};

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub async fn herald(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .env("HERALD_API_URL", &app.api)
        .env("HERALD_TOKEN", ADMIN_TOKEN)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("the herald binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A file of its own per call, removed by nobody: the OS temp dir is the test's scratch.
fn file(text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("herald-apply-{}.yaml", uuid::Uuid::now_v7()));
    std::fs::write(&path, text).unwrap();
    path
}

pub async fn apply(app: &TestApp, yaml: &str, flags: &[&str], env: &[(&str, &str)]) -> Run {
    let path = file(yaml);
    let mut args = vec!["apply", "-f", path.to_str().unwrap()];
    args.extend_from_slice(flags);
    herald(app, &args, env).await
}

pub async fn subscriptions(app: &TestApp, tenant: &str) -> Vec<Value> {
    let page: Value = app
        .get(&format!("/v1/subscriptions?tenant={tenant}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

pub fn named<'a>(items: &'a [Value], name: &str) -> &'a Value {
    items.iter().find(|s| s["name"] == name).unwrap()
}

const TWO: &str = "\
subscriptions:
  - tenant: acme
    name: ops alerts
    event_types: [\"transfer.*\"]
    condition: on_failure
    channel: webhook
    target:
      url: http://127.0.0.1:9000/hook
  - tenant: acme
    name: backups
    event_types: [\"backup.*\"]
    channel: webhook
    target:
      url: http://127.0.0.1:9000/backups
";

pub fn lines_starting(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn apply_creates_then_a_second_apply_changes_nothing() {
    let app = spawn_app().await;
    let first = apply(&app, TWO, &[], &[]).await;
    assert_eq!(first.code, Some(0), "{}{}", first.stdout, first.stderr);
    assert_eq!(
        lines_starting(&first.stdout, "+ created").len(),
        2,
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("applied: 2 created, 0 changed, 0 deleted")
    );
    let items = subscriptions(&app, "acme").await;
    assert_eq!(items.len(), 2);
    assert_eq!(named(&items, "ops alerts")["condition"], "on_failure");

    let second = apply(&app, TWO, &[], &[]).await;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(second.stdout.contains("no changes"), "{}", second.stdout);
    assert!(lines_starting(&second.stdout, "+").is_empty());
    assert!(lines_starting(&second.stdout, "~").is_empty());
    assert_eq!(subscriptions(&app, "acme").await.len(), 2);
}

#[tokio::test]
async fn editing_one_field_changes_exactly_that_one() {
    let app = spawn_app().await;
    assert_eq!(apply(&app, TWO, &[], &[]).await.code, Some(0));
    let before = subscriptions(&app, "acme").await;
    let edited = TWO.replace("condition: on_failure", "condition: always");
    let run = apply(&app, &edited, &[], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        lines_starting(&run.stdout, "~"),
        vec!["~ changed acme/ops alerts: condition"],
        "{}",
        run.stdout
    );
    assert!(lines_starting(&run.stdout, "+").is_empty());
    let after = subscriptions(&app, "acme").await;
    assert_eq!(named(&after, "ops alerts")["condition"], "always");
    assert_eq!(
        named(&after, "ops alerts")["id"],
        named(&before, "ops alerts")["id"]
    );
    assert_eq!(
        named(&after, "backups")["updated_at"],
        named(&before, "backups")["updated_at"]
    );
}

#[tokio::test]
async fn prune_removes_exactly_the_one_missing_from_the_file() {
    let app = spawn_app().await;
    assert_eq!(apply(&app, TWO, &[], &[]).await.code, Some(0));
    // Another tenant's subscription: the file does not speak for it, so prune leaves it.
    app.subscribe(crate::support::webhook_subscription(
        "globex",
        serde_json::json!({}),
    ))
    .await;
    let only_first = TWO
        .split("  - tenant: acme\n    name: backups")
        .next()
        .unwrap();
    let without_prune = apply(&app, only_first, &[], &[]).await;
    assert!(
        without_prune.stdout.contains("no changes"),
        "{}",
        without_prune.stdout
    );
    assert_eq!(subscriptions(&app, "acme").await.len(), 2);

    let run = apply(&app, only_first, &["--prune"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        lines_starting(&run.stdout, "- deleted"),
        vec!["- deleted acme/backups"]
    );
    let left = subscriptions(&app, "acme").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["name"], "ops alerts");
    assert_eq!(subscriptions(&app, "globex").await.len(), 1);
}

#[tokio::test]
async fn dry_run_prints_the_plan_and_changes_nothing() {
    let app = spawn_app().await;
    assert_eq!(apply(&app, TWO, &[], &[]).await.code, Some(0));
    let before = subscriptions(&app, "acme").await;
    let plan = TWO
        .replace("condition: on_failure", "condition: always")
        .replace("9000/hook", "9001/hook")
        .replace("name: backups", "name: restores");
    let run = apply(&app, &plan, &["--prune", "--dry-run"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.contains(&"+ create acme/restores"), "{}", run.stdout);
    assert!(
        lines.contains(&"~ change acme/ops alerts: condition, target.url"),
        "{}",
        run.stdout
    );
    assert!(lines.contains(&"- delete acme/backups"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was changed"));
    assert_eq!(subscriptions(&app, "acme").await, before);
}

#[tokio::test]
async fn a_typo_names_its_file_line_and_field_and_changes_nothing() {
    let app = spawn_app().await;
    let unknown = TWO.replace(
        "      url: http://127.0.0.1:9000/hook",
        "      urll: http://127.0.0.1:9000/hook",
    );
    let run = apply(&app, &unknown, &[], &[]).await;
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stderr
            .contains(".yaml:8: subscriptions[0].target.urll:"),
        "{}",
        run.stderr
    );

    let bad_url = TWO.replace("http://127.0.0.1:9000/backups", "ftp://example.com/x");
    let run = apply(&app, &bad_url, &[], &[]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains(".yaml:14: subscriptions[1].target.url:"),
        "{}",
        run.stderr
    );

    let broken = format!("{TWO}  - tenant: [acme\n");
    let run = apply(&app, &broken, &[], &[]).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains(".yaml:16:"), "{}", run.stderr);
    assert!(subscriptions(&app, "acme").await.is_empty());
}

#[tokio::test]
async fn variables_are_substituted_and_an_unset_one_is_named() {
    let app = spawn_app().await;
    let yaml = "\
subscriptions:
  - tenant: acme
    name: with secrets
    channel: webhook
    target:
      url: ${HOOK_URL}
      headers:
        X-Team-Token: ${TEAM_TOKEN}
";
    let env = [
        ("HOOK_URL", "http://127.0.0.1:9000/from-env"),
        ("TEAM_TOKEN", "t0ken"),
    ];
    let run = apply(&app, yaml, &[], &env).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let items = subscriptions(&app, "acme").await;
    assert_eq!(items[0]["target"]["url"], "http://127.0.0.1:9000/from-env");
    assert_eq!(items[0]["target"]["headers"]["X-Team-Token"], "****");

    // The header is masked by the API: unchanged, and the output says it cannot tell.
    let again = apply(&app, yaml, &[], &env).await;
    assert_eq!(again.code, Some(0));
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert!(
        again
            .stdout
            .contains("target.headers.X-Team-Token is masked"),
        "{}",
        again.stdout
    );

    let unset = apply(&app, yaml, &[], &env[..1]).await;
    assert_eq!(unset.code, Some(2));
    assert!(
        unset.stderr.contains(
            ".yaml:8: subscriptions[0].target.headers.X-Team-Token: environment variable TEAM_TOKEN is not set"
        ),
        "{}",
        unset.stderr
    );
}

#[tokio::test]
async fn subscriptions_list_prints_json_for_scripts_and_a_table_for_people() {
    let app = spawn_app().await;
    assert_eq!(apply(&app, TWO, &[], &[]).await.code, Some(0));
    let run = herald(&app, &["subscriptions", "list", "-o", "json"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["items"].as_array().unwrap().len(), 2);

    let table = herald(&app, &["subscriptions", "list", "--tenant", "acme"], &[]).await;
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", table.stdout);
    assert!(lines[0].starts_with("ID"));
    let column = lines[0].find("TENANT").unwrap();
    assert!(lines[1..].iter().all(|l| &l[column..column + 4] == "acme"));

    let id = json["items"][0]["id"].as_str().unwrap();
    let get = herald(&app, &["subscriptions", "get", id, "-o", "json"], &[]).await;
    assert_eq!(
        serde_json::from_str::<Value>(&get.stdout).unwrap()["id"],
        id
    );
    let missing = herald(&app, &["subscriptions", "get", "sub_nope"], &[]).await;
    assert_eq!(missing.code, Some(1), "{}", missing.stderr);
}

#[tokio::test]
async fn tokens_are_created_shown_once_listed_without_secrets_and_revoked() {
    let app = spawn_app().await;
    let created = herald(
        &app,
        &[
            "tokens",
            "create",
            "--tenant",
            "acme",
            "--name",
            "ci",
            "--read-only",
            "-o",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let created: Value = serde_json::from_str(&created.stdout).unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hrd_"));
    let id = created["id"].as_str().unwrap().to_owned();

    let listed = herald(&app, &["tokens", "list"], &[]).await;
    assert_eq!(listed.code, Some(0));
    assert!(listed.stdout.contains(&id) && !listed.stdout.contains(&token));

    // The new token reads its tenant until it is revoked.
    let read = herald(
        &app,
        &["subscriptions", "list"],
        &[("HERALD_TOKEN", token.as_str())],
    )
    .await;
    assert_eq!(read.code, Some(0), "{}", read.stderr);
    let revoked = herald(&app, &["tokens", "revoke", &id], &[]).await;
    assert_eq!(revoked.code, Some(0));
    let refused = herald(
        &app,
        &["subscriptions", "list"],
        &[("HERALD_TOKEN", token.as_str())],
    )
    .await;
    assert_eq!(refused.code, Some(1), "revoked at once: {}", refused.stderr);
}
