//! The report as an Excel workbook ([`to_xlsx`]): one sheet per table, with figures
//! as numbers, rates as percentages and dates as dates, so that the people who
//! receive it can sort, sum and chart them.

use chrono::{Datelike, FixedOffset};
use regula_core::Lang;
use regula_standards::report::{Cell, Report, Table};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::ReportFileError;

/// The longest sheet name Excel accepts, in characters.
const MAX_SHEET_NAME: usize = 31;
/// Characters Excel refuses in a sheet name.
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];
/// The widest column, in characters; longer text wraps in the formula bar.
const MAX_WIDTH: usize = 60;

/// The report as an `.xlsx` workbook's bytes: for each of the report's tables
/// ([`Report::tables`]) in order, a sheet named after the table (cut to 31
/// characters, made unique), the table's title in its first row, the column names
/// in bold in the second, frozen with the first column, then the rows.
pub fn to_xlsx(report: &Report, lang: Lang, tz: FixedOffset) -> Result<Vec<u8>, ReportFileError> {
    let tables = report.tables(lang, tz);
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let titles: Vec<&str> = tables.iter().map(|t| t.title.as_str()).collect();
    let mut names = Vec::new();
    for (table, short) in tables.iter().zip(short_titles(&titles)) {
        let name = sheet_name(short, &names);
        names.push(name.clone());
        let sheet = workbook.add_worksheet();
        write_sheet(sheet, &name, table, &formats).map_err(|source| ReportFileError::Sheet {
            sheet: name.clone(),
            source,
        })?;
    }
    if tables.is_empty() {
        // A workbook needs a sheet; an empty report still opens.
        workbook.add_worksheet();
    }
    workbook.save_to_buffer().map_err(ReportFileError::Workbook)
}

/// The cell formats of every sheet.
struct Formats {
    title: Format,
    header: Format,
    percent: Format,
    date: Format,
    text: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_align(FormatAlign::Top),
        }
    }
}

fn write_sheet(sheet: &mut Worksheet, name: &str, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet.write_string_with_format(0, 0, &table.title, &f.title)?;
    let mut widths: Vec<usize> = table.header.iter().map(|h| columns(h).min(24)).collect();
    for (c, h) in table.header.iter().enumerate() {
        sheet.write_string_with_format(1, col(c), h, &f.header)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let width = match cell {
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, col(c), s, &f.text)?;
                    columns(s)
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col(c), *n as f64)?;
                    n.to_string().len()
                }
                Cell::Percent(p) if p.is_finite() => {
                    sheet.write_number_with_format(r, col(c), *p, &f.percent)?;
                    6
                }
                Cell::Date(d) => {
                    match excel_date(*d) {
                        Some(date) => sheet.write_datetime_with_format(r, col(c), &date, &f.date)?,
                        // Before 1900 or after 9999, Excel has no date: the text.
                        None => sheet.write_string(r, col(c), d.to_string())?,
                    };
                    10
                }
                // Nothing to show (no rate): the cell stays blank, not a dash to
                // trip a formula.
                Cell::Percent(_) | Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width);
            } else {
                widths.push(width);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c), (*w).clamp(6, MAX_WIDTH) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(2, 1)?;
    // Printed: landscape, A4, the column names on every page.
    sheet.set_landscape().set_paper_size(9);
    sheet.set_repeat_rows(1, 1)?;
    Ok(())
}

/// A column number; tables have a few dozen columns, far under Excel's 16,384.
fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// Display columns, as a width in characters: two for a wide (CJK) character.
fn columns(text: &str) -> usize {
    text.lines()
        .map(|l| l.chars().map(|c| if crate::is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

/// Each title, without the words it starts with in common with another title when
/// it is too long for a sheet name, as few as make it fit: "Standardization progress
/// by department" beside "… by domain" becomes "progress by department" (the sheet's
/// first row has the whole title).
fn short_titles<'a>(titles: &[&'a str]) -> Vec<&'a str> {
    titles
        .iter()
        .enumerate()
        .map(|(i, &title)| {
            if title.chars().count() <= MAX_SHEET_NAME {
                return title;
            }
            // Word boundaries (in bytes) up to which another title starts the same.
            let shared: Vec<usize> = title
                .match_indices(' ')
                .map(|(at, _)| at + 1)
                .filter(|&end| {
                    titles
                        .iter()
                        .enumerate()
                        .any(|(j, other)| j != i && other.get(..end) == title.get(..end))
                })
                .collect();
            // The fewest shared words that make it fit, else all of them.
            let cut = shared
                .iter()
                .copied()
                .find(|&end| title[end..].chars().count() <= MAX_SHEET_NAME)
                .or(shared.last().copied())
                .unwrap_or(0);
            match title[cut..].trim() {
                "" => title,
                rest => rest,
            }
        })
        .collect()
}

/// A sheet name Excel accepts for `title`, unlike any in `taken` (Excel compares
/// them case-blind): forbidden characters become spaces, the name is cut to 31
/// characters, and a clash gets a number.
pub(crate) fn sheet_name(title: &str, taken: &[String]) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let base = if cleaned.is_empty() { "Sheet" } else { cleaned };
    let clashes = |name: &str| taken.iter().any(|t| t.to_lowercase() == name.to_lowercase());
    let cut = |s: &str, n: usize| -> String { s.chars().take(n).collect::<String>().trim_end().to_owned() };
    let first = cut(base, MAX_SHEET_NAME);
    if !clashes(&first) && !first.ends_with('\'') {
        return first;
    }
    (2..)
        .map(|i| {
            let suffix = format!(" ({i})");
            format!(
                "{}{suffix}",
                cut(base, MAX_SHEET_NAME - suffix.len()).trim_end_matches('\'')
            )
        })
        .find(|name| !clashes(name))
        .unwrap_or_else(|| "Sheet".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_short_and_unique() {
        let mut taken = Vec::new();
        for title in [
            "全面建立 — 截至 2023-09-30 逾期",
            "a/b[c]:d*e?f\\g",
            "Standardization progress as of 2023-09-30 by domain",
            "Standardization progress as of 2023-09-30 by department",
            "STANDARDIZATION progress as of 2023-09-30 by domain",
            "'quoted'",
            "[]",
        ] {
            let name = sheet_name(title, &taken);
            assert!(name.chars().count() <= MAX_SHEET_NAME, "{name}");
            assert!(!name.contains(FORBIDDEN), "{name}");
            assert!(
                !name.is_empty() && !name.starts_with('\'') && !name.ends_with('\''),
                "{name}"
            );
            assert!(
                !taken.iter().any(|t: &String| t.to_lowercase() == name.to_lowercase()),
                "{name}"
            );
            taken.push(name);
        }
        assert_eq!(taken[0], "全面建立 — 截至 2023-09-30 逾期");
        assert_eq!(taken[1], "a b c  d e f g");
        assert_eq!(taken[2], "Standardization progress as of");
        assert_eq!(taken[3], "Standardization progress as (2)");
        assert_eq!(taken[4], "STANDARDIZATION progress as (3)");
        assert_eq!(taken[5], "quoted");
        assert_eq!(taken[6], "Sheet");
    }

    #[test]
    fn long_titles_lose_the_words_they_share() {
        let titles = [
            "Standardization progress by domain",
            "Standardization progress by department",
            "标准化建设进度 按领域",
            "Step 3: consolidate the standards — late as of 2026-11-28",
            "Standardization",
        ];
        assert_eq!(
            short_titles(&titles),
            [
                "progress by domain",
                "progress by department",
                "标准化建设进度 按领域",
                "Step 3: consolidate the standards — late as of 2026-11-28",
                "Standardization",
            ]
        );
    }
}
