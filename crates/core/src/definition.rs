//! Definitions: states, actions, roles, guards and transitions, declared once as data
//! and validated when built.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::Lifecycle;
use crate::calendar::CalendarSpan;
use crate::deadline::{Deadline, DeadlineGoal, DeadlineStart, Lateness, Pending};
use crate::guard::{Evaluator, GuardCheck, GuardExpr, GuardInput, NamedGuard, Reason, ReasonCode};
use crate::instance::Instance;
use crate::label::Text;
use crate::lifecycle::{Action, State};
use crate::payload::Payload;
use crate::record::{Actor, DefinitionRef, Name};

/// A state of a definition, with its labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateInfo<S> {
    /// The state.
    pub state: S,
    /// Its labels.
    pub label: Text,
}

/// An action (or a role) declared in a definition, with its labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameInfo {
    /// The machine name.
    pub name: String,
    /// Its labels.
    pub label: Text,
}

impl NameInfo {
    /// Whether `given` names this: its machine name, its Chinese label, or its English
    /// label in any case (people type the words they read).
    pub fn is_named(&self, given: &str) -> bool {
        let given = given.trim();
        self.name == given || self.label.zh == given || self.label.en.eq_ignore_ascii_case(given)
    }
}

/// One row of the transition table: `(from, action) → to`, who may fire it and
/// under which guards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition<S> {
    /// The state the transition leaves.
    pub from: S,
    /// The action that fires it.
    pub action: String,
    /// The state it leads to (equal to `from` for a transition that only records).
    pub to: S,
    /// The roles allowed to fire it.
    pub roles: Vec<String>,
    /// Guards that must all pass.
    pub guards: Vec<GuardExpr>,
}

impl<S> Transition<S> {
    /// A transition with no roles and no guards yet.
    pub fn new(from: S, action: impl Into<String>, to: S) -> Self {
        Transition {
            from,
            action: action.into(),
            to,
            roles: Vec::new(),
            guards: Vec::new(),
        }
    }

    /// Allows these roles to fire the transition.
    pub fn by<I, R>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Adds a guard expression; all of a transition's guards must pass.
    pub fn guard(mut self, expr: GuardExpr) -> Self {
        self.guards.push(expr);
        self
    }

    /// Adds a named guard.
    pub fn when(self, guard: impl Into<String>) -> Self {
        self.guard(GuardExpr::Guard(guard.into()))
    }

    /// True when the transition does not change the state.
    pub fn is_self_loop(&self) -> bool
    where
        S: PartialEq,
    {
        self.from == self.to
    }
}

/// What an effect sees besides the data it updates.
#[non_exhaustive]
pub struct EffectInput<'a, L: Lifecycle> {
    /// The accepted action.
    pub action: &'a L::Action,
    /// The state before.
    pub from: &'a L::State,
    /// The state after.
    pub to: &'a L::State,
    /// Who fired it.
    pub actor: &'a Actor,
    /// In which role.
    pub role: &'a str,
    /// When (the record's time).
    pub at: DateTime<Utc>,
    /// The sequence number of the record.
    pub seq: u64,
}

/// How an accepted action changes an instance's data: a pure function, run both live
/// and on replay, so it must depend on nothing but its inputs.
pub type Effect<L> = Arc<dyn Fn(&mut <L as Lifecycle>::Data, &EffectInput<'_, L>) + Send + Sync>;

/// How an instance's data is upgraded when it migrates onto a definition version from
/// an earlier one (see [`DefinitionBuilder::upgrade_from`]): a pure function, run both
/// live and on replay.
pub type DataUpgrade<L> = Arc<dyn Fn(&mut <L as Lifecycle>::Data) + Send + Sync>;

/// A check of the data a new instance is created with: `Ok(())`, or why the data is
/// refused (see [`DefinitionBuilder::creation_check`]).
pub type CreationCheck<L> = Arc<dyn Fn(&<L as Lifecycle>::Data) -> Result<(), Text> + Send + Sync>;

/// The action name of creation records, reserved: no definition may declare it.
pub const CREATE_ACTION: &str = "create";

/// The action name of migration records (an instance moving onto a newer version of
/// its definition, [`Engine::migrate`](crate::Engine::migrate)), reserved: no
/// definition may declare it.
pub const MIGRATE_ACTION: &str = "migrate";

/// A definition could not be built; the error names the culprit. Messages number
/// transitions from 1; the `transition` and `first` fields are 0-based indices.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// The definition has an empty name.
    #[error("the definition has no name")]
    EmptyName,
    /// No initial state was set.
    #[error("definition {definition:?}: no initial state was set")]
    NoInitial {
        /// The definition.
        definition: String,
    },
    /// A state was declared twice.
    #[error("definition {definition:?}: state {state:?} is declared twice")]
    DuplicateState {
        /// The definition.
        definition: String,
        /// The state.
        state: String,
    },
    /// An action was declared twice.
    #[error("definition {definition:?}: action {action:?} is declared twice")]
    DuplicateAction {
        /// The definition.
        definition: String,
        /// The action.
        action: String,
    },
    /// A role was declared twice.
    #[error("definition {definition:?}: role {role:?} is declared twice")]
    DuplicateRole {
        /// The definition.
        definition: String,
        /// The role.
        role: String,
    },
    /// A guard was registered twice.
    #[error("definition {definition:?}: guard {guard:?} is registered twice")]
    DuplicateGuard {
        /// The definition.
        definition: String,
        /// The guard.
        guard: String,
    },
    /// A label lacks its zh or en text.
    #[error("definition {definition:?}: {what} {name:?} needs both a zh and an en label")]
    MissingLabel {
        /// The definition.
        definition: String,
        /// `state`, `action` or `role`.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// The initial state or a terminal state, or a transition, names an undeclared state.
    #[error("definition {definition:?}: {place} names undeclared state {state:?}")]
    UnknownState {
        /// The definition.
        definition: String,
        /// Where it was named.
        place: Place,
        /// The state.
        state: String,
    },
    /// A transition names an undeclared action.
    #[error("definition {definition:?}: transition {} names undeclared action {action:?}", .transition + 1)]
    UnknownAction {
        /// The definition.
        definition: String,
        /// The transition's position in declaration order, from 0.
        transition: usize,
        /// The action.
        action: String,
    },
    /// A transition or guard names an undeclared role.
    #[error("definition {definition:?}: {place} names undeclared role {role:?}")]
    UnknownRole {
        /// The definition.
        definition: String,
        /// Where it was named.
        place: Place,
        /// The role.
        role: String,
    },
    /// A transition names a guard that is not registered.
    #[error(
        "definition {definition:?}: transition {} ({from} --{action}-->) uses unregistered guard {guard:?}", .transition + 1
    )]
    UnknownGuard {
        /// The definition.
        definition: String,
        /// The transition's position, from 0.
        transition: usize,
        /// Its from state.
        from: String,
        /// Its action.
        action: String,
        /// The guard.
        guard: String,
    },
    /// A transition lists no role, so nobody could fire it.
    #[error("definition {definition:?}: transition {} ({from} --{action}-->) allows no role", .transition + 1)]
    NoRoles {
        /// The definition.
        definition: String,
        /// The transition's position, from 0.
        transition: usize,
        /// Its from state.
        from: String,
        /// Its action.
        action: String,
    },
    /// The same `(from, action, to)` was declared twice.
    #[error(
        "definition {definition:?}: transition {} ({from} --{action}--> {to}) duplicates transition {}", .transition + 1, .first + 1
    )]
    DuplicateTransition {
        /// The definition.
        definition: String,
        /// The later transition's position, from 0.
        transition: usize,
        /// The earlier one's position.
        first: usize,
        /// From state.
        from: String,
        /// Action.
        action: String,
        /// To state.
        to: String,
    },
    /// The same `(from, action)` leads to two different states.
    #[error(
        "definition {definition:?}: transition {} makes {from} --{action}--> ambiguous: it leads to {to} here and to {other} in transition {}", .transition + 1, .first + 1
    )]
    AmbiguousTransition {
        /// The definition.
        definition: String,
        /// The later transition's position, from 0.
        transition: usize,
        /// The earlier one's position.
        first: usize,
        /// From state.
        from: String,
        /// Action.
        action: String,
        /// This transition's target.
        to: String,
        /// The earlier transition's target.
        other: String,
    },
    /// A state cannot be reached from the initial state.
    #[error("definition {definition:?}: state {state:?} cannot be reached from the initial state {initial:?}")]
    Unreachable {
        /// The definition.
        definition: String,
        /// The unreachable state.
        state: String,
        /// The initial state.
        initial: String,
    },
    /// A state that is not terminal has no transition to another state.
    #[error("definition {definition:?}: state {state:?} is not terminal but has no transition to another state")]
    DeadEnd {
        /// The definition.
        definition: String,
        /// The state.
        state: String,
    },
    /// A terminal state has a transition to another state.
    #[error(
        "definition {definition:?}: terminal state {state:?} has an exit: transition {} --{action}--> {to}", .transition + 1
    )]
    TerminalExit {
        /// The definition.
        definition: String,
        /// The terminal state.
        state: String,
        /// The transition's position, from 0.
        transition: usize,
        /// Its action.
        action: String,
        /// Where it leads.
        to: String,
    },
    /// A creator role was not declared.
    #[error("definition {definition:?}: creator role {role:?} is not declared")]
    UnknownCreator {
        /// The definition.
        definition: String,
        /// The role.
        role: String,
    },
    /// An action has a name the engine reserves for its own records
    /// ([`CREATE_ACTION`], [`MIGRATE_ACTION`]).
    #[error(
        "definition {definition:?}: action {action:?} is reserved for the engine's own records (create, migrate); choose another name"
    )]
    ReservedAction {
        /// The definition.
        definition: String,
        /// The action.
        action: String,
    },
    /// A migrator role was not declared.
    #[error("definition {definition:?}: migrator role {role:?} is not declared")]
    UnknownMigrator {
        /// The definition.
        definition: String,
        /// The role.
        role: String,
    },
    /// A deadline cannot be kept as declared (unknown state or action, no label, a
    /// terminal state to leave, an action no transition takes, an empty span).
    #[error("definition {definition:?}: deadline {deadline:?}: {problem}")]
    InvalidDeadline {
        /// The definition.
        definition: String,
        /// The deadline's name.
        deadline: String,
        /// What is wrong, and what would be right.
        problem: String,
    },
    /// A data upgrade was registered for a version that is not earlier than the
    /// definition's own, or twice for the same version.
    #[error("definition {definition:?} v{version}: data upgrade from version {from}: {problem}")]
    InvalidUpgrade {
        /// The definition.
        definition: String,
        /// The definition's version.
        version: u32,
        /// The version the upgrade starts from.
        from: u32,
        /// What is wrong: `not an earlier version` or `registered twice`.
        problem: &'static str,
    },
}

/// Where in a definition an undeclared name was used. Transitions are shown numbered
/// from 1, as people count them; the index held is 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The initial state.
    Initial,
    /// The list of terminal states.
    Terminal,
    /// The transition at this position (from 0).
    Transition(usize),
    /// A guard of the transition at this position.
    GuardOf(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Initial => f.write_str("the initial state"),
            Place::Terminal => f.write_str("a terminal state"),
            // Counted from 1 for people; the index itself stays 0-based.
            Place::Transition(i) => write!(f, "transition {}", i + 1),
            Place::GuardOf(i) => write!(f, "a guard of transition {}", i + 1),
        }
    }
}

/// Builds a [`Definition`]; every check happens in [`build`](DefinitionBuilder::build).
pub struct DefinitionBuilder<L: Lifecycle> {
    name: String,
    version: u32,
    initial: Option<L::State>,
    terminals: Vec<L::State>,
    states: Vec<StateInfo<L::State>>,
    actions: Vec<NameInfo>,
    roles: Vec<NameInfo>,
    creators: Vec<String>,
    migrators: Vec<String>,
    upgrades: Vec<(u32, DataUpgrade<L>)>,
    guards: Vec<NamedGuard<L>>,
    transitions: Vec<Transition<L::State>>,
    effect: Option<Effect<L>>,
    // Effects of single rows (`(from, action)`), run after `effect`; see `crate::typed`.
    row_effects: Vec<(L::State, String, Effect<L>)>,
    creation_check: Option<CreationCheck<L>>,
    deadlines: Vec<Deadline<L::State>>,
}

impl<L: Lifecycle> DefinitionBuilder<L> {
    /// Declares a deadline: a state to leave or an action to take within a calendar
    /// span (see [`crate::deadline`]). Deadlines refuse nothing; they give each
    /// instance its [due time](Instance::due_at) and each late attempt its
    /// [lateness](Definition::trail).
    pub fn deadline(mut self, deadline: Deadline<L::State>) -> Self {
        self.deadlines.push(deadline);
        self
    }

    /// Declares a state with its labels.
    pub fn state(mut self, state: L::State, label: Text) -> Self {
        self.states.push(StateInfo { state, label });
        self
    }

    /// Sets the initial state.
    pub fn initial(mut self, state: L::State) -> Self {
        self.initial = Some(state);
        self
    }

    /// Marks a state terminal: no transition may leave it.
    pub fn terminal(mut self, state: L::State) -> Self {
        self.terminals.push(state);
        self
    }

    /// Declares an action with its labels.
    pub fn action(mut self, name: impl Into<String>, label: Text) -> Self {
        self.actions.push(NameInfo {
            name: name.into(),
            label,
        });
        self
    }

    /// Declares a role with its labels.
    pub fn role(mut self, name: impl Into<String>, label: Text) -> Self {
        self.roles.push(NameInfo {
            name: name.into(),
            label,
        });
        self
    }

    /// Restricts who may create instances to these roles (by default, any role).
    pub fn creators<I, R>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.creators.extend(roles.into_iter().map(Into::into));
        self
    }

    /// The roles that may migrate instances onto this version from an earlier one
    /// ([`Engine::migrate`](crate::Engine::migrate)); by default, the creators (see
    /// [`creators`](DefinitionBuilder::creators)).
    pub fn migrators<I, R>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.migrators.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Upgrades an instance's data when it migrates onto this version from version
    /// `from` (exactly that version; without an upgrade for it the data is kept as
    /// it is). The function must be pure: replay runs it again.
    pub fn upgrade_from<F>(mut self, from: u32, upgrade: F) -> Self
    where
        F: Fn(&mut L::Data) + Send + Sync + 'static,
    {
        self.upgrades.push((from, Arc::new(upgrade)));
        self
    }

    /// Registers a named guard: `description` says what it requires, `check` judges an
    /// attempt and returns the reason when it fails.
    pub fn guard<F>(mut self, name: impl Into<String>, description: Text, check: F) -> Self
    where
        F: Fn(&GuardInput<'_, L>) -> Result<(), Text> + Send + Sync + 'static,
    {
        self.guards.push(NamedGuard {
            name: name.into(),
            description,
            check: Arc::new(check),
        });
        self
    }

    /// Registers a named guard whose check is already shared.
    pub fn guard_shared(mut self, name: impl Into<String>, description: Text, check: GuardCheck<L>) -> Self {
        self.guards.push(NamedGuard {
            name: name.into(),
            description,
            check,
        });
        self
    }

    /// Adds a row to the transition table.
    pub fn transition(mut self, transition: Transition<L::State>) -> Self {
        self.transitions.push(transition);
        self
    }

    /// Sets the effect that accepted actions have on an instance's data.
    pub fn effect<F>(mut self, effect: F) -> Self
    where
        F: Fn(&mut L::Data, &EffectInput<'_, L>) + Send + Sync + 'static,
    {
        self.effect = Some(Arc::new(effect));
        self
    }

    /// Sets an effect that is already shared.
    pub fn effect_shared(mut self, effect: Effect<L>) -> Self {
        self.effect = Some(effect);
        self
    }

    /// Checks the data of every new instance: [`Engine::create`](crate::Engine::create)
    /// refuses data the check rejects
    /// ([`EngineError::CreationRefused`](crate::EngineError::CreationRefused)).
    pub fn creation_check<F>(mut self, check: F) -> Self
    where
        F: Fn(&L::Data) -> Result<(), Text> + Send + Sync + 'static,
    {
        self.creation_check = Some(Arc::new(check));
        self
    }

    /// True when a guard named `name` is registered already.
    pub(crate) fn has_guard(&self, name: &str) -> bool {
        self.guards.iter().any(|g| g.name == name)
    }

    /// Adds an effect run only for accepted attempts of `action` from `from`.
    pub(crate) fn row_effect(mut self, from: L::State, action: String, effect: Effect<L>) -> Self {
        self.row_effects.push((from, action, effect));
        self
    }

    /// Validates the declarations and builds the definition.
    pub fn build(mut self) -> Result<Definition<L>, DefinitionError> {
        if !self.row_effects.is_empty() {
            let base = self.effect.take();
            let rows = std::mem::take(&mut self.row_effects);
            self.effect = Some(Arc::new(move |data: &mut L::Data, input: &EffectInput<'_, L>| {
                if let Some(base) = &base {
                    base(data, input);
                }
                for (from, action, effect) in &rows {
                    if from == input.from && action == input.action.name() {
                        effect(data, input);
                    }
                }
            }));
        }
        let def = self.name.clone();
        if def.trim().is_empty() {
            return Err(DefinitionError::EmptyName);
        }

        let mut state_index = HashMap::with_capacity(self.states.len());
        for (i, s) in self.states.iter().enumerate() {
            if state_index.insert(s.state.clone(), i).is_some() {
                return Err(DefinitionError::DuplicateState {
                    definition: def,
                    state: s.state.name().to_owned(),
                });
            }
            if s.label.is_incomplete() {
                return Err(DefinitionError::MissingLabel {
                    definition: def,
                    what: "state",
                    name: s.state.name().to_owned(),
                });
            }
        }
        let mut state_by_name = HashMap::with_capacity(self.states.len());
        for (i, s) in self.states.iter().enumerate() {
            if state_by_name.insert(s.state.name().to_owned(), i).is_some() {
                return Err(DefinitionError::DuplicateState {
                    definition: def,
                    state: s.state.name().to_owned(),
                });
            }
        }
        let action_index = index_names(&self.actions, "action", &def)?;
        if let Some(a) = self
            .actions
            .iter()
            .find(|a| a.name == CREATE_ACTION || a.name == MIGRATE_ACTION)
        {
            return Err(DefinitionError::ReservedAction {
                definition: def,
                action: a.name.clone(),
            });
        }
        let role_index = index_names(&self.roles, "role", &def)?;
        let mut guard_index = HashMap::with_capacity(self.guards.len());
        for (i, g) in self.guards.iter().enumerate() {
            if guard_index.insert(g.name.clone(), i).is_some() {
                return Err(DefinitionError::DuplicateGuard {
                    definition: def,
                    guard: g.name.clone(),
                });
            }
        }

        let known_state = |s: &L::State, place: Place| -> Result<usize, DefinitionError> {
            state_index
                .get(s)
                .copied()
                .ok_or_else(|| DefinitionError::UnknownState {
                    definition: def.clone(),
                    place,
                    state: s.name().to_owned(),
                })
        };
        let initial = self.initial.clone().ok_or_else(|| DefinitionError::NoInitial {
            definition: def.clone(),
        })?;
        let initial_ix = known_state(&initial, Place::Initial)?;
        let mut terminal = vec![false; self.states.len()];
        for t in &self.terminals {
            terminal[known_state(t, Place::Terminal)?] = true;
        }
        for role in &self.creators {
            if !role_index.contains_key(role) {
                return Err(DefinitionError::UnknownCreator {
                    definition: def,
                    role: role.clone(),
                });
            }
        }
        for role in &self.migrators {
            if !role_index.contains_key(role) {
                return Err(DefinitionError::UnknownMigrator {
                    definition: def,
                    role: role.clone(),
                });
            }
        }
        for (i, (from, _)) in self.upgrades.iter().enumerate() {
            let problem = if *from >= self.version {
                Some("not an earlier version")
            } else if self.upgrades[..i].iter().any(|(f, _)| f == from) {
                Some("registered twice")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(DefinitionError::InvalidUpgrade {
                    definition: def,
                    version: self.version,
                    from: *from,
                    problem,
                });
            }
        }

        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); self.states.len()];
        let mut seen: HashMap<(usize, &str), usize> = HashMap::new();
        for (i, t) in self.transitions.iter().enumerate() {
            let from = known_state(&t.from, Place::Transition(i))?;
            let to = known_state(&t.to, Place::Transition(i))?;
            if !action_index.contains_key(&t.action) {
                return Err(DefinitionError::UnknownAction {
                    definition: def,
                    transition: i,
                    action: t.action.clone(),
                });
            }
            if t.roles.is_empty() {
                return Err(DefinitionError::NoRoles {
                    definition: def,
                    transition: i,
                    from: t.from.name().to_owned(),
                    action: t.action.clone(),
                });
            }
            for role in &t.roles {
                if !role_index.contains_key(role) {
                    return Err(DefinitionError::UnknownRole {
                        definition: def,
                        place: Place::Transition(i),
                        role: role.clone(),
                    });
                }
            }
            for expr in &t.guards {
                let mut missing = None;
                expr.visit_names(&mut |n| {
                    if missing.is_none() && !guard_index.contains_key(n) {
                        missing = Some(n.to_owned());
                    }
                });
                if let Some(guard) = missing {
                    return Err(DefinitionError::UnknownGuard {
                        definition: def,
                        transition: i,
                        from: t.from.name().to_owned(),
                        action: t.action.clone(),
                        guard,
                    });
                }
                let mut bad_role = None;
                expr.visit_roles(&mut |r| {
                    if bad_role.is_none() && !role_index.contains_key(r) {
                        bad_role = Some(r.to_owned());
                    }
                });
                if let Some(role) = bad_role {
                    return Err(DefinitionError::UnknownRole {
                        definition: def,
                        place: Place::GuardOf(i),
                        role,
                    });
                }
            }
            if let Some(&first) = seen.get(&(from, t.action.as_str())) {
                let other = &self.transitions[first];
                return Err(if other.to == t.to {
                    DefinitionError::DuplicateTransition {
                        definition: def,
                        transition: i,
                        first,
                        from: t.from.name().to_owned(),
                        action: t.action.clone(),
                        to: t.to.name().to_owned(),
                    }
                } else {
                    DefinitionError::AmbiguousTransition {
                        definition: def,
                        transition: i,
                        first,
                        from: t.from.name().to_owned(),
                        action: t.action.clone(),
                        to: t.to.name().to_owned(),
                        other: other.to.name().to_owned(),
                    }
                });
            }
            seen.insert((from, t.action.as_str()), i);
            if terminal[from] && from != to {
                return Err(DefinitionError::TerminalExit {
                    definition: def,
                    state: t.from.name().to_owned(),
                    transition: i,
                    action: t.action.clone(),
                    to: t.to.name().to_owned(),
                });
            }
            outgoing[from].push(i);
        }

        // Reachability from the initial state, in declaration order so the error
        // names the first unreachable state a reader would meet.
        let mut reached = vec![false; self.states.len()];
        let mut queue = VecDeque::from([initial_ix]);
        reached[initial_ix] = true;
        while let Some(s) = queue.pop_front() {
            for &t in &outgoing[s] {
                let to = state_index[&self.transitions[t].to];
                if !reached[to] {
                    reached[to] = true;
                    queue.push_back(to);
                }
            }
        }
        if let Some(i) = reached.iter().position(|r| !r) {
            return Err(DefinitionError::Unreachable {
                definition: def,
                state: self.states[i].state.name().to_owned(),
                initial: initial.name().to_owned(),
            });
        }
        for (i, s) in self.states.iter().enumerate() {
            let has_exit = outgoing[i]
                .iter()
                .any(|&t| self.transitions[t].to != self.transitions[t].from);
            if !terminal[i] && !has_exit {
                return Err(DefinitionError::DeadEnd {
                    definition: def,
                    state: s.state.name().to_owned(),
                });
            }
        }

        self.check_deadlines(&state_index, &terminal)?;

        Ok(Definition {
            reference: DefinitionRef {
                name: Name::from(self.name),
                version: self.version,
            },
            initial,
            terminal,
            states: self.states,
            state_index,
            state_by_name,
            actions: self.actions,
            action_index,
            roles: self.roles,
            role_index,
            creators: self.creators,
            migrators: self.migrators,
            upgrades: self.upgrades,
            guards: self.guards,
            guard_index,
            transitions: self.transitions,
            outgoing,
            effect: self.effect,
            creation_check: self.creation_check,
            deadlines: self.deadlines,
        })
    }

    /// Every deadline checked against the table: what it names exists, and it can be met.
    fn check_deadlines(
        &self,
        state_index: &HashMap<L::State, usize>,
        terminal: &[bool],
    ) -> Result<(), DefinitionError> {
        let mut names = HashSet::new();
        for d in &self.deadlines {
            let fail = |problem: String| DefinitionError::InvalidDeadline {
                definition: self.name.clone(),
                deadline: d.name.clone(),
                problem,
            };
            if d.name.trim().is_empty() {
                return Err(fail("it has no name".into()));
            }
            if !names.insert(d.name.as_str()) {
                return Err(fail("it is declared twice".into()));
            }
            if d.label.is_incomplete() {
                return Err(fail("it needs both a zh and an en label".into()));
            }
            if d.within == CalendarSpan::default() {
                return Err(fail(
                    "its span is zero: it would be overdue the moment it starts".into(),
                ));
            }
            let state_names = || self.states.iter().map(|s| s.state.name());
            let action_names = || self.actions.iter().map(|a| a.name.as_str());
            let known_state = |s: &L::State| -> Result<usize, DefinitionError> {
                state_index.get(s).copied().ok_or_else(|| {
                    fail(format!(
                        "state {:?} is not declared{}",
                        s.name(),
                        crate::suggest::did_you_mean(s.name(), state_names())
                    ))
                })
            };
            let known_action = |a: &str, engine_own: bool| -> Result<(), DefinitionError> {
                if self.actions.iter().any(|x| x.name == a)
                    || (engine_own && (a == CREATE_ACTION || a == MIGRATE_ACTION))
                {
                    Ok(())
                } else {
                    Err(fail(format!(
                        "action {a:?} is not declared{}",
                        crate::suggest::did_you_mean(a, action_names())
                    )))
                }
            };
            match &d.goal {
                DeadlineGoal::Leave(state) => {
                    if terminal[known_state(state)?] {
                        return Err(fail(format!(
                            "state {:?} is terminal: it can never be left",
                            state.name()
                        )));
                    }
                }
                DeadlineGoal::Take { action, in_states } => {
                    known_action(action, false)?;
                    for s in in_states {
                        if terminal[known_state(s)?] {
                            return Err(fail(format!(
                                "state {:?} is terminal: no deadline runs in a finished instance",
                                s.name()
                            )));
                        }
                    }
                    let takeable = self
                        .transitions
                        .iter()
                        .any(|t| t.action == *action && (in_states.is_empty() || in_states.contains(&t.from)));
                    if !takeable {
                        return Err(fail(format!(
                            "no transition takes action {action:?}{}",
                            if in_states.is_empty() {
                                String::new()
                            } else {
                                " from the states it runs in".to_owned()
                            }
                        )));
                    }
                }
            }
            if let DeadlineStart::After(actions) = &d.start {
                if actions.is_empty() {
                    return Err(fail(
                        "it starts after no action: name at least one, or count from entering the state".into(),
                    ));
                }
                for a in actions {
                    known_action(a, true)?;
                }
            }
        }
        Ok(())
    }
}

fn index_names(items: &[NameInfo], what: &'static str, def: &str) -> Result<HashMap<String, usize>, DefinitionError> {
    let mut index = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if index.insert(item.name.clone(), i).is_some() {
            return Err(match what {
                "action" => DefinitionError::DuplicateAction {
                    definition: def.to_owned(),
                    action: item.name.clone(),
                },
                _ => DefinitionError::DuplicateRole {
                    definition: def.to_owned(),
                    role: item.name.clone(),
                },
            });
        }
        if item.label.is_incomplete() {
            return Err(DefinitionError::MissingLabel {
                definition: def.to_owned(),
                what,
                name: item.name.clone(),
            });
        }
    }
    Ok(index)
}

/// Up to this many states or guards, lookups scan a vector rather than hash.
pub(crate) const LINEAR_SCAN_MAX: usize = 16;

/// The position of the guard named `name`.
pub(crate) fn guard_position<L: Lifecycle>(
    guards: &[NamedGuard<L>],
    index: &HashMap<String, usize>,
    name: &str,
) -> Option<usize> {
    if guards.len() <= LINEAR_SCAN_MAX {
        guards.iter().position(|g| g.name == name)
    } else {
        index.get(name).copied()
    }
}

/// A validated lifecycle definition: the transition table and everything it refers to.
///
/// Built with [`Definition::builder`] or, for [`Dynamic`](crate::dynamic::Dynamic)
/// lifecycles, loaded from a TOML file. A definition never changes once built; share it
/// with an [`Arc`].
pub struct Definition<L: Lifecycle> {
    reference: DefinitionRef,
    initial: L::State,
    terminal: Vec<bool>,
    states: Vec<StateInfo<L::State>>,
    state_index: HashMap<L::State, usize>,
    state_by_name: HashMap<String, usize>,
    actions: Vec<NameInfo>,
    action_index: HashMap<String, usize>,
    roles: Vec<NameInfo>,
    role_index: HashMap<String, usize>,
    creators: Vec<String>,
    migrators: Vec<String>,
    upgrades: Vec<(u32, DataUpgrade<L>)>,
    guards: Vec<NamedGuard<L>>,
    guard_index: HashMap<String, usize>,
    transitions: Vec<Transition<L::State>>,
    outgoing: Vec<Vec<usize>>,
    effect: Option<Effect<L>>,
    creation_check: Option<CreationCheck<L>>,
    deadlines: Vec<Deadline<L::State>>,
}

impl<L: Lifecycle> fmt::Debug for Definition<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Definition")
            .field("name", &self.reference.name)
            .field("version", &self.reference.version)
            .field("initial", &self.initial)
            .field("states", &self.states.len())
            .field("transitions", &self.transitions.len())
            .finish_non_exhaustive()
    }
}

/// What the table and the guards say about an attempt, before any record is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<S> {
    /// The transition would be taken.
    Accept {
        /// The state it leads to.
        to: S,
    },
    /// The attempt would be refused for these reasons (never empty).
    Refuse(Vec<Reason>),
}

impl<L: Lifecycle> Definition<L> {
    /// Starts a definition named `name` at `version`.
    pub fn builder(name: impl Into<String>, version: u32) -> DefinitionBuilder<L> {
        DefinitionBuilder {
            name: name.into(),
            version,
            initial: None,
            terminals: Vec::new(),
            states: Vec::new(),
            actions: Vec::new(),
            roles: Vec::new(),
            creators: Vec::new(),
            migrators: Vec::new(),
            upgrades: Vec::new(),
            guards: Vec::new(),
            transitions: Vec::new(),
            effect: None,
            row_effects: Vec::new(),
            creation_check: None,
            deadlines: Vec::new(),
        }
    }

    /// The deadlines, in declaration order.
    pub fn deadlines(&self) -> &[Deadline<L::State>] {
        &self.deadlines
    }

    /// True when deadline `d` runs while an instance is in `state`: the state is not
    /// terminal (a finished instance owes nothing) and the deadline's goal concerns it
    /// (the state to leave, or one of the states a `take` deadline runs in, every state
    /// when it names none).
    pub fn deadline_runs_in(&self, d: &Deadline<L::State>, state: &L::State) -> bool {
        !self.is_terminal(state) && d.concerns(state)
    }

    /// The deadlines `instance` has to meet after its last record, earliest due first.
    pub fn pending(&self, instance: &Instance<L>) -> Vec<Pending> {
        if self.is_terminal(&instance.state) {
            return Vec::new();
        }
        let mut pending: Vec<Pending> = self
            .deadlines
            .iter()
            .filter_map(|d| d.pending(&instance.state, instance.entered_at, &instance.marks))
            .collect();
        pending.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.deadline.cmp(&b.deadline)));
        pending
    }

    /// The deadlines `instance` has missed as of `at`: pending, and due before `at`.
    /// An attempt at `at` comes this late ([`Definition::trail`] lists it for each
    /// record of a log).
    pub fn overdue(&self, instance: &Instance<L>, at: DateTime<Utc>) -> Vec<Lateness> {
        self.pending(instance)
            .into_iter()
            .filter(|p| p.is_overdue(at))
            .map(|p| Lateness {
                late_by: at - p.due_at,
                deadline: p.deadline,
                label: p.label,
                due_at: p.due_at,
                zone: p.zone,
            })
            .collect()
    }

    /// The earliest due time of the deadlines pending for an instance in `state`,
    /// entered at `entered_at`, with `marks`: what [`Instance::due_at`] caches.
    pub(crate) fn due_of(
        &self,
        state: &L::State,
        entered_at: DateTime<Utc>,
        marks: &crate::deadline::Marks,
    ) -> Option<DateTime<Utc>> {
        if self.deadlines.is_empty() || self.is_terminal(state) {
            return None;
        }
        self.deadlines
            .iter()
            .filter_map(|d| d.due(state, entered_at, marks))
            .map(|(_, due_at)| due_at)
            .min()
    }

    /// The definition's name.
    pub fn name(&self) -> &str {
        &self.reference.name
    }

    /// The definition's version.
    pub fn version(&self) -> u32 {
        self.reference.version
    }

    /// Name and version together, as records carry them.
    pub fn reference(&self) -> &DefinitionRef {
        &self.reference
    }

    /// The initial state.
    pub fn initial(&self) -> &L::State {
        &self.initial
    }

    /// The terminal states, in declaration order.
    pub fn terminals(&self) -> impl Iterator<Item = &L::State> {
        self.states
            .iter()
            .zip(&self.terminal)
            .filter(|(_, t)| **t)
            .map(|(s, _)| &s.state)
    }

    /// True when `state` is terminal.
    pub fn is_terminal(&self, state: &L::State) -> bool {
        self.state_ix(state).is_some_and(|i| self.terminal[i])
    }

    /// Every state with its labels, in declaration order.
    pub fn states(&self) -> &[StateInfo<L::State>] {
        &self.states
    }

    /// Every action with its labels, in declaration order.
    pub fn actions(&self) -> &[NameInfo] {
        &self.actions
    }

    /// Every role with its labels, in declaration order.
    pub fn roles(&self) -> &[NameInfo] {
        &self.roles
    }

    /// The roles that may create instances (empty: any declared role).
    pub fn creators(&self) -> &[String] {
        &self.creators
    }

    /// True when `role` may create instances: it is declared and, if creators were
    /// set, among them.
    pub fn is_creator(&self, role: &str) -> bool {
        self.has_role(role) && (self.creators.is_empty() || self.creators.iter().any(|r| r == role))
    }

    /// The roles that may migrate instances onto this version, as declared (empty:
    /// the creators).
    pub fn migrators(&self) -> &[String] {
        &self.migrators
    }

    /// True when `role` may migrate instances onto this version: it is declared and
    /// among the migrators, or, when none were set, may create instances.
    pub fn is_migrator(&self, role: &str) -> bool {
        if self.migrators.is_empty() {
            self.is_creator(role)
        } else {
            self.has_role(role) && self.migrators.iter().any(|r| r == role)
        }
    }

    /// The data upgrade registered for instances migrating from version `from`.
    pub fn upgrade_from(&self, from: u32) -> Option<&DataUpgrade<L>> {
        self.upgrades.iter().find(|(f, _)| *f == from).map(|(_, u)| u)
    }

    /// Judges a migration onto this version, by state names, without changing
    /// anything: the instance is in state `state` (of its earlier version), the
    /// attempt is made in `role`, and `state_map` maps earlier states to states of this
    /// version. The state it leads to is `state_map[state]` when the map names `state`,
    /// else `state` itself; it must be a state of this version. Every target of the map
    /// must be a state of this version, every source a state this version lacks (a
    /// migration never moves an instance out of a state the new version still has),
    /// and `role` one of its
    /// [migrators](Definition::is_migrator). A refusal lists every failed check.
    pub fn decide_migration(
        &self,
        state: &str,
        role: &str,
        state_map: &BTreeMap<String, String>,
    ) -> Decision<L::State> {
        let mut reasons = Vec::new();
        let version = self.version();
        if !self.is_migrator(role) {
            let allowed: Vec<String> = if self.migrators.is_empty() {
                if self.creators.is_empty() {
                    self.roles.iter().map(|r| r.name.clone()).collect()
                } else {
                    self.creators.clone()
                }
            } else {
                self.migrators.clone()
            };
            let label = |r: &str, zh: bool| -> String {
                self.role_label(r)
                    .map(|l| if zh { l.zh.to_string() } else { l.en.to_string() })
                    .unwrap_or_else(|| r.to_owned())
            };
            let zh: Vec<String> = allowed.iter().map(|r| label(r, true)).collect();
            let en: Vec<String> = allowed.iter().map(|r| label(r, false)).collect();
            reasons.push(Reason {
                code: ReasonCode::RoleNotAllowed,
                guard: None,
                message: Text::owned(
                    format!(
                        "角色“{}”无权将实例迁移到第 {version} 版，须为：{}",
                        label(role, true),
                        zh.join("、")
                    ),
                    format!(
                        "role {} may not migrate instances to version {version}; allowed: {}",
                        label(role, false),
                        en.join(", ")
                    ),
                ),
            });
        }
        for (old, new) in state_map {
            // A map carries a state this version lacks to one it has; it cannot move an
            // instance out of a state the new version still has (that would be a
            // transition without its guards).
            if old != new && self.state_named(old).is_some() {
                reasons.push(Reason {
                    code: ReasonCode::Migration,
                    guard: None,
                    message: Text::owned(
                        format!("状态“{old}”在第 {version} 版中仍然存在，不能映射为“{new}”：迁移不改变仍然存在的状态"),
                        format!(
                            "state {old} still exists in version {version} and cannot be mapped to {new}: a migration keeps a state the new version has"
                        ),
                    ),
                });
            }
            if self.state_named(new).is_none() {
                reasons.push(Reason {
                    code: ReasonCode::Migration,
                    guard: None,
                    message: Text::owned(
                        format!("映射“{old}”→“{new}”的目标状态在第 {version} 版中不存在"),
                        format!("the mapping {old} → {new} names a state version {version} does not have"),
                    ),
                });
            }
        }
        let target = state_map.get(state).map_or(state, String::as_str);
        let to = self.state_named(target);
        if to.is_none() && !state_map.contains_key(state) {
            reasons.push(Reason {
                code: ReasonCode::Migration,
                guard: None,
                message: Text::owned(
                    format!("状态“{state}”在第 {version} 版中不存在，须给出它的映射"),
                    format!("state {state} does not exist in version {version}; a mapping for it is required"),
                ),
            });
        }
        match to {
            Some(to) if reasons.is_empty() => Decision::Accept { to: to.clone() },
            _ => Decision::Refuse(reasons),
        }
    }

    /// Every registered guard.
    pub fn guards(&self) -> &[NamedGuard<L>] {
        &self.guards
    }

    /// The transition table, in declaration order.
    pub fn transitions(&self) -> &[Transition<L::State>] {
        &self.transitions
    }

    /// The transitions that leave `state`.
    pub fn transitions_from<'a>(&'a self, state: &L::State) -> impl Iterator<Item = &'a Transition<L::State>> + 'a {
        let ix = self.state_ix(state);
        ix.into_iter()
            .flat_map(move |i| self.outgoing[i].iter().map(move |&t| &self.transitions[t]))
    }

    /// The transition for `action` in `state`, if the table has one.
    pub fn transition(&self, state: &L::State, action: &str) -> Option<&Transition<L::State>> {
        let i = self.state_ix(state)?;
        self.outgoing[i]
            .iter()
            .map(|&t| &self.transitions[t])
            .find(|t| t.action == action)
    }

    /// The position of `state` in declaration order. Small definitions (the common
    /// case, and the hot path of every transition) scan instead of hashing.
    fn state_ix(&self, state: &L::State) -> Option<usize> {
        if self.states.len() <= LINEAR_SCAN_MAX {
            self.states.iter().position(|s| s.state == *state)
        } else {
            self.state_index.get(state).copied()
        }
    }

    /// The state with this machine name.
    pub fn state_named(&self, name: &str) -> Option<&L::State> {
        self.state_by_name.get(name).map(|&i| &self.states[i].state)
    }

    /// The labels of `state` (`None` for a state the definition does not declare).
    pub fn state_label(&self, state: &L::State) -> Option<&Text> {
        self.state_ix(state).map(|i| &self.states[i].label)
    }

    /// The labels of the action named `name`.
    pub fn action_label(&self, name: &str) -> Option<&Text> {
        self.action_index.get(name).map(|&i| &self.actions[i].label)
    }

    /// The labels of the role named `name`.
    pub fn role_label(&self, name: &str) -> Option<&Text> {
        self.role_index.get(name).map(|&i| &self.roles[i].label)
    }

    /// The action `given` names: its machine name, or a label ([`NameInfo::is_named`]).
    pub fn find_action(&self, given: &str) -> Option<&NameInfo> {
        self.actions.iter().find(|a| a.is_named(given))
    }

    /// The role `given` names: its machine name, or a label ([`NameInfo::is_named`]).
    pub fn find_role(&self, given: &str) -> Option<&NameInfo> {
        self.roles.iter().find(|r| r.is_named(given))
    }

    /// The registered guard named `name`.
    pub fn guard_named(&self, name: &str) -> Option<&NamedGuard<L>> {
        guard_position(&self.guards, &self.guard_index, name).map(|i| &self.guards[i])
    }

    /// True when `role` is declared.
    pub fn has_role(&self, role: &str) -> bool {
        self.role_index.contains_key(role)
    }

    /// What `expr` requires, in both languages.
    pub fn describe_guard(&self, expr: &GuardExpr) -> Text {
        self.evaluator().describe(expr)
    }

    pub(crate) fn evaluator(&self) -> Evaluator<'_, L> {
        Evaluator {
            guards: &self.guards,
            index: &self.guard_index,
        }
    }

    pub(crate) fn effect(&self) -> Option<&Effect<L>> {
        self.effect.as_ref()
    }

    /// Judges the data a new instance would be created with (see
    /// [`DefinitionBuilder::creation_check`]); `Ok(())` when the definition has no check.
    pub fn check_creation(&self, data: &L::Data) -> Result<(), Text> {
        self.creation_check.as_ref().map_or(Ok(()), |check| check(data))
    }

    /// Judges an attempt against the table, the roles and every guard, without changing
    /// anything. A refusal lists every failed check, not only the first.
    pub fn decide(
        &self,
        instance: &Instance<L>,
        actor: &Actor,
        role: &str,
        action: &L::Action,
        payload: &Payload,
        now: DateTime<Utc>,
    ) -> Decision<L::State> {
        let name = action.name();
        let Some(t) = self.transition(&instance.state, name) else {
            let state = self.state_label(&instance.state);
            let (zh_state, en_state) = state.map_or((instance.state.name(), instance.state.name()), |l| {
                (l.zh.as_ref(), l.en.as_ref())
            });
            let (zh_action, en_action) = self
                .action_label(name)
                .map_or((name, name), |l| (l.zh.as_ref(), l.en.as_ref()));
            return Decision::Refuse(vec![Reason {
                code: ReasonCode::NoTransition,
                guard: None,
                message: Text::owned(
                    format!("“{zh_state}”状态下不能执行“{zh_action}”"),
                    format!("{en_action} is not possible in state {en_state}"),
                ),
            }]);
        };
        let mut reasons = Vec::new();
        if !t.roles.iter().any(|r| r == role) {
            reasons.push(self.role_refusal(role, t));
        }
        if !t.guards.is_empty() {
            let input = GuardInput {
                instance,
                actor,
                role,
                action,
                payload,
                to: &t.to,
                now,
                payload_value: std::cell::OnceCell::new(),
            };
            let evaluator = self.evaluator();
            for expr in &t.guards {
                evaluator.eval(expr, &input, &mut reasons);
            }
        }
        if reasons.is_empty() {
            Decision::Accept { to: t.to.clone() }
        } else {
            Decision::Refuse(reasons)
        }
    }

    fn role_refusal(&self, role: &str, t: &Transition<L::State>) -> Reason {
        let label = |r: &str, zh: bool| -> String {
            self.role_label(r)
                .map(|l| if zh { l.zh.to_string() } else { l.en.to_string() })
                .unwrap_or_else(|| r.to_owned())
        };
        let allowed_zh: Vec<String> = t.roles.iter().map(|r| label(r, true)).collect();
        let allowed_en: Vec<String> = t.roles.iter().map(|r| label(r, false)).collect();
        Reason {
            code: ReasonCode::RoleNotAllowed,
            guard: None,
            message: Text::owned(
                format!(
                    "角色“{}”无权执行此操作，须为：{}",
                    label(role, true),
                    allowed_zh.join("、")
                ),
                format!(
                    "role {} may not do this; allowed: {}",
                    label(role, false),
                    allowed_en.join(", ")
                ),
            ),
        }
    }

    /// The states reachable from `from` through the table, `from` included.
    pub fn reachable_from(&self, from: &L::State) -> HashSet<L::State> {
        let mut seen = HashSet::new();
        let mut queue = VecDeque::new();
        if self.state_index.contains_key(from) {
            seen.insert(from.clone());
            queue.push_back(from.clone());
        }
        while let Some(s) = queue.pop_front() {
            for t in self.transitions_from(&s) {
                if seen.insert(t.to.clone()) {
                    queue.push_back(t.to.clone());
                }
            }
        }
        seen
    }
}
