//! `regula.toml`: store, pg, lang and actor, from the working directory or the user's
//! configuration directory; the command line wins over the environment, which wins
//! over the file, which wins over the built-in default; a malformed file is an error
//! that says where.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// The store `init --json` says it used.
fn store_of(run: Run) -> String {
    run.ok().json()["store"].as_str().unwrap().to_owned()
}

#[test]
fn flag_over_environment_over_file_over_default() {
    let s = Scratch::new("config-precedence");
    let dir = s.path();
    let home = s.file("home");
    // No file anywhere: the built-in default.
    assert_eq!(store_of(run_env_in(dir, &home, &[], &["--json", "init"])), "regula.db");
    // The user's file.
    std::fs::create_dir_all(home.join("regula")).unwrap();
    std::fs::write(home.join("regula/regula.toml"), "store = \"user.db\"\n").unwrap();
    assert_eq!(store_of(run_env_in(dir, &home, &[], &["--json", "init"])), "user.db");
    // The working directory's file wins over the user's.
    s.write("regula.toml", "store = \"file.db\"\nlang = \"en\"\n");
    assert_eq!(store_of(run_env_in(dir, &home, &[], &["--json", "init"])), "file.db");
    // The environment wins over the file, the flag over both.
    let env = [("REGULA_STORE", "env.db")];
    assert_eq!(store_of(run_env_in(dir, &home, &env, &["--json", "init"])), "env.db");
    assert_eq!(
        store_of(run_env_in(dir, &home, &env, &["--json", "--store", "flag.db", "init"])),
        "flag.db"
    );
    // REGULA_PG in the environment wins over the file's store (its server is
    // unreachable: a store error, exit 2), and --store over REGULA_PG.
    let pg = [("REGULA_PG", "host=/nonexistent dbname=regula_none")];
    run_env_in(dir, &home, &pg, &["init"]).code(2);
    assert_eq!(
        store_of(run_env_in(dir, &home, &pg, &["--json", "--store", "flag.db", "init"])),
        "flag.db"
    );
    // The language: the file's, unless the environment or the flag says otherwise.
    let en = run_env_in(dir, &home, &[], &["init"]).ok();
    assert!(en.stdout.starts_with("store exists: file.db"), "{}", en.stdout);
    let zh = run_env_in(dir, &home, &[("REGULA_LANG", "zh")], &["init"]).ok();
    assert!(zh.stdout.starts_with("存储已存在："), "{}", zh.stdout);
    let zh = run_env_in(dir, &home, &[], &["--lang", "zh", "init"]).ok();
    assert!(zh.stdout.starts_with("存储已存在："), "{}", zh.stdout);
    // A file's pg, and --store on the command line: the file given wins.
    s.write("regula.toml", "pg = \"host=/nonexistent dbname=regula_none\"\n");
    run_env_in(dir, &home, &[], &["init"]).code(2);
    assert_eq!(
        store_of(run_env_in(dir, &home, &[], &["--json", "--store", "flag.db", "init"])),
        "flag.db"
    );
    assert_eq!(
        store_of(run_env_in(
            dir,
            &home,
            &[("REGULA_STORE", "env.db")],
            &["--json", "init"]
        )),
        "env.db"
    );
}

#[test]
fn the_file_s_actor_is_the_default_as() {
    let s = Scratch::new("config-actor");
    let dir = s.path();
    s.write("regula.toml", &format!("actor = \"{DEPT}\"\n"));
    // catalog import keeps its own default actor (the office).
    run_env_in(dir, dir, &[], &["init"]).ok();
    run_env_in(dir, dir, &[], &["catalog", "import", "--at", "2022-05-16"]).ok();
    // No --as: the file's actor acts.
    run_env_in(dir, dir, &[], &["do", CODE, "start_drafting", "--at", "2023-03-01"]).ok();
    let actor_of_last = || {
        let log = run_env_in(dir, dir, &[], &["--json", "log", CODE]).ok().json();
        let last = log.as_array().unwrap().last().unwrap().clone();
        format!(
            "{}@{}",
            last["actor"]["id"].as_str().unwrap(),
            last["actor"]["unit"].as_str().unwrap()
        )
    };
    assert_eq!(actor_of_last(), "li.lian@立案庭");
    // REGULA_ACTOR wins over the file, --as over both (refusals are recorded with
    // their actor: the office may not open consultation).
    let office = [("REGULA_ACTOR", OFFICE)];
    run_env_in(dir, dir, &office, &["do", CODE, "open_consultation", "draft.text=x"]).refused();
    assert_eq!(actor_of_last(), OFFICE);
    run_env_in(
        dir,
        dir,
        &office,
        &["do", CODE, "open_consultation", "draft.text=x", "--as", COURT],
    )
    .refused();
    assert_eq!(actor_of_last(), COURT);
}

#[test]
fn a_malformed_file_is_an_error_that_says_where() {
    let s = Scratch::new("config-malformed");
    let dir = s.path();
    s.write("regula.toml", "store = \"a.db\"\nlang = \"fr\"\n");
    let bad = run_env_in(dir, dir, &[], &["--lang", "en", "init"]).code(2);
    assert!(
        bad.stderr
            .starts_with("regula: error: configuration file regula.toml:2:8: unknown variant `fr`"),
        "{}",
        bad.stderr
    );
    let bad = run_env_in(dir, dir, &[], &["init"]).code(2);
    assert!(
        bad.stderr.starts_with("regula: 错误: 配置文件 regula.toml:2:8: "),
        "{}",
        bad.stderr
    );
    // An unknown key, named with the keys allowed.
    s.write("regula.toml", "store = \"a.db\"\n\ncolour = \"red\"\n");
    let bad = run_env_in(dir, dir, &[], &["init"]).code(2);
    assert!(
        bad.stderr.contains("regula.toml:3:1: ") && bad.stderr.contains("colour"),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains("keys: store, pg"), "{}", bad.stderr);
    // Not TOML at all.
    s.write("regula.toml", "store = \n");
    let bad = run_env_in(dir, dir, &[], &["init"]).code(2);
    assert!(bad.stderr.contains("regula.toml:1:"), "{}", bad.stderr);
    // Both stores.
    s.write("regula.toml", "store = \"a.db\"\npg = \"host=x\"\n");
    let bad = run_env_in(dir, dir, &[], &["--lang", "en", "init"]).code(2);
    assert!(bad.stderr.contains("store and pg name two stores"), "{}", bad.stderr);
    // Nothing was created by any of them.
    assert!(!s.file("a.db").exists() && !s.file("regula.db").exists());
}
