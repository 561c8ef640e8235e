//! The file `herald apply` reads: `subscriptions: [ … ]`, each item in the API's own JSON
//! shape, checked here with the same validation the API runs so mistakes surface before any
//! request, each naming its line and field.

use std::collections::BTreeSet;

use herald_domain::SubscriptionSpec;
use serde_json::Value;

use super::error::Problem;
use super::yaml::{Located, parse};

/// One subscription of the file.
pub struct Entry {
    /// Its position in `subscriptions`, for `subscriptions[i].field` paths.
    pub index: usize,
    pub tenant: String,
    pub name: String,
    pub document: Value,
    /// The document as Herald fills it in (defaults included, secrets masked): what a field
    /// the file leaves out should be on the server.
    pub desired: Value,
}

impl Entry {
    pub fn label(&self) -> String {
        format!("{}/{}", self.tenant, self.name)
    }

    pub fn path(&self, field: &str) -> String {
        if field.is_empty() {
            format!("subscriptions[{}]", self.index)
        } else {
            format!("subscriptions[{}].{field}", self.index)
        }
    }
}

pub struct Manifest {
    pub located: Located,
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// The tenants the file speaks for: `--prune` never touches any other.
    pub fn tenants(&self) -> BTreeSet<String> {
        self.entries.iter().map(|e| e.tenant.clone()).collect()
    }

    /// `file:line` problems for field errors the API (or validation) gave for one entry.
    pub fn problems_for(&self, entry: &Entry, fields: &[(String, String)]) -> Vec<Problem> {
        fields
            .iter()
            .map(|(field, message)| {
                let path = entry.path(field);
                Problem::at(self.located.line_of(&path), &path, message.clone())
            })
            .collect()
    }
}

pub fn load(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Manifest, Vec<Problem>> {
    let located = parse(text, env)?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let Some(top) = located.value.as_object() else {
        return Err(vec![Problem::at(
            1,
            "",
            "must be a mapping with `subscriptions`",
        )]);
    };
    for key in top.keys().filter(|k| k.as_str() != "subscriptions") {
        problems.push(Problem::at(
            located.line_of(key),
            key,
            "is not a known field",
        ));
    }
    let items = match top.get("subscriptions") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(Value::Null) => &[],
        Some(_) => {
            let line = located.line_of("subscriptions");
            return Err(vec![Problem::at(line, "subscriptions", "must be a list")]);
        }
        None => return Err(vec![Problem::at(1, "subscriptions", "is required")]),
    };
    let mut seen = BTreeSet::new();
    for (index, document) in items.iter().enumerate() {
        let here = format!("subscriptions[{index}]");
        let line = located.line_of(&here);
        let (Some(tenant), Some(name)) = (document["tenant"].as_str(), document["name"].as_str())
        else {
            problems.push(Problem::at(
                line,
                &here,
                "needs `tenant` and `name` (strings)",
            ));
            continue;
        };
        let desired = match SubscriptionSpec::from_json(document) {
            Ok(spec) => spec.to_masked_json(),
            Err(errors) => {
                for (field, message) in errors.0 {
                    let path = format!("{here}.{field}");
                    problems.push(Problem::at(located.line_of(&path), &path, message));
                }
                Value::Null
            }
        };
        let entry = Entry {
            index,
            tenant: tenant.to_owned(),
            name: name.to_owned(),
            document: document.clone(),
            desired,
        };
        if !seen.insert((entry.tenant.clone(), entry.name.clone())) {
            problems.push(Problem::at(
                line,
                &here,
                format!("{} appears twice in the file", entry.label()),
            ));
        }
        entries.push(entry);
    }
    if problems.is_empty() {
        Ok(Manifest { located, entries })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}
