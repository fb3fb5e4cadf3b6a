//! Scripts: the test cases the kit generates, runs and shrinks, and the trace a run
//! leaves behind.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use regula_core::record::canonical_json;
use regula_core::{Action, Actor, AuditRecord, Lifecycle, Outcome, Span};

/// How a scripted instance is created: by whom, in which role, with which data, and
/// with the clock and id seed that make the run deterministic.
#[derive(Clone, Debug)]
pub struct Start<D> {
    /// Who creates the instance.
    pub actor: Actor,
    /// The role they create it in.
    pub role: String,
    /// The initial data.
    pub data: D,
    /// The time on the clock when the instance is created.
    pub at: DateTime<Utc>,
    /// The seed of the [`SeededIds`](regula_core::SeededIds) the run uses.
    pub seed: u64,
}

/// One attempt in a script: the clock moves on by `wait`, then `actor`, acting as
/// `role`, attempts `action`.
#[derive(Clone, Debug)]
pub struct Step<A> {
    /// How far the clock moves before the attempt (zero most of the time).
    pub wait: TimeDelta,
    /// Who attempts the action.
    pub actor: Actor,
    /// The role they act in.
    pub role: String,
    /// The action with its payload.
    pub action: A,
}

impl<A: Action> Step<A> {
    /// A step with no wait.
    pub fn new(actor: Actor, role: impl Into<String>, action: A) -> Self {
        Step {
            wait: TimeDelta::zero(),
            actor,
            role: role.into(),
            action,
        }
    }

    /// The same step after the clock has moved on by `wait`.
    pub fn after(mut self, wait: TimeDelta) -> Self {
        self.wait = wait;
        self
    }
}

impl<A: Action> fmt::Display for Step<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.wait.is_zero() {
            write!(f, "(after {}) ", show_wait(self.wait))?;
        }
        write!(f, "{} as {}: {}", self.actor.id, self.role, self.action.name())?;
        match self.action.payload() {
            Ok(serde_json::Value::Null) => Ok(()),
            Ok(payload) => write!(f, " {}", canonical_json(&payload)),
            Err(e) => write!(f, " <payload does not encode: {}>", e.message),
        }
    }
}

/// A whole test case: the creation of one instance, then a sequence of attempts.
///
/// Scripts are what [`Scenario`](crate::Scenario) generates and shrinks; they can
/// also be written by hand to pin down a regression. They print as a numbered list.
pub struct Script<L: Lifecycle> {
    /// How the instance is created.
    pub start: Start<L::Data>,
    /// The attempts, in order.
    pub steps: Vec<Step<L::Action>>,
}

impl<L: Lifecycle> Script<L> {
    /// A script that creates an instance at `at` and attempts nothing yet.
    pub fn new(actor: Actor, role: impl Into<String>, data: L::Data, at: DateTime<Utc>) -> Self {
        Script {
            start: Start {
                actor,
                role: role.into(),
                data,
                at,
                seed: 0,
            },
            steps: Vec::new(),
        }
    }

    /// The same script with one more step.
    pub fn step(mut self, step: Step<L::Action>) -> Self {
        self.steps.push(step);
        self
    }

    /// The number of attempts after the creation.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when the script only creates the instance.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl<L: Lifecycle> Clone for Script<L> {
    fn clone(&self) -> Self {
        Script {
            start: self.start.clone(),
            steps: self.steps.clone(),
        }
    }
}

impl<L: Lifecycle> fmt::Display for Script<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = serde_json::to_value(&self.start.data)
            .map(|v| canonical_json(&v))
            .unwrap_or_else(|e| format!("<data does not encode: {e}>"));
        writeln!(
            f,
            "  0. {} as {}: create {data} (at {})",
            self.start.actor.id,
            self.start.role,
            self.start.at.to_rfc3339()
        )?;
        for (i, step) in self.steps.iter().enumerate() {
            writeln!(f, "  {}. {step}", i + 1)?;
        }
        Ok(())
    }
}

/// Debug shows the script as its numbered list of steps, which is what proptest
/// prints as the minimal failing input.
impl<L: Lifecycle> fmt::Debug for Script<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "script of {} step(s):", self.steps.len())?;
        fmt::Display::fmt(self, f)
    }
}

/// One line of what a run did: the attempt's audit record, and how long the clock
/// waited before it.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    /// The step's number: 0 for the creation, then 1, 2, … for the attempts.
    pub index: usize,
    /// How far the clock moved before the attempt.
    pub wait: TimeDelta,
    /// The record the engine wrote.
    pub record: AuditRecord,
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        let payload = if r.payload.is_null() {
            String::new()
        } else {
            format!(" {}", canonical_json(&r.payload.to_value()))
        };
        if matches!(r.outcome, Outcome::Created) {
            return write!(
                f,
                "{:>3}. {} as {}: create{payload} → created in {}",
                self.index, r.actor.id, r.role, r.from
            );
        }
        write!(f, "{:>3}. [{}] ", self.index, r.from)?;
        if !self.wait.is_zero() {
            write!(f, "(after {}) ", show_wait(self.wait))?;
        }
        write!(f, "{} as {}: {}{payload} → ", r.actor.id, r.role, r.action)?;
        match &r.outcome {
            Outcome::Accepted { to } if *to == r.from => write!(f, "accepted (stays in {to})"),
            Outcome::Accepted { to } => write!(f, "accepted → {to}"),
            Outcome::Refused { reasons } => {
                f.write_str("refused: ")?;
                for (i, reason) in reasons.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    match &reason.guard {
                        Some(g) => write!(f, "[{g}] {}", reason.message.en)?,
                        None => write!(f, "{}", reason.message.en)?,
                    }
                }
                Ok(())
            }
            Outcome::Created => Ok(()),
        }
    }
}

/// Shows a wait the way guards write spans: `30d`, `12h`, `90s`.
pub(crate) fn show_wait(wait: TimeDelta) -> String {
    Span::seconds(wait.num_seconds()).to_string()
}

/// Writes a trace as a numbered list, one entry a line, marking the entry at `mark`.
pub(crate) fn write_trace(f: &mut fmt::Formatter<'_>, trace: &[TraceEntry], mark: Option<usize>) -> fmt::Result {
    for entry in trace {
        write!(f, "{entry}")?;
        if mark == Some(entry.index) {
            f.write_str("   ◀ here")?;
        }
        writeln!(f)?;
    }
    Ok(())
}
