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
