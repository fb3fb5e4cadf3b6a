//! The facade: a court's configuration, the standard definition built from it, actors
//! for each role, creating standards from the catalog, and the catalog-wide checks
//! that no single standard can make alone.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use regula_core::{
    Actor, AuditRecord, Definition, DefinitionError, EffectInput, Engine, EngineError, Instance, Name, Reason, Text,
    Transition,
};

use crate::catalog::{Catalog, Entry, IntermediateCourt, Member};
use crate::data::{
    AcceptanceRecord, ApprovalRecord, Consultation, DraftRecord, EvaluationRecord, InspectionRecord, OpinionRecord,
    Reassignment, ReportRecord, Revision, RevisionEnd, SendBackRecord, StageChange, Stamp, StandardData, Version,
    WithdrawalRecord,
};
use crate::department::DepartmentRegistry;
use crate::lifecycle::{ActionKind, Role, Stage, StandardAction, StandardLifecycle, roles};
use crate::plan::Ledger;
use crate::rules;
use crate::table::{self, Rule};

/// The name of the standard definition in audit records.
pub const DEFINITION_NAME: &str = "court-standard";
/// Its version.
pub const DEFINITION_VERSION: u32 = 2;

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
    /// What an evaluation must show for acceptance (definition version 2).
    pub passing_evaluation: crate::catalog::PassMark,
    /// The machine name of the coordinating office (综合办公室).
    pub office: String,
    /// Its departments.
    pub departments: DepartmentRegistry,
    /// The named members of the leading group.
    pub leading_group: Vec<Member>,
    /// The court that accepts the standards.
    pub intermediate_court: IntermediateCourt,
}

/// A date written `YYYY-MM-DD`, as RFC 3339 writes a full date: four digits of year,
/// two of month and day. chrono's `%Y` alone also reads a sign and any number of
/// digits (`-4046-03-20`, `+12345-01-01`), dates no RFC 3339 time can state, so a time
/// read from one could not be written back (found by the fuzz target `action_request`).
pub fn parse_full_date(text: &str) -> Option<NaiveDate> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
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
            passing_evaluation: catalog.court().passing_evaluation,
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

    /// A time as the court's users write it: RFC 3339
    /// (`2023-03-01T09:00:00+08:00`), or a date (`2023-03-01`) meaning 09:00 that day
    /// in the court's time zone (the start of a working day). `None` for anything else.
    pub fn parse_time(&self, text: &str) -> Option<DateTime<Utc>> {
        use chrono::TimeZone as _;
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(t.with_timezone(&Utc));
        }
        let date = parse_full_date(text)?;
        let local = date.and_time(chrono::NaiveTime::from_hms_opt(9, 0, 0)?);
        self.timezone
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
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

/// Builds the standard definition for a court at the current version
/// ([`DEFINITION_VERSION`]): the table of [`crate::table`], the roles, the rules as
/// guards and the effect documented in the crate docs.
pub fn standard_definition(config: &CourtConfig) -> Result<Definition<StandardLifecycle>, DefinitionError> {
    standard_definition_version(config, DEFINITION_VERSION)
}

/// The definition a version of this library declares for `version` (see
/// [`crate::table::table`]); an unknown version has no table and fails to build
/// with no initial state.
pub fn standard_definition_version(
    config: &CourtConfig,
    version: u32,
) -> Result<Definition<StandardLifecycle>, DefinitionError> {
    let cfg = Arc::new(config.clone());
    let rows = table::table(version).unwrap_or(&[]);
    let mut b = Definition::<StandardLifecycle>::builder(DEFINITION_NAME, version);
    if rows.is_empty() {
        return b.build();
    }
    for s in Stage::ALL {
        b = b.state(s, s.label());
    }
    b = b
        .initial(Stage::Research)
        .terminal(Stage::Consolidated)
        .terminal(Stage::Withdrawn);
    // The actions and rules the version uses, in declaration order.
    for kind in ActionKind::ALL.iter().filter(|k| rows.iter().any(|r| r.action == **k)) {
        b = b.action(kind.name(), kind.label());
    }
    for role in Role::ALL {
        b = b.role(role.as_str(), role.label());
    }
    b = b.creators([Role::Office.as_str()]);
    let used = |rule: &Rule| *rule == Rule::ActorFitsRole || rows.iter().any(|r| r.rules.contains(rule));
    for rule in Rule::ALL.iter().copied().filter(used) {
        let c = Arc::clone(&cfg);
        b = b.guard(rule.name(), rule.describe(config), move |input| rule.check(&c, input));
    }
    for row in rows {
        for from in row.from {
            let mut t = Transition::new(*from, row.action.name(), row.target(*from))
                .by(row.roles.iter().map(|r| r.as_str()))
                .when(Rule::ActorFitsRole.name());
            for rule in row.rules {
                t = t.when(rule.name());
            }
            b = b.transition(t);
        }
    }
    let c = Arc::clone(&cfg);
    b = b.effect(move |data, input| effect(&c, data, input));
    b.build()
}

/// How an accepted action changes a standard's data. Pure: it reads only its inputs
/// and the configuration, so replaying a log rebuilds the same data.
fn effect(config: &CourtConfig, data: &mut StandardData, input: &EffectInput<'_, StandardLifecycle>) {
    let stamp = Stamp {
        by: Name::new(&input.actor.id),
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
            data.acceptance = Some(Box::new(AcceptanceRecord {
                acceptance: acceptance.clone(),
                evaluation,
                stamp: stamp.clone(),
            }));
        }
        StandardAction::ReassignDepartment { department, reason } => {
            let to = config.departments.resolve(department);
            data.reassignments.push(Reassignment {
                from: data.department.take(),
                to: to.clone(),
                reason: reason.clone(),
                stamp: stamp.clone(),
            });
            data.department = to;
        }
        StandardAction::Withdraw { reason } => {
            if let Some(r) = data.revisions.last_mut().filter(|r| r.end.is_none()) {
                r.end = Some(RevisionEnd::Withdrawn);
            }
            data.withdrawal = Some(Box::new(WithdrawalRecord {
                from: *input.from,
                reason: reason.clone(),
                stamp: stamp.clone(),
            }));
        }
    }
    if input.from != input.to {
        data.history.push(StageChange {
            from: *input.from,
            to: *input.to,
            action: Name::new(regula_core::Action::name(input.action)),
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
            actor: actor.id.to_string(),
            unit: actor.unit.as_deref().unwrap_or_default().to_owned(),
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

/// How a definition version treats a document number already published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberUse {
    /// Version 1: one number, one publication.
    OnePerPublication,
    /// Version 2: several standards may be published together under one number, as
    /// one act (the plan itself was issued so); an act is the number with its date of
    /// publication. Another act (another date) or a second publication of the same
    /// standard still may not reuse it.
    SharedByOneAct,
}

impl NumberUse {
    /// The use of numbers of a definition version.
    pub const fn of_version(version: u32) -> NumberUse {
        if version >= 2 {
            NumberUse::SharedByOneAct
        } else {
            NumberUse::OnePerPublication
        }
    }
}

/// Publication under version 1: a document number unique across the catalog (not the
/// plan's own, not used by any version of any standard in `ledger`). Returns the
/// refusal reason to pass to [`Engine::apply_with`], or `None` when the number is
/// free. [`check_publication`] says the same for any version.
pub fn check_document_number(catalog: &Catalog, ledger: &Ledger, number: &str) -> Option<Reason> {
    check_publication(catalog, ledger, "", number, None, None, NumberUse::OnePerPublication)
}

/// Publication of the standard `code` under `number` on `date`, recorded as an event
/// of the court's calendar day `recorded_on`: the catalog-wide rule of [`NumberUse`].
/// The number is never the plan's own; under [`NumberUse::SharedByOneAct`], a number
/// another standard published on the same date is that act's and may be shared by a
/// publication recorded on that day (one entered after the fact carries that day as
/// its time, [`Command::at`](regula_core::Command::at)), while one published on another
/// date, recorded on another day, or already used by this standard, may not. Returns
/// the refusal reason, or `None`.
pub fn check_publication(
    catalog: &Catalog,
    ledger: &Ledger,
    code: &str,
    number: &str,
    date: Option<NaiveDate>,
    recorded_on: Option<NaiveDate>,
    usage: NumberUse,
) -> Option<Reason> {
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
    // One act is one number issued on one day: a publication joins it on that day.
    let joins_act = date.is_some() && date == recorded_on;
    let shares_act = |d: &StandardData, v: &Version| {
        usage == NumberUse::SharedByOneAct && d.code != code && Some(v.published_on) == date && joins_act
    };
    ledger.iter().find_map(|d| {
        d.versions
            .iter()
            .find(|v| v.document_number == number && !shares_act(d, v))
            .map(|v| {
                let (zh, en) = if usage == NumberUse::SharedByOneAct
                    && d.code != code
                    && Some(v.published_on) == date
                {
                    (
                        format!(
                            "（该文件于 {} 发布；同一文件的其他标准须以当日为事件时间登记，事后补录请用 --at）",
                            v.published_on
                        ),
                        format!(
                            " (the act was issued on {}; another standard joins it as an event of that day, entered after the fact with its time)",
                            v.published_on
                        ),
                    )
                } else if usage == NumberUse::SharedByOneAct && d.code != code {
                    (
                        format!(
                            "（该文号于 {} 发布，同一文号只能用于同日发布的同一文件）",
                            v.published_on
                        ),
                        format!(
                            " (published on {}; one number is one act, issued on one date)",
                            v.published_on
                        ),
                    )
                } else {
                    (String::new(), String::new())
                };
                Reason::external(
                    DOCUMENT_NUMBER_UNIQUE,
                    Text::owned(
                        format!(
                            "文号 {number} 已用于标准 {}（{}）第 {} 版{zh}",
                            d.code, d.name.zh, v.number
                        ),
                        format!(
                            "document number {number} is already used by standard {} ({}), version {}{en}",
                            d.code, d.name.en, v.number
                        ),
                    ),
                )
            })
    })
}

/// The namespace of the store claims ([`regula_core::Claim`]) that keep a document
/// number to one act across processes: the key is the number as published, the
/// holder the first publication under it (the others of the same act join it).
pub const DOCUMENT_NUMBER_CLAIM: &str = "document_number";

/// The claims an accepted `action` makes, as `(namespace, key)`: a publication claims
/// its document number, unless another standard in `ledger` already published the
/// same act (the number on the same date), whose claim it joins. Pass them to
/// [`Repository::apply_claiming`](regula_core::Repository::apply_claiming).
pub fn claims_of<'a>(ledger: &Ledger, action: &'a StandardAction) -> Vec<(&'static str, &'a str)> {
    match action {
        StandardAction::Publish { document_number, date } => {
            let number = document_number.trim();
            let joins = ledger.iter().any(|d| {
                d.versions
                    .iter()
                    .any(|v| v.document_number == number && v.published_on == *date)
            });
            if joins {
                Vec::new()
            } else {
                vec![(DOCUMENT_NUMBER_CLAIM, document_number.as_str())]
            }
        }
        _ => Vec::new(),
    }
}

/// The catalog-wide checks for an action on the standard `code`, which follows
/// definition `version`, attempted as an event of the court's calendar day `on`:
/// today, the document number's use when publishing ([`check_publication`]). Pass
/// the result to [`Engine::apply_with`].
pub fn external_checks(
    catalog: &Catalog,
    ledger: &Ledger,
    code: &str,
    version: u32,
    on: NaiveDate,
    action: &StandardAction,
) -> Vec<Reason> {
    match action {
        StandardAction::Publish { document_number, date } => check_publication(
            catalog,
            ledger,
            code,
            document_number,
            Some(*date),
            Some(on),
            NumberUse::of_version(version),
        )
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
