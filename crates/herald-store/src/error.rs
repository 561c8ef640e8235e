//! What went wrong in the store, in words an operator can act on, and what a caller can do
//! about it: wait and try again, or stop offering the rows that caused it.

use std::fmt;

/// Everything the store can fail with. `Display` names the cause — the database's own message
/// and SQLSTATE — but never a bound value or a secret: it goes into logs and rejection reasons.
/// The driver's errors are not offered as `source()`: their text is already in the message,
/// and a printed error chain would repeat it and could quote the URL with its password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", DatabaseMessage(.0))]
    Database(sqlx::Error),
    #[error("migration failed: {}", MigrateMessage(.0))]
    Migrate(sqlx::migrate::MigrateError),
    #[error(transparent)]
    Seal(#[from] crate::SealError),
    #[error("stored row is unreadable: {0}")]
    Corrupt(String),
    #[error("subscriptions kept changing while a batch was routed")]
    SubscriptionsChanging,
    #[error("the tenant already has a subscription of that name ({0})")]
    NameTaken(herald_domain::SubscriptionId),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(error)
    }
}

/// Which kind of failure an error is, for a caller deciding between "again later" and
/// "these rows will never go in".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The database is away, busy, restarting or failed over, or the transaction lost a
    /// race: the same statement may well succeed later. Never the rows' fault.
    Transient,
    /// The database refused the rows themselves (SQLSTATE classes 22 data exception and 23
    /// integrity constraint, 54 program limit, P0 raised by a trigger): the same rows fail
    /// the same way every time.
    Data,
    /// Neither of the above is known: a bug, a broken schema, or rows Herald cannot read.
    Unexplained,
}

impl StoreError {
    pub fn kind(&self) -> FailureKind {
        match self {
            StoreError::Database(error) => sqlx_kind(error),
            StoreError::Migrate(_) | StoreError::Seal(_) | StoreError::Corrupt(_) => {
                FailureKind::Unexplained
            }
            StoreError::SubscriptionsChanging => FailureKind::Transient,
            StoreError::NameTaken(_) => FailureKind::Data,
        }
    }

    /// True when the database could not be reached, was busy, or the transaction lost a race:
    /// worth retrying as it is.
    pub fn is_transient(&self) -> bool {
        self.kind() == FailureKind::Transient
    }

    /// The SQLSTATE of a database error, when there is one.
    pub fn sqlstate(&self) -> Option<String> {
        match self {
            StoreError::Database(sqlx::Error::Database(error)) => {
                error.code().map(|c| c.into_owned())
            }
            _ => None,
        }
    }
}

fn sqlx_kind(error: &sqlx::Error) -> FailureKind {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => FailureKind::Transient,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => sqlstate_kind(&code),
            None => FailureKind::Unexplained,
        },
        _ => FailureKind::Unexplained,
    }
}

/// By SQLSTATE class (the first two characters), with the few single codes that differ.
fn sqlstate_kind(code: &str) -> FailureKind {
    match code {
        // read_only_sql_transaction: a failover left us on a standby.
        "25006" => return FailureKind::Transient,
        // lock_not_available
        "55P03" => return FailureKind::Transient,
        _ => {}
    }
    match code.get(..2).unwrap_or_default() {
        // connection exception, transaction rollback (serialization failure, deadlock),
        // insufficient resources, operator intervention (shutdown, cancel), system error
        "08" | "40" | "53" | "57" | "58" => FailureKind::Transient,
        "22" | "23" | "54" | "P0" => FailureKind::Data,
        _ => FailureKind::Unexplained,
    }
}

/// The database's message and SQLSTATE, or what the driver says for errors without one.
/// Postgres's `detail` is left out: for constraint errors it quotes the offending values.
struct DatabaseMessage<'a>(&'a sqlx::Error);

impl fmt::Display for DatabaseMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            sqlx::Error::Database(db) => {
                write!(f, "Postgres: {}", db.message())?;
                if let Some(constraint) = db.constraint() {
                    write!(f, " (constraint {constraint})")?;
                }
                match db.code().as_deref() {
                    // Herald's own tables missing: the database was never migrated.
                    Some(code @ "42P01") => {
                        write!(f, " [SQLSTATE {code}] (has `herald migrate` run?)")
                    }
                    Some(code) => write!(f, " [SQLSTATE {code}]"),
                    None => Ok(()),
                }
            }
            sqlx::Error::Io(error) => write!(f, "cannot talk to Postgres: {error}"),
            sqlx::Error::Tls(error) => write!(f, "TLS to Postgres failed: {error}"),
            sqlx::Error::PoolTimedOut => {
                f.write_str("no Postgres connection became free in time (pool timeout)")
            }
            sqlx::Error::PoolClosed => f.write_str("the Postgres pool is closed (shutting down)"),
            sqlx::Error::Protocol(message) => write!(f, "Postgres protocol error: {message}"),
            sqlx::Error::RowNotFound => f.write_str("Postgres returned no row"),
            sqlx::Error::ColumnNotFound(column) => {
                write!(f, "Postgres returned no column {column}")
            }
            sqlx::Error::ColumnDecode { index, source } => {
                write!(
                    f,
                    "column {index} of a Postgres row is unreadable: {source}"
                )
            }
            // Configuration errors can quote the connection URL, password included.
            sqlx::Error::Configuration(_) => f.write_str("the Postgres URL is not valid"),
            other => write!(f, "Postgres: {other}"),
        }
    }
}

/// A migration error in the same words, its database part without the driver's repeats.
struct MigrateMessage<'a>(&'a sqlx::migrate::MigrateError);

impl fmt::Display for MigrateMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            sqlx::migrate::MigrateError::Execute(error) => {
                write!(f, "while executing migrations: {}", DatabaseMessage(error))
            }
            sqlx::migrate::MigrateError::ExecuteMigration(error, version) => {
                write!(
                    f,
                    "while executing migration {version}: {}",
                    DatabaseMessage(error)
                )
            }
            other => write!(f, "{other}"),
        }
    }
}

#[cfg(test)]
mod tests;
