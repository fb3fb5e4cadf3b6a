//! The JSON Schemas of `regula_proof::schema` hold for the bundles this crate makes,
//! and refuse what their readers refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

/// A named change to a JSON value.
type Edit = Box<dyn Fn(&mut Value)>;

use common::*;
use regula_core::{MemoryStore, Store};
use regula_proof::{BUNDLE_FORMAT, ConsistencyBundle, ProofBundle, prove_consistency, prove_record};
use serde_json::{Value, json};

fn validator(name: &str) -> jsonschema::Validator {
    let schema = regula_proof::schema::schemas()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1;
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"))
}

fn record_validator() -> jsonschema::Validator {
    let schema = regula_core::schema::schemas()
        .into_iter()
        .find(|(n, _)| *n == "AuditRecord")
        .unwrap()
        .1;
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:?}\n{value}"
    );
}

#[test]
fn every_bundle_of_a_store_matches_the_bundle_schema() {
    let store = store_with(3);
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let bundles = validator("ProofBundle");
    let records = record_validator();
    for r in all_records(&store) {
        let bundle = prove_record(&store, &checkpoint, r.instance, r.seq).unwrap();
        let value: Value = serde_json::from_str(&bundle.to_json()).unwrap();
        assert_valid(&bundles, &value, "a proof bundle");
        // The record inside, as its own schema says.
        let inner: Value = serde_json::from_str(value["record"].as_str().unwrap()).unwrap();
        assert_valid(&records, &inner, "the bundle's record");
    }
}

#[test]
fn a_consistency_bundle_matches_its_schema() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 3, t0());
    let key = court_key();
    run_cases(&repo, &clock, 2, "甲");
    let old = sign_head(&store, &key);
    run_cases(&repo, &clock, 3, "乙");
    let (_, proof) = prove_consistency(&store, old.checkpoint().size()).unwrap();
    let new = sign_head(&store, &key);
    assert!(store.tree_head().unwrap().size > old.checkpoint().size());
    let bundle = ConsistencyBundle {
        format: BUNDLE_FORMAT,
        old: old.to_text(),
        new: new.to_text(),
        proof,
    };
    let value: Value = serde_json::from_str(&bundle.to_json()).unwrap();
    assert_valid(&validator("ConsistencyBundle"), &value, "a consistency bundle");
}

/// Changes serde refuses (`ProofBundle::from_json`); the schema refuses them too. And
/// two it refuses that serde reads but verification refuses: another `format`, and a
/// checkpoint that is not a checkpoint's text.
#[test]
fn the_bundle_schema_refuses_what_its_reader_refuses() {
    let store = store_with(2);
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let r = all_records(&store).remove(3);
    let good: Value =
        serde_json::from_str(&prove_record(&store, &checkpoint, r.instance, r.seq).unwrap().to_json()).unwrap();
    let v = validator("ProofBundle");
    assert_valid(&v, &good, "the unchanged bundle");
    let edits: Vec<(&str, Edit)> = vec![
        (
            "misspelt field",
            Box::new(|b| {
                let i = b.as_object_mut().unwrap().remove("leaf_index").unwrap();
                b["leaf_idx"] = i;
            }),
        ),
        ("unknown field", Box::new(|b| b["key"] = json!("x"))),
        ("negative index", Box::new(|b| b["leaf_index"] = json!(-1))),
        ("index as text", Box::new(|b| b["leaf_index"] = json!("3"))),
        (
            "upper-case hash",
            Box::new(|b| {
                let h = b["proof"][0].as_str().unwrap().to_uppercase();
                b["proof"][0] = json!(h);
            }),
        ),
        (
            "record as an object",
            Box::new(|b| {
                let inner: Value = serde_json::from_str(b["record"].as_str().unwrap()).unwrap();
                b["record"] = inner;
            }),
        ),
        (
            "no checkpoint",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("checkpoint");
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut bad = good.clone();
        edit(&mut bad);
        assert!(
            ProofBundle::from_json(&bad.to_string()).is_err(),
            "{what}: serde reads it"
        );
        assert!(!v.is_valid(&bad), "{what}: serde refuses it, the schema accepts it");
    }
    let public = key.public();
    for (what, bad) in [
        ("format 2", {
            let mut b = good.clone();
            b["format"] = json!(2);
            b
        }),
        ("a checkpoint with no signature block", {
            let mut b = good.clone();
            let text = b["checkpoint"].as_str().unwrap().replacen("\n\n", "\n", 1);
            b["checkpoint"] = json!(text);
            b
        }),
    ] {
        let read = ProofBundle::from_json(&bad.to_string()).unwrap();
        assert!(regula_proof::verify_bundle(&read, &public).is_err(), "{what}");
        assert!(!v.is_valid(&bad), "{what}: the schema accepts it");
    }
}
