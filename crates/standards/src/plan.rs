//! The plan: its steps and due dates, the recorded targets and extensions, and the
//! progress and lateness queries.
//!
//! Every query is a pure function of the catalog, the [`Ledger`] (each standard's
//! current data, whose stage history dates every change), the [`WorkPlan`] (the
//! deadlines and core designations the court's log records) and an instant `as_of`; the same inputs always give the same report. Reports are plain
//! serde structs carrying zh and en labels, ready to print as a table, Markdown, CSV or
//! JSON.
//!
//! # Milestones and lateness
//!
//! Each step of the plan requires a [`Milestone`] of the standards in its [`Scope`]:
//!
//! | milestone | reached at instant *t* when |
//! |---|---|
//! | `published` | a version was published at or before *t* |
//! | `refined` | at *t* the standard is in follow-up or consolidated (in force, tracked, no revision pending) |
//! | `consolidated` | at *t* the standard is consolidated |
//!
//! A standard's due date for a milestone is the earliest due date of the steps that
//! require it of the standard (a standard core by the year-one deadline must be
//! published by the year-one step, every other one by the year-two step), unless a
//! decision recorded by then ([`WorkPlan`]: a department's target, which may only bring
//! it forward, or the leading group's extension, 延期) sets another; the latest such
//! decision wins ([`dues_as_of`]). A date is due at the **end of
//! that day in the court's time zone** ([`end_of_day`]). As of an instant, a milestone
//! is [`Standing::Done`] (on time, or late if first reached after its due date),
//! [`Standing::Pending`] (not reached, not yet due), [`Standing::Overdue`] (not reached,
//! due date passed) or [`Standing::Withdrawn`].

use std::collections::BTreeMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use regula_core::{Instance, Name, Text};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::catalog::{Catalog, CatalogError, CatalogErrorKind, Entry, line_column, toml_date};
use crate::data::StandardData;
use crate::department::{DepartmentRef, UNASSIGNED};
use crate::lifecycle::{Stage, StandardLifecycle, standing_label};
use crate::rules::local_date;

/// What a step requires each standard in its scope to have reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// Built: at least one version published (建立标准).
    Published,
    /// Refined: in force and in follow-up, no revision pending (完善标准).
    Refined,
    /// Consolidated: accepted and finalised (固化标准).
    Consolidated,
}

impl Milestone {
    /// Every milestone, in plan order.
    pub const ALL: [Milestone; 3] = [Milestone::Published, Milestone::Refined, Milestone::Consolidated];

    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            Milestone::Published => Text::new("建立（正式发布）", "built (published)"),
            Milestone::Refined => Text::new("完善（跟踪实施中）", "refined (in follow-up)"),
            Milestone::Consolidated => Text::new("固化（验收定型）", "consolidated (accepted)"),
        }
    }

    /// True when a standard with `data` had reached the milestone at `at`.
    pub fn reached(self, data: &StandardData, at: DateTime<Utc>) -> bool {
        match self {
            Milestone::Published => data.first_entered(Stage::Published).is_some_and(|t| t <= at),
            Milestone::Refined => matches!(data.stage_at(at), Some(Stage::FollowUp | Stage::Consolidated)),
            Milestone::Consolidated => data.stage_at(at) == Some(Stage::Consolidated),
        }
    }
}

/// Which standards a step concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the core standards (核心工作标准), as the leading group designated them (or
    /// the catalog flags, when no designation is given).
    Core,
    /// Every standard.
    All,
}

impl Scope {
    /// True when the step concerns `entry`.
    pub fn covers(self, entry: &Entry) -> bool {
        match self {
            Scope::Core => entry.core,
            Scope::All => true,
        }
    }
}

/// A step of the plan (三、推进步骤) with its due date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// Stable id, e.g. `build-all`.
    pub id: String,
    /// Labels.
    pub label: Text,
    /// The due date (a calendar date in the court's time zone).
    pub due: NaiveDate,
    /// What must be reached.
    pub milestone: Milestone,
    /// Of which standards.
    pub scope: Scope,
}

/// The instant a calendar date ends in time zone `tz`: the next midnight there.
pub fn end_of_day(date: NaiveDate, tz: FixedOffset) -> DateTime<Utc> {
    match date.checked_add_days(Days::new(1)) {
        Some(next) => {
            let local = next.and_time(NaiveTime::MIN);
            let utc = local - chrono::TimeDelta::seconds(i64::from(tz.local_minus_utc()));
            Utc.from_utc_datetime(&utc)
        }
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// The last calendar day a report as of `as_of` covers. Reports are usually taken as
/// of [`end_of_day`], the first instant of the next day; the day they describe is the
/// one that just ended, not the one that begins.
pub fn covered_date(as_of: DateTime<Utc>, tz: FixedOffset) -> NaiveDate {
    local_date(as_of - chrono::TimeDelta::nanoseconds(1), tz)
}

/// Every standard's current data, by code: the input of the queries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ledger {
    // Boxed: a B-tree's nodes keep spare slots, and a spare slot of the data inline
    // would cost its whole size (hundreds of bytes) per slot, for a million standards
    // held at once. The codes are short names held inline.
    standards: BTreeMap<Name, Box<StandardData>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Ledger::default()
    }

    /// Adds or replaces a standard's data, without the spare capacity of its lists
    /// (a ledger keeps its data long).
    pub fn insert(&mut self, mut data: StandardData) {
        data.shrink_to_fit();
        self.standards.insert(data.code.clone(), Box::new(data));
    }

    /// Adds or replaces the data of an instance.
    pub fn insert_instance(&mut self, instance: &Instance<StandardLifecycle>) {
        self.insert(instance.data().clone());
    }

    /// Adds or replaces a standard's data and returns the data it replaced, so that a
    /// caller can put it back ([`Court::apply_batch`](crate::service::Court::apply_batch)
    /// undoing a batch whose transaction failed).
    pub(crate) fn replace(&mut self, data: StandardData) -> Option<StandardData> {
        self.standards.insert(data.code.clone(), Box::new(data)).map(|d| *d)
    }

    /// Removes a standard's data (undoing a [`replace`](Ledger::replace) that added it).
    pub(crate) fn remove(&mut self, code: &str) -> Option<StandardData> {
        self.standards.remove(code).map(|d| *d)
    }

    /// The data of the standard `code`, if work on it is open.
    pub fn get(&self, code: &str) -> Option<&StandardData> {
        self.standards.get(code).map(|d| &**d)
    }

    /// Every standard's data, by code.
    pub fn iter(&self) -> impl Iterator<Item = &StandardData> {
        self.standards.values().map(|d| &**d)
    }

    /// How many standards are open.
    pub fn len(&self) -> usize {
        self.standards.len()
    }

    /// True when no standard is open.
    pub fn is_empty(&self) -> bool {
        self.standards.is_empty()
    }
}

impl FromIterator<StandardData> for Ledger {
    fn from_iter<T: IntoIterator<Item = StandardData>>(iter: T) -> Self {
        let mut l = Ledger::new();
        for d in iter {
            l.insert(d);
        }
        l
    }
}

/// A target date the office's annual work plan sets for one standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Target {
    /// The standard's code.
    pub code: String,
    /// The milestone the date is for (published by default).
    #[serde(default = "default_milestone")]
    pub milestone: Milestone,
    /// The target date.
    pub due: NaiveDate,
    /// A note, e.g. the plan item it comes from.
    #[serde(default)]
    pub note: Option<String>,
    /// The record of the department's work plan that set it, when it comes from the
    /// court's log (`None`: a work plan built by hand or read from a file, not yet
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<Decided>,
}

/// Who recorded a court-level decision, when it took effect, and where it is in the
/// court's log (the store's rules log, [`crate::rules_log`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Decided {
    /// When it took effect (the record's `at`).
    pub at: DateTime<Utc>,
    /// Who decided or recorded it: `ID` or `ID@UNIT`.
    pub by: String,
    /// The record's sequence number in the court's log.
    pub seq: u64,
}

impl Decided {
    /// The order of two decisions: by effective time, then by place in the log.
    fn key(&self) -> (DateTime<Utc>, u64) {
        (self.at, self.seq)
    }
}

/// A deadline moved past the plan's step date: a decision of the leading group
/// (领导小组决定延期), recorded with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeadlineExtension {
    /// The standard's code.
    pub code: String,
    /// The step whose date is extended for this standard (e.g. `build-all`).
    pub step: String,
    /// The new due date.
    pub due: NaiveDate,
    /// Why.
    pub reason: String,
    /// The decision.
    pub decided: Decided,
}

/// A recorded designation of the core standards (核心工作标准的确定): the whole core set
/// from `decided.at` on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CoreDesignation {
    /// The codes of every core standard from then on.
    pub codes: Vec<String>,
    /// The meeting that decided it, when the decision names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<String>,
    /// The decision (or, for the catalog's own flags, its first import).
    pub decided: Decided,
}

fn default_milestone() -> Milestone {
    Milestone::Published
}

/// The deadlines the court works to besides the plan's step dates: the annual work
/// plans' targets (综合办公室负责制定每个年度具体的工作实施计划; 各部门工作方案), the leading
/// group's extensions, and the designations of the core standards.
///
/// A [`Court`](crate::service::Court) builds it from its log ([`Court::work_plan`](crate::service::Court::work_plan)),
/// where each target, extension and designation is a recorded decision with its time; a
/// report as of an instant counts only what was decided by then. A work plan built by
/// hand or read from a file (below) is the input of recording one
/// ([`Court::record_work_plan`](crate::service::Court::record_work_plan)); with no
/// recorded designation, the core standards are the catalog's flags.
///
/// As a file:
///
/// ```toml
/// year = 2023
///
/// [[targets]]
/// code = "ADJ-01-08"
/// due = 2023-06-30
/// milestone = "published"   # optional: published (default), refined or consolidated
/// note = "2023年度工作计划第3项"  # optional
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WorkPlan {
    /// The year the plan is for, if stated.
    #[serde(default)]
    pub year: Option<i32>,
    /// The targets.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// The leading group's extensions, in the log's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<DeadlineExtension>,
    /// The designations of the core standards, in the log's order; empty: the
    /// catalog's flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub core: Vec<CoreDesignation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWorkPlan {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    targets: Vec<Spanned<FileTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTarget {
    code: Spanned<String>,
    #[serde(default = "default_milestone")]
    milestone: Milestone,
    due: Spanned<toml::value::Datetime>,
    #[serde(default)]
    note: Option<String>,
}

impl WorkPlan {
    /// No targets: every due date is the step's.
    pub fn new() -> Self {
        WorkPlan::default()
    }

    /// Sets (or replaces) the target of `code` for `milestone`.
    pub fn set(&mut self, code: impl Into<String>, milestone: Milestone, due: NaiveDate) -> &mut Self {
        let code = code.into();
        self.targets.retain(|t| !(t.code == code && t.milestone == milestone));
        self.targets.push(Target {
            code,
            milestone,
            due,
            note: None,
            decided: None,
        });
        self
    }

    /// Since when `entry` is core as of `as_of`: the time of the designation from which
    /// it has been core without a break, or `None` when it is not core then. With no
    /// recorded designation, the catalog's flag (core since always).
    pub fn core_since(&self, entry: &Entry, as_of: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.core.is_empty() {
            return entry.core.then_some(DateTime::<Utc>::MIN_UTC);
        }
        let mut decided: Vec<&CoreDesignation> = self.core.iter().filter(|d| d.decided.at <= as_of).collect();
        decided.sort_by_key(|d| d.decided.key());
        let mut since = None;
        for d in decided {
            if d.codes.contains(&entry.code) {
                since = since.or(Some(d.decided.at));
            } else {
                since = None;
            }
        }
        since
    }

    /// The due date of `code`'s `milestone`, governed by a step due `step_due`, as of
    /// `as_of`: the latest decision by then (a work plan's target or an extension of
    /// `step`) sets it, else the step's date.
    fn decided_due(
        &self,
        code: &str,
        milestone: Milestone,
        step: &str,
        as_of: DateTime<Utc>,
    ) -> Option<(NaiveDate, Option<&DeadlineExtension>)> {
        let in_time = |d: &Option<Decided>| d.as_ref().is_none_or(|d| d.at <= as_of);
        let key = |d: &Option<Decided>| d.as_ref().map_or((DateTime::<Utc>::MIN_UTC, 0), Decided::key);
        let target = self
            .targets
            .iter()
            .filter(|t| t.code == code && t.milestone == milestone && in_time(&t.decided))
            .max_by_key(|t| key(&t.decided));
        let extension = self
            .extensions
            .iter()
            .filter(|e| e.code == code && e.step == step && e.decided.at <= as_of)
            .max_by_key(|e| e.decided.key());
        match (target, extension) {
            (Some(t), Some(e)) if key(&t.decided) > e.decided.key() => Some((t.due, None)),
            (_, Some(e)) => Some((e.due, Some(e))),
            (Some(t), None) => Some((t.due, None)),
            (None, None) => None,
        }
    }

    /// The target of `code` for `milestone`, if set.
    pub fn target(&self, code: &str, milestone: Milestone) -> Option<NaiveDate> {
        self.targets
            .iter()
            .find(|t| t.code == code && t.milestone == milestone)
            .map(|t| t.due)
    }

    /// Loads a work plan from TOML text, checking every code against `catalog`.
    pub fn from_toml_str(source: &str, catalog: &Catalog) -> Result<WorkPlan, CatalogError> {
        load_work_plan(source, catalog).map_err(|(offset, kind)| {
            let (line, column) = line_column(source, offset);
            CatalogError {
                path: None,
                line,
                column,
                kind,
            }
        })
    }

    /// Loads a work plan from a file; errors name the file.
    pub fn from_path(path: impl AsRef<std::path::Path>, catalog: &Catalog) -> Result<WorkPlan, CatalogError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|e| CatalogError {
            path: Some(path.to_owned()),
            line: 0,
            column: 0,
            kind: CatalogErrorKind::Io(e),
        })?;
        WorkPlan::from_toml_str(&source, catalog).map_err(|mut e| {
            e.path = Some(path.to_owned());
            e
        })
    }
}

fn load_work_plan(source: &str, catalog: &Catalog) -> Result<WorkPlan, (usize, CatalogErrorKind)> {
    let file: FileWorkPlan = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        (offset, CatalogErrorKind::Syntax(e.message().trim_end().to_owned()))
    })?;
    let mut seen: BTreeMap<(String, Milestone), usize> = BTreeMap::new();
    let mut targets = Vec::with_capacity(file.targets.len());
    for t in &file.targets {
        let ft = t.get_ref();
        let code = ft.code.get_ref().trim().to_owned();
        if catalog.standard(&code).is_none() {
            return Err((ft.code.span().start, CatalogErrorKind::UnknownStandard { code }));
        }
        if let Some(&first) = seen.get(&(code.clone(), ft.milestone)) {
            return Err((
                ft.code.span().start,
                CatalogErrorKind::DuplicateCode {
                    what: "target",
                    code,
                    first_line: first,
                },
            ));
        }
        seen.insert((code.clone(), ft.milestone), line_column(source, t.span().start).0);
        targets.push(Target {
            code,
            milestone: ft.milestone,
            due: toml_date(&ft.due)?,
            note: ft.note.clone(),
            decided: None,
        });
    }
    Ok(WorkPlan {
        year: file.year,
        targets,
        extensions: Vec::new(),
        core: Vec::new(),
    })
}

/// Where a milestone of one standard stands as of an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    /// Reached; `late` when first reached after the due date.
    Done {
        /// When it was reached.
        at: DateTime<Utc>,
        /// Reached after the due date.
        late: bool,
    },
    /// Not reached, not yet due.
    Pending,
    /// Not reached, and the due date has passed.
    Overdue {
        /// Whole days since the due date, in the court's time zone.
        days: i64,
    },
    /// The standard was withdrawn.
    Withdrawn,
}

impl Standing {
    /// The labels.
    pub fn label(&self) -> Text {
        match self {
            Standing::Done { late: false, .. } => Text::new("按期完成", "done on time"),
            Standing::Done { late: true, .. } => Text::new("逾期完成", "done late"),
            Standing::Pending => Text::new("未到期", "not yet due"),
            Standing::Overdue { days } => Text::owned(format!("逾期 {days} 天"), format!("{days} days overdue")),
            Standing::Withdrawn => Text::new("已废止", "withdrawn"),
        }
    }

    /// True when overdue.
    pub fn is_overdue(&self) -> bool {
        matches!(self, Standing::Overdue { .. })
    }
}

/// One standard's due date for one milestone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Due {
    /// The governing step's id.
    pub step: String,
    /// The milestone.
    pub milestone: Milestone,
    /// The due date.
    pub due: NaiveDate,
    /// True when the date comes from the work plan rather than the step.
    pub from_work_plan: bool,
    /// The leading group's extension that set the date, when one did (延期).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<DeadlineExtension>,
}

/// The due dates of a standard, one per milestone that some step requires of it, with
/// every decision of `work_plan` counted ([`dues_as_of`] for a past instant).
pub fn dues(catalog: &Catalog, work_plan: &WorkPlan, entry: &Entry) -> Vec<Due> {
    dues_as_of(catalog, work_plan, entry, DateTime::<Utc>::MAX_UTC)
}

/// The due dates of a standard as of `as_of`, one per milestone that some step requires
/// of it: the earliest step requiring it governs. A core step requires only the
/// standards core as of `as_of` and designated by the end of the step's due date (a
/// designation after a step's deadline does not make a standard late against it: the
/// project's default, the plan being silent). The latest work-plan target or extension
/// of the governing step decided by `as_of` replaces the step's date; a target later
/// than the step's date (which recording refuses) counts for nothing.
pub fn dues_as_of(catalog: &Catalog, work_plan: &WorkPlan, entry: &Entry, as_of: DateTime<Utc>) -> Vec<Due> {
    let tz = catalog.court().timezone;
    let core_since = work_plan.core_since(entry, as_of);
    let covers = |s: &Step| match s.scope {
        Scope::All => true,
        Scope::Core => core_since.is_some_and(|since| since < end_of_day(s.due, tz)),
    };
    Milestone::ALL
        .into_iter()
        .filter_map(|m| {
            let step = catalog
                .steps()
                .iter()
                .filter(|s| s.milestone == m && covers(s))
                .min_by_key(|s| s.due)?;
            // A target never moves a deadline back (only an extension does): one past the
            // step's date, which recording refuses, counts for nothing here either.
            let decided = work_plan
                .decided_due(&entry.code, m, &step.id, as_of)
                .filter(|(due, extension)| extension.is_some() || *due <= step.due);
            Some(Due {
                step: step.id.clone(),
                milestone: m,
                due: decided.map_or(step.due, |(due, _)| due),
                from_work_plan: decided.is_some_and(|(_, e)| e.is_none()),
                extension: decided.and_then(|(_, e)| e.cloned()),
            })
        })
        .collect()
}

/// Where `milestone` of a standard stands as of `as_of`, against `due`.
///
/// The due date ends at [`end_of_day`] in the court's time zone, and that instant is
/// the deadline: a milestone reached before it is on time; one not reached by it is
/// overdue from that instant on (0 days at the very end of the due date, 1 day during
/// the next day, and so on, counted in the court's calendar).
pub fn standing(
    data: Option<&StandardData>,
    milestone: Milestone,
    due: NaiveDate,
    tz: FixedOffset,
    as_of: DateTime<Utc>,
) -> Standing {
    let deadline = end_of_day(due, tz);
    let overdue = || Standing::Overdue {
        days: (covered_date(as_of, tz) - due).num_days(),
    };
    let Some(data) = data else {
        return if as_of >= deadline {
            overdue()
        } else {
            Standing::Pending
        };
    };
    if data.stage_at(as_of) == Some(Stage::Withdrawn) {
        return Standing::Withdrawn;
    }
    let reached_at = |point: DateTime<Utc>| -> Option<DateTime<Utc>> {
        if !milestone.reached(data, point) {
            return None;
        }
        match milestone {
            Milestone::Published => data.first_entered(Stage::Published),
            _ => data
                .history
                .iter()
                .rev()
                .find(|c| c.stamp.at <= point)
                .map(|c| c.stamp.at),
        }
    };
    if as_of < deadline {
        return match reached_at(as_of) {
            Some(at) => Standing::Done { at, late: false },
            None => Standing::Pending,
        };
    }
    if let Some(at) = reached_at(deadline - chrono::TimeDelta::nanoseconds(1)) {
        return Standing::Done { at, late: false };
    }
    let late = data
        .history
        .iter()
        .map(|c| c.stamp.at)
        .filter(|&t| t >= deadline && t <= as_of)
        .find(|&t| milestone.reached(data, t));
    match late {
        Some(at) => Standing::Done { at, late: true },
        None => overdue(),
    }
}

/// Column and row labels of the reports, in both languages.
pub mod labels {
    use regula_core::Text;

    /// 编号
    pub const CODE: Text = Text::new("编号", "Code");
    /// 名称
    pub const NAME: Text = Text::new("标准名称", "Standard");
    /// 领域
    pub const DOMAIN: Text = Text::new("领域", "Domain");
    /// 类别
    pub const CATEGORY: Text = Text::new("类别", "Category");
    /// 责任部门
    pub const DEPARTMENT: Text = Text::new("责任部门", "Department");
    /// 阶段
    pub const STAGE: Text = Text::new("阶段", "Stage");
    /// 合计
    pub const TOTAL: Text = Text::new("合计", "Total");
    /// 核心标准
    pub const CORE: Text = Text::new("核心标准", "Core");
    /// 未启动
    pub const NOT_STARTED: Text = Text::new("未启动", "Not started");
    /// 制定/修订中
    pub const IN_PROGRESS: Text = Text::new("制定或修订中", "In progress");
    /// 现行有效
    pub const IN_FORCE: Text = Text::new("现行有效", "In force");
    /// 定型固化
    pub const CONSOLIDATED: Text = Text::new("定型固化", "Consolidated");
    /// 废止
    pub const WITHDRAWN: Text = Text::new("废止", "Withdrawn");
    /// 逾期
    pub const OVERDUE: Text = Text::new("逾期", "Overdue");
    /// 未分配责任部门
    pub const UNASSIGNED: Text = Text::new("未分配责任部门", "Unassigned");
    /// 推进步骤
    pub const STEP: Text = Text::new("推进步骤", "Step");
    /// 完成时限
    pub const DUE: Text = Text::new("完成时限", "Due");
    /// 进度
    pub const STANDING: Text = Text::new("进度", "Standing");
    /// 截至
    pub const AS_OF: Text = Text::new("截至", "As of");
}

/// How to group the progress report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By domain.
    Domain,
    /// By category.
    Category,
    /// By responsible department (unassigned standards in their own row).
    Department,
    /// By stage (not started in its own row).
    Stage,
}

/// How many standards of a group are at one stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StageCount {
    /// The stage; `None` for not started.
    pub stage: Option<Stage>,
    /// Its labels.
    pub label: Text,
    /// How many.
    pub count: usize,
}

/// One row of the progress report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProgressRow {
    /// The group's key: a domain, category or department code, a stage name, or
    /// `unassigned` / `not_started`.
    pub key: String,
    /// The group's labels.
    pub label: Text,
    /// Standards in the group.
    pub total: usize,
    /// Per stage, not started first; every stage is listed, with zeros.
    pub by_stage: Vec<StageCount>,
    /// Standards with a version in force.
    pub in_force: usize,
    /// Standards with no responsible department.
    pub unassigned: usize,
    /// Standards overdue against at least one step.
    pub overdue: usize,
    /// The codes of the group's standards.
    pub codes: Vec<String>,
}

/// Progress grouped by domain, category, department or stage, as of an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProgressReport {
    /// The report's title.
    pub title: Text,
    /// The instant it describes.
    pub as_of: DateTime<Utc>,
    /// That instant's date in the court's time zone.
    pub as_of_date: NaiveDate,
    /// The grouping.
    pub group_by: GroupBy,
    /// One row per group, in catalog order.
    pub rows: Vec<ProgressRow>,
    /// The whole catalog.
    pub total: ProgressRow,
}

/// What one standard looks like as of an instant; the building block of the reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StandardStatus {
    /// The code.
    pub code: String,
    /// The name.
    pub name: Text,
    /// The domain's code.
    pub domain: String,
    /// The category's code.
    pub category: String,
    /// Core as of the instant (by the recorded designations, else the catalog's flag).
    pub core: bool,
    /// The responsible department (the ledger's if work is open, else the catalog's).
    pub department: Option<DepartmentRef>,
    /// Its labels, or "unassigned".
    pub department_label: Text,
    /// The stage as of the instant; `None` when not started.
    pub stage: Option<Stage>,
    /// Its labels.
    pub stage_label: Text,
    /// The version in force as of the instant.
    pub version_in_force: Option<u32>,
    /// Each due date with its standing.
    pub milestones: Vec<MilestoneStatus>,
}

/// One milestone of one standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MilestoneStatus {
    /// The due date and where it comes from.
    pub due: Due,
    /// The step's labels.
    pub step_label: Text,
    /// The standing.
    pub standing: Standing,
    /// Its labels.
    pub standing_label: Text,
}

impl StandardStatus {
    /// True when overdue against at least one step.
    pub fn is_overdue(&self) -> bool {
        self.milestones.iter().any(|m| m.standing.is_overdue())
    }
}

/// Every standard of the catalog as of `as_of`, in catalog order.
pub fn statuses(catalog: &Catalog, ledger: &Ledger, work_plan: &WorkPlan, as_of: DateTime<Utc>) -> Vec<StandardStatus> {
    let tz = catalog.court().timezone;
    catalog
        .standards()
        .iter()
        .map(|e| {
            let data = ledger.get(&e.code);
            let department = data.map_or_else(|| e.department.clone(), |d| d.department.clone());
            let stage = data.and_then(|d| d.stage_at(as_of));
            let version_in_force = data.and_then(|d| {
                if stage == Some(Stage::Withdrawn) {
                    return None;
                }
                d.versions.iter().rev().find(|v| v.stamp.at <= as_of).map(|v| v.number)
            });
            let milestones = dues_as_of(catalog, work_plan, e, as_of)
                .into_iter()
                .map(|due| {
                    let s = standing(data, due.milestone, due.due, tz, as_of);
                    let step_label = catalog
                        .steps()
                        .iter()
                        .find(|s| s.id == due.step)
                        .map_or_else(|| Text::owned(due.step.clone(), due.step.clone()), |s| s.label.clone());
                    MilestoneStatus {
                        due,
                        step_label,
                        standing_label: s.label(),
                        standing: s,
                    }
                })
                .collect();
            StandardStatus {
                code: e.code.clone(),
                name: Text::clone(&e.name),
                domain: e.domain.clone(),
                category: e.category.clone(),
                core: work_plan.core_since(e, as_of).is_some(),
                department_label: catalog.department_label(department.as_ref()),
                department,
                stage,
                stage_label: standing_label(stage),
                version_in_force,
                milestones,
            }
        })
        .collect()
}

fn row(key: String, label: Text, members: &[&StandardStatus]) -> ProgressRow {
    let mut by_stage: Vec<StageCount> = std::iter::once(None)
        .chain(Stage::ALL.into_iter().map(Some))
        .map(|stage| StageCount {
            stage,
            label: standing_label(stage),
            count: 0,
        })
        .collect();
    for m in members {
        if let Some(c) = by_stage.iter_mut().find(|c| c.stage == m.stage) {
            c.count += 1;
        }
    }
    ProgressRow {
        key,
        label,
        total: members.len(),
        by_stage,
        in_force: members.iter().filter(|m| m.version_in_force.is_some()).count(),
        unassigned: members.iter().filter(|m| m.department.is_none()).count(),
        overdue: members.iter().filter(|m| m.is_overdue()).count(),
        codes: members.iter().map(|m| m.code.clone()).collect(),
    }
}

/// Progress as of `as_of`, grouped by `group_by`.
pub fn progress(
    catalog: &Catalog,
    ledger: &Ledger,
    work_plan: &WorkPlan,
    as_of: DateTime<Utc>,
    group_by: GroupBy,
) -> ProgressReport {
    let all = statuses(catalog, ledger, work_plan, as_of);
    let groups: Vec<(String, Text)> = match group_by {
        GroupBy::Domain => catalog
            .domains()
            .iter()
            .map(|d| (d.code.clone(), d.label.clone()))
            .collect(),
        GroupBy::Category => catalog
            .categories()
            .iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect(),
        GroupBy::Department => catalog
            .departments()
            .departments()
            .iter()
            .map(|d| (d.id.clone(), d.label.clone()))
            .chain(std::iter::once(("unassigned".to_owned(), UNASSIGNED)))
            .collect(),
        GroupBy::Stage => std::iter::once(("not_started".to_owned(), standing_label(None)))
            .chain(Stage::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label())))
            .collect(),
    };
    let key_of = |s: &StandardStatus| -> String {
        match group_by {
            GroupBy::Domain => s.domain.clone(),
            GroupBy::Category => s.category.clone(),
            GroupBy::Department => s
                .department
                .as_ref()
                .map_or_else(|| "unassigned".to_owned(), |d| d.department.clone()),
            GroupBy::Stage => s.stage.map_or("not_started", Stage::as_str).to_owned(),
        }
    };
    let rows = groups
        .into_iter()
        .map(|(key, label)| {
            let members: Vec<&StandardStatus> = all.iter().filter(|s| key_of(s) == key).collect();
            row(key, label, &members)
        })
        .collect();
    let everyone: Vec<&StandardStatus> = all.iter().collect();
    ProgressReport {
        title: Text::new("标准化建设进度", "Standardization progress"),
        as_of,
        as_of_date: covered_date(as_of, catalog.court().timezone),
        group_by,
        rows,
        total: row("total".to_owned(), labels::TOTAL, &everyone),
    }
}

/// A standard overdue against a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LateEntry {
    /// The code.
    pub code: String,
    /// The name.
    pub name: Text,
    /// The department's labels, or "unassigned".
    pub department_label: Text,
    /// True when the standard has no department.
    pub unassigned: bool,
    /// The stage as of the instant.
    pub stage_label: Text,
    /// Its due date (the work plan's target, or the step's).
    pub due: NaiveDate,
    /// True when the date comes from the work plan.
    pub from_work_plan: bool,
    /// The leading group's extension that set the date, when one did (延期).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<DeadlineExtension>,
    /// Days overdue.
    pub days_overdue: i64,
}

/// The standards overdue against one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StepLateness {
    /// The step's id.
    pub step: String,
    /// Its labels.
    pub label: Text,
    /// Its due date.
    pub due: NaiveDate,
    /// Its milestone.
    pub milestone: Milestone,
    /// The overdue standards, in catalog order.
    pub late: Vec<LateEntry>,
    /// The standards whose date for this step the leading group extended (延期),
    /// overdue or not, in catalog order.
    #[serde(default)]
    pub extended: Vec<ExtendedEntry>,
}

/// A standard whose deadline for a step the leading group extended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ExtendedEntry {
    /// The code.
    pub code: String,
    /// The name.
    pub name: Text,
    /// The department's labels, or "unassigned".
    pub department_label: Text,
    /// The stage as of the instant.
    pub stage_label: Text,
    /// Where the milestone stands against the extended date.
    pub standing: Standing,
    /// Its labels.
    pub standing_label: Text,
    /// The extension: the new date, the reason and the decision.
    pub extension: DeadlineExtension,
}

/// The standards late against each step, as of an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LatenessReport {
    /// The report's title.
    pub title: Text,
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// Its date in the court's time zone.
    pub as_of_date: NaiveDate,
    /// One entry per step of the plan, in plan order.
    pub steps: Vec<StepLateness>,
}

/// The standards late against each step as of `as_of`. A standard is listed under the
/// step that governs its milestone (see the module docs).
pub fn lateness(catalog: &Catalog, ledger: &Ledger, work_plan: &WorkPlan, as_of: DateTime<Utc>) -> LatenessReport {
    let all = statuses(catalog, ledger, work_plan, as_of);
    let steps = catalog
        .steps()
        .iter()
        .map(|step| {
            let late = all
                .iter()
                .flat_map(|s| {
                    s.milestones
                        .iter()
                        .filter(|m| m.due.step == step.id)
                        .filter_map(move |m| match m.standing {
                            Standing::Overdue { days } => Some(LateEntry {
                                code: s.code.clone(),
                                name: s.name.clone(),
                                department_label: s.department_label.clone(),
                                unassigned: s.department.is_none(),
                                stage_label: s.stage_label.clone(),
                                due: m.due.due,
                                from_work_plan: m.due.from_work_plan,
                                extension: m.due.extension.clone(),
                                days_overdue: days,
                            }),
                            _ => None,
                        })
                })
                .collect();
            let extended = all
                .iter()
                .flat_map(|s| {
                    s.milestones
                        .iter()
                        .filter(|m| m.due.step == step.id)
                        .filter_map(move |m| {
                            m.due.extension.as_ref().map(|e| ExtendedEntry {
                                code: s.code.clone(),
                                name: s.name.clone(),
                                department_label: s.department_label.clone(),
                                stage_label: s.stage_label.clone(),
                                standing: m.standing,
                                standing_label: m.standing_label.clone(),
                                extension: e.clone(),
                            })
                        })
                })
                .collect();
            StepLateness {
                step: step.id.clone(),
                label: step.label.clone(),
                due: step.due,
                milestone: step.milestone,
                late,
                extended,
            }
        })
        .collect();
    LatenessReport {
        title: Text::new("逾期未完成的标准", "Standards overdue"),
        as_of,
        as_of_date: covered_date(as_of, catalog.court().timezone),
        steps,
    }
}

/// One department's load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DepartmentLoad {
    /// The department's machine name; `None` for the unassigned row.
    pub department: Option<String>,
    /// Its labels.
    pub label: Text,
    /// Standards it is responsible for.
    pub total: usize,
    /// Of which core.
    pub core: usize,
    /// Not started.
    pub not_started: usize,
    /// Being made or revised (research to approval, revision).
    pub in_progress: usize,
    /// Published or in follow-up.
    pub in_force: usize,
    /// Consolidated.
    pub consolidated: usize,
    /// Withdrawn.
    pub withdrawn: usize,
    /// Overdue against at least one step.
    pub overdue: usize,
    /// The codes.
    pub codes: Vec<String>,
}

/// Each department's load as of `as_of`, in registry order, with a last row for the
/// standards that have no department (always present, so they are never lost).
pub fn department_load(
    catalog: &Catalog,
    ledger: &Ledger,
    work_plan: &WorkPlan,
    as_of: DateTime<Utc>,
) -> Vec<DepartmentLoad> {
    let all = statuses(catalog, ledger, work_plan, as_of);
    let load = |department: Option<String>, label: Text| {
        let members: Vec<&StandardStatus> = all
            .iter()
            .filter(|s| s.department.as_ref().map(|d| &d.department) == department.as_ref())
            .collect();
        let count = |f: &dyn Fn(&StandardStatus) -> bool| members.iter().filter(|m| f(m)).count();
        DepartmentLoad {
            total: members.len(),
            core: count(&|m| m.core),
            not_started: count(&|m| m.stage.is_none()),
            in_progress: count(&|m| m.stage.is_some_and(Stage::is_in_progress)),
            in_force: count(&|m| matches!(m.stage, Some(Stage::Published | Stage::FollowUp))),
            consolidated: count(&|m| m.stage == Some(Stage::Consolidated)),
            withdrawn: count(&|m| m.stage == Some(Stage::Withdrawn)),
            overdue: count(&|m| m.is_overdue()),
            codes: members.iter().map(|m| m.code.clone()).collect(),
            department,
            label,
        }
    };
    catalog
        .departments()
        .departments()
        .iter()
        .map(|d| load(Some(d.id.clone()), d.label.clone()))
        .chain(std::iter::once(load(None, UNASSIGNED)))
        .collect()
}
