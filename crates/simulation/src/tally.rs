//! Counting what happened: per period, per run, and the run's summary.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use regula_core::{AuditRecord, Outcome};

/// Counts of records and of notable accepted actions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tally {
    /// Records written.
    pub records: u64,
    /// Of which created (work opened on a standard).
    pub created: u64,
    /// Of which accepted.
    pub accepted: u64,
    /// Of which refused.
    pub refused: u64,
    /// Standards published for the first time.
    pub first_published: u64,
    /// New versions published (after a revision).
    pub new_versions: u64,
    /// Drafts and revisions sent back by the leading group.
    pub send_backs: u64,
    /// Revisions opened.
    pub revisions: u64,
    /// Revisions cancelled.
    pub cancelled: u64,
    /// Standards accepted by the intermediate court and consolidated.
    pub consolidated: u64,
    /// Standards withdrawn.
    pub withdrawn: u64,
    /// Departments assigned by the office.
    pub assigned: u64,
    /// Inspections recorded.
    pub inspections: u64,
    /// Evaluations recorded.
    pub evaluations: u64,
    /// Of which weak (a criterion missed).
    pub weak: u64,
    /// Implementation reports.
    pub reports: u64,
    /// Opinions recorded in consultations.
    pub opinions: u64,
}

impl Tally {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.created += other.created;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.first_published += other.first_published;
        self.new_versions += other.new_versions;
        self.send_backs += other.send_backs;
        self.revisions += other.revisions;
        self.cancelled += other.cancelled;
        self.consolidated += other.consolidated;
        self.withdrawn += other.withdrawn;
        self.assigned += other.assigned;
        self.inspections += other.inspections;
        self.evaluations += other.evaluations;
        self.weak += other.weak;
        self.reports += other.reports;
        self.opinions += other.opinions;
    }

    /// Counts `record`; `versions` is the number of versions its standard has after
    /// it (which tells a first publication from a new version).
    pub(crate) fn count(&mut self, record: &AuditRecord, versions: usize) {
        self.records += 1;
        match &record.outcome {
            Outcome::Created => self.created += 1,
            Outcome::Refused { .. } => self.refused += 1,
            Outcome::Accepted { .. } => {
                self.accepted += 1;
                match record.action.as_str() {
                    "publish" if versions > 1 => self.new_versions += 1,
                    "publish" => self.first_published += 1,
                    "send_back" | "send_back_revision" => self.send_backs += 1,
                    "open_revision" => self.revisions += 1,
                    "cancel_revision" => self.cancelled += 1,
                    "accept" => self.consolidated += 1,
                    "withdraw" => self.withdrawn += 1,
                    "assign_department" => self.assigned += 1,
                    "record_inspection" => self.inspections += 1,
                    "record_evaluation" => self.evaluations += 1,
                    "report_implementation" => self.reports += 1,
                    "record_opinion" => self.opinions += 1,
                    _ => {}
                }
            }
        }
    }
}

/// The standing of the plan at the end of one step's due date.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DueDateSummary {
    /// The due date.
    pub due: NaiveDate,
    /// What happened since the previous due date (or the plan's issue).
    pub period: Tally,
    /// Standards overdue against at least one step, as of the end of the day.
    pub overdue: usize,
    /// Standards still without a department (withdrawn ones not counted).
    pub unassigned: usize,
}

/// What a whole run did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// The seed.
    pub seed: u64,
    /// The last day played.
    pub horizon: NaiveDate,
    /// Planned events played.
    pub events: u64,
    /// Every record written, counted.
    pub tally: Tally,
    /// Refusals by check (guard or external check name, or the reason code when no
    /// guard is named); a record refused by two checks counts under both.
    pub refusals: BTreeMap<String, u64>,
    /// Planned events dropped because their standard had moved on (a report on a
    /// standard under revision, an evaluation of a version no longer in force, …).
    pub skipped: u64,
    /// Planned events after the horizon, not played.
    pub beyond_horizon: u64,
    /// The plan's standing at each step's due date up to the horizon, in order.
    pub due_dates: Vec<DueDateSummary>,
}
