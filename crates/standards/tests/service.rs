//! The court service's whole-store verification checks what no single log can: a
//! document number used twice across the catalog by a writer that bypassed the
//! service's catalog-wide check, and claims that disagree with the publications. Two
//! courts on one store, each with the state it loaded, cannot both publish one
//! number: the store's claim decides.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use regula_core::store::{ClaimProblem, StoreProblem};
use regula_core::{Append, Claim, ClaimHolder, Command, MemoryStore, Store, StoreError, VerifyErrorKind};
use regula_standards::court::{DOCUMENT_NUMBER_CLAIM, DOCUMENT_NUMBER_UNIQUE};
use regula_standards::lifecycle::roles;
use regula_standards::rules_log::{RULES_CLAIM, RULES_DEFINITION};
use regula_standards::service::Court;
use regula_standards::service::{STANDARD_CLAIM, ServiceError};

/// Appends a standard's log with the claim of its opening, as `Court::import` would
/// (its publications' claims are left out: the library's own check was bypassed).
fn opened(store: &MemoryStore, s: &Std, log: &[regula_core::AuditRecord]) {
    store
        .append_claiming(
            &[Append {
                instance: s.id(),
                expected_seq: 0,
                records: log,
                due_at: None,
            }],
            &[Claim::new(STANDARD_CLAIM, s.data().code.as_str(), s.id(), 1)],
        )
        .unwrap();
}

/// Records `w`'s catalog as the store's rules and returns `w` with an engine that cites
/// them, as `Court::import` would.
fn with_recorded_rules(w: World, store: &MemoryStore) -> World {
    let rules_engine = w
        .engine
        .for_definition(regula_standards::rules_log::rules_definition().unwrap());
    let (rules, created) = rules_engine
        .create(
            w.office(),
            roles::OFFICE,
            regula_standards::rules_log::RulesData::of(&w.catalog),
            None,
        )
        .unwrap();
    store
        .append_claiming(
            &[Append {
                instance: rules.id(),
                expected_seq: 0,
                records: std::slice::from_ref(&created),
                due_at: None,
            }],
            &[Claim::new(RULES_CLAIM, RULES_DEFINITION, rules.id(), 1)],
        )
        .unwrap();
    World {
        engine: w.engine.clone().with_rules(created.hash),
        ..w
    }
}

#[test]
fn verify_reports_a_document_number_used_twice() {
    let w = World::new();
    let store = MemoryStore::new();
    // The store's rules, which every decision cites.
    let w = with_recorded_rules(w, &store);
    let mut published = Vec::new();
    for code in ["ADJ-01-08", "ADJ-01-09"] {
        let (mut s, mut log) = w.to_consultation(code);
        w.to_approved(&mut s, &mut log);
        // `act` skips the catalog-wide check that `Court::apply` makes.
        let r = w.act(
            &mut s,
            &mut log,
            &w.office(),
            roles::OFFICE,
            publish("红林法〔2023〕15号", w.today()),
        );
        accepted(&r);
        opened(&store, &s, &log);
        published.push((s.id(), r.seq));
        w.days(1);
    }
    let court = Court::open(store, w.catalog.clone(), |engine| engine).unwrap();
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    assert_eq!(
        report.replayed, 3,
        "each log is valid on its own (two standards and the rules log)"
    );
    // Written past the service, the first publication lacks the claim of its number
    // (the second is no holder: it is reported as the number's second use).
    let claims: Vec<_> = report
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p,
                StoreProblem::Claim {
                    problem: ClaimProblem::Missing { .. },
                    ..
                }
            )
        })
        .collect();
    assert_eq!(claims.len(), 1, "{report}");
    assert_eq!(report.problems.len(), 2, "{report}");
    match &report.problems[0] {
        StoreProblem::Transition(e) => {
            assert_eq!((e.instance, e.seq), published[1], "the second use is the culprit");
            match &e.kind {
                VerifyErrorKind::GuardsWouldRefuse { reasons } => {
                    assert_eq!(reasons.len(), 1);
                    assert_eq!(reasons[0].guard.as_deref(), Some(DOCUMENT_NUMBER_UNIQUE));
                    assert!(
                        reasons[0].message.zh.contains("已用于标准 ADJ-01-08"),
                        "{}",
                        reasons[0].message
                    );
                }
                other => panic!("unexpected {other}"),
            }
        }
        other => panic!("unexpected {other}"),
    }
}

/// Two standards ready to publish, in `store`; returns their instances' ids.
fn two_ready(w: &World, store: &MemoryStore) -> Vec<uuid::Uuid> {
    ["ADJ-01-08", "ADJ-01-09"]
        .iter()
        .map(|code| {
            let (mut s, mut log) = w.to_consultation(code);
            w.to_approved(&mut s, &mut log);
            opened(store, &s, &log);
            s.id()
        })
        .collect()
}

#[test]
fn two_courts_with_stale_state_cannot_both_publish_one_number() {
    let store = MemoryStore::new();
    let w = with_recorded_rules(World::new(), &store);
    let ids = two_ready(&w, &store);
    // Both courts load the store before either publishes: each one's own check sees
    // the number free (the race of two processes, made deterministic).
    let mut first = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let mut second = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let number = "红林法〔2023〕15号";
    let publish_as = |code| Command::new(w.office(), roles::OFFICE, publish(number, w.today())).with_note(code);
    let r1 = first.apply("ADJ-01-08", publish_as("first")).unwrap();
    accepted(&r1);
    // The next day the number would be another act (one act is one number on one date).
    w.days(1);
    let r2 = second.apply("ADJ-01-09", publish_as("second")).unwrap();
    // Decided again on the fresh state: refused with the document number reason.
    let reasons = refused(&r2);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0].guard.as_deref(), Some(DOCUMENT_NUMBER_UNIQUE));
    assert!(
        reasons[0].message.zh.contains("已用于标准 ADJ-01-08"),
        "{}",
        reasons[0].message
    );
    assert_eq!(
        store.claim(DOCUMENT_NUMBER_CLAIM, number).unwrap(),
        Some(ClaimHolder {
            instance: ids[0],
            seq: r1.seq
        })
    );
    // The second court now knows the first standard's publication.
    assert_eq!(second.instance("ADJ-01-08").unwrap().data().versions.len(), 1);
    let report = second.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.replayed, 3, "two standards and the rules log");
}

#[test]
fn two_courts_with_stale_state_publishing_one_act_share_its_number_and_its_one_claim() {
    let store = MemoryStore::new();
    let w = with_recorded_rules(World::new(), &store);
    let ids = two_ready(&w, &store);
    let mut first = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let mut second = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let number = "红林法〔2023〕15号";
    let publish_now = || Command::new(w.office(), roles::OFFICE, publish(number, w.today()));
    let r1 = first.apply("ADJ-01-08", publish_now()).unwrap();
    accepted(&r1);
    // Same number, same date: the same act. The second court's claim fails, it reloads
    // the holder, and decides again: the publication joins the act, with no claim.
    let r2 = second.apply("ADJ-01-09", publish_now()).unwrap();
    accepted(&r2);
    assert_eq!(
        store.claims(DOCUMENT_NUMBER_CLAIM).unwrap().len(),
        1,
        "one act, one claim, held by its first publication"
    );
    assert_eq!(
        store.claim(DOCUMENT_NUMBER_CLAIM, number).unwrap(),
        Some(ClaimHolder {
            instance: ids[0],
            seq: r1.seq
        })
    );
    let report = second.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
}

#[test]
fn a_claim_held_by_no_standard_is_a_typed_error_and_nothing_is_written() {
    let store = MemoryStore::new();
    let w = with_recorded_rules(World::new(), &store);
    let ids = two_ready(&w, &store);
    let number = "红林法〔2023〕16号";
    // A claim whose holder is a record of another standard's log that published
    // nothing: no standard's data explains it, so deciding again cannot refuse.
    store
        .append_claiming(&[], &[Claim::new(DOCUMENT_NUMBER_CLAIM, number, ids[1], 1)])
        .unwrap();
    let mut court = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let before = store.tree_head().unwrap();
    let err = court
        .apply(
            "ADJ-01-08",
            Command::new(w.office(), roles::OFFICE, publish(number, w.today())),
        )
        .unwrap_err();
    match err {
        ServiceError::Repository(regula_core::RepositoryError::Store(StoreError::Claimed { key, holder, .. })) => {
            assert_eq!((key.as_str(), holder.instance), (number, ids[1]));
        }
        other => panic!("expected Claimed, got {other:?}"),
    }
    assert_eq!(store.tree_head().unwrap(), before, "nothing was written");
    // And verify calls that claim forged.
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    assert!(
        report.problems.iter().any(|p| matches!(
            p,
            StoreProblem::Claim {
                problem: ClaimProblem::Forged { .. },
                ..
            }
        )),
        "{report}"
    );
}

#[test]
fn past_publications_get_their_claims_once() {
    let store = MemoryStore::new();
    let w = with_recorded_rules(World::new(), &store);
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.to_approved(&mut s, &mut log);
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2023〕17号", w.today()),
    );
    accepted(&r);
    store
        .append(Append {
            instance: s.id(),
            expected_seq: 0,
            records: &log,
            due_at: None,
        })
        .unwrap();
    let court = Court::open(&store, w.catalog.clone(), |e| e).unwrap();
    assert!(
        !court.verify(None, &mut |_, _| {}).unwrap().is_ok(),
        "the claim is missing"
    );
    // The document number and the standard's opening.
    assert_eq!(court.claim_past_publications().unwrap(), 2);
    assert_eq!(court.claim_past_publications().unwrap(), 0);
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
}

#[test]
fn the_default_role_is_the_library_s_choice() {
    let w = World::new();
    let mut court = Court::open(MemoryStore::new(), w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    court.import(&w.office()).unwrap();
    let code = "ADJ-01-08";
    // The actor's own role where the transition allows it.
    assert_eq!(
        court.default_role(code, &w.filing(), "start_drafting").unwrap(),
        roles::DEPARTMENT
    );
    assert_eq!(
        court.default_role(code, &w.office(), "withdraw").unwrap(),
        roles::LEADING_GROUP
    );
    assert_eq!(
        court.default_role(code, &w.head(), "withdraw").unwrap(),
        roles::LEADING_GROUP
    );
    assert_eq!(
        court.default_role(code, &w.office(), "record_inspection").unwrap(),
        roles::OFFICE
    );
    // Someone who fits no allowed role gets the first one, so the refusal names it.
    assert_eq!(
        court.default_role(code, &w.enforcement(), "start_drafting").unwrap(),
        roles::DEPARTMENT
    );
    // No such transition from research: the first role of the definition the actor fits.
    assert_eq!(
        court.default_role(code, &w.head(), "approve").unwrap(),
        roles::LEADING_GROUP
    );
    assert!(court.default_role("NOPE-01-01", &w.head(), "approve").is_err());
}

/// A second opening of one code, written behind the library's back (with its claim
/// refused, the store holds it unclaimed): verify names it.
#[test]
fn verify_reports_a_standard_opened_twice() {
    let store = MemoryStore::new();
    let w = with_recorded_rules(World::new(), &store);
    let (first, log) = w.open("ADJ-01-08");
    opened(&store, &first, &log);
    w.days(1);
    let (second, log) = w.open("ADJ-01-08");
    store
        .append(Append {
            instance: second.id(),
            expected_seq: 0,
            records: &log,
            due_at: None,
        })
        .unwrap();
    let court = Court::open(&store, w.catalog.clone(), |e| e).unwrap();
    // The court works on the first opening.
    assert_eq!(court.instance("ADJ-01-08").unwrap().id(), first.id());
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    let opened_twice: Vec<_> = report
        .problems
        .iter()
        .filter(|p| matches!(p, StoreProblem::Transition(e) if e.instance == second.id() && e.seq == 1))
        .collect();
    assert_eq!(opened_twice.len(), 1, "{report}");
    assert!(opened_twice[0].to_string().contains("standard_opened_once"), "{report}");
}

/// A batch whose one transaction fails (an idempotency key the store holds already) is
/// made again attempt by attempt; afterwards the ledger the court judges later attempts
/// by holds what was written, not the failed batch's decisions.
#[test]
fn a_failed_batch_leaves_the_ledger_as_the_store_has_it() {
    use regula_core::Action as _;
    use regula_standards::lifecycle::StandardAction;
    use regula_standards::service::{Attempt, AttemptError};

    let w = World::new();
    let store = MemoryStore::new();
    let mut court = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    court.import(&w.office()).unwrap();
    let code = "ADJ-01-08";
    let act = |name: &str, payload: serde_json::Value| {
        Command::new(
            w.filing(),
            roles::DEPARTMENT,
            StandardAction::from_parts(name, &payload).unwrap(),
        )
    };
    let draft: serde_json::Value = serde_json::from_str(include_str!("../../../examples/payloads/draft.json")).unwrap();
    court.apply(code, act("start_drafting", serde_json::json!({}))).unwrap();
    w.clock.advance(chrono::TimeDelta::days(20));
    assert!(!court.apply(code, act("open_consultation", draft)).unwrap().is_refused());
    let opinion = |n: u32| {
        act(
            "record_opinion",
            serde_json::json!({"opinion": {"source": "frontline", "author": format!("法官{n}"), "content": "意见"}}),
        )
    };
    court.apply_keyed(code, opinion(1), Some("held")).unwrap();
    let opinions = |court: &Court<&MemoryStore>| {
        court
            .ledger()
            .get(code)
            .unwrap()
            .consultations
            .last()
            .unwrap()
            .opinions
            .len()
    };
    assert_eq!(opinions(&court), 1);
    let attempt = |n: u32, key: Option<&str>| Attempt {
        code: code.to_owned(),
        command: opinion(n),
        key: key.map(str::to_owned),
        expected_seq: None,
    };
    // The key is held: the transaction fails, the attempt is made on its own and fails.
    let results = court.apply_batch(vec![attempt(2, Some("held"))]);
    assert!(matches!(results[0], Err(AttemptError::Service(_))), "{results:?}");
    assert_eq!(opinions(&court), 1, "the ledger keeps the failed batch's decision");
    // The second attempt's key is held: the batch's transaction fails, each attempt is
    // made on its own; the first is written, the second is not.
    let results = court.apply_batch(vec![attempt(2, None), attempt(3, Some("held"))]);
    assert!(results[0].as_ref().is_ok_and(|r| !r.is_refused()), "{results:?}");
    assert!(matches!(results[1], Err(AttemptError::Service(_))), "{results:?}");
    assert_eq!(opinions(&court), 2, "the ledger counts the failed batch's decision");
    let written = court
        .history(code)
        .unwrap()
        .iter()
        .filter(|r| r.action == "record_opinion")
        .count();
    assert_eq!(written, 2);
}
