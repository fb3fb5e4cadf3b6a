//! `regula report`: progress by domain, category, department and state, compliance
//! with each step of the plan, and each department's load, as of a date (every
//! standard as its log stood then); and the yearly assessment of each department.
//! The report and its tables are the library's ([`regula_standards::report`]); the
//! terminal layout is the command line's.

use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::{FixedOffset, Utc};
use regula_core::plain_text::escape;
use regula_standards::assessment::AssessmentError;
use regula_standards::report::{Report, ReportError, ReportQuery, csv_row};
use regula_standards::service::ServiceError;

use crate::args::{Cli, Format, ReportArgs};
use crate::cmd::open_court;
use crate::ctx::{CliError, parse_date};
use crate::out::Out;

/// The CLI's error for a report that could not be made.
fn report_error(e: ReportError) -> CliError {
    match e {
        ReportError::Service(e) | ReportError::Assessment(AssessmentError::Service(e)) => CliError::Service(e),
        ReportError::Assessment(AssessmentError::Store(e)) => CliError::Store(e),
        ReportError::Assessment(AssessmentError::Log(e)) => CliError::Service(ServiceError::Verify(e)),
        other => CliError::text(other.message()),
    }
}

/// Runs `regula report`.
pub fn run(cli: &Cli, out: Out, args: &ReportArgs) -> Result<(), CliError> {
    check_flags(out, args)?;
    let court = open_court(cli)?;
    let query = ReportQuery {
        sections: args.by.iter().map(|s| s.0).collect(),
        as_of: args.as_of.as_deref().map(parse_date).transpose()?,
        year: args.year,
    };
    let report = court.report(&query, Utc::now()).map_err(report_error)?;
    let tz = court.config().timezone;
    let format = if out.json { Format::Json } else { args.format };
    if let Some(dir) = &args.split {
        return write_split(out, &report, tz, dir, args.bom);
    }
    let bytes: Vec<u8> = match format {
        Format::Table => return print_tables(out, &report, tz),
        Format::Json if args.output.is_none() => return Ok(out.print_json(&report)?),
        Format::Json => {
            let json = regula_core::plain_text::json_pretty(&report).map_err(std::io::Error::other)?;
            format!("{json}\n").into_bytes()
        }
        Format::Markdown => report.to_markdown(out.lang, tz).into_bytes(),
        Format::Csv => with_bom(args.bom, report.to_csv(out.lang, tz)),
        Format::Html => regula_report::to_html(&report, out.lang, tz, court.config().court.get(out.lang)).into_bytes(),
        Format::Xlsx => regula_report::to_xlsx(&report, out.lang, tz).map_err(|e| CliError::text(e.message()))?,
    };
    match &args.output {
        Some(path) => write_bytes(path, &bytes),
        None => {
            // Written, not println!'d: a closed pipe (`regula report | head`) is an
            // error to return, not a panic.
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// Flags that do not go together, refused before the store is opened.
fn check_flags(out: Out, args: &ReportArgs) -> Result<(), CliError> {
    let usage = |zh: &'static str, en: &'static str| Err(CliError::both("usage", zh.to_owned(), en.to_owned()));
    let format = if out.json { Format::Json } else { args.format };
    if (args.bom || args.split.is_some()) && format != Format::Csv {
        return usage(
            "--bom 和 --split 只用于 --format csv",
            "--bom and --split go with --format csv only",
        );
    }
    if args.output.is_some() && format == Format::Table {
        return usage(
            "--output 需要 --format markdown、csv、json、html 或 xlsx",
            "--output needs --format markdown, csv, json, html or xlsx",
        );
    }
    if format == Format::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        return usage(
            "xlsx 是二进制文件，不输出到终端：请用 --output FILE（或重定向到文件）",
            "an xlsx workbook is binary, not for a terminal: give --output FILE (or redirect to a file)",
        );
    }
    Ok(())
}

/// The report as aligned tables on standard output (tab-separated when piped).
fn print_tables(out: Out, report: &Report, tz: FixedOffset) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    // The assessment alone covers a year, not a date.
    if report.only_assessment {
        writeln!(stdout, "{} {}", out.s("年度", "Year"), report.year)?;
    } else {
        writeln!(stdout, "{} {}", out.s("截至", "As of"), report.date)?;
    }
    for mut t in report.tables(out.lang, tz) {
        // Names and labels come from the catalog: escaped.
        t.escape();
        writeln!(stdout, "\n{}", t.title)?;
        let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
        out.table(&header, &t.text_rows())?;
    }
    stdout.flush()?;
    Ok(())
}

/// The UTF-8 byte-order mark, which Excel needs to read a CSV file as UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn with_bom(bom: bool, text: String) -> Vec<u8> {
    if bom {
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(text.as_bytes());
        bytes
    } else {
        text.into_bytes()
    }
}

/// `--split DIR`: each table in its own CSV file, `NN-TITLE.csv` (the title made
/// safe for a file name), its title as the first line as in the single CSV. Prints
/// the files written.
fn write_split(out: Out, report: &Report, tz: FixedOffset, dir: &Path, bom: bool) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut stdout = std::io::stdout().lock();
    for (i, mut t) in report.tables(out.lang, tz).into_iter().enumerate() {
        t.escape();
        let path = dir.join(format!("{:02}-{}.csv", i + 1, file_stem(&t.title)));
        let text = format!("{}\n{}", csv_row(std::slice::from_ref(&t.title)), t.to_csv());
        write_bytes(&path, &with_bom(bom, text))?;
        writeln!(stdout, "{}", escape(&path.display().to_string()))?;
    }
    stdout.flush()?;
    Ok(())
}

/// A table's title as part of a file name: characters that file systems refuse or
/// shells trip on become `_`, runs of them one, at most 60 characters.
fn file_stem(title: &str) -> String {
    let mut stem = String::new();
    for c in title.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '.') {
            c
        } else {
            '_'
        };
        if !(c == '_' && stem.ends_with('_')) {
            stem.push(c);
        }
    }
    let stem: String = stem.trim_matches(['_', '.']).chars().take(60).collect();
    if stem.is_empty() { "table".to_owned() } else { stem }
}

/// Writes a file all at once or not at all, naming it in the error.
fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    regula_proof::write_atomic(path, bytes, regula_proof::WriteOptions::REPLACE).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_keep_the_chinese() {
        assert_eq!(file_stem("标准化建设进度 按领域"), "标准化建设进度_按领域");
        assert_eq!(
            file_stem("Step 3: consolidate — late as of 2026-11-28"),
            "Step_3_consolidate_late_as_of_2026-11-28"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc_passwd");
        assert_eq!(file_stem("///"), "table");
    }
}
