//! The committed OpenAPI document is the one the code builds, and it is a valid
//! OpenAPI 3.1 document whose schemas are valid JSON Schemas that real responses meet.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

/// Rewrite it with `REGULA_BLESS=1 cargo test -p regula-server --test openapi`.
#[test]
fn the_committed_document_is_the_one_the_code_builds() {
    let built = regula_server::openapi::document_text();
    if std::env::var_os("REGULA_BLESS").is_some() {
        std::fs::write(COMMITTED, &built).unwrap();
    }
    let committed = std::fs::read_to_string(Path::new(COMMITTED)).unwrap_or_default();
    assert!(
        committed == built,
        "crates/server/openapi.json differs from what the code builds: run `REGULA_BLESS=1 cargo test -p regula-server --test openapi` and commit it"
    );
}

#[test]
fn every_reference_resolves_and_every_schema_compiles() {
    let document = regula_server::openapi::document();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut references = Vec::new();
    collect_refs(&document, &mut references);
    assert!(!references.is_empty());
    for reference in &references {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the components: {reference}"));
        assert!(schemas.contains_key(name), "unresolved {reference}");
    }
    for name in schemas.keys() {
        let root =
            serde_json::json!({"$ref": format!("#/components/schemas/{name}"), "components": document["components"]});
        jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // Every action has its payload schema and a branch of the request.
    let branches = schemas["ActionRequest"]["oneOf"].as_array().unwrap();
    for kind in regula_standards::lifecycle::ActionKind::ALL {
        assert!(schemas.contains_key(&format!("Payload_{}", kind.name())), "{kind}");
        assert!(
            branches
                .iter()
                .any(|b| b["properties"]["action"]["const"] == kind.name()),
            "{kind}"
        );
    }
    // Every operation answers problems with the Problem schema, and every problem kind
    // is listed.
    let kinds = schemas["Problem"]["properties"]["type"]["enum"].as_array().unwrap();
    assert_eq!(kinds.len(), regula_server::problem::KINDS.len());
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
