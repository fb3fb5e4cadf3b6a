//! Definition files in format 2: groups and `from` lists, schemas, calendar durations,
//! built-in effects and the vote guard; a test per error message.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use regula_core::{
    Actor, AuditRecord, Command, Definition, DynAction, Dynamic, Engine, EngineError, Instance, LoadError,
    LoadWarningKind, ManualClock, Registry, SeededIds,
};
use serde_json::{Value, json};

const GB: &str = include_str!("../../../examples/gb_standard.toml");

fn load(src: &str) -> Result<Definition<Dynamic>, LoadError> {
    Definition::<Dynamic>::from_toml(src, &Registry::new())
}

/// The error's line, column and message.
fn error(src: &str) -> (usize, usize, String) {
    let e = load(src).unwrap_err();
    (e.line, e.column, e.kind.to_string())
}

/// A small format 2 file, for the error tests to break.
const SMALL: &str = r#"format = 2
name = "small"
version = 1
initial = "open"
terminal = ["closed"]

[states]
open = { zh = "开", en = "Open" }
held = { zh = "暂停", en = "Held" }
closed = { zh = "关", en = "Closed" }

[actions]
hold = { zh = "暂停", en = "Hold" }
close = { zh = "关闭", en = "Close" }

[roles]
clerk = { zh = "书记员", en = "Clerk" }

[groups]
live = ["open", "held"]

[payloads.close]
summary = { type = "text", max_length = 10 }

[[transitions]]
from = "open"
action = "hold"
to = "held"
roles = ["clerk"]

[[transitions]]
from = ["live"]
action = "close"
to = "closed"
roles = ["clerk"]
guards = [{ payload_field = "summary" }]
"#;

fn line_of(src: &str, needle: &str) -> usize {
    src.lines().position(|l| l.contains(needle)).unwrap() + 1
}

struct Run {
    engine: Engine<Dynamic>,
    clock: Arc<ManualClock>,
    inst: Instance<Dynamic>,
    log: Vec<AuditRecord>,
}

impl Run {
    fn start(def: Definition<Dynamic>, role: &str, data: Value, at: DateTime<Utc>) -> Run {
        let clock = Arc::new(ManualClock::new(at));
        let engine = Engine::new(def)
            .with_clock(clock.clone())
            .with_ids(Arc::new(SeededIds::new(7)));
        let (inst, created) = engine.create(Actor::new("secretary"), role, data, None).unwrap();
        Run {
            engine,
            clock,
            inst,
            log: vec![created],
        }
    }

    /// Attempts `action`; the refusal's English reasons, or empty when accepted.
    fn attempt(&mut self, actor: &str, role: &str, action: &str, payload: Value) -> Vec<String> {
        let rec = self
            .engine
            .apply(
                &mut self.inst,
                Command::new(Actor::new(actor), role, DynAction::new(action, payload)),
            )
            .unwrap();
        let reasons = rec
            .refusal()
            .map(|r| r.iter().map(|r| r.message.en.to_string()).collect())
            .unwrap_or_default();
        self.log.push(rec);
        reasons
    }

    fn state(&self) -> String {
        self.inst.state().to_string()
    }
}

#[test]
fn the_gb_procedure_loads_without_warnings_and_runs_to_the_end() {
    let (def, warnings) = Definition::<Dynamic>::from_toml_with_warnings(GB, &Registry::new()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    // `from = ["in_preparation"]` is one row per state of the group, and `from` lists
    // give one row per state.
    assert_eq!(def.transitions().len(), 11 + 2 + 6);
    let cancels: Vec<String> = def
        .transitions()
        .iter()
        .filter(|t| t.action == "cancel")
        .map(|t| t.from.to_string())
        .collect();
    assert_eq!(
        cancels,
        ["preliminary", "proposal", "drafting", "enquiry", "review", "approval"]
    );

    // 2020-01-15 09:00 in Beijing.
    let start = Utc.with_ymd_and_hms(2020, 1, 15, 1, 0, 0).unwrap();
    let mut run = Run::start(
        def,
        "secretariat",
        json!({"title": "道路车辆 术语", "committee_size": 8}),
        start,
    );
    let sec = |run: &mut Run, action: &str, payload: Value| run.attempt("secretary", "secretariat", action, payload);
    let admin = |run: &mut Run, action: &str, payload: Value| run.attempt("sac", "administration", action, payload);

    assert!(sec(&mut run, "propose", json!({"kind": "basic"})).is_empty());
    assert!(admin(&mut run, "accept_project", json!(null)).is_empty());
    assert!(sec(&mut run, "submit_draft", json!({"draft_version": "WD1"})).is_empty());
    assert_eq!(run.state(), "enquiry");

    // The enquiry lasts at least 60 calendar days.
    run.clock.advance(TimeDelta::days(59));
    assert_eq!(
        sec(&mut run, "close_enquiry", json!(null)),
        ["must stay at least 60 days in the current state: not before 2020-03-15 09:00 +08:00"]
    );
    run.clock.advance(TimeDelta::days(1));
    assert!(sec(&mut run, "close_enquiry", json!(null)).is_empty());
    assert_eq!(run.state(), "review");

    // Five of eight vote (short of 2/3 = 5.33): refused on the quorum.
    for (i, yes) in [true, true, true, true, false].into_iter().enumerate() {
        let who = format!("member{i}");
        assert!(
            run.attempt(&who, "member", "cast_vote", json!({"in_favour": yes}))
                .is_empty()
        );
    }
    assert_eq!(
        sec(&mut run, "pass_review", json!(null)),
        ["5 of 8 voted, short of the quorum of 2/3"]
    );
    // A sixth votes against: 4 of 6 in favour is short of 3/4.
    assert!(
        run.attempt(
            "member5",
            "member",
            "cast_vote",
            json!({"in_favour": false, "comment": "不同意"})
        )
        .is_empty()
    );
    assert_eq!(
        sec(&mut run, "pass_review", json!(null)),
        ["4 of 6 votes in favour, short of the majority of 3/4"]
    );
    // member4 changes their vote: one voice each, the latest counts. 5 of 6 ≥ 3/4.
    assert!(
        run.attempt("member4", "member", "cast_vote", json!({"in_favour": true}))
            .is_empty()
    );
    assert_eq!(run.inst.data()["ballots"].as_object().unwrap().len(), 6);
    assert_eq!(run.inst.data()["comments"], json!(["不同意"]));
    assert!(sec(&mut run, "pass_review", json!(null)).is_empty());

    assert!(admin(&mut run, "approve", json!({"approval_number": "2020年第5号"})).is_empty());
    let publish = json!({"standard_number": "GB/T 1-2020", "publication_date": "2020-04-01"});
    assert!(admin(&mut run, "publish", publish).is_empty());
    assert_eq!(run.state(), "in_force");
    assert_eq!(run.inst.data()["standard_number"], "GB/T 1-2020");
    assert_eq!(run.inst.data()["accepted_on"], "2020-01-15");

    // The systematic review is due within 5 calendar years of the publication: a
    // deadline, so a late review is accepted and its lateness is in the trail.
    let due = run.inst.due_at().unwrap();
    run.clock.advance(TimeDelta::days(5 * 365 + 2));
    assert!(sec(&mut run, "start_review", json!(null)).is_empty());
    assert_eq!(run.inst.due_at(), None, "in review, nothing is due");
    let trail = run.engine.definition().trail(&run.log).unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.late.len(), 1);
    assert_eq!(
        (last.late[0].deadline.as_str(), last.late[0].due_at),
        ("systematic_review", due)
    );
    assert!(trail[..trail.len() - 1].iter().all(|e| e.late.is_empty()));
    assert!(admin(&mut run, "withdraw", json!({"reason": "被替代"})).is_empty());
    assert_eq!(run.state(), "withdrawn");

    // The records are ordinary records: the log replays to the same instance.
    let replayed = run.engine.definition().replay(&run.log).unwrap();
    assert_eq!(replayed, run.inst);
}

#[test]
fn a_from_list_and_a_group_expand_to_one_row_per_state() {
    let def = load(SMALL).unwrap();
    let rows: Vec<(String, String)> = def
        .transitions()
        .iter()
        .map(|t| (t.from.to_string(), t.action.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("open".into(), "hold".into()),
            ("open".into(), "close".into()),
            ("held".into(), "close".into())
        ]
    );
    // A group and a state naming the same state give it once.
    let src = SMALL.replace("from = [\"live\"]", "from = [\"live\", \"open\"]");
    assert_eq!(load(&src).unwrap().transitions().len(), 3);
    // A single name may be a group.
    let src = SMALL.replace("from = [\"live\"]", "from = \"live\"");
    assert_eq!(load(&src).unwrap().transitions().len(), 3);
}

#[test]
fn the_current_format_is_still_read_and_format_1_may_be_said() {
    let v1 = include_str!("../../../examples/judgment_review.toml");
    let placeholders = Registry::placeholders();
    let plain = Definition::<Dynamic>::from_toml(v1, &placeholders).unwrap();
    let said = Definition::<Dynamic>::from_toml(&format!("format = 1\n{v1}"), &placeholders).unwrap();
    assert_eq!(plain.transitions(), said.transitions());
    // Format 2 keys in a format 1 file are unknown there.
    let src = v1.replacen("[states]", "[groups]\nx = [\"drafting\"]\n\n[states]", 1);
    let message = error(&src).2;
    assert!(message.starts_with("unknown field `groups`"), "{message}");
    assert!(
        message.ends_with("; `groups` needs `format = 2` at the top of the file"),
        "{message}"
    );
}

#[test]
fn unknown_format() {
    let src = SMALL.replace("format = 2", "format = 3");
    assert_eq!(
        error(&src),
        (
            1,
            10,
            "format 3 is not known: this version of Regula reads format 1 (no `format` key) and format 2".into()
        )
    );
    let src = SMALL.replace("format = 2", "format = \"2\"");
    assert_eq!(
        error(&src).2,
        "format must be a whole number: 2 (or leave it out for format 1)"
    );
}

#[test]
fn unknown_names_suggest_the_closest() {
    let src = SMALL.replace("from = [\"live\"]", "from = [\"liv\"]");
    let (line, column, message) = error(&src);
    assert_eq!((line, column), (line_of(SMALL, "from = [\"live\"]"), 9));
    assert_eq!(
        message,
        "state or group \"liv\" is not declared in [states] or [groups]; did you mean \"live\"?"
    );
    let src = SMALL.replace("from = [\"live\"]", "from = \"lve\"");
    assert_eq!(
        error(&src).2,
        "state or group \"lve\" is not declared in [states] or [groups]; did you mean \"live\"?"
    );
    let src = SMALL.replace("live = [\"open\", \"held\"]", "live = [\"open\", \"hold\"]");
    assert_eq!(
        error(&src).2,
        "state \"hold\" is not declared in [states]; did you mean \"held\"?"
    );
    let src = SMALL.replace("action = \"hold\"", "action = \"hodl\"");
    assert_eq!(
        error(&src).2,
        "action \"hodl\" is not declared in [actions]; did you mean \"hold\"?"
    );
    let src = SMALL.replace("[payloads.close]", "[payloads.clsoe]");
    assert_eq!(
        error(&src).2,
        "action \"clsoe\" is not declared in [actions]; did you mean \"close\"?"
    );
    let src = SMALL.replace(
        "roles = [\"clerk\"]\n\n[[transitions]]\nfrom = [",
        "roles = [\"clerc\"]\n\n[[transitions]]\nfrom = [",
    );
    assert_eq!(
        error(&src).2,
        "role \"clerc\" is not declared in [roles]; did you mean \"clerk\"?"
    );
    let src = SMALL.replace(
        "guards = [{ payload_field = \"summary\" }]",
        "guards = [\"has_sumary\"]",
    );
    let registry = Registry::new().guard(
        "has_summary",
        regula_core::Text::new("有摘要", "has a summary"),
        |_| Ok(()),
    );
    let e = Definition::<Dynamic>::from_toml(&src, &registry).unwrap_err();
    assert_eq!(
        e.kind.to_string(),
        "guard \"has_sumary\" is not registered by the program loading this file; did you mean \"has_summary\"?"
    );
    let src = SMALL.replace(
        "terminal = [\"closed\"]",
        "terminal = [\"closed\"]\neffect = \"merge_paylaod\"",
    );
    assert_eq!(
        error(&src).2,
        "effect \"merge_paylaod\" is not registered; did you mean \"merge_payload\"?"
    );
    let src = SMALL.replace(
        "guards = [{ payload_field = \"summary\" }]",
        "guards = [{ vote = { tally = \"balots\", electorate = 3, majority = \"1/2\" } }]\neffects = [{ count = { field = \"ballots\" } }]",
    );
    assert_eq!(
        error(&src).2,
        "tally \"balots\" is not written by any count effect; did you mean \"ballots\"?"
    );
    let src = GB.replace("electorate = \"committee_size\"", "electorate = \"comittee_size\"");
    assert_eq!(
        error(&src).2,
        "data field \"comittee_size\" is not declared in [creation] or written by an effect; did you mean \"committee_size\"?"
    );
}

#[test]
fn unknown_keys_and_kinds_suggest_the_closest() {
    let src = SMALL.replace(
        "roles = [\"clerk\"]\nguards",
        "roles = [\"clerk\"]\ngaurds = []\nguards",
    );
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(&src, "gaurds"));
    assert!(
        message.starts_with("unknown field `gaurds`, expected one of"),
        "{message}"
    );
    assert!(message.ends_with("; did you mean \"guards\"?"), "{message}");

    let src = SMALL.replace("{ payload_field = \"summary\" }", "{ min_time_in_sate = \"1 day\" }");
    let message = error(&src).2;
    assert!(
        message.starts_with("unknown guard kind `min_time_in_sate`; did you mean \"min_time_in_state\"?"),
        "{message}"
    );

    let src = SMALL.replace(
        "guards = [{ payload_field = \"summary\" }]",
        "effects = [{ sett = { field = \"x\", value = 1 } }]",
    );
    assert_eq!(
        error(&src).2,
        "unknown effect kind `sett`; did you mean \"set\"?; expected one of set, append, count"
    );
}

#[test]
fn bad_effect_tables() {
    let with = |effects: &str| {
        SMALL.replace(
            "guards = [{ payload_field = \"summary\" }]",
            &format!("effects = [{effects}]"),
        )
    };
    assert_eq!(
        error(&with("{ set = { field = \"x\" } }")).2,
        "set of field \"x\" needs exactly one of value, payload, meta; found 0"
    );
    assert_eq!(
        error(&with("{ set = { field = \"x\", value = 1, meta = \"at\" } }")).2,
        "set of field \"x\" needs exactly one of value, payload, meta; found 2"
    );
    assert_eq!(
        error(&with(
            "{ set = { field = \"x\", value = 1 }, count = { field = \"y\" } }"
        ))
        .2,
        "an effect table has exactly one key; found \"set\" and \"count\""
    );
    assert!(
        error(&with("{ set = { field = \"x\", meta = \"when\" } }"))
            .2
            .starts_with("unknown variant `when`, expected one of"),
    );
}

#[test]
fn bad_durations_fractions_and_zones() {
    let with = |guard: &str| SMALL.replace("{ payload_field = \"summary\" }", guard);
    let (line, _, message) = error(&with("{ min_time_in_state = \"2m\" }"));
    assert_eq!(line, line_of(SMALL, "payload_field"));
    assert_eq!(
        message,
        "invalid duration \"2m\": the unit \"m\" is ambiguous: write \"2 minutes\" or \"2 months\""
    );
    assert_eq!(
        error(&with("{ max_time_in_state = \"5 yaers\" }")).2,
        "invalid duration \"5 yaers\": unknown unit \"yaers\"; did you mean \"years\"?; expected one of years, months, weeks, days, hours, minutes, seconds"
    );
    let vote = "{ vote = { tally = \"b\", electorate = 3, quorum = \"3/2\" } }";
    let src = with(vote).replace(
        "roles = [\"clerk\"]\nguards",
        "roles = [\"clerk\"]\neffects = [{ count = { field = \"b\" } }]\nguards",
    );
    assert_eq!(
        error(&src).2,
        "invalid fraction \"3/2\": expected n/d with 0 < n ≤ d, e.g. \"2/3\""
    );
    let vote = "{ vote = { tally = \"b\", electorate = 3 } }";
    let src = with(vote).replace(
        "roles = [\"clerk\"]\nguards",
        "roles = [\"clerk\"]\neffects = [{ count = { field = \"b\" } }]\nguards",
    );
    assert_eq!(
        error(&src).2,
        "a vote needs a quorum, a majority or both (fractions such as \"2/3\")"
    );
    let vote = "{ vote = { tally = \"b\", electorate = 0, majority = \"1/2\" } }";
    let src = with(vote).replace(
        "roles = [\"clerk\"]\nguards",
        "roles = [\"clerk\"]\neffects = [{ count = { field = \"b\" } }]\nguards",
    );
    assert_eq!(error(&src).2, "a vote's electorate must be at least 1");
    let src = SMALL.replace(
        "terminal = [\"closed\"]",
        "terminal = [\"closed\"]\ntime_zone = \"Asia/Shanghai\"",
    );
    let (line, column, message) = error(&src);
    assert_eq!((line, column), (6, 13));
    assert_eq!(
        message,
        "invalid time zone \"Asia/Shanghai\": expected an offset from UTC such as \"+08:00\" or \"UTC\""
    );
}

#[test]
fn calendar_durations_count_months_in_the_definitions_zone() {
    // Held for one month: from 31 January (Beijing) the month ends on 29 February 2024.
    let src = SMALL
        .replace(
            "terminal = [\"closed\"]",
            "terminal = [\"closed\"]\ntime_zone = \"+08:00\"",
        )
        .replace(
            "guards = [{ payload_field = \"summary\" }]",
            "guards = [{ payload_field = \"summary\" }, { min_time_in_state = \"1 month\" }]",
        );
    // 2024-01-30 20:00 UTC is 31 January 04:00 in Beijing.
    let mut run = Run::start(
        load(&src).unwrap(),
        "clerk",
        json!(null),
        Utc.with_ymd_and_hms(2024, 1, 30, 20, 0, 0).unwrap(),
    );
    let close = json!({"summary": "done"});
    run.clock.set(Utc.with_ymd_and_hms(2024, 2, 28, 19, 59, 0).unwrap());
    assert_eq!(
        run.attempt("a", "clerk", "close", close.clone()),
        ["must stay at least 1 month in the current state: not before 2024-02-29 04:00 +08:00"]
    );
    run.clock.set(Utc.with_ymd_and_hms(2024, 2, 28, 20, 0, 0).unwrap());
    assert!(run.attempt("a", "clerk", "close", close).is_empty());
}

#[test]
fn a_payload_is_checked_against_its_schema_when_attempted() {
    let mut run = Run::start(
        load(SMALL).unwrap(),
        "clerk",
        json!(null),
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    );
    assert_eq!(
        run.attempt(
            "a",
            "clerk",
            "close",
            json!({"summary": "far too long a summary", "sumary": 1})
        ),
        [
            "the payload of close does not match its schema: field summary is at most 10 characters long; it has 22; field sumary is not declared; did you mean \"summary\"?"
        ]
    );
    let rec = run.log.last().unwrap();
    assert_eq!(rec.refusal().unwrap()[0].guard.as_deref(), Some("payload_schema:close"));
    assert_eq!(
        run.attempt("a", "clerk", "close", json!({})),
        [
            "the payload of close does not match its schema: required field summary is missing",
            "payload field \"summary\" is required"
        ]
    );
    assert!(run.attempt("a", "clerk", "close", json!({"summary": "ok"})).is_empty());
}

#[test]
fn creation_data_is_checked_at_creation() {
    let def = load(GB).unwrap();
    let engine = Engine::new(def);
    let e = engine
        .create(
            Actor::new("s"),
            "secretariat",
            json!({"title": "x", "committee_size": "eight"}),
            None,
        )
        .unwrap_err();
    assert!(matches!(e, EngineError::CreationRefused { .. }));
    assert_eq!(
        e.to_string(),
        "gb-standard v1 refuses the data of a new instance: “create”的数据不符合规定：字段 committee_size 须为整数 (the payload of create does not match its schema: field committee_size must be a whole number)"
    );
    assert!(
        engine
            .create(
                Actor::new("s"),
                "secretariat",
                json!({"title": "x", "committee_size": 8}),
                None
            )
            .is_ok()
    );
}

#[test]
fn a_guard_or_effect_naming_an_undeclared_field_is_refused_at_load() {
    let src = SMALL.replace("{ payload_field = \"summary\" }", "{ payload_field = \"sumary\" }");
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(SMALL, "payload_field"));
    assert_eq!(
        message,
        "payload field \"sumary\" is not declared in [payloads.close]; did you mean \"summary\"?"
    );
    let src = SMALL.replace(
        "guards = [{ payload_field = \"summary\" }]",
        "effects = [{ set = { field = \"s\", payload = \"summry\" } }]",
    );
    assert_eq!(
        error(&src).2,
        "payload field \"summry\" is not declared in [payloads.close]; did you mean \"summary\"?"
    );
    let src = GB.replace(
        "{ count = { field = \"ballots\", payload = \"in_favour\" } }",
        "{ count = { field = \"ballots\", payload = \"in_favor\" } }",
    );
    assert_eq!(
        error(&src).2,
        "payload field \"in_favor\" is not declared in [payloads.cast_vote]; did you mean \"in_favour\"?"
    );
}

#[test]
fn bad_schema_fields() {
    let with = |field: &str| SMALL.replace("summary = { type = \"text\", max_length = 10 }", field);
    let (line, column, message) = error(&with("summary = { type = \"txt\" }"));
    assert_eq!((line, column), (line_of(SMALL, "summary = {"), 11));
    assert_eq!(
        message,
        "field \"summary\" of the close schema: unknown type \"txt\"; did you mean \"text\"?; expected one of text, integer, number, bool, date, enumeration"
    );
    assert_eq!(
        error(&with("summary = { type = \"enumeration\" }")).2,
        "field \"summary\" of the close schema: an enumeration needs a non-empty `values` list"
    );
    assert_eq!(
        error(&with("summary = { type = \"integer\", max_length = 3 }")).2,
        "field \"summary\" of the close schema: min_length and max_length apply to text, not integer"
    );
    assert_eq!(
        error(&with("summary = { type = \"text\", values = [\"a\"] }")).2,
        "field \"summary\" of the close schema: values apply to an enumeration, not text"
    );
    assert_eq!(
        error(&with("summary = { type = \"text\", min_length = 5, max_length = 3 }")).2,
        "field \"summary\" of the close schema: min_length 5 is more than max_length 3"
    );
    let src = SMALL.replace(
        "[payloads.close]",
        "[creation]\nn = { type = \"bool\", optional = 1 }\n\n[payloads.close]",
    );
    assert!(
        error(&src)
            .2
            .starts_with("invalid type: integer `1`, expected a boolean")
    );
}

#[test]
fn group_errors() {
    let src = SMALL.replace("live = [\"open\", \"held\"]", "held = [\"open\"]");
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(SMALL, "live = ["));
    assert_eq!(message, "group \"held\" has the name of a state; give it another name");
    let src = SMALL.replace("live = [\"open\", \"held\"]", "live = []");
    assert_eq!(error(&src).2, "group \"live\" lists no state");
}

#[test]
fn transition_errors_are_numbered_from_1_and_name_both_lines() {
    // The second transition's group includes `open`, which the first already leaves
    // by `hold`… by another action; make them clash on `close`.
    let src = format!(
        "{SMALL}\n[[transitions]]\nfrom = \"held\"\naction = \"close\"\nto = \"closed\"\nroles = [\"clerk\"]\n"
    );
    let (line, _, message) = error(&src);
    let last = src
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "[[transitions]]")
        .last()
        .unwrap()
        .0
        + 1;
    assert_eq!(line, last);
    assert_eq!(
        message,
        format!(
            "transition 3 (held --close--> closed) duplicates transition 2 at line {}",
            line_of(SMALL, "from = [\"live\"]") - 1
        )
    );
    let src =
        format!("{SMALL}\n[[transitions]]\nfrom = \"held\"\naction = \"close\"\nto = \"open\"\nroles = [\"clerk\"]\n");
    assert_eq!(
        error(&src).2,
        format!(
            "transition 3 makes held --close--> ambiguous: it leads to open here and to closed in transition 2 at line {}",
            line_of(SMALL, "from = [\"live\"]") - 1
        )
    );
    let src = SMALL.replace("from = [\"live\"]", "from = []");
    assert_eq!(error(&src).2, "transition 2 leaves no state: `from` is empty");
    let src = SMALL.replace("roles = [\"clerk\"]\nguards", "roles = []\nguards");
    assert_eq!(
        error(&src).2,
        "transition 2 allows no role: list at least one in `roles`"
    );
    // A terminal state may loop on itself, but not leave.
    let src = SMALL.replace("from = [\"live\"]", "from = [\"live\", \"closed\"]");
    assert_eq!(load(&src).unwrap().transitions().len(), 4);
    let src = SMALL.replace(
        "from = \"open\"\naction = \"hold\"",
        "from = [\"open\", \"closed\"]\naction = \"hold\"",
    );
    assert_eq!(
        error(&src).2,
        "transition 1 leaves terminal state \"closed\" (closed --hold--> held); terminal states have no exit"
    );
}

#[test]
fn a_missing_initial_is_reported_where_it_belongs() {
    let src = SMALL.replace("initial = \"open\"\n", "");
    let (line, column, message) = error(&src);
    assert_eq!((line, column), (line_of(&src, "[states]"), 1));
    assert_eq!(
        message,
        "no initial state: add `initial = \"…\"` naming one of the states in [states]"
    );
    // Format 1 too.
    let v1 = include_str!("../../../examples/judgment_review.toml").replacen("initial = \"drafting\"\n", "", 1);
    let (line, column, message) = error(&v1);
    assert_eq!((line, column), (line_of(&v1, "[states]"), 1));
    assert_eq!(message, "missing field `initial`");
    // An empty file has nowhere else to point.
    assert_eq!(error(""), (1, 1, "missing field `name`".into()));
}

#[test]
fn a_label_error_speaks_of_labels() {
    let src = SMALL.replace("held = { zh = \"暂停\", en = \"Held\" }", "held = \"Held\"");
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(SMALL, "held = { zh"));
    assert_eq!(
        message,
        "invalid type: string \"Held\", expected a label table { zh = \"…\", en = \"…\" }"
    );
    let src = SMALL.replace("held = { zh = \"暂停\", en = \"Held\" }", "held = { zh = \"暂停\" }");
    assert_eq!(error(&src).2, "a label needs en = \"…\" (the English text)");
    let src = SMALL.replace(
        "held = { zh = \"暂停\", en = \"Held\" }",
        "held = { zh = \"暂停\", eng = \"Held\" }",
    );
    assert_eq!(
        error(&src).2,
        "unknown key `eng` in a label; did you mean \"en\"?; a label has the keys zh and en"
    );
    // Format 1 the same.
    let v1 = include_str!("../../../examples/judgment_review.toml").replacen(
        "review = { zh = \"审核\", en = \"Review\" }",
        "review = \"Review\"",
        1,
    );
    assert!(!error(&v1).2.contains("FileLabel"));
}

#[test]
fn warnings_for_a_loop_with_no_exit_and_an_undeclared_field() {
    // hold leads to held, which can only go back to open: fine. A loop of held and
    // parked, which nothing leaves, is reported.
    let src = SMALL
        .replace(
            "closed = { zh = \"关\", en = \"Closed\" }",
            "closed = { zh = \"关\", en = \"Closed\" }\nparked = { zh = \"搁置\", en = \"Parked\" }",
        )
        .replace("live = [\"open\", \"held\"]", "live = [\"open\"]")
        .replace(
            "hold = { zh = \"暂停\", en = \"Hold\" }",
            "hold = { zh = \"暂停\", en = \"Hold\" }\npark = { zh = \"搁置\", en = \"Park\" }",
        )
        + "\n[[transitions]]\nfrom = \"held\"\naction = \"park\"\nto = \"parked\"\nroles = [\"clerk\"]\n\n[[transitions]]\nfrom = \"parked\"\naction = \"hold\"\nto = \"held\"\nroles = [\"clerk\"]\nguards = [{ payload_field = \"why\" }]\n";
    let (_, warnings) = Definition::<Dynamic>::from_toml_with_warnings(&src, &Registry::new()).unwrap();
    let kinds: Vec<&LoadWarningKind> = warnings.iter().map(|w| &w.kind).collect();
    assert_eq!(
        kinds,
        [
            &LoadWarningKind::UndeclaredPayloadField {
                action: "hold".into(),
                field: "why".into()
            },
            &LoadWarningKind::NoWayOut {
                states: vec!["held".into(), "parked".into()]
            }
        ]
    );
    assert_eq!(warnings[1].line, line_of(&src, "held = {"));
    assert_eq!(
        warnings[1].to_string(),
        format!(
            "<definition>:{}:8: warning: no terminal state can be reached from held, parked: a loop with no exit",
            line_of(&src, "held = {")
        )
    );
    assert_eq!(
        warnings[0].kind.to_string(),
        "payload field \"why\" of action \"hold\" is declared by no schema"
    );
    // The shipped format 1 file has none.
    let v1 = include_str!("../../../examples/judgment_review.toml");
    assert!(
        Definition::<Dynamic>::from_toml_with_warnings(v1, &Registry::placeholders())
            .unwrap()
            .1
            .is_empty()
    );
}

#[test]
fn effects_set_append_and_count_in_order() {
    let src = SMALL.replace(
        "roles = [\"clerk\"]\n\n[[transitions]]\nfrom = [",
        "roles = [\"clerk\"]\neffects = [{ count = { field = \"holds\" } }, { set = { field = \"by\", meta = \"actor\" } }, { set = { field = \"flag\", value = [1, \"a\"] } }, { append = { field = \"log\", meta = \"action\" } }]\n\n[[transitions]]\nfrom = [",
    ) + "\n[[transitions]]\nfrom = \"held\"\naction = \"hold\"\nto = \"open\"\nroles = [\"clerk\"]\neffects = [{ append = { field = \"log\", meta = \"role\" } }]\n";
    let mut run = Run::start(
        load(&src).unwrap(),
        "clerk",
        json!({"log": []}),
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    );
    assert!(run.attempt("ann", "clerk", "hold", json!(null)).is_empty());
    assert!(run.attempt("bob", "clerk", "hold", json!(null)).is_empty());
    assert!(run.attempt("ann", "clerk", "hold", json!(null)).is_empty());
    assert_eq!(run.state(), "held");
    assert_eq!(
        run.inst.data(),
        &json!({"log": ["hold", "clerk", "hold"], "holds": {"ann": 2}, "by": "ann", "flag": [1, "a"]})
    );
    assert_eq!(run.engine.definition().replay(&run.log).unwrap(), run.inst);
}

#[test]
fn a_vote_may_count_named_ballots_against_a_list_of_voters() {
    let src = SMALL
        .replace(
            "hold = { zh = \"暂停\", en = \"Hold\" }",
            "hold = { zh = \"暂停\", en = \"Hold\" }\nballot = { zh = \"投票\", en = \"Ballot\" }",
        )
        .replace(
            "guards = [{ payload_field = \"summary\" }]",
            "guards = [{ vote = { tally = \"votes\", electorate = \"members\", majority = \"1/2\", yes = \"approve\" } }]",
        )
        .replace("summary = { type = \"text\", max_length = 10 }", "")
        + "\n[[transitions]]\nfrom = \"held\"\naction = \"ballot\"\nto = \"held\"\nroles = [\"clerk\"]\neffects = [{ count = { field = \"votes\", payload = \"choice\" } }, { set = { field = \"last_at\", meta = \"at\" } }]\n";
    let (def, warnings) = Definition::<Dynamic>::from_toml_with_warnings(&src, &Registry::new()).unwrap();
    assert_eq!(
        warnings.iter().map(|w| w.kind.to_string()).collect::<Vec<_>>(),
        ["payload field \"choice\" of action \"ballot\" is declared by no schema"]
    );
    let at = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
    let mut run = Run::start(def, "clerk", json!({"members": ["a", "b", "c"]}), at);
    assert!(run.attempt("a", "clerk", "hold", json!(null)).is_empty());
    // Nobody voted: no majority of nothing.
    assert_eq!(
        run.attempt("a", "clerk", "close", json!(null)),
        ["0 of 0 votes in favour, short of the majority of 1/2"]
    );
    assert!(
        run.attempt("a", "clerk", "ballot", json!({"choice": "reject"}))
            .is_empty()
    );
    assert!(
        run.attempt("b", "clerk", "ballot", json!({"choice": "approve"}))
            .is_empty()
    );
    assert_eq!(run.inst.data()["last_at"], "2024-05-06T07:08:09Z");
    // 1 of 2 is a half: the majority is "at least".
    assert!(run.attempt("a", "clerk", "close", json!(null)).is_empty());
    assert_eq!(run.state(), "closed");
}

/// `SMALL` with a deadline table appended.
fn with_deadline(table: &str) -> String {
    format!(
        "{}\n[[deadlines]]\n{table}\n",
        SMALL.replace(
            "terminal = [\"closed\"]",
            "terminal = [\"closed\"]\ntime_zone = \"+08:00\""
        )
    )
}

#[test]
fn deadlines_give_due_times_on_the_definitions_calendar_and_lateness_in_the_trail() {
    // Held must be left within 1 month of entering it; in any live state, `close` must be
    // taken within 1 year after the creation or the last hold.
    let src = format!(
        "{}\n[[deadlines]]\nname = \"close_within_a_year\"\nlabel = {{ zh = \"一年内关闭\", en = \"closed within a year\" }}\ntake = \"close\"\nin = [\"live\"]\nafter = [\"create\", \"hold\"]\nwithin = \"1 year\"\n",
        with_deadline(
            "name = \"release_hold\"\nlabel = { zh = \"一月内解除暂停\", en = \"hold released within a month\" }\nleave = \"held\"\nwithin = \"1 month\""
        )
    );
    let def = load(&src).unwrap();
    assert_eq!(def.deadlines().len(), 2);
    // 2024-01-30 20:00 UTC is 31 January 04:00 in Beijing.
    let t0 = Utc.with_ymd_and_hms(2024, 1, 30, 20, 0, 0).unwrap();
    let mut run = Run::start(def, "clerk", json!(null), t0);
    assert_eq!(
        run.inst.due_at(),
        Some(Utc.with_ymd_and_hms(2025, 1, 30, 20, 0, 0).unwrap())
    );
    assert!(run.attempt("a", "clerk", "hold", json!({})).is_empty());
    // One month from 31 January in Beijing is 29 February 2024 (clamped), 04:00 +08:00.
    let pending = run.engine.definition().pending(&run.inst);
    let names: Vec<(&str, DateTime<Utc>)> = pending.iter().map(|p| (p.deadline.as_str(), p.due_at)).collect();
    assert_eq!(
        names,
        [
            ("release_hold", Utc.with_ymd_and_hms(2024, 2, 28, 20, 0, 0).unwrap()),
            (
                "close_within_a_year",
                Utc.with_ymd_and_hms(2025, 1, 30, 20, 0, 0).unwrap()
            ),
        ]
    );
    assert_eq!(run.inst.due_at(), Some(pending[0].due_at));
    // Closed three days after the hold was due: accepted, and late in the trail.
    run.clock.set(Utc.with_ymd_and_hms(2024, 3, 2, 20, 0, 0).unwrap());
    assert!(
        run.attempt("a", "clerk", "close", json!({"summary": "done"}))
            .is_empty()
    );
    assert_eq!(run.inst.due_at(), None);
    let trail = run.engine.definition().trail(&run.log).unwrap();
    assert!(trail[..2].iter().all(|e| e.late.is_empty()));
    let late = &trail[2].late;
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].deadline, "release_hold");
    assert_eq!(late[0].days(), 3);
    assert_eq!(
        late[0].describe().en,
        "3 days late (hold released within a month, due 2024-02-29 04:00 +08:00)"
    );
    // The JSON other languages read: the zone as written, the lateness in seconds.
    let json = serde_json::to_value(&late[0]).unwrap();
    assert_eq!(json["zone"], "+08:00");
    assert_eq!(json["late_by"], 3 * 86_400);
    assert_eq!(json["due_at"], "2024-02-28T20:00:00Z");
    let back: regula_core::Lateness = serde_json::from_value(json).unwrap();
    assert_eq!(back, late[0]);
    assert!(late[0].describe().zh.starts_with("逾期 3 天（一月内解除暂停"));
}

#[test]
fn deadline_errors_name_the_place_and_suggest() {
    let label = "label = { zh = \"期限\", en = \"Deadline\" }";
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\nleave = \"hled\"\nwithin = \"1 month\""
    ));
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(&src, "leave = \"hled\""));
    assert_eq!(
        message,
        "state \"hled\" is not declared in [states]; did you mean \"held\"?"
    );

    let src = with_deadline(&format!("name = \"d\"\n{label}\ntake = \"clos\"\nwithin = \"1 month\""));
    assert_eq!(
        error(&src).2,
        "action \"clos\" is not declared in [actions]; did you mean \"close\"?"
    );
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\ntake = \"close\"\nin = [\"lvie\"]\nwithin = \"1 month\""
    ));
    assert_eq!(
        error(&src).2,
        "state or group \"lvie\" is not declared in [states] or [groups]; did you mean \"live\"?"
    );
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\ntake = \"close\"\nafter = [\"hodl\"]\nwithin = \"1 month\""
    ));
    assert_eq!(
        error(&src).2,
        "action \"hodl\" is not declared in [actions]; did you mean \"hold\"?"
    );
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\nleave = \"held\"\ntake = \"close\"\nwithin = \"1 month\""
    ));
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(&src, "[[deadlines]]"));
    assert!(message.contains("needs exactly one of `leave"), "{message}");
    let src = with_deadline(&format!("name = \"d\"\n{label}\nleave = \"held\"\nwithin = \"2m\""));
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(&src, "within = \"2m\""));
    assert!(message.contains("ambiguous"), "{message}");
    // What only the whole table can tell: a terminal state is never left, and an action
    // no row takes from the states the deadline runs in can never be taken.
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\nleave = \"closed\"\nwithin = \"1 month\""
    ));
    let (line, _, message) = error(&src);
    assert_eq!(line, line_of(&src, "[[deadlines]]"));
    assert_eq!(
        message,
        "definition \"small\": deadline \"d\": state \"closed\" is terminal: it can never be left"
    );
    let src = with_deadline(&format!(
        "name = \"d\"\n{label}\ntake = \"hold\"\nin = [\"held\"]\nwithin = \"1 month\""
    ));
    assert_eq!(
        error(&src).2,
        "definition \"small\": deadline \"d\": no transition takes action \"hold\" from the states it runs in"
    );
    let src = with_deadline("name = \"d\"\nleave = \"held\"\nwithin = \"1 month\"");
    assert!(error(&src).2.contains("label"), "{}", error(&src).2);
}

/// A definition file of states `s0`…`s{n-1}` and the terminal `end`, one row per edge
/// (`to == n` is `end`).
fn graph_file(n: usize, edges: &[(usize, usize)]) -> String {
    let mut src =
        String::from("format = 2\nname = \"graph\"\nversion = 1\ninitial = \"s0\"\nterminal = [\"end\"]\n\n[states]\n");
    for i in 0..n {
        src += &format!("s{i} = {{ zh = \"状态{i}\", en = \"State {i}\" }}\n");
    }
    src += "end = { zh = \"终\", en = \"End\" }\n\n[actions]\n";
    for k in 0..edges.len() {
        src += &format!("a{k} = {{ zh = \"动作{k}\", en = \"Action {k}\" }}\n");
    }
    src += "\n[roles]\nclerk = { zh = \"书记员\", en = \"Clerk\" }\n";
    for (k, &(from, to)) in edges.iter().enumerate() {
        let to = if to == n { "end".to_owned() } else { format!("s{to}") };
        src +=
            &format!("\n[[transitions]]\nfrom = \"s{from}\"\naction = \"a{k}\"\nto = \"{to}\"\nroles = [\"clerk\"]\n");
    }
    src
}

/// Graphs the loader accepts (every state reached from the initial one, every
/// non-terminal state left by some row, `end` reached): a spine `s0 → s1 → …`, one row
/// from a random state to `end`, one more row out of every state, and random rows.
fn graphs() -> impl proptest::strategy::Strategy<Value = (usize, Vec<(usize, usize)>)> {
    use proptest::prelude::*;
    (1usize..12).prop_flat_map(|n| {
        (
            Just(n),
            0..n,
            proptest::collection::vec(0..=n, n),
            proptest::collection::vec((0..n, 0..=n), 0..24),
        )
            .prop_map(|(n, exit, outs, random)| {
                let mut edges: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
                edges.push((exit, n));
                // A row back to the same state leaves nothing: it goes to `end` instead.
                edges.extend(
                    outs.into_iter()
                        .enumerate()
                        .map(|(i, to)| (i, if to == i { n } else { to })),
                );
                edges.extend(random);
                (n, edges)
            })
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The "no way out" warning names exactly the states from which no path of rows
    /// reaches a terminal state, by an independent model: relaxing the rows until
    /// nothing changes.
    #[test]
    fn no_way_out_names_the_states_that_cannot_finish(
        (n, edges) in graphs()
    ) {
        let mut reaches = vec![false; n + 1];
        reaches[n] = true;
        let mut changed = true;
        while changed {
            changed = false;
            for &(from, to) in &edges {
                if reaches[to] && !reaches[from] {
                    reaches[from] = true;
                    changed = true;
                }
            }
        }
        let mut expected: Vec<String> = (0..n).filter(|&i| !reaches[i]).map(|i| format!("s{i}")).collect();
        expected.sort();
        let (_, warnings) = Definition::<Dynamic>::from_toml_with_warnings(&graph_file(n, &edges), &Registry::new())
            .expect("a graph file loads");
        let mut named: Vec<String> = warnings
            .iter()
            .filter_map(|w| match &w.kind {
                LoadWarningKind::NoWayOut { states } => Some(states.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        named.sort();
        proptest::prop_assert_eq!(named, expected);
    }
}
