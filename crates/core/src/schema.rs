//! JSON Schemas (draft 2020-12) of the JSON and text this crate reads and writes.
//!
//! They are derived from the Rust types themselves (`schemars`), so they cannot drift
//! from what serde reads and writes: every `rename`, `tag`, `default`,
//! `skip_serializing_if` and `deny_unknown_fields` is in them, and the types whose
//! serde code is written by hand ([`Digest`](crate::Digest), record times) have a
//! schema written by hand beside that code. Each schema describes what *deserializing*
//! accepts (a field that may be left out is not `required`, even when it is always
//! written). A schema is a necessary condition, not a sufficient one: it cannot say
//! that a record's hash holds, that a time is in its one canonical spelling (`.100`
//! matches the pattern but is refused: only the fewest digits are written), or that a
//! checkpoint's origin has no invisible character; the readers check those.
//!
//! A service publishes these beside the schemas of `regula-standards` (actions,
//! payloads, reports) and `regula-proof` (proof bundles).

use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::record::AuditRecord;

/// A time as records write it: RFC 3339, UTC with `Z`, and no fraction or exactly 3,
/// 6 or 9 fractional digits (the fewest that hold it).
const TIME_PATTERN: &str = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3}|\.[0-9]{6}|\.[0-9]{9})?Z";

/// The schema of a time in a record (`at`, `recorded_at`): an RFC 3339 string in UTC
/// ending in `Z`, with no fractional second or exactly 3, 6 or 9 digits. Used by
/// `#[schemars(schema_with)]` on fields read by the record's own time reader.
pub fn record_time(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "format": "date-time",
        "pattern": format!("^{TIME_PATTERN}$"),
        "description": "RFC 3339 in UTC ending in `Z`, with no fractional second or \
                        exactly 3, 6 or 9 digits, the fewest that hold the time \
                        (any other spelling is refused).",
    })
}

/// The schema of a checkpoint's text (a C2SP signed note, see
/// [`crate::checkpoint`]): a JSON string holding the whole note, body and signature
/// lines. Proof bundles carry checkpoints this way.
pub fn checkpoint_text(_: &mut SchemaGenerator) -> Schema {
    let origin = r"[^\s+\u0000-\u001f\u007f]+";
    let size = "(0|[1-9][0-9]*)";
    // Base64 of 32 bytes, canonical: the last digit before `=` carries no stray bits.
    let root = "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=";
    let signature = format!("\u{2014} {origin} [A-Za-z0-9+/]+={{0,2}}\n");
    json_schema!({
        "type": "string",
        "pattern": format!("^{origin}\n{size}\n{root}\ntime {TIME_PATTERN}\n\n({signature})*$"),
        "maxLength": crate::checkpoint::MAX_CHECKPOINT_LEN,
        "description": "A checkpoint's text, a C2SP signed note (UTF-8, every line ending \
                        in `\\n`). Body, four lines: the origin (the log's name: no white \
                        space, no `+`, no control, bidirectional or invisible format \
                        character); the tree size in decimal (no sign, no leading zero, at \
                        most 2^64 - 1); the RFC 6962 root hash as canonical base64 (RFC 4648 \
                        section 4, with `=` padding) of its 32 bytes; `time ` and the time \
                        it was taken (RFC 3339 UTC ending in `Z`, no fraction or exactly 3, 6 \
                        or 9 digits, the fewest). Then an empty line, then zero to 100 \
                        signature lines `— <key name> <base64(4-byte key id ‖ ed25519 \
                        signature)>` (an em dash U+2014 and a space), no key twice. An \
                        unsigned checkpoint is its body and one empty line.",
    })
}

/// Every schema of this crate, by name, each a standalone draft 2020-12 document
/// (with its `$defs`):
///
/// - `AuditRecord`: one record's JSON ([`AuditRecord::to_json`]; every record of
///   every format, as serde reads it);
/// - `MigrationPayload`: the payload of a `migrate` record, the one action every
///   definition has ([`MigrationPayload`](crate::MigrationPayload));
/// - `Checkpoint`: a checkpoint's text as a JSON string ([`checkpoint_text`]);
/// - `LegacyCheckpointJson`: the JSON checkpoint of Regula 0.1 and 0.2, which
///   [`CheckpointNote::read`](crate::CheckpointNote::read) still reads (nothing writes
///   it any more).
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("AuditRecord", schemars::schema_for!(AuditRecord).to_value()),
        (
            "MigrationPayload",
            schemars::schema_for!(crate::MigrationPayload).to_value(),
        ),
        ("Checkpoint", root_of(checkpoint_text, "Checkpoint")),
        (
            "LegacyCheckpointJson",
            crate::checkpoint::legacy_json_schema().to_value(),
        ),
    ]
}

/// A standalone schema document (with `$schema`, `title` and the `$defs` it refers
/// to) from a schema function.
pub fn root_of(schema: fn(&mut SchemaGenerator) -> Schema, title: &str) -> Value {
    let mut generator = SchemaGenerator::default();
    let mut root = schema(&mut generator);
    root.insert("title".to_owned(), title.into());
    let defs = generator.take_definitions(true);
    if !defs.is_empty() {
        root.insert("$defs".to_owned(), Value::Object(defs));
    }
    let meta = generator.settings().meta_schema.clone();
    if let Some(meta) = meta {
        root.insert("$schema".to_owned(), meta.into_owned().into());
    }
    root.to_value()
}
