use std::path::{Path, PathBuf};

/// The text of a fleet file together with where it came from, so that any
/// later check can point back at a line and column.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// A one-based line and column, plus the text of that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub line_text: String,
}

impl Source {
    /// Text read from `path`; the path is what diagnostics name.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
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
