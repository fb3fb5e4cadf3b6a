//! A small court-case lifecycle that the checks and the stores' fault tests drive.
//!
//! `filed → assigned → heard → closed`, with an `annotate` self-loop in every open
//! state so a test can grow a log as long as it likes, and a guard on `assign` so a
//! test can produce refused records.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use regula_core::store::{Replayer, Replayers, StorageCheck, StoreReport, VerifyOptions, verify_store_with};
use regula_core::{
    Action, Actor, AuditRecord, CalendarSpan, Command, Deadline, Definition, Engine, InstanceHead, Lifecycle,
    ManualClock, PayloadError, SeededIds, State, Store, StoreError, Text, Transition, VerifyError, VerifyErrorKind,
};
use serde::{Deserialize, Serialize};

/// The name of the sample definition.
pub const CASE: &str = "sample-case";
/// The name of a second definition with the same table, for filters.
pub const OTHER: &str = "other-case";
/// The name of the sample table with deadlines ([`deadlined`]).
pub const DEADLINED: &str = "deadlined-case";

/// The states of a case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Just filed.
    Filed,
    /// A judge was assigned.
    Assigned,
    /// The hearing took place.
    Heard,
    /// Decided.
    Closed,
}

impl State for Stage {
    fn name(&self) -> &str {
        match self {
            Stage::Filed => "filed",
            Stage::Assigned => "assigned",
            Stage::Heard => "heard",
            Stage::Closed => "closed",
        }
    }
}

/// The actions on a case, with payloads.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Step {
    /// Assign a judge (refused when the name is blank).
    Assign {
        /// The judge.
        judge: String,
    },
    /// Add a note; allowed in every open state.
    Annotate {
        /// The note.
        text: String,
        /// A number, to check that floats survive the store.
        weight: f64,
        /// A list, to check that nested JSON survives the store.
        tags: Vec<String>,
    },
    /// Hold the hearing.
    Hear,
    /// Close with a ruling.
    Close {
        /// The ruling.
        ruling: String,
    },
}

impl Action for Step {
    fn name(&self) -> &str {
        match self {
            Step::Assign { .. } => "assign",
            Step::Annotate { .. } => "annotate",
            Step::Hear => "hear",
            Step::Close { .. } => "close",
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

/// A case's data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The title.
    pub title: String,
    /// The assigned judge.
    pub judge: Option<String>,
    /// Notes, in order.
    pub notes: Vec<String>,
    /// The ruling.
    pub ruling: Option<String>,
}

/// The lifecycle type.
#[derive(Debug)]
pub struct Sample;

impl Lifecycle for Sample {
    type State = Stage;
    type Action = Step;
    type Data = Case;
}

/// The sample definition under `name` (version 1).
pub fn definition(name: &str) -> Definition<Sample> {
    versioned(name, 1)
}

/// The sample definition under `name` at `version` (the same table in every version),
/// for migrations.
pub fn versioned(name: &str, version: u32) -> Definition<Sample> {
    match table(name, version).build() {
        Ok(d) => d,
        // The table is fixed; a failure here is a bug in this file.
        Err(e) => panic!("the sample definition does not build: {e}"),
    }
}

/// The sample table, ready to build or to extend.
fn table(name: &str, version: u32) -> regula_core::DefinitionBuilder<Sample> {
    Definition::<Sample>::builder(name, version)
        .state(Stage::Filed, Text::new("立案", "Filed"))
        .state(Stage::Assigned, Text::new("分案", "Assigned"))
        .state(Stage::Heard, Text::new("开庭", "Heard"))
        .state(Stage::Closed, Text::new("结案", "Closed"))
        .initial(Stage::Filed)
        .terminal(Stage::Closed)
        .role("clerk", Text::new("书记员", "Clerk"))
        .role("judge", Text::new("法官", "Judge"))
        .action("assign", Text::new("分案", "Assign"))
        .action("annotate", Text::new("批注", "Annotate"))
        .action("hear", Text::new("开庭", "Hear"))
        .action("close", Text::new("结案", "Close"))
        .guard(
            "has_judge",
            Text::new("须指定法官", "needs a judge"),
            |input| match input.action {
                Step::Assign { judge } if judge.trim().is_empty() => Err(Text::new("法官为空", "no judge named")),
                _ => Ok(()),
            },
        )
        .transition(
            Transition::new(Stage::Filed, "assign", Stage::Assigned)
                .by(["clerk"])
                .when("has_judge"),
        )
        .transition(Transition::new(Stage::Assigned, "hear", Stage::Heard).by(["judge"]))
        .transition(Transition::new(Stage::Heard, "close", Stage::Closed).by(["judge"]))
        .transition(Transition::new(Stage::Filed, "annotate", Stage::Filed).by(["clerk", "judge"]))
        .transition(Transition::new(Stage::Assigned, "annotate", Stage::Assigned).by(["clerk", "judge"]))
        .transition(Transition::new(Stage::Heard, "annotate", Stage::Heard).by(["clerk", "judge"]))
        .effect(|case: &mut Case, input| match input.action {
            Step::Assign { judge } => case.judge = Some(judge.clone()),
            Step::Annotate { text, .. } => case.notes.push(text.clone()),
            Step::Close { ruling } => case.ruling = Some(ruling.clone()),
            Step::Hear => {}
        })
}

/// The sample table with two deadlines, under [`DEADLINED`]: an assigned case must be
/// heard within 10 days (`hearing`, leave `assigned`), and a filed case must be
/// annotated within 2 days of its creation (`first_note`, take `annotate` in `filed`
/// after `create`).
pub fn deadlined() -> Definition<Sample> {
    let built = table(DEADLINED, 1)
        .deadline(Deadline::leave(
            "hearing",
            Text::new("分案后十日内开庭", "heard within 10 days of assignment"),
            Stage::Assigned,
            CalendarSpan::new(0, 0, 10, 0),
        ))
        .deadline(
            Deadline::take(
                "first_note",
                Text::new("立案后两日内批注", "annotated within 2 days of filing"),
                "annotate",
                CalendarSpan::new(0, 0, 2, 0),
            )
            .in_states([Stage::Filed])
            .after(["create"]),
        )
        .build();
    match built {
        Ok(d) => d,
        // The table above is fixed; a failure here is a bug in this file.
        Err(e) => panic!("the sample definition with deadlines does not build: {e}"),
    }
}

/// An engine for [`CASE`] on the system clock with random ids: records from several
/// engines, threads or processes never collide.
pub fn engine() -> Engine<Sample> {
    Engine::new(definition(CASE))
}

/// An engine for `name` on the system clock with random ids.
pub fn engine_named(name: &str) -> Engine<Sample> {
    Engine::new(definition(name))
}

/// An engine sharing `definition`.
pub fn engine_for(definition: &Arc<Definition<Sample>>) -> Engine<Sample> {
    Engine::new(Arc::clone(definition))
}

/// A deterministic engine: a fixed clock (with nanoseconds) and ids from `seed`.
pub fn fixed_engine(name: &str, seed: u64) -> Engine<Sample> {
    let start = Utc
        .with_ymd_and_hms(2024, 3, 1, 1, 0, 0)
        .single()
        .unwrap_or_default()
        .checked_add_signed(chrono::TimeDelta::nanoseconds(123_456_789))
        .unwrap_or_default();
    Engine::new(definition(name))
        .with_clock(Arc::new(ManualClock::new(start)))
        .with_ids(Arc::new(SeededIds::new(seed)))
}

/// The clerk.
pub fn clerk() -> Actor {
    Actor::new("li.na").named("李娜").in_unit("立案庭")
}

/// The judge.
pub fn judge() -> Actor {
    Actor::new("wang.fang").named("王芳").in_unit("民一庭")
}

/// A new case's data.
pub fn case(title: &str) -> Case {
    Case {
        title: title.to_owned(),
        ..Case::default()
    }
}

/// The clerk assigns `judge`.
pub fn assign(judge: &str) -> Command<Step> {
    Command::new(
        clerk(),
        "clerk",
        Step::Assign {
            judge: judge.to_owned(),
        },
    )
}

/// The clerk annotates.
pub fn annotate(text: &str) -> Command<Step> {
    Command::new(
        clerk(),
        "clerk",
        Step::Annotate {
            text: text.to_owned(),
            weight: 0.1,
            tags: vec!["证据".to_owned(), "a\"b\\c\n".to_owned()],
        },
    )
}

/// The judge holds the hearing.
pub fn hear() -> Command<Step> {
    Command::new(judge(), "judge", Step::Hear)
}

/// The judge closes the case.
pub fn close(ruling: &str) -> Command<Step> {
    Command::new(
        judge(),
        "judge",
        Step::Close {
            ruling: ruling.to_owned(),
        },
    )
}

/// A replay callback for [`verify_store`](regula_core::store::verify_store) that knows [`CASE`], [`OTHER`] and [`DEADLINED`].
pub fn replay() -> impl FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>> {
    let case = definition(CASE);
    let other = definition(OTHER);
    let deadlines = deadlined();
    move |head, records| {
        if head.definition == *case.reference() {
            Some(case.verify(records))
        } else if head.definition == *other.reference() {
            Some(other.verify(records))
        } else if head.definition == *deadlines.reference() {
            Some(deadlines.verify(records))
        } else {
            None
        }
    }
}

/// A [`Replayer`] that knows [`CASE`], [`OTHER`] and [`DEADLINED`]: verifies logs as [`replay`]
/// does, and replays them into snapshots, so cached snapshots are checked field by
/// field, data included.
pub fn replayer() -> impl Replayer {
    let case = Arc::new(definition(CASE));
    let other = Arc::new(definition(OTHER));
    let deadlines = Arc::new(deadlined());
    let pick = move |head: &InstanceHead| {
        if head.definition == *case.reference() {
            Some(Arc::clone(&case))
        } else if head.definition == *other.reference() {
            Some(Arc::clone(&other))
        } else if head.definition == *deadlines.reference() {
            Some(Arc::clone(&deadlines))
        } else {
            None
        }
    };
    let pick_again = pick.clone();
    Replayers::new(
        move |head, records| pick(head).map(|d| d.verify(records)),
        move |head, records| {
            pick_again(head).map(|d| {
                d.replay(records).and_then(|instance| {
                    instance.snapshot().map_err(|e| VerifyError {
                        instance: head.instance,
                        seq: instance.seq(),
                        kind: VerifyErrorKind::Snapshot { message: e.to_string() },
                    })
                })
            })
        },
    )
}

/// The instance and field of every
/// [`StoreProblem::HeadDiffers`](regula_core::store::StoreProblem::HeadDiffers) in `report`, sorted:
/// which derived head columns verification found edited.
pub fn heads_differing(report: &StoreReport) -> Vec<(uuid::Uuid, &'static str)> {
    let mut found: Vec<_> = report
        .problems
        .iter()
        .filter_map(|p| match p {
            regula_core::store::StoreProblem::HeadDiffers { instance, field, .. } => Some((*instance, *field)),
            _ => None,
        })
        .collect();
    found.sort();
    found
}

/// Verifies a whole store against the sample definitions, without a checkpoint, with
/// the quick storage check and snapshots replayed ([`replayer`]).
pub fn verify<S: Store + ?Sized>(store: &S) -> Result<StoreReport, StoreError> {
    verify_with(store, StorageCheck::Quick)
}

/// [`verify`] with the storage check `storage`.
pub fn verify_with<S: Store + ?Sized>(store: &S, storage: StorageCheck) -> Result<StoreReport, StoreError> {
    let options = VerifyOptions {
        checkpoint: None,
        storage,
    };
    verify_store_with(store, &options, &mut replayer(), &mut |_, _| {})
}
