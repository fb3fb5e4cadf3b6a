//! End to end through the facade alone: a court's standards on a SQLite file, a
//! refusal and an accepted step, reopening the file, whole-store verification, and a
//! record proven to a third party who has only the proof bundle and the public key.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use regula::proof::{
    Checkpoint, CheckpointNote, CheckpointSigning, ProofBundle, SigningKey, prove_record, verify_bundle,
};
use regula::sqlite::SqliteStore;
use regula::standards::service::Court;
use regula::standards::{Catalog, StandardAction, roles};
use regula::{Command, ManualClock, SeededIds, Store};

struct TempDb(std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[test]
fn embed_persist_reopen_verify_and_prove() {
    let db = TempDb(std::env::temp_dir().join(format!("regula-facade-{}.db", std::process::id())));
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2022, 5, 16, 1, 0, 0).unwrap()));
    let open = |clock: Arc<ManualClock>| {
        Court::open(
            SqliteStore::open(&db.0).unwrap(),
            Catalog::builtin().unwrap(),
            move |engine| engine.with_clock(clock).with_ids(Arc::new(SeededIds::new(11))),
        )
        .unwrap()
    };

    let mut court = open(clock.clone());
    let office = court.config().office_staff("zhang.min", "张敏");
    assert_eq!(court.import(&office).unwrap().len(), 117);

    // A department cannot start drafting a standard nobody was assigned: refused, recorded.
    let filing = court.config().department_staff("立案庭", "li.na", "李娜").unwrap();
    let start = StandardAction::StartDrafting { summary: None };
    let refused = court
        .apply(
            "ADJ-01-01",
            Command::new(filing.clone(), roles::DEPARTMENT, start.clone()),
        )
        .unwrap();
    assert!(refused.is_refused());
    let assign = StandardAction::AssignDepartment {
        department: "立案庭".into(),
    };
    assert!(
        !court
            .apply("ADJ-01-01", Command::new(office, roles::OFFICE, assign))
            .unwrap()
            .is_refused()
    );
    let accepted = court
        .apply("ADJ-01-01", Command::new(filing, roles::DEPARTMENT, start))
        .unwrap();
    assert_eq!(accepted.state_after(), "drafting");
    drop(court);

    // Reopened from the file alone: the same standard, the same log, all verified.
    let court = open(clock);
    let instance = court.instance("ADJ-01-01").unwrap();
    assert_eq!(instance.state().as_str(), "drafting");
    let log = court.history("ADJ-01-01").unwrap();
    assert_eq!(log.len(), 4);
    assert!(log[1].is_refused());
    let report = court.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "{report}");
    // 117 standards and the rules log, recorded by the import.
    assert_eq!((report.records, report.instances, report.replayed), (121, 118, 118));

    // Prove record 4 to someone who has neither the database nor the secret key.
    let key = SigningKey::generate("hongshi-court").unwrap();
    let body = Checkpoint::with_origin("hongshi-court", court.store().tree_head().unwrap(), Utc::now()).unwrap();
    let checkpoint = CheckpointNote::sign(&body, &key);
    let bundle = prove_record(court.store(), &checkpoint, instance.id(), 4).unwrap();
    let public = key.public();
    let received = ProofBundle::from_json(&bundle.to_json()).unwrap();
    let proven = verify_bundle(&received, &public).unwrap();
    assert_eq!(
        (proven.instance, proven.seq, proven.tree_size()),
        (instance.id(), 4, 121)
    );
    assert_eq!(proven.record, log[3]);
    // Another court's key does not verify it.
    let other = SigningKey::generate("another-court").unwrap().public();
    assert!(verify_bundle(&received, &other).is_err());
}
