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
