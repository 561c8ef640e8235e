//! `serve --target …`: which parts of Herald this process runs.

use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Ingest,
    Dispatcher,
    Digest,
    Api,
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::Ingest,
        Target::Dispatcher,
        Target::Digest,
        Target::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Ingest => "ingest",
            Target::Dispatcher => "dispatcher",
            Target::Digest => "digest",
            Target::Api => "api",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub chosen: BTreeSet<Target>,
}

impl Targets {
    pub fn all() -> Self {
        Self {
            chosen: Target::ALL.into_iter().collect(),
        }
    }

    pub fn only(targets: &[Target]) -> Self {
        Self {
            chosen: targets.iter().copied().collect(),
        }
    }

    pub fn has(&self, target: Target) -> bool {
        self.chosen.contains(&target)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim() == "all" {
            return Ok(Self::all());
        }
        let mut chosen = BTreeSet::new();
        for name in text.split(',').map(str::trim) {
            let target = Target::ALL
                .into_iter()
                .find(|t| t.as_str() == name)
                .ok_or_else(|| {
                    format!("unknown target `{name}` (ingest, dispatcher, digest, api or all)")
                })?;
            chosen.insert(target);
        }
        Ok(Self { chosen })
    }
}

#[cfg(test)]
mod tests;
