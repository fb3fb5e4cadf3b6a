//! A handful of seeds: each plays the whole plan without an unexpected outcome, and
//! its store verifies (seeds 7 and 8 are played in `plan.rs`).
#![allow(clippy::unwrap_used)]

mod common;

use regula_standards::Stage;

fn plays(seed: u64) {
    let run = common::play_in_memory(seed);
    let t = &run.summary.tally;
    assert_eq!(t.created, 117, "seed {seed}");
    assert_eq!(run.summary.due_dates.len(), 4, "seed {seed}");
    // Whatever the seed, the scenario's one-off refusals and its withdrawal happen.
    for check in [
        "actor_fits_role",
        "department_assigned",
        "document_number_unique",
        "meeting_record",
    ] {
        assert!(
            run.summary.refusals.contains_key(check),
            "seed {seed}: no {check} refusal"
        );
    }
    assert_eq!(t.withdrawn, 1, "seed {seed}");
    let ledger = run.court.ledger();
    assert!(ledger.iter().any(|d| d.stage == Stage::Consolidated), "seed {seed}");
    assert!(t.send_backs > 0 && t.new_versions > 0, "seed {seed}: {t:?}");
}

macro_rules! seeds {
    ($($name:ident: $seed:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                plays($seed);
            }
        )*
    };
}

seeds! {
    seed_0: 0,
    seed_1: 1,
    seed_2: 2,
    seed_3: 3,
    seed_4: 4,
    seed_5: 5,
    seed_6: 6,
    seed_9: 9,
}
