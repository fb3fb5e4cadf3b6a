//! The court-level decisions (`regula_standards::affairs`): the core standards, the
//! departments' work plans, the leading group's extensions and progress hearings are
//! records of the store's rules log, checked by the library, re-checked by `verify`,
//! and the only source of the reports' deadlines.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use regula_core::store::StoreProblem;
use regula_core::{Append, AuditRecord, Command, ManualClock, MemoryStore, Store, VerifyErrorKind};
use regula_standards::lifecycle::{StandardAction, roles};
use regula_standards::plan::{self, Milestone, WorkPlan, end_of_day};
use regula_standards::rules_log::{RulesAction, rules_definition};
use regula_standards::service::Court;

/// 立案庭's standard.
const CODE: &str = "ADJ-01-08";

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    // 09:00 in Beijing.
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap()
}

/// A court on a fresh store, its clock at `now`, the built-in catalog (no core flags)
/// imported on the plan's date.
fn court_at(w: &World, now: DateTime<Utc>) -> (Court<MemoryStore>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now));
    let mut court = Court::open(MemoryStore::new(), w.catalog.clone(), |e| e.with_clock(clock.clone())).unwrap();
    court.import_at(&w.office(), Some(at(2022, 5, 16))).unwrap();
    (court, clock)
}

fn reasons(r: &AuditRecord) -> Vec<String> {
    r.refusal()
        .unwrap_or_default()
        .iter()
        .map(|x| format!("{} | {}", x.message.zh, x.message.en))
        .collect()
}

fn late_codes(court: &Court<MemoryStore>, step: &str, as_of: DateTime<Utc>) -> Vec<String> {
    let report = plan::lateness(court.catalog(), &court.ledger(), court.work_plan(), as_of);
    let step = report.steps.iter().find(|s| s.step == step).unwrap();
    step.late.iter().map(|l| l.code.clone()).collect()
}

fn one_target(code: &str, due: chrono::NaiveDate) -> WorkPlan {
    let mut wp = WorkPlan::new();
    wp.set(code, Milestone::Published, due);
    wp
}

fn problems(court: &Court<MemoryStore>) -> Vec<String> {
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    report.problems.iter().map(|p| format!("{p:?}")).collect()
}

#[test]
fn a_target_past_the_plans_date_is_refused_and_one_before_it_sets_the_due_date() {
    let w = World::new();
    let (mut court, _) = court_at(&w, at(2023, 3, 1));
    // ADJ-01-08 is due by 2023-12-31 (build-all): a target of 2024-01-31 is refused.
    let r = court
        .record_work_plan(
            &w.filing(),
            None,
            Some(2023),
            &one_target(CODE, date(2024, 1, 31)),
            None,
        )
        .unwrap();
    assert!(r.is_refused(), "{r:?}");
    let why = reasons(&r).join("\n");
    assert!(why.contains("晚于实施方案规定的时限 2023-12-31"), "{why}");
    assert!(why.contains("past the plan's date 2023-12-31"), "{why}");
    assert!(why.contains("leading group"), "{why}");
    // Refused: no target counts.
    assert!(court.work_plan().targets.is_empty());
    // Another department's staff cannot record 立案庭's plan.
    let r = court
        .record_work_plan(
            &w.enforcement(),
            Some("立案庭"),
            Some(2023),
            &one_target(CODE, date(2023, 6, 30)),
            None,
        )
        .unwrap();
    assert!(r.is_refused(), "{r:?}");
    assert_eq!(
        r.role,
        roles::OFFICE,
        "the actor is not of 立案庭: the office's role is needed"
    );
    // A department's plan only targets its own standards, and one the plan leaves
    // unassigned only through the office.
    let r = court
        .record_work_plan(
            &w.filing(),
            None,
            Some(2023),
            &one_target("ADJ-01-01", date(2023, 6, 30)),
            None,
        )
        .unwrap();
    assert!(
        reasons(&r).join("\n").contains("the office records its targets"),
        "{r:?}"
    );
    let r = court
        .record_work_plan(
            &w.filing(),
            None,
            Some(2023),
            &one_target("ADJ-01-20", date(2023, 6, 30)),
            None,
        )
        .unwrap();
    assert!(reasons(&r).join("\n").contains("ADJ-01-20 is not 立案庭's"), "{r:?}");
    // A target before the plan's date is accepted, recorded as 立案庭's act, and sets
    // the due date from its decision on.
    let r = court
        .record_work_plan(&w.filing(), None, None, &one_target(CODE, date(2023, 6, 30)), None)
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert_eq!(r.role, roles::DEPARTMENT);
    assert_eq!(
        r.payload.to_value()["year"],
        2023,
        "the year of the decision by default"
    );
    assert_eq!(
        late_codes(&court, "build-all", end_of_day(date(2023, 7, 1), w.config.timezone)),
        vec![CODE]
    );
    let entry = court.catalog().standard(CODE).unwrap();
    let dues = plan::dues_as_of(court.catalog(), court.work_plan(), entry, at(2023, 7, 1));
    assert_eq!(dues[0].due, date(2023, 6, 30));
    assert!(dues[0].from_work_plan);
    // As of before the plan was recorded, the plan's date holds.
    let dues = plan::dues_as_of(court.catalog(), court.work_plan(), entry, at(2023, 2, 1));
    assert_eq!(dues[0].due, date(2023, 12, 31));
    // The office records plans for any department, unassigned standards included.
    let r = court
        .record_work_plan(
            &w.office(),
            Some("立案庭"),
            Some(2023),
            &one_target("ADJ-01-01", date(2023, 9, 30)),
            None,
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert_eq!(court.affairs().work_plans.len(), 2);
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn an_extension_by_a_non_member_is_refused() {
    let w = World::new();
    let (mut court, _) = court_at(&w, at(2023, 11, 1));
    let r = court
        .extend_deadline(&w.office(), CODE, "build-all", date(2024, 3, 31), "调研未完成", None)
        .unwrap();
    assert!(r.is_refused(), "{r:?}");
    assert_eq!(r.role, roles::LEADING_GROUP);
    assert!(court.work_plan().extensions.is_empty());
    let entry = court.catalog().standard(CODE).unwrap();
    let dues = plan::dues(court.catalog(), court.work_plan(), entry);
    assert_eq!(dues[0].due, date(2023, 12, 31));
}

#[test]
fn an_extension_by_the_leading_group_moves_the_due_date_and_reports_show_it() {
    let w = World::new();
    let (mut court, clock) = court_at(&w, at(2023, 11, 1));
    // Not an extension: a date before the plan's, no reason, a step that does not
    // govern the standard (it is not core).
    for (step, due, reason, expected) in [
        ("build-all", date(2023, 12, 1), "理由", "belongs in a work plan"),
        ("build-all", date(2024, 3, 31), " ", "states its reason"),
        ("build-core", date(2023, 3, 31), "理由", "not a core standard"),
        ("no-such-step", date(2024, 3, 31), "理由", "has no step no-such-step"),
    ] {
        let r = court.extend_deadline(&w.head(), CODE, step, due, reason, None).unwrap();
        assert!(reasons(&r).join("\n").contains(expected), "{expected}: {r:?}");
    }
    let r = court
        .extend_deadline(
            &w.head(),
            CODE,
            "build-all",
            date(2024, 3, 31),
            "需待上级法院新规出台",
            None,
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    let tz = w.config.timezone;
    // Past the plan's date but within the extension: not late, listed as extended.
    let report = plan::lateness(
        court.catalog(),
        &court.ledger(),
        court.work_plan(),
        end_of_day(date(2024, 1, 15), tz),
    );
    let step = report.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert!(!step.late.iter().any(|l| l.code == CODE));
    let extended: Vec<&str> = step.extended.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(extended, vec![CODE]);
    let e = &step.extended[0].extension;
    assert_eq!(e.due, date(2024, 3, 31));
    assert_eq!(e.reason, "需待上级法院新规出台");
    assert_eq!(e.decided.by, "chen.wei");
    assert_eq!(e.decided.seq, r.seq);
    // Past the extension: late, and the late entry says it was extended.
    clock.set(at(2024, 4, 10));
    let report = plan::lateness(
        court.catalog(),
        &court.ledger(),
        court.work_plan(),
        end_of_day(date(2024, 4, 2), tz),
    );
    let step = report.steps.iter().find(|s| s.step == "build-all").unwrap();
    let late = step.late.iter().find(|l| l.code == CODE).unwrap();
    assert_eq!(late.due, date(2024, 3, 31));
    assert_eq!(late.days_overdue, 2);
    assert!(late.extension.is_some() && !late.from_work_plan);
    // As of before the decision, the plan's date held.
    let report = plan::lateness(court.catalog(), &court.ledger(), court.work_plan(), at(2023, 10, 1));
    let step = report.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert!(step.extended.is_empty());
    // Reopened from the store alone, the extension is still there.
    let reopened = Court::open(court.store(), w.catalog.clone(), |e| e).unwrap();
    assert_eq!(reopened.work_plan().extensions.len(), 1);
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn core_designation_by_decision_sets_the_core_step_from_its_date() {
    let w = World::new();
    let (mut court, clock) = court_at(&w, at(2022, 9, 1));
    let year_one_end = end_of_day(date(2023, 1, 1), w.config.timezone);
    // The catalog flags none: the core step concerns nobody.
    assert!(late_codes(&court, "build-core", year_one_end).is_empty());
    // Only a leading group member designates.
    let r = court
        .designate_core(&w.office(), &[CODE.to_owned()], &[], None, None)
        .unwrap();
    assert!(r.is_refused(), "{r:?}");
    let r = court
        .designate_core(
            &w.head(),
            &[CODE.to_owned(), "NOPE-01-01".to_owned()],
            &[],
            Some("领导小组2022年第2次会议"),
            None,
        )
        .unwrap();
    assert!(reasons(&r).join("\n").contains("no standard NOPE-01-01"), "{r:?}");
    let r = court
        .designate_core(
            &w.head(),
            &[CODE.to_owned()],
            &[],
            Some("领导小组2022年第2次会议"),
            None,
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert!(court.catalog().standard(CODE).unwrap().core);
    let designation = court.work_plan().core.last().unwrap();
    assert_eq!(designation.codes, vec![CODE.to_owned()]);
    assert_eq!(designation.meeting.as_deref(), Some("领导小组2022年第2次会议"));
    assert_eq!(
        (designation.decided.by.as_str(), designation.decided.seq),
        ("chen.wei", r.seq)
    );
    // Designating it again changes nothing: refused.
    let r = court
        .designate_core(&w.head(), &[CODE.to_owned()], &[], None, None)
        .unwrap();
    assert!(reasons(&r).join("\n").contains("core already"), "{r:?}");
    // Now the core step holds ADJ-01-08 to 2022-12-31.
    assert_eq!(late_codes(&court, "build-core", year_one_end), vec![CODE]);
    // Before the decision it was not core.
    let before = plan::statuses(court.catalog(), &court.ledger(), court.work_plan(), at(2022, 8, 31));
    assert!(!before.iter().find(|s| s.code == CODE).unwrap().core);
    // A standard designated after the year-one deadline is not late against it: it
    // answers to the step after.
    clock.set(at(2023, 2, 1));
    let r = court
        .designate_core(&w.head(), &["ADJ-02-01".to_owned()], &[], None, None)
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    let as_of = at(2023, 3, 1);
    assert_eq!(late_codes(&court, "build-core", as_of), vec![CODE]);
    let statuses = plan::statuses(court.catalog(), &court.ledger(), court.work_plan(), as_of);
    let s = statuses.iter().find(|s| s.code == "ADJ-02-01").unwrap();
    assert!(s.core);
    assert_eq!(s.milestones[0].due.step, "build-all");
    // A designation is a new version of the rules: decisions after it cite it.
    let decision = court
        .apply(
            CODE,
            Command::new(
                w.filing(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            ),
        )
        .unwrap();
    assert_eq!(decision.rules, Some(r.hash));
    // Revoking it: core no more from then on.
    clock.set(at(2023, 3, 2));
    let r = court
        .designate_core(&w.head(), &[], &[CODE.to_owned()], None, None)
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert!(late_codes(&court, "build-core", at(2023, 3, 3)).is_empty());
    assert_eq!(late_codes(&court, "build-core", at(2023, 3, 1)), vec![CODE]);
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
    // Reopened from the store alone: the same designations.
    let reopened = Court::open(court.store(), w.catalog.clone(), |e| e).unwrap();
    assert_eq!(reopened.work_plan().core, court.work_plan().core);
    assert!(!reopened.catalog().standard(CODE).unwrap().core);
}

#[test]
fn the_catalogs_flags_are_the_first_designation_and_a_later_file_does_not_change_them() {
    let mut w = World::new();
    w.catalog.set_core(CODE, true).unwrap();
    let (mut court, _) = court_at(&w, at(2022, 6, 1));
    let core = &court.work_plan().core;
    assert_eq!(core.len(), 1);
    assert_eq!(core[0].codes, vec![CODE.to_owned()]);
    assert_eq!(core[0].decided.seq, 1, "the import that recorded the catalog");
    // An extension whose file flags nothing keeps the designation (it would otherwise
    // be refused for changing a standard).
    let mut more = regula_standards::catalog::BUILTIN_CATALOG.to_owned();
    more.push_str(
        "\n[[standards]]\ncode = \"ADJ-01-99\"\ncategory = \"ADJ-01\"\nitem = 99\nzh = \"新增标准\"\nen = \"A new standard\"\ndepartment = \"立案庭\"\ncore = true\n",
    );
    let catalog = regula_standards::catalog::Catalog::from_toml_str(&more).unwrap();
    let opened = court.extend(&w.office(), catalog, None).unwrap();
    assert!(
        matches!(&opened, regula_standards::service::Extension::Opened(codes) if codes == &["ADJ-01-99".to_owned()]),
        "{opened:?}"
    );
    assert!(court.catalog().standard(CODE).unwrap().core);
    assert!(
        !court.catalog().standard("ADJ-01-99").unwrap().core,
        "a file's flag does not designate after the first import"
    );
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn a_hearing_is_recorded_and_listed() {
    let w = World::new();
    let (mut court, _) = court_at(&w, at(2023, 3, 1));
    let present = vec!["陈伟".to_owned(), "厉彦杰".to_owned()];
    // Someone not in the group, and a recorder who was not present, are refused.
    let r = court
        .record_hearing(&w.head(), &["陈伟".to_owned(), "王五".to_owned()], "进展", &[], None)
        .unwrap();
    assert!(
        reasons(&r).join("\n").contains("not a member of the leading group"),
        "{r:?}"
    );
    let r = court
        .record_hearing(&w.head(), &["厉彦杰".to_owned()], "进展", &[], None)
        .unwrap();
    assert!(reasons(&r).join("\n").contains("among the members present"), "{r:?}");
    let r = court.record_hearing(&w.office(), &present, "进展", &[], None).unwrap();
    assert!(r.is_refused(), "{r:?}");
    let r = court
        .record_hearing(
            &w.head(),
            &present,
            "听取第一季度标准化建设进展汇报",
            &["审判业务标准6月底前完成起草".to_owned()],
            Some(at(2023, 2, 28)),
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert_eq!(court.hearings().len(), 1);
    let h = &court.hearings()[0];
    assert_eq!(h.decided.at, at(2023, 2, 28));
    assert_eq!(h.members, present);
    assert_eq!(h.decisions.len(), 1);
    // A hearing is no new version of the rules: standard decisions keep citing the
    // import.
    let first = court.rules_history().unwrap()[0].hash;
    let decision = court
        .apply(
            CODE,
            Command::new(
                w.filing(),
                roles::DEPARTMENT,
                StandardAction::StartDrafting { summary: None },
            ),
        )
        .unwrap();
    assert_eq!(decision.rules, Some(first));
    let reopened = Court::open(court.store(), w.catalog.clone(), |e| e).unwrap();
    assert_eq!(reopened.hearings(), court.hearings());
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn verify_rechecks_the_court_decisions() {
    let w = World::new();
    let (court, _) = court_at(&w, at(2023, 3, 1));
    // A target past the plan's date, written behind the library's back with every hash
    // and link right, under the rules lifecycle but without its guards.
    let log = court.rules_log().unwrap().clone();
    let lenient = rules_definition().unwrap();
    let mut instance = log.clone();
    let action = RulesAction::RecordWorkPlan {
        department: Some("立案庭".into()),
        year: 2023,
        targets: regula_standards::affairs::PlanTarget::of(&one_target(CODE, date(2024, 6, 30))),
    };
    // The engine refuses it …
    let engine = court.engine().for_definition(lenient);
    let refused = engine
        .apply(
            &mut instance,
            Command::new(w.filing(), roles::DEPARTMENT, action.clone()),
        )
        .unwrap();
    assert!(refused.is_refused());
    // … so the forger turns the refusal into an acceptance and rehashes it.
    let mut forged = refused.clone();
    forged.outcome = regula_core::Outcome::Accepted { to: "in_force".into() };
    forged.hash = forged.compute_hash();
    court
        .store()
        .append(Append {
            instance: log.id(),
            expected_seq: log.seq(),
            records: std::slice::from_ref(&forged),
            due_at: None,
        })
        .unwrap();
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    let found = report.problems.iter().any(|p| match p {
        StoreProblem::Transition(e) => {
            e.instance == log.id() && !matches!(e.kind, VerifyErrorKind::HashMismatch { .. })
        }
        _ => false,
    });
    assert!(found, "{:?}", report.problems);
}

#[test]
fn the_offices_plan_for_the_whole_court_targets_any_standard() {
    let w = World::new();
    let (mut court, _) = court_at(&w, at(2023, 1, 10));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/work-plan.example.toml");
    let example = WorkPlan::from_path(path, &w.catalog).unwrap();
    // A department cannot record it: it targets other departments' standards.
    let r = court.record_work_plan(&w.filing(), None, None, &example, None).unwrap();
    assert!(r.is_refused(), "{r:?}");
    let r = court.record_work_plan(&w.office(), None, None, &example, None).unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert!(r.payload.to_value().get("department").is_none(), "{}", r.payload);
    assert_eq!(court.affairs().work_plans[0].department, None);
    assert_eq!(court.work_plan().targets.len(), 3);
}

mod invariants {
    use chrono::Days;
    use proptest::prelude::*;
    use regula_standards::affairs::{PlanTarget, check_extension, check_targets};
    use regula_standards::catalog::Catalog;
    use regula_standards::plan::Milestone;

    fn catalog() -> Catalog {
        let mut c = Catalog::builtin().unwrap();
        c.set_core("ADJ-01-08", true).unwrap();
        c
    }

    proptest! {
        /// A target is accepted exactly when it is no later than the date of the step that
        /// governs the standard's milestone; an extension exactly when it is later.
        #[test]
        fn targets_never_pass_the_plan_and_extensions_always_do(
            index in 0usize..117,
            m in 0usize..3,
            offset in -400i64..400,
        ) {
            let catalog = catalog();
            let entry = catalog.standards()[index].clone();
            let milestone = Milestone::ALL[m];
            let step = catalog
                .steps()
                .iter()
                .filter(|s| s.milestone == milestone && s.scope.covers(&entry))
                .min_by_key(|s| s.due)
                .unwrap()
                .clone();
            let due = if offset >= 0 {
                step.due.checked_add_days(Days::new(offset.unsigned_abs())).unwrap()
            } else {
                step.due.checked_sub_days(Days::new(offset.unsigned_abs())).unwrap()
            };
            let target = PlanTarget { code: entry.code.clone(), milestone, due, note: None };
            let accepted = check_targets(&catalog, "office", None, std::slice::from_ref(&target)).is_ok();
            prop_assert_eq!(accepted, due <= step.due);
            let extended = check_extension(&catalog, &entry.code, &step.id, due, "理由").is_ok();
            prop_assert_eq!(extended, due > step.due);
        }
    }
}
