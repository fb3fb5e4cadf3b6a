//! What the simulation tells its observer.

use chrono::NaiveDate;
use regula_core::{AuditRecord, Text};

use crate::tally::Tally;

/// Something that happened, as the simulation reports it to the observer given to
/// [`Simulation::run`](crate::Simulation::run), in the order it happened. Records are
/// delivered after the planned event that wrote them was played, so the court the
/// observer sees is the one that event left.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The plan is issued: the office opened work on every standard of the catalog.
    Imported {
        /// The plan's date of issue.
        date: NaiveDate,
        /// Standards opened.
        opened: usize,
        /// Of which the plan gives no department.
        unassigned: usize,
    },
    /// A record was written as the simulation expected: accepted, or refused by
    /// exactly the checks the attempt meant to trip.
    Record {
        /// The day, in the court's time zone.
        date: NaiveDate,
        /// The standard's code.
        code: &'a str,
        /// The standard's name.
        name: &'a Text,
        /// The record.
        record: &'a AuditRecord,
    },
    /// Something worth noticing that is not a refusal.
    Note {
        /// The day.
        date: NaiveDate,
        /// The standard's code.
        code: &'a str,
        /// The standard's name.
        name: &'a Text,
        /// What happened.
        note: &'a Note,
    },
    /// The end of a step's due date (the deadline) has passed: the time for reports as
    /// of that date. Due dates after the horizon are not reported.
    DueDate {
        /// The due date.
        due: NaiveDate,
        /// The first day of the period that ends with it (the plan's date of issue,
        /// or the day after the previous due date).
        from: NaiveDate,
        /// What happened in the period.
        period: &'a Tally,
        /// True for the last due date reported.
        last: bool,
    },
}

/// A notable event on one standard.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// The office assigned a department to a standard the plan gave none.
    Assigned {
        /// The department's id in the catalog.
        department: String,
    },
    /// The office moved a standard to another department, with a reason.
    Reassigned {
        /// The new department's id in the catalog.
        department: String,
    },
    /// The leading group withdrew a standard that was never drafted.
    Withdrawn,
    /// The leading group cancelled an open revision: the version in force stays.
    RevisionCancelled,
    /// The intermediate court found a standard weak: no acceptance before a revision.
    WeakAtAcceptance,
}
