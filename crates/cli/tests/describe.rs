//! The command line describes itself: `regula actions`, `regula schema`, payloads read
//! by their fields' types, unknown fields refused before anything is written, and
//! `do --dry-run`.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::json;

#[test]
fn actions_lists_what_the_actor_may_do_now() {
    let s = Scratch::imported("describe-actions");
    // Researching: the office assigns or reassigns, the department may start drafting.
    let dept = s.run(&["--json", "actions", CODE, "--as", DEPT]).ok().json();
    let names: Vec<&str> = dept
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"start_drafting"), "{names:?}");
    assert!(!names.contains(&"assign_department"), "{names:?}");
    let office = s.run(&["--json", "actions", CODE, "--as", OFFICE]).ok().json();
    let office: Vec<&str> = office
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(office.contains(&"reassign_department"), "{office:?}");
    assert!(!office.contains(&"start_drafting"), "{office:?}");
    // Without --as: every action open from the state, the union of both.
    let all = s.run(&["--json", "actions", CODE]).ok().json();
    assert!(all.as_array().unwrap().len() >= names.len() + office.len());
    // Someone of another department may do nothing with it now: said so.
    let other = s.run(&["actions", CODE, "--as", "zhao@执行局"]).ok();
    assert!(
        other.stdout.contains("此操作人现在没有可执行的操作"),
        "{}",
        other.stdout
    );
    let other = s.run(&["--lang", "en", "actions", CODE, "--as", "zhao@执行局"]).ok();
    assert!(
        other.stdout.contains("nothing this actor may do now"),
        "{}",
        other.stdout
    );
    // Text, in both languages: the action, its label, the state it leads to.
    let zh = s.run(&["actions", CODE, "--as", DEPT]).ok();
    assert!(
        zh.rows()
            .iter()
            .any(|r| r[..3] == ["start_drafting", "开始起草", "文本起草"]),
        "{}",
        zh.stdout
    );
    let en = s.run(&["--lang", "en", "actions", CODE, "--as", DEPT]).ok();
    assert!(
        en.rows()
            .iter()
            .any(|r| r[..3] == ["start_drafting", "Start drafting", "Drafting"]),
        "{}",
        en.stdout
    );
    // Without a code, the whole lifecycle (no store needed): each transition once.
    let bare = Scratch::new("describe-lifecycle");
    let lifecycle = bare.run(&["--json", "actions"]).ok().json();
    let rows = lifecycle.as_array().unwrap();
    assert!(
        rows.iter().any(|t| t["action"] == "publish" && t["to"] == "published"),
        "{lifecycle}"
    );
    assert!(
        rows.iter()
            .all(|t| t["label"]["zh"].is_string() && t["label"]["en"].is_string())
    );
    // --as needs a code; an unknown code is named.
    s.run(&["actions", "--as", DEPT]).code(2);
    s.run(&["actions", "XXX-99-99"]).usage_error("XXX-99-99");
}

#[test]
fn schema_prints_each_field_from_the_engine_s_schema() {
    let s = Scratch::new("describe-schema");
    let en = s.run(&["--lang", "en", "schema", "respond_to_opinion"]).ok();
    let rows = en.rows();
    assert_eq!(rows[0], ["field", "type", "required", "meaning", "example"]);
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name}: {rows:?}"))
    };
    assert_eq!(row("opinion")[1], "integer");
    assert_eq!(row("opinion")[2], "yes");
    assert!(row("opinion")[3].starts_with("Opinion: "), "{:?}", row("opinion"));
    assert_eq!(row("response.decision")[1], "choice: adopted|not_adopted");
    assert_eq!(row("response.reason")[2], "yes (when response.decision is not_adopted)");
    let zh = s.run(&["schema", "respond_to_opinion"]).ok();
    let rows = zh.rows();
    assert_eq!(rows[0], ["字段", "类型", "必填", "含义", "示例"]);
    assert!(
        rows.iter().any(|r| r[..4]
            == [
                "response.reason",
                "text",
                "是（response.decision 为 not_adopted 时）",
                "答复 · 理由"
            ]),
        "{}",
        zh.stdout
    );
    // JSON: the fields and the schema itself, which is the library's.
    let json = s.run(&["--json", "schema", "publish"]).ok().json();
    assert_eq!(json["schema"], regula_standards_schema("publish"));
    let date = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "date")
        .unwrap();
    assert_eq!(date["type"], "date");
    assert_eq!(date["required"], true);
    assert_eq!(date["label"], json!({"zh": "日期", "en": "Date"}));
    // An action without fields says so; an unknown one lists the actions.
    let none = s.run(&["--lang", "en", "schema", "close_consultation"]).ok();
    assert!(none.stdout.contains("takes no fields"), "{}", none.stdout);
    s.run(&["--lang", "en", "schema", "frobnicate"])
        .usage_error("unknown action \"frobnicate\"; actions: assign_department");
    s.run(&["schema", "frobnicate"]).usage_error("没有操作 \"frobnicate\"");
}

/// The payload schema the library derives from the action's type: what serde decodes
/// and the service's OpenAPI document publishes.
fn regula_standards_schema(action: &str) -> serde_json::Value {
    regula_standards::schema::payload_schema(action).unwrap()
}

#[test]
fn values_are_typed_and_unknown_fields_refused_before_writing() {
    let s = Scratch::imported("describe-payload");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    s.write("draft.json", &draft_json("草案"));
    s.run(&[
        "do",
        CODE,
        "open_consultation",
        "--as",
        DEPT,
        "--at",
        "2023-03-02",
        "--json-file",
        "draft.json",
    ])
    .ok();
    s.act(
        CODE,
        "record_opinion",
        DEPT,
        "2023-03-03",
        &[
            "opinion.source=frontline",
            "opinion.author=张法官",
            "opinion.content=意见",
        ],
    )
    .ok();
    let before = s.fingerprint(CODE);
    // An unknown field: exit 2, named with the fields allowed, nothing recorded.
    s.run(&[
        "--lang",
        "en",
        "do",
        CODE,
        "respond_to_opinion",
        "--as",
        DEPT,
        "opinion=1",
        "response.decision=adopted",
        "color=blue",
    ])
    .usage_error("unknown field \"color\"; its fields: opinion, response.decision, response.reason");
    assert_eq!(s.fingerprint(CODE), before, "an unknown field wrote something");
    // A text that looks like a number stays text; a number field is a number.
    s.act(
        CODE,
        "respond_to_opinion",
        DEPT,
        "2023-03-04",
        &["opinion=1", "response.decision=not_adopted", "response.reason=2023"],
    )
    .ok();
    let last = s.log(CODE).pop().unwrap();
    assert_eq!(
        last["payload"],
        json!({"opinion": 1, "response": {"decision": "not_adopted", "reason": "2023"}})
    );
}

#[test]
fn dry_run_shows_the_decision_and_writes_nothing() {
    let s = Scratch::imported("describe-dry-run");
    let before = s.fingerprint(CODE);
    // Accepted: the state it would lead to.
    let ok = s
        .run(&[
            "do",
            CODE,
            "start_drafting",
            "--as",
            DEPT,
            "--at",
            "2023-03-01",
            "--dry-run",
        ])
        .ok();
    assert!(
        ok.stdout.contains("调研论证 → 文本起草") && ok.stdout.contains("试运行，未写入"),
        "{}",
        ok.stdout
    );
    let json = s
        .run(&[
            "--json",
            "do",
            CODE,
            "start_drafting",
            "--as",
            DEPT,
            "--at",
            "2023-03-01",
            "--dry-run",
        ])
        .ok()
        .json();
    assert_eq!(json["decision"], "accept");
    assert_eq!(json["to"], "drafting");
    assert_eq!(json["dry_run"], true);
    // Refused: every reason, exit 1.
    let refused = s
        .run(&[
            "--lang",
            "en",
            "do",
            CODE,
            "open_consultation",
            "--as",
            DEPT,
            "draft.text=草案",
            "--dry-run",
        ])
        .refused();
    assert!(
        refused.stderr.contains("would be refused (dry run, nothing written)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.lines().filter(|l| l.starts_with("  - ")).count() >= 1,
        "{}",
        refused.stderr
    );
    let json = s
        .run(&[
            "--json",
            "do",
            CODE,
            "open_consultation",
            "--as",
            DEPT,
            "draft.text=草案",
            "--dry-run",
        ])
        .refused()
        .json();
    assert_eq!(json["decision"], "refuse");
    assert!(!json["reasons"].as_array().unwrap().is_empty());
    // Nothing was written by any of them.
    assert_eq!(s.fingerprint(CODE), before);
    s.verified();
}
