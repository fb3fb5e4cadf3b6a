//! The lifecycle the engine benchmarks run: a document that goes back and forth
//! between two states through guarded, role-checked transitions, so a run of any
//! length never ends in a terminal state.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use regula_core::{
    Action, Actor, Command, Definition, Engine, Lifecycle, ManualClock, PayloadError, SeededIds, State, Text,
    Transition,
};
use serde::{Deserialize, Serialize};

/// The states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// Being drafted.
    Drafting,
    /// Under review.
    Reviewing,
    /// Closed (terminal; reached only by `close`).
    Closed,
}

impl State for Side {
    fn name(&self) -> &str {
        match self {
            Side::Drafting => "drafting",
            Side::Reviewing => "reviewing",
            Side::Closed => "closed",
        }
    }
}

/// The actions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Move {
    /// Send for review, with a summary.
    Submit {
        /// The summary (must not be blank).
        summary: String,
    },
    /// Send back, with a reason.
    Return {
        /// The reason (must not be blank).
        reason: String,
    },
    /// Close for good.
    Close,
}

impl Action for Move {
    fn name(&self) -> &str {
        match self {
            Move::Submit { .. } => "submit",
            Move::Return { .. } => "return",
            Move::Close => "close",
        }
    }
    fn payload(&self) -> Result<serde_json::Value, PayloadError> {
        regula_core::action::tagged_payload(self)
    }
    fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
        regula_core::action::from_tagged(name, payload)
    }
    fn encode_payload(&self) -> Result<regula_core::Payload, PayloadError> {
        regula_core::action::tagged_record_payload(self)
    }
    fn from_payload(name: &str, payload: &regula_core::Payload) -> Result<Self, PayloadError> {
        regula_core::action::from_tagged_record(name, payload)
    }
}

/// The data: counts of round trips.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Submissions.
    pub submitted: u64,
    /// Returns.
    pub returned: u64,
}

/// The lifecycle marker.
pub struct PingPong;

impl Lifecycle for PingPong {
    type State = Side;
    type Action = Move;
    type Data = Counts;
}

/// The definition: two guarded transitions with role checks, and an effect.
pub fn definition() -> Definition<PingPong> {
    let built = Definition::<PingPong>::builder("bench-ping-pong", 1)
        .state(Side::Drafting, Text::new("起草", "Drafting"))
        .state(Side::Reviewing, Text::new("审核", "Reviewing"))
        .state(Side::Closed, Text::new("关闭", "Closed"))
        .initial(Side::Drafting)
        .terminal(Side::Closed)
        .role("clerk", Text::new("书记员", "Clerk"))
        .role("judge", Text::new("法官", "Judge"))
        .action("submit", Text::new("提交", "Submit"))
        .action("return", Text::new("退回", "Return"))
        .action("close", Text::new("关闭", "Close"))
        .guard(
            "text_given",
            Text::new("须填写说明", "text required"),
            |i| match i.action {
                Move::Submit { summary: t } | Move::Return { reason: t } if t.trim().is_empty() => {
                    Err(Text::new("说明为空", "empty text"))
                }
                _ => Ok(()),
            },
        )
        .transition(
            Transition::new(Side::Drafting, "submit", Side::Reviewing)
                .by(["clerk"])
                .when("text_given"),
        )
        .transition(
            Transition::new(Side::Reviewing, "return", Side::Drafting)
                .by(["judge"])
                .when("text_given"),
        )
        .transition(Transition::new(Side::Reviewing, "close", Side::Closed).by(["judge"]))
        .effect(|c: &mut Counts, i| match i.action {
            Move::Submit { .. } => c.submitted += 1,
            Move::Return { .. } => c.returned += 1,
            Move::Close => {}
        })
        .build();
    match built {
        Ok(d) => d,
        Err(e) => panic!("the benchmark definition is invalid: {e}"),
    }
}

/// A deterministic engine.
pub fn engine() -> Engine<PingPong> {
    seeded_engine(1)
}

/// A deterministic engine whose ids come from `seed`.
pub fn seeded_engine(seed: u64) -> Engine<PingPong> {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().unwrap_or_default();
    Engine::new(definition())
        .with_clock(Arc::new(ManualClock::new(start)))
        .with_ids(Arc::new(SeededIds::new(seed)))
}

/// The `i`-th command of the endless round trip.
pub fn command(i: u64, clerk: &Actor, judge: &Actor) -> Command<Move> {
    if i.is_multiple_of(2) {
        Command::new(
            clerk.clone(),
            "clerk",
            Move::Submit {
                summary: "判决书初稿".to_owned(),
            },
        )
    } else {
        Command::new(
            judge.clone(),
            "judge",
            Move::Return {
                reason: "补充说理".to_owned(),
            },
        )
    }
}

/// The two actors.
pub fn actors() -> (Actor, Actor) {
    (
        Actor::new("li.na").in_unit("立案庭"),
        Actor::new("wang.qiang").in_unit("综合审判庭"),
    )
}
