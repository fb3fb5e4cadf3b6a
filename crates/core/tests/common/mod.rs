//! A sample lifecycle shared by the engine's tests: a review of judgment documents.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use regula_core::{
    Action, Actor, AuditRecord, Definition, DefinitionBuilder, Engine, GuardExpr, Lifecycle, ManualClock, PayloadError,
    SeededIds, Span, State, Text, Transition,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Draft,
    Review,
    Returned,
    Signed,
    Withdrawn,
}

pub const STAGES: [Stage; 5] = [
    Stage::Draft,
    Stage::Review,
    Stage::Returned,
    Stage::Signed,
    Stage::Withdrawn,
];

impl State for Stage {
    fn name(&self) -> &str {
        match self {
            Stage::Draft => "draft",
            Stage::Review => "review",
            Stage::Returned => "returned",
            Stage::Signed => "signed",
            Stage::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Step {
    Submit { summary: String },
    Return { reason: String },
    Resubmit { summary: String },
    Sign,
    Comment { text: String },
    Withdraw { reason: String },
}

impl Action for Step {
    fn name(&self) -> &str {
        match self {
            Step::Submit { .. } => "submit",
            Step::Return { .. } => "return",
            Step::Resubmit { .. } => "resubmit",
            Step::Sign => "sign",
            Step::Comment { .. } => "comment",
            Step::Withdraw { .. } => "withdraw",
        }
    }
    fn payload(&self) -> Result<serde_json::Value, PayloadError> {
        regula_core::action::tagged_payload(self)
    }
    fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
        regula_core::action::from_tagged(name, payload)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub case: String,
    pub summary: String,
    pub comments: Vec<String>,
    pub returns: u32,
}

pub struct Review;

impl Lifecycle for Review {
    type State = Stage;
    type Action = Step;
    type Data = Doc;
}

fn nonempty(s: &str, zh: &'static str, en: &'static str) -> Result<(), Text> {
    if s.trim().is_empty() {
        Err(Text::new(zh, en))
    } else {
        Ok(())
    }
}

/// The builder with everything declared, before `build`, so tests can break it.
pub fn builder() -> DefinitionBuilder<Review> {
    let mut b = Definition::<Review>::builder("judgment-review", 1)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Review, Text::new("审核", "Review"))
        .state(Stage::Returned, Text::new("退回", "Returned"))
        .state(Stage::Signed, Text::new("签发", "Signed"))
        .state(Stage::Withdrawn, Text::new("撤回", "Withdrawn"))
        .initial(Stage::Draft)
        .terminal(Stage::Signed)
        .terminal(Stage::Withdrawn)
        .role("clerk", Text::new("书记员", "Clerk"))
        .role("judge", Text::new("法官", "Judge"))
        .role("president", Text::new("院长", "President"))
        .action("submit", Text::new("提交", "Submit"))
        .action("return", Text::new("退回", "Return"))
        .action("resubmit", Text::new("重新提交", "Resubmit"))
        .action("sign", Text::new("签发", "Sign"))
        .action("comment", Text::new("批注", "Comment"))
        .action("withdraw", Text::new("撤回", "Withdraw"))
        .creators(["clerk"])
        .guard(
            "has_summary",
            Text::new("须有摘要", "a summary is required"),
            |i| match i.action {
                Step::Submit { summary } | Step::Resubmit { summary } => {
                    nonempty(summary, "摘要为空", "the summary is empty")
                }
                _ => Ok(()),
            },
        )
        .guard(
            "reason_given",
            Text::new("须说明理由", "a reason is required"),
            |i| match i.action {
                Step::Return { reason } | Step::Withdraw { reason } => {
                    nonempty(reason, "未说明理由", "no reason given")
                }
                _ => Ok(()),
            },
        )
        .guard(
            "case_number",
            Text::new("须有案号", "a case number is required"),
            |i| nonempty(&i.instance.data().case, "没有案号", "no case number"),
        )
        .transition(
            Transition::new(Stage::Draft, "submit", Stage::Review)
                .by(["clerk"])
                .when("has_summary")
                .when("case_number"),
        )
        .transition(
            Transition::new(Stage::Review, "return", Stage::Returned)
                .by(["judge"])
                .when("reason_given"),
        )
        .transition(
            Transition::new(Stage::Returned, "resubmit", Stage::Review)
                .by(["clerk"])
                .when("has_summary"),
        )
        .transition(
            Transition::new(Stage::Review, "sign", Stage::Signed)
                .by(["judge", "president"])
                .guard(GuardExpr::MinTimeInState(Span::days(1))),
        );
    for s in [Stage::Draft, Stage::Review, Stage::Returned] {
        b = b
            .transition(Transition::new(s, "comment", s).by(["clerk", "judge", "president"]))
            .transition(
                Transition::new(s, "withdraw", Stage::Withdrawn)
                    .by(["president"])
                    .when("reason_given"),
            );
    }
    b.effect(|doc: &mut Doc, input| match input.action {
        Step::Submit { summary } | Step::Resubmit { summary } => doc.summary = summary.clone(),
        Step::Return { .. } => doc.returns += 1,
        Step::Comment { text } => doc.comments.push(text.clone()),
        Step::Sign | Step::Withdraw { .. } => {}
    })
}

pub fn definition() -> Definition<Review> {
    builder().build().unwrap()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).unwrap()
}

/// A deterministic engine and the clock that drives it.
pub fn engine() -> (Engine<Review>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    let engine = Engine::new(definition())
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(42)));
    (engine, clock)
}

pub fn clerk() -> Actor {
    Actor::new("li.na").named("李娜").in_unit("立案庭")
}

pub fn judge() -> Actor {
    Actor::new("wang.qiang").named("王强").in_unit("综合审判庭")
}

pub fn president() -> Actor {
    Actor::new("chen.wei").named("陈伟")
}

pub fn doc() -> Doc {
    Doc {
        case: "(2024)吉7505民初12号".to_owned(),
        ..Doc::default()
    }
}

/// Recomputes hashes and links from `from` on, as a forger who knows the format would.
pub fn reseal(records: &mut [AuditRecord], from: usize) {
    for i in from..records.len() {
        if i > 0 {
            records[i].prev_hash = records[i - 1].hash;
        }
        records[i].hash = records[i].compute_hash();
    }
}
