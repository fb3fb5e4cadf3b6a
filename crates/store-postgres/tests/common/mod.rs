//! Helpers shared by the PostgreSQL tests: the server to use, and a fresh schema per
//! store so tests never see each other's data.

#![allow(dead_code)]
// Test helpers: a failure here is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use postgres::{Client, NoTls};
use regula_store_postgres::{PostgresOptions, PostgresStore};

const HOW: &str = "\
The PostgreSQL store's tests need a server. Run them against a throwaway one with
    crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test -p regula-store-postgres
or point REGULA_PG_URL at a database in which you may create schemas, e.g.
    REGULA_PG_URL='host=localhost user=postgres dbname=regula_test' cargo test -p regula-store-postgres
To skip them on purpose, set REGULA_PG_SKIP=1.";

/// The connection string from `REGULA_PG_URL`. Unset, the test fails with how to run
/// it, unless `REGULA_PG_SKIP=1` asks to skip (then `None`, and a note on stderr).
pub fn url() -> Option<String> {
    match std::env::var("REGULA_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("REGULA_PG_SKIP").as_deref() == Ok("1") => {
            // Straight to the process's stderr, past the test harness's capture, once.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: REGULA_PG_URL is not set and REGULA_PG_SKIP=1: the PostgreSQL tests in this binary did not run"
                );
            });
            None
        }
        _ => panic!("REGULA_PG_URL is not set.\n{HOW}"),
    }
}

/// True when the tests should run (see [`url`]).
pub fn enabled() -> bool {
    url().is_some()
}

/// A schema name no other test uses.
pub fn unique_schema(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000_000)
        .unwrap_or(0);
    format!(
        "t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A store in a new schema.
pub fn fresh_store() -> PostgresStore {
    open(&unique_schema("c"))
}

/// A store in `schema`.
pub fn open(schema: &str) -> PostgresStore {
    PostgresStore::connect_with(
        &url().unwrap(),
        PostgresOptions {
            schema: schema.to_owned(),
        },
    )
    .unwrap()
}

/// A plain client, to work behind the store's back.
pub fn raw() -> Client {
    Client::connect(&url().unwrap(), NoTls).unwrap()
}
