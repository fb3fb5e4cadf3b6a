//! The explorer: exhaustive, bounded exploration of a definition's state space.
//!
//! # What is explored
//!
//! The explorer walks the *abstract* state graph of a definition: its nodes are the
//! definition's states, and its edges are `(from, action, role, to)` for every
//! transition and every role that may fire it among the roles in play. Guards are
//! arbitrary predicates over data, so the explorer treats their outcomes as choices:
//!
//! - `role` built-ins are decided exactly, since the edge's role is known;
//! - named guards are *unknown* (either outcome is possible) unless an outcome is
//!   assumed with [`Explorer::assume`];
//! - `payload_field` and `min_time_in_state` are unknown: a payload may or may not
//!   carry the field, and time may or may not have passed;
//! - `all`, `any` and `not` combine these three-valued verdicts.
//!
//! An edge whose guards can never pass is dropped (and its transition reported as
//! never enabled when no role can fire it); an edge whose guards may pass is kept and
//! marked *guarded*. Reachability is therefore "reachable for some outcome of the
//! guards", which makes `always (P ⇒ previously Q)` a safe check (a counter-example
//! path exists for some outcome of the guards, so no violation is missed) and
//! `from P, Q stays reachable` an optimistic one (the path found may need guards to
//! pass). [`Report`] says which edges of a path are guarded.
//!
//! # Bounds
//!
//! Exploration stops with [`ExploreError::TooManyStates`] or
//! [`ExploreError::TooDeep`] — never a panic and never a silently partial answer —
//! when more than [`max_states`](Explorer::max_states) nodes (states, or state and
//! history pairs for `previously` properties) or paths longer than
//! [`max_depth`](Explorer::max_depth) would be needed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use regula_core::{AuditRecord, Definition, DefinitionRef, GuardExpr, Lifecycle, Outcome, State};

use crate::Invariant;

/// One step of the abstract graph: `from --action[role]--> to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge<S> {
    /// The state left.
    pub from: S,
    /// The action.
    pub action: String,
    /// The role that fires it.
    pub role: String,
    /// The state entered (equal to `from` for a self-transition).
    pub to: S,
    /// True when the transition has guards that may refuse it; false when it always
    /// passes for this role.
    pub guarded: bool,
}

impl<S: State> fmt::Display for Edge<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} --{}[{}]{}--> {}",
            self.from.name(),
            self.action,
            self.role,
            if self.guarded { "?" } else { "" },
            self.to.name()
        )
    }
}

/// Shows a path as `a --x[r]--> b --y[r]--> c`.
pub fn show_path<S: State>(initial: &S, path: &[Edge<S>]) -> String {
    let mut out = initial.name().to_owned();
    for e in path {
        out.push_str(&format!(
            " --{}[{}]{}--> {}",
            e.action,
            e.role,
            if e.guarded { "?" } else { "" },
            e.to.name()
        ));
    }
    out
}

type StateTest<S> = Arc<dyn Fn(&S, bool) -> bool + Send + Sync>;
type StepTest<S> = Arc<dyn Fn(&Edge<S>) -> bool + Send + Sync>;

/// A predicate over states, with a description used in property names.
pub struct StatePredicate<S> {
    description: String,
    test: StateTest<S>,
}

impl<S> Clone for StatePredicate<S> {
    fn clone(&self) -> Self {
        StatePredicate {
            description: self.description.clone(),
            test: Arc::clone(&self.test),
        }
    }
}

impl<S> fmt::Debug for StatePredicate<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl<S: State> StatePredicate<S> {
    /// True in `state`.
    pub fn is(state: S) -> Self {
        StatePredicate {
            description: state.name().to_owned(),
            test: Arc::new(move |s, _| *s == state),
        }
    }

    /// True in any of `states`.
    pub fn any_of(states: impl IntoIterator<Item = S>) -> Self {
        let states: Vec<S> = states.into_iter().collect();
        StatePredicate {
            description: states.iter().map(|s| s.name()).collect::<Vec<_>>().join(" or "),
            test: Arc::new(move |s, _| states.contains(s)),
        }
    }

    /// True in terminal states.
    pub fn terminal() -> Self {
        StatePredicate {
            description: "terminal".to_owned(),
            test: Arc::new(|_, terminal| terminal),
        }
    }

    /// True in states that are not terminal.
    pub fn non_terminal() -> Self {
        StatePredicate {
            description: "non-terminal".to_owned(),
            test: Arc::new(|_, terminal| !terminal),
        }
    }

    /// True in every state.
    pub fn any() -> Self {
        StatePredicate {
            description: "any state".to_owned(),
            test: Arc::new(|_, _| true),
        }
    }

    /// A predicate of your own.
    pub fn new<F>(description: impl Into<String>, test: F) -> Self
    where
        F: Fn(&S) -> bool + Send + Sync + 'static,
    {
        StatePredicate {
            description: description.into(),
            test: Arc::new(move |s, _| test(s)),
        }
    }

    /// The negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        let test = self.test;
        StatePredicate {
            description: format!("not {}", self.description),
            test: Arc::new(move |s, t| !test(s, t)),
        }
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn holds(&self, state: &S, terminal: bool) -> bool {
        (self.test)(state, terminal)
    }
}

/// A predicate over steps (edges), with a description used in property names.
pub struct StepPredicate<S> {
    description: String,
    test: StepTest<S>,
}

impl<S> Clone for StepPredicate<S> {
    fn clone(&self) -> Self {
        StepPredicate {
            description: self.description.clone(),
            test: Arc::clone(&self.test),
        }
    }
}

impl<S> fmt::Debug for StepPredicate<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl<S: State> StepPredicate<S> {
    /// True for a step firing `action` (accepted, by any role).
    pub fn action(action: impl Into<String>) -> Self {
        let action = action.into();
        StepPredicate {
            description: action.clone(),
            test: Arc::new(move |e| e.action == action),
        }
    }

    /// True for a step firing `action` in `role`.
    pub fn action_by(action: impl Into<String>, role: impl Into<String>) -> Self {
        let (action, role) = (action.into(), role.into());
        StepPredicate {
            description: format!("{action} by {role}"),
            test: Arc::new(move |e| e.action == action && e.role == role),
        }
    }

    /// True for a step that enters `state` from another state.
    pub fn enters(state: S) -> Self {
        StepPredicate {
            description: format!("entering {}", state.name()),
            test: Arc::new(move |e| e.to == state && e.from != state),
        }
    }

    /// A predicate of your own.
    pub fn new<F>(description: impl Into<String>, test: F) -> Self
    where
        F: Fn(&Edge<S>) -> bool + Send + Sync + 'static,
    {
        StepPredicate {
            description: description.into(),
            test: Arc::new(test),
        }
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// What "previously" looks for: a step taken, or a state visited (the initial state
/// and the current one included).
pub enum Event<S> {
    /// Some step on the path so far satisfies the predicate.
    Step(StepPredicate<S>),
    /// Some state on the path so far satisfies the predicate.
    State(StatePredicate<S>),
}

impl<S> Clone for Event<S> {
    fn clone(&self) -> Self {
        match self {
            Event::Step(p) => Event::Step(p.clone()),
            Event::State(p) => Event::State(p.clone()),
        }
    }
}

impl<S> fmt::Debug for Event<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Step(p) => write!(f, "{p:?}"),
            Event::State(p) => write!(f, "in {p:?}"),
        }
    }
}

impl<S> From<StepPredicate<S>> for Event<S> {
    fn from(p: StepPredicate<S>) -> Self {
        Event::Step(p)
    }
}

impl<S> From<StatePredicate<S>> for Event<S> {
    fn from(p: StatePredicate<S>) -> Self {
        Event::State(p)
    }
}

/// A temporal property of a definition, checked by the [`Explorer`].
pub struct Property<S> {
    name: String,
    kind: PropertyKind<S>,
}

enum PropertyKind<S> {
    AlwaysPreviously { p: StatePredicate<S>, q: Event<S> },
    StaysReachable { p: StatePredicate<S>, q: StatePredicate<S> },
}

impl<S> Clone for Property<S> {
    fn clone(&self) -> Self {
        Property {
            name: self.name.clone(),
            kind: match &self.kind {
                PropertyKind::AlwaysPreviously { p, q } => PropertyKind::AlwaysPreviously {
                    p: p.clone(),
                    q: q.clone(),
                },
                PropertyKind::StaysReachable { p, q } => PropertyKind::StaysReachable {
                    p: p.clone(),
                    q: q.clone(),
                },
            },
        }
    }
}

impl<S> fmt::Debug for Property<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The first half of `always (P ⇒ previously Q)`; finish it with
/// [`previously`](Always::previously).
#[derive(Debug)]
pub struct Always<S>(StatePredicate<S>);

impl<S> Always<S> {
    /// Whenever the instance is in a state satisfying P, Q happened before (a step
    /// satisfying it was taken, or a state satisfying it was visited).
    pub fn previously(self, q: impl Into<Event<S>>) -> Property<S> {
        let q = q.into();
        Property {
            name: format!("always (in {:?} ⇒ previously {q:?})", self.0),
            kind: PropertyKind::AlwaysPreviously { p: self.0, q },
        }
    }
}

/// The first half of `from P, Q stays reachable`; finish it with
/// [`reachable`](Whenever::reachable).
#[derive(Debug)]
pub struct Whenever<S>(StatePredicate<S>);

impl<S> Whenever<S> {
    /// From every reachable state satisfying P, some state satisfying Q can still be
    /// reached (a P state that satisfies Q counts).
    pub fn reachable(self, q: StatePredicate<S>) -> Property<S> {
        Property {
            name: format!("from {:?}, {:?} stays reachable", self.0, q),
            kind: PropertyKind::StaysReachable { p: self.0, q },
        }
    }
}

impl<S> Property<S> {
    /// `always (P ⇒ previously Q)`: start with P.
    pub fn always(p: StatePredicate<S>) -> Always<S> {
        Always(p)
    }

    /// `from P, Q stays reachable`: start with P.
    pub fn whenever(p: StatePredicate<S>) -> Whenever<S> {
        Whenever(p)
    }

    /// The same property under another name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The property's name, as reports show it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// What a named guard depends on in the history, for the explorer: the guard can
/// pass only once `after` has happened — and, with [`reset_by`](GuardModel::reset_by),
/// only if no resetting step came since.
///
/// Without a model, a named guard may pass or fail anywhere. With one, the explorer
/// tracks a bit of history per model, so that a property like "published implies
/// previously approved" can hold even though `publish` is guarded by a data check
/// (`approved`) rather than by the table:
///
/// ```
/// # use regula_testkit::{GuardModel, StepPredicate};
/// # use regula_core::dynamic::DynState;
/// let approved = GuardModel::<DynState>::new("approved")
///     .after(StepPredicate::action("approve"))
///     .reset_by(StepPredicate::action("open_consultation"));
/// assert_eq!(approved.description(), "approved passes only after approve, unless open_consultation since");
/// ```
pub struct GuardModel<S> {
    guard: String,
    after: Event<S>,
    reset: Option<StepPredicate<S>>,
}

impl<S> Clone for GuardModel<S> {
    fn clone(&self) -> Self {
        GuardModel {
            guard: self.guard.clone(),
            after: self.after.clone(),
            reset: self.reset.clone(),
        }
    }
}

impl<S> fmt::Debug for GuardModel<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

impl<S> GuardModel<S> {
    /// A model of the named guard; without [`after`](GuardModel::after), it passes
    /// only where the initial state satisfies nothing, that is never.
    pub fn new(guard: impl Into<String>) -> Self {
        GuardModel {
            guard: guard.into(),
            after: Event::Step(StepPredicate {
                description: "nothing".to_owned(),
                test: Arc::new(|_| false),
            }),
            reset: None,
        }
    }

    /// The guard can pass only once `event` has happened.
    pub fn after(mut self, event: impl Into<Event<S>>) -> Self {
        self.after = event.into();
        self
    }

    /// A step satisfying `step` makes the guard fail again until `after` happens anew.
    pub fn reset_by(mut self, step: StepPredicate<S>) -> Self {
        self.reset = Some(step);
        self
    }

    /// The guard's name.
    pub fn guard(&self) -> &str {
        &self.guard
    }

    /// What the model says, in words.
    pub fn description(&self) -> String {
        let after = match &self.after {
            Event::Step(p) => p.description.clone(),
            Event::State(p) => format!("visiting {}", p.description),
        };
        match &self.reset {
            Some(r) => format!(
                "{} passes only after {after}, unless {} since",
                self.guard, r.description
            ),
            None => format!("{} passes only after {after}", self.guard),
        }
    }
}

impl<S: State + Send + Sync + 'static> GuardModel<S> {
    /// The model as an [`Invariant`], to check it against the real guard on generated
    /// runs ([`Harness::with`](crate::Harness::with)): after every accepted step whose
    /// transition's guards name this model's guard, the guards must not be bound to
    /// fail by the model on the run so far — if the engine let the step through where
    /// the model says it could not, the model is wrong, and the explorer would have
    /// proved properties of a lifecycle the engine does not run.
    ///
    /// The model is a claim that the guard *can* pass only after its event; it is
    /// never contradicted by the guard failing where the model allows it. Refused
    /// steps are not checked: the model says nothing about why a guard fails.
    pub fn checked<L>(&self) -> Invariant<L>
    where
        L: Lifecycle<State = S>,
    {
        let model = self.clone();
        Invariant::on_step(format!("guard model: {}", self.description()), move |view| {
            model.check_step(view.definition, view.log)
        })
    }

    /// [`GuardModel::checked`]'s check of the last record of `log`.
    fn check_step<L: Lifecycle<State = S>>(
        &self,
        definition: &Definition<L>,
        log: &[AuditRecord],
    ) -> Result<(), String> {
        let Some((record, before)) = log.split_last() else {
            return Ok(());
        };
        if !matches!(record.outcome, Outcome::Accepted { .. }) {
            return Ok(());
        }
        let Some(transition) = definition
            .transitions()
            .iter()
            .find(|t| t.from.name() == record.from && t.action == record.action)
        else {
            return Ok(());
        };
        let mentions = transition.guards.iter().any(|g| names_guard(g, &self.guard));
        if !mentions || self.may_pass_after(definition, before) {
            return Ok(());
        }
        let known = |name: &str| {
            if name == self.guard {
                Verdict::Fail
            } else {
                Verdict::Unknown
            }
        };
        let all = GuardExpr::All(transition.guards.clone());
        if verdict(&all, &record.role, &known) == Verdict::Fail {
            return Err(format!(
                "the engine accepted {} from {} (#{}), which needs {} to pass, where the model says it cannot: {}",
                record.action,
                record.from,
                record.seq,
                self.guard,
                self.description()
            ));
        }
        Ok(())
    }

    /// Whether the model lets its guard pass after the accepted steps of `log` (the
    /// explorer's history bit, computed over a real run).
    fn may_pass_after<L: Lifecycle<State = S>>(&self, definition: &Definition<L>, log: &[AuditRecord]) -> bool {
        let state = |name: &str| {
            definition
                .states()
                .iter()
                .find(|info| info.state.name() == name)
                .map(|info| info.state.clone())
        };
        let mut bit = match (&self.after, log.first().and_then(|r| state(&r.from))) {
            (Event::State(p), Some(initial)) => p.holds(&initial, definition.is_terminal(&initial)),
            _ => false,
        };
        for record in log {
            let Outcome::Accepted { to } = &record.outcome else {
                continue;
            };
            let (Some(from), Some(to)) = (state(&record.from), state(to)) else {
                continue;
            };
            let edge = Edge {
                from,
                action: record.action.to_string(),
                role: record.role.to_string(),
                to,
                guarded: false,
            };
            if self.reset.as_ref().is_some_and(|r| (r.test)(&edge)) {
                bit = false;
            }
            let hit = match &self.after {
                Event::Step(p) => (p.test)(&edge),
                Event::State(p) => p.holds(&edge.to, definition.is_terminal(&edge.to)),
            };
            if hit {
                bit = true;
            }
        }
        bit
    }
}

/// Whether `expr` refers to the named guard `name` anywhere.
fn names_guard(expr: &GuardExpr, name: &str) -> bool {
    match expr {
        GuardExpr::Guard(n) => n == name,
        GuardExpr::All(xs) | GuardExpr::Any(xs) => xs.iter().any(|x| names_guard(x, name)),
        GuardExpr::Not(x) => names_guard(x, name),
        _ => false,
    }
}

/// Why exploration stopped without a report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExploreError {
    /// More nodes would have to be explored than the bound allows.
    #[error(
        "exploration of {definition} stopped at the bound of {limit} nodes while {what} ({explored} explored, more \
         remain): the state space is larger than the bound; raise Explorer::max_states, or shrink the space with \
         Explorer::roles or Explorer::assume"
    )]
    TooManyStates {
        /// The definition.
        definition: DefinitionRef,
        /// What was being explored.
        what: String,
        /// The bound.
        limit: usize,
        /// How many nodes were explored.
        explored: usize,
    },
    /// Paths longer than the bound would have to be explored.
    #[error(
        "exploration of {definition} stopped at the depth bound of {limit} steps while {what} ({explored} nodes \
         explored, more remain deeper): raise Explorer::max_depth"
    )]
    TooDeep {
        /// The definition.
        definition: DefinitionRef,
        /// What was being explored.
        what: String,
        /// The bound.
        limit: usize,
        /// How many nodes were explored.
        explored: usize,
    },
    /// A role given to [`Explorer::roles`] is not declared.
    #[error("{definition} declares no role {role:?}")]
    UnknownRole {
        /// The definition.
        definition: DefinitionRef,
        /// The role.
        role: String,
    },
    /// More than 63 guard models were given.
    #[error("{definition}: {models} guard models, at most 63 are supported")]
    TooManyModels {
        /// The definition.
        definition: DefinitionRef,
        /// How many were given.
        models: usize,
    },
    /// A guard given to [`Explorer::assume`] or [`Explorer::model`] is not registered.
    #[error("{definition} registers no guard {guard:?}")]
    UnknownGuard {
        /// The definition.
        definition: DefinitionRef,
        /// The guard.
        guard: String,
    },
}

/// Explores a definition's abstract state space and checks properties over it.
///
/// ```
/// # use regula_core::{Definition, Registry, dynamic::{Dynamic, DynState}};
/// use regula_testkit::{Explorer, Property, StatePredicate, StepPredicate};
/// # let definition = Definition::<Dynamic>::from_toml(r#"
/// # name = "d"
/// # version = 1
/// # initial = "draft"
/// # terminal = ["published"]
/// # [states]
/// # draft = { zh = "草稿", en = "Draft" }
/// # approved = { zh = "已批准", en = "Approved" }
/// # published = { zh = "已发布", en = "Published" }
/// # [actions]
/// # approve = { zh = "批准", en = "Approve" }
/// # publish = { zh = "发布", en = "Publish" }
/// # [roles]
/// # editor = { zh = "编辑", en = "Editor" }
/// # [[transitions]]
/// # from = "draft"
/// # action = "approve"
/// # to = "approved"
/// # roles = ["editor"]
/// # [[transitions]]
/// # from = "approved"
/// # action = "publish"
/// # to = "published"
/// # roles = ["editor"]
/// # "#, &Registry::new())?;
/// let report = Explorer::new(definition)
///     .property(Property::always(StatePredicate::is(DynState::new("published"))).previously(StepPredicate::action("approve")))
///     .explore()?;
/// assert!(report.is_ok(), "{report}");
/// assert_eq!(report.path_to(&DynState::new("published")).map(|p| p.len()), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Explorer<L: Lifecycle> {
    definition: Arc<Definition<L>>,
    roles: Option<Vec<String>>,
    assumptions: BTreeMap<String, bool>,
    models: Vec<GuardModel<L::State>>,
    properties: Vec<Property<L::State>>,
    max_states: usize,
    max_depth: usize,
}

impl<L: Lifecycle> fmt::Debug for Explorer<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explorer")
            .field("definition", self.definition.reference())
            .field("roles", &self.roles)
            .field("assumptions", &self.assumptions)
            .field("models", &self.models)
            .field("properties", &self.properties)
            .field("max_states", &self.max_states)
            .field("max_depth", &self.max_depth)
            .finish()
    }
}

/// A three-valued guard verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Unknown,
}

impl Verdict {
    fn not(self) -> Self {
        match self {
            Verdict::Pass => Verdict::Fail,
            Verdict::Fail => Verdict::Pass,
            Verdict::Unknown => Verdict::Unknown,
        }
    }
}

fn verdict(expr: &GuardExpr, role: &str, named: &dyn Fn(&str) -> Verdict) -> Verdict {
    match expr {
        GuardExpr::Guard(name) => named(name),
        GuardExpr::All(xs) => {
            let vs: Vec<Verdict> = xs.iter().map(|x| verdict(x, role, named)).collect();
            if vs.contains(&Verdict::Fail) {
                Verdict::Fail
            } else if vs.iter().all(|v| *v == Verdict::Pass) {
                Verdict::Pass
            } else {
                Verdict::Unknown
            }
        }
        GuardExpr::Any(xs) => {
            if xs.is_empty() {
                return Verdict::Pass;
            }
            let vs: Vec<Verdict> = xs.iter().map(|x| verdict(x, role, named)).collect();
            if vs.contains(&Verdict::Pass) {
                Verdict::Pass
            } else if vs.iter().all(|v| *v == Verdict::Fail) {
                Verdict::Fail
            } else {
                Verdict::Unknown
            }
        }
        GuardExpr::Not(x) => verdict(x, role, named).not(),
        GuardExpr::Role(r) => {
            if r == role {
                Verdict::Pass
            } else {
                Verdict::Fail
            }
        }
        // Not known without a payload or a clock; and any future built-in too.
        _ => Verdict::Unknown,
    }
}

impl<L: Lifecycle> Explorer<L> {
    /// An explorer with every declared role in play, no assumptions, no properties,
    /// and bounds of 100 000 nodes and 10 000 steps.
    pub fn new(definition: impl Into<Arc<Definition<L>>>) -> Self {
        Explorer {
            definition: definition.into(),
            roles: None,
            assumptions: BTreeMap::new(),
            models: Vec::new(),
            properties: Vec::new(),
            max_states: 100_000,
            max_depth: 10_000,
        }
    }

    /// Only these roles act (for example, to ask what clerks alone can reach).
    pub fn roles<I, R>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.roles = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    /// Assumes the named guard always passes (`true`) or always fails (`false`).
    pub fn assume(mut self, guard: impl Into<String>, passes: bool) -> Self {
        self.assumptions.insert(guard.into(), passes);
        self
    }

    /// Tells the explorer what a named guard depends on in the history (see
    /// [`GuardModel`]); at most 63 models.
    pub fn model(mut self, model: GuardModel<L::State>) -> Self {
        self.models.push(model);
        self
    }

    /// Adds a property to check.
    pub fn property(mut self, property: Property<L::State>) -> Self {
        self.properties.push(property);
        self
    }

    /// The most nodes any one search may visit.
    pub fn max_states(mut self, n: usize) -> Self {
        self.max_states = n;
        self
    }

    /// The longest path any one search may follow.
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// Explores the state space and checks every property.
    pub fn explore(&self) -> Result<Report<L::State>, ExploreError> {
        let def = &self.definition;
        let reference = def.reference().clone();
        let roles: Vec<String> = match &self.roles {
            Some(rs) => {
                for r in rs {
                    if !def.has_role(r) {
                        return Err(ExploreError::UnknownRole {
                            definition: reference,
                            role: r.clone(),
                        });
                    }
                }
                rs.clone()
            }
            None => def.roles().iter().map(|r| r.name.clone()).collect(),
        };
        let named = self.assumptions.keys().chain(self.models.iter().map(|m| &m.guard));
        for g in named {
            if def.guard_named(g).is_none() {
                return Err(ExploreError::UnknownGuard {
                    definition: reference,
                    guard: g.clone(),
                });
            }
        }
        if self.models.len() > 63 {
            return Err(ExploreError::TooManyModels {
                definition: reference,
                models: self.models.len(),
            });
        }

        // The static graph: one edge per transition and role in play whose guards
        // are not always false for that role.
        let states: Vec<L::State> = def.states().iter().map(|s| s.state.clone()).collect();
        let index: HashMap<&L::State, usize> = states.iter().enumerate().map(|(i, s)| (s, i)).collect();
        let terminal: Vec<bool> = states.iter().map(|s| def.is_terminal(s)).collect();
        let mut edges: Vec<StaticEdge> = Vec::new();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); states.len()];
        for (ti, t) in def.transitions().iter().enumerate() {
            let (Some(&from), Some(&to)) = (index.get(&t.from), index.get(&t.to)) else {
                continue;
            };
            for role in t.roles.iter().filter(|r| roles.contains(r)) {
                let fixed = |name: &str| match self.assumptions.get(name) {
                    Some(true) => Verdict::Pass,
                    Some(false) => Verdict::Fail,
                    None => Verdict::Unknown,
                };
                if t.guards.iter().any(|g| verdict(g, role, &fixed) == Verdict::Fail) {
                    continue;
                }
                out[from].push(edges.len());
                edges.push(StaticEdge {
                    transition: ti,
                    from,
                    to,
                    role: role.clone(),
                    guards: t.guards.clone(),
                });
            }
        }
        let space = Space {
            states: &states,
            terminal: &terminal,
            edges: &edges,
            out: &out,
            initial: index.get(def.initial()).copied().unwrap_or(0),
            actions: def.transitions().iter().map(|t| t.action.clone()).collect(),
            models: &self.models,
            assumptions: &self.assumptions,
        };

        // Reachability and shortest paths over (state, history) nodes.
        let graph = self.build(&space, space.initial_flags(), |_, _, _| 0, "computing reachability")?;
        let can_terminate = graph.co_reachable(|node| terminal[node.0]);
        let mut fired = vec![false; def.transitions().len()];
        for succ in &graph.succ {
            for &(e, _, _) in succ {
                fired[edges[e].transition] = true;
            }
        }
        let never_enabled: Vec<String> = def
            .transitions()
            .iter()
            .zip(&fired)
            .filter(|(_, f)| !**f)
            .map(|(t, _)| format!("{} --{}--> {}", t.from.name(), t.action, t.to.name()))
            .collect();
        // Each state's nodes (one per history that reaches it), found in one pass.
        let mut nodes_of: Vec<Vec<usize>> = vec![Vec::new(); states.len()];
        for (n, node) in graph.nodes.iter().enumerate() {
            nodes_of[node.0].push(n);
        }
        // The paths are kept as the search found them, one parent link per node:
        // memory grows with the states, not with the states times their depth.
        let tree = PathTree {
            parent: graph
                .parent
                .iter()
                .map(|p| p.map(|(prev, e, guarded)| (prev, space.edge(&space.edges[e], guarded))))
                .collect(),
        };
        let mut depth = 0;
        let mut state_reports = Vec::with_capacity(states.len());
        for (i, s) in states.iter().enumerate() {
            let nodes = &nodes_of[i];
            let exits = |n: usize| {
                graph.succ[n]
                    .iter()
                    .filter(|(_, to, _)| graph.nodes[*to].0 != i)
                    .count()
            };
            // Nodes are numbered in breadth-first order: the first is the nearest.
            let node = nodes.first().copied();
            if let Some(n) = node {
                depth = depth.max(graph.depth[n]);
            }
            // A node is a dead end when nothing takes it anywhere else: self-loops that
            // only record, or nothing at all. (A self-loop that changes the history,
            // like an approval, does take it somewhere.)
            let dead = |n: usize| !terminal[i] && graph.succ[n].iter().all(|(_, to, _)| *to == n);
            let stuck_node = nodes.iter().copied().find(|&n| dead(n) || !can_terminate[n]);
            state_reports.push(StateReport {
                state: s.clone(),
                terminal: terminal[i],
                reachable: node.is_some(),
                node,
                exits: nodes.iter().map(|&n| exits(n)).min().unwrap_or(0),
                guarded_exits_only: nodes.iter().any(|&n| {
                    let mut xs = graph.succ[n]
                        .iter()
                        .filter(|(_, to, _)| graph.nodes[*to].0 != i)
                        .peekable();
                    xs.peek().is_some() && xs.all(|(_, _, guarded)| *guarded)
                }),
                dead_end: nodes.iter().any(|&n| dead(n)),
                reaches_terminal: nodes.iter().all(|&n| can_terminate[n]),
                stuck_node,
            });
        }

        let mut results = Vec::with_capacity(self.properties.len());
        for property in &self.properties {
            results.push(self.check(&space, &graph, property)?);
        }

        Ok(Report {
            definition: reference,
            initial: def.initial().clone(),
            roles,
            assumptions: self.assumptions.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            models: self.models.iter().map(|m| m.description()).collect(),
            states: state_reports,
            tree,
            never_enabled,
            properties: results,
            edges: edges.len(),
            depth,
        })
    }

    /// Breadth-first search over (state, flags) nodes from the initial state.
    /// `extra` adds bits to a node's flags after an edge, on top of the guard models'.
    fn build(
        &self,
        space: &Space<'_, L::State>,
        start: Flags,
        extra: impl Fn(Flags, &StaticEdge, usize) -> Flags,
        what: &str,
    ) -> Result<NodeGraph, ExploreError> {
        let mut graph = NodeGraph {
            nodes: vec![(space.initial, start)],
            index: HashMap::from([((space.initial, start), 0)]),
            parent: vec![None],
            depth: vec![0],
            succ: vec![Vec::new()],
        };
        let reference = || self.definition.reference().clone();
        let mut queue = VecDeque::from([0usize]);
        while let Some(n) = queue.pop_front() {
            let (s, flags) = graph.nodes[n];
            for &e in &space.out[s] {
                let edge = &space.edges[e];
                let Some(guarded) = space.enabled(edge, flags) else {
                    continue;
                };
                let next = (edge.to, space.next_flags(flags, edge) | extra(flags, edge, edge.to));
                let id = match graph.index.get(&next) {
                    Some(&id) => id,
                    None => {
                        let d = graph.depth[n] + 1;
                        if d > self.max_depth {
                            return Err(ExploreError::TooDeep {
                                definition: reference(),
                                what: what.to_owned(),
                                limit: self.max_depth,
                                explored: graph.nodes.len(),
                            });
                        }
                        if graph.nodes.len() >= self.max_states {
                            return Err(ExploreError::TooManyStates {
                                definition: reference(),
                                what: what.to_owned(),
                                limit: self.max_states,
                                explored: graph.nodes.len(),
                            });
                        }
                        let id = graph.nodes.len();
                        graph.nodes.push(next);
                        graph.index.insert(next, id);
                        graph.parent.push(Some((n, e, guarded)));
                        graph.depth.push(d);
                        graph.succ.push(Vec::new());
                        queue.push_back(id);
                        id
                    }
                };
                graph.succ[n].push((e, id, guarded));
            }
        }
        Ok(graph)
    }

    fn check(
        &self,
        space: &Space<'_, L::State>,
        graph: &NodeGraph,
        property: &Property<L::State>,
    ) -> Result<PropertyResult<L::State>, ExploreError> {
        let state_holds = |p: &StatePredicate<L::State>, s: usize| p.holds(&space.states[s], space.terminal[s]);
        let (path, message) = match &property.kind {
            PropertyKind::AlwaysPreviously { p, q } => {
                // One more bit of history: Q has happened on the path so far.
                let seen = |edge: &StaticEdge, to: usize| match q {
                    Event::Step(q) => (q.test)(&space.edge(edge, false)),
                    Event::State(q) => state_holds(q, to),
                };
                let initially = matches!(q, Event::State(q) if state_holds(q, space.initial));
                let start = space.initial_flags() | if initially { PROPERTY_BIT } else { 0 };
                let product = self.build(
                    space,
                    start,
                    |f, e, to| {
                        if f & PROPERTY_BIT != 0 || seen(e, to) {
                            PROPERTY_BIT
                        } else {
                            0
                        }
                    },
                    &format!("checking {}", property.name),
                )?;
                let bad = (0..product.nodes.len()).find(|&n| {
                    let (s, f) = product.nodes[n];
                    f & PROPERTY_BIT == 0 && state_holds(p, s)
                });
                match bad {
                    None => (None, String::new()),
                    Some(n) => (
                        Some(product.path(space, n)),
                        format!(
                            "{} is reached without {} before it",
                            space.states[product.nodes[n].0].name(),
                            match q {
                                Event::Step(q) => format!("a step {}", q.description),
                                Event::State(q) => format!("visiting {}", q.description),
                            }
                        ),
                    ),
                }
            }
            PropertyKind::StaysReachable { p, q } => {
                let ok = graph.co_reachable(|node| state_holds(q, node.0));
                let bad = (0..graph.nodes.len()).find(|&n| !ok[n] && state_holds(p, graph.nodes[n].0));
                match bad {
                    None => (None, String::new()),
                    Some(n) => (
                        Some(graph.path(space, n)),
                        format!(
                            "from {} no state that is {} can be reached",
                            space.states[graph.nodes[n].0].name(),
                            q.description
                        ),
                    ),
                }
            }
        };
        Ok(PropertyResult {
            name: property.name.clone(),
            holds: path.is_none(),
            counterexample: path.map(|path| Counterexample { path, message }),
        })
    }
}

/// A history bit per guard model, and one for the property being checked.
type Flags = u64;
const PROPERTY_BIT: Flags = 1 << 63;

struct StaticEdge {
    transition: usize,
    from: usize,
    to: usize,
    role: String,
    guards: Vec<GuardExpr>,
}

struct Space<'a, S> {
    states: &'a [S],
    terminal: &'a [bool],
    edges: &'a [StaticEdge],
    out: &'a [Vec<usize>],
    initial: usize,
    actions: Vec<String>,
    models: &'a [GuardModel<S>],
    assumptions: &'a BTreeMap<String, bool>,
}

impl<S: State> Space<'_, S> {
    /// The public form of an edge.
    fn edge(&self, e: &StaticEdge, guarded: bool) -> Edge<S> {
        Edge {
            from: self.states[e.from].clone(),
            action: self.actions.get(e.transition).cloned().unwrap_or_default(),
            role: e.role.clone(),
            to: self.states[e.to].clone(),
            guarded,
        }
    }

    /// `None` when the edge's guards cannot pass with this history, else whether
    /// they may fail.
    fn enabled(&self, e: &StaticEdge, flags: Flags) -> Option<bool> {
        let known = |name: &str| match self.assumptions.get(name) {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => match self.models.iter().position(|m| m.guard == name) {
                Some(i) if flags & (1 << i) == 0 => Verdict::Fail,
                _ => Verdict::Unknown,
            },
        };
        let vs: Vec<Verdict> = e.guards.iter().map(|g| verdict(g, &e.role, &known)).collect();
        if vs.contains(&Verdict::Fail) {
            None
        } else {
            Some(!vs.iter().all(|v| *v == Verdict::Pass))
        }
    }

    fn initial_flags(&self) -> Flags {
        let mut f = 0;
        for (i, m) in self.models.iter().enumerate() {
            if let Event::State(p) = &m.after
                && p.holds(&self.states[self.initial], self.terminal[self.initial])
            {
                f |= 1 << i;
            }
        }
        f
    }

    /// The guard-model bits after taking `e` (the property bit is dropped).
    fn next_flags(&self, flags: Flags, e: &StaticEdge) -> Flags {
        let mut f = flags & !PROPERTY_BIT;
        if self.models.is_empty() {
            return f;
        }
        let edge = self.edge(e, false);
        for (i, m) in self.models.iter().enumerate() {
            if m.reset.as_ref().is_some_and(|r| (r.test)(&edge)) {
                f &= !(1 << i);
            }
            let hit = match &m.after {
                Event::Step(p) => (p.test)(&edge),
                Event::State(p) => p.holds(&self.states[e.to], self.terminal[e.to]),
            };
            if hit {
                f |= 1 << i;
            }
        }
        f
    }
}

/// The search's shortest-path tree: for each node, the node before it and the edge
/// that led there (none for the start).
#[derive(Clone, Debug, PartialEq, Eq)]
struct PathTree<S> {
    parent: Vec<Option<(usize, Edge<S>)>>,
}

impl<S: State> PathTree<S> {
    /// The path from the start to node `n`.
    fn path(&self, mut n: usize) -> Vec<Edge<S>> {
        let mut path = Vec::new();
        while let Some(Some((prev, edge))) = self.parent.get(n) {
            path.push(edge.clone());
            n = *prev;
        }
        path.reverse();
        path
    }
}

struct NodeGraph {
    nodes: Vec<(usize, Flags)>,
    index: HashMap<(usize, Flags), usize>,
    parent: Vec<Option<(usize, usize, bool)>>,
    depth: Vec<usize>,
    succ: Vec<Vec<(usize, usize, bool)>>,
}

impl NodeGraph {
    /// The shortest path from the start to node `n`.
    fn path<S: State>(&self, space: &Space<'_, S>, mut n: usize) -> Vec<Edge<S>> {
        let mut path = Vec::new();
        while let Some((prev, e, guarded)) = self.parent[n] {
            path.push(space.edge(&space.edges[e], guarded));
            n = prev;
        }
        path.reverse();
        path
    }

    /// Which nodes can reach a node satisfying `target` (themselves included).
    fn co_reachable(&self, target: impl Fn((usize, Flags)) -> bool) -> Vec<bool> {
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (from, succ) in self.succ.iter().enumerate() {
            for &(_, to, _) in succ {
                incoming[to].push(from);
            }
        }
        let mut ok: Vec<bool> = self.nodes.iter().map(|&n| target(n)).collect();
        let mut queue: VecDeque<usize> = (0..self.nodes.len()).filter(|&n| ok[n]).collect();
        while let Some(n) = queue.pop_front() {
            for &from in &incoming[n] {
                if !ok[from] {
                    ok[from] = true;
                    queue.push_back(from);
                }
            }
        }
        ok
    }
}

/// What the explorer found about one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateReport<S> {
    /// The state.
    pub state: S,
    /// True when the state is terminal.
    pub terminal: bool,
    /// True when some path from the initial state reaches it.
    pub reachable: bool,
    /// The node of the search where the shortest such path ends
    /// ([`Report::path_to`] follows it back).
    node: Option<usize>,
    /// The number of enabled edges to other states (the fewest over the histories
    /// that reach it).
    pub exits: usize,
    /// True when, in some history that reaches it, it is not terminal and nothing
    /// takes the instance anywhere else.
    pub dead_end: bool,
    /// True when, in some history, every exit depends on a guard, so that the
    /// instance may be stuck here if the guards refuse.
    pub guarded_exits_only: bool,
    /// True when some terminal state is reachable from it, whatever the history
    /// that led there.
    pub reaches_terminal: bool,
    /// The node of the nearest history in which the state is a dead end or cannot
    /// reach a terminal state, if there is one ([`Report::stuck_path`]).
    stuck_node: Option<usize>,
}

/// A path that violates a property, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample<S> {
    /// The steps from the initial state.
    pub path: Vec<Edge<S>>,
    /// What goes wrong at the end of the path.
    pub message: String,
}

/// The verdict on one property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyResult<S> {
    /// The property's name.
    pub name: String,
    /// True when it holds in the explored space.
    pub holds: bool,
    /// The shortest counter-example when it does not.
    pub counterexample: Option<Counterexample<S>>,
}

/// What the explorer found: reachability, shortest paths, dead ends, states that
/// cannot terminate, transitions never enabled, and the verdict on each property.
///
/// Its `Display` is a readable report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report<S> {
    /// The definition explored.
    pub definition: DefinitionRef,
    /// Its initial state.
    pub initial: S,
    /// The roles in play.
    pub roles: Vec<String>,
    /// The guard outcomes assumed.
    pub assumptions: Vec<(String, bool)>,
    /// The guard models, described.
    pub models: Vec<String>,
    /// One entry per state, in declaration order.
    pub states: Vec<StateReport<S>>,
    /// The search's parent links, from which each path is read back.
    tree: PathTree<S>,
    /// Transitions no role in play can fire (`from --action--> to`).
    pub never_enabled: Vec<String>,
    /// The verdict on each property, in the order they were added.
    pub properties: Vec<PropertyResult<S>>,
    /// The number of edges of the abstract graph.
    pub edges: usize,
    /// The length of the longest shortest path.
    pub depth: usize,
}

impl<S: State> Report<S> {
    /// The report on `state`.
    pub fn state(&self, state: &S) -> Option<&StateReport<S>> {
        self.states.iter().find(|r| r.state == *state)
    }

    /// The shortest path from the initial state to `state`, if it is reachable
    /// (empty for the initial state).
    pub fn path_to(&self, state: &S) -> Option<Vec<Edge<S>>> {
        Some(self.tree.path(self.state(state)?.node?))
    }

    /// The shortest path to a history in which `state` is a dead end or cannot reach
    /// a terminal state, if there is one.
    pub fn stuck_path(&self, state: &S) -> Option<Vec<Edge<S>>> {
        Some(self.tree.path(self.state(state)?.stuck_node?))
    }

    /// States no path reaches.
    pub fn unreachable(&self) -> Vec<&S> {
        self.states.iter().filter(|r| !r.reachable).map(|r| &r.state).collect()
    }

    /// Reachable states that are not terminal and, in some history, have no enabled
    /// exit.
    pub fn dead_ends(&self) -> Vec<&S> {
        self.states
            .iter()
            .filter(|r| r.reachable && r.dead_end)
            .map(|r| &r.state)
            .collect()
    }

    /// Reachable states from which no terminal state can be reached.
    pub fn cannot_terminate(&self) -> Vec<&S> {
        self.states
            .iter()
            .filter(|r| r.reachable && !r.reaches_terminal)
            .map(|r| &r.state)
            .collect()
    }

    /// The verdict on the property named `name`.
    pub fn property(&self, name: &str) -> Option<&PropertyResult<S>> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The properties that do not hold.
    pub fn failed_properties(&self) -> Vec<&PropertyResult<S>> {
        self.properties.iter().filter(|p| !p.holds).collect()
    }

    /// Everything wrong, one line each: unreachable states, dead ends, states that
    /// cannot terminate, failed properties. Transitions never enabled are listed in
    /// the report but are not problems by themselves (restricting roles causes them).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.unreachable() {
            out.push(format!("state {} is unreachable", s.name()));
        }
        for s in self.dead_ends() {
            out.push(format!("state {} is a dead end", s.name()));
        }
        for s in self.cannot_terminate() {
            out.push(format!("no terminal state can be reached from {}", s.name()));
        }
        for p in self.failed_properties() {
            match &p.counterexample {
                Some(c) => out.push(format!(
                    "property {:?} fails: {}: {}",
                    p.name,
                    show_path(&self.initial, &c.path),
                    c.message
                )),
                None => out.push(format!("property {:?} fails", p.name)),
            }
        }
        out
    }

    /// True when there are no [`problems`](Report::problems).
    pub fn is_ok(&self) -> bool {
        self.problems().is_empty()
    }
}

impl<S: State> fmt::Display for Report<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Exploration of {} — roles: {}; {} states, {} edges, longest shortest path {}",
            self.definition,
            self.roles.join(", "),
            self.states.len(),
            self.edges,
            self.depth
        )?;
        if !self.assumptions.is_empty() {
            let a: Vec<String> = self
                .assumptions
                .iter()
                .map(|(g, v)| format!("{g} {}", if *v { "passes" } else { "fails" }))
                .collect();
            writeln!(f, "Assuming: {}", a.join(", "))?;
        }
        for m in &self.models {
            writeln!(f, "Modelling: {m}")?;
        }
        writeln!(f, "Shortest paths (? marks a guarded step):")?;
        let width = self.states.iter().map(|r| r.state.name().len()).max().unwrap_or(0);
        for r in &self.states {
            let what = match r.node.map(|n| self.tree.path(n)) {
                None => "UNREACHABLE".to_owned(),
                Some(p) if p.is_empty() => "initial".to_owned(),
                Some(p) => show_path(&self.initial, &p),
            };
            let mut notes = Vec::new();
            if r.terminal {
                notes.push("terminal");
            }
            if r.guarded_exits_only && !r.terminal {
                notes.push("every exit is guarded");
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  ({})", notes.join("; "))
            };
            writeln!(f, "  {:<width$}  {what}{notes}", r.state.name())?;
        }
        let list = |xs: Vec<&S>| -> String {
            if xs.is_empty() {
                "none".to_owned()
            } else {
                xs.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
            }
        };
        writeln!(f, "Unreachable states: {}", list(self.unreachable()))?;
        writeln!(f, "Dead ends: {}", list(self.dead_ends()))?;
        writeln!(
            f,
            "States that cannot reach a terminal state: {}",
            list(self.cannot_terminate())
        )?;
        writeln!(
            f,
            "Transitions never enabled: {}",
            if self.never_enabled.is_empty() {
                "none".to_owned()
            } else {
                self.never_enabled.join(", ")
            }
        )?;
        if !self.properties.is_empty() {
            writeln!(f, "Properties:")?;
            for p in &self.properties {
                writeln!(f, "  {} {}", if p.holds { "holds:" } else { "FAILS:" }, p.name)?;
                if let Some(c) = &p.counterexample {
                    writeln!(f, "    counter-example: {}", show_path(&self.initial, &c.path))?;
                    writeln!(f, "    {}", c.message)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_verdicts_are_three_valued() {
        let named = |name: &str| match name {
            "yes" => Verdict::Pass,
            "no" => Verdict::Fail,
            _ => Verdict::Unknown,
        };
        let v = |e: &GuardExpr| verdict(e, "judge", &named);
        let (yes, no, maybe) = (
            GuardExpr::named("yes"),
            GuardExpr::named("no"),
            GuardExpr::named("maybe"),
        );
        let judge = GuardExpr::Role("judge".into());
        let clerk = GuardExpr::Role("clerk".into());
        assert_eq!(v(&yes), Verdict::Pass);
        assert_eq!(v(&no), Verdict::Fail);
        assert_eq!(v(&maybe), Verdict::Unknown);
        assert_eq!(v(&judge), Verdict::Pass);
        assert_eq!(v(&clerk), Verdict::Fail);
        assert_eq!(v(&GuardExpr::all([yes.clone(), judge.clone()])), Verdict::Pass);
        assert_eq!(v(&GuardExpr::all([maybe.clone(), clerk.clone()])), Verdict::Fail);
        assert_eq!(v(&GuardExpr::all([maybe.clone(), yes.clone()])), Verdict::Unknown);
        assert_eq!(v(&GuardExpr::any([maybe.clone(), judge.clone()])), Verdict::Pass);
        assert_eq!(v(&GuardExpr::any([no.clone(), clerk.clone()])), Verdict::Fail);
        assert_eq!(v(&GuardExpr::any([no.clone(), maybe.clone()])), Verdict::Unknown);
        assert_eq!(v(&GuardExpr::any([])), Verdict::Pass);
        assert_eq!(v(&GuardExpr::not(clerk)), Verdict::Pass);
        assert_eq!(v(&GuardExpr::not(maybe)), Verdict::Unknown);
        assert_eq!(v(&GuardExpr::PayloadField("x".into())), Verdict::Unknown);
        assert_eq!(
            v(&GuardExpr::MinTimeInState(regula_core::Span::days(1))),
            Verdict::Unknown
        );
    }
}
