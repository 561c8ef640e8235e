//! YAML to JSON for `herald apply`, keeping the line of every field so that any later error
//! (ours, the domain's or the API's) can name `file:line: path`.
//!
//! saphyr keeps a span on every node; serde-based YAML crates only locate syntax errors.

use std::collections::BTreeMap;

use saphyr::{LoadableYamlNode as _, MarkedYaml, Scalar, YamlData};
use saphyr_parser::{Event, Parser};
use serde_json::{Map, Number, Value};

use super::error::Problem;

/// A parsed document and the line of each field path (`subscriptions[1].target.url`).
pub struct Located {
    pub value: Value,
    pub lines: BTreeMap<String, usize>,
}

impl Located {
    /// The line of `path`, or of its nearest parent that has one (a field the API names may
    /// be missing from the file, like a required one).
    pub fn line_of(&self, path: &str) -> usize {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return *line;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return self.lines.get("").copied().unwrap_or(1),
            }
        }
    }
}

/// Far deeper than a subscription file goes (about six levels), far shallower than the
/// roughly thousand levels of block nesting at which saphyr's loader overflows the stack and
/// aborts the process (issue 14).
const MAX_DEPTH: usize = 64;

/// Parses `text`; `${VAR}` in any string is replaced by the environment variable `VAR`.
pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Located, Vec<Problem>> {
    check_depth(text)?;
    let documents = MarkedYaml::load_from_str(text).map_err(|error| {
        vec![Problem {
            line: error.marker().line(),
            path: String::new(),
            message: error.info().to_owned(),
        }]
    })?;
    let mut located = Located {
        value: Value::Null,
        lines: BTreeMap::new(),
    };
    let mut problems = Vec::new();
    match documents.as_slice() {
        [document] => {
            located.value = convert(document, "", env, &mut located.lines, &mut problems);
        }
        [] => problems.push(Problem::at(1, "", "the file is empty")),
        [_, second, ..] => problems.push(Problem::at(
            second.span.start.line(),
            "",
            "only one YAML document is allowed",
        )),
    }
    if problems.is_empty() {
        Ok(located)
    } else {
        Err(problems)
    }
}

/// Counts nesting on saphyr's event stream, which keeps its own stack instead of recursing.
fn check_depth(text: &str) -> Result<(), Vec<Problem>> {
    let mut depth = 0usize;
    for event in Parser::new_from_str(text) {
        // A syntax error is left for the loader, which reports it with its line.
        let Ok((event, span)) = event else {
            return Ok(());
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(vec![Problem::at(
                        span.start.line(),
                        "",
                        format!("nests deeper than {MAX_DEPTH} levels"),
                    )]);
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn convert(
    node: &MarkedYaml<'_>,
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
    lines: &mut BTreeMap<String, usize>,
    problems: &mut Vec<Problem>,
) -> Value {
    let line = node.span.start.line();
    lines.entry(path.to_owned()).or_insert(line);
    match &node.data {
        YamlData::Value(scalar) => scalar_value(scalar, line, path, env, problems),
        YamlData::Representation(text, _, _) => substitute(text, line, path, env, problems),
        YamlData::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(item, &format!("{path}[{i}]"), env, lines, problems))
                .collect(),
        ),
        YamlData::Mapping(entries) => {
            let mut out = Map::new();
            for (key, value) in entries {
                let key_line = key.span.start.line();
                let Some(name) = key.data.as_str() else {
                    problems.push(Problem::at(key_line, path, "keys must be strings"));
                    continue;
                };
                let child = if path.is_empty() {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                };
                // The key's line, not the value's: a nested block starts on the next line.
                lines.insert(child.clone(), key_line);
                out.insert(
                    name.to_owned(),
                    convert(value, &child, env, lines, problems),
                );
            }
            Value::Object(out)
        }
        YamlData::Tagged(_, inner) => convert(inner, path, env, lines, problems),
        YamlData::Alias(_) | YamlData::BadValue => {
            problems.push(Problem::at(
                line,
                path,
                "aliases and bad values are not supported",
            ));
            Value::Null
        }
    }
}

fn scalar_value(
    scalar: &Scalar<'_>,
    line: usize,
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => {
            Number::from_f64(f.into_inner()).map_or(Value::Null, Value::Number)
        }
        Scalar::String(text) => substitute(text, line, path, env, problems),
    }
}

/// `${NAME}` → the variable's value. `$` alone stays as it is, so URLs and templates that
/// contain a dollar need no escaping.
fn substitute(
    text: &str,
    line: usize,
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) -> Value {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            problems.push(Problem::at(line, path, "`${` without a closing `}`"));
            return Value::String(text.to_owned());
        };
        let name = &after[..end];
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            problems.push(Problem::at(
                line,
                path,
                format!("`${{{name}}}` is not a variable name"),
            ));
        } else {
            match env(name) {
                Some(value) => out.push_str(&value),
                None => problems.push(Problem::at(
                    line,
                    path,
                    format!("environment variable {name} is not set"),
                )),
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Value::String(out)
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
