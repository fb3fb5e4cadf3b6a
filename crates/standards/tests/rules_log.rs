//! The rules log: a decision is verified under the rules it cites, and those must be
//! the store's, and in force when it was written. A writer that keeps deciding under
//! superseded rules, or cites rules the store never held, or none, fails `verify`
//! although every hash and link is right.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use common::*;
use regula_core::store::StoreProblem;
use regula_core::{Append, Command, Digest, MemoryStore, Store, VerifyErrorKind};
use regula_standards::catalog::{BUILTIN_CATALOG, Catalog};
use regula_standards::lifecycle::{StandardAction, roles};
use regula_standards::service::Court;

const CODE: &str = "ADJ-01-08";

fn court(w: &World) -> Court<MemoryStore> {
    let mut court = Court::open(MemoryStore::new(), w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    court.import(&w.office()).unwrap();
    court
}

/// Appends, behind the court's back, a record that `engine` decides on the standard.
fn append_decided_by(court: &Court<MemoryStore>, engine: &regula_core::Engine<regula_standards::StandardLifecycle>) {
    let mut instance = court.instance(CODE).unwrap().clone();
    let seq = instance.seq();
    let w = World::new();
    let record = engine
        .apply(
            &mut instance,
            Command::new(
                w.filing(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            ),
        )
        .unwrap();
    assert!(!record.is_refused(), "{record:?}");
    court
        .store()
        .append(Append {
            instance: instance.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        })
        .unwrap();
}

fn rules_problems(court: &Court<MemoryStore>) -> Vec<String> {
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    report
        .problems
        .iter()
        .filter_map(|p| match p {
            StoreProblem::Transition(e) => match &e.kind {
                VerifyErrorKind::Rules { message } => Some(message.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn amend(court: &mut Court<MemoryStore>, w: &World, days: u32) {
    let text = BUILTIN_CATALOG.replace("min_consultation_days = 30", &format!("min_consultation_days = {days}"));
    let catalog = Catalog::from_toml_str(&text).unwrap();
    let record = court.amend_rules(&w.head(), catalog, "试行", None).unwrap();
    assert!(!record.is_refused(), "{record:?}");
    assert_eq!(court.config().min_consultation_days, days);
}

#[test]
fn decisions_under_the_rules_in_force_verify() {
    let w = World::new();
    let mut court = court(&w);
    amend(&mut court, &w, 20);
    w.days(1);
    court
        .apply(
            CODE,
            Command::new(
                w.filing(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            ),
        )
        .unwrap();
    assert_eq!(rules_problems(&court), Vec::<String>::new());
    assert!(court.verify(None, &mut |_, _| {}).unwrap().is_ok());
}

#[test]
fn a_decision_under_superseded_rules_fails_verify() {
    let w = World::new();
    let mut court = court(&w);
    let stale = court.engine().clone();
    amend(&mut court, &w, 20);
    // A writer that never learnt of the amendment, long after it.
    w.clock.advance(TimeDelta::minutes(10));
    append_decided_by(&court, &stale);
    let problems = rules_problems(&court);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("superseded"), "{}", problems[0]);
}

#[test]
fn a_decision_in_the_race_with_an_amendment_verifies() {
    let w = World::new();
    let mut court = court(&w);
    let stale = court.engine().clone();
    amend(&mut court, &w, 20);
    // Written within the clock skew of the amendment: the writer could not know it.
    w.clock.advance(TimeDelta::seconds(30));
    append_decided_by(&court, &stale);
    assert_eq!(rules_problems(&court), Vec::<String>::new());
}

#[test]
fn a_decision_citing_rules_the_store_never_held_or_none_fails_verify() {
    let w = World::new();
    let court = court(&w);
    let forged = court
        .engine()
        .clone()
        .with_rules(Digest::of(b"lenient rules kept elsewhere"));
    append_decided_by(&court, &forged);
    let problems = rules_problems(&court);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("does not hold"), "{}", problems[0]);

    let w = World::new();
    let court = self::court(&w);
    let uncited = court
        .engine()
        .for_definition(std::sync::Arc::clone(court.engine().definition()));
    append_decided_by(&court, &uncited);
    let problems = rules_problems(&court);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("must cite the rules"), "{}", problems[0]);
}

#[test]
fn a_store_opened_with_another_catalog_keeps_its_own_rules() {
    let w = World::new();
    let court = court(&w);
    let store = court.store();
    let lenient =
        Catalog::from_toml_str(&BUILTIN_CATALOG.replace("min_consultation_days = 30", "min_consultation_days = 0"))
            .unwrap();
    let reopened = Court::open(store, lenient, |e| e).unwrap();
    assert_eq!(reopened.config().min_consultation_days, 30);
}

#[test]
fn two_processes_recording_the_rules_of_one_new_store_cannot_both_succeed() {
    let w = World::new();
    let store = MemoryStore::new();
    // Both open the empty store before either imports (the race, made deterministic).
    let mut first = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    let mut second = Court::open(&store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap();
    assert_eq!(first.import(&w.office()).unwrap().len(), 117);
    let before = store.tree_head().unwrap();
    let err = second.import(&w.office()).unwrap_err();
    assert!(
        err.to_string().contains(regula_standards::rules_log::RULES_CLAIM),
        "{err}"
    );
    assert_eq!(
        store.tree_head().unwrap(),
        before,
        "nothing of the second import was written"
    );
    // The store has one rules log and verifies; opened again, the second sees it.
    let again = Court::open(&store, w.catalog.clone(), |e| e).unwrap();
    assert!(again.rules_log().is_some());
    let report = again.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
}

/// The red team's a1: rules amended in 2026 judged an event of 2023 entered after the
/// fact. An event is judged by the rules in force at its time.
#[test]
fn an_event_entered_after_the_fact_is_judged_by_the_rules_of_its_time() {
    let w = World::new();
    let mut court = court(&w);
    let dept = w.filing();
    let start = w.now();
    let opened_at = start + TimeDelta::days(2);
    // Everything below is entered years later, after the fact.
    w.clock.advance(TimeDelta::days(1000));
    court
        .apply(
            CODE,
            Command::new(
                dept.clone(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            )
            .at(start + TimeDelta::days(1)),
        )
        .unwrap();
    let r = court
        .apply(
            CODE,
            Command::new(dept.clone(), roles::DEPARTMENT, open_consultation()).at(opened_at),
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    // Now the leading group allows closing at once.
    amend(&mut court, &w, 0);
    let close = |court: &mut Court<MemoryStore>, at| {
        let r = court
            .apply(
                CODE,
                Command::new(dept.clone(), roles::DEPARTMENT, StandardAction::CloseConsultation).at(at),
            )
            .unwrap();
        r.refusal()
            .unwrap_or_default()
            .iter()
            .any(|reason| reason.guard.as_deref() == Some("consultation_period"))
    };
    // What blocks closing, as of a date, follows the rules of that date too.
    let blocks_on_period =
        |court: &Court<MemoryStore>, at| {
            court.blockers(CODE, at).unwrap().iter().any(|b| {
                b.action == "close_consultation" && b.reasons.iter().any(|r| r.en.contains("at least 30 days"))
            })
        };
    assert!(blocks_on_period(&court, opened_at + TimeDelta::days(2)));
    assert!(!blocks_on_period(&court, w.now()));
    // Closed two days after opening, entered now: the 30 days of that time apply.
    assert!(
        close(&mut court, opened_at + TimeDelta::days(2)),
        "judged by the amended rules"
    );
    assert_eq!(rules_problems(&court), Vec::<String>::new());
    // An attempt taking effect after the amendment follows it.
    assert!(!close(&mut court, w.now()), "judged by the old rules");
    assert_eq!(rules_problems(&court), Vec::<String>::new());
}

/// An amendment may not take effect before decisions already made.
#[test]
fn rules_are_not_amended_retroactively() {
    let w = World::new();
    let mut court = court(&w);
    w.days(10);
    court
        .apply(
            CODE,
            Command::new(
                w.filing(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            ),
        )
        .unwrap();
    let text = BUILTIN_CATALOG.replace("min_consultation_days = 30", "min_consultation_days = 0");
    let catalog = Catalog::from_toml_str(&text).unwrap();
    let back = w.now() - TimeDelta::days(5);
    let record = court
        .amend_rules(&w.head(), catalog.clone(), "追溯", Some(back))
        .unwrap();
    let reasons = record.refusal().unwrap();
    assert_eq!(
        reasons[0].guard.as_deref(),
        Some("rules_not_retroactive"),
        "{reasons:?}"
    );
    assert_eq!(court.config().min_consultation_days, 30);
    // Forced past the service (a writer that skipped the check): verify names it.
    let mut rules = court.rules_log().unwrap().clone();
    let forced = court
        .engine()
        .for_definition(regula_standards::rules_log::rules_definition().unwrap())
        .apply(
            &mut rules,
            Command::new(
                w.head(),
                roles::LEADING_GROUP,
                regula_standards::rules_log::RulesAction::Amend {
                    rules: regula_standards::rules_log::RulesData::of(&catalog),
                    reason: "追溯".into(),
                },
            )
            .at(back),
        );
    // The engine itself refuses a time before the log's last accepted record only; the
    // refusal above was the service's, so the forged amendment is written.
    let forced = forced.unwrap();
    assert!(!forced.is_refused());
    court
        .store()
        .append(Append {
            instance: rules.id(),
            expected_seq: rules.seq() - 1,
            records: std::slice::from_ref(&forced),
            due_at: None,
        })
        .unwrap();
    let problems = rules_problems(&court);
    assert!(
        problems.iter().any(|p| p.contains("not changed retroactively")),
        "{problems:?}"
    );
}
