//! Tampering behind the library's back, with plain SQL on the file: verification names
//! the instance and the record, and a truncation shows against a saved checkpoint.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::ScratchDir;
use regula_core::store::{CheckpointMismatch, StoreProblem, StoreReport, verify_against_checkpoint, verify_store};
use regula_core::{AuditRecord, Checkpoint, Store, StoreError, TreeHead, VerifyError, VerifyErrorKind};
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
    match sample::verify(&f.store) {
        Err(StoreError::Corrupt { place, .. }) => {
            assert!(
                place.contains(&f.b.to_string()) && place.contains("record 2"),
                "{place}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
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
        report.problems,
        [
            chain(f.a, 2, VerifyErrorKind::SequenceGap { expected: 2, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );
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
         INSERT INTO records SELECT 5 - position, instance, seq, record_id, at, definition, action, hash, record FROM swap;
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
    assert_eq!(report.problems.len(), 3, "{report}");
    assert_eq!(report.problems[0], f.tree_mismatch(&report));
    for (problem, (instance, other)) in report.problems[1..].iter().zip([(f.a, f.b), (f.b, f.a)]) {
        assert_eq!(
            *problem,
            StoreProblem::Transition(VerifyError {
                instance,
                seq: 2,
                kind: VerifyErrorKind::WrongInstance { found: other }
            }),
            "{report}"
        );
    }
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
            assert_eq!((size, expected), (12, checkpoint.root));
            assert_ne!(found, checkpoint.root);
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
