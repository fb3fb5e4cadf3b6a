//! The catalog, filtered and searched, and a department's page.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::Utc;
use maud::{Markup, html};
use regula_core::Text;
use regula_standards::lifecycle::Stage;
use regula_standards::listing::{ListQuery, NOT_STARTED, UNASSIGNED};
use regula_standards::plan::StandardStatus;
use serde::Deserialize;

use super::layout::{Ctx, render};
use crate::App;
use crate::problem::Problem;

/// The catalog page's filters; an empty field is no filter.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CatalogParams {
    /// Words to find in a standard's code or name (either language).
    #[serde(default)]
    pub q: String,
    /// A state's machine name or label, or `not_started`.
    #[serde(default)]
    pub state: String,
    /// A domain's code or name.
    #[serde(default)]
    pub domain: String,
    /// A department's name, or `unassigned`.
    #[serde(default)]
    pub department: String,
}

fn nonempty(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// True when every word of `q` is in the standard's code or one of its names.
pub fn matches(status: &StandardStatus, q: &str) -> bool {
    let haystack = format!("{} {} {}", status.code, status.name.zh, status.name.en).to_lowercase();
    q.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
}

/// `GET /catalog`: every standard, filtered by state, domain and department, and
/// searched by name.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    params: Result<Query<CatalogParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p);
    render(&app, &headers, &uri, move |_, court, ctx| {
        let params = params.map_err(|e| Problem::plain("bad-request", "查询参数有误：", "bad query: ", e.body_text()))?;
        let query = ListQuery {
            domain: nonempty(&params.domain),
            category: None,
            department: nonempty(&params.department),
            state: nonempty(&params.state),
            late: None,
        };
        let rows: Vec<StandardStatus> = court
            .list(&query, Utc::now())
            .map_err(|e| Problem::new("bad-request", e.message()))?
            .into_iter()
            .filter(|s| matches(s, &params.q))
            .collect();
        let catalog = court.catalog();
        let domains: Vec<(String, Text)> = catalog.domains().iter().map(|d| (d.code.clone(), d.label.clone())).collect();
        let departments: Vec<(String, Text)> = court
            .config()
            .departments
            .departments()
            .iter()
            .map(|d| (d.id.clone(), d.label.clone()))
            .collect();
        let title = ctx.pick("标准目录", "Catalog");
        let body = html! {
            h1 { (title) }
            form #catalog-filter .filters method="get" action="/catalog" role="search" {
                div {
                    label for="q" { (ctx.pick("搜索名称或编号", "Search names or codes")) }
                    input #q type="text" name="q" value=(params.q);
                }
                div {
                    label for="state" { (ctx.pick("状态", "State")) }
                    select #state name="state" {
                        option value="" { (ctx.pick("全部", "All")) }
                        @for (value, label) in states() {
                            option value=(value) selected[params.state == value] { (ctx.t(&label)) }
                        }
                    }
                }
                div {
                    label for="domain" { (ctx.pick("领域", "Domain")) }
                    select #domain name="domain" {
                        option value="" { (ctx.pick("全部", "All")) }
                        @for (code, label) in &domains {
                            option value=(code) selected[params.domain.eq_ignore_ascii_case(code)] { (code) " " (ctx.t(label)) }
                        }
                    }
                }
                div {
                    label for="department" { (ctx.pick("责任部门", "Department")) }
                    select #department name="department" {
                        option value="" { (ctx.pick("全部", "All")) }
                        @for (id, label) in &departments {
                            option value=(label.zh) selected[params.department == label.zh.as_ref() || params.department == *id] { (ctx.t(label)) }
                        }
                        option value=(UNASSIGNED) selected[params.department == UNASSIGNED] { (ctx.pick("未定", "Unassigned")) }
                    }
                }
                button type="submit" { (ctx.pick("筛选", "Filter")) }
            }
            p #catalog-count { (ctx.pick("共 ", "")) (rows.len()) (ctx.pick(" 项", " standards")) }
            (standards_table(ctx, &rows))
        };
        Ok(ctx.page(title, body))
    })
    .await
}

/// The states a filter can name, `not_started` first.
fn states() -> Vec<(String, Text)> {
    let mut out = vec![(
        NOT_STARTED.to_owned(),
        regula_standards::plan::labels::NOT_STARTED.clone(),
    )];
    out.extend(Stage::ALL.iter().map(|s| (s.as_str().to_owned(), s.label())));
    out
}

/// The standards as a table, one row per standard (`data-code`), linking to each page.
pub fn standards_table(ctx: &Ctx, rows: &[StandardStatus]) -> Markup {
    html! {
        div .table-wrap {
            table #catalog {
                thead {
                    tr {
                        th scope="col" { (ctx.pick("编号", "Code")) }
                        th scope="col" { (ctx.pick("名称", "Name")) }
                        th scope="col" { (ctx.pick("责任部门", "Department")) }
                        th scope="col" { (ctx.pick("状态", "State")) }
                        th scope="col" .num { (ctx.pick("施行版本", "Version in force")) }
                        th scope="col" { (ctx.pick("进度", "Standing")) }
                    }
                }
                tbody {
                    @for s in rows {
                        tr data-code=(s.code) data-state=(s.stage.map_or(NOT_STARTED, |st| st.as_str())) {
                            td { a href={ "/standards/" (s.code) } { (s.code) } }
                            td { (ctx.t(&s.name)) @if s.core { " " span .badge { (ctx.pick("核心", "core")) } } }
                            td {
                                @match &s.department {
                                    Some(d) => a href={ "/departments/" (d.department) } { (ctx.t(&s.department_label)) },
                                    None => span .badge .warn { (ctx.t(&s.department_label)) },
                                }
                            }
                            td { (ctx.t(&s.stage_label)) }
                            td .num { @if let Some(v) = s.version_in_force { "v" (v) } }
                            td {
                                @for m in s.milestones.iter().filter(|m| m.standing.is_overdue()) {
                                    span .badge .bad { (ctx.t(&m.step_label)) " · " (ctx.t(&m.standing_label)) } " "
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /departments/{id}`: a department's standards, its load and assessment row.
pub async fn department(State(app): State<App>, headers: HeaderMap, uri: Uri, Path(id): Path<String>) -> Response {
    render(&app, &headers, &uri, move |_, court, ctx| {
        let Some(dept) = court.config().departments.get(&id).cloned() else {
            return Err(Problem::new(
                "not-found",
                Text::owned(format!("没有部门 {id:?}"), format!("no department {id:?}")),
            ));
        };
        let query = ListQuery {
            department: Some(dept.label.zh.to_string()),
            ..ListQuery::default()
        };
        let rows = court
            .list(&query, Utc::now())
            .map_err(|e| Problem::new("bad-request", e.message()))?;
        let in_force = rows.iter().filter(|s| s.version_in_force.is_some()).count();
        let started = rows.iter().filter(|s| s.stage.is_some()).count();
        let overdue = rows.iter().filter(|s| s.is_overdue()).count();
        let title = ctx.t(&dept.label).to_owned();
        let body = html! {
            section #department data-department=(dept.id) {
                h1 { (title) }
                @if !dept.units.is_empty() {
                    p { (ctx.pick("下设：", "Units: ")) @for (i, u) in dept.units.iter().enumerate() { @if i > 0 { (ctx.pick("、", ", ")) } (ctx.t(&u.label)) } }
                }
                ul .cards .plain {
                    li .card data-key="total" data-count=(rows.len()) { div .figure { (rows.len()) } div .what { (ctx.pick("负责标准", "Standards")) } }
                    li .card data-key="started" data-count=(started) { div .figure { (started) } div .what { (ctx.pick("已开展", "Work opened")) } }
                    li .card data-key="in_force" data-count=(in_force) { div .figure { (in_force) } div .what { (ctx.pick("已发布施行", "In force")) } }
                    li .card data-key="overdue" data-count=(overdue) { div .figure { (overdue) } div .what { (ctx.pick("逾期", "Overdue")) } }
                }
                h2 { (ctx.pick("负责的标准", "Its standards")) }
                (standards_table(ctx, &rows))
            }
        };
        Ok(ctx.page(&title, body))
    })
    .await
}
