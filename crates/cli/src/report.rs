//! `regula report`: progress by domain, category, department and state, compliance
//! with each step of the plan, and each department's load, as of a date (every
//! standard as its log stood then); and the yearly assessment of each department.
//! The report and its tables are the library's ([`regula_standards::report`]); the
//! terminal layout is the command line's.

use std::io::Write;

use chrono::Utc;
use regula_standards::assessment::AssessmentError;
use regula_standards::report::{ReportError, ReportQuery};
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
        other => CliError::Usage(other.to_string()),
    }
}

/// Runs `regula report`.
pub fn run(cli: &Cli, out: Out, args: &ReportArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let query = ReportQuery {
        sections: args.by.iter().map(|s| s.0).collect(),
        as_of: args.as_of.as_deref().map(parse_date).transpose()?,
        year: args.year,
    };
    let report = court.report(&query, Utc::now()).map_err(report_error)?;
    if args.format == Format::Json || out.json {
        return Ok(out.print_json(&report)?);
    }
    let tz = court.config().timezone;
    // Written, not println!'d: a closed pipe (`regula report | head`) is an error to
    // return, not a panic.
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Table => {
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
        }
        Format::Markdown => write!(stdout, "{}", report.to_markdown(out.lang, tz))?,
        Format::Csv => write!(stdout, "{}", report.to_csv(out.lang, tz))?,
        Format::Json => {}
    }
    stdout.flush()?;
    Ok(())
}
