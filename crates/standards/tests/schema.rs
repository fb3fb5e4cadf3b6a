//! The JSON Schemas of `regula_standards::schema` agree with serde: every action's
//! payload, as the engine records it, matches its action's schema; what serde refuses
//! in a payload the schema refuses; what serde lets through (an unknown field, where
//! no `deny_unknown_fields` forbids it) the schema lets through too. The simulation's
//! test (`crates/simulation/tests/schema.rs`) checks a whole played store and its
//! reports.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use regula_core::Action;
use regula_standards::catalog::Catalog;
use regula_standards::lifecycle::{ActionKind, RevisionCause, StandardAction};
use regula_standards::plan::Milestone;
use regula_standards::rules_log::{RulesAction, RulesActionKind, RulesData};
use regula_standards::schema::{action_schemas, payload_schema, rules_action_schemas, schemas};
use serde_json::{Value, json};

fn compile(schema: &Value) -> jsonschema::Validator {
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("not a valid schema: {e}\n{schema}"))
}

fn assert_valid(schema: &Value, value: &Value, what: &str) {
    let v = compile(schema);
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:?}\n{value}"
    );
}

fn named(name: &str) -> Value {
    schemas().into_iter().find(|(n, _)| *n == name).unwrap().1
}

/// One action of every kind, as the tests' courts send them.
fn every_standard_action() -> Vec<StandardAction> {
    let day = date(2023, 3, 1);
    vec![
        StandardAction::AssignDepartment {
            department: "立案庭".into(),
        },
        StandardAction::StartDrafting { summary: None },
        StandardAction::StartDrafting {
            summary: Some("调研结论".into()),
        },
        open_consultation(),
        opinion(regula_standards::lifecycle::OpinionSource::Frontline),
        StandardAction::RespondToOpinion {
            opinion: 1,
            response: regula_standards::lifecycle::Response::Adopted { note: None },
        },
        StandardAction::RespondToOpinion {
            opinion: 2,
            response: regula_standards::lifecycle::Response::NotAdopted {
                reason: "与上位法冲突".into(),
            },
        },
        StandardAction::CloseConsultation,
        StandardAction::SendBack {
            reasons: vec!["评价标准不具体".into()],
        },
        StandardAction::SendBackRevision { reasons: Vec::new() },
        StandardAction::Approve {
            meeting: meeting(day, &["院长", "副院长"]),
        },
        publish("红林法〔2023〕12号", day),
        StandardAction::BeginFollowUp,
        StandardAction::ReportImplementation {
            period: "2023年上半年".into(),
            summary: "运行平稳".into(),
        },
        inspection(day),
        evaluation(day, 1, &[1, 2]),
        evaluation_missing(day, 1, &[1, 2], &[2]),
        StandardAction::OpenRevision {
            cause: RevisionCause::WeakResults { evaluation: Some(1) },
            summary: "修订评价标准".into(),
        },
        StandardAction::OpenRevision {
            cause: RevisionCause::Gap,
            summary: "补充空白".into(),
        },
        StandardAction::OpenRevision {
            cause: RevisionCause::Finding {
                inspection: 1,
                finding: 2,
            },
            summary: "整改".into(),
        },
        StandardAction::CancelRevision {
            reason: "不再需要".into(),
        },
        StandardAction::ReassignDepartment {
            department: "综合审判庭".into(),
            reason: "调整审判业务分工".into(),
        },
        acceptance(date(2025, 6, 1)),
        StandardAction::Withdraw {
            reason: "已被新标准取代".into(),
        },
    ]
}

fn every_rules_action() -> Vec<RulesAction> {
    let rules = RulesData::of(&Catalog::builtin().unwrap());
    let mut plan = regula_standards::plan::WorkPlan::new();
    plan.set("ADJ-01-08", Milestone::Published, date(2023, 6, 30));
    vec![
        RulesAction::Extend { rules: rules.clone() },
        RulesAction::Amend {
            rules,
            reason: "调整征求意见期限".into(),
        },
        RulesAction::DesignateCore {
            codes: vec!["ADJ-01-08".into()],
            revoke: Vec::new(),
            meeting: Some("领导小组2022年第3次会议".into()),
        },
        RulesAction::RecordWorkPlan {
            department: Some("立案庭".into()),
            year: 2023,
            targets: regula_standards::affairs::PlanTarget::of(&plan),
        },
        RulesAction::ExtendDeadline {
            code: "ADJ-01-08".into(),
            step: "build-all".into(),
            due: date(2024, 3, 31),
            reason: "人员调整".into(),
        },
        RulesAction::RecordHearing {
            members: vec!["院长".into()],
            summary: "听取进展".into(),
            decisions: Vec::new(),
        },
    ]
}

#[test]
fn there_is_one_payload_schema_per_action_in_declaration_order() {
    let names: Vec<String> = action_schemas().into_iter().map(|(n, _)| n).collect();
    let kinds: Vec<&str> = ActionKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names, kinds);
    let names: Vec<String> = rules_action_schemas().into_iter().map(|(n, _)| n).collect();
    let kinds: Vec<&str> = RulesActionKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names, kinds);
    assert!(payload_schema("no_such_action").is_none());
    for (name, schema) in action_schemas().into_iter().chain(rules_action_schemas()) {
        compile(&schema);
        assert_eq!(schema["title"], name.as_str());
        assert!(schema["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}");
    }
}

#[test]
fn every_action_payload_matches_its_schema() {
    let actions = every_standard_action();
    let covered: BTreeSet<ActionKind> = actions.iter().map(StandardAction::kind).collect();
    assert_eq!(covered.len(), ActionKind::ALL.len(), "an example of every action");
    let whole = named("StandardAction");
    for action in &actions {
        let name = action.name();
        let payload = action.payload().unwrap();
        assert_valid(&payload_schema(name).unwrap(), &payload, name);
        assert_valid(&whole, &serde_json::to_value(action).unwrap(), name);
    }
    let actions = every_rules_action();
    assert_eq!(actions.len(), RulesActionKind::ALL.len());
    let whole = named("RulesAction");
    for action in &actions {
        let name = action.name();
        assert_valid(&payload_schema(name).unwrap(), &action.payload().unwrap(), name);
        assert_valid(&whole, &serde_json::to_value(action).unwrap(), name);
    }
}

/// An action without fields is recorded with the payload `null`, and serde reads back
/// nothing else; the schema says the same.
#[test]
fn an_action_without_fields_has_a_null_payload() {
    for name in ["close_consultation", "begin_follow_up"] {
        let schema = compile(&payload_schema(name).unwrap());
        let action = StandardAction::from_parts(name, &Value::Null).unwrap();
        assert_eq!(action.payload().unwrap(), Value::Null);
        assert!(schema.is_valid(&Value::Null));
        for other in [json!({}), json!([]), json!(0), json!({"x": 1})] {
            assert_eq!(
                StandardAction::from_parts(name, &other).is_ok(),
                schema.is_valid(&other),
                "{name} with {other}: serde and the schema disagree"
            );
        }
    }
}

/// Each payload is one serde refuses (`from_parts`, what replay and the CLI use); the
/// schema must refuse it too. And where serde ignores a field (no
/// `deny_unknown_fields` on actions), the schema accepts it.
#[test]
fn the_schema_refuses_what_serde_refuses_in_a_payload() {
    let refused = [
        ("assign_department", json!({})),
        ("assign_department", json!({"department": 3})),
        ("assign_department", json!({"departmnet": "立案庭"})),
        ("start_drafting", json!({"summary": 1})),
        ("start_drafting", json!(null)),
        (
            "respond_to_opinion",
            json!({"opinion": -1, "response": {"decision": "adopted"}}),
        ),
        (
            "respond_to_opinion",
            json!({"opinion": 1, "response": {"decision": "maybe"}}),
        ),
        (
            "respond_to_opinion",
            json!({"opinion": 1, "response": {"decision": "not_adopted"}}),
        ),
        (
            "publish",
            json!({"document_number": "红林法〔2023〕12号", "date": "2023-13-01"}),
        ),
        (
            "publish",
            json!({"document_number": "红林法〔2023〕12号", "date": "2023/03/01"}),
        ),
        ("publish", json!({"document_number": "红林法〔2023〕12号"})),
        (
            "record_opinion",
            json!({"opinion": {"author": "a", "source": "press", "content": "c"}}),
        ),
        (
            "open_revision",
            json!({"cause": {"kind": "finding", "inspection": 1}, "summary": "s"}),
        ),
        ("open_revision", json!({"cause": {"kind": "gaps"}, "summary": "s"})),
        ("send_back", json!({"reasons": "one"})),
        (
            "record_evaluation",
            json!({"evaluation": {"date": "2023-03-01", "version": 1, "scores": [{"criterion": 1, "measured": "9", "met": "yes"}], "conclusion": "c"}}),
        ),
        ("close_consultation", json!({"x": 1})),
    ];
    for (name, payload) in refused {
        assert!(
            StandardAction::from_parts(name, &payload).is_err(),
            "{name} {payload}: serde reads it"
        );
        let schema = compile(&payload_schema(name).unwrap());
        assert!(
            !schema.is_valid(&payload),
            "{name} {payload}: serde refuses it, the schema accepts it"
        );
    }
    let refused_rules = [
        ("extend", json!({"rules": {"catalog": "x", "core": [], "extra": 1}})),
        ("designate_core", json!({"codes": "ADJ-01-08"})),
        (
            "record_work_plan",
            json!({"year": 2023, "targets": [{"code": "A", "milestone": "someday", "due": "2023-01-01"}]}),
        ),
        (
            "extend_deadline",
            json!({"code": "A", "step": "s", "due": "soon", "reason": "r"}),
        ),
    ];
    for (name, payload) in refused_rules {
        assert!(
            RulesAction::from_parts(name, &payload).is_err(),
            "{name} {payload}: serde reads it"
        );
        let schema = compile(&payload_schema(name).unwrap());
        assert!(
            !schema.is_valid(&payload),
            "{name} {payload}: serde refuses it, the schema accepts it"
        );
    }
    let ignored = [
        ("start_drafting", json!({"sumary": "misspelt, ignored"})),
        ("assign_department", json!({"department": "立案庭", "note": "ignored"})),
    ];
    for (name, payload) in ignored {
        assert!(StandardAction::from_parts(name, &payload).is_ok(), "{name} {payload}");
        assert!(
            compile(&payload_schema(name).unwrap()).is_valid(&payload),
            "{name} {payload}"
        );
    }
}

#[test]
fn a_standards_log_and_data_match_their_schemas() {
    let w = World::new();
    let (s, log) = w.to_consultation("ADJ-01-08");
    let created = log.first().unwrap();
    assert_valid(
        &named("StandardData"),
        &created.payload.to_value(),
        "a standard's initial data",
    );
    assert_valid(
        &named("StandardData"),
        &serde_json::to_value(s.data()).unwrap(),
        "a standard's data in consultation",
    );
    for r in &log[1..] {
        assert_valid(&payload_schema(&r.action).unwrap(), &r.payload.to_value(), &r.action);
    }
}

/// The court-level decisions as a court records them, in a real store: the rules
/// log's records, their payloads, and the hearing the court lists.
#[test]
fn a_courts_decisions_and_hearings_match_their_schemas() {
    use chrono::TimeZone;
    let w = World::new();
    let clock = std::sync::Arc::new(regula_core::ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2023, 3, 1, 1, 0, 0).unwrap(),
    ));
    let mut court = regula_standards::service::Court::open(regula_core::MemoryStore::new(), w.catalog.clone(), |e| {
        e.with_clock(clock.clone())
    })
    .unwrap();
    court.import(&w.office()).unwrap();
    let present = vec!["陈伟".to_owned(), "厉彦杰".to_owned()];
    let r = court
        .record_hearing(
            &w.head(),
            &present,
            "听取进展汇报",
            &["6月底前完成起草".to_owned()],
            None,
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    let records = court.rules_history().unwrap();
    assert!(records.len() >= 2);
    assert_valid(
        &named("RulesData"),
        &records[0].payload.to_value(),
        "the rules log's initial data",
    );
    for r in &records[1..] {
        assert_valid(&payload_schema(&r.action).unwrap(), &r.payload.to_value(), &r.action);
    }
    assert_eq!(court.hearings().len(), 1);
    assert_valid(
        &named("Hearing"),
        &serde_json::to_value(&court.hearings()[0]).unwrap(),
        "a hearing",
    );
}
