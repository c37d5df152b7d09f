use std::ops::Range;
use std::path::{Path, PathBuf};

/// The text of a fleet file together with where it came from, so that any
/// later check can point back at a line and column.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    /// Byte ranges of environment values: diagnostics show them as `*`.
    pub secrets: Vec<Range<usize>>,
}

/// A one-based line and column, plus the text of that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub line_text: String,
}

impl Source {
    /// Text read from `path`; the path is what diagnostics name. A UTF-8
    /// byte order mark is dropped, so that it neither counts as a column nor
    /// shows in a quoted line.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        Self {
            path: path.into(),
            text,
            secrets: Vec::new(),
        }
    }

    /// The byte range of the line holding `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |index| index + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |index| offset + index);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    /// The directory that relative paths in the file are resolved against.
    pub fn directory(&self) -> &Path {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        }
    }

    /// Line and column (both one-based, column counted in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let line_end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |index| offset + index);
        Position {
            line: before.matches('\n').count() + 1,
            column: self.text[line_start..offset].chars().count() + 1,
            line_text: self.text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }
}
