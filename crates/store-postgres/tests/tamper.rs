//! Tampering behind the library's back, with plain SQL on the database: verification
//! names the instance and the record, and a truncation shows against a saved
//! checkpoint.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use postgres::Client;
use regula_core::store::{
    CheckpointMismatch, StorageCheck, StoreProblem, StoreReport, verify_against_checkpoint, verify_store,
};
use regula_core::{Append, AuditRecord, Checkpoint, Digest, Engine, Store, TreeHead, VerifyError, VerifyErrorKind};
use regula_store_conformance::faults::{self, Interleaved};
use regula_store_conformance::sample::{self, annotate, case, clerk};
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
        report.problems[..2],
        [
            chain(f.a, 2, VerifyErrorKind::SequenceGap { expected: 2, found: 4 }),
            f.tree_mismatch(&report)
        ],
        "{report}"
    );
    // The queryable columns still describe the records that were there.
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

// ---------------------------------------------------------------------------------
// What verify trusts, it checks: snapshots, every queryable column, every head column,
// and the loads by instance against the full scan. Each of these passed `verify` before
// it checked them.

#[test]
fn an_edited_snapshot_row_is_found() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("tamper_snap");
    let store = common::open(&schema);
    let mut raw = common::raw();
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

    let changed = raw
        .execute(
            &format!(
                "UPDATE \"{schema}\".snapshots SET snapshot = replace(snapshot::text, '\"title\":\"真实\"', '\"title\":\"伪造\"')::json"
            ),
            &[],
        )
        .unwrap();
    assert_eq!(changed, 1);
    // What `show` prints (a load from the snapshot) is now the forged title.
    let repo = regula_core::Repository::new(sample::engine(), &store);
    assert_eq!(repo.load(id).unwrap().data().title, "伪造");
    let report = sample::verify(&store).unwrap();
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

    // Its key columns are checked against its JSON too.
    raw.execute(
        &format!("UPDATE \"{schema}\".snapshots SET snapshot = replace(snapshot::text, '伪造', '真实')::json, seq = 5"),
        &[],
    )
    .unwrap();
    let report = sample::verify(&store).unwrap();
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

#[test]
fn every_edited_records_column_is_found() {
    let other = Uuid::now_v7();
    // Since schema 3 a row holds no other copy of its record's fields.
    for (column, forged) in [("instance", other.to_string()), ("seq", "9".to_owned())] {
        let Some(mut f) = fixture() else { return };
        let (position, json) = f.record_json(f.a, 3);
        let record = AuditRecord::from_json(&json).unwrap();
        let cast = match column {
            "instance" => "::uuid",
            _ => "::bigint",
        };
        f.sql(
            &format!("UPDATE {{s}}.records SET {column} = $1::text{cast} WHERE position = $2"),
            &[&forged, &position],
        );
        let expected = match column {
            "instance" => record.instance.to_string(),
            _ => "3".to_owned(),
        };
        let report = f.verify();
        let mismatch = StoreProblem::ColumnMismatch {
            table: "records".into(),
            column: column.into(),
            instance: f.a,
            seq: Some(3),
            stored: format!("{forged:?}"),
            expected: format!("{expected:?}"),
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
    for (column, forged, cast) in [
        ("definition", "forged-case", ""),
        ("version", "2", "::bigint"),
        ("state", "closed", ""),
        ("last_hash", hash.as_str(), ""),
        ("created_at", "2000-01-01T00:00:00.000000000Z", ""),
        ("updated_at", "2999-01-01T00:00:00.000000000Z", ""),
        ("first_position", "11", "::bigint"),
        ("seq", "3", "::bigint"),
    ] {
        let Some(mut f) = fixture() else { return };
        let a = f.a;
        f.sql(
            &format!("UPDATE {{s}}.instances SET {column} = $1::text{cast} WHERE instance = $2"),
            &[&forged, &a],
        );
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
                        instance: a,
                        head_seq: 3,
                        log_seq: 5,
                    }]
            }
            _ => {
                let field = if column == "version" { "definition" } else { column };
                matches!(
                    report.problems.as_slice(),
                    [StoreProblem::HeadDiffers { instance, seq: 5, field: found, .. }]
                        if *instance == a && *found == field
                )
            }
        };
        assert!(found, "{column}: {report}");
    }
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let Some(mut f) = fixture() else { return };
    let (a, b, c) = (f.a, f.b, f.c);
    // A: a queryable column (the records rows hold no other copy since schema 3).
    f.sql(
        "UPDATE {s}.instances SET first_position = 99 WHERE instance = $1",
        &[&a],
    );
    f.sql("UPDATE {s}.instances SET state = 'closed' WHERE instance = $1", &[&b]);
    let (position, json) = f.record_json(c, 2);
    f.set_json(position, &json.replace("c note 1", "c note 9"));
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
    let mut expected = vec![(c, "chain"), (Uuid::nil(), "tree"), (b, "head"), (a, "column")];
    expected.sort();
    assert_eq!(named, expected, "{report}");
}

#[test]
fn an_edited_entered_at_is_found_by_the_storage_check_and_by_verify() {
    let Some(mut f) = fixture() else { return };
    let a = f.a;
    let (_, json) = f.record_json(a, 1);
    let created: AuditRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(f.store.head(a).unwrap().entered_at, created.at);
    f.sql(
        "UPDATE {s}.instances SET entered_at = '2000-01-01T00:00:00.000000000Z' WHERE instance = $1",
        &[&a],
    );
    let problems = f.store.check_storage(StorageCheck::Quick).unwrap();
    assert!(
        matches!(
            problems.as_slice(),
            [StoreProblem::ColumnMismatch { table, column, instance, stored, .. }]
                if table == "instances" && column == "entered_at" && *instance == a && stored.contains("2000-01-01")
        ),
        "{problems:?}"
    );
    let report = f.verify();
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, StoreProblem::HeadDiffers { instance, field: "entered_at", .. } if *instance == a)),
        "{report}"
    );
    assert!(report.problems.contains(&problems[0]), "{report}");
}

#[test]
fn an_edited_or_nulled_due_at_is_found_by_verify_with_the_definition() {
    let Some(mut f) = fixture() else { return };
    let engine = Engine::new(sample::deadlined());
    let (d, created) = engine.create(clerk(), "clerk", case("期限"), None).unwrap();
    let due_at = d.due_at().unwrap();
    f.store
        .append(Append::of(&d, 0, std::slice::from_ref(&created)))
        .unwrap();
    assert_eq!(f.store.head(d.id()).unwrap().due_at, Some(due_at));
    assert!(f.verify().is_ok());
    for forged in [Some("2999-01-01T00:00:00.000000000Z"), None] {
        f.sql(
            "UPDATE {s}.instances SET due_at = $1 WHERE instance = $2",
            &[&forged, &d.id()],
        );
        // The storage check cannot tell (the due time needs the definition) ...
        assert!(f.store.check_storage(StorageCheck::Quick).unwrap().is_empty());
        // ... verify's replayer, which knows the definition, does.
        let report = f.verify();
        assert!(
            matches!(
                report.problems.as_slice(),
                [StoreProblem::HeadDiffers { instance, field: "due_at", .. }] if *instance == d.id()
            ),
            "{forged:?}: {report}"
        );
    }
}
