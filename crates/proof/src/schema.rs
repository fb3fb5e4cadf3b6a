//! JSON Schemas (draft 2020-12) of the proof bundles, derived from their Rust types
//! (`schemars`) so they cannot drift from what serde reads and writes. A bundle's
//! record is a string holding the record's canonical JSON, its checkpoints strings
//! holding signed notes: their schemas are `regula_core::schema`'s, given as the
//! string's `contentSchema` and as the string's own schema respectively.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::bundle::{ConsistencyBundle, ProofBundle};

/// The schema of a bundle's `record`: a string holding one audit record's canonical
/// JSON ([`AuditRecord::to_json`](regula_core::AuditRecord::to_json)), whose content
/// matches `regula_core::schema`'s `AuditRecord` (a `contentSchema`: an annotation a
/// validator does not check; the bundle's verifier does).
pub fn record_text(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": generator.subschema_for::<regula_core::AuditRecord>(),
        "description": "The record's canonical JSON, one line, as a string (its bytes are \
                        what the leaf hash covers).",
    })
}

/// The schemas of this crate, by name, each a standalone draft 2020-12 document:
/// `ProofBundle` (a record's inclusion in a signed checkpoint) and
/// `ConsistencyBundle` (one signed checkpoint extending another).
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("ProofBundle", root::<ProofBundle>()),
        ("ConsistencyBundle", root::<ConsistencyBundle>()),
    ]
}

fn root<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}
