//! Crash test: a child process appends in a loop and is killed with SIGKILL at random
//! moments; after each kill the file opens, verifies, and holds every append the child
//! acknowledged.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::ScratchDir;
use regula_store_conformance::XorShift;
use regula_store_conformance::faults::{self, Ack};
use regula_store_sqlite::SqliteStore;

const KILLS: u64 = 60;

fn seed() -> u64 {
    std::env::var("REGULA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0de)
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_append() {
    let dir = ScratchDir::new("crash");
    let path = dir.file("court.regula");
    let seed = seed();
    let mut rng = XorShift::new(seed);
    let mut acks: Vec<Ack> = Vec::new();
    let mut mid_run = 0;
    for round in 0..KILLS {
        let mut cmd = faults::child_command("crash_writer_child");
        cmd.env("REGULA_CRASH_DB", &path)
            .env("REGULA_CRASH_CHILD_SEED", (seed ^ round).to_string());
        let killed = faults::run_and_kill(cmd, &mut rng);
        assert!(
            killed.by_sigkill,
            "round {round}: the child must die of SIGKILL, not exit"
        );
        mid_run += u64::from(killed.after_first_ack);
        acks.extend(killed.acks);
        let store = SqliteStore::open(&path).unwrap();
        faults::check_acknowledged(&store, &acks);
    }
    assert!(mid_run >= KILLS / 2, "most kills land while the child is appending");
    assert!(
        acks.len() as u64 >= KILLS,
        "only {} appends were acknowledged in {KILLS} runs",
        acks.len()
    );
    eprintln!(
        "crash test (seed {seed}): {KILLS} SIGKILLs, {mid_run} while appending, {} acknowledged records all present",
        acks.len()
    );
}

/// The child process of the test above (which sets `REGULA_CRASH_DB`). Run alone, it
/// appends a bounded number of times to a scratch file and checks them.
#[test]
#[ignore = "the child process of sigkill_at_random_moments_loses_no_acknowledged_append"]
fn crash_writer_child() {
    let seed = std::env::var("REGULA_CRASH_CHILD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    if let Some(path) = std::env::var_os("REGULA_CRASH_DB") {
        let store = SqliteStore::open(path).unwrap();
        faults::write_until_killed(&store, seed, None, &mut std::io::stdout().lock());
    } else {
        let dir = ScratchDir::new("crash-child");
        let store = SqliteStore::open(dir.file("court.regula")).unwrap();
        let mut out = Vec::new();
        faults::write_until_killed(&store, seed, Some(30), &mut out);
        let acks: Vec<Ack> = String::from_utf8(out).unwrap().lines().filter_map(Ack::parse).collect();
        assert!(acks.len() >= 30);
        faults::check_acknowledged(&store, &acks);
    }
}
