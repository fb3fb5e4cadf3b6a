//! Deadlines: a state that must be left, or an action that must be taken, within a
//! calendar span.
//!
//! A [`Deadline`] is part of a definition, like its transitions: declared once, as data.
//! It never refuses anything (a guard does that); it says when an instance is *due*, so
//! that a court can ask "what is overdue today?" and an audit trail can say that an
//! action came late.
//!
//! # The rule
//!
//! A deadline has a goal and a start:
//!
//! - **goal** [`DeadlineGoal::Leave`]`(s)`: pending while the instance is in state `s`;
//!   met by leaving it. [`DeadlineGoal::Take`] `{ action, in_states }`: pending while the
//!   instance is in one of `in_states` (any state when empty) and `action` has not been
//!   accepted since the start; met by an accepted `action` later than the start.
//! - **start** [`DeadlineStart::Entered`]: when the instance entered its current state.
//!   [`DeadlineStart::After`]`(actions)`: the latest accepted record of any of
//!   `actions` (`create` included); no such record, no deadline yet.
//!
//! No deadline runs in a terminal state: a finished instance owes nothing.
//!
//! The deadline is due at `start + within`, `within` a [`CalendarSpan`] added on the
//! calendar of the deadline's zone. An instance is **overdue** at `t` when a pending
//! deadline's due time is earlier than `t`.
//!
//! When the goal's action is also one of the start's actions, taking it starts the
//! clock again: "review within 5 years of the publication or of the last review" is
//! `Take { action: "review" }` after `["publish", "review"]`.
//!
//! Everything a deadline depends on (the state, when it was entered, when each action
//! was last accepted) is replayed from the records, so the due time a store keeps for
//! an instance is checked by `verify` like every other derived column, and the
//! lateness of an attempt ([`Definition::trail`](crate::Definition::trail)) is derived
//! from the chain rather than written into it: no record format changes, and nobody can
//! write a lateness the log does not support.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarSpan;
use crate::label::Text;
use crate::record::Name;

/// What a deadline asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadlineGoal<S> {
    /// The state must be left.
    Leave(S),
    /// The action must be taken (accepted).
    Take {
        /// The action's name.
        action: String,
        /// The states in which the deadline runs; empty for every state.
        in_states: Vec<S>,
    },
}

/// When a deadline's time starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadlineStart {
    /// When the instance entered its current state.
    Entered,
    /// The latest accepted record of any of these actions (`create` included).
    After(Vec<String>),
}

/// A deadline of a definition: see the [module documentation](self) for the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline<S> {
    pub(crate) name: String,
    pub(crate) label: Text,
    pub(crate) goal: DeadlineGoal<S>,
    pub(crate) start: DeadlineStart,
    pub(crate) within: CalendarSpan,
    pub(crate) zone: FixedOffset,
}

impl<S> Deadline<S> {
    /// `state` must be left within `within` of entering it.
    pub fn leave(name: impl Into<String>, label: Text, state: S, within: CalendarSpan) -> Self {
        Deadline {
            name: name.into(),
            label,
            goal: DeadlineGoal::Leave(state),
            start: DeadlineStart::Entered,
            within,
            zone: utc(),
        }
    }

    /// `action` must be taken within `within` of entering the current state (change
    /// the start with [`after`](Deadline::after), the states with
    /// [`in_states`](Deadline::in_states)).
    pub fn take(name: impl Into<String>, label: Text, action: impl Into<String>, within: CalendarSpan) -> Self {
        Deadline {
            name: name.into(),
            label,
            goal: DeadlineGoal::Take {
                action: action.into(),
                in_states: Vec::new(),
            },
            start: DeadlineStart::Entered,
            within,
            zone: utc(),
        }
    }

    /// Counts from the latest accepted record of any of `actions` instead of from
    /// entering the state.
    pub fn after<I, A>(mut self, actions: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<String>,
    {
        self.start = DeadlineStart::After(actions.into_iter().map(Into::into).collect());
        self
    }

    /// For a [`take`](Deadline::take) deadline: runs only while the instance is in one
    /// of `states`. Ignored by a [`leave`](Deadline::leave) deadline, which runs in its
    /// state.
    pub fn in_states<I: IntoIterator<Item = S>>(mut self, states: I) -> Self {
        if let DeadlineGoal::Take { in_states, .. } = &mut self.goal {
            *in_states = states.into_iter().collect();
        }
        self
    }

    /// The zone whose calendar `within` is added on (UTC unless set): "2 months" from
    /// 31 January 23:00 UTC is a different day in Beijing.
    pub fn zone(mut self, zone: FixedOffset) -> Self {
        self.zone = zone;
        self
    }

    /// The deadline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its labels.
    pub fn label(&self) -> &Text {
        &self.label
    }

    /// What it asks for.
    pub fn goal(&self) -> &DeadlineGoal<S> {
        &self.goal
    }

    /// When its time starts.
    pub fn start(&self) -> &DeadlineStart {
        &self.start
    }

    /// How long it allows.
    pub fn within(&self) -> CalendarSpan {
        self.within
    }

    /// The zone of its calendar.
    pub fn time_zone(&self) -> FixedOffset {
        self.zone
    }
}

fn utc() -> FixedOffset {
    chrono::Offset::fix(&Utc)
}

/// A deadline an instance has to meet, as of its last record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The deadline's name.
    pub deadline: String,
    /// Its labels.
    pub label: Text,
    /// When its time started.
    pub started_at: DateTime<Utc>,
    /// When it is due: the instance is overdue at any later instant.
    pub due_at: DateTime<Utc>,
    /// The zone of the deadline's calendar, in which people read its dates.
    #[serde(with = "offset")]
    pub zone: FixedOffset,
}

impl Pending {
    /// True when the deadline has passed at `at`.
    pub fn is_overdue(&self, at: DateTime<Utc>) -> bool {
        at > self.due_at
    }
}

/// An attempt made after a deadline passed: its lateness, as the audit trail shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lateness {
    /// The deadline's name.
    pub deadline: String,
    /// Its labels.
    pub label: Text,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// How late the attempt came (its effective time minus `due_at`; positive).
    #[serde(with = "seconds")]
    pub late_by: TimeDelta,
    /// The zone of the deadline's calendar, in which people read its dates.
    #[serde(with = "offset")]
    pub zone: FixedOffset,
}

impl Lateness {
    /// How late, in whole days (rounded down), as people count it.
    pub fn days(&self) -> i64 {
        self.late_by.num_days()
    }

    /// "逾期 3 天（复审，应于 2026-01-01 09:00 +08:00 前）" / "3 days late (systematic
    /// review, due 2026-01-01 09:00 +08:00)": the due time in the deadline's zone.
    pub fn describe(&self) -> Text {
        let due = self.due_at.with_timezone(&self.zone).format("%Y-%m-%d %H:%M %:z");
        let days = self.days();
        Text::owned(
            format!("逾期 {days} 天（{}，应于 {due} 前）", self.label.zh),
            format!(
                "{days} day{} late ({}, due {due})",
                if days == 1 { "" } else { "s" },
                self.label.en
            ),
        )
    }
}

/// One record of an instance's log with what its attempt came late for: the audit
/// trail [`Definition::trail`](crate::Definition::trail) derives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEntry {
    /// The record's sequence number.
    pub seq: u64,
    /// The record's action.
    pub action: Name,
    /// Its effective time.
    pub at: DateTime<Utc>,
    /// The deadlines pending before it that had passed at its time (empty when on time).
    pub late: Vec<Lateness>,
}

/// `late_by` as whole seconds (and nanoseconds as a fraction) in JSON.
mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
        let secs = i64::deserialize(d)?;
        TimeDelta::try_seconds(secs).ok_or_else(|| serde::de::Error::custom("seconds out of range"))
    }
}

/// A zone offset as people write it in JSON: `"+08:00"`.
mod offset {
    use chrono::FixedOffset;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zone: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(zone)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FixedOffset, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The latest accepted time of each action an instance has taken: what
/// [`DeadlineStart::After`] and a [`DeadlineGoal::Take`] read. A handful of entries,
/// kept sorted by action so that equal instances compare equal however they were
/// reached (replayed, or resumed from a snapshot's map).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Marks(pub(crate) Vec<(Name, DateTime<Utc>)>);

impl Marks {
    pub(crate) fn mark(&mut self, action: &str, at: DateTime<Utc>) {
        // A handful of entries, nearly always one already there: an equality test
        // (lengths first) finds it sooner than the ordered search.
        if let Some(entry) = self.0.iter_mut().find(|(a, _)| a.as_str() == action) {
            entry.1 = at;
            return;
        }
        match self.0.binary_search_by(|(a, _)| a.as_str().cmp(action)) {
            Ok(i) => self.0[i].1 = at,
            Err(i) => self.0.insert(i, (Name::new(action), at)),
        }
    }

    pub(crate) fn get(&self, action: &str) -> Option<DateTime<Utc>> {
        self.0
            .binary_search_by(|(a, _)| a.as_str().cmp(action))
            .ok()
            .map(|i| self.0[i].1)
    }

    pub(crate) fn latest<'a>(&self, actions: impl IntoIterator<Item = &'a String>) -> Option<DateTime<Utc>> {
        actions.into_iter().filter_map(|a| self.get(a)).max()
    }

    pub(crate) fn from_map(map: &std::collections::BTreeMap<String, DateTime<Utc>>) -> Self {
        // A BTreeMap iterates in key order: already sorted.
        Marks(map.iter().map(|(a, t)| (Name::new(a), *t)).collect())
    }
}

impl<S: PartialEq> Deadline<S> {
    /// True when the goal concerns `state`: the state to leave, or a state a `take`
    /// deadline runs in (every state when it names none). Terminal states are the
    /// definition's to rule out ([`Definition::deadline_runs_in`](crate::Definition::deadline_runs_in)).
    pub fn concerns(&self, state: &S) -> bool {
        match &self.goal {
            DeadlineGoal::Leave(s) => s == state,
            DeadlineGoal::Take { in_states, .. } => in_states.is_empty() || in_states.contains(state),
        }
    }

    /// When this deadline started and falls due, for an instance in a non-terminal
    /// `state` entered at `entered_at` with `marks`; `None` when it is not pending. What
    /// every due time is computed from, on each accepted record: no allocation.
    pub(crate) fn due(
        &self,
        state: &S,
        entered_at: DateTime<Utc>,
        marks: &Marks,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.concerns(state) {
            return None;
        }
        let started_at = match &self.start {
            DeadlineStart::Entered => entered_at,
            DeadlineStart::After(actions) => marks.latest(actions)?,
        };
        if let DeadlineGoal::Take { action, .. } = &self.goal
            && marks.get(action).is_some_and(|taken| taken > started_at)
        {
            return None;
        }
        // A span beyond the calendar's end (year 262143) never falls due.
        let due_at = self.within.after(started_at, self.zone)?;
        Some((started_at, due_at))
    }

    /// [`due`](Deadline::due) as a [`Pending`], with the deadline's name and labels.
    pub(crate) fn pending(&self, state: &S, entered_at: DateTime<Utc>, marks: &Marks) -> Option<Pending> {
        let (started_at, due_at) = self.due(state, entered_at, marks)?;
        Some(Pending {
            deadline: self.name.clone(),
            label: self.label.clone(),
            started_at,
            due_at,
            zone: self.zone,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    use super::Marks;

    fn time(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + seconds, 0)
            .single()
            .unwrap_or_default()
    }

    proptest! {
        /// Marks are the latest time of each action, sorted by action, whatever the
        /// order of marking: the same as a map's.
        #[test]
        fn marks_hold_each_actions_latest_time_in_action_order(
            marked in proptest::collection::vec((0usize..6, 0i64..1_000), 0..40)
        ) {
            const ACTIONS: [&str; 6] = ["submit", "return", "approve", "a", "审核", "submit_2"];
            let mut marks = Marks::default();
            let mut model: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
            for (action, seconds) in marked {
                marks.mark(ACTIONS[action], time(seconds));
                model.insert(ACTIONS[action].to_owned(), time(seconds));
            }
            prop_assert_eq!(&marks, &Marks::from_map(&model));
            for action in ACTIONS {
                prop_assert_eq!(marks.get(action), model.get(action).copied());
            }
        }
    }
}
