//! The court lifecycle as one typed table: its rules, each one value with its name,
//! labels and check, and its rows, each referring to stages, actions, roles and rules
//! by value. The definition ([`standard_definition`](crate::standard_definition)), what
//! blocks the next step ([`Court::blockers`](crate::service::Court::blockers)), the
//! simulation's legal moves and the diagrams are all derived from it.
//!
//! Changing a rule is one function in [`rules`] and one cell here: the
//! rule's entry in [`Rule`] (name, labels, and the actions whose payload it examines)
//! and its place in a row. A rule that examines an action's payload may sit only on
//! rows of that action; that is checked when this crate compiles (a misplaced rule is
//! a compile error), and the check itself refuses, never passes,
//! an action it does not examine.

use chrono::{DateTime, Utc};
use regula_core::{GuardInput, Text};

use crate::court::CourtConfig;
use crate::data::StandardData;
use crate::lifecycle::{ActionKind, Role, Stage, StandardAction, StandardLifecycle};
use crate::rules;

/// Declares the rules once: machine name (as refusal records store it), labels, and
/// the actions whose payload each examines (none: it looks only at the standard, the
/// actor or the time).
macro_rules! court_rules {
    ($(
        $(#[$meta:meta])*
        $variant:ident = $name:literal, $zh:literal, $en:literal, examines [$($kind:ident),*];
    )*) => {
        /// A rule of the court lifecycle (a named guard of the definition).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($(#[$meta])* $variant,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The machine name, as the definition registers it and refusals record it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)*
                }
            }

            /// What the rule requires, in both languages.
            pub const fn label(self) -> Text {
                match self {
                    $(Rule::$variant => Text::new($zh, $en),)*
                }
            }

            /// The actions whose payload the rule examines; empty for a rule that looks
            /// only at the standard, the actor or the time, which may sit on any row.
            pub const fn examines(self) -> &'static [ActionKind] {
                match self {
                    $(Rule::$variant => &[$(ActionKind::$kind),*],)*
                }
            }
        }
    };
}

court_rules! {
    /// The actor belongs to the role claimed (on every row).
    ActorFitsRole = "actor_fits_role", "操作人须属于所声明的角色", "the actor belongs to the role claimed",
        examines [];
    /// The department named is a known one.
    DepartmentKnown = "department_known", "部门须为已登记的部门", "the department is a known one",
        examines [AssignDepartment, ReassignDepartment];
    /// The plan left the standard without a department (version 2: assignment fills
    /// a gap; moving a standard is a reassignment).
    DepartmentUnassigned = "department_unassigned",
        "仅可为尚无责任部门的标准指定部门",
        "only a standard without a department is assigned one",
        examines [];
    /// A reassignment names another department than the standard's own.
    DepartmentChanges = "department_changes",
        "变更后的部门须不同于原责任部门",
        "the new department differs from the current one",
        examines [ReassignDepartment];
    /// A responsible department is assigned.
    DepartmentAssigned = "department_assigned", "须已指定责任部门", "a responsible department is assigned",
        examines [];
    /// The draft has procedural and quality requirements and a measurable criterion.
    DraftComplete = "draft_complete",
        "草案须有程序规范、工作质量要求和客观可衡量的评价标准",
        "the draft has procedural and quality requirements and a measurable criterion",
        examines [OpenConsultation];
    /// The draft states its sources and that it is not a copy of statutes (version 2).
    DraftSources = "draft_sources",
        "草案须写明来源并声明不是照抄法条",
        "the draft states its sources and that it is not a copy of statutes",
        examines [OpenConsultation];
    /// The opinion has an author and content.
    OpinionValid = "opinion_valid", "意见须有提出人和内容", "the opinion has an author and content",
        examines [RecordOpinion];
    /// The response answers an open opinion, with a reason if not adopted.
    ResponseValid = "response_valid",
        "答复须针对未答复的意见，不采纳须说明理由",
        "the response answers an open opinion, with a reason if not adopted",
        examines [RespondToOpinion];
    /// Opinions from front-line and administrative staff.
    OpinionsFromBothGroups = "opinions_from_both_groups",
        "须有一线审判办案人员和行政综合人员的意见",
        "opinions from front-line and administrative staff",
        examines [];
    /// Every opinion has a response.
    OpinionsAnswered = "opinions_answered", "每条意见均须答复", "every opinion has a response",
        examines [];
    /// Consultation lasted the minimum period.
    ConsultationPeriod = "consultation_period", "征求意见期不少于规定天数", "consultation lasted the minimum period",
        examines [];
    /// A reason is given.
    ReasonsGiven = "reasons_given", "须说明理由", "a reason is given",
        examines [SendBack, SendBackRevision, CancelRevision, Withdraw, ReassignDepartment];
    /// A revision is open.
    RevisionOpen = "revision_open", "须有进行中的修订", "a revision is open",
        examines [];
    /// No revision is open.
    NoOpenRevision = "no_open_revision", "不得有进行中的修订", "no revision is open",
        examines [];
    /// A leading-group meeting record: its label names the court's quorum
    /// ([`Rule::describe`]).
    MeetingRecord = "meeting_record",
        "须有领导小组审议会议记录（日期、达到法定人数的出席成员、决定）",
        "a leading-group meeting record (date, members present making the quorum, decision)",
        examines [Approve];
    /// The current draft is approved.
    Approved = "approved", "当前草案须已审议通过", "the current draft is approved",
        examines [];
    /// The document number has the court's form and year.
    DocumentNumber = "document_number",
        "文号须符合本院格式且年份与发布日期一致",
        "the document number has the court's form and year",
        examines [Publish];
    /// The publication date is not before the approval.
    PublicationDate = "publication_date",
        "发布日期不得早于审议通过日期",
        "the publication date is not before the approval",
        examines [Publish];
    /// The report has a period and content.
    ReportValid = "report_valid", "报告须有期间和内容", "the report has a period and content",
        examines [ReportImplementation];
    /// The inspection record is complete.
    InspectionValid = "inspection_valid", "检查记录须完整", "the inspection record is complete",
        examines [RecordInspection];
    /// The evaluation scores every criterion of the version in force.
    EvaluationComplete = "evaluation_complete",
        "评估须对照现行版本的每项评价标准",
        "the evaluation scores every criterion of the version in force",
        examines [RecordEvaluation];
    /// The revision states its cause and content.
    RevisionCause = "revision_cause", "修订须说明原因和内容", "the revision states its cause and content",
        examines [OpenRevision];
    /// The version in force has an evaluation against its own criteria.
    Evaluated = "evaluated",
        "现行版本须有对照其评价标准的评估",
        "the version in force has an evaluation against its criteria",
        examines [];
    /// The acceptance record is complete and dated after the evaluation.
    AcceptanceRecord = "acceptance_record",
        "验收记录须写明验收单位和结论，日期不早于评估",
        "the acceptance record names who accepted and the conclusion, dated after the evaluation",
        examines [Accept];
    /// The latest evaluation of the version in force passes (version 2); its label
    /// names the court's pass mark ([`Rule::describe`]).
    PassingEvaluation = "passing_evaluation",
        "现行版本最近一次评估须通过",
        "the latest evaluation of the version in force passes",
        examines [];
    /// No inspection flagged the version in force as copying statutes (version 2).
    NotFlaggedAsCopy = "not_flagged_as_copy",
        "现行版本未被督导检查认定照抄法条",
        "no inspection found the version in force copying statutes",
        examines [];
}

impl Rule {
    /// The rule named `name`.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// What the rule requires under `config`: its [`label`](Rule::label), except where
    /// the configuration decides what is checked (the approval quorum).
    pub fn describe(self, config: &CourtConfig) -> Text {
        match self {
            Rule::MeetingRecord => {
                let quorum = config.approval_quorum.label();
                Text::owned(
                    format!("须有领导小组审议会议记录（日期、{}、决定）", quorum.zh),
                    format!("a leading-group meeting record (date, {}, decision)", quorum.en),
                )
            }
            Rule::PassingEvaluation => {
                let mark = config.passing_evaluation.label();
                Text::owned(
                    format!("现行版本最近一次评估须通过（{}）", mark.zh),
                    format!("the latest evaluation of the version in force passes ({})", mark.en),
                )
            }
            _ => self.label(),
        }
    }

    /// The check of a rule that looks only at the standard and the time, without an
    /// action's payload or the actor: `None` for the others. This is what
    /// [`Court::blockers`](crate::service::Court::blockers) can say before anyone
    /// attempts anything.
    pub fn check_standing(
        self,
        config: &CourtConfig,
        data: &StandardData,
        now: DateTime<Utc>,
    ) -> Option<Result<(), Text>> {
        Some(match self {
            Rule::DepartmentAssigned => rules::department_assigned(data),
            Rule::OpinionsFromBothGroups => rules::opinions_from_both_groups(data),
            Rule::OpinionsAnswered => rules::opinions_answered(data),
            Rule::ConsultationPeriod => {
                rules::consultation_period(data, now, config.timezone, config.min_consultation_days)
            }
            Rule::RevisionOpen => rules::revision_open(data),
            Rule::NoOpenRevision => rules::no_open_revision(data),
            Rule::Approved => rules::approved(data),
            Rule::Evaluated => rules::evaluated(data),
            Rule::DepartmentUnassigned => rules::department_unassigned(data, &config.departments),
            Rule::PassingEvaluation => rules::passing_evaluation(data, config.passing_evaluation),
            Rule::NotFlaggedAsCopy => rules::not_flagged_as_copy(data),
            Rule::ActorFitsRole
            | Rule::DepartmentKnown
            | Rule::DepartmentChanges
            | Rule::DraftSources
            | Rule::DraftComplete
            | Rule::OpinionValid
            | Rule::ResponseValid
            | Rule::ReasonsGiven
            | Rule::MeetingRecord
            | Rule::DocumentNumber
            | Rule::PublicationDate
            | Rule::ReportValid
            | Rule::InspectionValid
            | Rule::EvaluationComplete
            | Rule::RevisionCause
            | Rule::AcceptanceRecord => return None,
        })
    }

    /// Checks an attempt. Pure: it reads only the attempt and `config`.
    pub fn check(self, config: &CourtConfig, input: &GuardInput<'_, StandardLifecycle>) -> Result<(), Text> {
        let data = input.instance.data();
        if let Some(result) = self.check_standing(config, data, input.now) {
            return result;
        }
        let today = config.local_date(input.now);
        use StandardAction as A;
        match (self, input.action) {
            (Rule::ActorFitsRole, _) => config.actor_fits_role(input.actor, input.role, data),
            (Rule::DepartmentKnown, A::AssignDepartment { department } | A::ReassignDepartment { department, .. }) => {
                rules::department_known(department, &config.departments)
            }
            (Rule::DepartmentChanges, A::ReassignDepartment { department, .. }) => {
                rules::department_changes(department, &config.departments, data)
            }
            (Rule::DraftSources, A::OpenConsultation { draft }) => rules::draft_sources(draft),
            (Rule::DraftComplete, A::OpenConsultation { draft }) => rules::draft_complete(draft),
            (Rule::OpinionValid, A::RecordOpinion { opinion }) => rules::opinion_valid(opinion),
            (Rule::ResponseValid, A::RespondToOpinion { opinion, response }) => {
                rules::response_valid(data, *opinion, response)
            }
            (Rule::ReasonsGiven, A::SendBack { reasons } | A::SendBackRevision { reasons }) => {
                rules::reasons_given(reasons)
            }
            (
                Rule::ReasonsGiven,
                A::CancelRevision { reason } | A::Withdraw { reason } | A::ReassignDepartment { reason, .. },
            ) => rules::reasons_given(std::slice::from_ref(reason)),
            (Rule::MeetingRecord, A::Approve { meeting }) => rules::meeting_record(
                meeting,
                &config.leading_group,
                config.approval_quorum,
                data,
                today,
                config.timezone,
            ),
            (Rule::DocumentNumber, A::Publish { document_number, date }) => {
                rules::document_number(document_number, *date, &config.document_prefix, data)
            }
            (Rule::PublicationDate, A::Publish { date, .. }) => rules::publication_date(*date, data, today),
            (Rule::ReportValid, A::ReportImplementation { period, summary }) => rules::report_valid(period, summary),
            (Rule::InspectionValid, A::RecordInspection { inspection }) => rules::inspection_valid(inspection, today),
            (Rule::EvaluationComplete, A::RecordEvaluation { evaluation }) => {
                rules::evaluation_complete(evaluation, data, today)
            }
            (Rule::RevisionCause, A::OpenRevision { cause, summary }) => rules::revision_cause(cause, summary, data),
            (Rule::AcceptanceRecord, A::Accept { acceptance }) => rules::acceptance_record(acceptance, data, today),
            // A rule met with an action whose payload it does not examine. The table is
            // checked at compile time so that no row pairs them; should a hand-built
            // definition do it anyway, the rule refuses rather than pass unexamined.
            (rule, action) => Err(Text::owned(
                format!("规则 {} 不适用于操作 {}", rule.name(), action.kind().name()),
                format!(
                    "rule {} does not examine action {}'s payload",
                    rule.name(),
                    action.kind().name()
                ),
            )),
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a row leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    /// To this stage.
    Stage(Stage),
    /// Back to the stage it left: the row only records something.
    Same,
}

/// One row of the table: from any of `from`, `action` by one of `roles`, when every
/// rule of `rules` passes (and [`Rule::ActorFitsRole`], which every row requires),
/// leads to `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The stages the row leaves.
    pub from: &'static [Stage],
    /// The action that fires it.
    pub action: ActionKind,
    /// Where it leads.
    pub to: To,
    /// The roles allowed to fire it.
    pub roles: &'static [Role],
    /// The rules that must pass, besides [`Rule::ActorFitsRole`].
    pub rules: &'static [Rule],
    /// True for the way forward through the plan's steps (what
    /// [`Court::blockers`](crate::service::Court::blockers) reports on); false for
    /// rows that record something, send back, revise or withdraw.
    pub forward: bool,
}

impl Row {
    /// The stage the row leads to from `from`.
    pub const fn target(&self, from: Stage) -> Stage {
        match self.to {
            To::Stage(s) => s,
            To::Same => from,
        }
    }

    /// True when the row leaves `stage`.
    pub fn leaves(&self, stage: Stage) -> bool {
        self.from.contains(&stage)
    }
}

const fn step(
    from: &'static [Stage],
    action: ActionKind,
    to: Stage,
    roles: &'static [Role],
    rules: &'static [Rule],
) -> Row {
    Row {
        from,
        action,
        to: To::Stage(to),
        roles,
        rules,
        forward: true,
    }
}

const fn side(
    from: &'static [Stage],
    action: ActionKind,
    to: Stage,
    roles: &'static [Role],
    rules: &'static [Rule],
) -> Row {
    Row {
        from,
        action,
        to: To::Stage(to),
        roles,
        rules,
        forward: false,
    }
}

const fn record(from: &'static [Stage], action: ActionKind, roles: &'static [Role], rules: &'static [Rule]) -> Row {
    Row {
        from,
        action,
        to: To::Same,
        roles,
        rules,
        forward: false,
    }
}

/// The stages from which the leading group may withdraw a standard.
pub const WITHDRAWABLE: &[Stage] = &[
    Stage::Research,
    Stage::Drafting,
    Stage::Consultation,
    Stage::Approval,
    Stage::Published,
    Stage::FollowUp,
    Stage::Revision,
];

/// The stages in which an inspection may be recorded.
pub const INSPECTABLE: &[Stage] = &[
    Stage::Research,
    Stage::Drafting,
    Stage::Consultation,
    Stage::Approval,
    Stage::Published,
    Stage::FollowUp,
    Stage::Revision,
    Stage::Consolidated,
];

/// The stages in which an evaluation may be recorded (a version is in force).
pub const EVALUABLE: &[Stage] = &[Stage::Published, Stage::FollowUp, Stage::Revision];

/// The rows, each declared once; the tables below list them by name.
pub mod rows {
    use super::{EVALUABLE, INSPECTABLE, Row, WITHDRAWABLE, record, side, step};
    use crate::lifecycle::ActionKind as A;
    use crate::lifecycle::Role::{Department, IntermediateCourt, LeadingGroup, Office};
    use crate::lifecycle::Stage::*;
    use crate::table::Rule as R;

    /// Version 1: the office assigns a department in research, any department.
    pub const ASSIGN_V1: Row = record(&[Research], A::AssignDepartment, &[Office], &[R::DepartmentKnown]);
    /// Version 2: the office assigns a department only where the plan left none.
    pub const ASSIGN_V2: Row = record(
        &[Research],
        A::AssignDepartment,
        &[Office],
        &[R::DepartmentUnassigned, R::DepartmentKnown],
    );
    /// Version 2: the office moves a standard to another department, with a reason.
    pub const REASSIGN: Row = record(
        WITHDRAWABLE,
        A::ReassignDepartment,
        &[Office],
        &[R::DepartmentKnown, R::DepartmentChanges, R::ReasonsGiven],
    );
    /// Research ends once a department is responsible.
    pub const START_DRAFTING: Row = step(
        &[Research],
        A::StartDrafting,
        Drafting,
        &[Department],
        &[R::DepartmentAssigned],
    );
    /// Version 1: a complete draft goes to consultation.
    pub const OPEN_CONSULTATION_V1: Row = step(
        &[Drafting],
        A::OpenConsultation,
        Consultation,
        &[Department],
        &[R::DraftComplete],
    );
    /// Version 2: a complete draft that states its sources goes to consultation.
    pub const OPEN_CONSULTATION_V2: Row = step(
        &[Drafting],
        A::OpenConsultation,
        Consultation,
        &[Department],
        &[R::DraftComplete, R::DraftSources],
    );
    /// Opinions are recorded during consultation.
    pub const RECORD_OPINION: Row = record(&[Consultation], A::RecordOpinion, &[Department], &[R::OpinionValid]);
    /// Each opinion is answered.
    pub const RESPOND_TO_OPINION: Row =
        record(&[Consultation], A::RespondToOpinion, &[Department], &[R::ResponseValid]);
    /// Consultation closes: the draft goes to the leading group.
    pub const CLOSE_CONSULTATION: Row = step(
        &[Consultation],
        A::CloseConsultation,
        Approval,
        &[Department],
        &[R::OpinionsFromBothGroups, R::OpinionsAnswered, R::ConsultationPeriod],
    );
    /// A first draft goes back to drafting, from consultation or deliberation.
    pub const SEND_BACK: Row = side(
        &[Consultation, Approval],
        A::SendBack,
        Drafting,
        &[LeadingGroup],
        &[R::ReasonsGiven, R::NoOpenRevision],
    );
    /// A revised draft goes back to revision, from consultation or deliberation.
    pub const SEND_BACK_REVISION: Row = side(
        &[Consultation, Approval],
        A::SendBackRevision,
        Revision,
        &[LeadingGroup],
        &[R::ReasonsGiven, R::RevisionOpen],
    );
    /// The leading group's approving meeting: the way forward, though it stays.
    pub const APPROVE: Row = Row {
        forward: true,
        ..record(&[Approval], A::Approve, &[LeadingGroup], &[R::MeetingRecord])
    };
    /// The office publishes the approved draft.
    pub const PUBLISH: Row = step(
        &[Approval],
        A::Publish,
        Published,
        &[Office],
        &[R::Approved, R::DocumentNumber, R::PublicationDate],
    );
    /// Follow-up begins.
    pub const BEGIN_FOLLOW_UP: Row = step(&[Published], A::BeginFollowUp, FollowUp, &[Department, Office], &[]);
    /// Implementation reports.
    pub const REPORT_IMPLEMENTATION: Row =
        record(&[FollowUp], A::ReportImplementation, &[Department], &[R::ReportValid]);
    /// A revision opens for a cause.
    pub const OPEN_REVISION: Row = side(
        &[FollowUp],
        A::OpenRevision,
        Revision,
        &[Department, Office],
        &[R::RevisionCause],
    );
    /// Version 1: a revised draft goes to consultation.
    pub const REVISED_TO_CONSULTATION_V1: Row = step(
        &[Revision],
        A::OpenConsultation,
        Consultation,
        &[Department],
        &[R::DraftComplete],
    );
    /// Version 2: a revised draft, with its sources, goes to consultation.
    pub const REVISED_TO_CONSULTATION_V2: Row = step(
        &[Revision],
        A::OpenConsultation,
        Consultation,
        &[Department],
        &[R::DraftComplete, R::DraftSources],
    );
    /// The leading group abandons a revision.
    pub const CANCEL_REVISION: Row = side(
        &[Revision],
        A::CancelRevision,
        FollowUp,
        &[LeadingGroup],
        &[R::ReasonsGiven],
    );
    /// Version 1: acceptance after any evaluation of the version in force.
    pub const ACCEPT_V1: Row = step(
        &[FollowUp],
        A::Accept,
        Consolidated,
        &[IntermediateCourt],
        &[R::Evaluated, R::AcceptanceRecord],
    );
    /// Version 2: acceptance after a passing evaluation, and no finding that the text
    /// copies statutes.
    pub const ACCEPT_V2: Row = step(
        &[FollowUp],
        A::Accept,
        Consolidated,
        &[IntermediateCourt],
        &[R::PassingEvaluation, R::NotFlaggedAsCopy, R::AcceptanceRecord],
    );
    /// Evaluations of the version in force.
    pub const RECORD_EVALUATION: Row = record(
        EVALUABLE,
        A::RecordEvaluation,
        &[Office, IntermediateCourt],
        &[R::EvaluationComplete],
    );
    /// Inspections, at any stage but withdrawn.
    pub const RECORD_INSPECTION: Row = record(INSPECTABLE, A::RecordInspection, &[Office], &[R::InspectionValid]);
    /// Withdrawal from any open stage.
    pub const WITHDRAW: Row = side(
        WITHDRAWABLE,
        A::Withdraw,
        Withdrawn,
        &[LeadingGroup],
        &[R::ReasonsGiven],
    );
}

/// The table of definition version 1, in declaration order.
pub const V1: &[Row] = {
    use rows::*;
    &[
        ASSIGN_V1,
        START_DRAFTING,
        OPEN_CONSULTATION_V1,
        RECORD_OPINION,
        RESPOND_TO_OPINION,
        CLOSE_CONSULTATION,
        SEND_BACK,
        SEND_BACK_REVISION,
        APPROVE,
        PUBLISH,
        BEGIN_FOLLOW_UP,
        REPORT_IMPLEMENTATION,
        OPEN_REVISION,
        REVISED_TO_CONSULTATION_V1,
        CANCEL_REVISION,
        ACCEPT_V1,
        RECORD_EVALUATION,
        RECORD_INSPECTION,
        WITHDRAW,
    ]
};

/// The table of definition version 2: version 1 made faithful to the plan where it
/// departed from it (see the crate docs, "Faithful to the plan"):
///
/// - `assign_department` only fills a gap the plan left ([`Rule::DepartmentUnassigned`]);
///   `reassign_department` moves a standard, with a reason, in any open stage;
/// - a draft states its sources and that it is not a copy of statutes
///   ([`Rule::DraftSources`]);
/// - acceptance needs a *passing* evaluation ([`Rule::PassingEvaluation`]) and no
///   inspection finding that the version in force copies statutes
///   ([`Rule::NotFlaggedAsCopy`]).
pub const V2: &[Row] = {
    use rows::*;
    &[
        ASSIGN_V2,
        REASSIGN,
        START_DRAFTING,
        OPEN_CONSULTATION_V2,
        RECORD_OPINION,
        RESPOND_TO_OPINION,
        CLOSE_CONSULTATION,
        SEND_BACK,
        SEND_BACK_REVISION,
        APPROVE,
        PUBLISH,
        BEGIN_FOLLOW_UP,
        REPORT_IMPLEMENTATION,
        OPEN_REVISION,
        REVISED_TO_CONSULTATION_V2,
        CANCEL_REVISION,
        ACCEPT_V2,
        RECORD_EVALUATION,
        RECORD_INSPECTION,
        WITHDRAW,
    ]
};

/// Every definition version this library declares, oldest first, with its table.
pub const VERSIONS: &[(u32, &[Row])] = &[(1, V1), (2, V2)];

/// True when `rule` may sit on a row of `action`: it examines no payload, or that
/// action's.
const fn fits(rule: Rule, action: ActionKind) -> bool {
    let examined = rule.examines();
    if examined.is_empty() {
        return true;
    }
    let mut i = 0;
    while i < examined.len() {
        if examined[i] as u8 == action as u8 {
            return true;
        }
        i += 1;
    }
    false
}

/// Panics (at compile time, where it is called) when a row carries a rule that
/// examines another action's payload.
const fn check_rows(rows: &[Row]) {
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        let mut j = 0;
        while j < row.rules.len() {
            assert!(
                fits(row.rules[j], row.action),
                "a rule that examines an action's payload sits on a row of another action"
            );
            j += 1;
        }
        i += 1;
    }
}

// The compile-time check of every table: a misplaced payload rule stops the build.
const _: () = check_rows(V1);
const _: () = check_rows(V2);

/// The table of a definition version; `None` for a version this library does not
/// know.
pub fn table(version: u32) -> Option<&'static [Row]> {
    VERSIONS.iter().find(|(v, _)| *v == version).map(|(_, rows)| *rows)
}

/// The rows leaving `stage` in `version`'s table.
pub fn rows_from(version: u32, stage: Stage) -> impl Iterator<Item = &'static Row> {
    table(version).unwrap_or(&[]).iter().filter(move |r| r.leaves(stage))
}

/// True when `version`'s table has a row for `action` from `stage`.
pub fn allows(version: u32, stage: Stage, action: ActionKind) -> bool {
    rows_from(version, stage).any(|r| r.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_unique_name_and_both_labels() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
        for r in Rule::ALL {
            assert!(!r.label().is_incomplete(), "{r}");
            assert_eq!(Rule::from_name(r.name()), Some(*r));
        }
    }

    #[test]
    fn every_payload_rule_sits_only_on_rows_of_its_actions() {
        for row in VERSIONS.iter().flat_map(|(_, rows)| rows.iter()) {
            for rule in row.rules {
                assert!(fits(*rule, row.action), "{rule} on {}", row.action);
            }
        }
        // And the check says no where it should.
        assert!(!fits(Rule::DraftComplete, ActionKind::Approve));
        assert!(fits(Rule::DepartmentAssigned, ActionKind::Approve));
    }

    #[test]
    fn every_rule_and_action_is_used_by_the_table() {
        for rule in Rule::ALL {
            assert!(
                *rule == Rule::ActorFitsRole
                    || VERSIONS
                        .iter()
                        .any(|(_, rows)| rows.iter().any(|row| row.rules.contains(rule))),
                "{rule} is on no row"
            );
        }
        for kind in ActionKind::ALL {
            assert!(
                VERSIONS
                    .iter()
                    .any(|(_, rows)| rows.iter().any(|row| row.action == *kind)),
                "{kind} is on no row"
            );
        }
    }
}
