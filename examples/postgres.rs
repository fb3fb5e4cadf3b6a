//! The same as `embed`, on PostgreSQL: several application servers can share this log.
//!
//! Run against a server of your own:
//!
//! ```text
//! REGULA_PG_URL="host=localhost user=regula dbname=court" cargo run --example postgres
//! cargo run --example postgres -- "postgresql://regula@localhost/court"
//! ```
//!
//! or against a throwaway server started and removed for the occasion:
//!
//! ```text
//! crates/store-postgres/scripts/with-throwaway-postgres.sh cargo run --example postgres
//! ```
//!
//! The example keeps its tables in a schema of its own, `regula_example`, which it
//! creates on first use. Each run opens work on the catalog's standards if they are not
//! open yet and records one more attempt, so the log grows from run to run.

use std::error::Error;
use std::process::ExitCode;

use regula::postgres::{PostgresOptions, PostgresStore};
use regula::standards::service::Court;
use regula::standards::{Catalog, StandardAction, roles};
use regula::{Command, Store};

const SCHEMA: &str = "regula_example";

fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1).or_else(|| std::env::var("REGULA_PG_URL").ok()) else {
        eprintln!("usage: cargo run --example postgres -- CONNECTION-STRING   (or set REGULA_PG_URL)");
        eprintln!("no PostgreSQL server given; to try it on a throwaway server:");
        eprintln!("    crates/store-postgres/scripts/with-throwaway-postgres.sh cargo run --example postgres");
        return ExitCode::from(2);
    };
    match run(&url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &str) -> Result<(), Box<dyn Error>> {
    // 1. Connect; the schema is created (or migrated) under an advisory lock.
    let store = PostgresStore::connect_with(url, PostgresOptions { schema: SCHEMA.into() })?;
    println!("store: {}", store.location());

    // 2. The court service on it, exactly as on SQLite.
    let mut court = Court::open(store, Catalog::builtin()?, |engine| engine)?;
    let office = court.config().office_staff("zhang.min", "张敏");
    let opened = court.import(&office)?;
    let total = court.catalog().standards().len();
    println!(
        "opened {} standards ({} already open)",
        opened.len(),
        total - opened.len()
    );

    // 3. One attempt: the office assigns a department. Run twice and the second run's
    //    attempt is recorded too (assigning again is allowed while in research).
    let assign = StandardAction::AssignDepartment {
        department: "综合审判庭".into(),
    };
    let record = court.apply("ADJ-01-04", Command::new(office, roles::OFFICE, assign))?;
    println!(
        "{} → {}",
        record.action,
        if record.is_refused() { "refused" } else { "accepted" }
    );

    // 4. The standard's log, read back from PostgreSQL.
    for r in court.history("ADJ-01-04")? {
        println!(
            "#{} {} {} by {} ({}) → {}",
            r.seq,
            r.at,
            r.action,
            r.actor.id,
            r.role,
            r.state_after()
        );
    }

    // 5. Verify everything in the schema.
    let report = court.verify(None, &mut |_, _| {})?;
    println!("verify: {report}; tree size {}", court.store().tree_head()?.size);
    if report.is_ok() {
        Ok(())
    } else {
        Err("verification failed".into())
    }
}
