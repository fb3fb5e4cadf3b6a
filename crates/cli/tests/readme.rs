//! The README's command-line tour and its proof walk-through, run as written.
//!
//! The commands are read from `README.md` between the `readme-tour` and
//! `readme-proof` markers, so the README cannot silently rot: a command that fails, or
//! a refusal that stops being refused, fails this test. Each `regula …` line runs in a
//! scratch directory holding a copy of `examples/payloads/` (the tour runs from the
//! repository's root); a line whose comment says `exit 1` must exit 1, every other line
//! 0. After the comment `# on another machine`, commands run in a second directory that
//! holds only the files they name, copied from the first, and no store.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One command of a README block.
#[derive(Debug)]
struct Step {
    /// Its line in README.md, from 1.
    line: usize,
    /// The words after `regula`.
    args: Vec<String>,
    /// The exit code its comment announces (1 for `exit 1`, else 0).
    exit: i32,
    /// Whether it runs "on another machine".
    elsewhere: bool,
}

/// The `regula` commands of the README's shell block between `<!-- NAME:begin -->`
/// and `<!-- NAME:end -->`.
fn steps(readme: &str, name: &str) -> Vec<Step> {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = readme
        .find(&begin)
        .unwrap_or_else(|| panic!("README.md has no {begin}"));
    let stop = readme[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("README.md has no {end} after {begin}"))
        + start;
    let first_line = readme[..start].lines().count() + 1;
    let mut elsewhere = false;
    let mut steps = Vec::new();
    for (i, line) in readme[start..stop].lines().enumerate() {
        let line_no = first_line + i;
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            elsewhere = comment.trim().starts_with("on another machine");
            continue;
        }
        let (command, comment) = match line.find(" #") {
            Some(at) => (&line[..at], &line[at + 2..]),
            None => (line, ""),
        };
        if !command.starts_with("regula ") {
            continue; // the fences, blank lines, `cargo install`
        }
        let words = split_words(command, line_no);
        steps.push(Step {
            line: line_no,
            args: words[1..].to_vec(),
            exit: if comment.contains("exit 1") { 1 } else { 0 },
            elsewhere,
        });
    }
    assert!(!steps.is_empty(), "no regula command between {begin} and {end}");
    steps
}

/// Splits a shell line into words: blanks separate them, single quotes keep them
/// together. Anything fancier in the README is an error here, not a surprise there.
fn split_words(line: &str, line_no: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '"' | '$' | '`' | '\\' | '|' | '>' | '<' | ';' | '&' if !quoted => {
                panic!("README.md line {line_no}: {c:?} needs a real shell: {line}")
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "README.md line {line_no}: unbalanced quote: {line}");
    if in_word {
        words.push(word);
    }
    words
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Runs the steps: at the court in `court`, "on another machine" in `elsewhere`.
fn play(steps: &[Step], court: &Scratch, elsewhere: &Scratch) -> Vec<Run> {
    steps
        .iter()
        .map(|step| {
            let dir = if step.elsewhere {
                // Only the files the command names travel to the other machine.
                for arg in &step.args {
                    let file = court.file(arg);
                    if file.is_file() {
                        std::fs::copy(&file, elsewhere.file(arg)).unwrap();
                    }
                }
                elsewhere.path()
            } else {
                court.path()
            };
            let run = run_in(dir, &step.args);
            assert_eq!(
                run.code, step.exit,
                "README.md line {}: regula {}: exit {} (expected {})\n--- stdout\n{}--- stderr\n{}",
                step.line, run.args, run.code, step.exit, run.stdout, run.stderr
            );
            run
        })
        .collect()
}

/// The run of the first step whose arguments start with `prefix`.
fn run_of<'a>(steps: &[Step], runs: &'a [Run], prefix: &[&str]) -> &'a Run {
    let i = steps
        .iter()
        .position(|s| s.args.len() >= prefix.len() && s.args.iter().zip(prefix).all(|(a, p)| a == p))
        .unwrap_or_else(|| panic!("the README no longer runs regula {}", prefix.join(" ")));
    &runs[i]
}

#[test]
fn the_readme_tour_and_proof_walk_through_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let tour = steps(&readme, "readme-tour");
    let proof = steps(&readme, "readme-proof");
    let court = Scratch::new("readme");
    let elsewhere = Scratch::new("readme-elsewhere");
    copy_dir(
        &root().join("examples/payloads"),
        &court.path().join("examples/payloads"),
    );

    let runs = play(&tour, &court, &elsewhere);
    // What the tour says the commands do.
    assert!(court.store().is_file(), "the tour's store is ./regula.db");
    let unassigned = run_of(&tour, &runs, &["list", "--department", "unassigned"]);
    assert_eq!(unassigned.rows().len(), 1 + 13, "{}", unassigned.stdout);
    let drafting = run_of(&tour, &runs, &["list", "--state", "drafting"]);
    assert!(drafting.stdout.contains("ADJ-01-01"), "{}", drafting.stdout);
    let refused = tour.iter().zip(&runs).find(|(s, _)| s.exit == 1).unwrap().1;
    assert!(refused.stderr.contains("草案不完整"), "{}", refused.stderr);
    let log = court.log("ADJ-01-01");
    assert_eq!(log.len(), 12, "the tour says ADJ-01-01 has 12 records");
    assert_eq!(log[3]["outcome"]["kind"], "refused");
    assert_eq!(log[11]["action"], "publish");
    assert_eq!(log[11]["outcome"]["to"], "published");
    let show = run_in(court.path(), &["--json", "show", "ADJ-01-01"]).ok().json();
    assert_eq!(show["state"], "published");
    assert_eq!(show["version_in_force"]["document_number"], "红林法〔2023〕15号");

    // The walk-through proves ADJ-01-01's record 12, the publication, on the tour's store.
    let runs = play(&proof, &court, &elsewhere);
    let verified = run_of(&proof, &runs, &["verify-proof"]);
    assert!(verified.stdout.contains("publish"), "{}", verified.stdout);
    let mut other: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    other.sort();
    assert_eq!(
        other,
        ["adj-01-01-12.json", "court.pub"],
        "the other machine needs the bundle and the public key, nothing else"
    );
}
