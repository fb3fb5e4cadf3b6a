//! `regula report` as files people open: the Excel workbook read back (numbers are
//! numbers, rates percentages, dates dates, every figure the JSON report's), the HTML
//! page (every table's figures, inline charts with Chinese labels, nothing from
//! outside), CSV with a byte-order mark and one file per table, and the flags that
//! do not go together.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::*;
use serde_json::Value;

const STD: &str = "ADJ-01-01";
const ALL: &str = "domain,category,department,state,steps,load,assessment";

/// A store with a standard published in time, a refusal, an extension by the leading
/// group, and the rest of the plan late by mid-2024.
fn scenario(tag: &str) -> Scratch {
    let s = Scratch::imported(tag);
    let draft = s.write("draft.json", &draft_json("立案工作标准（草案）"));
    let draft = draft.to_str().unwrap();
    s.act(STD, "start_drafting", DEPT, "2023-01-05", &[]).refused();
    s.act(STD, "assign_department", OFFICE, "2023-01-10", &["department=立案庭"])
        .ok();
    s.act(STD, "start_drafting", DEPT, "2023-01-21", &[]).ok();
    s.act(STD, "open_consultation", DEPT, "2023-01-22", &["--json-file", draft])
        .ok();
    for (source, n) in [("frontline", "1"), ("administrative", "2")] {
        s.act(
            STD,
            "record_opinion",
            DEPT,
            "2023-01-23",
            &[
                "opinion.author=张法官",
                &format!("opinion.source={source}"),
                "opinion.content=建议明确期限",
            ],
        )
        .ok();
        s.act(
            STD,
            "respond_to_opinion",
            DEPT,
            "2023-01-23",
            &[&format!("opinion={n}"), "response.decision=adopted"],
        )
        .ok();
    }
    s.act(STD, "close_consultation", DEPT, "2023-02-22", &[]).ok();
    s.act(
        STD,
        "approve",
        "陈伟",
        "2023-02-24",
        &[
            "meeting.date=2023-02-24",
            r#"meeting.present=["陈伟","厉彦杰","马振生"]"#,
            "meeting.decision=审议通过",
        ],
    )
    .ok();
    s.act(
        STD,
        "publish",
        OFFICE,
        "2023-02-25",
        &["document_number=红林法〔2023〕15号", "date=2023-02-25"],
    )
    .ok();
    s.run(&[
        "court",
        "extend",
        "ADJ-01-20",
        "--step",
        "build-all",
        "--to",
        "2024-03-31",
        "--reason",
        "待上级新规<&>",
        "--as",
        "陈伟",
        "--at",
        "2023-05-01",
    ])
    .ok();
    s
}

/// The report's flags: every section as of mid-2024, the 2023 assessment.
fn report_args<'a>(lang: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--lang",
        lang,
        "report",
        "--by",
        ALL,
        "--as-of",
        "2024-06-30",
        "--year",
        "2023",
    ];
    args.extend(more);
    args
}

/// The CSV report split into its tables: title, header, rows (cells unquoted).
fn csv_tables(csv: &str) -> Vec<(String, Vec<Vec<String>>)> {
    csv.split("\n\n")
        .map(|block| {
            let mut lines = parse_csv(block).into_iter();
            let title = lines.next().unwrap().remove(0);
            (title, lines.collect())
        })
        .collect()
}

/// RFC 4180, as the report writes it.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let (mut row, mut cell, mut quoted) = (vec![], String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// A JSON progress or load row's figures by the labels the tables show.
fn by_label<'a>(rows: impl Iterator<Item = &'a Value>) -> BTreeMap<String, &'a Value> {
    rows.map(|r| (r["label"]["zh"].as_str().unwrap().to_owned(), r))
        .collect()
}

fn count(v: &Value) -> f64 {
    v.as_u64().unwrap() as f64
}

#[test]
fn the_workbook_has_the_json_reports_figures_as_numbers_and_dates() {
    let s = scenario("xlsx");
    let json = s.run(&report_args("zh", &["--format", "json"])).ok().json();
    let csv = s.run(&report_args("zh", &["--format", "csv"])).ok().stdout;
    let file = s.file("report.xlsx");
    let run = s
        .run(&report_args(
            "zh",
            &["--format", "xlsx", "--output", file.to_str().unwrap()],
        ))
        .ok();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let bytes = std::fs::read(&file).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    let tables = csv_tables(&csv);
    assert_eq!(names.len(), tables.len(), "a sheet per table: {names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.chars().count() <= 31 && !n.contains(['[', ']', ':', '*', '?', '/', '\\']))
    );

    let mut sheets = vec![];
    for (name, (title, rows)) in names.iter().zip(&tables) {
        let range = book.worksheet_range(name).unwrap();
        assert_eq!(range.start(), Some((0, 0)), "{name}");
        let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        // The title, then the column names in Chinese, then the rows.
        assert_eq!(cells[0][0], Data::String(title.clone()), "{name}");
        assert_eq!(cells.len(), rows.len() + 1, "{name}");
        for (r, (row, want)) in cells[1..].iter().zip(rows).enumerate() {
            for (c, (cell, text)) in row.iter().zip(want).enumerate() {
                // Each cell as the CSV writes it: counts are numbers, rates numbers
                // shown as percentages, plain dates dates, a missing rate blank.
                let shown = match cell {
                    Data::String(s) => s.clone(),
                    Data::Float(f) if text.ends_with('%') => format!("{:.1}%", f * 100.0),
                    Data::Float(f) => {
                        assert_eq!(f.fract(), 0.0, "{name} ({r},{c})");
                        format!("{f:.0}")
                    }
                    Data::Int(i) => i.to_string(),
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    Data::Empty => "—".to_owned(),
                    other => panic!("{name} ({r},{c}): {other:?}"),
                };
                assert_eq!(&shown, text, "{name} row {r} column {c}");
                if r > 0 && text.parse::<i64>().is_ok() {
                    assert!(
                        matches!(cell, Data::Float(_) | Data::Int(_)),
                        "{name} ({r},{c}) a number: {cell:?}"
                    );
                }
                if r > 0 && text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
                    assert!(matches!(cell, Data::DateTime(_)), "{name} ({r},{c}) a date: {cell:?}");
                }
            }
        }
        sheets.push((title.clone(), cells));
    }
    let sheet = |title: &str| -> &Vec<Vec<Data>> {
        &sheets
            .iter()
            .find(|(t, _)| t.contains(title))
            .unwrap_or_else(|| panic!("no sheet {title}"))
            .1
    };
    let column = |cells: &Vec<Vec<Data>>, name: &str| -> usize {
        cells[1]
            .iter()
            .position(|h| *h == Data::String(name.to_owned()))
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let number = |d: &Data| match d {
        Data::Float(f) => *f,
        other => panic!("not a number: {other:?}"),
    };

    // Progress, each grouping: every row's figures, in order, are the JSON's, the
    // stage columns the JSON's stage counts summed as the tables group them.
    let progress = json["progress"].as_array().unwrap();
    assert_eq!(progress.len(), 4);
    for p in progress {
        let title = match p["group_by"].as_str().unwrap() {
            "domain" => "按领域",
            "category" => "按类别",
            "department" => "按责任部门",
            "stage" => "按状态",
            other => panic!("{other}"),
        };
        let cells = sheet(title);
        let rows: Vec<&Value> = p["rows"].as_array().unwrap().iter().chain([&p["total"]]).collect();
        assert_eq!(cells.len() - 2, rows.len(), "{title}");
        for (row, j) in cells[2..].iter().zip(rows) {
            assert_eq!(
                row[0],
                Data::String(j["label"]["zh"].as_str().unwrap().to_owned()),
                "{title}"
            );
            let stages = |names: &[&str]| -> f64 {
                j["by_stage"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| names.contains(&c["stage"].as_str().unwrap_or("not_started")))
                    .map(|c| count(&c["count"]))
                    .sum()
            };
            for (col, want) in [
                ("总数", count(&j["total"])),
                ("未启动", stages(&["not_started"])),
                (
                    "制定中",
                    stages(&["research", "drafting", "consultation", "approval", "revision"]),
                ),
                ("已发布/实施", stages(&["published", "follow_up"])),
                ("已固化", stages(&["consolidated"])),
                ("已废止", stages(&["withdrawn"])),
                ("有现行版本", count(&j["in_force"])),
                ("未指定部门", count(&j["unassigned"])),
                ("逾期", count(&j["overdue"])),
            ] {
                assert_eq!(number(&row[column(cells, col)]), want, "{title} {col} {}", j["key"]);
            }
        }
        assert_eq!(number(&cells.last().unwrap()[1]), 117.0, "{title}: the whole catalog");
    }

    // Load: the JSON's.
    let load = sheet("各部门工作量");
    let want = by_label(json["load"].as_array().unwrap().iter());
    for row in &load[2..] {
        let Data::String(label) = &row[0] else {
            panic!("{row:?}")
        };
        for (col, key) in [
            ("总数", "total"),
            ("核心", "core"),
            ("实施中", "in_force"),
            ("逾期", "overdue"),
        ] {
            assert_eq!(
                number(&row[column(load, col)]),
                count(&want[label][key]),
                "{label} {col}"
            );
        }
    }

    // Steps: the due dates are dates, the counts the JSON's.
    let steps = sheet("逾期未完成的标准");
    for (row, step) in steps[2..].iter().zip(json["steps"]["steps"].as_array().unwrap()) {
        let Data::DateTime(due) = &row[1] else {
            panic!("{row:?}")
        };
        assert_eq!(
            due.as_datetime().unwrap().date().to_string(),
            step["due"].as_str().unwrap()
        );
        assert_eq!(number(&row[2]), step["late"].as_array().unwrap().len() as f64);
        assert_eq!(number(&row[3]), step["extended"].as_array().unwrap().len() as f64);
    }
    // The extension: both dates are dates, the reason the text given.
    let extended = sheet("延期");
    let ext = &extended[2];
    assert_eq!(ext[0], Data::String("ADJ-01-20".into()));
    assert!(
        matches!(ext[3], Data::DateTime(_)) && matches!(ext[4], Data::DateTime(_)),
        "{ext:?}"
    );
    assert_eq!(ext[6], Data::String("待上级新规<&>".into()));

    // The assessment: the on-time rate is the JSON's number, formatted as a percentage.
    let a = sheet("年度考核");
    let want = by_label(
        json["assessment"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .chain([&json["assessment"]["total"]]),
    );
    let rate = column(
        a,
        &format!(
            "{} 按期完成率",
            json["assessment"]["steps"][0]["label"]["zh"].as_str().unwrap()
        ),
    );
    let mut rates = 0;
    for row in &a[2..] {
        let Data::String(label) = &row[0] else {
            panic!("{row:?}")
        };
        match (&row[rate], &want[label]["steps"][0]["on_time_rate"]) {
            (Data::Float(f), Value::Number(n)) => {
                assert!((f - n.as_f64().unwrap()).abs() < 1e-12, "{label}");
                rates += 1;
            }
            (Data::Empty, Value::Null) => {}
            (cell, want) => panic!("{label}: {cell:?} against {want}"),
        }
        assert_eq!(
            number(&row[column(a, "被拒绝次数")]),
            count(&want[label]["refusals"]),
            "{label}"
        );
    }
    assert!(rates > 0, "some rates are numbers");

    // Refusals by rule: each department's, then the court's, as the JSON lists them.
    let refusals = sheet("被拒绝的操作");
    let want: Vec<(String, String, f64)> = json["assessment"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain([&json["assessment"]["total"]])
        .flat_map(|r| {
            r["refusals_by_rule"].as_array().unwrap().iter().map(move |x| {
                (
                    r["label"]["zh"].as_str().unwrap().to_owned(),
                    x["rule"].as_str().unwrap().to_owned(),
                    count(&x["count"]),
                )
            })
        })
        .collect();
    assert!(!want.is_empty(), "the scenario has a refusal");
    let got: Vec<(String, String, f64)> = refusals[2..]
        .iter()
        .map(|r| match (&r[0], &r[2]) {
            (Data::String(d), Data::String(rule)) => (d.clone(), rule.clone(), number(&r[3])),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, want);

    // The late standards of each step: codes and days overdue (numbers) the JSON's.
    let mut late_sheets = 0;
    for step in json["steps"]["steps"].as_array().unwrap() {
        let late = step["late"].as_array().unwrap();
        if late.is_empty() {
            continue;
        }
        let label = step["label"]["zh"].as_str().unwrap();
        let (_, cells) = sheets
            .iter()
            .find(|(t, _)| t.starts_with(label) && t.ends_with("逾期"))
            .unwrap_or_else(|| panic!("no late sheet for {label}"));
        assert_eq!(cells.len() - 2, late.len(), "{label}");
        for (row, l) in cells[2..].iter().zip(late) {
            assert_eq!(row[0], Data::String(l["code"].as_str().unwrap().to_owned()));
            assert_eq!(number(&row[5]), l["days_overdue"].as_i64().unwrap() as f64);
        }
        late_sheets += 1;
    }
    assert!(late_sheets > 0, "mid-2024, standards are late");
}

/// The cells of each table of an HTML page: (title, rows of (class, data-value, text)).
type HtmlTable = (String, Vec<Vec<(String, Option<String>, String)>>);

fn html_tables(html: &str) -> Vec<HtmlTable> {
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let strip_tags = |s: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
        Some(tag[at..at + tag[at..].find('"')?].to_owned())
    };
    html.split("<section class=\"report-table\"")
        .skip(1)
        .map(|section| {
            let section = &section[..section.find("</section>").unwrap()];
            let h2 = &section[section.find("<h2>").unwrap() + 4..section.find("</h2>").unwrap()];
            let body = &section[section.find("<tbody>").unwrap()..section.find("</tbody>").unwrap()];
            let rows = body
                .split("<tr>")
                .skip(1)
                .map(|tr| {
                    tr.split("<td")
                        .skip(1)
                        .map(|td| {
                            let open = &td[..td.find('>').unwrap()];
                            let inner = &td[td.find('>').unwrap() + 1..td.find("</td>").unwrap()];
                            (
                                attr(open, "class").unwrap_or_default(),
                                attr(open, "data-value"),
                                unescape(&strip_tags(inner)),
                            )
                        })
                        .collect()
                })
                .collect();
            (unescape(h2), rows)
        })
        .collect()
}

#[test]
fn the_html_page_is_self_contained_with_every_tables_figures_and_charts() {
    let s = scenario("html");
    let json = s.run(&report_args("zh", &["--format", "json"])).ok().json();
    let csv = s.run(&report_args("zh", &["--format", "csv"])).ok().stdout;
    let html = s.run(&report_args("zh", &["--format", "html"])).ok().stdout;
    let file = s.file("report.html");
    s.run(&report_args("zh", &["--format", "html", "-o", file.to_str().unwrap()]))
        .ok();
    let written = std::fs::read_to_string(&file).unwrap();
    // The same store and date, the same page.
    assert_eq!(written, html);
    assert!(html.contains("<p class=\"meta\">数据截至 2024-06-30 当日结束（+08:00）</p>"));

    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"),
        "{}",
        &html[..80]
    );
    assert!(html.contains("<style>") && html.contains("@media print"));
    for outside in ["http://", "https://", "src=", "<link", "<script", "url("] {
        assert!(!html.contains(outside), "refers outside: {outside}");
    }
    // The escaped reason, never the raw one.
    assert!(html.contains("待上级新规&lt;&amp;&gt;") && !html.contains("待上级新规<&>"));

    // Every table, every cell as the CSV has it; numbers carry their value.
    let tables = html_tables(&html);
    let want = csv_tables(&csv);
    assert_eq!(tables.len(), want.len());
    for ((title, rows), (want_title, want_rows)) in tables.iter().zip(&want) {
        assert_eq!(title, want_title);
        assert_eq!(rows.len() + 1, want_rows.len(), "{title}: rows after the header");
        for (row, want_row) in rows.iter().zip(&want_rows[1..]) {
            let texts: Vec<&str> = row.iter().map(|(_, _, t)| t.as_str()).collect();
            assert_eq!(texts, *want_row, "{title}");
            for (class, value, text) in row {
                if class == "num" {
                    assert_eq!(value.as_deref(), Some(text.as_str()), "{title}");
                }
            }
        }
    }
    // The figures are the JSON's: progress by department, the assessment's rates.
    let department = tables.iter().find(|(t, _)| t.ends_with("按责任部门")).unwrap();
    let progress = json["progress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["group_by"] == "department")
        .unwrap();
    for (row, j) in department.1.iter().zip(progress["rows"].as_array().unwrap()) {
        assert_eq!(row[0].2, j["label"]["zh"].as_str().unwrap());
        assert_eq!(row[1].1.as_deref().unwrap(), j["total"].to_string());
        assert_eq!(row[9].1.as_deref().unwrap(), j["overdue"].to_string());
    }
    let assessment = tables.iter().find(|(t, _)| t.contains("年度考核")).unwrap();
    let rows = json["assessment"]["rows"].as_array().unwrap();
    for (row, j) in assessment.1.iter().zip(rows) {
        let rate = &j["steps"][0]["on_time_rate"];
        match &row[2] {
            (class, Some(v), _) if class == "pct" => {
                assert!((v.parse::<f64>().unwrap() - rate.as_f64().unwrap()).abs() < 1e-12)
            }
            (class, None, text) if class == "empty" => assert!(rate.is_null() && text == "—"),
            other => panic!("{other:?}"),
        }
    }

    // The charts: inline SVG with their Chinese labels as text.
    for id in [
        "chart-domain",
        "chart-category",
        "chart-department",
        "chart-states",
        "chart-steps",
        "chart-assessment",
    ] {
        let at = html
            .find(&format!("<figure class=\"chart\" id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no {id}"));
        let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
        assert!(figure.contains("<svg") && figure.contains("</svg>"), "{id}");
        assert!(figure.contains("<text"), "{id}");
    }
    assert!(
        html.contains(">\n按领域统计进度（截至 2024-06-30）\n</text>"),
        "the domain chart's title"
    );
    assert!(html.contains(">\n立案庭\n</text>"), "a department's name in a chart");

    // English: the page says so.
    let en = s.run(&report_args("en", &["--format", "html"])).ok().stdout;
    assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(en.contains(">\nProgress by domain (as of 2024-06-30)\n</text>"));
}

#[test]
fn csv_with_a_byte_order_mark_and_one_file_per_table() {
    let s = scenario("csv");
    let plain = s.run(&report_args("zh", &["--format", "csv"])).ok().stdout;
    let out = std::process::Command::new(BIN)
        .current_dir(s.path())
        .arg("--store")
        .arg(s.store())
        .args(report_args("zh", &["--format", "csv", "--bom"]))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(&out.stdout[..3], b"\xEF\xBB\xBF");
    assert_eq!(&out.stdout[3..], plain.as_bytes());

    let dir = s.file("tables");
    let listed = s
        .run(&report_args(
            "zh",
            &["--format", "csv", "--bom", "--split", dir.to_str().unwrap()],
        ))
        .ok()
        .stdout;
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let tables = csv_tables(&plain);
    assert_eq!(files.len(), tables.len(), "{files:?}");
    assert_eq!(listed.lines().count(), files.len());
    let mut joined = vec![];
    for (path, (title, _)) in files.iter().zip(&tables) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.ends_with(".csv") && name[..2].parse::<u32>().is_ok(), "{name}");
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "{name}");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text.lines().next().unwrap(), title, "{name}: the Chinese title first");
        joined.push(text);
    }
    assert!(files[0].to_str().unwrap().contains("按领域"), "{files:?}");
    // Together, the files are the one CSV.
    assert_eq!(joined.join("\n"), plain);
}

#[test]
fn flags_that_do_not_go_together_are_refused_before_anything_is_written() {
    let s = scenario("flags");
    s.run(&["report", "--format", "json", "--bom"])
        .usage_error("--format csv");
    s.run(&["--lang", "en", "report", "--split", "x"])
        .usage_error("--bom and --split go with --format csv only");
    s.run(&["report", "--format", "csv", "--split", "x", "--output", "y"])
        .code(2);
    s.run(&["--lang", "en", "report", "--output", "y"])
        .usage_error("--output needs --format");
    assert!(!s.file("x").exists() && !s.file("y").exists());
    // A pipe may take the workbook's bytes.
    let out = std::process::Command::new(BIN)
        .current_dir(s.path())
        .arg("--store")
        .arg(s.store())
        .args(["report", "--format", "xlsx"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(&out.stdout[..2], b"PK", "a zip archive");
}
