//! Guards: named, composable predicates over an attempt, and the reasons they give.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Lifecycle;
use crate::instance::Instance;
use crate::label::Text;
use crate::payload::Payload;
use crate::record::Actor;

/// Everything a guard may look at when it judges an attempt.
///
/// Guards are pure: the same input gives the same verdict, which is what lets
/// [`Definition::replay_with`](crate::Definition::replay_with) re-check them years later.
#[non_exhaustive]
pub struct GuardInput<'a, L: Lifecycle> {
    /// The instance as it is before the attempt.
    pub instance: &'a Instance<L>,
    /// Who attempts the action.
    pub actor: &'a Actor,
    /// The role the actor acts in.
    pub role: &'a str,
    /// The action with its payload.
    pub action: &'a L::Action,
    /// The action's payload as the audit record stores it; as a JSON value,
    /// [`payload_value`](GuardInput::payload_value).
    pub payload: &'a Payload,
    /// The state the transition would lead to.
    pub to: &'a L::State,
    /// The time of the attempt, from the engine's clock.
    pub now: DateTime<Utc>,
    /// The payload parsed, once, for the guards that ask (most judge the typed action
    /// and never do).
    pub(crate) payload_value: std::cell::OnceCell<Value>,
}

impl<L: Lifecycle> GuardInput<'_, L> {
    /// The action's payload as a JSON value, parsed on the first call for this attempt.
    pub fn payload_value(&self) -> &Value {
        self.payload_value.get_or_init(|| self.payload.to_value())
    }
}

/// The check of a named guard: `Ok(())` to let the attempt pass, or the reason it fails.
pub type GuardCheck<L> = Arc<dyn Fn(&GuardInput<'_, L>) -> Result<(), Text> + Send + Sync>;

/// A guard registered under a name in a definition.
pub struct NamedGuard<L: Lifecycle> {
    pub(crate) name: String,
    pub(crate) description: Text,
    pub(crate) check: GuardCheck<L>,
}

impl<L: Lifecycle> NamedGuard<L> {
    /// The guard's name, as transitions and files refer to it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the guard requires, in both languages.
    pub fn description(&self) -> &Text {
        &self.description
    }
}

impl<L: Lifecycle> Clone for NamedGuard<L> {
    fn clone(&self) -> Self {
        NamedGuard {
            name: self.name.clone(),
            description: self.description.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

impl<L: Lifecycle> fmt::Debug for NamedGuard<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamedGuard")
            .field("name", &self.name)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// A guard expression attached to a transition: named guards and built-ins, combined
/// with `all`, `any` and `not`.
///
/// In a TOML definition a bare string is a named guard, and a table with one key is
/// any other form: `{ all = [...] }`, `{ any = [...] }`, `{ not = ... }`,
/// `{ role = "judge" }`, `{ payload_field = "summary" }`,
/// `{ min_time_in_state = "30d" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardExpr {
    /// A guard registered in the definition under this name.
    Guard(String),
    /// Every sub-expression must pass; every failing one is reported.
    All(Vec<GuardExpr>),
    /// At least one sub-expression must pass.
    Any(Vec<GuardExpr>),
    /// The sub-expression must fail.
    Not(Box<GuardExpr>),
    /// Built-in: the attempt is made in this role.
    Role(String),
    /// Built-in: the action's payload has this top-level field, not `null`.
    PayloadField(String),
    /// Built-in: the instance has been in its current state at least this long.
    MinTimeInState(Span),
}

impl GuardExpr {
    /// A reference to a named guard.
    pub fn named(name: impl Into<String>) -> Self {
        GuardExpr::Guard(name.into())
    }

    /// All of `exprs`.
    pub fn all(exprs: impl IntoIterator<Item = GuardExpr>) -> Self {
        GuardExpr::All(exprs.into_iter().collect())
    }

    /// Any of `exprs`.
    pub fn any(exprs: impl IntoIterator<Item = GuardExpr>) -> Self {
        GuardExpr::Any(exprs.into_iter().collect())
    }

    /// The negation of `expr`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(expr: GuardExpr) -> Self {
        GuardExpr::Not(Box::new(expr))
    }

    /// Calls `f` with the name of every named guard the expression refers to.
    pub fn visit_names<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match self {
            GuardExpr::Guard(name) => f(name),
            GuardExpr::All(xs) | GuardExpr::Any(xs) => xs.iter().for_each(|x| x.visit_names(f)),
            GuardExpr::Not(x) => x.visit_names(f),
            GuardExpr::Role(_) | GuardExpr::PayloadField(_) | GuardExpr::MinTimeInState(_) => {}
        }
    }

    /// Calls `f` with the role of every `role` built-in the expression uses.
    pub fn visit_roles<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match self {
            GuardExpr::Role(role) => f(role),
            GuardExpr::All(xs) | GuardExpr::Any(xs) => xs.iter().for_each(|x| x.visit_roles(f)),
            GuardExpr::Not(x) => x.visit_roles(f),
            GuardExpr::Guard(_) | GuardExpr::PayloadField(_) | GuardExpr::MinTimeInState(_) => {}
        }
    }

    /// A short machine-readable form, e.g. `all(has_summary, not(role:clerk))`.
    pub fn key(&self) -> String {
        fn join(xs: &[GuardExpr]) -> String {
            xs.iter().map(GuardExpr::key).collect::<Vec<_>>().join(", ")
        }
        match self {
            GuardExpr::Guard(name) => name.clone(),
            GuardExpr::All(xs) => format!("all({})", join(xs)),
            GuardExpr::Any(xs) => format!("any({})", join(xs)),
            GuardExpr::Not(x) => format!("not({})", x.key()),
            GuardExpr::Role(r) => format!("role:{r}"),
            GuardExpr::PayloadField(p) => format!("payload_field:{p}"),
            GuardExpr::MinTimeInState(s) => format!("min_time_in_state:{s}"),
        }
    }
}

impl<'de> Deserialize<'de> for GuardExpr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(GuardExprVisitor)
    }
}

struct GuardExprVisitor;

const GUARD_FORMS: &[&str] = &[
    "guard",
    "all",
    "any",
    "not",
    "role",
    "payload_field",
    "min_time_in_state",
];

impl<'de> serde::de::Visitor<'de> for GuardExprVisitor {
    type Value = GuardExpr;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a guard name, or a table with one of the keys guard, all, any, not, role, payload_field, min_time_in_state")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(GuardExpr::Guard(v.to_owned()))
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        use serde::de::Error;
        let Some(key) = map.next_key::<String>()? else {
            return Err(M::Error::custom(
                "empty guard table: expected one of the keys guard, all, any, not, role, payload_field, min_time_in_state",
            ));
        };
        let expr = match key.as_str() {
            "guard" => GuardExpr::Guard(map.next_value()?),
            "all" => GuardExpr::All(map.next_value()?),
            "any" => GuardExpr::Any(map.next_value()?),
            "not" => GuardExpr::Not(Box::new(map.next_value()?)),
            "role" => GuardExpr::Role(map.next_value()?),
            "payload_field" => GuardExpr::PayloadField(map.next_value()?),
            "min_time_in_state" => GuardExpr::MinTimeInState(map.next_value()?),
            other => return Err(M::Error::unknown_field(other, GUARD_FORMS)),
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(M::Error::custom(format!(
                "a guard table has exactly one key; found {key:?} and {extra:?}"
            )));
        }
        Ok(expr)
    }
}

/// A length of time written as a number and a unit: `30d`, `12h`, `90m`, `45s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    seconds: i64,
}

impl Span {
    /// A span of whole days.
    pub const fn days(days: i64) -> Self {
        Span { seconds: days * 86_400 }
    }

    /// A span of whole seconds.
    pub const fn seconds(seconds: i64) -> Self {
        Span { seconds }
    }

    /// The span as a chrono duration.
    pub fn as_delta(self) -> TimeDelta {
        TimeDelta::seconds(self.seconds)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        if s != 0 && s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s % 3_600 == 0 {
            write!(f, "{}h", s / 3_600)
        } else if s != 0 && s % 60 == 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl std::str::FromStr for Span {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_span(s).map_err(|e| {
            // Words such as "60 days" are format 2's calendar durations: say so.
            if s.parse::<crate::calendar::CalendarSpan>().is_ok() {
                format!("{e}; calendar durations such as \"60 days\" need `format = 2` in a definition file")
            } else {
                e
            }
        })
    }
}

fn parse_span(s: &str) -> Result<Span, String> {
    let s = s.trim();
    let split = s.len().saturating_sub(1);
    let (number, unit) = (s.get(..split).unwrap_or(""), s.get(split..).unwrap_or(""));
    let unit_seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => {
            return Err(format!(
                "invalid span {s:?}: expected a number and one of d, h, m, s, e.g. \"30d\""
            ));
        }
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("invalid span {s:?}: {number:?} is not a whole number"))?;
    if n < 0 {
        return Err(format!("invalid span {s:?}: must not be negative"));
    }
    n.checked_mul(unit_seconds)
        .map(Span::seconds)
        .ok_or_else(|| format!("invalid span {s:?}: too long"))
}

impl Serialize for Span {
    fn serialize<Ser: serde::Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an attempt was refused: one entry per failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// What kind of check failed.
    pub code: ReasonCode,
    /// The guard that failed (its [`GuardExpr::key`]), when a guard failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// The reason in both languages.
    pub message: Text,
}

impl Reason {
    /// A failed guard.
    pub fn guard(guard: impl Into<String>, message: Text) -> Self {
        Reason {
            code: ReasonCode::Guard,
            guard: Some(guard.into()),
            message,
        }
    }

    /// A check made outside the definition by the embedding program (for example,
    /// that a document number is unique across a whole catalog).
    pub fn external(check: impl Into<String>, message: Text) -> Self {
        Reason {
            code: ReasonCode::External,
            guard: Some(check.into()),
            message,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.guard {
            Some(g) => write!(f, "[{g}] {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// The kind of check behind a [`Reason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The definition has no transition for this action in this state.
    NoTransition,
    /// The role is not among those allowed to fire the transition.
    RoleNotAllowed,
    /// A guard of the transition failed.
    Guard,
    /// A check of the embedding program failed.
    External,
    /// A migration onto a newer definition version has no state to lead to: the
    /// instance's state is not in the new version and no mapping names it, or a
    /// mapping names a state the new version does not have.
    Migration,
}

impl ReasonCode {
    /// The stable string form, as in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::NoTransition => "no_transition",
            ReasonCode::RoleNotAllowed => "role_not_allowed",
            ReasonCode::Guard => "guard",
            ReasonCode::External => "external",
            ReasonCode::Migration => "migration",
        }
    }
}

/// Evaluates guard expressions against the named guards of one definition.
pub(crate) struct Evaluator<'d, L: Lifecycle> {
    pub(crate) guards: &'d [NamedGuard<L>],
    pub(crate) index: &'d std::collections::HashMap<String, usize>,
}

impl<L: Lifecycle> Evaluator<'_, L> {
    /// Pushes a reason for every failing part of `expr` onto `out`.
    pub(crate) fn eval(&self, expr: &GuardExpr, input: &GuardInput<'_, L>, out: &mut Vec<Reason>) {
        match expr {
            GuardExpr::All(xs) => {
                for x in xs {
                    self.eval(x, input, out);
                }
            }
            GuardExpr::Any(xs) => {
                if xs.is_empty() {
                    return;
                }
                let mut failures = Vec::new();
                for x in xs {
                    let before = failures.len();
                    self.eval(x, input, &mut failures);
                    if failures.len() == before {
                        return;
                    }
                }
                let zh: Vec<&str> = failures.iter().map(|r| r.message.zh.as_ref()).collect();
                let en: Vec<&str> = failures.iter().map(|r| r.message.en.as_ref()).collect();
                out.push(Reason::guard(
                    expr.key(),
                    Text::owned(
                        format!("以下条件均不满足：{}", zh.join("；")),
                        format!("none of the alternatives holds: {}", en.join("; ")),
                    ),
                ));
            }
            GuardExpr::Not(x) => {
                let mut inner = Vec::new();
                self.eval(x, input, &mut inner);
                if inner.is_empty() {
                    let d = self.describe(x);
                    out.push(Reason::guard(
                        expr.key(),
                        Text::owned(format!("不得满足：{}", d.zh), format!("must not hold: {}", d.en)),
                    ));
                }
            }
            GuardExpr::Guard(name) => {
                match crate::definition::guard_position(self.guards, self.index, name).map(|i| &self.guards[i]) {
                    Some(g) => {
                        if let Err(message) = (g.check)(input) {
                            out.push(Reason::guard(name.clone(), message));
                        }
                    }
                    // Unreachable for a built definition, which refuses unknown names; kept
                    // as a refusal rather than a panic so a bad state can never pass.
                    None => out.push(Reason::guard(
                        name.clone(),
                        Text::owned(
                            format!("未注册的条件 {name}"),
                            format!("guard {name:?} is not registered"),
                        ),
                    )),
                }
            }
            GuardExpr::Role(role) => {
                if input.role != role {
                    out.push(Reason::guard(
                        expr.key(),
                        Text::owned(
                            format!("须以角色 {role} 操作，当前为 {}", input.role),
                            format!("requires role {role}, attempted as {}", input.role),
                        ),
                    ));
                }
            }
            GuardExpr::PayloadField(field) => {
                let present = input.payload_value().get(field.as_str()).is_some_and(|v| !v.is_null());
                if !present {
                    out.push(Reason::guard(
                        expr.key(),
                        Text::owned(
                            format!("缺少必填字段 {field}"),
                            format!("payload field {field:?} is required"),
                        ),
                    ));
                }
            }
            GuardExpr::MinTimeInState(span) => {
                let spent = input.now - input.instance.entered_at();
                if spent < span.as_delta() {
                    let days = spent.num_seconds() as f64 / 86_400.0;
                    out.push(Reason::guard(
                        expr.key(),
                        Text::owned(
                            format!("须在当前状态停留至少 {span}，目前 {days:.1} 天"),
                            format!("must stay at least {span} in the current state; {days:.1} days so far"),
                        ),
                    ));
                }
            }
        }
    }

    /// What `expr` requires, in words.
    pub(crate) fn describe(&self, expr: &GuardExpr) -> Text {
        fn join(parts: Vec<Text>, zh_sep: &str, en_sep: &str) -> Text {
            let zh: Vec<&str> = parts.iter().map(|t| t.zh.as_ref()).collect();
            let en: Vec<&str> = parts.iter().map(|t| t.en.as_ref()).collect();
            Text::owned(zh.join(zh_sep), en.join(en_sep))
        }
        match expr {
            GuardExpr::Guard(name) => crate::definition::guard_position(self.guards, self.index, name)
                .map(|i| self.guards[i].description.clone())
                .unwrap_or_else(|| Text::owned(name.clone(), name.clone())),
            GuardExpr::All(xs) => join(xs.iter().map(|x| self.describe(x)).collect(), "，且", ", and "),
            GuardExpr::Any(xs) => join(xs.iter().map(|x| self.describe(x)).collect(), "，或", ", or "),
            GuardExpr::Not(x) => {
                let d = self.describe(x);
                Text::owned(format!("非（{}）", d.zh), format!("not ({})", d.en))
            }
            GuardExpr::Role(role) => Text::owned(format!("角色为 {role}"), format!("role is {role}")),
            GuardExpr::PayloadField(f) => Text::owned(format!("填写 {f}"), format!("payload has {f}")),
            GuardExpr::MinTimeInState(s) => Text::owned(
                format!("在当前状态停留至少 {s}"),
                format!("at least {s} in the current state"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_parses_and_prints() {
        assert_eq!("30d".parse::<Span>(), Ok(Span::days(30)));
        assert_eq!("12h".parse::<Span>(), Ok(Span::seconds(12 * 3600)));
        assert_eq!(Span::days(30).to_string(), "30d");
        assert_eq!(Span::seconds(90).to_string(), "90s");
        assert_eq!(Span::seconds(120).to_string(), "2m");
        assert!(
            "30".parse::<Span>()
                .unwrap_err()
                .contains("expected a number and one of")
        );
        assert!("xd".parse::<Span>().unwrap_err().contains("not a whole number"));
        assert_eq!(
            "60 days".parse::<Span>().unwrap_err(),
            "invalid span \"60 days\": \"60 day\" is not a whole number; calendar durations such as \"60 days\" need `format = 2` in a definition file"
        );
        assert!("-1d".parse::<Span>().unwrap_err().contains("negative"));
        assert!("".parse::<Span>().is_err());
        assert!("9223372036854775807d".parse::<Span>().unwrap_err().contains("too long"));
    }

    #[test]
    fn guard_expr_keys() {
        let e = GuardExpr::all([
            GuardExpr::named("a"),
            GuardExpr::not(GuardExpr::Role("clerk".into())),
            GuardExpr::any([
                GuardExpr::PayloadField("x".into()),
                GuardExpr::MinTimeInState(Span::days(3)),
            ]),
        ]);
        assert_eq!(
            e.key(),
            "all(a, not(role:clerk), any(payload_field:x, min_time_in_state:3d))"
        );
        let mut names = Vec::new();
        e.visit_names(&mut |n| names.push(n));
        assert_eq!(names, ["a"]);
        let mut roles = Vec::new();
        e.visit_roles(&mut |r| roles.push(r));
        assert_eq!(roles, ["clerk"]);
    }
}
