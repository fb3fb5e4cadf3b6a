//! Building definitions: every refusal names its culprit; queries and diagrams.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Review, Stage, builder};
use regula_core::{Definition, DefinitionError, GuardExpr, Lang, Place, Text, Transition};

fn err(b: regula_core::DefinitionBuilder<Review>) -> DefinitionError {
    b.build().unwrap_err()
}

fn bare() -> regula_core::DefinitionBuilder<Review> {
    Definition::<Review>::builder("d", 1)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Signed, Text::new("签发", "Signed"))
        .initial(Stage::Draft)
        .terminal(Stage::Signed)
        .role("clerk", Text::new("书记员", "Clerk"))
        .action("sign", Text::new("签发", "Sign"))
}

fn d() -> String {
    "d".to_owned()
}

#[test]
fn the_sample_builds() {
    let def = builder().build().unwrap();
    assert_eq!(def.name(), "judgment-review");
    assert_eq!(def.version(), 1);
    assert_eq!(def.states().len(), 5);
    assert_eq!(def.transitions().len(), 10);
    assert_eq!(def.terminals().collect::<Vec<_>>(), [&Stage::Signed, &Stage::Withdrawn]);
}

#[test]
fn empty_name() {
    assert_eq!(err(Definition::<Review>::builder(" ", 1)), DefinitionError::EmptyName);
}

#[test]
fn no_initial() {
    let b = Definition::<Review>::builder("d", 1).state(Stage::Draft, Text::new("草稿", "Draft"));
    assert_eq!(err(b), DefinitionError::NoInitial { definition: d() });
}

#[test]
fn duplicate_state() {
    let e = err(bare().state(Stage::Draft, Text::new("草稿", "Draft")));
    assert_eq!(
        e,
        DefinitionError::DuplicateState {
            definition: d(),
            state: "draft".into()
        }
    );
}

#[test]
fn duplicate_action_role_guard() {
    assert_eq!(
        err(bare().action("sign", Text::new("签", "Sign"))),
        DefinitionError::DuplicateAction {
            definition: d(),
            action: "sign".into()
        }
    );
    assert_eq!(
        err(bare().role("clerk", Text::new("书记员", "Clerk"))),
        DefinitionError::DuplicateRole {
            definition: d(),
            role: "clerk".into()
        }
    );
    let g = |_: &regula_core::GuardInput<'_, Review>| Ok(());
    assert_eq!(
        err(bare()
            .guard("g", Text::new("甲", "g"), g)
            .guard("g", Text::new("甲", "g"), g)),
        DefinitionError::DuplicateGuard {
            definition: d(),
            guard: "g".into()
        }
    );
}

#[test]
fn missing_label() {
    assert_eq!(
        err(bare().state(Stage::Review, Text::new("审核", ""))),
        DefinitionError::MissingLabel {
            definition: d(),
            what: "state",
            name: "review".into()
        }
    );
    assert_eq!(
        err(bare().action("return", Text::new("", "Return"))),
        DefinitionError::MissingLabel {
            definition: d(),
            what: "action",
            name: "return".into()
        }
    );
    assert_eq!(
        err(bare().role("judge", Text::new(" ", "Judge"))),
        DefinitionError::MissingLabel {
            definition: d(),
            what: "role",
            name: "judge".into()
        }
    );
}

#[test]
fn unknown_state_in_each_place() {
    let e = err(bare().initial(Stage::Review));
    assert_eq!(
        e,
        DefinitionError::UnknownState {
            definition: d(),
            place: Place::Initial,
            state: "review".into()
        }
    );
    let e = err(bare().terminal(Stage::Withdrawn));
    assert_eq!(
        e,
        DefinitionError::UnknownState {
            definition: d(),
            place: Place::Terminal,
            state: "withdrawn".into()
        }
    );
    let e = err(bare().transition(Transition::new(Stage::Draft, "sign", Stage::Review).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::UnknownState {
            definition: d(),
            place: Place::Transition(0),
            state: "review".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "definition \"d\": transition 1 names undeclared state \"review\""
    );
}

#[test]
fn unknown_action_role_guard() {
    let e = err(bare().transition(Transition::new(Stage::Draft, "submit", Stage::Signed).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::UnknownAction {
            definition: d(),
            transition: 0,
            action: "submit".into()
        }
    );
    let e = err(bare().transition(Transition::new(Stage::Draft, "sign", Stage::Signed).by(["judge"])));
    assert_eq!(
        e,
        DefinitionError::UnknownRole {
            definition: d(),
            place: Place::Transition(0),
            role: "judge".into()
        }
    );
    let e = err(bare().transition(
        Transition::new(Stage::Draft, "sign", Stage::Signed)
            .by(["clerk"])
            .guard(GuardExpr::not(GuardExpr::Role("judge".into()))),
    ));
    assert_eq!(
        e,
        DefinitionError::UnknownRole {
            definition: d(),
            place: Place::GuardOf(0),
            role: "judge".into()
        }
    );
    let e = err(bare().transition(
        Transition::new(Stage::Draft, "sign", Stage::Signed)
            .by(["clerk"])
            .guard(GuardExpr::any([GuardExpr::named("nope")])),
    ));
    assert_eq!(
        e,
        DefinitionError::UnknownGuard {
            definition: d(),
            transition: 0,
            from: "draft".into(),
            action: "sign".into(),
            guard: "nope".into()
        }
    );
    assert_eq!(
        err(bare().creators(["judge"])),
        DefinitionError::UnknownCreator {
            definition: d(),
            role: "judge".into()
        }
    );
}

#[test]
fn transition_without_roles() {
    let e = err(bare().transition(Transition::new(Stage::Draft, "sign", Stage::Signed)));
    assert_eq!(
        e,
        DefinitionError::NoRoles {
            definition: d(),
            transition: 0,
            from: "draft".into(),
            action: "sign".into()
        }
    );
}

#[test]
fn duplicate_and_ambiguous_transitions() {
    let t = || Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]);
    let e = err(bare().transition(t()).transition(t()));
    assert_eq!(
        e,
        DefinitionError::DuplicateTransition {
            definition: d(),
            transition: 1,
            first: 0,
            from: "draft".into(),
            action: "sign".into(),
            to: "signed".into()
        }
    );
    let e = err(bare()
        .transition(t())
        .transition(Transition::new(Stage::Draft, "sign", Stage::Draft).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::AmbiguousTransition {
            definition: d(),
            transition: 1,
            first: 0,
            from: "draft".into(),
            action: "sign".into(),
            to: "draft".into(),
            other: "signed".into()
        }
    );
    assert!(e.to_string().contains("draft --sign--> ambiguous"), "{e}");
}

#[test]
fn unreachable_state() {
    let e = err(bare()
        .state(Stage::Review, Text::new("审核", "Review"))
        .transition(Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]))
        .transition(Transition::new(Stage::Review, "sign", Stage::Signed).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::Unreachable {
            definition: d(),
            state: "review".into(),
            initial: "draft".into()
        }
    );
}

#[test]
fn dead_end_counts_self_loops_as_no_exit() {
    let e = err(bare()
        .state(Stage::Review, Text::new("审核", "Review"))
        .action("comment", Text::new("批注", "Comment"))
        .transition(Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]))
        .transition(Transition::new(Stage::Draft, "comment", Stage::Review).by(["clerk"]))
        .transition(Transition::new(Stage::Review, "comment", Stage::Review).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::DeadEnd {
            definition: d(),
            state: "review".into()
        }
    );
}

#[test]
fn terminal_with_exit_but_self_loops_allowed() {
    let e = err(bare()
        .transition(Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]))
        .action("comment", Text::new("批注", "Comment"))
        .transition(Transition::new(Stage::Signed, "comment", Stage::Draft).by(["clerk"])));
    assert_eq!(
        e,
        DefinitionError::TerminalExit {
            definition: d(),
            state: "signed".into(),
            transition: 1,
            action: "comment".into(),
            to: "draft".into()
        }
    );
    // A self-loop on a terminal state records without leaving it.
    bare()
        .transition(Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]))
        .action("comment", Text::new("批注", "Comment"))
        .transition(Transition::new(Stage::Signed, "comment", Stage::Signed).by(["clerk"]))
        .build()
        .unwrap();
}

#[test]
fn queries_list_everything_declared() {
    let def = common::definition();
    assert_eq!(def.initial(), &Stage::Draft);
    assert!(def.is_terminal(&Stage::Signed) && !def.is_terminal(&Stage::Review));
    assert_eq!(def.state_named("returned"), Some(&Stage::Returned));
    assert_eq!(def.state_named("nope"), None);
    assert_eq!(def.state_label(&Stage::Review).unwrap().get(Lang::Zh), "审核");
    assert_eq!(def.action_label("sign").unwrap().get(Lang::En), "Sign");
    assert_eq!(def.role_label("judge").unwrap().zh, "法官");
    assert_eq!(
        def.actions().iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["submit", "return", "resubmit", "sign", "comment", "withdraw"]
    );
    assert_eq!(def.roles().len(), 3);
    assert_eq!(
        def.guards().iter().map(|g| g.name()).collect::<Vec<_>>(),
        ["has_summary", "reason_given", "case_number"]
    );
    assert_eq!(
        def.guard_named("reason_given").unwrap().description().en,
        "a reason is required"
    );
    let from_review: Vec<&str> = def
        .transitions_from(&Stage::Review)
        .map(|t| t.action.as_str())
        .collect();
    assert_eq!(from_review, ["return", "sign", "comment", "withdraw"]);
    assert_eq!(def.transition(&Stage::Review, "sign").unwrap().to, Stage::Signed);
    assert!(def.transition(&Stage::Signed, "sign").is_none());
    assert_eq!(def.reachable_from(&Stage::Returned).len(), 4);
    assert_eq!(def.creators(), ["clerk"]);
    let sign = def.transition(&Stage::Review, "sign").unwrap();
    assert_eq!(
        def.describe_guard(&sign.guards[0]).en,
        "at least 1d in the current state"
    );
}

#[test]
fn mermaid_and_dot_exports() {
    let def = common::definition();
    let mermaid = def.to_mermaid(Lang::Zh);
    let expected_head = "---\ntitle: judgment-review v1\n---\nstateDiagram-v2\n    state \"草稿\" as draft\n";
    assert!(mermaid.starts_with(expected_head), "{mermaid}");
    for line in [
        "    [*] --> draft\n",
        "    draft --> review: 提交\n",
        "    review --> signed: 签发\n",
        "    review --> review: 批注\n",
        "    signed --> [*]\n",
        "    withdrawn --> [*]\n",
    ] {
        assert!(mermaid.contains(line), "missing {line:?} in\n{mermaid}");
    }
    assert_eq!(mermaid.matches(" --> ").count(), 10 + 1 + 2);

    let en = def.to_mermaid_with(regula_core::DiagramOptions {
        lang: Lang::En,
        roles: true,
        guards: true,
    });
    assert!(
        en.contains("    draft --> review: Submit (Clerk) [has_summary, case_number]\n"),
        "{en}"
    );

    let dot = def.to_dot(Lang::En);
    assert!(dot.starts_with("digraph \"judgment-review v1\" {\n"), "{dot}");
    for line in [
        "    \"draft\" [label=\"Draft\"];\n",
        "    \"signed\" [label=\"Signed\", peripheries=2];\n",
        "    \"__start\" -> \"draft\";\n",
        "    \"review\" -> \"returned\" [label=\"Return\"];\n",
    ] {
        assert!(dot.contains(line), "missing {line:?} in\n{dot}");
    }
    assert!(dot.ends_with("}\n"));
}
