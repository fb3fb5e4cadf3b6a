//! Output conventions: zh or en labels, aligned tables in a terminal and tab-separated
//! text when piped, JSON on request, and a progress bar on stderr for long work.

use std::io::{IsTerminal, Write};

use regula_core::{Lang, Text};
use unicode_width::UnicodeWidthStr;

/// `println!` that returns an `io::Result` instead of panicking when standard output
/// is gone (`regula … | head`): main treats a broken pipe as the reader's choice.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that returns an `io::Result` (see [`outln!`]).
#[macro_export]
macro_rules! outp {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// How the user wants to read things.
#[derive(Clone, Copy, Debug)]
pub struct Out {
    /// Labels in this language.
    pub lang: Lang,
    /// Print JSON instead of text.
    pub json: bool,
    /// stdout is a terminal: align tables.
    pub tty: bool,
}

impl Out {
    /// From the global flags.
    pub fn new(lang: Lang, json: bool) -> Self {
        Out {
            lang,
            json,
            tty: std::io::stdout().is_terminal(),
        }
    }

    /// The label in the chosen language.
    pub fn t<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.lang)
    }

    /// Picks between a Chinese and an English literal.
    pub fn s(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Prints `value` as pretty JSON.
    pub fn print_json(&self, value: &impl serde::Serialize) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")
    }

    /// Prints a table: aligned columns in a terminal, tab-separated when piped.
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        if !self.tty {
            writeln!(stdout, "{}", header.join("\t"))?;
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| c.replace(['\t', '\n'], " ")).collect();
                writeln!(stdout, "{}", cells.join("\t"))?;
            }
            return Ok(());
        }
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.width());
                }
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let mut out = String::new();
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(cell);
                let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(cell.width());
                out.extend(std::iter::repeat_n(' ', pad));
            }
            out.trim_end().to_owned()
        };
        writeln!(stdout, "{}", line(&mut header.iter().copied()))?;
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        writeln!(stdout, "{}", line(&mut rule.iter().map(String::as_str)))?;
        for row in rows {
            writeln!(stdout, "{}", line(&mut row.iter().map(String::as_str)))?;
        }
        Ok(())
    }
}

/// `text` padded with spaces to `width` display columns (a CJK character takes two).
pub fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    out
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub struct Progress {
    label: String,
    enabled: bool,
    last: u64,
}

impl Progress {
    /// A bar for `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Progress {
            label: label.into(),
            enabled: std::io::stderr().is_terminal(),
            last: u64::MAX,
        }
    }

    /// Shows `done` of `total`.
    pub fn update(&mut self, done: u64, total: u64) {
        if !self.enabled || total == 0 {
            return;
        }
        let percent = done.saturating_mul(100) / total;
        if percent == self.last {
            return;
        }
        self.last = percent;
        let filled = usize::try_from(percent / 4).unwrap_or(25);
        let bar: String = "█".repeat(filled) + &"░".repeat(25 - filled.min(25));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{} {bar} {percent:>3}% ({done}/{total})", self.label);
        let _ = err.flush();
    }

    /// Clears the bar.
    pub fn finish(&mut self) {
        if self.enabled && self.last != u64::MAX {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
