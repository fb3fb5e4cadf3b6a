//! The charts of reports built by hand: every label arrives as text, escaped; each
//! chart is well-formed XML; a section the report lacks gives no chart; and no small
//! report, however odd its names and figures, makes a chart panic or break.

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use regula_core::{Lang, Text};
use regula_report::charts;
use regula_standards::assessment::{AssessedStep, AssessmentReport, AssessmentRow, StepRate};
use regula_standards::lifecycle::Stage;
use regula_standards::plan::{
    GroupBy, LateEntry, LatenessReport, Milestone, ProgressReport, ProgressRow, StageCount, StepLateness,
};
use regula_standards::report::Report;

fn text(zh: &str, en: &str) -> Text {
    Text::owned(zh.to_owned(), en.to_owned())
}

/// A progress row with `counts[i]` standards at the i-th of not started, then each stage.
fn row(key: &str, label: Text, counts: &[usize; 10]) -> ProgressRow {
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

fn progress(group_by: GroupBy, rows: Vec<(Text, [usize; 10])>) -> ProgressReport {
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

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn late(code: &str) -> LateEntry {
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
type StepFigures = Vec<Option<(usize, usize, usize)>>;

fn assessment(rows: Vec<(Text, StepFigures)>, steps: usize) -> AssessmentReport {
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

fn empty_report() -> Report {
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

fn full_report() -> Report {
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

type Chart = fn(&Report, Lang) -> Option<String>;
const CHARTS: [(&str, Chart); 6] = [
    ("domain", charts::domain),
    ("category", charts::category),
    ("department", charts::department),
    ("states", charts::states),
    ("steps", charts::steps),
    ("assessment", charts::assessment),
];

/// The chart parsed: an `<svg>` root, its text nodes' contents (trimmed).
fn texts(svg: &str) -> Vec<String> {
    assert!(
        svg.starts_with("<svg"),
        "no prolog, an <svg> element first: {}",
        &svg[..40.min(svg.len())]
    );
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(doc.root_element().attribute("viewBox").is_some());
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_owned())
        .collect()
}

#[test]
fn labels_come_out_as_text_escaped_in_either_language() {
    let r = full_report();
    let domain = charts::domain(&r, Lang::Zh).unwrap();
    // The raw name would break the markup: it must arrive escaped, and read back whole.
    assert!(domain.contains("审判执行&lt;&amp;&gt;"));
    let t = texts(&domain);
    assert!(t.iter().any(|s| s == "审判执行<&>"), "{t:?}");
    assert!(t.iter().any(|s| s == "综合管理"));
    assert!(
        t.iter()
            .any(|s| s.starts_with("按领域统计进度") && s.contains("2023-12-31"))
    );
    for legend in ["未启动", "制定中", "已发布/实施", "已固化", "已废止"] {
        assert!(t.iter().any(|s| s == legend), "legend {legend} in {t:?}");
    }
    // The first domain's bar: 14 standards, written at its end.
    assert!(t.iter().any(|s| s == "14"), "{t:?}");
    let en = texts(&charts::domain(&r, Lang::En).unwrap());
    assert!(en.iter().any(|s| s == "Adjudication <&>"));
    assert!(en.iter().any(|s| s.starts_with("Progress by domain")));
    assert!(!en.iter().any(|s| s.contains("未启动")));

    let steps = texts(&charts::steps(&r, Lang::Zh).unwrap());
    assert!(steps.iter().any(|s| s == "全面建立 (2023-06-30)"), "{steps:?}");
    assert!(steps.iter().any(|s| s == "2"), "two late: {steps:?}");

    let a = texts(&charts::assessment(&r, Lang::Zh).unwrap());
    for want in ["立案庭", "刑事审判庭", "全院", "步骤0", "步骤1", "75.0%", "100.0%", "—"] {
        assert!(a.iter().any(|s| s == want), "{want} in {a:?}");
    }
    let states = texts(&charts::states(&r, Lang::Zh).unwrap());
    assert!(states.iter().any(|s| s == "文本起草"), "{states:?}");
    assert!(states.iter().any(|s| s == "5"));
}

#[test]
fn a_missing_section_gives_no_chart() {
    let r = empty_report();
    for (name, chart) in CHARTS {
        assert_eq!(chart(&r, Lang::Zh), None, "{name}");
    }
    let full = full_report();
    assert!(
        charts::category(&full, Lang::Zh).is_none(),
        "no category grouping asked"
    );
    for (name, chart) in CHARTS.into_iter().filter(|(n, _)| *n != "category") {
        assert!(chart(&full, Lang::Zh).is_some(), "{name}");
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\PC]{0,40}",
        "[<>&\"' \\t\\n\\u{1}-\\u{1f}审判庭a-z]{0,12}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn charts_never_panic_and_stay_well_formed(
        rows in prop::collection::vec((name(), prop::array::uniform10(0usize..5000)), 0..12),
        departments in prop::collection::vec(
            (name(), prop::collection::vec(prop::option::of((0usize..50, 0usize..50, 0usize..50)), 0..4)),
            0..8,
        ),
        steps in 0usize..5,
        lang in prop_oneof![Just(Lang::Zh), Just(Lang::En)],
    ) {
        let mut r = empty_report();
        let labelled: Vec<(Text, [usize; 10])> = rows.iter().map(|(n, c)| (text(n, n), *c)).collect();
        r.progress = vec![
            progress(GroupBy::Domain, labelled.clone()),
            progress(GroupBy::Department, labelled),
        ];
        r.assessment = Some(assessment(
            departments.iter().map(|(n, f)| (text(n, n), f.clone())).collect(),
            steps,
        ));
        for (name, chart) in CHARTS {
            if let Some(svg) = chart(&r, lang) {
                let t = texts(&svg);
                prop_assert!(!t.is_empty(), "{} has a title", name);
            }
        }
        let domain = texts(&charts::domain(&r, lang).unwrap());
        for (n, _) in &rows {
            // Control characters become spaces; long names are cut with an ellipsis.
            let shown: String = n.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let shown = shown.trim();
            if !shown.is_empty() && shown.chars().count() <= 12 {
                prop_assert!(domain.iter().any(|s| s == shown), "{:?} in {:?}", shown, domain);
            }
        }
    }
}
