//! The yearly department assessment (考核) on a small log built by hand, whose every
//! figure is known: on-time rates per step, refusals by rule, inspections and their
//! findings, failed evaluations and revisions, per department and for the court.
#![allow(clippy::unwrap_used)]

mod driver;

use driver::*;
use regula_core::{Clock, Command};
use regula_standards::assessment::{AssessmentReport, AssessmentRow, assess};
use regula_standards::lifecycle::{StandardAction, roles};
use regula_standards::plan::WorkPlan;

/// 立案庭's ADJ-01-08 drafted in 2022 (one refusal then), published in 2023 with a
/// refusal of an incomplete draft, an attempt in a role its actor does not hold, an
/// inspection (2 findings), a failed and a passed evaluation, a revision, and an
/// inspection made in 2023 but entered in 2024 (1 finding); an inspection in 2024 (3
/// findings). 立案庭's ADJ-01-09 published in 2023; ADJ-01-10 (unassigned) withdrawn in 2023.
/// ADJ-01-01, unassigned, refused a start without a department, then assigned to 执行局,
/// which tries a step that does not exist from research.
fn scenario() -> Driver {
    let mut d = Driver::new();
    let filing = d.staff("立案庭");
    let office = d.office();
    let head = d.head();
    let code = "ADJ-01-08";
    d.ok(
        day(2022, 11, 1),
        code,
        &filing,
        roles::DEPARTMENT,
        StandardAction::StartDrafting { summary: None },
    );
    d.refused(
        day(2022, 11, 2),
        code,
        &filing,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    d.refused(
        day(2023, 1, 5),
        code,
        &filing,
        roles::DEPARTMENT,
        StandardAction::OpenConsultation {
            draft: draft_without_criteria(),
        },
    );
    assert_eq!(
        d.draft_to_follow_up(code, "立案庭", day(2023, 1, 5), "红林法〔2023〕15号"),
        day(2023, 2, 9)
    );
    // Someone of 立案庭 records an inspection as if of the office.
    d.refused(
        day(2023, 2, 11),
        code,
        &filing,
        roles::OFFICE,
        inspection(day(2023, 2, 11), &["x"]),
    );
    d.ok(
        day(2023, 3, 1),
        code,
        &office,
        roles::OFFICE,
        inspection(day(2023, 3, 1), &["公示期限不统一", "未按月统计"]),
    );
    d.ok(
        day(2023, 4, 1),
        code,
        &office,
        roles::OFFICE,
        evaluation(day(2023, 4, 1), 1, [true, false]),
    );
    d.ok(
        day(2023, 4, 2),
        code,
        &office,
        roles::OFFICE,
        evaluation(day(2023, 4, 2), 1, [true, true]),
    );
    d.ok(day(2023, 4, 3), code, &office, roles::OFFICE, revision("补充公示期限"));
    // Entered on 2024-01-03, made on 2023-12-20.
    d.clock.set(morning(2024, 1, 3));
    let r = d
        .court
        .apply(
            code,
            Command::new(
                office.clone(),
                roles::OFFICE,
                inspection(day(2023, 12, 20), &["评价数据缺失"]),
            )
            .at(morning(2023, 12, 20)),
        )
        .unwrap();
    assert!(!r.is_refused());
    d.ok(
        day(2024, 1, 5),
        code,
        &office,
        roles::OFFICE,
        inspection(day(2024, 1, 5), &["a", "b", "c"]),
    );

    d.publish_first("ADJ-01-09", "立案庭", day(2023, 6, 1), "红林法〔2023〕20号");
    d.ok(
        day(2023, 7, 1),
        "ADJ-01-10",
        &head,
        roles::LEADING_GROUP,
        StandardAction::Withdraw {
            reason: "与 ADJ-01-09 合并".into(),
        },
    );

    let unassigned = "ADJ-01-01";
    d.refused(
        day(2023, 2, 1),
        unassigned,
        &filing,
        roles::DEPARTMENT,
        StandardAction::StartDrafting { summary: None },
    );
    d.ok(
        day(2023, 2, 2),
        unassigned,
        &office,
        roles::OFFICE,
        StandardAction::AssignDepartment {
            department: "执行局".into(),
        },
    );
    let enforcement = d.staff("执行局");
    d.refused(
        day(2023, 2, 3),
        unassigned,
        &enforcement,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    // The reports are made on the day of the last event.
    d.clock.set(morning(2024, 1, 5));
    d
}

fn row<'a>(report: &'a AssessmentReport, key: &str) -> &'a AssessmentRow {
    report.rows.iter().find(|r| r.key == key).unwrap()
}

/// `(rule, count)` of a row, most frequent first.
fn rules(row: &AssessmentRow) -> Vec<(&str, usize)> {
    row.refusals_by_rule
        .iter()
        .map(|r| (r.rule.as_str(), r.count))
        .collect()
}

/// The catalog's standards of a department.
fn in_catalog(d: &Driver, department: &str) -> usize {
    d.court
        .catalog()
        .standards()
        .iter()
        .filter(|e| e.department.as_ref().is_some_and(|r| r.department == department))
        .count()
}

#[test]
fn the_2023_assessment_has_the_known_figures() {
    let d = scenario();
    let report = d.court.assessment(2023).unwrap();
    assert_eq!(report.year, 2023);
    assert_eq!(
        report.from,
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2022, 12, 31, 16, 0, 0).unwrap()
    );
    assert_eq!(
        report.until,
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2023, 12, 31, 16, 0, 0).unwrap()
    );
    // Only step 1 (year two) is due in 2023.
    let steps: Vec<&str> = report.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["build-all"]);

    let filing = row(&report, "case_filing");
    assert_eq!(filing.label.zh, "立案庭");
    // Every standard of 立案庭 is due; two were published in time.
    assert_eq!(filing.steps[0].due, in_catalog(&d, "case_filing"));
    assert_eq!(filing.steps[0].on_time, 2);
    assert_eq!(filing.refusals, 2);
    assert_eq!(rules(filing), [("actor_fits_role", 1), ("draft_complete", 1)]);
    assert_eq!(filing.inspections, 2);
    assert_eq!(filing.findings, 3);
    assert_eq!(filing.evaluations, 2);
    assert_eq!(filing.evaluations_failed, 1);
    assert_eq!(filing.revisions_opened, 1);

    // ADJ-01-01 is 执行局's by the due date; its refusal before that is the unassigned row's.
    let enforcement = row(&report, "enforcement");
    assert_eq!(enforcement.steps[0].due, in_catalog(&d, "enforcement") + 1);
    assert_eq!(enforcement.steps[0].on_time, 0);
    assert_eq!(enforcement.steps[0].on_time_rate, Some(0.0));
    assert_eq!(enforcement.refusals, 1);
    assert_eq!(rules(enforcement), [("no_transition", 1)]);
    assert_eq!(enforcement.inspections, 0);
    let unassigned = row(&report, "unassigned");
    // 13 unassigned in the plan, less ADJ-01-01 (执行局's) and ADJ-01-10 (withdrawn).
    assert_eq!(unassigned.steps[0].due, 11);
    assert_eq!(unassigned.refusals, 1);
    // One refusal naming two rules counts once under each.
    assert_eq!(rules(unassigned), [("actor_fits_role", 1), ("department_assigned", 1)]);
    assert_eq!(unassigned.refusals_by_rule[1].label.zh, "须已指定责任部门");
    assert_eq!(
        unassigned.refusals_by_rule[1].label.en,
        "a responsible department is assigned"
    );

    let total = &report.total;
    assert_eq!(total.steps[0].due, 116);
    assert_eq!(total.steps[0].on_time, 2);
    assert_eq!(total.steps[0].pending, 0);
    assert_eq!(total.steps[0].on_time_rate, Some(2.0 / 116.0));
    assert_eq!(total.refusals, 4);
    assert_eq!(
        rules(total),
        [
            ("actor_fits_role", 2),
            ("department_assigned", 1),
            ("draft_complete", 1),
            ("no_transition", 1)
        ]
    );
    assert_eq!(total.refusals_by_rule[3].label.en, "no such step from this stage");
    assert_eq!(total.inspections, 2);
    assert_eq!(total.findings, 3);
    assert_eq!(total.evaluations, 2);
    assert_eq!(total.evaluations_failed, 1);
    assert_eq!(total.revisions_opened, 1);
    // The rows add up to the total.
    assert_eq!(report.rows.iter().map(|r| r.refusals).sum::<usize>(), total.refusals);
    assert_eq!(
        report.rows.iter().map(|r| r.steps[0].due).sum::<usize>(),
        total.steps[0].due
    );
    // A department with nothing to show still has its row, with zeros.
    let police = row(&report, "judicial_police");
    assert_eq!(police.refusals, 0);
    assert_eq!(police.steps[0].on_time, 0);
}

#[test]
fn other_years_count_their_own_events_and_steps() {
    let d = scenario();
    let y2022 = d.court.assessment(2022).unwrap();
    let steps: Vec<&str> = y2022.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["build-core"]);
    // No standard is flagged core: nothing due, no rate.
    assert_eq!(y2022.total.steps[0].due, 0);
    assert_eq!(y2022.total.steps[0].on_time_rate, None);
    assert_eq!(row(&y2022, "case_filing").refusals, 1);
    assert_eq!(rules(row(&y2022, "case_filing")), [("no_transition", 1)]);
    assert_eq!(y2022.total.refusals, 1);
    assert_eq!(y2022.total.inspections, 0);

    let y2024 = d.court.assessment(2024).unwrap();
    let steps: Vec<&str> = y2024.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["refine"]);
    // Refined by 2024-12-31, judged on 2024-01-05 (the clock): ADJ-01-09 is in
    // follow-up already; every other is still to come (ADJ-01-08 is in revision).
    assert_eq!(d.clock.now(), morning(2024, 1, 5));
    assert_eq!(y2024.total.steps[0].due, 116);
    assert_eq!(y2024.total.steps[0].on_time, 1);
    assert_eq!(y2024.total.steps[0].pending, 115);
    assert_eq!(y2024.total.steps[0].on_time_rate, Some(1.0));
    // Once the year is over, what was pending is late.
    let logs: Vec<Vec<regula_core::AuditRecord>> = d
        .court
        .instances()
        .map(|(code, _)| d.court.history(code).unwrap())
        .collect();
    let later = assess(
        d.court.catalog(),
        d.court.versions(),
        &WorkPlan::new(),
        &logs,
        2024,
        morning(2025, 1, 1),
    )
    .unwrap();
    assert_eq!((later.total.steps[0].on_time, later.total.steps[0].pending), (1, 0));
    assert_eq!(later.total.steps[0].on_time_rate, Some(1.0 / 116.0));
    assert_eq!(row(&y2024, "case_filing").inspections, 1);
    assert_eq!(row(&y2024, "case_filing").findings, 3);
    assert_eq!(y2024.total.refusals, 0);
    assert_eq!(y2024.total.revisions_opened, 0);
}

#[test]
fn a_work_plan_target_moves_a_standard_into_its_year() {
    // The office's plan wants ADJ-01-09 published by 2022-12-31: due in 2022, on time
    // only if published by then (it was not).
    let d = scenario();
    let mut plan = WorkPlan::new();
    plan.set("ADJ-01-09", regula_standards::Milestone::Published, day(2022, 12, 31));
    let logs: Vec<Vec<regula_core::AuditRecord>> = d
        .court
        .instances()
        .map(|(code, _)| d.court.history(code).unwrap())
        .collect();
    let y2022 = assess(d.court.catalog(), d.court.versions(), &plan, &logs, 2022, d.clock.now()).unwrap();
    let steps: Vec<&str> = y2022.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["build-core", "build-all"]);
    let filing = row(&y2022, "case_filing");
    assert_eq!((filing.steps[1].due, filing.steps[1].on_time), (1, 0));
    let y2023 = assess(d.court.catalog(), d.court.versions(), &plan, &logs, 2023, d.clock.now()).unwrap();
    assert_eq!(
        row(&y2023, "case_filing").steps[0].due,
        in_catalog(&d, "case_filing") - 1
    );
    assert_eq!(row(&y2023, "case_filing").steps[0].on_time, 1);
}

#[test]
fn a_year_out_of_range_is_a_typed_error() {
    let d = Driver::new();
    let e = d.court.assessment(i32::MAX).unwrap_err();
    assert!(
        matches!(
            e,
            regula_standards::assessment::AssessmentError::YearOutOfRange { year: i32::MAX }
        ),
        "{e}"
    );
}
