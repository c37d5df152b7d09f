//! Where fleet.toml writes environment values, which may be passwords or
//! tokens: every diagnostic masks them in the line it shows.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Byte ranges of the values of `[serving].env` and `[[override]].env`,
/// without their quotes; found even in a file with a syntax error, as far
/// as it parses.
pub fn environment_values(text: &str) -> Vec<Range<usize>> {
    let (root, _) = DeTable::parse_recoverable(text);
    let root = root.get_ref();
    let mut tables: Vec<&DeTable> = Vec::new();
    if let Some(DeValue::Table(serving)) = root.get("serving").map(Spanned::get_ref) {
        tables.push(serving);
    }
    if let Some(DeValue::Array(overrides)) = root.get("override").map(Spanned::get_ref) {
        tables.extend(overrides.iter().filter_map(|item| match item.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => None,
        }));
    }
    let mut secrets = Vec::new();
    for table in tables {
        let Some(env) = table.get("env") else {
            continue;
        };
        match env.get_ref() {
            DeValue::Table(env) => {
                secrets.extend(env.values().map(|value| inside_quotes(text, value.span())));
            }
            // `env = "..."` is a type error, and may still be a secret.
            _ => secrets.push(inside_quotes(text, env.span())),
        }
    }
    secrets
}

/// The span without the quotes around a string, which stay visible.
fn inside_quotes(text: &str, span: Range<usize>) -> Range<usize> {
    let written = text.get(span.clone()).unwrap_or("");
    let quotes = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|quote| written.len() >= 2 * quote.len() && written.starts_with(quote))
        .map_or(0, str::len);
    span.start + quotes..span.end - quotes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_both_env_tables_are_found_in_every_spelling() {
        let text = "[serving]\nenv = { TOKEN = \"abc\" }\n\n[[override]]\ngpu = 0\n\
                    [override.env]\nKEY = 'xyz'\n";
        let found: Vec<&str> = environment_values(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(found, ["abc", "xyz"]);
    }
}
