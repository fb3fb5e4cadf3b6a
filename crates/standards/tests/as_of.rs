//! Every view as of a past date rolls the whole standard back, not only its stage: its
//! department, versions and document numbers, revisions, inspections, the record
//! count, what blocks its next step, and the reports built on the ledger as of then.
#![allow(clippy::unwrap_used)]

mod driver;

use chrono::TimeDelta;
use driver::*;
use regula_core::Command;
use regula_standards::lifecycle::{Stage, StandardAction, roles};
use regula_standards::plan::{self, WorkPlan};

const CODE: &str = "ADJ-01-01"; // 立案 item 1: the plan names no department.

/// ADJ-01-01 assigned to 立案庭 on 2023-01-10, published as v1 (红林法〔2023〕15号) on
/// 2023-02-25, inspected on 2023-03-10, revised from 2023-03-11 and published as v2
/// (红林法〔2023〕31号) on 2023-04-25.
fn scenario() -> Driver {
    let mut d = Driver::adj_01_01_published();
    let office = d.office();
    d.ok(
        day(2023, 3, 10),
        CODE,
        &office,
        roles::OFFICE,
        inspection(day(2023, 3, 10), &["公示期限执行不统一"]),
    );
    d.ok(
        day(2023, 3, 11),
        CODE,
        &office,
        roles::OFFICE,
        revision("增加公示期限的要求"),
    );
    assert_eq!(
        d.draft_to_follow_up(CODE, "立案庭", day(2023, 3, 21), "红林法〔2023〕31号"),
        day(2023, 4, 25)
    );
    d
}

#[test]
fn a_standard_as_of_a_date_before_each_event_lacks_it() {
    let d = scenario();
    let court = &d.court;
    let now = court.instance(CODE).unwrap().clone();
    assert_eq!(now.data().versions.len(), 2);

    // Before work was opened: nothing.
    assert!(court.standard_as_of(CODE, morning(2022, 5, 15)).unwrap().is_none());
    assert!(court.instance_as_of(CODE, morning(2022, 5, 15)).unwrap().is_none());

    // Opened, before the assignment: research, no department, no version.
    let s = court.standard_as_of(CODE, morning(2023, 1, 9)).unwrap().unwrap();
    assert_eq!(s.instance.state(), &Stage::Research);
    assert_eq!(s.instance.data().department, None);
    assert!(s.instance.data().versions.is_empty());
    assert_eq!(s.records, 1);
    assert_eq!(s.last_record, morning(2022, 5, 16));

    // Assigned, drafting, no version yet.
    let s = court.standard_as_of(CODE, morning(2023, 1, 21)).unwrap().unwrap();
    assert_eq!(s.instance.state(), &Stage::Drafting);
    assert_eq!(s.instance.data().department.as_ref().unwrap().department, "case_filing");
    assert!(s.instance.data().versions.is_empty());
    assert!(s.instance.data().drafts.is_empty());
    assert_eq!(s.records, 3);

    // In consultation: the draft and its opinions, not yet the approval.
    let s = court.standard_as_of(CODE, morning(2023, 1, 23)).unwrap().unwrap();
    assert_eq!(s.instance.state(), &Stage::Consultation);
    assert_eq!(s.instance.data().drafts.len(), 1);
    assert_eq!(s.instance.data().consultations[0].opinions.len(), 2);
    assert!(s.instance.data().approvals.is_empty());

    // After v1, before the inspection and the revision: v1 under its number.
    let s = court.standard_as_of(CODE, morning(2023, 3, 1)).unwrap().unwrap();
    assert_eq!(s.instance.state(), &Stage::FollowUp);
    let data = s.instance.data();
    assert_eq!(data.versions.len(), 1);
    assert_eq!(data.in_force().unwrap().document_number, "红林法〔2023〕15号");
    assert!(data.inspections.is_empty());
    assert!(data.revisions.is_empty());

    // During the revision: v1 still in force, the revision open, one inspection.
    let s = court.standard_as_of(CODE, morning(2023, 3, 15)).unwrap().unwrap();
    let data = s.instance.data();
    assert_eq!(s.instance.state(), &Stage::Revision);
    assert_eq!(data.in_force().unwrap().number, 1);
    assert_eq!(data.inspections.len(), 1);
    assert!(data.open_revision().is_some());
    assert_eq!(data.drafts.len(), 1);
    // The revised draft in consultation, v1 still in force.
    let s = court.standard_as_of(CODE, morning(2023, 3, 23)).unwrap().unwrap();
    assert_eq!(s.instance.state(), &Stage::Consultation);
    assert_eq!(s.instance.data().drafts.len(), 2);
    assert_eq!(
        s.instance.data().in_force().unwrap().document_number,
        "红林法〔2023〕15号"
    );

    // After v2: everything, as now.
    let s = court.standard_as_of(CODE, morning(2023, 5, 1)).unwrap().unwrap();
    assert_eq!(s.instance.data(), now.data());
    assert_eq!(s.records, now.seq());
    assert_eq!(
        court.instance_as_of(CODE, morning(2023, 5, 1)).unwrap().unwrap().data(),
        now.data()
    );
}

#[test]
fn reports_as_of_a_past_date_use_the_ledger_as_of_then() {
    let d = scenario();
    let court = &d.court;
    let status = |at| {
        let ledger = court.ledger_as_of(at).unwrap();
        assert_eq!(ledger.len(), 117);
        plan::statuses(court.catalog(), &ledger, &WorkPlan::new(), at)
            .into_iter()
            .find(|s| s.code == CODE)
            .unwrap()
    };
    let before = status(morning(2023, 1, 9));
    assert_eq!(before.department, None);
    assert_eq!(before.department_label.zh, "未分配责任部门");
    assert_eq!(before.version_in_force, None);
    let v1 = status(morning(2023, 3, 1));
    assert_eq!(v1.department.unwrap().department, "case_filing");
    assert_eq!(v1.version_in_force, Some(1));
    assert_eq!(status(morning(2023, 5, 1)).version_in_force, Some(2));

    // The department load as of before the assignment counts it as unassigned.
    let at = morning(2023, 1, 9);
    let load = plan::department_load(court.catalog(), &court.ledger_as_of(at).unwrap(), &WorkPlan::new(), at);
    let unassigned = load.iter().find(|l| l.department.is_none()).unwrap();
    assert!(unassigned.codes.iter().any(|c| c == CODE));
    assert_eq!(unassigned.total, 13);
    let now = plan::department_load(court.catalog(), &court.ledger(), &WorkPlan::new(), morning(2023, 5, 1));
    assert_eq!(now.iter().find(|l| l.department.is_none()).unwrap().total, 12);
}

#[test]
fn what_blocks_as_of_a_past_date_is_judged_on_the_record_then() {
    let d = scenario();
    // Before the assignment, in research: starting to draft is blocked for want of a
    // department (today the standard is in follow-up, where nothing blocks that).
    let blockers = d.court.blockers(CODE, morning(2023, 1, 9)).unwrap();
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0].action, "start_drafting");
    assert_eq!(blockers[0].reasons.len(), 1, "{blockers:?}");
    // Before work was opened, nothing.
    assert!(d.court.blockers(CODE, morning(2022, 5, 1)).unwrap().is_empty());
    // Now: in follow-up, accepting is blocked for want of an evaluation.
    let now = d.court.blockers(CODE, morning(2023, 5, 1)).unwrap();
    assert_eq!(now[0].action, "accept");
}

/// An event entered after the fact belongs to the dates after its event time, though
/// it was appended after records written before it; a refusal counts by its own time.
#[test]
fn an_event_entered_after_the_fact_belongs_to_its_own_time() {
    let mut d = scenario();
    let office = d.office();
    // On 2023-06-20 the office enters an inspection made on 2023-06-01.
    d.clock.set(morning(2023, 6, 20));
    let r = d
        .court
        .apply(
            CODE,
            Command::new(
                office.clone(),
                roles::OFFICE,
                inspection(day(2023, 6, 1), &["评价数据未按月统计"]),
            )
            .at(morning(2023, 6, 1)),
        )
        .unwrap();
    assert!(!r.is_refused());
    assert_eq!(r.recorded_at, Some(morning(2023, 6, 20)));
    let court = &d.court;
    let seq = court.instance(CODE).unwrap().seq();
    // As of 2023-06-10 (before it was entered, after it happened) it is there.
    let s = court.standard_as_of(CODE, morning(2023, 6, 10)).unwrap().unwrap();
    assert_eq!(s.instance.data().inspections.len(), 2);
    assert_eq!(s.records, seq);
    // As of the day before it happened, it is not.
    let s = court.standard_as_of(CODE, morning(2023, 5, 31)).unwrap().unwrap();
    assert_eq!(s.instance.data().inspections.len(), 1);
    assert_eq!(s.records, seq - 1);
    assert_eq!(
        court
            .instance_as_of(CODE, morning(2023, 6, 1) - TimeDelta::seconds(1))
            .unwrap()
            .unwrap()
            .data()
            .inspections
            .len(),
        1
    );
}

mod invariants {
    //! Whatever the log (self-loops, refusals, events entered after the fact), the
    //! standard as of any instant T is its current data with everything dated after T
    //! left out; the fast path and the replay agree; and views only grow with T.

    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::Config;
    use regula_core::Clock;

    /// One attempt in follow-up: what, how many days later, and whether it is entered
    /// after the fact (dated halfway between the last change and now).
    #[derive(Clone, Debug)]
    struct Step {
        kind: u8,
        days: i64,
        back_dated: bool,
        met: bool,
    }

    fn step() -> impl Strategy<Value = Step> {
        (0u8..4, 0i64..20, any::<bool>(), any::<bool>()).prop_map(|(kind, days, back_dated, met)| Step {
            kind,
            days,
            back_dated,
            met,
        })
    }

    proptest! {
        #![proptest_config(Config { cases: 24, failure_persistence: None, ..Config::default() })]
        #[test]
        fn the_standard_as_of_t_is_its_data_dated_up_to_t(
            steps in proptest::collection::vec(step(), 1..12),
            probes in proptest::collection::vec(0i64..400, 1..6),
        ) {
            let mut d = scenario();
            let office = d.office();
            let dept = d.staff("立案庭");
            for s in &steps {
                d.clock.advance(TimeDelta::days(s.days) + TimeDelta::hours(1));
                let now = d.clock.now();
                let today = d.court.config().local_date(now);
                let (who, role, action) = match s.kind {
                    0 => (dept.clone(), roles::DEPARTMENT, StandardAction::ReportImplementation {
                        period: "本季度".into(),
                        summary: "按标准办理".into(),
                    }),
                    1 => (office.clone(), roles::OFFICE, inspection(today, &["x"])),
                    2 => (office.clone(), roles::OFFICE, evaluation(today, 2, [true, s.met])),
                    // No such step from follow-up: refused.
                    _ => (dept.clone(), roles::DEPARTMENT, StandardAction::CloseConsultation),
                };
                let mut command = Command::new(who, role, action);
                if s.back_dated {
                    let settled = d.court.instance(CODE).unwrap().settled_at();
                    command = command.at(settled + (now - settled) / 2);
                }
                d.court.apply(CODE, command).unwrap();
            }
            let court = &d.court;
            let current = court.instance(CODE).unwrap().data().clone();
            let log = court.history(CODE).unwrap();
            let mut previous: Option<regula_standards::StandardData> = None;
            let mut probes = probes;
            probes.sort_unstable();
            for p in probes {
                let t = morning(2023, 1, 1) + TimeDelta::hours(p * 24 + 7);
                let replayed = court.standard_as_of(CODE, t).unwrap().unwrap();
                let data = replayed.instance.data();
                // The fast path agrees with the replay.
                let fast = court.instance_as_of(CODE, t).unwrap().unwrap();
                prop_assert_eq!(fast.data(), data);
                // Everything dated up to t, nothing after.
                let upto = |at: chrono::DateTime<chrono::Utc>| at <= t;
                prop_assert_eq!(data.versions.iter().collect::<Vec<_>>(), current.versions.iter().filter(|v| upto(v.stamp.at)).collect::<Vec<_>>());
                prop_assert_eq!(data.inspections.iter().collect::<Vec<_>>(), current.inspections.iter().filter(|v| upto(v.stamp.at)).collect::<Vec<_>>());
                prop_assert_eq!(data.evaluations.iter().collect::<Vec<_>>(), current.evaluations.iter().filter(|v| upto(v.stamp.at)).collect::<Vec<_>>());
                prop_assert_eq!(data.reports.iter().collect::<Vec<_>>(), current.reports.iter().filter(|v| upto(v.stamp.at)).collect::<Vec<_>>());
                prop_assert_eq!(data.history.iter().collect::<Vec<_>>(), current.history.iter().filter(|c| upto(c.stamp.at)).collect::<Vec<_>>());
                prop_assert_eq!(replayed.records, log.iter().filter(|r| upto(r.at)).count() as u64);
                // Views only grow with t.
                if let Some(before) = &previous {
                    prop_assert!(data.inspections.starts_with(&before.inspections));
                    prop_assert!(data.history.starts_with(&before.history));
                }
                previous = Some(data.clone());
            }
        }
    }
}

/// The rules roll back too: an amendment that moves a step's due date (the leading
/// group's decision, 2024-01-15) does not change what was late before it.
#[test]
fn reports_as_of_a_date_use_the_rules_in_force_then() {
    let mut d = scenario();
    d.clock.set(morning(2024, 1, 15));
    let text = regula_standards::catalog::BUILTIN_CATALOG.replace("due = 2023-12-31", "due = 2024-06-30");
    let amended = regula_standards::Catalog::from_toml_str(&text).unwrap();
    let head = d.head();
    let record = d
        .court
        .amend_rules(&head, amended, "延长第一步第二年期限", None)
        .unwrap();
    assert!(!record.is_refused(), "{record:?}");
    let court = &d.court;
    let due = |at| {
        let catalog = court.catalog_as_of(at).unwrap();
        catalog.steps().iter().find(|s| s.id == "build-all").unwrap().due
    };
    assert_eq!(due(morning(2023, 6, 1)), day(2023, 12, 31));
    assert_eq!(due(morning(2024, 1, 14)), day(2023, 12, 31));
    assert_eq!(due(morning(2024, 1, 15)), day(2024, 6, 30));
    assert_eq!(court.catalog().steps()[1].due, day(2024, 6, 30));
    // Before the amendment ADJ-01-09 was late against step 1; after it, not yet due.
    let late = |at| {
        let report = plan::lateness(
            &court.catalog_as_of(at).unwrap(),
            &court.ledger_as_of(at).unwrap(),
            &WorkPlan::new(),
            at,
        );
        let step = report.steps.iter().find(|s| s.step == "build-all").unwrap();
        step.late.iter().any(|l| l.code == "ADJ-01-09")
    };
    assert!(late(morning(2024, 1, 10)));
    assert!(!late(morning(2024, 2, 1)));
    // The 2023 assessment judges 2023 by the rules in force at its end: step 1 was due.
    let y2023 = court.assessment(2023).unwrap();
    assert_eq!(
        y2023.steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(),
        ["build-all"]
    );
    assert_eq!(y2023.total.steps[0].due, 117);
    // And 2024 by the amended ones: step 1 due in 2024, beside step 2.
    let y2024 = court.assessment(2024).unwrap();
    assert_eq!(
        y2024.steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(),
        ["build-all", "refine"]
    );
}
