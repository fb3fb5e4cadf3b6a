//! The time rules: the engine refuses future and out-of-order times, back-dated events
//! keep both times, and replay and verification re-check the same rules, so a log whose
//! times were forged does not verify (issue 11, hole 1).
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Review, Step, clerk, definition, doc, engine, judge, president, t0};
use proptest::prelude::*;
use regula_core::{
    AuditRecord, Command, Definition, Digest, EngineError, MAX_CLOCK_SKEW, ReplayOptions, VerifyErrorKind, verify_chain,
};

fn submit(summary: &str) -> Step {
    Step::Submit {
        summary: summary.into(),
    }
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, d, 1, 0, 0).unwrap()
}

/// Re-seals a record whose content a test changed, and relinks the records after it,
/// as an attacker with write access would: every hash and link is right again.
fn reseal(log: &mut [AuditRecord]) {
    let mut prev = Digest::ZERO;
    for r in log.iter_mut() {
        r.prev_hash = prev;
        r.hash = r.compute_hash();
        prev = r.hash;
    }
}

#[test]
fn a_live_record_keeps_the_clock_as_both_times() {
    let (engine, _) = engine();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    assert_eq!(created.recorded_at, Some(t0()));
    assert_eq!(created.at, t0());
    let rec = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    assert_eq!((rec.at, rec.recorded_at), (t0(), Some(t0())));
    assert_eq!(inst.recorded_at(), t0());
    assert_eq!(inst.settled_at(), t0());
}

#[test]
fn a_future_time_is_refused_and_nothing_is_written() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let before = inst.clone();
    let far = Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap();
    let err = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")).at(far))
        .unwrap_err();
    assert!(
        matches!(err, EngineError::FutureTime { at, .. } if at == far),
        "{err:?}"
    );
    assert_eq!(inst, before);
    // Within the skew is allowed (another server's clock may be a little ahead) ...
    let near = t0() + MAX_CLOCK_SKEW;
    let rec = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")).at(near))
        .unwrap();
    assert_eq!(rec.at, near);
    // ... one nanosecond past it is not.
    clock.set(t0());
    let err = engine
        .apply(
            &mut inst,
            Command::new(clerk(), "clerk", Step::Comment { text: "c".into() })
                .at(t0() + MAX_CLOCK_SKEW + TimeDelta::nanoseconds(1)),
        )
        .unwrap_err();
    assert!(matches!(err, EngineError::FutureTime { .. }), "{err:?}");
    // A creation dated in the future is refused too.
    let err = engine.create_at(clerk(), "clerk", doc(), None, Some(far)).unwrap_err();
    assert!(matches!(err, EngineError::FutureTime { .. }), "{err:?}");
}

#[test]
fn a_back_dated_event_keeps_both_times_and_its_guards_judge_the_effective_time() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create_at(clerk(), "clerk", doc(), None, Some(day(1))).unwrap();
    clock.set(day(20));
    let rec = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")).at(day(2)))
        .unwrap();
    assert_eq!((rec.at, rec.recorded_at), (day(2), Some(day(20))));
    // Signing needs a day in review: judged at the effective time, not the clock's.
    let early = engine
        .apply(
            &mut inst,
            Command::new(judge(), "judge", Step::Sign).at(day(2) + TimeDelta::hours(12)),
        )
        .unwrap();
    assert!(early.is_refused());
    let late = engine
        .apply(&mut inst, Command::new(judge(), "judge", Step::Sign).at(day(3)))
        .unwrap();
    assert!(!late.is_refused(), "{late:?}");
    let log = [rec, early, late];
    assert!(log.iter().all(|r| r.at < r.recorded_at.unwrap()));
}

#[test]
fn events_are_entered_in_order_but_a_refusal_does_not_block_earlier_ones() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create_at(clerk(), "clerk", doc(), None, Some(day(1))).unwrap();
    clock.set(day(25));
    engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")).at(day(5)))
        .unwrap();
    // Before the last accepted record: refused, nothing written.
    let before = inst.clone();
    let err = engine
        .apply(&mut inst, Command::new(judge(), "judge", Step::Sign).at(day(4)))
        .unwrap_err();
    assert!(
        matches!(err, EngineError::BeforeLastRecord { settled, seq: 2, .. } if settled == day(5)),
        "{err:?}"
    );
    assert_eq!(inst, before);
    // A mistaken attempt dated the 20th is refused by a guard (a judge may not withdraw) ...
    let refused = engine
        .apply(
            &mut inst,
            Command::new(judge(), "judge", Step::Withdraw { reason: "r".into() }).at(day(20)),
        )
        .unwrap();
    assert!(refused.is_refused());
    assert_eq!(inst.settled_at(), day(5));
    // ... and the events of the 10th can still be entered after it.
    let signed = engine
        .apply(
            &mut inst,
            Command::new(president(), "president", Step::Sign).at(day(10)),
        )
        .unwrap();
    assert!(!signed.is_refused(), "{signed:?}");
    assert_eq!(inst.settled_at(), day(10));
}

#[test]
fn a_clock_far_behind_the_last_writer_does_not_write() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    clock.set(t0() - MAX_CLOCK_SKEW - TimeDelta::seconds(1));
    let err = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap_err();
    assert!(matches!(err, EngineError::ClockBehind { seq: 1, .. }), "{err:?}");
    // A little behind (within the skew) is raised to the last writing time.
    clock.set(t0() - TimeDelta::seconds(1));
    let rec = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    assert_eq!(rec.recorded_at, Some(t0()));
}

/// A log of three records written one day apart.
fn three_days() -> Vec<AuditRecord> {
    let (engine, clock) = engine();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    clock.advance(TimeDelta::days(1));
    let a = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    clock.advance(TimeDelta::days(1));
    let b = engine
        .apply(
            &mut inst,
            Command::new(clerk(), "clerk", Step::Comment { text: "c".into() }),
        )
        .unwrap();
    vec![created, a, b]
}

fn time_error(def: &Definition<Review>, log: &[AuditRecord], now: DateTime<Utc>) -> Option<(u64, String)> {
    match def.replay_with(log, ReplayOptions::verify_at(now)) {
        Err(e) => match e.kind {
            VerifyErrorKind::Time { message } => Some((e.seq, message)),
            other => panic!("expected a time error, got {other:?}"),
        },
        Ok(_) => None,
    }
}

#[test]
fn forged_times_do_not_verify_even_with_every_hash_right() {
    let def = definition();
    let now = t0() + TimeDelta::days(3);
    let log = three_days();
    assert_eq!(time_error(&def, &log, now), None);
    verify_chain(&log).unwrap();

    // The hole: record 2 in 2999, record 3 in the present.
    let mut forged = log.clone();
    let far = Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap();
    forged[1].at = far;
    forged[1].recorded_at = Some(far);
    reseal(&mut forged);
    let (seq, message) = time_error(&def, &forged, now).unwrap();
    assert_eq!(seq, 2, "{message}");
    assert!(verify_chain(&forged).is_err(), "record 3 is written before record 2");

    // Dated later than it was written (a future effective time).
    let mut forged = log.clone();
    forged[2].at = forged[2].recorded_at.unwrap() + MAX_CLOCK_SKEW + TimeDelta::seconds(1);
    reseal(&mut forged);
    assert_eq!(time_error(&def, &forged, now).map(|e| e.0), Some(3));

    // Written before the record before it.
    let mut forged = log.clone();
    forged[2].recorded_at = Some(t0());
    forged[2].at = t0();
    reseal(&mut forged);
    assert_eq!(time_error(&def, &forged, now).map(|e| e.0), Some(3));

    // Dated before the last accepted record.
    let mut forged = log.clone();
    forged[2].at = t0();
    reseal(&mut forged);
    assert_eq!(time_error(&def, &forged, now).map(|e| e.0), Some(3));

    // Written after the verifier's clock.
    assert_eq!(time_error(&def, &log, t0()).map(|e| e.0), Some(2));
}

#[test]
fn a_format_2_record_without_its_writing_time_is_malformed() {
    let mut log = three_days();
    log[1].recorded_at = None;
    reseal(&mut log);
    let err = verify_chain(&log).unwrap_err();
    assert_eq!(err.seq, 2);
    assert!(matches!(err.kind, VerifyErrorKind::Malformed { .. }), "{err}");
}

#[test]
fn a_log_never_goes_back_to_format_1() {
    let mut log = three_days();
    log[2].format = regula_core::FORMAT_V1;
    log[2].recorded_at = None;
    reseal(&mut log);
    let err = verify_chain(&log).unwrap_err();
    assert_eq!(err.seq, 3);
    assert!(matches!(err.kind, VerifyErrorKind::Malformed { .. }), "{err}");
}

/// One step of a generated session: move the clock, then attempt a comment dated some
/// minutes before or after it (or now).
#[derive(Clone, Debug)]
struct Step2 {
    clock_minutes: i64,
    offset_minutes: Option<i64>,
}

fn steps() -> impl Strategy<Value = Vec<Step2>> {
    prop::collection::vec(
        (-5i64..600, prop::option::of(-2_000i64..10)).prop_map(|(clock_minutes, offset_minutes)| Step2 {
            clock_minutes,
            offset_minutes,
        }),
        1..30,
    )
}

proptest! {
    /// Whatever times are asked for, the engine writes only what verification accepts:
    /// the two apply one set of rules.
    #[test]
    fn the_engine_writes_only_logs_whose_times_verify(steps in steps()) {
        let (engine, clock) = engine();
        let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
        let mut log = vec![created];
        for s in steps {
            clock.advance(TimeDelta::minutes(s.clock_minutes));
            let mut command = Command::new(clerk(), "clerk", Step::Comment { text: "c".into() });
            if let Some(offset) = s.offset_minutes {
                command = command.at(regula_core::Clock::now(&*clock) + TimeDelta::minutes(offset));
            }
            match engine.apply(&mut inst, command) {
                Ok(record) => log.push(record),
                Err(EngineError::FutureTime { .. } | EngineError::BeforeLastRecord { .. } | EngineError::ClockBehind { .. }) => {}
                Err(e) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
            }
        }
        // The verifier runs after the session (the clock may have been moved back).
        let now = regula_core::Clock::now(&*clock).max(inst.recorded_at());
        let replayed = definition().replay_with(&log, ReplayOptions::verify_at(now));
        prop_assert!(replayed.is_ok(), "{:?}", replayed.err());
        prop_assert_eq!(replayed.unwrap(), inst);
    }
}
