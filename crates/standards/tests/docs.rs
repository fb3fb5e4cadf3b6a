//! The crate docs cannot go stale: the Mermaid diagram pasted in `lib.rs` is the one
//! the definition draws, and the transition table there lists every row.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use regula_core::Lang;
use regula_standards::{Catalog, CourtConfig, standard_definition};

const LIB: &str = include_str!("../src/lib.rs");

/// The lines of the first fenced block of `lang` in the crate docs, without `//! `.
fn block(lang: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in LIB.lines() {
        let Some(doc) = line.strip_prefix("//!") else { continue };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        if inside {
            if doc.starts_with("```") {
                return out;
            }
            out.push_str(doc);
            out.push('\n');
        } else if doc == format!("```{lang}") {
            inside = true;
        }
    }
    panic!("no ```{lang} block in the crate docs");
}

fn generated() -> String {
    let catalog = Catalog::builtin().unwrap();
    let definition = standard_definition(&CourtConfig::from_catalog(&catalog)).unwrap();
    definition.to_mermaid(Lang::Zh)
}

#[test]
fn the_pasted_diagram_is_the_generated_one() {
    let generated = generated();
    assert_eq!(
        block("mermaid"),
        generated,
        "the Mermaid diagram in src/lib.rs is stale; paste this:\n{generated}"
    );
}

#[test]
fn the_documented_table_lists_every_transition() {
    let catalog = Catalog::builtin().unwrap();
    let definition = standard_definition(&CourtConfig::from_catalog(&catalog)).unwrap();
    let rows: Vec<Vec<&str>> = LIB
        .lines()
        .filter_map(|l| l.strip_prefix("//! | `"))
        .map(|l| l.split(" | ").collect())
        .collect();
    for t in definition.transitions() {
        let from = format!("`{}`", t.from.as_str());
        let action = format!("`{}`", t.action);
        let to = if t.is_self_loop() {
            "(same)".to_owned()
        } else {
            format!("`{}`", t.to.as_str())
        };
        let documented = rows.iter().any(|cells| {
            cells.len() > 3
                && format!("`{}", cells[0]).split(", ").any(|f| f == from)
                && cells[1] == action
                && cells[2] == to
        });
        assert!(
            documented,
            "transition {from} --{action}--> {to} is not in the table of src/lib.rs"
        );
    }
}
