//! Tampering behind the library's back, with plain SQL on the file: verification names
//! the instance and the record, and a truncation shows against a saved checkpoint.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::ScratchDir;
use regula_core::store::{
    CheckpointMismatch, StorageCheck, StoreProblem, StoreReport, verify_against_checkpoint, verify_store,
};
use regula_core::{AuditRecord, Checkpoint, Digest, Store, StoreError, TreeHead, VerifyError, VerifyErrorKind};
use regula_store_conformance::faults::{self, Interleaved};
use regula_store_conformance::sample::{self, annotate};
use regula_store_sqlite::SqliteStore;
use rusqlite::{Connection, params};
use uuid::Uuid;

/// A store holding the interleaved log of `faults::interleaved`: positions 0..12 hold
/// A1 B1 A2 B2 A3 B3 A4 C1 A5 B4 C2 C3.
struct Fixture {
    _dir: ScratchDir,
    path: PathBuf,
    store: SqliteStore,
    a: Uuid,
    b: Uuid,
    c: Uuid,
    tree: TreeHead,
}

fn fixture() -> Fixture {
    let dir = ScratchDir::new("tamper");
    let path = dir.file("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let Interleaved { a, b, c, tree } = faults::interleaved(&store);
    Fixture {
        _dir: dir,
        path,
        store,
        a,
        b,
        c,
        tree,
    }
}

impl Fixture {
    fn raw(&self) -> Connection {
        Connection::open(&self.path).unwrap()
    }

    fn record_json(&self, instance: Uuid, seq: u64) -> (i64, String) {
        self.raw()
            .query_row(
                "SELECT position, record FROM records WHERE instance = ?1 AND seq = ?2",
                params![instance.to_string(), seq as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    fn verify(&self) -> StoreReport {
        sample::verify(&self.store).unwrap()
    }

    fn tree_mismatch(&self, report: &StoreReport) -> StoreProblem {
        StoreProblem::TreeMismatch {
            stored: self.tree,
            computed: report.computed.unwrap(),
        }
    }
}

fn chain(instance: Uuid, seq: u64, kind: VerifyErrorKind) -> StoreProblem {
    StoreProblem::Chain(VerifyError { instance, seq, kind })
}

#[test]
fn one_changed_byte_in_a_payload_names_the_instance_and_record() {
    let f = fixture();
    let (position, json) = f.record_json(f.a, 3);
    let at = json.find("a note 2").unwrap() + "a note ".len();
    let mut bytes = json.into_bytes();
    bytes[at] = b'7';
    let forged = String::from_utf8(bytes).unwrap();
    f.raw()
        .execute(
            "UPDATE records SET record = ?1 WHERE position = ?2",
            params![forged, position],
        )
        .unwrap();

    let report = f.verify();
    assert_eq!(report.problems.len(), 2, "{report}");
    assert!(
        matches!(
            &report.problems[0],
            StoreProblem::Chain(VerifyError { instance, seq: 3, kind: VerifyErrorKind::HashMismatch { .. } })
                if *instance == f.a
        ),
        "{report}"
    );
    assert_eq!(report.problems[1], f.tree_mismatch(&report));
    assert_eq!(report.replayed, 2, "B and C still replay");
    assert!(
        report.to_string().contains(&format!("instance {}, record 3", f.a)),
        "{report}"
    );
}

#[test]
fn a_byte_that_breaks_the_json_is_a_corrupt_error_naming_the_record() {
    let f = fixture();
    let (position, json) = f.record_json(f.b, 2);
    let broken = json.replacen('{', "[", 1);
    f.raw()
        .execute(
            "UPDATE records SET record = ?1 WHERE position = ?2",
            params![broken, position],
        )
        .unwrap();
    // Verification reports it (the scan stops there) rather than failing to run, and
    // the column check names the row too.
    let report = sample::verify(&f.store).unwrap();
    match report.problems.as_slice() {
        [
            StoreProblem::Unreadable { place, .. },
            StoreProblem::Unreadable { place: row, .. },
        ] => {
            assert!(
                place.contains(&f.b.to_string()) && place.contains("record 2"),
                "{place}"
            );
            assert_eq!(row, &format!("records position {position}"));
        }
        _ => panic!("expected the record reported unreadable, got {report}"),
    }
    assert!(matches!(f.store.load(f.b), Err(StoreError::Corrupt { .. })));
    assert_eq!(f.store.load(f.a).unwrap().len(), 5, "other instances still load");
}

#[test]
fn a_deleted_row_in_the_middle_is_a_gap() {
    let f = fixture();
    f.raw()
        .execute("DELETE FROM records WHERE instance = ?1 AND seq = 3", [f.a.to_string()])
        .unwrap();
    let report = f.verify();
    assert_eq!(
        report.problems,
        [
            chain(f.a, 3, VerifyErrorKind::SequenceGap { expected: 3, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );
    assert_eq!(report.records, 11);
}

#[test]
fn a_deleted_last_row_disagrees_with_the_head() {
    let f = fixture();
    f.raw()
        .execute("DELETE FROM records WHERE instance = ?1 AND seq = 4", [f.b.to_string()])
        .unwrap();
    let report = f.verify();
    assert_eq!(
        report.problems,
        [
            f.tree_mismatch(&report),
            StoreProblem::HeadMismatch {
                instance: f.b,
                head_seq: 4,
                log_seq: 3
            }
        ],
        "{report}"
    );
}

#[test]
fn two_swapped_records_of_one_instance_break_its_chain() {
    let f = fixture();
    let (p2, j2) = f.record_json(f.a, 2);
    let (p4, j4) = f.record_json(f.a, 4);
    let raw = f.raw();
    raw.execute("UPDATE records SET record = ?1 WHERE position = ?2", params![j4, p2])
        .unwrap();
    raw.execute("UPDATE records SET record = ?1 WHERE position = ?2", params![j2, p4])
        .unwrap();
    let report = f.verify();
    assert_eq!(
        report.problems[..2],
        [
            chain(f.a, 2, VerifyErrorKind::SequenceGap { expected: 2, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );
    // The queryable columns still describe the records that were there: each row's
    // seq now disagrees with its JSON.
    let columns: Vec<(u64, &str)> = report.problems[2..]
        .iter()
        .map(|p| match p {
            StoreProblem::ColumnMismatch {
                table,
                column,
                instance,
                seq: Some(seq),
                ..
            } if table == "records" && *instance == f.a => (*seq, column.as_str()),
            other => panic!("expected a column mismatch, got {other}"),
        })
        .collect();
    let expected: Vec<(u64, &str)> = [4, 2].into_iter().map(|seq| (seq, "seq")).collect();
    assert_eq!(columns, expected, "{report}");
}

#[test]
fn two_swapped_rows_of_different_instances_break_the_tree() {
    // Whole rows swapped (every column but the position): each instance's chain is
    // intact, only the global order changed, and only the Merkle tree sees it.
    let f = fixture();
    let raw = f.raw();
    raw.execute_batch(
        "BEGIN;
         CREATE TEMP TABLE swap AS SELECT * FROM records WHERE position IN (2, 3);
         DELETE FROM records WHERE position IN (2, 3);
         INSERT INTO records SELECT 5 - position, instance, seq, record FROM swap;
         COMMIT;",
    )
    .unwrap();
    let report = f.verify();
    assert_eq!(report.problems, [f.tree_mismatch(&report)], "{report}");
    assert_eq!(report.replayed, 3);

    // Only the record JSON swapped: the instance columns now point at the wrong
    // records, and replay names both instances at record 2.
    let f = fixture();
    let (pa, ja) = f.record_json(f.a, 2);
    let (pb, jb) = f.record_json(f.b, 2);
    assert_eq!((pa, pb), (2, 3));
    let raw = f.raw();
    raw.execute("UPDATE records SET record = ?1 WHERE position = ?2", params![jb, pa])
        .unwrap();
    raw.execute("UPDATE records SET record = ?1 WHERE position = ?2", params![ja, pb])
        .unwrap();
    let report = f.verify();
    assert_eq!(report.problems[0], f.tree_mismatch(&report), "{report}");
    // Read by instance (through the instance column), each log holds the other's
    // record 2: the loads disagree with the full scan, where both chains are intact.
    for (problem, (instance, other)) in report.problems[1..3].iter().zip([(f.a, f.b), (f.b, f.a)]) {
        match problem {
            StoreProblem::LoadMismatch {
                instance: i,
                seq: 2,
                message,
            } if *i == instance => {
                assert!(
                    message.contains(&format!("record belongs to instance {other}")),
                    "{report}"
                );
            }
            _ => panic!("expected a load mismatch of {instance} at record 2, got {problem}"),
        }
    }
    // And the columns of both rows disagree with their JSON.
    for p in &report.problems[3..] {
        assert!(
            matches!(p, StoreProblem::ColumnMismatch { seq: Some(2), .. }),
            "{report}"
        );
    }
    assert!(report.problems[3..].iter().any(|p| matches!(
        p,
        StoreProblem::ColumnMismatch { column, instance, .. } if column == "instance" && *instance == f.b
    )));
    // One column each: the instance (the rows copy nothing else since schema 3).
    assert_eq!(report.problems.len(), 3 + 2, "{report}");
}

/// Deletes every record from `position` on and rewinds the heads and the log head to
/// match: a consistent rollback, as restoring an old backup would leave.
fn roll_back(f: &Fixture, position: i64) {
    let raw = f.raw();
    raw.execute("DELETE FROM records WHERE position >= ?1", [position])
        .unwrap();
    let kept: Vec<AuditRecord> = f.store.scan(0, usize::MAX).unwrap();
    let (range, lasts) = faults::rolled_back(&kept, &[f.a, f.b, f.c]);
    raw.execute(
        "UPDATE log_head SET size = ?1, compact_range = ?2",
        params![range.size() as i64, range.to_bytes()],
    )
    .unwrap();
    for last in lasts {
        raw.execute(
            "UPDATE instances SET seq = ?1, last_hash = ?2, state = ?3, updated_at = ?4 WHERE instance = ?5",
            params![
                last.seq as i64,
                last.hash.to_hex(),
                last.state_after(),
                last.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                last.instance.to_string()
            ],
        )
        .unwrap();
    }
}

#[test]
fn a_truncated_tail_passes_alone_and_fails_against_a_checkpoint() {
    let f = fixture();
    let checkpoint = Checkpoint::new(f.tree, chrono::Utc::now());
    roll_back(&f, 9);

    // Every chain and head is consistent: without a checkpoint nothing can tell.
    let report = f.verify();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 9);

    let truncated = CheckpointMismatch::Truncated {
        checkpoint: 12,
        store: 9,
    };
    assert_eq!(
        verify_against_checkpoint(&f.store, &checkpoint).unwrap(),
        Some(truncated.clone())
    );
    let report = verify_store(&f.store, Some(&checkpoint), sample::replay(), &mut |_, _| {}).unwrap();
    assert_eq!(report.problems, [StoreProblem::Checkpoint(truncated)], "{report}");

    // Growing the log back to the same size with other records is a rewrite.
    let repo = regula_core::Repository::new(sample::engine(), &f.store);
    for i in 0..3 {
        repo.execute(f.c, annotate(&format!("rewritten {i}")), 0).unwrap();
    }
    assert_eq!(f.store.tree_head().unwrap().size, 12);
    match verify_against_checkpoint(&f.store, &checkpoint).unwrap() {
        Some(CheckpointMismatch::RootDiffers { size, expected, found }) => {
            assert_eq!((size, expected), (12, checkpoint.root()));
            assert_ne!(found, checkpoint.root());
        }
        other => panic!("expected RootDiffers, got {other:?}"),
    }
}

#[test]
fn a_deleted_head_or_deleted_records_leave_an_orphan() {
    let f = fixture();
    f.raw()
        .execute("DELETE FROM instances WHERE instance = ?1", [f.c.to_string()])
        .unwrap();
    let report = f.verify();
    assert_eq!(
        report.problems,
        [StoreProblem::Orphan {
            instance: f.c,
            message: "the store has records for it but no head"
        }],
        "{report}"
    );

    let f = fixture();
    f.raw()
        .execute("DELETE FROM records WHERE instance = ?1", [f.c.to_string()])
        .unwrap();
    let report = f.verify();
    assert_eq!(
        report.problems,
        [
            f.tree_mismatch(&report),
            StoreProblem::Orphan {
                instance: f.c,
                message: "the store has a head for it but no records"
            }
        ],
        "{report}"
    );
}

#[test]
fn scan_counts_present_records_when_rows_were_deleted() {
    let f = fixture();
    f.raw()
        .execute("DELETE FROM records WHERE position IN (3, 7)", [])
        .unwrap();
    let all = f.store.scan(0, usize::MAX).unwrap();
    assert_eq!(all.len(), 10);
    // Sequential pages continue where the last one stopped...
    let mut paged = Vec::new();
    while paged.len() < 20 {
        let page = f.store.scan(paged.len() as u64, 3).unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, all);
    // ...and any other start counts the records present.
    for k in (0..all.len()).rev() {
        assert_eq!(f.store.scan(k as u64, 1).unwrap(), [all[k].clone()], "scan({k}, 1)");
    }
    assert!(f.store.scan(10, 5).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------
// What verify trusts, it checks: the (instance, seq) index, snapshots, every queryable
// column and every head column. Each of these passed `verify` before it checked them.

/// The records of `instance` as a full scan in position order sees them.
fn scanned(store: &SqliteStore, instance: Uuid) -> Vec<AuditRecord> {
    let all = store.scan(0, usize::MAX).unwrap();
    all.into_iter().filter(|r| r.instance == instance).collect()
}

#[test]
fn a_flipped_byte_in_the_instance_seq_index_is_found() {
    let Fixture {
        _dir, path, store, a, ..
    } = fixture();
    let (root, page_size): (i64, i64) = {
        let raw = Connection::open(&path).unwrap();
        let root = raw
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'records'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (root, raw.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap())
    };
    let truth = scanned(&store, a);
    assert_eq!(store.load(a).unwrap(), truth);
    // Closing the last connection checkpoints the WAL into the file: the index pages
    // are then all in the file.
    drop(store);
    assert!(!path.with_extension("regula-wal").exists());
    let original = std::fs::read(&path).unwrap();
    let start = usize::try_from((root - 1) * page_size).unwrap();
    let page = start..start + usize::try_from(page_size).unwrap();
    let needle = a.to_string().into_bytes();
    let hits: Vec<usize> = original[page.clone()]
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle.as_slice())
        .map(|(i, _)| page.start + i)
        .collect();
    assert_eq!(
        hits.len(),
        truth.len(),
        "one index entry per record of A in the root page"
    );
    // One byte of one entry's key: the instance id's first character becomes '~', which
    // sorts after every id, so the entry sits out of order among A's. Take the first
    // entry whose corruption really shortens what a load through the index returns
    // into a log that is still a valid chain (its first records): a replay of what
    // loads cannot tell, only a comparison with the full scan.
    let mut corrupted = None;
    for at in hits {
        let mut bytes = original.clone();
        bytes[at] = b'~';
        std::fs::write(&path, &bytes).unwrap();
        let store = SqliteStore::open(&path).unwrap();
        let loaded = store.load(a).unwrap_or_default();
        if !loaded.is_empty() && loaded.len() < truth.len() && truth.starts_with(&loaded) {
            corrupted = Some((store, loaded));
            break;
        }
    }
    let (store, loaded) = corrupted.expect("a flipped byte in some entry shortens the history loads see");
    assert_eq!(scanned(&store, a), truth, "the table itself is intact");
    // What `show` and `log` print: a shortened history that replays without error.
    sample::definition(sample::CASE).verify(&loaded).unwrap();

    let report = sample::verify(&store).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, StoreProblem::LoadMismatch { instance, .. } if *instance == a)),
        "{report}"
    );
    // The full check adds SQLite's own findings, each line a problem.
    let full = sample::verify_with(&store, StorageCheck::Full).unwrap();
    let physical: Vec<&StoreProblem> = full
        .problems
        .iter()
        .filter(|p| matches!(p, StoreProblem::Physical { check, .. } if check == "integrity_check"))
        .collect();
    assert!(!physical.is_empty(), "{full}");
    assert!(full.to_string().contains("integrity_check"), "{full}");
}

/// A store with one instance of seven records, snapshotted at record 6.
fn with_snapshot() -> (ScratchDir, PathBuf, SqliteStore, Uuid) {
    let dir = ScratchDir::new("tamper-snapshot");
    let path = dir.file("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let id = {
        let repo = regula_core::Repository::new(sample::engine(), &store).snapshot_every(3);
        let (mut inst, _) = repo
            .create(sample::clerk(), "clerk", sample::case("真实"), None)
            .unwrap();
        for i in 0..6 {
            repo.apply(&mut inst, annotate(&format!("n{i}"))).unwrap();
        }
        inst.id()
    };
    assert_eq!(store.snapshot(id).unwrap().map(|s| s.seq), Some(6));
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    (dir, path, store, id)
}

#[test]
fn an_edited_snapshot_row_is_found() {
    let (_dir, path, store, id) = with_snapshot();
    let raw = Connection::open(&path).unwrap();
    let changed = raw
        .execute(
            "UPDATE snapshots SET snapshot = replace(snapshot, '\"title\":\"真实\"', '\"title\":\"伪造\"')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    // What `show` prints (a load from the snapshot) is now the forged title.
    let repo = regula_core::Repository::new(sample::engine(), &store);
    assert_eq!(repo.load(id).unwrap().data().title, "伪造");
    let report = f_verify(&store);
    match report.problems.as_slice() {
        [
            StoreProblem::SnapshotMismatch {
                instance,
                seq: 6,
                field: "data",
                stored,
                expected,
            },
        ] => {
            assert_eq!(*instance, id);
            assert!(stored.contains("伪造") && expected.contains("真实"), "{report}");
        }
        _ => panic!("expected the snapshot's data reported, got {report}"),
    }
    assert!(
        report.problems[0]
            .text(regula_core::Lang::Zh)
            .contains("第 6 条记录处的快照"),
        "{}",
        report.problems[0].text(regula_core::Lang::Zh)
    );

    // Its key columns are checked against its JSON too.
    raw.execute(
        "UPDATE snapshots SET snapshot = replace(snapshot, '伪造', '真实'), seq = 5",
        [],
    )
    .unwrap();
    let report = f_verify(&store);
    assert_eq!(
        report.problems,
        [StoreProblem::ColumnMismatch {
            table: "snapshots".into(),
            column: "seq".into(),
            instance: id,
            seq: None,
            stored: "5".into(),
            expected: "6".into(),
        }],
        "{report}"
    );
}

fn f_verify(store: &SqliteStore) -> StoreReport {
    sample::verify(store).unwrap()
}

#[test]
fn every_edited_records_column_is_found() {
    let other = Uuid::now_v7();
    // Since schema 3 a row holds no other copy of its record's fields.
    for (column, forged) in [("instance", other.to_string()), ("seq", "9".to_owned())] {
        let f = fixture();
        let (position, json) = f.record_json(f.a, 3);
        let record = AuditRecord::from_json(&json).unwrap();
        let seq_value: Box<dyn rusqlite::ToSql> = if column == "seq" {
            Box::new(9i64)
        } else {
            Box::new(forged.clone())
        };
        f.raw()
            .execute(
                &format!("UPDATE records SET {column} = ?1 WHERE position = ?2"),
                params![seq_value, position],
            )
            .unwrap();
        let expected = match column {
            "instance" => format!("{:?}", record.instance.to_string()),
            _ => "3".to_owned(),
        };
        let stored = if column == "seq" { forged } else { format!("{forged:?}") };
        let report = f.verify();
        let mismatch = StoreProblem::ColumnMismatch {
            table: "records".into(),
            column: column.into(),
            instance: f.a,
            seq: Some(3),
            stored,
            expected,
        };
        assert!(report.problems.contains(&mismatch), "{column}: {report}");
        // Instance and seq are what loads select by: the read by instance misses it.
        assert!(
            report
                .problems
                .iter()
                .any(|p| matches!(p, StoreProblem::LoadMismatch { instance, seq: 3, .. } if *instance == f.a)),
            "{column}: {report}"
        );
    }
}

#[test]
fn every_edited_head_column_is_found() {
    let hash = Digest::of(b"another history").to_hex();
    for (column, forged) in [
        ("definition", rusqlite::types::Value::Text("forged-case".into())),
        ("version", rusqlite::types::Value::Integer(2)),
        ("state", rusqlite::types::Value::Text("closed".into())),
        ("last_hash", rusqlite::types::Value::Text(hash.clone())),
        (
            "created_at",
            rusqlite::types::Value::Text("2000-01-01T00:00:00.000000000Z".into()),
        ),
        (
            "updated_at",
            rusqlite::types::Value::Text("2999-01-01T00:00:00.000000000Z".into()),
        ),
        ("first_position", rusqlite::types::Value::Integer(11)),
        ("seq", rusqlite::types::Value::Integer(3)),
    ] {
        let f = fixture();
        f.raw()
            .execute(
                &format!("UPDATE instances SET {column} = ?1 WHERE instance = ?2"),
                params![forged, f.a.to_string()],
            )
            .unwrap();
        let report = f.verify();
        let found = match column {
            "first_position" => matches!(
                report.problems.as_slice(),
                [StoreProblem::ColumnMismatch { table, column, stored, expected, .. }]
                    if table == "instances" && column == "first_position" && stored == "11" && expected == "0"
            ),
            "seq" => {
                report.problems
                    == [StoreProblem::HeadMismatch {
                        instance: f.a,
                        head_seq: 3,
                        log_seq: 5,
                    }]
            }
            _ => {
                let field = if column == "version" { "definition" } else { column };
                matches!(
                    report.problems.as_slice(),
                    [StoreProblem::HeadDiffers { instance, seq: 5, field: found, .. }]
                        if *instance == f.a && *found == field
                )
            }
        };
        assert!(found, "{column}: {report}");
    }
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let f = fixture();
    let raw = f.raw();
    // A: a queryable column (the records rows hold no other copy since schema 3); B:
    // its head; C: a record's content.
    raw.execute(
        "UPDATE instances SET first_position = 99 WHERE instance = ?1",
        [f.a.to_string()],
    )
    .unwrap();
    raw.execute(
        "UPDATE instances SET state = 'closed' WHERE instance = ?1",
        [f.b.to_string()],
    )
    .unwrap();
    let (position, json) = f.record_json(f.c, 2);
    raw.execute(
        "UPDATE records SET record = ?1 WHERE position = ?2",
        params![json.replace("c note 1", "c note 9"), position],
    )
    .unwrap();
    let report = f.verify();
    let mut named: Vec<(Uuid, &str)> = report
        .problems
        .iter()
        .map(|p| {
            let kind = match p {
                StoreProblem::Chain(_) => "chain",
                StoreProblem::TreeMismatch { .. } => "tree",
                StoreProblem::HeadDiffers { .. } => "head",
                StoreProblem::ColumnMismatch { .. } => "column",
                other => panic!("unexpected {other}"),
            };
            (p.instance().unwrap_or_default(), kind)
        })
        .collect();
    named.sort();
    let mut expected = vec![(f.c, "chain"), (Uuid::nil(), "tree"), (f.b, "head"), (f.a, "column")];
    expected.sort();
    assert_eq!(named, expected, "{report}");
    // Printed, each is one line naming its instance, in both languages.
    for lang in [regula_core::Lang::Zh, regula_core::Lang::En] {
        let texts = report.problem_texts(lang);
        assert_eq!(texts.len(), 4);
        for id in [f.a, f.b, f.c] {
            assert!(texts.iter().any(|t| t.contains(&id.to_string())), "{texts:?}");
        }
    }
}

/// The columns of `records` that copy a record field (since schema 3 only its keys),
/// and a value that differs from any the fixture writes.
const FORGED_COLUMNS: [(&str, &str); 2] = [("instance", "00000000-0000-7000-8000-000000000000"), ("seq", "99")];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever queryable column of whatever record is edited, and whichever heads'
    /// states are edited with it, `verify` reports each: the column by table, column,
    /// instance and sequence number, each head by its field (or, when the edited column
    /// moved a record away from its instance's loads, that load mismatch instead).
    #[test]
    fn any_edited_column_and_heads_are_all_reported(
        position in 0i64..12,
        column in 0usize..FORGED_COLUMNS.len(),
        heads in proptest::collection::vec(proptest::prelude::any::<bool>(), 3),
    ) {
        let f = fixture();
        let (name, forged) = FORGED_COLUMNS[column];
        let raw = f.raw();
        let json: String = raw
            .query_row("SELECT record FROM records WHERE position = ?1", [position], |r| r.get(0))
            .unwrap();
        let record = AuditRecord::from_json(&json).unwrap();
        if name == "seq" {
            raw.execute("UPDATE records SET seq = 99 WHERE position = ?1", [position]).unwrap();
        } else {
            raw.execute(&format!("UPDATE records SET {name} = ?1 WHERE position = ?2"), params![forged, position])
                .unwrap();
        }
        let edited: Vec<Uuid> = [f.a, f.b, f.c].into_iter().zip(&heads).filter(|(_, e)| **e).map(|(id, _)| id).collect();
        for id in &edited {
            raw.execute("UPDATE instances SET state = 'closed' WHERE instance = ?1", [id.to_string()]).unwrap();
        }
        let report = f.verify();
        let column_found = report.problems.iter().any(|p| matches!(
            p,
            StoreProblem::ColumnMismatch { table, column, instance, seq: Some(seq), .. }
                if table == "records" && column == name && *instance == record.instance && *seq == record.seq
        ));
        proptest::prop_assert!(column_found, "{}", report);
        for id in edited {
            let found = report.problems.iter().any(|p| match p {
                StoreProblem::HeadDiffers { instance, field: "state", .. } => *instance == id,
                StoreProblem::LoadMismatch { instance, .. } => *instance == id,
                _ => false,
            });
            proptest::prop_assert!(found, "head of {}: {}", id, report);
        }
    }
}

/// The heads' deadline columns are derived data: an edited `entered_at` and an edited
/// or emptied `due_at` (which would hide an instance from, or put it on, the list of
/// overdue ones) are each named by verify.
#[test]
fn edited_entered_at_and_due_at_are_named_by_verify() {
    use chrono::{TimeDelta, TimeZone, Utc};
    let dir = ScratchDir::new("tamper-due");
    let path = dir.file("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let clock = std::sync::Arc::new(regula_core::ManualClock::new(
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    ));
    let repo = regula_core::Repository::new(
        regula_core::Engine::new(sample::deadlined()).with_clock(clock.clone()),
        &store,
    );
    let mut ids = Vec::new();
    for title in ["甲", "乙", "丙"] {
        let (mut inst, _) = repo
            .create(sample::clerk(), "clerk", sample::case(title), None)
            .unwrap();
        clock.advance(TimeDelta::hours(1));
        repo.apply(&mut inst, sample::assign("王芳")).unwrap();
        assert!(inst.due_at().is_some());
        ids.push(inst.id());
    }
    assert!(sample::verify(&store).unwrap().is_ok());
    let raw = Connection::open(&path).unwrap();
    let set = |column: &str, value: Option<&str>, id: Uuid| {
        raw.execute(
            &format!("UPDATE instances SET {column} = ?1 WHERE instance = ?2"),
            params![value, id.to_string()],
        )
        .unwrap();
    };
    set("entered_at", Some("2024-06-01T00:00:00.000000000Z"), ids[0]);
    set("due_at", None, ids[1]);
    set("due_at", Some("2099-01-01T00:00:00.000000000Z"), ids[2]);
    let report = sample::verify(&store).unwrap();
    let named = sample::heads_differing(&report);
    let mut expected = vec![(ids[0], "entered_at"), (ids[1], "due_at"), (ids[2], "due_at")];
    expected.sort();
    assert_eq!(named, expected, "{report:?}");
    assert_eq!(report.problems.len(), 3, "{report:?}");
}
