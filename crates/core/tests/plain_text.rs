//! The engine refuses actors and roles that could act on a terminal or disguise
//! themselves: nothing is recorded, the instance is unchanged.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Step, clerk, doc, engine, judge};
use regula_core::plain_text::{CharKind, field};
use regula_core::store::Store;
use regula_core::{Actor, Command, EngineError, MemoryStore, PlainTextError, Repository, RepositoryError};

fn submit() -> Step {
    Step::Submit {
        summary: "判决书".into(),
    }
}

fn unsafe_text(e: EngineError) -> PlainTextError {
    match e {
        EngineError::UnsafeText(e) => e,
        other => panic!("expected UnsafeText, got {other:?}"),
    }
}

#[test]
fn create_refuses_an_actor_with_an_escape_sequence() {
    let (engine, _) = engine();
    let actor = Actor::new("\u{1b}[2J\u{1b}[Hadmin").in_unit("立案庭");
    let e = unsafe_text(engine.create(actor, "clerk", doc(), None).unwrap_err());
    assert_eq!(
        e,
        PlainTextError::Refused {
            field: field::ACTOR_ID,
            text: "\u{1b}[2J\u{1b}[Hadmin".into(),
            character: '\u{1b}',
            kind: CharKind::Control,
            index: 0,
        }
    );
    assert!(e.to_string().contains("U+001B"), "{e}");
    // Every field of the actor, and the role, is checked.
    let bidi_unit = clerk().in_unit("立案庭\u{202e}");
    assert_eq!(
        unsafe_text(engine.create(bidi_unit, "clerk", doc(), None).unwrap_err()).field(),
        &field::ACTOR_UNIT
    );
    let hidden_name = clerk().named("李\u{200b}娜");
    assert_eq!(
        unsafe_text(engine.create(hidden_name, "clerk", doc(), None).unwrap_err()).field(),
        &field::ACTOR_NAME
    );
    assert_eq!(
        unsafe_text(engine.create(Actor::new("  "), "clerk", doc(), None).unwrap_err()),
        PlainTextError::Empty { field: field::ACTOR_ID }
    );
    assert_eq!(
        unsafe_text(engine.create(clerk(), "clerk\u{7}", doc(), None).unwrap_err()).field(),
        &field::ROLE
    );
}

#[test]
fn apply_refuses_an_unsafe_actor_and_leaves_the_instance_as_it_was() {
    let (engine, _) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let before = inst.clone();
    let forged = Actor::new("li.na").in_unit("立案庭\u{1b}]0;owned\u{7}");
    let e = unsafe_text(
        engine
            .apply_with(&mut inst, Command::new(forged, "clerk", submit()), Vec::new())
            .unwrap_err(),
    );
    assert!(matches!(
        e,
        PlainTextError::Refused {
            kind: CharKind::Control,
            index: 3,
            ..
        }
    ));
    assert_eq!(inst.seq(), before.seq());
    assert_eq!(inst.last_hash(), before.last_hash());
    assert_eq!(inst.state(), before.state());
    let e = engine
        .apply(&mut inst, Command::new(judge(), "\u{2066}judge", Step::Sign))
        .unwrap_err();
    assert_eq!(unsafe_text(e).field(), &field::ROLE);
    assert_eq!(inst.seq(), before.seq());
    // A safe command still goes through.
    engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit()))
        .unwrap();
    assert_eq!(inst.seq(), 2);
}

#[test]
fn a_repository_writes_nothing_for_an_unsafe_actor() {
    let (engine, _) = engine();
    let repo = Repository::new(engine, MemoryStore::new());
    let (mut inst, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
    let size = repo.store().tree_head().unwrap().size;
    let e = repo
        .apply(
            &mut inst,
            Command::new(Actor::new("x\u{202e}gpj.exe"), "clerk", submit()),
        )
        .unwrap_err();
    assert!(
        matches!(e, RepositoryError::Engine(EngineError::UnsafeText(_))),
        "{e:?}"
    );
    let e = repo.create(Actor::new("\u{9b}2J"), "clerk", doc(), None).unwrap_err();
    assert!(
        matches!(e, RepositoryError::Engine(EngineError::UnsafeText(_))),
        "{e:?}"
    );
    assert_eq!(repo.store().tree_head().unwrap().size, size);
    assert_eq!(repo.store().load(inst.id()).unwrap().len(), 1);
}
