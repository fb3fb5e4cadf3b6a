//! `regula verify`, `verify --since` and `verify-proof`: one exit-code contract (0
//! verified; 1 verification failed: tampering, a forged or wrong-key checkpoint, an
//! altered bundle; 2 could not run: usage, a missing file, I/O), and every problem
//! listed, in Chinese by default and in English with `--lang en`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{CODE, DEPT, Scratch, run_in};
use rusqlite::Connection;

/// A store with the catalog imported and one standard started.
fn started(tag: &str) -> Scratch {
    let s = Scratch::imported(tag);
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    s
}

/// The instance id of the standard `CODE`.
fn instance_of(s: &Scratch) -> String {
    let log = s.log(CODE);
    log[0]["instance"].as_str().unwrap().to_owned()
}

fn sql(s: &Scratch, statement: &str, instance: &str) {
    let conn = Connection::open(s.store()).unwrap();
    let changed = conn.execute(statement, [instance]).unwrap();
    assert!(changed > 0, "{statement}");
}

#[test]
fn a_verified_store_exits_0_with_and_without_full() {
    let s = started("verify-ok");
    let r = s.run(&["--lang", "en", "verify"]).ok();
    assert!(r.stdout.starts_with("verified: 119 records"), "{}", r.stdout);
    let r = s.run(&["verify", "--full"]).ok();
    assert!(r.stdout.starts_with("校验通过"), "{}", r.stdout);
    assert_eq!(s.run(&["--json", "verify", "--full"]).ok().json()["ok"], true);
}

#[test]
fn every_problem_is_listed_in_zh_and_en_and_exits_1() {
    let s = started("verify-problems");
    let id = instance_of(&s);
    // Two queryable copies edited: the head's state and a record's time column. Before
    // verify checked them, both passed (exit 0).
    sql(&s, "UPDATE instances SET state = 'published' WHERE instance = ?1", &id);
    sql(
        &s,
        "UPDATE records SET at = '2999-01-01T00:00:00.000000000Z' WHERE instance = ?1 AND seq = 2",
        &id,
    );
    let zh = s.run(&["verify"]).refused();
    assert!(
        zh.stderr.starts_with("校验失败：2 个问题") || zh.stderr.starts_with("校验失败: 2 个问题"),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr
            .contains(&format!("实例 {id}：实例头的 state 为 \"published\"")),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr
            .contains("列 records.at 存有 \"2999-01-01T00:00:00.000000000Z\""),
        "{}",
        zh.stderr
    );
    let en = s.run(&["--lang", "en", "verify"]).refused();
    assert!(
        en.stderr.starts_with("verification failed: 2 problem(s)"),
        "{}",
        en.stderr
    );
    assert!(
        en.stderr.contains(&format!(
            "instance {id}: the head's state is \"published\", its log up to record 2 gives \"drafting\""
        )),
        "{}",
        en.stderr
    );
    assert!(
        en.stderr.contains(&format!(
            "instance {id}, record 2: column records.at holds \"2999-01-01T00:00:00.000000000Z\""
        )),
        "{}",
        en.stderr
    );
    // JSON lists them too, in the chosen language.
    let r = s.run(&["--json", "--lang", "en", "verify"]);
    assert_eq!(r.code, 1);
    let json = r.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["problems"].as_array().unwrap().len(), 2, "{json}");
}

#[test]
fn a_store_whose_log_no_longer_loads_fails_verification_not_the_run() {
    let s = started("verify-forged");
    let id = instance_of(&s);
    // A record's content changed: the standard no longer loads, so the court cannot
    // open; verification still runs and fails (exit 1, not 2).
    sql(
        &s,
        "UPDATE records SET record = replace(record, '\"role\":\"department\"', '\"role\":\"office\"') \
         WHERE instance = ?1 AND seq = 2",
        &id,
    );
    let r = s.run(&["--lang", "en", "verify"]).refused();
    assert!(r.stderr.starts_with("verification failed: "), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("instance {id}, record 2: content hashes to")),
        "{}",
        r.stderr
    );
}

#[test]
fn verify_since_exit_codes() {
    let s = started("verify-since");
    s.run(&[
        "key",
        "generate",
        "court",
        "--secret",
        "court.key",
        "--public",
        "court.pub",
    ])
    .ok();
    s.run(&[
        "key",
        "generate",
        "other",
        "--secret",
        "other.key",
        "--public",
        "other.pub",
    ])
    .ok();
    s.run(&["checkpoint", "--sign", "court.key", "--out", "cp"]).ok();
    s.run(&["verify", "--since", "cp", "--key", "court.pub"]).ok();
    // Another court's key: the checkpoint does not verify (exit 1, was 2).
    let r = s
        .run(&["--lang", "en", "verify", "--since", "cp", "--key", "other.pub"])
        .refused();
    assert!(r.stderr.contains("the checkpoint does not verify"), "{}", r.stderr);
    // A forged checkpoint: its size changed, its signature no longer holds (exit 1).
    let text = std::fs::read_to_string(s.file("cp")).unwrap();
    s.write("forged", &text.replacen("\n119\n", "\n120\n", 1));
    let r = s.run(&["verify", "--since", "forged", "--key", "court.pub"]).refused();
    assert!(r.stderr.contains("altered or forged"), "{}", r.stderr);
    // Could not run: a missing checkpoint or key file, no store (exit 2).
    s.run(&["verify", "--since", "missing", "--key", "court.pub"]).code(2);
    s.run(&["verify", "--since", "cp", "--key", "missing.pub"]).code(2);
    let r = run_in(
        s.path(),
        &["--store", "absent.db", "verify", "--since", "cp", "--key", "court.pub"],
    )
    .code(2);
    assert!(r.stderr.contains("no store at absent.db"), "{}", r.stderr);
    // Usage: --full does not apply to --since.
    s.run(&["verify", "--since", "cp", "--key", "court.pub", "--full"])
        .code(2);
}

#[test]
fn verify_proof_exit_codes() {
    let s = started("verify-proof-codes");
    s.run(&[
        "key",
        "generate",
        "court",
        "--secret",
        "court.key",
        "--public",
        "court.pub",
    ])
    .ok();
    s.run(&[
        "key",
        "generate",
        "other",
        "--secret",
        "other.key",
        "--public",
        "other.pub",
    ])
    .ok();
    s.run(&["checkpoint", "--sign", "court.key", "--out", "cp"]).ok();
    s.run(&["prove", CODE, "2", "--checkpoint", "cp", "--out", "bundle.json"])
        .ok();
    s.run(&["verify-proof", "bundle.json", "--key", "court.pub"]).ok();
    // Another key, an altered bundle: verification failed (exit 1).
    s.run(&["verify-proof", "bundle.json", "--key", "other.pub"]).refused();
    let bundle = std::fs::read_to_string(s.file("bundle.json")).unwrap();
    s.write("altered.json", &bundle.replacen("start_drafting", "approve", 1));
    s.run(&["verify-proof", "altered.json", "--key", "court.pub"]).refused();
    // A missing bundle or key: could not run (exit 2).
    s.run(&["verify-proof", "missing.json", "--key", "court.pub"]).code(2);
    s.run(&["verify-proof", "bundle.json", "--key", "missing.pub"]).code(2);
}

#[test]
fn verify_could_not_run_exits_2() {
    let s = started("verify-cannot-run");
    s.run(&["verify", "--checkpoint", "missing"]).code(2);
    let r = run_in(s.path(), &["--store", "absent.db", "verify"]).code(2);
    assert!(r.stderr.contains("no store at absent.db"), "{}", r.stderr);
}
