//! What can go wrong in an operator command, and the exit code each one means to a script.

use std::fmt;
use std::process::ExitCode;

/// Exit codes: 0 done, 1 the API refused something (not found, invalid, unauthorized,
/// forbidden, conflict), 2 a usage or file error, 3 the API could not be reached, failed, asked
/// to slow down (429) or answered something unexpected (so a script can tell "retry later"
/// apart).
pub const EXIT_REFUSED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_UNREACHABLE: u8 = 3;

/// One problem at a line of the input file, on a field path (`subscriptions[1].target.url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn at(line: usize, path: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// `file:line: path: message`, the shape compilers use, so editors can jump to it.
    pub fn render(&self, file: &str) -> String {
        if self.path.is_empty() {
            format!("{file}:{}: {}", self.line, self.message)
        } else {
            format!("{file}:{}: {}: {}", self.line, self.path, self.message)
        }
    }
}

/// The API's error body: `{"error": {"code", "message", "fields"}}`.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)?;
        for (field, message) in &self.fields {
            write!(f, "\n  {field}: {message}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Unreachable(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Refused(_) => EXIT_REFUSED,
            CliError::Unreachable(_) => EXIT_UNREACHABLE,
        })
    }
}
