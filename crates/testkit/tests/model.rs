//! Model-based tests: a sound store, a store that loses records, an application
//! wrapper that forgets refusals, and one that loses which guard refused.

mod common;

use std::sync::Arc;

use common::{Flaw, LossyStore, Publishing, publishing, scenario};
use regula_core::{Actor, AuditRecord, Command, Engine, Instance, MemoryStore, State};
use regula_testkit::{CheckConfig, ModelTest, Observation, RepositorySut, Setup, SystemUnderTest, Violation};

#[test]
fn a_sound_store_matches_the_reference_engine() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup| {
        RepositorySut::new(setup, MemoryStore::new())
    });
    let summary = test
        .check(&scenario(definition.clone()), &CheckConfig::cases(48))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(summary.unreached_states(&definition).is_empty(), "{summary}");
}

#[test]
fn a_store_that_loses_every_fifth_record_is_caught_after_four_steps() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup| {
        RepositorySut::new(setup, LossyStore::default()).snapshot_every(0)
    });
    let failure = test
        .check(&scenario(definition), &CheckConfig::cases(64))
        .expect_err("the lost record must be noticed");
    // The creation and four attempts write five records; the fifth is the first lost.
    // Any four steps do, so the minimal script has exactly four.
    assert!(failure.shrunk);
    assert_eq!(failure.script_steps, 4, "{failure}");
    assert_eq!(failure.at_step, 4, "{failure}");
    assert!(matches!(failure.violation, Violation::Divergence { .. }), "{failure}");
    let text = failure.to_string();
    assert!(text.contains("diverged from the reference engine"), "{text}");
    assert!(text.contains("◀ here"), "{text}");
}

/// An application wrapper with a classic bug: it keeps only the records of accepted
/// attempts, as if refusals were not worth logging.
struct ForgetfulApp {
    engine: Engine<Publishing>,
    instance: Option<Instance<Publishing>>,
    kept: Vec<AuditRecord>,
}

impl SystemUnderTest<Publishing> for ForgetfulApp {
    type Error = String;

    fn create(&mut self, actor: Actor, role: &str, data: common::Doc) -> Result<Option<AuditRecord>, Self::Error> {
        let (instance, record) = self.engine.create(actor, role, data, None).map_err(|e| e.to_string())?;
        self.instance = Some(instance);
        self.kept.push(record.clone());
        Ok(Some(record))
    }

    fn apply(&mut self, command: Command<common::Act>) -> Result<Option<AuditRecord>, Self::Error> {
        let instance = self.instance.as_mut().ok_or("no instance")?;
        let record = self.engine.apply(instance, command).map_err(|e| e.to_string())?;
        if !record.is_refused() {
            self.kept.push(record.clone());
        }
        Ok(Some(record))
    }

    fn observe(&mut self) -> Result<Observation, Self::Error> {
        let instance = self.instance.as_ref().ok_or("no instance")?;
        Ok(Observation {
            state: instance.state().name().to_owned(),
            data: serde_json::to_value(instance.data()).ok(),
            records: Some(self.kept.clone()),
        })
    }
}

#[test]
fn a_wrapper_that_forgets_refusals_is_caught_with_one_refused_step() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup: Setup<Publishing>| ForgetfulApp {
        engine: setup.engine(),
        instance: None,
        kept: Vec::new(),
    });
    let failure = test
        .check(&scenario(definition), &CheckConfig::cases(64))
        .expect_err("the forgotten refusal must be noticed");
    assert_eq!(failure.script_steps, 1, "{failure}");
    assert!(failure.trace[1].record.is_refused(), "{failure}");
    assert!(
        matches!(&failure.violation, Violation::Divergence { what, .. } if what == "log"),
        "{failure}"
    );
}

/// The same wrapper with the bug fixed: every record kept, each as `alter` leaves it
/// (a correct wrapper leaves it as it is).
struct KeepingApp {
    app: ForgetfulApp,
    alter: fn(&mut AuditRecord),
}

impl KeepingApp {
    fn new(setup: Setup<Publishing>, alter: fn(&mut AuditRecord)) -> Self {
        KeepingApp {
            app: ForgetfulApp {
                engine: setup.engine(),
                instance: None,
                kept: Vec::new(),
            },
            alter,
        }
    }
}

impl SystemUnderTest<Publishing> for KeepingApp {
    type Error = String;
    fn create(&mut self, a: Actor, r: &str, d: common::Doc) -> Result<Option<AuditRecord>, String> {
        self.app.create(a, r, d)
    }
    fn apply(&mut self, c: Command<common::Act>) -> Result<Option<AuditRecord>, String> {
        let instance = self.app.instance.as_mut().ok_or("no instance")?;
        let mut record = self.app.engine.apply(instance, c).map_err(|e| e.to_string())?;
        (self.alter)(&mut record);
        self.app.kept.push(record.clone());
        Ok(Some(record))
    }
    fn observe(&mut self) -> Result<Observation, String> {
        self.app.observe()
    }
}

#[test]
fn a_correct_wrapper_built_on_the_setup_engine_passes() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup: Setup<Publishing>| {
        KeepingApp::new(setup, |_| {})
    });
    let summary = test
        .check(&scenario(definition), &CheckConfig::cases(32))
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(summary.cases, 32);
}

/// A wrapper that keeps refusals but loses which guard refused (it keeps the message
/// only): the divergence names the reasons on both sides, so the difference shows.
#[test]
fn a_divergence_between_refusals_shows_the_reasons_on_both_sides() {
    let definition = Arc::new(publishing(Flaw::None));
    let test = ModelTest::new(definition.clone(), |setup: Setup<Publishing>| {
        KeepingApp::new(setup, |record| {
            if let regula_core::Outcome::Refused { reasons } = &mut record.outcome {
                for reason in reasons {
                    reason.guard = None;
                }
            }
        })
    });
    let failure = test
        .check(&scenario(definition), &CheckConfig::cases(64))
        .expect_err("the lost guard names must be noticed");
    let Violation::Divergence { expected, found, .. } = &failure.violation else {
        panic!("{failure}");
    };
    // The reference names the guard; the wrapper's record names only the kind.
    let guard = expected
        .split("refused: [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no reason in {expected:?}"));
    assert!(!found.contains(&format!("[{guard}]")), "{found}");
    assert!(found.contains("refused: ["), "{found}");
}
