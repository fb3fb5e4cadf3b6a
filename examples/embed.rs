//! The smallest program embedding Regula: open a SQLite store, open the court's
//! standards on it, apply one action, read the audit log back.
//!
//! Run: `cargo run --example embed`

use std::error::Error;

use regula::standards::service::Court;
use regula::standards::{Catalog, StandardAction, roles};
use regula::{Command, sqlite::SqliteStore};

fn main() -> Result<(), Box<dyn Error>> {
    // 1. A store: one SQLite file (here a fresh one in the temp directory).
    let path = std::env::temp_dir().join(format!("regula-embed-{}.db", std::process::id()));
    let store = SqliteStore::open(&path)?;

    // 2. The court service: the built-in catalog (117 standards), the lifecycle built
    //    from it, and the store. The closure could set a clock or an id source.
    let mut court = Court::open(store, Catalog::builtin()?, |engine| engine)?;

    // 3. The office opens work on every standard (one transaction), then assigns a
    //    department to one the plan left without one. Refusals are records too.
    let office = court.config().office_staff("zhang.min", "张敏");
    court.import(&office)?;
    let assign = StandardAction::AssignDepartment {
        department: "综合审判庭".into(),
    };
    let record = court.apply("ADJ-01-04", Command::new(office, roles::OFFICE, assign))?;
    if let Some(reasons) = record.refusal() {
        return Err(format!("refused: {reasons:?}").into());
    }

    // 4. Read the standard's log back from the store: hash-chained records.
    for r in court.history("ADJ-01-04")? {
        println!(
            "#{} {} {} by {} ({}): {:?}",
            r.seq, r.at, r.action, r.actor.id, r.role, r.outcome
        );
        if r.seq > 1 {
            println!("   payload {}", r.payload); // the creating record's payload is the whole initial data
        }
        println!("   prev {}  hash {}", r.prev_hash.to_hex(), r.hash.to_hex());
    }

    // 5. Verify the whole store: chains, heads, Merkle tree, every log replayed.
    let report = court.verify(None, &mut |_, _| {})?;
    println!("verify: {report}");
    drop(court);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}
