//! A standard's page: its timeline, what blocks it, its versions and their
//! differences, and proofs of its records.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use maud::{Markup, html};
use regula_core::{AuditRecord, Outcome, Text};
use regula_standards::data::{DraftRecord, StandardData};
use regula_standards::lifecycle::{Draft, Stage, roles};
use regula_standards::service::Court;
use serde::Deserialize;
use similar::{DiffTag, TextDiff};

use super::act::allowed_actions;
use super::layout::{Ctx, render};
use crate::App;
use crate::any_store::AnyStore;
use crate::problem::{Problem, from_service, internal};

/// The query of a standard's page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PageParams {
    /// The sequence number of the record an action form just wrote: shown as a notice.
    #[serde(default)]
    pub done: Option<u64>,
    /// A date or time (as `regula show --at`): the standard as its log stood then.
    #[serde(default)]
    pub at: Option<String>,
}

fn bad_path(e: &PathRejection) -> Problem {
    Problem::plain("bad-request", "路径参数有误：", "bad path parameter: ", e.body_text())
}

fn bad_query(e: &QueryRejection) -> Problem {
    Problem::plain("bad-request", "查询参数有误：", "bad query: ", e.body_text())
}

/// A time in the court's zone, to the minute.
fn local(at: DateTime<Utc>, tz: FixedOffset) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The labels of action `name` on `code` (`create` is the opening of the work).
pub(crate) fn action_label(court: &Court<AnyStore>, code: &str, name: &str) -> Text {
    if name == regula_core::CREATE_ACTION {
        return Text::new("开展工作", "Work opened");
    }
    court
        .definition_of(code)
        .ok()
        .and_then(|d| d.action_label(name).cloned())
        .unwrap_or_else(|| Text::owned(name, name))
}

/// The labels of a state named `name` in a record.
fn state_label(name: &str) -> Text {
    Stage::from_name(name).map_or_else(|| Text::owned(name, name), Stage::label)
}

/// True when a record's event time is not the time it was written: entered after
/// the fact.
pub fn backdated(record: &AuditRecord) -> bool {
    record.recorded_at.is_some_and(|recorded| recorded != record.at)
}

/// `GET /standards/{code}`: the standard, what blocks it, what the signed-in actor may
/// do now, its whole timeline (refusals included), versions, drafts, consultations,
/// inspections and evaluations.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageParams>, QueryRejection>,
) -> Response {
    let path = path.map(|Path(c)| c.to_uppercase()).map_err(|e| bad_path(&e));
    let query = query.map(|Query(q)| q).map_err(|e| bad_query(&e));
    render(&app, &headers, &uri, move |_, court, ctx| {
        let code = path?;
        let params = query?;
        let at = match params.at.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Some(crate::routes::parse_time(court, text)?),
            _ => None,
        };
        let view = court.view(&code, at, Utc::now()).map_err(|e| match e {
            regula_standards::view::ViewError::Service(e) => from_service(e, &code),
            other => Problem::new("not-found", other.message()),
        })?;
        // As of a past instant: the data and the timeline as the log stood then.
        let data = match at {
            Some(at) => court
                .standard_as_of(&code, at)
                .map_err(|e| from_service(e, &code))?
                .map(|s| s.instance.data().clone()),
            None => None,
        };
        let data = match data {
            Some(data) => data,
            None => court.opened(&code).map_err(|e| from_service(e, &code))?.data().clone(),
        };
        let mut records = court.history(&code).map_err(|e| from_service(e, &code))?;
        records.retain(|r| r.seq <= view.records);
        let actions = allowed_actions(court, ctx, &code)?;
        let tz = court.config().timezone;
        let title = format!("{} {}", view.code, ctx.t(&view.name));
        let done = params.done.and_then(|seq| records.iter().find(|r| r.seq == seq));
        let body = html! {
            section #standard data-code=(view.code) {
                @if let Some(record) = done {
                    p #notice .notice role="status" data-seq=(record.seq) {
                        (ctx.pick("已记录：", "Recorded: "))
                        (ctx.t(&action_label(court, &code, &record.action)))
                        " #" (record.seq)
                    }
                }
                h1 { span .code { (view.code) } " " (ctx.t(&view.name)) }
                form #as-of .filters method="get" {
                    div {
                        label for="at" { (ctx.pick("查看某日的情况", "As it stood on")) }
                        input #at type="date" name="at" value=[at.map(|t| t.with_timezone(&tz).date_naive())];
                    }
                    button type="submit" { (ctx.pick("查看", "Show")) }
                    @if let Some(at) = at {
                        p #as-of-notice .notice role="status" {
                            (ctx.pick("以下为截至 ", "As the log stood at ")) (local(at, tz)) (ctx.pick(" 的情况。", "."))
                            " " a href={ "/standards/" (view.code) } { (ctx.pick("回到现在", "Back to now")) }
                        }
                    }
                }
                dl .facts {
                    dt { (ctx.pick("状态", "State")) }
                    dd { span #state data-state=(view.state.as_str()) { (ctx.t(&view.state_label)) } }
                    dt { (ctx.pick("责任部门", "Department")) }
                    dd {
                        @match &data.department {
                            Some(d) => a #department-link href={ "/departments/" (d.department) } { (ctx.t(&view.department)) },
                            None => span .badge .warn { (ctx.t(&view.department)) },
                        }
                    }
                    dt { (ctx.pick("施行版本", "Version in force")) }
                    dd {
                        @match &view.version_in_force {
                            Some(v) => { "v" (v.number) " · " (v.document_number) }
                            None => (ctx.pick("无", "none")),
                        }
                    }
                    dt { (ctx.pick("记录", "Records")) }
                    dd { (view.records) }
                }
                section #blockers-section {
                    h2 { (ctx.pick("下一步受阻情况", "What blocks the next steps")) }
                    ul #blockers {
                        @for blocker in &view.blockers {
                            li data-action=(blocker.action) {
                                strong { (ctx.t(&blocker.label)) } (ctx.pick("：", ": "))
                                @if blocker.reasons.is_empty() {
                                    (ctx.pick("记录中没有阻碍（仍需填写的内容满足该操作的规则）",
                                              "nothing in the record blocks it (what is entered must still meet the action's rules)"))
                                } @else {
                                    ul { @for reason in &blocker.reasons { li .reason { (ctx.t(reason)) } } }
                                }
                            }
                        }
                    }
                }
                section #actions-section {
                    h2 { (ctx.pick("您现在可以办理", "What you may do now")) }
                    @if actions.is_empty() {
                        p #no-actions { (ctx.pick("当前状态下，您没有可办理的操作。", "There is nothing you may do in this state.")) }
                    }
                    ul #actions .plain {
                        @for action in &actions {
                            li {
                                a .action data-action=(action.action) href={ "/standards/" (view.code) "/do/" (action.action) } {
                                    (ctx.t(&action.label))
                                }
                                " → " (ctx.t(&action.to.label()))
                            }
                        }
                    }
                }
                (versions_section(ctx, &view.code, &data))
                (drafts_section(ctx, &data))
                (consultations_section(ctx, &data))
                (inspections_section(ctx, &data))
                (evaluations_section(ctx, &data))
                section #timeline-section {
                    h2 { (ctx.pick("全程记录", "Timeline")) }
                    ol #timeline .timeline {
                        @for record in &records {
                            (timeline_item(ctx, court, &code, record, tz))
                        }
                    }
                }
            }
        };
        Ok(ctx.page(&title, body))
    })
    .await
}

fn timeline_item(ctx: &Ctx, court: &Court<AnyStore>, code: &str, record: &AuditRecord, tz: FixedOffset) -> Markup {
    let refused = record.is_refused();
    let late = backdated(record);
    let class = match (refused, late) {
        (true, true) => "record refused backdated",
        (true, false) => "record refused",
        (false, true) => "record backdated",
        (false, false) => "record",
    };
    let role = roles::label(&record.role).unwrap_or_else(|| Text::owned(record.role.as_str(), record.role.as_str()));
    html! {
        li class=(class) data-seq=(record.seq) data-action=(record.action) {
            div {
                strong { "#" (record.seq) " " (ctx.t(&action_label(court, code, &record.action))) }
                " "
                @match &record.outcome {
                    Outcome::Accepted { to } => span .badge .ok { "→ " (ctx.t(&state_label(to))) },
                    Outcome::Created => span .badge .ok { (ctx.t(&state_label(&record.from))) },
                    Outcome::Refused { .. } => span .badge .bad { (ctx.pick("被拒绝", "refused")) },
                }
                @if late {
                    " " span .badge .warn title=(ctx.pick("事后补录", "entered after the fact")) { (ctx.pick("补录", "back-dated")) }
                }
            }
            div .meta {
                time datetime=(record.at.to_rfc3339()) { (local(record.at, tz)) }
                @if let (true, Some(recorded)) = (late, record.recorded_at) {
                    " · " (ctx.pick("录入于 ", "entered ")) time .recorded datetime=(recorded.to_rfc3339()) { (local(recorded, tz)) }
                }
                " · " (record.actor.to_string()) " · " (ctx.t(&role))
                " · " a .proof href={ "/standards/" (code) "/records/" (record.seq) "/proof" } download {
                    (ctx.pick("下载证明", "proof"))
                }
            }
            @if let Some(reasons) = record.refusal() {
                ul .reasons { @for reason in reasons { li .reason { (ctx.t(&reason.message)) } } }
            }
            @if let Some(note) = &record.note {
                p .note { (ctx.pick("备注：", "Note: ")) (note) }
            }
        }
    }
}

fn versions_section(ctx: &Ctx, code: &str, data: &StandardData) -> Markup {
    html! {
        section #versions {
            h2 { (ctx.pick("版本", "Versions")) }
            @if data.versions.is_empty() {
                p { (ctx.pick("尚未发布任何版本。", "No version published yet.")) }
            } @else {
                div .table-wrap {
                    table #versions-table {
                        thead { tr {
                            th scope="col" .num { (ctx.pick("版本", "Version")) }
                            th scope="col" { (ctx.pick("文号", "Document number")) }
                            th scope="col" { (ctx.pick("发布日期", "Published")) }
                            th scope="col" { (ctx.pick("审议通过", "Approved")) }
                            th scope="col" .num { (ctx.pick("稿次", "Draft")) }
                        } }
                        tbody {
                            @for v in &data.versions {
                                tr data-version=(v.number) {
                                    td .num { "v" (v.number) }
                                    td { (v.document_number) }
                                    td { (v.published_on) }
                                    td { (v.approved_on) }
                                    td .num { (v.draft) }
                                }
                            }
                        }
                    }
                }
            }
            @if data.versions.len() >= 2 {
                (diff_form(ctx, code, "diff-form", "a", "b", data.versions.iter().map(|v| v.number).collect(), ctx.pick("比较两个版本", "Compare two versions")))
            }
            @if data.drafts.len() >= 2 {
                (diff_form(ctx, code, "diff-drafts-form", "draft_a", "draft_b", data.drafts.iter().map(|d| d.number).collect(), ctx.pick("比较两稿", "Compare two drafts")))
            }
        }
    }
}

fn diff_form(ctx: &Ctx, code: &str, id: &str, a: &str, b: &str, numbers: Vec<u32>, legend: &str) -> Markup {
    let last = numbers.last().copied().unwrap_or(1);
    let before = numbers.iter().rev().nth(1).copied().unwrap_or(last);
    html! {
        form id=(id) .filters method="get" action={ "/standards/" (code) "/diff" } {
            strong { (legend) }
            div {
                label for={ (id) "-" (a) } { (ctx.pick("从", "From")) }
                select id={ (id) "-" (a) } name=(a) {
                    @for n in &numbers { option value=(n) selected[*n == before] { (n) } }
                }
            }
            div {
                label for={ (id) "-" (b) } { (ctx.pick("到", "To")) }
                select id={ (id) "-" (b) } name=(b) {
                    @for n in &numbers { option value=(n) selected[*n == last] { (n) } }
                }
            }
            button type="submit" { (ctx.pick("比较", "Compare")) }
        }
    }
}

fn list_of(items: &[String]) -> Markup {
    html! { @if !items.is_empty() { ul { @for item in items { li { (item) } } } } }
}

fn drafts_section(ctx: &Ctx, data: &StandardData) -> Markup {
    html! {
        @if !data.drafts.is_empty() {
            section #drafts {
                h2 { (ctx.pick("草稿", "Drafts")) }
                @for d in &data.drafts {
                    details .draft data-draft=(d.number) open[d.number == data.drafts.len() as u32] {
                        summary {
                            (ctx.pick("第 ", "Draft ")) (d.number) (ctx.pick(" 稿", ""))
                            @if let Some(r) = d.revision { " · " (ctx.pick("修订 ", "revision ")) (r) }
                            " · " (d.stamp.by) " · #" (d.stamp.seq)
                        }
                        p .text { (d.draft.text) }
                        @if !d.draft.procedural.is_empty() { h3 { (ctx.pick("程序规范", "Procedural requirements")) } (list_of(&d.draft.procedural)) }
                        @if !d.draft.quality.is_empty() { h3 { (ctx.pick("工作质量", "Quality requirements")) } (list_of(&d.draft.quality)) }
                        @if !d.draft.criteria.is_empty() {
                            h3 { (ctx.pick("评价标准", "Evaluation criteria")) }
                            ol { @for c in &d.draft.criteria { li { strong { (c.name) } (ctx.pick("：", ": ")) (c.measure) (ctx.pick("（", " (")) (c.target) (ctx.pick("）", ")")) } } }
                        }
                        @if !d.draft.sources.is_empty() {
                            h3 { (ctx.pick("来源", "Sources")) }
                            ul { @for s in &d.draft.sources { li { (ctx.t(&s.kind.label())) (ctx.pick("：", ": ")) (s.title) } } }
                        }
                    }
                }
            }
        }
    }
}

fn consultations_section(ctx: &Ctx, data: &StandardData) -> Markup {
    html! {
        @if !data.consultations.is_empty() {
            section #consultations {
                h2 { (ctx.pick("征求意见", "Consultations")) }
                @for (i, c) in data.consultations.iter().enumerate() {
                    div .consultation data-draft=(c.draft) {
                        h3 {
                            (ctx.pick("第 ", "Round ")) (i + 1) (ctx.pick(" 轮（第 ", " (draft ")) (c.draft) (ctx.pick(" 稿）", ")"))
                            " · " (c.opened.at.date_naive())
                            @if let Some(closed) = &c.closed { " – " (closed.at.date_naive()) }
                        }
                        @if c.opinions.is_empty() {
                            p { (ctx.pick("尚无意见。", "No opinion yet.")) }
                        }
                        ol .opinions {
                            @for o in &c.opinions {
                                li .opinion data-number=(o.number) {
                                    span .badge { (ctx.t(&o.opinion.source.label())) } " "
                                    strong { (o.opinion.author) } (ctx.pick("：", ": ")) (o.opinion.content)
                                    @match &o.response {
                                        Some(regula_standards::lifecycle::Response::Adopted { note }) => {
                                            " " span .badge .ok { (ctx.pick("采纳", "adopted")) }
                                            @if let Some(note) = note { " " (note) }
                                        }
                                        Some(regula_standards::lifecycle::Response::NotAdopted { reason }) => {
                                            " " span .badge .bad { (ctx.pick("不予采纳", "not adopted")) } " " (reason)
                                        }
                                        None => { " " span .badge .warn { (ctx.pick("待答复", "awaiting a response")) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn inspections_section(ctx: &Ctx, data: &StandardData) -> Markup {
    html! {
        @if !data.inspections.is_empty() {
            section #inspections {
                h2 { (ctx.pick("督导检查", "Inspections")) }
                @for i in &data.inspections {
                    div .inspection data-number=(i.number) {
                        h3 { (ctx.pick("第 ", "Inspection ")) (i.number) (ctx.pick(" 次", "")) " · " (i.inspection.date) }
                        p { (i.inspection.summary) }
                        @if !i.inspection.inspectors.is_empty() {
                            p .meta { (ctx.pick("检查人：", "Inspectors: ")) (i.inspection.inspectors.join(ctx.pick("、", ", "))) }
                        }
                        (list_of(&i.inspection.findings))
                        @for flag in &i.inspection.flags { span .badge .bad { (ctx.t(&flag.label())) } " " }
                    }
                }
            }
        }
    }
}

fn evaluations_section(ctx: &Ctx, data: &StandardData) -> Markup {
    html! {
        @if !data.evaluations.is_empty() || !data.reports.is_empty() || data.acceptance.is_some() {
            section #evaluations {
                h2 { (ctx.pick("实施与评估", "Implementation and evaluation")) }
                @for r in &data.reports {
                    div .report { strong { (r.period) } (ctx.pick("：", ": ")) (r.summary) }
                }
                @for e in &data.evaluations {
                    div .evaluation data-number=(e.number) {
                        h3 { (ctx.pick("评估 ", "Evaluation ")) (e.number) " · v" (e.evaluation.version) " · " (e.evaluation.date) }
                        p { (e.evaluation.conclusion) }
                        ul {
                            @for s in &e.evaluation.scores {
                                li {
                                    (ctx.pick("标准 ", "criterion ")) (s.criterion) (ctx.pick("：", ": ")) (s.measured) " "
                                    @if s.met { span .badge .ok { (ctx.pick("达标", "met")) } } @else { span .badge .bad { (ctx.pick("未达标", "not met")) } }
                                }
                            }
                        }
                    }
                }
                @if let Some(a) = &data.acceptance {
                    div #acceptance { strong { (ctx.pick("验收：", "Accepted: ")) } (a.acceptance.date) " · " (a.acceptance.accepted_by) " · " (a.acceptance.conclusion) }
                }
            }
        }
    }
}

/// The query of a difference: two versions (`a`, `b`) or two drafts (`draft_a`,
/// `draft_b`, for a standard with fewer than two versions, or any two drafts).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DiffParams {
    /// The older version's number.
    pub a: Option<u32>,
    /// The newer version's number.
    pub b: Option<u32>,
    /// The older draft's number.
    pub draft_a: Option<u32>,
    /// The newer draft's number.
    pub draft_b: Option<u32>,
}

/// A draft as the lines a difference compares: its text, then its procedural and
/// quality requirements and criteria under headings in the page's language.
pub fn draft_lines(ctx: &Ctx, draft: &Draft) -> Vec<String> {
    let mut lines: Vec<String> = draft.text.lines().map(str::to_owned).collect();
    let mut section = |heading: &str, items: Vec<String>| {
        if !items.is_empty() {
            lines.push(String::new());
            lines.push(heading.to_owned());
            lines.extend(items.into_iter().map(|i| format!("· {i}")));
        }
    };
    section(
        ctx.pick("【程序规范】", "[Procedural requirements]"),
        draft.procedural.clone(),
    );
    section(
        ctx.pick("【工作质量】", "[Quality requirements]"),
        draft.quality.clone(),
    );
    section(
        ctx.pick("【评价标准】", "[Evaluation criteria]"),
        draft
            .criteria
            .iter()
            .map(|c| format!("{}：{}（{}）", c.name, c.measure, c.target))
            .collect(),
    );
    lines
}

/// One row of a side-by-side difference: the old line and the new one, either absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    /// The old side's line, and whether it was deleted.
    pub old: Option<(String, bool)>,
    /// The new side's line, and whether it was inserted.
    pub new: Option<(String, bool)>,
}

/// The rows of the side-by-side difference between `old` and `new`, line by line.
pub fn diff_rows(old: &[String], new: &[String]) -> Vec<DiffRow> {
    let old_refs: Vec<&str> = old.iter().map(String::as_str).collect();
    let new_refs: Vec<&str> = new.iter().map(String::as_str).collect();
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_slices(&old_refs, &new_refs);
    let mut rows = Vec::new();
    for op in diff.ops() {
        let (tag, olds, news) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => rows.extend(olds.zip(news).map(|(i, j)| DiffRow {
                old: Some((old[i].clone(), false)),
                new: Some((new[j].clone(), false)),
            })),
            _ => {
                let (olds, news): (Vec<usize>, Vec<usize>) = (olds.collect(), news.collect());
                for k in 0..olds.len().max(news.len()) {
                    rows.push(DiffRow {
                        old: olds.get(k).map(|&i| (old[i].clone(), true)),
                        new: news.get(k).map(|&j| (new[j].clone(), true)),
                    });
                }
            }
        }
    }
    rows
}

fn no_such(kind_zh: &str, kind_en: &str, code: &str, n: u32) -> Problem {
    Problem::new(
        "not-found",
        Text::owned(
            format!("{code} 没有{kind_zh} {n}"),
            format!("{code} has no {kind_en} {n}"),
        ),
    )
}

fn draft_of<'a>(data: &'a StandardData, code: &str, n: u32) -> Result<&'a DraftRecord, Problem> {
    data.draft(n).ok_or_else(|| no_such("第几稿：", "draft", code, n))
}

/// `GET /standards/{code}/diff?a=N&b=M`: the side-by-side difference between two
/// versions' texts (each version's draft: its text, procedural and quality
/// requirements, criteria); `?draft_a=N&draft_b=M` compares two drafts instead.
pub async fn diff(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<DiffParams>, QueryRejection>,
) -> Response {
    let path = path.map(|Path(c)| c.to_uppercase()).map_err(|e| bad_path(&e));
    let query = query.map(|Query(q)| q).map_err(|e| bad_query(&e));
    render(&app, &headers, &uri, move |_, court, ctx| {
        let code = path?;
        let params = query?;
        let data = court.opened(&code).map_err(|e| from_service(e, &code))?.data().clone();
        let (left, right, left_title, right_title) = match (params.a, params.b, params.draft_a, params.draft_b) {
            (Some(a), Some(b), _, _) => {
                let va = data.version(a).ok_or_else(|| no_such("版本 v", "version", &code, a))?;
                let vb = data.version(b).ok_or_else(|| no_such("版本 v", "version", &code, b))?;
                let title = |v: &regula_standards::data::Version| {
                    format!("v{} · {} · {}", v.number, v.document_number, v.published_on)
                };
                (
                    draft_of(&data, &code, va.draft)?,
                    draft_of(&data, &code, vb.draft)?,
                    title(va),
                    title(vb),
                )
            }
            (_, _, Some(a), Some(b)) => {
                let title = |n: u32| format!("{}{n}{}", ctx.pick("第 ", "draft "), ctx.pick(" 稿", ""));
                (
                    draft_of(&data, &code, a)?,
                    draft_of(&data, &code, b)?,
                    title(a),
                    title(b),
                )
            }
            _ => {
                return Err(Problem::new(
                    "bad-request",
                    Text::new(
                        "请指定两个版本（?a=1&b=2）或两稿（?draft_a=1&draft_b=2）",
                        "name two versions (?a=1&b=2) or two drafts (?draft_a=1&draft_b=2)",
                    ),
                ));
            }
        };
        let rows = diff_rows(&draft_lines(ctx, &left.draft), &draft_lines(ctx, &right.draft));
        let changed = rows
            .iter()
            .filter(|r| r.old.as_ref().is_some_and(|o| o.1) || r.new.as_ref().is_some_and(|n| n.1))
            .count();
        let title = format!("{code} · {}", ctx.pick("差异", "Differences"));
        let body = html! {
            section #diff-page {
                h1 { a href={ "/standards/" (code) } { (code) } " · " (ctx.pick("差异", "Differences")) }
                p #diff-summary data-changed=(changed) {
                    @if changed == 0 { (ctx.pick("两者内容相同。", "The two are the same.")) }
                    @else { (ctx.pick("变动行数：", "Lines changed: ")) (changed) }
                }
                div #diff .diff {
                    div .head { strong { (left_title) } }
                    div .head { strong { (right_title) } }
                    @for row in &rows {
                        @match &row.old {
                            Some((line, true)) => div .del { del { (line) } },
                            Some((line, false)) => div { (line) },
                            None => div .empty {},
                        }
                        @match &row.new {
                            Some((line, true)) => div .ins { ins { (line) } },
                            Some((line, false)) => div { (line) },
                            None => div .empty {},
                        }
                    }
                }
            }
        };
        Ok(ctx.page(&title, body))
    })
    .await
}

/// `GET /standards/{code}/records/{seq}/proof`: the record's proof bundle as a JSON
/// download (`CODE-SEQ.proof.json`), against a checkpoint signed now; an error page
/// (409) when the server has no signing key, as the API answers.
pub async fn proof(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<(String, u64)>, PathRejection>,
) -> Response {
    let path = path.map(|Path((c, s))| (c.to_uppercase(), s)).map_err(|e| bad_path(&e));
    render(&app, &headers, &uri, move |service, court, _| {
        let (code, seq) = path?;
        let bundle = crate::routes::proof_of(service, court, &code, seq)?;
        // Only characters every browser keeps in a file name.
        let stem: String = code
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        let disposition =
            HeaderValue::from_str(&format!("attachment; filename=\"{stem}-{seq}.proof.json\"")).map_err(internal)?;
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            bundle.to_json(),
        )
            .into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_difference_pairs_equal_lines_and_marks_the_changed_ones() {
        let rows = diff_rows(&lines("a\nb\nc\nd"), &lines("a\nB\nc\nd\ne"));
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert_eq!(rows[0].old, Some(("a".to_owned(), false)));
        assert_eq!(rows[1].old, Some(("b".to_owned(), true)));
        assert_eq!(rows[1].new, Some(("B".to_owned(), true)));
        assert_eq!(rows[4].old, None);
        assert_eq!(rows[4].new, Some(("e".to_owned(), true)));
    }
}
