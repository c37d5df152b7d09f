//! Turns toml's errors into located diagnostics with hints: unknown keys and
//! tables, enum values, missing keys; wrong types and TOML syntax have their
//! own modules.

use std::ops::Range;

use super::allowed_values::{allowed_values, split_expected};
use super::diagnostic::Diagnostic;
use super::quoted::quoted;
use super::source::Source;
use super::suggest::closest;
use super::table_headers::{header_at, table_name};
use super::{syntax_error, type_error};

/// One diagnostic for the first error toml met.
pub fn diagnostic_from_toml(source: &Source, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim();
    let first_line = message.lines().next().unwrap_or(message);
    let path = key_path(error);
    if let Some(rest) = first_line.strip_prefix("unknown field ") {
        return unknown_key(source, span, &path, rest);
    }
    if let Some(rest) = first_line.strip_prefix("unknown variant ") {
        return unknown_variant(source, span, &path, rest);
    }
    if let Some(rest) = first_line.strip_prefix("missing field ") {
        return missing_key(source, span, &path, rest.trim_matches('`'));
    }
    if type_error::is_type_error(first_line) {
        return type_error::diagnostic(source, span, &path, first_line);
    }
    syntax_error::diagnostic(source, span, first_line)
}

/// The dotted key an error is about (`placement.gpus`), which toml only
/// shows when it prints an error without its input.
fn key_path(error: &toml::de::Error) -> Vec<String> {
    let mut bare = error.clone();
    bare.set_input(None);
    bare.to_string()
        .lines()
        .find_map(|line| {
            line.strip_prefix("in `")?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .map(|path| path.split('.').map(str::to_string).collect())
        .unwrap_or_default()
}

fn unknown_key(source: &Source, span: Range<usize>, path: &[String], rest: &str) -> Diagnostic {
    let (key, allowed) = split_expected(rest);
    let near = closest(&key, allowed.iter().map(String::as_str));
    if let Some(header) = header_at(source, span.start) {
        let bracket = |name: &str| match path {
            [] => table_name(&[name.to_string()]),
            _ => format!("[{}.{name}]", path.join(".")),
        };
        let tables: Vec<String> = allowed.iter().map(|name| bracket(name)).collect();
        let listing = match path {
            [] => format!("the tables are {}", tables.join(", ")),
            _ => format!("keys of {}: {}", table_name(path), allowed.join(", ")),
        };
        let hint = match near {
            Some(near) => format!("did you mean `{}`? {listing}", bracket(near)),
            None => listing,
        };
        return Diagnostic::at(source, span, format!("unknown table `{header}`")).with_hint(hint);
    }
    let (message, listing) = match path {
        [] => (
            format!("unknown key `{key}` outside any table"),
            format!(
                "keys go under a table header; the tables are {}",
                allowed
                    .iter()
                    .map(|name| table_name(std::slice::from_ref(name)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        _ => (
            format!("unknown key `{key}` in {}", table_name(path)),
            format!("allowed keys here: {}", allowed.join(", ")),
        ),
    };
    let hint = match near {
        Some(near) => format!("did you mean `{near}`? {listing}"),
        None => listing,
    };
    Diagnostic::at(source, span, message).with_hint(hint)
}

fn unknown_variant(source: &Source, span: Range<usize>, path: &[String], rest: &str) -> Diagnostic {
    let (value, allowed) = split_expected(rest);
    let message = match path.last() {
        Some(key) => format!("invalid value {} for `{key}`", quoted(&value)),
        None => format!("invalid value {}", quoted(&value)),
    };
    Diagnostic::at(source, span, message).with_hint(allowed_values(&value, &allowed))
}

fn missing_key(source: &Source, span: Range<usize>, path: &[String], key: &str) -> Diagnostic {
    if path.is_empty() {
        let span = first_content_line(source);
        let table = table_name(&[key.to_string()]);
        let (message, hint) = match key {
            "fleet" => (
                "missing [fleet] table".to_string(),
                "start the file with a [fleet] table holding `name = \"...\"`".to_string(),
            ),
            "models" => (
                "no [[models]] table".to_string(),
                "add at least one [[models]] table with `name` and `path`".to_string(),
            ),
            _ => (
                format!("missing {table} table"),
                format!("add a {table} table"),
            ),
        };
        return Diagnostic::at(source, span, message).with_hint(hint);
    }
    let hint = match (path.join(".").as_str(), key) {
        ("fleet", "name") => {
            "add `name = \"...\"`: 1 to 40 characters of a-z, 0-9 and '-'".to_string()
        }
        ("models", "name") => {
            "add `name = \"...\"`: the model's name in TF Serving URLs".to_string()
        }
        ("models", "path") => {
            "add `path = \"...\"`: the directory holding the model's numeric version directories"
                .to_string()
        }
        _ => format!("add `{key} = ...` to this table"),
    };
    Diagnostic::at(
        source,
        span,
        format!("missing required key `{key}` in {}", table_name(path)),
    )
    .with_hint(hint)
}

/// The first line that is neither blank nor a comment: where a missing
/// top-level table is reported, for want of a better place.
fn first_content_line(source: &Source) -> Range<usize> {
    let mut start = 0;
    for line in source.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let indent = line.len() - line.trim_start().len();
            return start + indent..start + indent + line.trim().len();
        }
        start += line.len();
    }
    0..0
}
