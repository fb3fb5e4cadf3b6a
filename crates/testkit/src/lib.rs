//! Property testing for Regula lifecycles: generated scripts that reach deep states,
//! invariants checked after every step, model-based tests of systems that embed the
//! engine, and an explorer of a definition's whole state space.
//!
//! ```
//! use proptest::prelude::*;
//! use regula_core::{Action, Actor, Definition, Lifecycle, PayloadError, State, Text, Transition};
//! use regula_testkit::{CheckConfig, Explorer, Harness, Property, Scenario, StatePredicate, StepPredicate};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Debug, PartialEq, Eq, Hash)]
//! enum Stage { Draft, Approved, Published }
//! impl State for Stage {
//!     fn name(&self) -> &str {
//!         match self { Stage::Draft => "draft", Stage::Approved => "approved", Stage::Published => "published" }
//!     }
//! }
//!
//! #[derive(Clone, Debug, Serialize, Deserialize)]
//! #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! enum Act { Approve { comment: String }, Publish }
//! impl Action for Act {
//!     fn name(&self) -> &str { match self { Act::Approve { .. } => "approve", Act::Publish => "publish" } }
//!     fn payload(&self) -> Result<serde_json::Value, PayloadError> { regula_core::action::tagged_payload(self) }
//!     fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
//!         regula_core::action::from_tagged(name, payload)
//!     }
//! }
//!
//! struct Notice;
//! impl Lifecycle for Notice { type State = Stage; type Action = Act; type Data = (); }
//!
//! let definition = Definition::<Notice>::builder("notice", 1)
//!     .state(Stage::Draft, Text::new("草稿", "Draft"))
//!     .state(Stage::Approved, Text::new("已批准", "Approved"))
//!     .state(Stage::Published, Text::new("已发布", "Published"))
//!     .initial(Stage::Draft)
//!     .terminal(Stage::Published)
//!     .role("editor", Text::new("编辑", "Editor"))
//!     .action("approve", Text::new("批准", "Approve"))
//!     .action("publish", Text::new("发布", "Publish"))
//!     .transition(Transition::new(Stage::Draft, "approve", Stage::Approved).by(["editor"]))
//!     .transition(Transition::new(Stage::Approved, "publish", Stage::Published).by(["editor"]))
//!     .build()?;
//! let definition = std::sync::Arc::new(definition);
//!
//! // 1. Generated scripts, the built-in invariants and one of our own.
//! let scenario = Scenario::new(definition.clone(), Just(()))
//!     .payload("approve", "[a-z]{0,8}".prop_map(|comment| Act::Approve { comment }));
//! let harness = Harness::new(definition.clone()).invariant("published only after approval", |instance, log| {
//!     let approved = log.iter().any(|r| r.action == "approve" && !r.is_refused());
//!     if *instance.state() == Stage::Published && !approved { return Err("published unapproved".into()); }
//!     Ok(())
//! });
//! let summary = harness.check(&scenario, &CheckConfig::cases(32))?;
//! assert!(summary.unreached_states(&definition).is_empty(), "{summary}");
//!
//! // 2. The whole state space, and a temporal property.
//! let report = Explorer::new(definition)
//!     .property(Property::always(StatePredicate::is(Stage::Published)).previously(StepPredicate::action("approve")))
//!     .explore()?;
//! assert!(report.is_ok(), "{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The parts
//!
//! - [`Scenario`]: a proptest strategy of [`Script`]s for any definition — actors
//!   and roles, payload generators per action, waits that move a
//!   [`ManualClock`](regula_core::ManualClock), and a bias toward moves the table
//!   allows so that scripts reach deep states. Failing scripts shrink to 1-minimal
//!   ones (see [`scenario`] for how).
//! - [`Harness`]: runs a script and checks [`Invariant`]s after every step — yours,
//!   and the [built-ins](Invariant::builtins) every definition must satisfy. A
//!   [`Failure`] prints as a numbered list of steps.
//! - [`ModelTest`]: runs a [`SystemUnderTest`] beside the reference engine and
//!   reports the first divergence; [`RepositorySut`] tests any
//!   [`Store`](regula_core::Store) through a [`Repository`](regula_core::Repository).
//! - [`Explorer`]: exhaustive, bounded exploration of the abstract state space —
//!   reachability, shortest paths, dead ends, states that cannot terminate — and
//!   temporal [`Property`]s with counter-example paths.
//!
//! The guide in `docs/property-testing.md` walks through each, from a five-line
//! invariant to a model-based test; its code is compiled and run by this crate's
//! `tests/guide.rs`.

pub mod explore;
pub mod harness;
pub mod invariant;
pub mod model;
pub mod scenario;
pub mod script;

pub use explore::{
    Always, Counterexample, Edge, Event, ExploreError, Explorer, GuardModel, Property, PropertyResult, Report,
    StatePredicate, StateReport, StepPredicate, Whenever,
};
pub use harness::{CheckConfig, Failure, Harness, Run, Summary, Violation, check};
pub use invariant::{Invariant, StepView};
pub use model::{ModelTest, Observation, RepositorySut, RepositorySutError, Setup, SystemUnderTest};
pub use scenario::{Scenario, ScriptTree};
pub use script::{Script, Start, Step, TraceEntry};
