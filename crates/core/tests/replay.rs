//! Replay and verification: every kind of broken log is caught, with its record.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use common::{Review, Stage, Step, clerk, doc, engine, judge, president, reseal};
use regula_core::{
    AuditRecord, Command, Definition, Digest, Outcome, ReplayOptions, VerifyError, VerifyErrorKind, verify_chain,
};
use serde_json::json;

/// A log of six records: created, submitted, returned, resubmitted, a refusal, signed.
fn log() -> Vec<AuditRecord> {
    let (engine, clock) = engine();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let mut log = vec![created];
    let steps = [
        (clerk(), "clerk", Step::Submit { summary: "a".into() }),
        (
            judge(),
            "judge",
            Step::Return {
                reason: "证据不足".into(),
            },
        ),
        (clerk(), "clerk", Step::Resubmit { summary: "b".into() }),
        (clerk(), "clerk", Step::Sign),
        (president(), "president", Step::Sign),
    ];
    for (actor, role, step) in steps {
        clock.advance(TimeDelta::days(2));
        log.push(engine.apply(&mut inst, Command::new(actor, role, step)).unwrap());
    }
    assert!(log[4].is_refused());
    assert_eq!(inst.state(), &Stage::Signed);
    log
}

fn kind(def: &Definition<Review>, records: &[AuditRecord]) -> (u64, VerifyErrorKind) {
    let e = def.replay(records).unwrap_err();
    assert_eq!(e.instance, records.first().map_or(uuid::Uuid::nil(), |r| r.instance));
    (e.seq, e.kind)
}

#[test]
fn replay_rebuilds_the_live_instance() {
    let (engine, clock) = engine();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let mut records = vec![created];
    clock.advance(TimeDelta::days(1));
    records.push(
        engine
            .apply(
                &mut inst,
                Command::new(clerk(), "clerk", Step::Submit { summary: "x".into() }),
            )
            .unwrap(),
    );
    records.push(
        engine
            .apply(
                &mut inst,
                Command::new(judge(), "judge", Step::Comment { text: "c".into() }),
            )
            .unwrap(),
    );
    let replayed = engine.definition().replay(&records).unwrap();
    assert_eq!(replayed, inst);
    assert_eq!(verify_chain(&records).unwrap(), inst.last_hash());
    let strict = engine
        .definition()
        .replay_with(
            &records,
            ReplayOptions {
                recheck_guards: true,
                ..ReplayOptions::default()
            },
        )
        .unwrap();
    assert_eq!(strict, inst);
}

#[test]
fn empty_log() {
    let def = common::definition();
    assert_eq!(def.replay(&[]).unwrap_err().kind, VerifyErrorKind::Empty);
    assert_eq!(verify_chain(&[]).unwrap_err().kind, VerifyErrorKind::Empty);
}

#[test]
fn changed_content_is_a_hash_mismatch_at_its_record() {
    let def = common::definition();
    let mut records = log();
    records[2].payload = json!({"reason": "证据充分"}).into();
    let (seq, k) = kind(&def, &records);
    assert_eq!(seq, 3);
    assert!(matches!(k, VerifyErrorKind::HashMismatch { stored, .. } if stored == records[2].hash));
}

#[test]
fn resealed_forgery_breaks_the_next_link() {
    let def = common::definition();
    let mut records = log();
    records[1].payload = json!({"summary": "forged"}).into();
    records[1].hash = records[1].compute_hash();
    let (seq, k) = kind(&def, &records);
    assert_eq!(seq, 3);
    assert!(matches!(k, VerifyErrorKind::BrokenLink { .. }));
}

#[test]
fn missing_record_is_a_sequence_gap() {
    let def = common::definition();
    let mut records = log();
    records.remove(2);
    assert_eq!(
        kind(&def, &records),
        (3, VerifyErrorKind::SequenceGap { expected: 3, found: 4 })
    );
    assert_eq!(verify_chain(&records).unwrap_err().seq, 3);
}

#[test]
fn swapped_records_are_caught() {
    let def = common::definition();
    let mut records = log();
    records.swap(2, 3);
    assert_eq!(
        kind(&def, &records),
        (3, VerifyErrorKind::SequenceGap { expected: 3, found: 4 })
    );
}

#[test]
fn record_of_another_instance() {
    let def = common::definition();
    let mut records = log();
    let other = uuid::Uuid::from_u128(7);
    records[3].instance = other;
    assert_eq!(
        kind(&def, &records),
        (4, VerifyErrorKind::WrongInstance { found: other })
    );
}

#[test]
fn unknown_format() {
    let def = common::definition();
    let mut records = log();
    records[1].format = 9;
    assert_eq!(kind(&def, &records), (2, VerifyErrorKind::UnknownFormat { found: 9 }));
}

#[test]
fn creation_must_come_first_and_only_first() {
    let def = common::definition();
    let mut records = log();
    records[0].outcome = Outcome::Accepted { to: "draft".into() };
    reseal(&mut records, 0);
    assert_eq!(
        kind(&def, &records),
        (
            1,
            VerifyErrorKind::Creation {
                message: "the first record must create the instance"
            }
        )
    );
    assert_eq!(verify_chain(&records).unwrap_err().seq, 1);

    let mut records = log();
    records[2].outcome = Outcome::Created;
    reseal(&mut records, 2);
    assert_eq!(
        kind(&def, &records),
        (
            3,
            VerifyErrorKind::Creation {
                message: "only the first record may create the instance"
            }
        )
    );
    assert_eq!(verify_chain(&records).unwrap_err().seq, 3);
}

#[test]
fn wrong_definition() {
    let def = common::definition();
    let mut records = log();
    records[3].definition.version = 2;
    reseal(&mut records, 3);
    let (seq, k) = kind(&def, &records);
    assert_eq!(seq, 4);
    assert!(matches!(k, VerifyErrorKind::WrongDefinition { found, .. } if found.version == 2));
}

#[test]
fn a_forged_transition_the_table_does_not_allow() {
    let def = common::definition();
    // Signed straight from draft: hashes are valid, the table says no.
    let mut records = log();
    records[1].action = "sign".into();
    records[1].payload = regula_core::Payload::null();
    records[1].outcome = Outcome::Accepted { to: "signed".into() };
    records.truncate(2);
    reseal(&mut records, 1);
    assert!(verify_chain(&records).is_ok(), "the chain alone cannot see it");
    assert_eq!(
        kind(&def, &records),
        (
            2,
            VerifyErrorKind::NoSuchTransition {
                from: "draft".into(),
                action: "sign".into()
            }
        )
    );
}

#[test]
fn target_state_mismatch_and_unknown_state() {
    let def = common::definition();
    let mut records = log();
    records[1].outcome = Outcome::Accepted { to: "returned".into() };
    reseal(&mut records, 1);
    assert_eq!(
        kind(&def, &records),
        (
            2,
            VerifyErrorKind::TargetMismatch {
                action: "submit".into(),
                expected: "review".into(),
                found: "returned".into()
            }
        )
    );
    records[1].outcome = Outcome::Accepted { to: "archived".into() };
    reseal(&mut records, 1);
    assert_eq!(
        kind(&def, &records),
        (
            2,
            VerifyErrorKind::UnknownState {
                state: "archived".into()
            }
        )
    );
}

#[test]
fn from_state_must_be_the_current_state() {
    let def = common::definition();
    let mut records = log();
    records[2].from = "draft".into();
    reseal(&mut records, 2);
    assert_eq!(
        kind(&def, &records),
        (
            3,
            VerifyErrorKind::StateMismatch {
                expected: "review".into(),
                found: "draft".into()
            }
        )
    );
}

#[test]
fn role_not_allowed_on_an_accepted_record() {
    let def = common::definition();
    let mut records = log();
    records[2].role = "clerk".into();
    reseal(&mut records, 2);
    assert_eq!(
        kind(&def, &records),
        (
            3,
            VerifyErrorKind::RoleNotAllowed {
                role: "clerk".into(),
                action: "return".into()
            }
        )
    );
}

#[test]
fn refusal_without_reason() {
    let def = common::definition();
    let mut records = log();
    records[4].outcome = Outcome::Refused { reasons: vec![] };
    reseal(&mut records, 4);
    assert_eq!(kind(&def, &records), (5, VerifyErrorKind::EmptyRefusal));
}

#[test]
fn undecodable_payload_and_data() {
    let def = common::definition();
    let mut records = log();
    records[1].payload = json!({"summary": 5}).into();
    reseal(&mut records, 1);
    let (seq, k) = kind(&def, &records);
    assert_eq!(seq, 2);
    assert!(
        matches!(k, VerifyErrorKind::Payload(ref e) if e.action == "submit"),
        "{k}"
    );

    let mut records = log();
    records[0].payload = json!({"case": 1}).into();
    reseal(&mut records, 0);
    let (seq, k) = kind(&def, &records);
    assert_eq!(seq, 1);
    assert!(matches!(k, VerifyErrorKind::Data { .. }), "{k}");
}

#[test]
fn guards_rechecked_on_demand() {
    let def = common::definition();
    // A submission whose summary is blank, accepted by a writer that skipped the guards.
    let mut records = log();
    records[1].payload = json!({"summary": "  "}).into();
    reseal(&mut records, 1);
    def.replay(&records).unwrap();
    let err = def
        .replay_with(
            &records,
            ReplayOptions {
                recheck_guards: true,
                ..ReplayOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.seq, 2);
    match err.kind {
        VerifyErrorKind::GuardsWouldRefuse { reasons } => {
            assert_eq!(reasons.len(), 1);
            assert_eq!(reasons[0].guard.as_deref(), Some("has_summary"));
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn snapshots_resume_and_refuse_what_does_not_fit() {
    let def = common::definition();
    let records = log();
    let full = def.replay(&records).unwrap();
    let at3 = def.replay(&records[..3]).unwrap();
    let snap = at3.snapshot().unwrap();
    assert_eq!(def.resume(&snap, &records[3..]).unwrap(), full);

    let mut wrong = snap.clone();
    wrong.state = "nowhere".into();
    let e = def.resume(&wrong, &records[3..]).unwrap_err();
    assert_eq!(
        (e.seq, e.kind),
        (
            3,
            VerifyErrorKind::Snapshot {
                message: "unknown state \"nowhere\"".into()
            }
        )
    );

    // A snapshot with a stale hash does not fit the records after it.
    let mut stale = snap.clone();
    stale.last_hash = Digest::ZERO;
    let e = def.resume(&stale, &records[3..]).unwrap_err();
    assert!(matches!(e.kind, VerifyErrorKind::BrokenLink { .. }), "{e}");
}

#[test]
fn errors_read_well() {
    let def = common::definition();
    let mut records = log();
    records.remove(2);
    let e: VerifyError = def.replay(&records).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "instance {}, record 3: sequence number 4 where 3 was expected",
            records[0].instance
        )
    );
}
