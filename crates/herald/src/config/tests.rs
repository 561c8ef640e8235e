use super::*;

/// The configuration `pairs` give on top of the defaults (also used by the submodules' tests).
pub(super) fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
    for (key, value) in pairs {
        figment = figment.merge((*key, *value));
    }
    Config::from_figment(figment)
}

#[test]
fn defaults_are_valid_and_need_no_secrets_to_parse() {
    let config = config(&[]).unwrap();
    assert_eq!(config.subject_prefix.as_str(), "herald");
    assert_eq!(config.api_addr.port(), 8080);
    assert!(config.require_encryption_key().is_err());
}

#[test]
fn each_bad_value_names_its_environment_key() {
    let cases = [
        ("encryption_key", "abc", "HERALD_ENCRYPTION_KEY"),
        ("subject_prefix", "Bad.Prefix", "HERALD_SUBJECT_PREFIX"),
        ("api_addr", "localhost", "HERALD_API_ADDR"),
        ("smtp_security", "ssl", "HERALD_SMTP_SECURITY"),
        ("timezone", "Mars/Olympus", "HERALD_TIMEZONE"),
        ("smtp_port", "many", "HERALD_SMTP_PORT"),
        ("log_format", "xml", "HERALD_LOG_FORMAT"),
        ("allow_targets", "10.1.2.0/8", "HERALD_ALLOW_TARGETS"),
    ];
    for (key, value, named) in cases {
        let error = config(&[(key, value)]).unwrap_err();
        assert_eq!(error.key, named, "{key}={value} gave {error}");
    }
}

#[test]
fn missing_required_secret_names_the_key_and_how_to_make_one() {
    let error = config(&[]).unwrap().require_encryption_key().unwrap_err();
    assert_eq!(error.key, "HERALD_ENCRYPTION_KEY");
    assert!(error.reason.contains("64 hex"));
}

#[test]
fn admin_listener_replicas_and_per_subscription_metrics_have_their_defaults() {
    let config = config(&[]).unwrap();
    assert_eq!(config.admin_addr.to_string(), "127.0.0.1:8081");
    assert_eq!(config.stream_replicas, 1);
    assert!(config.metrics_per_subscription);
}

#[test]
fn admin_listener_replicas_and_per_subscription_metrics_parse() {
    // As the TOML file gives them: typed values.
    let figment = Figment::from(Serialized::defaults(RawConfig::default()))
        .merge(("admin_addr", "0.0.0.0:9091"))
        .merge(("stream_replicas", 3))
        .merge(("metrics_per_subscription", false));
    let config = Config::from_figment(figment).unwrap();
    assert_eq!(config.admin_addr.to_string(), "0.0.0.0:9091");
    assert_eq!(config.stream_replicas, 3);
    assert!(!config.metrics_per_subscription);
}

#[test]
fn bad_admin_address_replicas_or_switch_name_their_key() {
    let cases = [
        ("admin_addr", "localhost", "HERALD_ADMIN_ADDR"),
        ("admin_addr", "127.0.0.1", "HERALD_ADMIN_ADDR"),
        ("stream_replicas", "0", "HERALD_STREAM_REPLICAS"),
        ("stream_replicas", "6", "HERALD_STREAM_REPLICAS"),
        ("stream_replicas", "three", "HERALD_STREAM_REPLICAS"),
        (
            "metrics_per_subscription",
            "maybe",
            "HERALD_METRICS_PER_SUBSCRIPTION",
        ),
    ];
    for (key, value, named) in cases {
        let error = config(&[(key, value)]).unwrap_err();
        assert_eq!(error.key, named, "{key}={value} gave {error}");
    }
}

#[test]
fn a_trace_url_template_must_be_http_with_the_trace_id_in_it() {
    assert!(config(&[]).unwrap().trace_url_template.is_none());
    for bad in [
        "grafana:3000/{trace_id}",
        "https://tempo.example.com/trace/",
    ] {
        let error = config(&[("trace_url_template", bad)]).unwrap_err();
        assert_eq!(error.key, "HERALD_TRACE_URL_TEMPLATE", "{bad} gave {error}");
    }
    let config = config(&[(
        "trace_url_template",
        "http://grafana:3000/explore?left={\"queries\":[{\"query\":\"{trace_id}\"}]}",
    )])
    .unwrap();
    let link = config.trace_url_template.unwrap().link("4bf92f35").unwrap();
    assert!(link.ends_with("{\"query\":\"4bf92f35\"}]}"), "{link}");
}
