//! The types of the standard lifecycle: its stages, its actions with their payloads,
//! and the marker type tying them to the engine.

use chrono::NaiveDate;
use regula_core::{Lifecycle, State, Text};
use serde::{Deserialize, Serialize};

use crate::data::StandardData;

/// The lifecycle of one court work standard (see the crate docs for the table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StandardLifecycle;

impl Lifecycle for StandardLifecycle {
    type State = Stage;
    type Action = StandardAction;
    type Data = StandardData;
}

/// The stage a standard is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 调研论证: study practice and existing rules, argue the need.
    Research,
    /// 文本起草: write the text.
    Drafting,
    /// 征求意见: collect opinions from front-line and administrative staff.
    Consultation,
    /// 审议: deliberation by the leading group; ends approved-and-published or sent back.
    Approval,
    /// 正式发布: issued with a document number and a date.
    Published,
    /// 跟踪实施: in force; implementation is tracked and evaluated.
    FollowUp,
    /// 修订完善: a published standard is being revised.
    Revision,
    /// 定型固化: accepted by the intermediate court and finalised.
    Consolidated,
    /// 废止: repealed or abandoned.
    Withdrawn,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 9] = [
        Stage::Research,
        Stage::Drafting,
        Stage::Consultation,
        Stage::Approval,
        Stage::Published,
        Stage::FollowUp,
        Stage::Revision,
        Stage::Consolidated,
        Stage::Withdrawn,
    ];

    /// The stable machine name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Research => "research",
            Stage::Drafting => "drafting",
            Stage::Consultation => "consultation",
            Stage::Approval => "approval",
            Stage::Published => "published",
            Stage::FollowUp => "follow_up",
            Stage::Revision => "revision",
            Stage::Consolidated => "consolidated",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            Stage::Research => Text::new("调研论证", "Research"),
            Stage::Drafting => Text::new("文本起草", "Drafting"),
            Stage::Consultation => Text::new("征求意见", "Consultation"),
            Stage::Approval => Text::new("审议", "Approval"),
            Stage::Published => Text::new("正式发布", "Published"),
            Stage::FollowUp => Text::new("跟踪实施", "Follow-up"),
            Stage::Revision => Text::new("修订完善", "Revision"),
            Stage::Consolidated => Text::new("定型固化", "Consolidated"),
            Stage::Withdrawn => Text::new("废止", "Withdrawn"),
        }
    }

    /// The stage with this machine name.
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// True for consolidated and withdrawn, which nothing leaves.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Stage::Consolidated | Stage::Withdrawn)
    }

    /// True while a standard is being made or remade: research to approval, and revision.
    pub const fn is_in_progress(self) -> bool {
        matches!(
            self,
            Stage::Research | Stage::Drafting | Stage::Consultation | Stage::Approval | Stage::Revision
        )
    }
}

impl State for Stage {
    fn name(&self) -> &str {
        self.as_str()
    }
}

/// The label of a stage that may not have started: `None` is "not started" (未启动).
pub fn standing_label(stage: Option<Stage>) -> Text {
    stage.map_or(Text::new("未启动", "Not started"), Stage::label)
}

/// A draft of a standard's text, as submitted for consultation.
///
/// Principle 一 of the plan (三.基本原则): every standard has procedural requirements
/// (程序规范) and quality requirements (工作质量), and objective evaluation criteria
/// (客观精准的评价标准).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Draft {
    /// The text, or a reference to where it is kept.
    pub text: String,
    /// Procedural requirements (程序规范).
    #[serde(default)]
    pub procedural: Vec<String>,
    /// Quality requirements (工作质量).
    #[serde(default)]
    pub quality: Vec<String>,
    /// Evaluation criteria (评价标准).
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// What the standard distils or implements (三.原则三: from practice and the rules
    /// issued since 加强管理年, not a copy of statute). Required from definition
    /// version 2; absent from drafts recorded before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The drafters' statement that the text is not a copy of statutes
    /// (不能简单照抄法条). Required from definition version 2.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_a_copy_of_statute: bool,
}

/// What a draft distils or implements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// Which kind of source.
    pub kind: SourceKind,
    /// Its title or reference, e.g. 《关于规范执行案件流程管理的规定》.
    pub title: String,
}

/// The kinds of source a standard draws on (三.原则三).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A rule issued since the 加强管理年 campaign, which the standard distils.
    ManagementYearRule,
    /// Another normative document of the court or a higher court.
    NormativeDocument,
    /// A law or judicial interpretation the standard implements (cited, not copied).
    Law,
    /// The court's own practice and experience.
    Practice,
}

impl SourceKind {
    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            SourceKind::ManagementYearRule => {
                Text::new("加强管理年以来出台的制度", "a rule issued since the management year")
            }
            SourceKind::NormativeDocument => Text::new("规范性文件", "a normative document"),
            SourceKind::Law => Text::new("法律及司法解释", "a law or judicial interpretation"),
            SourceKind::Practice => Text::new("实践经验", "practice and experience"),
        }
    }
}

/// An evaluation criterion: what is measured, and the target it must reach.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Criterion {
    /// Short name, e.g. 审限内结案率.
    pub name: String,
    /// How it is measured, e.g. 结案数中审限内结案数所占比例.
    pub measure: String,
    /// The target, stated with a number, e.g. `≥ 95%`.
    pub target: String,
}

/// Where an opinion came from (五.三: front-line AND administrative staff).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpinionSource {
    /// 一线审判办案人员: front-line adjudication staff.
    Frontline,
    /// 行政综合人员: administrative staff.
    Administrative,
    /// Anyone else (other courts, the public, experts).
    Other,
}

impl OpinionSource {
    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            OpinionSource::Frontline => Text::new("一线审判办案人员", "front-line adjudication staff"),
            OpinionSource::Administrative => Text::new("行政综合人员", "administrative staff"),
            OpinionSource::Other => Text::new("其他", "others"),
        }
    }
}

/// An opinion collected during consultation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Opinion {
    /// Who gave it.
    pub author: String,
    /// Which group they belong to.
    pub source: OpinionSource,
    /// What they said.
    pub content: String,
}

/// The drafters' response to an opinion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Response {
    /// 采纳: the opinion was adopted.
    Adopted {
        /// How it was taken into the text.
        #[serde(default)]
        note: Option<String>,
    },
    /// 不予采纳: the opinion was not adopted, for a reason.
    NotAdopted {
        /// Why not.
        reason: String,
    },
}

/// The record of a leading-group meeting that deliberated a standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MeetingRecord {
    /// The meeting's date (in the court's time zone).
    pub date: NaiveDate,
    /// Members present, by id or name; at least half of the leading group.
    pub present: Vec<String>,
    /// The decision as minuted.
    pub decision: String,
}

/// An inspection (督导检查) of the work on a standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inspection {
    /// When it took place.
    pub date: NaiveDate,
    /// Who inspected.
    #[serde(default)]
    pub inspectors: Vec<String>,
    /// What was found, in a sentence.
    pub summary: String,
    /// Individual findings; a revision can cite one by number (from 1).
    #[serde(default)]
    pub findings: Vec<String>,
    /// What the inspection flags about the version in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<InspectionFlag>,
}

/// Something an inspection flags about a standard's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionFlag {
    /// The text copies statutes instead of distilling practice (三.原则三: 不能简单照抄法条).
    CopiesStatute,
}

impl InspectionFlag {
    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            InspectionFlag::CopiesStatute => Text::new("照抄法条", "copies statutes"),
        }
    }
}

/// An evaluation of a published version against its own criteria.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evaluation {
    /// When it was made.
    pub date: NaiveDate,
    /// The version evaluated: must be the version in force.
    pub version: u32,
    /// One score per criterion of that version.
    pub scores: Vec<CriterionScore>,
    /// The overall conclusion.
    pub conclusion: String,
}

/// How a standard did against one of its criteria.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CriterionScore {
    /// The criterion's number in the version's draft, from 1.
    pub criterion: u32,
    /// What was measured, e.g. `96.2%`.
    pub measured: String,
    /// Whether the target was met.
    pub met: bool,
}

/// Why a revision is opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RevisionCause {
    /// 作用发挥不够好: the standard works badly; may cite an evaluation by number.
    WeakResults {
        /// The evaluation showing it, from 1.
        #[serde(default)]
        evaluation: Option<u32>,
    },
    /// 存在空白: practice revealed something the standard does not cover.
    Gap,
    /// A finding of an inspection, cited by numbers.
    Finding {
        /// The inspection's number in the standard's log, from 1.
        inspection: u32,
        /// The finding's number in that inspection, from 1.
        finding: u32,
    },
}

impl RevisionCause {
    /// The labels of the kind of cause.
    pub const fn label(&self) -> Text {
        match self {
            RevisionCause::WeakResults { .. } => Text::new("实施效果不佳", "weak results"),
            RevisionCause::Gap => Text::new("存在空白", "a gap"),
            RevisionCause::Finding { .. } => Text::new("督导检查发现问题", "an inspection finding"),
        }
    }
}

/// The record of the intermediate court's acceptance (评估验收).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Acceptance {
    /// When it was accepted.
    pub date: NaiveDate,
    /// Who accepted, e.g. 长春林区中级法院.
    pub accepted_by: String,
    /// The conclusion as written.
    pub conclusion: String,
    /// The reference of the acceptance document, if any.
    #[serde(default)]
    pub reference: Option<String>,
}

crate::actions::declare_actions! {
    /// What an actor attempts on a standard.
    ///
    /// Serialized as `{"action": "<name>", "payload": {...}}`; the audit log stores
    /// the name and the payload separately. [`ActionKind`] is the same list without
    /// payloads.
    pub enum StandardAction;
    /// The kind of a [`StandardAction`]: which action it is, without its payload.
    /// Transition tables, rules and programs that offer actions refer to actions by
    /// this value, so a misspelt action does not compile.
    pub enum ActionKind;

    /// The office assigns the responsible department (a name, alias or unit).
    AssignDepartment = "assign_department", "指定责任部门", "Assign department" {
        /// The department as named.
        department: String,
    };
    /// The department ends research and starts writing the text.
    StartDrafting = "start_drafting", "开始起草", "Start drafting" {
        /// What research concluded.
        #[serde(default)]
        summary: Option<String>,
    };
    /// The department submits a draft and opens consultation.
    OpenConsultation = "open_consultation", "征求意见", "Open consultation" {
        /// The draft.
        draft: Draft,
    };
    /// The department records an opinion received.
    RecordOpinion = "record_opinion", "登记意见", "Record opinion" {
        /// The opinion.
        opinion: Opinion,
    };
    /// The department records its response to an opinion.
    RespondToOpinion = "respond_to_opinion", "答复意见", "Respond to opinion" {
        /// The opinion's number in the current consultation, from 1.
        opinion: u32,
        /// The response.
        response: Response,
    };
    /// The department closes consultation and submits the draft for approval.
    CloseConsultation = "close_consultation", "提交审议", "Close consultation";
    /// The leading group sends a first draft back to drafting.
    SendBack = "send_back", "退回起草", "Send back" {
        /// Why.
        reasons: Vec<String>,
    };
    /// The leading group sends a revised draft back to revision.
    SendBackRevision = "send_back_revision", "退回修订", "Send back to revision" {
        /// Why.
        reasons: Vec<String>,
    };
    /// The leading group records its approving meeting.
    Approve = "approve", "审议通过", "Approve" {
        /// The meeting.
        meeting: MeetingRecord,
    };
    /// The office publishes the approved draft as a new version.
    Publish = "publish", "正式发布", "Publish" {
        /// The document number, e.g. 红林法〔2023〕12号.
        document_number: String,
        /// The date of publication.
        date: NaiveDate,
    };
    /// The standard enters follow-up.
    BeginFollowUp = "begin_follow_up", "跟踪实施", "Begin follow-up";
    /// The department reports on implementation.
    ReportImplementation = "report_implementation", "报告实施情况", "Report implementation" {
        /// The period covered, e.g. 2023年上半年.
        period: String,
        /// What happened.
        summary: String,
    };
    /// The office records an inspection.
    RecordInspection = "record_inspection", "督导检查", "Record inspection" {
        /// The inspection.
        inspection: Inspection,
    };
    /// The office or the intermediate court records an evaluation.
    RecordEvaluation = "record_evaluation", "评估", "Record evaluation" {
        /// The evaluation.
        evaluation: Evaluation,
    };
    /// A revision of the standard in force is opened.
    OpenRevision = "open_revision", "启动修订", "Open revision" {
        /// Why.
        cause: RevisionCause,
        /// What is to be revised.
        summary: String,
    };
    /// The leading group abandons a revision; the version in force stays.
    CancelRevision = "cancel_revision", "终止修订", "Cancel revision" {
        /// Why.
        reason: String,
    };
    /// The office moves the standard to another department, for a reason (from
    /// definition version 2; assignment only fills a gap the plan left).
    ReassignDepartment = "reassign_department", "变更责任部门", "Reassign department" {
        /// The new department as named.
        department: String,
        /// Why.
        reason: String,
    };
    /// The intermediate court accepts the standard.
    Accept = "accept", "验收固化", "Accept" {
        /// The acceptance record.
        acceptance: Acceptance,
    };
    /// The leading group withdraws the standard.
    Withdraw = "withdraw", "废止", "Withdraw" {
        /// Why.
        reason: String,
    };
}

impl StandardAction {
    /// The labels of the action named `name`.
    pub fn label_of(name: &str) -> Option<Text> {
        ActionKind::from_name(name).map(ActionKind::label)
    }
}

/// A role of the lifecycle: who may fire a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 责任部门: researches, drafts, runs consultation, reports on implementation.
    Department,
    /// 综合办公室: coordinates, publishes with a document number, inspects.
    Office,
    /// 领导小组: approves, sends back, withdraws.
    LeadingGroup,
    /// 中级法院: evaluates and accepts.
    IntermediateCourt,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Department,
        Role::Office,
        Role::LeadingGroup,
        Role::IntermediateCourt,
    ];

    /// The stable machine name, as audit records store it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Department => "department",
            Role::Office => "office",
            Role::LeadingGroup => "leading_group",
            Role::IntermediateCourt => "intermediate_court",
        }
    }

    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            Role::Department => Text::new("责任部门", "Responsible department"),
            Role::Office => Text::new("综合办公室", "General Office"),
            Role::LeadingGroup => Text::new("领导小组", "Leading group"),
            Role::IntermediateCourt => Text::new("中级法院", "Intermediate court"),
        }
    }

    /// The role with this machine name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles' machine names as strings, for programs that pass a role by name.
pub mod roles {
    use super::Role;
    use regula_core::Text;

    /// 责任部门 ([`Role::Department`]).
    pub const DEPARTMENT: &str = Role::Department.as_str();
    /// 综合办公室 ([`Role::Office`]).
    pub const OFFICE: &str = Role::Office.as_str();
    /// 领导小组 ([`Role::LeadingGroup`]).
    pub const LEADING_GROUP: &str = Role::LeadingGroup.as_str();
    /// 中级法院 ([`Role::IntermediateCourt`]).
    pub const INTERMEDIATE_COURT: &str = Role::IntermediateCourt.as_str();

    /// Every role with its labels.
    pub const ALL: [(&str, Text); 4] = [
        (DEPARTMENT, Role::Department.label()),
        (OFFICE, Role::Office.label()),
        (LEADING_GROUP, Role::LeadingGroup.label()),
        (INTERMEDIATE_COURT, Role::IntermediateCourt.label()),
    ];

    /// The labels of a role.
    pub fn label(role: &str) -> Option<Text> {
        Role::from_name(role).map(Role::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regula_core::Action;

    #[test]
    fn actions_round_trip_through_name_and_payload() {
        let a = StandardAction::RespondToOpinion {
            opinion: 2,
            response: Response::NotAdopted {
                reason: "与上位法冲突".into(),
            },
        };
        let payload = a.payload().unwrap();
        assert_eq!(payload["response"]["decision"], "not_adopted");
        assert_eq!(StandardAction::from_parts(a.name(), &payload).unwrap(), a);
        let c = StandardAction::CloseConsultation;
        assert!(c.payload().unwrap().is_null());
        assert_eq!(
            StandardAction::from_parts("close_consultation", &serde_json::Value::Null).unwrap(),
            c
        );
        for kind in ActionKind::ALL {
            assert!(!kind.label().is_incomplete(), "{kind}");
            assert_eq!(ActionKind::from_name(kind.name()), Some(*kind));
        }
    }

    #[test]
    fn stages_have_names_and_labels() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert!(!s.label().is_incomplete());
        }
        assert_eq!(standing_label(None).en, "Not started");
    }
}
