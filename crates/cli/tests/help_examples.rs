//! Every command's `--help` ends with examples that are true: each example line of
//! every command, at every depth, parses (it is run with `--help` appended, which
//! checks every option and value given before it and runs nothing), and the read-only
//! ones run, exit 0, on a store built by the README's tour and proof walk-through.
//! Also: the global options have their own heading, and the commands that open no
//! store neither show nor take the store options.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Commands whose examples only read (the store, or nothing): run on the tour's store.
const READ_ONLY: &[&str] = &[
    "list",
    "show",
    "actions",
    "schema",
    "log",
    "verify",
    "report",
    "diagram",
    "catalog show",
    "rules log",
    "court hearings",
    "court log",
    "token list",
    "verify-proof",
    "completions",
    "man",
];

/// Headings whose lines are options, arguments or examples, not commands.
const NOT_COMMANDS: &[&str] = &["Options:", "Global options:", "Arguments:", "Examples:"];

/// The English help of `regula PATH` (path words separated by blanks, "" for `regula`).
/// (The Chinese help has the same shape: `tests/language.rs`.)
fn help(dir: &Path, path: &str) -> String {
    let mut args: Vec<&str> = vec!["--lang", "en"];
    args.extend(path.split(' ').filter(|w| !w.is_empty()));
    args.push("--help");
    run_in(dir, &args).ok().stdout
}

/// The lines under `heading` in a help text, up to the next heading (a line that is
/// not indented).
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect()
}

/// The commands a help text lists, under any heading that is not of options,
/// arguments or examples (`regula --help` groups them under several).
fn commands_listed(text: &str) -> Vec<String> {
    let mut heading = "";
    let mut names = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            heading = line;
            continue;
        }
        if heading.is_empty() || NOT_COMMANDS.contains(&heading) {
            continue;
        }
        let Some(rest) = line.strip_prefix("  ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let after = &rest[name.len()..];
        if !name.is_empty() && name != "help" && (after.is_empty() || after.starts_with("  ")) {
            names.push(name);
        }
    }
    names
}

/// Every command path, at every depth, as the help texts list them.
fn all_paths(dir: &Path) -> Vec<String> {
    let mut paths = vec![String::new()];
    let mut i = 0;
    while i < paths.len() {
        let path = paths[i].clone();
        for name in commands_listed(&help(dir, &path)) {
            paths.push(if path.is_empty() {
                name
            } else {
                format!("{path} {name}")
            });
        }
        i += 1;
    }
    paths
}

/// The command an example line runs: its words after `regula` and the global options
/// before the command's name, as a path of `paths`.
fn path_of(args: &[String], paths: &[String]) -> String {
    let mut rest = args;
    while let Some(first) = rest.first() {
        match first.as_str() {
            "--json" => rest = &rest[1..],
            "--store" | "--pg" | "--catalog" | "--lang" | "--color" => rest = &rest[2..],
            _ => break,
        }
    }
    let two = rest.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    if paths.contains(&two) {
        two
    } else {
        rest.first().cloned().unwrap_or_default()
    }
}

/// Runs the README's tour and proof walk-through in `court` (every line where it
/// is, with the exit code its comment announces): the store the examples read.
fn build_tour_store(court: &Scratch) {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in ["readme-tour", "readme-proof"] {
        let begin = readme.find(&format!("<!-- {name}:begin -->")).unwrap();
        let end = readme[begin..].find(&format!("<!-- {name}:end -->")).unwrap() + begin;
        for line in readme[begin..end].lines().map(str::trim) {
            if !line.starts_with("regula ") {
                continue;
            }
            let exit = match line.find(" #") {
                Some(at) if line[at..].contains("exit 1") => 1,
                _ => 0,
            };
            let args = words(line);
            run_in(court.path(), &args[1..]).code(exit);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn every_command_s_examples_parse_and_the_read_only_ones_run() {
    let empty = Scratch::new("help-examples-empty");
    let paths = all_paths(empty.path());
    // The grouped `regula --help` still lists every command.
    for path in [
        "list",
        "do",
        "court",
        "court designate-core",
        "key generate",
        "verify-proof",
        "man",
    ] {
        assert!(
            paths.iter().any(|p| p == path),
            "`regula {path}` is not listed: {paths:?}"
        );
    }

    let court = Scratch::new("help-examples-tour");
    copy_dir(&root().join("examples"), &court.path().join("examples"));
    copy_dir(
        &root().join("examples/payloads"),
        &court.path().join("examples/payloads"),
    );
    build_tour_store(&court);

    let mut ran = 0;
    for path in &paths {
        let text = help(empty.path(), path);
        let examples: Vec<&str> = section(&text, "Examples:")
            .into_iter()
            .map(str::trim)
            .filter(|l| l.starts_with("regula "))
            .collect();
        assert!(
            (1..=4).contains(&examples.len()),
            "`regula {path} --help`: {} examples\n{text}",
            examples.len()
        );
        for line in examples {
            let args = words(line)[1..].to_vec();
            let of = path_of(&args, &paths);
            assert!(
                path.is_empty() || of == *path || of.starts_with(&format!("{path} ")),
                "`regula {path} --help` shows an example of `regula {of}`: {line}"
            );
            // It parses: `--help` after it checks what comes before it and runs nothing.
            let mut checked = vec!["--lang".to_owned(), "en".to_owned()];
            checked.extend(args.iter().cloned());
            checked.push("--help".to_owned());
            let run = run_in(empty.path(), &checked).ok();
            assert!(
                run.stdout.contains(&format!("Usage: regula {of}")) || of.is_empty(),
                "{line}: not the help of `regula {of}`\n{}",
                run.stdout
            );
            // The read-only ones run on the tour's store (none that names a file outside
            // it, or PostgreSQL).
            let outside = args
                .iter()
                .any(|a| a.starts_with('/') || a.starts_with('~') || a == "--pg");
            let writes = args.iter().any(|a| a == "--out") && of == "man";
            if READ_ONLY.contains(&of.as_str()) && !outside && !writes {
                run_in(court.path(), &args).ok();
                ran += 1;
            }
        }
    }
    assert!(ran >= 30, "only {ran} examples ran");
    assert!(!empty.store().exists(), "checking the examples created a store");
}

#[test]
fn global_options_have_their_heading_and_only_where_they_are_used() {
    let s = Scratch::new("help-global");
    let list = help(s.path(), "list");
    let options = section(&list, "Options:").join("\n");
    let global = section(&list, "Global options:").join("\n");
    assert!(
        options.contains("--department") && !options.contains("--store"),
        "{list}"
    );
    for option in ["--store", "--pg", "--catalog", "--lang", "--json", "--color"] {
        assert!(
            global.contains(option),
            "list --help: no {option} under Global options\n{list}"
        );
    }
    // The commands that open no store show no store option…
    for path in ["key generate", "verify-proof", "schema", "man", "completions"] {
        let text = help(s.path(), path);
        for option in ["--store", "--pg", "--catalog"] {
            assert!(!text.contains(option), "{path} --help shows {option}\n{text}");
        }
    }
    // …and `diagram`, which reads the catalog (beside the --store file), no --pg.
    let diagram = help(s.path(), "diagram");
    assert!(diagram.contains("--catalog") && !diagram.contains("--pg"), "{diagram}");

    // After such a command's name, a store option is a usage error that says why,
    // in both languages; before it, the invocation's as ever.
    let refused = run_in(s.path(), &["--lang", "en", "schema", "publish", "--store", "x.db"]).code(2);
    assert!(
        refused
            .stderr
            .contains("--store is not an option of `regula schema`, which opens no store"),
        "{}",
        refused.stderr
    );
    let refused = run_in(s.path(), &["schema", "publish", "--store", "x.db"]).code(2);
    assert!(
        refused
            .stderr
            .contains("--store 不是 `regula schema` 的选项：该命令不打开存储库"),
        "{}",
        refused.stderr
    );
    let refused = run_in(s.path(), &["diagram", "--pg", "host=db1"]).code(2);
    assert!(
        refused
            .stderr
            .contains("--pg 不是 `regula diagram` 的选项：该命令不使用它"),
        "{}",
        refused.stderr
    );
    run_in(s.path(), &["--store", "x.db", "schema", "publish"]).ok();
    assert!(!s.file("x.db").exists(), "schema opened no store");
}
