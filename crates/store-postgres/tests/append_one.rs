//! The single append (`append_one`, schema 5) on each of its paths: the handle's compact
//! range current (the function stores the next range the handle computed), stale or
//! absent (the function hashes the leaf itself), and a head other than presumed
//! (nothing written; the locked path answers).

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::{Append, Repository, Store, TreeHead};
use regula_store_conformance::checks::assert_conflict;
use regula_store_conformance::sample::{self, annotate, case, clerk};

/// The tree head over every record of `store`, computed here from the records in
/// position order.
fn tree_head_of_records(store: &impl Store) -> TreeHead {
    let mut range = CompactRange::new();
    for r in store.scan(0, usize::MAX).unwrap() {
        range.push(record_leaf(&r));
    }
    TreeHead {
        size: range.size(),
        root: range.root(),
    }
}

#[test]
fn handles_taking_turns_get_the_tree_head_of_every_record() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("one_turns");
    let first = common::open(&schema);
    let second = common::open(&schema);
    let engine = sample::engine();
    let (mut a, a0) = engine.create(clerk(), "clerk", case("甲案"), None).unwrap();
    let (mut b, b0) = engine.create(clerk(), "clerk", case("乙案"), None).unwrap();
    // The second handle's first append has no range of its own yet; each later one
    // follows an append of the other handle, so its range is one record behind.
    let mut heads = vec![
        first.append(Append::of(&a, 0, std::slice::from_ref(&a0))).unwrap(),
        second.append(Append::of(&b, 0, std::slice::from_ref(&b0))).unwrap(),
    ];
    for i in 0..6 {
        let r = engine.apply(&mut a, annotate(&format!("甲 {i}"))).unwrap();
        heads.push(
            first
                .append(Append::of(&a, r.seq - 1, std::slice::from_ref(&r)))
                .unwrap(),
        );
        let r = engine.apply(&mut b, annotate(&format!("乙 {i}"))).unwrap();
        heads.push(
            second
                .append(Append::of(&b, r.seq - 1, std::slice::from_ref(&r)))
                .unwrap(),
        );
    }
    // Then one handle alone: its range stays current.
    for i in 0..4 {
        let r = engine.apply(&mut a, annotate(&format!("甲 再 {i}"))).unwrap();
        heads.push(
            first
                .append(Append::of(&a, r.seq - 1, std::slice::from_ref(&r)))
                .unwrap(),
        );
    }
    let records = first.scan(0, usize::MAX).unwrap();
    assert_eq!(records.len(), 18);
    let mut range = CompactRange::new();
    for (r, head) in records.iter().zip(&heads) {
        range.push(record_leaf(r));
        assert_eq!(
            *head,
            TreeHead {
                size: range.size(),
                root: range.root()
            },
            "after the record at position {}",
            range.size() - 1
        );
    }
    assert_eq!(first.tree_head().unwrap(), tree_head_of_records(&first));
    assert_eq!(second.tree_head().unwrap(), tree_head_of_records(&first));
    let report = sample::verify(&first).unwrap();
    assert!(report.is_ok(), "{report}");
}

#[test]
fn a_single_append_behind_the_stored_head_writes_nothing_and_is_a_conflict() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("one_conflict");
    let store = common::open(&schema);
    let other = common::open(&schema);
    let repo = Repository::new(sample::engine(), &store);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("争"), None).unwrap();
    let mut stale = inst.clone();
    repo.apply(&mut inst, annotate("先到")).unwrap();
    let before = store.tree_head().unwrap();
    // The same sequence number from another handle, whose range is current.
    let engine = sample::engine();
    let late = engine.apply(&mut stale, annotate("后到")).unwrap();
    other.tree_head().unwrap();
    assert_conflict(
        other.append(Append::of(&stale, 1, std::slice::from_ref(&late))),
        inst.id(),
        1,
        2,
    );
    assert_eq!(store.tree_head().unwrap(), before, "nothing written");
    assert_eq!(store.load(inst.id()).unwrap().len(), 2);
    // A creation under an id the store holds (two engines with one seed make the
    // same ids): the client cannot tell, the function's INSERT finds the head.
    let (taken, created) = sample::fixed_engine(sample::CASE, 7)
        .create(clerk(), "clerk", case("先立"), None)
        .unwrap();
    other
        .append(Append::of(&taken, 0, std::slice::from_ref(&created)))
        .unwrap();
    let before = store.tree_head().unwrap();
    let (twin, twice) = sample::fixed_engine(sample::CASE, 7)
        .create(clerk(), "clerk", case("重立"), None)
        .unwrap();
    assert_eq!(twin.id(), taken.id());
    assert_conflict(
        other.append(Append::of(&twin, 0, std::slice::from_ref(&twice))),
        taken.id(),
        0,
        1,
    );
    assert_eq!(store.tree_head().unwrap(), before, "nothing written");
    // The handle appends again, on the current head.
    repo.apply(&mut inst, annotate("再来")).unwrap();
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 4);
}

#[test]
fn a_record_from_another_state_is_written_as_the_locked_path_writes_it() {
    if !common::enabled() {
        return;
    }
    // The function presumes the stored state is the record's `from`, to know whether
    // the record moves the instance; a record that says otherwise (no engine writes
    // one; `verify` reports it) is written by the locked path, which reads the head.
    let schema = common::unique_schema("one_state");
    let store = common::open(&schema);
    let repo = Repository::new(sample::engine(), &store);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("状态"), None).unwrap();
    let filed_at = store.head(inst.id()).unwrap().entered_at;
    let mut r = sample::engine().apply(&mut inst, annotate("自称已分案")).unwrap();
    assert_eq!(r.state_after(), "filed");
    r.from = "assigned".into();
    r.hash = r.compute_hash();
    store.append(Append::of(&inst, 1, std::slice::from_ref(&r))).unwrap();
    let head = store.head(inst.id()).unwrap();
    assert_eq!((head.seq, head.state.as_str()), (2, "filed"));
    assert_eq!(head.entered_at, filed_at, "filed before, filed after: not moved");
}
