//! Applying actions: decide, write the audit record, evolve the instance.

use std::sync::Arc;

use serde_json::Value;

use crate::Lifecycle;
use crate::clock::{Clock, IdGenerator, RandomIds, SystemClock};
use crate::definition::{Decision, Definition, EffectInput};
use crate::guard::Reason;
use crate::instance::Instance;
use crate::lifecycle::{Action, PayloadError, State};
use crate::record::{Actor, AuditRecord, DefinitionRef, Digest, FORMAT_VERSION, Outcome};

/// An attempt to apply an action: who, in which role, what, and an optional note.
#[derive(Clone, Debug, PartialEq)]
pub struct Command<A> {
    /// Who attempts it.
    pub actor: Actor,
    /// The role they act in.
    pub role: String,
    /// The action with its payload.
    pub action: A,
    /// A free-text note kept in the audit record.
    pub note: Option<String>,
}

impl<A> Command<A> {
    /// A command without a note.
    pub fn new(actor: Actor, role: impl Into<String>, action: A) -> Self {
        Command {
            actor,
            role: role.into(),
            action,
            note: None,
        }
    }

    /// The same command with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The engine could not make an attempt at all (as opposed to refusing it, which is
/// a normal outcome recorded in the log).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The instance follows another definition or version than this engine's.
    #[error("instance {instance} follows {found}, but this engine runs {expected}")]
    WrongDefinition {
        /// The instance.
        instance: uuid::Uuid,
        /// The engine's definition.
        expected: DefinitionRef,
        /// The instance's definition.
        found: DefinitionRef,
    },
    /// The action's payload could not be encoded as JSON.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The initial data could not be encoded as JSON.
    #[error("initial data of a new {definition} instance cannot be encoded as JSON: {source}")]
    Data {
        /// The definition.
        definition: DefinitionRef,
        /// What serde reported.
        source: serde_json::Error,
    },
    /// The role is not declared by the definition.
    #[error("{definition} declares no role {role:?}")]
    UnknownRole {
        /// The definition.
        definition: DefinitionRef,
        /// The role.
        role: String,
    },
    /// The role may not create instances.
    #[error("role {role:?} may not create {definition} instances; allowed: {allowed:?}")]
    CreatorNotAllowed {
        /// The definition.
        definition: DefinitionRef,
        /// The role.
        role: String,
        /// The creator roles.
        allowed: Vec<String>,
    },
    /// The actor's id, name or unit, or the role, is empty or contains a character
    /// that could act on a terminal or disguise the text (see
    /// [`plain_text`](crate::plain_text)); nothing was recorded.
    #[error(transparent)]
    UnsafeText(#[from] crate::plain_text::PlainTextError),
}

/// Runs one definition: creates instances and applies actions to them, with time and
/// ids from injectable sources.
pub struct Engine<L: Lifecycle> {
    definition: Arc<Definition<L>>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl<L: Lifecycle> Clone for Engine<L> {
    fn clone(&self) -> Self {
        Engine {
            definition: Arc::clone(&self.definition),
            clock: Arc::clone(&self.clock),
            ids: Arc::clone(&self.ids),
        }
    }
}

impl<L: Lifecycle> std::fmt::Debug for Engine<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("definition", &self.definition.reference())
            .finish_non_exhaustive()
    }
}

impl<L: Lifecycle> Engine<L> {
    /// An engine on the system clock with random UUID v7 ids.
    pub fn new(definition: impl Into<Arc<Definition<L>>>) -> Self {
        Engine {
            definition: definition.into(),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }

    /// The same engine reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same engine taking ids from `ids`.
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// The definition this engine runs.
    pub fn definition(&self) -> &Arc<Definition<L>> {
        &self.definition
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Creates an instance in the initial state with `data`, and the record that
    /// opens its log (sequence number 1, outcome `created`, payload = the data).
    pub fn create(
        &self,
        actor: Actor,
        role: &str,
        data: L::Data,
        note: Option<String>,
    ) -> Result<(Instance<L>, AuditRecord), EngineError> {
        crate::plain_text::check_command(&actor, role)?;
        let def = &self.definition;
        if !def.has_role(role) {
            return Err(EngineError::UnknownRole {
                definition: def.reference().clone(),
                role: role.to_owned(),
            });
        }
        if !def.is_creator(role) {
            return Err(EngineError::CreatorNotAllowed {
                definition: def.reference().clone(),
                role: role.to_owned(),
                allowed: def.creators().to_vec(),
            });
        }
        let payload = serde_json::to_value(&data).map_err(|source| EngineError::Data {
            definition: def.reference().clone(),
            source,
        })?;
        let now = self.clock.now();
        let id = self.ids.next_id(now);
        let mut record = AuditRecord {
            format: FORMAT_VERSION,
            instance: id,
            seq: 1,
            id: self.ids.next_id(now),
            at: now,
            definition: def.reference().clone(),
            actor,
            role: role.to_owned(),
            action: "create".to_owned(),
            payload,
            from: def.initial().name().to_owned(),
            outcome: Outcome::Created,
            note,
            prev_hash: Digest::ZERO,
            hash: Digest::ZERO,
        };
        record.seal();
        let instance = Instance {
            id,
            definition: def.reference().clone(),
            state: def.initial().clone(),
            data,
            seq: 1,
            last_hash: record.hash,
            created_at: now,
            entered_at: now,
            updated_at: now,
        };
        Ok((instance, record))
    }

    /// Attempts `command` on `instance` and returns the audit record, accepted or
    /// refused: transition exists? → role allowed? → guards pass? → effect → record.
    ///
    /// A refusal is not an error: it is recorded, and the instance keeps its state and
    /// data (only its sequence number and last hash move on). Persist the record before
    /// acting on the result; if the store refuses the append, reload the instance.
    pub fn apply(&self, instance: &mut Instance<L>, command: Command<L::Action>) -> Result<AuditRecord, EngineError> {
        self.apply_with(instance, command, Vec::new())
    }

    /// Like [`apply`](Engine::apply), with the failures of checks the embedding program
    /// made itself (for example across many instances). Any external failure refuses
    /// the attempt, and its reasons are recorded beside the definition's own.
    pub fn apply_with(
        &self,
        instance: &mut Instance<L>,
        command: Command<L::Action>,
        external: Vec<Reason>,
    ) -> Result<AuditRecord, EngineError> {
        crate::plain_text::check_command(&command.actor, &command.role)?;
        self.check_definition(instance)?;
        let now = self.clock.now();
        let payload = command.action.payload()?;
        let decision = self
            .definition
            .decide(instance, &command.actor, &command.role, &command.action, &payload, now);
        let (outcome, to) = match decision {
            Decision::Accept { to } if external.is_empty() => (
                Outcome::Accepted {
                    to: to.name().to_owned(),
                },
                Some(to),
            ),
            Decision::Accept { .. } => (Outcome::Refused { reasons: external }, None),
            Decision::Refuse(mut reasons) => {
                reasons.extend(external);
                (Outcome::Refused { reasons }, None)
            }
        };
        let mut record = AuditRecord {
            format: FORMAT_VERSION,
            instance: instance.id,
            seq: instance.seq + 1,
            id: self.ids.next_id(now),
            at: now,
            definition: self.definition.reference().clone(),
            actor: command.actor,
            role: command.role,
            action: command.action.name().to_owned(),
            payload,
            from: instance.state.name().to_owned(),
            outcome,
            note: command.note,
            prev_hash: instance.last_hash,
            hash: Digest::ZERO,
        };
        record.seal();
        self.definition
            .advance(instance, &record, to.map(|to| (&command.action, to)));
        Ok(record)
    }

    /// What [`apply`](Engine::apply) would decide now, without writing anything.
    pub fn preview(
        &self,
        instance: &Instance<L>,
        command: &Command<L::Action>,
    ) -> Result<Decision<L::State>, EngineError> {
        self.check_definition(instance)?;
        let payload: Value = command.action.payload()?;
        Ok(self.definition.decide(
            instance,
            &command.actor,
            &command.role,
            &command.action,
            &payload,
            self.clock.now(),
        ))
    }

    fn check_definition(&self, instance: &Instance<L>) -> Result<(), EngineError> {
        if instance.definition != *self.definition.reference() {
            return Err(EngineError::WrongDefinition {
                instance: instance.id,
                expected: self.definition.reference().clone(),
                found: instance.definition.clone(),
            });
        }
        Ok(())
    }
}

impl<L: Lifecycle> Definition<L> {
    /// Moves `instance` past `record`: the one place an instance changes, used both
    /// live and on replay, so that replaying a log gives what running it gave.
    pub(crate) fn advance(
        &self,
        instance: &mut Instance<L>,
        record: &AuditRecord,
        accepted: Option<(&L::Action, L::State)>,
    ) {
        instance.seq = record.seq;
        instance.last_hash = record.hash;
        instance.updated_at = record.at;
        if let Some((action, to)) = accepted {
            if let Some(effect) = self.effect() {
                let input = EffectInput {
                    action,
                    from: &instance.state,
                    to: &to,
                    actor: &record.actor,
                    role: &record.role,
                    at: record.at,
                    seq: record.seq,
                };
                effect(&mut instance.data, &input);
            }
            if to != instance.state {
                instance.entered_at = record.at;
                instance.state = to;
            }
        }
    }
}
