//! How fleet.toml writes its tables: `[fleet]`, `[[models]]`, `[placement.gpus]`.
//! Shared by every diagnostic that names a table or points at its header.

use super::source::Source;

/// Top-level tables that are lists (`[[models]]`), not single tables.
const LIST_TABLES: [&str; 2] = ["models", "override"];

/// A table as written in fleet.toml: `[fleet]`, `[[models]]`, `[placement.gpus]`.
pub fn table_name(path: &[String]) -> String {
    match path {
        [] => "the top level".to_string(),
        [name] if LIST_TABLES.contains(&name.as_str()) => format!("[[{name}]]"),
        _ => format!("[{}]", path.join(".")),
    }
}

/// The table header on the line of `offset`, as written (`[placment]`), if that line is one.
pub fn header_at(source: &Source, offset: usize) -> Option<String> {
    let line = source.position(offset).line_text;
    let trimmed = line.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    let end = trimmed.rfind(']').map_or(trimmed.len(), |index| index + 1);
    Some(trimmed[..end].to_string())
}
