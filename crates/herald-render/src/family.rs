//! The layouts of the families Herald knows (CONTRACT §1 data): which field names the thing,
//! and which facts a person wants at a glance, most telling first.

use herald_domain::Outcome;
use serde_json::Value;

use crate::human;
use crate::notice::{Fact, Layout, Route};
use crate::read;

pub(crate) fn transfer(data: &Value, outcome: Outcome) -> Layout {
    let mut facts = Facts::default();
    facts.add("Transferred", bytes(data, "bytes_transferred"));
    facts.add("Files", read::count(data.get("files_transferred")));
    facts.add("Duration", duration(data, outcome));
    // The status usually repeats the type (`failed`); only a different one says more.
    let status = read::text(data.get("status"));
    facts.add(
        "Status",
        status.filter(|status| !is_type_status(status, outcome)),
    );
    facts.add("Schedule", schedule(data));
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name: read::text(data.get("name")).or_else(|| read::text(data.get("transfer_id"))),
        route: Route::new(
            read::text(data.get("source")),
            read::text(data.get("destination")),
        ),
        facts: facts.0,
        ..Layout::default()
    }
}

pub(crate) fn backup(data: &Value, outcome: Outcome) -> Layout {
    let mut facts = Facts::default();
    facts.add("Databases", joined(data.get("databases")));
    facts.add("Size", bytes(data, "size_bytes"));
    facts.add("Duration", duration(data, outcome));
    facts.add("Storage", read::text(data.get("storage")));
    facts.add("Schedule", schedule(data));
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name: read::text(data.get("job_name")).or_else(|| read::text(data.get("job_id"))),
        facts: facts.0,
        warnings: read::list(data.get("warnings")),
        ..Layout::default()
    }
}

pub(crate) fn snapshot(data: &Value) -> Layout {
    let mut facts = Facts::default();
    let (name, repository) = snapshot_and_repository(data);
    facts.add("Repository", repository);
    facts.add("Path", read::text(data.get("repo_root")));
    facts.add("Note", read::text(data.get("note")));
    facts.add("Tags", joined(data.get("tags")));
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name,
        facts: facts.0,
        ..Layout::default()
    }
}

pub(crate) fn restore(data: &Value) -> Layout {
    let mut facts = Facts::default();
    let (name, repository) = snapshot_and_repository(data);
    facts.add("Repository", repository);
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name,
        facts: facts.0,
        ..Layout::default()
    }
}

pub(crate) fn gc(data: &Value) -> Layout {
    let mut facts = Facts::default();
    facts.add("Freed", bytes(data, "freed_bytes"));
    facts.add(
        "Snapshots deleted",
        read::count(data.get("snapshots_deleted")),
    );
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name: read::text(data.get("repo_id")),
        facts: facts.0,
        ..Layout::default()
    }
}

pub(crate) fn verify(data: &Value) -> Layout {
    let mut facts = Facts::default();
    facts.add("Snapshot", read::text(data.get("snapshot_id")));
    facts.add(
        "Snapshots verified",
        read::count(data.get("snapshots_verified")),
    );
    facts.add("Labels", read::pairs(data.get("labels")));
    Layout {
        name: read::text(data.get("repo_id")),
        facts: facts.0,
        ..Layout::default()
    }
}

#[derive(Default)]
struct Facts(Vec<Fact>);

impl Facts {
    fn add(&mut self, label: &str, value: Option<String>) {
        if let Some(value) = value {
            self.0.push(Fact {
                label: label.to_owned(),
                value,
            });
        }
    }
}

fn bytes(data: &Value, key: &str) -> Option<String> {
    read::number(data.get(key)).map(human::bytes)
}

fn joined(value: Option<&Value>) -> Option<String> {
    let items = read::list(value);
    (!items.is_empty()).then(|| items.join(", "))
}

/// How long the work took. A started event has not ended, whatever its data says.
fn duration(data: &Value, outcome: Outcome) -> Option<String> {
    if outcome == Outcome::Started {
        return None;
    }
    let started = read::time(data.get("started_at"))?;
    let ended = read::time(data.get("ended_at"))?;
    Some(human::duration(
        (ended - started).num_milliseconds() as f64 / 1000.0,
    ))
}

fn schedule(data: &Value) -> Option<String> {
    let schedule = data.get("schedule")?;
    read::text(schedule.get("name")).or_else(|| read::text(schedule.get("id")))
}

/// A snapshot names the event when there is one; the repository is then a fact of it.
fn snapshot_and_repository(data: &Value) -> (Option<String>, Option<String>) {
    let repository = read::text(data.get("repo_id"));
    match read::text(data.get("snapshot_id")) {
        Some(snapshot) => (Some(snapshot), repository),
        None => (repository, None),
    }
}

/// Whether a transfer's `status` only repeats what its type says.
fn is_type_status(status: &str, outcome: Outcome) -> bool {
    let status = status.to_ascii_lowercase();
    match outcome {
        Outcome::Success => matches!(
            status.as_str(),
            "completed" | "complete" | "succeeded" | "success"
        ),
        Outcome::Failure => matches!(status.as_str(), "failed" | "failure" | "error"),
        Outcome::Started => matches!(status.as_str(), "started" | "running"),
        Outcome::Warning => matches!(status.as_str(), "warning"),
        Outcome::Info => false,
    }
}

#[cfg(test)]
mod tests;
