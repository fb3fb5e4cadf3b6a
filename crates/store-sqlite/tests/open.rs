//! Opening files: persistence across handles, durability settings, and bad input that
//! must be refused without a single byte changing on disk.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::ScratchDir;
use regula_core::{Claim, InstanceFilter, Repository, Store, StoreError};
use regula_store_conformance::sample::{self, annotate, case, clerk};
use regula_store_sqlite::{APPLICATION_ID, SCHEMA_VERSION, SqliteOptions, SqliteStore, Synchronous};
use rusqlite::Connection;
use uuid::Uuid;

/// Every file in `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_dir() {
                b"<directory>".to_vec()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

fn assert_refused_untouched(dir: &ScratchDir, name: &str, check: impl Fn(StoreError)) {
    let path = dir.file(name);
    let before = files(dir.path());
    let err = SqliteStore::open(&path).unwrap_err();
    check(err);
    assert_eq!(files(dir.path()), before, "refusing {name} changed nothing on disk");
    // A second attempt, with the other sync level, is refused the same way.
    let err = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )
    .unwrap_err();
    check(err);
    assert_eq!(files(dir.path()), before);
}

fn expect_not_a_store(err: StoreError) {
    match err {
        StoreError::NotAStore { location, message } => {
            assert!(!location.is_empty() && !message.is_empty());
            let shown = StoreError::NotAStore { location, message }.to_string();
            assert!(shown.contains("is not a Regula store"), "{shown}");
        }
        other => panic!("expected NotAStore, got {other:?}"),
    }
}

#[test]
fn a_text_file_is_not_a_store_and_stays_as_it_was() {
    let dir = ScratchDir::new("text");
    std::fs::write(
        dir.file("notes.txt"),
        "判决书草稿\nnot a database, but longer than one hundred bytes of text so the header check reads it all ....\n",
    )
    .unwrap();
    assert_refused_untouched(&dir, "notes.txt", expect_not_a_store);
    std::fs::write(dir.file("short"), b"x").unwrap();
    assert_refused_untouched(&dir, "short", expect_not_a_store);
}

#[test]
fn another_applications_sqlite_database_is_refused_untouched() {
    let dir = ScratchDir::new("foreign");
    {
        let conn = Connection::open(dir.file("app.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x');",
        )
        .unwrap();
    }
    assert_refused_untouched(&dir, "app.db", expect_not_a_store);
    {
        let conn = Connection::open(dir.file("marked.db")).unwrap();
        conn.execute_batch("PRAGMA application_id = 1234; PRAGMA journal_mode = WAL; CREATE TABLE t (x);")
            .unwrap();
    }
    assert_refused_untouched(&dir, "marked.db", expect_not_a_store);
    {
        // An application that also uses a `meta` table, in WAL mode.
        let conn = Connection::open(dir.file("wal.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE meta (key TEXT, value TEXT);")
            .unwrap();
    }
    assert_refused_untouched(&dir, "wal.db", expect_not_a_store);
}

#[test]
fn a_directory_is_not_a_store() {
    let dir = ScratchDir::new("dir");
    std::fs::create_dir(dir.file("sub")).unwrap();
    assert_refused_untouched(&dir, "sub", expect_not_a_store);
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = ScratchDir::new("newer");
    let path = dir.file("court.regula");
    drop(SqliteStore::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
            [(SCHEMA_VERSION + 1).to_string()],
        )
        .unwrap();
    }
    assert_refused_untouched(&dir, "court.regula", |err| match err {
        StoreError::NewerSchema {
            location,
            found,
            supported,
        } => {
            assert!(location.ends_with("court.regula"));
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    });
}

#[test]
fn regulas_application_id_without_its_schema_is_refused() {
    let dir = ScratchDir::new("impostor");
    {
        let conn = Connection::open(dir.file("impostor.db")).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        conn.execute_batch("CREATE TABLE other (x);").unwrap();
    }
    assert_refused_untouched(&dir, "impostor.db", expect_not_a_store);
}

#[test]
fn a_new_or_empty_file_becomes_a_store_in_wal_mode_with_full_sync() {
    let dir = ScratchDir::new("new");
    std::fs::write(dir.file("empty.regula"), b"").unwrap();
    for name in ["empty.regula", "new.regula"] {
        let path = dir.file(name);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.path(), Some(path.as_path()));
        assert_eq!(store.tree_head().unwrap().size, 0);
        let raw = Connection::open(&path).unwrap();
        let mode: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let app: i32 = raw.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        assert_eq!(app, APPLICATION_ID);
        let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let marker: String = raw
            .query_row("SELECT value FROM meta WHERE key = 'application'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(marker, "regula-store");
    }
}

#[test]
fn records_survive_reopening_and_other_handles_see_them() {
    let dir = ScratchDir::new("reopen");
    let path = dir.file("court.regula");
    let repo = Repository::new(sample::engine(), SqliteStore::open(&path).unwrap()).snapshot_every(2);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("持久"), None).unwrap();
    for i in 0..5 {
        repo.apply(&mut inst, annotate(&format!("n{i}"))).unwrap();
    }
    let checkpoint = repo.store().checkpoint().unwrap();
    // A second handle on the same file sees everything at once.
    let other = SqliteStore::open(&path).unwrap();
    assert_eq!(other.tree_head().unwrap(), repo.store().tree_head().unwrap());
    drop(repo);
    drop(other);

    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )
    .unwrap();
    assert_eq!(store.load(inst.id()).unwrap().len(), 6);
    assert_eq!(store.snapshot(inst.id()).unwrap().map(|s| s.seq), Some(6));
    assert_eq!(store.list(&InstanceFilter::all()).unwrap().len(), 1);
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &checkpoint).unwrap(),
        None
    );
    let repo = Repository::new(sample::engine(), store);
    assert_eq!(repo.load(inst.id()).unwrap(), inst);
    assert!(sample::verify(repo.store()).unwrap().is_ok());
}

#[test]
fn synchronous_setting_is_applied_per_connection() {
    let dir = ScratchDir::new("sync");
    let path = dir.file("court.regula");
    for setting in [Synchronous::Full, Synchronous::Normal] {
        let store = SqliteStore::open_with(
            &path,
            SqliteOptions {
                synchronous: setting,
                ..SqliteOptions::default()
            },
        )
        .unwrap();
        assert_eq!(store.synchronous().unwrap(), setting);
    }
    assert_eq!(SqliteOptions::default().synchronous, Synchronous::Full);
}

#[test]
fn handles_opening_a_new_file_at_once_create_it_once() {
    let dir = ScratchDir::new("together");
    let path = dir.file("court.regula");
    let stores: Vec<SqliteStore> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| SqliteStore::open(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let raw = Connection::open(&path).unwrap();
    let keys: Vec<String> = raw
        .prepare("SELECT key FROM meta ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(keys, ["application", "created_at", "created_by", "schema_version"]);
    let mode: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let repo = Repository::new(sample::engine(), &stores[0]);
    let (inst, _) = repo.create(clerk(), "clerk", case("x"), None).unwrap();
    for s in &stores {
        assert_eq!(s.head(inst.id()).unwrap().seq, 1);
    }
}

/// A store as schema version 1 left it: records, no `claims` table.
fn version_1_store(path: &Path) -> Uuid {
    let repo = Repository::new(sample::engine(), SqliteStore::open(path).unwrap());
    let (mut inst, _) = repo.create(clerk(), "clerk", case("旧库"), None).unwrap();
    repo.apply(&mut inst, annotate("v1")).unwrap();
    drop(repo);
    let raw = Connection::open(path).unwrap();
    raw.execute_batch(
        "DROP TABLE claims; UPDATE meta SET value = '1' WHERE key = 'schema_version'; PRAGMA user_version = 1;",
    )
    .unwrap();
    inst.id()
}

#[test]
fn a_version_1_store_is_migrated_in_place_on_open_and_keeps_its_records() {
    let dir = ScratchDir::new("migrate");
    let path = dir.file("old.regula");
    let id = version_1_store(&path);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.load(id).unwrap().len(), 2);
    assert!(store.claims("document_number").unwrap().is_empty());
    // The claims of past records can be given afterwards.
    store
        .append_claiming(&[], &[Claim::new("document_number", "红林法〔2022〕1号", id, 2)])
        .unwrap();
    drop(store);
    let raw = Connection::open(&path).unwrap();
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let meta: String = raw
        .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
        .unwrap();
    assert_eq!((version, meta), (SCHEMA_VERSION, SCHEMA_VERSION.to_string()));
    let claims: i64 = raw.query_row("SELECT count(*) FROM claims", [], |r| r.get(0)).unwrap();
    assert_eq!(claims, 1);
}

#[test]
fn open_existing_never_creates_migrates_or_changes_a_file() {
    let dir = ScratchDir::new("existing");
    // Missing: not created.
    let missing = dir.file("missing.regula");
    match SqliteStore::open_existing(&missing).unwrap_err() {
        StoreError::NotAStore { message, .. } => assert!(message.contains("does not exist"), "{message}"),
        other => panic!("expected NotAStore, got {other:?}"),
    }
    assert!(!missing.exists(), "open_existing created the file");
    // Empty: still 0 bytes, no schema written.
    let empty = dir.file("empty.regula");
    std::fs::write(&empty, b"").unwrap();
    let before = files(dir.path());
    match SqliteStore::open_existing(&empty).unwrap_err() {
        StoreError::NotAStore { message, .. } => assert!(message.contains("empty"), "{message}"),
        other => panic!("expected NotAStore, got {other:?}"),
    }
    assert_eq!(files(dir.path()), before);
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // An older schema: read as it is, not migrated; it keeps no claims yet.
    let old = dir.file("old.regula");
    let id = version_1_store(&old);
    let before = std::fs::read(&old).unwrap();
    let store = SqliteStore::open_existing(&old).unwrap();
    assert_eq!(store.load(id).unwrap().len(), 2);
    assert!(matches!(
        store.claims("document_number").unwrap_err(),
        StoreError::Unsupported { .. }
    ));
    assert!(matches!(
        store
            .append_claiming(&[], &[Claim::new("document_number", "红林法〔2022〕1号", id, 2)])
            .unwrap_err(),
        StoreError::Unsupported { .. }
    ));
    drop(store);
    assert_eq!(std::fs::read(&old).unwrap(), before, "open_existing migrated the store");
    // A current store opens and reads.
    let store = SqliteStore::open(&old).unwrap();
    drop(store);
    let store = SqliteStore::open_existing(&old).unwrap();
    assert_eq!(store.load(id).unwrap().len(), 2);
}
