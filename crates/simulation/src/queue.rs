//! What the simulation plans, and the queue that plays it in global time order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};

/// Where an opinion comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Src {
    Frontline,
    Administrative,
    Other,
}

/// How a department attempts to close a consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Close {
    /// Before the 30 days are over: refused.
    Early,
    /// With no administrative opinion: refused.
    NoAdministrative,
    /// As it should.
    Due,
}

/// Why a revision is opened (evaluation and inspection numbers as in the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Why {
    Weak(u32),
    Gap,
    Finding(u32, u32),
}

/// Who evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Evaluator {
    Office,
    /// The intermediate court, in acceptance wave n.
    Court(usize),
}

/// What the leading group takes up at a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Item {
    Deliberate,
    /// The first item of a meeting without quorum: refused.
    NoQuorum,
    CancelRevision,
    Withdraw,
}

/// One planned event. Standards are indices into the simulation's standards; versions
/// are carried so an event planned for one version is dropped if another is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ev {
    Assign(usize),
    PrematureDrafting(usize, usize),
    StartDrafting(usize),
    OpenConsultation(usize),
    Opinion(usize, Src),
    Respond(usize, u32),
    Close(usize, Close),
    Agenda(usize, usize, Item),
    Publish(usize),
    BeginFollowUp(usize),
    Report(usize, usize),
    Inspect(usize),
    Evaluate(usize, Evaluator, u32),
    OpenRevision(usize, Why, u32),
    Accept(usize, usize, u32),
    AcceptUnderRevision(usize, usize),
    AcceptFailing(usize, usize),
    Reassign(usize),
    Meeting,
    ReportCampaign(usize),
    InspectionCampaign(usize),
    EvaluationCampaign(usize),
    AcceptanceWave(usize),
}

/// Planned events by (time, order of planning): two events at the same instant are
/// played in the order they were planned.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    heap: BinaryHeap<Reverse<(DateTime<Utc>, u64, Ev)>>,
    sequence: u64,
}

impl Queue {
    pub(crate) fn push(&mut self, at: DateTime<Utc>, ev: Ev) {
        self.sequence += 1;
        self.heap.push(Reverse((at, self.sequence, ev)));
    }

    /// The earliest event.
    pub(crate) fn pop(&mut self) -> Option<(DateTime<Utc>, Ev)> {
        self.heap.pop().map(|Reverse((at, _, ev))| (at, ev))
    }
}
