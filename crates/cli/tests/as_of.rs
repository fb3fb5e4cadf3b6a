//! `show --at` and `report --as-of` roll the whole standard back to its log as it stood
//! then (department, versions, document numbers, records), and `report --year` gives
//! the yearly department assessment (考核) in every format.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

/// The unassigned standard the scenario drives.
const STD: &str = "ADJ-01-01";

/// One round of consultation on `STD` on `day` (two opinions, both answered).
fn consult(s: &Scratch, day: &str) {
    for (source, n) in [("frontline", "1"), ("administrative", "2")] {
        s.act(
            STD,
            "record_opinion",
            DEPT,
            day,
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
            day,
            &[&format!("opinion={n}"), "response.decision=adopted"],
        )
        .ok();
    }
}

/// From drafting (or revision) to follow-up: consultation opened on `open`, closed on
/// `close`, approved on `approve`, published under `number` on `publish`.
fn to_follow_up(s: &Scratch, draft: &str, [open, close, approve, publish]: [&str; 4], number: &str) {
    s.act(STD, "open_consultation", DEPT, open, &["--json-file", draft])
        .ok();
    consult(s, open);
    s.act(STD, "close_consultation", DEPT, close, &[]).ok();
    s.act(
        STD,
        "approve",
        "陈伟",
        approve,
        &[
            &format!("meeting.date={approve}"),
            r#"meeting.present=["陈伟","厉彦杰","马振生"]"#,
            "meeting.decision=审议通过",
        ],
    )
    .ok();
    s.act(
        STD,
        "publish",
        OFFICE,
        publish,
        &[&format!("document_number={number}"), &format!("date={publish}")],
    )
    .ok();
    s.act(STD, "begin_follow_up", DEPT, publish, &[]).ok();
}

/// ADJ-01-01: refused a start without a department on 2023-01-05, assigned to 立案庭 on
/// 2023-01-10, v1 (红林法〔2023〕15号) on 2023-02-25, inspected (2 findings) on 2023-03-10,
/// revised from 2023-03-11, v2 (红林法〔2023〕31号) on 2023-04-25.
fn scenario(tag: &str) -> Scratch {
    let s = Scratch::imported(tag);
    let draft = s.write("draft.json", &draft_json("立案工作标准（草案）"));
    let draft = draft.to_str().unwrap();
    s.act(STD, "start_drafting", DEPT, "2023-01-05", &[]).refused();
    s.act(STD, "assign_department", OFFICE, "2023-01-10", &["department=立案庭"])
        .ok();
    s.act(STD, "start_drafting", DEPT, "2023-01-21", &[]).ok();
    to_follow_up(
        &s,
        draft,
        ["2023-01-22", "2023-02-22", "2023-02-24", "2023-02-25"],
        "红林法〔2023〕15号",
    );
    s.act(
        STD,
        "record_inspection",
        OFFICE,
        "2023-03-10",
        &[
            "inspection.date=2023-03-10",
            "inspection.summary=抽查案件 20 件",
            r#"inspection.findings=["公示期限执行不统一","评价数据未按月统计"]"#,
        ],
    )
    .ok();
    s.act(
        STD,
        "open_revision",
        OFFICE,
        "2023-03-11",
        &["cause.kind=gap", "summary=补充公示期限"],
    )
    .ok();
    to_follow_up(
        &s,
        draft,
        ["2023-03-22", "2023-04-22", "2023-04-24", "2023-04-25"],
        "红林法〔2023〕31号",
    );
    s
}

fn show_at(s: &Scratch, at: Option<&str>) -> Value {
    let mut args = vec!["--json", "show", STD];
    if let Some(at) = at {
        args.extend(["--at", at]);
    }
    s.run(&args).ok().json()
}

#[test]
fn show_and_report_as_of_a_past_date_roll_everything_back() {
    let s = scenario("as-of");

    // Now: v2 under its number, 立案庭's.
    let now = show_at(&s, None);
    assert_eq!(now["state"], "follow_up");
    assert_eq!(now["department"]["zh"], "立案庭");
    assert_eq!(now["versions"], 2);
    assert_eq!(now["version_in_force"]["document_number"], "红林法〔2023〕31号");
    assert!(now.get("as_of").is_none(), "{now}");
    let records = now["records"].as_u64().unwrap();

    // Before the assignment: research, no department, no version, two records (its
    // opening and the refusal); starting to draft is blocked for want of a department.
    let before = show_at(&s, Some("2023-01-09"));
    assert_eq!(before["as_of"], "2023-01-09T01:00:00Z");
    assert_eq!(before["state"], "research");
    assert_eq!(before["department"]["zh"], "未分配责任部门");
    assert_eq!(before["versions"], 0);
    assert_eq!(before["version_in_force"], Value::Null);
    assert_eq!(before["records"], 2);
    assert_eq!(before["last_record"], "2023-01-05T01:00:00Z");
    assert_eq!(before["blockers"][0]["action"], "start_drafting");
    assert_eq!(
        before["blockers"][0]["reasons"].as_array().unwrap().len(),
        1,
        "{before}"
    );
    let actions: Vec<&str> = before["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"assign_department"), "{actions:?}");

    // After v1: v1 under its own number, one version.
    let v1 = show_at(&s, Some("2023-03-01"));
    assert_eq!(v1["state"], "follow_up");
    assert_eq!(v1["department"]["zh"], "立案庭");
    assert_eq!(v1["versions"], 1);
    assert_eq!(v1["version_in_force"]["number"], 1);
    assert_eq!(v1["version_in_force"]["document_number"], "红林法〔2023〕15号");
    // During the revision, v1 stays in force.
    let revising = show_at(&s, Some("2023-03-15"));
    assert_eq!(revising["state"], "revision");
    assert_eq!(revising["version_in_force"]["document_number"], "红林法〔2023〕15号");
    // After v2, as now.
    let after = show_at(&s, Some("2023-05-01"));
    assert_eq!(after["records"], records);
    assert_eq!(after["version_in_force"]["document_number"], "红林法〔2023〕31号");

    // The text says what it is as of, and shows the past.
    let text = s.run(&["show", STD, "--at", "2023-01-09"]).ok().stdout;
    assert!(text.contains("截至"), "{text}");
    assert!(text.contains("未分配责任部门"), "{text}");
    assert!(text.contains("调研论证"), "{text}");
    let text = s.run(&["--lang", "en", "show", STD, "--at", "2023-03-01"]).ok().stdout;
    assert!(text.contains("v1 红林法〔2023〕15号 (2023-02-25)"), "{text}");

    // Before work was opened, there is nothing to show: said, exit 2.
    let r = s.run(&["--lang", "en", "show", STD, "--at", "2022-05-01"]).code(2);
    assert!(r.stderr.contains("had not been opened as of"), "{}", r.stderr);

    // The reports as of a date see the department and versions of that date.
    let unassigned_codes = |as_of: &str| -> Vec<String> {
        let report = s
            .run(&["report", "--as-of", as_of, "--by", "department", "--format", "json"])
            .ok()
            .json();
        let rows = report["progress"][0]["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r["key"] == "unassigned").unwrap();
        row["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(unassigned_codes("2023-01-09").contains(&STD.to_owned()));
    assert_eq!(unassigned_codes("2023-01-09").len(), 13);
    assert!(!unassigned_codes("2023-01-10").contains(&STD.to_owned()));
    let load = |as_of: &str| -> Value {
        let report = s
            .run(&["--json", "report", "--as-of", as_of, "--by", "load"])
            .ok()
            .json();
        report["load"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["department"] == "case_filing")
            .unwrap()
            .clone()
    };
    assert_eq!(load("2023-01-09")["total"], 33);
    assert_eq!(load("2023-01-10")["total"], 34);
    assert_eq!(load("2023-02-24")["in_force"], 0);
    assert_eq!(load("2023-03-01")["in_force"], 1);
    // list --late as of the last day of 2023: ADJ-01-01 is not late (published in time),
    // and as of that date it is 立案庭's.
    let late = s
        .run(&["--json", "list", "--late", "2023-12-31", "--department", "立案庭"])
        .ok()
        .json();
    assert!(late.as_array().unwrap().iter().all(|l| l["code"] != STD), "{late}");
}

#[test]
fn the_yearly_assessment_in_every_format() {
    let s = scenario("assessment");
    let json = s.run(&["--json", "report", "--year", "2023"]).ok().json();
    assert!(json.get("progress").unwrap().as_array().unwrap().is_empty(), "{json}");
    let a = &json["assessment"];
    assert_eq!(a["year"], 2023);
    assert_eq!(a["steps"][0]["step"], "build-all");
    assert_eq!(a["steps"].as_array().unwrap().len(), 1);
    let row = |key: &str| {
        a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()
            .clone()
    };
    let filing = row("case_filing");
    // 立案庭's 33 standards and ADJ-01-01, of which ADJ-01-01 was published in time.
    assert_eq!(filing["steps"][0]["due"], 34);
    assert_eq!(filing["steps"][0]["on_time"], 1);
    assert_eq!(filing["inspections"], 1);
    assert_eq!(filing["findings"], 2);
    assert_eq!(filing["revisions_opened"], 1);
    assert_eq!(filing["refusals"], 0);
    // The refusal came before the assignment: the unassigned row's, by two rules.
    let unassigned = row("unassigned");
    assert_eq!(unassigned["refusals"], 1);
    assert_eq!(unassigned["steps"][0]["due"], 12);
    let rules: Vec<&str> = unassigned["refusals_by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["actor_fits_role", "department_assigned"]);
    assert_eq!(a["total"]["refusals"], 1);
    assert_eq!(a["total"]["steps"][0]["due"], 117);
    assert_eq!(a["total"]["steps"][0]["on_time"], 1);

    // --by assessment takes the year of --as-of; the same report.
    let by = s
        .run(&[
            "report",
            "--by",
            "assessment",
            "--as-of",
            "2023-06-30",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(by["assessment"], json["assessment"]);

    // Table, Markdown and CSV, in both languages.
    let table = s.run(&["report", "--year", "2023"]).ok().stdout;
    assert!(table.starts_with("年度 2023\n"), "{table}");
    assert!(table.contains("各部门标准化工作年度考核 2023"), "{table}");
    assert!(table.contains("1/34"), "{table}");
    assert!(table.contains("须已指定责任部门"), "{table}");
    let md = s
        .run(&["--lang", "en", "report", "--year", "2023", "--format", "markdown"])
        .ok()
        .stdout;
    assert!(md.starts_with("# Yearly assessment of each department 2023\n"), "{md}");
    assert!(md.contains("| Department |"), "{md}");
    assert!(
        md.contains("| Court total | 1/117 | 0.9% | 1 | 1 | 2 | 0 | 0 | 1 |"),
        "{md}"
    );
    let csv = s
        .run(&["--lang", "en", "report", "--year", "2023", "--format", "csv"])
        .ok()
        .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Yearly assessment of each department 2023");
    assert!(
        lines[1].ends_with(",Refusals,Inspections,Findings,Evaluations,Evaluations failed,Revisions opened"),
        "{}",
        lines[1]
    );
    assert!(
        csv.contains("\nunassigned,a responsible department is assigned,department_assigned,1\n"),
        "{csv}"
    );

    // A year with nothing due still has its rows; a year out of range is refused.
    let y2022 = s.run(&["--json", "report", "--year", "2022"]).ok().json();
    assert_eq!(y2022["assessment"]["total"]["steps"][0]["on_time_rate"], Value::Null);
    s.run(&["report", "--year", "0"]).code(2);
}
