//! Deadlines: what is overdue today, in one query, and how late each step came.
//!
//! The GB procedure (`examples/gb_standard.toml`) declares that a standard's systematic
//! review is due within 5 years of its publication. Three standards are published on a
//! SQLite store in 2019, 2020 and 2021; on 1 January 2025 the store is asked which are
//! overdue, and the audit trail of the one reviewed late shows its lateness.
//!
//! Run: `cargo run --example deadlines`

use std::error::Error;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use regula::store::{InstanceFilter, Repository, StorageCheck, Store, VerifyOptions, verify_store_with};
use regula::{
    Actor, Command, Definition, DynAction, Dynamic, Engine, Lang, ManualClock, Registry, ReplayOptions, Versions,
    sqlite::SqliteStore,
};
use serde_json::json;

const GB: &str = include_str!("gb_standard.toml");

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::temp_dir().join(format!("regula-deadlines-{}.db", std::process::id()));
    let store = SqliteStore::open(&path)?;
    let clock = Arc::new(ManualClock::new(at(2019, 1, 1)?));
    let definition = Definition::<Dynamic>::from_toml(GB, &Registry::new())?;
    let repo = Repository::new(Engine::new(definition).with_clock(clock.clone()), &store);

    let secretariat = Actor::new("tc-secretariat").named("秘书处");
    let sac = Actor::new("sac").named("国家标准委");
    let mut ids = Vec::new();
    for (i, year) in [2019, 2020, 2021].into_iter().enumerate() {
        clock.set(at(year, 3, 1)?);
        let title = format!("法院工作标准第 {} 号", i + 1);
        let (mut standard, _) = repo.create(
            secretariat.clone(),
            "secretariat",
            json!({ "title": title, "committee_size": 3 }),
            None,
        )?;
        let mut step = |who: &Actor, role: &str, action: &str, payload: serde_json::Value, wait_days: i64| {
            clock.advance(TimeDelta::days(wait_days));
            repo.apply(
                &mut standard,
                Command::new(who.clone(), role, DynAction::new(action, payload)),
            )
        };
        step(&secretariat, "secretariat", "propose", json!({ "kind": "method" }), 0)?;
        step(&sac, "administration", "accept_project", json!(null), 10)?;
        step(
            &secretariat,
            "secretariat",
            "submit_draft",
            json!({ "draft_version": "WD1" }),
            30,
        )?;
        step(&secretariat, "secretariat", "close_enquiry", json!(null), 61)?;
        for member in ["m1", "m2", "m3"] {
            step(
                &Actor::new(member),
                "member",
                "cast_vote",
                json!({ "in_favour": true }),
                0,
            )?;
        }
        step(&secretariat, "secretariat", "pass_review", json!(null), 1)?;
        step(
            &sac,
            "administration",
            "approve",
            json!({ "approval_number": format!("{year}年第{}号", i + 1) }),
            10,
        )?;
        let date = NaiveDate::from_ymd_opt(year, 7, 1).ok_or("bad date")?;
        step(
            &sac,
            "administration",
            "publish",
            json!({ "standard_number": format!("GB/T {}-{year}", 100 + i), "publication_date": date }),
            0,
        )?;
        ids.push(standard.id());
    }
    // The first standard's review starts late, in 2024; the others are still in force.
    clock.set(at(2024, 10, 1)?);
    let mut first = repo.load(ids[0])?;
    repo.apply(
        &mut first,
        Command::new(
            secretariat.clone(),
            "secretariat",
            DynAction::new("start_review", json!(null)),
        ),
    )?;

    // What is overdue on 1 January 2025 and 1 January 2027: one indexed query each.
    for year in [2025, 2027] {
        let as_of = at(year, 1, 1)?;
        let overdue = store.due(as_of, &InstanceFilter::definition("gb-standard"))?;
        println!("{year}-01-01 逾期 overdue: {}", overdue.len());
        for head in &overdue {
            let due = head.due_at.ok_or("a listed head has a due time")?;
            println!(
                "  {}  in {}  due {}  ({} days late)",
                head.instance,
                head.state,
                due.format("%Y-%m-%d"),
                (as_of - due).num_days()
            );
        }
    }

    // The audit trail of the standard reviewed late: the lateness of each step.
    println!("\ntrail of {}:", ids[0]);
    for entry in repo.trail(ids[0])? {
        let late = entry
            .late
            .iter()
            .map(|l| l.describe().get(Lang::Zh).to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        println!(
            "  #{:<2} {} {:<14} {late}",
            entry.seq,
            entry.at.format("%Y-%m-%d"),
            entry.action
        );
    }

    // The due times the store keeps are checked like every other derived column.
    let versions = Versions::new([Arc::clone(repo.engine().definition())])?;
    let options = VerifyOptions {
        checkpoint: None,
        storage: StorageCheck::Quick,
    };
    let mut replayer = versions.replayer(ReplayOptions::default());
    let report = verify_store_with(&store, &options, &mut replayer, &mut |_, _| {})?;
    println!("\nverify: {report}");
    drop(repo);
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}

fn at(year: i32, month: u32, day: u32) -> Result<DateTime<Utc>, Box<dyn Error>> {
    Ok(Utc
        .with_ymd_and_hms(year, month, day, 1, 0, 0)
        .single()
        .ok_or("bad date")?)
}
