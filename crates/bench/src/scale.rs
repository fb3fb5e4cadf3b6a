//! How cost grows with scale: loading one instance from stores of 1k, 100k and 1M
//! instances (10 records each, so up to a 10M-record store), and the plan report over
//! as many standards (the 117-standard plan × many courts), with its memory.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use regula_core::{Append, AuditRecord, Repository, Store};
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
use crate::sqlite::fresh;

/// Records per instance in the scale stores.
const PER: usize = 10;

/// Memory figures of this process from `/proc/self/status`, in bytes.
fn status_bytes(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0), so a peak measured
/// afterwards belongs to what ran in between.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
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
        let batch: Vec<Append<'_>> = logs
            .iter()
            .map(|log| Append {
                instance: log[0].instance,
                expected_seq: 0,
                records: log,
            })
            .collect();
        store.append_batch(&batch).expect("append_batch");
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
            action: format!("to_{}", w[1].as_str()),
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
    let catalog = Catalog::builtin().expect("the built-in catalog");
    let work_plan = WorkPlan::new();
    let as_of = Utc.with_ymd_and_hms(2023, 9, 30, 8, 0, 0).single().unwrap_or_default();
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

        // --- The plan report over n standards: the 117-standard plan × many courts.
        let courts = n.div_ceil(catalog.standards().len());
        let instances = courts * catalog.standards().len();
        // The same reports court by court, each court's ledger made, reported and
        // dropped in turn: what a report over many courts needs to hold at once.
        let reset_stream = reset_peak();
        let rss1 = status_bytes("VmRSS:").unwrap_or(0);
        let t = Instant::now();
        let mut rng = Rng(7);
        let mut overdue_stream = 0usize;
        for c in 0..courts {
            let ledger: Ledger = catalog
                .standards()
                .iter()
                .enumerate()
                .map(|(i, e)| synthetic(e, c, i, &mut rng))
                .collect();
            let progress = plan::progress(&catalog, &ledger, &work_plan, as_of, GroupBy::Department);
            let late = plan::lateness(&catalog, &ledger, &work_plan, as_of);
            overdue_stream += progress.total.overdue + late.steps.iter().map(|s| s.late.len()).sum::<usize>();
            black_box((progress, late));
        }
        let streamed = t.elapsed();
        let hwm_stream = status_bytes("VmHWM:").unwrap_or(0);
        let target =
            (instances >= 1_000_000).then(|| ("< 1 GiB of memory for 1M instances".to_owned(), hwm_stream < 1 << 30));
        report.push(Row {
            section: "scale",
            what: format!(
                "plan report over {} instances, court by court (each court's ledger built, reported, dropped)",
                human(instances as f64)
            ),
            figure: format!(
                "{:.2} s incl. building the ledgers ({}/s); peak RSS {} (+{}){}",
                streamed.as_secs_f64(),
                human(instances as f64 / streamed.as_secs_f64()),
                mib(hwm_stream),
                mib(hwm_stream.saturating_sub(rss1)),
                if reset_stream { "" } else { " [peak not reset]" }
            ),
            baseline: String::new(),
            ratio: None,
            target,
        });
        let reset = reset_peak();
        let rss0 = status_bytes("VmRSS:").unwrap_or(0);
        let t = Instant::now();
        let mut rng = Rng(7);
        let ledgers: Vec<Ledger> = (0..courts)
            .map(|c| {
                catalog
                    .standards()
                    .iter()
                    .enumerate()
                    .map(|(i, e)| synthetic(e, c, i, &mut rng))
                    .collect()
            })
            .collect();
        let built = t.elapsed();
        let t = Instant::now();
        let mut overdue = 0usize;
        for ledger in &ledgers {
            let progress = plan::progress(&catalog, ledger, &work_plan, as_of, GroupBy::Department);
            let late = plan::lateness(&catalog, ledger, &work_plan, as_of);
            overdue += progress.total.overdue + late.steps.iter().map(|s| s.late.len()).sum::<usize>();
            black_box((progress, late));
        }
        let took = t.elapsed();
        let hwm = status_bytes("VmHWM:").unwrap_or(0);
        black_box(overdue);
        drop(ledgers);
        let growth = hwm.saturating_sub(rss0);
        let target = (instances >= 1_000_000).then(|| ("< 1 GiB of memory for 1M instances".to_owned(), hwm < 1 << 30));
        let all_target = target;
        assert_eq!(overdue, overdue_stream, "both ways report the same");
        report.push(Row {
            section: "scale",
            what: format!(
                "plan report (progress by department + lateness) over {} instances = {courts} courts × 117 standards (synthetic ledgers), all held in memory",
                human(instances as f64)
            ),
            figure: format!(
                "{:.2} s ({}/s); ledgers built in {:.2} s; peak RSS {} (+{}, {:.0} bytes/instance){}",
                took.as_secs_f64(),
                human(instances as f64 / took.as_secs_f64()),
                built.as_secs_f64(),
                mib(hwm),
                mib(growth),
                growth as f64 / instances as f64,
                if reset { "" } else { " [peak not reset: includes earlier sections]" }
            ),
            baseline: String::new(),
            ratio: None,
            target: all_target,
        });
    }
}
