//! Stores written by earlier releases keep opening, verifying and continuing.
//!
//! `tests/fixtures/store-v1-tour.db` is the README tour's store as Regula 0.1 wrote it
//! (record format 1, 128 records: the 117 standards imported and ADJ-01-01 taken to
//! publication, one refusal included), with the checkpoint taken after the tour. It is
//! committed as it was written and never regenerated: a change that stops it from
//! verifying or continuing breaks every court's existing store.
#![allow(clippy::unwrap_used)]

mod common;

use common::Scratch;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// A scratch copy of the v1 tour store (the fixture itself is never written).
fn v1_store() -> Scratch {
    let s = Scratch::new("fixture-v1");
    std::fs::copy(fixture("store-v1-tour.db"), s.store()).unwrap();
    std::fs::copy(fixture("store-v1-tour.checkpoint.json"), s.file("cp.json")).unwrap();
    s
}

#[test]
fn a_v1_store_verifies_and_extends_its_checkpoint() {
    let s = v1_store();
    let report = s.verified();
    assert_eq!(report["records"], 128, "{report}");
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
    let log = s.log("ADJ-01-01");
    assert_eq!(log.len(), 12);
    assert!(
        log.iter().all(|r| r["format"] == 1 && r.get("recorded_at").is_none()),
        "{log:?}"
    );
}

#[test]
fn a_v1_log_continues_in_format_2_and_still_verifies() {
    let s = v1_store();
    // Regula 0.1 kept the rules outside the store: nothing is decided until the office
    // records them in the store's rules log.
    s.act("ADJ-01-01", "begin_follow_up", "wang@综合办公室", "2023-05-10", &[])
        .usage_error("does not record the rules its decisions follow");
    assert!(
        s.run(&["--json", "rules", "log"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    s.run(&["catalog", "import", "--as", "wang@综合办公室"]).ok();
    let rules = s.run(&["--json", "rules", "log"]).ok().json();
    assert_eq!(rules.as_array().unwrap().len(), 1, "{rules}");
    s.verified();
    s.act("ADJ-01-01", "begin_follow_up", "wang@综合办公室", "2023-05-10", &[])
        .ok();
    let log = s.log("ADJ-01-01");
    assert_eq!(log.len(), 13);
    let last: &Value = &log[12];
    assert_eq!(last["format"], 2, "{last}");
    assert_eq!(last["at"], "2023-05-10T01:00:00Z");
    // Entered after the fact: the writing time is the clock's, later than the event.
    assert!(last["recorded_at"].as_str().unwrap() > "2026", "{last}");
    assert_eq!(last["prev_hash"], log[11]["hash"]);
    assert_eq!(
        last["rules"], rules[0]["hash"],
        "the decision cites the rules it followed"
    );
    s.verified();
    // The old checkpoint is still extended by the continued store.
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
    // And the v1 records' time order still binds: nothing may be dated before the
    // publication of 2023-04-28.
    s.act("ADJ-01-01", "begin_follow_up", "wang@综合办公室", "2023-04-01", &[])
        .usage_error("is before the standard's last accepted record");
}

/// The JSON checkpoints of 0.1 and 0.2 are read wherever a checkpoint is, as unsigned
/// checkpoints; the fixtures themselves are never rewritten.
#[test]
fn the_json_checkpoints_of_earlier_releases_are_still_read() {
    let s = Scratch::new("fixture-v2-checkpoint");
    std::fs::copy(fixture("store-v2-sim-2023-06-30.db"), s.store()).unwrap();
    let json = std::fs::read(fixture("store-v2-sim-2023-06-30.checkpoint.json")).unwrap();
    std::fs::write(s.file("cp.json"), &json).unwrap();
    std::fs::copy(fixture("store-v1-tour.checkpoint.json"), s.file("v1.json")).unwrap();
    let ok = s.run(&["--lang", "en", "verify", "--checkpoint", "cp.json"]).ok();
    assert!(
        ok.stdout.contains("; extends the checkpoint of 1446 records\n"),
        "{}",
        ok.stdout
    );
    // The v1 tour's checkpoint is of another history: verification fails (exit 1).
    let r = s.run(&["--lang", "en", "verify", "--checkpoint", "v1.json"]).refused();
    assert!(r.stderr.contains("history was rewritten"), "{}", r.stderr);
    // It holds no signature: a key refuses it (exit 1).
    s.run(&["key", "generate", "court", "--secret", "k.sec", "--public", "k.pub"])
        .ok();
    let r = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp.json", "--key", "k.pub"])
        .refused();
    assert!(r.stderr.contains("the checkpoint is unsigned"), "{}", r.stderr);
    // Read, never written: the file is as it was.
    assert_eq!(std::fs::read(s.file("cp.json")).unwrap(), json);
}

/// A scratch copy of the v2 store: the seed-7 simulation stopped at 2023-06-30.
fn v2_store() -> Scratch {
    let s = Scratch::new("fixture-v2");
    std::fs::copy(fixture("store-v2-sim-2023-06-30.db"), s.store()).unwrap();
    std::fs::copy(fixture("store-v2-sim-2023-06-30.checkpoint.json"), s.file("cp.json")).unwrap();
    s
}

#[test]
fn the_v2_store_verifies_and_accepts_court_level_decisions() {
    let s = v2_store();
    let before = s.verified();
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
    // Its rules log was written before the court-level decisions existed; they follow it.
    let core = s.run(&["--json", "court", "log"]).ok().json();
    let records = core.as_array().unwrap().len();
    s.run(&[
        "court",
        "hearing",
        "--as",
        "陈伟",
        "--present",
        "陈伟,马振生",
        "--summary",
        "听取上半年标准化建设进展",
        "--at",
        "2023-07-03",
    ])
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
        "待上级新规",
        "--as",
        "陈伟",
        "--at",
        "2023-07-03",
    ])
    .ok();
    let after = s.verified();
    assert_eq!(
        after["records"].as_u64().unwrap(),
        before["records"].as_u64().unwrap() + 2,
        "{after}"
    );
    assert_eq!(
        s.run(&["--json", "court", "log"]).ok().json().as_array().unwrap().len(),
        records + 2
    );
    assert_eq!(
        s.run(&["--json", "court", "hearings"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let report = s
        .run(&["--json", "report", "--by", "steps", "--as-of", "2023-07-04"])
        .ok()
        .json();
    let build_all = report["steps"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["step"] == "build-all")
        .unwrap();
    assert_eq!(build_all["extended"][0]["code"], "ADJ-01-20", "{build_all}");
    assert_eq!(build_all["extended"][0]["extension"]["due"], "2024-03-31");
    // The old checkpoint is still extended.
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
}

/// The store today's code wrote before definition version 2 (the v2 fixture: every
/// standard on `court-standard` v1) verifies, moves its open standards to v2 with one
/// recorded migration each, continues under v2's rules, and still verifies and
/// extends its old checkpoint.
#[test]
fn the_v2_store_migrates_its_open_standards_to_definition_version_2_and_continues() {
    let s = v2_store();
    let before = s.verified()["records"].as_u64().unwrap();
    let show = s.run(&["--json", "show", "ADJ-01-03"]).ok().json();
    assert_eq!(show["definition"]["version"], 1, "{show}");
    assert_eq!(show["latest_definition"], 2);
    assert!(
        s.run(&["show", "ADJ-01-03"])
            .ok()
            .stdout
            .contains("regula migrate ADJ-01-03")
    );
    // Only the office migrates: a department's attempt is refused and recorded (exit 1).
    let refused = s
        .run(&["--lang", "en", "migrate", "ADJ-01-03", "--as", "li@综合审判庭"])
        .refused();
    assert!(refused.stdout.contains("migration refused"), "{}", refused.stdout);
    // Every open standard, one record each (all 117 are open at 2023-06-30).
    let migrated = s.run(&["--json", "migrate", "--as", "wang@综合办公室"]).ok().json();
    let migrated = migrated.as_array().unwrap();
    assert_eq!(migrated.len(), 117);
    for r in migrated {
        assert_eq!(r["action"], "migrate", "{r}");
        assert_eq!(r["definition"]["version"], 2, "{r}");
        assert_eq!(r["outcome"]["kind"], "accepted", "{r}");
        assert_eq!(r["from"], r["outcome"]["to"], "every stage exists in v2: {r}");
        assert_eq!(r["payload"]["from_version"], 1, "{r}");
        assert_eq!(r["actor"]["id"], "wang", "{r}");
    }
    // Run again: nothing left to move.
    assert!(
        s.run(&["--lang", "en", "migrate", "--as", "wang@综合办公室"])
            .ok()
            .stdout
            .contains("nothing to migrate")
    );
    let after = s.verified()["records"].as_u64().unwrap();
    assert_eq!(after, before + 1 + 117, "one refusal and 117 migrations");
    let show = s.run(&["--json", "show", "ADJ-01-03"]).ok().json();
    assert_eq!(show["definition"]["version"], 2, "{show}");
    // Version 2's rules now apply: a draft must state its sources (ADJ-01-03 is in drafting).
    let bare = s.write(
        "bare.json",
        r#"{"draft":{"text":"行政案件庭前会议标准（征求意见稿）","procedural":["开庭 3 日前通知"],"quality":["争点归纳准确"],"criteria":[{"name":"召开率","measure":"召开数/应召开数","target":"≥ 95%"}]}}"#,
    );
    let r = s
        .run(&[
            "--lang",
            "en",
            "do",
            "ADJ-01-03",
            "open_consultation",
            "--as",
            "li@综合审判庭",
            "--json-file",
            bare.to_str().unwrap(),
        ])
        .refused();
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("does not state its sources"), "{said}");
    let draft = s.write("draft.json", &common::draft_json("行政案件庭前会议标准（征求意见稿）"));
    s.run(&[
        "do",
        "ADJ-01-03",
        "open_consultation",
        "--as",
        "li@综合审判庭",
        "--json-file",
        draft.to_str().unwrap(),
    ])
    .ok();
    let log = s.log("ADJ-01-03");
    let last = log.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["definition"]["version"].as_u64()),
        (Some("open_consultation"), Some(2))
    );
    s.verified();
    // The checkpoint taken before all this is still extended.
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
}

/// The README tour's store as Regula 0.1 wrote it migrates too, once its rules are
/// recorded.
#[test]
fn a_v1_store_migrates_after_its_rules_are_recorded() {
    let s = v1_store();
    s.run(&["catalog", "import", "--as", "wang@综合办公室"]).ok();
    let migrated = s.run(&["--json", "migrate", "--as", "wang@综合办公室"]).ok().json();
    // The 117 standards of the tour, none closed.
    assert_eq!(migrated.as_array().unwrap().len(), 117);
    let log = s.log("ADJ-01-01");
    assert_eq!(log.last().unwrap()["action"], "migrate");
    assert_eq!(log.first().unwrap()["format"], 1, "earlier records are kept as written");
    s.verified();
    s.run(&["verify", "--checkpoint", "cp.json"]).ok();
}
