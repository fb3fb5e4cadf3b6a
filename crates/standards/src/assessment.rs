//! The yearly assessment of each department (考核), computed from the log.
//!
//! The plan asks for a 标准化考核督察体系 (三.原则一: "奖惩更有据") and for the office's
//! 督导检查 (五.五). [`assess`] reads every standard's audit log and gives, for one
//! calendar year in the court's time zone, one row per department (in the registry's
//! order), a row for the standards that have no department, and a court total:
//!
//! | column | what is counted |
//! |---|---|
//! | on time, per step | for each step of the plan with a due date in the year: the standards whose due date for the step's milestone (the step's, or the office's [`WorkPlan`] target) falls in the year (`due`), of those the ones that reached the milestone by the end of that day (`on_time`), and, in a year not yet over, the ones not done whose date is still to come (`pending`); the rate is `on_time / (due - pending)`; a standard withdrawn by then is not due |
//! | refusals | attempts on the department's standards refused in the year; `by rule`: how many of them each rule refused (a refusal naming two rules counts once under each) |
//! | inspections, findings | inspections recorded in the year, and their findings |
//! | evaluations, failed | evaluations recorded in the year, and those that do not pass the court's mark (`[court] passing_evaluation`, by default every criterion met) |
//! | revisions opened | revisions opened in the year |
//!
//! An event counts in the year its event time `at` falls in (an event entered after
//! the fact counts in its own year, see [`crate::as_of`]), and for the department
//! responsible for the standard **at that time** (before the record); a due date counts
//! for the department responsible at the end of that day, or the catalog's for a
//! standard whose work was not opened by then. So a reassigned standard's past stays
//! with the department that had it, and the rows add up to the total.
//! [`Court::assessment`] judges a year by the rules in force at its end.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::{AuditRecord, Instance, Outcome, ReplayOptions, Store, StoreError, Text, VerifyError, Versions};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::court::DOCUMENT_NUMBER_UNIQUE;
use crate::department::{DepartmentRef, UNASSIGNED};
use crate::lifecycle::StandardLifecycle;
use crate::plan::{Standing, WorkPlan, dues, end_of_day, standing};
use crate::service::{Court, ServiceError};

/// Why the assessment could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssessmentError {
    /// The year has no 1 January or 31 December in the calendar the dates use.
    #[error("year {year} is out of range for an assessment")]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A standard's log does not replay.
    #[error("the log of a standard does not replay: {0}")]
    Log(#[from] VerifyError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The court service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Column, row and title labels of the assessment, in both languages.
pub mod labels {
    use regula_core::Text;

    /// The report's title.
    pub const TITLE: Text = Text::new("各部门标准化工作年度考核", "Yearly assessment of each department");
    /// The table of refusals by rule.
    pub const REFUSALS_TITLE: Text = Text::new("被拒绝的操作（按规则）", "Refused attempts by rule");
    /// 年度
    pub const YEAR: Text = Text::new("年度", "Year");
    /// 责任部门
    pub const DEPARTMENT: Text = Text::new("责任部门", "Department");
    /// 按期完成/应完成
    pub const ON_TIME: Text = Text::new("按期完成/应完成", "on time/due");
    /// 按期完成率
    pub const ON_TIME_RATE: Text = Text::new("按期完成率", "on-time rate");
    /// 被拒绝次数
    pub const REFUSALS: Text = Text::new("被拒绝次数", "Refusals");
    /// 规则
    pub const RULE: Text = Text::new("规则", "Rule");
    /// 规则代码
    pub const RULE_ID: Text = Text::new("规则代码", "Rule id");
    /// 次数
    pub const COUNT: Text = Text::new("次数", "Count");
    /// 督导检查次数
    pub const INSPECTIONS: Text = Text::new("督导检查次数", "Inspections");
    /// 检查发现问题数
    pub const FINDINGS: Text = Text::new("检查发现问题数", "Findings");
    /// 评估次数
    pub const EVALUATIONS: Text = Text::new("评估次数", "Evaluations");
    /// 评估未达标
    pub const EVALUATIONS_FAILED: Text = Text::new("评估未达标次数", "Evaluations failed");
    /// 启动修订
    pub const REVISIONS_OPENED: Text = Text::new("启动修订次数", "Revisions opened");
    /// 合计
    pub const TOTAL: Text = Text::new("全院合计", "Court total");
    /// No standard due.
    pub const NONE_DUE: Text = Text::new("无", "none due");
    /// Due date still to come.
    pub const PENDING: Text = Text::new("未到期", "not yet due");
}

/// A step of the plan as the report's columns show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AssessedStep {
    /// The step's id.
    pub step: String,
    /// Its labels.
    pub label: Text,
    /// The step's own due date.
    pub due: NaiveDate,
}

/// One row's figures for one step.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StepRate {
    /// The step's id.
    pub step: String,
    /// Standards due in the year under this step.
    pub due: usize,
    /// Of which reached the milestone by their due date.
    pub on_time: usize,
    /// Of which not reached yet, their due date still to come when the report was
    /// made (a year not yet over).
    pub pending: usize,
    /// `on_time / (due - pending)`, between 0 and 1: the share on time of the
    /// standards whose due date has come or that are done; `None` when there are none.
    pub on_time_rate: Option<f64>,
}

impl StepRate {
    fn new(step: &str, [due, on_time, pending]: [usize; 3]) -> Self {
        let judged = due.saturating_sub(pending);
        StepRate {
            step: step.to_owned(),
            due,
            on_time,
            pending,
            on_time_rate: (judged > 0).then(|| on_time as f64 / judged as f64),
        }
    }
}

/// How many refusals one rule made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RuleCount {
    /// The rule: the failed guard or check's name, or the kind of refusal
    /// (`no_transition`, `role_not_allowed`).
    pub rule: String,
    /// Its labels.
    pub label: Text,
    /// How many refused records name it.
    pub count: usize,
}

/// One department's assessment for the year (or the unassigned standards', or the
/// court's total).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssessmentRow {
    /// The department's machine name; `None` for the unassigned row and the total.
    pub department: Option<String>,
    /// `unassigned`, `total`, or the department's machine name.
    pub key: String,
    /// Its labels.
    pub label: Text,
    /// One entry per step of the report, in its order.
    pub steps: Vec<StepRate>,
    /// Refused attempts.
    pub refusals: usize,
    /// Refused attempts per rule, most frequent first (then by name).
    pub refusals_by_rule: Vec<RuleCount>,
    /// Inspections recorded.
    pub inspections: usize,
    /// Their findings.
    pub findings: usize,
    /// Evaluations recorded.
    pub evaluations: usize,
    /// Evaluations that do not pass the court's mark ([`PassMark`](crate::catalog::PassMark)).
    pub evaluations_failed: usize,
    /// Revisions opened.
    pub revisions_opened: usize,
}

/// The yearly assessment (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssessmentReport {
    /// The title.
    pub title: Text,
    /// The calendar year, in the court's time zone.
    pub year: i32,
    /// The first instant of the year.
    pub from: DateTime<Utc>,
    /// The first instant of the next year.
    pub until: DateTime<Utc>,
    /// The steps the on-time columns are for, in plan order.
    pub steps: Vec<AssessedStep>,
    /// One row per department, in registry order, then the unassigned standards.
    pub rows: Vec<AssessmentRow>,
    /// The court's total.
    pub total: AssessmentRow,
}

/// Figures being gathered for one row.
#[derive(Default)]
struct Tally {
    /// Per step id: due, on time, pending.
    steps: BTreeMap<String, [usize; 3]>,
    refusals: usize,
    by_rule: BTreeMap<String, usize>,
    inspections: usize,
    findings: usize,
    evaluations: usize,
    evaluations_failed: usize,
    revisions_opened: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        for (step, counts) in &other.steps {
            let entry = self.steps.entry(step.clone()).or_default();
            for (sum, n) in entry.iter_mut().zip(counts) {
                *sum += n;
            }
        }
        self.refusals += other.refusals;
        for (rule, n) in &other.by_rule {
            *self.by_rule.entry(rule.clone()).or_default() += n;
        }
        self.inspections += other.inspections;
        self.findings += other.findings;
        self.evaluations += other.evaluations;
        self.evaluations_failed += other.evaluations_failed;
        self.revisions_opened += other.revisions_opened;
    }

    fn row(
        &self,
        department: Option<String>,
        key: String,
        label: Text,
        steps: &[AssessedStep],
        definitions: &Versions<StandardLifecycle>,
    ) -> AssessmentRow {
        let mut refusals_by_rule: Vec<RuleCount> = self
            .by_rule
            .iter()
            .map(|(rule, &count)| RuleCount {
                rule: rule.clone(),
                label: rule_label(definitions, rule),
                count,
            })
            .collect();
        refusals_by_rule.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
        AssessmentRow {
            department,
            key,
            label,
            steps: steps
                .iter()
                .map(|s| StepRate::new(&s.step, self.steps.get(&s.step).copied().unwrap_or_default()))
                .collect(),
            refusals: self.refusals,
            refusals_by_rule,
            inspections: self.inspections,
            findings: self.findings,
            evaluations: self.evaluations,
            evaluations_failed: self.evaluations_failed,
            revisions_opened: self.revisions_opened,
        }
    }
}

/// The labels of a rule a refusal names: the guard's own description when a version
/// of the definition (the latest first) has a guard of that name.
pub fn rule_label(definitions: &Versions<StandardLifecycle>, rule: &str) -> Text {
    let mut latest_first: Vec<_> = definitions.iter().collect();
    latest_first.reverse();
    if let Some(guard) = latest_first.into_iter().find_map(|d| d.guard_named(rule)) {
        return guard.description().clone();
    }
    match rule {
        "no_transition" => Text::new("该阶段不能进行此操作", "no such step from this stage"),
        "role_not_allowed" => Text::new("该角色无权进行此操作", "the role may not take this step"),
        DOCUMENT_NUMBER_UNIQUE => Text::new("文号在全院唯一", "a document number is used once in the court"),
        other => Text::owned(other, other),
    }
}

/// The department of a standard at `t`: from `timeline` (the department after each
/// change, in order) or, before work on it was opened, `catalog_department`.
fn department_at(
    timeline: &[(DateTime<Utc>, Option<DepartmentRef>)],
    catalog_department: Option<&DepartmentRef>,
    t: DateTime<Utc>,
) -> Option<String> {
    timeline
        .iter()
        .rev()
        .find(|(at, _)| *at < t)
        .map_or(catalog_department, |(_, d)| d.as_ref())
        .map(|d| d.department.clone())
}

/// The yearly assessment of `year` from `logs` (each standard's records, in order; a
/// standard with no log was never opened), made at `now`: a due date still to come
/// then counts as pending unless already met. The same inputs always give the same
/// report.
pub fn assess(
    catalog: &Catalog,
    definitions: &Versions<StandardLifecycle>,
    work_plan: &WorkPlan,
    logs: &[Vec<AuditRecord>],
    year: i32,
    now: DateTime<Utc>,
) -> Result<AssessmentReport, AssessmentError> {
    let tz = catalog.court().timezone;
    // What a passing evaluation is, as acceptance judges it.
    let pass_mark = catalog.court().passing_evaluation;
    let out_of_range = || AssessmentError::YearOutOfRange { year };
    let last_day_before =
        NaiveDate::from_ymd_opt(year.checked_sub(1).ok_or_else(out_of_range)?, 12, 31).ok_or_else(out_of_range)?;
    let last_day = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(out_of_range)?;
    let from = end_of_day(last_day_before, tz);
    let until = end_of_day(last_day, tz);
    let in_year = |t: DateTime<Utc>| from <= t && t < until;
    // Per department (None: unassigned).
    let mut tallies: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    // Each opened standard: its final instance and its department after each change.
    type Replayed = (Instance<StandardLifecycle>, Vec<(DateTime<Utc>, Option<DepartmentRef>)>);
    let mut replayed: BTreeMap<String, Replayed> = BTreeMap::new();
    let options = ReplayOptions::default();
    for log in logs {
        let Some(first) = log.first() else { continue };
        let mut instance = definitions.replay_with(std::slice::from_ref(first), options)?;
        let mut timeline = vec![(first.at, instance.data().department.clone())];
        for r in &log[1..] {
            // What the record may add to, as it stood before it.
            let before = instance.data();
            let department = before.department.as_ref().map(|d| d.department.clone());
            let (inspections, evaluations, revisions) = (
                before.inspections.len(),
                before.evaluations.len(),
                before.revisions.len(),
            );
            instance = definitions.replay_onto(instance, std::slice::from_ref(r), options)?;
            if !in_year(r.at) {
                if matches!(r.outcome, Outcome::Accepted { .. }) {
                    timeline.push((r.at, instance.data().department.clone()));
                }
                continue;
            }
            let tally = tallies.entry(department).or_default();
            match &r.outcome {
                Outcome::Refused { reasons } => {
                    tally.refusals += 1;
                    let rules: BTreeSet<String> = reasons
                        .iter()
                        .map(|x| x.guard.clone().unwrap_or_else(|| x.code.as_str().to_owned()))
                        .collect();
                    for rule in rules {
                        *tally.by_rule.entry(rule).or_default() += 1;
                    }
                }
                Outcome::Accepted { .. } => {
                    let after = instance.data();
                    for i in after.inspections.iter().skip(inspections) {
                        tally.inspections += 1;
                        tally.findings += i.inspection.findings.len();
                    }
                    for e in after.evaluations.iter().skip(evaluations) {
                        tally.evaluations += 1;
                        let met = e.evaluation.scores.iter().filter(|s| s.met).count();
                        if !pass_mark.passes(met, e.evaluation.scores.len()) {
                            tally.evaluations_failed += 1;
                        }
                    }
                    tally.revisions_opened += after.revisions.len().saturating_sub(revisions);
                    timeline.push((r.at, after.department.clone()));
                }
                Outcome::Created => {}
            }
        }
        replayed.insert(instance.data().code.to_string(), (instance, timeline));
    }
    // The steps with a due date in the year, and the standards due in it.
    let mut due_steps: BTreeSet<String> = catalog
        .steps()
        .iter()
        .filter(|s| last_day_before < s.due && s.due <= last_day)
        .map(|s| s.id.clone())
        .collect();
    for entry in catalog.standards() {
        let opened = replayed.get(&entry.code);
        for due in dues(catalog, work_plan, entry) {
            if due.due <= last_day_before || due.due > last_day {
                continue;
            }
            let deadline = end_of_day(due.due, tz);
            let data = opened.map(|(i, _)| i.data());
            // Judged at the deadline, or now when it is still to come.
            let (on_time, pending) = match standing(data, due.milestone, due.due, tz, deadline.min(now)) {
                Standing::Withdrawn => continue,
                Standing::Done { late, .. } => (!late, false),
                Standing::Pending => (false, true),
                Standing::Overdue { .. } => (false, false),
            };
            let department = match opened {
                Some((_, timeline)) => department_at(timeline, entry.department.as_ref(), deadline),
                None => entry.department.as_ref().map(|d| d.department.clone()),
            };
            let counts = tallies
                .entry(department)
                .or_default()
                .steps
                .entry(due.step.clone())
                .or_default();
            counts[0] += 1;
            counts[1] += usize::from(on_time);
            counts[2] += usize::from(pending);
            due_steps.insert(due.step);
        }
    }
    let steps: Vec<AssessedStep> = catalog
        .steps()
        .iter()
        .filter(|s| due_steps.contains(&s.id))
        .map(|s| AssessedStep {
            step: s.id.clone(),
            label: s.label.clone(),
            due: s.due,
        })
        .collect();
    let empty = Tally::default();
    let mut total = Tally::default();
    for t in tallies.values() {
        total.add(t);
    }
    let rows = catalog
        .departments()
        .departments()
        .iter()
        .map(|d| {
            let key = Some(d.id.clone());
            tallies
                .get(&key)
                .unwrap_or(&empty)
                .row(key, d.id.clone(), d.label.clone(), &steps, definitions)
        })
        .chain(std::iter::once(tallies.get(&None).unwrap_or(&empty).row(
            None,
            "unassigned".to_owned(),
            UNASSIGNED,
            &steps,
            definitions,
        )))
        .collect();
    let total = total.row(None, "total".to_owned(), labels::TOTAL, &steps, definitions);
    Ok(AssessmentReport {
        title: labels::TITLE,
        year,
        from,
        until,
        steps,
        rows,
        total,
    })
}

impl<S: Store> Court<S> {
    /// The yearly assessment of `year` (see [`crate::assessment`]) from every opened
    /// standard's log in the store, made now by the engine's clock, with the court's
    /// work plan and the catalog in force
    /// at the end of the year ([`Court::catalog_as_of`]: the steps' due dates as they
    /// stood then).
    pub fn assessment(&self, year: i32) -> Result<AssessmentReport, AssessmentError> {
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AssessmentError::YearOutOfRange { year })?;
        let catalog = self.catalog_as_of(end_of_day(end, self.catalog().court().timezone))?;
        let mut logs = Vec::new();
        for (_, instance) in self.instances() {
            logs.push(self.store().load(instance.id())?);
        }
        assess(
            &catalog,
            self.versions(),
            self.work_plan(),
            &logs,
            year,
            self.engine().clock().now(),
        )
    }
}
