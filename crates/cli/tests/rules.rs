//! The rules are in the store's own log (issue 11, hole 2): a re-import cannot change
//! them, only a leading group member can, with a reason; a copy of the database alone
//! carries them; every decision cites the rules it followed.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

fn builtin_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../standards/data/catalog.toml")).unwrap()
}

/// The built-in catalog with another minimum consultation period.
fn with_consultation_days(days: u32) -> String {
    builtin_text().replace("min_consultation_days = 30", &format!("min_consultation_days = {days}"))
}

/// A store with the built-in plan imported (the rules recorded with it).
fn imported(tag: &str) -> Scratch {
    let s = Scratch::new(tag);
    s.run(&["init"]).ok();
    s.run(&["catalog", "import", "--at", "2023-03-01"]).ok();
    s
}

fn rules_log(s: &Scratch) -> Vec<Value> {
    s.run(&["--json", "rules", "log"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn import_records_the_rules_and_each_decision_cites_them() {
    let s = imported("rules-recorded");
    let log = rules_log(&s);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["outcome"]["kind"], "created");
    assert_eq!(log[0]["payload"]["catalog"], builtin_text());
    let rules = log[0]["hash"].clone();
    assert!(s.log(CODE).iter().all(|r| r["rules"] == rules));
    s.act(CODE, "start_drafting", DEPT, "2023-03-06", &[]).ok();
    assert_eq!(s.log(CODE)[1]["rules"], rules);
    s.verified();
}

#[test]
fn a_re_import_that_changes_the_rules_is_refused_and_recorded() {
    let s = imported("rules-reimport");
    let before = s.fingerprint(CODE);
    let lenient = s.write("lenient.toml", &with_consultation_days(0));
    let r = s
        .run(&["catalog", "import", lenient.to_str().unwrap(), "--as", OFFICE])
        .refused();
    assert!(r.stderr.contains("不能改变规则"), "{}", r.stderr);
    // The attempt is in the rules log, refused; the rules in force did not change.
    let log = rules_log(&s);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["outcome"]["kind"], "refused");
    assert_eq!(s.fingerprint(CODE).log, before.log);
    let catalog = s.run(&["--json", "rules", "log"]).ok().json();
    assert!(
        catalog[0]["payload"]["catalog"]
            .as_str()
            .unwrap()
            .contains("min_consultation_days = 30")
    );
    s.verified();
    // Re-importing the same catalog, or one that only adds a standard, is accepted.
    let same = s.write("same.toml", &builtin_text());
    s.run(&["catalog", "import", same.to_str().unwrap(), "--as", OFFICE])
        .ok();
    assert_eq!(rules_log(&s).len(), 3);
    s.verified();
}

#[test]
fn only_a_leading_group_member_amends_the_rules_and_says_why() {
    let s = imported("rules-amend");
    let shorter = s.write("shorter.toml", &with_consultation_days(20));
    let file = shorter.to_str().unwrap();
    // The office may not (the role is the leading group's): refused, and recorded.
    let r = s
        .run(&["rules", "amend", file, "--reason", "试行", "--as", OFFICE])
        .refused();
    assert!(r.stderr.contains("不是领导小组成员"), "{}", r.stderr);
    // A member without a reason: refused, and recorded.
    let r = s
        .run(&["rules", "amend", file, "--reason", " ", "--as", "陈伟"])
        .refused();
    assert!(r.stderr.contains("未说明理由"), "{}", r.stderr);
    // An amendment that drops a standard: refused.
    let dropped = builtin_text().replacen("code = \"ADJ-01-08\"", "code = \"ADJ-01-99\"", 1);
    let dropped = s.write("dropped.toml", &dropped);
    let r = s
        .run(&[
            "rules",
            "amend",
            dropped.to_str().unwrap(),
            "--reason",
            "调整",
            "--as",
            "陈伟",
        ])
        .refused();
    assert!(r.stderr.contains("ADJ-01-08"), "{}", r.stderr);
    // A member with a reason: in force from that record on.
    s.run(&[
        "rules",
        "amend",
        file,
        "--reason",
        "领导小组决定缩短征求意见期",
        "--as",
        "陈伟",
    ])
    .ok();
    let log = rules_log(&s);
    assert_eq!(log.len(), 5, "the rules, three refusals and the amendment");
    assert!(log[1..4].iter().all(|r| r["outcome"]["kind"] == "refused"));
    assert_eq!(log[4]["outcome"]["kind"], "accepted");
    assert_eq!(log[4]["actor"]["id"], "chen.wei");
    // An event of 2023 entered now is judged by the rules of 2023, not the amended ones
    // (the red team's a1: rules amended in 2026 decided an event of 2023).
    s.act(CODE, "start_drafting", DEPT, "2023-03-06", &[]).ok();
    assert_eq!(
        s.log(CODE)[1]["rules"],
        log[0]["hash"],
        "the rules in force at the event"
    );
    // A decision taking effect now follows the amended rules.
    s.run(&["do", CODE, "open_consultation", "--as", DEPT, "draft.text=草案"])
        .refused();
    assert_eq!(
        s.log(CODE)[2]["rules"],
        log[4]["hash"],
        "the decision cites the amended rules"
    );
    s.verified();
    // An amendment cannot be dated back before the rules in force (nor, the library's
    // tests show, before decisions already made).
    let r = s
        .run(&[
            "rules",
            "amend",
            file,
            "--reason",
            "追溯",
            "--as",
            "陈伟",
            "--at",
            "2023-03-05",
        ])
        .code(2);
    assert!(r.stderr.contains("before its last accepted record"), "{}", r.stderr);
    s.verified();
}

#[test]
fn a_copy_of_the_database_alone_carries_its_rules() {
    let s = Scratch::new("rules-copy-source");
    s.run(&["init"]).ok();
    let strict = s.write("strict.toml", &with_consultation_days(45));
    s.run(&["catalog", "import", strict.to_str().unwrap(), "--at", "2023-03-01"])
        .ok();
    let copy = Scratch::new("rules-copy");
    std::fs::copy(s.store(), copy.store()).unwrap();
    // No file beside the copy, yet the rules are the store's: 45 days, not the
    // built-in plan's 30.
    let log = rules_log(&copy);
    assert!(
        log[0]["payload"]["catalog"]
            .as_str()
            .unwrap()
            .contains("min_consultation_days = 45")
    );
    copy.verified();
    // A --catalog that disagrees with the store's rules is an error, not a fallback.
    let builtin = copy.write("builtin.toml", &builtin_text());
    copy.run(&["--catalog", builtin.to_str().unwrap(), "list"])
        .usage_error("--catalog 与本存储库记录的规则不同");
    copy.run(&["--catalog", builtin.to_str().unwrap(), "list"])
        .usage_error("differs from the rules this store records");
}
