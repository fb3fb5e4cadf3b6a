//! Property tests of the engine on the sample definition.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use common::{Stage, Step, clerk, doc, engine, judge, president};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use regula_core::{Actor, AuditRecord, Command, Outcome, State};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("  ".to_owned()), "[a-z证据不足]{1,8}"]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        text().prop_map(|summary| Step::Submit { summary }),
        text().prop_map(|reason| Step::Return { reason }),
        text().prop_map(|summary| Step::Resubmit { summary }),
        Just(Step::Sign),
        text().prop_map(|text| Step::Comment { text }),
        text().prop_map(|reason| Step::Withdraw { reason }),
    ]
}

fn attempt() -> impl Strategy<Value = (usize, usize, Step, i64)> {
    (0usize..3, 0usize..3, step(), 0i64..40)
}

const ROLES: [&str; 3] = ["clerk", "judge", "president"];

fn actor(i: usize) -> Actor {
    [clerk(), judge(), president()][i].clone()
}

/// Runs the attempts, checking the per-step properties, and returns the log.
fn run(attempts: &[(usize, usize, Step, i64)]) -> (regula_core::Instance<common::Review>, Vec<AuditRecord>) {
    let (engine, clock) = engine();
    let def = engine.definition().clone();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let mut log = vec![created];
    for (who, role, step, hours) in attempts {
        clock.advance(TimeDelta::hours(*hours));
        let before = inst.clone();
        let rec = engine
            .apply(&mut inst, Command::new(actor(*who), ROLES[*role], step.clone()))
            .unwrap();
        match &rec.outcome {
            Outcome::Refused { reasons } => {
                assert!(!reasons.is_empty());
                assert_eq!(inst.state(), before.state(), "a refusal changed the state");
                assert_eq!(inst.data(), before.data(), "a refusal changed the data");
                assert_eq!(inst.entered_at(), before.entered_at());
            }
            Outcome::Accepted { to } => {
                let t = def
                    .transition(before.state(), &rec.action)
                    .expect("accepted without a table row");
                assert_eq!(t.to.name(), to);
                assert!(
                    t.roles.iter().any(|r| r == ROLES[*role]),
                    "accepted for a role the row does not allow"
                );
                assert_eq!(inst.state(), &t.to);
            }
            Outcome::Created => panic!("a later record claims creation"),
        }
        assert_eq!(inst.seq(), before.seq() + 1);
        log.push(rec);
    }
    (inst, log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn only_table_transitions_and_refusals_change_nothing(attempts in prop::collection::vec(attempt(), 0..40)) {
        let (inst, _) = run(&attempts);
        prop_assert!(common::STAGES.contains(inst.state()));
    }

    #[test]
    fn replay_equals_the_live_instance(attempts in prop::collection::vec(attempt(), 0..40)) {
        let (engine, _) = engine();
        let (inst, log) = run(&attempts);
        let replayed = engine.definition().replay(&log).unwrap();
        prop_assert_eq!(&replayed, &inst);
        // Through JSON Lines and back, too: the serialized log is the log.
        let text = AuditRecord::write_jsonl(&log);
        let read = AuditRecord::read_jsonl(&text).unwrap();
        prop_assert_eq!(engine.definition().replay(&read).unwrap(), inst);
    }

    #[test]
    fn flipping_any_byte_of_the_serialized_log_fails_verification(
        attempts in prop::collection::vec(attempt(), 1..12),
        position in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let (engine, _) = engine();
        let (_, log) = run(&attempts);
        let mut bytes = AuditRecord::write_jsonl(&log).into_bytes();
        let i = position.index(bytes.len());
        bytes[i] ^= mask;
        let verified = String::from_utf8(bytes)
            .ok()
            .and_then(|text| AuditRecord::read_jsonl(&text).ok())
            .map(|records| engine.definition().verify(&records));
        prop_assert!(
            !matches!(verified, Some(Ok(()))),
            "flipping byte {} with {:#04x} left a log that verifies", i, mask
        );
    }
}

#[test]
fn deep_states_are_reached_by_the_generator() {
    // Guards against a vacuous property run: the strategy does reach signed and
    // withdrawn, not only refusals.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(attempt(), 20..40);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..300 {
        let attempts = strategy.new_tree(&mut runner).unwrap().current();
        seen.insert(*run(&attempts).0.state());
    }
    assert!(
        seen.contains(&Stage::Signed) && seen.contains(&Stage::Withdrawn),
        "{seen:?}"
    );
}
