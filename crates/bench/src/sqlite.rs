//! The SQLite store against raw rusqlite inserts of the same records, same pragmas.

use std::path::{Path, PathBuf};

use regula_core::{Append, AuditRecord, Store};
use regula_store_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use rusqlite::{Connection, params};

use crate::measure::{self, human};
use crate::report::{Report, Row};
use crate::sample;

/// Records for `instances` instances of `per` records each, instance by instance.
pub fn logs(instances: usize, per: usize, seed: u64) -> Vec<Vec<AuditRecord>> {
    let engine = sample::seeded_engine(seed);
    let (clerk, judge) = sample::actors();
    (0..instances)
        .map(|_| {
            let (mut inst, created) = engine
                .create(clerk.clone(), "clerk", Default::default(), None)
                .expect("create");
            let mut log = vec![created];
            for i in 0..per.saturating_sub(1) {
                log.push(
                    engine
                        .apply(&mut inst, sample::command(i as u64, &clerk, &judge))
                        .expect("apply"),
                );
            }
            log
        })
        .collect()
}

/// A path in `dir` with no database (nor WAL files) left from an earlier run.
pub fn fresh(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

fn raw_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open raw");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE raw (position INTEGER PRIMARY KEY NOT NULL, instance TEXT NOT NULL,
                           seq INTEGER NOT NULL, record TEXT NOT NULL, UNIQUE (instance, seq));",
    )
    .expect("raw schema");
    conn
}

/// Runs the SQLite benchmarks in a scratch directory.
pub fn run(report: &mut Report, quick: bool, dir: &Path) {
    let single_n = if quick { 300 } else { 2_000 };
    let batches = if quick { 20 } else { 100 };
    let options = SqliteOptions {
        synchronous: Synchronous::Full,
        ..SqliteOptions::default()
    };

    // One durable append per transaction: one instance growing record by record.
    let log = logs(1, single_n, 1).remove(0);
    let store = SqliteStore::open_with(fresh(dir, "single.db"), options.clone()).expect("open store");
    let ours = measure::rate(1, single_n as u64, |_| {
        for (i, r) in log.iter().enumerate() {
            store
                .append(Append {
                    instance: r.instance,
                    expected_seq: i as u64,
                    records: std::slice::from_ref(r),
                })
                .expect("append");
        }
    });
    let texts: Vec<String> = log.iter().map(AuditRecord::to_json).collect();
    let conn = raw_connection(&fresh(dir, "single-raw.db"));
    let raw = measure::rate(1, single_n as u64, |_| {
        let mut stmt = conn
            .prepare("INSERT INTO raw (instance, seq, record) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for (r, text) in log.iter().zip(&texts) {
            stmt.execute(params![r.instance.to_string(), r.seq as i64, text])
                .expect("insert");
        }
    });
    report.push(Row {
        section: "sqlite",
        what: "durable single append, one record per transaction (WAL, synchronous=FULL)".into(),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw rusqlite insert {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: Some(("≥ 0.8× raw".into(), ours / raw >= 0.8)),
    });

    // 1,000 records per transaction: 100 instances × 10 records per batch.
    let groups: Vec<Vec<Vec<AuditRecord>>> = (0..batches).map(|b| logs(100, 10, 1000 + b as u64)).collect();
    let n = (batches * 1000) as u64;
    let store = SqliteStore::open_with(fresh(dir, "batch.db"), options).expect("open store");
    let ours = measure::rate(1, n, |_| {
        for group in &groups {
            let batch: Vec<Append<'_>> = group
                .iter()
                .map(|log| Append {
                    instance: log[0].instance,
                    expected_seq: 0,
                    records: log,
                })
                .collect();
            store.append_batch(&batch).expect("batch");
        }
    });
    let texts: Vec<Vec<Vec<(String, i64, String)>>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|log| {
                    log.iter()
                        .map(|r| (r.instance.to_string(), r.seq as i64, r.to_json()))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut conn = raw_connection(&fresh(dir, "batch-raw.db"));
    let raw = measure::rate(1, n, |_| {
        for group in &texts {
            let tx = conn.transaction().expect("begin");
            {
                let mut stmt = tx
                    .prepare_cached("INSERT INTO raw (instance, seq, record) VALUES (?1, ?2, ?3)")
                    .expect("prepare");
                for log in group {
                    for (instance, seq, text) in log {
                        stmt.execute(params![instance, seq, text]).expect("insert");
                    }
                }
            }
            tx.commit().expect("commit");
        }
    });
    report.push(Row {
        section: "sqlite",
        what: "batched append, 1,000 records per transaction".into(),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw batched insert {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: Some(("≥ 100,000/s and ≥ 0.5× raw".into(), ours >= 1e5 && ours / raw >= 0.5)),
    });
}
