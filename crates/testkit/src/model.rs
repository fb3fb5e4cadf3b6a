//! Model-based testing: run a system under test step by step beside the reference
//! engine and report the first divergence.
//!
//! A *system under test* is anything that embeds the engine — an application's
//! wrapper, a [`Repository`] over a [`Store`], a service client — seen through the
//! [`SystemUnderTest`] trait. [`ModelTest`] runs each script on a fresh system and on
//! the reference [`Engine`], with the same clock and the same id seed, and after every
//! step compares the record the system returned, the state and data it shows, and
//! the log it keeps. [`RepositorySut`] adapts any [`Store`] implementation.

use std::fmt;
use std::sync::Arc;

use regula_core::store::{Store, StoreError};
use regula_core::{
    Actor, AuditRecord, Clock, Command, Definition, Engine, IdGenerator, Instance, Lifecycle, ManualClock, Repository,
    RepositoryError, SeededIds, State,
};
use serde_json::Value;

use crate::harness::{CheckConfig, Failure, Summary, Violation, check};
use crate::scenario::Scenario;
use crate::script::{Script, TraceEntry};

/// What a system under test is built with: the definition, the clock both it and the
/// reference engine read, and its own id source with the same seed as the
/// reference's, so that a correct system writes exactly the reference's records.
pub struct Setup<L: Lifecycle> {
    /// The definition.
    pub definition: Arc<Definition<L>>,
    /// The shared clock; the model test moves it between steps.
    pub clock: Arc<ManualClock>,
    /// The system's id source.
    pub ids: Arc<SeededIds>,
}

impl<L: Lifecycle> Setup<L> {
    /// An engine on this setup's definition, clock and ids: what a system under test
    /// should run to be compared record for record.
    pub fn engine(&self) -> Engine<L> {
        Engine::new(Arc::clone(&self.definition))
            .with_clock(Arc::clone(&self.clock) as Arc<dyn Clock>)
            .with_ids(Arc::clone(&self.ids) as Arc<dyn IdGenerator>)
    }
}

impl<L: Lifecycle> fmt::Debug for Setup<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setup")
            .field("definition", self.definition.reference())
            .field("now", &self.clock.now())
            .finish_non_exhaustive()
    }
}

/// What a system under test shows of its one instance after a step. Parts it cannot
/// show are `None` and are not compared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// The instance's state, by name.
    pub state: String,
    /// The instance's data as JSON.
    pub data: Option<Value>,
    /// The instance's whole log.
    pub records: Option<Vec<AuditRecord>>,
}

/// A system that runs one instance of a lifecycle, to be compared with the reference
/// engine.
///
/// `create` and `apply` may return the record they wrote (compared with the
/// reference's), and `observe` reports what the system shows afterwards. An error
/// from any of them, where the reference engine succeeded, is a divergence too.
pub trait SystemUnderTest<L: Lifecycle> {
    /// The system's error.
    type Error: fmt::Display;

    /// Creates the instance.
    fn create(&mut self, actor: Actor, role: &str, data: L::Data) -> Result<Option<AuditRecord>, Self::Error>;

    /// Attempts a command on the instance.
    fn apply(&mut self, command: Command<L::Action>) -> Result<Option<AuditRecord>, Self::Error>;

    /// What the system shows of the instance now.
    fn observe(&mut self) -> Result<Observation, Self::Error>;
}

/// Runs scripts on a system under test and on the reference engine, step by step.
pub struct ModelTest<L: Lifecycle, S> {
    definition: Arc<Definition<L>>,
    factory: Box<dyn Fn(Setup<L>) -> S>,
}

impl<L: Lifecycle, S> fmt::Debug for ModelTest<L, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelTest")
            .field("definition", self.definition.reference())
            .finish_non_exhaustive()
    }
}

impl<L, S> ModelTest<L, S>
where
    L: Lifecycle,
    S: SystemUnderTest<L>,
{
    /// A model test that builds a fresh system for every script with `factory`.
    pub fn new<F>(definition: impl Into<Arc<Definition<L>>>, factory: F) -> Self
    where
        F: Fn(Setup<L>) -> S + 'static,
    {
        ModelTest {
            definition: definition.into(),
            factory: Box::new(factory),
        }
    }

    /// Runs `script` on a fresh system and on the reference engine, and reports the
    /// first step after which they differ. On success, returns the reference log.
    pub fn run(&self, script: &Script<L>) -> Result<Vec<AuditRecord>, Failure> {
        let clock = Arc::new(ManualClock::new(script.start.at));
        let reference = Engine::new(Arc::clone(&self.definition))
            .with_clock(Arc::clone(&clock) as Arc<dyn Clock>)
            .with_ids(Arc::new(SeededIds::new(script.start.seed)));
        let mut system = (self.factory)(Setup {
            definition: Arc::clone(&self.definition),
            clock: Arc::clone(&clock),
            ids: Arc::new(SeededIds::new(script.start.seed)),
        });
        let steps = script.steps.len();
        let fail = |trace: &[TraceEntry], at: usize, violation: Violation| Failure {
            definition: self.definition.reference().clone(),
            trace: trace.to_vec(),
            at_step: at,
            script_steps: steps,
            violation,
            shrunk: false,
        };

        let start = &script.start;
        let (mut instance, record) = reference
            .create(start.actor.clone(), &start.role, start.data.clone(), None)
            .map_err(|e| fail(&[], 0, Violation::Engine { message: e.to_string() }))?;
        let mut trace = vec![TraceEntry {
            index: 0,
            wait: chrono::TimeDelta::zero(),
            record: record.clone(),
        }];
        let mut log = vec![record];
        let returned = system
            .create(start.actor.clone(), &start.role, start.data.clone())
            .map_err(|e| fail(&trace, 0, Violation::System { message: e.to_string() }))?;
        compare(&mut system, returned, &instance, &log).map_err(|v| fail(&trace, 0, v))?;

        for (i, step) in script.steps.iter().enumerate() {
            let index = i + 1;
            clock.advance(step.wait);
            let command = Command::new(step.actor.clone(), step.role.clone(), step.action.clone());
            let record = reference
                .apply(&mut instance, command.clone())
                .map_err(|e| fail(&trace, index, Violation::Engine { message: e.to_string() }))?;
            trace.push(TraceEntry {
                index,
                wait: step.wait,
                record: record.clone(),
            });
            log.push(record);
            let returned = system
                .apply(command)
                .map_err(|e| fail(&trace, index, Violation::System { message: e.to_string() }))?;
            compare(&mut system, returned, &instance, &log).map_err(|v| fail(&trace, index, v))?;
        }
        Ok(log)
    }

    /// Generates scripts from `scenario` and runs each through [`run`](ModelTest::run);
    /// the first divergence is shrunk to a minimal script.
    pub fn check(&self, scenario: &Scenario<L>, config: &CheckConfig) -> Result<Summary, Failure> {
        check(scenario, config, |script| self.run(script))
    }
}

fn compare<L: Lifecycle, S: SystemUnderTest<L>>(
    system: &mut S,
    returned: Option<AuditRecord>,
    instance: &Instance<L>,
    log: &[AuditRecord],
) -> Result<(), Violation> {
    if let (Some(found), Some(expected)) = (returned, log.last())
        && found != *expected
    {
        return Err(Violation::Divergence {
            what: format!("returned record {}", expected.seq),
            expected: describe_record(expected),
            found: format!(
                "{} (differs in: {})",
                describe_record(&found),
                record_diff(expected, &found)
            ),
        });
    }
    let seen = system
        .observe()
        .map_err(|e| Violation::System { message: e.to_string() })?;
    if seen.state != instance.state().name() {
        return Err(Violation::Divergence {
            what: "state".to_owned(),
            expected: instance.state().name().to_owned(),
            found: seen.state,
        });
    }
    if let Some(data) = seen.data {
        let expected = serde_json::to_value(instance.data()).map_err(|e| Violation::Engine {
            message: format!("the reference data does not encode: {e}"),
        })?;
        if data != expected {
            return Err(Violation::Divergence {
                what: "data".to_owned(),
                expected: expected.to_string(),
                found: data.to_string(),
            });
        }
    }
    if let Some(records) = seen.records {
        compare_logs(log, &records)?;
    }
    Ok(())
}

fn compare_logs(expected: &[AuditRecord], found: &[AuditRecord]) -> Result<(), Violation> {
    for (i, (e, f)) in expected.iter().zip(found).enumerate() {
        if e != f {
            let missing = expected.get(i + 1) == Some(f);
            return Err(Violation::Divergence {
                what: "log".to_owned(),
                expected: format!("record {} is {}", e.seq, describe_record(e)),
                found: if missing {
                    format!(
                        "record {} is missing: the log goes on with {} ({} records where the reference has {})",
                        e.seq,
                        describe_record(f),
                        found.len(),
                        expected.len()
                    )
                } else {
                    format!("{} (differs in: {})", describe_record(f), record_diff(e, f))
                },
            });
        }
    }
    if expected.len() != found.len() {
        let n = expected.len().min(found.len());
        return Err(Violation::Divergence {
            what: "log".to_owned(),
            expected: format!("{} records", expected.len()),
            found: if found.len() < expected.len() {
                format!(
                    "{} records: record {} ({}) onwards is missing",
                    found.len(),
                    n + 1,
                    expected.get(n).map(describe_record).unwrap_or_default()
                )
            } else {
                format!("{} records: extra records from {}", found.len(), n + 1)
            },
        });
    }
    Ok(())
}

fn describe_record(r: &AuditRecord) -> String {
    format!(
        "#{} {} as {}: {} from {} → {}",
        r.seq,
        r.actor.id,
        r.role,
        r.action,
        r.from,
        match &r.outcome {
            regula_core::Outcome::Created => "created".to_owned(),
            regula_core::Outcome::Accepted { to } => format!("accepted to {to}"),
            // Every reason, by its guard (or kind) and message: a divergence between
            // two refusals must show which reason differs.
            regula_core::Outcome::Refused { reasons } => format!(
                "refused: {}",
                reasons
                    .iter()
                    .map(|r| format!("[{}] {}", r.guard.as_deref().unwrap_or(r.code.as_str()), r.message.en))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    )
}

/// The top-level fields in which two records differ.
fn record_diff(a: &AuditRecord, b: &AuditRecord) -> String {
    let (Ok(Value::Object(x)), Ok(Value::Object(y))) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return "?".to_owned();
    };
    let mut fields: Vec<&str> = x
        .iter()
        .filter(|(k, v)| y.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect();
    fields.extend(y.keys().filter(|k| !x.contains_key(k.as_str())).map(String::as_str));
    fields.join(", ")
}

/// A [`Repository`] over any [`Store`], as a system under test: it creates and
/// applies through the repository, and observes by loading the instance the way an
/// application would (from the latest snapshot and the records after it), by
/// replaying its whole log, and by reading the store's head — and reports an error
/// when those three disagree.
///
/// ```
/// # use regula_testkit::{ModelTest, RepositorySut};
/// # use regula_core::{Definition, MemoryStore, dynamic::Dynamic};
/// # fn definition() -> Definition<Dynamic> { unimplemented!() }
/// # fn build() {
/// let test = ModelTest::new(definition(), |setup| RepositorySut::new(setup, MemoryStore::new()));
/// # let _ = test;
/// # }
/// ```
pub struct RepositorySut<L: Lifecycle, S: Store> {
    repository: Repository<L, S>,
    instance: Option<Instance<L>>,
}

impl<L: Lifecycle, S: Store> fmt::Debug for RepositorySut<L, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepositorySut")
            .field("instance", &self.instance.as_ref().map(Instance::id))
            .finish_non_exhaustive()
    }
}

impl<L: Lifecycle, S: Store> RepositorySut<L, S> {
    /// A repository over `store` on the setup's engine, snapshotting every 3 records
    /// so that loading from snapshots is exercised in short scripts.
    pub fn new(setup: Setup<L>, store: S) -> Self {
        RepositorySut {
            repository: Repository::new(setup.engine(), store).snapshot_every(3),
            instance: None,
        }
    }

    /// The same system snapshotting every `n` records (0: never).
    pub fn snapshot_every(mut self, n: u64) -> Self {
        self.repository = self.repository.snapshot_every(n);
        self
    }

    /// The repository.
    pub fn repository(&self) -> &Repository<L, S> {
        &self.repository
    }
}

/// Why a [`RepositorySut`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepositorySutError {
    /// The repository failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command was applied before the instance was created.
    #[error("no instance was created")]
    NoInstance,
    /// The store's views of the instance disagree.
    #[error("the store is inconsistent: {0}")]
    Inconsistent(String),
}

impl<L: Lifecycle, S: Store> SystemUnderTest<L> for RepositorySut<L, S> {
    type Error = RepositorySutError;

    fn create(&mut self, actor: Actor, role: &str, data: L::Data) -> Result<Option<AuditRecord>, Self::Error> {
        let (instance, record) = self.repository.create(actor, role, data, None)?;
        self.instance = Some(instance);
        Ok(Some(record))
    }

    fn apply(&mut self, command: Command<L::Action>) -> Result<Option<AuditRecord>, Self::Error> {
        let instance = self.instance.as_mut().ok_or(RepositorySutError::NoInstance)?;
        Ok(Some(self.repository.apply(instance, command)?))
    }

    fn observe(&mut self) -> Result<Observation, Self::Error> {
        let id = self.instance.as_ref().ok_or(RepositorySutError::NoInstance)?.id();
        let loaded = self.repository.load(id)?;
        let replayed = self.repository.verify(id)?;
        crate::invariant::same_instance(&loaded, &replayed).map_err(|diff| {
            RepositorySutError::Inconsistent(format!(
                "loading from the snapshot and replaying the log differ: {diff}"
            ))
        })?;
        let head = self.repository.store().head(id)?;
        if head.state != loaded.state().name() || head.seq != loaded.seq() || head.last_hash != loaded.last_hash() {
            return Err(RepositorySutError::Inconsistent(format!(
                "the head says {} at record {}, the log replays to {} at record {}",
                head.state,
                head.seq,
                loaded.state().name(),
                loaded.seq()
            )));
        }
        let records = self.repository.store().load(id)?;
        Ok(Observation {
            state: loaded.state().name().to_owned(),
            data: serde_json::to_value(loaded.data()).ok(),
            records: Some(records),
        })
    }
}
