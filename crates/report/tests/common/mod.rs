//! Reports built by hand for the tests: every section, with names and figures chosen
//! by the test.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use regula_core::Text;
use regula_standards::assessment::{AssessedStep, AssessmentReport, AssessmentRow, StepRate};
use regula_standards::lifecycle::Stage;
use regula_standards::plan::{
    GroupBy, LateEntry, LatenessReport, Milestone, ProgressReport, ProgressRow, StageCount, StepLateness,
};
use regula_standards::report::Report;

pub fn text(zh: &str, en: &str) -> Text {
    Text::owned(zh.to_owned(), en.to_owned())
}

/// A progress row with `counts[i]` standards at the i-th of not started, then each stage.
pub fn row(key: &str, label: Text, counts: &[usize; 10]) -> ProgressRow {
    let by_stage = std::iter::once(None)
        .chain(Stage::ALL.into_iter().map(Some))
        .zip(counts)
        .map(|(stage, &count)| StageCount {
            stage,
            label: stage.map_or_else(|| text("未启动", "not started"), Stage::label),
            count,
        })
        .collect();
    ProgressRow {
        key: key.to_owned(),
        label,
        total: counts.iter().sum(),
        by_stage,
        in_force: 0,
        unassigned: 0,
        overdue: 0,
        codes: vec![],
    }
}

pub fn progress(group_by: GroupBy, rows: Vec<(Text, [usize; 10])>) -> ProgressReport {
    let mut total = [0; 10];
    for (_, c) in &rows {
        for (t, v) in total.iter_mut().zip(c) {
            *t += v;
        }
    }
    ProgressReport {
        title: text("标准化建设进度", "Standardization progress"),
        as_of: Utc.with_ymd_and_hms(2023, 12, 31, 16, 0, 0).unwrap(),
        as_of_date: date(2023, 12, 31),
        group_by,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (l, c))| row(&format!("g{i}"), l.clone(), c))
            .collect(),
        total: row("total", text("合计", "total"), &total),
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn late(code: &str) -> LateEntry {
    LateEntry {
        code: code.to_owned(),
        name: text("名称", "name"),
        department_label: text("立案庭", "Filing division"),
        unassigned: false,
        stage_label: Stage::Drafting.label(),
        due: date(2023, 6, 30),
        from_work_plan: false,
        extension: None,
        days_overdue: 3,
    }
}

/// A department's figures for each step: due, on time, pending (`None`: zeros).
pub type StepFigures = Vec<Option<(usize, usize, usize)>>;

pub fn assessment(rows: Vec<(Text, StepFigures)>, steps: usize) -> AssessmentReport {
    let assessed: Vec<AssessedStep> = (0..steps)
        .map(|i| AssessedStep {
            step: format!("s{i}"),
            label: text(&format!("步骤{i}"), &format!("step {i}")),
            due: date(2023, 6, 30),
        })
        .collect();
    let to_row = |key: &str, label: Text, figures: &[Option<(usize, usize, usize)>]| AssessmentRow {
        department: None,
        key: key.to_owned(),
        label,
        steps: (0..steps)
            .map(|i| {
                let (due, on_time, pending) = figures.get(i).copied().flatten().unwrap_or((0, 0, 0));
                let judged = due.saturating_sub(pending);
                StepRate {
                    step: format!("s{i}"),
                    due,
                    on_time,
                    pending,
                    on_time_rate: (judged > 0).then(|| on_time as f64 / judged as f64),
                }
            })
            .collect(),
        refusals: 0,
        refusals_by_rule: vec![],
        inspections: 0,
        findings: 0,
        evaluations: 0,
        evaluations_failed: 0,
        revisions_opened: 0,
    };
    AssessmentReport {
        title: text("年度考核", "Yearly assessment"),
        year: 2023,
        from: Utc.with_ymd_and_hms(2022, 12, 31, 16, 0, 0).unwrap(),
        until: Utc.with_ymd_and_hms(2023, 12, 31, 16, 0, 0).unwrap(),
        steps: assessed,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (l, f))| to_row(&format!("d{i}"), l.clone(), f))
            .collect(),
        total: to_row("total", text("全院", "court"), &[]),
    }
}

pub fn empty_report() -> Report {
    Report {
        as_of: Utc.with_ymd_and_hms(2023, 12, 31, 16, 0, 0).unwrap(),
        progress: vec![],
        steps: None,
        load: None,
        assessment: None,
        hearings: vec![],
        date: date(2023, 12, 31),
        year: 2023,
        only_assessment: false,
    }
}

pub fn full_report() -> Report {
    let mut r = empty_report();
    r.progress = vec![
        progress(
            GroupBy::Domain,
            vec![
                (text("审判执行<&>", "Adjudication <&>"), [3, 1, 2, 0, 0, 4, 1, 0, 2, 1]),
                (text("综合管理", "Administration"), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ],
        ),
        progress(GroupBy::Department, vec![(text("立案庭", "Filing division"), [1; 10])]),
        progress(
            GroupBy::Stage,
            vec![(text("起草", "Drafting"), [0, 0, 5, 0, 0, 0, 0, 0, 0, 0])],
        ),
    ];
    r.steps = Some(LatenessReport {
        title: text("各推进步骤的完成情况", "Compliance with each step"),
        as_of: r.as_of,
        as_of_date: r.date,
        steps: vec![StepLateness {
            step: "build-all".into(),
            label: text("全面建立", "Build all"),
            due: date(2023, 6, 30),
            milestone: Milestone::Published,
            late: vec![late("ADJ-01-01"), late("ADJ-01-02")],
            extended: vec![],
        }],
    });
    r.assessment = Some(assessment(
        vec![
            (
                text("立案庭", "Filing division"),
                vec![Some((4, 3, 0)), Some((2, 0, 2))],
            ),
            (text("刑事审判庭", "Criminal division"), vec![Some((5, 5, 0)), None]),
        ],
        2,
    ));
    r
}
