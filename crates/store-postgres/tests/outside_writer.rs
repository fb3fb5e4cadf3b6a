//! A batch is written with one statement per table; when a row written behind the
//! library's back trips the unique key, the append fails as a conflict naming the
//! instance whose log moved on, and writes nothing.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use regula_core::{Append, Store, StoreError};
use regula_store_conformance::sample::{self, annotate, case, clerk};

#[test]
fn a_row_written_behind_the_store_makes_a_batch_conflict_on_its_instance() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("outside");
    let store = common::open(&schema);
    let engine = sample::engine();
    let mut instances = Vec::new();
    let mut firsts = Vec::new();
    for title in ["a", "b", "c"] {
        let (inst, r) = engine.create(clerk(), "clerk", case(title), None).unwrap();
        instances.push(inst);
        firsts.push(r);
    }
    let batch: Vec<Append<'_>> = firsts
        .iter()
        .map(|r| Append {
            instance: r.instance,
            expected_seq: 0,
            records: std::slice::from_ref(r),
            due_at: None,
        })
        .collect();
    assert_eq!(store.append_batch(&batch).unwrap().size, 3);
    let seconds: Vec<_> = instances
        .iter_mut()
        .map(|i| engine.apply(i, annotate("second")).unwrap())
        .collect();

    // Another program writes record 2 of instance b straight into the table.
    let mut raw = common::raw();
    let json = seconds[1].to_json();
    raw.execute(
        &format!(
            "INSERT INTO \"{schema}\".records (position, instance, seq, record) \
             VALUES (1000, $1, 2, $2::text::json)"
        ),
        &[&seconds[1].instance, &json],
    )
    .unwrap();

    let batch: Vec<Append<'_>> = seconds
        .iter()
        .map(|r| Append {
            instance: r.instance,
            expected_seq: 1,
            records: std::slice::from_ref(r),
            due_at: None,
        })
        .collect();
    match store.append_batch(&batch) {
        Err(StoreError::Conflict {
            instance,
            expected_seq,
            actual_seq,
        }) => {
            assert_eq!(instance, seconds[1].instance);
            assert_eq!((expected_seq, actual_seq), (1, 2));
        }
        other => panic!("expected a conflict on instance b, got {other:?}"),
    }
    // Nothing of the batch was written.
    assert_eq!(store.tree_head().unwrap().size, 3);
    assert_eq!(store.head(seconds[0].instance).unwrap().seq, 1);
    assert_eq!(store.load(seconds[2].instance).unwrap().len(), 1);

    // A single append (written with scalar parameters, not arrays) conflicts the same way.
    let err = store.append(batch[1]).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { instance, expected_seq: 1, actual_seq: 2 } if instance == seconds[1].instance),
        "{err:?}"
    );
    // The other instances still take their records, one by one or together.
    store.append(batch[0]).unwrap();
    assert_eq!(store.append_batch(&batch[2..]).unwrap().size, 5);
}
