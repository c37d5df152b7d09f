//! Deserializing fleet.toml so that one run reports every problem serde
//! meets, not only its first: after each error the offending key is taken
//! out of the parsed tree and deserialization tried again.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeArray, DeTable, DeValue, Deserializer};

use super::diagnostic::Diagnostic;
use super::fleet_file::FleetFile;
use super::parse_error::diagnostic_from_toml;
use super::source::Source;

/// Enough for any file a person writes; a bound, so that recovery ends.
const MAX_ERRORS: usize = 100;

/// The fleet file as deserialized, when what was wrong could be taken out
/// of it, and the diagnostics for everything that was. A TOML syntax error
/// is the one diagnostic: nothing after it can be trusted.
pub fn deserialize(source: &Source) -> (Option<FleetFile>, Vec<Diagnostic>) {
    let mut tree = match DeTable::parse(&source.text) {
        Ok(tree) => tree,
        Err(error) => return (None, vec![diagnostic_from_toml(source, &error)]),
    };
    let mut diagnostics = Vec::new();
    let mut removed = BTreeSet::new();
    while diagnostics.len() < MAX_ERRORS {
        let error = match FleetFile::deserialize(Deserializer::from(tree.clone())) {
            Ok(file) => return (Some(file), diagnostics),
            Err(error) => error,
        };
        // A key taken out here was reported already, as what it was; the
        // table missing it now goes too, so that the tables after it are
        // still checked.
        let missing = error.message().trim().strip_prefix("missing field ");
        if !missing.is_some_and(|key| removed.contains(key.trim_matches('`'))) {
            diagnostics.push(diagnostic_from_toml(source, &error));
        }
        let Some(span) = error.span() else { break };
        match remove(tree.get_mut(), &span) {
            Some(key) => removed.insert(key),
            None => break,
        };
    }
    (None, diagnostics)
}

/// Takes out of `table` the entry an error at `span` is about, the most
/// deeply nested one: the key or value written there, or else the list
/// holding it. Returns the key's name. Every table is searched, since a
/// table's own span covers only its header.
fn remove(table: &mut DeTable, span: &Range<usize>) -> Option<String> {
    // Deeper first: an array of tables spans like its first table.
    for (_, value) in table.iter_mut() {
        if let Some(name) = remove_within(value.get_mut(), span) {
            return Some(name);
        }
    }
    let exact = table
        .iter()
        .find(|(key, value)| key.span() == *span || value.span() == *span)
        .map(|(key, _)| key.get_ref().to_string());
    if let Some(name) = exact {
        table.remove(name.as_str());
        return Some(name);
    }
    // An element of a list, such as `versions = [1, "2"]`: the list goes.
    let holder = table
        .iter()
        .find(|(_, value)| contains(&value.span(), span))
        .map(|(key, _)| key.get_ref().to_string())?;
    table.remove(holder.as_str());
    Some(holder)
}

/// Removes from a table, or from the tables of an array of tables, what is
/// at `span`; None when it is in none of their entries.
fn remove_within(value: &mut DeValue, span: &Range<usize>) -> Option<String> {
    match value {
        DeValue::Table(table) => remove(table, span),
        DeValue::Array(array) => {
            for item in array.iter_mut() {
                if let DeValue::Table(table) = item.get_mut() {
                    if let Some(name) = remove(table, span) {
                        return Some(name);
                    }
                }
            }
            // A table of an array of tables that is wrong as a whole
            // (missing a key) goes; its siblings are still checked. The
            // last one goes with its key, which then is not reported missing.
            let position = array.iter().position(|item| {
                item.span() == *span && matches!(item.get_ref(), DeValue::Table(_))
            })?;
            if array.len() < 2 {
                return None;
            }
            let mut kept = DeArray::new();
            for (index, item) in array.iter().enumerate() {
                if index != position {
                    kept.push(item.clone());
                }
            }
            *array = kept;
            Some(String::new())
        }
        _ => None,
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer != &(0..0)
}
