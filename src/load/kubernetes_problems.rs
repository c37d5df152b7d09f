//! What a host takes but Kubernetes refuses, found while loading and
//! reported by `tfs export kubernetes` only: the fleet stays valid for hosts.

use toml::Spanned;

use super::checker::Checker;
use super::diagnostic::Diagnostic;
use super::fleet_file::FleetFile;
use super::quoted::quoted;

/// Every such problem, in file order.
pub fn export_problems(file: &FleetFile, checker: &Checker) -> Vec<Diagnostic> {
    let mut problems: Vec<Diagnostic> = name_problem(&file.fleet.name, checker)
        .into_iter()
        .collect();
    let names = file.serving.env.keys().chain(
        file.overrides
            .iter()
            .flat_map(|item| item.get_ref().env.keys()),
    );
    for name in names {
        if !is_env_name(name.get_ref()) {
            problems.push(
                Diagnostic::at(
                    checker.source,
                    name.span(),
                    format!("environment variable name {} is one Kubernetes refuses", quoted(name.get_ref())),
                )
                .with_hint("Kubernetes takes names of letters, digits, '_', '-' and '.', not starting with a digit: rename it to export the fleet to Kubernetes"),
            );
        }
    }
    problems.sort_by_key(|problem| (problem.line, problem.column));
    problems
}

/// Kubernetes' rule for container environment variable names (before 1.34
/// relaxed it): `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || "-._".contains(c))
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

/// Why the fleet's name cannot name Kubernetes objects: hosts take names
/// that Kubernetes does not.
fn name_problem(name: &Spanned<String>, checker: &Checker) -> Option<Diagnostic> {
    let text = name.get_ref();
    let problem = if !text.starts_with(|c: char| c.is_ascii_lowercase()) {
        "Kubernetes Service names start with a letter"
    } else if text.ends_with('-') {
        "Kubernetes label values end with a letter or digit"
    } else {
        return None;
    };
    Some(
        Diagnostic::at(
            checker.source,
            name.span(),
            format!("fleet name {} cannot name Kubernetes objects", quoted(text)),
        )
        .with_hint(format!(
            "{problem}: rename the fleet to export it to Kubernetes"
        )),
    )
}
