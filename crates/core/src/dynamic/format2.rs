//! Format 2 of definition files (`format = 2`): state groups and `from` lists, payload
//! and creation schemas, calendar durations in the definition's time zone, built-in
//! effects (`set`, `append`, `count`), a vote guard and deadlines. Documented in
//! [`crate::dynamic`].
//!
//! Everything here compiles down to the engine's own concepts: a `from` list to one row
//! per state, a schema and each built-in guard to a named guard on the rows that use
//! it, the effects of every row to the definition's one effect. A format 2 definition
//! is an ordinary [`Definition`], and writes ordinary records.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{FixedOffset, Offset, Utc};
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{
    Declared, DynState, Dynamic, FileLabel, LoadErrorKind, LoadWarningKind, Located, NamedGuards, Ordered, Registry,
    closest_hint, map_build_error, named_effect, top_level_end, unknown,
};
use crate::builtin::{self, Fraction};
use crate::calendar::{CalendarSpan, parse_zone};
use crate::deadline::Deadline;
use crate::definition::{Definition, Effect, EffectInput, Transition};
use crate::fields::{FIELD_TYPES, Field, FieldSchema, FieldType};
use crate::guard::GuardExpr;
use crate::label::Text;
use crate::lifecycle::State;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    format: u32,
    name: Spanned<String>,
    version: u32,
    #[serde(default)]
    initial: Option<Spanned<String>>,
    #[serde(default)]
    terminal: Vec<Spanned<String>>,
    #[serde(default)]
    effect: Option<Spanned<String>>,
    #[serde(default)]
    creators: Vec<Spanned<String>>,
    #[serde(default)]
    migrators: Vec<Spanned<String>>,
    #[serde(default)]
    time_zone: Option<Spanned<String>>,
    states: Ordered<FileLabel>,
    actions: Ordered<FileLabel>,
    roles: Ordered<FileLabel>,
    #[serde(default)]
    groups: Ordered<Vec<Spanned<String>>>,
    #[serde(default)]
    payloads: Ordered<Ordered<FileField>>,
    #[serde(default)]
    creation: Ordered<FileField>,
    #[serde(default)]
    transitions: Vec<Spanned<FileTransition>>,
    #[serde(default)]
    deadlines: Vec<Spanned<FileDeadline>>,
}

/// `[[deadlines]]`: a state to leave (`leave`) or an action to take (`take`, in the
/// states and groups of `in`) within `within`, counted from entering the state or
/// from the latest of the actions in `after`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDeadline {
    name: Spanned<String>,
    label: FileLabel,
    #[serde(default)]
    leave: Option<Spanned<String>>,
    #[serde(default)]
    take: Option<Spanned<String>>,
    #[serde(default, rename = "in")]
    in_states: Option<Spanned<FromList>>,
    #[serde(default)]
    after: Vec<Spanned<String>>,
    within: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTransition {
    from: Spanned<FromList>,
    action: Spanned<String>,
    to: Spanned<String>,
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    guards: Vec<Spanned<FileGuard>>,
    #[serde(default)]
    effects: Vec<Spanned<FileEffect>>,
}

/// `from = "a"` or `from = ["a", "open"]` (states and groups). A single name has no
/// span of its own here (`0..0`); the loader uses the whole `from` value's.
struct FromList(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for FromList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FromList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a state or group name, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FromList, E> {
                Ok(FromList(vec![Spanned::new(0..0, v.to_owned())]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<FromList, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = seq.next_element::<Spanned<String>>()? {
                    out.push(name);
                }
                Ok(FromList(out))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileField {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    min_length: Option<usize>,
    #[serde(default)]
    max_length: Option<usize>,
    #[serde(default)]
    values: Option<Vec<String>>,
}

/// A guard of a format 2 file: the forms of [`GuardExpr`], with calendar durations,
/// plus `max_time_in_state` and `vote`.
#[derive(Clone, Debug)]
enum FileGuard {
    Named(String),
    All(Vec<FileGuard>),
    Any(Vec<FileGuard>),
    Not(Box<FileGuard>),
    Role(String),
    PayloadField(String),
    MinTimeInState(CalendarSpan),
    MaxTimeInState(CalendarSpan),
    Vote(Vote),
}

const GUARD_KINDS: &[&str] = &[
    "guard",
    "all",
    "any",
    "not",
    "role",
    "payload_field",
    "min_time_in_state",
    "max_time_in_state",
    "vote",
];

impl<'de> Deserialize<'de> for FileGuard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FileGuard;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a guard name, or a table with one of the keys {}",
                    GUARD_KINDS.join(", ")
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FileGuard, E> {
                Ok(FileGuard::Named(v.to_owned()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<FileGuard, M::Error> {
                use serde::de::Error;
                let Some(key) = map.next_key::<String>()? else {
                    return Err(M::Error::custom(format!(
                        "empty guard table: expected one of the keys {}",
                        GUARD_KINDS.join(", ")
                    )));
                };
                let span = |s: String| s.parse::<CalendarSpan>().map_err(M::Error::custom);
                let guard = match key.as_str() {
                    "guard" => FileGuard::Named(map.next_value()?),
                    "all" => FileGuard::All(map.next_value()?),
                    "any" => FileGuard::Any(map.next_value()?),
                    "not" => FileGuard::Not(Box::new(map.next_value()?)),
                    "role" => FileGuard::Role(map.next_value()?),
                    "payload_field" => FileGuard::PayloadField(map.next_value()?),
                    "min_time_in_state" => FileGuard::MinTimeInState(span(map.next_value()?)?),
                    "max_time_in_state" => FileGuard::MaxTimeInState(span(map.next_value()?)?),
                    "vote" => {
                        let vote: Vote = map.next_value()?;
                        if vote.quorum.is_none() && vote.majority.is_none() {
                            return Err(M::Error::custom(
                                "a vote needs a quorum, a majority or both (fractions such as \"2/3\")",
                            ));
                        }
                        if matches!(vote.electorate, Electorate::Fixed(0)) {
                            return Err(M::Error::custom("a vote's electorate must be at least 1"));
                        }
                        FileGuard::Vote(vote)
                    }
                    other => {
                        return Err(M::Error::custom(format!(
                            "unknown guard kind `{other}`{}; expected one of {}",
                            closest_hint(other, GUARD_KINDS.iter().copied()),
                            GUARD_KINDS.join(", ")
                        )));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(M::Error::custom(format!(
                        "a guard table has exactly one key; found {key:?} and {extra:?}"
                    )));
                }
                Ok(guard)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// `{ vote = { tally = "ballots", quorum = "2/3", majority = "3/4", electorate = 9 } }`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vote {
    tally: String,
    #[serde(default)]
    quorum: Option<Fraction>,
    #[serde(default)]
    majority: Option<Fraction>,
    electorate: Electorate,
    #[serde(default)]
    yes: Option<toml::Value>,
}

/// How many may vote: a number, or the data field holding it (a number, or a list or
/// table whose entries are the voters).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Electorate {
    Fixed(u64),
    Field(String),
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let bad = || {
            serde::de::Error::custom(format!(
                "invalid fraction {s:?}: expected n/d with 0 < n ≤ d, e.g. \"2/3\""
            ))
        };
        let (n, d) = s.split_once('/').ok_or_else(bad)?;
        let num: u64 = n.trim().parse().map_err(|_| bad())?;
        let den: u64 = d.trim().parse().map_err(|_| bad())?;
        if num == 0 || den == 0 || num > den {
            return Err(bad());
        }
        Ok(Fraction { num, den })
    }
}

/// An effect of a format 2 file: a registered effect's name, or a built-in.
#[derive(Clone, Debug)]
enum FileEffect {
    Named(String),
    Set(SetSpec),
    Append(SetSpec),
    Count(CountSpec),
}

const EFFECT_KINDS: &[&str] = &["set", "append", "count"];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetSpec {
    field: String,
    #[serde(default)]
    value: Option<toml::Value>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountSpec {
    field: String,
    #[serde(default)]
    payload: Option<String>,
}

/// Facts of the attempt an effect may write.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Meta {
    /// The record's time, RFC 3339 in UTC.
    At,
    /// The record's date in the definition's time zone, `YYYY-MM-DD`.
    Date,
    /// The actor's id.
    Actor,
    /// The role.
    Role,
    /// The action's name.
    Action,
}

impl<'de> Deserialize<'de> for FileEffect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FileEffect;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an effect name, or a table with one of the keys set, append, count")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FileEffect, E> {
                Ok(FileEffect::Named(v.to_owned()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<FileEffect, M::Error> {
                use serde::de::Error;
                let Some(key) = map.next_key::<String>()? else {
                    return Err(M::Error::custom(
                        "empty effect table: expected one of the keys set, append, count",
                    ));
                };
                let effect = match key.as_str() {
                    "set" => FileEffect::Set(map.next_value()?),
                    "append" => FileEffect::Append(map.next_value()?),
                    "count" => FileEffect::Count(map.next_value()?),
                    other => {
                        return Err(M::Error::custom(format!(
                            "unknown effect kind `{other}`{}; expected one of set, append, count",
                            closest_hint(other, EFFECT_KINDS.iter().copied())
                        )));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(M::Error::custom(format!(
                        "an effect table has exactly one key; found {key:?} and {extra:?}"
                    )));
                }
                if let FileEffect::Set(s) | FileEffect::Append(s) = &effect {
                    let sources = usize::from(s.value.is_some())
                        + usize::from(s.payload.is_some())
                        + usize::from(s.meta.is_some());
                    if sources != 1 {
                        return Err(M::Error::custom(format!(
                            "{key} of field {:?} needs exactly one of value, payload, meta; found {sources}",
                            s.field
                        )));
                    }
                }
                Ok(effect)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// One built-in step of a row's effects, ready to run.
#[derive(Clone)]
enum Step {
    Named(Effect<Dynamic>),
    Set(String, Source),
    Append(String, Source),
    Count(String, Option<String>),
}

#[derive(Clone)]
enum Source {
    Value(Value),
    Payload(String),
    Meta(Meta),
}

impl Source {
    fn of(spec: &SetSpec) -> Result<Source, String> {
        if let Some(v) = &spec.value {
            return serde_json::to_value(v)
                .map(Source::Value)
                .map_err(|e| format!("the value of field {:?} cannot be used: {e}", spec.field));
        }
        if let Some(p) = &spec.payload {
            return Ok(Source::Payload(p.clone()));
        }
        Ok(Source::Meta(spec.meta.unwrap_or(Meta::At)))
    }

    fn read(&self, input: &EffectInput<'_, Dynamic>, zone: FixedOffset) -> Option<Value> {
        match self {
            Source::Value(v) => Some(v.clone()),
            Source::Payload(field) => input.action.payload.get(field).filter(|v| !v.is_null()).cloned(),
            Source::Meta(Meta::At) => Some(Value::String(
                input.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            )),
            Source::Meta(Meta::Date) => Some(Value::String(
                input
                    .at
                    .with_timezone(&zone)
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string(),
            )),
            Source::Meta(Meta::Actor) => Some(Value::String(input.actor.id.to_string())),
            Source::Meta(Meta::Role) => Some(Value::String(input.role.to_owned())),
            Source::Meta(Meta::Action) => Some(Value::String(input.action.name.clone())),
        }
    }
}

/// The data as a table, made one if it is not (as `merge_payload` does); `None` never
/// happens, but is handled without a panic.
fn object(data: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    if !data.is_object() {
        *data = Value::Object(serde_json::Map::new());
    }
    data.as_object_mut()
}

fn run(step: &Step, data: &mut Value, input: &EffectInput<'_, Dynamic>, zone: FixedOffset) {
    match step {
        Step::Named(effect) => effect(data, input),
        Step::Set(field, source) => {
            if let (Some(v), Some(map)) = (source.read(input, zone), object(data)) {
                map.insert(field.clone(), v);
            }
        }
        Step::Append(field, source) => {
            if let (Some(v), Some(map)) = (source.read(input, zone), object(data)) {
                let slot = map.entry(field.clone()).or_insert_with(|| Value::Array(Vec::new()));
                if !slot.is_array() {
                    *slot = Value::Array(vec![slot.take()]);
                }
                if let Value::Array(items) = slot {
                    items.push(v);
                }
            }
        }
        Step::Count(field, payload) => {
            let Some(map) = object(data) else { return };
            let tally = map
                .entry(field.clone())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            let Some(tally) = object(tally) else { return };
            let actor = input.actor.id.to_string();
            match payload {
                // The actor's latest ballot replaces an earlier one: one voice each.
                Some(p) => {
                    if let Some(v) = input.action.payload.get(p).filter(|v| !v.is_null()) {
                        tally.insert(actor, v.clone());
                    }
                }
                None => {
                    let n = tally.get(&actor).and_then(Value::as_u64).unwrap_or(0);
                    tally.insert(actor, Value::from(n + 1));
                }
            }
        }
    }
}

/// What the loader collects while it reads the rows.
struct Builtins {
    zone: FixedOffset,
    guards: Vec<(String, Text, crate::guard::GuardCheck<Dynamic>)>,
}

impl Builtins {
    fn add(&mut self, name: String, description: Text, check: crate::guard::GuardCheck<Dynamic>) -> GuardExpr {
        if !self.guards.iter().any(|(n, _, _)| *n == name) {
            self.guards.push((name.clone(), description, check));
        }
        GuardExpr::Guard(name)
    }

    fn add_guard(&mut self, guard: crate::guard::NamedGuard<Dynamic>) -> GuardExpr {
        self.add(guard.name, guard.description, guard.check)
    }

    /// The engine's guard expression for a file guard; built-ins become named guards.
    fn expr(&mut self, g: &FileGuard) -> GuardExpr {
        let zone = self.zone;
        match g {
            FileGuard::Named(n) => GuardExpr::Guard(n.clone()),
            FileGuard::All(xs) => GuardExpr::All(xs.iter().map(|x| self.expr(x)).collect()),
            FileGuard::Any(xs) => GuardExpr::Any(xs.iter().map(|x| self.expr(x)).collect()),
            FileGuard::Not(x) => GuardExpr::Not(Box::new(self.expr(x))),
            FileGuard::Role(r) => GuardExpr::Role(r.clone()),
            FileGuard::PayloadField(f) => GuardExpr::PayloadField(f.clone()),
            FileGuard::MinTimeInState(span) => self.add_guard(builtin::min_time_in_state(*span, zone)),
            FileGuard::MaxTimeInState(span) => self.add_guard(builtin::max_time_in_state(*span, zone)),
            FileGuard::Vote(vote) => {
                let v = vote.clone();
                let yes = v
                    .yes
                    .as_ref()
                    .and_then(|y| serde_json::to_value(y).ok())
                    .unwrap_or(Value::Bool(true));
                let field = match &v.electorate {
                    Electorate::Field(f) => f.clone(),
                    Electorate::Fixed(_) => "electorate".to_owned(),
                };
                let (quorum, majority, tally) = (v.quorum, v.majority, v.tally.clone());
                self.add_guard(builtin::vote::<Dynamic, _>(
                    &tally,
                    quorum,
                    majority,
                    &field,
                    move |data| ballots(&v, &yes, data),
                ))
            }
        }
    }
}

/// How the vote on `v.tally` stands in the data.
fn ballots(v: &Vote, yes: &Value, data: &Value) -> builtin::Ballots {
    let ballots = data.get(&v.tally).and_then(Value::as_object);
    let cast = ballots.map_or(0, serde_json::Map::len) as u64;
    let ayes = ballots.map_or(0, |b| b.values().filter(|x| *x == yes).count()) as u64;
    let electorate = match &v.electorate {
        Electorate::Fixed(n) => Some(*n),
        Electorate::Field(f) => match data.get(f) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::Array(a)) => Some(a.len() as u64),
            Some(Value::Object(o)) => Some(o.len() as u64),
            _ => None,
        },
    };
    builtin::Ballots { cast, ayes, electorate }
}

fn field_of(action: &str, name: &str, spec: &FileField) -> Result<Field, LoadErrorKind> {
    let problem = |problem: String| LoadErrorKind::Field {
        schema: action.to_owned(),
        field: name.to_owned(),
        problem,
    };
    let kind = match spec.kind.as_str() {
        "text" => FieldType::Text {
            min_length: spec.min_length,
            max_length: spec.max_length,
        },
        "integer" => FieldType::Integer,
        "number" => FieldType::Number,
        "bool" => FieldType::Bool,
        "date" => FieldType::Date,
        "enumeration" => match &spec.values {
            Some(values) if !values.is_empty() => FieldType::Enumeration(values.clone()),
            _ => return Err(problem("an enumeration needs a non-empty `values` list".to_owned())),
        },
        other => {
            return Err(problem(format!(
                "unknown type {other:?}{}; expected one of {}",
                closest_hint(other, FIELD_TYPES.iter().copied()),
                FIELD_TYPES.join(", ")
            )));
        }
    };
    if spec.kind != "text" && (spec.min_length.is_some() || spec.max_length.is_some()) {
        return Err(problem(format!(
            "min_length and max_length apply to text, not {}",
            spec.kind
        )));
    }
    if spec.kind != "enumeration" && spec.values.is_some() {
        return Err(problem(format!("values apply to an enumeration, not {}", spec.kind)));
    }
    if let (Some(min), Some(max)) = (spec.min_length, spec.max_length)
        && min > max
    {
        return Err(problem(format!("min_length {min} is more than max_length {max}")));
    }
    Ok(Field {
        name: name.to_owned(),
        kind,
        required: !spec.optional,
    })
}

fn schema_of(owner: &str, fields: &Ordered<FileField>) -> Result<FieldSchema, Located> {
    let mut out = Vec::new();
    for (name, spec) in &fields.0 {
        out.push(field_of(owner, name, spec.get_ref()).map_err(|k| (spec.span().start, k))?);
    }
    Ok(FieldSchema::new(out))
}

/// The payload fields a guard names.
fn guard_fields<'a>(g: &'a FileGuard, out: &mut Vec<&'a str>) {
    match g {
        FileGuard::PayloadField(f) => out.push(f),
        FileGuard::All(xs) | FileGuard::Any(xs) => xs.iter().for_each(|x| guard_fields(x, out)),
        FileGuard::Not(x) => guard_fields(x, out),
        _ => {}
    }
}

fn guard_names<'a>(g: &'a FileGuard, out: &mut Vec<&'a str>) {
    match g {
        FileGuard::Named(n) => out.push(n),
        FileGuard::All(xs) | FileGuard::Any(xs) => xs.iter().for_each(|x| guard_names(x, out)),
        FileGuard::Not(x) => guard_names(x, out),
        _ => {}
    }
}

fn guard_roles<'a>(g: &'a FileGuard, out: &mut Vec<&'a str>) {
    match g {
        FileGuard::Role(r) => out.push(r),
        FileGuard::All(xs) | FileGuard::Any(xs) => xs.iter().for_each(|x| guard_roles(x, out)),
        FileGuard::Not(x) => guard_roles(x, out),
        _ => {}
    }
}

fn guard_votes<'a>(g: &'a FileGuard, out: &mut Vec<&'a Vote>) {
    match g {
        FileGuard::Vote(v) => out.push(v),
        FileGuard::All(xs) | FileGuard::Any(xs) => xs.iter().for_each(|x| guard_votes(x, out)),
        FileGuard::Not(x) => guard_votes(x, out),
        _ => {}
    }
}

type Loaded = (
    Definition<Dynamic>,
    Vec<(usize, LoadWarningKind)>,
    HashMap<String, usize>,
);

/// Loads a `format = 2` file.
pub(super) fn load(source: &str, registry: &Registry) -> Result<Loaded, Located> {
    let file: File = super::parse(source)?;

    let declared = Declared::new(&file.states, &file.actions, &file.roles);

    let zone = match &file.time_zone {
        None => Utc.fix(),
        Some(z) => parse_zone(z.get_ref()).map_err(|e| (z.span().start, LoadErrorKind::Syntax(e)))?,
    };

    // Groups: names of their own, each a non-empty list of declared states.
    let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, members) in &file.groups.0 {
        if declared.states.contains_key(name) {
            return Err((members.span().start, LoadErrorKind::GroupClash { group: name.clone() }));
        }
        if members.get_ref().is_empty() {
            return Err((members.span().start, LoadErrorKind::EmptyGroup { group: name.clone() }));
        }
        let mut list = Vec::new();
        for m in members.get_ref() {
            declared.state(m)?;
            list.push(m.get_ref().as_str());
        }
        groups.insert(name.as_str(), list);
    }

    // Schemas, by action; the creation schema.
    let mut schemas: HashMap<&str, Arc<FieldSchema>> = HashMap::new();
    for (action, fields) in &file.payloads.0 {
        if !declared.actions.contains_key(action) {
            return Err(unknown(
                fields.span(),
                "action",
                action,
                "declared in [actions]",
                &declared.action_names,
            ));
        }
        schemas.insert(action.as_str(), Arc::new(schema_of(action, fields.get_ref())?));
    }
    let creation = if file.creation.0.is_empty() {
        None
    } else {
        Some(schema_of("creation", &file.creation)?)
    };

    let mut b = declared.declare(Definition::<Dynamic>::builder(
        file.name.get_ref().clone(),
        file.version,
    ));
    let Some(initial) = &file.initial else {
        return Err((top_level_end(source), LoadErrorKind::NoInitial));
    };
    b = b.initial(declared.state(initial)?);
    let mut terminal: Vec<&str> = Vec::new();
    for t in &file.terminal {
        b = b.terminal(declared.state(t)?);
        terminal.push(t.get_ref());
    }
    b = declared.people(b, &file.creators, &file.migrators)?;
    if let Some(schema) = creation {
        b = b.creation_check(move |data: &Value| builtin::schema_refusal("create", &schema, data));
    }
    let base: Option<Effect<Dynamic>> = named_effect(registry, file.effect.as_ref())?;

    // The tallies some `count` effect writes, for the vote guards to read.
    let counted: Vec<&str> = file
        .transitions
        .iter()
        .flat_map(|t| t.get_ref().effects.iter())
        .filter_map(|e| match e.get_ref() {
            FileEffect::Count(c) => Some(c.field.as_str()),
            _ => None,
        })
        .collect();

    // When the creation data has a schema, the data fields are known: those it declares
    // and those effects write. A vote's electorate field must be one of them.
    let data_fields: Option<Vec<&str>> = (!file.creation.0.is_empty()).then(|| {
        let mut names: Vec<&str> = file.creation.0.iter().map(|(k, _)| k.as_str()).collect();
        for e in file.transitions.iter().flat_map(|t| t.get_ref().effects.iter()) {
            match e.get_ref() {
                FileEffect::Set(x) | FileEffect::Append(x) => names.push(&x.field),
                FileEffect::Count(c) => names.push(&c.field),
                FileEffect::Named(_) => {}
            }
        }
        names
    });

    let mut builtins = Builtins {
        zone,
        guards: Vec::new(),
    };
    let mut warnings: Vec<(usize, LoadWarningKind)> = Vec::new();
    let mut named_guards = NamedGuards::default();
    let mut steps: HashMap<String, HashMap<String, Vec<Step>>> = HashMap::new();
    let mut row_of: Vec<usize> = Vec::new();
    let mut rows: Vec<(usize, String, String, String)> = Vec::new();
    let mut first_row: HashMap<(String, String), usize> = HashMap::new();
    let mut groups_and_states: Vec<&str> = declared.state_names.clone();
    groups_and_states.extend(groups.keys().copied());

    for (ti, t) in file.transitions.iter().enumerate() {
        let number = ti + 1;
        let ft = t.get_ref();
        let action = ft.action.get_ref();
        declared.action_at(ft.action.span(), action)?;
        let to = declared.state(&ft.to)?;
        if ft.roles.is_empty() {
            return Err((t.span().start, LoadErrorKind::NoRoles { number }));
        }
        let mut roles = Vec::new();
        for r in &ft.roles {
            roles.push(declared.role(r)?);
        }
        let schema = schemas.get(action.as_str()).cloned();

        // Guards: names registered, roles declared, payload fields in the schema.
        let mut guards = Vec::new();
        if let Some(schema) = &schema {
            guards.push(builtins.add_guard(builtin::payload_schema(action, FieldSchema::clone(schema))));
        }
        for g in &ft.guards {
            let mut names = Vec::new();
            guard_names(g.get_ref(), &mut names);
            for n in names {
                named_guards.note(registry, g.span(), n)?;
            }
            let mut roles_named = Vec::new();
            guard_roles(g.get_ref(), &mut roles_named);
            for r in roles_named {
                declared.role_at(g.span(), r)?;
            }
            let mut fields = Vec::new();
            guard_fields(g.get_ref(), &mut fields);
            check_fields(action, schema.as_deref(), &fields, g.span().start, &mut warnings)?;
            let mut votes = Vec::new();
            guard_votes(g.get_ref(), &mut votes);
            for vote in &votes {
                if let (Electorate::Field(f), Some(known)) = (&vote.electorate, &data_fields)
                    && !known.contains(&f.as_str())
                {
                    return Err((
                        g.span().start,
                        LoadErrorKind::Unknown {
                            what: "data field",
                            name: f.clone(),
                            where_: "declared in [creation] or written by an effect",
                            suggestion: crate::suggest::closest(f, known.iter().copied()).map(str::to_owned),
                        },
                    ));
                }
            }
            if let Some(tally) = votes
                .into_iter()
                .map(|v| v.tally.as_str())
                .find(|t| !counted.contains(t))
            {
                return Err((
                    g.span().start,
                    LoadErrorKind::Unknown {
                        what: "tally",
                        name: tally.to_owned(),
                        where_: "written by any count effect",
                        suggestion: crate::suggest::closest(tally, counted.iter().copied()).map(str::to_owned),
                    },
                ));
            }
            guards.push(builtins.expr(g.get_ref()));
        }

        // Effects.
        let mut row_steps = Vec::new();
        for e in &ft.effects {
            let step = match e.get_ref() {
                FileEffect::Named(n) => match registry.effects.get(n) {
                    Some(effect) => Some(Step::Named(Arc::clone(effect))),
                    None if registry.placeholders => None,
                    None => {
                        let names: Vec<&str> = registry.effects.keys().map(String::as_str).collect();
                        return Err(unknown(e.span(), "effect", n, "registered", &names));
                    }
                },
                FileEffect::Set(s) | FileEffect::Append(s) => {
                    let source = Source::of(s).map_err(|m| (e.span().start, LoadErrorKind::Syntax(m)))?;
                    if let Source::Payload(p) = &source {
                        check_fields(action, schema.as_deref(), &[p.as_str()], e.span().start, &mut warnings)?;
                    }
                    Some(match e.get_ref() {
                        FileEffect::Set(_) => Step::Set(s.field.clone(), source),
                        _ => Step::Append(s.field.clone(), source),
                    })
                }
                FileEffect::Count(c) => {
                    if let Some(p) = &c.payload {
                        check_fields(action, schema.as_deref(), &[p.as_str()], e.span().start, &mut warnings)?;
                    }
                    Some(Step::Count(c.field.clone(), c.payload.clone()))
                }
            };
            row_steps.extend(step);
        }

        // `from`: states and groups, each state once, in the order written.
        let from_span = t.get_ref().from.span();
        let mut from_states: Vec<&str> = Vec::new();
        for entry in &ft.from.get_ref().0 {
            let name = entry.get_ref().as_str();
            let span = if entry.span() == (0..0) {
                from_span.clone()
            } else {
                entry.span()
            };
            let members: Vec<&str> = if declared.states.contains_key(name) {
                vec![name]
            } else if let Some(list) = groups.get(name) {
                list.clone()
            } else {
                return Err(unknown(
                    span,
                    "state or group",
                    name,
                    "declared in [states] or [groups]",
                    &groups_and_states,
                ));
            };
            for m in members {
                if !from_states.contains(&m) {
                    from_states.push(m);
                }
            }
        }
        if from_states.is_empty() {
            return Err((from_span.start, LoadErrorKind::NoFrom { number }));
        }
        for from in from_states {
            if terminal.contains(&from) && from != to.name() {
                return Err((
                    t.span().start,
                    LoadErrorKind::TerminalExit {
                        number,
                        state: from.to_owned(),
                        action: action.clone(),
                        to: to.name().to_owned(),
                    },
                ));
            }
            let key = (from.to_owned(), action.clone());
            if let Some(&first) = first_row.get(&key) {
                let (first_ti, _, _, other) = &rows[first];
                let first_line = crate::position::line_column(source, file.transitions[*first_ti].span().start).0;
                return Err((
                    t.span().start,
                    if *other == to.name() {
                        LoadErrorKind::DuplicateTransition {
                            number,
                            first: first_ti + 1,
                            first_line,
                            from: from.to_owned(),
                            action: action.clone(),
                            to: to.name().to_owned(),
                        }
                    } else {
                        LoadErrorKind::AmbiguousTransition {
                            number,
                            first: first_ti + 1,
                            first_line,
                            from: from.to_owned(),
                            action: action.clone(),
                            to: to.name().to_owned(),
                            other: other.clone(),
                        }
                    },
                ));
            }
            first_row.insert(key, rows.len());
            rows.push((ti, from.to_owned(), action.clone(), to.name().to_owned()));
            row_of.push(ti);
            let mut row = Transition::new(DynState::new(from), action.clone(), to.clone());
            row.roles = roles.clone();
            row.guards = guards.clone();
            b = b.transition(row);
            if !row_steps.is_empty() {
                steps
                    .entry(from.to_owned())
                    .or_default()
                    .insert(action.clone(), row_steps.clone());
            }
        }
    }

    b = named_guards.register(b, registry);
    for (name, description, check) in builtins.guards {
        b = b.guard_shared(name, description, check);
    }
    if steps.is_empty() {
        if let Some(base) = base {
            b = b.effect_shared(base);
        }
    } else {
        b = b.effect(move |data: &mut Value, input: &EffectInput<'_, Dynamic>| {
            if let Some(base) = &base {
                base(data, input);
            }
            if let Some(list) = steps.get(input.from.name()).and_then(|m| m.get(&input.action.name)) {
                for step in list {
                    run(step, data, input, zone);
                }
            }
        });
    }

    let mut deadline_span: HashMap<String, usize> = HashMap::new();
    for d in &file.deadlines {
        let fd = d.get_ref();
        deadline_span.insert(fd.name.get_ref().clone(), d.span().start);
        let within: CalendarSpan = fd
            .within
            .get_ref()
            .parse()
            .map_err(|e: crate::calendar::CalendarSpanError| {
                (fd.within.span().start, LoadErrorKind::Syntax(e.to_string()))
            })?;
        let label = Text::owned(fd.label.zh.clone(), fd.label.en.clone());
        let check_action = |a: &Spanned<String>, engine_own: bool| -> Result<String, Located> {
            let name = a.get_ref();
            let own =
                engine_own && (name == crate::definition::CREATE_ACTION || name == crate::definition::MIGRATE_ACTION);
            if own || declared.actions.contains_key(name) {
                Ok(name.clone())
            } else {
                Err(unknown(
                    a.span(),
                    "action",
                    name,
                    "declared in [actions]",
                    &declared.action_names,
                ))
            }
        };
        let deadline = match (&fd.leave, &fd.take) {
            (Some(state), None) => {
                if fd.in_states.is_some() {
                    return Err((
                        d.span().start,
                        LoadErrorKind::Syntax(format!(
                            "deadline {:?}: `in` applies to `take` deadlines; a `leave` deadline runs in its own state",
                            fd.name.get_ref()
                        )),
                    ));
                }
                Deadline::leave(fd.name.get_ref().clone(), label, declared.state(state)?, within)
            }
            (None, Some(action)) => {
                let mut d = Deadline::take(fd.name.get_ref().clone(), label, check_action(action, false)?, within);
                if let Some(list) = &fd.in_states {
                    let mut states = Vec::new();
                    for name in &list.get_ref().0 {
                        // A single name has no span of its own: use the whole value's.
                        let spanned = if name.span() == (0..0) {
                            Spanned::new(list.span(), name.get_ref().clone())
                        } else {
                            name.clone()
                        };
                        match groups.get(spanned.get_ref().as_str()) {
                            Some(members) => states.extend(members.iter().map(|m| DynState::new(m))),
                            None => states.push(declared.state(&spanned).map_err(|(at, kind)| {
                                match kind {
                                    LoadErrorKind::Unknown { name, suggestion, .. } => (
                                        at,
                                        LoadErrorKind::Unknown {
                                            what: "state or group",
                                            name: name.clone(),
                                            where_: "declared in [states] or [groups]",
                                            suggestion: crate::suggest::closest(
                                                &name,
                                                groups_and_states.iter().copied(),
                                            )
                                            .map(str::to_owned)
                                            .or(suggestion),
                                        },
                                    ),
                                    other => (at, other),
                                }
                            })?),
                        }
                    }
                    d = d.in_states(states);
                }
                d
            }
            _ => {
                return Err((
                    d.span().start,
                    LoadErrorKind::Syntax(format!(
                        "deadline {:?} needs exactly one of `leave = \"state\"` or `take = \"action\"`",
                        fd.name.get_ref()
                    )),
                ));
            }
        };
        let mut deadline = deadline.zone(zone);
        if !fd.after.is_empty() {
            let mut after = Vec::new();
            for a in &fd.after {
                after.push(check_action(a, true)?);
            }
            deadline = deadline.after(after);
        }
        b = b.deadline(deadline);
    }

    let transition_spans: Vec<usize> = row_of.iter().map(|&ti| file.transitions[ti].span().start).collect();
    let spans = super::Spans {
        name: file.name.span().start,
        transitions: &transition_spans,
        states: &declared.states,
        actions: &declared.actions,
        roles: &declared.roles,
        deadlines: &deadline_span,
    };
    let def = b.build().map_err(|e| map_build_error(source, e, &spans))?;
    Ok((def, warnings, declared.states))
}

/// A payload field named by a guard or effect of a row for `action` must be declared
/// by the action's schema; without a schema it is reported as a warning.
fn check_fields(
    action: &str,
    schema: Option<&FieldSchema>,
    fields: &[&str],
    offset: usize,
    warnings: &mut Vec<(usize, LoadWarningKind)>,
) -> Result<(), Located> {
    for &field in fields {
        match schema {
            Some(s) if s.field(field).is_none() => {
                return Err((
                    offset,
                    LoadErrorKind::UndeclaredField {
                        action: action.to_owned(),
                        field: field.to_owned(),
                        suggestion: crate::suggest::closest(field, s.fields().iter().map(|f| f.name.as_str()))
                            .map(str::to_owned),
                    },
                ));
            }
            Some(_) => {}
            None => {
                let kind = LoadWarningKind::UndeclaredPayloadField {
                    action: action.to_owned(),
                    field: field.to_owned(),
                };
                if !warnings.iter().any(|(_, k)| *k == kind) {
                    warnings.push((offset, kind));
                }
            }
        }
    }
    Ok(())
}
