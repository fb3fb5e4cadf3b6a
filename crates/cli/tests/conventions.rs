//! The conventions of cargo, git and gh: `--color` and `NO_COLOR` (the flag wins over
//! the environment; piped output without the flag stays plain), `--store` over
//! `REGULA_PG`, shell completions and manual pages from the clap definition, and a
//! write conflict that names the standard and that `do --retry` decides again.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::*;

/// Runs `regula --store STORE ARGS…` in `s` with `env` set (and the store, language
/// and actor variables and NO_COLOR cleared first, no user configuration), piped.
fn run_env(s: &Scratch, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .current_dir(s.path())
        .arg("--store")
        .arg(s.store())
        .args(args)
        .env_remove("REGULA_STORE")
        .env_remove("REGULA_PG")
        // The locale picks the language when nothing else does: none here.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("NO_COLOR")
        .env_remove("REGULA_LANG")
        .env_remove("REGULA_ACTOR")
        .env("XDG_CONFIG_HOME", s.path())
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    Run {
        again: None,
        args: args.join(" "),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn color_is_asked_for_and_piped_output_stays_plain() {
    let s = Scratch::imported("color");
    // A refusal (the standard is not drafting yet): stderr names it.
    let refuse = ["do", CODE, "close_consultation", "--as", DEPT, "--dry-run"];
    let plain = run_env(&s, &[], &refuse).refused();
    assert!(
        !plain.stderr.contains('\u{1b}'),
        "piped output is coloured: {:?}",
        plain.stderr
    );
    let never: Vec<&str> = ["--color", "never"].iter().chain(&refuse).copied().collect();
    assert_eq!(run_env(&s, &[], &never).refused().stderr, plain.stderr);
    // Asked for: the status word, and only it, in bold red.
    let always: Vec<&str> = ["--color", "always"].iter().chain(&refuse).copied().collect();
    let colored = run_env(&s, &[], &always).refused();
    assert!(
        colored.stderr.contains("\u{1b}[1;31m将被拒绝\u{1b}[0m"),
        "{:?}",
        colored.stderr
    );
    assert_eq!(
        colored.stderr.replace("\u{1b}[1;31m", "").replace("\u{1b}[0m", ""),
        plain.stderr
    );
    // The flag wins over NO_COLOR, both ways.
    let forced = run_env(&s, &[("NO_COLOR", "1")], &always).refused();
    assert_eq!(forced.stderr, colored.stderr);
    let off = run_env(&s, &[("NO_COLOR", "1")], &refuse).refused();
    assert_eq!(off.stderr, plain.stderr);
    // Errors and verification too; JSON never carries colour on stdout.
    let error = run_env(&s, &[], &["--color", "always", "--lang", "en", "show", "XXX-99-99"]).code(2);
    assert!(
        error.stderr.starts_with("regula: \u{1b}[1;31merror\u{1b}[0m: "),
        "{:?}",
        error.stderr
    );
    let verified = run_env(&s, &[], &["--color", "always", "--lang", "en", "verify"]).ok();
    assert!(
        verified.stdout.starts_with("\u{1b}[32mverified\u{1b}[0m: "),
        "{:?}",
        verified.stdout
    );
    let json = run_env(&s, &[], &["--color", "always", "--json", "verify"]).ok();
    assert!(!json.stdout.contains('\u{1b}'), "{}", json.stdout);
    // A bad value is a usage error.
    run_env(&s, &[], &["--color", "sometimes", "verify"]).code(2);
}

#[test]
fn the_store_given_on_the_command_line_wins_over_the_environment() {
    let s = Scratch::imported("flag-wins");
    // REGULA_PG names a server that does not exist: --store must not even try it.
    let run = run_env(
        &s,
        &[("REGULA_PG", "host=/nonexistent dbname=regula_none")],
        &["--json", "verify"],
    )
    .ok();
    assert_eq!(run.json()["ok"], true);
}

#[test]
fn completions_come_from_the_command_line_s_own_definition() {
    let s = Scratch::new("completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = s.run(&["completions", shell]).ok().stdout;
        // Every subcommand, including the newest, is offered.
        for sub in [
            "init",
            "do",
            "actions",
            "schema",
            "verify",
            "report",
            "completions",
            "man",
        ] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    // The bash script is valid bash.
    let bash = s.run(&["completions", "bash"]).ok().stdout;
    s.write("regula.bash", &bash);
    let check = Command::new("bash")
        .arg("-n")
        .arg(s.file("regula.bash"))
        .status()
        .unwrap();
    assert!(check.success(), "bash -n failed on the completion script");
    assert!(
        bash.contains("--dry-run") && bash.contains("--color"),
        "options are offered too"
    );
    s.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn manual_pages_come_from_the_same_definition() {
    let s = Scratch::new("man");
    let page = s.run(&["man"]).ok().stdout;
    assert!(page.contains(".TH regula 1"), "{page}");
    // Its SUBCOMMANDS section names each command's page.
    for sub in ["regula\\-do(1)", "regula\\-schema(1)", "regula\\-man(1)"] {
        assert!(page.contains(sub), "{sub}: {page}");
    }
    // --out: a page per command, at every depth.
    let out = s.run(&["--json", "man", "--out", "pages"]).ok().json();
    let written: Vec<String> = std::fs::read_dir(s.file("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(out["pages"], written.len());
    for name in ["regula.1", "regula-do.1", "regula-schema.1", "regula-court-extend.1"] {
        assert!(written.iter().any(|w| w == name), "{name} not in {written:?}");
    }
    let do_page = std::fs::read_to_string(s.file("pages/regula-do.1")).unwrap();
    assert!(do_page.contains("dry\\-run"), "{do_page}");
}

/// Two processes publishing the same standard at once, both with `--retry`: one
/// publishes; the other, if its write met the first's (a conflict, nothing written),
/// decides once more on the new state and is refused (the standard is published),
/// so neither ends in a conflict (exit 2), and the store verifies.
#[test]
fn retry_decides_again_after_a_write_conflict() {
    let base = Scratch::imported("retry-base");
    let draft = base.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    to_approval(&|args| base.run(args), CODE, draft.to_str().unwrap());
    let copy = |s: &Scratch| {
        for entry in std::fs::read_dir(base.path()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("regula.db") {
                std::fs::copy(entry.path(), s.file(&name)).unwrap();
            }
        }
    };
    // Without --retry, a conflict is exit 2, naming the standard's code and --retry,
    // never the instance's UUID.
    let plain: &[&str] = &["document_number=红林法〔2023〕15号", "date=2023-04-30"];
    for round in 0..3 {
        let s = Scratch::new("conflict");
        copy(&s);
        let store = s.store();
        let (codes, shown) = race_publish(
            s.path(),
            &["--store", store.to_str().unwrap(), "--lang", "en"],
            [CODE, CODE],
            [plain, plain],
        );
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert!(sorted == [0, 1] || sorted == [0, 2], "round {round}: {shown:?}");
        if let Some(loser) = codes.iter().position(|c| *c == 2) {
            let text = &shown[loser];
            assert!(
                text.contains("ADJ-01-08: another writer recorded") && text.contains("--retry"),
                "round {round}: {text}"
            );
            let instance = s.log(CODE)[0]["instance"].as_str().unwrap().to_owned();
            assert!(!text.contains(&instance), "round {round}: names the instance: {text}");
        }
    }
    let fields: &[&str] = &["document_number=红林法〔2023〕15号", "date=2023-04-30", "--retry"];
    let mut retried = 0;
    for round in 0..6 {
        let s = Scratch::new("retry");
        copy(&s);
        let store = s.store();
        let (mut codes, shown) = race_publish(
            s.path(),
            &["--store", store.to_str().unwrap(), "--lang", "en"],
            [CODE, CODE],
            [fields, fields],
        );
        codes.sort_unstable();
        assert_eq!(codes, [0, 1], "round {round}: one publishes, one is refused: {shown:?}");
        retried += shown
            .iter()
            .filter(|t| t.contains("--retry: deciding once more"))
            .count();
        let verified = s.run(&["--json", "verify"]).ok().json();
        assert_eq!(verified["ok"], true, "round {round}: {verified}");
    }
    // Whether the writes met is up to the scheduler; say how often they did.
    eprintln!("{retried} of 6 rounds met a write conflict and decided again");
}
