//! Definitions loaded from TOML: same engine, same audit; mistakes have a line and column.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use regula_core::{
    Actor, Command, Definition, DefinitionError, DynAction, DynState, Dynamic, Engine, Lang, LoadError, LoadErrorKind,
    ManualClock, Registry, SeededIds, Text,
};
use serde_json::json;

const FILE: &str = include_str!("../../../examples/judgment_review.toml");

fn registry() -> Registry {
    Registry::new().guard(
        "case_number_format",
        Text::new("案号格式须为（年份）字号", "the case number must look like (YYYY)…号"),
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
    )
}

fn load(src: &str) -> Result<Definition<Dynamic>, LoadError> {
    Definition::<Dynamic>::from_toml(src, &registry())
}

fn located(src: &str) -> (usize, usize, LoadErrorKind) {
    let e = load(src).unwrap_err();
    (e.line, e.column, e.kind)
}

#[test]
fn the_shipped_file_loads_and_runs() {
    let def = load(FILE).unwrap();
    assert_eq!(def.name(), "judgment-review");
    assert_eq!(
        def.states().iter().map(|s| s.state.to_string()).collect::<Vec<_>>(),
        ["drafting", "review", "returned", "signed", "withdrawn"]
    );
    assert_eq!(def.guards().len(), 1);
    assert_eq!(def.transitions().len(), 7);
    assert!(def.to_mermaid(Lang::Zh).contains("drafting --> review: 提交审核"));

    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap()));
    let engine = Engine::new(def)
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(3)));
    let clerk = Actor::new("li.na");
    let judge = Actor::new("wang.qiang");
    let (mut inst, created) = engine.create(clerk.clone(), "clerk", json!({}), None).unwrap();
    let mut log = vec![created];

    let bad = DynAction::new("submit", json!({"case_number": "12"}));
    let rec = engine
        .apply(&mut inst, Command::new(clerk.clone(), "clerk", bad))
        .unwrap();
    assert_eq!(rec.refusal().unwrap()[0].message.en, "case number \"12\" is malformed");
    log.push(rec);

    let good = DynAction::new("submit", json!({"case_number": "(2024)吉7505民初1号"}));
    log.push(engine.apply(&mut inst, Command::new(clerk, "clerk", good)).unwrap());
    assert_eq!(inst.state(), &DynState::new("review"));
    assert_eq!(inst.data()["case_number"], "(2024)吉7505民初1号");

    let sign = DynAction::new("sign", serde_json::Value::Null);
    let rec = engine
        .apply(&mut inst, Command::new(judge.clone(), "judge", sign.clone()))
        .unwrap();
    let reasons = rec.refusal().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(
        reasons[0].guard.as_deref(),
        Some("any(role:president, min_time_in_state:1d)")
    );
    log.push(rec);
    clock.advance(TimeDelta::days(1));
    log.push(engine.apply(&mut inst, Command::new(judge, "judge", sign)).unwrap());
    assert_eq!(inst.state(), &DynState::new("signed"));

    let replayed = engine.definition().replay(&log).unwrap();
    assert_eq!(replayed, inst);
}

#[test]
fn a_syntax_error_has_line_and_column() {
    let src = FILE.replacen(
        "review = { zh = \"审核\", en = \"Review\" }",
        "review = { zh = \"审核\", en = Review }",
        1,
    );
    let (line, column, kind) = located(&src);
    assert_eq!(line, 13);
    assert_eq!(column, 28);
    assert!(matches!(kind, LoadErrorKind::Syntax(_)), "{kind}");
}

#[test]
fn an_unknown_key_is_a_syntax_error_at_its_place() {
    let src = FILE.replacen(
        "roles = [\"clerk\"]\nguards",
        "roles = [\"clerk\"]\nguard = []\nguards",
        1,
    );
    let e = load(&src).unwrap_err();
    assert_eq!(e.line, 35);
    assert!(e.to_string().contains("unknown field `guard`"), "{e}");
}

#[test]
fn unknown_names_point_at_the_name() {
    let src = FILE.replacen("to = \"returned\"", "to = \"retuned\"", 1);
    let (line, column, kind) = located(&src);
    assert_eq!((line, column), (40, 6));
    assert_eq!(
        kind.to_string(),
        "state \"retuned\" is not declared in [states]; did you mean \"returned\"?"
    );

    let src = FILE.replacen("\"case_number_format\"", "\"case_no_format\"", 1);
    let (line, column, kind) = located(&src);
    assert_eq!((line, column), (35, 46));
    assert!(matches!(kind, LoadErrorKind::Unknown { what: "guard", ref name, .. } if name == "case_no_format"));

    let src = FILE.replacen("{ role = \"president\" }", "{ role = \"chief\" }", 1);
    let (line, _, kind) = located(&src);
    assert_eq!(line, 56);
    assert_eq!(kind.to_string(), "role \"chief\" is not declared in [roles]");

    let src = FILE.replacen("action = \"resubmit\"", "action = \"resend\"", 1);
    let (line, column, _) = located(&src);
    assert_eq!((line, column), (46, 10));

    let src = FILE.replacen("initial = \"drafting\"", "initial = \"draft\"", 1);
    assert_eq!(located(&src).0, 6);

    let src = FILE.replacen("effect = \"merge_payload\"", "effect = \"merge\"", 1);
    let (line, column, kind) = located(&src);
    assert_eq!((line, column), (9, 10));
    assert!(matches!(kind, LoadErrorKind::Unknown { what: "effect", .. }));
}

#[test]
fn definition_errors_point_at_their_transition_or_state() {
    // A second `submit` from drafting leading elsewhere: ambiguous.
    let src = format!(
        "{FILE}\n[[transitions]]\nfrom = \"drafting\"\naction = \"submit\"\nto = \"signed\"\nroles = [\"clerk\"]\n"
    );
    let (line, _, kind) = located(&src);
    assert_eq!(line, 79);
    assert!(
        matches!(
            kind,
            LoadErrorKind::AmbiguousTransition {
                number: 8,
                first: 1,
                first_line: 30,
                ..
            }
        ),
        "{kind:?}"
    );
    assert_eq!(
        kind.to_string(),
        "transition 8 makes drafting --submit--> ambiguous: it leads to signed here and to review in transition 1 at line 30"
    );

    // A state nothing leads to.
    let src = FILE.replacen(
        "[actions]",
        "archived = { zh = \"归档\", en = \"Archived\" }\n\n[actions]",
        1,
    );
    let (line, column, kind) = located(&src);
    assert_eq!((line, column), (18, 12));
    assert!(
        matches!(kind, LoadErrorKind::Definition(DefinitionError::Unreachable { ref state, .. }) if state == "archived")
    );

    // A terminal state with an exit.
    let src = FILE.replacen(
        "from = \"returned\"\naction = \"resubmit\"",
        "from = \"signed\"\naction = \"resubmit\"",
        1,
    );
    let (line, _, kind) = located(&src);
    assert_eq!(line, 44);
    assert!(
        matches!(kind, LoadErrorKind::Definition(DefinitionError::TerminalExit { .. })),
        "{kind}"
    );

    // A label without English.
    let src = FILE.replacen("en = \"Returned\"", "en = \"\"", 1);
    let (line, _, kind) = located(&src);
    assert_eq!(line, 14);
    assert!(matches!(
        kind,
        LoadErrorKind::Definition(DefinitionError::MissingLabel { what: "state", .. })
    ));
}

#[test]
fn bad_guard_tables() {
    let src = FILE.replacen(
        "{ payload_field = \"reason\" }",
        "{ payload_field = \"reason\", role = \"judge\" }",
        1,
    );
    let e = load(&src).unwrap_err();
    assert_eq!(e.line, 42);
    assert!(e.to_string().contains("exactly one key"), "{e}");
    let src = FILE.replacen("{ min_time_in_state = \"1d\" }", "{ min_time_in_state = \"1 day\" }", 1);
    let e = load(&src).unwrap_err();
    assert!(e.to_string().contains("invalid span \"1 day\""), "{e}");
    let src = FILE.replacen("{ min_time_in_state = \"1d\" }", "{ since = \"1d\" }", 1);
    assert!(load(&src).unwrap_err().to_string().contains("unknown field `since`"));
}

#[test]
fn files_are_named_in_errors() {
    let e = Definition::<Dynamic>::from_toml_file("/nonexistent/review.toml", &registry()).unwrap_err();
    assert!(matches!(e.kind, LoadErrorKind::Io(_)));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/review.toml: cannot read the file"),
        "{e}"
    );

    let dir = std::env::temp_dir().join(format!("regula-toml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    std::fs::write(&path, FILE.replacen("version = 1", "version = \"one\"", 1)).unwrap();
    let e = Definition::<Dynamic>::from_toml_file(&path, &registry()).unwrap_err();
    assert_eq!((e.line, e.path.as_deref()), (5, Some(path.as_path())));
    assert!(e.to_string().starts_with(&format!("{}:5:11: ", path.display())), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn placeholders_stand_in_for_unknown_guards_and_effects() {
    let src = FILE.replacen("effect = \"merge_payload\"", "effect = \"court_effect\"", 1);
    let def = Definition::<Dynamic>::from_toml(&src, &Registry::placeholders()).unwrap();
    assert_eq!(
        def.guard_named("case_number_format").unwrap().description().en,
        "case_number_format"
    );
    let engine = Engine::new(def);
    let clerk = Actor::new("li.na");
    let (mut inst, _) = engine.create(clerk.clone(), "clerk", json!({}), None).unwrap();
    let submit = DynAction::new("submit", json!({"case_number": "(2024)吉7505民初1号"}));
    let rec = engine.apply(&mut inst, Command::new(clerk, "clerk", submit)).unwrap();
    assert_eq!(
        rec.refusal().unwrap()[0].message.en,
        "guard case_number_format is not provided by this program"
    );
    // Without placeholders the same file is refused.
    assert!(Definition::<Dynamic>::from_toml(&src, &Registry::new()).is_err());
}
