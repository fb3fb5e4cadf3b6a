//! Group commit (`Court::apply_batch`): deciding attempts together and writing them
//! in one transaction gives the same records as applying them one by one.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use regula_core::{Command, MemoryStore, Store};
use regula_standards::lifecycle::{OpinionSource, StandardAction, roles};
use regula_standards::service::{Attempt, AttemptError, Court, IDEMPOTENCY_CLAIM};

const CODES: [&str; 3] = ["ADJ-01-08", "ADJ-01-09", "ADJ-01-14"];

fn imported<'a>(w: &World, store: &'a MemoryStore) -> Court<&'a MemoryStore> {
    let mut court = Court::open(store, w.catalog.clone(), |e| {
        e.with_clock(w.clock.clone())
            .with_ids(std::sync::Arc::new(regula_core::SeededIds::new(7)))
    })
    .unwrap();
    court.import(&w.office()).unwrap();
    court
}

/// One attempt of the alphabet, on standard `code`.
fn attempt(w: &World, kind: u8, code: usize, key: Option<u8>) -> Attempt {
    let (role, actor, action) = match kind % 6 {
        0 => (
            roles::DEPARTMENT,
            w.filing(),
            StandardAction::StartDrafting { summary: None },
        ),
        1 => (roles::DEPARTMENT, w.filing(), open_consultation()),
        2 => (roles::DEPARTMENT, w.filing(), opinion(OpinionSource::Frontline)),
        3 => (roles::DEPARTMENT, w.filing(), opinion(OpinionSource::Administrative)),
        4 => (roles::DEPARTMENT, w.filing(), StandardAction::CloseConsultation),
        _ => (
            roles::OFFICE,
            w.office(),
            publish(
                if code == 0 {
                    "红林法〔2023〕1号"
                } else {
                    "红林法〔2023〕2号"
                },
                w.today(),
            ),
        ),
    };
    Attempt {
        code: CODES[code % CODES.len()].to_owned(),
        command: Command::new(actor, role, action),
        key: key.map(|k| format!("key-{k}")),
        expected_seq: None,
    }
}

/// What an attempt came to: the record's hash, or that it wrote nothing.
fn outcome(r: &Result<regula_core::AuditRecord, AttemptError>) -> Option<regula_core::Digest> {
    r.as_ref().ok().map(|r| r.hash)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// With distinct keys (or none), a batch writes exactly the records one-by-one
    /// application writes: same hashes, same tree.
    #[test]
    fn a_batch_writes_what_one_by_one_writes(
        script in proptest::collection::vec((0u8..6, 0usize..3, any::<bool>()), 1..24),
        cut in 1usize..8,
    ) {
        let (w1, w2) = (World::new(), World::new());
        let (s1, s2) = (MemoryStore::default(), MemoryStore::default());
        let (mut one, mut batched) = (imported(&w1, &s1), imported(&w2, &s2));
        let mut sequential = Vec::new();
        for (i, (kind, code, keyed)) in script.iter().enumerate() {
            let a = attempt(&w1, *kind, *code, keyed.then_some(i as u8));
            sequential.push(one.apply_keyed(&a.code, a.command, a.key.as_deref()).map_err(AttemptError::from));
        }
        let mut together = Vec::new();
        for chunk in script.iter().enumerate().collect::<Vec<_>>().chunks(cut) {
            let attempts = chunk
                .iter()
                .map(|(i, (kind, code, keyed))| attempt(&w2, *kind, *code, keyed.then_some(*i as u8)))
                .collect();
            together.extend(batched.apply_batch(attempts));
        }
        let a: Vec<_> = sequential.iter().map(outcome).collect();
        let b: Vec<_> = together.iter().map(outcome).collect();
        prop_assert_eq!(a, b);
        prop_assert_eq!(s1.tree_head().unwrap(), s2.tree_head().unwrap());
        let report = batched.verify(None, &mut |_, _| ()).unwrap();
        prop_assert!(report.is_ok(), "{:?}", report.problems);
    }

    /// Keys repeated within and across batches: each key holds the one record its
    /// first attempt made, and every other attempt under it wrote nothing.
    #[test]
    fn a_repeated_key_writes_once(
        script in proptest::collection::vec((0u8..6, 0usize..3, 0u8..3), 1..24),
        cut in 1usize..8,
    ) {
        let w = World::new();
        let store = MemoryStore::default();
        let mut court = imported(&w, &store);
        let mut results = Vec::new();
        for chunk in script.chunks(cut) {
            let attempts = chunk.iter().map(|(kind, code, key)| attempt(&w, *kind, *code, Some(*key))).collect();
            results.extend(court.apply_batch(attempts));
        }
        for key in 0u8..3 {
            let name = format!("key-{key}");
            let used: Vec<usize> = script.iter().enumerate().filter(|(_, s)| s.2 == key).map(|(i, _)| i).collect();
            let written: Vec<usize> = used.iter().copied().filter(|i| results[*i].is_ok()).collect();
            prop_assert!(written.len() <= 1, "{name} wrote {written:?}");
            if let Some(first) = used.first() {
                // The first attempt under a key may only fail for a reason of its own
                // (no standard, say), never because of the key.
                if let Some(record) = court.keyed_record(&name).unwrap() {
                    prop_assert_eq!(written.len(), 1);
                    prop_assert_eq!(&record, results[written[0]].as_ref().unwrap());
                } else {
                    prop_assert!(results[*first].is_err());
                }
            }
        }
        prop_assert_eq!(store.claims(IDEMPOTENCY_CLAIM).unwrap().len(), results.iter().filter(|r| r.is_ok()).count());
        let report = court.verify(None, &mut |_, _| ()).unwrap();
        prop_assert!(report.is_ok(), "{:?}", report.problems);
    }
}

#[test]
fn an_attempt_on_a_log_that_moved_on_is_not_made() {
    let w = World::new();
    let store = MemoryStore::default();
    let mut court = imported(&w, &store);
    let seq = court.instance(CODES[0]).unwrap().seq();
    let mut first = attempt(&w, 0, 0, None);
    first.expected_seq = Some(seq);
    let mut second = attempt(&w, 1, 0, None);
    second.expected_seq = Some(seq);
    let results = court.apply_batch(vec![first, second]);
    assert!(results[0].is_ok());
    assert!(
        matches!(results[1], Err(AttemptError::Moved { seq: s, .. }) if s == seq + 1),
        "{:?}",
        results[1]
    );
    assert_eq!(court.instance(CODES[0]).unwrap().seq(), seq + 1);
}
