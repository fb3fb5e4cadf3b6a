//! The command line on PostgreSQL (`--pg URL`), in a database created for this test
//! and dropped after it.
//!
//! Needs a server: run with
//!     crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test -p regula-cli
//! or point REGULA_PG_URL at a server where you may create databases. Unset, the test
//! fails and says so, unless REGULA_PG_SKIP=1 asks to skip it.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::*;
use postgres::{Client, NoTls};

const HOW: &str = "\
The regula CLI's PostgreSQL test needs a server. Run it against a throwaway one with
    crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test -p regula-cli
or point REGULA_PG_URL at a server where you may create databases, e.g.
    REGULA_PG_URL='host=localhost user=postgres dbname=postgres' cargo test -p regula-cli
To skip it on purpose, set REGULA_PG_SKIP=1.";

/// `REGULA_PG_URL`; unset, a failure with how to run the test, unless
/// `REGULA_PG_SKIP=1` (then `None`, and a note on stderr).
fn url() -> Option<String> {
    match std::env::var("REGULA_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("REGULA_PG_SKIP").as_deref() == Ok("1") => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: REGULA_PG_URL is not set and REGULA_PG_SKIP=1: the CLI's PostgreSQL test did not run"
            );
            None
        }
        _ => panic!("REGULA_PG_URL is not set.\n{HOW}"),
    }
}

/// A database of its own, dropped (with any connection left) when this goes.
struct Database {
    admin: Client,
    name: String,
}

impl Database {
    fn create(url: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000_000)
            .unwrap_or(0);
        let name = format!("regula_cli_{}_{nanos}", std::process::id());
        let mut admin = Client::connect(url, NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        Database { admin, name }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

#[test]
fn init_import_do_and_verify_on_postgres() {
    let Some(url) = url() else { return };
    let db = Database::create(&url);
    let pg = regula_store_postgres::with_database(&url, &db.name);
    let s = Scratch::new("pg");
    let run = |args: &[&str]| {
        let mut all = vec!["--pg", pg.as_str()];
        all.extend_from_slice(args);
        run_in(s.path(), &all)
    };

    let init = run(&["init"]).ok();
    assert_eq!(init.stdout, "存储就绪： PostgreSQL (0 条记录)\n");
    let import = run(&["--json", "catalog", "import", "--at", "2022-05-16"]).ok().json();
    assert_eq!(import["opened"].as_array().unwrap().len(), 117);
    let r = run(&[
        "do",
        CODE,
        "start_drafting",
        "--as",
        DEPT,
        "--at",
        "2023-03-01",
        "summary=调研",
    ])
    .ok();
    assert_eq!(r.stdout, "ADJ-01-08 开始起草: 调研论证 → 文本起草 (#2)\n");
    let refused = run(&["do", CODE, "close_consultation", "--as", DEPT, "--at", "2023-03-02"]).refused();
    assert!(refused.stderr.contains("被拒绝"), "{}", refused.stderr);
    let show = run(&["--json", "show", CODE]).ok().json();
    assert_eq!(show["state"], "drafting");
    assert_eq!(show["records"], 3);
    let log = run(&["--json", "log", CODE]).ok().json();
    let seqs: Vec<u64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(log[2]["outcome"]["kind"], "refused");
    let verify = run(&["--json", "verify"]).ok().json();
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["records"], 120);
    assert_eq!(verify["instances"], 118);
    // The store is that database: init again finds its records (whether the schema
    // existed before, PostgreSQL does not tell).
    let again = run(&["--json", "init"]).ok().json();
    assert_eq!(again["existed"], serde_json::Value::Null);
    assert_eq!(again["records"], 120);
    assert_eq!(
        run(&["--lang", "en", "init"]).ok().stdout,
        "store ready: PostgreSQL (120 records)\n"
    );
    // The records are in the test's own database, in the default schema.
    let mut client = Client::connect(&pg, NoTls).unwrap();
    let count: i64 = client
        .query_one("SELECT count(*) FROM regula.records", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 120);
    drop(client);
    // An error leaves it unchanged.
    run(&["do", CODE, "frobnicate", "--as", DEPT]).usage_error("unknown action \"frobnicate\"");
    assert_eq!(run(&["--json", "verify"]).ok().json()["records"], 120);
    // --pg and --store do not mix.
    let both = run_in(s.path(), &["--pg", pg.as_str(), "--store", "x.db", "list"]).code(2);
    assert!(
        both.stderr.contains("--store 与 --pg 指定了两个存储库"),
        "{}",
        both.stderr
    );
    assert!(
        !s.store().exists() && !s.file("x.db").exists(),
        "no SQLite store was created"
    );
}

/// Two processes publishing two standards under one document number at the same
/// moment on one PostgreSQL database: exactly one succeeds, every time, and `verify`
/// passes. Each round runs on a copy (`CREATE DATABASE … TEMPLATE`) of a database
/// where both standards are ready to publish.
#[test]
fn two_processes_publishing_one_number_on_postgres() {
    let Some(url) = url() else { return };
    let base = Database::create(&url);
    let pg = regula_store_postgres::with_database(&url, &base.name);
    let s = Scratch::new("pg-race");
    let run = |args: &[&str]| {
        let mut all = vec!["--pg", pg.as_str()];
        all.extend_from_slice(args);
        run_in(s.path(), &all)
    };
    run(&["init"]).ok();
    run(&["catalog", "import", "--at", "2022-05-16"]).ok();
    let draft = s.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    let draft = draft.to_str().unwrap();
    to_approval(&run, CODE, draft);
    to_approval(&run, OTHER, draft);
    let mut admin = Client::connect(&url, NoTls).unwrap();
    for round in 0..10 {
        let copy = Database {
            admin: Client::connect(&url, NoTls).unwrap(),
            name: format!("{}_r{round}", base.name),
        };
        admin
            .batch_execute(&format!("CREATE DATABASE {} TEMPLATE {}", copy.name, base.name))
            .unwrap();
        let pg = regula_store_postgres::with_database(&url, &copy.name);
        let (codes, shown) = race_publish(
            s.path(),
            &["--pg", pg.as_str()],
            [CODE, OTHER],
            // Two dates: two acts, which may not share a number.
            [
                &["document_number=红林法〔2023〕15号", "date=2023-04-29"],
                &["document_number=红林法〔2023〕15号", "date=2023-04-30"],
            ],
        );
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [0, 1],
            "round {round}: exactly one publishes, the other is refused: {shown:?}"
        );
        let verified = run_in(s.path(), &["--pg", pg.as_str(), "--json", "verify"]).ok().json();
        assert_eq!(verified["ok"], true, "round {round}: {verified}");
    }
}

/// On a database without a Regula schema, every command but `init` is an error (exit
/// 2) and creates nothing.
#[test]
fn commands_on_an_empty_database_create_nothing() {
    let Some(url) = url() else { return };
    let db = Database::create(&url);
    let pg = regula_store_postgres::with_database(&url, &db.name);
    let s = Scratch::new("pg-empty");
    for args in [
        &["list"][..],
        &["show", CODE],
        &["log", CODE],
        &["report"],
        &["verify"],
        &["checkpoint"],
        &["do", CODE, "start_drafting", "--as", DEPT],
        &["catalog", "import"],
    ] {
        let mut all = vec!["--pg", pg.as_str()];
        all.extend_from_slice(args);
        run_in(s.path(), &all).usage_error("holds no Regula store");
        let mut client = Client::connect(&pg, NoTls).unwrap();
        let schemas: i64 = client
            .query_one("SELECT count(*) FROM pg_namespace WHERE nspname = 'regula'", &[])
            .unwrap()
            .get(0);
        assert_eq!(schemas, 0, "{args:?} created the schema");
    }
    run_in(s.path(), &["--pg", pg.as_str(), "init"]).ok();
    run_in(s.path(), &["--pg", pg.as_str(), "list"]).ok();
}

/// Two `regula serve` processes on one PostgreSQL database, side by side: both take
/// writes to the same standard at once (each acknowledged record is there once; a
/// write that lost the race is a 409 that wrote nothing), a token issued or revoked
/// while they run is known to both at once, and a retry sent to the other process
/// under the same idempotency key answers the first result.
#[test]
fn two_serve_processes_on_one_database() {
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    let Some(url) = url() else { return };
    let db = Database::create(&url);
    let pg = regula_store_postgres::with_database(&url, &db.name);
    let s = Scratch::new("pg-serve");
    let run = |args: &[&str]| {
        let mut all = vec!["--pg", pg.as_str()];
        all.extend_from_slice(args);
        run_in(s.path(), &all)
    };
    run(&["init"]).ok();
    run(&["catalog", "import", "--at", "2022-05-16"]).ok();
    run(&["do", CODE, "start_drafting", "--as", DEPT, "--at", "2023-03-06"]).ok();
    let draft = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/payloads/draft.json");
    run(&[
        "do",
        CODE,
        "open_consultation",
        "--as",
        DEPT,
        "--at",
        "2023-03-20",
        "--json-file",
        draft.to_str().unwrap(),
    ])
    .ok();
    let issue = |actor: &str| -> (String, String) {
        let issued = run(&["--json", "token", "issue", "--as", OFFICE, "--for", actor])
            .ok()
            .json();
        (
            issued["id"].as_str().unwrap().to_owned(),
            issued["secret"].as_str().unwrap().to_owned(),
        )
    };
    let (_, token) = issue(DEPT);
    let a = Served::start(&s, &["--pg", pg.as_str()]);
    let b = Served::start(&s, &["--pg", pg.as_str()]);
    let post = |base: &str, token: &str, body: &serde_json::Value, key: Option<&str>| {
        let mut request = agent()
            .post(format!("{base}/v1/standards/{CODE}/records"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json");
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let mut response = request.send(body.to_string()).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (status, text)
    };
    let opinion = |n: usize| {
        json!({"action": "record_opinion", "payload": {"opinion":
            {"source": "frontline", "author": format!("法官{n}"), "content": format!("意见{n}")}}})
    };
    let opinions = || {
        let log = run(&["--json", "log", CODE]).ok().json();
        log.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "record_opinion")
            .count() as u64
    };
    // Both processes write to one standard at once.
    let (acknowledged, conflicts) = (AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| {
        for i in 0..8 {
            let (base, token, acknowledged, conflicts) = (
                if i % 2 == 0 { a.base.clone() } else { b.base.clone() },
                token.clone(),
                &acknowledged,
                &conflicts,
            );
            scope.spawn(move || {
                for j in 0..15 {
                    match post(&base, &token, &opinion(i * 100 + j), None) {
                        (201, _) => acknowledged.fetch_add(1, Ordering::SeqCst),
                        (409, text) => {
                            assert!(text.contains("/problems/conflict"), "{text}");
                            conflicts.fetch_add(1, Ordering::SeqCst)
                        }
                        (status, text) => panic!("{status}: {text}"),
                    };
                }
            });
        }
    });
    assert_eq!(
        opinions(),
        acknowledged.load(Ordering::SeqCst),
        "every acknowledged record once, nothing for a conflict ({} conflicts)",
        conflicts.load(Ordering::SeqCst)
    );
    // A token issued while both run works on both; revoked, on neither.
    let (id, fresh) = issue(DEPT);
    for base in [&a.base, &b.base] {
        let status = http_status(
            &agent()
                .get(format!("{base}/v1/standards/{CODE}"))
                .header("Authorization", format!("Bearer {fresh}"))
                .call(),
        );
        assert_eq!(status, 200);
    }
    run(&["token", "revoke", &id, "--as", OFFICE]).ok();
    for base in [&a.base, &b.base] {
        let status = http_status(
            &agent()
                .get(format!("{base}/v1/standards/{CODE}"))
                .header("Authorization", format!("Bearer {fresh}"))
                .call(),
        );
        assert_eq!(status, 401);
    }
    // A retry sent to the other process answers the first result.
    let before = opinions();
    let body = opinion(9999);
    let first = post(&a.base, &token, &body, Some("retry-1"));
    let again = post(&b.base, &token, &body, Some("retry-1"));
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(again, first);
    assert_eq!(opinions(), before + 1);
    drop((a, b));
    assert_eq!(run(&["--json", "verify"]).ok().json()["ok"], true);
}
