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
        skipped(report, single_what, "none (reported beside raw)");
        skipped(report, batch_what, "≥ 20,000/s");
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

    // One durable append per transaction: one instance growing record by record.
    let log = logs(1, single_n, 7).remove(0);
    let store = open("single", &mut cleanup);
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
    drop(store);
    let raw_schema = format!("bench_raw_{tag}");
    cleanup.schemas.push(raw_schema.clone());
    let mut raw_client = Client::connect(&url, NoTls).expect("connect (raw)");
    raw_table(&mut raw_client, &raw_schema);
    let insert = raw_client
        .prepare(&format!(
            "INSERT INTO {raw_schema}.raw (instance, seq, record) VALUES ($1, $2, $3::text::json)"
        ))
        .expect("prepare");
    let texts: Vec<String> = log.iter().map(AuditRecord::to_json).collect();
    let raw = measure::rate(1, single_n as u64, |_| {
        for (r, text) in log.iter().zip(&texts) {
            raw_client
                .execute(&insert, &[&r.instance, &(r.seq as i64), text])
                .expect("insert");
        }
    });
    report.push(Row {
        section: "postgres",
        what: single_what.into(),
        figure: format!("{}/s", human(ours)),
        baseline: format!("raw autocommit INSERT {}/s", human(raw)),
        ratio: Some(ours / raw),
        target: None,
    });

    // 1,000 records per transaction: 100 instances × 10 records per batch.
    let groups: Vec<Vec<Vec<AuditRecord>>> = (0..batches).map(|b| logs(100, 10, 2000 + b as u64)).collect();
    let n = (batches * 1000) as u64;
    let store = open("batch", &mut cleanup);
    let ours = measure::rate(1, n, |_| {
        for group in &groups {
            store.append_batch(&creating(group)).expect("batch");
        }
    });
    drop(store);
    let texts: Vec<Vec<(uuid::Uuid, i64, String)>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .flatten()
                .map(|r| (r.instance, r.seq as i64, r.to_json()))
                .collect()
        })
        .collect();
    let raw = measure::rate(1, n, |_| {
        for group in &texts {
            let mut tx = raw_client.transaction().expect("begin");
            for (instance, seq, text) in group {
                tx.execute(&insert, &[instance, seq, text]).expect("insert");
            }
            tx.commit().expect("commit");
        }
    });
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
    let raw_bulk = measure::rate(1, n, |_| {
        for (instances, seqs, records) in &columns {
            let mut tx = raw_client.transaction().expect("begin");
            tx.execute(&bulk, &[instances, seqs, records]).expect("insert");
            tx.commit().expect("commit");
        }
    });
    let best = raw.max(raw_bulk);
    report.push(Row {
        section: "postgres",
        what: batch_what.into(),
        figure: format!("{}/s", human(ours)),
        baseline: format!(
            "raw: 1,000 prepared INSERTs per transaction {}/s; one INSERT … unnest per transaction {}/s (ratio to the faster)",
            human(raw),
            human(raw_bulk)
        ),
        ratio: Some(ours / best),
        target: Some(("≥ 20,000/s".into(), ours >= 20_000.0)),
    });
}
