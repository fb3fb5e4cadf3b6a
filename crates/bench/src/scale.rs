//! How cost grows with scale: loading one instance from stores of 1k, 100k and 1M
//! instances (10 records each, so up to a 10M-record store), and the plan report over
//! as many standards (the 117-standard plan × many courts), with its memory.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use regula_core::{AuditRecord, Repository, Store};
use regula_standards::data::{StageChange, Stamp, Version};
use regula_standards::plan::{self, GroupBy, Ledger, WorkPlan};
use regula_standards::{Catalog, Stage, StandardData};
use regula_store_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use rusqlite::Connection;
use uuid::Uuid;

use crate::measure::human;
use crate::merkle::Rng;
use crate::report::{Report, Row};
use crate::sample;
use crate::sqlite::{creating, fresh};

/// Records per instance in the scale stores.
const PER: usize = 10;

/// Memory figures of this process from `/proc/self/status`, in bytes.
fn status_bytes(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// Builds a store of `n` instances × [`PER`] records with `append_batch`, 1,000
/// instances (10,000 records) per transaction; returns the instance ids.
fn build_store(path: &Path, n: usize) -> (Vec<Uuid>, f64) {
    // Built with synchronous=NORMAL: building is not what is measured here, and the
    // durable append rates are measured in the `sqlite` section.
    let options = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open_with(path, options).expect("open the scale store");
    let engine = sample::seeded_engine(n as u64);
    let (clerk, judge) = sample::actors();
    let mut ids = Vec::with_capacity(n);
    let start = Instant::now();
    let mut done = 0;
    while done < n {
        let count = (n - done).min(1000);
        let logs: Vec<Vec<AuditRecord>> = (0..count)
            .map(|_| {
                let (mut inst, created) = engine
                    .create(clerk.clone(), "clerk", Default::default(), None)
                    .expect("create");
                let mut log = Vec::with_capacity(PER);
                log.push(created);
                for i in 0..PER as u64 - 1 {
                    log.push(
                        engine
                            .apply(&mut inst, sample::command(i, &clerk, &judge))
                            .expect("apply"),
                    );
                }
                log
            })
            .collect();
        store.append_batch(&creating(&logs)).expect("append_batch");
        ids.extend(logs.iter().map(|l| l[0].instance));
        done += count;
    }
    let rate = (n * PER) as f64 / start.elapsed().as_secs_f64();
    (ids, rate)
}

/// Synthetic data of one catalog standard in one court: a stage history along the
/// plan's main path, stopping at a stage that depends on (court, standard), with the
/// version published on the way.
fn synthetic(entry: &regula_standards::Entry, court: usize, i: usize, rng: &mut Rng) -> StandardData {
    const PATH: [Stage; 7] = [
        Stage::Research,
        Stage::Drafting,
        Stage::Consultation,
        Stage::Approval,
        Stage::Published,
        Stage::FollowUp,
        Stage::Consolidated,
    ];
    let opened = Utc.with_ymd_and_hms(2022, 5, 16, 1, 0, 0).single().unwrap_or_default();
    let mut data = StandardData::from_entry(entry);
    data.opened_at = Some(opened);
    let reach = (rng.below(PATH.len() as u64) as usize + court + i) % PATH.len();
    let mut at = opened;
    for (seq, w) in (2..).zip(PATH[..=reach].windows(2)) {
        at = at.checked_add_days(Days::new(20 + rng.below(60))).unwrap_or(at);
        let stamp = Stamp {
            by: "zhang.min".into(),
            at,
            seq,
        };
        if w[1] == Stage::Published {
            let day: NaiveDate = at.date_naive();
            data.versions.push(Version {
                number: 1,
                document_number: format!("红林法〔{}〕{}号", day.format("%Y"), 100 + court * 117 + i),
                published_on: day,
                draft: 1,
                approved_on: day,
                revision: None,
                stamp: stamp.clone(),
            });
        }
        data.history.push(StageChange {
            from: w[0],
            to: w[1],
            action: format!("to_{}", w[1].as_str()).into(),
            stamp,
        });
    }
    data.stage = PATH[reach];
    data
}

/// Runs the scale benchmarks.
pub fn run(report: &mut Report, quick: bool, dir: &Path) {
    let sizes: &[usize] = if quick {
        &[1_000, 100_000]
    } else {
        &[1_000, 100_000, 1_000_000]
    };
    if quick {
        report.push(Row {
            section: "scale",
            what: "1M instances (10M-record store; plan report over 1M standards)".into(),
            figure: "not measured in --quick mode".into(),
            baseline: "run without --quick".into(),
            ratio: None,
            target: None,
        });
    }
    let probes = if quick { 2_000 } else { 5_000 };

    for &n in sizes {
        // --- The store: load one instance by id.
        let path = fresh(dir, &format!("scale-{n}.db"));
        let (ids, build_rate) = build_store(&path, n);
        let file = std::fs::metadata(&path).map_or(0, |m| m.len())
            + std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
        let store = SqliteStore::open(&path).expect("reopen the scale store");
        let repo = Repository::new(sample::engine(), store);
        let raw = Connection::open(&path).expect("open raw");
        let mut stmt = raw
            .prepare("SELECT record FROM records WHERE instance = ?1 ORDER BY seq")
            .expect("prepare");
        let mut rng = Rng(n as u64);
        let picks: Vec<Uuid> = (0..probes).map(|_| ids[rng.below(ids.len() as u64) as usize]).collect();
        let mut ours = Vec::with_capacity(probes);
        let mut theirs = Vec::with_capacity(probes);
        let ours_load = |id: Uuid| {
            let t = Instant::now();
            let inst = repo.load(id).expect("load");
            let d = t.elapsed();
            assert_eq!(inst.seq(), PER as u64);
            d
        };
        let mut raw_load = |id: Uuid| {
            let t = Instant::now();
            let rows: Vec<String> = stmt
                .query_map([id.to_string()], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            let d = t.elapsed();
            assert_eq!(rows.len(), PER);
            d
        };
        // Alternate which goes first, so neither always finds the pages the other
        // just read.
        for (k, &id) in picks.iter().enumerate() {
            if k % 2 == 0 {
                ours.push(ours_load(id));
                theirs.push(raw_load(id));
            } else {
                theirs.push(raw_load(id));
                ours.push(ours_load(id));
            }
        }
        ours.sort();
        theirs.sort();
        let (p50, p99) = (percentile(&ours, 0.5), percentile(&ours, 0.99));
        let (r50, r99) = (percentile(&theirs, 0.5), percentile(&theirs, 0.99));
        let records = n * PER;
        let target = (records >= 10_000_000).then(|| {
            (
                "< 1 ms from a 10M-record store (p50)".to_owned(),
                p50 < Duration::from_millis(1),
            )
        });
        report.push(Row {
            section: "scale",
            what: format!(
                "load one instance (10 records, replay + verify) by id, store of {} instances / {} records ({}), {probes} random ids",
                human(n as f64),
                human(records as f64),
                mib(file)
            ),
            figure: format!("p50 {} p99 {}", micros(p50), micros(p99)),
            baseline: format!("raw SELECT of the same rows p50 {} p99 {}", micros(r50), micros(r99)),
            ratio: Some(r50.as_secs_f64() / p50.as_secs_f64().max(1e-12)),
            target,
        });
        report.push(Row {
            section: "scale",
            what: "building that store: append_batch, 10,000 records per transaction (synchronous=NORMAL)".into(),
            figure: format!("{}/s", human(build_rate)),
            baseline: String::new(),
            ratio: None,
            target: None,
        });
        drop(stmt);
        drop(raw);
        drop(repo);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }

        // --- The plan report over n standards: the 117-standard plan × many courts,
        // each way in a process of its own, so its peak memory is its own.
        let stream = plan_in_child(n, false);
        let held = plan_in_child(n, true);
        assert_eq!(held.overdue, stream.overdue, "both ways report the same");
        let instances = held.instances;
        let gib = |p: &PlanFigures| p.hwm < 1 << 30;
        report.push(Row {
            section: "scale",
            what: format!(
                "plan report (progress by department + lateness) over {} instances = {} courts × 117 standards (synthetic ledgers), all ledgers held in memory",
                human(instances as f64),
                held.courts
            ),
            figure: format!(
                "{:.2} s ({}/s) after building the ledgers in {:.2} s; peak RSS {} ({:.0} bytes/instance over the {} at start)",
                held.took,
                human(instances as f64 / held.took),
                held.built,
                mib(held.hwm),
                held.hwm.saturating_sub(held.rss0) as f64 / instances as f64,
                mib(held.rss0)
            ),
            baseline: String::new(),
            ratio: None,
            target: (instances >= 1_000_000).then(|| ("< 1 GiB of memory for 1M instances".to_owned(), gib(&held))),
        });
        report.push(Row {
            section: "scale",
            what: format!(
                "plan report over {} instances, court by court (each court's ledger built, reported, dropped)",
                human(instances as f64)
            ),
            figure: format!(
                "{:.2} s incl. building the ledgers ({}/s); peak RSS {}",
                stream.took,
                human(instances as f64 / stream.took),
                mib(stream.hwm)
            ),
            baseline: String::new(),
            ratio: None,
            target: (instances >= 1_000_000).then(|| ("< 1 GiB of memory for 1M instances".to_owned(), gib(&stream))),
        });
    }
}

/// What one plan-report run measured.
#[derive(Debug)]
pub struct PlanFigures {
    instances: usize,
    courts: usize,
    /// Seconds to produce the reports (court by court: including building the ledgers).
    took: f64,
    /// Seconds to build the ledgers (all held: before the reports).
    built: f64,
    /// Peak RSS of the process, bytes.
    hwm: u64,
    /// RSS before the ledgers were built, bytes.
    rss0: u64,
    /// Overdue entries found, to check both ways agree.
    overdue: usize,
}

/// The argument that makes `regula-bench` a plan-report child.
pub const CHILD_ARG: &str = "--plan-report-child";

fn plan_in_child(n: usize, held: bool) -> PlanFigures {
    let exe = std::env::current_exe().expect("the harness's own path");
    let out = std::process::Command::new(exe)
        .args([CHILD_ARG, &n.to_string(), if held { "held" } else { "stream" }])
        .output()
        .expect("run the plan-report child");
    assert!(
        out.status.success(),
        "the plan-report child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(f.len(), 7, "unexpected child output {text:?}");
    let num = |i: usize| f[i].parse::<f64>().expect("a number from the child");
    PlanFigures {
        instances: num(0) as usize,
        courts: num(1) as usize,
        took: num(2),
        built: num(3),
        hwm: num(4) as u64,
        rss0: num(5) as u64,
        overdue: num(6) as usize,
    }
}

/// The child: measures one plan-report run over `n` instances and prints its figures.
pub fn plan_child(n: usize, held: bool) {
    let catalog = Catalog::builtin().expect("the built-in catalog");
    let work_plan = WorkPlan::new();
    let as_of = Utc.with_ymd_and_hms(2024, 3, 31, 8, 0, 0).single().unwrap_or_default();
    let courts = n.div_ceil(catalog.standards().len());
    let instances = courts * catalog.standards().len();
    let ledger_of = |c: usize, rng: &mut Rng| -> Ledger {
        catalog
            .standards()
            .iter()
            .enumerate()
            .map(|(i, e)| synthetic(e, c, i, rng))
            .collect()
    };
    let report = |ledger: &Ledger| -> usize {
        let progress = plan::progress(&catalog, ledger, &work_plan, as_of, GroupBy::Department);
        let late = plan::lateness(&catalog, ledger, &work_plan, as_of);
        let overdue = progress.total.overdue + late.steps.iter().map(|s| s.late.len()).sum::<usize>();
        black_box((progress, late));
        overdue
    };
    let rss0 = status_bytes("VmRSS:").unwrap_or(0);
    let mut rng = Rng(7);
    let mut overdue = 0;
    let (took, built) = if held {
        let t = Instant::now();
        let ledgers: Vec<Ledger> = (0..courts).map(|c| ledger_of(c, &mut rng)).collect();
        let built = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for ledger in &ledgers {
            overdue += report(ledger);
        }
        (t.elapsed().as_secs_f64(), built)
    } else {
        let t = Instant::now();
        for c in 0..courts {
            overdue += report(&ledger_of(c, &mut rng));
        }
        (t.elapsed().as_secs_f64(), 0.0)
    };
    let hwm = status_bytes("VmHWM:").unwrap_or(0);
    println!("{instances} {courts} {took} {built} {hwm} {rss0} {overdue}");
}
