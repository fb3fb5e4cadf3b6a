//! What only this store can check for `verify`: every queryable column against the
//! record JSON it copies. PostgreSQL has no integrity check that comes for free (the
//! `amcheck` extension needs an administrator); an index that lies shows in
//! `verify_store`'s comparison of the loads by instance with the full scan.

use std::collections::HashMap;

use postgres::Client;
use regula_core::store::StoreProblem;
use regula_core::{AuditRecord, InstanceHead, Snapshot};
use uuid::Uuid;

use crate::time_text;

/// Rows read per query.
const PAGE: i64 = 4096;

/// The queryable columns of a `records` row, as the append writes them, as text. Since
/// schema 3 a row holds only these beside its JSON.
fn record_columns(r: &AuditRecord) -> [(&'static str, String); 2] {
    [("instance", r.instance.to_string()), ("seq", r.seq.to_string())]
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| format!("{v:?}"))
}

/// Every row of `records` in position order (the primary key, never the
/// `(instance, seq)` index), column by column against its JSON; each head's
/// `first_position` and `entered_at` (folded from its records as an append does:
/// [`InstanceHead::advanced`]); each snapshot row's `instance` and `seq` against its
/// JSON. A head's `due_at` needs the definition: `verify_store` checks it through its
/// replayer.
pub(crate) fn check(client: &mut Client, s: &str) -> Result<Vec<StoreProblem>, postgres::Error> {
    let mut problems = Vec::new();
    // Per instance: the position of its first record, and its head so far.
    let mut folded: HashMap<Uuid, (i64, Option<InstanceHead>)> = HashMap::new();
    let page = client.prepare(&format!(
        "SELECT position, instance::text, seq::text, record::text \
         FROM {s}.records WHERE position > $1 ORDER BY position LIMIT $2"
    ))?;
    let mut after = i64::MIN;
    loop {
        let rows = client.query(&page, &[&after, &PAGE])?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for row in &rows {
            let position: i64 = row.try_get(0)?;
            let json: Option<&str> = row.try_get(3)?;
            let record = match json.map(serde_json::from_str::<AuditRecord>) {
                Some(Ok(record)) => record,
                other => {
                    problems.push(StoreProblem::Unreadable {
                        place: format!("records position {position}"),
                        message: match other {
                            Some(Err(e)) => e.to_string(),
                            _ => "the record column is NULL".to_owned(),
                        },
                    });
                    continue;
                }
            };
            let (_, head) = folded.entry(record.instance).or_insert((position, None));
            *head = InstanceHead::advanced(head.as_ref(), std::slice::from_ref(&record));
            for (i, (column, expected)) in record_columns(&record).into_iter().enumerate() {
                let stored: Option<&str> = row.try_get(i + 1)?;
                if stored != Some(expected.as_str()) {
                    problems.push(StoreProblem::ColumnMismatch {
                        table: "records".to_owned(),
                        column: column.to_owned(),
                        instance: record.instance,
                        seq: Some(record.seq),
                        stored: shown(stored),
                        expected: shown(Some(&expected)),
                    });
                }
            }
        }
    }

    for row in client.query(
        &format!("SELECT instance, first_position, entered_at FROM {s}.instances ORDER BY instance"),
        &[],
    )? {
        let instance: Uuid = row.try_get(0)?;
        let Some((first_position, head)) = folded.get(&instance) else {
            continue;
        };
        let stored_position: i64 = row.try_get(1)?;
        let stored_entry: Option<&str> = row.try_get(2)?;
        let mut columns = vec![(
            "first_position",
            stored_position.to_string(),
            first_position.to_string(),
        )];
        if let Some(head) = head {
            columns.push((
                "entered_at",
                shown(stored_entry),
                shown(Some(&time_text(&head.entered_at))),
            ));
        }
        for (column, stored, expected) in columns {
            if stored != expected {
                problems.push(StoreProblem::ColumnMismatch {
                    table: "instances".to_owned(),
                    column: column.to_owned(),
                    instance,
                    seq: None,
                    stored,
                    expected,
                });
            }
        }
    }

    for row in client.query(
        &format!("SELECT instance, seq, snapshot::text FROM {s}.snapshots ORDER BY instance"),
        &[],
    )? {
        let instance: Uuid = row.try_get(0)?;
        let seq: i64 = row.try_get(1)?;
        let json: &str = row.try_get(2)?;
        let snapshot = match serde_json::from_str::<Snapshot>(json) {
            Ok(snapshot) => snapshot,
            Err(e) => {
                problems.push(StoreProblem::Unreadable {
                    place: format!("snapshots row {instance}"),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let columns = [
            ("instance", instance.to_string(), snapshot.instance.to_string()),
            ("seq", seq.to_string(), snapshot.seq.to_string()),
        ];
        for (column, stored, expected) in columns {
            if stored != expected {
                problems.push(StoreProblem::ColumnMismatch {
                    table: "snapshots".to_owned(),
                    column: column.to_owned(),
                    instance: snapshot.instance,
                    seq: None,
                    stored,
                    expected,
                });
            }
        }
    }
    Ok(problems)
}
