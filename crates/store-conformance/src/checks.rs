//! The checks. Each takes a factory returning a fresh, empty store and panics on the
//! first broken guarantee.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use regula_core::merkle::{empty_root, record_leaf, root_of};
use regula_core::store::{
    CheckpointMismatch, ClaimProblem, StoreProblem, StoreReport, verify_against_checkpoint, verify_claims, verify_store,
};
use regula_core::{
    Append, AuditRecord, Checkpoint, CheckpointNote, Claim, ClaimHolder, Digest, Engine, Instance, InstanceFilter,
    InstanceHead, Migration, Outcome, Repository, Store, StoreError, TreeHead, Versions, verify_chain,
};
use uuid::Uuid;

use crate::Counting;
use crate::sample::{self, CASE, OTHER, Sample, annotate, assign, case, clerk, hear};

fn append<S: Store + ?Sized>(store: &S, instance: Uuid, expected_seq: u64, records: &[AuditRecord]) -> TreeHead {
    store
        .append(Append {
            instance,
            expected_seq,
            records,
            due_at: None,
        })
        .unwrap()
}

/// Creates an instance with `notes` annotations, appending each record on its own.
fn grow<S: Store + ?Sized>(
    store: &S,
    engine: &Engine<Sample>,
    title: &str,
    notes: usize,
) -> (Instance<Sample>, Vec<AuditRecord>) {
    let (mut instance, created) = engine.create(clerk(), "clerk", case(title), None).unwrap();
    append(store, instance.id(), 0, std::slice::from_ref(&created));
    let mut log = vec![created];
    for i in 0..notes {
        let seq = instance.seq();
        let r = engine
            .apply(&mut instance, annotate(&format!("{title} note {i}")))
            .unwrap();
        append(store, instance.id(), seq, std::slice::from_ref(&r));
        log.push(r);
    }
    (instance, log)
}

fn everything<S: Store + ?Sized>(store: &S) -> (TreeHead, Vec<InstanceHead>, Vec<AuditRecord>) {
    (
        store.tree_head().unwrap(),
        store.list(&InstanceFilter::all()).unwrap(),
        store.scan(0, usize::MAX).unwrap(),
    )
}

fn ids(heads: &[InstanceHead]) -> Vec<Uuid> {
    heads.iter().map(|h| h.instance).collect()
}

fn rehash(mut r: AuditRecord) -> AuditRecord {
    r.hash = r.compute_hash();
    r
}

fn assert_invalid(result: Result<TreeHead, StoreError>, instance: Uuid, seq: u64) {
    match result {
        Err(StoreError::InvalidAppend {
            instance: i, seq: s, ..
        }) => assert_eq!((i, s), (instance, seq), "InvalidAppend names the wrong record"),
        other => panic!("expected InvalidAppend for {instance} record {seq}, got {other:?}"),
    }
}

/// Asserts that `result` is the [`StoreError::Conflict`] of `instance`, whose writer
/// expected `expected_seq` where the store holds `actual_seq`.
pub fn assert_conflict(result: Result<TreeHead, StoreError>, instance: Uuid, expected_seq: u64, actual_seq: u64) {
    match result {
        Err(
            e @ StoreError::Conflict {
                instance: i,
                expected_seq: x,
                actual_seq: a,
            },
        ) => {
            assert!(e.is_conflict());
            assert_eq!(
                (i, x, a),
                (instance, expected_seq, actual_seq),
                "Conflict has the wrong fields"
            );
        }
        other => panic!("expected Conflict on {instance} ({expected_seq} vs {actual_seq}), got {other:?}"),
    }
}

/// Records, heads and JSON fields come back exactly as appended; unknown instances
/// are `NotFound`.
pub fn round_trip<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let engine = sample::engine();
    let mut data = case("张三诉李四 \"合同\" \\ 纠纷\n第二行\u{1}");
    data.notes.push("初始".to_owned());
    let (mut inst, created) = engine
        .create(clerk(), "clerk", data, Some("立案备注 note".to_owned()))
        .unwrap();
    let id = inst.id();
    let head = append(&store, id, 0, std::slice::from_ref(&created));
    assert_eq!(head.size, 1);
    assert_eq!(head.root, root_of(&[record_leaf(&created)]));

    let refused = engine.apply(&mut inst, assign("  ")).unwrap();
    assert!(refused.is_refused());
    let noted = engine.apply(&mut inst, annotate("证据 1")).unwrap();
    let assigned = engine.apply(&mut inst, assign("王芳")).unwrap();
    let more = [refused, noted, assigned];
    let head = append(&store, id, 1, &more);
    assert_eq!(head.size, 4);

    let mut log = vec![created];
    log.extend(more);
    let loaded = store.load(id).unwrap();
    assert_eq!(loaded, log);
    verify_chain(&loaded).unwrap();
    for (a, b) in loaded.iter().zip(&log) {
        assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap());
        assert_eq!(a.compute_hash(), b.hash);
    }
    assert_eq!(
        loaded[0].payload.to_value()["title"],
        "张三诉李四 \"合同\" \\ 纠纷\n第二行\u{1}"
    );
    assert_eq!(loaded[0].note.as_deref(), Some("立案备注 note"));
    assert_eq!(loaded[0].actor, clerk());
    assert_eq!(loaded[2].payload.to_value()["weight"].as_f64(), Some(0.1));
    assert_eq!(loaded[2].payload.to_value()["tags"][1], "a\"b\\c\n");
    assert_eq!(loaded[1].refusal().map(<[_]>::len), Some(1));
    assert_eq!(loaded[3].at, log[3].at, "timestamps keep their nanoseconds");

    assert_eq!(store.load_after(id, 2).unwrap(), log[2..].to_vec());
    assert_eq!(store.load_after(id, 0).unwrap(), log);
    assert!(store.load_after(id, 4).unwrap().is_empty());
    assert!(store.load_after(id, 99).unwrap().is_empty());

    let head = store.head(id).unwrap();
    assert_eq!(
        head,
        InstanceHead {
            instance: id,
            definition: log[0].definition.clone(),
            state: "assigned".to_owned(),
            seq: 4,
            last_hash: log[3].hash,
            created_at: log[0].at,
            updated_at: log[3].at,
            entered_at: log[3].at,
            due_at: None,
        }
    );

    let unknown = Uuid::now_v7();
    assert!(matches!(store.load(unknown), Err(StoreError::NotFound { instance }) if instance == unknown));
    assert!(matches!(store.load_after(unknown, 1), Err(StoreError::NotFound { instance }) if instance == unknown));
    assert!(matches!(store.head(unknown), Err(StoreError::NotFound { instance }) if instance == unknown));
    assert_eq!(store.snapshot(unknown).unwrap(), None);
}

/// `list` filters by definition and state and returns the oldest instances first.
pub fn list_filters<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let cases = sample::engine();
    let others = sample::engine_named(OTHER);
    let (a, _) = grow(&store, &cases, "a", 0);
    let (d, _) = grow(&store, &others, "d", 1);
    let (mut b, _) = grow(&store, &cases, "b", 0);
    let (mut c, _) = grow(&store, &cases, "c", 2);
    for inst in [&mut b, &mut c] {
        let seq = inst.seq();
        let r = cases.apply(inst, assign("王芳")).unwrap();
        append(&store, inst.id(), seq, &[r]);
    }
    assert_eq!(store.head(c.id()).unwrap().state, "assigned");

    let all = store.list(&InstanceFilter::all()).unwrap();
    assert_eq!(ids(&all), [a.id(), d.id(), b.id(), c.id()], "oldest first");
    for h in &all {
        assert_eq!(*h, store.head(h.instance).unwrap());
    }
    assert_eq!(
        ids(&store.list(&InstanceFilter::definition(CASE)).unwrap()),
        [a.id(), b.id(), c.id()]
    );
    assert_eq!(
        ids(&store
            .list(&InstanceFilter::definition(CASE).in_state("assigned"))
            .unwrap()),
        [b.id(), c.id()]
    );
    assert_eq!(
        ids(&store
            .list(&InstanceFilter::definition(OTHER).in_state("filed"))
            .unwrap()),
        [d.id()]
    );
    assert_eq!(
        ids(&store.list(&InstanceFilter::all().in_state("filed")).unwrap()),
        [a.id(), d.id()]
    );
    assert!(store.list(&InstanceFilter::definition("nope")).unwrap().is_empty());
    assert!(
        store
            .list(&InstanceFilter::definition(OTHER).in_state("assigned"))
            .unwrap()
            .is_empty()
    );
}

/// `scan` returns every record in global append order, across instances and batches,
/// page by page; the tree head is the Merkle tree over that order.
pub fn scan_order<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    assert_eq!(
        store.tree_head().unwrap(),
        TreeHead {
            size: 0,
            root: empty_root()
        }
    );
    assert!(store.scan(0, 10).unwrap().is_empty());
    let engine = sample::engine();
    let mut expected: Vec<AuditRecord> = Vec::new();
    let (mut a, log_a) = grow(&store, &engine, "a", 0);
    expected.extend(log_a);
    let (mut b, log_b) = grow(&store, &engine, "b", 0);
    expected.extend(log_b);
    let a1 = engine.apply(&mut a, annotate("a1")).unwrap();
    append(&store, a.id(), 1, std::slice::from_ref(&a1));
    expected.push(a1);

    // One batch over three instances, one of them new; its records keep batch order.
    let b1 = engine.apply(&mut b, annotate("b1")).unwrap();
    let b2 = engine.apply(&mut b, assign("王芳")).unwrap();
    let (c, c0) = engine.create(clerk(), "clerk", case("c"), None).unwrap();
    let a2 = engine.apply(&mut a, annotate("a2")).unwrap();
    let batch_b = [b1, b2];
    let head = store
        .append_batch(&[
            Append {
                instance: b.id(),
                expected_seq: 1,
                records: &batch_b,
                due_at: None,
            },
            Append {
                instance: c.id(),
                expected_seq: 0,
                records: std::slice::from_ref(&c0),
                due_at: None,
            },
            Append {
                instance: a.id(),
                expected_seq: 2,
                records: std::slice::from_ref(&a2),
                due_at: None,
            },
        ])
        .unwrap();
    expected.extend(batch_b);
    expected.push(c0);
    expected.push(a2);
    let b3 = engine.apply(&mut b, hear()).unwrap();
    let last = append(&store, b.id(), 3, std::slice::from_ref(&b3));
    expected.push(b3);
    assert_eq!(head.size, 7);

    let n = expected.len();
    assert_eq!(store.scan(0, usize::MAX).unwrap(), expected);
    for from in 0..=n + 2 {
        for limit in [0, 1, 2, 3, n + 5] {
            let want: Vec<AuditRecord> = expected.iter().skip(from).take(limit).cloned().collect();
            assert_eq!(store.scan(from as u64, limit).unwrap(), want, "scan({from}, {limit})");
        }
    }
    let leaves: Vec<Digest> = expected.iter().map(record_leaf).collect();
    let tree = TreeHead {
        size: n as u64,
        root: root_of(&leaves),
    };
    assert_eq!(last, tree, "append returns the new tree head");
    assert_eq!(store.tree_head().unwrap(), tree);
    assert_eq!(store.head(b.id()).unwrap().state, "heard");
    assert_eq!(store.load(a.id()).unwrap().len(), 3);
}

/// A stale, early or repeated `expected_seq` is a typed `Conflict` that writes nothing.
pub fn conflicts<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let engine = sample::engine();
    let (mut a, _) = grow(&store, &engine, "a", 0);
    let id = a.id();
    // Another writer loaded the instance at seq 1 too.
    let mut rival = a.clone();
    let r2 = engine.apply(&mut a, annotate("first")).unwrap();
    append(&store, id, 1, std::slice::from_ref(&r2));
    let late = engine.apply(&mut rival, annotate("second")).unwrap();
    let before = everything(&store);

    assert_conflict(
        store.append(Append {
            instance: id,
            expected_seq: 1,
            records: std::slice::from_ref(&late),
            due_at: None,
        }),
        id,
        1,
        2,
    );
    assert_conflict(
        store.append(Append {
            instance: id,
            expected_seq: 5,
            records: std::slice::from_ref(&late),
            due_at: None,
        }),
        id,
        5,
        2,
    );
    let (again, created) = engine.create(clerk(), "clerk", case("again"), None).unwrap();
    let mut recreate = created.clone();
    recreate.instance = id;
    let recreate = rehash(recreate);
    assert_conflict(
        store.append(Append {
            instance: id,
            expected_seq: 0,
            records: std::slice::from_ref(&recreate),
            due_at: None,
        }),
        id,
        0,
        2,
    );
    assert_conflict(
        store.append(Append {
            instance: again.id(),
            expected_seq: 3,
            records: std::slice::from_ref(&created),
            due_at: None,
        }),
        again.id(),
        3,
        0,
    );
    assert_eq!(everything(&store), before, "a conflict writes nothing");
    assert!(matches!(store.head(again.id()), Err(StoreError::NotFound { .. })));
    assert_eq!(store.load(id).unwrap()[1], r2);
}

/// A batch is all or nothing: one bad append in it leaves the records, the heads and
/// the tree head untouched.
pub fn atomicity<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let engine = sample::engine();
    let (mut a, _) = grow(&store, &engine, "a", 0);
    let (mut b, _) = grow(&store, &engine, "b", 0);
    let before = everything(&store);

    let a2 = engine.apply(&mut a.clone(), annotate("a2")).unwrap();
    let mut b2 = engine.apply(&mut b.clone(), annotate("b2")).unwrap();
    b2.note = Some("changed after hashing".to_owned());
    let result = store.append_batch(&[
        Append {
            instance: a.id(),
            expected_seq: 1,
            records: std::slice::from_ref(&a2),
            due_at: None,
        },
        Append {
            instance: b.id(),
            expected_seq: 1,
            records: std::slice::from_ref(&b2),
            due_at: None,
        },
    ]);
    assert_invalid(result, b.id(), 2);
    assert_eq!(everything(&store), before, "a refused batch writes nothing");

    let (c, c0) = engine.create(clerk(), "clerk", case("c"), None).unwrap();
    let b2 = engine.apply(&mut b.clone(), annotate("b2")).unwrap();
    let result = store.append_batch(&[
        Append {
            instance: c.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&c0),
            due_at: None,
        },
        Append {
            instance: b.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&b2),
            due_at: None,
        },
    ]);
    assert_conflict(result, b.id(), 0, 1);
    assert_eq!(everything(&store), before, "a conflicting batch writes nothing");
    assert!(matches!(store.load(c.id()), Err(StoreError::NotFound { .. })));

    // Two appends to one instance in one batch: the second continues the first...
    let a2 = engine.apply(&mut a, annotate("a2")).unwrap();
    let a3 = engine.apply(&mut a, annotate("a3")).unwrap();
    let head = store
        .append_batch(&[
            Append {
                instance: a.id(),
                expected_seq: 1,
                records: std::slice::from_ref(&a2),
                due_at: None,
            },
            Append {
                instance: a.id(),
                expected_seq: 2,
                records: std::slice::from_ref(&a3),
                due_at: None,
            },
        ])
        .unwrap();
    assert_eq!(head.size, before.0.size + 2);
    assert_eq!(store.head(a.id()).unwrap().seq, 3);
    // ...and two that both start from the same sequence number conflict.
    let before = everything(&store);
    let a4 = engine.apply(&mut a.clone(), annotate("a4")).unwrap();
    let b2 = engine.apply(&mut b, annotate("b2")).unwrap();
    let result = store.append_batch(&[
        Append {
            instance: b.id(),
            expected_seq: 1,
            records: std::slice::from_ref(&b2),
            due_at: None,
        },
        Append {
            instance: a.id(),
            expected_seq: 3,
            records: std::slice::from_ref(&a4),
            due_at: None,
        },
        Append {
            instance: a.id(),
            expected_seq: 3,
            records: std::slice::from_ref(&a4),
            due_at: None,
        },
    ]);
    assert_conflict(result, a.id(), 3, 4);
    assert_eq!(everything(&store), before);

    // Nothing to append is not an error and changes nothing.
    assert_eq!(store.append_batch(&[]).unwrap(), before.0);
    assert_eq!(append(&store, a.id(), 3, &[]), before.0);
    assert_eq!(everything(&store), before);
    assert!(sample::verify(&store).unwrap().is_ok());
}

/// Records that do not continue the chain are refused with `InvalidAppend`, naming
/// the instance and the record, and nothing is written.
pub fn invalid_appends<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let engine = sample::engine();
    let (a, _) = grow(&store, &engine, "a", 0);
    let (b, _) = grow(&store, &engine, "b", 0);
    let id = a.id();
    let mut next = a.clone();
    let good = engine.apply(&mut next, annotate("good")).unwrap();
    let good3 = engine.apply(&mut next.clone(), annotate("good 3")).unwrap();
    let before = everything(&store);
    let try_append = |records: &[AuditRecord]| {
        store.append(Append {
            instance: id,
            expected_seq: 1,
            records,
            due_at: None,
        })
    };

    let mut wrong_seq = good.clone();
    wrong_seq.seq = 3;
    assert_invalid(try_append(&[rehash(wrong_seq)]), id, 2);

    let mut broken_link = good.clone();
    broken_link.prev_hash = Digest::of(b"not the previous record");
    assert_invalid(try_append(&[rehash(broken_link)]), id, 2);

    let mut tampered = good.clone();
    {
        let mut changed = tampered.payload.to_value();
        changed["text"] = "changed".into();
        tampered.payload = changed.into();
    }
    assert_invalid(try_append(&[tampered]), id, 2);

    let mut tampered3 = good3.clone();
    tampered3.actor.id = "someone.else".into();
    assert_invalid(try_append(&[good.clone(), tampered3]), id, 3);

    let mut other_instance = good.clone();
    other_instance.instance = b.id();
    assert_invalid(try_append(&[rehash(other_instance)]), id, 2);

    let (_, created) = engine.create(clerk(), "clerk", case("x"), None).unwrap();
    let mut second_creation = created.clone();
    second_creation.instance = id;
    second_creation.seq = 2;
    second_creation.prev_hash = good.prev_hash;
    assert_invalid(try_append(&[rehash(second_creation)]), id, 2);

    let mut other_definition = good.clone();
    other_definition.definition.name = OTHER.into();
    assert_invalid(try_append(&[rehash(other_definition)]), id, 2);

    let fresh = Uuid::now_v7();
    let mut no_creation = good.clone();
    no_creation.instance = fresh;
    no_creation.seq = 1;
    no_creation.prev_hash = Digest::ZERO;
    assert_invalid(
        store.append(Append {
            instance: fresh,
            expected_seq: 0,
            records: &[rehash(no_creation)],
            due_at: None,
        }),
        fresh,
        1,
    );

    assert_eq!(everything(&store), before, "refused appends write nothing");
    assert!(matches!(store.head(fresh), Err(StoreError::NotFound { .. })));
    assert_eq!(try_append(&[good, good3]).unwrap().size, before.0.size + 2);
    assert!(sample::verify(&store).unwrap().is_ok());
}

/// `verify_store` passes on a good store, replays every instance with its
/// definition, and names instances whose definition it was not given.
pub fn verify_whole_store<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.records, report.instances), (0, 0));

    let engine = sample::engine();
    let others = sample::engine_named(OTHER);
    let (mut a, _) = grow(&store, &engine, "a", 3);
    let (_, _) = grow(&store, &others, "d", 2);
    let (mut b, _) = grow(&store, &engine, "b", 0);
    let seq = a.seq();
    let r = [
        engine.apply(&mut a, assign("")).unwrap(),
        engine.apply(&mut a, assign("王芳")).unwrap(),
        engine.apply(&mut a, hear()).unwrap(),
        engine.apply(&mut a, sample::close("驳回")).unwrap(),
    ];
    append(&store, a.id(), seq, &r);
    let rb = engine.apply(&mut b, annotate("b")).unwrap();
    append(&store, b.id(), 1, &[rb]);
    let size = store.tree_head().unwrap().size;
    assert_eq!(size, 4 + 3 + 1 + 4 + 1);

    let mut seen = Vec::new();
    let report = verify_store(&store, None, sample::replay(), &mut |done, total| {
        seen.push((done, total))
    })
    .unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, size);
    assert_eq!(report.instances, 3);
    assert_eq!(report.replayed, 3);
    assert_eq!(report.computed, Some(store.tree_head().unwrap()));
    assert_eq!(seen.last(), Some(&(size, size)));

    let only_cases = sample::definition(CASE);
    let report = verify_store(
        &store,
        None,
        |head: &InstanceHead, records: &[AuditRecord]| {
            (head.definition.name == CASE).then(|| only_cases.verify(records))
        },
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(report.replayed, 2);
    assert_eq!(report.problems.len(), 1);
    assert!(matches!(
        &report.problems[0],
        StoreProblem::UnknownDefinition { definition, .. } if definition.name == OTHER
    ));
}

/// A repository snapshots every N records; loading reads the snapshot and only the
/// records after it, and gives the same instance as a full replay.
pub fn snapshots<S: Store>(make: &dyn Fn() -> S) {
    let repo = Repository::new(sample::engine(), Counting::new(make())).snapshot_every(4);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("long"), None).unwrap();
    let id = inst.id();
    assert_eq!(repo.store().snapshot(id).unwrap(), None);
    for i in 0..9 {
        repo.apply(&mut inst, annotate(&format!("note {i}"))).unwrap();
    }
    assert_eq!(inst.seq(), 10);
    let snap = repo.store().snapshot(id).unwrap().expect("a snapshot at record 8");
    let log = repo.store().inner().load(id).unwrap();
    assert_eq!(snap.seq, 8);
    assert_eq!(snap.last_hash, log[7].hash);
    assert_eq!(snap.state, "filed");
    assert_eq!(snap.data["notes"].as_array().map(Vec::len), Some(7));

    repo.store().reset();
    let loaded = repo.load(id).unwrap();
    assert_eq!(
        repo.store().full_loads(),
        0,
        "a load with a snapshot does not read the whole log"
    );
    assert_eq!(
        repo.store().partial_loads(),
        [(8, 2)],
        "only the two records after the snapshot"
    );
    assert_eq!(loaded, inst);
    assert_eq!(loaded, repo.verify(id).unwrap());

    // The newest snapshot replaces the older one, and round-trips exactly.
    for i in 0..2 {
        repo.apply(&mut inst, annotate(&format!("more {i}"))).unwrap();
    }
    let snap = repo.store().snapshot(id).unwrap().expect("a snapshot at record 12");
    assert_eq!(snap.seq, 12);
    assert_eq!(snap, inst.snapshot().unwrap());

    // A snapshot must belong to a known instance and may not be ahead of its log.
    let mut ahead = snap.clone();
    ahead.seq = 13;
    match repo.store().put_snapshot(&ahead) {
        Err(StoreError::InvalidAppend { instance, seq, .. }) => assert_eq!((instance, seq), (id, 13)),
        other => panic!("a snapshot ahead of the log must be refused, got {other:?}"),
    }
    let mut stranger = snap.clone();
    stranger.instance = Uuid::now_v7();
    assert!(matches!(
        repo.store().put_snapshot(&stranger),
        Err(StoreError::NotFound { instance }) if instance == stranger.instance
    ));
    assert_eq!(repo.store().snapshot(stranger.instance).unwrap(), None);
    assert_eq!(repo.store().snapshot(id).unwrap(), Some(snap));
}

/// A forged snapshot may mislead a cached load, but never verification: that replays
/// the log and checks every cached snapshot against it, field by field, naming the
/// instance, the snapshot's record and what differs. A snapshot that does not fit the
/// log is not used by load at all, and verification reports it too.
pub fn snapshots_never_trusted_by_verify<S: Store>(make: &dyn Fn() -> S) {
    let repo = Repository::new(sample::engine(), make()).snapshot_every(3);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("真实"), None).unwrap();
    let id = inst.id();
    for i in 0..4 {
        repo.apply(&mut inst, annotate(&format!("n{i}"))).unwrap();
    }
    let good = repo.store().snapshot(id).unwrap().expect("a snapshot at record 3");
    assert_eq!(good.seq, 3);
    let report = sample::verify(repo.store()).unwrap();
    assert!(report.is_ok(), "a true snapshot verifies: {report}");

    // A forged snapshot that links correctly but lies about the data and the state.
    let mut forged = good.clone();
    forged.data["title"] = "伪造".into();
    forged.state = "assigned".to_owned();
    repo.store().put_snapshot(&forged).unwrap();
    let truth = repo.verify(id).unwrap();
    assert_eq!(truth, inst);
    assert_eq!(truth.data().title, "真实");
    let report = sample::verify(repo.store()).unwrap();
    assert_eq!(report.replayed, 1, "the log itself still replays: {report}");
    let fields: Vec<&str> = report
        .problems
        .iter()
        .map(|p| match p {
            StoreProblem::SnapshotMismatch {
                instance, seq, field, ..
            } => {
                assert_eq!((*instance, *seq), (id, 3), "{report}");
                *field
            }
            other => panic!("expected only snapshot mismatches, got {other}"),
        })
        .collect();
    assert_eq!(fields, ["state", "data"], "{report}");
    assert!(
        report.to_string().contains("伪造"),
        "the forged value is shown: {report}"
    );
    // Without a replay of the data, the state is still checked against the records.
    let report = verify_store(repo.store(), None, sample::replay(), &mut |_, _| {}).unwrap();
    assert!(
        matches!(
            report.problems.as_slice(),
            [StoreProblem::SnapshotMismatch { field: "state", .. }]
        ),
        "{report}"
    );

    // A snapshot that does not link to the log is ignored by load, and reported.
    let mut stale = good;
    stale.last_hash = Digest::of(b"another history");
    stale.data["title"] = "过期".into();
    repo.store().put_snapshot(&stale).unwrap();
    assert_eq!(repo.load(id).unwrap(), inst);
    let report = sample::verify(repo.store()).unwrap();
    let fields: Vec<&str> = report
        .problems
        .iter()
        .filter_map(|p| match p {
            StoreProblem::SnapshotMismatch { field, .. } => Some(*field),
            _ => None,
        })
        .collect();
    assert_eq!(fields, ["data", "last_hash"], "{report}");
    assert_eq!(report.problems.len(), 2, "{report}");
}

/// Checkpoints: a store extends its own earlier checkpoints, not those of another
/// history, and a checkpoint larger than the store reveals a truncation.
pub fn checkpoints<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let empty = Checkpoint::new(store.tree_head().unwrap(), Utc::now());
    assert_eq!((empty.size(), empty.root()), (0, empty_root()));
    assert_eq!(verify_against_checkpoint(&store, &empty).unwrap(), None);

    let engine = sample::engine();
    let (mut a, _) = grow(&store, &engine, "a", 2);
    let (_, _) = grow(&store, &engine, "b", 1);
    let cp = Checkpoint::new(store.tree_head().unwrap(), Utc::now());
    assert_eq!(cp.size(), 5);
    let text = CheckpointNote::unsigned(&cp).to_text();
    assert_eq!(CheckpointNote::parse(&text).unwrap().checkpoint(), &cp);
    assert_eq!(verify_against_checkpoint(&store, &cp).unwrap(), None);

    let seq = a.seq();
    let r = [
        engine.apply(&mut a, assign("王芳")).unwrap(),
        engine.apply(&mut a, hear()).unwrap(),
    ];
    append(&store, a.id(), seq, &r);
    grow(&store, &engine, "c", 0);
    assert_eq!(
        verify_against_checkpoint(&store, &cp).unwrap(),
        None,
        "an extended log passes"
    );
    assert_eq!(verify_against_checkpoint(&store, &empty).unwrap(), None);
    let report = verify_store(&store, Some(&cp), sample::replay(), &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");

    // The checkpoint of another history of the same length.
    let other = make();
    grow(&other, &engine, "x", 4);
    let foreign = Checkpoint::new(other.tree_head().unwrap(), Utc::now());
    assert_eq!(foreign.size(), cp.size());
    let mismatch = CheckpointMismatch::RootDiffers {
        size: cp.size(),
        expected: foreign.root(),
        found: cp.root(),
    };
    assert_eq!(
        verify_against_checkpoint(&store, &foreign).unwrap(),
        Some(mismatch.clone())
    );
    let report = verify_store(&store, Some(&foreign), sample::replay(), &mut |_, _| {}).unwrap();
    assert_eq!(report.problems, [StoreProblem::Checkpoint(mismatch)]);

    // A checkpoint of more records than the store holds.
    let size = store.tree_head().unwrap().size;
    let later = Checkpoint::new(
        TreeHead {
            size: size + 3,
            root: Digest::of(b"later"),
        },
        Utc::now(),
    );
    let truncated = CheckpointMismatch::Truncated {
        checkpoint: size + 3,
        store: size,
    };
    assert_eq!(
        verify_against_checkpoint(&store, &later).unwrap(),
        Some(truncated.clone())
    );
    let report = verify_store(&store, Some(&later), sample::replay(), &mut |_, _| {}).unwrap();
    assert_eq!(report.problems, [StoreProblem::Checkpoint(truncated)]);
}

/// Eight threads sharing one store handle race to advance the same three instances;
/// every acknowledged record is there exactly once, with contiguous sequence numbers.
pub fn concurrent_writers<S: Store>(make: &dyn Fn() -> S) {
    const THREADS: usize = 8;
    const STEPS: usize = 10;
    let store = make();
    let definition = Arc::new(sample::definition(CASE));
    let engine = sample::engine_for(&definition);
    let instances: Vec<Uuid> = (0..3)
        .map(|i| grow(&store, &engine, &format!("i{i}"), 0).0.id())
        .collect();
    let acknowledged: Vec<(Uuid, AuditRecord)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = &store;
                let definition = &definition;
                let instances = &instances;
                scope.spawn(move || {
                    let repo = Repository::new(sample::engine_for(definition), store).snapshot_every(5);
                    (0..STEPS)
                        .map(|i| {
                            let id = instances[(t + i) % instances.len()];
                            let (_, record) = repo.execute(id, annotate(&format!("t{t} s{i}")), 10_000).unwrap();
                            (id, record)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(acknowledged.len(), THREADS * STEPS);
    let mut found: HashMap<Uuid, usize> = HashMap::new();
    let mut total = 0;
    for id in &instances {
        let log = store.load(*id).unwrap();
        for (i, r) in log.iter().enumerate() {
            assert_eq!(r.seq, i as u64 + 1, "contiguous sequence numbers");
            *found.entry(r.id).or_default() += 1;
        }
        assert_eq!(store.head(*id).unwrap().seq, log.len() as u64);
        assert!(matches!(log[0].outcome, Outcome::Created));
        total += log.len();
    }
    assert_eq!(total, instances.len() + THREADS * STEPS, "no lost or extra records");
    for (id, r) in &acknowledged {
        assert_eq!(
            found.get(&r.id),
            Some(&1),
            "acknowledged record {} present exactly once",
            r.id
        );
        assert_eq!(store.load(*id).unwrap()[(r.seq - 1) as usize], *r);
    }
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, total as u64);
}

/// Bulk work: batches of many instances' records in one transaction each, more records
/// than one page of `verify_store`'s scan, read back page by page and verified.
pub fn bulk_batches<S: Store>(make: &dyn Fn() -> S) {
    const INSTANCES: usize = 220;
    const PER_INSTANCE: usize = 20;
    const PER_BATCH: usize = 55;
    let store = make();
    let engine = sample::engine();
    let mut logs: Vec<Vec<AuditRecord>> = Vec::with_capacity(INSTANCES);
    for i in 0..INSTANCES {
        let (mut inst, created) = engine
            .create(clerk(), "clerk", case(&format!("bulk {i}")), None)
            .unwrap();
        let mut log = vec![created];
        for n in 1..PER_INSTANCE {
            log.push(engine.apply(&mut inst, annotate(&format!("{i}.{n}"))).unwrap());
        }
        logs.push(log);
    }
    let mut expected: Vec<AuditRecord> = Vec::with_capacity(INSTANCES * PER_INSTANCE);
    for chunk in logs.chunks(PER_BATCH) {
        let batch: Vec<Append<'_>> = chunk
            .iter()
            .map(|log| Append {
                instance: log[0].instance,
                expected_seq: 0,
                records: log,
                due_at: None,
            })
            .collect();
        let head = store.append_batch(&batch).unwrap();
        expected.extend(chunk.iter().flatten().cloned());
        assert_eq!(head.size, expected.len() as u64);
    }
    let total = INSTANCES * PER_INSTANCE;
    assert!(total > 4096, "more than one verify page");
    let mut paged = Vec::with_capacity(total);
    loop {
        let page = store.scan(paged.len() as u64, 1000).unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert!(paged == expected, "paged scan returns the records in batch order");
    assert_eq!(store.scan(4100, 3).unwrap(), expected[4100..4103].to_vec());
    let leaves: Vec<Digest> = expected.iter().map(record_leaf).collect();
    assert_eq!(store.tree_head().unwrap().root, root_of(&leaves));
    assert_eq!(store.list(&InstanceFilter::all()).unwrap().len(), INSTANCES);
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.records, report.replayed), (total as u64, INSTANCES as u64));
}

/// Verification while other writers append (several servers sharing one database):
/// every report on the live store is clean, and the store verifies once they stop.
pub fn verify_while_writing<S: Store>(make: &dyn Fn() -> S) {
    const WRITERS: usize = 2;
    const STEPS: usize = 60;
    let store = make();
    let definition = Arc::new(sample::definition(CASE));
    let done = std::sync::atomic::AtomicUsize::new(0);
    let reports: Vec<StoreReport> = std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let (store, definition, done) = (&store, &definition, &done);
            scope.spawn(move || {
                let engine = sample::engine_for(definition);
                let repo = Repository::new(sample::engine_for(definition), store);
                let mut ids = Vec::new();
                for i in 0..STEPS {
                    // New instances and longer logs, so heads and the tree both move.
                    if i % 10 == 0 {
                        ids.push(grow(store, &engine, &format!("w{w} i{i}"), 0).0.id());
                    } else {
                        let id = ids[i % ids.len()];
                        repo.execute(id, annotate(&format!("w{w} s{i}")), 100).unwrap();
                    }
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let mut reports = Vec::new();
        while done.load(std::sync::atomic::Ordering::SeqCst) < WRITERS {
            reports.push(sample::verify(&store).unwrap());
        }
        reports
    });
    for report in &reports {
        assert!(report.is_ok(), "a verification during appends reported: {report}");
    }
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, (WRITERS * STEPS) as u64);
}

/// Claims: taken in the same transaction as the records; a key held by another
/// record (of another instance, or of the same one) refuses the whole append and
/// writes nothing; claiming again what one holds changes nothing; a holder that is
/// no record is refused; past records may be given claims; `verify_claims` finds
/// missing and forged claims; many threads racing for one key: exactly one wins.
pub fn claims<S: Store>(make: &dyn Fn() -> S) {
    const NS: &str = "document_number";
    let store = make();
    let engine = sample::engine();
    let (a, a_log) = grow(&store, &engine, "甲", 0);
    let (mut b, _) = grow(&store, &engine, "乙", 0);
    assert_eq!(store.claim(NS, "红林法〔2023〕15号").unwrap(), None);
    assert!(store.claims(NS).unwrap().is_empty());

    // A claim by a record of the batch.
    let mut a2 = a.clone();
    let r = engine.apply(&mut a2, annotate("publish 15")).unwrap();
    let key = "红林法〔2023〕15号";
    store
        .append_claiming(
            &[Append {
                instance: a.id(),
                expected_seq: 1,
                records: std::slice::from_ref(&r),
                due_at: None,
            }],
            &[Claim::new(NS, key, a.id(), 2)],
        )
        .unwrap();
    let holder = ClaimHolder {
        instance: a.id(),
        seq: 2,
    };
    assert_eq!(store.claim(NS, key).unwrap(), Some(holder));
    assert_eq!(store.claim("other", key).unwrap(), None);
    assert_eq!(store.claims(NS).unwrap(), vec![Claim::new(NS, key, a.id(), 2)]);

    // Another instance claiming the same key: refused, nothing written.
    let before = everything(&store);
    let rb = engine.apply(&mut b, annotate("publish 15 too")).unwrap();
    let refused = store.append_claiming(
        &[Append {
            instance: b.id(),
            expected_seq: 1,
            records: std::slice::from_ref(&rb),
            due_at: None,
        }],
        &[
            Claim::new(NS, "红林法〔2023〕16号", b.id(), 2),
            Claim::new(NS, key, b.id(), 2),
        ],
    );
    match refused {
        Err(StoreError::Claimed {
            namespace,
            key: k,
            holder: h,
            claimant,
        }) => {
            assert_eq!((namespace.as_str(), k.as_str(), h), (NS, key, holder));
            assert_eq!(
                claimant,
                ClaimHolder {
                    instance: b.id(),
                    seq: 2
                }
            );
        }
        other => panic!("expected Claimed, got {other:?}"),
    }
    assert_eq!(everything(&store), before, "a refused claim wrote something");
    assert_eq!(
        store.claim(NS, "红林法〔2023〕16号").unwrap(),
        None,
        "half a claim set was written"
    );

    // Another record of the same instance: refused too.
    let mut a3 = a2.clone();
    let r3 = engine.apply(&mut a3, annotate("again")).unwrap();
    let again = store.append_claiming(
        &[Append {
            instance: a.id(),
            expected_seq: 2,
            records: std::slice::from_ref(&r3),
            due_at: None,
        }],
        &[Claim::new(NS, key, a.id(), 3)],
    );
    assert!(matches!(again, Err(StoreError::Claimed { .. })), "{again:?}");
    assert_eq!(everything(&store), before);

    // Two claims of one key in one batch for different records: refused.
    let twice = store.append_claiming(
        &[Append {
            instance: a.id(),
            expected_seq: 2,
            records: std::slice::from_ref(&r3),
            due_at: None,
        }],
        &[Claim::new(NS, "k", a.id(), 3), Claim::new(NS, "k", a.id(), 1)],
    );
    assert!(matches!(twice, Err(StoreError::Claimed { .. })), "{twice:?}");
    // A holder that is no record: refused.
    let nowhere = store.append_claiming(&[], &[Claim::new(NS, "k", a.id(), 9)]);
    assert_invalid(nowhere, a.id(), 9);
    let unknown = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);
    assert_invalid(
        store.append_claiming(&[], &[Claim::new(NS, "k", unknown, 1)]),
        unknown,
        1,
    );
    assert_eq!(everything(&store), before);
    assert_eq!(store.claims(NS).unwrap().len(), 1);

    // The same claim again by its holder changes nothing; a past record may be
    // given a claim (a store created before claims existed).
    store.append_claiming(&[], &[Claim::new(NS, key, a.id(), 2)]).unwrap();
    store
        .append_claiming(&[], &[Claim::new(NS, "红林法〔2022〕1号", a_log[0].instance, 1)])
        .unwrap();
    assert_eq!(store.claims(NS).unwrap().len(), 2);
    assert_eq!(everything(&store), before);

    // verify_claims: what the log makes against what the store holds.
    let expected = vec![
        Claim::new(NS, key, a.id(), 2),
        Claim::new(NS, "红林法〔2022〕1号", a.id(), 1),
    ];
    assert!(verify_claims(&store, NS, &expected).unwrap().is_empty());
    let problems = verify_claims(&store, NS, &expected[..1]).unwrap();
    assert_eq!(
        problems,
        vec![StoreProblem::Claim {
            namespace: NS.to_owned(),
            key: "红林法〔2022〕1号".to_owned(),
            problem: ClaimProblem::Forged {
                holder: ClaimHolder {
                    instance: a.id(),
                    seq: 1
                }
            },
        }]
    );
    let mut more = expected.clone();
    more.push(Claim::new(NS, "红林法〔2024〕2号", b.id(), 1));
    let problems = verify_claims(&store, NS, &more).unwrap();
    assert!(
        matches!(&problems[..], [StoreProblem::Claim { problem: ClaimProblem::Missing { holder }, .. }] if holder.instance == b.id()),
        "{problems:?}"
    );

    // Threads racing for one key, each on its own instance: exactly one wins.
    let store = make();
    let contenders: Vec<(Uuid, AuditRecord)> = (0..6)
        .map(|i| {
            let mut inst = grow(&store, &engine, &format!("c{i}"), 0).0;
            (inst.id(), engine.apply(&mut inst, annotate("race")).unwrap())
        })
        .collect();
    let barrier = std::sync::Barrier::new(contenders.len());
    let results: Vec<Result<TreeHead, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = contenders
            .iter()
            .map(|(id, r)| {
                let (store, barrier) = (&store, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    store.append_claiming(
                        &[Append {
                            instance: *id,
                            expected_seq: 1,
                            records: std::slice::from_ref(r),
                            due_at: None,
                        }],
                        &[Claim::new(NS, "race", *id, 2)],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::Claimed { .. }))),
        "{results:?}"
    );
    let holder = store.claim(NS, "race").unwrap().unwrap();
    assert_eq!(store.head(holder.instance).unwrap().seq, 2);
    assert_eq!(store.tree_head().unwrap().size, 7);
}

/// An accepted migration moves its instance's head (and its listing) onto the new
/// definition version, whether appended alone or in a batch after the creation; a
/// refused one leaves it; the instance continues under the new version and the store
/// verifies across versions.
pub fn migrations<S: Store>(make: &dyn Fn() -> S) {
    let store = make();
    let v1 = Arc::new(sample::versioned(CASE, 1));
    let v2 = Arc::new(sample::versioned(CASE, 2));
    let old = sample::engine_for(&v1);
    let new = old.for_definition(Arc::clone(&v2));
    let (mut a, _) = grow(&store, &old, "a", 1);
    let seq = a.seq();
    // No migrator role: refused, recorded under v1.
    let refused = new.migrate(&mut a, Migration::new(clerk(), "janitor")).unwrap();
    assert!(refused.is_refused());
    append(&store, a.id(), seq, &[refused]);
    assert_eq!(store.head(a.id()).unwrap().definition, *v1.reference());
    let accepted = new.migrate(&mut a, Migration::new(clerk(), "clerk")).unwrap();
    assert!(!accepted.is_refused());
    append(&store, a.id(), seq + 1, &[accepted]);
    assert_eq!(store.head(a.id()).unwrap().definition, *v2.reference());
    let continued = new.apply(&mut a, annotate("v2")).unwrap();
    append(&store, a.id(), seq + 2, &[continued]);
    assert_eq!(store.head(a.id()).unwrap().definition, *v2.reference());

    // Created and migrated in one batch.
    let (mut b, created) = old.create(clerk(), "clerk", case("b"), None).unwrap();
    let migrated = new.migrate(&mut b, Migration::new(clerk(), "clerk")).unwrap();
    append(&store, b.id(), 0, &[created, migrated]);
    let listed = store.list(&InstanceFilter::definition(CASE)).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|h| h.definition == *v2.reference()), "{listed:?}");

    let versions = Versions::new([v1, v2]).unwrap();
    let report = verify_store(
        &store,
        None,
        |_, records| Some(versions.verify(records)),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.replayed, 2);
    let repo = Repository::new(new, &store).with_versions(versions.clone()).unwrap();
    assert_eq!(repo.load(a.id()).unwrap().definition(), a.definition());
}

/// Deadlines: each head keeps when its state was entered and its due time as the
/// writer gave it; `due` lists the instances due before an instant, earliest first,
/// filtered like `list`; refusals and self-transitions move neither; and a head whose
/// due time differs from its log replayed is reported by `verify`.
pub fn deadlines<S: Store>(make: &dyn Fn() -> S) {
    use chrono::{TimeDelta, TimeZone};
    use regula_core::ManualClock;

    let store = make();
    let days = TimeDelta::days;
    let day = days(1);
    let t0 = Utc.with_ymd_and_hms(2025, 1, 31, 16, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let engine = Engine::new(sample::deadlined()).with_clock(clock.clone());
    let put = |instance: &Instance<Sample>, expected_seq: u64, records: &[AuditRecord]| {
        store.append(Append::of(instance, expected_seq, records)).unwrap();
    };

    // A: filed at t0, annotated on time, assigned at t0 + 1 day: due to be heard by +11.
    let (mut a, created) = engine.create(clerk(), "clerk", case("甲"), None).unwrap();
    assert_eq!(a.due_at(), Some(t0 + days(2)), "first_note: 2 days after creation");
    put(&a, 0, std::slice::from_ref(&created));
    clock.advance(TimeDelta::hours(3));
    let noted = engine.apply(&mut a, annotate("收到")).unwrap();
    assert_eq!(
        a.due_at(),
        None,
        "annotated: first_note is met, nothing else runs in filed"
    );
    put(&a, 1, std::slice::from_ref(&noted));
    clock.set(t0 + day);
    let assigned = engine.apply(&mut a, assign("王芳")).unwrap();
    put(&a, 2, std::slice::from_ref(&assigned));
    let head = store.head(a.id()).unwrap();
    assert_eq!(head.entered_at, t0 + day);
    assert_eq!(head.due_at, Some(t0 + days(11)));

    // B: filed at t0 + 1 day and never annotated: due at +3 (first_note).
    let (b, created) = engine.create(clerk(), "clerk", case("乙"), None).unwrap();
    put(&b, 0, std::slice::from_ref(&created));
    // C: filed, annotated, assigned and heard: nothing due.
    clock.set(t0 + days(2));
    let (mut c, created) = engine.create(clerk(), "clerk", case("丙"), None).unwrap();
    let mut log = vec![created];
    log.push(engine.apply(&mut c, annotate("a")).unwrap());
    log.push(engine.apply(&mut c, assign("赵六")).unwrap());
    log.push(engine.apply(&mut c, hear()).unwrap());
    put(&c, 0, &log);
    assert_eq!(store.head(c.id()).unwrap().due_at, None);
    assert_eq!(store.head(c.id()).unwrap().entered_at, t0 + days(2));
    // An instance of a definition without deadlines is never due.
    let (plain, _) = grow(&store, &sample::engine(), "丁", 1);

    let due = |before, filter: &InstanceFilter| ids(&store.due(before, filter).unwrap());
    let all = InstanceFilter::all();
    assert_eq!(
        due(t0 + days(3), &all),
        Vec::<Uuid>::new(),
        "due strictly before: B is due at +3"
    );
    assert_eq!(due(t0 + days(3) + TimeDelta::seconds(1), &all), vec![b.id()]);
    assert_eq!(due(t0 + days(12), &all), vec![b.id(), a.id()], "earliest due first");
    assert_eq!(
        due(
            t0 + days(12),
            &InstanceFilter::definition(sample::DEADLINED).in_state("assigned")
        ),
        vec![a.id()]
    );
    assert!(due(t0 + days(12), &InstanceFilter::definition(CASE)).is_empty());
    assert!(!due(t0 + days(400), &all).contains(&plain.id()));
    assert!(store.head(b.id()).unwrap().is_overdue(t0 + days(4)));

    // A refusal and a self-transition move neither the state's entry nor the due time.
    clock.set(t0 + days(5));
    let refused = engine.apply(&mut a, sample::close("提前")).unwrap();
    assert!(refused.is_refused());
    let note = engine.apply(&mut a, annotate("补充")).unwrap();
    put(&a, 3, &[refused, note]);
    let head = store.head(a.id()).unwrap();
    assert_eq!((head.entered_at, head.due_at), (t0 + day, Some(t0 + days(11))));
    assert_eq!(head.seq, 5);

    // Leaving the state meets the deadline: A drops off the list.
    clock.set(t0 + days(12));
    let heard = engine.apply(&mut a, hear()).unwrap();
    put(&a, 5, std::slice::from_ref(&heard));
    assert_eq!(due(t0 + days(30), &all), vec![b.id()]);
    let trail = engine.definition().trail(&store.load(a.id()).unwrap()).unwrap();
    let late: Vec<_> = trail.iter().filter(|e| !e.late.is_empty()).collect();
    assert_eq!(late.len(), 1, "only the hearing came late: {trail:?}");
    assert_eq!(late[0].seq, 6);
    assert_eq!(late[0].late[0].deadline, "hearing");
    assert_eq!(late[0].late[0].late_by, day);

    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report:?}");

    // A writer that gives a wrong due time (here none, as a writer ignorant of the
    // definition would) is caught by verify: the head is not evidence.
    clock.set(t0 + days(13));
    let (d, created) = engine.create(clerk(), "clerk", case("戊"), None).unwrap();
    assert!(d.due_at().is_some());
    store
        .append(Append::new(d.id(), 0, std::slice::from_ref(&created)))
        .unwrap();
    let report = sample::verify(&store).unwrap();
    assert_eq!(sample::heads_differing(&report), vec![(d.id(), "due_at")], "{report:?}");
}
