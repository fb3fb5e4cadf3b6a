//! The charts of reports built by hand: every label arrives as text, escaped; each
//! chart is well-formed XML; a section the report lacks gives no chart; and no small
//! report, however odd its names and figures, makes a chart panic or break.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use regula_core::{Lang, Text};
use regula_report::charts;
use regula_standards::plan::GroupBy;

const CHARTS: [(&str, charts::Chart); 6] = charts::ALL;

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
