//! The explorer: reachability, shortest paths, dead ends, termination, properties
//! with counter-examples, and bounds.

mod common;

use common::{Flaw, Stage, publishing};
use regula_core::dynamic::{DynState, Dynamic};
use regula_core::{Definition, Registry};
use regula_testkit::{Event, ExploreError, Explorer, GuardModel, Property, StatePredicate, StepPredicate};

fn approved_before_published() -> Property<Stage> {
    Property::always(StatePredicate::is(Stage::Published)).previously(StepPredicate::action("approve"))
}

fn withdrawable() -> Property<Stage> {
    Property::whenever(StatePredicate::non_terminal()).reachable(StatePredicate::is(Stage::Withdrawn))
}

#[test]
fn the_sound_sample_is_fully_reachable_and_its_properties_hold() {
    let report = Explorer::new(publishing(Flaw::None))
        .property(approved_before_published())
        .property(withdrawable())
        .explore()
        .expect("small");
    assert!(report.is_ok(), "{report}");
    assert!(report.unreachable().is_empty() && report.dead_ends().is_empty() && report.cannot_terminate().is_empty());
    let path: Vec<String> = report
        .path_to(&Stage::Published)
        .expect("reachable")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        path,
        [
            "draft --submit[author]?--> review",
            "review --approve[editor]?--> approved",
            "approved --publish[editor]?--> published",
        ]
    );
    assert_eq!(report.path_to(&Stage::Draft), Some(vec![]));
    assert_eq!(report.depth, 3);
    assert_eq!(report.edges, 9); // comment has two roles
    assert_eq!(
        report
            .property("always (in published ⇒ previously approve)")
            .map(|p| p.holds),
        Some(true)
    );
    assert_eq!(
        report
            .property("from non-terminal, withdrawn stays reachable")
            .map(|p| p.holds),
        Some(true)
    );
    let text = report.to_string();
    assert!(text.contains("Dead ends: none"), "{text}");
    assert!(
        text.contains("holds: always (in published ⇒ previously approve)"),
        "{text}"
    );
}

#[test]
fn publishing_without_approval_yields_the_shortest_counter_example() {
    let report = Explorer::new(publishing(Flaw::PublishWithoutApproval))
        .property(approved_before_published())
        .explore()
        .expect("small");
    let failed = report.failed_properties();
    assert_eq!(failed.len(), 1, "{report}");
    let c = failed[0].counterexample.as_ref().expect("a counter-example");
    let steps: Vec<(&str, &str)> = c.path.iter().map(|e| (e.action.as_str(), e.role.as_str())).collect();
    assert_eq!(steps, [("submit", "author"), ("publish", "editor")]);
    assert_eq!(c.message, "published is reached without a step approve before it");
    let text = report.to_string();
    assert!(
        text.contains("counter-example: draft --submit[author]?--> review --publish[editor]--> published"),
        "{text}"
    );
    assert_eq!(report.problems().len(), 1);
}

#[test]
fn previously_can_look_for_a_visited_state() {
    let visited_approved = Property::always(StatePredicate::is(Stage::Published))
        .previously(Event::State(StatePredicate::is(Stage::Approved)));
    let sound = Explorer::new(publishing(Flaw::None))
        .property(visited_approved.clone())
        .explore()
        .expect("small");
    assert!(sound.is_ok(), "{sound}");
    let broken = Explorer::new(publishing(Flaw::PublishWithoutApproval))
        .property(visited_approved.named("approved before published"))
        .explore()
        .expect("small");
    let p = broken.property("approved before published").expect("named");
    assert!(!p.holds);
    assert_eq!(p.counterexample.as_ref().map(|c| c.path.len()), Some(2));
}

#[test]
fn with_authors_only_approval_is_out_of_reach_but_nothing_is_stuck() {
    let report = Explorer::new(publishing(Flaw::None))
        .roles(["author"])
        .property(withdrawable())
        .explore()
        .expect("small");
    assert_eq!(report.unreachable(), [&Stage::Approved, &Stage::Published]);
    assert!(report.dead_ends().is_empty(), "{report}");
    assert!(
        report
            .never_enabled
            .contains(&"review --approve--> approved".to_owned())
    );
    assert!(
        report
            .property("from non-terminal, withdrawn stays reachable")
            .is_some_and(|p| p.holds)
    );
}

#[test]
fn with_editors_only_the_draft_is_a_dead_end() {
    let report = Explorer::new(publishing(Flaw::None))
        .roles(["editor"])
        .explore()
        .expect("small");
    assert_eq!(report.dead_ends(), [&Stage::Draft]);
    assert_eq!(report.cannot_terminate(), [&Stage::Draft]);
    assert!(report.problems().iter().any(|p| p == "state draft is a dead end"));
}

#[test]
fn assuming_a_guard_fails_prunes_its_edges() {
    let report = Explorer::new(publishing(Flaw::None))
        .assume("has_title", false)
        .explore()
        .expect("small");
    assert_eq!(
        report.unreachable(),
        [&Stage::Review, &Stage::Approved, &Stage::Published]
    );
    let report = Explorer::new(publishing(Flaw::None))
        .assume("has_title", true)
        .explore()
        .expect("small");
    let path = report.path_to(&Stage::Review).expect("reachable");
    let first = &path[0];
    assert!(!first.guarded, "an assumed pass is no longer a choice");
    assert!(report.to_string().contains("Assuming: has_title passes"));
}

fn dynamic(toml: &str) -> Definition<Dynamic> {
    Definition::<Dynamic>::from_toml(toml, &Registry::new()).expect("valid")
}

const LOOP: &str = r#"
name = "loop"
version = 1
initial = "start"
terminal = ["done"]
[states]
start = { zh = "开始", en = "Start" }
ping = { zh = "乒", en = "Ping" }
pong = { zh = "乓", en = "Pong" }
done = { zh = "完成", en = "Done" }
[actions]
go = { zh = "去", en = "Go" }
finish = { zh = "完成", en = "Finish" }
[roles]
clerk = { zh = "书记员", en = "Clerk" }
judge = { zh = "法官", en = "Judge" }
[[transitions]]
from = "start"
action = "go"
to = "ping"
roles = ["clerk"]
[[transitions]]
from = "ping"
action = "go"
to = "pong"
roles = ["clerk"]
[[transitions]]
from = "pong"
action = "go"
to = "ping"
roles = ["clerk", "judge"]
guards = [{ role = "judge" }]
[[transitions]]
from = "start"
action = "finish"
to = "done"
roles = ["judge"]
"#;

#[test]
fn a_cycle_without_a_way_out_cannot_terminate_and_role_guards_are_decided_exactly() {
    let done = StatePredicate::is(DynState::new("done"));
    let report = Explorer::new(dynamic(LOOP))
        .property(Property::whenever(StatePredicate::non_terminal()).reachable(done))
        .explore()
        .expect("small");
    // The builder accepts this definition (every state has an exit), but ping and
    // pong can never end.
    assert_eq!(
        report.cannot_terminate(),
        [&DynState::new("ping"), &DynState::new("pong")]
    );
    assert!(report.dead_ends().is_empty());
    // pong --go--> ping lists clerk and judge, but its guard lets only the judge fire it.
    assert_eq!(report.edges, 4);
    let back = report.path_to(&DynState::new("ping")).expect("reachable");
    assert_eq!(back.len(), 1);
    let p = &report.failed_properties()[0];
    let c = p.counterexample.as_ref().expect("a counter-example");
    assert_eq!(c.path.len(), 1, "the closest stuck state is ping, one step away");
    assert_eq!(c.message, "from ping no state that is done can be reached");
    // With clerks only, pong's exit is gone: a dead end.
    let clerks = Explorer::new(dynamic(LOOP)).roles(["clerk"]).explore().expect("small");
    assert_eq!(clerks.dead_ends(), [&DynState::new("pong")]);
    assert_eq!(clerks.unreachable(), [&DynState::new("done")]);
}

fn chain(n: usize) -> Definition<Dynamic> {
    let mut toml = String::from("name = \"chain\"\nversion = 1\ninitial = \"s0\"\nterminal = [\"end\"]\n[states]\n");
    for i in 0..n {
        toml.push_str(&format!("s{i} = {{ zh = \"步{i}\", en = \"Step {i}\" }}\n"));
    }
    toml.push_str("end = { zh = \"终\", en = \"End\" }\n[actions]\nnext = { zh = \"下一步\", en = \"Next\" }\n");
    toml.push_str("[roles]\nclerk = { zh = \"书记员\", en = \"Clerk\" }\n");
    for i in 0..n {
        let to = if i + 1 == n {
            "end".to_owned()
        } else {
            format!("s{}", i + 1)
        };
        toml.push_str(&format!(
            "[[transitions]]\nfrom = \"s{i}\"\naction = \"next\"\nto = \"{to}\"\nroles = [\"clerk\"]\n"
        ));
    }
    dynamic(&toml)
}

#[test]
fn a_large_definition_stops_at_the_bounds_with_a_clear_message() {
    let definition = std::sync::Arc::new(chain(400));
    let err = Explorer::new(definition.clone())
        .max_states(100)
        .explore()
        .expect_err("too many");
    assert!(
        matches!(
            err,
            ExploreError::TooManyStates {
                limit: 100,
                explored: 100,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("stopped at the bound of 100 nodes"), "{message}");
    assert!(message.contains("raise Explorer::max_states"), "{message}");
    let err = Explorer::new(definition.clone())
        .max_depth(50)
        .explore()
        .expect_err("too deep");
    assert!(matches!(err, ExploreError::TooDeep { limit: 50, .. }), "{err}");
    assert!(err.to_string().contains("raise Explorer::max_depth"));
    // Within the default bounds it is explored completely.
    let report = Explorer::new(definition).explore().expect("within bounds");
    assert_eq!(report.depth, 400);
    assert!(report.is_ok());
}

#[test]
fn unknown_roles_and_guards_are_typed_errors() {
    let err = Explorer::new(publishing(Flaw::None))
        .roles(["janitor"])
        .explore()
        .expect_err("unknown role");
    assert!(matches!(err, ExploreError::UnknownRole { ref role, .. } if role == "janitor"));
    let err = Explorer::new(publishing(Flaw::None))
        .assume("nope", true)
        .explore()
        .expect_err("unknown guard");
    assert!(matches!(err, ExploreError::UnknownGuard { ref guard, .. } if guard == "nope"));
}

const GATED: &str = r#"
name = "gated"
version = 1
initial = "drafting"
terminal = ["published", "withdrawn"]
[states]
drafting = { zh = "起草", en = "Drafting" }
approval = { zh = "审议", en = "Approval" }
published = { zh = "发布", en = "Published" }
withdrawn = { zh = "废止", en = "Withdrawn" }
[actions]
submit = { zh = "提交", en = "Submit" }
approve = { zh = "通过", en = "Approve" }
send_back = { zh = "退回", en = "Send back" }
publish = { zh = "发布", en = "Publish" }
withdraw = { zh = "废止", en = "Withdraw" }
[roles]
group = { zh = "领导小组", en = "Leading group" }
office = { zh = "办公室", en = "Office" }
[[transitions]]
from = "drafting"
action = "submit"
to = "approval"
roles = ["office"]
[[transitions]]
from = "approval"
action = "approve"
to = "approval"
roles = ["group"]
[[transitions]]
from = "approval"
action = "send_back"
to = "drafting"
roles = ["group"]
[[transitions]]
from = "approval"
action = "publish"
to = "published"
roles = ["office"]
guards = ["approved"]
[[transitions]]
from = "drafting"
action = "withdraw"
to = "withdrawn"
roles = ["group"]
"#;

fn gated() -> Definition<Dynamic> {
    let registry = Registry::new().guard(
        "approved",
        regula_core::Text::new("须已审议通过", "the draft is approved"),
        |input| match input.instance.data().get("approved") {
            Some(serde_json::Value::Bool(true)) => Ok(()),
            _ => Err(regula_core::Text::new("未通过", "not approved")),
        },
    );
    Definition::<Dynamic>::from_toml(GATED, &registry).expect("valid")
}

#[test]
fn a_guard_model_lets_a_data_guard_carry_a_history_property() {
    let published = StatePredicate::is(DynState::new("published"));
    let property = || Property::always(published.clone()).previously(StepPredicate::action("approve"));
    // Without a model the `approved` guard may pass anywhere: the explorer reports
    // the path on which it would have to, marked `?`.
    let naive = Explorer::new(gated()).property(property()).explore().expect("small");
    let c = naive.failed_properties()[0]
        .counterexample
        .clone()
        .expect("a counter-example");
    assert_eq!(
        regula_testkit::explore::show_path(&DynState::new("drafting"), &c.path),
        "drafting --submit[office]--> approval --publish[office]?--> published"
    );
    // Told that `approved` passes only after an approval (and not after the draft
    // went back since), the explorer proves the property.
    let approved = GuardModel::new("approved")
        .after(StepPredicate::action("approve"))
        .reset_by(StepPredicate::action("send_back"));
    let report = Explorer::new(gated())
        .model(approved)
        .property(property())
        .property(Property::whenever(StatePredicate::non_terminal()).reachable(published.clone()))
        .explore()
        .expect("small");
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        report.path_to(&DynState::new("published")).map(|p| p.len()),
        Some(3),
        "submit, approve, publish"
    );
    assert!(
        report
            .to_string()
            .contains("Modelling: approved passes only after approve, unless send_back since")
    );
    // Without the leading group nobody approves: approval is stuck in every history,
    // and the stuck path is shown.
    let report = Explorer::new(gated())
        .roles(["office"])
        .model(GuardModel::new("approved").after(StepPredicate::action("approve")))
        .explore()
        .expect("small");
    assert_eq!(report.dead_ends(), [&DynState::new("approval")]);
    let stuck = report.stuck_path(&DynState::new("approval")).expect("stuck");
    assert_eq!(stuck.len(), 1);
    assert!(
        report
            .never_enabled
            .contains(&"approval --publish--> published".to_owned())
    );
}

/// The report keeps one parent link per node and reads paths back on demand: an
/// 8,000-state chain (inside the default bounds) explores with memory in proportion
/// to its states. When every state kept its own path, this took 9.9 GB.
#[test]
fn a_long_chain_is_explored_with_its_paths_read_back_from_parent_links() {
    let n = 8_000;
    let report = Explorer::new(chain(n)).explore().expect("within the default bounds");
    assert_eq!(report.depth, n);
    assert!(report.unreachable().is_empty());
    let last = report
        .path_to(&DynState::new(&format!("s{}", n - 1)))
        .expect("reachable");
    assert_eq!(last.len(), n - 1);
    assert_eq!(last[0].from, DynState::new("s0"));
    assert_eq!(last[n - 2].to, DynState::new(&format!("s{}", n - 1)));
    assert_eq!(report.path_to(&DynState::new("end")).map(|p| p.len()), Some(n));
}
