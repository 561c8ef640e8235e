use super::*;

#[test]
fn sqlstates_sort_into_what_a_caller_can_do() {
    for code in [
        "08006", "40001", "40P01", "53300", "57P01", "57014", "25006", "55P03",
    ] {
        assert_eq!(sqlstate_kind(code), FailureKind::Transient, "{code}");
    }
    for code in ["22P05", "22001", "23505", "23514", "54000", "P0001"] {
        assert_eq!(sqlstate_kind(code), FailureKind::Data, "{code}");
    }
    for code in ["42P01", "42703", "XX000"] {
        assert_eq!(sqlstate_kind(code), FailureKind::Unexplained, "{code}");
    }
}

#[test]
fn driver_errors_name_their_cause_without_the_url() {
    let timed_out = StoreError::Database(sqlx::Error::PoolTimedOut);
    assert!(timed_out.is_transient());
    assert!(timed_out.to_string().contains("pool timeout"));
    let io = StoreError::Database(sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "Connection refused",
    )));
    assert_eq!(io.kind(), FailureKind::Transient);
    assert_eq!(
        io.to_string(),
        "cannot talk to Postgres: Connection refused"
    );
    let config = StoreError::Database(sqlx::Error::Configuration(
        "postgres://user:hunter2@db/herald is bad".into(),
    ));
    assert!(!config.to_string().contains("hunter2"));
}

#[test]
fn a_printed_error_chain_says_the_cause_once_and_never_the_url() {
    let config = StoreError::Database(sqlx::Error::Configuration(
        "postgres://user:hunter2@db/herald is bad".into(),
    ));
    assert!(std::error::Error::source(&config).is_none());
    let migrate = StoreError::Migrate(sqlx::migrate::MigrateError::Execute(
        sqlx::Error::Configuration("postgres://user:hunter2@db/herald is bad".into()),
    ));
    assert!(std::error::Error::source(&migrate).is_none());
    assert_eq!(
        migrate.to_string(),
        "migration failed: while executing migrations: the Postgres URL is not valid"
    );
}
