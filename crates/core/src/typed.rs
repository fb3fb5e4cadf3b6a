//! Typed names: states, action kinds and roles as enums, with their labels.
//!
//! `regula-derive` implements these traits (`#[derive(State)]`, `#[derive(Action)]`,
//! `#[derive(Role)]`, re-exported by this crate under the default feature `derive`);
//! they can also be written by hand. With them a definition is declared without
//! strings: [`DefinitionBuilder::states`], [`DefinitionBuilder::actions`] and
//! [`DefinitionBuilder::roles`] register every variant with its label, and
//! [`DefinitionBuilder::on`] adds a transition from a state by an action *kind* to a
//! state, so a misspelt action or role does not compile, and its guards and effects
//! are attached to that row alone.

use std::sync::Arc;

use crate::Lifecycle;
use crate::definition::{DefinitionBuilder, Effect, EffectInput, Transition};
use crate::guard::{GuardExpr, GuardInput, NamedGuard};
use crate::label::Text;
use crate::lifecycle::Action;

/// A closed set of names with labels: the states, action kinds or roles of a
/// definition.
pub trait Labelled: Sized + Clone + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The name records and files use.
    fn key(&self) -> &'static str;

    /// The name in both languages.
    fn label(&self) -> Text;
}

/// An action enum (the payloads) whose variants each give an action kind.
pub trait TypedAction: Action {
    /// The kinds of action, one per variant, without payloads.
    type Kind: Labelled + Copy + PartialEq;

    /// The kind of this action.
    fn kind(&self) -> Self::Kind;
}

/// One transition being declared by [`DefinitionBuilder::on`]: who may fire it, its
/// guards and its effects.
pub struct Row<L: Lifecycle> {
    transition: Transition<L::State>,
    guards: Vec<NamedGuard<L>>,
    effects: Vec<Effect<L>>,
}

impl<L: Lifecycle> Row<L> {
    /// Allows these roles to fire the transition.
    pub fn by<R: Labelled>(mut self, roles: impl IntoIterator<Item = R>) -> Self {
        self.transition
            .roles
            .extend(roles.into_iter().map(|r| r.key().to_owned()));
        self
    }

    /// Adds a guard of this row: registered under `name` and required here. Several
    /// rows may share a guard by its name; it is registered by the first row that
    /// adds it, so two different checks need two different names.
    pub fn guard<F>(self, name: impl Into<String>, description: Text, check: F) -> Self
    where
        F: Fn(&GuardInput<'_, L>) -> Result<(), Text> + Send + Sync + 'static,
    {
        self.named_guard(NamedGuard {
            name: name.into(),
            description,
            check: Arc::new(check),
        })
    }

    /// Adds a guard already made, such as one of [`crate::builtin`]'s.
    pub fn named_guard(mut self, guard: NamedGuard<L>) -> Self {
        self.transition.guards.push(GuardExpr::Guard(guard.name.clone()));
        self.guards.push(guard);
        self
    }

    /// Requires a guard expression (a guard registered on the builder, or a built-in
    /// such as [`GuardExpr::Role`]).
    pub fn when(mut self, expr: GuardExpr) -> Self {
        self.transition.guards.push(expr);
        self
    }

    /// Adds an effect of this row: it runs, after the definition's effect and the
    /// row's earlier effects, for accepted attempts of this transition only.
    pub fn effect<F>(mut self, effect: F) -> Self
    where
        F: Fn(&mut L::Data, &EffectInput<'_, L>) + Send + Sync + 'static,
    {
        self.effects.push(Arc::new(effect));
        self
    }
}

impl<L: Lifecycle> DefinitionBuilder<L> {
    /// Declares every state of the state enum, in declaration order, with its label.
    pub fn states(self) -> Self
    where
        L::State: Labelled,
    {
        L::State::ALL.iter().fold(self, |b, s| b.state(s.clone(), s.label()))
    }

    /// Declares every action kind of the action enum, in declaration order, with its
    /// label.
    pub fn actions(self) -> Self
    where
        L::Action: TypedAction,
    {
        <L::Action as TypedAction>::Kind::ALL
            .iter()
            .fold(self, |b, k| b.action(k.key(), k.label()))
    }

    /// Declares every role of the role enum `R`, in declaration order, with its label.
    pub fn roles<R: Labelled>(self) -> Self {
        R::ALL.iter().fold(self, |b, r| b.role(r.key(), r.label()))
    }

    /// Adds the transition `from --kind--> to`; `row` says who may fire it and adds
    /// its guards and effects.
    pub fn on(
        mut self,
        from: L::State,
        kind: <L::Action as TypedAction>::Kind,
        to: L::State,
        row: impl FnOnce(Row<L>) -> Row<L>,
    ) -> Self
    where
        L::Action: TypedAction,
    {
        let Row {
            transition,
            guards,
            effects,
        } = row(Row {
            transition: Transition::new(from, kind.key(), to),
            guards: Vec::new(),
            effects: Vec::new(),
        });
        for g in guards {
            // A guard shared by several rows is registered once, by its name.
            if !self.has_guard(&g.name) {
                self = self.guard_shared(g.name, g.description, g.check);
            }
        }
        for e in effects {
            self = self.row_effect(transition.from.clone(), transition.action.clone(), e);
        }
        self.transition(transition)
    }
}
