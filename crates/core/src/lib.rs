//! Regula's engine: lifecycles as typed, guarded, audited state machines.
//!
//! A [`Definition`] declares, once and as data, the states of a lifecycle, its
//! actions and roles, the transitions `(from, action) → to` with the roles allowed to
//! fire them and their guards, the initial and terminal states, and labels in Chinese
//! and English. An [`Engine`] applies actions to [`Instance`]s; every attempt, accepted
//! or refused, yields an [`AuditRecord`] chained to the one before by SHA-256, and any
//! instance can be rebuilt and verified from its records alone.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use regula_core::{
//!     Action, Actor, Command, Definition, Engine, Lang, Lifecycle, ManualClock,
//!     PayloadError, SeededIds, State, Text, Transition,
//! };
//! use serde::{Deserialize, Serialize};
//!
//! // 1. The user's own types: states, actions (with payloads) and data.
//! #[derive(Clone, Debug, PartialEq, Eq, Hash)]
//! enum Stage { Draft, Review, Signed }
//!
//! impl State for Stage {
//!     fn name(&self) -> &str {
//!         match self { Stage::Draft => "draft", Stage::Review => "review", Stage::Signed => "signed" }
//!     }
//! }
//!
//! #[derive(Clone, Debug, Serialize, Deserialize)]
//! #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! enum Step { Submit { summary: String }, Sign }
//!
//! impl Action for Step {
//!     fn name(&self) -> &str {
//!         match self { Step::Submit { .. } => "submit", Step::Sign => "sign" }
//!     }
//!     fn payload(&self) -> Result<serde_json::Value, PayloadError> {
//!         regula_core::action::tagged_payload(self)
//!     }
//!     fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
//!         regula_core::action::from_tagged(name, payload)
//!     }
//! }
//!
//! #[derive(Clone, Debug, Default, Serialize, Deserialize)]
//! struct Doc { summary: String }
//!
//! struct Review;
//! impl Lifecycle for Review { type State = Stage; type Action = Step; type Data = Doc; }
//!
//! // 2. The definition: declared once, validated when built.
//! let definition = Definition::<Review>::builder("judgment-review", 1)
//!     .state(Stage::Draft, Text::new("草稿", "Draft"))
//!     .state(Stage::Review, Text::new("审核", "Review"))
//!     .state(Stage::Signed, Text::new("签发", "Signed"))
//!     .initial(Stage::Draft)
//!     .terminal(Stage::Signed)
//!     .role("clerk", Text::new("书记员", "Clerk"))
//!     .role("judge", Text::new("法官", "Judge"))
//!     .action("submit", Text::new("提交", "Submit"))
//!     .action("sign", Text::new("签发", "Sign"))
//!     .guard("has_summary", Text::new("须有摘要", "needs a summary"), |input| {
//!         match input.action {
//!             Step::Submit { summary } if summary.trim().is_empty() => {
//!                 Err(Text::new("摘要为空", "the summary is empty"))
//!             }
//!             _ => Ok(()),
//!         }
//!     })
//!     .transition(Transition::new(Stage::Draft, "submit", Stage::Review).by(["clerk"]).when("has_summary"))
//!     .transition(Transition::new(Stage::Review, "sign", Stage::Signed).by(["judge"]))
//!     .effect(|doc: &mut Doc, input| {
//!         if let Step::Submit { summary } = input.action { doc.summary = summary.clone(); }
//!     })
//!     .build()?;
//!
//! // 3. Run it with an injected clock and id source: deterministic.
//! let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).unwrap()));
//! let engine = Engine::new(definition).with_clock(clock).with_ids(Arc::new(SeededIds::new(1)));
//! let clerk = Actor::new("li.na").in_unit("立案庭");
//! let (mut doc, created) = engine.create(clerk.clone(), "clerk", Doc::default(), None)?;
//! let mut log = vec![created];
//!
//! // A refusal reports every failed check and changes neither state nor data.
//! let refused = engine.apply(&mut doc, Command::new(clerk.clone(), "judge", Step::Submit { summary: " ".into() }))?;
//! assert_eq!(refused.refusal().map(|r| r.len()), Some(2)); // wrong role AND empty summary
//! assert_eq!(doc.state(), &Stage::Draft);
//! log.push(refused);
//!
//! log.push(engine.apply(&mut doc, Command::new(clerk, "clerk", Step::Submit { summary: "判决书".into() }))?);
//! assert_eq!(doc.state(), &Stage::Review);
//!
//! // 4. The log alone rebuilds the instance, and verifies.
//! let replayed = engine.definition().replay(&log)?;
//! assert_eq!(replayed.state(), doc.state());
//! assert_eq!(replayed.data().summary, "判决书");
//! assert!(engine.definition().to_mermaid(Lang::En).contains("draft --> review: Submit"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Definition versions
//!
//! A definition gets new versions: same [`Lifecycle`] type and name, a higher version
//! number, other states, rows or guards. Records name the version that wrote them, so a
//! store written under version 1 keeps verifying. [`Engine::migrate`] moves an instance
//! onto the engine's (newer) version with one recorded `migrate` record, refused where
//! the instance's state is not in the new version unless a [`Migration`] maps it;
//! [`Versions`] replays and verifies a log across versions.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use regula_core::{
//!     Action, Actor, Command, Definition, Engine, Lifecycle, ManualClock, Migration,
//!     PayloadError, SeededIds, State, Text, Transition, Versions,
//! };
//!
//! #[derive(Clone, Debug, PartialEq, Eq, Hash)]
//! enum S { Open, Held, Closed }
//! impl State for S {
//!     fn name(&self) -> &str {
//!         match self { S::Open => "open", S::Held => "held", S::Closed => "closed" }
//!     }
//! }
//! #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
//! #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! enum A { Hold, Close }
//! impl Action for A {
//!     fn name(&self) -> &str { match self { A::Hold => "hold", A::Close => "close" } }
//!     fn payload(&self) -> Result<serde_json::Value, PayloadError> {
//!         regula_core::action::tagged_payload(self)
//!     }
//!     fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
//!         regula_core::action::from_tagged(name, payload)
//!     }
//! }
//! struct Case;
//! impl Lifecycle for Case { type State = S; type Action = A; type Data = (); }
//!
//! let base = |version| Definition::<Case>::builder("case", version)
//!     .state(S::Open, Text::new("进行中", "Open"))
//!     .state(S::Closed, Text::new("已结案", "Closed"))
//!     .initial(S::Open)
//!     .terminal(S::Closed)
//!     .role("clerk", Text::new("书记员", "Clerk"))
//!     .role("president", Text::new("院长", "President"))
//!     .action("hold", Text::new("中止", "Hold"))
//!     .action("close", Text::new("结案", "Close"))
//!     .creators(["clerk"])
//!     .transition(Transition::new(S::Open, "close", S::Closed).by(["clerk"]));
//! // Version 1 can put a case on hold; version 2 has no `held` state.
//! let v1 = Arc::new(base(1)
//!     .state(S::Held, Text::new("中止", "Held"))
//!     .transition(Transition::new(S::Open, "hold", S::Held).by(["clerk"]))
//!     .transition(Transition::new(S::Held, "close", S::Closed).by(["clerk"]))
//!     .build()?);
//! let v2 = Arc::new(base(2).migrators(["president"]).build()?);
//!
//! let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).unwrap()));
//! let old = Engine::new(Arc::clone(&v1)).with_clock(clock.clone()).with_ids(Arc::new(SeededIds::new(1)));
//! let new = old.for_definition(Arc::clone(&v2));
//! let (clerk, president) = (Actor::new("li.na"), Actor::new("chen.wei"));
//! let (mut case, created) = old.create(clerk.clone(), "clerk", (), None)?;
//! let mut log = vec![created];
//! log.push(old.apply(&mut case, Command::new(clerk.clone(), "clerk", A::Hold))?);
//!
//! // `held` is not in version 2: without a mapping the migration is refused (and recorded).
//! let refused = new.migrate(&mut case, Migration::new(president.clone(), "president"))?;
//! assert!(refused.is_refused());
//! assert_eq!(case.definition().version, 1);
//! log.push(refused);
//! // With a mapping it is accepted: one `migrate` record naming version 2.
//! let migrated = new.migrate(&mut case, Migration::new(president, "president").map(S::Held, S::Open))?;
//! assert_eq!((migrated.action.as_str(), migrated.definition.version), ("migrate", 2));
//! assert_eq!((case.definition().version, case.state()), (2, &S::Open));
//! log.push(migrated);
//! log.push(new.apply(&mut case, Command::new(clerk, "clerk", A::Close))?);
//!
//! // Every version the log names replays it; version 1 alone does not.
//! let versions = Versions::new([v1.clone(), v2])?;
//! assert_eq!(versions.replay(&log)?.state(), &S::Closed);
//! assert!(v1.replay(&log).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In a [`Repository`], [`Repository::with_versions`] loads instances written under
//! earlier versions and [`Repository::migrate`] persists a migration; to verify a whole
//! store, give [`store::verify_store_with`] the [`Versions::replayer`] (or
//! [`store::verify_store`] a closure calling [`Versions::verify`]).
//!
//! # Where things are
//!
//! - [`Lifecycle`], [`State`], [`Action`]: the types a user brings.
//! - [`Definition`] and [`DefinitionBuilder`]: the transition table and its checks;
//!   diagrams in [`Definition::to_mermaid`] and [`Definition::to_dot`].
//! - [`GuardExpr`]: named guards and built-ins combined with all / any / not;
//!   [`Reason`]: why an attempt was refused, in both languages.
//! - [`Engine`]: [`Engine::create`] and [`Engine::apply`].
//! - [`AuditRecord`]: the log entry and its canonical encoding (see [`record`]).
//! - [`Definition::replay`], [`verify_chain`]: rebuilding and verifying;
//!   [`Versions`]: across the versions of a definition, and [`Engine::migrate`].
//! - [`dynamic`]: definitions loaded from TOML at run time.
//! - [`store`]: the [`Store`] trait, [`MemoryStore`], [`Repository`] (engine + store),
//!   and whole-store verification; [`checkpoint`]: the [`Checkpoint`] a store must
//!   extend and its one text format, [`CheckpointNote`]; [`merkle`]: the RFC 6962 tree over all
//!   records.
//! - [`plain_text`]: the characters refused in actor ids, units and roles, and the
//!   escaping that makes any stored text safe to print to a terminal.
//!
//! This crate does no I/O except reading a definition file in
//! [`Definition::from_toml_file`]; stores live in their own crates.

pub mod action {
    //! Helpers to implement [`Action`](crate::Action) for serde enums.
    pub use crate::lifecycle::action::{from_tagged, from_tagged_record, tagged_payload, tagged_record_payload};
}
pub mod builtin;
pub mod calendar;
pub mod checkpoint;
pub mod clock;
pub mod deadline;
pub mod definition;
pub mod diagram;
pub mod dynamic;
pub mod engine;
pub mod fields;
pub mod guard;
pub mod instance;
pub mod jcs;
mod jcs_writer;
pub mod label;
pub mod lifecycle;
pub mod merkle;
pub mod payload;
pub mod plain_text;
pub mod position;
pub mod record;
pub mod replay;
pub mod schema;
pub mod store;
pub mod suggest;
pub mod typed;
pub mod versions;

pub use calendar::CalendarSpan;
pub use checkpoint::{CheckpointError, CheckpointNote};
pub use clock::{Clock, IdGenerator, ManualClock, RandomIds, SeededIds, SystemClock};
pub use deadline::{Deadline, DeadlineGoal, DeadlineStart, Lateness, Pending, TrailEntry};
pub use definition::{
    CREATE_ACTION, CreationCheck, DataUpgrade, Decision, Definition, DefinitionBuilder, DefinitionError, Effect,
    EffectInput, MIGRATE_ACTION, NameInfo, Place, StateInfo, Transition,
};
pub use diagram::{DOT_FONTS, DiagramOptions};
pub use dynamic::{DynAction, DynState, Dynamic, LoadError, LoadErrorKind, LoadWarning, LoadWarningKind, Registry};
pub use engine::{Command, Engine, EngineError, MAX_CLOCK_SKEW, Migration, MigrationPayload};
pub use fields::{Field, FieldProblem, FieldSchema, FieldType};
pub use guard::{GuardCheck, GuardExpr, GuardInput, NamedGuard, Reason, ReasonCode, Span};
pub use instance::{Instance, Snapshot};
pub use label::{Lang, Text};
pub use lifecycle::{Action, Data, Lifecycle, PayloadError, State};
pub use typed::{Labelled, Row, TypedAction};

/// `#[derive(State)]`, `#[derive(Action)]`, `#[derive(Role)]`: see [`typed`] and the
/// `regula-derive` crate.
#[cfg(feature = "derive")]
pub use regula_derive::{Action, Role, State};

// For the code the derives generate: the JSON value type of payloads.
pub use payload::Payload;
pub use plain_text::PlainTextError;
pub use record::{
    Actor, AuditRecord, DefinitionRef, Digest, FORMAT_V1, FORMAT_VERSION, Name, Outcome, RecordParseError,
};
pub use replay::{ReplayOptions, TimeFloor, VerifyError, VerifyErrorKind, check_link, check_times, verify_chain};
#[doc(hidden)]
pub use serde_json as __private_serde_json;
pub use store::{
    Append, Checkpoint, Claim, ClaimHolder, InstanceFilter, InstanceHead, MemoryStore, Repository, RepositoryError,
    Store, StoreError, TreeHead,
};
pub use versions::{Versions, VersionsError, VersionsReplayer};
