//! The report page: the court's report as of a date, for a year's assessment, with
//! its charts and tables, and the same report as files to pass around (HTML,
//! Excel workbook, CSV, Markdown, JSON).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike as _, NaiveDate, Utc};
use maud::{PreEscaped, html};
use regula_core::{Lang, Text};
use regula_standards::report::{Report, ReportQuery, Section};

use super::dashboard::{report_problem, table_markup};
use super::layout::{Ctx, encode, query_pairs, render};
use crate::App;
use crate::problem::Problem;

/// What the report page and its downloads are asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ReportForm {
    as_of: Option<NaiveDate>,
    year: Option<i32>,
    sections: Vec<Section>,
}

impl ReportForm {
    /// Reads the query: `as_of`, `year`, and `sections` once per section checked.
    fn read(uri: &Uri) -> Result<Self, Problem> {
        let mut form = ReportForm::default();
        for (name, value) in query_pairs(uri) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.as_str() {
                "as_of" => {
                    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad("as_of", value))?;
                    crate::routes::year_in_range("as_of", date.year())?;
                    form.as_of = Some(date);
                }
                "year" => {
                    let year: i32 = value.parse().map_err(|_| bad("year", value))?;
                    crate::routes::year_in_range("year", year)?;
                    form.year = Some(year);
                }
                "sections" => {
                    let section = Section::from_name(value).ok_or_else(|| bad("sections", value))?;
                    if !form.sections.contains(&section) {
                        form.sections.push(section);
                    }
                }
                _ => {}
            }
        }
        Ok(form)
    }

    /// The query string that asks for this report again (for the download links).
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.as_of {
            parts.push(format!("as_of={d}"));
        }
        if let Some(y) = self.year {
            parts.push(format!("year={y}"));
        }
        parts.extend(self.sections.iter().map(|s| format!("sections={}", s.as_str())));
        parts.join("&")
    }

    fn report_query(&self) -> ReportQuery {
        ReportQuery {
            sections: self.sections.clone(),
            as_of: self.as_of,
            year: self.year,
        }
    }
}

fn bad(field: &str, value: &str) -> Problem {
    Problem::new(
        "bad-request",
        Text::owned(
            format!("{field} 的值 {value:?} 无效"),
            format!("{field}: {value:?} is not a valid value"),
        ),
    )
}

/// `GET /reports`: the report form and the report it asks for.
pub async fn page(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let form = ReportForm::read(&uri);
    render(&app, &headers, &uri, move |_, court, ctx| {
        let form = form?;
        let report = court.report(&form.report_query(), Utc::now()).map_err(report_problem)?;
        let tz = court.config().timezone;
        Ok(report_page(ctx, &form, &report, tz))
    })
    .await
}

fn report_page(ctx: &Ctx, form: &ReportForm, report: &Report, tz: chrono::FixedOffset) -> Response {
    let title = ctx.pick("报表", "Reports");
    let query = form.query();
    let lang = if ctx.lang == Lang::Zh { "zh" } else { "en" };
    let link = |format: &str| {
        let mut q = format!("format={format}&lang={lang}");
        if !query.is_empty() {
            q.push('&');
            q.push_str(&query);
        }
        format!("/reports/download?{q}")
    };
    let charts = [
        regula_report::charts::states(report, ctx.lang),
        regula_report::charts::steps(report, ctx.lang),
        regula_report::charts::domain(report, ctx.lang),
        regula_report::charts::category(report, ctx.lang),
        regula_report::charts::department(report, ctx.lang),
        regula_report::charts::assessment(report, ctx.lang),
    ];
    let body = html! {
        h1 { (title) " " small { (ctx.pick("截至 ", "as of ")) (report.date) } }
        form #report-form .filters method="get" action="/reports" {
            div {
                label for="as_of" { (ctx.pick("截至日期", "As of")) }
                input #as_of type="date" name="as_of" value=[form.as_of];
            }
            div {
                label for="year" { (ctx.pick("考核年度", "Assessment year")) }
                input #year type="number" name="year" min="1900" max="2999" value=[form.year];
            }
            fieldset {
                legend { (ctx.pick("内容（不选则为默认）", "Sections (none: the default)")) }
                @for section in Section::ALL {
                    label .inline {
                        input type="checkbox" name="sections" value=(section.as_str()) checked[form.sections.contains(&section)];
                        " " (ctx.t(&section.label()))
                    }
                }
            }
            button type="submit" { (ctx.pick("生成", "Show")) }
        }
        p #report-downloads .no-print {
            (ctx.pick("下载：", "Download: "))
            a #download-html href=(link("html")) { (ctx.pick("网页（单个文件）", "web page (one file)")) } " · "
            a #download-xlsx href=(link("xlsx")) { (ctx.pick("Excel 工作簿", "Excel workbook")) } " · "
            a #download-csv href=(link("csv")) { "CSV" } " · "
            a #download-markdown href=(link("markdown")) { "Markdown" } " · "
            a #download-json href=(link("json")) { "JSON" }
        }
        section #report {
            div .charts {
                @for svg in charts.into_iter().flatten() {
                    figure .chart { (PreEscaped(svg)) }
                }
            }
            @for table in report.tables(ctx.lang, tz) {
                (table_markup(&table))
            }
        }
    };
    ctx.page(title, body)
}

/// `GET /reports/download?format=…`: the report as a file, named after its date.
pub async fn download(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let form = ReportForm::read(&uri);
    let pairs = query_pairs(&uri);
    let format = pairs
        .iter()
        .find(|(k, _)| k == "format")
        .map_or_else(|| "html".to_owned(), |(_, v)| v.clone());
    render(&app, &headers, &uri, move |_, court, ctx| {
        let form = form?;
        let report = court.report(&form.report_query(), Utc::now()).map_err(report_problem)?;
        let tz = court.config().timezone;
        let stem = match (form.year, form.sections.as_slice()) {
            (Some(year), [Section::Assessment]) => format!("assessment-{year}"),
            _ => format!("report-{}", report.date),
        };
        let (body, kind, extension): (Vec<u8>, &str, &str) = match format.as_str() {
            "html" => (
                regula_report::html::to_html(&report, ctx.lang, tz, ctx.t(&court.config().court)).into_bytes(),
                "text/html; charset=utf-8",
                "html",
            ),
            "xlsx" => (
                regula_report::xlsx::to_xlsx(&report, ctx.lang, tz).map_err(|e| {
                    let message = e.message();
                    Problem::new(
                        "internal",
                        Text::owned(
                            format!("工作簿无法生成：{}", message.zh),
                            format!("the workbook could not be made: {}", message.en),
                        ),
                    )
                })?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            // With a byte-order mark, so that Excel on Chinese Windows reads UTF-8.
            "csv" => (
                [&b"\xEF\xBB\xBF"[..], report.to_csv(ctx.lang, tz).as_bytes()].concat(),
                "text/csv; charset=utf-8",
                "csv",
            ),
            "markdown" => (
                report.to_markdown(ctx.lang, tz).into_bytes(),
                "text/markdown; charset=utf-8",
                "md",
            ),
            "json" => (
                serde_json::to_vec_pretty(&report).map_err(crate::problem::internal)?,
                "application/json",
                "json",
            ),
            other => {
                return Err(Problem::new(
                    "bad-request",
                    Text::owned(
                        format!("未知格式 {other:?}：html、xlsx、csv、markdown 或 json"),
                        format!("unknown format {other:?}: html, xlsx, csv, markdown or json"),
                    ),
                ));
            }
        };
        let disposition = format!("attachment; filename=\"{}.{extension}\"", encode(&stem));
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        Ok(response)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_its_links_ask_for() {
        let uri: Uri = "/reports?as_of=2023-12-31&year=2023&sections=domain&sections=assessment&sections=domain"
            .parse()
            .unwrap();
        let form = ReportForm::read(&uri).unwrap();
        assert_eq!(form.as_of, NaiveDate::from_ymd_opt(2023, 12, 31));
        assert_eq!(form.year, Some(2023));
        assert_eq!(form.sections, vec![Section::Domain, Section::Assessment]);
        let again: Uri = format!("/reports?{}", form.query()).parse().unwrap();
        assert_eq!(ReportForm::read(&again).unwrap(), form);
        for bad in [
            "/reports?as_of=2023-02-30",
            "/reports?year=twenty",
            "/reports?sections=nope",
            "/reports?year=99999",
        ] {
            assert!(ReportForm::read(&bad.parse().unwrap()).is_err(), "{bad}");
        }
    }
}
