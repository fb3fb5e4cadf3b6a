//! Scenarios: proptest strategies that generate [`Script`]s for any definition.
//!
//! # How scripts are generated
//!
//! A scenario runs the real engine while it generates, on a
//! [`ManualClock`] and [`SeededIds`], so that it knows the state the instance is in
//! before each step. For each step it then picks, with probability
//! [`bias`](Scenario::bias), *moves the table allows*: up to
//! [`tries`](Scenario::tries) candidates, each a transition leaving the current
//! state, one of the roles it lists, an actor holding that role, a payload from the
//! user's generator for that action and a wait; it previews each with the engine and
//! keeps one the guards accept, or the last refused one when none is accepted. Both
//! when drawing candidates and when choosing among the accepted ones, a move into a
//! state the script has not entered yet weighs 4, a self-transition (which may change
//! the data a guard is waiting for) 2, and a move back into a state already entered or
//! into a terminal state 1, so that scripts go deep before they end. Otherwise it
//! picks *anything*: any action, any actor, any role — mostly refusals, which is what
//! the refusal invariants need. Once the instance is in a terminal state, a script
//! attempts two more steps (refused, unless they are self-transitions) and ends,
//! however long it was meant to be.
//!
//! # How scripts shrink
//!
//! A failing script shrinks in four phases, each step of which proptest keeps only
//! if the test still fails:
//!
//! 1. *Deleting steps*, in chunks that halve from half the script down to single
//!    steps, repeated until no single step can be deleted;
//! 2. *shortening waits*: each remaining wait is tried at zero, then searched by
//!    halving, to the second, for the shortest that still fails;
//! 3. *shrinking the initial data* with the data strategy's own shrinking;
//! 4. *shrinking payloads*, step by step, with the payload strategies' shrinking.
//!
//! When phases 2–4 kept any change, the phases run again from the deletions (a
//! shorter wait or a smaller payload can make a step unnecessary), until a whole
//! round changes nothing. The result is 1-minimal: removing any one remaining step
//! makes the failure disappear.
//!
//! Steps are concrete (actor, role, action with payload), so deleting one never
//! changes what the others attempt: a step that no longer fits is simply refused,
//! and the run shows it.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::RngCore;
use proptest::strategy::{BoxedStrategy, Just, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use regula_core::{Action, Actor, Command, Decision, Definition, Engine, Instance, Lifecycle, ManualClock, SeededIds};
use serde_json::Value;

use crate::script::{Script, Start, Step};

/// Generates [`Script`]s for one definition: who acts in which role, how payloads
/// and initial data are generated, how time passes, and how long scripts are.
///
/// A scenario is a proptest [`Strategy`]; use it in `proptest!` or hand it to
/// [`Harness::check`](crate::Harness::check).
///
/// ```
/// # use regula_testkit::Scenario;
/// # use regula_core::{Definition, dynamic::Dynamic, Registry};
/// # let definition = Definition::<Dynamic>::from_toml(r#"
/// # name = "d"
/// # version = 1
/// # initial = "a"
/// # terminal = ["b"]
/// # [states]
/// # a = { zh = "甲", en = "A" }
/// # b = { zh = "乙", en = "B" }
/// # [actions]
/// # go = { zh = "走", en = "Go" }
/// # [roles]
/// # clerk = { zh = "书记员", en = "Clerk" }
/// # [[transitions]]
/// # from = "a"
/// # action = "go"
/// # to = "b"
/// # roles = ["clerk"]
/// # "#, &Registry::new())?;
/// use proptest::prelude::*;
/// use regula_core::{Actor, DynAction};
///
/// let scenario = Scenario::new(definition, Just(serde_json::json!({})))
///     .actor(Actor::new("li.na"), ["clerk"])
///     .payload("go", "[a-z]{0,3}".prop_map(|s| DynAction::new("go", serde_json::json!({ "note": s }))))
///     .steps(0..=10);
/// # let _ = scenario;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scenario<L: Lifecycle> {
    definition: Arc<Definition<L>>,
    data: BoxedStrategy<L::Data>,
    actors: Vec<(Actor, Vec<String>)>,
    payloads: BTreeMap<String, Payload<L>>,
    waits: Vec<TimeDelta>,
    /// Per-action weights (absent: 1).
    weights: BTreeMap<String, usize>,
    bias: u32,
    tries: u32,
    min_steps: usize,
    max_steps: usize,
    start: DateTime<Utc>,
    seed: u64,
}

impl<L: Lifecycle> Clone for Scenario<L> {
    fn clone(&self) -> Self {
        Scenario {
            definition: Arc::clone(&self.definition),
            data: self.data.clone(),
            actors: self.actors.clone(),
            payloads: self.payloads.clone(),
            waits: self.waits.clone(),
            weights: self.weights.clone(),
            bias: self.bias,
            tries: self.tries,
            min_steps: self.min_steps,
            max_steps: self.max_steps,
            start: self.start,
            seed: self.seed,
        }
    }
}

impl<L: Lifecycle> fmt::Debug for Scenario<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("definition", &self.definition.reference())
            .field("actors", &self.actors)
            .field("payloads", &self.payloads.keys().collect::<Vec<_>>())
            .field("waits", &self.waits)
            .field("weights", &self.weights)
            .field("bias", &self.bias)
            .field("tries", &self.tries)
            .field("steps", &(self.min_steps..=self.max_steps))
            .finish_non_exhaustive()
    }
}

/// The time scripts start at unless told otherwise: 2024-01-01T00:00:00Z.
pub fn default_start() -> DateTime<Utc> {
    Utc.timestamp_opt(1_704_067_200, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

impl<L: Lifecycle> Scenario<L> {
    /// A scenario for `definition` whose instances start with data from `data`.
    ///
    /// Defaults: one actor per declared role (the actor `clerk-1` for the role
    /// `clerk`), no payload generators (an action without one is built with a `null`
    /// payload when [`Action::from_parts`] accepts that, and never attempted
    /// otherwise), 0 to 24 steps, waits of zero most of the time and otherwise of an
    /// hour up to a year, bias 85 %, 4 tries, start at 2024-01-01 UTC, seed 0.
    pub fn new<S>(definition: impl Into<Arc<Definition<L>>>, data: S) -> Self
    where
        S: Strategy<Value = L::Data> + 'static,
    {
        let hour = TimeDelta::hours(1);
        let day = TimeDelta::days(1);
        Scenario {
            definition: definition.into(),
            data: data.boxed(),
            actors: Vec::new(),
            payloads: BTreeMap::new(),
            weights: BTreeMap::new(),
            waits: vec![
                TimeDelta::zero(),
                TimeDelta::zero(),
                TimeDelta::zero(),
                TimeDelta::zero(),
                TimeDelta::zero(),
                TimeDelta::zero(),
                hour,
                day,
                day * 8,
                day * 31,
                day * 91,
                day * 366,
            ],
            bias: 85,
            tries: 4,
            min_steps: 0,
            max_steps: 24,
            start: default_start(),
            seed: 0,
        }
    }

    /// The definition scripts are generated for.
    pub fn definition(&self) -> &Arc<Definition<L>> {
        &self.definition
    }

    /// Adds an actor who may act in `roles`. Once any actor is added, only the added
    /// actors act; give two actors the same role to exercise guards that compare
    /// actors (for example "the approver is not the drafter").
    pub fn actor<I, R>(mut self, actor: Actor, roles: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.actors.push((actor, roles.into_iter().map(Into::into).collect()));
        self
    }

    /// Generates the payloads of the action named `action` with `strategy`, which
    /// must produce actions of that name.
    pub fn payload<S>(mut self, action: impl Into<String>, strategy: S) -> Self
    where
        S: Strategy<Value = L::Action> + 'static,
    {
        self.payloads.insert(action.into(), Payload::Fixed(strategy.boxed()));
        self
    }

    /// Generates the payloads of the action named `action` with a strategy made, at
    /// each step, from the instance as it is and the time of the attempt: for payloads
    /// that must fit the data (the number of an open item) or the date (a meeting held
    /// today).
    ///
    /// ```
    /// # use regula_testkit::Scenario;
    /// # use regula_core::dynamic::Dynamic;
    /// # fn with(scenario: Scenario<Dynamic>) -> Scenario<Dynamic> {
    /// use proptest::prelude::*;
    /// use regula_core::DynAction;
    ///
    /// scenario.payload_with("sign", |_instance, now| {
    ///     let today = now.date_naive().to_string();
    ///     Just(DynAction::new("sign", serde_json::json!({ "date": today }))).boxed()
    /// })
    /// # }
    /// ```
    pub fn payload_with<F>(mut self, action: impl Into<String>, strategy: F) -> Self
    where
        F: Fn(&Instance<L>, DateTime<Utc>) -> BoxedStrategy<L::Action> + Send + Sync + 'static,
    {
        self.payloads
            .insert(action.into(), Payload::Contextual(Arc::new(strategy)));
        self
    }

    /// Sets the waits a step chooses from (uniformly; repeat a value to weight it).
    /// An empty list means the clock never moves.
    pub fn waits(mut self, waits: impl IntoIterator<Item = TimeDelta>) -> Self {
        self.waits = waits.into_iter().collect();
        self
    }

    /// How often, relative to the other actions, a step that picks an allowed move
    /// picks `action`: every action weighs 1 unless told otherwise; 0 never picks it
    /// among allowed moves (a step that picks anything still may). A move into a
    /// state the script has not entered yet is still preferred, this weight times.
    ///
    /// Use it to reach states that sit behind a rarely chosen action, such as a
    /// withdrawal among many ordinary steps.
    pub fn action_weight(mut self, action: impl Into<String>, weight: u32) -> Self {
        self.weights.insert(action.into(), weight as usize);
        self
    }

    /// The percentage of steps that pick a move the table allows (the rest pick
    /// anything). Clamped to 0–100.
    pub fn bias(mut self, percent: u32) -> Self {
        self.bias = percent.min(100);
        self
    }

    /// How many allowed moves a step previews before it settles for one the guards
    /// refuse (at least 1).
    pub fn tries(mut self, tries: u32) -> Self {
        self.tries = tries.max(1);
        self
    }

    /// The number of steps after the creation, e.g. `0..=24` or `5..=5`; a script
    /// ends early two steps after its instance reaches a terminal state, and
    /// shrinking may delete steps below the minimum.
    pub fn steps(mut self, range: std::ops::RangeInclusive<usize>) -> Self {
        let (a, b) = range.into_inner();
        self.min_steps = a.min(b);
        self.max_steps = a.max(b);
        self
    }

    /// The time on the clock when each script's instance is created.
    pub fn start_at(mut self, at: DateTime<Utc>) -> Self {
        self.start = at;
        self
    }

    /// The seed of the [`SeededIds`] every script's run uses.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The actors, each with the roles they act in: the ones added with
    /// [`actor`](Scenario::actor), or by default one per declared role.
    pub fn actors(&self) -> Vec<(Actor, Vec<String>)> {
        if !self.actors.is_empty() {
            return self.actors.clone();
        }
        self.definition
            .roles()
            .iter()
            .map(|r| (Actor::new(format!("{}-1", r.name)), vec![r.name.clone()]))
            .collect()
    }

    /// The generator of every action the scenario can attempt: the user's, or a
    /// constant action with a `null` payload when the action type accepts one.
    fn generators(&self) -> BTreeMap<String, Payload<L>> {
        let mut out = BTreeMap::new();
        for a in self.definition.actions() {
            if let Some(p) = self.payloads.get(&a.name) {
                out.insert(a.name.clone(), p.clone());
            } else if let Ok(action) = L::Action::from_parts(&a.name, &Value::Null) {
                out.insert(a.name.clone(), Payload::Fixed(Just(action).boxed()));
            }
        }
        out
    }
}

/// How the payloads of one action are generated.
enum Payload<L: Lifecycle> {
    Fixed(BoxedStrategy<L::Action>),
    Contextual(Arc<ContextualPayload<L>>),
}

type ContextualPayload<L> =
    dyn Fn(&Instance<L>, DateTime<Utc>) -> BoxedStrategy<<L as Lifecycle>::Action> + Send + Sync;

impl<L: Lifecycle> Clone for Payload<L> {
    fn clone(&self) -> Self {
        match self {
            Payload::Fixed(s) => Payload::Fixed(s.clone()),
            Payload::Contextual(f) => Payload::Contextual(Arc::clone(f)),
        }
    }
}

impl<L: Lifecycle> Payload<L> {
    fn tree(
        &self,
        instance: &Instance<L>,
        now: DateTime<Utc>,
        runner: &mut TestRunner,
    ) -> NewTree<BoxedStrategy<L::Action>> {
        match self {
            Payload::Fixed(s) => s.new_tree(runner),
            Payload::Contextual(f) => f(instance, now).new_tree(runner),
        }
    }
}

fn pick_weighted(runner: &mut TestRunner, weights: &[usize]) -> usize {
    let total: usize = weights.iter().sum();
    let mut x = pick(runner, total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    0
}

fn pick(runner: &mut TestRunner, n: usize) -> usize {
    if n <= 1 {
        0
    } else {
        (runner.rng().next_u64() % n as u64) as usize
    }
}

/// How many steps a script attempts once its instance is in a terminal state.
const AFTER_TERMINAL: usize = 2;

/// A move: who, in which role, and the action's value tree.
type Move<L> = Option<(Actor, String, Slot<<L as Lifecycle>::Action>)>;

struct Candidate<L: Lifecycle> {
    wait: TimeDelta,
    actor: Actor,
    role: String,
    action: Slot<L::Action>,
}

/// The weight of a move into a state the script has not entered yet.
const NEW_STATE: usize = 4;

impl<L: Lifecycle> Scenario<L> {
    /// How much a move from `from` to `to` is preferred: into a new state most, then
    /// a self-transition (which may change the data a guard waits for), then back into
    /// a state already entered or into a terminal state.
    fn preference(&self, from: &L::State, to: &L::State, visited: &HashSet<L::State>) -> usize {
        if to == from {
            2
        } else if self.definition.is_terminal(to) || visited.contains(to) {
            1
        } else {
            NEW_STATE
        }
    }

    /// The weight of `action` set with [`action_weight`](Scenario::action_weight).
    fn action_weight_of(&self, action: &str) -> usize {
        self.weights.get(action).copied().unwrap_or(1)
    }

    fn allowed_move(
        &self,
        visited: &HashSet<L::State>,
        actors: &[(Actor, Vec<String>)],
        gens: &BTreeMap<String, Payload<L>>,
        instance: &Instance<L>,
        now: DateTime<Utc>,
        runner: &mut TestRunner,
    ) -> Result<Move<L>, proptest::test_runner::Reason> {
        let holders = |role: &str| -> Vec<usize> {
            actors
                .iter()
                .enumerate()
                .filter(|(_, (_, roles))| roles.iter().any(|r| r == role))
                .map(|(i, _)| i)
                .collect()
        };
        let moves: Vec<_> = self
            .definition
            .transitions_from(instance.state())
            .filter(|t| {
                gens.contains_key(&t.action)
                    && self.action_weight_of(&t.action) > 0
                    && t.roles.iter().any(|r| !holders(r).is_empty())
            })
            .collect();
        if moves.is_empty() {
            return Ok(None);
        }
        let weights: Vec<usize> = moves
            .iter()
            .map(|t| self.preference(&t.from, &t.to, visited) * self.action_weight_of(&t.action))
            .collect();
        let t = moves[pick_weighted(runner, &weights)];
        let roles: Vec<&String> = t.roles.iter().filter(|r| !holders(r).is_empty()).collect();
        let role = roles[pick(runner, roles.len())];
        let who = holders(role);
        let actor = actors[who[pick(runner, who.len())]].0.clone();
        let Some(generator) = gens.get(&t.action) else {
            return Ok(None);
        };
        Ok(Some((
            actor,
            role.clone(),
            Slot::new(generator.tree(instance, now, runner)?),
        )))
    }

    fn any_move(
        &self,
        actors: &[(Actor, Vec<String>)],
        gens: &BTreeMap<String, Payload<L>>,
        instance: &Instance<L>,
        now: DateTime<Utc>,
        runner: &mut TestRunner,
    ) -> Result<Move<L>, proptest::test_runner::Reason> {
        let names: Vec<&String> = gens.keys().collect();
        if names.is_empty() || actors.is_empty() {
            return Ok(None);
        }
        let name = names[pick(runner, names.len())];
        let (actor, own) = &actors[pick(runner, actors.len())];
        let declared = self.definition.roles();
        let role = if !own.is_empty() && (declared.is_empty() || pick(runner, 2) == 0) {
            own[pick(runner, own.len())].clone()
        } else if !declared.is_empty() {
            declared[pick(runner, declared.len())].name.clone()
        } else {
            return Ok(None);
        };
        let Some(generator) = gens.get(name) else {
            return Ok(None);
        };
        Ok(Some((
            actor.clone(),
            role,
            Slot::new(generator.tree(instance, now, runner)?),
        )))
    }
}

impl<L: Lifecycle> Strategy for Scenario<L> {
    type Tree = ScriptTree<L>;
    type Value = Script<L>;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let def = &self.definition;
        let actors = self.actors();
        let gens = self.generators();

        // The creation: an actor holding a role that may create instances.
        let creator_roles: Vec<String> = if def.creators().is_empty() {
            def.roles().iter().map(|r| r.name.clone()).collect()
        } else {
            def.creators().to_vec()
        };
        let creators: Vec<(usize, &String)> = actors
            .iter()
            .enumerate()
            .flat_map(|(i, (_, roles))| roles.iter().filter(|r| creator_roles.contains(r)).map(move |r| (i, r)))
            .collect();
        let (start_actor, start_role) = if creators.is_empty() {
            let Some(role) = creator_roles.first() else {
                return Err(format!(
                    "definition {} declares no role that can create instances",
                    def.reference()
                )
                .into());
            };
            (Actor::new(format!("{role}-1")), role.clone())
        } else {
            let (i, role) = creators[pick(runner, creators.len())];
            (actors[i].0.clone(), role.clone())
        };
        let data = Slot::new(self.data.new_tree(runner)?);

        let clock = Arc::new(ManualClock::new(self.start));
        let engine = Engine::new(Arc::clone(def))
            .with_clock(Arc::clone(&clock) as Arc<dyn regula_core::Clock>)
            .with_ids(Arc::new(SeededIds::new(self.seed)));
        let (mut instance, _) = engine
            .create(start_actor.clone(), &start_role, data.current(), None)
            .map_err(|e| format!("the scenario cannot create an instance: {e}"))?;

        let len = self.min_steps + pick(runner, self.max_steps - self.min_steps + 1);
        let mut steps: Vec<Candidate<L>> = Vec::with_capacity(len);
        let mut now = self.start;
        let mut visited = HashSet::from([instance.state().clone()]);
        let mut after_end = 0;
        for _ in 0..len {
            // Past a terminal state every attempt is refused: a couple of those check
            // that refusals change nothing, more would only lengthen the script.
            if def.is_terminal(instance.state()) {
                if after_end == AFTER_TERMINAL {
                    break;
                }
                after_end += 1;
            }
            let allowed = pick(runner, 100) < self.bias as usize;
            let tries = if allowed { self.tries.max(1) } else { 1 };
            let mut last: Option<Candidate<L>> = None;
            let mut accepted: Vec<(Candidate<L>, usize)> = Vec::new();
            for _ in 0..tries {
                let wait = if self.waits.is_empty() {
                    TimeDelta::zero()
                } else {
                    self.waits[pick(runner, self.waits.len())]
                };
                let at = now + wait;
                let mv = if allowed {
                    match self.allowed_move(&visited, &actors, &gens, &instance, at, runner)? {
                        Some(m) => Some(m),
                        None => self.any_move(&actors, &gens, &instance, at, runner)?,
                    }
                } else {
                    self.any_move(&actors, &gens, &instance, at, runner)?
                };
                let Some((actor, role, action)) = mv else {
                    break;
                };
                clock.set(at);
                let command = Command::new(actor.clone(), role.clone(), action.current());
                let candidate = Candidate {
                    wait,
                    actor,
                    role,
                    action,
                };
                match engine.preview(&instance, &command) {
                    Ok(Decision::Accept { to }) => {
                        let preference = self.preference(instance.state(), &to, &visited);
                        let w = preference * self.action_weight_of(command.action.name());
                        accepted.push((candidate, w));
                        if preference == NEW_STATE && w > 0 {
                            break;
                        }
                    }
                    _ => last = Some(candidate),
                }
            }
            // Among the moves the engine would accept, prefer those into new states;
            // settle for a refused one only when none was accepted.
            let chosen = if accepted.is_empty() {
                last
            } else {
                let weights: Vec<usize> = accepted.iter().map(|(_, w)| *w).collect();
                let i = pick_weighted(runner, &weights);
                Some(accepted.swap_remove(i).0)
            };
            let Some(step) = chosen else {
                continue;
            };
            now += step.wait;
            clock.set(now);
            let command = Command::new(step.actor.clone(), step.role.clone(), step.action.current());
            engine
                .apply(&mut instance, command)
                .map_err(|e| format!("the scenario cannot attempt a step: {e}"))?;
            visited.insert(instance.state().clone());
            steps.push(step);
        }
        if steps.len() < self.min_steps && gens.is_empty() {
            return Err(format!(
                "definition {}: no action can be generated; add Scenario::payload generators",
                def.reference()
            )
            .into());
        }
        let n = steps.len();
        Ok(ScriptTree {
            actor: start_actor,
            role: start_role,
            at: self.start,
            seed: self.seed,
            data,
            included: vec![true; n],
            steps,
            phase: Phase::Delete {
                chunk: (n / 2).max(1),
                pos: 0,
            },
            progress: false,
            changed: false,
            last: None,
        })
    }
}

/// A value that shrinks with its own strategy, and can be pinned back to the last
/// value known to fail when that strategy cannot find its way back.
struct Slot<T> {
    tree: Box<dyn ValueTree<Value = T>>,
    pinned: Option<T>,
    last_failing: Option<T>,
    done: bool,
}

impl<T: Clone + fmt::Debug> Slot<T> {
    fn new(tree: Box<dyn ValueTree<Value = T>>) -> Self {
        Slot {
            tree,
            pinned: None,
            last_failing: None,
            done: false,
        }
    }

    fn current(&self) -> T {
        match &self.pinned {
            Some(v) => v.clone(),
            None => self.tree.current(),
        }
    }

    /// Called when the current value fails.
    fn simplify(&mut self) -> bool {
        if self.done {
            return false;
        }
        let failing = self.tree.current();
        if self.tree.simplify() {
            self.last_failing = Some(failing);
            true
        } else {
            self.done = true;
            false
        }
    }

    /// Called when the current value passes.
    fn complicate(&mut self) -> bool {
        if self.done {
            return false;
        }
        if self.tree.complicate() {
            return true;
        }
        self.done = true;
        match self.last_failing.take() {
            Some(v) => {
                self.pinned = Some(v);
                true
            }
            None => false,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    Delete {
        chunk: usize,
        pos: usize,
    },
    /// Step `i`'s wait, searched between `lo` (known too short to fail) and the
    /// current wait (known to fail); `zero` once zero has been tried.
    Waits {
        i: usize,
        lo: TimeDelta,
        zero: bool,
    },
    Data,
    Actions(usize),
    Done,
}

#[derive(Debug)]
enum Change {
    Deleted(Vec<usize>),
    /// Step `i`'s wait was `old`, now `tried`.
    Wait {
        i: usize,
        old: TimeDelta,
        tried: TimeDelta,
    },
    Data,
    Action(usize),
}

/// The value tree of a [`Scenario`]: a generated script and how far it has shrunk
/// (see the [module documentation](self) for the shrinking phases).
pub struct ScriptTree<L: Lifecycle> {
    actor: Actor,
    role: String,
    at: DateTime<Utc>,
    seed: u64,
    data: Slot<L::Data>,
    steps: Vec<Candidate<L>>,
    included: Vec<bool>,
    phase: Phase,
    /// A deletion was kept in this pass over the steps.
    progress: bool,
    /// A change other than a deletion was kept since the last pass of deletions: a
    /// step may have become deletable, so the phases run again.
    changed: bool,
    last: Option<Change>,
}

impl<L: Lifecycle> ScriptTree<L> {
    fn live(&self) -> Vec<usize> {
        (0..self.steps.len()).filter(|&i| self.included[i]).collect()
    }
}

impl<L: Lifecycle> ValueTree for ScriptTree<L> {
    type Value = Script<L>;

    fn current(&self) -> Script<L> {
        Script {
            start: Start {
                actor: self.actor.clone(),
                role: self.role.clone(),
                data: self.data.current(),
                at: self.at,
                seed: self.seed,
            },
            steps: self
                .steps
                .iter()
                .zip(&self.included)
                .filter(|(_, inc)| **inc)
                .map(|(s, _)| Step {
                    wait: s.wait,
                    actor: s.actor.clone(),
                    role: s.role.clone(),
                    action: s.action.current(),
                })
                .collect(),
        }
    }

    fn simplify(&mut self) -> bool {
        // The current script fails: the last change, if any, is kept.
        match self.last {
            Some(Change::Deleted(_)) => self.progress = true,
            Some(_) => self.changed = true,
            None => {}
        }
        self.last = None;
        loop {
            match self.phase {
                Phase::Delete { chunk, pos } => {
                    let live = self.live();
                    if live.is_empty() {
                        self.phase = Phase::Waits {
                            i: 0,
                            lo: TimeDelta::zero(),
                            zero: false,
                        };
                    } else if pos >= live.len() {
                        if chunk > 1 {
                            self.phase = Phase::Delete {
                                chunk: chunk / 2,
                                pos: 0,
                            };
                            self.progress = false;
                        } else if self.progress {
                            self.progress = false;
                            self.phase = Phase::Delete { chunk: 1, pos: 0 };
                        } else {
                            self.phase = Phase::Waits {
                                i: 0,
                                lo: TimeDelta::zero(),
                                zero: false,
                            };
                        }
                    } else {
                        let n = chunk.min(live.len() - pos);
                        let deleted = live[pos..pos + n].to_vec();
                        for &i in &deleted {
                            self.included[i] = false;
                        }
                        self.last = Some(Change::Deleted(deleted));
                        return true;
                    }
                }
                Phase::Waits { i, lo, zero } => {
                    if i >= self.steps.len() {
                        self.phase = Phase::Data;
                        continue;
                    }
                    let wait = self.steps[i].wait;
                    let next = Phase::Waits {
                        i: i + 1,
                        lo: TimeDelta::zero(),
                        zero: false,
                    };
                    if !self.included[i] || wait.is_zero() {
                        self.phase = next;
                        continue;
                    }
                    // Zero first; then halving the distance between the longest wait
                    // known too short and the shortest known to fail, to the second.
                    let tried = if zero { lo + (wait - lo) / 2 } else { TimeDelta::zero() };
                    let tried = TimeDelta::seconds(tried.num_seconds());
                    if zero && (tried <= lo || tried >= wait) {
                        self.phase = next;
                        continue;
                    }
                    self.phase = Phase::Waits { i, lo, zero: true };
                    self.steps[i].wait = tried;
                    self.last = Some(Change::Wait { i, old: wait, tried });
                    return true;
                }
                Phase::Data => {
                    if self.data.simplify() {
                        self.last = Some(Change::Data);
                        return true;
                    }
                    self.phase = Phase::Actions(0);
                }
                Phase::Actions(i) => {
                    if i >= self.steps.len() {
                        // Another round when anything but a deletion was kept: a step
                        // may be deletable now, and the result must be 1-minimal.
                        if self.changed {
                            self.changed = false;
                            self.progress = false;
                            self.phase = Phase::Delete { chunk: 1, pos: 0 };
                        } else {
                            self.phase = Phase::Done;
                        }
                        continue;
                    }
                    if self.included[i] && self.steps[i].action.simplify() {
                        self.last = Some(Change::Action(i));
                        return true;
                    }
                    self.phase = Phase::Actions(i + 1);
                }
                Phase::Done => return false,
            }
        }
    }

    fn complicate(&mut self) -> bool {
        // The current script passes: undo (part of) the last change.
        match self.last.take() {
            None => false,
            Some(Change::Deleted(deleted)) => {
                for &i in &deleted {
                    self.included[i] = true;
                }
                if let Phase::Delete { pos, .. } = &mut self.phase {
                    *pos += deleted.len();
                }
                true
            }
            Some(Change::Wait { i, old, tried }) => {
                // `tried` was too short to fail: the search goes on above it.
                self.steps[i].wait = old;
                if let Phase::Waits { lo, .. } = &mut self.phase {
                    *lo = tried;
                }
                true
            }
            Some(Change::Data) => {
                let more = self.data.complicate();
                if more {
                    self.last = Some(Change::Data);
                }
                more
            }
            Some(Change::Action(i)) => {
                let more = self.steps[i].action.complicate();
                if more {
                    self.last = Some(Change::Action(i));
                }
                more
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::Config;
    use regula_core::dynamic::Dynamic;
    use regula_core::{DynAction, Registry};

    fn definition() -> Definition<Dynamic> {
        Definition::from_toml(
            r#"
            name = "tick"
            version = 1
            initial = "a"
            terminal = ["z"]
            [states]
            a = { zh = "甲", en = "A" }
            z = { zh = "终", en = "Z" }
            [actions]
            tick = { zh = "滴", en = "Tick" }
            end = { zh = "终", en = "End" }
            [roles]
            clerk = { zh = "书记员", en = "Clerk" }
            [[transitions]]
            from = "a"
            action = "tick"
            to = "a"
            roles = ["clerk"]
            [[transitions]]
            from = "a"
            action = "end"
            to = "z"
            roles = ["clerk"]
            "#,
            &Registry::new(),
        )
        .expect("valid")
    }

    /// Drives a tree the way proptest's runner does, with `fails` as the test.
    fn shrink<L: Lifecycle>(tree: &mut ScriptTree<L>, fails: impl Fn(&Script<L>) -> bool) -> usize {
        assert!(fails(&tree.current()), "the generated script must fail to be shrunk");
        let mut runs = 0;
        if tree.simplify() {
            loop {
                runs += 1;
                if fails(&tree.current()) {
                    if !tree.simplify() {
                        break;
                    }
                } else if !tree.complicate() {
                    break;
                }
            }
        }
        runs
    }

    fn ticks(script: &Script<Dynamic>) -> Vec<u64> {
        script
            .steps
            .iter()
            .filter_map(|s| s.action.payload.get("n").and_then(serde_json::Value::as_u64))
            .collect()
    }

    #[test]
    fn scripts_shrink_to_a_one_minimal_subsequence_with_shrunk_payloads() {
        let scenario = Scenario::new(definition(), Just(serde_json::json!({})))
            .payload(
                "tick",
                (0u64..1000).prop_map(|n| DynAction::new("tick", serde_json::json!({ "n": n }))),
            )
            .bias(100)
            .steps(40..=40);
        let mut runner = TestRunner::new(Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            ..Config::default()
        });
        // Fails when at least three ticks carry n >= 10: the minimal script is three
        // ticks of exactly 10, with no waits.
        let fails = |s: &Script<Dynamic>| ticks(s).iter().filter(|n| **n >= 10).count() >= 3;
        let mut tree = loop {
            let tree = scenario.new_tree(&mut runner).expect("generates");
            if fails(&tree.current()) {
                break tree;
            }
        };
        let runs = shrink(&mut tree, fails);
        let minimal = tree.current();
        assert_eq!(ticks(&minimal), [10, 10, 10], "{minimal}");
        assert_eq!(minimal.steps.len(), 3, "{minimal}");
        assert!(minimal.steps.iter().all(|s| s.wait.is_zero()), "{minimal}");
        assert!(runs < 400, "{runs} runs to shrink");
    }

    /// A planted bug whose minimal script is known, and which only the repeated
    /// phases find: a tick weighs 2 when 10 <= n < 100, 1 when n >= 100, and the
    /// script fails when the weights reach 4. The deletions keep four heavy ticks
    /// (n >= 100, each needed); shrinking their payloads makes each weigh 2, and only
    /// a second pass of deletions gets down to the two ticks of exactly 10.
    #[test]
    fn shrinking_repeats_its_phases_until_the_script_is_one_minimal() {
        let scenario = Scenario::new(definition(), Just(serde_json::json!({})))
            .payload(
                "tick",
                (0u64..1000).prop_map(|n| DynAction::new("tick", serde_json::json!({ "n": n }))),
            )
            .bias(100)
            .steps(40..=40);
        let weight = |n: &u64| match *n {
            0..=9 => 0,
            10..=99 => 2,
            _ => 1,
        };
        let fails = |s: &Script<Dynamic>| ticks(s).iter().map(weight).sum::<u64>() >= 4;
        for seed in [7, 8, 9] {
            let mut runner = TestRunner::new(Config {
                rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
                ..Config::default()
            });
            let mut tree = loop {
                let tree = scenario.new_tree(&mut runner).expect("generates");
                if fails(&tree.current()) {
                    break tree;
                }
            };
            shrink(&mut tree, fails);
            let minimal = tree.current();
            assert_eq!(ticks(&minimal), [10, 10], "seed {seed}: {minimal}");
            // 1-minimal: without any one step, the script passes.
            for i in 0..minimal.steps.len() {
                let mut fewer = minimal.clone();
                fewer.steps.remove(i);
                assert!(!fails(&fewer), "seed {seed}: step {i} of {minimal} is not needed");
            }
        }
    }

    /// Per-action weights steer which allowed move a step takes.
    #[test]
    fn action_weights_steer_the_moves() {
        let base = Scenario::new(definition(), Just(serde_json::json!({})))
            .payload("tick", Just(DynAction::new("tick", serde_json::json!({ "n": 1 }))))
            .payload("end", Just(DynAction::new("end", serde_json::json!({}))))
            .bias(100)
            .steps(10..=10);
        let actions = |scenario: &Scenario<Dynamic>, seed: u64| -> Vec<Vec<String>> {
            let mut runner = TestRunner::new(Config {
                rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
                ..Config::default()
            });
            (0..32)
                .map(|_| {
                    let script = scenario.new_tree(&mut runner).expect("generates").current();
                    script.steps.iter().map(|s| s.action.name.clone()).collect()
                })
                .collect()
        };
        // Never ending: not one step ends the instance.
        let never = actions(&base.clone().action_weight("end", 0), 1);
        assert!(never.iter().all(|steps| steps.iter().all(|a| a == "tick")), "{never:?}");
        // Ending strongly preferred: most scripts end at their first step.
        let first = actions(&base.clone().action_weight("end", 1000), 1);
        let ended_first = first
            .iter()
            .filter(|steps| steps.first().is_some_and(|a| a == "end"))
            .count();
        assert!(ended_first >= 30, "{ended_first} of 32 ended first: {first:?}");
        // Without weights, ticking (a move into the same state) and ending both occur.
        let plain = actions(&base, 1);
        assert!(plain.iter().flatten().any(|a| a == "tick") && plain.iter().flatten().any(|a| a == "end"));
    }

    /// Waits shrink by halving to the shortest that still fails, not only to zero.
    #[test]
    fn a_wait_shrinks_to_the_shortest_that_still_fails() {
        let day = TimeDelta::days(1);
        let scenario = Scenario::new(definition(), Just(serde_json::json!({})))
            .payload("tick", Just(DynAction::new("tick", serde_json::json!({ "n": 1 }))))
            .waits([day * 91])
            .bias(100)
            .steps(5..=5);
        let mut runner = TestRunner::new(Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(3),
            ..Config::default()
        });
        // Fails when the script spans at least 10 days and 7 hours.
        let threshold = day * 10 + TimeDelta::hours(7);
        let fails = |s: &Script<Dynamic>| s.steps.iter().map(|st| st.wait).sum::<TimeDelta>() >= threshold;
        let mut tree = scenario.new_tree(&mut runner).expect("generates");
        shrink(&mut tree, fails);
        let minimal = tree.current();
        assert_eq!(minimal.steps.len(), 1, "{minimal}");
        assert_eq!(minimal.steps[0].wait, threshold, "{minimal}");
    }

    #[test]
    fn a_script_stops_soon_after_a_terminal_state() {
        let scenario = Scenario::new(definition(), Just(serde_json::json!({}))).steps(30..=30);
        let mut runner = TestRunner::new(Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(1),
            ..Config::default()
        });
        for _ in 0..20 {
            let script = scenario.new_tree(&mut runner).expect("generates").current();
            let end = script
                .steps
                .iter()
                .position(|s| s.action.name == "end" && s.role == "clerk");
            if let Some(i) = end {
                assert!(script.steps.len() <= i + 1 + AFTER_TERMINAL, "{script}");
            }
        }
        // Without payload generators or null-payload actions nothing can be attempted.
        assert_eq!(
            Scenario::new(definition(), Just(serde_json::json!({})))
                .generators()
                .len(),
            2,
            "DynAction accepts a null payload"
        );
    }
}
