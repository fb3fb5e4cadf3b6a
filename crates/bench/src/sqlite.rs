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

/// One append per log, each creating its instance: a batch of new instances.
pub fn creating(logs: &[Vec<AuditRecord>]) -> Vec<Append<'_>> {
    logs.iter()
        .map(|log| Append {
            instance: log[0].instance,
            expected_seq: 0,
            records: log,
            due_at: None,
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
    raw_connection_with(path, Synchronous::Full)
}

fn raw_connection_with(path: &Path, synchronous: Synchronous) -> Connection {
    let conn = Connection::open(path).expect("open raw");
    let level = match synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {level};
         CREATE TABLE raw (position INTEGER PRIMARY KEY NOT NULL, instance TEXT NOT NULL,
                           seq INTEGER NOT NULL, record TEXT NOT NULL, UNIQUE (instance, seq));"
    ))
    .expect("raw schema");
    conn
}

/// Runs the SQLite benchmarks in a scratch directory.
///
/// The store and its raw baseline take turns, several rounds each, and the best round
/// of each counts: a sync's latency on a shared virtual disk varies several-fold from
/// one second to the next, more than the difference being measured.
pub fn run(report: &mut Report, quick: bool, dir: &Path) {
    let rounds = if quick { 3 } else { 5 };
    let single_per_round = if quick { 100 } else { 400 };
    let batches_per_round = if quick { 7 } else { 20 };
    let options = SqliteOptions {
        synchronous: Synchronous::Full,
        ..SqliteOptions::default()
    };

    // One durable append per transaction: one instance growing record by record.
    let (ours, raw) = single(dir, "single", options.clone(), rounds, single_per_round, 1);
    report.push(Row {
        section: "sqlite",
        what: format!(
            "durable single append, one record per transaction (WAL, synchronous=FULL), best of {rounds} alternating rounds"
        ),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw rusqlite insert {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: Some(("≥ 0.8× raw".into(), ours / raw >= 0.8)),
    });

    // The same without a sync at each commit (synchronous=NORMAL on both sides): no
    // target; when a sync takes milliseconds the durable row shows the sync, this one
    // what each append costs besides it (the pages it writes, the store's own work).
    let normal = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let (ours, raw) = single(dir, "single-normal", normal, rounds, single_per_round, 2);
    report.push(Row {
        section: "sqlite",
        what: format!(
            "single append, one record per transaction, no sync at commit (WAL, synchronous=NORMAL), best of {rounds} alternating rounds"
        ),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw rusqlite insert {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: None,
    });

    // 1,000 records per transaction: 100 instances × 10 records per batch.
    let groups: Vec<Vec<Vec<AuditRecord>>> = (0..rounds * batches_per_round)
        .map(|b| logs(100, 10, 1000 + b as u64))
        .collect();
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
    let n = (batches_per_round * 1000) as u64;
    let store = SqliteStore::open_with(fresh(dir, "batch.db"), options).expect("open store");
    let mut conn = raw_connection(&fresh(dir, "batch-raw.db"));
    let range = |round: usize| round * batches_per_round..(round + 1) * batches_per_round;
    let (ours, raw) = measure::alternate(
        rounds,
        |round| {
            measure::rate(1, n, |_| {
                for group in &groups[range(round)] {
                    store.append_batch(&creating(group)).expect("batch");
                }
            })
        },
        |round| {
            measure::rate(1, n, |_| {
                for group in &texts[range(round)] {
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
            })
        },
    );
    report.push(Row {
        section: "sqlite",
        what: format!("batched append, 1,000 records per transaction, best of {rounds} alternating rounds"),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw batched insert {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: Some(("≥ 100,000/s and ≥ 0.6× raw".into(), ours >= 1e5 && ours / raw >= 0.6)),
    });
}

/// The store's single appends against raw inserts of the same records, one instance
/// growing record by record, alternating rounds, with the store's and the raw file's
/// sync level `options.synchronous`: (ours, raw) per second.
fn single(dir: &Path, name: &str, options: SqliteOptions, rounds: usize, per_round: usize, seed: u64) -> (f64, f64) {
    let log = logs(1, rounds * per_round, seed).remove(0);
    let texts: Vec<String> = log.iter().map(AuditRecord::to_json).collect();
    let synchronous = options.synchronous;
    let store = SqliteStore::open_with(fresh(dir, &format!("{name}.db")), options).expect("open store");
    let conn = raw_connection_with(&fresh(dir, &format!("{name}-raw.db")), synchronous);
    let mut stmt = conn
        .prepare("INSERT INTO raw (instance, seq, record) VALUES (?1, ?2, ?3)")
        .expect("prepare");
    let range = |round: usize| round * per_round..(round + 1) * per_round;
    measure::alternate(
        rounds,
        |round| {
            let range = range(round);
            measure::rate(1, per_round as u64, |_| {
                for (i, r) in log[range.clone()].iter().enumerate() {
                    store
                        .append(Append {
                            instance: r.instance,
                            expected_seq: (range.start + i) as u64,
                            records: std::slice::from_ref(r),
                            due_at: None,
                        })
                        .expect("append");
                }
            })
        },
        |round| {
            let range = range(round);
            measure::rate(1, per_round as u64, |_| {
                for (r, text) in log[range.clone()].iter().zip(&texts[range.clone()]) {
                    stmt.execute(params![r.instance.to_string(), r.seq as i64, text])
                        .expect("insert");
                }
            })
        },
    )
}
