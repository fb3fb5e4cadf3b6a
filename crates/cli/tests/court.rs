//! `regula court …`: the court-level decisions recorded in the store's log, and the
//! reports that read them (the CLI parses and prints; the rules are the library's).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{CODE, DEPT, OFFICE, Scratch};
use rusqlite::Connection;

const WORK_PLAN_LATE: &str = "year = 2023\n\n[[targets]]\ncode = \"ADJ-01-08\"\ndue = 2024-01-31\n";
const WORK_PLAN: &str = "year = 2023\n\n[[targets]]\ncode = \"ADJ-01-08\"\ndue = 2023-06-30\n";

#[test]
fn a_work_plan_target_past_the_plans_date_is_refused_and_an_earlier_one_is_reported() {
    let s = Scratch::imported("court-work-plan");
    s.write("late.toml", WORK_PLAN_LATE);
    let r = s
        .run(&[
            "--lang",
            "en",
            "court",
            "work-plan",
            "late.toml",
            "--as",
            DEPT,
            "--at",
            "2023-03-01",
        ])
        .refused();
    assert!(r.stderr.contains("past the plan's date 2023-12-31"), "{}", r.stderr);
    s.write("plan.toml", WORK_PLAN);
    s.run(&["court", "work-plan", "plan.toml", "--as", DEPT, "--at", "2023-03-01"])
        .ok();
    // The report's due date is the recorded target's.
    let report = s
        .run(&["--json", "report", "--by", "steps", "--as-of", "2023-07-01"])
        .ok()
        .json();
    let build_all = report["steps"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["step"] == "build-all")
        .unwrap();
    let late = build_all["late"].as_array().unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0]["code"], CODE);
    assert_eq!(late[0]["due"], "2023-06-30");
    assert_eq!(late[0]["from_work_plan"], true);
    // The refusal and the plan are both in the court's log.
    let log = s.run(&["--json", "court", "log"]).ok().json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["create", "record_work_plan", "record_work_plan"], "{log}");
    s.verified();
}

#[test]
fn an_extension_is_the_leading_groups_and_the_report_shows_it() {
    let s = Scratch::imported("court-extend");
    let args = [
        "court",
        "extend",
        CODE,
        "--step",
        "build-all",
        "--to",
        "2024-03-31",
        "--reason",
        "待上级新规",
        "--at",
        "2023-11-20",
    ];
    let mut by_office = args.to_vec();
    by_office.extend(["--as", OFFICE]);
    s.run(&by_office).refused();
    let mut by_member = args.to_vec();
    by_member.extend(["--as", "陈伟"]);
    let record = s.run(&[&["--json"], &by_member[..]].concat()).ok().json();
    assert_eq!(record["action"], "extend_deadline");
    // Within the extension: not late, shown as extended with the decision.
    let r = s
        .run(&["--lang", "en", "report", "--by", "steps", "--as-of", "2024-01-15"])
        .ok();
    assert!(r.stdout.contains("extended (leading group decisions)"), "{}", r.stdout);
    let row = r.stdout.lines().find(|l| l.starts_with(CODE)).unwrap();
    assert!(
        row.contains("2023-12-31") && row.contains("2024-03-31") && row.contains("chen.wei 2023-11-20"),
        "{row}"
    );
    assert!(row.contains("待上级新规"), "{row}");
    // Past it: late, the due date marked as extended.
    let r = s.run(&["report", "--by", "steps", "--as-of", "2024-04-02"]).ok();
    let late = r
        .stdout
        .lines()
        .filter(|l| l.starts_with(CODE))
        .find(|l| l.contains("延期：领导小组"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(late.contains("2024-03-31"), "{late}");
    s.verified();
}

#[test]
fn core_designation_and_hearings_are_recorded_listed_and_verified() {
    let s = Scratch::imported("court-core");
    // Only a member designates.
    s.run(&["court", "designate-core", CODE, "--as", OFFICE, "--at", "2022-09-01"])
        .refused();
    s.run(&[
        "court",
        "designate-core",
        CODE,
        "--as",
        "陈伟",
        "--meeting",
        "领导小组2022年第2次会议",
        "--at",
        "2022-09-01",
    ])
    .ok();
    // `catalog show` marks the designated standard core.
    let shown = s.run(&["--json", "catalog", "show"]).ok().json();
    let core: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["core"] == true)
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(core, vec![CODE]);
    // As of the year-one deadline, ADJ-01-08 is late against the core step.
    let list = s.run(&["--json", "list", "--late", "2023-01-01"]).ok().json();
    let late: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(late, vec![CODE]);
    // A hearing.
    s.run(&[
        "court",
        "hearing",
        "--as",
        "陈伟",
        "--present",
        "陈伟,厉彦杰",
        "--summary",
        "听取2022年第三季度进展",
        "--decision",
        "核心标准年底前发布",
        "--at",
        "2022-10-10",
    ])
    .ok();
    let hearings = s.run(&["--json", "court", "hearings"]).ok().json();
    assert_eq!(hearings.as_array().unwrap().len(), 1, "{hearings}");
    assert_eq!(hearings[0]["summary"], "听取2022年第三季度进展");
    assert_eq!(hearings[0]["decided"]["by"], "chen.wei");
    // Reports as of a date carry the hearings held by then.
    let report = |date: &str| {
        s.run(&["--json", "report", "--by", "steps", "--as-of", date])
            .ok()
            .json()
    };
    assert_eq!(report("2022-10-10")["hearings"][0]["summary"], "听取2022年第三季度进展");
    assert!(report("2022-10-09").get("hearings").is_none());
    let table = s.run(&["court", "hearings"]).ok();
    assert!(table.stdout.contains("陈伟、厉彦杰"), "{}", table.stdout);
    s.verified();
    // A court record changed in the database: verify fails (exit 1).
    let conn = Connection::open(s.store()).unwrap();
    let changed = conn
        .execute(
            "UPDATE records SET record = replace(record, '听取2022年第三季度进展', '听取2022年第四季度进展') \
             WHERE json_extract(record, '$.action') = 'record_hearing'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(r.stderr.contains("content hashes to"), "{}", r.stderr);
}
