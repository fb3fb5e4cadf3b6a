//! The harness: runs scripts against the engine, checks invariants after every step,
//! and reports the first violation with a readable, shrunk counter-example.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use regula_core::{
    AuditRecord, Clock, Command, Definition, DefinitionRef, Engine, Instance, Lifecycle, ManualClock, Outcome,
    SeededIds, State,
};

use crate::invariant::{Invariant, StepView};
use crate::scenario::Scenario;
use crate::script::{Script, TraceEntry, write_trace};

/// Runs scripts on one definition and checks invariants after every step.
///
/// A new harness checks the [built-in invariants](Invariant::builtins); add your own
/// with [`invariant`](Harness::invariant).
pub struct Harness<L: Lifecycle> {
    definition: Arc<Definition<L>>,
    invariants: Vec<Invariant<L>>,
}

impl<L: Lifecycle> fmt::Debug for Harness<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("definition", self.definition.reference())
            .field(
                "invariants",
                &self.invariants.iter().map(Invariant::name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What a script's run left behind when every invariant held.
pub struct Run<L: Lifecycle> {
    /// The instance after the last step.
    pub instance: Instance<L>,
    /// Its whole log.
    pub log: Vec<AuditRecord>,
    /// One entry per step, the creation first.
    pub trace: Vec<TraceEntry>,
}

impl<L: Lifecycle> fmt::Debug for Run<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("instance", &self.instance)
            .field("records", &self.log.len())
            .finish_non_exhaustive()
    }
}

impl<L: Lifecycle> Harness<L> {
    /// A harness that checks the built-in invariants.
    pub fn new(definition: impl Into<Arc<Definition<L>>>) -> Self {
        Harness {
            definition: definition.into(),
            invariants: Invariant::builtins(),
        }
    }

    /// A harness that checks no invariant until some are added.
    pub fn without_builtins(definition: impl Into<Arc<Definition<L>>>) -> Self {
        Harness {
            definition: definition.into(),
            invariants: Vec::new(),
        }
    }

    /// Adds an invariant over the instance and its log (see [`Invariant::new`]).
    pub fn invariant<F>(self, name: impl Into<String>, check: F) -> Self
    where
        F: Fn(&Instance<L>, &[AuditRecord]) -> Result<(), String> + Send + Sync + 'static,
    {
        self.with(Invariant::new(name, check))
    }

    /// Adds an invariant built with [`Invariant::new`] or [`Invariant::on_step`].
    pub fn with(mut self, invariant: Invariant<L>) -> Self {
        self.invariants.push(invariant);
        self
    }

    /// The definition under test.
    pub fn definition(&self) -> &Arc<Definition<L>> {
        &self.definition
    }

    /// The invariants checked after every step, in order.
    pub fn invariants(&self) -> &[Invariant<L>] {
        &self.invariants
    }

    /// Runs `script` on a fresh engine (a [`ManualClock`] at the script's start time
    /// and [`SeededIds`] from its seed) and checks every invariant after the
    /// creation and after each step. Stops at the first violation.
    pub fn run(&self, script: &Script<L>) -> Result<Run<L>, Failure> {
        let clock = Arc::new(ManualClock::new(script.start.at));
        let engine = Engine::new(Arc::clone(&self.definition))
            .with_clock(Arc::clone(&clock) as Arc<dyn Clock>)
            .with_ids(Arc::new(SeededIds::new(script.start.seed)));
        let steps = script.steps.len();
        let fail = |trace: Vec<TraceEntry>, at: usize, violation: Violation| Failure {
            definition: self.definition.reference().clone(),
            trace,
            at_step: at,
            script_steps: steps,
            violation,
            shrunk: false,
        };
        let (mut instance, record) = match engine.create(
            script.start.actor.clone(),
            &script.start.role,
            script.start.data.clone(),
            None,
        ) {
            Ok(created) => created,
            Err(e) => {
                return Err(fail(Vec::new(), 0, Violation::Engine { message: e.to_string() }));
            }
        };
        let mut trace = vec![TraceEntry {
            index: 0,
            wait: chrono::TimeDelta::zero(),
            record: record.clone(),
        }];
        let mut log = vec![record];
        if let Err(v) = self.check_all(0, None, None, &instance, &log) {
            return Err(fail(trace, 0, v));
        }
        for (i, step) in script.steps.iter().enumerate() {
            let index = i + 1;
            clock.advance(step.wait);
            let before = instance.clone();
            let command = Command::new(step.actor.clone(), step.role.clone(), step.action.clone());
            let record = match engine.apply(&mut instance, command) {
                Ok(r) => r,
                Err(e) => return Err(fail(trace, index, Violation::Engine { message: e.to_string() })),
            };
            trace.push(TraceEntry {
                index,
                wait: step.wait,
                record: record.clone(),
            });
            log.push(record);
            if let Err(v) = self.check_all(index, Some(step), Some(&before), &instance, &log) {
                return Err(fail(trace, index, v));
            }
        }
        Ok(Run { instance, log, trace })
    }

    fn check_all(
        &self,
        index: usize,
        step: Option<&crate::script::Step<L::Action>>,
        before: Option<&Instance<L>>,
        instance: &Instance<L>,
        log: &[AuditRecord],
    ) -> Result<(), Violation> {
        let Some(record) = log.last() else {
            return Ok(());
        };
        let view = StepView {
            definition: &self.definition,
            index,
            step,
            before,
            instance,
            log,
            record,
        };
        for inv in &self.invariants {
            inv.check(&view).map_err(|message| Violation::Invariant {
                name: inv.name().to_owned(),
                message,
            })?;
        }
        Ok(())
    }

    /// Generates `config.cases` scripts from `scenario`, runs each, and on the first
    /// failure shrinks it to a minimal script and returns its [`Failure`].
    pub fn check(&self, scenario: &Scenario<L>, config: &CheckConfig) -> Result<Summary, Failure> {
        check(scenario, config, |script| self.run(script).map(|run| run.log))
    }
}

/// How many scripts to try, from which seed, and how hard to shrink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckConfig {
    /// The number of scripts that must pass.
    pub cases: u32,
    /// The seed of proptest's random generator: the same seed tries the same
    /// scripts, so a check is reproducible.
    pub seed: u64,
    /// How many shrinking attempts proptest may make on a failure.
    pub max_shrink_iters: u32,
}

impl Default for CheckConfig {
    /// 64 cases, seed 0, up to 4096 shrinking attempts.
    fn default() -> Self {
        CheckConfig {
            cases: 64,
            seed: 0,
            max_shrink_iters: 4096,
        }
    }
}

impl CheckConfig {
    /// The default configuration with `cases` cases.
    pub fn cases(cases: u32) -> Self {
        CheckConfig {
            cases,
            ..CheckConfig::default()
        }
    }

    /// The same configuration with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// Runs `config.cases` scripts from `scenario` through `run`, which returns the log
/// of a passing script or the [`Failure`] of a failing one; on failure, proptest
/// shrinks the script and the minimal script's failure is returned.
///
/// [`Harness::check`] and [`ModelTest::check`](crate::ModelTest::check) are this
/// function with their own `run`.
pub fn check<L, F>(scenario: &Scenario<L>, config: &CheckConfig, run: F) -> Result<Summary, Failure>
where
    L: Lifecycle,
    F: Fn(&Script<L>) -> Result<Vec<AuditRecord>, Failure>,
{
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(config.seed),
        max_shrink_iters: config.max_shrink_iters,
        ..Config::default()
    };
    let summary = RefCell::new(Summary {
        definition: Some(scenario.definition().reference().clone()),
        ..Summary::default()
    });
    let mut runner = TestRunner::new(proptest_config);
    let result = runner.run(scenario, |script| match run(&script) {
        Ok(log) => {
            summary.borrow_mut().add(&log);
            Ok(())
        }
        Err(failure) => Err(TestCaseError::fail(failure.to_string())),
    });
    match result {
        Ok(()) => Ok(summary.into_inner()),
        Err(TestError::Fail(reason, script)) => match run(&script) {
            Err(mut failure) => {
                failure.shrunk = true;
                Err(failure)
            }
            Ok(_) => Err(Failure {
                definition: scenario.definition().reference().clone(),
                trace: Vec::new(),
                at_step: 0,
                script_steps: script.steps.len(),
                violation: Violation::Flaky {
                    message: reason.to_string(),
                    script: script.to_string(),
                },
                shrunk: true,
            }),
        },
        Err(TestError::Abort(reason)) => Err(Failure {
            definition: scenario.definition().reference().clone(),
            trace: Vec::new(),
            at_step: 0,
            script_steps: 0,
            violation: Violation::Aborted {
                message: reason.to_string(),
            },
            shrunk: false,
        }),
    }
}

/// What went wrong in a failed run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// An invariant did not hold after the step.
    Invariant {
        /// The invariant's name.
        name: String,
        /// What it reported.
        message: String,
    },
    /// The reference engine could not attempt the step at all (for example, the
    /// creating role may not create instances, or a payload does not encode).
    Engine {
        /// The engine's error.
        message: String,
    },
    /// A system under test observed something other than the reference engine.
    Divergence {
        /// What differed: `state`, `data`, `record`, `records`.
        what: String,
        /// What the reference engine has.
        expected: String,
        /// What the system under test shows.
        found: String,
    },
    /// A system under test returned an error where the reference engine did not.
    System {
        /// Its error.
        message: String,
    },
    /// The shrunk script passed when it was run again: the definition (or system
    /// under test) does not behave the same on the same input.
    Flaky {
        /// What the failing run had reported.
        message: String,
        /// The script.
        script: String,
    },
    /// Proptest gave up before finding enough cases (for example, every script was
    /// rejected).
    Aborted {
        /// Proptest's reason.
        message: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Invariant { name, message } => write!(f, "invariant {name:?} violated: {message}"),
            Violation::Engine { message } => write!(f, "the engine could not attempt the step: {message}"),
            Violation::Divergence { what, expected, found } => write!(
                f,
                "the system under test diverged from the reference engine in its {what}:\n    expected: {expected}\n    found:    {found}"
            ),
            Violation::System { message } => {
                write!(
                    f,
                    "the system under test failed where the reference engine did not: {message}"
                )
            }
            Violation::Flaky { message, script } => write!(
                f,
                "the failure did not happen again when the shrunk script was rerun; are the guards, effects and \
                 the system under test deterministic? The failing run reported: {message}\nscript:\n{script}"
            ),
            Violation::Aborted { message } => write!(f, "proptest gave up: {message}"),
        }
    }
}

/// A failed run: what was violated, at which step, and the trace that led there.
///
/// Its `Display` is the readable counter-example: a numbered list of the steps, with
/// the state before each, who acted in which role, the action and its payload, and
/// whether it was accepted (and where to) or refused (and why).
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The definition under test.
    pub definition: DefinitionRef,
    /// The steps run, the creation first, up to and including the failing one.
    pub trace: Vec<TraceEntry>,
    /// The number of the failing step (0 for the creation).
    pub at_step: usize,
    /// The number of steps in the script after the creation.
    pub script_steps: usize,
    /// What went wrong.
    pub violation: Violation,
    /// True when proptest shrank the script before this failure was reported.
    pub shrunk: bool,
}

impl Failure {
    /// The records of the trace, in order.
    pub fn records(&self) -> impl Iterator<Item = &AuditRecord> {
        self.trace.iter().map(|e| &e.record)
    }

    /// The actions of the trace after the creation, by name, in order.
    pub fn actions(&self) -> Vec<&str> {
        self.trace.iter().skip(1).map(|e| e.record.action.as_str()).collect()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.definition)?;
        writeln!(f, "{}", self.violation)?;
        if self.trace.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "{} at step {} of {}:",
            if self.shrunk {
                "minimal counter-example (shrunk)"
            } else {
                "counter-example"
            },
            self.at_step,
            self.script_steps
        )?;
        write_trace(f, &self.trace, Some(self.at_step))
    }
}

/// A failure is an error, so `harness.run(&script)?` fails a `proptest!` case with the
/// readable counter-example as its message (proptest turns any error into one).
impl std::error::Error for Failure {}

/// What a passing check covered: how many scripts, steps and refusals, which states
/// were reached and which transitions fired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The definition checked.
    pub definition: Option<DefinitionRef>,
    /// The number of scripts run.
    pub cases: usize,
    /// The number of attempts after the creations.
    pub steps: usize,
    /// How many attempts were accepted.
    pub accepted: usize,
    /// How many were refused.
    pub refused: usize,
    /// How many times each state was entered (by creation or an accepted transition).
    pub states: BTreeMap<String, usize>,
    /// How many times each transition fired, keyed `from --action--> to`.
    pub transitions: BTreeMap<String, usize>,
}

impl Summary {
    /// Adds one run's log.
    pub fn add(&mut self, log: &[AuditRecord]) {
        self.cases += 1;
        for r in log {
            match &r.outcome {
                Outcome::Created => *self.states.entry(r.from.to_string()).or_default() += 1,
                Outcome::Accepted { to } => {
                    self.steps += 1;
                    self.accepted += 1;
                    *self.states.entry(to.to_string()).or_default() += 1;
                    *self
                        .transitions
                        .entry(format!("{} --{}--> {to}", r.from, r.action))
                        .or_default() += 1;
                }
                Outcome::Refused { .. } => {
                    self.steps += 1;
                    self.refused += 1;
                }
            }
        }
    }

    /// The states of `definition` that no run reached.
    pub fn unreached_states<L: Lifecycle>(&self, definition: &Definition<L>) -> Vec<String> {
        definition
            .states()
            .iter()
            .map(|s| s.state.name().to_owned())
            .filter(|s| !self.states.contains_key(s))
            .collect()
    }

    /// The transitions of `definition` that never fired, as `from --action--> to`.
    pub fn unfired_transitions<L: Lifecycle>(&self, definition: &Definition<L>) -> Vec<String> {
        definition
            .transitions()
            .iter()
            .map(|t| format!("{} --{}--> {}", t.from.name(), t.action, t.to.name()))
            .filter(|t| !self.transitions.contains_key(t))
            .collect()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.definition {
            write!(f, "{d}: ")?;
        }
        writeln!(
            f,
            "{} scripts, {} attempts ({} accepted, {} refused)",
            self.cases, self.steps, self.accepted, self.refused
        )?;
        for (s, n) in &self.states {
            writeln!(f, "  state {s}: entered {n} times")?;
        }
        for (t, n) in &self.transitions {
            writeln!(f, "  {t}: {n} times")?;
        }
        Ok(())
    }
}
