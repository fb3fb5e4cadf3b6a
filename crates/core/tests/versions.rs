//! Definition versions: migrating an instance onto a newer version with one recorded
//! migration, and replaying and verifying logs across versions.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::TimeDelta;
use common::{Doc, Review, STAGES, Stage, Step, clerk, definition, doc, judge, president, reseal, t0};
use proptest::prelude::*;
use regula_core::store::{StorageCheck, StoreProblem, VerifyOptions, verify_store, verify_store_with};
use regula_core::{
    Append, AuditRecord, Command, Decision, Definition, DefinitionError, DefinitionRef, DynState, Dynamic, Engine,
    EngineError, Instance, ManualClock, MemoryStore, Migration, MigrationPayload, Outcome, ReasonCode, Registry,
    ReplayOptions, Repository, RepositoryError, SeededIds, State as _, Store, StoreError, Text, Transition,
    VerifyErrorKind, Versions, VersionsError,
};
use serde_json::json;

/// Version 2 of the judgment review: `returned` is gone (a returned draft goes back to
/// `draft`, so `resubmit` is gone too), signing needs a comment (a new guard), only
/// the president migrates, and migrated data is marked.
fn v2() -> Definition<Review> {
    let mut b = Definition::<Review>::builder("judgment-review", 2)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Review, Text::new("审核", "Review"))
        .state(Stage::Signed, Text::new("签发", "Signed"))
        .state(Stage::Withdrawn, Text::new("撤回", "Withdrawn"))
        .initial(Stage::Draft)
        .terminal(Stage::Signed)
        .terminal(Stage::Withdrawn)
        .role("clerk", Text::new("书记员", "Clerk"))
        .role("judge", Text::new("法官", "Judge"))
        .role("president", Text::new("院长", "President"))
        .action("submit", Text::new("提交", "Submit"))
        .action("return", Text::new("退回", "Return"))
        .action("sign", Text::new("签发", "Sign"))
        .action("comment", Text::new("批注", "Comment"))
        .action("withdraw", Text::new("撤回", "Withdraw"))
        .creators(["clerk"])
        .migrators(["president"])
        .guard(
            "has_summary",
            Text::new("须有摘要", "a summary is required"),
            |i| match i.action {
                Step::Submit { summary } if summary.trim().is_empty() => {
                    Err(Text::new("摘要为空", "the summary is empty"))
                }
                _ => Ok(()),
            },
        )
        .guard(
            "reason_given",
            Text::new("须说明理由", "a reason is required"),
            |i| match i.action {
                Step::Return { reason } | Step::Withdraw { reason } if reason.trim().is_empty() => {
                    Err(Text::new("未说明理由", "no reason given"))
                }
                _ => Ok(()),
            },
        )
        .guard("commented", Text::new("须有批注", "a comment is required"), |i| {
            if i.instance.data().comments.is_empty() {
                Err(Text::new("尚无批注", "no comment yet"))
            } else {
                Ok(())
            }
        })
        .transition(
            Transition::new(Stage::Draft, "submit", Stage::Review)
                .by(["clerk"])
                .when("has_summary"),
        )
        .transition(
            Transition::new(Stage::Review, "return", Stage::Draft)
                .by(["judge"])
                .when("reason_given"),
        )
        .transition(
            Transition::new(Stage::Review, "sign", Stage::Signed)
                .by(["judge", "president"])
                .when("commented"),
        );
    for s in [Stage::Draft, Stage::Review] {
        b = b
            .transition(Transition::new(s, "comment", s).by(["clerk", "judge", "president"]))
            .transition(
                Transition::new(s, "withdraw", Stage::Withdrawn)
                    .by(["president"])
                    .when("reason_given"),
            );
    }
    b.upgrade_from(1, |doc: &mut Doc| doc.summary = format!("[v1] {}", doc.summary))
        .effect(|doc: &mut Doc, input| match input.action {
            Step::Submit { summary } | Step::Resubmit { summary } => doc.summary = summary.clone(),
            Step::Return { .. } => doc.returns += 1,
            Step::Comment { text } => doc.comments.push(text.clone()),
            Step::Sign | Step::Withdraw { .. } => {}
        })
        .build()
        .unwrap()
}

struct World {
    v1: Engine<Review>,
    v2: Engine<Review>,
    clock: Arc<ManualClock>,
    versions: Versions<Review>,
}

fn world() -> World {
    let d1 = Arc::new(definition());
    let d2 = Arc::new(v2());
    let clock = Arc::new(ManualClock::new(t0()));
    let v1 = Engine::new(Arc::clone(&d1))
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(1)));
    let v2 = Engine::new(Arc::clone(&d2))
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(2)));
    let versions = Versions::new([d2, d1]).unwrap();
    World {
        v1,
        v2,
        clock,
        versions,
    }
}

/// The clock's reading, for `ReplayOptions::verify_at`.
fn now(w: &World) -> chrono::DateTime<chrono::Utc> {
    regula_core::Clock::now(&*w.clock)
}

fn cmd(actor: regula_core::Actor, role: &str, step: Step) -> Command<Step> {
    Command::new(actor, role, step)
}

/// A v1 instance under review with one comment, and its log.
fn in_review(w: &World) -> (Instance<Review>, Vec<AuditRecord>) {
    let (mut inst, created) = w.v1.create(clerk(), "clerk", doc(), None).unwrap();
    let mut log = vec![created];
    w.clock.advance(TimeDelta::hours(1));
    let submit = Step::Submit {
        summary: "判决书".into(),
    };
    log.push(w.v1.apply(&mut inst, cmd(clerk(), "clerk", submit)).unwrap());
    assert_eq!(inst.state(), &Stage::Review);
    (inst, log)
}

/// A v1 instance returned to the clerk (a state v2 does not have), and its log.
fn returned(w: &World) -> (Instance<Review>, Vec<AuditRecord>) {
    let (mut inst, mut log) = in_review(w);
    w.clock.advance(TimeDelta::hours(1));
    let ret = Step::Return {
        reason: "事实不清".into(),
    };
    log.push(w.v1.apply(&mut inst, cmd(judge(), "judge", ret)).unwrap());
    assert_eq!(inst.state(), &Stage::Returned);
    (inst, log)
}

fn v(name: &str, version: u32) -> DefinitionRef {
    DefinitionRef {
        name: name.into(),
        version,
    }
}

fn codes(record: &AuditRecord) -> Vec<ReasonCode> {
    record.refusal().unwrap().iter().map(|r| r.code).collect()
}

#[test]
fn the_builder_refuses_reserved_action_names_unknown_migrators_and_bad_upgrades() {
    for reserved in ["migrate", "create"] {
        let e = common::builder()
            .action(reserved, Text::new("保留", "Reserved"))
            .build()
            .unwrap_err();
        assert_eq!(
            e,
            DefinitionError::ReservedAction {
                definition: "judgment-review".into(),
                action: reserved.into()
            }
        );
        assert!(e.to_string().contains("reserved"), "{e}");
    }
    let e = common::builder().migrators(["janitor"]).build().unwrap_err();
    assert!(matches!(e, DefinitionError::UnknownMigrator { role, .. } if role == "janitor"));
    let e = common::builder().upgrade_from(1, |_| {}).build().unwrap_err();
    assert!(
        matches!(
            e,
            DefinitionError::InvalidUpgrade {
                from: 1,
                version: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = v2_builder_with_two_upgrades().unwrap_err();
    assert!(
        matches!(
            e,
            DefinitionError::InvalidUpgrade {
                problem: "registered twice",
                ..
            }
        ),
        "{e}"
    );
    // Default migrators: the creators.
    let d = definition();
    assert!(d.is_migrator("clerk"));
    assert!(!d.is_migrator("judge"));
    assert!(!d.is_migrator("nobody"));
}

fn v2_builder_with_two_upgrades() -> Result<Definition<Review>, DefinitionError> {
    let mut b = Definition::<Review>::builder("judgment-review", 3)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .initial(Stage::Draft)
        .terminal(Stage::Draft)
        .role("clerk", Text::new("书记员", "Clerk"));
    b = b.upgrade_from(1, |_| {}).upgrade_from(1, |_| {});
    b.build()
}

#[test]
fn versions_refuse_a_mix_of_definitions_and_repeated_versions() {
    assert_eq!(
        Versions::<Review>::new(Vec::<Definition<Review>>::new()).unwrap_err(),
        VersionsError::Empty
    );
    let other = Definition::<Review>::builder("other", 2)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .initial(Stage::Draft)
        .terminal(Stage::Draft)
        .role("clerk", Text::new("书记员", "Clerk"))
        .build()
        .unwrap();
    assert!(matches!(
        Versions::new([definition(), other]).unwrap_err(),
        VersionsError::NameDiffers { found, .. } if found == "other"
    ));
    assert_eq!(
        Versions::new([definition(), definition()]).unwrap_err(),
        VersionsError::DuplicateVersion {
            definition: "judgment-review".into(),
            version: 1
        }
    );
    let vs = Versions::new([v2(), definition()]).unwrap();
    assert_eq!(vs.latest().version(), 2);
    assert_eq!(vs.iter().map(|d| d.version()).collect::<Vec<_>>(), [1, 2]);
    assert!(vs.get(1).is_some() && vs.get(3).is_none());
}

#[test]
fn an_accepted_migration_is_one_record_and_the_instance_lives_on_under_the_new_version() {
    let w = world();
    let (mut inst, mut log) = in_review(&w);
    w.clock.advance(TimeDelta::hours(1));
    let seq = inst.seq();
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").with_note("第二版规则施行"),
        )
        .unwrap();
    assert_eq!(rec.action, "migrate");
    assert_eq!(rec.definition, v("judgment-review", 2));
    assert_eq!(rec.from, "review");
    assert_eq!(rec.outcome, Outcome::Accepted { to: "review".into() });
    assert_eq!(rec.seq, seq + 1);
    assert_eq!(rec.actor, president());
    assert_eq!(rec.note.as_deref(), Some("第二版规则施行"));
    assert_eq!(
        rec.payload,
        json!({"from_version": 1, "state_map": {}, "to_version": 2})
    );
    assert_eq!(inst.definition(), &v("judgment-review", 2));
    assert_eq!(inst.state(), &Stage::Review);
    assert_eq!(inst.data().summary, "[v1] 判决书", "the v2 upgrade from v1 ran");
    log.push(rec);

    // The v1 engine no longer runs it; the v2 engine does, with v2's new guard.
    let e = w.v1.apply(&mut inst, cmd(judge(), "judge", Step::Sign)).unwrap_err();
    assert!(matches!(e, EngineError::WrongDefinition { .. }));
    w.clock.advance(TimeDelta::days(2));
    let refused = w.v2.apply(&mut inst, cmd(judge(), "judge", Step::Sign)).unwrap();
    assert_eq!(refused.refusal().unwrap()[0].guard.as_deref(), Some("commented"));
    assert_eq!(refused.definition, v("judgment-review", 2));
    log.push(refused);
    let comment = Step::Comment { text: "同意".into() };
    log.push(w.v2.apply(&mut inst, cmd(judge(), "judge", comment)).unwrap());
    log.push(w.v2.apply(&mut inst, cmd(judge(), "judge", Step::Sign)).unwrap());
    assert_eq!(inst.state(), &Stage::Signed);

    // The log across versions replays to the live instance, guards re-checked.
    let replayed = w.versions.replay_with(&log, ReplayOptions::verify_at(now(&w))).unwrap();
    assert_eq!(replayed, inst);
    w.versions.verify(&log).unwrap();
    // One version alone cannot replay it: the migration names v2 …
    let e = definition().replay(&log).unwrap_err();
    assert_eq!(e.seq, 3);
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { ref found, .. } if found.version == 2));
    // … and v2 alone does not know the creation, made under v1.
    let e = v2().replay(&log).unwrap_err();
    assert_eq!(e.seq, 1);
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { .. }));
    // The records up to the migration still replay under v1 alone.
    definition().verify(&log[..2]).unwrap();
}

#[test]
fn a_state_the_new_version_lacks_needs_a_mapping() {
    let w = world();
    let (mut inst, mut log) = returned(&w);
    let before = inst.clone();

    // Unmapped: refused, recorded under v1, instance unchanged but for seq and hash.
    let rec =
        w.v2.migrate(&mut inst, Migration::new(president(), "president"))
            .unwrap();
    assert_eq!(codes(&rec), [ReasonCode::Migration]);
    let reason = &rec.refusal().unwrap()[0].message;
    assert!(
        reason.zh.contains("returned") && reason.zh.contains("第 2 版"),
        "{reason}"
    );
    assert!(reason.en.contains("mapping"), "{reason}");
    assert_eq!(rec.definition, v("judgment-review", 1));
    assert_eq!(inst.definition(), before.definition());
    assert_eq!(inst.state(), &Stage::Returned);
    assert_eq!(inst.data(), before.data());
    assert_eq!(inst.seq(), before.seq() + 1);
    log.push(rec);

    // A mapping to a state v2 lacks: refused too.
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").map(Stage::Returned, Stage::Returned),
        )
        .unwrap();
    assert_eq!(codes(&rec), [ReasonCode::Migration]);
    log.push(rec);
    // A mapping of another state to a state v2 lacks is refused even when this
    // instance's state needs no mapping.
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president")
                .map(Stage::Returned, Stage::Draft)
                .map(Stage::Review, Stage::Returned),
        )
        .unwrap();
    assert!(rec.is_refused());
    log.push(rec);

    // Mapped: accepted, and the instance enters the mapped state.
    w.clock.advance(TimeDelta::minutes(5));
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").map(Stage::Returned, Stage::Draft),
        )
        .unwrap();
    assert_eq!(rec.outcome, Outcome::Accepted { to: "draft".into() });
    assert_eq!(rec.from, "returned");
    assert_eq!(
        rec.payload,
        json!({"from_version": 1, "state_map": {"returned": "draft"}, "to_version": 2})
    );
    assert_eq!(inst.state(), &Stage::Draft);
    assert_eq!(inst.entered_at(), rec.at);
    log.push(rec);
    assert_eq!(w.versions.replay(&log).unwrap(), inst);
    // The refused migrations alone keep the log replayable under v1.
    definition().verify(&log[..log.len() - 1]).unwrap();
}

#[test]
fn a_map_cannot_move_an_instance_out_of_a_state_the_new_version_still_has() {
    let w = world();
    let (mut inst, mut log) = in_review(&w);
    // `review` exists in v2: mapping it elsewhere would be a transition without its
    // guards (in a court, from drafting straight to consolidated).
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").map(Stage::Review, Stage::Draft),
        )
        .unwrap();
    assert_eq!(codes(&rec), [ReasonCode::Migration]);
    let reason = &rec.refusal().unwrap()[0].message;
    assert!(reason.en.contains("still exists in version 2"), "{reason}");
    assert_eq!(inst.state(), &Stage::Review);
    assert_eq!(inst.definition(), &v("judgment-review", 1));
    log.push(rec);
    // Without the map it moves, keeping its state.
    let rec =
        w.v2.migrate(&mut inst, Migration::new(president(), "president"))
            .unwrap();
    assert!(!rec.is_refused());
    assert_eq!(inst.state(), &Stage::Review);
    log.push(rec);
    w.versions.verify(&log).unwrap();
}

#[test]
fn migrations_by_other_roles_or_failing_external_checks_are_refused_and_recorded() {
    let w = world();
    let (mut inst, mut log) = in_review(&w);
    let before = inst.clone();
    let rec = w.v2.migrate(&mut inst, Migration::new(clerk(), "clerk")).unwrap();
    assert_eq!(codes(&rec), [ReasonCode::RoleNotAllowed]);
    assert!(rec.refusal().unwrap()[0].message.zh.contains("院长"));
    assert_eq!(inst.definition(), before.definition());
    log.push(rec);
    let external = regula_core::Reason::external("actor_check", Text::new("无此授权", "not authorised"));
    let rec =
        w.v2.migrate_with(&mut inst, Migration::new(president(), "president"), vec![external])
            .unwrap();
    assert_eq!(codes(&rec), [ReasonCode::External]);
    assert_eq!(inst.definition(), &v("judgment-review", 1));
    log.push(rec);
    // Both reasons at once.
    let external = regula_core::Reason::external("actor_check", Text::new("无此授权", "not authorised"));
    let rec =
        w.v2.migrate_with(&mut inst, Migration::new(judge(), "judge"), vec![external])
            .unwrap();
    assert_eq!(codes(&rec), [ReasonCode::RoleNotAllowed, ReasonCode::External]);
    log.push(rec);
    assert_eq!(w.versions.replay(&log).unwrap(), inst);
    let recheck = ReplayOptions::verify_at(now(&w));
    assert_eq!(w.versions.replay_with(&log, recheck).unwrap(), inst);

    // Refusals are re-derived when guards are re-checked: a refusal claiming a role
    // refusal for a role that may migrate, or hiding one, is caught.
    let first = log.len() - 3;
    let mut forged = log.clone();
    forged[first].role = "president".into();
    forged[first].actor = president();
    reseal(&mut forged, first);
    w.versions.verify(&forged).unwrap();
    let e = w.versions.replay_with(&forged, recheck).unwrap_err();
    assert_eq!(e.seq, forged[first].seq);
    assert!(
        matches!(e.kind, VerifyErrorKind::Migration { ref message } if message.contains("accepts")),
        "{e}"
    );
    let mut forged = log.clone();
    let last = log.len() - 1;
    forged[last].outcome = Outcome::Refused {
        reasons: forged[last].refusal().unwrap()[1..].to_vec(),
    };
    reseal(&mut forged, last);
    w.versions.verify(&forged).unwrap();
    let e = w.versions.replay_with(&forged, recheck).unwrap_err();
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
}

#[test]
fn structural_mistakes_are_errors_and_write_nothing() {
    let w = world();
    let (mut inst, _) = in_review(&w);
    let before = inst.clone();
    // Not newer: v1 onto v1.
    let e = w.v1.migrate(&mut inst, Migration::new(clerk(), "clerk")).unwrap_err();
    assert!(matches!(e, EngineError::NotNewer { .. }), "{e}");
    // Another definition.
    let other = Definition::<Review>::builder("other", 5)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Review, Text::new("审核", "Review"))
        .initial(Stage::Draft)
        .terminal(Stage::Review)
        .role("clerk", Text::new("书记员", "Clerk"))
        .action("submit", Text::new("提交", "Submit"))
        .transition(Transition::new(Stage::Draft, "submit", Stage::Review).by(["clerk"]))
        .build()
        .unwrap();
    let e =
        w.v1.for_definition(other)
            .migrate(&mut inst, Migration::new(clerk(), "clerk"))
            .unwrap_err();
    assert!(matches!(e, EngineError::WrongDefinition { .. }), "{e}");
    // One state mapped two ways.
    let mut m = Migration::new(president(), "president");
    m.state_map = vec![(Stage::Review, Stage::Draft), (Stage::Review, Stage::Signed)];
    let e = w.v2.migrate(&mut inst, m).unwrap_err();
    assert!(matches!(e, EngineError::AmbiguousMapping { .. }), "{e}");
    // `map` replaces an earlier mapping of the same state instead.
    let m = Migration::new(president(), "president")
        .map(Stage::Review, Stage::Draft)
        .map(Stage::Review, Stage::Review);
    assert_eq!(m.state_map, [(Stage::Review, Stage::Review)]);
    assert_eq!(inst, before);
    // Already migrated: v2 onto v2 is not newer.
    w.v2.migrate(&mut inst, Migration::new(president(), "president"))
        .unwrap();
    let e =
        w.v2.migrate(&mut inst, Migration::new(president(), "president"))
            .unwrap_err();
    assert!(matches!(e, EngineError::NotNewer { .. }), "{e}");
}

#[test]
fn preview_decides_without_writing() {
    let w = world();
    let (inst, _) = returned(&w);
    let d =
        w.v2.preview_migration(&inst, &Migration::new(president(), "president"))
            .unwrap();
    assert!(matches!(d, Decision::Refuse(ref r) if r[0].code == ReasonCode::Migration));
    let d =
        w.v2.preview_migration(
            &inst,
            &Migration::new(president(), "president").map(Stage::Returned, Stage::Draft),
        )
        .unwrap();
    assert_eq!(d, Decision::Accept { to: Stage::Draft });
    assert_eq!(inst.definition().version, 1);
}

#[test]
fn time_rules_apply_to_migrations() {
    let w = world();
    let (mut inst, mut log) = in_review(&w);
    let before = inst.clone();
    let too_early = inst.settled_at() - TimeDelta::seconds(1);
    let e =
        w.v2.migrate(&mut inst, Migration::new(president(), "president").at(too_early))
            .unwrap_err();
    assert!(matches!(e, EngineError::BeforeLastRecord { .. }), "{e}");
    let future = t0() + TimeDelta::days(30);
    let e =
        w.v2.migrate(&mut inst, Migration::new(president(), "president").at(future))
            .unwrap_err();
    assert!(matches!(e, EngineError::FutureTime { .. }), "{e}");
    assert_eq!(inst, before);
    // Entered after the fact: both times recorded.
    w.clock.advance(TimeDelta::days(3));
    let when = inst.settled_at() + TimeDelta::hours(2);
    let rec =
        w.v2.migrate(&mut inst, Migration::new(president(), "president").at(when))
            .unwrap();
    assert_eq!(rec.at, when);
    assert_eq!(rec.recorded_at, Some(regula_core::Clock::now(&*w.clock)));
    assert_eq!(inst.settled_at(), when);
    log.push(rec);
    // An action dated before the migration is refused as for any record.
    let e =
        w.v2.apply(
            &mut inst,
            cmd(judge(), "judge", Step::Comment { text: "x".into() }).at(when - TimeDelta::minutes(1)),
        )
        .unwrap_err();
    assert!(matches!(e, EngineError::BeforeLastRecord { .. }));
    w.versions.verify(&log).unwrap();

    // A forged migration dated before the last accepted record fails replay.
    let mut forged = log.clone();
    let last = forged.len() - 1;
    forged[last].at = forged[last - 1].at - TimeDelta::seconds(1);
    reseal(&mut forged, last);
    let e = w.versions.verify(&forged).unwrap_err();
    assert_eq!(e.seq, forged[last].seq);
    assert!(matches!(e.kind, VerifyErrorKind::Time { .. }), "{e}");
}

/// A log with an accepted migration from `returned` (mapped to `draft`), index of
/// the migration record.
fn migrated_log(w: &World) -> (Vec<AuditRecord>, usize) {
    let (mut inst, mut log) = returned(w);
    w.clock.advance(TimeDelta::hours(1));
    log.push(
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").map(Stage::Returned, Stage::Draft),
        )
        .unwrap(),
    );
    let at = log.len() - 1;
    let comment = Step::Comment { text: "补正".into() };
    log.push(w.v2.apply(&mut inst, cmd(clerk(), "clerk", comment)).unwrap());
    w.versions.verify(&log).unwrap();
    (log, at)
}

fn tampered(
    w: &World,
    log: &[AuditRecord],
    at: usize,
    change: impl FnOnce(&mut AuditRecord),
) -> regula_core::VerifyError {
    let mut forged = log.to_vec();
    change(&mut forged[at]);
    reseal(&mut forged, at);
    let e = w.versions.verify(&forged).unwrap_err();
    assert_eq!(e.seq, forged[at].seq, "{e}");
    e
}

#[test]
fn a_tampered_migration_record_is_detected_even_when_rehashed() {
    let w = world();
    let (log, at) = migrated_log(&w);

    // Another target state than the mapping gives.
    let e = tampered(&w, &log, at, |r| {
        r.outcome = Outcome::Accepted { to: "review".into() };
    });
    assert!(
        matches!(e.kind, VerifyErrorKind::TargetMismatch { ref expected, ref found, .. } if expected == "draft" && found == "review"),
        "{e}"
    );
    // A target v2 does not have.
    let e = tampered(&w, &log, at, |r| {
        r.outcome = Outcome::Accepted { to: "limbo".into() };
    });
    assert!(matches!(e.kind, VerifyErrorKind::UnknownState { .. }), "{e}");
    // The mapping changed so that it no longer gives the recorded `to`.
    let e = tampered(&w, &log, at, |r| {
        r.payload = json!({"from_version": 1, "state_map": {"returned": "review"}, "to_version": 2}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::TargetMismatch { .. }), "{e}");
    // The mapping dropped: `returned` has no state in v2.
    let e = tampered(&w, &log, at, |r| {
        r.payload = json!({"from_version": 1, "state_map": {}, "to_version": 2}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    // A mapping target v2 lacks.
    let e = tampered(&w, &log, at, |r| {
        r.payload =
            json!({"from_version": 1, "state_map": {"returned": "draft", "review": "returned"}, "to_version": 2})
                .into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    // A map that also moves a state v2 still has: a migration is no transition.
    let e = tampered(&w, &log, at, |r| {
        r.payload =
            json!({"from_version": 1, "state_map": {"returned": "draft", "review": "draft"}, "to_version": 2}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    // The payload's versions.
    let e = tampered(&w, &log, at, |r| {
        r.payload = json!({"from_version": 0, "state_map": {"returned": "draft"}, "to_version": 2}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    let e = tampered(&w, &log, at, |r| {
        r.payload = json!({"from_version": 1, "state_map": {"returned": "draft"}, "to_version": 3}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    let e = tampered(&w, &log, at, |r| {
        r.payload = json!({"from_version": 1, "state_map": {"returned": "draft"}, "to_version": 2, "x": 1}).into();
    });
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    // The record's version: not newer (v1), or one the set does not have (v3).
    let e = tampered(&w, &log, at, |r| r.definition = v("judgment-review", 1));
    assert!(matches!(e.kind, VerifyErrorKind::Migration { .. }), "{e}");
    let e = tampered(&w, &log, at, |r| r.definition = v("judgment-review", 3));
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { .. }), "{e}");
    // A role that may not migrate.
    let e = tampered(&w, &log, at, |r| r.role = "clerk".into());
    assert!(
        matches!(e.kind, VerifyErrorKind::RoleNotAllowed { ref action, .. } if action == "migrate"),
        "{e}"
    );
    // Another `from` than the instance's state.
    let e = tampered(&w, &log, at, |r| r.from = "review".into());
    assert!(matches!(e.kind, VerifyErrorKind::StateMismatch { .. }), "{e}");
    // An ordinary action naming the new version (no migration) is caught as before.
    let e = tampered(&w, &log, at, |r| r.action = "comment".into());
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { .. }), "{e}");
    // A refused migration that names the target instead of the version followed.
    let e = tampered(&w, &log, at, |r| {
        r.outcome = Outcome::Refused {
            reasons: vec![regula_core::Reason::external("x", Text::new("甲", "a"))],
        };
    });
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { .. }), "{e}");
    // A record after the migration that still names v1.
    let e = tampered(&w, &log, at + 1, |r| r.definition = v("judgment-review", 1));
    assert!(matches!(e.kind, VerifyErrorKind::WrongDefinition { .. }), "{e}");
}

#[test]
fn the_repository_loads_migrates_and_verifies_across_versions() {
    let w = world();
    let store = MemoryStore::new();
    let old = Repository::new(w.v1.clone(), &store).snapshot_every(2);
    let (a, _) = old.create(clerk(), "clerk", doc(), None).unwrap();
    let (b, _) = old.create(clerk(), "clerk", doc(), None).unwrap();
    w.clock.advance(TimeDelta::hours(1));
    let submit = || cmd(clerk(), "clerk", Step::Submit { summary: "稿".into() });
    let (mut a, _) = old.execute(a.id(), submit(), 0).unwrap();
    let (mut b, _) = old.execute(b.id(), submit(), 0).unwrap();
    old.apply(
        &mut b,
        cmd(
            judge(),
            "judge",
            Step::Return {
                reason: "补正".into()
            },
        ),
    )
    .unwrap();

    // The new program: the latest engine, every version to replay with.
    let e = Repository::new(w.v2.clone(), &store)
        .with_versions(Versions::new([definition()]).unwrap())
        .err()
        .unwrap();
    assert!(matches!(e, VersionsError::Missing { .. }));
    let repo = Repository::new(w.v2.clone(), &store)
        .snapshot_every(2)
        .with_versions(w.versions.clone())
        .unwrap();
    // Without the versions, a v2 repository cannot load v1 instances.
    assert!(matches!(
        Repository::new(w.v2.clone(), &store).load(a.id()),
        Err(RepositoryError::Verify(_))
    ));
    let mut loaded = repo.load(a.id()).unwrap();
    assert_eq!(loaded, a);
    assert_eq!(loaded.definition().version, 1);
    // Not migrated yet: the v2 engine does not act on it.
    let e = repo
        .apply(&mut loaded, cmd(judge(), "judge", Step::Comment { text: "x".into() }))
        .unwrap_err();
    assert!(matches!(
        e,
        RepositoryError::Engine(EngineError::WrongDefinition { .. })
    ));

    w.clock.advance(TimeDelta::hours(1));
    for inst in [&mut a, &mut b] {
        let rec = repo
            .migrate(
                inst,
                Migration::new(president(), "president").map(Stage::Returned, Stage::Draft),
            )
            .unwrap();
        assert!(!rec.is_refused());
    }
    assert_eq!(b.state(), &Stage::Draft);
    repo.apply(&mut a, cmd(judge(), "judge", Step::Comment { text: "好".into() }))
        .unwrap();
    assert_eq!(repo.load(a.id()).unwrap(), a);
    assert_eq!(repo.verify(a.id()).unwrap(), a);
    assert_eq!(repo.load(b.id()).unwrap(), b);
    assert_eq!(store.head(a.id()).unwrap().definition.version, 2);

    // The whole store verifies with the versions …
    let store = &store;
    let report = verify_store_with(
        store,
        &VerifyOptions {
            checkpoint: None,
            storage: StorageCheck::Quick,
        },
        &mut w.versions.replayer(ReplayOptions::verify_at(now(&w))),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.replayed, 2);
    let report = verify_store(store, None, |_, r| Some(w.versions.verify(r)), &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
    // … and not with v1 alone.
    let report = verify_store(store, None, |_, r| Some(definition().verify(r)), &mut |_, _| {}).unwrap();
    assert_eq!(report.problems.len(), 2, "{report}");
    assert!(matches!(
        &report.problems[0],
        StoreProblem::Transition(e) if matches!(e.kind, VerifyErrorKind::WrongDefinition { .. })
    ));
}

#[test]
fn a_store_takes_a_new_version_only_through_an_accepted_migration() {
    let w = world();
    let (mut inst, log) = in_review(&w);
    let store = MemoryStore::new();
    store
        .append(Append {
            instance: inst.id(),
            expected_seq: 0,
            records: &log,
            due_at: None,
        })
        .unwrap();
    let mut migrated = inst.clone();
    let rec =
        w.v2.migrate(&mut migrated, Migration::new(president(), "president"))
            .unwrap();
    // An ordinary record naming v2 on a v1 instance: refused by the store.
    let mut forged = rec.clone();
    forged.action = "comment".into();
    forged.hash = forged.compute_hash();
    let e = store
        .append(Append {
            instance: inst.id(),
            expected_seq: 2,
            records: std::slice::from_ref(&forged),
            due_at: None,
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::InvalidAppend { .. }), "{e}");
    // The migration itself: accepted, and the head follows v2.
    store
        .append(Append {
            instance: inst.id(),
            expected_seq: 2,
            records: std::slice::from_ref(&rec),
            due_at: None,
        })
        .unwrap();
    assert_eq!(store.head(inst.id()).unwrap().definition, v("judgment-review", 2));
    // A refused migration names v1 and keeps the head on v1.
    let store = MemoryStore::new();
    store
        .append(Append {
            instance: inst.id(),
            expected_seq: 0,
            records: &log,
            due_at: None,
        })
        .unwrap();
    let rec = w.v2.migrate(&mut inst, Migration::new(clerk(), "clerk")).unwrap();
    store
        .append(Append {
            instance: inst.id(),
            expected_seq: 2,
            records: std::slice::from_ref(&rec),
            due_at: None,
        })
        .unwrap();
    assert_eq!(store.head(inst.id()).unwrap().definition, v("judgment-review", 1));
}

#[test]
fn dynamic_definitions_migrate_across_toml_versions() {
    let file = |version: u32, extra_state: &str, extra_row: &str| {
        format!(
            r#"
name = "leave"
version = {version}
initial = "asked"
terminal = ["granted"]
migrators = ["boss"]

[states]
asked = {{ zh = "已申请", en = "Asked" }}
{extra_state}
granted = {{ zh = "已批准", en = "Granted" }}

[actions]
grant = {{ zh = "批准", en = "Grant" }}
hold = {{ zh = "暂缓", en = "Hold" }}

[roles]
staff = {{ zh = "职员", en = "Staff" }}
boss = {{ zh = "主管", en = "Boss" }}

[[transitions]]
from = "asked"
action = "grant"
to = "granted"
roles = ["boss"]
{extra_row}
"#
        )
    };
    let v1_src = file(
        1,
        r#"held = { zh = "暂缓", en = "Held" }"#,
        r#"
[[transitions]]
from = "asked"
action = "hold"
to = "held"
roles = ["boss"]

[[transitions]]
from = "held"
action = "grant"
to = "granted"
roles = ["boss"]
"#,
    );
    let v2_src = file(2, "", "");
    let registry = Registry::new();
    let d1 = Definition::<Dynamic>::from_toml(&v1_src, &registry).unwrap();
    let d2 = Definition::<Dynamic>::from_toml(&v2_src, &registry).unwrap();
    assert_eq!(d2.migrators(), ["boss"]);
    let clock = Arc::new(ManualClock::new(t0()));
    let e1 = Engine::new(d1)
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(5)));
    let e2 = e1.for_definition(d2);
    let boss = regula_core::Actor::new("boss");
    let (mut inst, created) = e1.create(boss.clone(), "staff", json!({}), None).unwrap();
    let mut log = vec![created];
    log.push(
        e1.apply(
            &mut inst,
            Command::new(boss.clone(), "boss", regula_core::DynAction::new("hold", json!({}))),
        )
        .unwrap(),
    );
    let refused = e2.migrate(&mut inst, Migration::new(boss.clone(), "staff")).unwrap();
    assert_eq!(codes(&refused), [ReasonCode::RoleNotAllowed, ReasonCode::Migration]);
    log.push(refused);
    log.push(
        e2.migrate(
            &mut inst,
            Migration::new(boss.clone(), "boss").map(DynState::new("held"), DynState::new("asked")),
        )
        .unwrap(),
    );
    log.push(
        e2.apply(
            &mut inst,
            Command::new(boss, "boss", regula_core::DynAction::new("grant", json!({}))),
        )
        .unwrap(),
    );
    assert_eq!(inst.state(), &DynState::new("granted"));
    let versions = Versions::new([
        Definition::<Dynamic>::from_toml(&v1_src, &registry).unwrap(),
        Definition::<Dynamic>::from_toml(&v2_src, &registry).unwrap(),
    ])
    .unwrap();
    assert_eq!(versions.replay(&log).unwrap(), inst);
    // An action named `migrate` in a file is refused with the builder's error.
    let bad = v2_src.replace("hold = {", "migrate = {");
    let e = Definition::<Dynamic>::from_toml(&bad, &registry).unwrap_err();
    assert!(e.to_string().contains("reserved"), "{e}");
}

#[test]
fn the_payload_type_matches_what_the_engine_writes() {
    let w = world();
    let (mut inst, _) = returned(&w);
    let rec =
        w.v2.migrate(
            &mut inst,
            Migration::new(president(), "president").map(Stage::Returned, Stage::Draft),
        )
        .unwrap();
    let p: MigrationPayload = rec.payload.decode().unwrap();
    assert_eq!(
        p,
        MigrationPayload {
            from_version: 1,
            to_version: 2,
            state_map: BTreeMap::from([("returned".to_owned(), "draft".to_owned())]),
        }
    );
}

/// One step of a random run: who does what, after how long.
#[derive(Clone, Debug)]
struct Move {
    role: usize,
    step: usize,
    minutes: i64,
}

const ROLES: [&str; 3] = ["clerk", "judge", "president"];

fn step_of(i: usize) -> Step {
    match i % 8 {
        0 => Step::Submit { summary: "稿".into() },
        1 => Step::Submit { summary: " ".into() },
        2 => Step::Return {
            reason: "补正".into()
        },
        3 => Step::Resubmit {
            summary: "改稿".into()
        },
        4 => Step::Sign,
        5 => Step::Comment { text: "阅".into() },
        6 => Step::Withdraw { reason: "撤".into() },
        _ => Step::Return { reason: String::new() },
    }
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        (0..3usize, 0..8usize, 0..3000i64).prop_map(|(role, step, minutes)| Move { role, step, minutes }),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random commands, a migration (by a random role, with a random mapping of
    /// `returned`) in the middle, more random commands: replaying the log across
    /// versions, guards re-checked, gives the live instance.
    #[test]
    fn replay_across_versions_equals_the_live_instance(
        before in moves(),
        after in moves(),
        migrator in 0..3usize,
        map_to in prop::option::of(0..5usize),
    ) {
        let w = world();
        let (mut inst, created) = w.v1.create(clerk(), "clerk", doc(), None).unwrap();
        let mut log = vec![created];
        let run = |inst: &mut Instance<Review>, log: &mut Vec<AuditRecord>, moves: &[Move]| {
            for m in moves {
                w.clock.advance(TimeDelta::minutes(m.minutes));
                let engine = if inst.definition().version == 1 { &w.v1 } else { &w.v2 };
                let actor = [clerk(), judge(), president()][m.role].clone();
                log.push(engine.apply(inst, cmd(actor, ROLES[m.role], step_of(m.step))).unwrap());
            }
        };
        run(&mut inst, &mut log, &before);
        w.clock.advance(TimeDelta::minutes(1));
        let mut migration = Migration::new([clerk(), judge(), president()][migrator].clone(), ROLES[migrator]);
        if let Some(to) = map_to {
            migration = migration.map(Stage::Returned, STAGES[to]);
        }
        let before_migration = inst.clone();
        let migration_targets: Vec<Stage> = migration.state_map.iter().map(|(_, to)| *to).collect();
        let expected_to = match migration.state_map.first() {
            Some((Stage::Returned, to)) if inst.state() == &Stage::Returned => *to,
            _ => *inst.state(),
        };
        let rec = w.v2.migrate(&mut inst, migration).unwrap();
        let in_v2 = |s: &Stage| w.v2.definition().state_named(s.name()).is_some();
        let may = migrator == 2 && in_v2(&expected_to) && migration_targets.iter().all(in_v2);
        prop_assert_eq!(rec.is_refused(), !may);
        if rec.is_refused() {
            // Refused: same version, state and data; the record names the old version.
            prop_assert_eq!(inst.definition(), before_migration.definition());
            prop_assert_eq!(inst.state(), before_migration.state());
            prop_assert_eq!(inst.data(), before_migration.data());
            prop_assert_eq!(rec.definition.version, 1);
        } else {
            prop_assert_eq!(inst.definition().version, 2);
            prop_assert_eq!(inst.state(), &expected_to);
            prop_assert_eq!(&inst.data().summary, &format!("[v1] {}", before_migration.data().summary));
        }
        log.push(rec);
        run(&mut inst, &mut log, &after);
        let replayed = w.versions.replay_with(&log, ReplayOptions::verify_at(now(&w))).unwrap();
        prop_assert_eq!(&replayed, &inst);
        let migrated = log.iter().any(|r| r.action == "migrate" && !r.is_refused());
        prop_assert_eq!(migrated, inst.definition().version == 2);
        // A snapshot taken halfway resumes across versions to the same instance.
        let half = log.len() / 2;
        let snapshot = w.versions.replay(&log[..half.max(1)]).unwrap().snapshot().unwrap();
        prop_assert_eq!(&w.versions.resume(&snapshot, &log[half.max(1)..]).unwrap(), &inst);
    }
}

#[test]
fn migrate_open_moves_each_open_instance_once_and_leaves_closed_ones() {
    let w = world();
    let store = MemoryStore::new();
    let old = Repository::new(w.v1.clone(), &store);
    let (mut open, _) = old.create(clerk(), "clerk", doc(), None).unwrap();
    let (mut back, _) = old.create(clerk(), "clerk", doc(), None).unwrap();
    let (mut gone, _) = old.create(clerk(), "clerk", doc(), None).unwrap();
    w.clock.advance(TimeDelta::hours(1));
    let submit = || cmd(clerk(), "clerk", Step::Submit { summary: "稿".into() });
    old.apply(&mut open, submit()).unwrap();
    old.apply(&mut back, submit()).unwrap();
    old.apply(
        &mut back,
        cmd(
            judge(),
            "judge",
            Step::Return {
                reason: "补正".into()
            },
        ),
    )
    .unwrap();
    old.apply(
        &mut gone,
        cmd(
            president(),
            "president",
            Step::Withdraw {
                reason: "撤案".into()
            },
        ),
    )
    .unwrap();

    let repo = Repository::new(w.v2.clone(), &store)
        .with_versions(w.versions.clone())
        .unwrap();
    w.clock.advance(TimeDelta::hours(1));
    let migration = Migration::new(president(), "president").map(Stage::Returned, Stage::Draft);
    let written = repo.migrate_open(&migration).unwrap();
    assert_eq!(written.len(), 2);
    assert!(written.iter().all(|r| r.action == "migrate" && !r.is_refused()));
    let mut ids: Vec<_> = written.iter().map(|r| r.instance).collect();
    ids.sort();
    let mut expected = vec![open.id(), back.id()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(repo.load(back.id()).unwrap().state(), &Stage::Draft);
    // The withdrawn instance stays on v1, and its log still verifies.
    assert_eq!(store.head(gone.id()).unwrap().definition.version, 1);
    assert_eq!(repo.verify(gone.id()).unwrap(), gone);
    // Nothing left to migrate: a second run writes nothing.
    assert!(repo.migrate_open(&migration).unwrap().is_empty());
    let report = verify_store(&store, None, |_, r| Some(w.versions.verify(r)), &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
}
