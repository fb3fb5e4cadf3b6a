//! Helpers shared by the simulation's tests.
#![allow(dead_code, clippy::unwrap_used, clippy::large_enum_variant)]

use std::path::{Path, PathBuf};

use regula_core::{AuditRecord, MemoryStore, Store, TreeHead};
use regula_simulation::{Event, Simulation, SimulationOptions, Summary, verify};
use regula_standards::service::Court;

/// An owned copy of what the observer was told.
#[derive(Clone, Debug)]
pub enum Seen {
    Imported {
        opened: usize,
        unassigned: usize,
    },
    Record {
        code: String,
        record: AuditRecord,
    },
    Note {
        code: String,
        note: regula_simulation::Note,
    },
    DueDate {
        due: chrono::NaiveDate,
        last: bool,
    },
}

/// A finished run.
pub struct Run<S: Store> {
    pub summary: Summary,
    pub seen: Vec<Seen>,
    pub court: Court<S>,
}

/// Plays `options` on `store`, keeping everything the observer is told, and checks
/// the store verifies and holds what the run counted.
pub fn play<S: Store>(store: S, options: SimulationOptions) -> Run<S> {
    let run = play_unverified(store, options);
    let verification = verify(&run.court, &run.summary).unwrap();
    assert!(verification.report.is_ok(), "{}", verification.report);
    assert!(verification.counts_match, "{verification:?} vs {:?}", run.summary.tally);
    run
}

/// The same without verifying the store (for a run whose log is compared with a
/// verified one).
pub fn play_unverified<S: Store>(store: S, options: SimulationOptions) -> Run<S> {
    let mut sim = Simulation::open(store, options).unwrap();
    let mut seen = Vec::new();
    let summary = sim
        .run(&mut |_, event| {
            seen.push(match *event {
                Event::Imported { opened, unassigned, .. } => Seen::Imported { opened, unassigned },
                Event::Record { code, record, .. } => Seen::Record {
                    code: code.to_owned(),
                    record: record.clone(),
                },
                Event::Note { code, note, .. } => Seen::Note {
                    code: code.to_owned(),
                    note: note.clone(),
                },
                Event::DueDate { due, last, .. } => Seen::DueDate { due, last },
                _ => unreachable!("an event this test does not know"),
            });
        })
        .unwrap();
    Run {
        summary,
        seen,
        court: sim.into_court(),
    }
}

/// The whole plan with `seed` on a memory store.
pub fn play_in_memory(seed: u64) -> Run<MemoryStore> {
    play(MemoryStore::new(), SimulationOptions::new(seed))
}

/// The store's whole log, as JSON lines in append order, and its tree head.
pub fn log<S: Store>(store: &S) -> (String, TreeHead) {
    let mut records = Vec::new();
    loop {
        let page = store.scan(records.len() as u64, 4096).unwrap();
        if page.is_empty() {
            break;
        }
        records.extend(page);
    }
    (AuditRecord::write_jsonl(&records), store.tree_head().unwrap())
}

/// A path in the temporary directory, removed (with SQLite's companions) on drop.
pub struct TempPath(pub PathBuf);

impl TempPath {
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("regula-simulation-{}-{name}", std::process::id()));
        let temp = TempPath(path);
        temp.remove();
        temp
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        self.remove();
    }
}
