//! The court's rules, kept in the store's own log.
//!
//! Everything a standard's decisions depend on besides its own record — the
//! consultation period, the departments, the leading group's members, the plan's steps
//! and deadlines, the intermediate court — comes from the catalog. A store keeps the
//! catalog in force as an instance of its own lifecycle, `court-rules`, beside the
//! standards: its creating record holds the catalog (its TOML text and the standards
//! designated core), and each later record extends or amends it. Its records are
//! chained, hashed and in the Merkle tree like every other record, so the rules cannot
//! change without a record, an actor, a time and, for an amendment, a reason.
//!
//! Every standard record cites the rules record it was decided under
//! ([`AuditRecord::rules`](regula_core::AuditRecord::rules)), and
//! [`Court::verify`](crate::service::Court::verify) re-checks each decision under
//! exactly those rules, and that they were the rules in force when it was written.
//!
//! | action | zh | who | what it may change |
//! |---|---|---|---|
//! | (creation) | 记录规则 | the office | records the catalog the court works under |
//! | `extend` | 增补标准目录 | the office | adds standards (and their domains and categories); nothing else |
//! | `amend` | 修改规则 | a leading group member, with a reason | anything but the standards already in the catalog, which stay |
//! | `designate_core` | 确定核心工作标准 | a leading group member | which standards are core (a new version of the rules) |
//! | `record_work_plan` | 报送年度工作方案 | a department for its standards, or the office (for a department, or the whole court) | nothing: records targets that bring deadlines forward |
//! | `extend_deadline` | 决定延期 | a leading group member, with a reason | nothing: records a deadline moved past the plan's date |
//! | `record_hearing` | 听取工作进展 | a leading group member present | nothing: records a progress hearing |
//!
//! The last four are the court-level decisions of [`crate::affairs`] (its module docs
//! give each rule and where the plan says it). They were added to this definition
//! without changing its existing rows, so a log written before them replays exactly as
//! it did, under the same definition version. Only a creation, `extend`, `amend` or
//! `designate_core` makes a new version of the rules, which standard records cite; the
//! others change no rule a standard's decision is judged by, and reports read them from
//! the log ([`crate::affairs::CourtAffairs`]).

use chrono::NaiveDate;
use regula_core::{Definition, DefinitionError, Lifecycle, State, Text, Transition};
use serde::{Deserialize, Serialize};

use crate::affairs::{self, PlanTarget};
use crate::catalog::{Catalog, CatalogError};
use crate::court::CourtConfig;
use crate::lifecycle::roles;

/// The name of the rules lifecycle's definition.
pub const RULES_DEFINITION: &str = "court-rules";
/// Its version. Version 1 gained the court-level actions (`designate_core`,
/// `record_work_plan`, `extend_deadline`, `record_hearing`) as new rows, with no
/// existing row, guard or effect changed: a log written before them replays exactly as
/// it did under this same version. A log that holds the new actions needs a release
/// that knows them to verify.
pub const RULES_VERSION: u32 = 1;

/// The claim namespace that keeps a store to one rules log: its creating record
/// claims the key [`RULES_DEFINITION`] in the same transaction, so two processes
/// recording the rules of one new store at once cannot both succeed.
pub const RULES_CLAIM: &str = "rules_log";

/// The lifecycle of a store's rules log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RulesLifecycle;

impl Lifecycle for RulesLifecycle {
    type State = RulesState;
    type Action = RulesAction;
    type Data = RulesData;
}

/// The rules log's one state: the rules it holds are in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RulesState {
    /// 生效中.
    InForce,
}

impl State for RulesState {
    fn name(&self) -> &str {
        "in_force"
    }
}

crate::actions::declare_actions! {
    /// A change to the rules, or a court-level decision recorded beside them.
    pub enum RulesAction;
    /// The kind of a [`RulesAction`]: which action it is, without its payload.
    pub enum RulesActionKind;

    /// 增补标准目录: the office adds standards; every rule stays as it is.
    Extend = "extend", "增补标准目录", "Extend the catalog" {
        /// The new catalog, in force from this record on.
        rules: RulesData,
    };
    /// 修改规则: a leading group member changes the rules, saying why.
    Amend = "amend", "修改规则", "Amend the rules" {
        /// The new catalog, in force from this record on.
        rules: RulesData,
        /// Why.
        reason: String,
    };
    /// 确定核心工作标准: a leading group member records the decision of which standards
    /// are core (year one: "完成核心工作标准的确定").
    DesignateCore = "designate_core", "确定核心工作标准", "Designate the core standards" {
        /// The standards designated core from this record on.
        codes: Vec<String>,
        /// Core standards that are core no longer.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        revoke: Vec<String>,
        /// The meeting that decided it (e.g. "领导小组2022年第3次会议"), if stated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meeting: Option<String>,
    };
    /// 报送年度工作方案: a department's annual work plan (各部门工作方案), recorded by the
    /// department or by the office for it: targets that bring deadlines forward.
    RecordWorkPlan = "record_work_plan", "报送年度工作方案", "Record an annual work plan" {
        /// The department whose plan it is (a name, alias or machine name); `None`: the
        /// office's plan for the whole court (综合办公室负责制定每个年度具体的工作实施计划).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
        /// The year.
        year: i32,
        /// The targets, one per standard and milestone.
        targets: Vec<PlanTarget>,
    };
    /// 决定延期: the leading group moves one standard's deadline past the plan's step
    /// date, saying why.
    ExtendDeadline = "extend_deadline", "决定延期", "Extend a deadline" {
        /// The standard's code.
        code: String,
        /// The step whose date is extended (e.g. `build-all`).
        step: String,
        /// The new due date.
        due: NaiveDate,
        /// Why.
        reason: String,
    };
    /// 听取工作进展: the leading group heard the progress of the work (定期听取).
    RecordHearing = "record_hearing", "听取工作进展", "Record a progress hearing" {
        /// The members present (ids or names).
        members: Vec<String>,
        /// What was reported.
        summary: String,
        /// What the group decided, if anything.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        decisions: Vec<String>,
    };
}

impl RulesActionKind {
    /// True when an accepted record of this action makes a new version of the rules
    /// (which later standard records cite): `extend`, `amend` and `designate_core`.
    pub const fn changes_rules(self) -> bool {
        matches!(
            self,
            RulesActionKind::Extend | RulesActionKind::Amend | RulesActionKind::DesignateCore
        )
    }
}

impl RulesAction {
    /// The catalog the action puts in force, for an extension or an amendment.
    pub fn rules(&self) -> Option<&RulesData> {
        match self {
            RulesAction::Extend { rules } | RulesAction::Amend { rules, .. } => Some(rules),
            _ => None,
        }
    }

    /// True when an accepted record of the action named `name` makes a new version of
    /// the rules (which later standard records cite): `extend`, `amend` and
    /// `designate_core`.
    pub fn changes_rules(name: &str) -> bool {
        RulesActionKind::from_name(name).is_some_and(RulesActionKind::changes_rules)
    }

    /// The rules after this action is accepted on `data`: the recorded catalog of an
    /// extension or an amendment, `data` with the core standards changed by a
    /// designation, and `data` unchanged otherwise. The definition's effect.
    pub fn apply_to(&self, data: &mut RulesData) {
        match self {
            RulesAction::Extend { rules } | RulesAction::Amend { rules, .. } => *data = rules.clone(),
            RulesAction::DesignateCore { codes, revoke, .. } => {
                data.core.retain(|c| !revoke.contains(c));
                for code in codes {
                    if !data.core.contains(code) {
                        data.core.push(code.clone());
                    }
                }
            }
            RulesAction::RecordWorkPlan { .. }
            | RulesAction::ExtendDeadline { .. }
            | RulesAction::RecordHearing { .. } => {}
        }
    }
}

/// The rules as recorded: the catalog's TOML text and the standards designated core
/// (a designation made on the catalog after loading it, which its text lacks).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesData {
    /// The catalog file's text.
    pub catalog: String,
    /// The codes of the core standards (核心工作标准).
    #[serde(default)]
    pub core: Vec<String>,
}

impl RulesData {
    /// The rules of `catalog`.
    pub fn of(catalog: &Catalog) -> Self {
        RulesData {
            catalog: catalog.source().to_owned(),
            core: catalog.core_codes(),
        }
    }

    /// The catalog these rules describe.
    pub fn catalog(&self) -> Result<Catalog, RulesError> {
        let mut catalog = Catalog::from_toml_str(&self.catalog).map_err(RulesError::Catalog)?;
        for code in &self.core {
            catalog
                .set_core(code, true)
                .map_err(|_| RulesError::UnknownCore { code: code.clone() })?;
        }
        Ok(catalog)
    }
}

/// Recorded rules that do not describe a catalog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The recorded catalog text does not load.
    #[error("the recorded catalog does not load: {0}")]
    Catalog(#[source] CatalogError),
    /// A record of the rules log does not hold rules.
    #[error("record {seq} of the rules log holds no rules: {message}")]
    Payload {
        /// The record's sequence number.
        seq: u64,
        /// What serde reported.
        message: String,
    },
    /// A core designation names a standard the catalog does not list.
    #[error("the recorded rules designate {code} core, but the catalog has no such standard")]
    UnknownCore {
        /// The code.
        code: String,
    },
}

impl RulesError {
    /// The labels of the error.
    pub fn text(&self) -> Text {
        match self {
            RulesError::Catalog(e) => Text::owned(format!("规则中的标准目录无法加载：{e}"), format!("{self}")),
            RulesError::Payload { seq, message } => {
                Text::owned(format!("规则日志第 {seq} 条记录不含规则：{message}"), format!("{self}"))
            }
            RulesError::UnknownCore { code } => Text::owned(
                format!("规则指定 {code} 为核心标准，但目录中没有该标准"),
                format!("{self}"),
            ),
        }
    }
}

/// Checks the new rules against those in force: they load, keep every standard, and,
/// for an extension, change nothing but add standards.
fn check_change(current: &RulesData, new: &RulesData, extension: bool) -> Result<(), Text> {
    let new_catalog = new.catalog().map_err(|e| e.text())?;
    // The rules in force loaded when they were recorded; if they no longer do, the
    // store is damaged and nothing may build on them.
    let old_catalog = current.catalog().map_err(|e| e.text())?;
    let removed = old_catalog.standard_changes(&new_catalog);
    if !removed.is_empty() {
        let zh: Vec<&str> = removed.iter().map(|t| t.zh.as_ref()).collect();
        let en: Vec<&str> = removed.iter().map(|t| t.en.as_ref()).collect();
        return Err(Text::owned(
            format!("已开展工作的标准不能删除或改动：{}", zh.join("；")),
            format!("standards already in the catalog stay as they are: {}", en.join("; ")),
        ));
    }
    let changes = old_catalog.rule_changes(&new_catalog);
    if extension && !changes.is_empty() {
        let zh: Vec<&str> = changes.iter().map(|t| t.zh.as_ref()).collect();
        let en: Vec<&str> = changes.iter().map(|t| t.en.as_ref()).collect();
        return Err(Text::owned(
            format!(
                "增补目录只能新增标准，不能改变规则（{}）；修改规则须由领导小组成员说明理由",
                zh.join("、")
            ),
            format!(
                "extending the catalog may only add standards, not change the rules ({}); a leading group member amends rules, with a reason",
                en.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The refusal of a guard met with an action whose payload it does not examine: each
/// payload guard sits only on its own action's row, and should a definition pair them
/// otherwise, the guard refuses rather than pass unexamined.
fn not_examined(guard: &str, action: &RulesAction) -> Text {
    let action = regula_core::Action::name(action);
    Text::owned(
        format!("规则 {guard} 不适用于操作 {action}"),
        format!("rule {guard} does not examine action {action}'s payload"),
    )
}

/// The rules lifecycle's definition (see the module docs).
pub fn rules_definition() -> Result<Definition<RulesLifecycle>, DefinitionError> {
    let mut b = Definition::<RulesLifecycle>::builder(RULES_DEFINITION, RULES_VERSION)
        .state(RulesState::InForce, Text::new("生效中", "In force"))
        .initial(RulesState::InForce)
        // The log never leaves its one state (terminal: no exit), and every change is
        // a self-transition recorded in it.
        .terminal(RulesState::InForce);
    for kind in RulesActionKind::ALL {
        b = b.action(kind.name(), kind.label());
    }
    for (name, label) in roles::ALL {
        if name == roles::OFFICE || name == roles::LEADING_GROUP || name == roles::DEPARTMENT {
            b = b.role(name, label);
        }
    }
    b.creators([roles::OFFICE])
        .guard(
            "actor_fits_role",
            Text::new("操作人须符合其角色", "the actor must fit the role"),
            |i| {
                let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                CourtConfig::from_catalog(&catalog).actor_fits(i.actor, i.role, None)
            },
        )
        .guard(
            "extension_only_adds",
            Text::new("增补目录只能新增标准", "an extension only adds standards"),
            |i| match i.action {
                RulesAction::Extend { rules } => check_change(i.instance.data(), rules, true),
                other => Err(not_examined("extension_only_adds", other)),
            },
        )
        .guard(
            "amendment_keeps_standards",
            Text::new("修改规则不能删除已有标准", "an amendment keeps every standard"),
            |i| match i.action {
                RulesAction::Amend { rules, .. } => check_change(i.instance.data(), rules, false),
                other => Err(not_examined("amendment_keeps_standards", other)),
            },
        )
        .guard(
            "reason_given",
            Text::new("修改规则须说明理由", "an amendment states its reason"),
            |i| match i.action {
                RulesAction::Amend { reason, .. } if reason.trim().is_empty() => {
                    Err(Text::new("修改规则未说明理由", "the amendment gives no reason"))
                }
                RulesAction::Amend { .. } => Ok(()),
                other => Err(not_examined("reason_given", other)),
            },
        )
        .transition(
            Transition::new(RulesState::InForce, RulesActionKind::Extend.name(), RulesState::InForce)
                .by([roles::OFFICE])
                .when("actor_fits_role")
                .when("extension_only_adds"),
        )
        .transition(
            Transition::new(RulesState::InForce, RulesActionKind::Amend.name(), RulesState::InForce)
                .by([roles::LEADING_GROUP])
                .when("actor_fits_role")
                .when("amendment_keeps_standards")
                .when("reason_given"),
        )
        // The court-level decisions (crate::affairs): each row checks its payload
        // against the rules in force, which the log's own data holds.
        .guard(
            "core_designation_valid",
            Text::new(
                "核心工作标准须为目录中的标准，且确有变化",
                "the core standards designated are catalog standards, and something changes",
            ),
            |i| match i.action {
                RulesAction::DesignateCore { codes, revoke, .. } => {
                    let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                    affairs::check_designation(&catalog, codes, revoke)
                }
                other => Err(not_examined("core_designation_valid", other)),
            },
        )
        .guard(
            "work_plan_by_its_department",
            Text::new(
                "年度工作方案由本部门或综合办公室报送",
                "a department's work plan is recorded by the department or the office",
            ),
            |i| match i.action {
                RulesAction::RecordWorkPlan { department, .. } => {
                    let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                    affairs::check_work_plan_author(
                        &CourtConfig::from_catalog(&catalog),
                        i.actor,
                        i.role,
                        department.as_deref(),
                    )
                }
                other => Err(not_examined("work_plan_by_its_department", other)),
            },
        )
        .guard(
            "targets_within_plan",
            Text::new(
                "工作方案的目标只能提前、不能晚于实施方案规定的时限",
                "a work plan's targets may bring a deadline forward, never past the plan's date",
            ),
            |i| match i.action {
                RulesAction::RecordWorkPlan {
                    department, targets, ..
                } => {
                    let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                    affairs::check_targets(&catalog, i.role, department.as_deref(), targets)
                }
                other => Err(not_examined("targets_within_plan", other)),
            },
        )
        .guard(
            "extension_valid",
            Text::new(
                "延期须针对目录中标准的适用步骤，晚于实施方案的时限，并说明理由",
                "an extension names a standard's governing step, a date past the plan's, and a reason",
            ),
            |i| match i.action {
                RulesAction::ExtendDeadline {
                    code,
                    step,
                    due,
                    reason,
                } => {
                    let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                    affairs::check_extension(&catalog, code, step, *due, reason)
                }
                other => Err(not_examined("extension_valid", other)),
            },
        )
        .guard(
            "hearing_valid",
            Text::new(
                "听取工作进展须记录出席的领导小组成员（含记录人）和内容",
                "a hearing names the leading group members present (the recorder among them) and what was heard",
            ),
            |i| match i.action {
                RulesAction::RecordHearing { members, summary, .. } => {
                    let catalog = i.instance.data().catalog().map_err(|e| e.text())?;
                    affairs::check_hearing(&CourtConfig::from_catalog(&catalog), i.actor, members, summary)
                }
                other => Err(not_examined("hearing_valid", other)),
            },
        )
        .transition(
            Transition::new(
                RulesState::InForce,
                RulesActionKind::DesignateCore.name(),
                RulesState::InForce,
            )
            .by([roles::LEADING_GROUP])
            .when("actor_fits_role")
            .when("core_designation_valid"),
        )
        .transition(
            Transition::new(
                RulesState::InForce,
                RulesActionKind::RecordWorkPlan.name(),
                RulesState::InForce,
            )
            .by([roles::DEPARTMENT, roles::OFFICE])
            .when("work_plan_by_its_department")
            .when("targets_within_plan"),
        )
        .transition(
            Transition::new(
                RulesState::InForce,
                RulesActionKind::ExtendDeadline.name(),
                RulesState::InForce,
            )
            .by([roles::LEADING_GROUP])
            .when("actor_fits_role")
            .when("extension_valid"),
        )
        .transition(
            Transition::new(
                RulesState::InForce,
                RulesActionKind::RecordHearing.name(),
                RulesState::InForce,
            )
            .by([roles::LEADING_GROUP])
            .when("actor_fits_role")
            .when("hearing_valid"),
        )
        .effect(|data: &mut RulesData, input| {
            input.action.apply_to(data);
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use regula_core::Action;

    #[test]
    fn every_rules_action_has_one_name_its_labels_and_a_row() {
        let definition = rules_definition().unwrap();
        for kind in RulesActionKind::ALL {
            assert!(!kind.label().is_incomplete(), "{kind}");
            assert_eq!(RulesActionKind::from_name(kind.name()), Some(*kind));
            assert!(
                definition.transitions().iter().any(|t| t.action == kind.name()),
                "{kind} has no row"
            );
        }
        let changing: Vec<&str> = RulesActionKind::ALL
            .iter()
            .filter(|k| k.changes_rules())
            .map(|k| k.name())
            .collect();
        assert_eq!(changing, ["extend", "amend", "designate_core"]);
        let hearing = RulesAction::RecordHearing {
            members: vec!["陈伟".into()],
            summary: "听取进展".into(),
            decisions: Vec::new(),
        };
        assert_eq!(hearing.name(), "record_hearing");
        assert_eq!(
            RulesAction::from_parts(hearing.name(), &hearing.payload().unwrap()).unwrap(),
            hearing
        );
    }
}
