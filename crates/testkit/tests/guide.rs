//! The code of `docs/property-testing.md`, compiled and run — and a check that the
//! guide shows exactly this code and this output.
//!
//! Every ```rust block of the guide must appear, token for token (ignoring
//! whitespace), in this file, in `tests/common/mod.rs` or in `tests/court.rs`; every ```text block that
//! shows a failure or a report is compared with what the code below prints.

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::{Act, Doc, Flaw, LossyStore, Publishing, Stage, publishing, scenario};
use proptest::prelude::*;
use regula_core::{Actor, MemoryStore};
use regula_testkit::{
    CheckConfig, Explorer, Harness, Invariant, ModelTest, Property, RepositorySut, Scenario, Script, StatePredicate,
    Step, StepPredicate, scenario::default_start,
};

const GUIDE: &str = include_str!("../../../docs/property-testing.md");
const COMMON: &str = include_str!("common/mod.rs");
const THIS: &str = include_str!("guide.rs");
const COURT: &str = include_str!("court.rs");

#[test]
fn five_line_invariant() {
    let definition = Arc::new(publishing(Flaw::None));
    let harness = Harness::new(definition.clone()).invariant("published only after approval", |instance, log| {
        let approved = log.iter().any(|r| r.action == "approve" && !r.is_refused());
        if *instance.state() == Stage::Published && !approved {
            return Err("published without an accepted approve record".into());
        }
        Ok(())
    });
    let summary = harness
        .check(&scenario(definition.clone()), &CheckConfig::default())
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(summary.unreached_states(&definition).is_empty(), "{summary}");
}

fn editorial_office(definition: Arc<regula_core::Definition<Publishing>>) -> Scenario<Publishing> {
    Scenario::new(definition, Just(Doc::default()))
        .actor(Actor::new("ann"), ["author", "editor"]) // may try to approve her own work
        .actor(Actor::new("bob"), ["author"])
        .actor(Actor::new("eve"), ["editor"])
        .payload("submit", "[a-z]{0,6}".prop_map(|title| Act::Submit { title }))
        .payload("comment", "[a-z ]{0,10}".prop_map(|text| Act::Comment { text }))
        .waits([TimeDelta::zero(), TimeDelta::hours(12), TimeDelta::days(2)])
        .steps(0..=30)
        .bias(90)
}

#[test]
fn a_scenario_of_your_own() {
    let definition = Arc::new(publishing(Flaw::None));
    let four_eyes = Invariant::new("nobody approves their own submission", |_instance, log| {
        let submitter = log.iter().rev().find(|r| r.action == "submit" && !r.is_refused());
        match (submitter, log.last()) {
            (Some(s), Some(last)) if last.action == "approve" && !last.is_refused() && last.actor == s.actor => {
                Err(format!("{} approved their own submission", last.actor.id))
            }
            _ => Ok(()),
        }
    });
    let harness = Harness::new(definition.clone()).with(four_eyes);
    let summary = harness
        .check(&editorial_office(definition.clone()), &CheckConfig::cases(64))
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(summary.unfired_transitions(&definition).is_empty(), "{summary}");
}

#[test]
fn a_failure_is_a_numbered_list_of_steps() {
    let definition = Arc::new(publishing(Flaw::PublishWithoutApproval));
    let harness = Harness::new(definition.clone()).invariant("published only after approval", |instance, log| {
        let approved = log.iter().any(|r| r.action == "approve" && !r.is_refused());
        if *instance.state() == Stage::Published && !approved {
            return Err("published without an accepted approve record".into());
        }
        Ok(())
    });
    let failure = harness
        .check(&scenario(definition), &CheckConfig::default())
        .unwrap_err();
    assert_eq!(failure.script_steps, 2);
    assert_shown(&failure.to_string());
}

#[test]
fn an_invariant_over_a_whole_step() {
    let definition = Arc::new(publishing(Flaw::None));
    let approvals_only_grow = Invariant::<Publishing>::on_step("approvals never decrease", |step| match step.before {
        Some(before) if step.instance.data().approvals < before.data().approvals => Err(format!(
            "approvals went from {} to {} at step {}",
            before.data().approvals,
            step.instance.data().approvals,
            step.index
        )),
        _ => Ok(()),
    });
    let harness = Harness::new(definition.clone()).with(approvals_only_grow);
    assert!(harness.check(&scenario(definition), &CheckConfig::cases(32)).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn scripts_inside_proptest(script in scenario(publishing(Flaw::None)).steps(1..=20)) {
        let run = Harness::new(publishing(Flaw::None)).run(&script)?;
        prop_assert!(run.log.len() <= script.len() + 1);
    }
}

#[test]
fn a_regression_pinned_as_a_script() {
    let (ann, eve) = (Actor::new("ann"), Actor::new("eve"));
    let script = Script::<Publishing>::new(ann.clone(), "author", Doc::default(), default_start())
        .step(Step::new(ann.clone(), "author", Act::Submit { title: "notice".into() }))
        .step(Step::new(ann, "editor", Act::Approve)) // refused: her own submission
        .step(Step::new(eve.clone(), "editor", Act::Approve))
        .step(Step::new(eve, "editor", Act::Publish).after(TimeDelta::days(1)));
    let run = Harness::new(publishing(Flaw::None))
        .run(&script)
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(run.instance.state(), &Stage::Published);
    assert!(run.log[2].is_refused());
}

#[test]
fn the_explorer_report() {
    let report = Explorer::new(publishing(Flaw::None))
        .property(Property::always(StatePredicate::is(Stage::Published)).previously(StepPredicate::action("approve")))
        .property(Property::whenever(StatePredicate::non_terminal()).reachable(StatePredicate::is(Stage::Withdrawn)))
        .explore()
        .expect("within the default bounds");
    assert!(report.is_ok(), "{report}");
    assert_shown(&report.to_string());
}

#[test]
fn the_explorer_finds_the_shortest_counter_example() {
    let report = Explorer::new(publishing(Flaw::PublishWithoutApproval))
        .property(Property::always(StatePredicate::is(Stage::Published)).previously(StepPredicate::action("approve")))
        .explore()
        .expect("within the default bounds");
    assert_eq!(report.problems().len(), 1);
    assert_shown(&report.problems().join("\n"));
}

#[test]
fn a_store_tested_against_the_reference_engine() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup| {
        RepositorySut::new(setup, MemoryStore::new())
    });
    test.check(&scenario(definition), &CheckConfig::default())
        .unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn a_store_that_loses_records() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup| {
        RepositorySut::new(setup, LossyStore::default())
    });
    let failure = test.check(&scenario(definition), &CheckConfig::default()).unwrap_err();
    assert_eq!(failure.script_steps, 4);
    assert_shown(&failure.to_string());
}

/// The output `text` appears in the guide, as the body of a ```text block.
fn assert_shown(text: &str) {
    let blocks = blocks("text");
    assert!(
        blocks.iter().any(|b| b.trim_end() == text.trim_end()),
        "the guide does not show this output verbatim; update docs/property-testing.md:\n{text}"
    );
}

fn blocks(lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in GUIDE.lines() {
        match &mut current {
            None if line.trim_start() == open => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start() == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    out
}

/// The text without any whitespace: rustfmt may wrap a line differently in the
/// guide and in the code, but not change a token.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_guide_shows_the_code_it_runs() {
    let sources = [squeezed(THIS), squeezed(COMMON), squeezed(COURT)];
    let rust = blocks("rust");
    assert!(rust.len() >= 8, "the guide has {} rust blocks", rust.len());
    for block in rust {
        let want = squeezed(&block);
        assert!(
            sources.iter().any(|src| src.contains(&want)),
            "this block of the guide is not in tests/guide.rs, tests/common/mod.rs or tests/court.rs:\n{block}"
        );
    }
}
