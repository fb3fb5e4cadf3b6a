//! The action forms, generated from each action's payload schema.
//!
//! Each field of a payload is one form control named by its dotted path
//! (`draft.text`, `meeting.date`); its kind follows the schema: text (a textarea
//! for long text), date, whole number, checkbox, a choice among constants, a list of
//! lines for a list of strings, and a JSON text for anything more complex (a list of
//! objects), with an example. A tagged union (`response.decision` with its fields)
//! is a choice of its tag plus the fields of every variant, each saying for which
//! variant it is. Values are read back by the same schema, so a number field is a
//! number and a text field that looks like one stays text.
//!
//! Submitting goes through the same checks and the same group-commit writer as
//! `POST /v1/standards/{code}/records`, under an idempotency key rendered into the
//! form (scoped to the token, as the API's): a double submit or a reload writes once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike as _, NaiveDate};
use maud::{Markup, html};
use regula_core::{AuditRecord, Decision, Lang, Outcome, Reason, Text};
use regula_standards::access::TokenScope;
use regula_standards::lifecycle::Stage;
use regula_standards::service::{Attempt, Court};
use regula_standards::view::ActionView;
// The fields are walked from the payload schema in the library, where the command
// line reads and describes them too.
pub use regula_standards::schema::fields::{Field, Kind, example, field_label, fields_of, option_label};
use serde_json::{Map, Value, json};

use super::layout::{Ctx, lang_of_page, render};
use super::signin::same_origin;
use crate::App;
use crate::any_store::AnyStore;
use crate::problem::{Problem, from_service};
use crate::routes::{ActionRequest, YEARS, command_of, keyed_record, lost_key_race, parse_time, write};

/// The actions open from the standard's state that the signed-in actor may take now:
/// the transitions from its state whose roles include one the actor fits (none for
/// a token that may not act); [`Court::actions_for`].
pub(crate) fn allowed_actions(court: &Court<AnyStore>, ctx: &Ctx, code: &str) -> Result<Vec<ActionView>, Problem> {
    if ctx.caller.scope != TokenScope::Act {
        return Ok(Vec::new());
    }
    court
        .actions_for(code, Some(&ctx.caller.actor))
        .map_err(|e| from_service(e, code))
}

/// A field's label: each segment of its path, in the page's language.
fn label_of(ctx: &Ctx, path: &str) -> String {
    path.split('.')
        .map(|segment| ctx.t(&field_label(segment)).to_owned())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn option_text(ctx: &Ctx, value: &str) -> String {
    option_label(value).map_or_else(|| value.to_owned(), |t| ctx.t(&t).to_owned())
}

/// What was posted: each name's values, in order.
pub type Posted = HashMap<String, Vec<String>>;

fn first<'a>(posted: &'a Posted, name: &str) -> &'a str {
    posted.get(name).and_then(|v| v.first()).map_or("", String::as_str)
}

/// A problem with one field of the form: the field's path and what is wrong, in both
/// languages.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// The field's path (`at`, `draft.text`).
    pub path: String,
    /// What is wrong.
    pub message: Text,
}

fn field_error(path: &str, zh: String, en: String) -> FieldError {
    FieldError {
        path: path.to_owned(),
        message: Text::owned(zh, en),
    }
}

/// Sets `value` at the dotted `path` of `object`.
fn insert(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = object
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !inner.is_object() {
                *inner = Value::Object(Map::new());
            }
            if let Value::Object(inner) = inner {
                insert(inner, rest, value);
            }
        }
    }
}

/// The payload the posted form gives, read by each field's kind: `None` for an action
/// without fields; every field that is missing or malformed, by name, otherwise.
pub fn payload_of(fields: &[Field], posted: &Posted) -> Result<Option<Value>, Vec<FieldError>> {
    if fields.is_empty() {
        return Ok(None);
    }
    let mut payload = Map::new();
    let mut errors = Vec::new();
    for field in fields {
        if let Some((tag, values)) = &field.variant
            && !values.iter().any(|v| v == first(posted, tag))
        {
            continue;
        }
        let path = &field.path;
        let raw = first(posted, path).replace("\r\n", "\n");
        let text = raw.trim();
        let missing = || field_error(path, format!("{path}：必填"), format!("{path}: required"));
        let value = match &field.kind {
            Kind::Boolean => {
                let checked = matches!(text, "true" | "on" | "1");
                (checked || field.required).then_some(Value::Bool(checked))
            }
            _ if text.is_empty() && !matches!(field.kind, Kind::Choices(_)) => {
                if field.required {
                    errors.push(missing());
                }
                None
            }
            Kind::Text { .. } => Some(Value::String(raw.trim_end_matches('\n').to_owned())),
            Kind::Date => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) if YEARS.contains(&date.year()) => Some(json!(text)),
                _ => {
                    errors.push(field_error(
                        path,
                        format!("{path}：{text:?} 不是有效日期（应为 2023-03-01 这样的格式）"),
                        format!("{path}: {text:?} is not a valid date (expected e.g. 2023-03-01)"),
                    ));
                    None
                }
            },
            Kind::Integer { minimum } => match text.parse::<i64>() {
                Ok(n) if minimum.is_none_or(|m| n >= m) => Some(json!(n)),
                _ => {
                    errors.push(field_error(
                        path,
                        format!("{path}：{text:?} 不是有效的整数"),
                        format!("{path}: {text:?} is not a valid whole number"),
                    ));
                    None
                }
            },
            Kind::Choice(values) => {
                if values.iter().any(|v| v == text) {
                    Some(json!(text))
                } else {
                    errors.push(field_error(
                        path,
                        format!("{path}：{text:?} 不是可选值（{}）", values.join("、")),
                        format!("{path}: {text:?} is not one of {}", values.join(", ")),
                    ));
                    None
                }
            }
            Kind::Lines => {
                let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                Some(json!(lines))
            }
            Kind::Choices(values) => {
                let chosen: Vec<&String> = posted
                    .get(path)
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_empty())
                    .collect();
                if let Some(bad) = chosen.iter().find(|c| !values.contains(c)) {
                    errors.push(field_error(
                        path,
                        format!("{path}：{bad:?} 不是可选值（{}）", values.join("、")),
                        format!("{path}: {bad:?} is not one of {}", values.join(", ")),
                    ));
                    None
                } else if chosen.is_empty() && !field.required {
                    None
                } else {
                    Some(json!(chosen))
                }
            }
            Kind::Json { .. } => match serde_json::from_str::<Value>(text) {
                Ok(value) => Some(value),
                Err(e) => {
                    errors.push(field_error(
                        path,
                        format!("{path}：不是有效的 JSON（{e}）"),
                        format!("{path}: not valid JSON ({e})"),
                    ));
                    None
                }
            },
        };
        if let Some(value) = value {
            insert(&mut payload, path, value);
        }
    }
    if errors.is_empty() {
        Ok(Some(Value::Object(payload)))
    } else {
        Err(errors)
    }
}

/// What a re-rendered form shows above it.
enum Shown {
    /// Nothing: a fresh form.
    Fresh,
    /// The preview's decision.
    Preview(Decision<Stage>),
    /// The record of a refused submission.
    Refused(Box<AuditRecord>),
    /// What is wrong with the input.
    Invalid(Vec<FieldError>),
}

/// The action form and what it shows above itself.
struct FormPage<'a> {
    code: &'a str,
    name: Text,
    action: &'a ActionView,
    fields: &'a [Field],
    posted: &'a Posted,
    key: String,
    outcome: Shown,
    /// The court's departments by name, offered for a `department` field.
    departments: Vec<String>,
}

/// The court's departments by name.
fn department_names(court: &Court<AnyStore>) -> Vec<String> {
    court
        .config()
        .departments
        .departments()
        .iter()
        .map(|d| d.label.zh.to_string())
        .collect()
}

fn reasons_list(ctx: &Ctx, reasons: &[Reason]) -> Markup {
    html! {
        ul .reasons {
            @for reason in reasons {
                li .reason data-code=(serde_json::to_value(reason.code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
                    data-guard=[reason.guard.as_deref()] { (ctx.t(&reason.message)) }
            }
        }
    }
}

fn control(ctx: &Ctx, field: &Field, posted: &Posted, departments: &[String]) -> Markup {
    let id = format!("f-{}", field.path);
    let value = first(posted, &field.path);
    let hint_id = format!("{id}-hint");
    // A variant's field is needed only for that variant: the browser may not insist.
    let required = field.required && field.variant.is_none();
    html! {
        @match &field.kind {
            Kind::Text { long: true } => textarea id=(id) name=(field.path) rows="4" required[required] aria-describedby=(hint_id) { (value) },
            Kind::Text { long: false } if field.path.rsplit('.').next() == Some("department") => {
                input id=(id) type="text" name=(field.path) value=(value) required[required] aria-describedby=(hint_id) list="departments";
                datalist #departments { @for d in departments { option value=(d) {} } }
            },
            Kind::Text { long: false } => input id=(id) type="text" name=(field.path) value=(value) required[required] aria-describedby=(hint_id);,
            Kind::Date => input id=(id) type="date" name=(field.path) value=(value) required[required] aria-describedby=(hint_id);,
            Kind::Integer { minimum } => input id=(id) type="number" step="1" min=[minimum] name=(field.path) value=(value) required[required] aria-describedby=(hint_id);,
            Kind::Boolean => input id=(id) type="checkbox" name=(field.path) value="true" checked[matches!(value, "true" | "on" | "1")] aria-describedby=(hint_id);,
            Kind::Choice(values) => select id=(id) name=(field.path) required[required] aria-describedby=(hint_id) {
                @if !field.required || field.variant.is_some() { option value="" { "—" } }
                @for v in values { option value=(v) selected[v == value] { (option_text(ctx, v)) " (" (v) ")" } }
            },
            Kind::Choices(values) => select id=(id) name=(field.path) multiple aria-describedby=(hint_id) {
                @for v in values {
                    option value=(v) selected[posted.get(&field.path).is_some_and(|c| c.contains(v))] { (option_text(ctx, v)) " (" (v) ")" }
                }
            },
            Kind::Lines => textarea id=(id) name=(field.path) rows="3" required[required] aria-describedby=(hint_id) { (value) },
            Kind::Json { example } => textarea id=(id) .json name=(field.path) rows="5" placeholder=(example) required[required] aria-describedby=(hint_id) { (value) },
        }
    }
}

fn field_markup(
    ctx: &Ctx,
    field: &Field,
    posted: &Posted,
    errors: &[FieldError],
    hint: Option<&str>,
    departments: &[String],
) -> Markup {
    let id = format!("f-{}", field.path);
    let error = errors.iter().find(|e| e.path == field.path);
    html! {
        div .field .invalid[error.is_some()] data-field=(field.path) {
            label for=(id) {
                (label_of(ctx, &field.path))
                @if field.required { " " abbr .required title=(ctx.pick("必填", "required")) { "*" } }
            }
            " " code .path { (field.path) }
            br;
            (control(ctx, field, posted, departments))
            div .hint id={ (id) "-hint" } {
                @if let Some((tag, values)) = &field.variant {
                    span .variant {
                        (ctx.pick("仅当", "Only when ")) (label_of(ctx, tag)) (ctx.pick(" 为 ", " is "))
                        (values.iter().map(|v| option_text(ctx, v)).collect::<Vec<_>>().join(ctx.pick("或", " or ")))
                        (ctx.pick(" 时填写。", ". "))
                    }
                }
                @match &field.kind {
                    Kind::Lines => { (ctx.pick("每行一项。", "One item per line. ")) }
                    Kind::Choices(_) => { (ctx.pick("可多选。", "Choose any. ")) }
                    Kind::Json { example } => { (ctx.pick("以 JSON 填写，例如：", "As JSON, e.g. ")) code { (example) } " " }
                    _ => {}
                }
                @if let Some(hint) = hint { (hint) }
                // The schemas describe fields in English only: shown on English pages; a Chinese
                // page has the field's Chinese label and its kind's hint.
                @if let (Some(description), Lang::En) = (&field.description, ctx.lang) { span .described { (description) } }
            }
            @if let Some(error) = error { p .field-error role="alert" { (ctx.t(&error.message)) } }
        }
    }
}

fn form_page(ctx: &Ctx, page: &FormPage<'_>) -> Response {
    let action_label = ctx.t(&page.action.label).to_owned();
    let title = format!("{} · {}", page.code, action_label);
    let errors: &[FieldError] = match &page.outcome {
        Shown::Invalid(errors) => errors,
        _ => &[],
    };
    let status = match &page.outcome {
        Shown::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Shown::Invalid(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let at = first(page.posted, "at");
    let note = first(page.posted, "note");
    let body = html! {
        section #action data-action=(page.action.action) data-code=(page.code) {
            p { a href={ "/standards/" (page.code) } { (page.code) " " (ctx.t(&page.name)) } }
            h1 { (action_label) }
            p .to { (ctx.pick("办理后进入：", "Leads to: ")) strong { (ctx.t(&page.action.to.label())) } }
            @match &page.outcome {
                Shown::Fresh => {}
                Shown::Preview(Decision::Accept { to }) => {
                    section #preview-result data-decision="accept" data-to=(to.as_str()) role="status" {
                        h2 { (ctx.pick("预览：将被接受", "Preview: it would be accepted")) }
                        p { (ctx.pick("提交后，标准将进入：", "Once submitted, the standard goes to: ")) strong { (ctx.t(&to.label())) } }
                        p { (ctx.pick("（未写入任何内容）", "(nothing was written)")) }
                    }
                }
                Shown::Preview(Decision::Refuse(reasons)) => {
                    section #preview-result data-decision="refuse" role="status" {
                        h2 { (ctx.pick("预览：将被拒绝", "Preview: it would be refused")) }
                        (reasons_list(ctx, reasons))
                        p { (ctx.pick("（未写入任何内容）", "(nothing was written)")) }
                    }
                }
                Shown::Refused(record) => {
                    section #refusal role="alert" data-seq=(record.seq) {
                        h2 { (ctx.pick("被拒绝", "Refused")) }
                        p { (ctx.pick("该操作未通过以下规则，拒绝已记录为第 ", "The action failed these rules; the refusal is recorded as #"))
                            (record.seq) (ctx.pick(" 条。", ".")) }
                        (reasons_list(ctx, record.refusal().unwrap_or_default()))
                    }
                }
                Shown::Invalid(errors) => {
                    section #form-errors .problem role="alert" {
                        h2 { (ctx.pick("填写有误，未写入任何内容", "Something is wrong with the form; nothing was written")) }
                        ul { @for e in errors { li data-field=(e.path) { (ctx.t(&e.message)) } } }
                    }
                }
            }
            form #action-form method="post" action={ "/standards/" (page.code) "/do/" (page.action.action) } {
                input type="hidden" name="key" value=(page.key);
                @if page.fields.is_empty() {
                    p .hint { (ctx.pick("此操作无需填写内容。", "This action takes no fields.")) }
                }
                @for field in page.fields {
                    (field_markup(ctx, field, page.posted, errors, None, &page.departments))
                }
                (field_markup(ctx, &Field {
                    path: "at".to_owned(),
                    kind: Kind::Text { long: false },
                    required: false,
                    description: None,
                    variant: None,
                }, &Posted::from([("at".to_owned(), vec![at.to_owned()])]), errors,
                    Some(ctx.pick("事后补录时填写实际发生的日期（2023-03-01）或时间（2023-03-01T09:00:00+08:00）；不填为现在。",
                                  "For an event entered after the fact: its date (2023-03-01) or time (2023-03-01T09:00:00+08:00); empty: now.")), &[]))
                div .field {
                    label for="f-note" { (ctx.pick("备注", "Note")) }
                    br;
                    textarea #f-note name="note" rows="2" { (note) }
                }
                div .buttons {
                    button #preview type="submit" name="intent" value="preview" { (ctx.pick("预览", "Preview")) }
                    " "
                    button #submit type="submit" name="intent" value="submit" { (ctx.pick("提交", "Submit")) }
                }
            }
        }
    };
    ctx.page_with(status, &title, body)
}

fn forbidden(code: &str, action: &str) -> Problem {
    Problem::new(
        "forbidden",
        Text::owned(
            format!("您现在不能对 {code} 办理 {action}：当前状态下没有此操作，或您的角色不能办理"),
            format!(
                "you may not take {action} on {code} now: its state has no such action, or your role may not take it"
            ),
        ),
    )
}

/// The standard's name, the action the actor may take, and its fields; 403 when the
/// actor may not take it now.
fn prepare(
    court: &Court<AnyStore>,
    ctx: &Ctx,
    code: &str,
    action: &str,
) -> Result<(Text, ActionView, Vec<Field>), Problem> {
    let name = Text::clone(&court.opened(code).map_err(|e| from_service(e, code))?.data().name);
    let allowed = allowed_actions(court, ctx, code)?;
    let view = allowed
        .into_iter()
        .find(|a| a.action == action)
        .ok_or_else(|| forbidden(code, action))?;
    Ok((name, view, form_fields(action)))
}

/// The fields of the standard action `action`'s form (none for an unknown one), worked
/// out from the schemas once: they are derived from the types, fixed at build time.
fn form_fields(action: &str) -> Vec<Field> {
    static FORMS: std::sync::OnceLock<HashMap<String, Vec<Field>>> = std::sync::OnceLock::new();
    FORMS
        .get_or_init(|| {
            regula_standards::schema::action_schemas()
                .into_iter()
                .map(|(name, schema)| (name, fields_of(&schema)))
                .collect()
        })
        .get(action)
        .cloned()
        .unwrap_or_default()
}

fn fresh_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn bad_path(e: &PathRejection) -> Problem {
    Problem::plain("bad-request", "路径参数有误：", "bad path parameter: ", e.body_text())
}

/// `GET /standards/{code}/do/{action}`: the action's form (403 when the signed-in
/// actor may not take it now).
pub async fn form(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let path = path.map(|Path((c, a))| (c.to_uppercase(), a)).map_err(|e| bad_path(&e));
    render(&app, &headers, &uri, move |_, court, ctx| {
        let (code, action) = path?;
        let (name, view, fields) = prepare(court, ctx, &code, &action)?;
        Ok(form_page(
            ctx,
            &FormPage {
                code: &code,
                name,
                action: &view,
                fields: &fields,
                posted: &Posted::new(),
                key: fresh_key(),
                outcome: Shown::Fresh,
                departments: department_names(court),
            },
        ))
    })
    .await
}

/// The names every action form has besides its payload's fields.
const FORM_NAMES: &[&str] = &["at", "note", "key", "intent"];

/// A submission checked and ready for the writer.
struct Pending {
    attempt: Attempt,
    scoped: String,
    request: ActionRequest,
    posted: Posted,
}

/// The idempotency key of a posted form: 1 to 200 visible ASCII characters, or none.
fn form_key(posted: &Posted) -> Option<String> {
    let key = first(posted, "key");
    (!key.is_empty() && key.len() <= 200 && key.bytes().all(|b| b.is_ascii_graphic())).then(|| key.to_owned())
}

/// `POST /standards/{code}/do/{action}` (form-urlencoded, from this site only):
/// `intent=preview` shows what the action would get, writing nothing; `intent=submit`
/// writes it through the group-commit writer: accepted → 303 to the standard's page
/// with a notice; refused → 422, the form kept filled and every reason listed (the
/// refusal is recorded). Input that does not fit the schema → 400 with the form and
/// what is wrong, field by field, nothing written; an action the actor may not take
/// now → 403.
pub async fn submit(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (lang, _) = lang_of_page(&uri, &headers);
    if let Err(response) = same_origin(&headers, lang) {
        return response;
    }
    let path = path.map(|Path((c, a))| (c.to_uppercase(), a)).map_err(|e| bad_path(&e));
    let posted: Result<Posted, Problem> = body
        .map(|Form(pairs)| {
            let mut posted = Posted::new();
            for (k, v) in pairs {
                posted.entry(k).or_default().push(v);
            }
            posted
        })
        .map_err(|e| Problem::plain("bad-request", "表单有误：", "bad form: ", e.body_text()));
    // Two passes, as the API does it: the submission is checked under the court's lock
    // (first pass), queued for the writer and awaited with no lock held (the writer
    // needs it), then its outcome is rendered (second pass). The first pass hands a
    // checked submission over in `pending`; whatever else it answers is the answer.
    let pending: Arc<Mutex<Option<Pending>>> = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&pending);
    let first_answer = render(&app, &headers, &uri, move |_, court, ctx| {
        let (code, action) = path?;
        let posted = posted?;
        let (name, view, fields) = prepare(court, ctx, &code, &action)?;
        let key = form_key(&posted).unwrap_or_else(fresh_key);
        let page = |outcome, key: String| {
            form_page(
                ctx,
                &FormPage {
                    code: &code,
                    name: name.clone(),
                    action: &view,
                    fields: &fields,
                    posted: &posted,
                    key,
                    outcome,
                    departments: department_names(court),
                },
            )
        };
        let mut errors = Vec::new();
        let payload = match payload_of(&fields, &posted) {
            Ok(payload) => payload,
            Err(found) => {
                errors = found;
                None
            }
        };
        // A name the form does not have (a stale form, or one made by hand) is named too.
        let mut unknown: Vec<&String> = posted
            .keys()
            .filter(|k| !FORM_NAMES.contains(&k.as_str()) && !fields.iter().any(|f| &f.path == *k))
            .collect();
        unknown.sort();
        for name in unknown {
            errors.push(field_error(
                name,
                format!("{name}：此操作没有这一项"),
                format!("{name}: this action has no such field"),
            ));
        }
        let at = first(&posted, "at").trim().to_owned();
        if !at.is_empty()
            && let Err(problem) = parse_time(court, &at)
        {
            let label = field_label("at");
            errors.push(field_error(
                "at",
                format!("{}（at）：{}", label.zh, problem.detail.zh),
                format!("{} (at): {}", label.en, problem.detail.en),
            ));
        }
        if !errors.is_empty() {
            return Ok(page(Shown::Invalid(errors), key));
        }
        let note = first(&posted, "note").replace("\r\n", "\n").trim().to_owned();
        let request = ActionRequest {
            action: action.clone(),
            payload,
            role: None,
            note: (!note.is_empty()).then_some(note),
            at: (!at.is_empty()).then_some(at),
        };
        // The payload as the action reads it: a field that does not fit is named here,
        // before anything is written.
        if let Err(e) = crate::routes::action_of(&action, request.payload.as_ref()) {
            let error = field_error(
                "payload",
                format!("填写内容不符合该操作的要求：{}", e.message),
                format!("the fields do not fit the action: {}", e.message),
            );
            return Ok(page(Shown::Invalid(vec![error]), key));
        }
        match first(&posted, "intent") {
            "preview" => {
                let command = command_of(court, &ctx.caller, &code, request)?;
                let decision = court.preview(&code, &command).map_err(|e| from_service(e, &code))?;
                Ok(page(Shown::Preview(decision), key))
            }
            "submit" => {
                let scoped = format!("{}:{key}", ctx.caller.token);
                if let Some(record) = keyed_record(court, &code, &scoped, &request)? {
                    return Ok(written(&code, record, |record| {
                        page(Shown::Refused(Box::new(record)), fresh_key())
                    }));
                }
                let command = command_of(court, &ctx.caller, &code, request.clone())?;
                let attempt = Attempt {
                    code: code.clone(),
                    command,
                    key: Some(scoped.clone()),
                    expected_seq: None,
                };
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(Pending {
                        attempt,
                        scoped,
                        request,
                        posted,
                    });
                }
                Ok(StatusCode::ACCEPTED.into_response())
            }
            other => Err(Problem::new(
                "bad-request",
                Text::owned(
                    format!("未知的 intent {other:?}：preview 或 submit"),
                    format!("unknown intent {other:?}: preview or submit"),
                ),
            )),
        }
    })
    .await;
    let Some(pending) = pending.lock().ok().and_then(|mut p| p.take()) else {
        return first_answer;
    };
    let Pending {
        attempt,
        scoped,
        request,
        posted,
    } = pending;
    let code = attempt.code.clone();
    let action = request.action.clone();
    let result = write(&app, attempt).await;
    // The outcome, shown as any page is (the caller is checked again: the token may
    // have been revoked meanwhile, the record stands either way).
    render(&app, &headers, &uri, move |_, court, ctx| {
        let record = match result? {
            Ok(record) => record,
            Err(e) if lost_key_race(&e) => keyed_record(court, &code, &scoped, &request)?
                .ok_or_else(|| crate::problem::internal("the idempotency key's record is missing"))?,
            Err(regula_standards::service::AttemptError::Service(e)) => return Err(from_service(e, &code)),
            Err(e) => return Err(crate::problem::internal(e)),
        };
        let name = Text::clone(&court.opened(&code).map_err(|e| from_service(e, &code))?.data().name);
        let fields = form_fields(&action);
        // The stage the action leads to from where the standard was when it was refused.
        let to = Stage::from_name(&record.from).and_then(|from| {
            court
                .definition_of(&code)
                .ok()
                .and_then(|d| d.transition(&from, &action).map(|t| t.to))
                .or(Some(from))
        });
        let view = ActionView {
            action: action.clone(),
            label: super::standard::action_label(court, &code, &action),
            to: to.unwrap_or(Stage::Research),
            roles: Vec::new(),
        };
        Ok(written(&code, record, |record| {
            form_page(
                ctx,
                &FormPage {
                    code: &code,
                    name,
                    action: &view,
                    fields: &fields,
                    posted: &posted,
                    key: fresh_key(),
                    outcome: Shown::Refused(Box::new(record)),
                    departments: department_names(court),
                },
            )
        }))
    })
    .await
}

/// The answer to a written record: accepted → 303 to the standard's page, which
/// shows it as a notice; refused → `refused(record)`.
fn written(code: &str, record: AuditRecord, refused: impl FnOnce(AuditRecord) -> Response) -> Response {
    match record.outcome {
        Outcome::Refused { .. } => refused(record),
        _ => Redirect::to(&format!("/standards/{code}?done={}", record.seq)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(action: &str) -> Value {
        regula_standards::schema::payload_schema(action).expect("a known action")
    }

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        let mut out = Posted::new();
        for (k, v) in pairs {
            out.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        out
    }

    #[test]
    fn a_draft_is_a_field_per_leaf_named_by_its_path() {
        let fields = fields_of(&schema("open_consultation"));
        let find = |p: &str| {
            fields
                .iter()
                .find(|f| f.path == p)
                .unwrap_or_else(|| panic!("{p}: {fields:?}"))
        };
        assert_eq!(find("draft.text").kind, Kind::Text { long: true });
        assert!(find("draft.text").required);
        assert_eq!(find("draft.procedural").kind, Kind::Lines);
        assert!(!find("draft.procedural").required);
        assert_eq!(find("draft.not_a_copy_of_statute").kind, Kind::Boolean);
        assert!(matches!(find("draft.criteria").kind, Kind::Json { .. }));
        assert!(matches!(find("draft.sources").kind, Kind::Json { .. }));
    }

    #[test]
    fn values_are_read_by_the_schema_s_types() {
        let fields = fields_of(&schema("respond_to_opinion"));
        let payload = payload_of(
            &fields,
            &posted(&[
                ("opinion", "2"),
                ("response.decision", "not_adopted"),
                ("response.reason", "12"),
                ("response.note", "ignored"),
            ]),
        )
        .expect("valid")
        .expect("a payload");
        assert_eq!(
            payload,
            json!({"opinion": 2, "response": {"decision": "not_adopted", "reason": "12"}})
        );
        // The payload reads back as the action.
        assert!(crate::routes::action_of("respond_to_opinion", Some(&payload)).is_ok());
        let fields = fields_of(&schema("publish"));
        let payload = payload_of(&fields, &posted(&[("document_number", "15"), ("date", "2023-04-28")]))
            .expect("valid")
            .expect("a payload");
        assert_eq!(payload, json!({"document_number": "15", "date": "2023-04-28"}));
    }

    #[test]
    fn a_tagged_union_is_its_tag_and_the_chosen_variant_s_fields() {
        let fields = fields_of(&schema("open_revision"));
        let kind = fields.iter().find(|f| f.path == "cause.kind").expect("the tag");
        assert_eq!(
            kind.kind,
            Kind::Choice(vec!["weak_results".to_owned(), "gap".to_owned(), "finding".to_owned()])
        );
        let finding = fields
            .iter()
            .find(|f| f.path == "cause.finding")
            .expect("a variant's field");
        assert_eq!(
            finding.variant,
            Some(("cause.kind".to_owned(), vec!["finding".to_owned()]))
        );
        let read = |pairs: &[(&str, &str)]| payload_of(&fields, &posted(pairs));
        assert_eq!(
            read(&[("cause.kind", "gap"), ("summary", "补充"), ("cause.finding", "3")]).expect("valid"),
            Some(json!({"cause": {"kind": "gap"}, "summary": "补充"}))
        );
        assert_eq!(
            read(&[
                ("cause.kind", "finding"),
                ("summary", "补充"),
                ("cause.inspection", "1"),
                ("cause.finding", "2")
            ])
            .expect("valid"),
            Some(json!({"cause": {"kind": "finding", "inspection": 1, "finding": 2}, "summary": "补充"}))
        );
        // The chosen variant's required fields are required.
        let errors = read(&[("cause.kind", "finding"), ("summary", "补充")]).expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths.len(), 2, "{paths:?}");
        assert!(
            paths.contains(&"cause.inspection") && paths.contains(&"cause.finding"),
            "{paths:?}"
        );
        assert_eq!(form_fields("open_revision"), fields);
        assert!(form_fields("no_such_action").is_empty());
    }

    #[test]
    fn every_bad_field_is_named() {
        let fields = fields_of(&schema("publish"));
        let errors =
            payload_of(&fields, &posted(&[("document_number", ""), ("date", "2023-13-01")])).expect_err("invalid");
        let mut paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(paths, ["date", "document_number"]);
        assert!(
            errors.iter().all(|e| e.message.en.contains(e.path.as_str())),
            "{errors:?}"
        );
        let fields = fields_of(&schema("respond_to_opinion"));
        let errors = payload_of(
            &fields,
            &posted(&[("opinion", "one"), ("response.decision", "adopted")]),
        )
        .expect_err("invalid");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, "opinion");
    }

    #[test]
    fn an_action_without_fields_has_no_payload_and_every_action_has_a_form() {
        assert!(fields_of(&schema("close_consultation")).is_empty());
        assert_eq!(payload_of(&[], &Posted::new()).expect("valid"), None);
        for (name, schema) in regula_standards::schema::action_schemas() {
            for field in fields_of(&schema) {
                assert!(!field.path.is_empty(), "{name}");
                if let Kind::Json { example } = &field.kind {
                    assert!(serde_json::from_str::<Value>(example).is_ok(), "{name} {}", field.path);
                }
            }
        }
    }
}
