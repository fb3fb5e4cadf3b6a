//! What a standard carries besides its stage: its drafts, consultations, approvals,
//! versions, revisions, inspections, evaluations, acceptance and stage history.
//!
//! Only the definition's effect changes this data, from accepted actions; every record
//! keeps who made it, when, and the sequence number of the audit record that made it.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::{Name, Text};
use serde::{Deserialize, Serialize};

use crate::catalog::Entry;
use crate::department::DepartmentRef;
use crate::lifecycle::{
    Acceptance, Draft, Evaluation, Inspection, MeetingRecord, Opinion, Response, RevisionCause, Stage,
};

/// Who made a record, when, and in which audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stamp {
    /// The actor's id.
    pub by: Name,
    /// The record's time.
    pub at: DateTime<Utc>,
    /// The audit record's sequence number.
    pub seq: u64,
}

/// A draft as submitted, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DraftRecord {
    /// The draft's number.
    pub number: u32,
    /// The revision it belongs to, if any.
    #[serde(default)]
    pub revision: Option<u32>,
    /// The draft.
    pub draft: Draft,
    /// Who submitted it.
    pub stamp: Stamp,
}

/// An opinion with its response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OpinionRecord {
    /// Its number in the consultation, from 1.
    pub number: u32,
    /// The opinion.
    pub opinion: Opinion,
    /// Who recorded it.
    pub stamp: Stamp,
    /// The response, once given.
    #[serde(default)]
    pub response: Option<Response>,
    /// Who responded.
    #[serde(default)]
    pub responded: Option<Stamp>,
}

/// One round of consultation on one draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Consultation {
    /// The draft consulted on.
    pub draft: u32,
    /// When it opened.
    pub opened: Stamp,
    /// When it closed, if it did (a send-back leaves it unclosed).
    #[serde(default)]
    pub closed: Option<Stamp>,
    /// The opinions collected.
    #[serde(default)]
    pub opinions: Vec<OpinionRecord>,
}

/// An approving decision of the leading group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalRecord {
    /// The draft approved.
    pub draft: u32,
    /// The meeting.
    pub meeting: MeetingRecord,
    /// Who recorded it.
    pub stamp: Stamp,
}

/// A draft sent back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SendBackRecord {
    /// The stage it was sent back from.
    pub from: Stage,
    /// The draft sent back.
    #[serde(default)]
    pub draft: Option<u32>,
    /// Why.
    pub reasons: Vec<String>,
    /// Who sent it back.
    pub stamp: Stamp,
}

/// A published version of the standard's text, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Version {
    /// The version's number.
    pub number: u32,
    /// The document number it was issued under.
    pub document_number: String,
    /// The date of publication.
    pub published_on: NaiveDate,
    /// The draft published.
    pub draft: u32,
    /// The date of the approving meeting.
    pub approved_on: NaiveDate,
    /// The revision that produced it (none for version 1).
    #[serde(default)]
    pub revision: Option<u32>,
    /// Who published it.
    pub stamp: Stamp,
}

/// How a revision ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RevisionEnd {
    /// A new version was published.
    Published {
        /// The new version.
        version: u32,
    },
    /// The leading group cancelled it.
    Cancelled {
        /// Why.
        reason: String,
    },
    /// The standard was withdrawn during the revision.
    Withdrawn,
}

/// A revision of a published standard, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Revision {
    /// The revision's number.
    pub number: u32,
    /// The version in force when it opened.
    pub of_version: u32,
    /// Why it was opened.
    pub cause: RevisionCause,
    /// What is to be revised.
    pub summary: String,
    /// Who opened it.
    pub opened: Stamp,
    /// How it ended, once it has.
    #[serde(default)]
    pub end: Option<RevisionEnd>,
}

/// An implementation report of the department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReportRecord {
    /// The period covered.
    pub period: String,
    /// What happened.
    pub summary: String,
    /// The version in force.
    pub version: Option<u32>,
    /// Who reported.
    pub stamp: Stamp,
}

/// An inspection, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InspectionRecord {
    /// The inspection's number.
    pub number: u32,
    /// The stage the standard was in.
    pub stage: Stage,
    /// The inspection.
    pub inspection: Inspection,
    /// Who recorded it.
    pub stamp: Stamp,
}

/// An evaluation, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvaluationRecord {
    /// The evaluation's number.
    pub number: u32,
    /// The evaluation.
    pub evaluation: Evaluation,
    /// Who recorded it.
    pub stamp: Stamp,
}

/// The acceptance by the intermediate court.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AcceptanceRecord {
    /// The acceptance.
    pub acceptance: Acceptance,
    /// The evaluation it rests on.
    pub evaluation: u32,
    /// Who recorded it.
    pub stamp: Stamp,
}

/// The withdrawal of a standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WithdrawalRecord {
    /// The stage it was withdrawn from.
    pub from: Stage,
    /// Why.
    pub reason: String,
    /// Who withdrew it.
    pub stamp: Stamp,
}

/// A move of a standard to another department (definition version 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reassignment {
    /// The department before.
    pub from: Option<DepartmentRef>,
    /// The department after.
    pub to: Option<DepartmentRef>,
    /// Why.
    pub reason: String,
    /// Who moved it, and when.
    pub stamp: Stamp,
}

/// A change of stage, as the standard's history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageChange {
    /// The stage left.
    pub from: Stage,
    /// The stage entered.
    pub to: Stage,
    /// The action that moved it.
    pub action: Name,
    /// Who, when, which record.
    pub stamp: Stamp,
}

// Kept small because a plan report may hold a million at once: the code is a short
// `Name` (no heap), the name is shared with the catalog's entry, and the records most
// standards never get (acceptance, withdrawal) are boxed. The JSON form and schema are
// those of the plain types (`Arc` and `Box` serialize as what they hold). Plain
// comments here: doc comments become the JSON schemas' descriptions.
/// Everything a standard carries; the `Data` of [`StandardLifecycle`](crate::StandardLifecycle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StandardData {
    /// The catalog code.
    pub code: Name,
    /// The standard's name.
    pub name: Arc<Text>,
    /// The responsible department, if assigned.
    #[serde(default)]
    pub department: Option<DepartmentRef>,
    /// The current stage (kept equal to the instance's state by the effect).
    pub stage: Stage,
    /// When work on the standard was opened (the instance's creation), if known.
    #[serde(default)]
    pub opened_at: Option<DateTime<Utc>>,
    /// What research concluded.
    #[serde(default)]
    pub research: Option<String>,
    /// Every draft submitted.
    #[serde(default)]
    pub drafts: Vec<DraftRecord>,
    /// Every consultation round.
    #[serde(default)]
    pub consultations: Vec<Consultation>,
    /// Every approving meeting.
    #[serde(default)]
    pub approvals: Vec<ApprovalRecord>,
    /// Every send-back.
    #[serde(default)]
    pub send_backs: Vec<SendBackRecord>,
    /// Every published version, oldest first.
    #[serde(default)]
    pub versions: Vec<Version>,
    /// Every revision.
    #[serde(default)]
    pub revisions: Vec<Revision>,
    /// Implementation reports.
    #[serde(default)]
    pub reports: Vec<ReportRecord>,
    /// Inspections.
    #[serde(default)]
    pub inspections: Vec<InspectionRecord>,
    /// Evaluations.
    #[serde(default)]
    pub evaluations: Vec<EvaluationRecord>,
    /// The acceptance, once given.
    #[serde(default)]
    pub acceptance: Option<Box<AcceptanceRecord>>,
    /// The withdrawal, if withdrawn.
    #[serde(default)]
    pub withdrawal: Option<Box<WithdrawalRecord>>,
    /// Every change of stage, oldest first.
    #[serde(default)]
    pub history: Vec<StageChange>,
    /// Every move to another department, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reassignments: Vec<Reassignment>,
}

impl StandardData {
    /// The data a new standard starts with: in research, nothing recorded yet.
    pub fn new(code: impl Into<Name>, name: impl Into<Arc<Text>>, department: Option<DepartmentRef>) -> Self {
        StandardData {
            code: code.into(),
            name: name.into(),
            department,
            stage: Stage::Research,
            opened_at: None,
            research: None,
            drafts: Vec::new(),
            consultations: Vec::new(),
            approvals: Vec::new(),
            send_backs: Vec::new(),
            versions: Vec::new(),
            revisions: Vec::new(),
            reports: Vec::new(),
            inspections: Vec::new(),
            evaluations: Vec::new(),
            acceptance: None,
            withdrawal: None,
            history: Vec::new(),
            reassignments: Vec::new(),
        }
    }

    /// The data for a catalog entry (sharing its name).
    pub fn from_entry(entry: &Entry) -> Self {
        StandardData::new(entry.code.as_str(), Arc::clone(&entry.name), entry.department.clone())
    }

    /// Drops the spare capacity of every list, for data kept long (a [`Ledger`]'s):
    /// lists grown by pushing keep up to half their room unused, which a million
    /// standards held at once would pay for.
    ///
    /// [`Ledger`]: crate::plan::Ledger
    pub fn shrink_to_fit(&mut self) {
        self.drafts.shrink_to_fit();
        self.consultations.shrink_to_fit();
        self.approvals.shrink_to_fit();
        self.send_backs.shrink_to_fit();
        self.versions.shrink_to_fit();
        self.revisions.shrink_to_fit();
        self.reports.shrink_to_fit();
        self.inspections.shrink_to_fit();
        self.evaluations.shrink_to_fit();
        self.history.shrink_to_fit();
        self.reassignments.shrink_to_fit();
    }

    /// The version in force: the latest published version, unless the standard was
    /// withdrawn. A revision in progress does not change it.
    pub fn in_force(&self) -> Option<&Version> {
        if self.withdrawal.is_some() {
            None
        } else {
            self.versions.last()
        }
    }

    /// The version with this number.
    pub fn version(&self, number: u32) -> Option<&Version> {
        self.versions.iter().find(|v| v.number == number)
    }

    /// The latest draft.
    pub fn current_draft(&self) -> Option<&DraftRecord> {
        self.drafts.last()
    }

    /// The draft with this number.
    pub fn draft(&self, number: u32) -> Option<&DraftRecord> {
        self.drafts.iter().find(|d| d.number == number)
    }

    /// The latest consultation round.
    pub fn current_consultation(&self) -> Option<&Consultation> {
        self.consultations.last()
    }

    /// The revision in progress, if one is open.
    pub fn open_revision(&self) -> Option<&Revision> {
        self.revisions.last().filter(|r| r.end.is_none())
    }

    /// The approval of the latest draft, if the leading group approved it.
    pub fn approval_of_current_draft(&self) -> Option<&ApprovalRecord> {
        let draft = self.current_draft()?.number;
        self.approvals.iter().rev().find(|a| a.draft == draft)
    }

    /// The latest evaluation of the version in force.
    pub fn evaluation_of_version_in_force(&self) -> Option<&EvaluationRecord> {
        let v = self.in_force()?.number;
        self.evaluations.iter().rev().find(|e| e.evaluation.version == v)
    }

    /// The stage the standard was in at `at`, from its history: `None` before work on
    /// it was opened.
    pub fn stage_at(&self, at: DateTime<Utc>) -> Option<Stage> {
        if self.opened_at.is_some_and(|o| at < o) {
            return None;
        }
        let mut stage = self.history.first().map_or(self.stage, |c| c.from);
        for c in &self.history {
            if c.stamp.at <= at {
                stage = c.to;
            } else {
                break;
            }
        }
        Some(stage)
    }

    /// When the standard first entered `stage`, if it ever did.
    pub fn first_entered(&self, stage: Stage) -> Option<DateTime<Utc>> {
        self.history.iter().find(|c| c.to == stage).map(|c| c.stamp.at)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::Catalog;

    // The plan report holds a million of these at once (issue 17: under 1 GiB); the
    // inline size is what every standard pays, filled or not.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn the_data_stays_small_inline() {
        assert!(
            std::mem::size_of::<StandardData>() <= 400,
            "StandardData grew to {} bytes",
            std::mem::size_of::<StandardData>()
        );
    }

    #[test]
    fn data_from_an_entry_shares_its_name_and_serializes_it_plainly() {
        let catalog = Catalog::builtin().unwrap();
        let entry = &catalog.standards()[0];
        let a = StandardData::from_entry(entry);
        let b = StandardData::from_entry(entry);
        assert!(Arc::ptr_eq(&a.name, &entry.name) && Arc::ptr_eq(&b.name, &entry.name));
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["code"], entry.code.as_str());
        assert_eq!(json["name"]["zh"], &*entry.name.zh);
        assert_eq!(json["name"]["en"], &*entry.name.en);
        assert!(json["acceptance"].is_null() && json["withdrawal"].is_null());
        let back: StandardData = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn boxed_records_serialize_as_the_records() {
        let stamp = Stamp {
            by: "zhang.min".into(),
            at: Utc.with_ymd_and_hms(2024, 3, 1, 8, 0, 0).unwrap(),
            seq: 9,
        };
        let record = WithdrawalRecord {
            from: Stage::Published,
            reason: "superseded".into(),
            stamp,
        };
        let mut data = StandardData::new("ADJ-01-01", Text::new("名称", "Name"), None);
        data.withdrawal = Some(Box::new(record.clone()));
        let json = serde_json::to_value(&data).unwrap();
        assert_eq!(json["withdrawal"], serde_json::to_value(&record).unwrap());
        let back: StandardData = serde_json::from_value(json).unwrap();
        assert_eq!(back.withdrawal.as_deref(), Some(&record));
    }

    #[test]
    fn shrinking_keeps_the_lists_and_drops_their_spare_room() {
        let mut data = StandardData::new("ADJ-01-01", Text::new("名称", "Name"), None);
        for seq in 0..3 {
            data.history.push(StageChange {
                from: Stage::Research,
                to: Stage::Drafting,
                action: "submit_draft".into(),
                stamp: Stamp {
                    by: "zhang.min".into(),
                    at: Utc.with_ymd_and_hms(2024, 3, 1, 8, 0, 0).unwrap(),
                    seq,
                },
            });
        }
        assert!(data.history.capacity() > 3, "pushing leaves spare room");
        let mut ledger = crate::plan::Ledger::new();
        ledger.insert(data.clone());
        let held = ledger.get("ADJ-01-01").unwrap();
        assert_eq!(held, &data);
        assert_eq!(held.history.capacity(), 3, "a ledger keeps no spare room");
        let before = data.clone();
        data.shrink_to_fit();
        assert_eq!(data, before);
        assert_eq!(data.history.capacity(), 3);
    }
}
