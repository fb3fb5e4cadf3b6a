//! A Regula court's report ([`regula_standards::report::Report`]) as files people
//! open: SVG charts ([`charts`]), one self-contained HTML page ([`html`]), an Excel
//! workbook ([`xlsx`]).
//!
//! The figures and their labels are the library's (`regula-standards`): this crate
//! only lays them out and returns text or bytes; writing them anywhere is the
//! caller's business.

pub mod charts;
pub mod html;
pub mod xlsx;

pub use html::to_html;
pub use xlsx::to_xlsx;

use regula_core::Text;

/// A report file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    /// A sheet of the workbook could not be written (a cell past Excel's limits).
    #[error("the workbook's sheet {sheet:?} could not be written: {source}")]
    Sheet {
        /// The sheet's name.
        sheet: String,
        /// What the workbook writer refused.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// The workbook could not be assembled.
    #[error("the workbook could not be assembled: {0}")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),
}

impl ReportFileError {
    /// What went wrong, in zh and en (the en text is the error's `Display`).
    pub fn message(&self) -> Text {
        let zh = match self {
            ReportFileError::Sheet { sheet, source } => format!("工作表“{sheet}”无法写入：{source}"),
            ReportFileError::Workbook(source) => format!("工作簿无法生成：{source}"),
        };
        Text::owned(zh, self.to_string())
    }
}

/// True for a character that takes two columns (CJK and other wide forms), for
/// estimating text widths.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}
