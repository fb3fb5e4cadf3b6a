//! Histories written behind the service's back, on a copy of the committed v2-era
//! fixture (every standard on `court-standard` v1): `Court::verify` must report what
//! the service would have refused, and pass what it accepted.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::store::StoreProblem;
use regula_core::{Append, Command, Migration, Store, VerifyErrorKind};
use regula_standards::catalog::Catalog;
use regula_standards::court::DOCUMENT_NUMBER_UNIQUE;
use regula_standards::lifecycle::{MeetingRecord, StandardAction, roles};
use regula_standards::service::Court;
use regula_store_sqlite::SqliteStore;

/// A scratch copy of the fixture (the fixture itself is never written).
struct FixtureCopy(std::path::PathBuf);

impl FixtureCopy {
    fn new(name: &str) -> FixtureCopy {
        let dir = std::env::temp_dir().join(format!("regula-forgeries-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.db");
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/store-v2-sim-2023-06-30.db");
        std::fs::copy(fixture, &path).unwrap();
        FixtureCopy(path)
    }

    fn court(&self) -> Court<SqliteStore> {
        Court::open(SqliteStore::open(&self.0).unwrap(), Catalog::builtin().unwrap(), |e| e).unwrap()
    }
}

impl Drop for FixtureCopy {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The problems of a full verification, as text.
fn problems(court: &Court<SqliteStore>) -> Vec<StoreProblem> {
    court.verify(None, &mut |_, _| {}).unwrap().problems
}

/// The guard names a problem says would have refused its record.
fn refused_by(p: &StoreProblem) -> Vec<String> {
    match p {
        StoreProblem::Transition(e) => match &e.kind {
            VerifyErrorKind::GuardsWouldRefuse { reasons } => reasons.iter().filter_map(|r| r.guard.clone()).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[test]
fn a_migration_by_someone_outside_the_office_is_reported() {
    let copy = FixtureCopy::new("migration-actor");
    let court = copy.court();
    assert!(problems(&court).is_empty());
    let code = "ADJ-01-03";
    let mut instance = court.instance(code).unwrap().clone();
    // A clerk of 综合审判庭 claims the office's role; the engine alone cannot tell
    // (the service checks the actor and records a refusal).
    let clerk = regula_core::Actor::new("li").named("李").in_unit("综合审判庭");
    let seq = instance.seq();
    let record = court
        .engine()
        .migrate(&mut instance, Migration::new(clerk, roles::OFFICE))
        .unwrap();
    assert!(!record.is_refused());
    court
        .store()
        .append(Append {
            instance: instance.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        })
        .unwrap();
    drop(court);
    let found = problems(&copy.court());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(refused_by(&found[0]), ["actor_fits_role"], "{found:?}");
}

/// ADJ-07-04 (left on v1) and PER-02-02 (moved to v2) approved on 2023-06-30.
fn two_approved(court: &mut Court<SqliteStore>) -> (&'static str, &'static str) {
    let config = court.config().clone();
    let office = config.office_staff("wang", "王");
    let members: Vec<String> = config.leading_group.iter().map(|m| m.id.clone()).collect();
    let head = config.leading_group_member(&members[0]).unwrap();
    let (v1, v2) = ("ADJ-07-04", "PER-02-02");
    assert!(
        !court
            .migrate(v2, &office, Some(t("2023-06-30T01:00:00Z")))
            .unwrap()
            .is_refused()
    );
    for code in [v1, v2] {
        let meeting = MeetingRecord {
            date: NaiveDate::from_ymd_opt(2023, 6, 27).unwrap(),
            present: members.clone(),
            decision: "审议通过".into(),
        };
        let command = Command::new(head.clone(), roles::LEADING_GROUP, StandardAction::Approve { meeting })
            .at(t("2023-06-30T02:00:00Z"));
        let r = court.apply(code, command).unwrap();
        assert!(!r.is_refused(), "{:?}", r.refusal());
    }
    (v1, v2)
}

fn publish() -> StandardAction {
    StandardAction::Publish {
        document_number: "红林法〔2023〕50号".into(),
        date: NaiveDate::from_ymd_opt(2023, 6, 30).unwrap(),
    }
}

#[test]
fn a_back_dated_reuse_written_after_the_act_is_reported_at_the_reuse() {
    let copy = FixtureCopy::new("reuse");
    let mut court = copy.court();
    let (v1, v2) = two_approved(&mut court);
    let office = court.config().office_staff("wang", "王");
    // The v2 standard publishes the act through the service.
    let r = court
        .apply(
            v2,
            Command::new(office.clone(), roles::OFFICE, publish()).at(t("2023-06-30T05:00:00Z")),
        )
        .unwrap();
    assert!(!r.is_refused(), "{:?}", r.refusal());
    // The v1 standard may not share a number; written behind the service, dated
    // earlier than the act's record but appended after it.
    let v1_definition = court.versions().get(1).unwrap().clone();
    let engine = court
        .engine()
        .for_definition(v1_definition)
        .with_rules(court.engine().rules().unwrap());
    let mut instance = court.instance(v1).unwrap().clone();
    let seq = instance.seq();
    let forged = engine
        .apply(
            &mut instance,
            Command::new(office, roles::OFFICE, publish()).at(t("2023-06-30T03:00:00Z")),
        )
        .unwrap();
    assert!(!forged.is_refused());
    court
        .store()
        .append(Append {
            instance: instance.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&forged),
            due_at: None,
        })
        .unwrap();
    drop(court);
    let found = problems(&copy.court());
    let reuse: Vec<_> = found
        .iter()
        .filter(|p| refused_by(p) == [DOCUMENT_NUMBER_UNIQUE])
        .collect();
    assert_eq!(reuse.len(), 1, "{found:?}");
    match reuse[0] {
        StoreProblem::Transition(e) => assert_eq!((e.instance, e.seq), (instance.id(), forged.seq)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_back_dated_join_of_an_act_the_service_accepted_verifies() {
    let copy = FixtureCopy::new("join");
    let mut court = copy.court();
    let (v1, v2) = two_approved(&mut court);
    let office = court.config().office_staff("wang", "王");
    let r = court
        .apply(
            v1,
            Command::new(office.clone(), roles::OFFICE, publish()).at(t("2023-06-30T05:00:00Z")),
        )
        .unwrap();
    assert!(!r.is_refused(), "{:?}", r.refusal());
    // The v2 standard joins the act, entered after the fact with an earlier time of
    // the same day: accepted by the service, and verify agrees.
    let r = court
        .apply(
            v2,
            Command::new(office.clone(), roles::OFFICE, publish()).at(t("2023-06-30T03:00:00Z")),
        )
        .unwrap();
    assert!(!r.is_refused(), "{:?}", r.refusal());
    // Joining it on another day is a reuse, refused.
    drop(court);
    let found = problems(&copy.court());
    assert!(found.is_empty(), "{found:?}");
}

/// A standard's due time is derived data: a head that says the standard is due (so
/// "what is overdue" would list it) when its log gives no deadline is reported, once,
/// by the court's own replay of the standard.
#[test]
fn a_due_time_the_log_does_not_give_is_reported() {
    let copy = FixtureCopy::new("due-time");
    let court = copy.court();
    let code = "ADJ-01-03";
    let mut instance = court.instance(code).unwrap().clone();
    let office = court.config().office_staff("zhang.min", "张敏");
    let seq = instance.seq();
    let record = court
        .engine()
        .migrate(&mut instance, Migration::new(office, roles::OFFICE))
        .unwrap();
    assert!(!record.is_refused());
    assert_eq!(instance.due_at(), None, "the court's lifecycle declares no deadline");
    court
        .store()
        .append(Append::new(instance.id(), seq, std::slice::from_ref(&record)).due(Some(t("2024-01-01T00:00:00Z"))))
        .unwrap();
    drop(court);
    let found = problems(&copy.court());
    assert!(
        matches!(
            found.as_slice(),
            [StoreProblem::HeadDiffers { instance: i, field: "due_at", .. }] if *i == instance.id()
        ),
        "{found:?}"
    );
}
