//! JSON Schemas (draft 2020-12) of the court's actions, their payloads, a standard's
//! data and status, and the reports, derived from the Rust types (`schemars`) so they
//! cannot drift from what serde reads and writes.
//!
//! Each schema describes what *deserializing* accepts (a field with a default is not
//! `required`). The payload schemas are cut from the schema of the whole action enum
//! (`{"action": "<name>", "payload": {...}}`), so they are what the audit record's
//! `payload` holds for that action, and what [`StandardAction`]'s serde reads back.
//! An action declared without fields (`close_consultation`, `begin_follow_up`) has the
//! payload `null` in its records: serde refuses any other value for it.
//!
//! `regula_core::schema` has the record and checkpoint schemas, `regula_proof::schema`
//! the proof bundles'.

pub mod fields;
pub mod payload;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::affairs::Hearing;
use crate::assessment::AssessmentReport;
use crate::data::StandardData;
use crate::lifecycle::{ActionKind, StandardAction};
use crate::plan::{DepartmentLoad, LatenessReport, ProgressReport, StandardStatus};
use crate::rules_log::{RulesAction, RulesActionKind};

/// The payload schema of each action of the standard lifecycle, one per [`ActionKind`]
/// in declaration order: `(action name, schema of its payload)`. Each schema is a
/// standalone draft 2020-12 document (with the `$defs` it refers to); an action
/// without fields has the schema `{"type": "null"}`.
pub fn action_schemas() -> Vec<(String, Value)> {
    payload_schemas::<StandardAction>(ActionKind::ALL.iter().map(|k| k.name()))
}

/// The payload schema of each action of the store's rules log (its catalog changes and
/// the court-level decisions), one per [`RulesActionKind`], as [`action_schemas`].
pub fn rules_action_schemas() -> Vec<(String, Value)> {
    payload_schemas::<RulesAction>(RulesActionKind::ALL.iter().map(|k| k.name()))
}

/// Every other schema of this crate, by name, each a standalone draft 2020-12
/// document:
///
/// - `StandardAction`, `RulesAction`: an action with its payload,
///   `{"action": "<name>", "payload": {...}}`;
/// - `StandardData`: what a standard's log accumulates (its instance data; the payload
///   of its `create` record);
/// - `RulesData`: the rules log's data (the payload of its `create` record);
/// - `StandardStatus`: one standard's status as the plan sees it;
/// - `ProgressReport`, `LatenessReport`, `DepartmentLoad` (the plan's reports),
///   `AssessmentReport` (the yearly department assessment), `Hearing` (a progress
///   hearing of the leading group).
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("StandardAction", root::<StandardAction>()),
        ("RulesAction", root::<RulesAction>()),
        ("StandardData", root::<StandardData>()),
        ("RulesData", root::<crate::rules_log::RulesData>()),
        ("StandardStatus", root::<StandardStatus>()),
        ("ProgressReport", root::<ProgressReport>()),
        ("LatenessReport", root::<LatenessReport>()),
        ("DepartmentLoad", root::<DepartmentLoad>()),
        ("AssessmentReport", root::<AssessmentReport>()),
        ("Hearing", root::<Hearing>()),
    ]
}

fn root<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// Cuts each variant's payload schema out of the schema of an adjacently tagged action
/// enum (`tag = "action", content = "payload"`), whose `oneOf` has one object per
/// variant: `action` a constant (the name), `payload` the variant's fields (absent
/// for a variant without fields).
fn payload_schemas<'a, A: JsonSchema>(names: impl Iterator<Item = &'a str>) -> Vec<(String, Value)> {
    let whole = schemars::schema_for!(A).to_value();
    let variants: &[Value] = whole
        .get("oneOf")
        .and_then(Value::as_array)
        .map_or(&[], |v| v.as_slice());
    let meta = whole.get("$schema").cloned();
    let defs = whole.get("$defs").cloned();
    names
        .map(|name| {
            let variant = variants
                .iter()
                .find(|v| v.pointer("/properties/action/const").and_then(Value::as_str) == Some(name));
            let mut payload = match variant.and_then(|v| v.pointer("/properties/payload")) {
                Some(Value::Object(schema)) => schema.clone(),
                // A unit variant: serde writes no payload, the record holds `null`.
                _ => Map::from_iter([("type".to_owned(), Value::from("null"))]),
            };
            payload.insert("title".to_owned(), Value::from(name));
            if let Some(description) = variant.and_then(|v| v.get("description")) {
                payload.entry("description").or_insert_with(|| description.clone());
            }
            if let Some(meta) = &meta {
                payload.insert("$schema".to_owned(), meta.clone());
            }
            // Every payload keeps the enum's `$defs`: its `$ref`s point there.
            if let Some(defs) = &defs {
                payload.insert("$defs".to_owned(), defs.clone());
            }
            (name.to_owned(), Value::Object(payload))
        })
        .collect()
}

/// The schema of an action's payload, by the action's name, for the standard
/// lifecycle or the rules log; `None` for an unknown name.
pub fn payload_schema(name: &str) -> Option<Value> {
    action_schemas()
        .into_iter()
        .chain(rules_action_schemas())
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
}
