use std::fmt;
use std::ops::Range;

use super::excerpt::excerpt;
use super::source::Source;

/// A problem in a fleet file, located at a span of its text.
///
/// Displays as `file:line:col: message`, the source line, a caret under the
/// span and a hint, the way compilers report errors.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    /// One-based, in characters of the line as written.
    pub column: usize,
    /// The line as shown: tabs expanded, secrets masked, cut when very long.
    pub line_text: String,
    /// One-based column of the caret in `line_text`.
    pub caret_column: usize,
    pub width: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The file is fine but the host lacks what it names (a model
    /// directory): commands that act on the live fleet by labels go on.
    pub about_host: bool,
}

impl Diagnostic {
    /// A diagnostic pointing at `span` of the source, without a hint yet.
    pub fn at(source: &Source, span: Range<usize>, message: impl Into<String>) -> Self {
        let position = source.position(span.start);
        let line = source.line_range(span.start);
        // A span may run over several lines (a whole table); underline only its first.
        let within = |range: &Range<usize>| {
            range.start.max(line.start) - line.start..range.end.min(line.end) - line.start
        };
        let masked: Vec<Range<usize>> = source
            .secrets
            .iter()
            .filter(|secret| secret.start < line.end && secret.end > line.start)
            .map(within)
            .collect();
        let span = span.start.clamp(line.start, line.end)..span.end.max(span.start);
        let shown = excerpt(&source.text[line.clone()], within(&span), &masked);
        Self {
            file: source.path.display().to_string(),
            line: position.line,
            column: position.column,
            line_text: shown.text,
            caret_column: shown.caret_column,
            width: shown.width,
            message: message.into(),
            hint: None,
            about_host: false,
        }
    }

    /// Adds the line that says how to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gutter = self.line.to_string().len();
        writeln!(
            formatter,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        writeln!(formatter, "{:gutter$} |", "")?;
        writeln!(formatter, "{} | {}", self.line, self.line_text)?;
        write!(
            formatter,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(self.caret_column - 1),
            "^".repeat(self.width)
        )?;
        if let Some(hint) = &self.hint {
            write!(formatter, "\n{:gutter$} = hint: {hint}", "")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Every problem found in one fleet file; validation reports them all at once.
///
/// Displays the diagnostics in file order, a blank line apart. The printer
/// labels the first with `error:`; every later one carries the label itself,
/// so each problem reads as an error of its own.
#[derive(Debug, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                write!(formatter, "\n\nerror: ")?;
            }
            write!(formatter, "{diagnostic}")?;
        }
        if self.0.len() > 1 {
            write!(
                formatter,
                "\n\nerror: {} problems in {}",
                self.0.len(),
                self.0[0].file
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
