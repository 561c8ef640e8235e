//! `herald apply -f FILE [--prune] [--dry-run]`: make the API's subscriptions of the file's
//! tenants match the file, matching by (tenant, name). The file is the source of truth: a
//! field it leaves out goes back to its default, except the webhook signing secret (see
//! `diff`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use super::client::Client;
use super::diff::{compare, converging_patch};
use super::error::{CliError, EXIT_REFUSED, EXIT_USAGE, Problem};
use super::manifest::{Entry, Manifest, load};

enum Action<'a> {
    Create(&'a Entry),
    Change {
        entry: &'a Entry,
        id: String,
        fields: Vec<String>,
        patch: Value,
    },
    Delete {
        label: String,
        id: String,
    },
}

impl Action<'_> {
    fn describe(&self, done: bool) -> String {
        let (create, change, delete) = if done {
            ("created", "changed", "deleted")
        } else {
            ("create", "change", "delete")
        };
        match self {
            Action::Create(entry) => format!("+ {create} {}", entry.label()),
            Action::Change { entry, fields, .. } => {
                format!("~ {change} {}: {}", entry.label(), fields.join(", "))
            }
            Action::Delete { label, .. } => format!("- {delete} {label}"),
        }
    }
}

pub struct Options<'a> {
    pub file: &'a Path,
    pub prune: bool,
    pub dry_run: bool,
}

pub async fn apply(client: &Client, options: &Options<'_>) -> Result<ExitCode, CliError> {
    let name = options.file.display().to_string();
    let text = std::fs::read_to_string(options.file)
        .map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?;
    let manifest = match load(&text, &|var| std::env::var(var).ok()) {
        Ok(manifest) => manifest,
        Err(problems) => {
            report(&name, &problems);
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let existing = existing(client, &manifest).await?;
    let (actions, notes, ambiguous) = plan(&manifest, &existing, options.prune);
    for note in &notes {
        println!("  note: {note}");
    }
    if !ambiguous.is_empty() {
        report(&name, &ambiguous);
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    if actions.is_empty() {
        println!(
            "no changes: {} subscription(s) unchanged",
            manifest.entries.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if options.dry_run {
        for action in &actions {
            println!("{}", action.describe(false));
        }
        println!("dry run: {}; nothing was changed", counts(&actions, false));
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = 0;
    for action in &actions {
        match execute(client, action).await {
            Ok(shown) => println!("{}{shown}", action.describe(true)),
            Err(CliError::Refused(refusal)) => {
                failed += 1;
                eprintln!("herald: cannot {}", action.describe(false).split_at(2).1);
                match action {
                    Action::Create(entry) | Action::Change { entry, .. }
                        if !refusal.fields.is_empty() =>
                    {
                        report(&name, &manifest.problems_for(entry, &refusal.fields));
                    }
                    _ => eprintln!("{name}: {}: {}", refusal.code, refusal.message),
                }
            }
            Err(other) => return Err(other),
        }
    }
    if failed > 0 {
        eprintln!("herald: {failed} of {} change(s) refused", actions.len());
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    println!("applied: {}", counts(&actions, true));
    Ok(ExitCode::SUCCESS)
}

fn report(file: &str, problems: &[Problem]) {
    for problem in problems {
        eprintln!("{}", problem.render(file));
    }
}

fn counts(actions: &[Action<'_>], done: bool) -> String {
    let count = |f: fn(&Action<'_>) -> bool| actions.iter().filter(|a| f(a)).count();
    let creates = count(|a| matches!(a, Action::Create(_)));
    let changes = count(|a| matches!(a, Action::Change { .. }));
    let deletes = count(|a| matches!(a, Action::Delete { .. }));
    if done {
        format!("{creates} created, {changes} changed, {deletes} deleted")
    } else {
        format!("{creates} to create, {changes} to change, {deletes} to delete")
    }
}

/// The API's subscriptions of the file's tenants, by (tenant, name); a name can repeat there.
async fn existing(
    client: &Client,
    manifest: &Manifest,
) -> Result<BTreeMap<(String, String), Vec<Value>>, CliError> {
    let mut by_name: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for tenant in manifest.tenants() {
        for item in client
            .list_all("/subscriptions", &[("tenant", tenant.clone())])
            .await?
        {
            let name = item["name"].as_str().unwrap_or_default().to_owned();
            by_name
                .entry((tenant.clone(), name))
                .or_default()
                .push(item);
        }
    }
    Ok(by_name)
}

type Plan<'a> = (Vec<Action<'a>>, Vec<String>, Vec<Problem>);

fn plan<'a>(
    manifest: &'a Manifest,
    existing: &BTreeMap<(String, String), Vec<Value>>,
    prune: bool,
) -> Plan<'a> {
    let mut actions = Vec::new();
    let mut notes = Vec::new();
    let mut ambiguous = Vec::new();
    for entry in &manifest.entries {
        let key = (entry.tenant.clone(), entry.name.clone());
        match existing.get(&key).map(Vec::as_slice) {
            None | Some([]) => actions.push(Action::Create(entry)),
            Some([current]) => {
                let difference = compare(&entry.document, &entry.desired, current);
                for field in &difference.masked {
                    notes.push(format!(
                        "{}: {field} is masked by the API; a changed secret cannot be detected (change another field or recreate to force it)",
                        entry.label()
                    ));
                }
                if !difference.changed.is_empty() {
                    let id = current["id"].as_str().unwrap_or_default().to_owned();
                    actions.push(Action::Change {
                        entry,
                        id,
                        fields: difference.changed,
                        patch: converging_patch(&entry.document, current),
                    });
                }
            }
            Some(several) => {
                let path = entry.path("name");
                ambiguous.push(Problem::at(
                    manifest.located.line_of(&path),
                    &path,
                    format!(
                        "{} subscriptions named {} exist; rename or delete the extra ones first",
                        several.len(),
                        entry.label()
                    ),
                ));
            }
        }
    }
    if prune {
        let wanted: std::collections::BTreeSet<_> = manifest
            .entries
            .iter()
            .map(|e| (e.tenant.clone(), e.name.clone()))
            .collect();
        for ((tenant, name), items) in existing {
            if wanted.contains(&(tenant.clone(), name.clone())) {
                continue;
            }
            for item in items {
                actions.push(Action::Delete {
                    label: format!("{tenant}/{name}"),
                    id: item["id"].as_str().unwrap_or_default().to_owned(),
                });
            }
        }
    }
    (actions, notes, ambiguous)
}

/// Performs one action; the text is what to add to its line (a new id, a secret shown once).
async fn execute(client: &Client, action: &Action<'_>) -> Result<String, CliError> {
    match action {
        Action::Create(entry) => {
            let created = client.post("/subscriptions", &entry.document).await?;
            let id = created["id"].as_str().unwrap_or_default();
            // The generated signing secret is shown this once by the API: pass it on.
            let secret = match (&created["secret"], &entry.document["target"]["secret"]) {
                (Value::String(secret), Value::Null) => {
                    format!(", signing secret {secret} (shown only now)")
                }
                _ => String::new(),
            };
            Ok(format!(" ({id}{secret})"))
        }
        Action::Change { id, patch, .. } => {
            client.patch(&format!("/subscriptions/{id}"), patch).await?;
            Ok(String::new())
        }
        Action::Delete { id, .. } => {
            client.delete(&format!("/subscriptions/{id}")).await?;
            Ok(String::new())
        }
    }
}
