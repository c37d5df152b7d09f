//! Turns toml's deserialization errors into located diagnostics with hints.

use super::diagnostic::Diagnostic;
use super::source::Source;
use super::suggest::closest;

pub fn diagnostic_from_toml(source: &Source, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim();
    let first_line = message.lines().next().unwrap_or(message);
    if let Some(rest) = first_line.strip_prefix("unknown field ") {
        let (key, allowed) = split_expected(rest);
        let hint = match closest(&key, allowed.iter().map(String::as_str)) {
            Some(near) => format!(
                "did you mean `{near}`? allowed keys here: {}",
                allowed.join(", ")
            ),
            None => format!("allowed keys here: {}", allowed.join(", ")),
        };
        return Diagnostic::at(source, span, format!("unknown key `{key}`")).with_hint(hint);
    }
    if let Some(rest) = first_line.strip_prefix("unknown variant ") {
        let (value, allowed) = split_expected(rest);
        let quoted: Vec<String> = allowed.iter().map(|value| format!("\"{value}\"")).collect();
        let mut hint = format!("allowed values: {}", quoted.join(", "));
        if let Some(near) = closest(&value, allowed.iter().map(String::as_str)) {
            hint = format!("did you mean \"{near}\"? {hint}");
        }
        return Diagnostic::at(source, span, format!("invalid value \"{value}\"")).with_hint(hint);
    }
    if let Some(rest) = first_line.strip_prefix("missing field ") {
        let key = rest.trim_matches('`');
        return Diagnostic::at(source, span, format!("missing required key `{key}`"))
            .with_hint(format!("add `{key} = ...` to this table"));
    }
    if first_line.starts_with("invalid type") || first_line.starts_with("invalid value") {
        let expected = first_line
            .split_once(", expected ")
            .map(|(_, expected)| humanize(expected))
            .unwrap_or_else(|| "a different type".to_string());
        return Diagnostic::at(source, span, first_line.to_string())
            .with_hint(format!("expected {expected}"));
    }
    Diagnostic::at(source, span, first_line.to_string())
        .with_hint("see the fleet.toml reference in README.md")
}

/// Splits "`key`, expected one of `a`, `b`" into the key and the list.
fn split_expected(text: &str) -> (String, Vec<String>) {
    let (head, tail) = text.split_once(", expected").unwrap_or((text, ""));
    let key = head.trim().trim_matches('`').to_string();
    let allowed = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    (key, allowed)
}

/// Rust type names in serde messages mean little to a user.
fn humanize(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "i32" | "u32" | "u16" => "a whole number".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a string" | "string" => "a string in quotes".to_string(),
        other => other.to_string(),
    }
}
