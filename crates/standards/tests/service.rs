//! The court service's whole-store verification checks what no single log can: a
//! document number used twice across the catalog by a writer that bypassed the
//! service's catalog-wide check.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use regula_core::store::StoreProblem;
use regula_core::{Append, MemoryStore, Store, VerifyErrorKind};
use regula_standards::court::DOCUMENT_NUMBER_UNIQUE;
use regula_standards::lifecycle::roles;
use regula_standards::service::Court;

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
        .append(Append {
            instance: rules.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&created),
        })
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
        store
            .append(Append {
                instance: s.id(),
                expected_seq: 0,
                records: &log,
            })
            .unwrap();
        published.push((s.id(), r.seq));
        w.days(1);
    }
    let court = Court::open(store, w.catalog.clone(), |engine| engine).unwrap();
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    assert_eq!(
        report.replayed, 3,
        "each log is valid on its own (two standards and the rules log)"
    );
    assert_eq!(report.problems.len(), 1, "{report}");
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
