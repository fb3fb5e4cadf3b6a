//! Applying actions: the order of checks, refusals, effects, records, determinism.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeDelta;
use common::{Doc, Stage, Step, clerk, doc, engine, judge, president};
use regula_core::{
    AuditRecord, Command, Decision, Definition, Digest, Engine, EngineError, FORMAT_VERSION, Outcome, Reason,
    ReasonCode, Text,
};
use serde_json::json;

fn submit(summary: &str) -> Step {
    Step::Submit {
        summary: summary.into(),
    }
}

#[test]
fn create_opens_the_log() {
    let (engine, clock) = engine();
    let (inst, rec) = engine.create(clerk(), "clerk", doc(), Some("立案".into())).unwrap();
    assert_eq!(inst.state(), &Stage::Draft);
    assert_eq!(inst.seq(), 1);
    assert_eq!(inst.id().get_version_num(), 7);
    assert_eq!(inst.created_at(), clock.now_for_test());
    assert_eq!(rec.seq, 1);
    assert_eq!(rec.instance, inst.id());
    assert_eq!(rec.outcome, Outcome::Created);
    assert_eq!(rec.action, "create");
    assert_eq!(rec.from, "draft");
    assert_eq!(rec.payload, serde_json::to_value(doc()).unwrap());
    assert_eq!(rec.prev_hash, Digest::ZERO);
    assert_eq!(rec.hash, rec.compute_hash());
    assert_eq!(inst.last_hash(), rec.hash);
    assert_eq!(rec.note.as_deref(), Some("立案"));
}

trait NowForTest {
    fn now_for_test(&self) -> chrono::DateTime<chrono::Utc>;
}
impl NowForTest for regula_core::ManualClock {
    fn now_for_test(&self) -> chrono::DateTime<chrono::Utc> {
        regula_core::Clock::now(self)
    }
}

#[test]
fn create_errors() {
    let (engine, _) = engine();
    match engine.create(judge(), "judge", doc(), None).unwrap_err() {
        EngineError::CreatorNotAllowed { role, allowed, .. } => {
            assert_eq!(role, "judge");
            assert_eq!(allowed, ["clerk"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    match engine.create(judge(), "janitor", doc(), None).unwrap_err() {
        EngineError::UnknownRole { role, definition } => {
            assert_eq!(role, "janitor");
            assert_eq!(definition.name, "judgment-review");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn accepted_transition_runs_the_effect_and_chains_the_record() {
    let (engine, clock) = engine();
    let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    clock.advance(TimeDelta::hours(2));
    let rec = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("驳回起诉")))
        .unwrap();
    assert_eq!(rec.outcome, Outcome::Accepted { to: "review".into() });
    assert_eq!(rec.seq, 2);
    assert_eq!(rec.prev_hash, created.hash);
    assert_eq!(rec.hash, rec.compute_hash());
    assert_eq!(rec.payload, json!({"summary": "驳回起诉"}));
    assert_eq!(rec.role, "clerk");
    assert_eq!(rec.actor, clerk());
    assert_eq!(rec.format, FORMAT_VERSION);
    assert_eq!(inst.state(), &Stage::Review);
    assert_eq!(inst.data().summary, "驳回起诉");
    assert_eq!(inst.entered_at(), rec.at);
    assert_eq!(inst.updated_at(), rec.at);
    assert_eq!(inst.last_hash(), rec.hash);
}

#[test]
fn self_loop_records_without_resetting_time_in_state() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let entered = inst.entered_at();
    clock.advance(TimeDelta::hours(3));
    let rec = engine
        .apply(
            &mut inst,
            Command::new(
                judge(),
                "judge",
                Step::Comment {
                    text: "补充证据".into(),
                },
            ),
        )
        .unwrap();
    assert_eq!(rec.outcome, Outcome::Accepted { to: "draft".into() });
    assert_eq!(inst.entered_at(), entered);
    assert_eq!(inst.data().comments, ["补充证据"]);
}

#[test]
fn no_transition_is_refused_alone() {
    let (engine, _) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let before = inst.clone();
    let rec = engine
        .apply(&mut inst, Command::new(judge(), "judge", Step::Sign))
        .unwrap();
    let reasons = rec.refusal().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].code, ReasonCode::NoTransition);
    assert_eq!(
        reasons[0].message,
        Text::new("“草稿”状态下不能执行“签发”", "Sign is not possible in state Draft")
    );
    assert_eq!(rec.from, "draft");
    assert_eq!(inst.state(), before.state());
    assert_eq!(inst.data(), before.data());
    assert_eq!(inst.seq(), 2);
}

#[test]
fn refusal_reports_the_role_and_every_failed_guard() {
    let (engine, _) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", Doc::default(), None).unwrap();
    let before = inst.clone();
    let rec = engine
        .apply(&mut inst, Command::new(judge(), "judge", submit("  ")))
        .unwrap();
    let reasons = rec.refusal().unwrap();
    assert_eq!(
        reasons,
        [
            Reason {
                code: ReasonCode::RoleNotAllowed,
                guard: None,
                message: Text::new(
                    "角色“法官”无权执行此操作，须为：书记员",
                    "role Judge may not do this; allowed: Clerk"
                )
            },
            Reason::guard("has_summary", Text::new("摘要为空", "the summary is empty")),
            Reason::guard("case_number", Text::new("没有案号", "no case number")),
        ]
    );
    assert_eq!(inst.state(), before.state());
    assert_eq!(inst.data(), before.data());
    assert_eq!(inst.entered_at(), before.entered_at());
    // The refusal serializes with all its reasons, and is covered by the hash.
    let json = serde_json::to_value(&rec).unwrap();
    assert_eq!(json["outcome"]["kind"], "refused");
    assert_eq!(json["outcome"]["reasons"][1]["guard"], "has_summary");
    assert_eq!(json["outcome"]["reasons"][0]["code"], "role_not_allowed");
    assert_eq!(json["outcome"]["reasons"][2]["message"]["zh"], "没有案号");
}

#[test]
fn built_in_minimum_time_in_state() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    clock.advance(TimeDelta::hours(23));
    let rec = engine
        .apply(&mut inst, Command::new(judge(), "judge", Step::Sign))
        .unwrap();
    let reasons = rec.refusal().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].guard.as_deref(), Some("min_time_in_state:1d"));
    assert_eq!(
        reasons[0].message.en,
        "must stay at least 1d in the current state; 1.0 days so far"
    );
    clock.advance(TimeDelta::hours(1));
    let rec = engine
        .apply(&mut inst, Command::new(president(), "president", Step::Sign))
        .unwrap();
    assert!(!rec.is_refused());
    assert_eq!(inst.state(), &Stage::Signed);
}

#[test]
fn external_failures_refuse_an_otherwise_accepted_attempt() {
    let (engine, _) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let ext = Reason::external("unique_case", Text::new("案号重复", "duplicate case number"));
    let rec = engine
        .apply_with(
            &mut inst,
            Command::new(clerk(), "clerk", submit("s")),
            vec![ext.clone()],
        )
        .unwrap();
    assert_eq!(rec.refusal().unwrap(), std::slice::from_ref(&ext));
    assert_eq!(inst.state(), &Stage::Draft);
    // Beside the definition's own failures, external ones are listed too.
    let rec = engine
        .apply_with(
            &mut inst,
            Command::new(clerk(), "clerk", submit(" ")),
            vec![ext.clone()],
        )
        .unwrap();
    assert_eq!(rec.refusal().unwrap().len(), 2);
    assert_eq!(rec.refusal().unwrap()[1], ext);
}

#[test]
fn preview_decides_without_writing() {
    let (engine, _) = engine();
    let (inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let before = inst.clone();
    let d = engine
        .preview(&inst, &Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    assert_eq!(d, Decision::Accept { to: Stage::Review });
    let d = engine
        .preview(&inst, &Command::new(clerk(), "clerk", submit("")))
        .unwrap();
    assert!(matches!(d, Decision::Refuse(ref r) if r.len() == 1));
    assert_eq!(inst.seq(), before.seq());
}

#[test]
fn an_instance_of_another_version_is_refused() {
    let (engine, clock) = engine();
    let (mut inst, _) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let v2: Definition<common::Review> = common::builder().build().unwrap();
    let other = Engine::new(
        Definition::<common::Review>::builder("judgment-review", 2)
            .state(Stage::Draft, Text::new("草稿", "Draft"))
            .state(Stage::Signed, Text::new("签发", "Signed"))
            .initial(Stage::Draft)
            .terminal(Stage::Signed)
            .role("clerk", Text::new("书记员", "Clerk"))
            .action("sign", Text::new("签发", "Sign"))
            .transition(regula_core::Transition::new(Stage::Draft, "sign", Stage::Signed).by(["clerk"]))
            .build()
            .unwrap(),
    )
    .with_clock(clock);
    drop(v2);
    match other
        .apply(&mut inst, Command::new(clerk(), "clerk", Step::Sign))
        .unwrap_err()
    {
        EngineError::WrongDefinition {
            expected,
            found,
            instance,
        } => {
            assert_eq!(expected.version, 2);
            assert_eq!(found.version, 1);
            assert_eq!(instance, inst.id());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(inst.seq(), 1);
}

#[test]
fn same_seed_same_clock_same_log() {
    fn run() -> Vec<AuditRecord> {
        let (engine, clock) = engine();
        let (mut inst, created) = engine.create(clerk(), "clerk", doc(), None).unwrap();
        let mut log = vec![created];
        for step in [
            submit("a"),
            Step::Return {
                reason: "证据不足".into(),
            },
            Step::Resubmit { summary: "b".into() },
        ] {
            clock.advance(TimeDelta::days(1));
            let role = if matches!(step, Step::Return { .. }) {
                "judge"
            } else {
                "clerk"
            };
            log.push(engine.apply(&mut inst, Command::new(clerk(), role, step)).unwrap());
        }
        log
    }
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(AuditRecord::write_jsonl(&a), AuditRecord::write_jsonl(&b));
}

#[test]
fn record_json_is_stable_and_strict() {
    let (engine, _) = engine();
    let (_, rec) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let text = rec.to_json();
    let expected = format!(
        concat!(
            r#"{{"format":2,"instance":"{}","seq":1,"id":"{}","at":"2024-03-01T01:00:00Z","#,
            r#""recorded_at":"2024-03-01T01:00:00Z","#,
            r#""definition":{{"name":"judgment-review","version":1}},"#,
            r#""actor":{{"id":"li.na","name":"李娜","unit":"立案庭"}},"role":"clerk","action":"create","#,
            r#""payload":{{"case":"(2024)吉7505民初12号","comments":[],"returns":0,"summary":""}},"#,
            r#""from":"draft","outcome":{{"kind":"created"}},"note":null,"prev_hash":"{}","hash":"{}"}}"#
        ),
        rec.instance,
        rec.id,
        Digest::ZERO,
        rec.hash
    );
    assert_eq!(text, expected);
    assert_eq!(AuditRecord::from_json(&text).unwrap(), rec);
    // Other spellings of the same record are refused: its text has one form.
    let spaced = text.replacen("\"seq\":1", "\"seq\": 1", 1);
    assert!(matches!(
        AuditRecord::from_json(&spaced),
        Err(regula_core::RecordParseError::NotCanonical { .. })
    ));
    let upper = text.replacen(&rec.hash.to_hex(), &rec.hash.to_hex().to_uppercase(), 1);
    assert!(AuditRecord::from_json(&upper).is_err());
    let extra = text.replacen("\"note\":null", "\"note\":null,\"x\":1", 1);
    assert!(
        AuditRecord::from_json(&extra)
            .unwrap_err()
            .to_string()
            .contains("unknown field")
    );
    let bad_time = text.replacen("01:00:00Z", "01:00:00+00:00", 1);
    assert!(
        AuditRecord::from_json(&bad_time)
            .unwrap_err()
            .to_string()
            .contains("canonical")
    );
}

#[test]
fn jsonl_errors_name_the_line() {
    let (engine, _) = engine();
    let (mut inst, a) = engine.create(clerk(), "clerk", doc(), None).unwrap();
    let b = engine
        .apply(&mut inst, Command::new(clerk(), "clerk", submit("s")))
        .unwrap();
    let text = AuditRecord::write_jsonl(&[a.clone(), b.clone()]);
    assert_eq!(AuditRecord::read_jsonl(&text).unwrap(), [a, b]);
    let broken = text.replacen("\"seq\":2", "\"seq\":", 1);
    let err = AuditRecord::read_jsonl(&broken).unwrap_err();
    assert!(
        matches!(err, regula_core::RecordParseError::Json { line: 2, .. }),
        "{err}"
    );
    assert!(AuditRecord::read_jsonl("").unwrap().is_empty());
}

mod failing {
    //! A lifecycle whose payloads and data cannot be encoded, to show the engine's
    //! own errors (as opposed to refusals).
    use regula_core::{Action, Actor, Definition, Engine, EngineError, Lifecycle, PayloadError, Text, Transition};
    use serde::{Deserialize, Serialize};
    use std::collections::HashMap;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Only;
    impl regula_core::State for Only {
        fn name(&self) -> &str {
            "only"
        }
    }

    #[derive(Clone, Debug)]
    pub struct Broken;
    impl Action for Broken {
        fn name(&self) -> &str {
            "poke"
        }
        fn payload(&self) -> Result<serde_json::Value, PayloadError> {
            Err(PayloadError {
                action: "poke".into(),
                message: "cannot encode".into(),
            })
        }
        fn from_parts(_: &str, _: &serde_json::Value) -> Result<Self, PayloadError> {
            Ok(Broken)
        }
    }

    /// JSON object keys must be strings; a map keyed by tuples cannot be encoded.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Odd {
        #[serde(default)]
        pub map: HashMap<(u8, u8), u8>,
    }

    pub struct L;
    impl Lifecycle for L {
        type State = Only;
        type Action = Broken;
        type Data = Odd;
    }

    fn engine() -> Engine<L> {
        Engine::new(
            Definition::<L>::builder("failing", 1)
                .state(Only, Text::new("唯一", "Only"))
                .initial(Only)
                .terminal(Only)
                .role("r", Text::new("角色", "Role"))
                .action("poke", Text::new("戳", "Poke"))
                .transition(Transition::new(Only, "poke", Only).by(["r"]))
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn unencodable_payload_and_data_are_engine_errors() {
        let engine = engine();
        let (mut inst, _) = engine.create(Actor::new("a"), "r", Odd::default(), None).unwrap();
        match engine
            .apply(&mut inst, regula_core::Command::new(Actor::new("a"), "r", Broken))
            .unwrap_err()
        {
            EngineError::Payload(e) => assert_eq!(
                e,
                PayloadError {
                    action: "poke".into(),
                    message: "cannot encode".into()
                }
            ),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(inst.seq(), 1, "nothing was recorded");
        let mut odd = Odd::default();
        odd.map.insert((1, 2), 3);
        match engine.create(Actor::new("a"), "r", odd, None).unwrap_err() {
            EngineError::Data { definition, source } => {
                assert_eq!(definition.name, "failing");
                assert!(source.to_string().contains("key must be a string"), "{source}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
