//! Checks of `[serving].env` and `[[override]].env`. Keys and values go to
//! Docker, compose files and the container's environment, where an empty
//! key, a key with `=` or a NUL would be cut or refused. Values may be
//! secrets: no message quotes them, and the shown line masks them.

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::Checker;
use super::quoted::quoted;

/// The environment as strings; a bad key or value is reported and dropped.
pub fn check_env(
    env: &BTreeMap<Spanned<String>, Spanned<String>>,
    checker: &mut Checker,
) -> BTreeMap<String, String> {
    let mut checked = BTreeMap::new();
    for (key, value) in env {
        let name = key.get_ref();
        let problem = if name.is_empty() {
            Some("an environment variable has an empty name".to_string())
        } else if name.contains('=') {
            Some(format!(
                "environment variable name {} contains '='",
                quoted(name)
            ))
        } else if name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            Some(format!(
                "environment variable name {} contains whitespace or a control character",
                quoted(name)
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            checker.error(
                key.span(),
                problem,
                "name variables with letters, digits and '_', e.g. TF_CPP_MIN_LOG_LEVEL",
            );
            continue;
        }
        if value.get_ref().contains('\0') {
            checker.error(
                value.span(),
                format!("the value of {} contains a NUL character", quoted(name)),
                "an environment value cannot hold NUL (\\u0000); remove it",
            );
            continue;
        }
        checked.insert(name.clone(), value.get_ref().clone());
    }
    checked
}
