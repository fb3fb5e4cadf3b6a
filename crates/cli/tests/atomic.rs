//! Side effects are all or nothing: commands that only read never create or change a
//! store (a missing or empty file is an error and stays as it was); `catalog import`
//! that fails (exit 2) leaves the store and the catalog copy beside it as they were;
//! and two processes publishing one document number at the same moment cannot both
//! succeed.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

/// The built-in catalog's text, to import as a file.
fn catalog_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../standards/data/catalog.toml")).unwrap()
}

/// Every entry of `dir`: name and bytes (`<dir>` for a directory).
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_dir() {
                b"<dir>".to_vec()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    all.sort();
    all
}

/// The store's size and root, read with `checkpoint`.
fn tree(s: &Scratch) -> (u64, String) {
    let cp = s.run(&["--json", "checkpoint"]).ok().json();
    (cp["size"].as_u64().unwrap(), cp["root"].as_str().unwrap().to_owned())
}

#[test]
fn read_commands_never_create_or_change_a_store() {
    let s = Scratch::new("read-only");
    // A real key and a signed checkpoint (of another store), so that `verify --checkpoint --key`
    // and `prove` get as far as opening the store.
    run_in(
        s.path(),
        &["key", "generate", "court", "--secret", "k.sec", "--public", "k.pub"],
    )
    .ok();
    run_in(s.path(), &["--store", "other.db", "init"]).ok();
    run_in(
        s.path(),
        &["--store", "other.db", "checkpoint", "--sign", "k.sec", "--out", "cp"],
    )
    .ok();
    let reads: [&[&str]; 10] = [
        &["list"],
        &["show", CODE],
        &["log", CODE],
        &["report"],
        &["verify"],
        &["verify", "--checkpoint", "cp", "--key", "k.pub"],
        &["checkpoint"],
        &["checkpoint", "--out", "new-cp.json"],
        &["prove", CODE, "1", "--checkpoint", "cp"],
        &["diagram"],
    ];
    // An empty file: every read is an error (except `diagram`, which reads no store),
    // and the file stays empty, with no -wal or -shm beside it.
    s.write("regula.db", "");
    let before = listing(s.path());
    for args in reads {
        let r = s.run(args);
        if args[0] == "diagram" {
            r.ok();
        } else {
            let r = r.code(2);
            assert!(
                r.stderr.contains("is not a Regula store: the file is empty (0 bytes)"),
                "{args:?}: {}",
                r.stderr
            );
        }
        assert_eq!(
            std::fs::metadata(s.store()).unwrap().len(),
            0,
            "{args:?} wrote into the empty file"
        );
        assert_eq!(listing(s.path()), before, "{args:?} changed the directory");
    }
    // Nor do the commands that write: they need a store that exists.
    for args in [
        &["do", CODE, "start_drafting", "--as", DEPT][..],
        &["catalog", "import", "--at", "2022-05-16"],
    ] {
        s.run(args).usage_error("the file is empty (0 bytes)");
        assert_eq!(
            std::fs::metadata(s.store()).unwrap().len(),
            0,
            "{args:?} wrote into the empty file"
        );
        assert_eq!(listing(s.path()), before, "{args:?} changed the directory");
    }
    // A missing file: not created.
    std::fs::remove_file(s.store()).unwrap();
    for args in reads {
        let r = s.run(args);
        if args[0] == "diagram" {
            r.ok();
        } else {
            r.code(2);
        }
        assert!(!s.store().exists(), "{args:?} created the store");
    }
    // `init` may create it; the reads then work.
    s.run(&["init"]).ok();
    s.run(&["list"]).ok();
}

#[test]
fn catalog_import_writes_nothing_beside_the_store() {
    let s = Scratch::new("import-nothing-beside");
    s.run(&["init"]).ok();
    let file = s.write("catalog.toml", &catalog_text());
    let before: Vec<String> = listing(s.path()).into_iter().map(|(n, _)| n).collect();
    s.run(&["catalog", "import", file.to_str().unwrap(), "--at", "2022-05-16"])
        .ok();
    // The catalog is in the store's rules log, not in a side file (which a failed
    // write could leave truncated, and a copy of the database alone would lose).
    let after: Vec<String> = listing(s.path())
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !n.starts_with("regula.db-"))
        .collect();
    assert_eq!(after, before, "a file appeared beside the store");
    assert!(!s.file("regula.db.catalog.toml").exists());
    assert_eq!(tree(&s).0, 118, "117 standards and the rules record");
    s.verified();
}

#[test]
fn a_failed_commit_changes_nothing() {
    let s = Scratch::new("import-commit");
    s.run(&["init"]).ok();
    let file = s.write("catalog.toml", &catalog_text());
    let before = listing(s.path());
    // Another writer holds the store's write lock past the busy timeout.
    let conn = rusqlite::Connection::open(s.store()).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let r = s
        .run(&["catalog", "import", file.to_str().unwrap(), "--at", "2022-05-16"])
        .code(2);
    assert!(r.stderr.contains("database is locked"), "{}", r.stderr);
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    assert!(
        !s.file("regula.db.catalog.toml").exists(),
        "a failed import left a file beside the store"
    );
    assert_eq!(
        listing(s.path())
            .into_iter()
            .filter(|(n, _)| !n.starts_with("regula.db-"))
            .collect::<Vec<_>>(),
        before
            .into_iter()
            .filter(|(n, _)| !n.starts_with("regula.db-"))
            .collect::<Vec<_>>()
    );
    assert_eq!(tree(&s).0, 0);
}

#[test]
fn two_processes_publishing_one_number_at_once_cannot_both_succeed() {
    let base = Scratch::imported("race-base");
    let draft = base.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    let draft = draft.to_str().unwrap();
    to_approval(&|args| base.run(args), CODE, draft);
    to_approval(&|args| base.run(args), OTHER, draft);
    let number = "document_number=红林法〔2023〕15号";
    for round in 0..10 {
        let s = Scratch::new("race");
        for entry in std::fs::read_dir(base.path()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("regula.db") {
                std::fs::copy(entry.path(), s.file(&name)).unwrap();
            }
        }
        let store = s.store();
        let (codes, shown) = race_publish(
            s.path(),
            &["--store", store.to_str().unwrap()],
            [CODE, OTHER],
            // Two dates: two acts, which may not share a number.
            [&[number, "date=2023-04-29"], &[number, "date=2023-04-30"]],
        );
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [0, 1],
            "round {round}: exactly one publishes, the other is refused: {shown:?}"
        );
        let loser = shown[codes.iter().position(|c| *c == 1).unwrap()].clone();
        assert!(loser.contains("红林法〔2023〕15号"), "round {round}: {loser}");
        let verified = s.run(&["--json", "verify"]).ok().json();
        assert_eq!(verified["ok"], true, "round {round}: {verified}");
        if round == 9 {
            claim_rows_are_verified(&s);
        }
    }
}

/// Two processes publishing two standards as one act (one number, one date) at once:
/// both are published, the number is claimed once, by whichever committed first, and
/// the store verifies.
#[test]
fn two_processes_publishing_one_act_at_once_share_its_number() {
    let base = Scratch::imported("act-base");
    let draft = base.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    let draft = draft.to_str().unwrap();
    to_approval(&|args| base.run(args), CODE, draft);
    to_approval(&|args| base.run(args), OTHER, draft);
    let fields: &[&str] = &["document_number=红林法〔2023〕15号", "date=2023-04-30"];
    for round in 0..5 {
        let s = Scratch::new("act");
        for entry in std::fs::read_dir(base.path()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("regula.db") {
                std::fs::copy(entry.path(), s.file(&name)).unwrap();
            }
        }
        let store = s.store();
        let (codes, shown) = race_publish(
            s.path(),
            &["--store", store.to_str().unwrap()],
            [CODE, OTHER],
            [fields, fields],
        );
        assert_eq!(codes, [0, 0], "round {round}: one act, both published: {shown:?}");
        let conn = rusqlite::Connection::open(s.store()).unwrap();
        let claims: i64 = conn
            .query_row(
                "SELECT count(*) FROM claims WHERE namespace = 'document_number'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(claims, 1, "round {round}: one act, one claim");
        let verified = s.run(&["--json", "verify"]).ok().json();
        assert_eq!(verified["ok"], true, "round {round}: {verified}");
    }
}

/// `verify` holds the claims table against the log: a removed, moved or forged claim
/// row fails it (exit 1), naming the number.
fn claim_rows_are_verified(s: &Scratch) {
    let conn = rusqlite::Connection::open(s.store()).unwrap();
    let (instance, seq): (String, i64) = conn
        .query_row(
            "SELECT instance, seq FROM claims WHERE namespace = 'document_number'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let expect_failure = |what: &str| {
        let r = s.run(&["verify"]).refused();
        assert!(r.stderr.contains("红林法〔2023〕15号"), "{what}: {}", r.stderr);
    };
    // Removed.
    conn.execute("DELETE FROM claims WHERE namespace = 'document_number'", [])
        .unwrap();
    expect_failure("removed");
    // Moved to another record.
    conn.execute(
        "INSERT INTO claims (namespace, key, instance, seq) VALUES ('document_number', '红林法〔2023〕15号', ?1, ?2)",
        rusqlite::params![instance, seq - 1],
    )
    .unwrap();
    expect_failure("moved");
    // Back in place, plus a forged claim of a number nobody published.
    conn.execute("UPDATE claims SET seq = ?1 WHERE namespace = 'document_number'", [seq])
        .unwrap();
    s.run(&["verify"]).ok();
    conn.execute(
        "INSERT INTO claims (namespace, key, instance, seq) VALUES ('document_number', '红林法〔2023〕99号', ?1, 1)",
        [&instance],
    )
    .unwrap();
    let r = s.run(&["verify"]).refused();
    assert!(r.stderr.contains("红林法〔2023〕99号"), "{}", r.stderr);
}

/// The red team's a13: a standard's head row hidden for one `catalog import` used to
/// give the store a second copy of that standard, and `verify --full` passed. The
/// opening's claim refuses the copy, and nothing is written.
#[test]
fn a_hidden_head_does_not_open_a_standard_twice() {
    let s = Scratch::imported("hidden-head");
    let instance = s.log(CODE)[0]["instance"].as_str().unwrap().to_owned();
    let before = tree(&s);
    let conn = rusqlite::Connection::open(s.store()).unwrap();
    conn.execute_batch("CREATE TABLE hidden AS SELECT * FROM instances WHERE 0")
        .unwrap();
    conn.execute(
        "INSERT INTO hidden SELECT * FROM instances WHERE instance = ?1",
        [&instance],
    )
    .unwrap();
    assert_eq!(
        conn.execute("DELETE FROM instances WHERE instance = ?1", [&instance])
            .unwrap(),
        1
    );
    // While the head is hidden, verify says so (the red team's a10 hid it behind a
    // lying index, and verify passed).
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(
        r.stderr.contains("listing of standards does not return it"),
        "{}",
        r.stderr
    );
    let r = s.run(&["catalog", "import", "--as", OFFICE]).code(2);
    assert!(r.stderr.contains(CODE), "{}", r.stderr);
    assert_eq!(tree(&s), before, "the copy was written");
    conn.execute_batch("INSERT INTO instances SELECT * FROM hidden; DROP TABLE hidden")
        .unwrap();
    drop(conn);
    let v = s.run(&["--json", "verify", "--full"]).ok().json();
    assert_eq!(v["ok"], true, "{v}");
}

/// The red team's a14: edits that made `verify` exit 2 ("could not run") although it
/// had found the store altered. Now they are problems found: exit 1.
#[test]
fn altered_rows_that_stop_the_court_from_opening_fail_verify_with_exit_1() {
    let s = Scratch::imported("exit-1");
    let conn = rusqlite::Connection::open(s.store()).unwrap();
    // A standard's head renamed into a second rules log.
    let instance = s.log(CODE)[0]["instance"].as_str().unwrap().to_owned();
    conn.execute(
        "UPDATE instances SET definition = 'court-rules' WHERE instance = ?1",
        [&instance],
    )
    .unwrap();
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(
        r.stderr.contains("a second rules log") || r.stderr.contains("court-rules"),
        "{}",
        r.stderr
    );
    conn.execute(
        "UPDATE instances SET definition = 'court-standard' WHERE instance = ?1",
        [&instance],
    )
    .unwrap();
    s.verified();
    // A claim whose key is a blob.
    conn.execute(
        "INSERT INTO claims (namespace, key, instance, seq) VALUES ('document_number', x'ff', ?1, 1)",
        [&instance],
    )
    .unwrap();
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(r.stderr.contains("claims"), "{}", r.stderr);
    conn.execute("DELETE FROM claims WHERE key = x'ff'", []).unwrap();
    s.verified();
    // A record stored as a blob.
    conn.execute(
        "UPDATE records SET record = CAST(record AS BLOB) WHERE position = 5",
        [],
    )
    .unwrap();
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(r.stderr.contains("blob") || r.stderr.contains("Blob"), "{}", r.stderr);
}
