//! A Regula court's report ([`regula_standards::report::Report`]) as files people
//! open: SVG charts ([`charts`]), one self-contained HTML page, an Excel workbook.
//!
//! The figures and their labels are the library's (`regula-standards`): this crate
//! only lays them out, and returns text or bytes; writing them anywhere is the
//! caller's business.

pub mod charts;
