//! What an append costs the disk: the pages it writes to the WAL, counted by SQLite
//! itself (`PRAGMA wal_checkpoint` reports the frames in the log; one frame is one
//! page written by one commit).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::ScratchDir;
use regula_core::{Append, AuditRecord, Repository, Store};
use regula_store_conformance::sample::{self, annotate, case, clerk};
use regula_store_sqlite::SqliteStore;
use rusqlite::Connection;

/// The frames in the WAL of the database at `path` (a passive checkpoint's report).
fn wal_frames(path: &Path) -> i64 {
    let raw = Connection::open(path).unwrap();
    raw.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
        .unwrap()
}

/// Empties the WAL, so the next frames counted are the next appends' only.
fn restart_wal(path: &Path) {
    let raw = Connection::open(path).unwrap();
    let busy: i64 = raw
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(busy, 0);
}

const APPENDS: u64 = 100;

#[test]
fn a_single_append_writes_two_pages_more_than_a_raw_insert_and_a_batch_what_its_rows_fill() {
    let dir = ScratchDir::new("pages");
    let path = dir.file("pages.regula");
    let store = SqliteStore::open(&path).unwrap();
    let repo = Repository::new(sample::engine(), &store);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("页数"), None).unwrap();
    restart_wal(&path);
    for i in 0..APPENDS {
        repo.apply(&mut inst, annotate(&format!("第 {i} 条"))).unwrap();
    }
    let frames = wal_frames(&path);
    eprintln!("single append: {frames} WAL frames for {APPENDS} appends");

    // A raw table of the same records (the benchmark's baseline): table and index.
    let raw_path = dir.file("raw.db");
    let raw = Connection::open(&raw_path).unwrap();
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE raw (position INTEGER PRIMARY KEY NOT NULL, instance TEXT NOT NULL,
                           seq INTEGER NOT NULL, record TEXT NOT NULL, UNIQUE (instance, seq));",
    )
    .unwrap();
    restart_wal(&raw_path);
    let records = store.load(inst.id()).unwrap();
    for r in &records[1..] {
        raw.execute(
            "INSERT INTO raw (instance, seq, record) VALUES (?1, ?2, ?3)",
            rusqlite::params![r.instance.to_string(), r.seq as i64, r.to_json()],
        )
        .unwrap();
    }
    let raw_frames = wal_frames(&raw_path);
    eprintln!("raw insert: {raw_frames} WAL frames for {APPENDS} inserts");
    // Both write the record's table leaf and its (instance, seq) index leaf (and, when
    // a leaf fills, its new sibling and their parent); the store adds the head's leaf
    // and the log head, two pages. Schema 2 added four: two more index leaves for the
    // head's state, rewritten at every transition.
    let extra = frames - raw_frames;
    assert!(
        extra <= 2 * APPENDS as i64 + APPENDS as i64 / 10,
        "{frames} frames for {APPENDS} appends, {raw_frames} for as many raw inserts"
    );

    // One batch of 20 new instances of 5 records each.
    let engine = sample::engine();
    let logs: Vec<Vec<AuditRecord>> = (0..20)
        .map(|i| {
            let (mut inst, created) = engine.create(clerk(), "clerk", case(&format!("批 {i}")), None).unwrap();
            let mut log = vec![created];
            for j in 0..4 {
                log.push(engine.apply(&mut inst, annotate(&format!("批注 {j}"))).unwrap());
            }
            log
        })
        .collect();
    let batch: Vec<Append<'_>> = logs
        .iter()
        .map(|log| Append {
            instance: log[0].instance,
            expected_seq: 0,
            records: log,
            due_at: None,
        })
        .collect();
    restart_wal(&path);
    store.append_batch(&batch).unwrap();
    let frames = wal_frames(&path);
    let bytes: usize = logs.iter().flatten().map(|r| r.to_json().len()).sum();
    eprintln!("batch of 100 records ({bytes} bytes of JSON): {frames} WAL frames");
    // The JSON fills about `bytes / 4096` leaves; the (instance, seq) index, the heads
    // with their two indexes, the log head and the parents of new leaves add about a
    // dozen pages.
    assert!(
        frames as usize <= bytes / 4096 + 14,
        "{frames} frames for {bytes} bytes"
    );
}
