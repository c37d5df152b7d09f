//! The source line a diagnostic shows, shaped so that the caret under it
//! lines up and nothing in it harms the reader: tabs expanded, environment
//! values masked, and absurdly long lines cut around the span.

use std::ops::Range;

/// Columns a tab advances to; terminals differ, so tabs are expanded here
/// and the caret line is computed against the same spaces.
const TAB_STOP: usize = 4;
/// Lines up to this many characters are shown whole.
const WHOLE: usize = 120;
/// Characters of a longer line shown before the span, at most.
const BEFORE: usize = 40;
/// Characters of the span underlined, at most.
pub const SPAN: usize = 60;
/// Characters shown after the span, at most.
const AFTER: usize = 20;

/// A line as shown, with where the caret goes in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// One-based, in shown characters.
    pub caret_column: usize,
    pub width: usize,
}

/// Shapes `line` (raw text of one line) for display. `span` is the byte
/// range within the line to underline (clamped to it); `masked` are byte
/// ranges within the line whose characters are replaced by `*`.
pub fn excerpt(line: &str, span: Range<usize>, masked: &[Range<usize>]) -> Excerpt {
    let start = span.start.min(line.len());
    let end = span.end.clamp(start, line.len());
    // Expand tabs and mask, keeping for every raw character its shown text.
    let mut shown: Vec<char> = Vec::new();
    let (mut caret_start, mut caret_end) = (None, None);
    for (offset, character) in line.char_indices() {
        if offset == start {
            caret_start = Some(shown.len());
        }
        if offset == end {
            caret_end = Some(shown.len());
        }
        let secret = masked.iter().any(|range| range.contains(&offset));
        match character {
            '\t' => {
                let spaces = TAB_STOP - shown.len() % TAB_STOP;
                shown.extend(std::iter::repeat_n(' ', spaces));
            }
            _ if secret => shown.push('*'),
            // A control character would move the terminal's cursor.
            _ if character.is_control() => shown.push('\u{FFFD}'),
            _ => shown.push(character),
        }
    }
    let caret_start = caret_start.unwrap_or(shown.len());
    let caret_end = caret_end.unwrap_or(shown.len()).max(caret_start);
    let width = (caret_end - caret_start).clamp(1, SPAN);
    // Cut what lies far before and after the underlined part.
    let (from, to) = if shown.len() <= WHOLE {
        (0, shown.len())
    } else {
        (
            caret_start.saturating_sub(BEFORE),
            (caret_start + width + AFTER).min(shown.len()),
        )
    };
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    text.extend(&shown[from..to.max(from)]);
    if to < shown.len() {
        text.push('…');
    }
    let caret_column = caret_start - from + usize::from(from > 0) + 1;
    Excerpt {
        text,
        caret_column,
        width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caret(excerpt: &Excerpt) -> String {
        format!(
            "{}{}",
            " ".repeat(excerpt.caret_column - 1),
            "^".repeat(excerpt.width)
        )
    }

    #[test]
    fn tabs_are_expanded_and_the_caret_follows_them() {
        let line = "\tname =\t\"Demo\"";
        let start = line.find('"').unwrap();
        let shown = excerpt(line, start..line.len(), &[]);
        assert_eq!(shown.text, "    name =  \"Demo\"");
        assert_eq!(caret(&shown), "            ^^^^^^");
    }

    #[test]
    fn masked_characters_become_stars() {
        let line = "env = { TOKEN = \"hunter2\" }";
        let value = line.find('"').unwrap();
        let secret = value + 1..value + 8;
        let shown = excerpt(line, 8..13, std::slice::from_ref(&secret));
        assert_eq!(shown.text, "env = { TOKEN = \"*******\" }");
        assert!(!shown.text.contains("hunter2"));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("key = \"{}\"", "x".repeat(500));
        let shown = excerpt(&line, 6..line.len(), &[]);
        assert_eq!(shown.width, SPAN);
        assert!(shown.text.ends_with('…'));
        assert!(shown.text.chars().count() <= 6 + SPAN + AFTER + 1);
        let far = format!("{} = 1", "k".repeat(300));
        let shown = excerpt(&far, 303..304, &[]);
        assert!(shown.text.starts_with('…'));
        assert_eq!(shown.text.chars().nth(shown.caret_column - 1), Some('1'));
    }
}
