//! `regula-bench`: Regula's benchmarks, each figure printed beside a baseline measured
//! in the same run, and the ratio, because the machine is shared and noisy.
//!
//! Usage: `regula-bench [--quick] [--only SECTION[,SECTION…]] [--markdown FILE]`, the
//! sections being `transition`, `replay`, `sqlite`, `scale`, `merkle`, `postgres`
//! and `serve` (PostgreSQL measured when `REGULA_PG_URL` is set; run everything with
//! `crates/store-postgres/scripts/with-throwaway-postgres.sh cargo run --release -p regula-bench`).
//! `--quick` finishes in under two minutes and stops the scale section at 100k
//! instances. See `docs/performance.md`.

mod explore;
mod measure;
mod merkle;
mod postgres;
mod report;
mod sample;
mod scale;
mod serve;
mod sqlite;
mod transition;

use std::process::ExitCode;

/// Every section, in the order they run.
const SECTIONS: [&str; 8] = [
    "transition",
    "replay",
    "sqlite",
    "scale",
    "merkle",
    "explore",
    "postgres",
    "serve",
];

fn main() -> ExitCode {
    let mut quick = false;
    let mut only: Option<Vec<String>> = None;
    let mut markdown: Option<String> = None;
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(scale::CHILD_ARG) {
        // The plan-report child the scale section runs (a process of its own, so that
        // its peak memory is its own).
        let n = argv.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
        scale::plan_child(n, argv.get(2).map(String::as_str) == Some("held"));
        return ExitCode::SUCCESS;
    }
    let mut args = argv.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--only" => only = args.next().map(|s| s.split(',').map(str::to_owned).collect()),
            "--markdown" => markdown = args.next(),
            "-h" | "--help" => {
                println!(
                    "usage: regula-bench [--quick] [--only SECTIONS] [--markdown FILE]\n\
                     sections: {} (postgres needs REGULA_PG_URL)",
                    SECTIONS.join(",")
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("regula-bench: unknown argument {other:?}; try --help");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(unknown) = only.iter().flatten().find(|s| !SECTIONS.contains(&s.as_str())) {
        eprintln!(
            "regula-bench: unknown section {unknown:?}; sections: {}",
            SECTIONS.join(",")
        );
        return ExitCode::from(2);
    }
    let started = std::time::Instant::now();
    let wanted = |s: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == s));
    let mut report = report::Report::default();
    if wanted("transition") {
        transition::run(&mut report, quick);
    }
    if wanted("replay") {
        transition::replay(&mut report, quick);
    }
    let dir = std::env::temp_dir().join(format!("regula-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("regula-bench: cannot create {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    if wanted("sqlite") {
        sqlite::run(&mut report, quick, &dir);
    }
    if wanted("scale") {
        scale::run(&mut report, quick, &dir);
    }
    if wanted("merkle") {
        merkle::run(&mut report, quick);
    }
    if wanted("explore") {
        explore::run(&mut report, quick);
    }
    if wanted("postgres") {
        postgres::run(&mut report, quick);
    }
    if wanted("serve") {
        serve::run(&mut report, quick, &dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("regula-bench: done in {:.0} s", started.elapsed().as_secs_f64());
    if let Some(path) = markdown
        && let Err(e) = std::fs::write(&path, report.markdown())
    {
        eprintln!("regula-bench: cannot write {path}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
