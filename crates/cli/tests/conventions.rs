//! The conventions of cargo, git and gh: `--color` and `NO_COLOR` (the flag wins over
//! the environment; piped output without the flag stays plain).

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::*;

/// Runs `regula --store STORE ARGS…` in `s` with `env` set (and the store variables
/// and NO_COLOR cleared first), piped.
fn run_env(s: &Scratch, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .current_dir(s.path())
        .arg("--store")
        .arg(s.store())
        .args(args)
        .env_remove("REGULA_STORE")
        .env_remove("REGULA_PG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    Run {
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
