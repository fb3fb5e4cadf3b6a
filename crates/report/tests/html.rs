//! The HTML page and the workbook of reports built by hand: names that look like
//! markup stay text, every table and chart is there, nothing outside is referred to;
//! and no small report, however odd its names and figures, breaks either file.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::FixedOffset;
use common::*;
use proptest::prelude::*;
use regula_core::{Lang, Text};
use regula_report::{to_html, to_xlsx};
use regula_standards::plan::GroupBy;

fn tz() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

#[test]
fn the_page_holds_every_table_and_chart_and_nothing_from_outside() {
    let r = full_report();
    let html = to_html(&r, Lang::Zh, tz(), "红林区<法院>");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>红林区&lt;法院&gt; — 标准化建设进度 截至 2023-12-31</title>"));
    let tables = r.tables(Lang::Zh, tz());
    assert_eq!(html.matches("<section class=\"report-table\"").count(), tables.len());
    let cells: usize = tables.iter().flat_map(|t| &t.rows).map(Vec::len).sum();
    assert_eq!(html.matches("<td").count(), cells);
    // Five charts: no category grouping was asked for.
    assert_eq!(html.matches("<figure class=\"chart\"").count(), 5);
    assert!(!html.contains("id=\"chart-category\""));
    assert!(html.contains("审判执行&lt;&amp;&gt;") && !html.contains("审判执行<&>"));
    for outside in ["http://", "https://", "src=", "<link", "<script"] {
        assert!(!html.contains(outside), "{outside}");
    }
    let en = to_html(&r, Lang::En, tz(), "Honglin");
    assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(en.contains("Adjudication &lt;&amp;&gt;"));
}

#[test]
fn an_empty_report_is_still_a_page_and_a_workbook() {
    let r = empty_report();
    let html = to_html(&r, Lang::Zh, tz(), "法院");
    assert!(!html.contains("<figure") && !html.contains("<table"));
    assert!(html.ends_with("</html>\n"));
    let xlsx = to_xlsx(&r, Lang::Zh, tz()).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\PC]{0,30}",
        "[<>&\"' \\t\\n\\u{1}-\\u{1f}审判庭/:*?\\[\\]a-z]{0,12}",
        Just("<script>alert(1)</script>".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn odd_names_stay_text_in_the_page_and_the_workbook(
        rows in prop::collection::vec((name(), prop::array::uniform10(0usize..500)), 0..6),
        departments in prop::collection::vec((name(), prop::collection::vec(
            prop::option::of((0usize..20, 0usize..20, 0usize..20)), 0..3)), 0..5),
        steps in 0usize..3,
        lang in prop_oneof![Just(Lang::Zh), Just(Lang::En)],
    ) {
        let mut r = empty_report();
        let labelled: Vec<(Text, [usize; 10])> = rows.iter().map(|(n, c)| (text(n, n), *c)).collect();
        r.progress = vec![progress(GroupBy::Domain, labelled.clone()), progress(GroupBy::Category, labelled)];
        r.assessment = Some(assessment(
            departments.iter().map(|(n, f)| (text(n, n), f.clone())).collect(),
            steps,
        ));
        let html = to_html(&r, lang, tz(), "法院");
        prop_assert!(!html.contains("<script"));
        prop_assert!(!html.contains(char::from(1)), "a control character in the page");
        // Every element a name could have opened is one the page itself wrote.
        let opened = html.matches("<td").count();
        let cells: usize = r.tables(lang, tz()).iter().flat_map(|t| &t.rows).map(Vec::len).sum();
        prop_assert_eq!(opened, cells);
        let xlsx = to_xlsx(&r, lang, tz());
        prop_assert!(xlsx.is_ok(), "{:?}", xlsx.err());
    }
}
