//! What only this store can check for `verify`: SQLite's own integrity check and every
//! queryable column against the record JSON it copies.
//!
//! Since schema 3 a `records` row holds only its key columns (`instance`, `seq`)
//! beside the JSON; a store read without migrating may hold more, which nothing reads.

use std::collections::HashMap;

use regula_core::store::{StorageCheck, StoreProblem};
use regula_core::{AuditRecord, Snapshot, StoreError};
use rusqlite::Connection;
use rusqlite::types::Value;
use uuid::Uuid;

use crate::backend;

/// Runs the check `depth` asks for, then compares every column with its record.
pub(crate) fn check(conn: &Connection, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
    let pragma = match depth {
        StorageCheck::Full => "integrity_check",
        StorageCheck::Quick => "quick_check",
    };
    let mut problems = Vec::new();
    {
        let mut stmt = conn.prepare(&format!("PRAGMA {pragma}")).map_err(backend)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(backend)?;
        for row in rows {
            let line = row.map_err(backend)?;
            if line != "ok" {
                problems.push(StoreProblem::Physical {
                    check: pragma.to_owned(),
                    message: line,
                });
            }
        }
    }
    // A database whose pages are damaged may fail any read below: what was found so
    // far is reported, with the failed read.
    let physical = !problems.is_empty();
    if let Err(e) = columns(conn, &mut problems) {
        if !physical {
            return Err(backend(e));
        }
        problems.push(StoreProblem::Physical {
            check: pragma.to_owned(),
            message: format!("reading the tables failed: {e}"),
        });
    }
    Ok(problems)
}

/// A column's value as text for a report: text as it is, numbers in decimal.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => format!("{t:?}"),
        Value::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// The queryable columns of a `records` row, as the append writes them.
fn record_columns(r: &AuditRecord) -> [(&'static str, Value); 2] {
    [
        ("instance", text(r.instance.to_string())),
        ("seq", i64::try_from(r.seq).map_or(Value::Null, Value::Integer)),
    ]
}

fn columns(conn: &Connection, problems: &mut Vec<StoreProblem>) -> Result<(), rusqlite::Error> {
    // Every record, in position order: the table itself, never the (instance, seq)
    // index, which is what this checks against.
    let mut first_position: HashMap<Uuid, i64> = HashMap::new();
    let mut stmt = conn.prepare("SELECT position, instance, seq, record FROM records ORDER BY position")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let position: i64 = row.get(0)?;
        let json: Value = row.get(3)?;
        let record = match &json {
            Value::Text(json) => serde_json::from_str::<AuditRecord>(json).map_err(|e| e.to_string()),
            other => Err(format!("the record column holds {}, not JSON text", shown(other))),
        };
        let record = match record {
            Ok(record) => record,
            Err(message) => {
                problems.push(StoreProblem::Unreadable {
                    place: format!("records position {position}"),
                    message,
                });
                continue;
            }
        };
        first_position.entry(record.instance).or_insert(position);
        for (i, (column, expected)) in record_columns(&record).into_iter().enumerate() {
            let stored: Value = row.get(i + 1)?;
            if stored != expected {
                problems.push(StoreProblem::ColumnMismatch {
                    table: "records".to_owned(),
                    column: column.to_owned(),
                    instance: record.instance,
                    seq: Some(record.seq),
                    stored: shown(&stored),
                    expected: shown(&expected),
                });
            }
        }
    }
    drop(rows);
    drop(stmt);

    // Each head's place in the age order: the position of its first record. The other
    // head columns are what `list` reads, checked against the log by `verify_store`.
    let mut stmt = conn.prepare("SELECT instance, first_position FROM instances ORDER BY instance")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let instance: Value = row.get(0)?;
        let stored: Value = row.get(1)?;
        let Some(id) = uuid_of(&instance) else {
            // An unreadable instance id fails `list`, which reports it.
            continue;
        };
        let expected = first_position.get(&id).map_or(Value::Null, |p| Value::Integer(*p));
        if expected != Value::Null && stored != expected {
            problems.push(StoreProblem::ColumnMismatch {
                table: "instances".to_owned(),
                column: "first_position".to_owned(),
                instance: id,
                seq: None,
                stored: shown(&stored),
                expected: shown(&expected),
            });
        }
    }
    drop(rows);
    drop(stmt);

    // Each snapshot row: its key columns against its JSON (the JSON itself is checked
    // against the replayed log by `verify_store`).
    let mut stmt = conn.prepare("SELECT instance, seq, snapshot FROM snapshots ORDER BY instance")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let instance: Value = row.get(0)?;
        let seq: Value = row.get(1)?;
        let json: Value = row.get(2)?;
        let place = format!("snapshots row {}", shown(&instance));
        let snapshot = match &json {
            Value::Text(json) => serde_json::from_str::<Snapshot>(json).map_err(|e| e.to_string()),
            other => Err(format!("the snapshot column holds {}, not JSON text", shown(other))),
        };
        let snapshot = match snapshot {
            Ok(snapshot) => snapshot,
            Err(message) => {
                problems.push(StoreProblem::Unreadable { place, message });
                continue;
            }
        };
        let expected = [
            ("instance", text(snapshot.instance.to_string()), instance),
            (
                "seq",
                i64::try_from(snapshot.seq).map_or(Value::Null, Value::Integer),
                seq,
            ),
        ];
        for (column, expected, stored) in expected {
            if stored != expected {
                problems.push(StoreProblem::ColumnMismatch {
                    table: "snapshots".to_owned(),
                    column: column.to_owned(),
                    instance: snapshot.instance,
                    seq: None,
                    stored: shown(&stored),
                    expected: shown(&expected),
                });
            }
        }
    }
    Ok(())
}

fn uuid_of(value: &Value) -> Option<Uuid> {
    match value {
        Value::Text(t) => Uuid::parse_str(t).ok(),
        _ => None,
    }
}
