//! Errors as RFC 9457 problem details, in Chinese and English.
//!
//! Every error response has the media type `application/problem+json` and the members
//! of RFC 9457 (`type`, `title`, `status`, `detail`) in the language the request
//! asked for (`Accept-Language`, Chinese by default), and both languages in the
//! extension member `i18n`. A refused action adds `reasons` (each failed rule, as
//! data) and `record` (the refusal, which was recorded).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use regula_core::{EngineError, Lang, RepositoryError, StoreError, Text};
use regula_standards::service::ServiceError;
use serde_json::{Map, Value, json};

/// The media type of a problem.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The language a request asked for: English when `Accept-Language` names English
/// before Chinese, Chinese otherwise (the court's language).
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::Zh;
    };
    for part in value.split(',') {
        let tag = part.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if tag.starts_with("en") {
            return Lang::En;
        }
        if tag.starts_with("zh") {
            return Lang::Zh;
        }
    }
    Lang::Zh
}

/// One problem: its kind (the last segment of its `type`), status, title and detail
/// in both languages, and extension members.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The kind, e.g. `refused`; the `type` member is `/problems/<kind>`.
    pub kind: &'static str,
    /// A short, fixed summary of the kind.
    pub title: Text,
    /// What happened this time.
    pub detail: Text,
    /// Extension members (`reasons`, `record`, …).
    pub extensions: Map<String, Value>,
    /// The language to answer in.
    pub lang: Lang,
}

/// Every kind of problem the service answers, with its status and title: the list
/// the OpenAPI document publishes.
pub const KINDS: &[(&str, u16, &str, &str)] = &[
    ("unauthorized", 401, "未认证", "Unauthorized"),
    ("forbidden", 403, "无权操作", "Forbidden"),
    ("not-found", 404, "不存在", "Not found"),
    ("bad-request", 400, "请求有误", "Bad request"),
    ("refused", 422, "操作被拒绝", "Refused"),
    ("conflict", 409, "写入冲突", "Write conflict"),
    (
        "idempotency-key-reused",
        422,
        "幂等键已用于其他请求",
        "Idempotency key reused",
    ),
    ("precondition-failed", 412, "前提条件不成立", "Precondition failed"),
    ("precondition-required", 428, "缺少前提条件", "Precondition required"),
    ("too-large", 413, "请求体过大", "Request body too large"),
    ("not-acceptable", 406, "无法提供该格式", "Not acceptable"),
    ("timeout", 503, "处理超时", "Timed out"),
    ("unavailable", 503, "服务不可用", "Unavailable"),
    ("internal", 500, "内部错误", "Internal error"),
];

impl Problem {
    /// A problem of `kind` (one of [`KINDS`]) with `detail`.
    pub fn new(kind: &'static str, detail: Text) -> Self {
        let (status, title) = KINDS
            .iter()
            .find(|(k, ..)| *k == kind)
            .map(|(_, s, zh, en)| (*s, Text::new(zh, en)))
            .unwrap_or((500, Text::new("内部错误", "Internal error")));
        Problem {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            kind,
            title,
            detail,
            extensions: Map::new(),
            lang: Lang::Zh,
        }
    }

    /// A problem whose detail is the same text in both languages (a message of a
    /// lower layer that has no Chinese).
    pub fn plain(kind: &'static str, zh_prefix: &str, en_prefix: &str, message: impl std::fmt::Display) -> Self {
        Problem::new(
            kind,
            Text::owned(format!("{zh_prefix}{message}"), format!("{en_prefix}{message}")),
        )
    }

    /// Adds an extension member.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    /// Answers in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), json!(format!("/problems/{}", self.kind)));
        body.insert("title".into(), json!(self.title.get(self.lang)));
        body.insert("status".into(), json!(self.status.as_u16()));
        body.insert("detail".into(), json!(self.detail.get(self.lang)));
        body.insert(
            "i18n".into(),
            json!({
                "zh": {"title": self.title.zh, "detail": self.detail.zh},
                "en": {"title": self.title.en, "detail": self.detail.en},
            }),
        );
        for (k, v) in &self.extensions {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"regula\""),
            );
        }
        response
    }
}

/// The problem a service error is, for the standard `code` when there is one.
pub fn from_service(e: ServiceError, code: &str) -> Problem {
    match e {
        ServiceError::UnknownCode { code } => Problem::new(
            "not-found",
            Text::owned(
                format!("目录中没有标准 {code}"),
                format!("no standard {code} in the catalog"),
            ),
        ),
        ServiceError::NotOpened { code } => Problem::new(
            "not-found",
            Text::owned(
                format!("标准 {code} 尚未导入此存储（先导入目录）"),
                format!("standard {code} has not been imported into this store (import the catalog first)"),
            ),
        ),
        ServiceError::NoRules => Problem::new(
            "conflict",
            Text::owned(
                "此存储未记录其规则：请先导入目录".to_owned(),
                "this store records no rules yet: import the catalog first".to_owned(),
            ),
        ),
        ServiceError::Repository(RepositoryError::Store(e)) | ServiceError::Store(e) => from_store(e, code),
        ServiceError::Repository(RepositoryError::Engine(e)) => from_engine(e, code),
        other => internal(other),
    }
}

fn from_store(e: StoreError, code: &str) -> Problem {
    match e {
        StoreError::Conflict {
            expected_seq,
            actual_seq,
            ..
        } => Problem::new(
            "conflict",
            Text::owned(
                format!("{code}：读取时最后一条记录为 #{expected_seq}，写入前已有其他操作记录到 #{actual_seq}；本次未写入任何内容，请重试"),
                format!("{code}: another writer recorded up to #{actual_seq} after this request read #{expected_seq}; nothing was written: try again"),
            ),
        )
        .with("seq", json!(actual_seq)),
        StoreError::Unavailable { cause, .. } => {
            let label = cause.label();
            Problem::new(
                "unavailable",
                Text::owned(
                    format!("{code}：{}；本次未写入任何内容，请稍后重试", label.zh),
                    format!("{code}: {}; nothing was written: try again later", label.en),
                ),
            )
        }
        StoreError::OutcomeUnknown { .. } => Problem::new(
            "unavailable",
            Text::owned(
                format!("{code}：提交时与存储的连接中断，无法确定是否已写入；请用同一 Idempotency-Key 重试"),
                format!(
                    "{code}: the connection to the store broke during the commit, so whether it was written is unknown: retry under the same Idempotency-Key"
                ),
            ),
        ),
        other => internal(other),
    }
}

fn from_engine(e: EngineError, code: &str) -> Problem {
    match e {
        EngineError::Payload(p) => Problem::new(
            "bad-request",
            Text::owned(
                format!("{code} 的操作 {} 的内容有误：{}", p.action, p.message),
                format!("payload of {} on {code}: {}", p.action, p.message),
            ),
        ),
        EngineError::FutureTime { at, now, .. } => Problem::new(
            "bad-request",
            Text::owned(
                format!("{code}：时间 {at} 晚于当前时间 {now}，不能提前记录"),
                format!("{code}: time {at} is in the future (the clock says {now}); events cannot be dated ahead"),
            ),
        ),
        EngineError::BeforeLastRecord { at, settled, seq, .. } => Problem::new(
            "bad-request",
            Text::owned(
                format!("{code}：时间 {at} 早于该标准最后一条已接受记录（#{seq}，{settled}）；补录须按发生顺序"),
                format!(
                    "{code}: time {at} is before the standard's last accepted record (#{seq}, {settled}); past events are entered in the order they happened"
                ),
            ),
        ),
        EngineError::UnknownRole { .. } => Problem::plain("bad-request", "", "", e),
        other => internal(other),
    }
}

/// An error of ours or of the store: 500, with its message (which names no secret:
/// store errors never show a PostgreSQL password).
pub fn internal(e: impl std::fmt::Display) -> Problem {
    Problem::plain("internal", "内部错误：", "internal error: ", e)
}

#[cfg(test)]
mod store_fault_tests {
    use regula_core::StoreError;
    use regula_core::store::Unavailability;
    use regula_standards::service::ServiceError;

    use super::from_service;

    #[test]
    fn a_store_that_is_unavailable_or_lost_a_commit_answers_503_in_both_languages() {
        let unavailable = from_service(
            ServiceError::Store(StoreError::Unavailable {
                backend: "postgres",
                location: "PostgreSQL db:5432".to_owned(),
                cause: Unavailability::TooManyConnections,
                message: "sorry, too many clients already (53300)".to_owned(),
                source: None,
            }),
            "CODE-1",
        );
        assert_eq!((unavailable.status.as_u16(), unavailable.kind), (503, "unavailable"));
        assert!(
            unavailable.detail.en.contains("too many connections"),
            "{}",
            unavailable.detail.en
        );
        assert!(
            unavailable.detail.zh.contains("连接数已达上限"),
            "{}",
            unavailable.detail.zh
        );
        let unknown = from_service(
            ServiceError::Store(StoreError::OutcomeUnknown {
                backend: "postgres",
                location: "PostgreSQL db:5432".to_owned(),
                message: "connection closed".to_owned(),
                source: None,
            }),
            "CODE-1",
        );
        assert_eq!((unknown.status.as_u16(), unknown.kind), (503, "unavailable"));
        assert!(unknown.detail.en.contains("Idempotency-Key"), "{}", unknown.detail.en);
        assert!(unknown.detail.zh.contains("Idempotency-Key"), "{}", unknown.detail.zh);
    }
}
