//! The in-memory store, the repository and whole-store verification.
//! (The conformance suite in `regula-store-conformance` runs the full battery on
//! every store, this one included.)
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use common::{Stage, Step, clerk, doc, engine, judge};
use regula_core::store::{CheckpointMismatch, StoreProblem, verify_against_checkpoint, verify_store};
use regula_core::{Append, Checkpoint, Command, InstanceFilter, MemoryStore, Repository, Store, StoreError, merkle};

#[test]
fn repository_persists_every_attempt_and_loads_from_snapshots() {
    let (engine, clock) = engine();
    let repo = Repository::new(engine, MemoryStore::new()).snapshot_every(4);
    let (mut inst, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
    for i in 0..9 {
        clock.advance(TimeDelta::hours(1));
        repo.apply(
            &mut inst,
            Command::new(judge(), "judge", Step::Comment { text: format!("c{i}") }),
        )
        .unwrap();
    }
    repo.apply(&mut inst, Command::new(judge(), "judge", Step::Sign))
        .unwrap();
    assert_eq!(inst.seq(), 11);
    let snap = repo.store().snapshot(inst.id()).unwrap().unwrap();
    assert_eq!(snap.seq, 8);
    assert_eq!(repo.load(inst.id()).unwrap(), inst);
    assert_eq!(repo.verify(inst.id()).unwrap(), inst);
    let head = repo.store().head(inst.id()).unwrap();
    assert_eq!(
        (head.seq, head.state.as_str(), head.last_hash),
        (11, "draft", inst.last_hash())
    );
}

#[test]
fn stale_writers_conflict_and_write_nothing() {
    let (engine, _) = engine();
    let repo = Repository::new(engine, MemoryStore::new());
    let (mut a, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
    let mut b = a.clone();
    repo.apply(
        &mut a,
        Command::new(clerk(), "clerk", Step::Submit { summary: "s".into() }),
    )
    .unwrap();
    let before = b.clone();
    let err = repo
        .apply(
            &mut b,
            Command::new(judge(), "judge", Step::Comment { text: "x".into() }),
        )
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(b, before, "a failed apply leaves the instance as it was");
    assert_eq!(repo.store().load(a.id()).unwrap().len(), 2);
    // execute() reloads and retries.
    let (after, rec) = repo
        .execute(
            a.id(),
            Command::new(judge(), "judge", Step::Comment { text: "x".into() }),
            1,
        )
        .unwrap();
    assert_eq!((after.seq(), rec.seq), (3, 3));
}

#[test]
fn batches_are_all_or_nothing() {
    let (engine, _) = engine();
    let store = MemoryStore::new();
    let (a, ra) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let (b, mut rb) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    rb.seq = 2;
    let err = store
        .append_batch(&[
            Append {
                instance: a.id(),
                expected_seq: 0,
                records: std::slice::from_ref(&ra),
                due_at: None,
            },
            Append {
                instance: b.id(),
                expected_seq: 0,
                records: std::slice::from_ref(&rb),
                due_at: None,
            },
        ])
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidAppend { seq: 1, .. }), "{err}");
    assert_eq!(store.tree_head().unwrap().size, 0);
    assert!(store.list(&InstanceFilter::all()).unwrap().is_empty());
    assert!(matches!(store.load(a.id()), Err(StoreError::NotFound { .. })));
}

#[test]
fn verify_store_and_checkpoints() {
    let (engine, clock) = engine();
    let repo = Repository::new(engine, MemoryStore::new());
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (mut inst, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
        repo.apply(
            &mut inst,
            Command::new(clerk(), "clerk", Step::Submit { summary: "s".into() }),
        )
        .unwrap();
        ids.push(inst.id());
    }
    let def = repo.engine().definition().clone();
    let mut pages = 0;
    let report = verify_store(
        repo.store(),
        None,
        |_, records| Some(def.verify(records)),
        &mut |_, _| pages += 1,
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.records, report.instances, report.replayed), (6, 3, 3));
    assert_eq!(pages, 1);

    let head = repo.store().tree_head().unwrap();
    let leaves: Vec<_> = repo
        .store()
        .scan(0, 100)
        .unwrap()
        .iter()
        .map(merkle::record_leaf)
        .collect();
    assert_eq!(head.root, merkle::root_of(&leaves));
    let checkpoint = Checkpoint::new(head, clock_now(&clock));

    clock.advance(TimeDelta::days(1));
    repo.execute(ids[0], Command::new(judge(), "judge", Step::Sign), 0)
        .unwrap();
    assert_eq!(verify_against_checkpoint(repo.store(), &checkpoint).unwrap(), None);

    // A different history of the same length does not extend the checkpoint.
    let (engine2, _) = common::engine();
    let other = Repository::new(
        engine2.with_ids(std::sync::Arc::new(regula_core::SeededIds::new(9))),
        MemoryStore::new(),
    );
    for _ in 0..3 {
        let (mut inst, _) = other.create(clerk(), "clerk", doc(), None).unwrap();
        other
            .apply(
                &mut inst,
                Command::new(clerk(), "clerk", Step::Submit { summary: "s".into() }),
            )
            .unwrap();
    }
    assert!(matches!(
        verify_against_checkpoint(other.store(), &checkpoint).unwrap(),
        Some(CheckpointMismatch::RootDiffers { size: 6, .. })
    ));
    // A shorter one is a truncation.
    let short = MemoryStore::new();
    let cut = repo.store().scan(0, 2).unwrap();
    short
        .append(Append {
            instance: cut[0].instance,
            expected_seq: 0,
            records: &cut[..1],
            due_at: None,
        })
        .unwrap();
    assert_eq!(
        verify_against_checkpoint(&short, &checkpoint).unwrap(),
        Some(CheckpointMismatch::Truncated {
            checkpoint: 6,
            store: 1
        })
    );
    let report = verify_store(&short, Some(&checkpoint), |_, _| None, &mut |_, _| {}).unwrap();
    assert!(
        report
            .problems
            .contains(&StoreProblem::Checkpoint(CheckpointMismatch::Truncated {
                checkpoint: 6,
                store: 1
            }))
    );
    assert!(matches!(report.problems[1], StoreProblem::UnknownDefinition { .. }));
    assert_eq!(
        repo.store()
            .list(&InstanceFilter::definition("judgment-review").in_state("review"))
            .unwrap()
            .len(),
        2
    );
    let _ = Stage::Draft;
}

fn clock_now(clock: &regula_core::ManualClock) -> chrono::DateTime<chrono::Utc> {
    regula_core::Clock::now(clock)
}

#[test]
fn list_returns_instances_of_one_batch_in_batch_order() {
    let (engine, _) = engine();
    let store = MemoryStore::new();
    let created: Vec<_> = (0..20)
        .map(|_| engine.create(clerk(), "clerk", doc(), None).unwrap())
        .collect();
    let batch: Vec<Append<'_>> = created
        .iter()
        .map(|(i, r)| Append {
            instance: i.id(),
            expected_seq: 0,
            records: std::slice::from_ref(r),
            due_at: None,
        })
        .collect();
    store.append_batch(&batch).unwrap();
    let listed: Vec<_> = store
        .list(&InstanceFilter::all())
        .unwrap()
        .into_iter()
        .map(|h| h.instance)
        .collect();
    let expected: Vec<_> = created.iter().map(|(i, _)| i.id()).collect();
    assert_eq!(listed, expected);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// Claims as an invariant: whatever the order of attempts, a key is held by at
    /// most one record, an append succeeds exactly when none of its keys is held, and
    /// a refused append writes neither records nor claims.
    #[test]
    fn claims_are_unique_and_all_or_nothing(
        steps in proptest::collection::vec((0usize..3, proptest::collection::vec(0usize..4, 0..3)), 1..24)
    ) {
        use std::collections::BTreeMap;
        use regula_core::{Claim, ClaimHolder};
        const KEYS: [&str; 4] = ["红林法〔2023〕1号", "红林法〔2023〕2号", "a", "b"];
        let (engine, _) = engine();
        let store = MemoryStore::new();
        let repo = Repository::new(engine, &store).snapshot_every(0);
        let mut instances: Vec<_> = (0..3).map(|_| repo.create(clerk(), "clerk", doc(), None).unwrap().0).collect();
        let mut model: BTreeMap<&str, ClaimHolder> = BTreeMap::new();
        let mut size = 3u64;
        for (i, keys) in steps {
            let inst = &mut instances[i];
            let before = inst.clone();
            let claims: Vec<(&str, &str)> = keys.iter().map(|k| ("ns", KEYS[*k])).collect();
            let result = repo.apply_claiming(
                inst,
                Command::new(judge(), "judge", Step::Comment { text: "c".into() }),
                Vec::new(),
                &claims,
            );
            let free = keys.iter().all(|k| !model.contains_key(KEYS[*k]));
            match result {
                Ok(record) => {
                    proptest::prop_assert!(free, "a held key was claimed again");
                    size += 1;
                    for k in &keys {
                        model.insert(KEYS[*k], ClaimHolder { instance: record.instance, seq: record.seq });
                    }
                }
                Err(e) => {
                    proptest::prop_assert!(!free, "a free claim was refused: {e}");
                    let claimed = matches!(e, regula_core::RepositoryError::Store(StoreError::Claimed { .. }));
                    proptest::prop_assert!(claimed, "not a Claimed error: {}", e);
                    proptest::prop_assert_eq!(&*inst, &before);
                }
            }
            let stored: Vec<Claim> = store.claims("ns").unwrap();
            let expected: Vec<Claim> = model
                .iter()
                .map(|(k, h)| Claim::new("ns", *k, h.instance, h.seq))
                .collect();
            proptest::prop_assert_eq!(stored, expected);
            proptest::prop_assert_eq!(store.tree_head().unwrap().size, size);
        }
    }
}
