//! Strategies, invariants and the harness, on the publishing sample.

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::{Act, Flaw, Publishing, Stage, publishing, scenario};
use proptest::prelude::*;
use regula_core::{Actor, Definition, Registry, dynamic::Dynamic};
use regula_testkit::{CheckConfig, Harness, Invariant, Scenario, Script, Step, Violation, scenario::default_start};

fn published_only_after_approval() -> Invariant<Publishing> {
    Invariant::new("published only after approval", |instance, log| {
        let approved = log.iter().any(|r| r.action == "approve" && !r.is_refused());
        if *instance.state() == Stage::Published && !approved {
            return Err("published without an accepted approve record".to_owned());
        }
        Ok(())
    })
}

#[test]
fn a_sound_definition_passes_and_scripts_reach_every_state_and_transition() {
    let definition = Arc::new(publishing(Flaw::None));
    let harness = Harness::new(definition.clone()).with(published_only_after_approval());
    let summary = harness
        .check(&scenario(definition.clone()), &CheckConfig::cases(64))
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(summary.cases, 64);
    assert!(summary.unreached_states(&definition).is_empty(), "{summary}");
    assert!(summary.unfired_transitions(&definition).is_empty(), "{summary}");
    // Refusals are exercised too, not only the moves the table allows.
    assert!(summary.refused > 0 && summary.accepted > summary.refused, "{summary}");
}

#[test]
fn without_bias_deep_states_are_rarely_reached() {
    // The contrast that shows what the bias is for: picking anything, scripts
    // mostly collect refusals.
    let definition = Arc::new(publishing(Flaw::None));
    let harness = Harness::new(definition.clone());
    let biased = harness
        .check(&scenario(definition.clone()), &CheckConfig::cases(32))
        .unwrap_or_else(|f| panic!("{f}"));
    let blind = harness
        .check(&scenario(definition.clone()).bias(0), &CheckConfig::cases(32))
        .unwrap_or_else(|f| panic!("{f}"));
    let published = |s: &regula_testkit::Summary| s.states.get("published").copied().unwrap_or(0);
    assert!(
        published(&biased) > published(&blind),
        "biased:\n{biased}\nblind:\n{blind}"
    );
    assert!(blind.refused > blind.accepted, "{blind}");
}

#[test]
fn a_definition_that_publishes_without_approval_shrinks_to_two_steps() {
    let definition = Arc::new(publishing(Flaw::PublishWithoutApproval));
    let harness = Harness::new(definition.clone()).with(published_only_after_approval());
    let failure = harness
        .check(&scenario(definition), &CheckConfig::cases(256))
        .expect_err("the flaw must be found");
    // Submit, then publish: nothing shorter publishes, and nothing else is left.
    assert!(failure.shrunk);
    assert_eq!(failure.script_steps, 2, "{failure}");
    assert_eq!(failure.at_step, 2);
    assert_eq!(failure.actions(), ["submit", "publish"], "{failure}");
    assert!(matches!(&failure.violation, Violation::Invariant { name, .. } if name == "published only after approval"));
    // The payload shrank too: the shortest title the guard accepts.
    assert_eq!(failure.trace[1].record.payload, serde_json::json!({ "title": "a" }));
    let text = failure.to_string();
    assert!(
        text.contains("minimal counter-example (shrunk) at step 2 of 2"),
        "{text}"
    );
    assert!(text.contains("  0. author-1 as author: create"), "{text}");
    assert!(
        text.contains(r#"  1. [draft] author-1 as author: submit {"title":"a"} → accepted → review"#),
        "{text}"
    );
    assert!(
        text.contains("  2. [review] editor-1 as editor: publish → accepted → published   ◀ here"),
        "{text}"
    );
}

#[test]
fn an_impure_effect_is_caught_by_the_replay_invariant() {
    let definition = Arc::new(publishing(Flaw::ImpureEffect));
    let failure = Harness::new(definition.clone())
        .check(&scenario(definition), &CheckConfig::cases(128))
        .expect_err("the impure effect must be found");
    assert!(
        matches!(&failure.violation, Violation::Invariant { name, .. } if name == "state equals the replay of the log"),
        "{failure}"
    );
    // The minimal script: submit, then one comment — whose replay counts differently.
    assert_eq!(failure.actions(), ["submit", "comment"], "{failure}");
}

#[test]
fn a_hand_written_script_runs_and_prints_its_trace() {
    let definition = Arc::new(publishing(Flaw::None));
    let author = Actor::new("ann");
    let editor = Actor::new("ed");
    let script = Script::<Publishing>::new(author.clone(), "author", Default::default(), default_start())
        .step(Step::new(author.clone(), "author", Act::Submit { title: "x".into() }))
        .step(Step::new(author.clone(), "author", Act::Approve))
        .step(Step::new(editor.clone(), "editor", Act::Approve))
        .step(Step::new(editor.clone(), "editor", Act::Publish))
        .step(Step::new(editor, "editor", Act::Publish).after(TimeDelta::days(2)));
    assert_eq!(script.len(), 5);
    let run = Harness::new(definition)
        .with(published_only_after_approval())
        .run(&script)
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(run.instance.state(), &Stage::Published);
    assert_eq!(run.log.len(), 6);
    let lines: Vec<String> = run.trace.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines[2],
        "  2. [review] ann as author: approve → refused: role Author may not do this; allowed: Editor; \
         [not_own_work] approving one's own submission"
    );
    assert!(lines[4].starts_with("  4. [approved] ed as editor: publish → refused: [min_time_in_state:1d]"));
    assert_eq!(
        lines[5],
        "  5. [approved] (after 2d) ed as editor: publish → accepted → published"
    );
    let shown = script.to_string();
    assert!(shown.contains("  5. (after 2d) ed as editor: publish"), "{shown}");
}

#[test]
fn a_creation_the_engine_refuses_is_reported_as_an_engine_failure() {
    let definition = Arc::new(publishing(Flaw::None));
    let script = Script::<Publishing>::new(Actor::new("ed"), "editor", Default::default(), default_start());
    let failure = Harness::new(definition)
        .run(&script)
        .expect_err("editors may not create");
    assert_eq!(failure.at_step, 0);
    assert!(matches!(&failure.violation, Violation::Engine { message } if message.contains("may not create")));
}

#[test]
fn every_builtin_invariant_holds_on_the_sound_sample_and_has_a_name() {
    let names: Vec<String> = Invariant::<Publishing>::builtins()
        .iter()
        .map(|i| i.name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "state equals the replay of the log",
            "refusals never change state or data",
            "the log verifies",
            "every accepted transition is in the table",
        ]
    );
    let harness = Harness::without_builtins(publishing(Flaw::None));
    assert!(harness.invariants().is_empty());
}

#[test]
fn a_dynamic_definition_is_tested_with_null_payloads_and_a_json_generator() {
    let definition = Definition::<Dynamic>::from_toml(
        r#"
        name = "memo"
        version = 1
        initial = "open"
        terminal = ["filed"]
        [states]
        open = { zh = "打开", en = "Open" }
        signed = { zh = "签署", en = "Signed" }
        filed = { zh = "归档", en = "Filed" }
        [actions]
        sign = { zh = "签署", en = "Sign" }
        file = { zh = "归档", en = "File" }
        [roles]
        clerk = { zh = "书记员", en = "Clerk" }
        judge = { zh = "法官", en = "Judge" }
        [[transitions]]
        from = "open"
        action = "sign"
        to = "signed"
        roles = ["judge"]
        guards = [{ payload_field = "seal" }]
        [[transitions]]
        from = "signed"
        action = "file"
        to = "filed"
        roles = ["clerk"]
        "#,
        &Registry::new(),
    )
    .expect("valid");
    let definition = Arc::new(definition);
    let scenario = Scenario::new(definition.clone(), Just(serde_json::json!({}))).payload(
        "sign",
        proptest::option::of("[A-Z]{2}")
            .prop_map(|seal| regula_core::DynAction::new("sign", serde_json::json!({ "seal": seal }))),
    );
    let summary = Harness::new(definition.clone())
        .check(&scenario, &CheckConfig::cases(32))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(summary.unreached_states(&definition).is_empty(), "{summary}");
}

fn sound() -> Harness<Publishing> {
    Harness::new(publishing(Flaw::None)).with(published_only_after_approval())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// The kit inside an ordinary `proptest!`: a failure's `?` carries the readable
    /// counter-example.
    #[test]
    fn the_harness_works_inside_proptest(script in scenario(publishing(Flaw::None)).steps(1..=12)) {
        let run = sound().run(&script)?;
        prop_assert_eq!(run.log.len(), script.len() + 1);
    }
}
