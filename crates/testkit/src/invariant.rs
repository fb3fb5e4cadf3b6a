//! Invariants: named properties of an instance and its log, checked after every step.

use std::fmt;
use std::sync::Arc;

use regula_core::{Action, AuditRecord, Definition, Instance, Lifecycle, Outcome, ReplayOptions, State, verify_chain};

use crate::script::Step;

/// What an invariant sees after a step: the instance before and after, the whole log,
/// the record just written and the step that wrote it.
#[non_exhaustive]
pub struct StepView<'a, L: Lifecycle> {
    /// The definition under test.
    pub definition: &'a Definition<L>,
    /// The step's number: 0 for the creation, then 1, 2, ….
    pub index: usize,
    /// The step, or `None` for the creation.
    pub step: Option<&'a Step<L::Action>>,
    /// The instance before the step (`None` for the creation).
    pub before: Option<&'a Instance<L>>,
    /// The instance after the step.
    pub instance: &'a Instance<L>,
    /// Every record so far, the step's own record last.
    pub log: &'a [AuditRecord],
    /// The record the step wrote.
    pub record: &'a AuditRecord,
}

type Check<L> = Arc<dyn Fn(&StepView<'_, L>) -> Result<(), String> + Send + Sync>;

/// A named property that must hold after every step of every run.
///
/// The simple form looks at the instance and its log:
///
/// ```
/// # use regula_testkit::Invariant;
/// # use regula_core::dynamic::Dynamic;
/// let approved_before_published = Invariant::<Dynamic>::new("published only after approval", |instance, log| {
///     let approved = log.iter().any(|r| r.action == "approve" && !r.is_refused());
///     if instance.state().to_string() == "published" && !approved {
///         return Err("published without an accepted approve record".into());
///     }
///     Ok(())
/// });
/// assert_eq!(approved_before_published.name(), "published only after approval");
/// ```
///
/// [`Invariant::on_step`] sees the instance before the step too, and the step itself.
pub struct Invariant<L: Lifecycle> {
    name: String,
    check: Check<L>,
}

impl<L: Lifecycle> Clone for Invariant<L> {
    fn clone(&self) -> Self {
        Invariant {
            name: self.name.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

impl<L: Lifecycle> fmt::Debug for Invariant<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invariant")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<L: Lifecycle> Invariant<L> {
    /// An invariant over the instance and its log: `Err(why)` when it is violated.
    pub fn new<F>(name: impl Into<String>, check: F) -> Self
    where
        F: Fn(&Instance<L>, &[AuditRecord]) -> Result<(), String> + Send + Sync + 'static,
    {
        Invariant {
            name: name.into(),
            check: Arc::new(move |view: &StepView<'_, L>| check(view.instance, view.log)),
        }
    }

    /// An invariant over everything a step did (see [`StepView`]).
    pub fn on_step<F>(name: impl Into<String>, check: F) -> Self
    where
        F: Fn(&StepView<'_, L>) -> Result<(), String> + Send + Sync + 'static,
    {
        Invariant {
            name: name.into(),
            check: Arc::new(check),
        }
    }

    /// The invariant's name, as failures report it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the invariant after one step.
    pub fn check(&self, view: &StepView<'_, L>) -> Result<(), String> {
        (self.check)(view)
    }

    /// The invariants every definition must satisfy, which a
    /// [`Harness`](crate::Harness) checks unless told otherwise:
    /// [`replay_matches`](Invariant::replay_matches),
    /// [`refusals_change_nothing`](Invariant::refusals_change_nothing),
    /// [`log_verifies`](Invariant::log_verifies) and
    /// [`accepted_in_table`](Invariant::accepted_in_table).
    pub fn builtins() -> Vec<Invariant<L>> {
        vec![
            Invariant::replay_matches(),
            Invariant::refusals_change_nothing(),
            Invariant::log_verifies(),
            Invariant::accepted_in_table(),
        ]
    }

    /// Built-in: replaying the log gives the live instance — the same state, data,
    /// sequence number, last hash and times. Fails for an effect that is not a pure
    /// function of its inputs.
    pub fn replay_matches() -> Self {
        Invariant::on_step("state equals the replay of the log", |v: &StepView<'_, L>| {
            let replayed = v
                .definition
                .replay(v.log)
                .map_err(|e| format!("the log does not replay: {e}"))?;
            same_instance(&replayed, v.instance)
                .map_err(|diff| format!("replay differs from the live instance: {diff}"))
        })
    }

    /// Built-in: a refused attempt changes neither the state nor the data nor the
    /// time the instance entered its state; only the sequence number and last hash
    /// move on.
    pub fn refusals_change_nothing() -> Self {
        Invariant::on_step("refusals never change state or data", |v: &StepView<'_, L>| {
            let (Some(before), true) = (v.before, v.record.is_refused()) else {
                return Ok(());
            };
            if before.state() != v.instance.state() {
                return Err(format!(
                    "refused, yet the state moved from {} to {}",
                    before.state().name(),
                    v.instance.state().name()
                ));
            }
            let (a, b) = (json(before.data())?, json(v.instance.data())?);
            if a != b {
                return Err(format!("refused, yet the data changed from {a} to {b}"));
            }
            if before.entered_at() != v.instance.entered_at() {
                return Err("refused, yet the time the state was entered changed".to_owned());
            }
            if v.instance.seq() != before.seq() + 1 {
                return Err(format!(
                    "refused: the sequence number went from {} to {}, not by one",
                    before.seq(),
                    v.instance.seq()
                ));
            }
            Ok(())
        })
    }

    /// Built-in: the log verifies — the hash chain without the definition
    /// ([`verify_chain`]), then a replay that re-checks the guards of every accepted
    /// transition at its record's time — and the instance's sequence number and last
    /// hash are those of the log's last record.
    pub fn log_verifies() -> Self {
        Invariant::on_step("the log verifies", |v: &StepView<'_, L>| {
            let last = verify_chain(v.log).map_err(|e| format!("the hash chain does not verify: {e}"))?;
            v.definition
                .replay_with(
                    v.log,
                    ReplayOptions {
                        recheck_guards: true,
                        ..ReplayOptions::default()
                    },
                )
                .map_err(|e| format!("the log does not verify against the definition: {e}"))?;
            if v.instance.last_hash() != last || v.instance.seq() != v.log.len() as u64 {
                return Err(format!(
                    "the instance is at record {} ({}), the log ends at record {} ({last})",
                    v.instance.seq(),
                    v.instance.last_hash(),
                    v.log.len()
                ));
            }
            Ok(())
        })
    }

    /// Built-in: every accepted attempt is a row of the transition table — from the
    /// state the instance was in, by an allowed role, to the table's target — and the
    /// instance is now in that target.
    pub fn accepted_in_table() -> Self {
        Invariant::on_step("every accepted transition is in the table", |v: &StepView<'_, L>| {
            let Some(before) = v.before else {
                return Ok(());
            };
            let r = v.record;
            match &r.outcome {
                Outcome::Accepted { to } => {
                    let Some(t) = v.definition.transition(before.state(), &r.action) else {
                        return Err(format!(
                            "accepted {:?} in state {}, which has no such transition",
                            r.action,
                            before.state().name()
                        ));
                    };
                    if !t.roles.iter().any(|x| *x == r.role) {
                        return Err(format!(
                            "accepted {:?} by role {:?}; the table allows {:?}",
                            r.action, r.role, t.roles
                        ));
                    }
                    if t.to.name() != to || v.instance.state() != &t.to {
                        return Err(format!(
                            "accepted {:?}: the table leads to {}, the record says {to} and the instance is in {}",
                            r.action,
                            t.to.name(),
                            v.instance.state().name()
                        ));
                    }
                    if r.from != before.state().name() {
                        return Err(format!(
                            "the record starts from {} but the instance was in {}",
                            r.from,
                            before.state().name()
                        ));
                    }
                    if let Some(step) = v.step
                        && step.action.name() != r.action
                    {
                        return Err(format!(
                            "attempted {:?} but the record names {:?}",
                            step.action.name(),
                            r.action
                        ));
                    }
                    Ok(())
                }
                Outcome::Refused { reasons } if reasons.is_empty() => Err("refused without a reason".to_owned()),
                Outcome::Refused { .. } => Ok(()),
                Outcome::Created => Err("a record after the first claims to create the instance".to_owned()),
            }
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| format!("the data does not encode as JSON: {e}"))
}

/// Compares two instances field by field; `Err` names the first difference.
pub(crate) fn same_instance<L: Lifecycle>(a: &Instance<L>, b: &Instance<L>) -> Result<(), String> {
    if a.state() != b.state() {
        return Err(format!("state {} vs {}", a.state().name(), b.state().name()));
    }
    let (da, db) = (json(a.data())?, json(b.data())?);
    if da != db {
        return Err(format!("data {da} vs {db}"));
    }
    if a.seq() != b.seq() || a.last_hash() != b.last_hash() {
        return Err(format!("at record {} vs {}", a.seq(), b.seq()));
    }
    if a.id() != b.id() {
        return Err(format!("instance id {} vs {}", a.id(), b.id()));
    }
    if a.entered_at() != b.entered_at() {
        return Err(format!("entered its state at {} vs {}", a.entered_at(), b.entered_at()));
    }
    if a.created_at() != b.created_at() || a.updated_at() != b.updated_at() {
        return Err("created or updated at different times".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use regula_core::dynamic::Dynamic;
    use regula_core::{Actor, Command, DynAction, Engine, ManualClock, Registry, SeededIds};

    fn engine() -> Engine<Dynamic> {
        let definition = Definition::<Dynamic>::from_toml(
            r#"
            name = "memo"
            version = 1
            initial = "open"
            terminal = ["closed"]
            [states]
            open = { zh = "开", en = "Open" }
            closed = { zh = "关", en = "Closed" }
            [actions]
            close = { zh = "关闭", en = "Close" }
            [roles]
            clerk = { zh = "书记员", en = "Clerk" }
            judge = { zh = "法官", en = "Judge" }
            [[transitions]]
            from = "open"
            action = "close"
            to = "closed"
            roles = ["judge"]
            "#,
            &Registry::new(),
        )
        .expect("valid");
        Engine::new(definition)
            .with_clock(Arc::new(ManualClock::new(crate::scenario::default_start())))
            .with_ids(Arc::new(SeededIds::new(3)))
    }

    fn view<'a>(
        engine: &'a Engine<Dynamic>,
        before: &'a Instance<Dynamic>,
        after: &'a Instance<Dynamic>,
        log: &'a [AuditRecord],
    ) -> StepView<'a, Dynamic> {
        StepView {
            definition: engine.definition(),
            index: log.len() - 1,
            step: None,
            before: Some(before),
            instance: after,
            log,
            record: &log[log.len() - 1],
        }
    }

    #[test]
    fn the_builtins_catch_what_a_faulty_engine_or_store_would_do() {
        let engine = engine();
        let (open, created) = engine
            .create(Actor::new("c"), "clerk", serde_json::json!({}), None)
            .expect("create");
        let mut refused_instance = open.clone();
        let refused = engine
            .apply(
                &mut refused_instance,
                Command::new(
                    Actor::new("c"),
                    "clerk",
                    DynAction::new("close", serde_json::Value::Null),
                ),
            )
            .expect("apply");
        let mut closed = open.clone();
        let accepted = engine
            .apply(
                &mut closed,
                Command::new(
                    Actor::new("j"),
                    "judge",
                    DynAction::new("close", serde_json::Value::Null),
                ),
            )
            .expect("apply");
        assert!(refused.is_refused() && !accepted.is_refused());

        // What really happened passes every built-in.
        let log = [created.clone(), refused.clone()];
        for inv in Invariant::builtins() {
            assert_eq!(
                inv.check(&view(&engine, &open, &refused_instance, &log)),
                Ok(()),
                "{}",
                inv.name()
            );
        }
        // A refusal that moved the instance.
        let err = Invariant::refusals_change_nothing()
            .check(&view(&engine, &open, &closed, &log))
            .expect_err("the state moved");
        assert_eq!(err, "refused, yet the state moved from open to closed");
        // The instance does not match its log.
        let err = Invariant::replay_matches()
            .check(&view(&engine, &open, &closed, &log))
            .expect_err("replay differs");
        assert!(
            err.starts_with("replay differs from the live instance: state open vs closed"),
            "{err}"
        );
        // An accepted record the table does not allow, with its hash resealed by hand.
        let mut forged = accepted.clone();
        forged.role = "clerk".into();
        forged.hash = forged.compute_hash();
        let log = [created.clone(), forged];
        let err = Invariant::accepted_in_table()
            .check(&view(&engine, &open, &closed, &log))
            .expect_err("clerks may not close");
        assert_eq!(err, r#"accepted "close" by role "clerk"; the table allows ["judge"]"#);
        let err = Invariant::log_verifies()
            .check(&view(&engine, &open, &closed, &log))
            .expect_err("the log does not verify");
        assert!(err.contains("may not fire"), "{err}");
        // A tampered record.
        let mut tampered = accepted.clone();
        tampered.actor = Actor::new("mallory");
        let log = [created, tampered];
        let err = Invariant::log_verifies()
            .check(&view(&engine, &open, &closed, &log))
            .expect_err("the hash does not match");
        assert!(err.starts_with("the hash chain does not verify"), "{err}");
    }
}
