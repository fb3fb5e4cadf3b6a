//! The court-level decisions: the core standards, the departments' annual work plans,
//! the leading group's extensions and its progress hearings.
//!
//! Each is a record of the store's rules log ([`crate::rules_log`], the `court-rules`
//! lifecycle), so it is chained, hashed, in the Merkle tree, re-checked by `verify`, and
//! carries its actor and time; reports read the deadlines and the core standards from
//! these records ([`CourtAffairs`], [`Court::work_plan`](crate::service::Court::work_plan)),
//! never from a side file. Each rule below is a pure function of the rules in force
//! (the catalog the log holds), the actor, the role and the payload.
//!
//! | the plan's words | the rule | who |
//! |---|---|---|
//! | 第一年"完成核心工作标准的确定" (三.一) | which standards are core is a recorded decision (`designate_core`): codes from the catalog, something must change; a standard is core from the decision's effective time. The catalog's `core` flags count only at the first import, as the initial designation (stores written before this rule keep their flags); afterwards a catalog file's flags are ignored and the designation carries over an extension or amendment | a leading group member (the plan: the group decides; *who* decides is the plan's silence filled by this project's default) |
//! | the core step's deadline (2022-12-31) | a standard designated core after the end of a core step's due date is not held to that step (it answers to the next step requiring it): the project's default, the plan being silent | — |
//! | 各部门工作方案; 综合办公室负责制定每个年度具体的工作实施计划 (五.一) | a department's annual plan, or the office's plan for the whole court (`record_work_plan`), sets per-standard targets; a target may bring a deadline forward but not past the plan's step date (the plan's dates are the outer limit) | the department, for the standards the catalog gives it, or the office for any department (and alone for standards the plan leaves unassigned, and for the whole court) |
//! | (silent) moving a deadline past the plan's date | an extension (`extend_deadline`) of a standard's governing step, to a date after the step's, with a reason; reports show it as 延期 with the decision | a leading group member (the project's default: the domain notes say "unless the leading group decides otherwise, on the record") |
//! | 领导小组定期听取工作进展 (五.一) | a hearing (`record_hearing`) names the members present (the recorder among them) and what was heard, optionally what was decided; listed by `regula court hearings` | a leading group member |
//!
//! When targets and extensions of one standard's milestone follow one another, the
//! latest decision in force sets its due date ([`crate::plan::dues_as_of`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use regula_core::{Action, Actor, AuditRecord, Outcome, Text};
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Entry};
use crate::court::CourtConfig;
use crate::lifecycle::roles;
use crate::plan::{CoreDesignation, DeadlineExtension, Decided, Milestone, Scope, Step, Target, WorkPlan};
use crate::rules;
use crate::rules_log::{RulesAction, RulesData};

/// One target of a department's annual work plan, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanTarget {
    /// The standard's code.
    pub code: String,
    /// The milestone the date is for.
    pub milestone: Milestone,
    /// The target date: no later than the plan's step date.
    pub due: NaiveDate,
    /// A note, e.g. the plan item it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl PlanTarget {
    /// The targets of a work plan (built by hand or read from a file).
    pub fn of(plan: &WorkPlan) -> Vec<PlanTarget> {
        plan.targets
            .iter()
            .map(|t| PlanTarget {
                code: t.code.clone(),
                milestone: t.milestone,
                due: t.due,
                note: t.note.clone(),
            })
            .collect()
    }
}

/// A department's annual work plan as the log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DepartmentPlan {
    /// The department's machine name; `None` for the office's plan for the whole court.
    pub department: Option<String>,
    /// The year.
    pub year: i32,
    /// The targets.
    pub targets: Vec<PlanTarget>,
    /// Who recorded it, when.
    pub decided: Decided,
}

/// A progress hearing of the leading group (定期听取), as the log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Hearing {
    /// Who recorded it, when it was held.
    pub decided: Decided,
    /// The members present, as recorded.
    pub members: Vec<String>,
    /// What was reported.
    pub summary: String,
    /// What the group decided.
    pub decisions: Vec<String>,
}

/// What the court's log records of the court-level decisions, built from its records in
/// order ([`absorb`](CourtAffairs::absorb)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CourtAffairs {
    /// The deadlines and core designations, for the reports.
    pub schedule: WorkPlan,
    /// The departments' work plans.
    pub work_plans: Vec<DepartmentPlan>,
    /// The hearings.
    pub hearings: Vec<Hearing>,
    /// The core standards after the last record absorbed.
    core: Vec<String>,
}

impl CourtAffairs {
    /// Takes one record of the rules log into account; a refused one changes nothing.
    /// `departments` resolves a work plan's department to its machine name.
    pub fn absorb(&mut self, record: &AuditRecord, config: &CourtConfig) {
        if record.is_refused() {
            return;
        }
        let decided = Decided {
            at: record.at,
            by: match &record.actor.unit {
                Some(u) => format!("{}@{u}", record.actor.id),
                None => record.actor.id.to_string(),
            },
            seq: record.seq,
        };
        if matches!(record.outcome, Outcome::Created) {
            if let Ok(data) = record.payload.decode::<RulesData>() {
                self.designate(data.core, None, decided);
            }
            return;
        }
        let Ok(action) = RulesAction::from_payload(&record.action, &record.payload) else {
            return;
        };
        match &action {
            RulesAction::Extend { rules } | RulesAction::Amend { rules, .. } => {
                if rules.core != self.core {
                    self.designate(rules.core.clone(), None, decided);
                }
            }
            RulesAction::DesignateCore { meeting, .. } => {
                let mut data = RulesData {
                    catalog: String::new(),
                    core: self.core.clone(),
                };
                action.apply_to(&mut data);
                self.designate(data.core, meeting.clone(), decided);
            }
            RulesAction::RecordWorkPlan {
                department,
                year,
                targets,
            } => {
                for t in targets {
                    self.schedule.targets.push(Target {
                        code: t.code.clone(),
                        milestone: t.milestone,
                        due: t.due,
                        note: t.note.clone(),
                        decided: Some(decided.clone()),
                    });
                }
                self.work_plans.push(DepartmentPlan {
                    department: department.as_ref().map(|d| {
                        config
                            .departments
                            .resolve(d)
                            .map_or_else(|| d.clone(), |r| r.department)
                    }),
                    year: *year,
                    targets: targets.clone(),
                    decided,
                });
            }
            RulesAction::ExtendDeadline {
                code,
                step,
                due,
                reason,
            } => {
                self.schedule.extensions.push(DeadlineExtension {
                    code: code.clone(),
                    step: step.clone(),
                    due: *due,
                    reason: reason.clone(),
                    decided,
                });
            }
            RulesAction::RecordHearing {
                members,
                summary,
                decisions,
            } => self.hearings.push(Hearing {
                decided,
                members: members.clone(),
                summary: summary.clone(),
                decisions: decisions.clone(),
            }),
        }
    }

    fn designate(&mut self, codes: Vec<String>, meeting: Option<String>, decided: Decided) {
        self.core = codes.clone();
        self.schedule.core.push(CoreDesignation {
            codes,
            meeting,
            decided,
        });
    }

    /// The affairs recorded by `records` (a rules log, in order).
    pub fn of(records: &[AuditRecord], config: &CourtConfig) -> Self {
        let mut affairs = CourtAffairs::default();
        for r in records {
            affairs.absorb(r, config);
        }
        affairs
    }
}

/// The step that governs `entry`'s `milestone` under the catalog's current core flags:
/// the earliest step requiring it.
fn governing_step<'a>(catalog: &'a Catalog, entry: &Entry, milestone: Milestone) -> Option<&'a Step> {
    catalog
        .steps()
        .iter()
        .filter(|s| s.milestone == milestone && s.scope.covers(entry))
        .min_by_key(|s| s.due)
}

fn known<'a>(catalog: &'a Catalog, code: &str) -> Result<&'a Entry, Text> {
    catalog.standard(code).ok_or_else(|| {
        Text::owned(
            format!("目录中没有标准 {code}"),
            format!("the catalog has no standard {code}"),
        )
    })
}

/// A designation of the core standards names catalog standards, designates none that is
/// core already, revokes only core ones, and changes something.
pub fn check_designation(catalog: &Catalog, codes: &[String], revoke: &[String]) -> Result<(), Text> {
    if codes.is_empty() && revoke.is_empty() {
        return Err(Text::new(
            "确定核心工作标准须列出标准",
            "a designation of the core standards names at least one standard",
        ));
    }
    let mut seen = BTreeSet::new();
    for code in codes.iter().chain(revoke) {
        let entry = known(catalog, code)?;
        if !seen.insert(code.as_str()) {
            return Err(Text::owned(
                format!("标准 {code} 被重复列出"),
                format!("standard {code} is listed twice"),
            ));
        }
        let designating = codes.contains(code);
        if designating && entry.core {
            return Err(Text::owned(
                format!("标准 {code} 已是核心工作标准"),
                format!("standard {code} is core already"),
            ));
        }
        if !designating && !entry.core {
            return Err(Text::owned(
                format!("标准 {code} 不是核心工作标准，无从撤销"),
                format!("standard {code} is not core, so it cannot be revoked"),
            ));
        }
    }
    Ok(())
}

/// A department's work plan is recorded by someone of that department (acting as it)
/// or by the office; the plan for the whole court (no department) by the office.
pub fn check_work_plan_author(
    config: &CourtConfig,
    actor: &Actor,
    role: &str,
    department: Option<&str>,
) -> Result<(), Text> {
    let Some(department) = department else {
        // The office's plan for the whole court.
        return match role {
            roles::OFFICE => config.actor_fits(actor, role, None),
            _ => Err(Text::new(
                "全院的年度工作实施计划由综合办公室制定；部门报送本部门的工作方案",
                "the plan for the whole court is the office's; a department records its own plan",
            )),
        };
    };
    let Some(dept) = config.departments.resolve(department) else {
        return Err(Text::owned(
            format!("没有名为“{department}”的部门"),
            format!("there is no department named {department:?}"),
        ));
    };
    match role {
        roles::OFFICE => config.actor_fits(actor, role, None),
        roles::DEPARTMENT => {
            let unit = actor.unit.as_deref().unwrap_or("");
            if config
                .departments
                .resolve(unit)
                .is_some_and(|r| r.department == dept.department)
            {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("{}（{unit}）不属于{department}，不能报送其工作方案", actor.id),
                    format!(
                        "{} ({unit}) is not of {department} and cannot record its work plan",
                        actor.id
                    ),
                ))
            }
        }
        other => Err(Text::owned(
            format!("角色 {other} 不能报送工作方案"),
            format!("the role {other} does not record work plans"),
        )),
    }
}

/// Every target of a department's work plan concerns a catalog standard of that
/// department (one the plan leaves unassigned only when the office records the plan;
/// the office's plan for the whole court may target any standard),
/// names each standard and milestone once, and is no later than the plan's date for
/// it: a target brings a deadline forward; moving one past the plan's date is an
/// extension, the leading group's decision.
pub fn check_targets(
    catalog: &Catalog,
    role: &str,
    department: Option<&str>,
    targets: &[PlanTarget],
) -> Result<(), Text> {
    if targets.is_empty() {
        return Err(Text::new("工作方案须列出目标", "a work plan lists at least one target"));
    }
    let registry = CourtConfig::from_catalog(catalog).departments;
    let dept = department.and_then(|d| registry.resolve(d));
    let department = department.unwrap_or("");
    let mut seen = BTreeSet::new();
    for t in targets {
        let entry = known(catalog, &t.code)?;
        if !seen.insert((t.code.as_str(), t.milestone)) {
            return Err(Text::owned(
                format!("标准 {} 的同一目标被重复列出", t.code),
                format!("standard {} has two targets for one milestone", t.code),
            ));
        }
        match (&entry.department, &dept) {
            (Some(owner), Some(d)) if owner.department != d.department => {
                return Err(Text::owned(
                    format!("标准 {} 不属于{department}", t.code),
                    format!("standard {} is not {department}'s", t.code),
                ));
            }
            (None, Some(_)) if role != roles::OFFICE => {
                return Err(Text::owned(
                    format!("标准 {} 在实施方案中未指定责任部门，其目标由综合办公室报送", t.code),
                    format!(
                        "standard {} has no department in the plan: the office records its targets",
                        t.code
                    ),
                ));
            }
            _ => {}
        }
        let Some(step) = governing_step(catalog, entry, t.milestone) else {
            return Err(Text::owned(
                format!("实施方案的步骤均不要求标准 {} 达到“{}”", t.code, t.milestone.label().zh),
                format!(
                    "no step of the plan requires standard {} to be {}",
                    t.code,
                    t.milestone.label().en
                ),
            ));
        };
        if t.due > step.due {
            return Err(Text::owned(
                format!(
                    "标准 {} 的目标 {} 晚于实施方案规定的时限 {}（{}）：工作方案只能提前，延期须由领导小组决定",
                    t.code, t.due, step.due, step.label.zh
                ),
                format!(
                    "the target {} of standard {} is past the plan's date {} ({}): a work plan may only bring a deadline forward; an extension is the leading group's decision",
                    t.due, t.code, step.due, step.label.en
                ),
            ));
        }
    }
    Ok(())
}

/// An extension names a catalog standard and the step that governs it (with the core
/// standards in force), moves its date past the step's, and gives a reason.
pub fn check_extension(catalog: &Catalog, code: &str, step: &str, due: NaiveDate, reason: &str) -> Result<(), Text> {
    let entry = known(catalog, code)?;
    let Some(s) = catalog.steps().iter().find(|s| s.id == step) else {
        let ids: Vec<&str> = catalog.steps().iter().map(|s| s.id.as_str()).collect();
        return Err(Text::owned(
            format!("实施方案没有步骤 {step}（步骤：{}）", ids.join("、")),
            format!("the plan has no step {step} (steps: {})", ids.join(", ")),
        ));
    };
    if governing_step(catalog, entry, s.milestone).map(|g| g.id.as_str()) != Some(step) {
        let core = if s.scope == Scope::Core && !entry.core {
            ("（该标准不是核心工作标准）", " (it is not a core standard)")
        } else {
            ("", "")
        };
        return Err(Text::owned(
            format!("步骤“{}”不是标准 {code} 的适用时限{}", s.label.zh, core.0),
            format!(
                "the step {} does not set standard {code}'s deadline{}",
                s.label.en, core.1
            ),
        ));
    }
    if due <= s.due {
        return Err(Text::owned(
            format!(
                "延期后的时限 {due} 须晚于实施方案的时限 {}；提前完成以工作方案确定",
                s.due
            ),
            format!(
                "an extension moves the date past the plan's {} (not to {due}); an earlier target belongs in a work plan",
                s.due
            ),
        ));
    }
    if reason.trim().is_empty() {
        return Err(Text::new("延期须说明理由", "an extension states its reason"));
    }
    Ok(())
}

/// A hearing names the leading group members present, once each, the recorder among
/// them, and what was heard.
pub fn check_hearing(config: &CourtConfig, actor: &Actor, members: &[String], summary: &str) -> Result<(), Text> {
    if members.is_empty() {
        return Err(Text::new(
            "须记录出席的领导小组成员",
            "the members present are recorded",
        ));
    }
    let mut present = BTreeSet::new();
    for name in members {
        let Some(m) = rules::member_named(&config.leading_group, name) else {
            return Err(Text::owned(
                format!("“{name}”不是领导小组成员"),
                format!("{name:?} is not a member of the leading group"),
            ));
        };
        if !present.insert(m.id.as_str()) {
            return Err(Text::owned(
                format!("{} 被重复列出", m.name),
                format!("{} is listed twice", m.name),
            ));
        }
    }
    if !present.contains(actor.id.as_str()) {
        return Err(Text::owned(
            format!("记录人 {} 须是出席的成员之一", actor.id),
            format!("the recorder {} must be among the members present", actor.id),
        ));
    }
    if summary.trim().is_empty() {
        return Err(Text::new("须记录听取的内容", "what was heard is recorded"));
    }
    Ok(())
}
