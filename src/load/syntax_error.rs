//! Diagnostics for text that is not TOML at all, with a hint for the usual slips.

use std::ops::Range;

use super::diagnostic::Diagnostic;
use super::source::Source;
use super::table_headers::header_at;

/// A diagnostic for one of toml's syntax errors ("unclosed table, expected `]`").
pub fn diagnostic(source: &Source, span: Range<usize>, message: &str) -> Diagnostic {
    let written = source.text.get(span.clone()).unwrap_or("").trim();
    if message.starts_with("duplicate key") {
        return duplicate(source, span.clone(), written);
    }
    let (problem, expected) = match message.split_once(", expected ") {
        Some((problem, expected)) => (problem, Some(expected)),
        None => (message, None),
    };
    let hint = match problem {
        "string values must be quoted" => format!("put the value in quotes: \"{written}\""),
        "invalid basic string" => "close the string with `\"` on the same line".to_string(),
        "invalid literal string" => "close the string with `'` on the same line".to_string(),
        "unclosed table" => "close the table header with `]`".to_string(),
        "unclosed array table" => "close the table header with `]]`".to_string(),
        "unclosed array" => "close the list with `]`".to_string(),
        "unclosed inline table" => "close the inline table with `}` on the same line".to_string(),
        "missing comma between array elements" => "separate list items with `,`".to_string(),
        "key with no value"
        | "missing value for key"
        | "missing assignment between key-value pairs" => {
            "write each setting as `key = value`".to_string()
        }
        _ => match expected {
            Some(expected) => {
                format!("expected {expected} here; fleet.toml is TOML (https://toml.io)")
            }
            None => "fleet.toml is TOML; see https://toml.io for the syntax".to_string(),
        },
    };
    Diagnostic::at(source, span, format!("invalid TOML: {problem}")).with_hint(hint)
}

/// A key set twice, or a table declared twice.
fn duplicate(source: &Source, span: Range<usize>, written: &str) -> Diagnostic {
    match header_at(source, span.start) {
        Some(header) if !header.starts_with("[[") => {
            Diagnostic::at(source, span, format!("table `{header}` is declared twice"))
                .with_hint("declare each table once; move these keys into the first one")
        }
        _ => Diagnostic::at(source, span, format!("`{written}` is set twice"))
            .with_hint("keep one of the two settings"),
    }
}
