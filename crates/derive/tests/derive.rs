//! What the derives generate and what the typed builder does with it.

use regula::typed::{Labelled, TypedAction};
use regula::{Action, Actor, Command, Definition, Engine, Lifecycle, Role, State, Text};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, State)]
enum Doc {
    #[regula(zh = "起草", en = "Drafting")]
    Drafting,
    #[regula(name = "under_review", zh = "审核", en = "Review")]
    Review,
    #[regula(zh = "签发", en = "Signed")]
    Signed,
}

#[derive(Clone, Debug, Serialize, Deserialize, Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
#[regula(kind = "Act")]
enum DocAction {
    #[regula(zh = "提交", en = "Submit")]
    SubmitDraft { pages: u32 },
    #[serde(rename = "sign_off")]
    #[regula(name = "sign_off", zh = "签发", en = "Sign")]
    Sign,
    #[regula(zh = "批注", en = "Annotate")]
    Annotate(String),
}

#[derive(Clone, Copy, Debug, Role)]
enum Who {
    #[regula(zh = "书记员", en = "Clerk")]
    Clerk,
    #[regula(zh = "法官", en = "Judge")]
    Judge,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Log {
    pages: u32,
    notes: Vec<String>,
    effects_run: Vec<String>,
}

struct Docs;
impl Lifecycle for Docs {
    type State = Doc;
    type Action = DocAction;
    type Data = Log;
}

#[test]
fn names_labels_and_kinds_come_from_the_attributes() {
    assert_eq!(Doc::ALL, &[Doc::Drafting, Doc::Review, Doc::Signed]);
    assert_eq!(State::name(&Doc::Review), "under_review");
    assert_eq!(Doc::Signed.label(), Text::new("签发", "Signed"));
    let a = DocAction::SubmitDraft { pages: 3 };
    assert_eq!((a.kind(), a.name()), (Act::SubmitDraft, "submit_draft"));
    assert_eq!(DocAction::Sign.name(), "sign_off");
    assert_eq!(DocAction::Annotate("x".into()).kind(), Act::Annotate);
    assert_eq!(
        Act::ALL.iter().map(Labelled::key).collect::<Vec<_>>(),
        ["submit_draft", "sign_off", "annotate"]
    );
    assert_eq!(Act::Sign.label().en, "Sign");
    assert_eq!(Who::Judge.name(), "judge");
    assert_eq!(String::from(Who::Clerk), "clerk");
}

#[test]
fn payloads_round_trip_through_the_engine_form() {
    for a in [
        DocAction::SubmitDraft { pages: 3 },
        DocAction::Sign,
        DocAction::Annotate("页码有误".into()),
    ] {
        let payload = a.payload().expect("a payload");
        let back = DocAction::from_parts(a.name(), &payload).expect("read back");
        assert_eq!(back.name(), a.name());
        assert_eq!(back.payload().expect("a payload"), payload);
    }
    assert_eq!(DocAction::Sign.payload().expect("a payload"), serde_json::Value::Null);
    assert!(
        DocAction::from_parts("sign", &serde_json::Value::Null).is_err(),
        "serde's name is sign_off"
    );
}

fn definition() -> Definition<Docs> {
    Definition::<Docs>::builder("docs", 1)
        .states()
        .actions()
        .roles::<Who>()
        .initial(Doc::Drafting)
        .terminal(Doc::Signed)
        .creators([Who::Clerk])
        .on(Doc::Drafting, Act::Annotate, Doc::Drafting, |r| {
            r.by([Who::Clerk, Who::Judge]).effect(|d: &mut Log, i| {
                if let DocAction::Annotate(note) = i.action {
                    d.notes.push(note.clone());
                }
                d.effects_run.push("annotate@drafting".into());
            })
        })
        .on(Doc::Review, Act::Annotate, Doc::Review, |r| {
            r.by([Who::Judge])
                .effect(|d: &mut Log, _| d.effects_run.push("annotate@review".into()))
        })
        .on(Doc::Drafting, Act::SubmitDraft, Doc::Review, |r| {
            r.by([Who::Clerk])
                .guard("some_pages", Text::new("须有页数", "has pages"), |i| {
                    match i.action {
                        DocAction::SubmitDraft { pages: 0 } => Err(Text::new("没有页", "no pages")),
                        _ => Ok(()),
                    }
                })
                .effect(|d: &mut Log, i| {
                    if let DocAction::SubmitDraft { pages } = i.action {
                        d.pages = *pages;
                    }
                })
        })
        .on(Doc::Review, Act::Sign, Doc::Signed, |r| r.by([Who::Judge]))
        .build()
        .expect("the definition builds")
}

#[test]
fn the_builder_declares_everything_and_runs_each_rows_effects_only() {
    let def = definition();
    assert_eq!(def.states().len(), 3);
    assert_eq!(def.action_label("sign_off"), Some(&Text::new("签发", "Sign")));
    assert_eq!(def.role_label("judge"), Some(&Text::new("法官", "Judge")));
    assert!(def.guard_named("some_pages").is_some());
    let engine = Engine::new(def);
    let clerk = Actor::new("c");
    let judge = Actor::new("j");
    let (mut doc, _) = engine
        .create(clerk.clone(), Who::Clerk.name(), Log::default(), None)
        .expect("created");
    let mut act = |who: &Actor, role: Who, a: DocAction| {
        engine
            .apply(&mut doc, Command::new(who.clone(), role, a))
            .expect("applied")
    };
    assert!(
        act(&clerk, Who::Clerk, DocAction::SubmitDraft { pages: 0 })
            .refusal()
            .is_some()
    );
    act(&clerk, Who::Clerk, DocAction::Annotate("a".into()));
    act(&clerk, Who::Clerk, DocAction::SubmitDraft { pages: 7 });
    act(&judge, Who::Judge, DocAction::Annotate("b".into()));
    let signed = act(&judge, Who::Judge, DocAction::Sign);
    assert_eq!(signed.state_after(), "signed");
    assert_eq!(doc.data().pages, 7);
    // The row from `review` has its own effect: the note is not appended there.
    assert_eq!(doc.data().notes, ["a"]);
    assert_eq!(doc.data().effects_run, ["annotate@drafting", "annotate@review"]);
}
