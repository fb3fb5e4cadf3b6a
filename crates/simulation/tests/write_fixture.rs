//! Writes `tests/fixtures/store-v2-sim-2023-06-30.db`: the seed-7 simulation stopped at
//! the end of 2023-06-30, as Regula 0.2 (record format 2, store schema 2, court
//! definition version 1) wrote it. Standards are then in every stage from research to
//! consolidated, which is what a migration to a new definition version must handle.
//!
//! The fixture is committed as written and never regenerated; this test exists to say
//! how it was made. Run it only to make a *new* fixture under a new name:
//! `REGULA_WRITE_FIXTURE=path.db cargo test -p regula-simulation --test write_fixture -- --ignored`.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use regula_simulation::{Simulation, SimulationOptions};
use regula_store_sqlite::SqliteStore;

#[test]
#[ignore = "writes a fixture; run by hand only"]
fn write_the_store_fixture() {
    let Some(path) = std::env::var_os("REGULA_WRITE_FIXTURE") else {
        panic!("set REGULA_WRITE_FIXTURE to the file to write");
    };
    let path = std::path::PathBuf::from(path);
    assert!(
        !path.exists(),
        "{} exists; fixtures are never rewritten",
        path.display()
    );
    let horizon = NaiveDate::from_ymd_opt(2023, 6, 30).unwrap();
    let mut sim = Simulation::open(
        SqliteStore::open(&path).unwrap(),
        SimulationOptions::new(7).with_horizon(horizon),
    )
    .unwrap();
    let summary = sim.run(&mut |_, _| {}).unwrap();
    eprintln!("{} records", summary.tally.records);
}
