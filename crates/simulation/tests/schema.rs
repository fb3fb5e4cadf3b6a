//! The published JSON Schemas against a whole played store (seed 7, the 2022–2025
//! plan): every record, every payload by its action, every standard's data, and every
//! report the plan and the assessment make, as serde writes them.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use common::play_in_memory;
use regula_core::Store;
use regula_standards::lifecycle::ActionKind;
use regula_standards::plan::{self, GroupBy, end_of_day};
use regula_standards::rules_log::RULES_DEFINITION;
use serde::Serialize;
use serde_json::Value;

/// Every schema of the three crates, compiled, by name; payload schemas by action.
struct Schemas {
    named: BTreeMap<String, jsonschema::Validator>,
    payloads: BTreeMap<String, jsonschema::Validator>,
}

fn compile(name: &str, schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"))
}

impl Schemas {
    fn new() -> Self {
        let named = regula_core::schema::schemas()
            .into_iter()
            .chain(regula_standards::schema::schemas())
            .map(|(n, s)| (n.to_owned(), compile(n, &s)))
            .collect();
        let payloads = regula_standards::schema::action_schemas()
            .into_iter()
            .chain(regula_standards::schema::rules_action_schemas())
            .map(|(n, s)| {
                let v = compile(&n, &s);
                (n, v)
            })
            .collect();
        Schemas { named, payloads }
    }

    fn check(&self, v: &jsonschema::Validator, value: &Value, what: &str) {
        let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{what} does not match its schema: {errors:?}\n{value}"
        );
    }

    /// Checks every record and its payload (by its action); returns the actions seen.
    fn records(&self, records: &[regula_core::AuditRecord]) -> BTreeSet<String> {
        let mut actions = BTreeSet::new();
        for r in records {
            let what = format!("record {} #{} ({})", r.instance, r.seq, r.action);
            let json: Value = serde_json::from_str(&r.to_json()).unwrap();
            self.check(&self.named["AuditRecord"], &json, &what);
            let payload = match r.action.as_str() {
                "create" if r.definition.name == RULES_DEFINITION => &self.named["RulesData"],
                "create" => &self.named["StandardData"],
                "migrate" => &self.named["MigrationPayload"],
                name => self
                    .payloads
                    .get(name)
                    .unwrap_or_else(|| panic!("no schema for {what}")),
            };
            self.check(payload, &r.payload.to_value(), &what);
            actions.insert(r.action.to_string());
        }
        actions
    }

    fn named(&self, name: &str, value: &impl Serialize, what: &str) {
        self.check(&self.named[name], &serde_json::to_value(value).unwrap(), what);
    }
}

#[test]
fn a_played_store_and_its_reports_match_the_schemas() {
    let run = play_in_memory(7);
    let court = &run.court;
    let s = Schemas::new();
    let records = court.store().scan(0, usize::MAX).unwrap();
    assert!(records.len() > 3000);
    let actions = s.records(&records);
    // The run exercises nearly every action; the standards' own test covers the rest
    // with hand-made payloads.
    let standard: BTreeSet<&str> = ActionKind::ALL.iter().map(|k| k.name()).collect();
    let seen = standard.iter().filter(|a| actions.contains(**a)).count();
    assert!(seen + 1 >= standard.len(), "actions played: {actions:?}");
    // The scenario records no court-level decision (the standards' test does).
    assert!(records.iter().any(|r| r.definition.name == RULES_DEFINITION));

    for (code, instance) in court.instances() {
        s.named("StandardData", instance.data(), code);
    }
    let tz = court.catalog().court().timezone;
    let ledger = court.ledger();
    for year in 2022..=2025 {
        let as_of = end_of_day(NaiveDate::from_ymd_opt(year, 12, 31).unwrap(), tz);
        let statuses = plan::statuses(court.catalog(), &ledger, court.work_plan(), as_of);
        for status in &statuses {
            s.named("StandardStatus", status, &status.code);
        }
        for group_by in [GroupBy::Domain, GroupBy::Category, GroupBy::Department, GroupBy::Stage] {
            let report = plan::progress(court.catalog(), &ledger, court.work_plan(), as_of, group_by);
            s.named("ProgressReport", &report, &format!("progress {year} {group_by:?}"));
        }
        let lateness = plan::lateness(court.catalog(), &ledger, court.work_plan(), as_of);
        s.named("LatenessReport", &lateness, &format!("lateness {year}"));
        for load in plan::department_load(court.catalog(), &ledger, court.work_plan(), as_of) {
            s.named("DepartmentLoad", &load, &format!("load {year}"));
        }
        let assessment = court.assessment(year).unwrap();
        s.named("AssessmentReport", &assessment, &format!("assessment {year}"));
    }
}

/// The stores committed as earlier releases wrote them (format 1 records among them),
/// and their checkpoints, match the schemas too.
#[test]
fn the_committed_fixture_stores_and_checkpoints_match_the_schemas() {
    let s = Schemas::new();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
    let mut formats = BTreeSet::new();
    for name in ["store-v1-tour", "store-v2-sim-2023-06-30"] {
        // A copy: opening must not leave SQLite's companion files beside the fixture.
        let copy = common::TempPath::new(&format!("schema-{name}.db"));
        std::fs::copy(format!("{fixtures}/{name}.db"), copy.path()).unwrap();
        let store = regula_store_sqlite::SqliteStore::open_existing(copy.path()).unwrap();
        let records = store.scan(0, usize::MAX).unwrap();
        assert!(!records.is_empty(), "{name}");
        formats.extend(records.iter().map(|r| r.format));
        s.records(&records);
        let checkpoint = std::fs::read_to_string(format!("{fixtures}/{name}.checkpoint.json")).unwrap();
        let value = match serde_json::from_str::<Value>(&checkpoint) {
            Ok(json) => {
                s.check(&s.named["LegacyCheckpointJson"], &json, name);
                continue;
            }
            Err(_) => Value::String(checkpoint),
        };
        s.check(&s.named["Checkpoint"], &value, name);
    }
    assert!(formats.contains(&regula_core::FORMAT_V1), "{formats:?}");
}
