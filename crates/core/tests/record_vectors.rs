//! Record vectors: records of format 2 as this library writes them, their canonical
//! bytes and their hashes, committed under `tests/vectors/records/` so that another
//! implementation (`scripts/check_vectors.py`, or an auditor's own) can check itself
//! against them, and so that no change to this library can alter a byte unnoticed.
//!
//! `REGULA_WRITE_VECTORS=1 cargo test -p regula-core --test record_vectors` writes the
//! files; without it the test compares. Vectors of a published format are never
//! rewritten.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use regula_core::record::canonical_payload;
use regula_core::{
    Actor, AuditRecord, DefinitionRef, Digest, FORMAT_VERSION, Outcome, Reason, ReasonCode, Text, verify_chain,
};
use serde_json::{Value, json};
use uuid::Uuid;

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

/// A record with its hash computed, its payload in canonical form.
fn sealed(mut r: AuditRecord) -> AuditRecord {
    r.payload.check(r.format).unwrap();
    r.hash = r.compute_hash();
    r
}

fn base(seq: u64, prev: Digest) -> AuditRecord {
    AuditRecord {
        format: FORMAT_VERSION,
        instance: uuid("0190a5b2-0000-7000-8000-000000000001"),
        seq,
        id: uuid(&format!("0190a5b2-0000-7000-8000-0000000001{seq:02x}")),
        at: time("2023-03-01T01:00:00Z"),
        recorded_at: Some(time("2023-03-01T01:00:00Z")),
        definition: DefinitionRef {
            name: "court-standard".into(),
            version: 1,
        },
        actor: Actor::new("wang").named("王敏").in_unit("综合办公室"),
        role: "office".into(),
        action: "create".into(),
        payload: regula_core::Payload::null(),
        from: "research".into(),
        outcome: Outcome::Created,
        note: None,
        rules: None,
        prev_hash: prev,
        hash: Digest::ZERO,
    }
}

/// The vectors: one instance's log of five records, each showing part of the format.
fn cases() -> Vec<(&'static str, &'static str, AuditRecord)> {
    let created = sealed(AuditRecord {
        payload: json!({
            "code": "ADJ-01-08",
            "name": {"zh": "减假暂案件审判标准", "en": "Standard for commutation, parole and medical parole cases"},
            "numbers": [0, -0.0, 1, 2.0, 0.1, 2.5, 1e21, 1e-7, 1.5e-7, 123.456, 10000000000000000u64, 9007199254740991u64,
                        -9007199254740991i64, 5e-324, 1.7976931348623157e308, 0.09144338512092887],
            "text": "quote \" backslash \\ newline \n tab \t nul \u{0} unit \u{1f} del \u{7f} slash / emoji 😂 sep \u{2028}",
            "keys": {"\u{e000}": 1, "\u{10000}": 2, "a": 3, "B": 4, "ä": 5, "": 6}
        }).into(),
        rules: Some(Digest::of(b"the catalog record")),
        ..base(1, Digest::ZERO)
    });
    let back_dated = sealed(AuditRecord {
        at: time("2023-03-06T01:00:00Z"),
        recorded_at: Some(time("2026-11-27T08:30:15.123456789Z")),
        actor: Actor::new("li").in_unit("立案庭"),
        role: "department".into(),
        action: "start_drafting".into(),
        payload: json!({}).into(),
        outcome: Outcome::Accepted { to: "drafting".into() },
        note: Some("补录：2023 年 3 月 6 日的会议".into()),
        rules: Some(Digest::of(b"the catalog record")),
        ..base(2, created.hash)
    });
    let refused = sealed(AuditRecord {
        at: time("2023-03-20T01:00:00Z"),
        recorded_at: Some(time("2026-11-27T08:31:00Z")),
        actor: Actor::new("li").in_unit("立案庭"),
        role: "department".into(),
        action: "open_consultation".into(),
        payload: json!({"draft": {"text": "草案", "procedure": "", "quality": "", "criteria": []}}).into(),
        from: "drafting".into(),
        outcome: Outcome::Refused {
            reasons: vec![
                Reason::guard(
                    "draft_complete",
                    Text::new("草案缺少程序规范", "the draft lacks procedural requirements"),
                ),
                Reason {
                    code: ReasonCode::External,
                    guard: None,
                    message: Text::new("外部检查", "an external check"),
                },
            ],
        },
        rules: Some(Digest::of(b"the catalog record")),
        ..base(3, back_dated.hash)
    });
    let amended_rules = sealed(AuditRecord {
        at: time("2026-11-27T08:40:00Z"),
        recorded_at: Some(time("2026-11-27T08:40:00Z")),
        actor: Actor::new("li").in_unit("立案庭"),
        role: "department".into(),
        action: "open_consultation".into(),
        payload: json!({"draft": {"text": "草案全文", "procedure": "程序", "quality": "质量", "criteria": ["按时"]}})
            .into(),
        from: "drafting".into(),
        outcome: Outcome::Accepted {
            to: "consultation".into(),
        },
        rules: Some(Digest::of(b"the amended catalog record")),
        ..base(4, refused.hash)
    });
    let without_rules = sealed(AuditRecord {
        at: time("2026-11-27T08:41:00.5Z"),
        recorded_at: Some(time("2026-11-27T08:41:00.5Z")),
        actor: Actor::new("system"),
        role: "office".into(),
        action: "note".into(),
        payload: json!(null).into(),
        from: "consultation".into(),
        outcome: Outcome::Accepted {
            to: "consultation".into(),
        },
        note: Some("a definition without a rules log cites none".into()),
        ..base(5, amended_rules.hash)
    });
    vec![
        (
            "01-created",
            "creation: numbers (floats, -0, exponent forms, an integer beyond 2^53 that is its own canonical text), string escapes, non-BMP text, keys in UTF-16 order, an actor with a name and a unit, rules cited",
            created,
        ),
        (
            "02-back-dated",
            "an accepted action entered after the fact: at before recorded_at (nanoseconds), a note in Chinese, an actor without a name",
            back_dated,
        ),
        (
            "03-refused",
            "a refusal with two reasons, one naming its guard and one not",
            refused,
        ),
        (
            "04-amended-rules",
            "an accepted action citing other rules than the record before it",
            amended_rules,
        ),
        (
            "05-no-rules",
            "a record citing no rules (the field is absent from the JSON and 00 in the bytes), a null payload, a fraction of a second",
            without_rules,
        ),
    ]
}

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/records")
}

#[test]
fn records_are_written_exactly_as_the_vectors_say() {
    let cases = cases();
    let log: Vec<AuditRecord> = cases.iter().map(|(_, _, r)| r.clone()).collect();
    verify_chain(&log).unwrap();
    let write = std::env::var("REGULA_WRITE_VECTORS").as_deref() == Ok("1");
    if write {
        std::fs::create_dir_all(folder()).unwrap();
    }
    for (name, description, record) in cases {
        let record_json = record.to_json();
        // The JSON form is the one Regula reads back, to the same record.
        assert_eq!(AuditRecord::from_json(&record_json).unwrap(), record, "{name}");
        let vector = json!({
            "description": description,
            "record_json": record_json,
            "canonical_hex": hex(&record.canonical_bytes()),
            "hash": record.hash.to_hex(),
        });
        let path = folder().join(format!("{name}.json"));
        let text = format!("{}\n", serde_json::to_string_pretty(&vector).unwrap());
        if write {
            std::fs::write(&path, text).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (REGULA_WRITE_VECTORS=1 writes it)", path.display()));
            let committed: Value = serde_json::from_str(&committed).unwrap();
            assert_eq!(committed, vector, "{name}: the library no longer writes this vector");
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_payload_with_no_canonical_form_is_refused() {
    // 2^63: a double holds it, but its canonical text would be another integer.
    assert!(canonical_payload(json!({"n": 9223372036854775808u64})).is_err());
    assert!(canonical_payload(json!({"n": 9007199254740993u64})).is_err());
    // A float that is an integer reads back as one: held in memory the same way.
    assert_eq!(canonical_payload(json!({"n": 2.0})).unwrap(), json!({"n": 2}));
}
