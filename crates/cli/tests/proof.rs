//! Proving history through the command line: signing keys, signed checkpoints, proof
//! bundles verified offline, and a store rolled back behind the library's back.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;
use serde_json::Value;

/// Copies the SQLite store (with its -wal and -shm files, if any) into `to`.
fn copy_store(store: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = store.file_name().unwrap().to_os_string();
        name.push(suffix);
        let from = store.with_file_name(&name);
        let dest = to.join(&name);
        let _ = std::fs::remove_file(&dest);
        if from.exists() {
            std::fs::copy(&from, &dest).unwrap();
        }
    }
}

/// Puts back a copy made by [`copy_store`]: the store as it was then, whole.
fn restore_store(from: &Path, store: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = store.file_name().unwrap().to_os_string();
        name.push(suffix);
        let saved = from.join(&name);
        let dest = store.with_file_name(&name);
        let _ = std::fs::remove_file(&dest);
        if saved.exists() {
            std::fs::copy(&saved, &dest).unwrap();
        }
    }
}

/// Runs `verify-proof BUNDLE --key PUB` in `dir` against a store that does not exist.
fn verify_offline(dir: &Scratch, bundle: &str) -> Run {
    let nowhere = dir.file("nowhere/regula.db");
    let r = run_in(
        dir.path(),
        &[
            "--lang",
            "en",
            "--store",
            nowhere.to_str().unwrap(),
            "verify-proof",
            bundle,
            "--key",
            "court.pub",
        ],
    );
    assert!(!dir.file("nowhere").exists(), "verify-proof created a store");
    r
}

#[test]
fn signed_checkpoints_proofs_and_a_rollback() {
    let s = Scratch::imported("proof");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();

    // A signing key: the secret readable by its owner only, the public key printed.
    let key = s
        .run(&[
            "--lang",
            "en",
            "key",
            "generate",
            "hongshi-court",
            "--secret",
            "court.key",
            "--public",
            "court.pub",
        ])
        .ok();
    let public = key.stdout.trim_end();
    assert!(public.starts_with("hongshi-court+"), "{public}");
    // name+id+key, where the key's base64 may itself hold a '+'.
    let parts: Vec<&str> = public.splitn(3, '+').collect();
    assert_eq!(parts.len(), 3, "{public}");
    assert_eq!(parts[0], "hongshi-court");
    assert!(
        parts[1].len() == 8 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
        "{public}"
    );
    assert!(
        key.stderr.contains("secret key written (owner-only): "),
        "{}",
        key.stderr
    );
    assert!(
        !key.stderr
            .contains(&std::fs::read_to_string(s.file("court.key")).unwrap())
    );
    let mode = std::fs::metadata(s.file("court.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "secret key mode {mode:o}");
    assert_eq!(std::fs::read_to_string(s.file("court.pub")).unwrap().trim_end(), public);
    // Never overwritten.
    let secret = std::fs::read(s.file("court.key")).unwrap();
    let again = s.run(&["key", "generate", "other", "--secret", "court.key"]).code(2);
    assert!(again.stderr.contains("court.key"), "{}", again.stderr);
    assert_eq!(std::fs::read(s.file("court.key")).unwrap(), secret);

    // cp1, then a copy of the store as it is, then more records and cp2.
    let cp1 = s
        .run(&["--lang", "en", "checkpoint", "--sign", "court.key", "--out", "cp1"])
        .ok();
    assert_eq!(cp1.stdout, "signed checkpoint written to cp1 (119 records)\n");
    let text = std::fs::read_to_string(s.file("cp1")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[..2], ["hongshi-court", "119"], "{text}");
    assert!(text.contains("\n\n— hongshi-court "), "{text}");
    copy_store(&s.store(), &s.file("after-cp1"));

    // Standard input (closed here) holds no JSON: nothing happens.
    s.act(CODE, "open_consultation", DEPT, "2023-03-21", &["--json-file", "-"])
        .usage_error("-: not JSON: EOF");
    s.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    s.act(
        CODE,
        "open_consultation",
        DEPT,
        "2023-03-21",
        &["--json-file", "draft.json"],
    )
    .ok();
    s.act(
        CODE,
        "record_opinion",
        DEPT,
        "2023-03-22",
        &[
            "opinion.author=张法官",
            "opinion.source=frontline",
            "opinion.content=建议明确公示期限",
        ],
    )
    .ok();
    s.run(&["checkpoint", "--sign", "court.key", "--out", "cp2"]).ok();

    // The store only grew since either checkpoint.
    let since = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp1", "--key", "court.pub"])
        .ok();
    assert!(
        since.stdout.starts_with("verified: 121 records")
            && since
                .stdout
                .contains("extends the checkpoint of 119 records (signature verified: hongshi-court+"),
        "{}",
        since.stdout
    );
    let since = s
        .run(&["--json", "verify", "--checkpoint", "cp2", "--key", "court.pub"])
        .ok()
        .json();
    assert_eq!(since["ok"], true);
    assert_eq!(since["checkpoint"]["size"], 121);
    assert_eq!(since["checkpoint"]["origin"], "hongshi-court");
    assert!(
        since["checkpoint"]["signed_by"]
            .as_str()
            .unwrap()
            .starts_with("hongshi-court+"),
        "{since}"
    );

    // A proof bundle for record #3 (open_consultation), against cp2.
    let prove = s
        .run(&[
            "--lang",
            "en",
            "prove",
            CODE,
            "3",
            "--checkpoint",
            "cp2",
            "--out",
            "bundle.json",
        ])
        .ok();
    assert!(
        prove
            .stdout
            .starts_with("proof bundle written to bundle.json (ADJ-01-08 #3, leaf "),
        "{}",
        prove.stdout
    );
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(s.file("bundle.json")).unwrap()).unwrap();
    let record: Value = serde_json::from_str(bundle["record"].as_str().unwrap()).unwrap();
    assert_eq!(record["seq"], 3);
    assert_eq!(record["action"], "open_consultation");
    // Record #3 is not in cp1, which saw 119 records.
    let r = s.run(&["prove", CODE, "3", "--checkpoint", "cp1"]).code(2);
    assert!(
        r.stderr.contains("among the 119 records of the checkpoint"),
        "{}",
        r.stderr
    );
    // Without --out, the bundle goes to stdout.
    let printed = s.run(&["prove", CODE, "2", "--checkpoint", "cp1"]).ok().json();
    assert_eq!(printed["format"], 1);

    // Offline: another directory with only the bundle and the public key, no store.
    let offline = Scratch::new("offline");
    std::fs::copy(s.file("court.pub"), offline.file("court.pub")).unwrap();
    std::fs::copy(s.file("bundle.json"), offline.file("bundle.json")).unwrap();
    let ok = verify_offline(&offline, "bundle.json").ok();
    assert!(ok.stdout.starts_with("proof verified:\n"), "{}", ok.stdout);
    assert!(
        ok.stdout
            .contains("#3: 2023-03-21T01:00:00+00:00 li.lian department open_consultation"),
        "{}",
        ok.stdout
    );
    assert!(
        ok.stdout
            .contains("included in hongshi-court whose log held 121 records"),
        "{}",
        ok.stdout
    );
    let json = run_in(
        offline.path(),
        &[
            "--json",
            "--store",
            "nowhere.db",
            "verify-proof",
            "bundle.json",
            "--key",
            "court.pub",
        ],
    )
    .ok()
    .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["tree_size"], 121);
    assert_eq!(json["seq"], 3);
    assert_eq!(json["record"]["action"], "open_consultation");
    assert!(!offline.file("nowhere.db").exists());

    // Tampered bundles are rejected: exit 1 and why.
    let tampered = |name: &str, change: &dyn Fn(&mut Value)| {
        let mut b = bundle.clone();
        change(&mut b);
        std::fs::write(offline.file(name), serde_json::to_string_pretty(&b).unwrap()).unwrap();
        let r = verify_offline(&offline, name).refused();
        assert!(r.stderr.starts_with("proof rejected: "), "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{name}: {}", r.stdout);
        r.stderr
    };
    let why = tampered("text.json", &|b| {
        b["record"] = b["record"]
            .as_str()
            .unwrap()
            .replace("减假暂案件审判标准（草案）", "伪造的草案")
            .into();
    });
    assert!(why.contains("its content hashes to"), "{why}");
    let why = tampered("leaf.json", &|b| {
        b["leaf_index"] = (b["leaf_index"].as_u64().unwrap() + 1).into()
    });
    assert!(why.contains("the proof does not hold"), "{why}");
    let why = tampered("size.json", &|b| {
        b["checkpoint"] = b["checkpoint"]
            .as_str()
            .unwrap()
            .replacen("\n121\n", "\n122\n", 1)
            .into();
    });
    assert!(
        why.contains("does not verify: the checkpoint was altered or forged"),
        "{why}"
    );
    let why = tampered("time.json", &|b| {
        b["checkpoint"] = b["checkpoint"]
            .as_str()
            .unwrap()
            .replacen("time 20", "time 19", 1)
            .into();
    });
    assert!(why.contains("the checkpoint was altered or forged"), "{why}");
    let why = tampered("hash.json", &|b| {
        let first = b["proof"][0].as_str().unwrap();
        let flipped = if first.starts_with('0') { "1" } else { "0" };
        b["proof"][0] = format!("{flipped}{}", &first[1..]).into();
    });
    assert!(why.contains("the proof does not hold"), "{why}");
    // Another court's key: rejected too.
    offline
        .run(&[
            "key",
            "generate",
            "other-court",
            "--secret",
            "other.key",
            "--public",
            "other.pub",
        ])
        .ok();
    let r = run_in(
        offline.path(),
        &[
            "--store",
            "nowhere.db",
            "verify-proof",
            "bundle.json",
            "--key",
            "other.pub",
        ],
    );
    let r = r.refused();
    assert!(r.stderr.contains("other-court"), "{}", r.stderr);
    // A file that is no bundle at all is an input error.
    offline.write("junk.json", "{\"format\": 1}");
    let r = verify_offline(&offline, "junk.json").code(2);
    assert!(r.stderr.contains("junk.json: "), "{}", r.stderr);

    // Roll the store back behind the library's back: put the copy taken after cp1 in
    // place. The store is consistent in itself, so plain verify passes, and it still
    // extends cp1; but cp2 saw two more records: a rollback.
    restore_store(&s.file("after-cp1"), &s.store());
    let v = s.verified();
    assert_eq!(v["records"], 119);
    s.run(&["verify", "--checkpoint", "cp1", "--key", "court.pub"]).ok();
    let r = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp2", "--key", "court.pub"])
        .refused();
    assert!(
        r.stderr.starts_with("verification failed: 1 problem(s)\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("the checkpoint saw 121 records, the store holds only 119"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = s
        .run(&["--lang", "en", "prove", CODE, "2", "--checkpoint", "cp2"])
        .refused();
    assert!(
        r.stderr
            .contains("the store does not match the checkpoint (rolled back or rewritten)"),
        "{}",
        r.stderr
    );

    // Rewritten: the same number of records as cp2, but other ones.
    s.act(
        CODE,
        "open_consultation",
        DEPT,
        "2023-03-25",
        &["--json-file", "draft.json"],
    )
    .ok();
    s.act(
        CODE,
        "record_opinion",
        DEPT,
        "2023-03-26",
        &[
            "opinion.author=李法官",
            "opinion.source=frontline",
            "opinion.content=另一条意见",
        ],
    )
    .ok();
    assert_eq!(s.fingerprint(CODE).size, 121);
    let r = s
        .run(&["--lang", "en", "verify", "--checkpoint", "cp2", "--key", "court.pub"])
        .refused();
    assert!(r.stderr.contains("history was rewritten"), "{}", r.stderr);
    s.run(&["verify", "--checkpoint", "cp1", "--key", "court.pub"]).ok();
}
