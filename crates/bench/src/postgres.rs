//! The PostgreSQL store over loopback against raw inserts of the same records through
//! the same `postgres` client, on the same server, in a fresh schema per run.

use postgres::{Client, NoTls};
use regula_core::{Append, AuditRecord, Store};
use regula_store_postgres::{PostgresOptions, PostgresStore};

use crate::measure::{self, human};
use crate::report::{Report, Row};
use crate::sqlite::{creating, logs};

/// Where the harness finds its server.
pub const URL_VAR: &str = "REGULA_PG_URL";

const SKIP: &str = "skipped: set REGULA_PG_URL or run under crates/store-postgres/scripts/with-throwaway-postgres.sh";

fn skipped(report: &mut Report, what: &str, target: &str) {
    report.push(Row {
        section: "postgres",
        what: what.into(),
        figure: "not measured".into(),
        baseline: SKIP.into(),
        ratio: None,
        target: Some((format!("{target} (not measured)"), false)),
    });
}

/// Drops the run's schemas when the section ends, however it ends.
struct Cleanup {
    client: Client,
    schemas: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for s in &self.schemas {
            let _ = self.client.batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
        }
    }
}

fn raw_table(client: &mut Client, schema: &str) {
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {schema};
             CREATE TABLE {schema}.raw (position bigserial PRIMARY KEY, instance uuid NOT NULL,
                                         seq bigint NOT NULL, record json NOT NULL, UNIQUE (instance, seq));
             CREATE TABLE {schema}.raw_bulk (LIKE {schema}.raw INCLUDING ALL);"
        ))
        .expect("create the raw table");
}

/// Runs the PostgreSQL benchmarks, or reports them skipped when no server is given.
pub fn run(report: &mut Report, quick: bool) {
    let single_what = "durable single append, one record per transaction (loopback, synchronous_commit=on)";
    let batch_what = "batched append, 1,000 records per transaction (loopback)";
    let Ok(url) = std::env::var(URL_VAR) else {
        skipped(report, single_what, "≥ 0.5× raw");
        skipped(report, batch_what, "≥ 20,000/s and ≥ 0.7× raw unnest");
        return;
    };
    let single_n = if quick { 300 } else { 2_000 };
    let batches = if quick { 10 } else { 50 };
    let tag = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000)
    );
    let admin = Client::connect(&url, NoTls).expect("connect to REGULA_PG_URL");
    let mut cleanup = Cleanup {
        client: admin,
        schemas: Vec::new(),
    };
    let settings: Vec<String> = ["server_version", "synchronous_commit", "fsync", "wal_sync_method"]
        .iter()
        .map(|s| {
            let v: String = cleanup
                .client
                .query_one(&format!("SHOW {s}"), &[])
                .map_or_else(|_| "?".into(), |r| r.get(0));
            format!("{s}={v}")
        })
        .collect();
    println!("[postgres] server: {}", settings.join(", "));
    let open = |name: &str, cleanup: &mut Cleanup| -> PostgresStore {
        let schema = format!("bench_{name}_{tag}");
        cleanup.schemas.push(schema.clone());
        PostgresStore::connect_with(&url, PostgresOptions { schema }).expect("open the PostgreSQL store")
    };

    // The store and its raw baseline take turns, several rounds each, and the best round
    // of each counts (as in the SQLite section): a WAL flush's latency on a shared disk
    // moves several-fold from one second to the next.
    let rounds = if quick { 3 } else { 5 };
    let raw_schema = format!("bench_raw_{tag}");
    cleanup.schemas.push(raw_schema.clone());
    let mut raw_client = Client::connect(&url, NoTls).expect("connect (raw)");
    raw_table(&mut raw_client, &raw_schema);
    let insert = raw_client
        .prepare(&format!(
            "INSERT INTO {raw_schema}.raw (instance, seq, record) VALUES ($1, $2, $3::text::json)"
        ))
        .expect("prepare");

    // One durable append per transaction: one instance growing record by record.
    let per_round = single_n / rounds;
    let store = open("single", &mut cleanup);
    let (ours, raw) = single(&store, &mut raw_client, &insert, rounds, per_round, 7);
    drop(store);
    report.push(Row {
        section: "postgres",
        what: format!("{single_what}, best of {rounds} alternating rounds"),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw autocommit INSERT {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: Some(("≥ 0.5× raw".into(), ours / raw >= 0.5)),
    });

    // The same without waiting for the WAL flush (both sessions with
    // synchronous_commit=off): no target; on a disk whose flush takes milliseconds the
    // durable rows show the flush, this one what each append costs besides it (round
    // trips, the server's work).
    let no_flush = without_flush(&url);
    let schema = format!("bench_noflush_{tag}");
    cleanup.schemas.push(schema.clone());
    let store = PostgresStore::connect_with(&no_flush, PostgresOptions { schema }).expect("open the PostgreSQL store");
    let mut fast_client = Client::connect(&no_flush, NoTls).expect("connect (raw, no flush)");
    let fast_insert = fast_client
        .prepare(&format!(
            "INSERT INTO {raw_schema}.raw (instance, seq, record) VALUES ($1, $2, $3::text::json)"
        ))
        .expect("prepare");
    let (ours, raw) = single(&store, &mut fast_client, &fast_insert, rounds, per_round, 8);
    drop(store);
    report.push(Row {
        section: "postgres",
        what: format!(
            "single append, one record per transaction, not waiting for the WAL flush (synchronous_commit=off), best of {rounds} alternating rounds"
        ),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw autocommit INSERT {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: None,
    });

    // 1,000 records per transaction: 100 instances × 10 records per batch.
    let per_round = (batches / rounds).max(1);
    let groups: Vec<Vec<Vec<AuditRecord>>> = (0..per_round * rounds)
        .map(|b| logs(100, 10, 2000 + b as u64))
        .collect();
    let n = (per_round * 1000) as u64;
    let store = open("batch", &mut cleanup);
    let texts: Vec<Vec<(uuid::Uuid, i64, String)>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .flatten()
                .map(|r| (r.instance, r.seq as i64, r.to_json()))
                .collect()
        })
        .collect();
    let range = |round: usize| round * per_round..(round + 1) * per_round;
    // Row by row, once: the slow raw way, for reference.
    let raw = measure::rate(1, n, |_| {
        for group in &texts[range(0)] {
            let mut tx = raw_client.transaction().expect("begin");
            for (instance, seq, text) in group {
                tx.execute(&insert, &[instance, seq, text]).expect("insert");
            }
            tx.commit().expect("commit");
        }
    });
    raw_client
        .batch_execute(&format!("TRUNCATE {raw_schema}.raw"))
        .expect("truncate");
    // The best raw way: the 1,000 rows as arrays in one INSERT … SELECT FROM unnest,
    // the way the store writes a batch.
    let bulk = raw_client
        .prepare(&format!(
            "INSERT INTO {raw_schema}.raw_bulk (instance, seq, record) \
             SELECT i, s, r::json FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS t(i, s, r)"
        ))
        .expect("prepare");
    let columns: Vec<(Vec<uuid::Uuid>, Vec<i64>, Vec<&str>)> = texts
        .iter()
        .map(|g| {
            (
                g.iter().map(|t| t.0).collect(),
                g.iter().map(|t| t.1).collect(),
                g.iter().map(|t| t.2.as_str()).collect(),
            )
        })
        .collect();
    let (ours, raw_bulk) = measure::alternate(
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
                for (instances, seqs, records) in &columns[range(round)] {
                    let mut tx = raw_client.transaction().expect("begin");
                    tx.execute(&bulk, &[instances, seqs, records]).expect("insert");
                    tx.commit().expect("commit");
                }
            })
        },
    );
    drop(store);
    report.push(Row {
        section: "postgres",
        what: format!("{batch_what}, best of {rounds} alternating rounds"),
        figure: format!("{}/s", human(ours)),
        baseline: format!(
            "raw: one INSERT … unnest per transaction {}/s (the ratio's); 1,000 prepared INSERTs per transaction {}/s",
            human(raw_bulk),
            human(raw)
        ),
        ratio: Some(ours / raw_bulk),
        target: Some((
            "≥ 20,000/s and ≥ 0.7× raw unnest".into(),
            ours >= 20_000.0 && ours / raw_bulk >= 0.7,
        )),
    });
}

/// `url` with `synchronous_commit=off` for the session (a `key=value` string or a URL).
fn without_flush(url: &str) -> String {
    if url.contains("://") {
        let joint = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joint}options=-c%20synchronous_commit%3Doff")
    } else {
        format!("{url} options='-c synchronous_commit=off'")
    }
}

/// The store's single appends against raw autocommit inserts of the same records, one
/// instance growing record by record, alternating rounds: (ours, raw) per second.
fn single(
    store: &PostgresStore,
    raw_client: &mut Client,
    insert: &postgres::Statement,
    rounds: usize,
    per_round: usize,
    seed: u64,
) -> (f64, f64) {
    let log = logs(1, per_round * rounds, seed).remove(0);
    let texts: Vec<String> = log.iter().map(AuditRecord::to_json).collect();
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
                    raw_client
                        .execute(insert, &[&r.instance, &(r.seq as i64), text])
                        .expect("insert");
                }
            })
        },
    )
}
