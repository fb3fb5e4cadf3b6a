//! Loads a lifecycle from a TOML file at run time (`examples/judgment_review.toml`, or
//! the path given as the first argument), runs it, and draws it.
//!
//! The guards the file names are offered by this program through a `Registry`; the
//! built-in ones (`payload_field`, `role`, `min_time_in_state`, `all`/`any`/`not`) need
//! nothing. A mistake in the file is reported with its line and column.
//!
//! Run: `cargo run --example definition_from_file [-- path/to/definition.toml]`

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use regula::{Actor, Command, Definition, DynAction, Dynamic, Engine, Lang, ManualClock, Registry, SeededIds, Text};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join("judgment_review.toml")
    });
    let registry = Registry::new().guard(
        "case_number_format",
        Text::new("案号须形如（年份）……号", "the case number must look like (YYYY)…号"),
        |input| {
            let n = input
                .payload_value()
                .get("case_number")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if n.starts_with('(') && n.ends_with('号') {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("案号“{n}”格式不对"),
                    format!("case number {n:?} is malformed"),
                ))
            }
        },
    );
    let definition = match Definition::<Dynamic>::from_toml_file(&path, &registry) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "loaded {} v{} from {}",
        definition.name(),
        definition.version(),
        path.display()
    );

    let start = Utc.with_ymd_and_hms(2024, 1, 2, 1, 0, 0).single().ok_or("bad date")?;
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(definition)
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(1)));
    let clerk = Actor::new("li.na").in_unit("民事审判庭");
    let judge = Actor::new("wang.qiang").in_unit("民事审判庭");

    let (mut doc, created) = engine.create(clerk.clone(), "clerk", json!({}), None)?;
    let mut log = vec![created];
    let attempts = [
        (
            clerk.clone(),
            "clerk",
            DynAction::new("submit", json!({"case_number": "12"})),
        ),
        (
            clerk.clone(),
            "clerk",
            DynAction::new("submit", json!({"case_number": "(2024)吉7505民初1号"})),
        ),
        (judge.clone(), "judge", DynAction::new("sign", json!(null))),
    ];
    for (actor, role, action) in attempts {
        log.push(engine.apply(&mut doc, Command::new(actor, role, action))?);
    }
    clock.advance(TimeDelta::days(1));
    log.push(engine.apply(
        &mut doc,
        Command::new(judge, "judge", DynAction::new("sign", json!(null))),
    )?);

    for r in &log {
        match r.refusal() {
            None => println!("#{} {:<8} {:<10} → {}", r.seq, r.role, r.action, r.state_after()),
            Some(reasons) => {
                let why: Vec<String> = reasons.iter().map(|x| x.message.get(Lang::En).to_owned()).collect();
                println!("#{} {:<8} {:<10} refused: {}", r.seq, r.role, r.action, why.join("; "));
            }
        }
    }
    let replayed = engine.definition().replay(&log)?;
    println!("\nreplayed to {} with data {}\n", replayed.state(), replayed.data());
    print!("{}", engine.definition().to_dot(Lang::En));
    Ok(())
}
