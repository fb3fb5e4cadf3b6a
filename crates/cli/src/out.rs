//! Output conventions: zh or en labels, aligned tables in a terminal and tab-separated
//! text when piped, JSON on request, and a progress bar on stderr for long work.
//!
//! Everything printed goes through [`regula_core::plain_text`]'s escaping: a stored
//! text (an actor id, a note, a payload field) can never send an escape sequence, a
//! bidi override or an invisible character to the terminal. `outln!`, `outp!`,
//! `errln!`, [`Out::table`], [`Out::print_json`] and [`Screen`] escape; nothing here
//! writes user text to stdout or stderr any other way.

use std::io::{IsTerminal, Write};

use regula_core::plain_text::{escape, escape_lines};
use regula_core::{Lang, Text};
use unicode_width::UnicodeWidthStr;

/// `println!` that returns an `io::Result` instead of panicking when standard output
/// is gone (`regula … | head`): main treats a broken pipe as the reader's choice.
/// The text is escaped ([`regula_core::plain_text::escape_lines`]).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        writeln!(std::io::stdout().lock(), "{}", regula_core::plain_text::escape_lines(&text))
    }};
}

/// `print!` that returns an `io::Result` (see [`outln!`]); escaped likewise.
#[macro_export]
macro_rules! outp {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        write!(std::io::stdout().lock(), "{}", regula_core::plain_text::escape_lines(&text))
    }};
}

/// `eprintln!`, escaped like [`outln!`]; a closed stderr is ignored.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stderr().lock(), "{}", regula_core::plain_text::escape_lines(&text));
    }};
}

/// An object printed under `--json`: `format` ([`crate::ctx::FORMAT`]), then the
/// value's members (serde's flatten takes structs and maps only).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Versioned<'a, T: ?Sized> {
    /// The version of the CLI's JSON vocabulary.
    pub format: u32,
    /// The document.
    #[serde(flatten)]
    pub value: &'a T,
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
    /// Colour the status words written to stdout ([`Out::with_color`]).
    pub color_out: bool,
    /// Colour the status words written to stderr.
    pub color_err: bool,
}

/// Whether to colour, as `--color` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When the stream is a terminal, `NO_COLOR` is unset or empty and `TERM` is not
    /// `dumb`.
    Auto,
    /// Always, even piped and whatever `NO_COLOR` says (the flag wins over the
    /// environment).
    Always,
    /// Never.
    Never,
}

/// How a status word is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// A refusal, a failure, an error: bold red.
    Bad,
    /// A success: green.
    Good,
}

impl Tone {
    fn code(self) -> &'static str {
        match self {
            Tone::Bad => "\x1b[1;31m",
            Tone::Good => "\x1b[32m",
        }
    }
}

impl Out {
    /// From the global flags.
    pub fn new(lang: Lang, json: bool) -> Self {
        Out {
            lang,
            json,
            tty: std::io::stdout().is_terminal(),
            color_out: false,
            color_err: false,
        }
    }

    /// With colour as `choice` says, for each stream: `auto` colours a terminal unless
    /// `no_color` (the environment's `NO_COLOR`, set and not empty) or a `dumb`
    /// terminal says not to; `always` and `never` win over the environment. Piped
    /// output under `auto` is byte for byte what it is without colour.
    pub fn with_color(mut self, choice: ColorChoice, no_color: bool, dumb: bool) -> Self {
        let decide = |terminal: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color && !dumb,
        };
        self.color_out = decide(self.tty);
        self.color_err = decide(std::io::stderr().is_terminal());
        self
    }

    /// `before`, the status `word` in `tone` (when that stream is coloured) and
    /// `after`, each escaped, as one line: the colour codes are the only raw escape
    /// sequences the CLI writes, around a fixed label.
    fn status(&self, colored: bool, tone: Tone, before: &str, word: &str, after: &str) -> String {
        let word = escape(word);
        let word = if colored {
            format!("{}{word}\x1b[0m", tone.code())
        } else {
            word.into_owned()
        };
        format!("{}{word}{}\n", escape_lines(before), escape_lines(after))
    }

    /// Writes a status line to stderr ([`Out::status`]); a closed stderr is ignored.
    pub fn status_err(&self, tone: Tone, before: &str, word: &str, after: &str) {
        let line = self.status(self.color_err, tone, before, word, after);
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    /// Writes a status line to stdout ([`Out::status`]).
    pub fn status_out(&self, tone: Tone, before: &str, word: &str, after: &str) -> std::io::Result<()> {
        let line = self.status(self.color_out, tone, before, word, after);
        std::io::stdout().lock().write_all(line.as_bytes())
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

    /// Prints `value` as pretty JSON, with control, bidi and invisible characters in
    /// strings as `\u` escapes ([`regula_core::plain_text::json_pretty`]). An object
    /// gets `"format": 1` ([`crate::ctx::FORMAT`]) as its first member, unless it has a
    /// `format` of its own (an audit record's, part of what its hash covers); an array
    /// is printed as it is (format 1 implicitly: wrapping would break every script
    /// that reads `.[0]`).
    pub fn print_json(&self, value: &impl serde::Serialize) -> std::io::Result<()> {
        let versioned = Versioned {
            format: crate::ctx::FORMAT,
            value,
        };
        let has_own_format = match serde_json::to_value(value).map_err(std::io::Error::other)? {
            serde_json::Value::Object(members) => members.contains_key("format"),
            _ => true,
        };
        let text = if has_own_format {
            regula_core::plain_text::json_pretty(value)
        } else {
            regula_core::plain_text::json_pretty(&versioned)
        }
        .map_err(std::io::Error::other)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")
    }

    /// Prints a table: aligned columns in a terminal, tab-separated when piped. Every
    /// cell is escaped ([`regula_core::plain_text::escape`]; when piped, tabs and line
    /// feeds become spaces first).
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        let header: Vec<String> = header.iter().map(|h| escape(h).into_owned()).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        if !self.tty {
            writeln!(stdout, "{}", header.join("\t"))?;
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| escape(&c.replace(['\t', '\n'], " ")).into_owned())
                    .collect();
                writeln!(stdout, "{}", cells.join("\t"))?;
            }
            return Ok(());
        }
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|c| escape(c).into_owned()).collect())
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for row in &rows {
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
        for row in &rows {
            writeln!(stdout, "{}", line(&mut row.iter().map(String::as_str)))?;
        }
        Ok(())
    }
}

/// Prints JSON text (a proof bundle, a checkpoint) and a line feed, with control, bidi
/// and invisible characters as `\u` escapes ([`regula_core::plain_text::escape_json`]):
/// the same JSON, safe for a terminal.
pub fn json_line(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", regula_core::plain_text::escape_json(text))
}

/// Output gathered in memory and printed escaped
/// ([`regula_core::plain_text::escape_lines`]) by [`Screen::finish`]: for a command
/// that writes many lines with `writeln!`.
#[derive(Debug, Default)]
pub struct Screen(Vec<u8>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    /// Prints what was written, escaped, to stdout.
    pub fn finish(self) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.0);
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(escape_lines(&text).as_bytes())?;
        stdout.flush()
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
