use figment::Figment;
use figment::providers::Serialized;

use crate::config::{Config, ConfigError, RawConfig};

fn retention_days(value: impl serde::Serialize) -> Result<u32, ConfigError> {
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(("retention_days", value));
    Config::from_figment(figment).map(|c| c.retention_days)
}

#[test]
fn thirty_days_by_default_and_zero_keeps_forever() {
    let config = Config::from_figment(Figment::from(Serialized::defaults(RawConfig::default())));
    assert_eq!(config.unwrap().retention_days, 30);
    assert_eq!(retention_days(0).unwrap(), 0);
    assert_eq!(retention_days(36_500).unwrap(), 36_500);
}

#[test]
fn a_bad_value_names_the_key() {
    let errors = [
        retention_days(36_501),
        retention_days(-1),
        retention_days("a month"),
    ];
    for error in errors {
        let error = error.unwrap_err();
        assert_eq!(error.key, "HERALD_RETENTION_DAYS", "{error}");
    }
}
