//! Collects diagnostics while the fleet file is checked, so that one run
//! reports every problem rather than the first.

use std::ops::{Range, RangeInclusive};

use toml::Spanned;

use super::diagnostic::Diagnostic;
use super::source::Source;

/// The fleet file being checked and what was found wrong so far.
pub struct Checker<'a> {
    pub source: &'a Source,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    /// A checker with nothing reported yet.
    pub fn new(source: &'a Source) -> Self {
        Self {
            source,
            diagnostics: Vec::new(),
        }
    }

    /// Reports a problem at `span` with a hint on how to fix it.
    pub fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diagnostics
            .push(Diagnostic::at(self.source, span, message).with_hint(hint));
    }

    /// Reports that the host lacks what the file names (see [`Diagnostic::about_host`]).
    pub fn host_error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let mut diagnostic = Diagnostic::at(self.source, span, message).with_hint(hint);
        diagnostic.about_host = true;
        self.diagnostics.push(diagnostic);
    }

    /// A whole number within `range`, or a diagnostic naming the range.
    pub fn number(
        &mut self,
        value: &Spanned<i64>,
        range: RangeInclusive<i64>,
        key: &str,
    ) -> Option<u32> {
        let number = *value.get_ref();
        if range.contains(&number) {
            return u32::try_from(number).ok();
        }
        self.error(
            value.span(),
            format!("`{key}` is {number}, out of range"),
            format!(
                "`{key}` must be between {} and {}",
                range.start(),
                range.end()
            ),
        );
        None
    }

    /// A port number, 1 to 65535.
    pub fn port(&mut self, value: &Spanned<i64>, key: &str) -> Option<u16> {
        self.number(value, 1..=65535, key)
            .and_then(|port| u16::try_from(port).ok())
    }
}
