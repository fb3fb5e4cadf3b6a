//! The plan's steps, the office's targets, lateness in Beijing time, and the progress
//! and load reports.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::*;
use regula_standards::catalog::CatalogErrorKind;
use regula_standards::lifecycle::{Stage, StandardAction, roles};
use regula_standards::plan::{
    self, GroupBy, Ledger, Milestone, Standing, WorkPlan, department_load, end_of_day, lateness, progress,
};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// Publishes `code` at `at` (its consultation and approval in the weeks before).
fn published_at(w: &World, code: &str, at: DateTime<Utc>, n: u32) -> Std {
    w.clock.set(at - TimeDelta::days(60));
    let (mut s, mut log) = w.to_consultation(code);
    w.to_approved(&mut s, &mut log);
    w.clock.set(at);
    let number = format!("红林法〔{}〕{n}号", w.today().format("%Y"));
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        publish(&number, w.today()),
    ));
    s
}

#[test]
fn due_dates_end_at_midnight_beijing_time() {
    let w = World::new();
    assert_eq!(w.config.end_of_day(date(2023, 12, 31)), utc(2023, 12, 31, 16, 0, 0));
    let utc0 = chrono::FixedOffset::east_opt(0).unwrap();
    assert_eq!(end_of_day(date(2023, 12, 31), utc0), utc(2024, 1, 1, 0, 0, 0));

    let ledger = Ledger::new();
    let none = WorkPlan::new();
    // One second before the end of 2023-12-31 in Beijing, nothing is late yet.
    let r = lateness(&w.catalog, &ledger, &none, utc(2023, 12, 31, 15, 59, 59));
    assert!(r.steps.iter().all(|s| s.late.is_empty()));
    assert_eq!(r.as_of_date, date(2023, 12, 31));
    // The end of the day is the deadline: as of that instant (a report "as of
    // 2023-12-31"), every unbuilt standard has missed it, by 0 whole days; during the
    // next day, by 1.
    let r = lateness(&w.catalog, &ledger, &none, w.config.end_of_day(date(2023, 12, 31)));
    let build_all = r.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert_eq!(build_all.late.len(), 117);
    assert_eq!(build_all.late[0].days_overdue, 0);
    assert_eq!(r.as_of_date, date(2023, 12, 31));
    let r = lateness(&w.catalog, &ledger, &none, utc(2023, 12, 31, 16, 0, 1));
    let build_all = r.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert_eq!(build_all.late.len(), 117);
    assert_eq!(build_all.late[0].days_overdue, 1);
    assert_eq!(r.as_of_date, date(2024, 1, 1));
    // Nobody is core unless the operator says so: the year-one step lists nobody.
    let build_core = r.steps.iter().find(|s| s.step == "build-core").unwrap();
    assert!(build_core.late.is_empty());
    // The thirteen standards without a department are shown as such.
    let unassigned: Vec<_> = build_all.late.iter().filter(|l| l.unassigned).collect();
    assert_eq!(unassigned.len(), 13);
    assert!(unassigned.iter().all(|l| l.department_label.zh == "未分配责任部门"));
}

#[test]
fn core_standards_are_due_in_year_one() {
    let w = World::new();
    let mut catalog = w.catalog.clone();
    catalog.set_core("ADJ-03-01", true).unwrap();
    let r = lateness(&catalog, &Ledger::new(), &WorkPlan::new(), utc(2023, 1, 1, 0, 0, 0));
    let core = r.steps.iter().find(|s| s.step == "build-core").unwrap();
    assert_eq!(
        core.late.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
        ["ADJ-03-01"]
    );
    assert!(r.steps.iter().find(|s| s.step == "build-all").unwrap().late.is_empty());
    // A core standard answers to the year-one step only, not twice.
    let r = lateness(&catalog, &Ledger::new(), &WorkPlan::new(), utc(2024, 6, 1, 0, 0, 0));
    let all = r.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert!(!all.late.iter().any(|l| l.code == "ADJ-03-01"));
    assert_eq!(all.late.len(), 116);
}

#[test]
fn the_work_plan_target_replaces_the_step_date() {
    let w = World::new();
    let mut wp = WorkPlan::new();
    wp.set("ADJ-01-08", Milestone::Published, date(2023, 6, 30));
    // 2023-07-01 08:00 Beijing: only the standard with a target is late.
    let r = lateness(&w.catalog, &Ledger::new(), &wp, utc(2023, 7, 1, 0, 0, 0));
    let late: Vec<_> = r.steps.iter().flat_map(|s| s.late.iter()).collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].code, "ADJ-01-08");
    assert_eq!(late[0].due, date(2023, 6, 30));
    assert!(late[0].from_work_plan);
    assert_eq!(r.steps[1].late.len(), 1, "listed under the step it refines");

    // Published on 2023-06-20 it is on time; the target is judged, not the step.
    let s = published_at(&w, "ADJ-01-08", utc(2023, 6, 20, 2, 0, 0), 20);
    let ledger: Ledger = [s.data().clone()].into_iter().collect();
    let statuses = plan::statuses(&w.catalog, &ledger, &wp, utc(2023, 7, 1, 0, 0, 0));
    let st = statuses.iter().find(|x| x.code == "ADJ-01-08").unwrap();
    assert_eq!(st.milestones[0].due.due, date(2023, 6, 30));
    assert!(matches!(st.milestones[0].standing, Standing::Done { late: false, .. }));
    assert_eq!(st.milestones[0].standing_label.zh, "按期完成");
    assert_eq!(st.version_in_force, Some(1));
}

#[test]
fn a_target_past_the_step_date_does_not_move_the_deadline_back() {
    let w = World::new();
    let mut wp = WorkPlan::new();
    wp.set("ADJ-01-08", Milestone::Published, date(2024, 6, 30));
    // As of 2024-01-02 the step's date (2023-12-31) still binds: a work plan only brings
    // deadlines forward; moving one back is the leading group's extension.
    let r = lateness(&w.catalog, &Ledger::new(), &wp, utc(2024, 1, 2, 0, 0, 0));
    let late = r.steps[1].late.iter().find(|l| l.code == "ADJ-01-08").unwrap();
    assert_eq!(late.due, date(2023, 12, 31));
    assert!(!late.from_work_plan);
}

#[test]
fn work_plans_load_from_toml_and_name_bad_codes() {
    let w = World::new();
    let src = "year = 2023\n\n[[targets]]\ncode = \"ADJ-01-08\"\ndue = 2023-06-30\nnote = \"第3项\"\n\n[[targets]]\ncode = \"ADM-05-01\"\nmilestone = \"refined\"\ndue = 2024-06-30\n";
    let wp = WorkPlan::from_toml_str(src, &w.catalog).unwrap();
    assert_eq!(wp.year, Some(2023));
    assert_eq!(wp.target("ADJ-01-08", Milestone::Published), Some(date(2023, 6, 30)));
    assert_eq!(wp.target("ADM-05-01", Milestone::Refined), Some(date(2024, 6, 30)));
    assert_eq!(wp.target("ADM-05-01", Milestone::Published), None);

    let bad = src.replace("ADM-05-01", "ADM-05-99");
    let e = WorkPlan::from_toml_str(&bad, &w.catalog).unwrap_err();
    assert_eq!((e.line, e.column), (9, 8));
    assert!(matches!(&e.kind, CatalogErrorKind::UnknownStandard { code } if code == "ADM-05-99"));
    let dup = src
        .replace("ADM-05-01", "ADJ-01-08")
        .replace("milestone = \"refined\"\n", "");
    let e = WorkPlan::from_toml_str(&dup, &w.catalog).unwrap_err();
    assert!(
        matches!(
            &e.kind,
            CatalogErrorKind::DuplicateCode {
                what: "target",
                first_line: 3,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn milestones_done_late_and_revisions_pending_at_the_refine_date() {
    let w = World::new();
    let none = WorkPlan::new();
    // Published in February 2024: late against step one, but done.
    let late = published_at(&w, "ADJ-01-09", utc(2024, 2, 10, 2, 0, 0), 3);
    // Published on time, in follow-up, then in revision across the end of 2024.
    let mut revised = published_at(&w, "ADJ-01-08", utc(2023, 6, 1, 2, 0, 0), 40);
    let mut log = Vec::new();
    accepted(&w.act(
        &mut revised,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::BeginFollowUp,
    ));
    w.clock.set(utc(2024, 11, 1, 2, 0, 0));
    accepted(&w.act(
        &mut revised,
        &mut log,
        &w.office(),
        roles::OFFICE,
        StandardAction::OpenRevision {
            cause: regula_standards::lifecycle::RevisionCause::Gap,
            summary: "补充网上办理".into(),
        },
    ));
    let ledger: Ledger = [late.data().clone(), revised.data().clone()].into_iter().collect();

    let as_of = utc(2025, 1, 10, 0, 0, 0);
    let statuses = plan::statuses(&w.catalog, &ledger, &none, as_of);
    let l = statuses.iter().find(|s| s.code == "ADJ-01-09").unwrap();
    match l.milestones[0].standing {
        Standing::Done { at, late } => {
            assert!(late);
            assert_eq!(at, utc(2024, 2, 10, 2, 0, 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(l.milestones[0].standing_label.en, "done late");
    assert_eq!(l.stage, Some(Stage::Published));
    // Never in follow-up by the end of 2024: overdue against step two.
    assert_eq!(l.milestones[1].due.milestone, Milestone::Refined);
    assert_eq!(l.milestones[1].standing, Standing::Overdue { days: 10 });

    let r = statuses.iter().find(|s| s.code == "ADJ-01-08").unwrap();
    assert!(matches!(r.milestones[0].standing, Standing::Done { late: false, .. }));
    assert_eq!(r.stage, Some(Stage::Revision));
    assert_eq!(
        r.version_in_force,
        Some(1),
        "the version in force stays during revision"
    );
    assert!(
        r.milestones[1].standing.is_overdue(),
        "a revision open over the refine date is late"
    );
    assert_eq!(r.milestones[2].standing, Standing::Pending);

    // As of mid-2024 the revised standard counted as refined (follow-up) — not yet due.
    let mid = plan::statuses(&w.catalog, &ledger, &none, utc(2024, 7, 1, 0, 0, 0));
    let r = mid.iter().find(|s| s.code == "ADJ-01-08").unwrap();
    assert_eq!(r.stage, Some(Stage::FollowUp));
    assert!(matches!(r.milestones[1].standing, Standing::Done { late: false, .. }));

    // The lateness report lists what is overdue, not what was done late.
    let report = lateness(&w.catalog, &ledger, &none, as_of);
    let step1 = report.steps.iter().find(|s| s.step == "build-all").unwrap();
    assert!(
        !step1
            .late
            .iter()
            .any(|x| x.code == "ADJ-01-09" || x.code == "ADJ-01-08")
    );
    assert_eq!(step1.late.len(), 115);
    let step2 = report.steps.iter().find(|s| s.step == "refine").unwrap();
    assert_eq!(step2.late.len(), 117);
}

#[test]
fn progress_by_domain_category_department_and_stage() {
    let w = World::new();
    let none = WorkPlan::new();
    let a = published_at(&w, "ADJ-01-08", utc(2023, 5, 1, 2, 0, 0), 1);
    let b = published_at(&w, "ADM-01-01", utc(2023, 5, 2, 2, 0, 0), 2);
    let (c, _) = w.to_consultation("PER-06-01");
    let (d, _) = w.open("ADJ-01-01");
    let ledger: Ledger = [a, b, c, d].iter().map(|s| s.data().clone()).collect();
    let as_of = utc(2023, 9, 1, 0, 0, 0);

    let by_domain = progress(&w.catalog, &ledger, &none, as_of, GroupBy::Domain);
    let totals: Vec<(&str, usize, usize)> = by_domain
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.total, r.in_force))
        .collect();
    assert_eq!(totals, [("ADJ", 60, 1), ("ADM", 36, 1), ("PER", 21, 0)]);
    assert_eq!(by_domain.total.total, 117);
    assert_eq!(by_domain.total.unassigned, 13);
    let adj = &by_domain.rows[0];
    let count =
        |row: &plan::ProgressRow, stage: Option<Stage>| row.by_stage.iter().find(|c| c.stage == stage).unwrap().count;
    assert_eq!(count(adj, None), 58);
    assert_eq!(count(adj, Some(Stage::Published)), 1);
    assert_eq!(count(adj, Some(Stage::Research)), 1);
    assert_eq!(adj.by_stage.len(), 10, "every stage is a column, with zeros");
    assert_eq!(adj.by_stage[0].label.zh, "未启动");

    let by_category = progress(&w.catalog, &ledger, &none, as_of, GroupBy::Category);
    assert_eq!(by_category.rows.len(), 21);
    assert_eq!(by_category.rows[0].total, 23);
    assert_eq!(by_category.rows[0].unassigned, 13);
    assert_eq!(by_category.rows[20].label.zh, "督察工作标准");
    assert_eq!(count(&by_category.rows[20], Some(Stage::Consultation)), 1);

    let by_department = progress(&w.catalog, &ledger, &none, as_of, GroupBy::Department);
    let keys: Vec<(&str, usize)> = by_department.rows.iter().map(|r| (r.key.as_str(), r.total)).collect();
    assert_eq!(
        keys,
        [
            ("case_filing", 33),
            ("comprehensive_trial", 4),
            ("enforcement", 10),
            ("political", 23),
            ("general_office", 27),
            ("judicial_police", 5),
            ("party_branch", 2),
            ("unassigned", 13),
        ]
    );
    assert_eq!(by_department.rows[7].label.en, "unassigned");

    let by_stage = progress(&w.catalog, &ledger, &none, as_of, GroupBy::Stage);
    let stages: Vec<(&str, usize)> = by_stage
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.total))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(
        stages,
        [
            ("not_started", 113),
            ("research", 1),
            ("consultation", 1),
            ("published", 2)
        ]
    );
    assert_eq!(by_stage.rows[5].codes, ["ADJ-01-08", "ADM-01-01"]);

    // As of before anything was opened, everything is not started.
    let early = progress(&w.catalog, &ledger, &none, utc(2022, 6, 1, 0, 0, 0), GroupBy::Stage);
    assert_eq!(early.rows[0].total, 117);

    // Reports serialize with both languages.
    let json = serde_json::to_value(&by_domain).unwrap();
    assert_eq!(json["rows"][0]["label"]["zh"], "审判工作标准化");
    assert_eq!(json["rows"][0]["label"]["en"], "Adjudication work");
    assert_eq!(json["group_by"], "domain");
}

#[test]
fn each_departments_load_with_unassigned_in_its_own_row() {
    let w = World::new();
    let none = WorkPlan::new();
    let a = published_at(&w, "ADJ-01-08", utc(2023, 5, 1, 2, 0, 0), 1);
    // The office assigns one of the thirteen to 立案庭.
    let (mut u, mut log) = w.open("ADJ-01-02");
    accepted(&w.act(
        &mut u,
        &mut log,
        &w.office(),
        roles::OFFICE,
        StandardAction::AssignDepartment {
            department: "立案庭".into(),
        },
    ));
    let ledger: Ledger = [a.data().clone(), u.data().clone()].into_iter().collect();

    let load = department_load(&w.catalog, &ledger, &none, utc(2024, 1, 2, 0, 0, 0));
    assert_eq!(load.len(), 8);
    let filing = &load[0];
    assert_eq!(filing.label.zh, "立案庭");
    assert_eq!(filing.total, 34);
    assert_eq!(filing.in_force, 1);
    assert_eq!(filing.in_progress, 1);
    assert_eq!(filing.not_started, 32);
    assert_eq!(filing.overdue, 33);
    let political = load
        .iter()
        .find(|l| l.department.as_deref() == Some("political"))
        .unwrap();
    assert_eq!(political.total, 23, "政治部督察室's four standards count for 政治部");
    let unassigned = load.last().unwrap();
    assert_eq!(unassigned.department, None);
    assert_eq!(unassigned.label.zh, "未分配责任部门");
    assert_eq!(unassigned.total, 12);
    assert_eq!(unassigned.overdue, 12);
    assert_eq!(load.iter().map(|l| l.total).sum::<usize>(), 117);
}

#[test]
fn the_example_work_plan_loads() {
    let w = World::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/work-plan.example.toml");
    let wp = WorkPlan::from_path(path, &w.catalog).unwrap();
    assert_eq!(wp.targets.len(), 3);
    assert_eq!(wp.target("ADJ-07-02", Milestone::Published), Some(date(2023, 9, 30)));
    let e = WorkPlan::from_path("/nonexistent/work-plan.toml", &w.catalog).unwrap_err();
    assert!(matches!(e.kind, CatalogErrorKind::Io(_)));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/work-plan.toml: cannot read the file")
    );
}
