//! A store written by the code before schema 3 keeps opening, verifying and
//! continuing once migrated in place.
//!
//! `tests/fixtures/store-v2-sample.db` is a schema-2 store (record format 2) of the
//! conformance suite's sample lifecycle, written by [`write_the_fixture`] with the
//! code of schema 2, with `store-v2-sample.checkpoint` the checkpoint taken after it.
//! It is committed as written and never regenerated.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::ScratchDir;
use regula_core::{CheckpointNote, Claim, Repository, Store};
use regula_store_conformance::sample::{self, annotate, case, clerk};
use regula_store_sqlite::SqliteStore;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// Writes the fixture; run by hand only, to make a *new* fixture under a new name:
/// `REGULA_WRITE_FIXTURE=dir cargo test -p regula-store-sqlite --test fixture -- --ignored`.
#[test]
#[ignore = "writes a fixture; run by hand only"]
fn write_the_fixture() {
    let Some(dir) = std::env::var_os("REGULA_WRITE_FIXTURE") else {
        panic!("set REGULA_WRITE_FIXTURE to the directory to write in");
    };
    let dir = PathBuf::from(dir);
    let path = dir.join("store-v2-sample.db");
    assert!(
        !path.exists(),
        "{} exists; fixtures are never rewritten",
        path.display()
    );
    let repo =
        Repository::new(sample::fixed_engine(sample::CASE, 2), SqliteStore::open(&path).unwrap()).snapshot_every(3);
    let mut ids = Vec::new();
    for i in 0..6 {
        let (mut inst, _) = repo.create(clerk(), "clerk", case(&format!("案件 {i}")), None).unwrap();
        for j in 0..=i {
            repo.apply(&mut inst, annotate(&format!("第 {j} 条批注"))).unwrap();
        }
        ids.push(inst.id());
    }
    repo.store()
        .append_claiming(&[], &[Claim::new("document_number", "红林法〔2024〕1号", ids[1], 2)])
        .unwrap();
    let checkpoint = repo.store().checkpoint().unwrap();
    std::fs::write(
        dir.join("store-v2-sample.checkpoint"),
        CheckpointNote::unsigned(&checkpoint).to_string(),
    )
    .unwrap();
    drop(repo);
    // One file, no WAL beside it.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
}

/// A scratch copy of the fixture (the fixture itself is never written).
fn v2_copy(dir: &ScratchDir) -> PathBuf {
    let path = dir.file("v2.regula");
    std::fs::copy(fixture("store-v2-sample.db"), &path).unwrap();
    path
}

#[test]
fn the_fixture_is_a_schema_2_store() {
    let raw = rusqlite::Connection::open_with_flags(
        fixture("store-v2-sample.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 2);
    let dir = ScratchDir::new("fixture-v2-read");
    let store = SqliteStore::open_existing(v2_copy(&dir)).unwrap();
    assert_eq!(store.tree_head().unwrap().size, 27);
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
}

fn columns(raw: &rusqlite::Connection, table: &str) -> Vec<String> {
    let mut stmt = raw
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn indexes(raw: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn checkpoint() -> regula_core::Checkpoint {
    let text = std::fs::read_to_string(fixture("store-v2-sample.checkpoint")).unwrap();
    CheckpointNote::parse(&text).unwrap().checkpoint().clone()
}

#[test]
fn the_v2_store_is_migrated_in_place_on_open_and_verifies_and_continues() {
    let dir = ScratchDir::new("fixture-v2-migrate");
    let path = v2_copy(&dir);
    let store = SqliteStore::open(&path).unwrap();
    // Migrated: the version recorded in both places, the narrower tables.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let meta: String = raw
        .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
        .unwrap();
    assert_eq!((version, meta.as_str()), (4, "4"));
    assert_eq!(columns(&raw, "records"), ["position", "instance", "seq", "record"]);
    assert_eq!(
        indexes(&raw),
        ["instances_by_age", "instances_by_definition", "instances_by_due"],
        "no index on the state, which every transition changes"
    );
    // The same records, tree, heads, claims and snapshots.
    let cp = checkpoint();
    let head = store.tree_head().unwrap();
    assert_eq!((head.size, head.root), (cp.size(), cp.root()));
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &cp).unwrap(),
        None
    );
    let report = sample::verify_with(&store, regula_core::store::StorageCheck::Full).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 27);
    let heads = store.list(&regula_core::InstanceFilter::all()).unwrap();
    assert_eq!(heads.len(), 6);
    assert_eq!(
        store
            .claim("document_number", "红林法〔2024〕1号")
            .unwrap()
            .map(|h| h.instance),
        Some(heads[1].instance)
    );
    assert!(store.snapshot(heads[5].instance).unwrap().is_some());
    // It continues: an existing instance, a new one; the old checkpoint still holds.
    let repo = Repository::new(sample::engine(), &store);
    let mut last = repo.load(heads[5].instance).unwrap();
    repo.apply(&mut last, annotate("迁移之后")).unwrap();
    let (mut new, _) = repo.create(clerk(), "clerk", case("迁移之后立案"), None).unwrap();
    repo.apply(&mut new, annotate("第一条")).unwrap();
    let report = sample::verify_with(&store, regula_core::store::StorageCheck::Full).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 30);
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &cp).unwrap(),
        None
    );
    drop(repo);
    drop(store);
    // Opened again: nothing more to migrate, everything still there.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.tree_head().unwrap().size, 30);
    assert_eq!(store.load(heads[5].instance).unwrap().len(), 8);
}

#[test]
fn a_failed_migration_leaves_the_v2_store_as_it_was() {
    let dir = ScratchDir::new("fixture-v2-failed");
    let path = v2_copy(&dir);
    // A table in the way of the migration's first step makes it fail midway.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("CREATE TABLE records_v3 (in_the_way INTEGER)")
        .unwrap();
    assert!(SqliteStore::open(&path).is_err());
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 2);
    assert_eq!(columns(&raw, "records").len(), 9, "the old records table is whole");
    assert_eq!(columns(&raw, "records_v3"), ["in_the_way"]);
    let count: i64 = raw.query_row("SELECT count(*) FROM records", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 27);
    // Out of the way, the migration runs whole.
    raw.execute_batch("DROP TABLE records_v3").unwrap();
    drop(raw);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &checkpoint()).unwrap(),
        None
    );
    assert!(sample::verify(&store).unwrap().is_ok());
}

/// A schema-2 store read without migrating answers reads and refuses appends.
#[test]
fn open_existing_reads_a_v2_store_and_refuses_to_append_to_it() {
    let dir = ScratchDir::new("fixture-v2-existing");
    let path = v2_copy(&dir);
    let before = std::fs::read(&path).unwrap();
    let store = SqliteStore::open_existing(&path).unwrap();
    let heads = store.list(&regula_core::InstanceFilter::all()).unwrap();
    let repo = Repository::new(sample::engine(), &store);
    let mut inst = repo.load(heads[0].instance).unwrap();
    let err = repo.apply(&mut inst, annotate("不应写入")).unwrap_err();
    assert!(err.to_string().contains("schema"), "{err}");
    drop(repo);
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A scratch copy of `store-v3-sample.db`: a schema-3 store written at commit b04d71f
/// by `tests/fixtures/store-v3-sample-writer.rs` (five cases: created only; two notes;
/// a refusal then assigned; assigned then a note; assigned, heard and closed).
fn v3_copy(dir: &ScratchDir) -> PathBuf {
    let path = dir.file("v3.regula");
    std::fs::copy(fixture("store-v3-sample.db"), &path).unwrap();
    path
}

/// Each case's head as its log says: (state, entered_at = the time of record `n`).
fn expected_entries(
    store: &SqliteStore,
) -> Vec<(String, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    let heads = store.list(&regula_core::InstanceFilter::all()).unwrap();
    let moved_at = [1, 1, 3, 2, 4];
    heads
        .iter()
        .zip(moved_at)
        .map(|(h, n)| {
            let log = store.load(h.instance).unwrap();
            (h.state.clone(), h.entered_at, log[n - 1].at)
        })
        .collect()
}

#[test]
fn the_v3_store_is_read_as_it_is_then_migrated_with_entered_at_from_its_logs() {
    let dir = ScratchDir::new("fixture-v3");
    let path = v3_copy(&dir);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 3);
    drop(raw);

    // Read as it is: entered_at computed from the records, nothing due.
    let read = SqliteStore::open_existing(&path).unwrap();
    let entries = expected_entries(&read);
    let states: Vec<&str> = entries.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(states, ["filed", "filed", "assigned", "assigned", "closed"]);
    for (state, stored, expected) in &entries {
        assert_eq!(stored, expected, "{state}");
    }
    assert!(
        read.due(chrono::Utc::now(), &regula_core::InstanceFilter::all())
            .unwrap()
            .is_empty()
    );
    assert!(sample::verify(&read).unwrap().is_ok());
    drop(read);

    // Migrated on open for writing: the same times, now stored; everything verifies.
    let store = SqliteStore::open(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 4);
    assert_eq!(
        columns(&raw, "instances")[9..],
        ["entered_at".to_owned(), "due_at".to_owned()]
    );
    let due: Option<String> = raw
        .query_row("SELECT max(due_at) FROM instances", [], |r| r.get(0))
        .unwrap();
    assert_eq!(due, None);
    for (state, stored, expected) in expected_entries(&store) {
        assert_eq!(stored, expected, "{state}");
    }
    let text = std::fs::read_to_string(fixture("store-v3-sample.checkpoint")).unwrap();
    let cp = CheckpointNote::parse(&text).unwrap().checkpoint().clone();
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &cp).unwrap(),
        None
    );
    let report = sample::verify_with(&store, regula_core::store::StorageCheck::Full).unwrap();
    assert!(report.is_ok(), "{report}");

    // It continues: a note keeps an instance's entered_at, a hearing moves it, and an
    // instance with a deadline is found by `due`.
    let heads = store.list(&regula_core::InstanceFilter::all()).unwrap();
    let repo = Repository::new(sample::engine(), &store);
    let mut assigned = repo.load(heads[3].instance).unwrap();
    repo.apply(&mut assigned, annotate("迁移之后")).unwrap();
    assert_eq!(store.head(heads[3].instance).unwrap().entered_at, heads[3].entered_at);
    repo.apply(&mut assigned, sample::hear()).unwrap();
    let moved = store.head(heads[3].instance).unwrap();
    assert_eq!(
        (moved.state.as_str(), moved.entered_at),
        ("heard", assigned.entered_at())
    );
    let timed = Repository::new(regula_core::Engine::new(sample::deadlined()), &store);
    let (with_deadline, _) = timed.create(clerk(), "clerk", case("有期限"), None).unwrap();
    let due_at = with_deadline.due_at().unwrap();
    let all = regula_core::InstanceFilter::all();
    assert!(store.due(due_at, &all).unwrap().is_empty());
    let found: Vec<_> = store
        .due(due_at + chrono::TimeDelta::seconds(1), &all)
        .unwrap()
        .into_iter()
        .map(|h| h.instance)
        .collect();
    assert_eq!(found, [with_deadline.id()]);
    let report = sample::verify_with(&store, regula_core::store::StorageCheck::Full).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &cp).unwrap(),
        None
    );
}

/// The migration's rule on logs whose records have times of their own (the v3 fixture's
/// clock never moved): a store written now with an advancing clock, taken back to the
/// schema-3 layout, then read as it is and migrated. Each head's `entered_at` is what
/// the engine said, in the columns' one text form.
#[test]
fn entered_at_is_migrated_from_logs_with_times_of_their_own() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use regula_core::{Engine, InstanceFilter, ManualClock};
    let dir = ScratchDir::new("v3-times");
    let path = dir.file("times.regula");
    let store = SqliteStore::open(&path).unwrap();
    // Whole seconds, so that the record JSON writes times without a fraction.
    let clock = std::sync::Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap()));
    let repo = Repository::new(
        Engine::new(sample::definition(sample::CASE)).with_clock(clock.clone()),
        &store,
    );
    let mut expected = Vec::new();
    for (i, steps) in [0usize, 1, 2, 3, 4].into_iter().enumerate() {
        let (mut inst, _) = repo.create(clerk(), "clerk", case(&format!("案件 {i}")), None).unwrap();
        let script: [Box<dyn Fn() -> regula_core::Command<sample::Step>>; 4] = [
            Box::new(|| annotate("批注")),
            Box::new(|| sample::assign("王芳")),
            Box::new(|| annotate("分案后批注")),
            Box::new(sample::hear),
        ];
        for step in script.iter().take(steps) {
            clock.advance(TimeDelta::seconds(37 + i as i64));
            repo.apply(&mut inst, step()).unwrap();
        }
        expected.push((inst.id(), inst.entered_at()));
    }
    drop(repo);
    drop(store);
    // Back to the schema-3 layout: no entered_at, no due_at, no index on them.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP INDEX instances_by_due;
         ALTER TABLE instances DROP COLUMN due_at;
         ALTER TABLE instances DROP COLUMN entered_at;
         UPDATE meta SET value = '3' WHERE key = 'schema_version';
         PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(raw);

    let heads = |store: &SqliteStore| {
        let mut got: Vec<_> = store
            .list(&InstanceFilter::all())
            .unwrap()
            .into_iter()
            .map(|h| (h.instance, h.entered_at))
            .collect();
        got.sort();
        got
    };
    expected.sort();
    assert!(expected.iter().filter(|(_, t)| t.timestamp_subsec_nanos() == 0).count() == 5);
    let read = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(heads(&read), expected, "read as it is");
    drop(read);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(heads(&store), expected, "migrated");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let texts: Vec<String> = raw
        .prepare("SELECT entered_at FROM instances")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(texts.iter().all(|t| t.ends_with(".000000000Z")), "{texts:?}");
    let report = sample::verify_with(&store, regula_core::store::StorageCheck::Full).unwrap();
    assert!(report.is_ok(), "{report}");
}

/// Due times are kept as fixed-width text, which sorts as time only for the years 0 to
/// 9999: a due time outside them is refused, and a `due` bound past them lists every
/// due instance.
#[test]
fn due_times_outside_the_years_0_to_9999_are_refused_and_far_bounds_list_all() {
    use chrono::{TimeZone, Utc};
    use regula_core::{Append, Engine, InstanceFilter};
    let dir = ScratchDir::new("due-years");
    let store = SqliteStore::open(dir.file("years.regula")).unwrap();
    let engine = Engine::new(sample::deadlined());
    let (a, created) = engine.create(clerk(), "clerk", case("甲"), None).unwrap();
    let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    let refused = store.append(Append::new(a.id(), 0, std::slice::from_ref(&created)).due(Some(far)));
    assert!(
        matches!(&refused, Err(regula_core::StoreError::InvalidAppend { reason, .. }) if reason.contains("0 to 9999")),
        "{refused:?}"
    );
    store.append(Append::of(&a, 0, std::slice::from_ref(&created))).unwrap();
    let all = InstanceFilter::all();
    assert_eq!(store.due(far, &all).unwrap().len(), 1);
    let before_year_0 = Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap();
    assert!(store.due(before_year_0, &all).unwrap().is_empty());
}
