//! A small lifecycle (a judgment document's review) and helpers that fill a
//! `MemoryStore` with its records.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use regula_core::{
    Action, Actor, Append, AuditRecord, Command, Definition, Engine, Lifecycle, ManualClock, MemoryStore, PayloadError,
    Repository, SeededIds, State, Store, Text, Transition,
};
use regula_proof::{Checkpoint, CheckpointNote, CheckpointSigning, SigningKey};
use serde::{Deserialize, Serialize};

pub const ORIGIN: &str = "红石林区基层法院/regula";
pub const KEY_NAME: &str = "红石林区基层法院";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Draft,
    Review,
    Signed,
}

impl State for Stage {
    fn name(&self) -> &str {
        match self {
            Stage::Draft => "draft",
            Stage::Review => "review",
            Stage::Signed => "signed",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Step {
    Submit { summary: String },
    Sign,
}

impl Action for Step {
    fn name(&self) -> &str {
        match self {
            Step::Submit { .. } => "submit",
            Step::Sign => "sign",
        }
    }
    fn payload(&self) -> Result<serde_json::Value, PayloadError> {
        regula_core::action::tagged_payload(self)
    }
    fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
        regula_core::action::from_tagged(name, payload)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Doc {
    pub summary: String,
}

pub struct Review;

impl Lifecycle for Review {
    type State = Stage;
    type Action = Step;
    type Data = Doc;
}

pub fn definition() -> Definition<Review> {
    Definition::<Review>::builder("judgment-review", 1)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Review, Text::new("审核", "Review"))
        .state(Stage::Signed, Text::new("签发", "Signed"))
        .initial(Stage::Draft)
        .terminal(Stage::Signed)
        .role("clerk", Text::new("书记员", "Clerk"))
        .role("judge", Text::new("法官", "Judge"))
        .action("submit", Text::new("提交", "Submit"))
        .action("sign", Text::new("签发", "Sign"))
        .transition(Transition::new(Stage::Draft, "submit", Stage::Review).by(["clerk"]))
        .transition(Transition::new(Stage::Review, "sign", Stage::Signed).by(["judge"]))
        .effect(|doc: &mut Doc, input| {
            if let Step::Submit { summary } = input.action {
                doc.summary = summary.clone();
            }
        })
        .build()
        .unwrap()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).unwrap()
}

/// A deterministic repository over `store`, its clock starting at `start`.
pub fn repository<S: Store>(store: S, seed: u64, start: DateTime<Utc>) -> (Repository<Review, S>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(definition())
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(seed)));
    (Repository::new(engine, store), clock)
}

/// Runs `cases` documents through their lifecycle: create, a refused sign, submit,
/// and for every other one, sign. About 3.5 records per case.
pub fn run_cases<S: Store>(repo: &Repository<Review, S>, clock: &ManualClock, cases: usize, tag: &str) {
    let clerk = Actor::new("li.na").named("李娜").in_unit("立案庭");
    let judge = Actor::new("wang.wei").in_unit("审判庭");
    for i in 0..cases {
        let (mut doc, _) = repo.create(clerk.clone(), "clerk", Doc::default(), None).unwrap();
        clock.advance(TimeDelta::seconds(7));
        // Refused: a clerk may not sign. Refusals are recorded too.
        repo.apply(&mut doc, Command::new(clerk.clone(), "clerk", Step::Sign))
            .unwrap();
        repo.apply(
            &mut doc,
            Command::new(
                clerk.clone(),
                "clerk",
                Step::Submit {
                    summary: format!("{tag} 判决书 {i}"),
                },
            ),
        )
        .unwrap();
        clock.advance(TimeDelta::seconds(11));
        if i % 2 == 0 {
            repo.apply(
                &mut doc,
                Command::new(judge.clone(), "judge", Step::Sign).with_note("同意"),
            )
            .unwrap();
        }
    }
}

/// A store holding the records of `cases` documents.
pub fn store_with(cases: usize) -> MemoryStore {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 42, t0());
    run_cases(&repo, &clock, cases, "案");
    store
}

/// Every record, in append order.
pub fn all_records<S: Store + ?Sized>(store: &S) -> Vec<AuditRecord> {
    store.scan(0, usize::MAX).unwrap()
}

/// A new store holding the first `n` records of `store`: the same store rolled back.
pub fn rolled_back<S: Store + ?Sized>(store: &S, n: u64) -> MemoryStore {
    let copy = MemoryStore::new();
    for r in store.scan(0, n as usize).unwrap() {
        copy.append(Append {
            instance: r.instance,
            expected_seq: r.seq - 1,
            records: std::slice::from_ref(&r),
            due_at: None,
        })
        .unwrap();
    }
    copy
}

/// A fixed signing key for the court.
pub fn court_key() -> SigningKey {
    SigningKey::from_seed(KEY_NAME, &[7u8; 32]).unwrap()
}

/// The store's current head, signed by `key` at `t0`.
pub fn sign_head<S: Store + ?Sized>(store: &S, key: &SigningKey) -> CheckpointNote {
    let body = Checkpoint::with_origin(ORIGIN, store.tree_head().unwrap(), t0() + TimeDelta::hours(1)).unwrap();
    CheckpointNote::sign(&body, key)
}
