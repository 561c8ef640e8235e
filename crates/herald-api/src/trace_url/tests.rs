use super::*;

const GRAFANA: &str =
    r#"http://grafana:3000/explore?left={"datasource":"tempo","queries":[{"query":"{trace_id}"}]}"#;

#[test]
fn the_trace_id_goes_where_the_placeholder_is() {
    let template = TraceUrlTemplate::parse(GRAFANA).unwrap();
    assert_eq!(
        template.link("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        r#"http://grafana:3000/explore?left={"datasource":"tempo","queries":[{"query":"4bf92f3577b34da6a3ce929d0e0e4736"}]}"#
    );
}

#[test]
fn a_template_must_be_http_with_a_host_and_the_placeholder() {
    assert_eq!(
        TraceUrlTemplate::parse("ftp://x/{trace_id}"),
        Err(TraceUrlError::NotHttp)
    );
    assert_eq!(
        TraceUrlTemplate::parse("javascript:alert({trace_id})"),
        Err(TraceUrlError::NotHttp)
    );
    assert_eq!(
        TraceUrlTemplate::parse("https://tempo.example.com/trace/"),
        Err(TraceUrlError::NoPlaceholder)
    );
    assert_eq!(
        TraceUrlTemplate::parse("https:///{trace_id}"),
        Err(TraceUrlError::NoHost)
    );
    assert!(TraceUrlTemplate::parse("HTTPS://tempo.example.com/trace/{trace_id}").is_ok());
}

#[test]
fn an_id_that_is_not_hex_gets_no_link() {
    let template = TraceUrlTemplate::parse("https://t.example.com/{trace_id}").unwrap();
    assert_eq!(template.link(""), None);
    assert_eq!(template.link("\"><script>"), None);
}
