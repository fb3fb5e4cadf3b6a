//! The dashboard: the plan's progress by step, domain and department, what is overdue
//! and due soon, and the year's assessment, with charts.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::{Datelike as _, Days, NaiveDate, Utc};
use maud::{Markup, PreEscaped, html};
use regula_standards::listing::ListQuery;
use regula_standards::plan::{StandardStatus, Standing};
use regula_standards::report::{Cell, Report, ReportQuery, Section, Table};
use serde::Deserialize;

use super::layout::{Ctx, render};
use crate::App;
use crate::problem::{Problem, from_service};

/// How far ahead "due soon" looks.
pub const DUE_SOON_DAYS: u64 = 30;

/// The dashboard's query: the date it is as of (the end of that day in the court's
/// time zone); absent, now.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DashboardParams {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
}

/// `GET /`: the dashboard, as of now or of `?as_of=`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    params: Result<Query<DashboardParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p);
    render(&app, &headers, &uri, move |_, court, ctx| {
        let params =
            params.map_err(|e| Problem::plain("bad-request", "查询参数有误：", "bad query: ", e.body_text()))?;
        let tz = court.config().timezone;
        let now = match params.as_of {
            Some(date) => {
                crate::routes::year_in_range("as_of", date.year())?;
                regula_standards::plan::end_of_day(date, tz)
            }
            None => Utc::now(),
        };
        let today = params.as_of.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
        let query = ReportQuery {
            sections: vec![
                Section::State,
                Section::Domain,
                Section::Department,
                Section::Steps,
                Section::Load,
                Section::Assessment,
            ],
            as_of: params.as_of,
            year: Some(today.year()),
        };
        let report = court.report(&query, now).map_err(report_problem)?;
        let statuses = court
            .list(&ListQuery::default(), now)
            .map_err(|e| Problem::new("bad-request", e.message()))?;
        Ok(dashboard(ctx, &report, &statuses, today, tz, params.as_of.is_some()))
    })
    .await
}

pub(crate) fn report_problem(e: regula_standards::report::ReportError) -> Problem {
    match e {
        regula_standards::report::ReportError::Service(e) => from_service(e, ""),
        other => Problem::new("bad-request", other.message()),
    }
}

/// One figure of the summary: its key (the `data-key` tests and scripts read), label
/// and count.
struct Figure {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    count: usize,
}

fn figures(statuses: &[StandardStatus], today: NaiveDate) -> Vec<Figure> {
    let started = statuses.iter().filter(|s| s.stage.is_some()).count();
    let in_force = statuses.iter().filter(|s| s.version_in_force.is_some()).count();
    let overdue = statuses.iter().filter(|s| s.is_overdue()).count();
    let unassigned = statuses.iter().filter(|s| s.department.is_none()).count();
    let due_soon = statuses.iter().filter(|s| !due_soon(s, today).is_empty()).count();
    vec![
        Figure {
            key: "total",
            zh: "标准总数",
            en: "Standards",
            count: statuses.len(),
        },
        Figure {
            key: "started",
            zh: "已开展",
            en: "Work opened",
            count: started,
        },
        Figure {
            key: "in_force",
            zh: "已发布施行",
            en: "In force",
            count: in_force,
        },
        Figure {
            key: "overdue",
            zh: "逾期",
            en: "Overdue",
            count: overdue,
        },
        Figure {
            key: "due_soon",
            zh: "30日内到期",
            en: "Due within 30 days",
            count: due_soon,
        },
        Figure {
            key: "unassigned",
            zh: "未定责任部门",
            en: "No department",
            count: unassigned,
        },
    ]
}

/// The milestones of `status` not reached and due within [`DUE_SOON_DAYS`] of `today`.
fn due_soon(status: &StandardStatus, today: NaiveDate) -> Vec<&regula_standards::plan::MilestoneStatus> {
    let horizon = today.checked_add_days(Days::new(DUE_SOON_DAYS)).unwrap_or(today);
    status
        .milestones
        .iter()
        .filter(|m| matches!(m.standing, Standing::Pending) && m.due.due >= today && m.due.due <= horizon)
        .collect()
}

fn dashboard(
    ctx: &Ctx,
    report: &Report,
    statuses: &[StandardStatus],
    today: NaiveDate,
    tz: chrono::FixedOffset,
    dated: bool,
) -> Response {
    let title = ctx.pick("标准化建设总览", "Standardization dashboard");
    let overdue: Vec<&StandardStatus> = statuses.iter().filter(|s| s.is_overdue()).collect();
    let soon: Vec<(&StandardStatus, Vec<&regula_standards::plan::MilestoneStatus>)> = statuses
        .iter()
        .map(|s| (s, due_soon(s, today)))
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let body = html! {
        section #dashboard {
            h1 { (title) " " small { (ctx.pick("截至 ", "as of ")) (today) } }
            form #as-of .filters method="get" action="/" {
                div {
                    label for="as_of" { (ctx.pick("截至日期", "As of")) }
                    input #as_of type="date" name="as_of" value=[dated.then_some(today)];
                }
                button type="submit" { (ctx.pick("查看", "Show")) }
                @if dated { a href="/" { (ctx.pick("回到今天", "Back to today")) } }
            }
            ul #progress-summary .cards .plain {
                @for f in figures(statuses, today) {
                    li .card data-key=(f.key) data-count=(f.count) {
                        div .figure { (f.count) }
                        div .what { (ctx.pick(f.zh, f.en)) }
                    }
                }
            }
            h2 { (ctx.pick("图表", "Charts")) }
            div .charts {
                @for (id, svg) in charts(report, ctx.lang) {
                    figure .chart id=(id) { (PreEscaped(svg)) }
                }
            }
            div .grid2 {
                section {
                    h2 #overdue-title { (ctx.pick("逾期", "Overdue")) " (" (overdue.len()) ")" }
                    ul #overdue .compact aria-labelledby="overdue-title" {
                        @for s in &overdue {
                            li data-code=(s.code) {
                                a href={ "/standards/" (s.code) } { (s.code) " " (ctx.t(&s.name)) }
                                " "
                                @let late: Vec<_> = s.milestones.iter().filter(|m| m.standing.is_overdue()).collect();
                                span .badge .bad title=(late.iter().map(|m| format!("{} · {}", ctx.t(&m.step_label), ctx.t(&m.standing_label))).collect::<Vec<_>>().join("\n")) {
                                    (late.len()) (ctx.pick(" 步逾期，最早应于 ", " steps overdue, the first due "))
                                    (late.iter().map(|m| m.due.due).min().map(|d| d.to_string()).unwrap_or_default())
                                }
                                " " span .muted { (ctx.t(&s.department_label)) }
                            }
                        }
                    }
                }
                section {
                    h2 #due-soon-title { (ctx.pick("30日内到期", "Due within 30 days")) " (" (soon.len()) ")" }
                    ul #due-soon aria-labelledby="due-soon-title" {
                        @for (s, milestones) in &soon {
                            li data-code=(s.code) {
                                a href={ "/standards/" (s.code) } { (s.code) " " (ctx.t(&s.name)) }
                                " "
                                @for m in milestones {
                                    span .badge .warn { (ctx.t(&m.step_label)) " " (ctx.pick("应于 ", "due ")) (m.due.due) }
                                    " "
                                }
                            }
                        }
                    }
                }
            }
            h2 { (ctx.pick("报表", "Tables")) }
            @for table in report.tables(ctx.lang, tz) {
                (table_markup(&table))
            }
        }
    };
    ctx.page(title, body)
}

/// A report table as HTML, numbers aligned right.
pub fn table_markup(table: &Table) -> Markup {
    let numeric = |cell: &Cell| matches!(cell, Cell::Int(_) | Cell::Percent(_) | Cell::Empty);
    html! {
        details .report-table open {
            summary .table-title { (table.title) }
            div .table-wrap {
                table {
                    thead { tr { @for h in &table.header { th scope="col" { (h) } } } }
                    tbody {
                        @for row in &table.rows {
                            tr {
                                @for cell in row {
                                    @if numeric(cell) { td .num { (cell) } } @else { td { (cell) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The dashboard's charts, each `(figure id, inline SVG)`: the report crate's, the
/// same ones the HTML report shows.
fn charts(report: &Report, lang: regula_core::Lang) -> Vec<(&'static str, String)> {
    [
        ("chart-steps", regula_report::charts::steps(report, lang)),
        ("chart-state", regula_report::charts::states(report, lang)),
        ("chart-domain", regula_report::charts::domain(report, lang)),
        ("chart-department", regula_report::charts::department(report, lang)),
        ("chart-assessment", regula_report::charts::assessment(report, lang)),
    ]
    .into_iter()
    .filter_map(|(id, svg)| Some((id, svg?)))
    .collect()
}
