//! The JSON Schemas of `regula_core::schema` hold for what this crate writes, and
//! refuse what its readers refuse: every record of a store (created, accepted,
//! refused, back-dated, with a note), the committed record vectors, a format 1
//! record, checkpoints; and misspelt fields, wrong types and non-canonical spellings.
#![allow(clippy::unwrap_used)]

mod common;

/// A named change to a JSON value.
type Edit = Box<dyn Fn(&mut Value)>;

use chrono::TimeDelta;
use common::{Step, clerk, doc, engine, judge};
use regula_core::checkpoint::{Checkpoint, CheckpointNote};
use regula_core::{AuditRecord, Clock, Command, FORMAT_V1, MemoryStore, Repository, Store};
use serde_json::{Value, json};

fn validator(name: &str) -> jsonschema::Validator {
    let schema = regula_core::schema::schemas()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no schema named {name}"))
        .1;
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name}: every schema is draft 2020-12"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:?}\n{value}"
    );
}

/// Records of a store: created, accepted (several), refused, one with a note, one
/// entered after the fact.
fn store_records() -> Vec<AuditRecord> {
    let (engine, clock) = engine();
    let repo = Repository::new(engine, MemoryStore::new());
    let (mut inst, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
    clock.advance(TimeDelta::hours(2));
    repo.apply(
        &mut inst,
        Command::new(
            judge(),
            "judge",
            Step::Comment {
                text: "引用 \"法条\"\n第二行".into(),
            },
        )
        .with_note("备注 note"),
    )
    .unwrap();
    // A clerk may not sign: the refusal is recorded.
    let _ = repo.apply(&mut inst, Command::new(clerk(), "clerk", Step::Sign));
    clock.advance(TimeDelta::hours(2));
    let back = clock.now() - TimeDelta::minutes(30);
    repo.apply(
        &mut inst,
        Command::new(judge(), "judge", Step::Comment { text: "late".into() }).at(back),
    )
    .unwrap();
    repo.apply(&mut inst, Command::new(judge(), "judge", Step::Sign))
        .unwrap();
    let records = repo.store().scan(0, 100).unwrap();
    assert!(records.iter().any(AuditRecord::is_refused), "a refusal is among them");
    assert!(records.iter().any(|r| r.recorded_at.is_some_and(|t| r.at < t)));
    records
}

#[test]
fn every_record_of_a_store_matches_the_record_schema() {
    let v = validator("AuditRecord");
    let records = store_records();
    assert!(records.len() >= 5);
    for r in &records {
        // The JSON a store keeps, as a reader sees it.
        let value: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_valid(&v, &value, &format!("record {}", r.seq));
    }
}

#[test]
fn the_committed_record_vectors_and_a_format_1_record_match() {
    let v = validator("AuditRecord");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/records");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let record: Value = serde_json::from_str(file["record_json"].as_str().unwrap()).unwrap();
        assert_valid(&v, &record, file["description"].as_str().unwrap());
        n += 1;
    }
    assert!(n >= 5);
    // Format 1: no `recorded_at`, no `rules`, written by serde.
    let mut r = store_records().remove(1);
    r.format = FORMAT_V1;
    r.recorded_at = None;
    r.rules = None;
    let value: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(value.get("recorded_at").is_none());
    assert_valid(&v, &value, "a format 1 record");
}

/// Each change is one serde refuses; the schema must refuse it too.
#[test]
fn what_serde_refuses_in_a_record_the_schema_refuses() {
    let v = validator("AuditRecord");
    let records = store_records();
    let good: Value = serde_json::from_str(&records[1].to_json()).unwrap();
    let refused: Value = serde_json::from_str(&records.iter().find(|r| r.is_refused()).unwrap().to_json()).unwrap();
    let mutations: Vec<(&str, Value, Edit)> = vec![
        (
            "misspelt top-level field",
            good.clone(),
            Box::new(|r| {
                let seq = r.as_object_mut().unwrap().remove("seq").unwrap();
                r["seqq"] = seq;
            }),
        ),
        ("unknown field", good.clone(), Box::new(|r| r["extra"] = json!(1))),
        ("seq as a string", good.clone(), Box::new(|r| r["seq"] = json!("2"))),
        ("negative seq", good.clone(), Box::new(|r| r["seq"] = json!(-1))),
        (
            "format beyond u16",
            good.clone(),
            Box::new(|r| r["format"] = json!(70000)),
        ),
        (
            "missing hash",
            good.clone(),
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("hash");
            }),
        ),
        (
            "upper-case digest",
            good.clone(),
            Box::new(|r| {
                let h = r["hash"].as_str().unwrap().to_uppercase();
                r["hash"] = json!(h);
            }),
        ),
        (
            "short digest",
            good.clone(),
            Box::new(|r| r["prev_hash"] = json!("abc")),
        ),
        (
            "time with an offset",
            good.clone(),
            Box::new(|r| r["at"] = json!("2024-03-01T10:00:00+08:00")),
        ),
        (
            "time with 2 fractional digits",
            good.clone(),
            Box::new(|r| r["at"] = json!("2024-03-01T02:00:00.12Z")),
        ),
        (
            "recorded_at null",
            good.clone(),
            Box::new(|r| r["recorded_at"] = Value::Null),
        ),
        (
            "actor with a misspelt field",
            good.clone(),
            Box::new(|r| r["actor"]["unti"] = json!("x")),
        ),
        (
            "actor without id",
            good.clone(),
            Box::new(|r| {
                r["actor"].as_object_mut().unwrap().remove("id");
            }),
        ),
        (
            "definition version as text",
            good.clone(),
            Box::new(|r| r["definition"]["version"] = json!("1")),
        ),
        (
            "unknown outcome",
            good.clone(),
            Box::new(|r| r["outcome"] = json!({"kind": "maybe"})),
        ),
        (
            "accepted without to",
            good.clone(),
            Box::new(|r| r["outcome"] = json!({"kind": "accepted"})),
        ),
        (
            "unknown reason code",
            refused.clone(),
            Box::new(|r| r["outcome"]["reasons"][0]["code"] = json!("other")),
        ),
        (
            "reason message without en",
            refused.clone(),
            Box::new(|r| {
                r["outcome"]["reasons"][0]["message"]
                    .as_object_mut()
                    .unwrap()
                    .remove("en");
            }),
        ),
        (
            "reason with a misspelt field",
            refused,
            Box::new(|r| r["outcome"]["reasons"][0]["gaurd"] = json!("x")),
        ),
    ];
    assert_valid(&v, &good, "the unchanged record");
    for (what, mut value, change) in mutations {
        change(&mut value);
        assert!(
            serde_json::from_value::<AuditRecord>(value.clone()).is_err(),
            "{what}: serde reads it, so the schema should accept it"
        );
        assert!(
            !v.is_valid(&value),
            "{what}: serde refuses it, the schema accepts it\n{value}"
        );
    }
}

/// serde's derive ignores unknown fields beside the tag of a unit variant even under
/// `deny_unknown_fields`; the record reader refuses such a record all the same (not
/// its canonical form), and so does the schema.
#[test]
fn a_created_outcome_with_a_field_is_refused_by_the_reader_and_the_schema() {
    let v = validator("AuditRecord");
    let created = store_records().remove(0);
    let text = created
        .to_json()
        .replace(r#""kind":"created""#, r#""kind":"created","to":"x""#);
    assert!(AuditRecord::from_json(&text).is_err());
    assert!(!v.is_valid(&serde_json::from_str(&text).unwrap()));
}

#[test]
fn checkpoint_text_and_legacy_json_match_their_schemas() {
    let text = validator("Checkpoint");
    let records = store_records();
    let root = records.last().unwrap().hash;
    let head = regula_core::TreeHead { size: 5, root };
    let at = records[0].at;
    for checkpoint in [
        Checkpoint::new(head, at),
        Checkpoint::with_origin("红石林区基层法院/regula", head, at + TimeDelta::milliseconds(250)).unwrap(),
    ] {
        let note = CheckpointNote::unsigned(&checkpoint).to_text();
        assert_valid(&text, &json!(note), "an unsigned checkpoint");
        for bad in [
            note.replace("\n\n", "\n"),
            note.replace("time ", "at "),
            format!("{note}trailing"),
            note.replacen('\n', " \n", 1),
        ] {
            assert!(CheckpointNote::parse(&bad).is_err());
            assert!(!text.is_valid(&json!(bad)), "{bad:?} is not a checkpoint");
        }
    }
    let legacy = validator("LegacyCheckpointJson");
    let json = json!({"format": 1, "size": 8, "root": root.to_hex(), "at": "2024-03-01T02:00:00Z"});
    assert_valid(&legacy, &json, "a JSON checkpoint of 0.1");
    assert!(CheckpointNote::read(&json.to_string()).is_ok());
    for bad in [
        json!({"format": 1, "size": 8, "root": root.to_hex(), "at": "2024-03-01T02:00:00Z", "x": 1}),
        json!({"format": 2, "size": 8, "root": root.to_hex(), "at": "2024-03-01T02:00:00Z"}),
        json!({"format": 1, "size": -8, "root": root.to_hex(), "at": "2024-03-01T02:00:00Z"}),
        json!({"format": 1, "size": 8, "root": root.to_hex()}),
    ] {
        assert!(CheckpointNote::read(&bad.to_string()).is_err());
        assert!(!legacy.is_valid(&bad), "{bad}");
    }
}
