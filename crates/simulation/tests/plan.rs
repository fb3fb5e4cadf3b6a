//! The whole plan: what a fixed seed does, on a memory store and on a SQLite file,
//! and that the same seed writes the same log.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use common::{Run, Seen, TempPath, log, play, play_in_memory, play_unverified};
use regula_core::{Lang, MemoryStore, Store};
use regula_simulation::report::Narrator;
use regula_simulation::{Note, SimError, Simulation, SimulationOptions, verify};
use regula_standards::Stage;
use regula_store_sqlite::{SqliteOptions, SqliteStore, Synchronous};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Seed 7 (the example's default) on a memory store, played once for every test here.
fn seed_7() -> &'static Run<MemoryStore> {
    static RUN: OnceLock<Run<MemoryStore>> = OnceLock::new();
    RUN.get_or_init(|| play_in_memory(7))
}

#[test]
fn seed_7_plays_the_whole_plan() {
    let run = seed_7();
    let t = &run.summary.tally;
    // The figures the example prints for seed 7.
    assert_eq!((t.records, t.created, t.accepted, t.refused), (3473, 117, 3331, 25));
    assert_eq!((t.first_published, t.new_versions, t.send_backs), (116, 52, 21));
    assert_eq!((t.revisions, t.cancelled, t.consolidated, t.withdrawn), (52, 0, 112, 1));
    assert_eq!((t.assigned, t.opinions, t.reports), (12, 633, 418));
    assert_eq!((t.inspections, t.evaluations, t.weak), (127, 323, 37));
    assert_eq!((run.summary.events, run.summary.beyond_horizon), (3460, 0));
    // Every kind of refusal the scenario stages, by the check that refuses it.
    let refusals: BTreeMap<&str, u64> = run.summary.refusals.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    let expected = BTreeMap::from([
        ("actor_fits_role", 2),
        ("consultation_period", 6),
        ("department_assigned", 2),
        ("document_number_unique", 2),
        ("draft_complete", 7),
        ("meeting_record", 1),
        ("no_transition", 1),
        ("opinions_from_both_groups", 5),
        // Definition version 2: the court's list names a standard its evaluation failed.
        ("passing_evaluation", 1),
    ]);
    assert_eq!(refusals, expected);
    // Definition version 2: the office moved one standard to another department, with
    // its reason, and every standard follows version 2.
    let moved = run.court.instance("ADJ-01-15").unwrap().data();
    assert_eq!(moved.department.as_ref().unwrap().department, "comprehensive_trial");
    assert_eq!(moved.reassignments.len(), 1);
    assert!(moved.reassignments[0].reason.contains("调整审判业务分工"));
    assert!(run.court.instances().all(|(_, i)| i.definition().version == 2));

    // All 117 standards imported; one withdrawn (never drafted); revisions ended in
    // new versions.
    let ledger = run.court.ledger();
    assert_eq!(ledger.len(), 117);
    let withdrawn: Vec<&str> = ledger
        .iter()
        .filter(|d| d.stage == Stage::Withdrawn)
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(withdrawn, ["ADJ-01-19"]);
    assert_eq!(ledger.iter().filter(|d| d.versions.len() > 1).count(), 41);
    let versions: usize = ledger.iter().map(|d| d.versions.len()).sum();
    assert_eq!(versions as u64, t.first_published + t.new_versions);
    assert_eq!(ledger.iter().filter(|d| d.stage == Stage::Consolidated).count(), 112);

    // Late and unassigned standards at each due date.
    let dues: Vec<(NaiveDate, usize, usize)> = run
        .summary
        .due_dates
        .iter()
        .map(|d| (d.due, d.overdue, d.unassigned))
        .collect();
    assert_eq!(
        dues,
        [
            (ymd(2022, 12, 31), 3, 4),
            (ymd(2023, 12, 31), 5, 2),
            (ymd(2024, 12, 31), 7, 0),
            (ymd(2025, 12, 31), 4, 0),
        ]
    );
    let periods: u64 = run.summary.due_dates.iter().map(|d| d.period.records).sum();
    assert_eq!(periods, t.records);
}

#[test]
fn the_observer_is_told_everything_in_order() {
    let run = seed_7();
    let t = &run.summary.tally;
    assert!(matches!(
        run.seen.first(),
        Some(Seen::Imported {
            opened: 117,
            unassigned: 13
        })
    ));
    let records: Vec<&regula_core::AuditRecord> = run
        .seen
        .iter()
        .filter_map(|s| match s {
            Seen::Record { record, .. } => Some(record),
            _ => None,
        })
        .collect();
    assert_eq!(records.len() as u64, t.accepted + t.refused);
    assert_eq!(records.iter().filter(|r| r.is_refused()).count() as u64, t.refused);
    // Records come in time order.
    assert!(records.windows(2).all(|w| w[0].at <= w[1].at));
    let dues: Vec<(NaiveDate, bool)> = run
        .seen
        .iter()
        .filter_map(|s| match s {
            Seen::DueDate { due, last } => Some((*due, *last)),
            _ => None,
        })
        .collect();
    assert_eq!(
        dues,
        [
            (ymd(2022, 12, 31), false),
            (ymd(2023, 12, 31), false),
            (ymd(2024, 12, 31), false),
            (ymd(2025, 12, 31), true),
        ]
    );
    let notes: Vec<(&str, &Note)> = run
        .seen
        .iter()
        .filter_map(|s| match s {
            Seen::Note { code, note } => Some((code.as_str(), note)),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes.iter().filter(|(_, n)| matches!(n, Note::Assigned { .. })).count() as u64,
        t.assigned
    );
    let withdrawn: Vec<&str> = notes
        .iter()
        .filter(|(_, n)| **n == Note::Withdrawn)
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(withdrawn, ["ADJ-01-19"]);
    assert!(notes.iter().any(|(_, n)| **n == Note::WeakAtAcceptance));
}

#[test]
fn the_narrator_prints_every_refusal_and_each_due_date() {
    let run = seed_7();
    let verification = verify(&run.court, &run.summary).unwrap();
    for (lang, as_of) in [(Lang::Zh, "截至 "), (Lang::En, "As of the end of ")] {
        let narrator = Narrator::new(lang, false);
        let mut text = String::new();
        // The first year, narrated as the example does.
        let mut sim = Simulation::open(
            MemoryStore::new(),
            SimulationOptions::new(7).with_horizon(ymd(2022, 12, 31)),
        )
        .unwrap();
        let summary = sim
            .run(&mut |court, event| text.push_str(&narrator.event(court, event)))
            .unwrap();
        assert_eq!(text.lines().filter(|l| l.starts_with(as_of)).count(), 1);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("  ✗ ")).count() as u64,
            summary.tally.refused
        );
        let end = narrator.summary(&run.court, &run.summary);
        assert!(end.contains("3473"), "{end}");
        let checked = narrator.verification(&verification);
        assert!(checked.contains("3473") && !checked.contains('✗'), "{checked}");
    }
}

#[test]
fn sqlite_file_gets_the_same_log_as_memory() {
    let temp = TempPath::new("seed-7.db");
    let options = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open_with(temp.path(), options).unwrap();
    let run = play(store, SimulationOptions::new(7));
    assert_eq!(run.summary, seed_7().summary);
    let (sqlite_log, sqlite_head) = log(run.court.store());
    let (memory_log, memory_head) = log(seed_7().court.store());
    assert_eq!(sqlite_head, memory_head);
    assert!(
        sqlite_log == memory_log,
        "the SQLite log differs from the memory store's"
    );
}

#[test]
fn same_seed_same_log_other_seed_other_log() {
    let (first, first_head) = log(seed_7().court.store());
    let again = play_unverified(MemoryStore::new(), SimulationOptions::new(7));
    let (second, second_head) = log(again.court.store());
    assert_eq!(first_head, second_head);
    assert!(first == second, "two runs with seed 7 wrote different logs");

    let other = play_in_memory(8);
    let (third, third_head) = log(other.court.store());
    assert_ne!(first_head.root, third_head.root);
    assert_ne!(first, third);
    assert_ne!(other.summary.tally, seed_7().summary.tally);
}

#[test]
fn a_horizon_stops_the_run_and_its_reports() {
    let run = play(
        MemoryStore::new(),
        SimulationOptions::new(7).with_horizon(ymd(2023, 12, 31)),
    );
    let dues: Vec<NaiveDate> = run.summary.due_dates.iter().map(|d| d.due).collect();
    assert_eq!(dues, [ymd(2022, 12, 31), ymd(2023, 12, 31)]);
    assert!(run.summary.beyond_horizon > 0);
    let last = run.court.store().scan(run.summary.tally.records - 1, 1).unwrap();
    assert!(last[0].at < chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00+08:00").unwrap());
    // The same seed plays the same events up to the horizon.
    assert_eq!(run.summary.due_dates[..], seed_7().summary.due_dates[..2]);
}

#[test]
fn a_simulation_needs_an_empty_store_and_runs_once() {
    let horizon = ymd(2022, 6, 30);
    let mut sim = Simulation::open(MemoryStore::new(), SimulationOptions::new(1).with_horizon(horizon)).unwrap();
    sim.run(&mut |_, _| {}).unwrap();
    assert!(matches!(sim.run(&mut |_, _| {}), Err(SimError::AlreadyRun)));

    let store = sim.into_court();
    let records = store.store().tree_head().unwrap().size;
    // Court::open took the store by value; open another simulation on the same one.
    let err = Simulation::open(store.store(), SimulationOptions::new(1))
        .err()
        .unwrap();
    assert!(
        matches!(err, SimError::StoreNotEmpty { records: r } if r == records),
        "{err}"
    );
}
