//! Every usage, input and store error exits 2 with a message naming the culprit, and
//! leaves the store as it was: the standard's log, the whole store's tree size and
//! root, and `verify`.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use common::*;

thread_local! {
    /// The fingerprint each store had before its test's first error, by store and code.
    static BEFORE: RefCell<HashMap<(PathBuf, String), Fingerprint>> = RefCell::new(HashMap::new());
}

/// Runs `args`, expects exit 2 with `fragment` on stderr, and checks that neither
/// `code`'s log nor the store's tree moved and that the store still verifies. (The
/// fingerprint before is taken once per store and code: the error paths of a test
/// run back to back, and none may change anything.)
fn rejected(s: &Scratch, code: &str, args: &[&str], fragment: &str) {
    let key = (s.store(), code.to_owned());
    let before = BEFORE.with(|b| b.borrow_mut().entry(key).or_insert_with(|| s.fingerprint(code)).clone());
    s.run(args).usage_error(fragment);
    assert_eq!(s.fingerprint(code), before, "regula {args:?} changed the store");
    s.verified();
}

/// A store where ADJ-01-08 is drafting since 2023-03-01.
fn drafting() -> Scratch {
    let s = Scratch::imported("errors");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    s
}

#[test]
fn bad_codes_actions_and_payloads() {
    let s = drafting();
    let act = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["do", CODE].iter().map(|a| (*a).to_owned()).collect();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    };
    let check = |extra: &[&str], fragment: &str| {
        let args = act(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rejected(&s, CODE, &args, fragment);
    };

    // Unknown codes, for every command that takes one.
    for args in [
        &["do", "XXX-99-99", "start_drafting", "--as", DEPT][..],
        &["show", "XXX-99-99"],
        &["log", "XXX-99-99"],
    ] {
        rejected(&s, CODE, args, "XXX-99-99");
    }
    rejected(
        &s,
        CODE,
        &["do", "XXX-99-99", "start_drafting", "--as", DEPT],
        "no standard XXX-99-99 in the catalog",
    );
    // Unknown action: the message lists the actions.
    check(
        &["frobnicate", "--as", DEPT],
        "unknown action \"frobnicate\"; actions: assign_department, start_drafting",
    );
    // Payloads that do not decode, read by the action's fields (in English with
    // --lang en; `payload::tests` and `describe.rs` have the Chinese).
    let en = |extra: &[&str]| -> Vec<String> {
        let mut all = vec!["--lang".to_owned(), "en".to_owned()];
        all.extend(extra.iter().map(|a| (*a).to_owned()));
        all
    };
    let check_en = |extra: &[&str], fragment: &str| {
        let args = en(&act(extra).iter().map(String::as_str).collect::<Vec<_>>());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rejected(&s, CODE, &args, fragment);
    };
    check_en(
        &["open_consultation", "--as", DEPT],
        "payload of open_consultation: missing required field(s) draft.text",
    );
    check(
        &["open_consultation", "--as", DEPT],
        "open_consultation 的内容：缺少必填字段 draft.text",
    );
    check_en(
        &[
            "record_opinion",
            "--as",
            DEPT,
            "opinion.author=张法官",
            "opinion.content=x",
        ],
        "payload of record_opinion: missing required field(s) opinion.source",
    );
    check_en(
        &["record_opinion", "--as", DEPT, "opinion=3"],
        "payload of record_opinion: opinion is made of fields: give",
    );
    check_en(
        &[
            "respond_to_opinion",
            "--as",
            DEPT,
            "opinion=first",
            "response.decision=adopted",
        ],
        "payload of respond_to_opinion: opinion: \"first\" is not a whole number",
    );
    check_en(
        &[
            "record_opinion",
            "--as",
            DEPT,
            "opinion.author=x",
            "opinion.source=judge",
            "opinion.content=y",
        ],
        "opinion.source: \"judge\" is not one of frontline, administrative, other",
    );
    // A field the action does not have: refused, naming it and the fields allowed.
    check_en(
        &["assign_department", "--as", OFFICE, "department=立案庭", "color=blue"],
        "payload of assign_department: unknown field \"color\"; its fields: department",
    );
    check(
        &["assign_department", "--as", OFFICE, "department=立案庭", "color=blue"],
        "assign_department 的内容：没有字段 \"color\"；可用字段：department",
    );
    s.write("extra.json", "{\"department\": \"立案庭\", \"color\": \"blue\"}");
    check_en(
        &["assign_department", "--as", OFFICE, "--json-file", "extra.json"],
        "unknown field \"color\"",
    );
    // Malformed KEY=VALUE.
    check_en(
        &["start_drafting", "--as", DEPT, "summary"],
        "payload field \"summary\" is not KEY=VALUE",
    );
    check_en(
        &["start_drafting", "--as", DEPT, "a..b=1"],
        "payload field \"a..b=1\" has an empty key",
    );
    check_en(
        &["start_drafting", "--as", DEPT, "summary=a", "summary=b"],
        "payload field \"summary=b\" is given twice",
    );
    // --json-file missing or not JSON.
    check(
        &["open_consultation", "--as", DEPT, "--json-file", "missing.json"],
        "missing.json: No such file or directory",
    );
    s.write("bad.json", "{\"draft\": ");
    check(
        &["open_consultation", "--as", DEPT, "--json-file", "bad.json"],
        "bad.json: not JSON: EOF while parsing",
    );
    s.write("array.json", "[1, 2]");
    check_en(
        &["open_consultation", "--as", DEPT, "--json-file", "array.json"],
        "payload of open_consultation:",
    );
}

#[test]
fn bad_actors_roles_and_times() {
    let s = drafting();
    let check = |extra: &[&str], fragment: &str| {
        let mut args = vec!["do", CODE, "open_consultation", "--json-file", "draft.json"];
        args.extend_from_slice(extra);
        rejected(&s, CODE, &args, fragment);
    };
    s.write("draft.json", &draft_json("草案"));
    // --as: an unknown unit, someone not in the leading group, an empty id.
    check(
        &["--as", "li@火星庭"],
        "unknown unit \"火星庭\" in --as \"li@火星庭\": name a department",
    );
    check(&["--as", "王五"], "\"王五\" is not a member of the leading group");
    check(&["--as", "@立案庭"], "invalid actor \"@立案庭\": expected ID@UNIT");
    // --role: unknown.
    check(
        &["--as", DEPT, "--role", "king"],
        "unknown role \"king\"; roles: department, office, leading_group, intermediate_court",
    );
    // --at: before the standard's last accepted record (2023-03-01 09:00 in Beijing),
    // shown in the court's time zone; the rule is the engine's, the wording the CLI's.
    check(
        &["--as", DEPT, "--at", "2023-02-28"],
        "ADJ-01-08: --at 2023-02-28T09:00:00+08:00 is before the standard's last accepted record (#2, 2023-03-01T09:00:00+08:00)",
    );
    check(
        &["--as", DEPT, "--at", "2023-03-01T08:59:59+08:00"],
        "is before the standard's last accepted record",
    );
    // --at in the future (issue 11, hole 1: it used to pass every time rule).
    check(
        &["--as", DEPT, "--at", "2999-01-01"],
        "ADJ-01-08: --at 2999-01-01T09:00:00+08:00 is in the future",
    );
    // Invalid times.
    for bad in ["2023-02-30", "tomorrow", "2023-3-1 9:00"] {
        check(
            &["--as", DEPT, "--at", bad],
            &format!("invalid time {bad:?}: expected a date (2023-03-01)"),
        );
    }
    // Other commands' dates and filters.
    rejected(
        &s,
        CODE,
        &["show", CODE, "--at", "2023-13-01"],
        "invalid time \"2023-13-01\"",
    );
    rejected(
        &s,
        CODE,
        &["list", "--late", "2023-13-01"],
        "invalid date \"2023-13-01\": expected YYYY-MM-DD",
    );
    rejected(
        &s,
        CODE,
        &["report", "--as-of", "yesterday"],
        "invalid date \"yesterday\"",
    );
    rejected(
        &s,
        CODE,
        &["list", "--department", "火星庭"],
        "unknown department \"火星庭\": name one as the plan does",
    );
    rejected(
        &s,
        CODE,
        &["list", "--state", "nope"],
        "unknown state \"nope\"; states: research, drafting,",
    );
    rejected(&s, CODE, &["list", "--domain", "XYZ"], "unknown domain \"XYZ\"");
    rejected(
        &s,
        CODE,
        &["list", "--category", "XYZ-01"],
        "unknown category \"XYZ-01\"",
    );
    rejected(
        &s,
        CODE,
        &["catalog", "import", "--as", "x@火星庭"],
        "unknown unit \"火星庭\"",
    );
    // clap's own usage errors exit 2 too, before anything is opened.
    let before = s.fingerprint(CODE);
    for args in [
        &["--lang", "xx", "list"][..],
        &["do", CODE, "start_drafting"],
        &[
            "do",
            CODE,
            "start_drafting",
            "--as",
            DEPT,
            "--json-file",
            "draft.json",
            "summary=x",
        ],
        &["report", "--format", "pdf"],
        &["frobnicate"],
    ] {
        // A usage error in the help's language: Chinese by default, English on asking.
        let r = s.run(args).code(2);
        assert!(r.stderr.starts_with("错误: "), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
        if args.contains(&"--lang") {
            continue;
        }
        let english: Vec<&str> = ["--lang", "en"].into_iter().chain(args.iter().copied()).collect();
        let r = s.run(&english).code(2);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    assert_eq!(s.fingerprint(CODE), before);
}

#[test]
fn a_code_not_imported_yet() {
    let s = Scratch::new("not-imported");
    s.run(&["init"]).ok();
    for args in [
        &["do", CODE, "start_drafting", "--as", DEPT][..],
        &["show", CODE],
        &["log", CODE],
    ] {
        rejected(
            &s,
            CODE,
            args,
            "standard ADJ-01-08 has not been imported into this store; run `catalog import` first",
        );
    }
    assert_eq!(s.fingerprint(CODE).size, 0);
    // A code the catalog does not list is still "no standard", not "not imported".
    rejected(
        &s,
        CODE,
        &["do", "ADJ-99-01", "start_drafting", "--as", DEPT],
        "no standard ADJ-99-01",
    );
}

#[test]
fn commands_on_a_missing_store_create_nothing() {
    let s = Scratch::new("missing-store");
    s.write("cp", "x");
    s.write("k.pub", "x");
    for store in [s.file("absent.db"), s.file("no/such/dir/absent.db")] {
        let store = store.to_str().unwrap();
        for args in [
            &["list"][..],
            &["show", CODE],
            &["log", CODE],
            &["do", CODE, "start_drafting", "--as", DEPT],
            &["catalog", "import"],
            &["verify"],
            &["checkpoint"],
            &["report"],
            &["prove", CODE, "1", "--checkpoint", "cp"],
        ] {
            let mut all = vec!["--store", store];
            all.extend_from_slice(args);
            let r = run_in(s.path(), &all).code(2);
            assert!(
                r.stderr
                    .contains(&format!("no store at {store}: run `regula init` first"))
                    || r.stderr.contains("cp：不是检查点"),
                "{all:?}: {}",
                r.stderr
            );
            assert!(!std::path::Path::new(store).exists(), "{all:?} created {store}");
        }
        let r = run_in(
            s.path(),
            &["--store", store, "verify", "--checkpoint", "cp", "--key", "k.pub"],
        )
        .code(2);
        assert!(r.stderr.starts_with("regula: "), "{}", r.stderr);
        assert!(!std::path::Path::new(store).exists());
    }
    assert!(!s.file("no").exists(), "no directory was created");
    // Not even the default store: without --store, in an empty directory.
    let r = run_in(s.path(), &["list"]).code(2);
    assert!(r.stderr.contains("no store at regula.db"), "{}", r.stderr);
    assert!(!s.file("regula.db").exists());
    // init in a directory that does not exist: an error, nothing created.
    let r = run_in(
        s.path(),
        &["--store", s.file("no/such/dir/x.db").to_str().unwrap(), "init"],
    )
    .code(2);
    assert!(r.stderr.starts_with("regula: "), "{}", r.stderr);
    assert!(!s.file("no").exists());
}

#[test]
fn init_refuses_a_file_that_is_not_a_store() {
    let s = Scratch::new("not-a-store");
    let text = "not a database, just notes\n".repeat(100);
    let path = s.write("notes.db", &text);
    let store = path.to_str().unwrap();
    for args in [&["init"][..], &["list"], &["verify"], &["catalog", "import"]] {
        let mut all = vec!["--store", store];
        all.extend_from_slice(args);
        run_in(s.path(), &all).usage_error("notes.db is not a Regula store");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{args:?} changed the file"
        );
    }
    let names: Vec<_> = std::fs::read_dir(s.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.db"], "no -wal or -shm file left behind");
}

#[test]
fn bad_checkpoints_and_definition_files() {
    let s = drafting();
    s.write("garbage", "garbage\n");
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "garbage"],
        "garbage: not a checkpoint: no blank line after the checkpoint body",
    );
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "missing"],
        "missing: No such file or directory",
    );
    s.write(
        "half",
        r#"{"format":1,"size":3,"root":"00","at":"2023-01-01T00:00:00Z"}"#,
    );
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "half"],
        "half: not a checkpoint: a JSON checkpoint of an earlier release that does not parse: ",
    );
    s.run(&["key", "generate", "court", "--secret", "k.sec", "--public", "k.pub"])
        .ok();
    s.run(&["checkpoint", "--sign", "k.sec", "--out", "signed"]).ok();
    s.run(&["checkpoint", "--out", "unsigned"]).ok();
    // A key needs a checkpoint to check (clap's usage error); an origin must be a name.
    let r = s.run(&["verify", "--key", "k.pub"]).code(2);
    assert!(r.stderr.contains("--checkpoint <FILE>"), "{}", r.stderr);
    rejected(
        &s,
        CODE,
        &["checkpoint", "--origin", "a b"],
        "--origin: invalid origin \"a b\": it contains white space",
    );
    // An unsigned checkpoint makes no proof bundle: it would prove nothing.
    rejected(
        &s,
        CODE,
        &["prove", CODE, "2", "--checkpoint", "unsigned"],
        "unsigned: an unsigned checkpoint: a proof against it proves nothing to anyone else",
    );
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "garbage", "--key", "k.pub"],
        "garbage: not a checkpoint: ",
    );
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "signed", "--key", "garbage"],
        "garbage",
    );
    rejected(
        &s,
        CODE,
        &["verify", "--checkpoint", "signed", "--key", "k.sec"],
        "this is a secret key, not a verifier key",
    );
    rejected(&s, CODE, &["prove", CODE, "2", "--checkpoint", "garbage"], "garbage: ");
    rejected(
        &s,
        CODE,
        &["prove", "XXX-99-99", "1", "--checkpoint", "signed"],
        "no standard XXX-99-99 in the catalog",
    );
    rejected(
        &s,
        CODE,
        &["prove", CODE, "99", "--checkpoint", "signed"],
        "ADJ-01-08 has no record #99: its log holds records #1 to #2",
    );
    rejected(
        &s,
        CODE,
        &["prove", CODE, "0", "--checkpoint", "signed"],
        "ADJ-01-08 has no record #0",
    );
    rejected(&s, CODE, &["checkpoint", "--sign", "garbage"], "garbage");
    // A definition file that is not TOML: file:line:column.
    s.write("broken.toml", "[definition]\nname = \"x\"\nversion = \n");
    rejected(&s, CODE, &["diagram", "--file", "broken.toml"], "broken.toml:3:11: ");
    rejected(&s, CODE, &["diagram", "--file", "missing.toml"], "missing.toml");
    // The catalog file to import does not exist.
    rejected(
        &s,
        CODE,
        &["catalog", "import", "missing-catalog.toml"],
        "missing-catalog.toml",
    );
}

#[test]
fn a_postgres_url_that_does_not_connect_is_a_store_error() {
    let s = Scratch::new("pg-down");
    // Port 1 on loopback: refused at once.
    let r = run_in(
        s.path(),
        &[
            "--pg",
            "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=5",
            "list",
        ],
    )
    .usage_error("error connecting to server");
    assert!(r.stderr.contains("127.0.0.1:1"), "{}", r.stderr);
    assert!(!s.file("regula.db").exists());
}

/// The store named on the command line wins over the other kind's environment
/// variable; both flags on the command line are a usage error (exit 2).
#[test]
fn an_explicit_store_flag_wins_over_the_environment() {
    let s = Scratch::new("env-store");
    let run = |args: &[&str], env: (&str, &str)| {
        let output = std::process::Command::new(common::BIN)
            .current_dir(s.path())
            .args(args)
            .env_remove("REGULA_STORE")
            .env_remove("REGULA_PG")
            // The locale picks the language when nothing else does: none here.
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .env(env.0, env.1)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let unreachable_pg = ("REGULA_PG", "host=/nonexistent dbname=regula_none");
    // --store with REGULA_PG set: the file is used (it used to be a conflict).
    let (code, err) = run(&["--store", "env.db", "init"], unreachable_pg);
    assert_eq!(code, 0, "{err}");
    assert!(s.path().join("env.db").is_file());
    let (code, err) = run(&["--store", "env.db", "list"], unreachable_pg);
    assert_eq!(code, 0, "{err}");
    // --pg with REGULA_STORE set: PostgreSQL is used (here, one that cannot be reached).
    let (code, err) = run(
        &["--pg", "host=/nonexistent dbname=regula_none", "list"],
        ("REGULA_STORE", "env.db"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/nonexistent"), "{err}");
    // Both on the command line: a usage error.
    let (code, err) = run(
        &["--store", "env.db", "--pg", "host=/nonexistent", "list"],
        ("REGULA_LANG", "zh"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--store 与 --pg 指定了两个存储库"), "{err}");
    let (code, err) = run(
        &["--store", "env.db", "--pg", "host=/nonexistent", "list"],
        ("REGULA_LANG", "en"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--store and --pg name two stores"), "{err}");
}

/// `--domain` and `--category` take a code in any case, as `show` does, or the Chinese
/// or English name; an unknown one is a usage error.
#[test]
fn domains_and_categories_by_code_in_any_case_or_by_name() {
    let s = Scratch::imported("filters");
    let count = |args: &[&str]| {
        let mut all = vec!["--json", "list"];
        all.extend_from_slice(args);
        s.run(&all).ok().json().as_array().unwrap().len()
    };
    let adjudication = count(&["--domain", "ADJ"]);
    assert!(adjudication > 0 && adjudication < 117, "{adjudication}");
    for spelled in ["adj", "审判工作标准化", "adjudication work"] {
        assert_eq!(count(&["--domain", spelled]), adjudication, "{spelled}");
    }
    let category = count(&["--category", "ADJ-01"]);
    assert!(category > 0 && category <= adjudication);
    for spelled in ["adj-01", "审判业务标准"] {
        assert_eq!(count(&["--category", spelled]), category, "{spelled}");
    }
    s.run(&["list", "--domain", "bogus"])
        .usage_error("未知的领域 \"bogus\"");
    s.run(&["list", "--domain", "bogus"])
        .usage_error("unknown domain \"bogus\"");
}
