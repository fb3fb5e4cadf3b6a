//! An audited, guarded transition against a bare `match`, SHA-256 alone and rust-fsm;
//! replay and verify of a long log against SHA-256 of the same bytes.

use std::hint::black_box;

use regula_core::AuditRecord;
use sha2::{Digest as _, Sha256};

use crate::measure::{self, human};
use crate::report::{Report, Row};
use crate::sample::{self, Side};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    Submit,
    Return,
}

fn bare_match(state: Side, input: Input) -> Option<Side> {
    match (state, input) {
        (Side::Drafting, Input::Submit) => Some(Side::Reviewing),
        (Side::Reviewing, Input::Return) => Some(Side::Drafting),
        _ => None,
    }
}

struct PeerMachine;

impl rust_fsm::StateMachineImpl for PeerMachine {
    type Input = Input;
    type State = Side;
    type Output = ();
    const INITIAL_STATE: Side = Side::Drafting;

    fn transition(state: &Side, input: &Input) -> Option<Side> {
        bare_match(*state, *input)
    }

    fn output(_: &Side, _: &Input) -> Option<()> {
        None
    }
}

/// Runs the transition benchmarks.
pub fn run(report: &mut Report, quick: bool) {
    let n: u64 = if quick { 300_000 } else { 2_000_000 };
    let reps = if quick { 3 } else { 5 };
    let engine = sample::engine();
    let (clerk, judge) = sample::actors();

    // A representative record, for the hashing baseline: same bytes the engine hashes.
    let (mut inst, _) = engine
        .create(clerk.clone(), "clerk", Default::default(), None)
        .expect("create");
    let typical = engine
        .apply(&mut inst, sample::command(0, &clerk, &judge))
        .expect("apply");
    let bytes = typical.canonical_bytes();

    let audited = measure::rate(reps, n, |n| {
        let (mut inst, _) = engine
            .create(clerk.clone(), "clerk", Default::default(), None)
            .expect("create");
        for i in 0..n {
            let rec = engine
                .apply(&mut inst, sample::command(i, &clerk, &judge))
                .expect("apply");
            debug_assert!(!rec.is_refused());
            black_box(rec);
        }
    });
    let matched = measure::rate(reps, n * 10, |n| {
        let mut state = Side::Drafting;
        for i in 0..n {
            let input = if i % 2 == 0 { Input::Submit } else { Input::Return };
            state = bare_match(black_box(state), black_box(input)).unwrap_or(state);
        }
        black_box(state);
    });
    let hashed = measure::rate(reps, n, |n| {
        let mut acc = [0u8; 32];
        for _ in 0..n {
            let mut h = Sha256::new();
            h.update(black_box(&bytes));
            acc = h.finalize().into();
        }
        black_box(acc);
    });
    let peer = measure::rate(reps, n * 10, |n| {
        let mut machine = rust_fsm::StateMachine::<PeerMachine>::new();
        for i in 0..n {
            let input = if i % 2 == 0 { Input::Submit } else { Input::Return };
            let _ = black_box(machine.consume(&black_box(input)));
        }
        black_box(machine.state());
    });

    let per_sec = |x: f64| format!("{}/s", human(x));
    report.push(Row {
        section: "transition",
        what: format!(
            "audited guarded transition (record {} bytes, SHA-256 chained)",
            bytes.len()
        ),
        figure: per_sec(audited),
        baseline: format!("bare enum match {}", per_sec(matched)),
        ratio: Some(audited / matched),
        target: Some(("≥ 1,000,000/s on one core".into(), audited >= 1e6)),
    });
    report.push(Row {
        section: "transition",
        what: "audited transition vs hashing the same record bytes alone".into(),
        figure: per_sec(audited),
        baseline: format!("SHA-256 alone {}", per_sec(hashed)),
        ratio: Some(audited / hashed),
        target: Some(("≥ 0.5× hashing alone".into(), audited / hashed >= 0.5)),
    });
    report.push(Row {
        section: "transition",
        what: "audited transition vs rust-fsm 0.8 (same table, no audit)".into(),
        figure: per_sec(audited),
        baseline: format!("rust-fsm {}", per_sec(peer)),
        ratio: Some(audited / peer),
        target: None,
    });
}

/// Runs the replay benchmark.
pub fn replay(report: &mut Report, quick: bool) {
    let n: u64 = if quick { 200_000 } else { 1_000_000 };
    let engine = sample::engine();
    let (clerk, judge) = sample::actors();
    let (mut inst, created) = engine
        .create(clerk.clone(), "clerk", Default::default(), None)
        .expect("create");
    let mut log: Vec<AuditRecord> = Vec::with_capacity(n as usize);
    log.push(created);
    for i in 0..n - 1 {
        log.push(
            engine
                .apply(&mut inst, sample::command(i, &clerk, &judge))
                .expect("apply"),
        );
    }
    let definition = engine.definition().clone();
    let reps = if quick { 2 } else { 3 };
    let replayed = measure::rate(reps, n, |_| {
        let back = definition.replay(black_box(&log)).expect("the log verifies");
        assert_eq!(back.seq(), n);
    });
    let canonical: Vec<Vec<u8>> = log.iter().map(AuditRecord::canonical_bytes).collect();
    let hashed = measure::rate(reps, n, |_| {
        for b in &canonical {
            black_box(Sha256::digest(black_box(b)));
        }
    });
    let per_sec = |x: f64| format!("{}/s", human(x));
    report.push(Row {
        section: "replay",
        what: format!(
            "replay + verify a {}-record log (chain, table, roles, effects)",
            human(n as f64)
        ),
        figure: per_sec(replayed),
        baseline: format!("SHA-256 of the same bytes {}", per_sec(hashed)),
        ratio: Some(replayed / hashed),
        target: Some(("≥ 0.5× hashing alone".into(), replayed / hashed >= 0.5)),
    });
}
