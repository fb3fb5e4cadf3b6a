//! `regula-bench`: Regula's benchmarks, each figure printed beside a baseline measured
//! in the same run, and the ratio, because the machine is shared and noisy.
//!
//! Usage: `regula-bench [--quick] [--only SECTION[,SECTION…]] [--markdown FILE]`

mod measure;
mod report;
mod sample;
mod sqlite;
mod transition;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut quick = false;
    let mut only: Option<Vec<String>> = None;
    let mut markdown: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--only" => only = args.next().map(|s| s.split(',').map(str::to_owned).collect()),
            "--markdown" => markdown = args.next(),
            "-h" | "--help" => {
                println!("usage: regula-bench [--quick] [--only transition,replay,…] [--markdown FILE]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("regula-bench: unknown argument {other:?}; try --help");
                return ExitCode::from(2);
            }
        }
    }
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
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(path) = markdown {
        if let Err(e) = std::fs::write(&path, report.markdown()) {
            eprintln!("regula-bench: cannot write {path}: {e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
