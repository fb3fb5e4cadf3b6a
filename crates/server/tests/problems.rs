//! How the library's errors become problems: the status, the kind and both languages.
//! (A write conflict needs two writers racing between a refresh and an append, which an
//! HTTP test cannot arrange on purpose; its mapping is checked here, and
//! `regula-cli`'s PostgreSQL test races two servers.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use axum::http::{HeaderMap, HeaderValue, header};
use regula_core::{EngineError, Lang, RepositoryError, StoreError};
use regula_server::problem::{Problem, from_service, lang_of};
use regula_standards::service::ServiceError;

fn check(p: &Problem, status: u16, kind: &str) {
    assert_eq!(p.status.as_u16(), status, "{p:?}");
    assert_eq!(p.kind, kind);
    let body = p.body();
    assert_eq!(body["type"], format!("/problems/{kind}"));
    assert_eq!(body["status"], status);
    assert!(!body["i18n"]["zh"]["detail"].as_str().unwrap().is_empty());
    assert!(!body["i18n"]["en"]["detail"].as_str().unwrap().is_empty());
}

#[test]
fn a_write_conflict_is_409_with_the_new_head_and_says_nothing_was_written() {
    let conflict = ServiceError::Repository(RepositoryError::Store(StoreError::Conflict {
        instance: uuid::Uuid::nil(),
        expected_seq: 4,
        actual_seq: 5,
    }));
    let p = from_service(conflict, "ADJ-01-08");
    check(&p, 409, "conflict");
    assert_eq!(p.body()["seq"], 5);
    assert!(p.detail.en.contains("nothing was written"), "{}", p.detail.en);
    assert!(p.detail.zh.contains("未写入任何内容"), "{}", p.detail.zh);
    assert!(
        !p.detail.en.contains("00000000-0000"),
        "no instance UUID: {}",
        p.detail.en
    );
}

#[test]
fn each_service_error_has_its_status() {
    let now = chrono::Utc::now();
    let cases: Vec<(ServiceError, u16, &str)> = vec![
        (ServiceError::UnknownCode { code: "X-1".into() }, 404, "not-found"),
        (
            ServiceError::NotOpened {
                code: "ADJ-01-08".into(),
            },
            404,
            "not-found",
        ),
        (ServiceError::NoRules, 409, "conflict"),
        (
            ServiceError::Repository(RepositoryError::Engine(EngineError::FutureTime {
                instance: uuid::Uuid::nil(),
                at: now + chrono::TimeDelta::days(1),
                now,
            })),
            400,
            "bad-request",
        ),
        (
            ServiceError::Repository(RepositoryError::Engine(EngineError::Payload(
                regula_core::PayloadError {
                    action: "publish".into(),
                    message: "missing field `date`".into(),
                },
            ))),
            400,
            "bad-request",
        ),
        (
            ServiceError::Store(StoreError::Unsupported { operation: "claims" }),
            500,
            "internal",
        ),
    ];
    for (error, status, kind) in cases {
        check(&from_service(error, "ADJ-01-08"), status, kind);
    }
}

#[test]
fn the_language_follows_accept_language_and_defaults_to_chinese() {
    let with = |value: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        lang_of(&headers)
    };
    assert_eq!(lang_of(&HeaderMap::new()), Lang::Zh);
    assert_eq!(with("en-US,en;q=0.9"), Lang::En);
    assert_eq!(with("zh-CN,en;q=0.5"), Lang::Zh);
    assert_eq!(with("fr, en"), Lang::En);
    assert_eq!(with("de"), Lang::Zh);
}
