//! `regula verify`, `verify --checkpoint [--key]` and `verify-proof`: one exit-code contract (0
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
    // Two queryable copies edited: the head's state and its time (a record's own
    // columns are only its place and JSON since schema 3). Before verify checked them,
    // both passed (exit 0).
    sql(&s, "UPDATE instances SET state = 'published' WHERE instance = ?1", &id);
    sql(
        &s,
        "UPDATE instances SET updated_at = '2999-01-01T00:00:00.000000000Z' WHERE instance = ?1",
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
            .contains(&format!("实例 {id}：实例头的 updated_at 为 2999-01-01")),
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
        en.stderr
            .contains(&format!("instance {id}: the head's updated_at is 2999-01-01")),
        "{}",
        en.stderr
    );
    // JSON lists them too, in both languages whatever --lang says.
    let r = s.run(&["--json", "--lang", "en", "verify"]);
    assert_eq!(r.code, 1);
    let json = r.json();
    assert_eq!(json["ok"], false);
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{json}");
    for p in problems {
        let (zh, en) = (p["zh"].as_str().unwrap(), p["en"].as_str().unwrap());
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{p}");
        assert_ne!(zh, en, "{p}");
    }
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
    let ok = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp", "--key", "court.pub"])
        .ok();
    assert!(
        ok.stdout
            .contains("; extends the checkpoint of 119 records (signature verified: court+"),
        "{}",
        ok.stdout
    );
    // The old spelling still works, and --full applies.
    s.run(&["verify", "--since", "cp", "--key", "court.pub", "--full"]).ok();
    // Without --key the signature is not checked, and the output says so.
    let unchecked = s.run(&["--lang", "en", "verify", "--checkpoint", "cp"]).ok();
    assert!(
        unchecked.stdout.contains("(signature not checked: give --key)"),
        "{}",
        unchecked.stdout
    );
    // Another court's key: the checkpoint does not verify (exit 1, was 2).
    let r = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp", "--key", "other.pub"])
        .refused();
    assert!(r.stderr.contains("the checkpoint does not verify"), "{}", r.stderr);
    assert!(r.stderr.contains("no signature by key other+"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // A forged checkpoint: its size changed, its signature no longer holds (exit 1).
    let text = std::fs::read_to_string(s.file("cp")).unwrap();
    s.write("forged", &text.replacen("\n119\n", "\n120\n", 1));
    let r = s
        .run(&["--lang", "en", "verify", "--checkpoint", "forged", "--key", "court.pub"])
        .refused();
    assert!(r.stderr.contains("altered or forged"), "{}", r.stderr);
    // Its signature lines removed, it is an unsigned checkpoint: a key refuses it
    // (exit 1), and without a key it is checked as one.
    let body_only = format!("{}\n\n", text.split("\n\n").next().unwrap());
    s.write("stripped", &body_only);
    let r = s
        .run(&[
            "--lang",
            "en",
            "verify",
            "--checkpoint",
            "stripped",
            "--key",
            "court.pub",
        ])
        .refused();
    assert!(
        r.stderr
            .contains("the checkpoint is unsigned; a signature by key court+"),
        "{}",
        r.stderr
    );
    s.run(&["verify", "--checkpoint", "stripped"]).ok();
    // So is a JSON checkpoint of an earlier release, which holds no signature.
    let fingerprint = s.fingerprint(CODE);
    s.write(
        "old.json",
        &format!(
            r#"{{"format":1,"size":{},"root":"{}","at":"2023-03-02T00:00:00Z"}}"#,
            fingerprint.size, fingerprint.root
        ),
    );
    s.run(&["verify", "--checkpoint", "old.json"]).ok();
    s.run(&["verify", "--checkpoint", "old.json", "--key", "court.pub"])
        .refused();
    // Could not run: a missing checkpoint or key file, no store (exit 2).
    s.run(&["verify", "--checkpoint", "missing", "--key", "court.pub"])
        .code(2);
    s.run(&["verify", "--checkpoint", "cp", "--key", "missing.pub"]).code(2);
    let r = run_in(
        s.path(),
        &[
            "--store",
            "absent.db",
            "verify",
            "--checkpoint",
            "cp",
            "--key",
            "court.pub",
        ],
    )
    .code(2);
    assert!(r.stderr.contains("no store at absent.db"), "{}", r.stderr);
}

#[test]
fn an_unsigned_checkpoint_catches_a_rollback() {
    let s = started("unsigned-rollback");
    let written = s
        .run(&[
            "--lang",
            "en",
            "checkpoint",
            "--origin",
            "红石林区基层法院/regula",
            "--out",
            "cp",
        ])
        .ok();
    assert_eq!(written.stdout, "checkpoint (unsigned) written to cp (119 records)\n");
    let text = std::fs::read_to_string(s.file("cp")).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines[..2], ["红石林区基层法院/regula", "119"], "{text}");
    assert!(lines[3].starts_with("time 20"), "{text}");
    assert!(
        text.ends_with("Z\n\n"),
        "no signature line after the blank line: {text:?}"
    );
    // Printed to standard output without --out: the same text.
    let printed = s.run(&["checkpoint"]).ok().stdout;
    assert!(printed.starts_with("regula\n119\n"), "{printed}");
    assert!(printed.ends_with("Z\n\n"), "{printed:?}");
    // The store as it is now, with its WAL files if any.
    let sidecars = |dir: &str| ["", "-wal", "-shm"].map(|x| s.file(&format!("{dir}regula.db{x}")));
    std::fs::create_dir_all(s.file("before")).unwrap();
    for (from, to) in sidecars("").iter().zip(sidecars("before/")) {
        if from.exists() {
            std::fs::copy(from, to).unwrap();
        }
    }

    s.act(CODE, "open_consultation", DEPT, "2023-03-21", &["draft.text=草案"])
        .refused();
    s.run(&["verify", "--checkpoint", "cp"]).ok();
    let cp2 = s.run(&["checkpoint", "--out", "cp2"]).ok();
    assert!(cp2.stdout.contains("cp2"), "{}", cp2.stdout);

    // The store rolled back to what it was at cp: cp still holds, cp2 does not.
    for (saved, live) in sidecars("before/").iter().zip(sidecars("")) {
        let _ = std::fs::remove_file(&live);
        if saved.exists() {
            std::fs::copy(saved, live).unwrap();
        }
    }
    s.run(&["verify", "--checkpoint", "cp"]).ok();
    let r = s.run(&["--lang", "en", "verify", "--checkpoint", "cp2"]).refused();
    assert!(
        r.stderr
            .contains("the checkpoint saw 120 records, the store holds only 119: the log was truncated or rolled back"),
        "{}",
        r.stderr
    );
    let json = s.run(&["--json", "verify", "--checkpoint", "cp2"]).refused().json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["checkpoint"]["size"], 120);
    assert_eq!(json["checkpoint"]["signed_by"], serde_json::Value::Null);
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
    // A checkpoint that does not parse: exit 2, and why.
    s.write("garbage", "regula\n1\n");
    let r = s.run(&["--lang", "en", "verify", "--checkpoint", "garbage"]).code(2);
    assert!(r.stderr.contains("garbage: not a checkpoint: "), "{}", r.stderr);
    let r = run_in(s.path(), &["--store", "absent.db", "verify"]).code(2);
    assert!(r.stderr.contains("no store at absent.db"), "{}", r.stderr);
}
