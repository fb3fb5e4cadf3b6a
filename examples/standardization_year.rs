//! The main job: a basic-level court's "standardization year" plan (红林法〔2022〕7号),
//! 117 work standards from 2022-05-16 to 2025-12-31, played on an embedded SQLite store.
//!
//! ```text
//! cargo run --release --example standardization_year [-- --seed N] [--store PATH [--fresh]] [--lang en] [--verbose]
//! ```
//!
//! The simulation itself is the `regula-simulation` crate ([`Simulation`]): departments
//! research, draft, consult and answer every opinion; the leading group approves or
//! sends back; the office publishes, inspects and evaluates; weak evaluations, findings
//! and gaps open revisions that end in new versions; the intermediate court accepts in
//! four waves in 2025; some attempts are made to be refused, and any unexpected outcome
//! stops the run. This binary:
//!
//! 1. creates a fresh SQLite store (default `$TMPDIR/regula-standardization-year-<seed>.db`,
//!    WAL, `synchronous=FULL`); the catalog in force, with the office's core flags, is
//!    recorded in the store's own rules log at import, where the `regula` command line
//!    finds it;
//! 2. plays the plan, printing every refusal and notable event, and at each step's due
//!    date the period's figures, progress by domain and stage, each step's compliance
//!    with the late standards listed, and each department's load;
//! 3. verifies the whole store ([`Court::verify`](regula::standards::service::Court::verify):
//!    every log replayed against the definition, guards re-checked) and exits non-zero if
//!    anything is wrong;
//! 4. writes the report as of the plan's end, every section and the 2025 assessment,
//!    beside the store for people to open: `<store>.report.html` (one self-contained
//!    page, charts inline) and `<store>.report.xlsx` (a sheet per table), with
//!    [`regula_report`], as `regula report --format html|xlsx` does.
//!
//! The same seed writes the same audit log, record for record and hash for hash.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use regula::Lang;
use regula::sqlite::SqliteStore;
use regula_simulation::report::Narrator;
use regula_simulation::scenario::DEFAULT_SEED;
use regula_simulation::{Simulation, SimulationOptions, verify};

const USAGE: &str = "usage: standardization_year [--seed N] [--store PATH [--fresh]] [--lang zh|en] [--verbose]

  --seed N       the simulation's seed (default 7); the same seed writes the same audit log
  --store PATH   the SQLite file to create (default: $TMPDIR/regula-standardization-year-<seed>.db,
                 replaced on each run); an existing PATH is refused unless --fresh is given
  --fresh        replace an existing --store PATH
  --lang zh|en   labels and messages in Chinese (default) or English
  --verbose      print every record, not only refusals and notable events";

struct Args {
    seed: u64,
    store: Option<PathBuf>,
    fresh: bool,
    lang: Lang,
    verbose: bool,
}

/// The arguments, or `None` when help was asked for.
fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        seed: DEFAULT_SEED,
        store: None,
        fresh: false,
        lang: Lang::Zh,
        verbose: false,
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--seed" => {
                let v = value("--seed")?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed {v:?}: expected a whole number"))?;
            }
            "--store" => args.store = Some(PathBuf::from(value("--store")?)),
            "--fresh" => args.fresh = true,
            "--lang" => {
                let v = value("--lang")?;
                args.lang = v.parse().map_err(|e| format!("--lang: {e}"))?;
            }
            "--verbose" | "-v" => args.verbose = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(args))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The store's path, its WAL and shared-memory files and its catalog copy removed.
fn prepare_store(args: &Args) -> Result<PathBuf, Box<dyn Error>> {
    let (path, named) = match &args.store {
        Some(p) => (p.clone(), true),
        None => (
            std::env::temp_dir().join(format!("regula-standardization-year-{}.db", args.seed)),
            false,
        ),
    };
    if named && path.exists() && !args.fresh {
        return Err(format!(
            "{} exists: refusing to overwrite it (pass --fresh to replace it, or name another --store)",
            path.display()
        )
        .into());
    }
    for p in [path.clone(), with_suffix(&path, "-wal"), with_suffix(&path, "-shm")] {
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
        }
    }
    Ok(path)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The report as of the plan's end, every section and the 2025 assessment, as
/// `<store>.report.html` and `<store>.report.xlsx`; their paths.
fn write_reports<S: regula::core::Store>(
    court: &regula::standards::service::Court<S>,
    store: &Path,
    lang: Lang,
) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    use regula::standards::report::{ReportQuery, Section};
    let query = ReportQuery {
        sections: Section::ALL.to_vec(),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31),
        year: Some(2025),
    };
    let report = court.report(&query, chrono::Utc::now())?;
    let config = court.config();
    let html = with_suffix(store, ".report.html");
    let page = regula_report::to_html(&report, lang, config.timezone, config.court.get(lang));
    std::fs::write(&html, page)?;
    let xlsx = with_suffix(store, ".report.xlsx");
    std::fs::write(&xlsx, regula_report::to_xlsx(&report, lang, config.timezone)?)?;
    Ok(vec![html, xlsx])
}

/// Runs everything; `Ok(false)` when verification found problems.
fn run(args: &Args) -> Result<bool, Box<dyn Error>> {
    let started = Instant::now();
    let path = prepare_store(args)?;
    let lang = args.lang;
    let s = |zh: &'static str, en: &'static str| if lang == Lang::Zh { zh } else { en };

    let mut sim = Simulation::open(SqliteStore::open(&path)?, SimulationOptions::new(args.seed))?;

    let plan = sim.court().catalog().plan();
    println!(
        "Regula · {} · {}",
        plan.label.get(lang),
        plan.document_number.as_deref().unwrap_or_default()
    );
    println!(
        "{} {} — {}  seed {}",
        s("模拟", "Simulation"),
        sim.issued(),
        sim.options().horizon,
        args.seed
    );
    let store = s(
        "嵌入式 SQLite，WAL，synchronous=FULL",
        "embedded SQLite, WAL, synchronous=FULL",
    );
    println!(
        "{}{}{}{store}{}",
        s("存储：", "Store: "),
        path.display(),
        s("（", " ("),
        s("）", ")")
    );
    let narrator = Narrator::new(lang, args.verbose);
    print!("{}", narrator.core_standards(sim.court()));

    let summary = sim.run(&mut |court, event| print!("{}", narrator.event(court, event)))?;
    let simulated = started.elapsed();
    print!("{}", narrator.summary(sim.court(), &summary));

    let verify_started = Instant::now();
    let verification = verify(sim.court(), &summary)?;
    let verified = verify_started.elapsed();
    print!("{}", narrator.verification(&verification));
    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    let per_record = simulated.as_secs_f64() * 1000.0 / summary.tally.records.max(1) as f64;
    let (simulated, verified, total) = (secs(simulated), secs(verified), secs(started.elapsed()));
    match lang {
        Lang::Zh => println!(
            "  耗时：模拟 {simulated}（每条记录单独提交、落盘，平均 {per_record:.2} ms），验证 {verified}，合计 {total}"
        ),
        Lang::En => println!(
            "  time: simulation {simulated} (each record its own durable commit, {per_record:.2} ms on average), \
             verification {verified}, total {total}"
        ),
    }

    let reports = write_reports(sim.court(), &path, lang)?;

    let shown = path.display();
    println!("\n{}{shown}", s("存储文件：", "Store: "));
    println!(
        "{}",
        s(
            "报告（截至 2025-12-31，含 2025 年度考核）：",
            "Reports (as of 2025-12-31, with the 2025 assessment):"
        )
    );
    for r in &reports {
        println!("  {}", r.display());
    }
    println!(
        "{}",
        s(
            "规则（标准目录及核心标准标记）记录在存储自身的规则日志中：regula rules log",
            "The rules (the catalog, with the core flags) are in the store's own rules log: regula rules log"
        )
    );
    println!(
        "{}",
        s(
            "用命令行查看（cargo run --release -p regula-cli -- 或已安装的 regula）：",
            "Explore it with the command line (cargo run --release -p regula-cli -- or an installed regula):"
        )
    );
    for command in [
        "list",
        "report --as-of 2025-12-31",
        "report --as-of 2023-12-31 --by steps",
        "log ADJ-01-13",
        "verify",
    ] {
        println!("  regula --store {shown} {command}");
    }
    Ok(verification.is_ok())
}
