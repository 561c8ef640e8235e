//! MiniJinja templates are compiled when a subscription is saved, so a typo is reported to
//! the person writing it rather than failing every delivery later.

use minijinja::Environment;

/// Checks that `source` compiles; the error names the line.
pub fn check_template(source: &str) -> Result<(), String> {
    // A fresh environment without a loader: templates cannot reach files or other templates.
    let env = Environment::new();
    match env.template_from_str(source) {
        Ok(_) => Ok(()),
        Err(error) => {
            let detail = error.detail().unwrap_or("syntax error");
            Err(match error.line() {
                Some(line) => format!("does not compile (line {line}): {detail}"),
                None => format!("does not compile: {detail}"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_failing_line() {
        assert!(check_template("{{ event.type }} for {{ event.tenant }}").is_ok());
        let error = check_template("ok\n{% if event.type %}\nno end").unwrap_err();
        assert!(error.starts_with("does not compile (line "), "{error}");
        assert!(
            check_template("{{ unclosed")
                .unwrap_err()
                .contains("line 1")
        );
    }
}
