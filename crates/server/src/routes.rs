//! The HTTP interface: one handler per operation, each a thin layer over the library.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike as _, Utc};
use regula_core::store::{StorageCheck, Store};
use regula_core::{Action as _, AuditRecord, Checkpoint, CheckpointNote, Command, Decision, Lang, Outcome, Text};
use regula_proof::CheckpointSigning as _;
use regula_standards::access::TokenScope;
use regula_standards::catalog::Catalog;
use regula_standards::lifecycle::StandardAction;
use regula_standards::listing::ListQuery;
use regula_standards::report::{ReportQuery, Section};
use regula_standards::service::{Attempt, AttemptError, Court, Extension, ServiceError};
use serde::Deserialize;
use serde_json::json;

use crate::App;
use crate::any_store::AnyStore;
use crate::auth::{Caller, authenticate, bearer};
use crate::problem::{Problem, from_service, internal, lang_of};
use crate::state::{Job, Service};

/// The answer of a handler: a response, or a problem.
type Answer = Result<Response, Problem>;

/// Runs `f` on the court, caught up with the store, for the authenticated caller, on
/// a thread that may block (the stores are synchronous). Problems answer in the
/// request's language.
async fn with_court(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&Service, &mut Court<AnyStore>, Caller) -> Answer + Send + 'static,
) -> Response {
    let lang = lang_of(headers);
    let token = bearer(headers);
    let service = Arc::clone(&app.service);
    let result = tokio::task::spawn_blocking(move || {
        let mut court = service.court()?;
        let caller = authenticate(&court, token.as_deref())?;
        f(&service, &mut court, caller)
    })
    .await
    .unwrap_or_else(|e| Err(internal(e)));
    match result {
        Ok(response) => response,
        Err(problem) => problem.in_lang(lang).into_response(),
    }
}

/// A problem with the request itself, answered once the caller is known: a request
/// without a valid token is 401 whatever else is wrong with it (and says nothing about
/// what the operation would accept).
async fn after_auth(app: &App, headers: &HeaderMap, problem: Problem) -> Response {
    with_court(app, headers, move |_, _, _| Err(problem)).await
}

/// `GET /healthz`: 200 when the store answers, 503 otherwise; no token needed.
pub async fn healthz(State(app): State<App>) -> Response {
    let service = Arc::clone(&app.service);
    let result = tokio::task::spawn_blocking(move || {
        let court = service.court()?;
        court.store().tree_head().map_err(internal)
    })
    .await
    .unwrap_or_else(|e| Err(internal(e)));
    match result {
        Ok(head) => Json(json!({"status": "ok", "records": head.size})).into_response(),
        Err(problem) => Problem::new("unavailable", problem.detail).into_response(),
    }
}

/// `GET /metrics`: Prometheus' text format; no token needed.
pub async fn metrics(State(app): State<App>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        app.service.metrics.render(),
    )
        .into_response()
}

/// `GET /openapi.json`: the interface description; no token needed.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_text(),
    )
        .into_response()
}

/// `GET /v1/catalog`: the catalog in force, with the core standards.
pub async fn catalog(State(app): State<App>, headers: HeaderMap) -> Response {
    with_court(&app, &headers, |_, court, _| {
        let rows = court.catalog().standards();
        Ok(Json(rows).into_response())
    })
    .await
}

fn bad_query(e: QueryRejection) -> Problem {
    Problem::plain("bad-request", "查询参数有误：", "bad query: ", e.body_text())
}

/// A path parameter that does not parse (a sequence number that is not one, a code
/// that is not UTF-8): a problem like any other, answered after the token is checked.
fn bad_path(e: PathRejection) -> Problem {
    Problem::plain("bad-request", "路径参数有误：", "bad path parameter: ", e.body_text())
}

fn bad_body(e: JsonRejection) -> Problem {
    Problem::plain("bad-request", "请求体有误：", "bad request body: ", e.body_text())
}

/// `GET /v1/standards`: the standards with their state, filtered as `regula list`.
pub async fn list(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(q)) => q,
        Err(e) => return after_auth(&app, &headers, bad_query(e)).await,
    };
    with_court(&app, &headers, move |_, court, _| {
        if let Some(date) = query.late {
            year_in_range("late", date.year())?;
        }
        let rows = court.list(&query, Utc::now()).map_err(|e| match e {
            regula_standards::listing::ListError::Service(e) => from_service(e, ""),
            other => Problem::new("bad-request", other.message()),
        })?;
        Ok(Json(rows).into_response())
    })
    .await
}

/// Query of `GET /v1/standards/{code}`.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// As of this time (RFC 3339 or a date): the standard as its log stood then.
    pub at: Option<String>,
}

/// `GET /v1/standards/{code}`: a standard, what blocks its next step and the actions
/// its state allows; `ETag` is its last record's sequence number.
pub async fn show(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<ShowQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(q)) => q,
        Err(e) => return after_auth(&app, &headers, bad_query(e)).await,
    };
    let path = path.map_err(bad_path);
    with_court(&app, &headers, move |_, court, _| {
        let Path(code) = path?;
        let code = code.to_uppercase();
        let at = query.at.as_deref().map(|t| parse_time(court, t)).transpose()?;
        let seq = court.opened(&code).map_err(|e| from_service(e, &code))?.seq();
        let view = court.view(&code, at, Utc::now()).map_err(|e| match e {
            regula_standards::view::ViewError::Service(e) => from_service(e, &code),
            other => Problem::new("not-found", other.message()),
        })?;
        Ok(with_etag(Json(view).into_response(), seq))
    })
    .await
}

/// `GET /v1/standards/{code}/records`: the standard's audit trail, refusals included.
pub async fn records(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let path = path.map_err(bad_path);
    with_court(&app, &headers, move |_, court, _| {
        let Path(code) = path?;
        let code = code.to_uppercase();
        let records = court.history(&code).map_err(|e| from_service(e, &code))?;
        let seq = records.last().map_or(0, |r| r.seq);
        Ok(with_etag(Json(records).into_response(), seq))
    })
    .await
}

/// `GET /v1/standards/{code}/records/{seq}`: one record.
pub async fn record(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, u64)>, PathRejection>,
) -> Response {
    let path = path.map_err(bad_path);
    with_court(&app, &headers, move |_, court, _| {
        let Path((code, seq)) = path?;
        let code = code.to_uppercase();
        court
            .record(&code, seq)
            .map_err(|e| from_service(e, &code))?
            .map(|r| Json(r).into_response())
            .ok_or_else(|| no_record(&code, seq))
    })
    .await
}

fn no_record(code: &str, seq: u64) -> Problem {
    Problem::new(
        "not-found",
        Text::owned(
            format!("{code} 没有第 {seq} 条记录"),
            format!("{code} has no record #{seq}"),
        ),
    )
}

fn with_etag(mut response: Response, seq: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{seq}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// The years a date or time of a request may have. Wider ranges would let a time reach
/// a response outside RFC 3339's four-digit years (year 0 at +08:00 is `-0001-12-31T16:00Z`
/// in UTC), which the document promises every `date-time` is; no court's standard is
/// dated outside these.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

pub(crate) fn year_in_range(what: &str, year: i32) -> Result<(), Problem> {
    if YEARS.contains(&year) {
        return Ok(());
    }
    Err(Problem::new(
        "bad-request",
        Text::owned(
            format!(
                "{what} 的年份 {year} 超出范围：应在 {} 至 {} 年之间",
                YEARS.start(),
                YEARS.end()
            ),
            format!(
                "{what}: year {year} is out of range: expected {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
        ),
    ))
}

pub(crate) fn parse_time(court: &Court<AnyStore>, text: &str) -> Result<DateTime<Utc>, Problem> {
    let time = parse_time_any(court, text)?;
    year_in_range(text, time.year())?;
    Ok(time)
}

fn parse_time_any(court: &Court<AnyStore>, text: &str) -> Result<DateTime<Utc>, Problem> {
    court.config().parse_time(text).ok_or_else(|| {
        Problem::new(
            "bad-request",
            Text::owned(
                format!("时间 {text:?} 无效：应为日期（2023-03-01）或 RFC 3339（2023-03-01T09:00:00+08:00）"),
                format!("invalid time {text:?}: expected a date (2023-03-01) or RFC 3339 (2023-03-01T09:00:00+08:00)"),
            ),
        )
    })
}

// The body of `POST …/records` and `…/preview`, decoded and its action built by the
// library (fuzzed there: docs/fuzzing.md).
pub use regula_standards::request::ActionRequest;
pub(crate) use regula_standards::request::action_of;

/// Builds the command of `request` for `caller` on `code`: 400 for an unknown action,
/// role or a payload that does not fit; 403 when the caller's actor may not act in
/// the role (an office token as the leading group, a department's token on another
/// department's standard).
pub(crate) fn command_of(
    court: &Court<AnyStore>,
    caller: &Caller,
    code: &str,
    request: ActionRequest,
) -> Result<Command<StandardAction>, Problem> {
    caller.require(TokenScope::Act)?;
    let instance = court.opened(code).map_err(|e| from_service(e, code))?;
    let definition = court.definition_of(code).map_err(|e| from_service(e, code))?;
    if definition.action_label(&request.action).is_none() {
        let names: Vec<&str> = definition.actions().iter().map(|a| a.name.as_str()).collect();
        return Err(Problem::new(
            "bad-request",
            Text::owned(
                format!("未知操作 {:?}；可用操作：{}", request.action, names.join("、")),
                format!("unknown action {:?}; actions: {}", request.action, names.join(", ")),
            ),
        )
        .with("actions", json!(names)));
    }
    let action = action_of(&request.action, request.payload.as_ref()).map_err(|e| {
        Problem::new(
            "bad-request",
            Text::owned(
                format!("操作 {} 的内容有误：{}", request.action, e.message),
                format!("payload of {}: {}", request.action, e.message),
            ),
        )
    })?;
    let role = match request.role {
        Some(role) => {
            if !definition.has_role(&role) {
                let names: Vec<&str> = definition.roles().iter().map(|r| r.name.as_str()).collect();
                return Err(Problem::new(
                    "bad-request",
                    Text::owned(
                        format!("未知角色 {role:?}；角色：{}", names.join("、")),
                        format!("unknown role {role:?}; roles: {}", names.join(", ")),
                    ),
                ));
            }
            role
        }
        None => court
            .default_role(code, &caller.actor, action.name())
            .map_err(|e| from_service(e, code))?,
    };
    if let Err(why) = court.config().actor_fits_role(&caller.actor, &role, instance.data()) {
        return Err(Problem::new(
            "forbidden",
            Text::owned(
                format!("令牌 {} 所属的操作人不能以此角色办理 {code}：{}", caller.token, why.zh),
                format!(
                    "the actor of token {} may not act in this role on {code}: {}",
                    caller.token, why.en
                ),
            ),
        )
        .with("role", json!(role)));
    }
    let effective_at = request.at.as_deref().map(|t| parse_time(court, t)).transpose()?;
    let mut command = Command::new(caller.actor.clone(), role, action);
    command.note = request.note;
    command.effective_at = effective_at;
    Ok(command)
}

/// The response to a record written (or found again under its idempotency key):
/// 201 with the record when accepted, 422 with the reasons when refused.
fn written(code: &str, record: &AuditRecord, replayed: bool) -> Response {
    let mut response = match &record.outcome {
        Outcome::Refused { reasons } => Problem::new(
            "refused",
            Text::owned(
                format!("{code} 的操作 {} 被拒绝（已记录为第 {} 条）", record.action, record.seq),
                format!("{} on {code} was refused (recorded as #{})", record.action, record.seq),
            ),
        )
        .with("reasons", json!(reasons))
        .with("record", json!(record))
        .into_response(),
        _ => (StatusCode::CREATED, Json(record)).into_response(),
    };
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/standards/{code}/records/{}", record.seq)) {
        headers.insert(header::LOCATION, location);
    }
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", record.seq)) {
        headers.insert(header::ETAG, etag);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The `If-Match` of a request as a sequence number: `"12"`, `W/"12"` or `12`; `*`
/// or none: no condition.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<u64>().map(Some).map_err(|_| {
        Problem::new(
            "bad-request",
            Text::owned(
                format!("If-Match {text:?} 无效：应为该标准最后一条记录的序号（ETag），如 \"12\""),
                format!(
                    "invalid If-Match {text:?}: expected the standard's last sequence number (its ETag), e.g. \"12\""
                ),
            ),
        )
    })
}

/// The `Idempotency-Key` of a request: 1 to 200 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(Problem::new(
            "bad-request",
            Text::new(
                "Idempotency-Key 无效：应为 1 至 200 个可见 ASCII 字符",
                "invalid Idempotency-Key: expected 1 to 200 visible ASCII characters",
            ),
        )),
    }
}

/// The answer to a retried request: the first attempt's record if it was the same
/// request (same standard, action and payload), 422 if the key was used for another.
fn replay(
    court: &Court<AnyStore>,
    code: &str,
    key: &str,
    request: &ActionRequest,
) -> Result<Option<Response>, Problem> {
    Ok(keyed_record(court, code, key, request)?.map(|record| written(code, &record, true)))
}

/// The record written earlier under the (token-scoped) idempotency `key`, when it was
/// the same request (same standard, action and payload); 422 if the key was used for
/// another; `None` when nothing was written under it yet.
pub(crate) fn keyed_record(
    court: &Court<AnyStore>,
    code: &str,
    key: &str,
    request: &ActionRequest,
) -> Result<Option<AuditRecord>, Problem> {
    let Some(record) = court.keyed_record(key).map_err(|e| from_service(e, code))? else {
        return Ok(None);
    };
    let same_standard = court.instance(code).is_some_and(|i| i.id() == record.instance);
    let same_payload = action_of(&request.action, request.payload.as_ref())
        .ok()
        .and_then(|a| a.payload().ok())
        .is_some_and(|p| p == record.payload);
    if same_standard && record.action == request.action && same_payload {
        return Ok(Some(record));
    }
    Err(Problem::new(
        "idempotency-key-reused",
        Text::owned(
            format!("该 Idempotency-Key 已用于另一请求（{} #{}）", record.action, record.seq),
            format!(
                "this Idempotency-Key was used for another request ({} #{})",
                record.action, record.seq
            ),
        ),
    ))
}

/// Queues `attempt` for the group-commit writer (written with the others queued
/// meanwhile, in one transaction) and waits until its record is durable: the record,
/// or why nothing was written; the outer error when the writer is stopping or the
/// court could not be reached.
pub(crate) async fn write(app: &App, attempt: Attempt) -> Result<Result<AuditRecord, AttemptError>, Problem> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    if !app.writer.submit(Job { attempt, reply }) {
        return Err(Problem::new(
            "unavailable",
            Text::new("服务正在停止", "the service is shutting down"),
        ));
    }
    answer.await.unwrap_or_else(|e| Err(internal(e)))
}

/// True when another attempt under the same idempotency key got there first (in the
/// same batch, or in another process): its record is the answer.
pub(crate) fn lost_key_race(error: &AttemptError) -> bool {
    matches!(
        error,
        AttemptError::KeyInBatch
            | AttemptError::Service(ServiceError::Repository(regula_core::RepositoryError::Store(
                regula_core::StoreError::Claimed { .. },
            )))
    )
}

/// `POST /v1/standards/{code}/records`: attempts an action, as the token's actor. The
/// record is written with others queued meanwhile in one transaction (group commit)
/// and answered once durable: 201 accepted, 422 refused (recorded, with its reasons);
/// 412 when `If-Match` names a record that is no longer the last; 409 when another
/// writer got in first (nothing written); a retry under the same `Idempotency-Key`
/// answers the first attempt's result and writes nothing.
pub async fn act(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let code = match path {
        Ok(Path(code)) => code.to_uppercase(),
        Err(e) => return after_auth(&app, &headers, bad_path(e)).await,
    };
    let prepared = match (body, if_match(&headers), idempotency_key(&headers)) {
        (Ok(Json(request)), Ok(expected), Ok(key)) => (request, expected, key),
        (Err(e), ..) => return after_auth(&app, &headers, bad_body(e)).await,
        (_, Err(p), _) | (_, _, Err(p)) => return after_auth(&app, &headers, p).await,
    };
    let (request, expected_seq, key) = prepared;
    // Decided and checked under the court's lock, then queued for the writer.
    let service = Arc::clone(&app.service);
    let token = bearer(&headers);
    let (job_code, request_again) = (code.clone(), request.clone());
    let prepared = tokio::task::spawn_blocking(move || -> Result<Result<(Attempt, String), Response>, Problem> {
        let court = service.court()?;
        let caller = authenticate(&court, token.as_deref())?;
        caller.require(TokenScope::Act)?;
        let scoped = key.map(|k| format!("{}:{k}", caller.token));
        if let Some(scoped) = &scoped
            && let Some(response) = replay(&court, &job_code, scoped, &request)?
        {
            service.metrics.replay();
            return Ok(Err(response));
        }
        let command = command_of(&court, &caller, &job_code, request)?;
        Ok(Ok((
            Attempt {
                code: job_code.clone(),
                command,
                key: scoped.clone(),
                expected_seq,
            },
            scoped.unwrap_or_default(),
        )))
    })
    .await
    .unwrap_or_else(|e| Err(internal(e)));
    let (attempt, scoped) = match prepared {
        Ok(Ok(ready)) => ready,
        Ok(Err(response)) => return response,
        Err(problem) => return problem.in_lang(lang).into_response(),
    };
    let result = match write(&app, attempt).await {
        Ok(result) => result,
        Err(problem) => return problem.in_lang(lang).into_response(),
    };
    match result {
        Ok(record) => written(&code, &record, false),
        Err(AttemptError::Moved { seq, .. }) => Problem::new(
            "precondition-failed",
            Text::owned(
                format!("{code} 的最后一条记录已是 #{seq}，与 If-Match 不符；未写入任何内容"),
                format!("{code}'s last record is #{seq} now, not the one If-Match names; nothing was written"),
            ),
        )
        .with("seq", json!(seq))
        .in_lang(lang)
        .into_response(),
        // Another attempt under the same key got there first (in this batch or another
        // process): its record is the answer.
        Err(e) if lost_key_race(&e) && !scoped.is_empty() => {
            let service = Arc::clone(&app.service);
            tokio::task::spawn_blocking(move || {
                let court = service.court()?;
                match replay(&court, &code, &scoped, &request_again)? {
                    Some(response) => Ok(response),
                    None => Err(internal("the idempotency key's record is missing")),
                }
            })
            .await
            .unwrap_or_else(|e| Err(internal(e)))
            .unwrap_or_else(|p| p.in_lang(lang).into_response())
        }
        Err(AttemptError::KeyInBatch) => internal("idempotency key without a key").in_lang(lang).into_response(),
        Err(AttemptError::Service(e)) => from_service(e, &code).in_lang(lang).into_response(),
    }
}

/// `POST /v1/standards/{code}/preview`: the decision the action would get now, without
/// writing anything.
pub async fn preview(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Response {
    let request = match body {
        Ok(Json(r)) => r,
        Err(e) => return after_auth(&app, &headers, bad_body(e)).await,
    };
    let path = path.map_err(bad_path);
    with_court(&app, &headers, move |_, court, caller| {
        let Path(code) = path?;
        let code = code.to_uppercase();
        let command = command_of(court, &caller, &code, request)?;
        let decision = court.preview(&code, &command).map_err(|e| from_service(e, &code))?;
        Ok(Json(match decision {
            Decision::Accept { to } => json!({"decision": "accept", "to": to.as_str(), "role": command.role}),
            Decision::Refuse(reasons) => json!({"decision": "refuse", "reasons": reasons, "role": command.role}),
        })
        .into_response())
    })
    .await
}

/// Query of `GET /v1/reports`.
#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    /// Sections, comma-separated (`domain,steps`); absent: the default set.
    pub sections: Option<String>,
    /// As of the end of this date (YYYY-MM-DD); absent: now.
    pub as_of: Option<chrono::NaiveDate>,
    /// The year of the assessment.
    pub year: Option<i32>,
    /// `json` (default), `markdown` or `csv`.
    pub format: Option<String>,
    /// The language of markdown and CSV: `zh` (default) or `en`.
    pub lang: Option<String>,
}

/// `GET /v1/reports`: the plan's progress report, as `regula report`, in JSON,
/// Markdown or CSV.
pub async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<ReportParams>, QueryRejection>,
) -> Response {
    let params = match query {
        Ok(Query(q)) => q,
        Err(e) => return after_auth(&app, &headers, bad_query(e)).await,
    };
    let header_lang = lang_of(&headers);
    with_court(&app, &headers, move |_, court, _| {
        if let Some(year) = params.year {
            year_in_range("year", year)?;
        }
        if let Some(date) = params.as_of {
            year_in_range("as_of", date.year())?;
        }
        let mut sections = Vec::new();
        for name in params
            .sections
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            sections.push(Section::from_name(name).ok_or_else(|| {
                let all: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
                Problem::new(
                    "bad-request",
                    Text::owned(
                        format!("未知报表部分 {name:?}；可用：{}", all.join("、")),
                        format!("unknown section {name:?}; sections: {}", all.join(", ")),
                    ),
                )
            })?);
        }
        let lang = match params.lang.as_deref() {
            None => header_lang,
            Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(Problem::new(
                    "bad-request",
                    Text::owned(
                        format!("未知语言 {other:?}：zh 或 en"),
                        format!("unknown lang {other:?}: zh or en"),
                    ),
                ));
            }
        };
        let query = ReportQuery {
            sections,
            as_of: params.as_of,
            year: params.year,
        };
        let report = court.report(&query, Utc::now()).map_err(|e| match e {
            regula_standards::report::ReportError::Service(e) => from_service(e, ""),
            other => Problem::new("bad-request", other.message()),
        })?;
        let tz = court.config().timezone;
        match params.format.as_deref().unwrap_or("json") {
            "json" => Ok(Json(report).into_response()),
            "markdown" => Ok((
                [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                report.to_markdown(lang, tz),
            )
                .into_response()),
            "csv" => Ok((
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                report.to_csv(lang, tz),
            )
                .into_response()),
            other => Err(Problem::new(
                "not-acceptable",
                Text::owned(
                    format!("未知格式 {other:?}：json、markdown 或 csv"),
                    format!("unknown format {other:?}: json, markdown or csv"),
                ),
            )),
        }
    })
    .await
}

/// Query of `GET /v1/verify`.
#[derive(Debug, Default, Deserialize)]
pub struct VerifyParams {
    /// Also the database's own integrity check and every queryable column.
    #[serde(default)]
    pub full: bool,
}

/// `GET /v1/verify`: verifies the whole store, as `regula verify`; 200 with `ok` false
/// when it found problems.
pub async fn verify(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<VerifyParams>, QueryRejection>,
) -> Response {
    let params = match query {
        Ok(Query(q)) => q,
        Err(e) => return after_auth(&app, &headers, bad_query(e)).await,
    };
    let lang = lang_of(&headers);
    with_court(&app, &headers, move |_, court, _| {
        let storage = if params.full {
            StorageCheck::Full
        } else {
            StorageCheck::Quick
        };
        let report = court
            .verify_with(None, storage, &mut |_, _| {})
            .map_err(|e| from_service(e, ""))?;
        Ok(Json(json!({
            "ok": report.is_ok(), "records": report.records, "instances": report.instances,
            "replayed": report.replayed, "root": report.computed.map(|c| c.root),
            "problems": report.problem_texts(lang),
        }))
        .into_response())
    })
    .await
}

/// A checkpoint of the store now, signed with the service's key when it has one.
pub(crate) fn checkpoint_now(service: &Service, court: &Court<AnyStore>) -> Result<CheckpointNote, Problem> {
    let head = court.store().tree_head().map_err(internal)?;
    let checkpoint = Checkpoint::with_origin(&service.origin, head, Utc::now()).map_err(internal)?;
    Ok(match &service.key {
        Some(key) => CheckpointNote::sign(&checkpoint, key),
        None => CheckpointNote::unsigned(&checkpoint),
    })
}

/// `GET /v1/checkpoint`: the store's checkpoint now, in the one checkpoint format
/// (signed with the service's key when it was started with one).
pub async fn checkpoint(State(app): State<App>, headers: HeaderMap) -> Response {
    with_court(&app, &headers, |service, court, _| {
        let note = checkpoint_now(service, court)?;
        Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note.to_text()).into_response())
    })
    .await
}

/// `GET /v1/standards/{code}/records/{seq}/proof`: a proof bundle that the record is
/// in the log, against a checkpoint signed now with the service's key (409 when the
/// service has none: a proof against an unsigned checkpoint proves nothing).
pub async fn prove(
    State(app): State<App>,
    headers: HeaderMap,
    path: Result<Path<(String, u64)>, PathRejection>,
) -> Response {
    let path = path.map_err(bad_path);
    with_court(&app, &headers, move |service, court, _| {
        let Path((code, seq)) = path?;
        let bundle = proof_of(service, court, &code.to_uppercase(), seq)?;
        Ok(([(header::CONTENT_TYPE, "application/json")], bundle.to_json()).into_response())
    })
    .await
}

/// The proof bundle that record `seq` of standard `code` is in the log, against a
/// checkpoint signed now with the service's key: 404 for a record the standard does
/// not have, 409 when the service has no key (a proof against an unsigned checkpoint
/// proves nothing to anyone). The API and the pages both serve it.
pub(crate) fn proof_of(
    service: &Service,
    court: &Court<AnyStore>,
    code: &str,
    seq: u64,
) -> Result<regula_proof::ProofBundle, Problem> {
    let instance = court.opened(code).map_err(|e| from_service(e, code))?;
    if seq == 0 || seq > instance.seq() {
        return Err(no_record(code, seq));
    }
    if service.key.is_none() {
        return Err(Problem::new(
            "conflict",
            Text::new(
                "服务未配置签名密钥（regula serve --sign KEY）：对未签名检查点的证明不能向他人证明任何事",
                "the service has no signing key (regula serve --sign KEY): a proof against an unsigned checkpoint proves nothing to anyone",
            ),
        ));
    }
    let note = checkpoint_now(service, court)?;
    regula_proof::prove_record(court.store(), &note, instance.id(), seq).map_err(internal)
}

/// `POST /v1/catalog/import` (an `admin` token): records the catalog and opens its
/// standards on a store that records none; with a catalog (TOML) as the body, extends
/// the catalog in force with its new standards. As the token's actor (the office).
pub async fn import(State(app): State<App>, headers: HeaderMap, body: String) -> Response {
    with_court(&app, &headers, move |_, court, caller| {
        caller.require(TokenScope::Admin)?;
        let opened = if body.trim().is_empty() {
            court.import_at(&caller.actor, None).map_err(|e| from_service(e, ""))?
        } else {
            let catalog = Catalog::from_toml_str(&body)
                .map_err(|e| Problem::plain("bad-request", "目录有误：", "bad catalog: ", e))?;
            match court
                .extend(&caller.actor, catalog, None)
                .map_err(|e| from_service(e, ""))?
            {
                Extension::Opened(codes) => codes,
                Extension::Refused(record) => {
                    let reasons = record.refusal().unwrap_or_default().to_vec();
                    return Err(Problem::new(
                        "refused",
                        Text::new(
                            "目录增补被拒绝（已记录）",
                            "the catalog extension was refused (recorded)",
                        ),
                    )
                    .with("reasons", json!(reasons))
                    .with("record", json!(record)));
                }
            }
        };
        Ok(Json(json!({"opened": opened, "total": court.catalog().standards().len()})).into_response())
    })
    .await
}

/// Any path the service does not serve.
pub async fn not_found(headers: HeaderMap) -> Response {
    Problem::new("not-found", Text::new("没有这个地址", "no such path"))
        .in_lang(lang_of(&headers))
        .into_response()
}
