//! A value from fleet.toml as a message quotes it: control characters
//! escaped, so that they cannot act on the terminal, and cut when long, so
//! that a message stays one readable line.

/// Characters of a value quoted in full; longer ones are cut.
const LONGEST: usize = 60;

/// `"value"`, escaped, and cut after 60 characters with `…`.
pub fn quoted(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(LONGEST)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > LONGEST {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_values_cut() {
        assert_eq!(quoted("nginx:1.27"), "\"nginx:1.27\"");
        assert_eq!(quoted("a\nb\u{0}"), "\"a\\nb\\0\"");
        let long = "x".repeat(500);
        assert_eq!(quoted(&long), format!("\"{}…\"", "x".repeat(60)));
    }
}
