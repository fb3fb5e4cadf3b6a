//! The facade: a court's configuration, the standard definition built from it, actors
//! for each role, creating standards from the catalog, and the catalog-wide checks
//! that no single standard can make alone.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use regula_core::{
    Actor, AuditRecord, Definition, DefinitionError, EffectInput, Engine, EngineError, GuardInput, Instance, Reason,
    Text, Transition,
};

use crate::catalog::{Catalog, Entry, IntermediateCourt, Member};
use crate::data::{
    AcceptanceRecord, ApprovalRecord, Consultation, DraftRecord, EvaluationRecord, InspectionRecord, OpinionRecord,
    ReportRecord, Revision, RevisionEnd, SendBackRecord, StageChange, Stamp, StandardData, Version, WithdrawalRecord,
};
use crate::department::DepartmentRegistry;
use crate::lifecycle::{Stage, StandardAction, StandardLifecycle, roles};
use crate::plan::Ledger;
use crate::rules;

/// The name of the standard definition in audit records.
pub const DEFINITION_NAME: &str = "court-standard";
/// Its version.
pub const DEFINITION_VERSION: u32 = 1;

/// What the definition needs to know about a court. Usually built from a catalog with
/// [`CourtConfig::from_catalog`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourtConfig {
    /// The court's name.
    pub court: Text,
    /// The prefix of its document numbers (红林法).
    pub document_prefix: String,
    /// Its time zone.
    pub timezone: FixedOffset,
    /// The minimum length of a consultation, in calendar days (30 by default).
    pub min_consultation_days: u32,
    /// The members an approval meeting needs.
    pub approval_quorum: crate::catalog::Quorum,
    /// The machine name of the coordinating office (综合办公室).
    pub office: String,
    /// Its departments.
    pub departments: DepartmentRegistry,
    /// The named members of the leading group.
    pub leading_group: Vec<Member>,
    /// The court that accepts the standards.
    pub intermediate_court: IntermediateCourt,
}

impl CourtConfig {
    /// The configuration a catalog describes.
    pub fn from_catalog(catalog: &Catalog) -> Self {
        CourtConfig {
            court: catalog.court().label.clone(),
            document_prefix: catalog.court().document_prefix.clone(),
            timezone: catalog.court().timezone,
            min_consultation_days: catalog.court().min_consultation_days,
            approval_quorum: catalog.court().approval_quorum,
            office: catalog.court().office.clone(),
            departments: catalog.departments().clone(),
            leading_group: catalog.leading_group().to_vec(),
            intermediate_court: catalog.intermediate_court().clone(),
        }
    }

    /// The same configuration with another minimum consultation period.
    pub fn with_min_consultation_days(mut self, days: u32) -> Self {
        self.min_consultation_days = days;
        self
    }

    /// The same configuration in another time zone.
    pub fn with_timezone(mut self, timezone: FixedOffset) -> Self {
        self.timezone = timezone;
        self
    }

    /// The calendar date of `at` in the court's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        rules::local_date(at, self.timezone)
    }

    /// The instant a plan date ends in the court's time zone: "due 2023-12-31" is
    /// 2023-12-31T16:00:00Z at UTC+8.
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        crate::plan::end_of_day(date, self.timezone)
    }

    /// An actor of a department (given by machine name, name or alias); `None` for an
    /// unknown department. The actor's unit is the department's zh name.
    pub fn department_staff(&self, department: &str, id: &str, name: &str) -> Option<Actor> {
        let d = self.departments.department_of(department)?;
        Some(Actor::new(id).named(name).in_unit(d.label.zh.clone()))
    }

    /// An actor of the coordinating office.
    pub fn office_staff(&self, id: &str, name: &str) -> Actor {
        let unit = self
            .departments
            .get(&self.office)
            .map_or_else(|| self.office.clone(), |d| d.label.zh.to_string());
        Actor::new(id).named(name).in_unit(unit)
    }

    /// The actor of a leading-group member, found by id or name.
    pub fn leading_group_member(&self, id_or_name: &str) -> Option<Actor> {
        let m = rules::member_named(&self.leading_group, id_or_name)?;
        Some(Actor::new(m.id.clone()).named(m.name.clone()))
    }

    /// An actor of the intermediate court.
    pub fn intermediate_court_staff(&self, id: &str, name: &str) -> Actor {
        Actor::new(id)
            .named(name)
            .in_unit(self.intermediate_court.label.zh.clone())
    }

    /// True when `actor` may act in `role` for a standard carrying `data`.
    pub fn actor_fits_role(&self, actor: &Actor, role: &str, data: &StandardData) -> Result<(), Text> {
        self.actor_fits(actor, role, Some(data))
    }

    /// [`actor_fits_role`](CourtConfig::actor_fits_role) for an act that concerns no
    /// one standard (`None`: no department role) or one (`Some`).
    pub fn actor_fits(&self, actor: &Actor, role: &str, data: Option<&StandardData>) -> Result<(), Text> {
        rules::actor_fits_role(
            actor,
            role,
            data,
            &self.departments,
            &self.office,
            &self.leading_group,
            &self.intermediate_court,
        )
    }
}

/// The stages from which the leading group may withdraw a standard.
pub const WITHDRAWABLE: [Stage; 7] = [
    Stage::Research,
    Stage::Drafting,
    Stage::Consultation,
    Stage::Approval,
    Stage::Published,
    Stage::FollowUp,
    Stage::Revision,
];

/// The stages in which an inspection may be recorded.
pub const INSPECTABLE: [Stage; 8] = [
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
pub const EVALUABLE: [Stage; 3] = [Stage::Published, Stage::FollowUp, Stage::Revision];

/// Every named guard of the definition with what it requires.
pub const GUARDS: [(&str, Text); 21] = [
    (
        "actor_fits_role",
        Text::new("操作人须属于所声明的角色", "the actor belongs to the role claimed"),
    ),
    (
        "department_known",
        Text::new("部门须为已登记的部门", "the department is a known one"),
    ),
    (
        "department_assigned",
        Text::new("须已指定责任部门", "a responsible department is assigned"),
    ),
    (
        "draft_complete",
        Text::new(
            "草案须有程序规范、工作质量要求和客观可衡量的评价标准",
            "the draft has procedural and quality requirements and a measurable criterion",
        ),
    ),
    (
        "opinion_valid",
        Text::new("意见须有提出人和内容", "the opinion has an author and content"),
    ),
    (
        "response_valid",
        Text::new(
            "答复须针对未答复的意见，不采纳须说明理由",
            "the response answers an open opinion, with a reason if not adopted",
        ),
    ),
    (
        "opinions_from_both_groups",
        Text::new(
            "须有一线审判办案人员和行政综合人员的意见",
            "opinions from front-line and administrative staff",
        ),
    ),
    (
        "opinions_answered",
        Text::new("每条意见均须答复", "every opinion has a response"),
    ),
    (
        "consultation_period",
        Text::new("征求意见期不少于规定天数", "consultation lasted the minimum period"),
    ),
    ("reasons_given", Text::new("须说明理由", "a reason is given")),
    ("revision_open", Text::new("须有进行中的修订", "a revision is open")),
    (
        "no_open_revision",
        Text::new("不得有进行中的修订", "no revision is open"),
    ),
    (
        "meeting_record",
        Text::new(
            "须有领导小组审议会议记录（日期、过半数出席、决定）",
            "a leading-group meeting record (date, half present, decision)",
        ),
    ),
    (
        "approved",
        Text::new("当前草案须已审议通过", "the current draft is approved"),
    ),
    (
        "document_number",
        Text::new(
            "文号须符合本院格式且年份与发布日期一致",
            "the document number has the court's form and year",
        ),
    ),
    (
        "publication_date",
        Text::new(
            "发布日期不得早于审议通过日期",
            "the publication date is not before the approval",
        ),
    ),
    (
        "report_valid",
        Text::new("报告须有期间和内容", "the report has a period and content"),
    ),
    (
        "inspection_valid",
        Text::new("检查记录须完整", "the inspection record is complete"),
    ),
    (
        "evaluation_complete",
        Text::new(
            "评估须对照现行版本的每项评价标准",
            "the evaluation scores every criterion of the version in force",
        ),
    ),
    (
        "revision_cause",
        Text::new("修订须说明原因和内容", "the revision states its cause and content"),
    ),
    (
        "acceptance",
        Text::new(
            "须有对照评价标准的评估和验收记录",
            "an evaluation against the criteria and an acceptance record",
        ),
    ),
];

fn guard_text(name: &str) -> Text {
    GUARDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| Text::owned(name, name), |(_, t)| t.clone())
}

/// Builds the standard definition for a court: the table, roles, guards and effect
/// documented in the crate docs.
pub fn standard_definition(config: &CourtConfig) -> Result<Definition<StandardLifecycle>, DefinitionError> {
    let cfg = Arc::new(config.clone());
    let mut b = Definition::<StandardLifecycle>::builder(DEFINITION_NAME, DEFINITION_VERSION);
    for s in Stage::ALL {
        b = b.state(s, s.label());
    }
    b = b
        .initial(Stage::Research)
        .terminal(Stage::Consolidated)
        .terminal(Stage::Withdrawn);
    for (name, label) in StandardAction::ACTIONS {
        b = b.action(name, label);
    }
    for (name, label) in roles::ALL {
        b = b.role(name, label);
    }
    b = b.creators([roles::OFFICE]);

    // Guards. Each looks only at its input and the configuration: pure.
    let today = {
        let cfg = Arc::clone(&cfg);
        move |input: &GuardInput<'_, StandardLifecycle>| cfg.local_date(input.now)
    };
    let c = Arc::clone(&cfg);
    b = b.guard("actor_fits_role", guard_text("actor_fits_role"), move |i| {
        c.actor_fits_role(i.actor, i.role, i.instance.data())
    });
    let c = Arc::clone(&cfg);
    b = b.guard("department_known", guard_text("department_known"), move |i| {
        match i.action {
            StandardAction::AssignDepartment { department } => rules::department_known(department, &c.departments),
            _ => Ok(()),
        }
    });
    b = b.guard("department_assigned", guard_text("department_assigned"), |i| {
        rules::department_assigned(i.instance.data())
    });
    b = b.guard("draft_complete", guard_text("draft_complete"), |i| match i.action {
        StandardAction::OpenConsultation { draft } => rules::draft_complete(draft),
        _ => Ok(()),
    });
    b = b.guard("opinion_valid", guard_text("opinion_valid"), |i| match i.action {
        StandardAction::RecordOpinion { opinion } => rules::opinion_valid(opinion),
        _ => Ok(()),
    });
    b = b.guard("response_valid", guard_text("response_valid"), |i| match i.action {
        StandardAction::RespondToOpinion { opinion, response } => {
            rules::response_valid(i.instance.data(), *opinion, response)
        }
        _ => Ok(()),
    });
    b = b.guard(
        "opinions_from_both_groups",
        guard_text("opinions_from_both_groups"),
        |i| rules::opinions_from_both_groups(i.instance.data()),
    );
    b = b.guard("opinions_answered", guard_text("opinions_answered"), |i| {
        rules::opinions_answered(i.instance.data())
    });
    let c = Arc::clone(&cfg);
    b = b.guard("consultation_period", guard_text("consultation_period"), move |i| {
        rules::consultation_period(i.instance.data(), i.now, c.timezone, c.min_consultation_days)
    });
    b = b.guard("reasons_given", guard_text("reasons_given"), |i| match i.action {
        StandardAction::SendBack { reasons } | StandardAction::SendBackRevision { reasons } => {
            rules::reasons_given(reasons)
        }
        StandardAction::CancelRevision { reason } | StandardAction::Withdraw { reason } => {
            rules::reasons_given(std::slice::from_ref(reason))
        }
        _ => Ok(()),
    });
    b = b.guard("revision_open", guard_text("revision_open"), |i| {
        rules::revision_open(i.instance.data())
    });
    b = b.guard("no_open_revision", guard_text("no_open_revision"), |i| {
        rules::no_open_revision(i.instance.data())
    });
    let c = Arc::clone(&cfg);
    let t = today.clone();
    b = b.guard("meeting_record", guard_text("meeting_record"), move |i| {
        match i.action {
            StandardAction::Approve { meeting } => rules::meeting_record(
                meeting,
                &c.leading_group,
                c.approval_quorum,
                i.instance.data(),
                t(i),
                c.timezone,
            ),
            _ => Ok(()),
        }
    });
    b = b.guard("approved", guard_text("approved"), |i| {
        rules::approved(i.instance.data())
    });
    let c = Arc::clone(&cfg);
    b = b.guard("document_number", guard_text("document_number"), move |i| {
        match i.action {
            StandardAction::Publish { document_number, date } => {
                rules::document_number(document_number, *date, &c.document_prefix, i.instance.data())
            }
            _ => Ok(()),
        }
    });
    let t = today.clone();
    b = b.guard("publication_date", guard_text("publication_date"), move |i| {
        match i.action {
            StandardAction::Publish { date, .. } => rules::publication_date(*date, i.instance.data(), t(i)),
            _ => Ok(()),
        }
    });
    b = b.guard("report_valid", guard_text("report_valid"), |i| match i.action {
        StandardAction::ReportImplementation { period, summary } => rules::report_valid(period, summary),
        _ => Ok(()),
    });
    let t = today.clone();
    b = b.guard("inspection_valid", guard_text("inspection_valid"), move |i| {
        match i.action {
            StandardAction::RecordInspection { inspection } => rules::inspection_valid(inspection, t(i)),
            _ => Ok(()),
        }
    });
    let t = today.clone();
    b = b.guard(
        "evaluation_complete",
        guard_text("evaluation_complete"),
        move |i| match i.action {
            StandardAction::RecordEvaluation { evaluation } => {
                rules::evaluation_complete(evaluation, i.instance.data(), t(i))
            }
            _ => Ok(()),
        },
    );
    b = b.guard("revision_cause", guard_text("revision_cause"), |i| match i.action {
        StandardAction::OpenRevision { cause, summary } => rules::revision_cause(cause, summary, i.instance.data()),
        _ => Ok(()),
    });
    let t = today;
    b = b.guard("acceptance", guard_text("acceptance"), move |i| match i.action {
        StandardAction::Accept { acceptance } => {
            let data = i.instance.data();
            rules::evaluated(data)?;
            rules::acceptance_record(acceptance, data, t(i))
        }
        _ => Ok(()),
    });

    // The table.
    for t in transitions() {
        b = b.transition(t);
    }

    let c = Arc::clone(&cfg);
    b = b.effect(move |data, input| effect(&c, data, input));
    b.build()
}

/// The transition table, in declaration order (guards included, except
/// `actor_fits_role`, which [`standard_definition`] adds to every row).
pub fn transitions() -> Vec<Transition<Stage>> {
    use Stage::*;
    use roles::{DEPARTMENT, INTERMEDIATE_COURT, LEADING_GROUP, OFFICE};
    let row = |from, action: &str, to, roles: &[&str], guards: &[&str]| {
        let mut t = Transition::new(from, action, to)
            .by(roles.iter().copied())
            .when("actor_fits_role");
        for g in guards {
            t = t.when(*g);
        }
        t
    };
    let mut table = vec![
        row(
            Research,
            "assign_department",
            Research,
            &[OFFICE],
            &["department_known"],
        ),
        row(
            Research,
            "start_drafting",
            Drafting,
            &[DEPARTMENT],
            &["department_assigned"],
        ),
        row(
            Drafting,
            "open_consultation",
            Consultation,
            &[DEPARTMENT],
            &["draft_complete"],
        ),
        row(
            Consultation,
            "record_opinion",
            Consultation,
            &[DEPARTMENT],
            &["opinion_valid"],
        ),
        row(
            Consultation,
            "respond_to_opinion",
            Consultation,
            &[DEPARTMENT],
            &["response_valid"],
        ),
        row(
            Consultation,
            "close_consultation",
            Approval,
            &[DEPARTMENT],
            &["opinions_from_both_groups", "opinions_answered", "consultation_period"],
        ),
        row(
            Consultation,
            "send_back",
            Drafting,
            &[LEADING_GROUP],
            &["reasons_given", "no_open_revision"],
        ),
        row(
            Consultation,
            "send_back_revision",
            Revision,
            &[LEADING_GROUP],
            &["reasons_given", "revision_open"],
        ),
        row(Approval, "approve", Approval, &[LEADING_GROUP], &["meeting_record"]),
        row(
            Approval,
            "send_back",
            Drafting,
            &[LEADING_GROUP],
            &["reasons_given", "no_open_revision"],
        ),
        row(
            Approval,
            "send_back_revision",
            Revision,
            &[LEADING_GROUP],
            &["reasons_given", "revision_open"],
        ),
        row(
            Approval,
            "publish",
            Published,
            &[OFFICE],
            &["approved", "document_number", "publication_date"],
        ),
        row(Published, "begin_follow_up", FollowUp, &[DEPARTMENT, OFFICE], &[]),
        row(
            FollowUp,
            "report_implementation",
            FollowUp,
            &[DEPARTMENT],
            &["report_valid"],
        ),
        row(
            FollowUp,
            "open_revision",
            Revision,
            &[DEPARTMENT, OFFICE],
            &["revision_cause"],
        ),
        row(
            Revision,
            "open_consultation",
            Consultation,
            &[DEPARTMENT],
            &["draft_complete"],
        ),
        row(
            Revision,
            "cancel_revision",
            FollowUp,
            &[LEADING_GROUP],
            &["reasons_given"],
        ),
        row(FollowUp, "accept", Consolidated, &[INTERMEDIATE_COURT], &["acceptance"]),
    ];
    for s in EVALUABLE {
        table.push(row(
            s,
            "record_evaluation",
            s,
            &[OFFICE, INTERMEDIATE_COURT],
            &["evaluation_complete"],
        ));
    }
    for s in INSPECTABLE {
        table.push(row(s, "record_inspection", s, &[OFFICE], &["inspection_valid"]));
    }
    for s in WITHDRAWABLE {
        table.push(row(s, "withdraw", Withdrawn, &[LEADING_GROUP], &["reasons_given"]));
    }
    table
}

/// How an accepted action changes a standard's data. Pure: it reads only its inputs
/// and the configuration, so replaying a log rebuilds the same data.
fn effect(config: &CourtConfig, data: &mut StandardData, input: &EffectInput<'_, StandardLifecycle>) {
    let stamp = Stamp {
        by: input.actor.id.clone(),
        at: input.at,
        seq: input.seq,
    };
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1);
    match input.action {
        StandardAction::AssignDepartment { department } => {
            data.department = config.departments.resolve(department);
        }
        StandardAction::StartDrafting { summary } => {
            data.research = summary.clone();
        }
        StandardAction::OpenConsultation { draft } => {
            let number = count(data.drafts.len());
            let revision = data.open_revision().map(|r| r.number);
            data.drafts.push(DraftRecord {
                number,
                revision,
                draft: draft.clone(),
                stamp: stamp.clone(),
            });
            data.consultations.push(Consultation {
                draft: number,
                opened: stamp.clone(),
                closed: None,
                opinions: Vec::new(),
            });
        }
        StandardAction::RecordOpinion { opinion } => {
            if let Some(c) = data.consultations.last_mut() {
                let number = count(c.opinions.len());
                c.opinions.push(OpinionRecord {
                    number,
                    opinion: opinion.clone(),
                    stamp: stamp.clone(),
                    response: None,
                    responded: None,
                });
            }
        }
        StandardAction::RespondToOpinion { opinion, response } => {
            if let Some(o) = data
                .consultations
                .last_mut()
                .and_then(|c| c.opinions.iter_mut().find(|o| o.number == *opinion))
            {
                o.response = Some(response.clone());
                o.responded = Some(stamp.clone());
            }
        }
        StandardAction::CloseConsultation => {
            if let Some(c) = data.consultations.last_mut() {
                c.closed = Some(stamp.clone());
            }
        }
        StandardAction::SendBack { reasons } | StandardAction::SendBackRevision { reasons } => {
            let draft = data.current_draft().map(|d| d.number);
            data.send_backs.push(SendBackRecord {
                from: *input.from,
                draft,
                reasons: reasons.clone(),
                stamp: stamp.clone(),
            });
        }
        StandardAction::Approve { meeting } => {
            if let Some(draft) = data.current_draft().map(|d| d.number) {
                data.approvals.push(ApprovalRecord {
                    draft,
                    meeting: meeting.clone(),
                    stamp: stamp.clone(),
                });
            }
        }
        StandardAction::Publish { document_number, date } => {
            let draft = data.current_draft().map_or(0, |d| d.number);
            let approved_on = data.approval_of_current_draft().map_or(*date, |a| a.meeting.date);
            let number = count(data.versions.len());
            let revision = data.open_revision().map(|r| r.number);
            data.versions.push(Version {
                number,
                document_number: document_number.clone(),
                published_on: *date,
                draft,
                approved_on,
                revision,
                stamp: stamp.clone(),
            });
            if let Some(r) = data.revisions.last_mut().filter(|r| r.end.is_none()) {
                r.end = Some(RevisionEnd::Published { version: number });
            }
        }
        StandardAction::BeginFollowUp => {}
        StandardAction::ReportImplementation { period, summary } => {
            let version = data.in_force().map(|v| v.number);
            data.reports.push(ReportRecord {
                period: period.clone(),
                summary: summary.clone(),
                version,
                stamp: stamp.clone(),
            });
        }
        StandardAction::RecordInspection { inspection } => {
            let number = count(data.inspections.len());
            data.inspections.push(InspectionRecord {
                number,
                stage: *input.from,
                inspection: inspection.clone(),
                stamp: stamp.clone(),
            });
        }
        StandardAction::RecordEvaluation { evaluation } => {
            let number = count(data.evaluations.len());
            data.evaluations.push(EvaluationRecord {
                number,
                evaluation: evaluation.clone(),
                stamp: stamp.clone(),
            });
        }
        StandardAction::OpenRevision { cause, summary } => {
            let number = count(data.revisions.len());
            let of_version = data.in_force().map_or(0, |v| v.number);
            data.revisions.push(Revision {
                number,
                of_version,
                cause: cause.clone(),
                summary: summary.clone(),
                opened: stamp.clone(),
                end: None,
            });
        }
        StandardAction::CancelRevision { reason } => {
            if let Some(r) = data.revisions.last_mut().filter(|r| r.end.is_none()) {
                r.end = Some(RevisionEnd::Cancelled { reason: reason.clone() });
            }
        }
        StandardAction::Accept { acceptance } => {
            let evaluation = data.evaluation_of_version_in_force().map_or(0, |e| e.number);
            data.acceptance = Some(AcceptanceRecord {
                acceptance: acceptance.clone(),
                evaluation,
                stamp: stamp.clone(),
            });
        }
        StandardAction::Withdraw { reason } => {
            if let Some(r) = data.revisions.last_mut().filter(|r| r.end.is_none()) {
                r.end = Some(RevisionEnd::Withdrawn);
            }
            data.withdrawal = Some(WithdrawalRecord {
                from: *input.from,
                reason: reason.clone(),
                stamp: stamp.clone(),
            });
        }
    }
    if input.from != input.to {
        data.history.push(StageChange {
            from: *input.from,
            to: *input.to,
            action: regula_core::Action::name(input.action).to_owned(),
            stamp,
        });
    }
    data.stage = *input.to;
}

/// A standard could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// Only the coordinating office opens work on a standard.
    #[error("{actor} ({unit}) is not in the office {office}, which opens work on standards")]
    NotOffice {
        /// The actor's id.
        actor: String,
        /// The unit the actor gave.
        unit: String,
        /// The office's name.
        office: String,
    },
    /// Work on this standard is already open in the ledger.
    #[error("standard {code} is already open")]
    AlreadyOpen {
        /// The code.
        code: String,
    },
    /// The engine refused to create the instance.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Opens work on a catalog standard: the office creates its instance in research, with
/// the catalog's department (or none), and the creation time recorded in its data.
pub fn create_standard(
    engine: &Engine<StandardLifecycle>,
    config: &CourtConfig,
    entry: &Entry,
    actor: Actor,
) -> Result<(Instance<StandardLifecycle>, AuditRecord), CreateError> {
    create_standard_at(engine, config, entry, actor, None)
}

/// [`create_standard`] for work that began at `at`, entered after the fact
/// ([`Command::at`](regula_core::Command::at) says how such entries are checked and
/// recorded); `None` for now.
pub fn create_standard_at(
    engine: &Engine<StandardLifecycle>,
    config: &CourtConfig,
    entry: &Entry,
    actor: Actor,
    at: Option<DateTime<Utc>>,
) -> Result<(Instance<StandardLifecycle>, AuditRecord), CreateError> {
    let mut data = StandardData::from_entry(entry);
    if config.actor_fits_role(&actor, roles::OFFICE, &data).is_err() {
        let office = config
            .departments
            .get(&config.office)
            .map_or_else(|| config.office.clone(), |d| d.label.zh.to_string());
        return Err(CreateError::NotOffice {
            actor: actor.id.clone(),
            unit: actor.unit.clone().unwrap_or_default(),
            office,
        });
    }
    data.opened_at = Some(at.unwrap_or_else(|| engine.clock().now()));
    Ok(engine.create_at(actor, roles::OFFICE, data, None, at)?)
}

/// Opens work on every standard of the catalog not yet in `ledger`, in catalog order;
/// returns each new instance with its creating record. `at` as for
/// [`create_standard_at`].
pub fn open_all(
    engine: &Engine<StandardLifecycle>,
    config: &CourtConfig,
    catalog: &Catalog,
    ledger: &Ledger,
    actor: &Actor,
    at: Option<DateTime<Utc>>,
) -> Result<Vec<(Instance<StandardLifecycle>, AuditRecord)>, CreateError> {
    catalog
        .standards()
        .iter()
        .filter(|e| ledger.get(&e.code).is_none())
        .map(|e| create_standard_at(engine, config, e, actor.clone(), at))
        .collect()
}

/// The name of the catalog-wide document number check, as refusals record it.
pub const DOCUMENT_NUMBER_UNIQUE: &str = "document_number_unique";

/// Publication needs a document number unique across the catalog: not the plan's own,
/// and not used by any version of any standard in `ledger`. Returns the refusal reason
/// to pass to [`Engine::apply_with`], or `None` when the number is free.
pub fn check_document_number(catalog: &Catalog, ledger: &Ledger, number: &str) -> Option<Reason> {
    let number = number.trim();
    if catalog.plan().document_number.as_deref() == Some(number) {
        return Some(Reason::external(
            DOCUMENT_NUMBER_UNIQUE,
            Text::owned(
                format!("文号 {number} 是实施方案本身的文号"),
                format!("document number {number} is the plan's own"),
            ),
        ));
    }
    ledger.iter().find_map(|d| {
        d.versions.iter().find(|v| v.document_number == number).map(|v| {
            Reason::external(
                DOCUMENT_NUMBER_UNIQUE,
                Text::owned(
                    format!("文号 {number} 已用于标准 {}（{}）第 {} 版", d.code, d.name.zh, v.number),
                    format!(
                        "document number {number} is already used by standard {} ({}), version {}",
                        d.code, d.name.en, v.number
                    ),
                ),
            )
        })
    })
}

/// The namespace of the store claims ([`regula_core::Claim`]) that keep a document
/// number to one publication across processes: the key is the number as published,
/// the holder the publishing record.
pub const DOCUMENT_NUMBER_CLAIM: &str = "document_number";

/// The claims an accepted `action` makes, as `(namespace, key)`: a publication claims
/// its document number. Pass them to
/// [`Repository::apply_claiming`](regula_core::Repository::apply_claiming).
pub fn claims_of(action: &StandardAction) -> Vec<(&'static str, &str)> {
    match action {
        StandardAction::Publish { document_number, .. } => vec![(DOCUMENT_NUMBER_CLAIM, document_number.as_str())],
        _ => Vec::new(),
    }
}

/// The catalog-wide checks for an action on the standard `code`: today, the document
/// number's uniqueness when publishing. Pass the result to [`Engine::apply_with`].
pub fn external_checks(catalog: &Catalog, ledger: &Ledger, action: &StandardAction) -> Vec<Reason> {
    match action {
        StandardAction::Publish { document_number, .. } => check_document_number(catalog, ledger, document_number)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

impl fmt::Display for CourtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.court)
    }
}
