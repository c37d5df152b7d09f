//! The one place that writes to stdout and stderr.
//!
//! Colour is decided once here (`--color`, `NO_COLOR`, whether the stream
//! is a terminal); everything else hands over finished text.

use std::io::{IsTerminal, Write};

use console::Style;

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Writes the CLI's output.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    color: bool,
    quiet: bool,
}

impl Printer {
    pub fn new(choice: ColorChoice, quiet: bool) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
                    && std::env::var("TERM").map_or(true, |term| term != "dumb")
            }
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        Self { color, quiet }
    }

    pub fn color(&self) -> bool {
        self.color
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A result for the user or a program: always printed.
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }

    /// Progress and chatter: dropped with --quiet.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }

    pub fn warn(&self, text: &str) {
        let label = self.paint(Style::new().yellow().bold(), "warning:");
        let _ = writeln!(std::io::stderr(), "{label} {text}");
    }

    /// An error with its cause chain, printed once at the top.
    pub fn error(&self, error: &anyhow::Error) {
        let label = self.paint(Style::new().red().bold(), "error:");
        let messages = crate::error_chain::messages(error.as_ref());
        let mut text = format!("{label} {}", messages[0]);
        for cause in &messages[1..] {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    /// Clears the terminal, for --watch; nothing when stdout is not one.
    pub fn clear_screen(&self) {
        let term = console::Term::stdout();
        if term.is_term() {
            let _ = term.clear_screen();
        }
    }

    pub fn stdin_is_terminal(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    pub fn stderr_is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }

    /// Asks a question on stderr and reads one line of stdin.
    pub fn ask(&self, question: &str) -> String {
        let _ = write!(std::io::stderr(), "{question} ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        answer.trim().to_string()
    }
}
