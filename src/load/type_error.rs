//! Diagnostics for values of the wrong type or shape: a string where a
//! number belongs, `[models]` where `[[models]]` does, `gpus = "al"`.

use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer};

use super::allowed_values::{allowed_values, split_expected};
use super::diagnostic::Diagnostic;
use super::fleet_file::{PullPolicy, Strategy};
use super::source::Source;
use super::suggest::closest;
use super::table_headers::{header_at, table_name};

/// serde's and toml's messages for a value that does not fit its key.
pub fn is_type_error(message: &str) -> bool {
    [
        "invalid type: ",
        "invalid value: ",
        "invalid length ",
        "wanted string or table",
        "integer number overflowed",
        "floating-point number overflowed",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// A diagnostic for a value whose type does not fit where it is written.
pub fn diagnostic(
    source: &Source,
    span: Range<usize>,
    path: &[String],
    message: &str,
) -> Diagnostic {
    let key = path.last().map_or("this value", String::as_str);
    if let Some(diagnostic) = table_kind(source, span.clone(), path, message) {
        return diagnostic;
    }
    if message == "wanted string or table" {
        let found = describe_literal(source.text.get(span.clone()).unwrap_or(""));
        let allowed = enum_values(path);
        let hint = if allowed.is_empty() {
            "expected a string in quotes".to_string()
        } else {
            allowed_values("", &allowed)
        };
        return Diagnostic::at(
            source,
            span,
            format!("wrong type for `{key}`: found {found}"),
        )
        .with_hint(hint);
    }
    let body = message.split_once(": ").map_or(message, |(_, body)| body);
    let (found, expected) = body.split_once(", expected ").unwrap_or((body, ""));
    if message.starts_with("invalid value: ") {
        let value = found.strip_prefix("string ").unwrap_or(found);
        let choices: Vec<&str> = expected.split('"').skip(1).step_by(2).collect();
        let hint = match closest(value.trim_matches('"'), choices) {
            Some(near) => format!("did you mean \"{near}\"? expected {expected}"),
            None => format!("expected {expected}"),
        };
        return Diagnostic::at(source, span, format!("invalid value {value} for `{key}`"))
            .with_hint(hint);
    }
    if found.ends_with(" as i128") || message.contains("overflowed") {
        let written = source.text.get(span.clone()).unwrap_or("").trim();
        return Diagnostic::at(source, span, format!("`{key}` is {written}, out of range"))
            .with_hint("this number is far too large for any setting of fleet.toml");
    }
    let mut hint = format!("expected {}", describe_expected(expected));
    let number_in_quotes = found
        .strip_prefix("string ")
        .map(|text| text.trim_matches('"'))
        .is_some_and(|text| text.parse::<f64>().is_ok());
    if number_in_quotes && describe_expected(expected).contains("number") {
        hint.push_str("; remove the quotes");
    }
    Diagnostic::at(
        source,
        span,
        format!("wrong type for `{key}`: found {}", describe_found(found)),
    )
    .with_hint(hint)
}

/// `[fleet]` written `[[fleet]]`, or `[[models]]` written `[models]`.
fn table_kind(
    source: &Source,
    span: Range<usize>,
    path: &[String],
    message: &str,
) -> Option<Diagnostic> {
    let header = header_at(source, span.start)?;
    let name = path.first()?;
    let list = table_name(std::slice::from_ref(name)).starts_with("[[");
    let (message, hint) = if header.starts_with("[[") && !list {
        (
            format!("`{header}` makes a list of tables, but [{name}] is a single table"),
            format!("write `[{name}]` with single brackets"),
        )
    } else if !header.starts_with("[[") && list && message.contains("expected a sequence") {
        (
            format!("`{header}` makes a single table, but [[{name}]] is a list of tables"),
            format!("write `[[{name}]]` with double brackets, once per entry"),
        )
    } else {
        return None;
    };
    Some(Diagnostic::at(source, span, message).with_hint(hint))
}

/// The allowed values of an enum setting, taken from its type so they stay in step.
fn enum_values(path: &[String]) -> Vec<String> {
    match path.join(".").as_str() {
        "serving.pull" => variants::<PullPolicy>(),
        "balancer.strategy" => variants::<Strategy>(),
        _ => Vec::new(),
    }
}

fn variants<T: DeserializeOwned>() -> Vec<String> {
    let empty: serde::de::value::StrDeserializer<serde::de::value::Error> = "".into_deserializer();
    match T::deserialize(empty) {
        Ok(_) => Vec::new(),
        Err(error) => split_expected(&error.to_string()).1,
    }
}

/// serde's name for what was found, in words: "a string", "a table".
fn describe_found(found: &str) -> String {
    let kind = found.split_once(' ').map_or(found, |(kind, _)| kind);
    match kind {
        "boolean" => "a boolean",
        "integer" => "a whole number",
        "floating" => "a decimal number",
        "string" => "a string",
        "map" => "a table",
        "sequence" => "a list",
        other => other,
    }
    .to_string()
}

/// serde's name for what was wanted, in words.
fn describe_expected(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "i32" | "u32" | "u16" | "u8" | "usize" => "a whole number".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a string" | "string" => "a string in quotes".to_string(),
        "a sequence" => "a list (`[...]`)".to_string(),
        "a map" => "a table".to_string(),
        "a boolean" => "true or false".to_string(),
        other if other.starts_with("struct ") => "a table".to_string(),
        other => other.to_string(),
    }
}

/// What kind of TOML value some text is, for errors that only give a span.
fn describe_literal(text: &str) -> &'static str {
    let text = text.trim();
    match text.chars().next() {
        Some('"' | '\'') => "a string",
        Some('[') => "a list",
        Some('{') => "a table",
        _ if text == "true" || text == "false" => "a boolean",
        _ if text.parse::<i64>().is_ok() => "a whole number",
        _ => "a number",
    }
}
