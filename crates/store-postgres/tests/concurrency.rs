//! Concurrency: eight threads, each with its own connection, and then two processes,
//! race to advance the same instances. Every acknowledged record is there exactly
//! once and sequence numbers stay contiguous.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use regula_core::{Repository, Store};
use regula_store_conformance::faults::{self, Ack};
use regula_store_conformance::sample::{self, case, clerk};
use uuid::Uuid;

const STEPS: usize = 25;

fn create_instances(schema: &str, n: usize) -> Vec<Uuid> {
    let repo = Repository::new(sample::engine(), common::open(schema));
    (0..n)
        .map(|i| {
            repo.create(clerk(), "clerk", case(&format!("race {i}")), None)
                .unwrap()
                .0
                .id()
        })
        .collect()
}

#[test]
fn eight_threads_with_their_own_connections() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("threads");
    let instances = create_instances(&schema, 3);
    let acks = faults::race(&|| common::open(&schema), &instances, 8, STEPS, "thread");
    let store = common::open(&schema);
    faults::check_exactly_once(&store, &instances, &acks, instances.len() + 8 * STEPS);
    assert_eq!(store.tree_head().unwrap().size, (instances.len() + 8 * STEPS) as u64);
}

#[test]
fn two_processes_with_four_threads_each() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("processes");
    let instances = create_instances(&schema, 3);
    let list = instances.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
    let children: Vec<_> = (0..2)
        .map(|p| {
            faults::child_command("race_child")
                .env("REGULA_RACE_SCHEMA", &schema)
                .env("REGULA_RACE_INSTANCES", &list)
                .env("REGULA_RACE_TAG", format!("process {p}"))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut acks = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "a racing process failed: {:?}", output.status);
        acks.extend(String::from_utf8(output.stdout).unwrap().lines().filter_map(Ack::parse));
    }
    assert_eq!(acks.len(), 2 * 4 * STEPS);
    faults::check_exactly_once(
        &common::open(&schema),
        &instances,
        &acks,
        instances.len() + 2 * 4 * STEPS,
    );
}

/// One racing process of the test above (which sets `REGULA_RACE_SCHEMA`). Run alone,
/// it races four threads in a fresh schema.
#[test]
#[ignore = "a child process of two_processes_with_four_threads_each"]
fn race_child() {
    if !common::enabled() {
        return;
    }
    let tag = std::env::var("REGULA_RACE_TAG").unwrap_or_else(|_| "alone".to_owned());
    if let Ok(schema) = std::env::var("REGULA_RACE_SCHEMA") {
        let instances: Vec<Uuid> = std::env::var("REGULA_RACE_INSTANCES")
            .unwrap()
            .split(',')
            .map(|s| Uuid::parse_str(s).unwrap())
            .collect();
        for a in faults::race(&|| common::open(&schema), &instances, 4, STEPS, &tag) {
            println!("{}", a.line());
        }
    } else {
        let schema = common::unique_schema("race_child");
        let instances = create_instances(&schema, 2);
        let acks = faults::race(&|| common::open(&schema), &instances, 4, STEPS, &tag);
        faults::check_exactly_once(&common::open(&schema), &instances, &acks, 2 + 4 * STEPS);
    }
}
