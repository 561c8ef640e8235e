//! The mail templates, compiled once. They are files in the repository (`templates/`), built
//! into the binary; the HTML ones are auto-escaped, so no publisher text can become markup.

use std::sync::LazyLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

/// Every template by the name the others and the renderers use.
const TEMPLATES: [(&str, &str); 7] = [
    (
        "layout.html.j2",
        include_str!("../../templates/layout.html.j2"),
    ),
    (
        "event.html.j2",
        include_str!("../../templates/event.html.j2"),
    ),
    ("event.txt.j2", include_str!("../../templates/event.txt.j2")),
    (
        "digest.html.j2",
        include_str!("../../templates/digest.html.j2"),
    ),
    (
        "digest.txt.j2",
        include_str!("../../templates/digest.txt.j2"),
    ),
    (
        "group.html.j2",
        include_str!("../../templates/group.html.j2"),
    ),
    ("group.txt.j2", include_str!("../../templates/group.txt.j2")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A loader rather than `add_template`: a template that does not compile then fails its
    // render, as a `Result`, instead of the start-up.
    env.set_loader(|name| {
        Ok(TEMPLATES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, source)| *source))
    });
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // A misspelt field fails the tests rather than leaving a silent gap in a mail.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on lines of their own leave no blank lines in the text part. Only custom
    // delimiters can make the build fail, and these are the default ones.
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .unwrap_or_default();
    env.set_syntax(syntax);
    env
});

pub(super) fn render(name: &str, view: &impl Serialize) -> Result<String, minijinja::Error> {
    ENVIRONMENT.get_template(name)?.render(Serde(view))
}

#[cfg(test)]
mod tests;
