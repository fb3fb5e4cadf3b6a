//! Tampering behind the library's back, with plain SQL on the database: verification
//! names the instance and the record, and a truncation shows against a saved
//! checkpoint.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use postgres::Client;
use regula_core::store::{CheckpointMismatch, StoreProblem, StoreReport, verify_against_checkpoint, verify_store};
use regula_core::{AuditRecord, Checkpoint, Store, TreeHead, VerifyError, VerifyErrorKind};
use regula_store_conformance::faults::{self, Interleaved};
use regula_store_conformance::sample::{self, annotate};
use regula_store_postgres::PostgresStore;
use uuid::Uuid;

/// A store holding the interleaved log of `faults::interleaved`: positions 0..12 hold
/// A1 B1 A2 B2 A3 B3 A4 C1 A5 B4 C2 C3.
struct Fixture {
    schema: String,
    store: PostgresStore,
    raw: Client,
    a: Uuid,
    b: Uuid,
    c: Uuid,
    tree: TreeHead,
}

fn fixture() -> Option<Fixture> {
    if !common::enabled() {
        return None;
    }
    let schema = common::unique_schema("tamper");
    let store = common::open(&schema);
    let Interleaved { a, b, c, tree } = faults::interleaved(&store);
    Some(Fixture {
        a,
        b,
        c,
        schema: format!("\"{schema}\""),
        raw: common::raw(),
        store,
        tree,
    })
}

impl Fixture {
    fn sql(&mut self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> u64 {
        self.raw.execute(&sql.replace("{s}", &self.schema), params).unwrap()
    }

    fn record_json(&mut self, instance: Uuid, seq: i64) -> (i64, String) {
        let row = self
            .raw
            .query_one(
                &format!(
                    "SELECT position, record::text FROM {}.records WHERE instance = $1 AND seq = $2",
                    self.schema
                ),
                &[&instance, &seq],
            )
            .unwrap();
        (row.get(0), row.get(1))
    }

    fn set_json(&mut self, position: i64, json: &str) {
        self.sql(
            "UPDATE {s}.records SET record = $1::text::json WHERE position = $2",
            &[&json, &position],
        );
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
    let Some(mut f) = fixture() else { return };
    let (position, json) = f.record_json(f.a, 3);
    let at = json.find("a note 2").unwrap() + "a note ".len();
    let mut bytes = json.into_bytes();
    bytes[at] = b'7';
    f.set_json(position, &String::from_utf8(bytes).unwrap());
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
    assert_eq!(report.replayed, 2);
}

#[test]
fn a_deleted_row_in_the_middle_is_a_gap() {
    let Some(mut f) = fixture() else { return };
    let a = f.a;
    assert_eq!(
        f.sql("DELETE FROM {s}.records WHERE instance = $1 AND seq = 3", &[&a]),
        1
    );
    let report = f.verify();
    assert_eq!(
        report.problems,
        [
            chain(f.a, 3, VerifyErrorKind::SequenceGap { expected: 3, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );
}

#[test]
fn a_deleted_last_row_disagrees_with_the_head() {
    let Some(mut f) = fixture() else { return };
    let b = f.b;
    f.sql("DELETE FROM {s}.records WHERE instance = $1 AND seq = 4", &[&b]);
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
fn two_swapped_records_break_the_chain_or_the_tree() {
    let Some(mut f) = fixture() else { return };
    let (p2, j2) = f.record_json(f.a, 2);
    let (p4, j4) = f.record_json(f.a, 4);
    f.set_json(p2, &j4);
    f.set_json(p4, &j2);
    let report = f.verify();
    assert_eq!(
        report.problems,
        [
            chain(f.a, 2, VerifyErrorKind::SequenceGap { expected: 2, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );

    // Whole rows of two instances swapped: every chain intact, only the tree sees it.
    let Some(mut f) = fixture() else { return };
    f.sql(
        "UPDATE {s}.records SET position = CASE position WHEN 2 THEN -3 ELSE -2 END WHERE position IN (2, 3)",
        &[],
    );
    f.sql("UPDATE {s}.records SET position = -position WHERE position < 0", &[]);
    let report = f.verify();
    assert_eq!(report.problems, [f.tree_mismatch(&report)], "{report}");
}

#[test]
fn a_truncated_tail_passes_alone_and_fails_against_a_checkpoint() {
    let Some(mut f) = fixture() else { return };
    let checkpoint = Checkpoint::new(f.tree, chrono::Utc::now());
    // A consistent rollback: drop the last three records, rewind heads and log head.
    f.sql("DELETE FROM {s}.records WHERE position >= 9", &[]);
    let kept: Vec<AuditRecord> = f.store.scan(0, usize::MAX).unwrap();
    let (range, lasts) = faults::rolled_back(&kept, &[f.a, f.b, f.c]);
    let size = range.size() as i64;
    let bytes = range.to_bytes();
    f.sql(
        "UPDATE {s}.log_head SET size = $1, compact_range = $2",
        &[&size, &bytes],
    );
    for last in lasts {
        let seq = last.seq as i64;
        let at = last.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        f.sql(
            "UPDATE {s}.instances SET seq = $1, last_hash = $2, state = $3, updated_at = $4 WHERE instance = $5",
            &[&seq, &last.hash.to_hex(), &last.state_after(), &at, &last.instance],
        );
    }
    let report = f.verify();
    assert!(
        report.is_ok(),
        "a consistent rollback is invisible without a checkpoint: {report}"
    );
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

    let repo = regula_core::Repository::new(sample::engine(), &f.store);
    for i in 0..3 {
        repo.execute(f.c, annotate(&format!("rewritten {i}")), 0).unwrap();
    }
    assert!(matches!(
        verify_against_checkpoint(&f.store, &checkpoint).unwrap(),
        Some(CheckpointMismatch::RootDiffers { size: 12, .. })
    ));
}
