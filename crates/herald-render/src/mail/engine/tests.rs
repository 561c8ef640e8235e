use super::*;

#[test]
fn every_template_compiles() {
    for (name, _) in TEMPLATES {
        ENVIRONMENT.get_template(name).unwrap();
    }
}

#[test]
fn html_is_escaped_and_text_is_not() {
    let view = minijinja::Value::from(Serde(serde_json::json!({ "x": "<b>&" })));
    let html = ENVIRONMENT
        .render_named_str("probe.html.j2", "{{ x }}", view.clone())
        .unwrap();
    let text = ENVIRONMENT
        .render_named_str("probe.txt.j2", "{{ x }}", view.clone())
        .unwrap();
    assert_eq!(html, "&lt;b&gt;&amp;");
    assert_eq!(text, "<b>&");
}
