//! Lifecycles whose states and actions are only known at run time, loaded from TOML.
//!
//! # File format
//!
//! ```toml
//! name = "judgment-review"          # the definition's name
//! version = 1                       # its version (a whole number)
//! initial = "drafting"              # the initial state
//! terminal = ["signed", "dropped"]  # terminal states
//! effect = "merge_payload"          # optional: how accepted actions change the data
//! creators = ["clerk"]              # optional: roles that may create instances
//! migrators = ["clerk"]             # optional: roles that may migrate instances onto
//!                                   # this version (default: the creators)
//!
//! [states]                          # every state, in drawing order, with labels
//! drafting = { zh = "起草", en = "Drafting" }
//! review = { zh = "审核", en = "Review" }
//! signed = { zh = "签发", en = "Signed" }
//! dropped = { zh = "撤销", en = "Dropped" }
//!
//! [actions]
//! submit = { zh = "提交", en = "Submit" }
//! sign = { zh = "签发", en = "Sign" }
//! drop = { zh = "撤销", en = "Drop" }
//!
//! [roles]
//! clerk = { zh = "书记员", en = "Clerk" }
//! judge = { zh = "法官", en = "Judge" }
//!
//! [[transitions]]
//! from = "drafting"
//! action = "submit"
//! to = "review"
//! roles = ["clerk"]
//! guards = [{ payload_field = "summary" }]
//!
//! [[transitions]]
//! from = "review"
//! action = "sign"
//! to = "signed"
//! roles = ["judge"]
//! guards = [{ min_time_in_state = "1d" }]
//!
//! [[transitions]]
//! from = "drafting"
//! action = "drop"
//! to = "dropped"
//! roles = ["judge"]
//!
//! [[transitions]]
//! from = "review"
//! action = "drop"
//! to = "dropped"
//! roles = ["judge"]
//! ```
//!
//! A guard is a bare string, naming a guard the embedding program registered in a
//! [`Registry`], or one of the forms of [`GuardExpr`]: `{ all = [...] }`,
//! `{ any = [...] }`, `{ not = ... }`, `{ role = "judge" }`,
//! `{ payload_field = "summary" }`, `{ min_time_in_state = "30d" }`.
//!
//! The data of a dynamic instance is a JSON value. The built-in effects are
//! `merge_payload` (the default: the fields of an accepted action's payload object are
//! copied into the data object) and `none`; the registry can add others.
//!
//! Every mistake is reported as a [`LoadError`] with the line and column it was found
//! at, whether the TOML itself is malformed or the definition it describes is invalid.
//! An unknown name or key comes with the closest declared one ("did you mean …?"), and
//! transitions are numbered from 1, in file order; a duplicate names both lines.
//! [`Definition::from_toml_with_warnings`] also returns [`LoadWarning`]s: what loaded
//! but looks wrong (states from which no terminal state can be reached; in format 2, a
//! payload field that a guard or effect reads but no schema declares).
//!
//! # Format 2
//!
//! A file that starts with `format = 2` may use everything above and the following.
//! A file without `format` (or with `format = 1`) is read exactly as before, and the
//! format 2 keys are unknown to it. Every addition compiles to the engine's own
//! concepts (rows, named guards, the definition's effect), so a format 2 definition
//! writes ordinary records.
//!
//! ```toml
//! format = 2
//! name = "gb-standard"
//! version = 1
//! initial = "preliminary"
//! terminal = ["withdrawn", "cancelled"]
//! effect = "none"                   # only the effects listed on rows change the data
//! time_zone = "+08:00"              # optional, default UTC: the calendar of durations
//!
//! [states]                          # as in format 1; so are [actions] and [roles]
//! # …
//!
//! [groups]                          # named lists of states, usable in `from`
//! in_preparation = ["preliminary", "proposal", "drafting", "enquiry"]
//!
//! [creation]                        # the data a new instance must carry
//! title = { type = "text", min_length = 1, max_length = 200 }
//! committee_size = { type = "integer" }
//!
//! [payloads.cast_vote]              # the payload of one action; other fields are refused
//! in_favour = { type = "bool" }
//! comment = { type = "text", max_length = 500, optional = true }
//!
//! [[transitions]]
//! from = "enquiry"
//! action = "close_enquiry"
//! to = "review"
//! roles = ["secretariat"]
//! guards = [{ min_time_in_state = "60 days" }]
//!
//! [[transitions]]
//! from = "review"
//! action = "cast_vote"
//! to = "review"
//! roles = ["member"]
//! effects = [
//!     { count = { field = "ballots", payload = "in_favour" } },
//!     { append = { field = "comments", payload = "comment" } },
//! ]
//!
//! [[transitions]]
//! from = "review"
//! action = "pass_review"
//! to = "approval"
//! roles = ["secretariat"]
//! guards = [{ vote = { tally = "ballots", electorate = "committee_size", quorum = "2/3", majority = "3/4" } }]
//!
//! [[transitions]]
//! from = ["in_preparation", "review"]   # states and groups; one row per state
//! action = "cancel"
//! to = "cancelled"
//! roles = ["administration"]
//! ```
//!
//! `examples/gb_standard.toml` is the whole national-standard procedure in format 2.
//!
//! **`from`** is a state name, a group name, or a list of them; the transition becomes
//! one row per state, each state once, in the order written. A group may not have the
//! name of a state.
//!
//! **Schemas.** `[payloads.<action>]` declares the fields of an action's payload and
//! `[creation]` those of the data an instance is created with. A field is
//! `{ type = "…" }` with the type one of `text` (with optional `min_length` and
//! `max_length`, in characters), `integer`, `number`, `bool`, `date` (`YYYY-MM-DD`)
//! and `enumeration` (with `values = [...]`); it is required unless `optional = true`
//! (`null` counts as absent). An attempt whose payload does not match is refused by
//! the guard `payload_schema:<action>`, whose reason names every wrong field; data
//! that does not match `[creation]` is refused by [`Engine::create`](crate::Engine::create)
//! ([`EngineError::CreationRefused`](crate::EngineError::CreationRefused)). Every
//! payload field a guard (`payload_field`) or effect (`payload = …`) of a row names must
//! be declared by the schema of the row's action, else the file is refused; for an
//! action without a schema it is a warning.
//!
//! **Durations** ([`CalendarSpan`](crate::CalendarSpan)) are whole numbers with units,
//! singular or plural: `60 days`, `2 months`, `5 years`, `1 year 6 months`, `2 weeks`,
//! `36 hours`, `90 minutes`; short forms `y`, `w`, `d`, `h`, `min`, `s`. `m` is refused
//! as ambiguous. They are added on the calendar of `time_zone` (a fixed offset such as
//! `+08:00`, or `UTC`): years and months first, a day that does not exist in the month
//! reached becoming that month's last day (31 January + 1 month = 29 February in a leap
//! year, 28 otherwise; 29 February + 1 year = 28 February), then days, then hours,
//! minutes and seconds.
//!
//! **Guards**, besides the forms of format 1 (`min_time_in_state` now taking a
//! calendar duration):
//!
//! - `{ max_time_in_state = "5 years" }`: the attempt is made no later than that long
//!   after entering the current state;
//! - `{ vote = { tally = "ballots", electorate = 9, quorum = "2/3", majority = "3/4" } }`:
//!   reads the tally a `count` effect keeps in the data. `electorate` is a number, or
//!   the data field holding it (a number, or a list or table whose entries are the
//!   voters). The quorum is met when the voters who voted are at least that fraction
//!   of the electorate; the majority when the votes equal to `yes` (default `true`)
//!   are at least that fraction of the votes cast. Either may be left out. The tally
//!   must be written by some `count` effect of the file; when the file has a
//!   `[creation]` schema, an electorate field must be declared there or written by an
//!   effect.
//!
//! Built-in guards are named guards of the definition, registered under a name that
//! says what they check (`min_time_in_state:60 days`, `vote:tally ballots quorum 2/3
//! majority 3/4`, `payload_schema:submit`), which is what a refusal's `guard` names.
//!
//! **Effects.** `effects = [...]` on a transition lists what an accepted attempt by that
//! row does to the data, in order, after the definition's `effect` (default
//! `merge_payload`; `effect = "none"` to have only these). An item is the name of an
//! effect the registry offers, or one of:
//!
//! - `{ set = { field = "f", <source> } }`: sets data field `f`;
//! - `{ append = { field = "f", <source> } }`: appends to the list in data field `f`;
//! - `{ count = { field = "f" } }`: a tally keyed by the actor's id, counting their
//!   accepted attempts; `{ count = { field = "f", payload = "p" } }`: the tally holds
//!   each actor's latest value of payload field `p` (one voice each: a new vote
//!   replaces the actor's earlier one).
//!
//! where `<source>` is exactly one of `value = <any TOML value>`, `payload = "p"` (the
//! payload field `p`; when it is absent or `null` nothing is written) and `meta = "…"`:
//! `at` (the record's time, RFC 3339 UTC), `date` (its date in `time_zone`), `actor`,
//! `role` or `action`. Effects are pure functions of the data and the record, so replay
//! gives the same data.
//!
//! **Deadlines** ([`crate::deadline`]): `[[deadlines]]` tables, each a state that must
//! be left or an action that must be taken within a duration:
//!
//! ```toml
//! [[deadlines]]
//! name = "systematic_review"
//! label = { zh = "发布或上次复审确认后五年内启动复审", en = "systematic review within 5 years" }
//! take = "start_review"              # or `leave = "state"` (then no `in`)
//! in = ["in_force"]                  # optional: the states and groups it runs in
//! after = ["publish", "confirm"]     # optional: counted from the latest of these
//!                                    # (`create` allowed); default: entering the state
//! within = "5 years"                 # a calendar duration, in `time_zone`
//! ```
//!
//! A deadline refuses nothing: an attempt after it is recorded as usual, and
//! [`Definition::trail`](crate::Definition::trail) shows its lateness. It gives each
//! instance its due time ([`Instance::due_at`](crate::Instance::due_at)), which stores
//! keep in the instance's head, so that [`Store::due`](crate::store::Store::due) lists
//! what is overdue in one indexed query. The file is refused, at the deadline's line,
//! when a name is unknown (with a suggestion), both or neither of `leave` and `take` are
//! given, the duration is zero or ambiguous, the state to leave is terminal, or no row
//! takes the action from the states it runs in.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::Lifecycle;
use crate::definition::{Definition, DefinitionError, Effect, EffectInput, Transition};
use crate::guard::{GuardExpr, GuardInput, NamedGuard};
use crate::label::Text;
use crate::lifecycle::{Action, PayloadError, State};
use crate::position::line_column;

mod format2;

/// The lifecycle of definitions loaded at run time.
#[derive(Clone, Copy, Debug)]
pub struct Dynamic;

impl Lifecycle for Dynamic {
    type State = DynState;
    type Action = DynAction;
    type Data = Value;
}

/// A state known by its name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DynState(Arc<str>);

impl DynState {
    /// The state named `name`.
    pub fn new(name: &str) -> Self {
        DynState(Arc::from(name))
    }
}

impl fmt::Debug for DynState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for DynState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl State for DynState {
    fn name(&self) -> &str {
        &self.0
    }
}

/// An action known by its name, with a JSON payload.
#[derive(Clone, Debug, PartialEq)]
pub struct DynAction {
    /// The action's name.
    pub name: String,
    /// Its payload (`null` for none).
    pub payload: Value,
}

impl DynAction {
    /// The action `name` with `payload`.
    pub fn new(name: impl Into<String>, payload: Value) -> Self {
        DynAction {
            name: name.into(),
            payload,
        }
    }
}

impl Action for DynAction {
    fn name(&self) -> &str {
        &self.name
    }

    fn payload(&self) -> Result<Value, PayloadError> {
        Ok(self.payload.clone())
    }

    fn from_parts(name: &str, payload: &Value) -> Result<Self, PayloadError> {
        Ok(DynAction::new(name, payload.clone()))
    }
}

/// The guards and effects an embedding program offers to definitions loaded from files.
pub struct Registry {
    guards: HashMap<String, NamedGuard<Dynamic>>,
    effects: HashMap<String, Effect<Dynamic>>,
    placeholders: bool,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut guards: Vec<&String> = self.guards.keys().collect();
        guards.sort();
        let mut effects: Vec<&String> = self.effects.keys().collect();
        effects.sort();
        f.debug_struct("Registry")
            .field("guards", &guards)
            .field("effects", &effects)
            .field("placeholders", &self.placeholders)
            .finish()
    }
}

impl Registry {
    /// A registry with the built-in effects `merge_payload` and `none`, and no guards.
    pub fn new() -> Self {
        let mut effects: HashMap<String, Effect<Dynamic>> = HashMap::new();
        effects.insert("merge_payload".to_owned(), Arc::new(merge_payload));
        effects.insert(
            "none".to_owned(),
            Arc::new(|_: &mut Value, _: &EffectInput<'_, Dynamic>| {}),
        );
        Registry {
            guards: HashMap::new(),
            effects,
            placeholders: false,
        }
    }

    /// A registry that accepts guard and effect names it does not know, standing in a
    /// guard that always refuses ("not provided by this program") and no effect. For
    /// tools that only list, check or draw a definition, such as `regula diagram`.
    pub fn placeholders() -> Self {
        Registry {
            placeholders: true,
            ..Registry::new()
        }
    }

    /// Offers a guard under `name`; a later registration under the same name replaces it.
    pub fn guard<F>(mut self, name: impl Into<String>, description: Text, check: F) -> Self
    where
        F: Fn(&GuardInput<'_, Dynamic>) -> Result<(), Text> + Send + Sync + 'static,
    {
        let name = name.into();
        self.guards.insert(
            name.clone(),
            NamedGuard {
                name,
                description,
                check: Arc::new(check),
            },
        );
        self
    }

    /// Offers an effect under `name`.
    pub fn effect<F>(mut self, name: impl Into<String>, effect: F) -> Self
    where
        F: Fn(&mut Value, &EffectInput<'_, Dynamic>) + Send + Sync + 'static,
    {
        self.effects.insert(name.into(), Arc::new(effect));
        self
    }
}

fn merge_payload(data: &mut Value, input: &EffectInput<'_, Dynamic>) {
    if let Value::Object(fields) = &input.action.payload {
        if !data.is_object() {
            *data = Value::Object(serde_json::Map::new());
        }
        if let Value::Object(target) = data {
            for (k, v) in fields {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A definition file could not be loaded: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", self.path.as_deref().map_or_else(|| "<definition>".into(), |p| p.display().to_string()), crate::position::suffix(self.line, self.column))]
pub struct LoadError {
    /// The file, when loaded from one.
    pub path: Option<PathBuf>,
    /// Line, from 1 (0 when the file could not be read at all).
    pub line: usize,
    /// Column in characters, from 1 (0 when the file could not be read at all).
    pub column: usize,
    /// What was wrong.
    pub kind: LoadErrorKind,
}

/// What was wrong with a definition file. Transitions are numbered from 1, in the
/// order the file lists them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The TOML is malformed or does not have the expected shape.
    #[error("{0}")]
    Syntax(String),
    /// A name used in the file is not declared (or not registered).
    #[error("{what} {name:?} is not {where_}{}", suggestion.as_deref().map_or_else(String::new, |s| format!("; did you mean {s:?}?")))]
    Unknown {
        /// `state`, `action`, `role`, `guard`, `effect`, `state or group`, `tally`,
        /// `data field`.
        what: &'static str,
        /// The name.
        name: String,
        /// Where it should have been: `declared in [states]`, `registered`, …
        where_: &'static str,
        /// The closest declared name, when one is close enough to be meant.
        suggestion: Option<String>,
    },
    /// The file's `format` is not one this library reads.
    #[error("format {format} is not known: this version of Regula reads format 1 (no `format` key) and format 2")]
    UnknownFormat {
        /// The format the file declares.
        format: i64,
    },
    /// The file sets no initial state.
    #[error("no initial state: add `initial = \"…\"` naming one of the states in [states]")]
    NoInitial,
    /// A transition lists no role, so nobody could fire it.
    #[error("transition {number} allows no role: list at least one in `roles`")]
    NoRoles {
        /// The transition, from 1.
        number: usize,
    },
    /// A transition's `from` list is empty.
    #[error("transition {number} leaves no state: `from` is empty")]
    NoFrom {
        /// The transition, from 1.
        number: usize,
    },
    /// A transition leaves a terminal state.
    #[error(
        "transition {number} leaves terminal state {state:?} ({state} --{action}--> {to}); terminal states have no exit"
    )]
    TerminalExit {
        /// The transition, from 1.
        number: usize,
        /// The terminal state.
        state: String,
        /// The action.
        action: String,
        /// Where it would lead.
        to: String,
    },
    /// Two transitions say the same thing.
    #[error("transition {number} ({from} --{action}--> {to}) duplicates transition {first} at line {first_line}")]
    DuplicateTransition {
        /// The later transition, from 1.
        number: usize,
        /// The earlier one, from 1.
        first: usize,
        /// The earlier one's line.
        first_line: usize,
        /// From state.
        from: String,
        /// Action.
        action: String,
        /// To state.
        to: String,
    },
    /// Two transitions leave the same state by the same action for different states.
    #[error(
        "transition {number} makes {from} --{action}--> ambiguous: it leads to {to} here and to {other} in transition {first} at line {first_line}"
    )]
    AmbiguousTransition {
        /// The later transition, from 1.
        number: usize,
        /// The earlier one, from 1.
        first: usize,
        /// The earlier one's line.
        first_line: usize,
        /// From state.
        from: String,
        /// Action.
        action: String,
        /// This transition's target.
        to: String,
        /// The earlier transition's target.
        other: String,
    },
    /// A group has the name of a state (`from` could not tell them apart).
    #[error("group {group:?} has the name of a state; give it another name")]
    GroupClash {
        /// The group.
        group: String,
    },
    /// A group lists no state.
    #[error("group {group:?} lists no state")]
    EmptyGroup {
        /// The group.
        group: String,
    },
    /// A field of a payload or creation schema is declared wrongly.
    #[error("field {field:?} of the {schema} schema: {problem}")]
    Field {
        /// The action whose payload the schema describes, or `creation`.
        schema: String,
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// A guard or effect names a payload field the action's schema does not declare.
    #[error("payload field {field:?} is not declared in [payloads.{action}]{}", suggestion.as_deref().map_or_else(String::new, |s| format!("; did you mean {s:?}?")))]
    UndeclaredField {
        /// The action.
        action: String,
        /// The field.
        field: String,
        /// The closest declared field.
        suggestion: Option<String>,
    },
    /// The definition is invalid.
    #[error("{0}")]
    Definition(#[from] DefinitionError),
}

/// Something suspicious in a definition that loaded: worth a look, not an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadWarning {
    /// The file, when loaded from one.
    pub path: Option<PathBuf>,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// What looks wrong.
    pub kind: LoadWarningKind,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self
            .path
            .as_deref()
            .map_or_else(|| "<definition>".into(), |p| p.display().to_string());
        write!(
            f,
            "{path}{}: warning: {}",
            crate::position::suffix(self.line, self.column),
            self.kind
        )
    }
}

/// What a [`LoadWarning`] is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadWarningKind {
    /// These states cannot reach any terminal state: an instance that enters them
    /// loops for ever.
    #[error("no terminal state can be reached from {}: a loop with no exit", states.join(", "))]
    NoWayOut {
        /// The states, in declaration order.
        states: Vec<String>,
    },
    /// A guard or effect names a payload field, but the action has no schema that
    /// declares it (format 2: declare it in `[payloads.<action>]`).
    #[error("payload field {field:?} of action {action:?} is declared by no schema")]
    UndeclaredPayloadField {
        /// The action.
        action: String,
        /// The field.
        field: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDefinition {
    #[serde(default)]
    #[allow(dead_code)]
    format: Option<u32>,
    name: Spanned<String>,
    version: u32,
    initial: Spanned<String>,
    #[serde(default)]
    terminal: Vec<Spanned<String>>,
    #[serde(default)]
    effect: Option<Spanned<String>>,
    #[serde(default)]
    creators: Vec<Spanned<String>>,
    #[serde(default)]
    migrators: Vec<Spanned<String>>,
    states: Ordered<FileLabel>,
    actions: Ordered<FileLabel>,
    roles: Ordered<FileLabel>,
    #[serde(default)]
    transitions: Vec<Spanned<FileTransition>>,
}

/// A label: `{ zh = "…", en = "…" }`.
struct FileLabel {
    zh: String,
    en: String,
}

impl<'de> Deserialize<'de> for FileLabel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FileLabel;
            // Said in the file's terms: the error a reader sees must not name a Rust type.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a label table { zh = \"…\", en = \"…\" }")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<FileLabel, M::Error> {
                use serde::de::Error;
                let (mut zh, mut en) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "zh" => zh = Some(map.next_value::<String>()?),
                        "en" => en = Some(map.next_value::<String>()?),
                        other => {
                            return Err(M::Error::custom(format!(
                                "unknown key `{other}` in a label{}; a label has the keys zh and en",
                                closest_hint(other, ["zh", "en"])
                            )));
                        }
                    }
                }
                match (zh, en) {
                    (Some(zh), Some(en)) => Ok(FileLabel { zh, en }),
                    (None, _) => Err(M::Error::custom("a label needs zh = \"…\" (the Chinese text)")),
                    (_, None) => Err(M::Error::custom("a label needs en = \"…\" (the English text)")),
                }
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTransition {
    from: Spanned<String>,
    action: Spanned<String>,
    to: Spanned<String>,
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    guards: Vec<Spanned<GuardExpr>>,
}

/// A TOML table read in document order (declaration order matters for diagrams).
struct Ordered<V>(Vec<(String, Spanned<V>)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of names")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Spanned<V>>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_map(Visit(PhantomData))
    }
}

impl Definition<Dynamic> {
    /// Loads a definition from TOML text, taking named guards and effects from
    /// `registry`. Warnings are dropped; see
    /// [`from_toml_with_warnings`](Definition::from_toml_with_warnings).
    pub fn from_toml(source: &str, registry: &Registry) -> Result<Self, LoadError> {
        Self::from_toml_with_warnings(source, registry).map(|(def, _)| def)
    }

    /// Loads a definition from TOML text, with the warnings about what loaded but
    /// looks wrong (a loop with no exit, a payload field no schema declares).
    pub fn from_toml_with_warnings(source: &str, registry: &Registry) -> Result<(Self, Vec<LoadWarning>), LoadError> {
        let locate = |offset: usize| line_column(source, offset);
        let (def, warnings) = load(source, registry).map_err(|(offset, kind)| {
            let (line, column) = locate(offset);
            LoadError {
                path: None,
                line,
                column,
                kind,
            }
        })?;
        let warnings = warnings
            .into_iter()
            .map(|(offset, kind)| {
                let (line, column) = locate(offset);
                LoadWarning {
                    path: None,
                    line,
                    column,
                    kind,
                }
            })
            .collect();
        Ok((def, warnings))
    }

    /// Loads a definition from a TOML file; errors name the file.
    pub fn from_toml_file(path: impl AsRef<Path>, registry: &Registry) -> Result<Self, LoadError> {
        Self::from_toml_file_with_warnings(path, registry).map(|(def, _)| def)
    }

    /// Loads a definition from a TOML file, with its warnings; errors and warnings name
    /// the file.
    pub fn from_toml_file_with_warnings(
        path: impl AsRef<Path>,
        registry: &Registry,
    ) -> Result<(Self, Vec<LoadWarning>), LoadError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|e| LoadError {
            path: Some(path.to_owned()),
            line: 0,
            column: 0,
            kind: LoadErrorKind::Io(e),
        })?;
        let (def, mut warnings) = Self::from_toml_with_warnings(&source, registry).map_err(|mut e| {
            e.path = Some(path.to_owned());
            e
        })?;
        for w in &mut warnings {
            w.path = Some(path.to_owned());
        }
        Ok((def, warnings))
    }
}

type Located = (usize, LoadErrorKind);

/// `; did you mean "x"?` when a candidate is close to `name`.
fn closest_hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    crate::suggest::did_you_mean(name, candidates)
}

fn unknown(
    span: std::ops::Range<usize>,
    what: &'static str,
    name: &str,
    where_: &'static str,
    candidates: &[&str],
) -> Located {
    (
        span.start,
        LoadErrorKind::Unknown {
            what,
            name: name.to_owned(),
            where_,
            suggestion: crate::suggest::closest(name, candidates.iter().copied()).map(str::to_owned),
        },
    )
}

/// What a definition file declares under `[states]`, `[actions]` and `[roles]`: where
/// each name is (errors point there) and the names in file order (for suggestions).
/// Both formats check every name they use against it.
struct Declared<'f> {
    states: HashMap<String, usize>,
    actions: HashMap<String, usize>,
    roles: HashMap<String, usize>,
    state_names: Vec<&'f str>,
    action_names: Vec<&'f str>,
    role_names: Vec<&'f str>,
    labels: [&'f Ordered<FileLabel>; 3],
}

impl<'f> Declared<'f> {
    fn new(states: &'f Ordered<FileLabel>, actions: &'f Ordered<FileLabel>, roles: &'f Ordered<FileLabel>) -> Self {
        let spans = |o: &Ordered<FileLabel>| -> HashMap<String, usize> {
            o.0.iter().map(|(k, v)| (k.clone(), v.span().start)).collect()
        };
        let names = |o: &'f Ordered<FileLabel>| -> Vec<&'f str> { o.0.iter().map(|(k, _)| k.as_str()).collect() };
        Declared {
            states: spans(states),
            actions: spans(actions),
            roles: spans(roles),
            state_names: names(states),
            action_names: names(actions),
            role_names: names(roles),
            labels: [states, actions, roles],
        }
    }

    /// The declared state `s`.
    fn state(&self, s: &Spanned<String>) -> Result<DynState, Located> {
        if self.states.contains_key(s.get_ref().as_str()) {
            Ok(DynState::new(s.get_ref()))
        } else {
            Err(unknown(
                s.span(),
                "state",
                s.get_ref(),
                "declared in [states]",
                &self.state_names,
            ))
        }
    }

    /// The declared role `r`.
    fn role(&self, r: &Spanned<String>) -> Result<String, Located> {
        self.role_at(r.span(), r.get_ref())?;
        Ok(r.get_ref().clone())
    }

    /// Checks that `name`, used at `span`, is a declared role.
    fn role_at(&self, span: std::ops::Range<usize>, name: &str) -> Result<(), Located> {
        if self.roles.contains_key(name) {
            return Ok(());
        }
        Err(unknown(span, "role", name, "declared in [roles]", &self.role_names))
    }

    /// Checks that `name`, used at `span`, is a declared action.
    fn action_at(&self, span: std::ops::Range<usize>, name: &str) -> Result<(), Located> {
        if self.actions.contains_key(name) {
            return Ok(());
        }
        Err(unknown(
            span,
            "action",
            name,
            "declared in [actions]",
            &self.action_names,
        ))
    }

    /// `b` with the states, actions and roles declared, each with its labels, in file
    /// order.
    fn declare(
        &self,
        mut b: crate::definition::DefinitionBuilder<Dynamic>,
    ) -> crate::definition::DefinitionBuilder<Dynamic> {
        let text = |l: &Spanned<FileLabel>| Text::owned(l.get_ref().zh.clone(), l.get_ref().en.clone());
        let [states, actions, roles] = self.labels;
        for (name, label) in &states.0 {
            b = b.state(DynState::new(name), text(label));
        }
        for (name, label) in &actions.0 {
            b = b.action(name.clone(), text(label));
        }
        for (name, label) in &roles.0 {
            b = b.role(name.clone(), text(label));
        }
        b
    }

    /// `b` with the roles that may create and migrate instances, each declared.
    fn people(
        &self,
        mut b: crate::definition::DefinitionBuilder<Dynamic>,
        creators: &[Spanned<String>],
        migrators: &[Spanned<String>],
    ) -> Result<crate::definition::DefinitionBuilder<Dynamic>, Located> {
        for c in creators {
            b = b.creators([self.role(c)?]);
        }
        for m in migrators {
            b = b.migrators([self.role(m)?]);
        }
        Ok(b)
    }
}

/// The effect a file names (`merge_payload` when it names none) from the registry;
/// `None` for an unknown name under a placeholder registry.
fn named_effect(registry: &Registry, named: Option<&Spanned<String>>) -> Result<Option<Effect<Dynamic>>, Located> {
    let name = named.map_or("merge_payload", |e| e.get_ref().as_str());
    match registry.effects.get(name) {
        Some(effect) => Ok(Some(Arc::clone(effect))),
        None if registry.placeholders => Ok(None),
        None => {
            let span = named.map_or(0..0, Spanned::span);
            let names: Vec<&str> = registry.effects.keys().map(String::as_str).collect();
            Err(unknown(span, "effect", name, "registered", &names))
        }
    }
}

/// The guards a file names, as the loader meets them: those of the registry it uses
/// (each once), and those a placeholder registry stands in for.
#[derive(Default)]
struct NamedGuards {
    used: Vec<String>,
    placeholders: Vec<String>,
}

impl NamedGuards {
    /// Notes the guard `name`, used at `span`: an error when the registry has no such
    /// guard and is not a placeholder one.
    fn note(&mut self, registry: &Registry, span: std::ops::Range<usize>, name: &str) -> Result<(), Located> {
        let list = if registry.guards.contains_key(name) {
            &mut self.used
        } else if registry.placeholders {
            &mut self.placeholders
        } else {
            let known: Vec<&str> = registry.guards.keys().map(String::as_str).collect();
            return Err(unknown(
                span,
                "guard",
                name,
                "registered by the program loading this file",
                &known,
            ));
        };
        if !list.iter().any(|n| n == name) {
            list.push(name.to_owned());
        }
        Ok(())
    }

    /// Adds the registry's guards the file uses, and a refusing stand-in for each name
    /// a placeholder registry does not know.
    fn register(
        self,
        mut b: crate::definition::DefinitionBuilder<Dynamic>,
        registry: &Registry,
    ) -> crate::definition::DefinitionBuilder<Dynamic> {
        for name in &self.used {
            if let Some(g) = registry.guards.get(name) {
                b = b.guard_shared(g.name.clone(), g.description.clone(), Arc::clone(&g.check));
            }
        }
        for name in self.placeholders {
            let refusal = Text::owned(
                format!("本程序未提供条件 {name}"),
                format!("guard {name} is not provided by this program"),
            );
            b = b.guard(name.clone(), Text::owned(name.clone(), name), move |_| {
                Err(refusal.clone())
            });
        }
        b
    }
}

/// Where the top-level keys of a file end: the start of its first `[table]` line, or
/// the end of the file. A missing top-level key is reported there, where it would be
/// written, rather than at 1:1.
fn top_level_end(source: &str) -> usize {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            return offset;
        }
        offset += line.len();
    }
    source.trim_end().len()
}

/// Parses the TOML into `T`, with errors at their place and said in the file's terms.
fn parse<T: serde::de::DeserializeOwned>(source: &str) -> Result<T, Located> {
    toml::from_str(source).map_err(|e| {
        let mut offset = e.span().map_or(0, |s| s.start);
        let mut message = e.message().trim_end().to_owned();
        // serde lists the expected keys; add the one that was probably meant.
        if let Some(rest) = message.strip_prefix("unknown field `")
            && let Some((name, expected)) = rest.split_once("`, expected ")
        {
            let names: Vec<&str> = expected
                .split('`')
                .filter(|s| !s.is_empty() && !s.contains(',') && !s.contains(' '))
                .collect();
            let mut hint = closest_hint(name, names.iter().copied());
            // A format 2 key in a file that did not say `format = 2`.
            if hint.is_empty() && ["groups", "payloads", "creation", "time_zone", "effects"].contains(&name) {
                hint = format!("; `{name}` needs `format = 2` at the top of the file");
            }
            message.push_str(&hint);
        }
        if message.starts_with("missing field") && offset == 0 && !source.trim().is_empty() {
            offset = top_level_end(source);
        }
        (offset, LoadErrorKind::Syntax(message))
    })
}

/// Warnings at their byte offsets.
type Warnings = Vec<(usize, LoadWarningKind)>;

fn load(source: &str, registry: &Registry) -> Result<(Definition<Dynamic>, Warnings), Located> {
    #[derive(Deserialize)]
    struct Header {
        #[serde(default)]
        format: Option<Spanned<toml::Value>>,
    }
    // A malformed file falls through to the full parse, which reports it.
    if let Ok(Header { format: Some(f) }) = toml::from_str::<Header>(source) {
        match f.get_ref().as_integer() {
            Some(1) => {}
            Some(2) => {
                let (def, mut warnings, state_span) = format2::load(source, registry)?;
                warnings.extend(no_way_out(&def, &state_span));
                return Ok((def, warnings));
            }
            Some(n) => return Err((f.span().start, LoadErrorKind::UnknownFormat { format: n })),
            None => {
                return Err((
                    f.span().start,
                    LoadErrorKind::Syntax("format must be a whole number: 2 (or leave it out for format 1)".to_owned()),
                ));
            }
        }
    }
    let (def, state_span) = load_v1(source, registry)?;
    let warnings = no_way_out(&def, &state_span);
    Ok((def, warnings))
}

/// The states from which no terminal state can be reached, when the definition has
/// terminal states at all.
fn no_way_out(def: &Definition<Dynamic>, state_span: &HashMap<String, usize>) -> Warnings {
    let terminals: Vec<&DynState> = def.terminals().collect();
    if terminals.is_empty() {
        return Vec::new();
    }
    // Walk the table backwards from the terminal states, once: every state reached
    // can reach a terminal. (Growing the set pass by pass over the table took one pass
    // per state of a long chain: minutes for 100,000 states.)
    let mut earlier: HashMap<&DynState, Vec<&DynState>> = HashMap::new();
    for t in def.transitions() {
        earlier.entry(&t.to).or_default().push(&t.from);
    }
    let mut reaches: HashSet<&DynState> = terminals.iter().copied().collect();
    let mut queue: Vec<&DynState> = terminals;
    while let Some(state) = queue.pop() {
        for &from in earlier.get(state).map_or(&[][..], Vec::as_slice) {
            if reaches.insert(from) {
                queue.push(from);
            }
        }
    }
    let stuck: Vec<String> = def
        .states()
        .iter()
        .filter(|s| !reaches.contains(&s.state))
        .map(|s| s.state.to_string())
        .collect();
    match stuck.first() {
        None => Vec::new(),
        Some(first) => vec![(
            state_span.get(first).copied().unwrap_or(0),
            LoadWarningKind::NoWayOut { states: stuck },
        )],
    }
}

/// Where the parts of a file are, to place a [`DefinitionError`].
struct Spans<'a> {
    name: usize,
    /// The start of the file transition behind each row of the table.
    transitions: &'a [usize],
    states: &'a HashMap<String, usize>,
    actions: &'a HashMap<String, usize>,
    roles: &'a HashMap<String, usize>,
    /// Where each deadline (format 2) starts.
    deadlines: &'a HashMap<String, usize>,
}

fn map_build_error(source: &str, e: DefinitionError, spans: &Spans<'_>) -> Located {
    let transition_span = |i: usize| spans.transitions.get(i).copied().unwrap_or(0);
    let line_of = |i: usize| line_column(source, transition_span(i)).0;
    let offset = match &e {
        DefinitionError::EmptyName => spans.name,
        DefinitionError::DuplicateTransition {
            transition,
            first,
            from,
            action,
            to,
            ..
        } => {
            return (
                transition_span(*transition),
                LoadErrorKind::DuplicateTransition {
                    number: transition + 1,
                    first: first + 1,
                    first_line: line_of(*first),
                    from: from.clone(),
                    action: action.clone(),
                    to: to.clone(),
                },
            );
        }
        DefinitionError::AmbiguousTransition {
            transition,
            first,
            from,
            action,
            to,
            other,
            ..
        } => {
            return (
                transition_span(*transition),
                LoadErrorKind::AmbiguousTransition {
                    number: transition + 1,
                    first: first + 1,
                    first_line: line_of(*first),
                    from: from.clone(),
                    action: action.clone(),
                    to: to.clone(),
                    other: other.clone(),
                },
            );
        }
        DefinitionError::NoRoles { transition, .. }
        | DefinitionError::UnknownAction { transition, .. }
        | DefinitionError::UnknownGuard { transition, .. }
        | DefinitionError::TerminalExit { transition, .. } => transition_span(*transition),
        DefinitionError::Unreachable { state, .. }
        | DefinitionError::DeadEnd { state, .. }
        | DefinitionError::DuplicateState { state, .. } => spans.states.get(state.as_str()).copied().unwrap_or(0),
        DefinitionError::MissingLabel { what, name, .. } => match *what {
            "state" => spans.states.get(name.as_str()),
            "action" => spans.actions.get(name.as_str()),
            _ => spans.roles.get(name.as_str()),
        }
        .copied()
        .unwrap_or(0),
        DefinitionError::ReservedAction { action, .. } => spans.actions.get(action.as_str()).copied().unwrap_or(0),
        DefinitionError::InvalidDeadline { deadline, .. } => {
            spans.deadlines.get(deadline.as_str()).copied().unwrap_or(0)
        }
        _ => 0,
    };
    (offset, LoadErrorKind::Definition(e))
}

fn load_v1(source: &str, registry: &Registry) -> Result<(Definition<Dynamic>, HashMap<String, usize>), Located> {
    let file: FileDefinition = parse(source)?;
    let declared = Declared::new(&file.states, &file.actions, &file.roles);

    let mut b = declared.declare(Definition::<Dynamic>::builder(
        file.name.get_ref().clone(),
        file.version,
    ));
    b = b.initial(declared.state(&file.initial)?);
    for t in &file.terminal {
        b = b.terminal(declared.state(t)?);
    }
    b = declared.people(b, &file.creators, &file.migrators)?;
    if let Some(effect) = named_effect(registry, file.effect.as_ref())? {
        b = b.effect_shared(effect);
    }

    let mut guards = NamedGuards::default();
    for t in &file.transitions {
        let ft = t.get_ref();
        let mut row = Transition::new(
            declared.state(&ft.from)?,
            ft.action.get_ref().clone(),
            declared.state(&ft.to)?,
        );
        declared.action_at(ft.action.span(), ft.action.get_ref())?;
        for r in &ft.roles {
            row.roles.push(declared.role(r)?);
        }
        for g in &ft.guards {
            let mut names: Vec<String> = Vec::new();
            g.get_ref().visit_names(&mut |n| names.push(n.to_owned()));
            for n in &names {
                guards.note(registry, g.span(), n)?;
            }
            let mut roles: Vec<String> = Vec::new();
            g.get_ref().visit_roles(&mut |r| roles.push(r.to_owned()));
            for r in &roles {
                declared.role_at(g.span(), r)?;
            }
            row.guards.push(g.get_ref().clone());
        }
        b = b.transition(row);
    }
    b = guards.register(b, registry);

    let transition_spans: Vec<usize> = file.transitions.iter().map(|t| t.span().start).collect();
    let spans = Spans {
        name: file.name.span().start,
        transitions: &transition_spans,
        states: &declared.states,
        actions: &declared.actions,
        roles: &declared.roles,
        deadlines: &HashMap::new(),
    };
    let def = b.build().map_err(|e| map_build_error(source, e, &spans))?;
    Ok((def, declared.states))
}
