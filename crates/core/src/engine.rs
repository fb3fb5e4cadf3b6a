//! Applying actions: decide, write the audit record, evolve the instance.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::Lifecycle;
use crate::clock::{Clock, IdGenerator, RandomIds, SystemClock};
use crate::definition::{CREATE_ACTION, Decision, Definition, EffectInput, MIGRATE_ACTION};
use crate::guard::Reason;
use crate::instance::Instance;
use crate::label::Text;
use crate::lifecycle::{Action, PayloadError, State};
use crate::payload::Payload;
use crate::record::{Actor, AuditRecord, DefinitionRef, Digest, FORMAT_VERSION, Name, Outcome, name_of};

/// How far ahead of the writer's clock a record's time may be, and how far behind the
/// previous record's writing time a writer's clock may be: clocks of servers sharing
/// a store differ a little. Verification allows the same and no more.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::seconds(120);

/// True when `later` is more than [`MAX_CLOCK_SKEW`] after `earlier`. Times in order,
/// nearly all of them, are decided by a comparison: chrono's addition normalizes the
/// date, a measurable share of a transition and of replay. A limit past chrono's range
/// is one nothing exceeds.
#[inline]
pub(crate) fn past_skew(later: DateTime<Utc>, earlier: DateTime<Utc>) -> bool {
    later > earlier
        && earlier
            .checked_add_signed(MAX_CLOCK_SKEW)
            .is_some_and(|limit| later > limit)
}

/// An attempt to apply an action: who, in which role, what, and an optional note.
#[derive(Clone, Debug, PartialEq)]
pub struct Command<A> {
    /// Who attempts it.
    pub actor: Actor,
    /// The role they act in.
    pub role: Name,
    /// The action with its payload.
    pub action: A,
    /// A free-text note kept in the audit record.
    pub note: Option<String>,
    /// When the event happened, for an event entered after the fact; `None` for now.
    /// See [`Command::at`].
    pub effective_at: Option<DateTime<Utc>>,
}

impl<A> Command<A> {
    /// A command without a note.
    pub fn new(actor: Actor, role: impl Into<Name>, action: A) -> Self {
        Command {
            actor,
            role: role.into(),
            action,
            note: None,
            effective_at: None,
        }
    }

    /// The same command for an event that happened at `at`, entered after the fact.
    ///
    /// Guards judge the attempt as of `at`, and the record keeps both times: `at`, and
    /// `recorded_at`, the writer's clock, so back-dating is always visible. The engine
    /// refuses (as an [`EngineError`], writing nothing) a time later than its clock by
    /// more than [`MAX_CLOCK_SKEW`], and a time before the instance's
    /// [`settled_at`](crate::Instance::settled_at), the effective time of its last
    /// creation or accepted action: past events are entered in the order they
    /// happened. A refused attempt does not move that limit, so a mistaken attempt
    /// never blocks entering the events that came before it.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.effective_at = Some(at);
        self
    }

    /// The same command with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// An attempt to move an instance onto the engine's definition version from an
/// earlier version of the same definition ([`Engine::migrate`]): who, in which role,
/// how states of the earlier version map to states of the new one, when, and an
/// optional note.
///
/// The instance's state leads to the state the map gives for it, or, when the map does
/// not name it, to the same state in the new version (which must then have it).
#[derive(Clone, Debug, PartialEq)]
pub struct Migration<S> {
    /// Who migrates.
    pub actor: Actor,
    /// The role they act in; it must be one of the new version's
    /// [migrators](crate::DefinitionBuilder::migrators).
    pub role: String,
    /// Earlier state → state of the new version, by value; one entry per earlier
    /// state (see [`Migration::map`]).
    pub state_map: Vec<(S, S)>,
    /// A free-text note kept in the audit record.
    pub note: Option<String>,
    /// When the migration took effect, entered after the fact; `None` for now. The time
    /// rules of [`Command::at`] apply.
    pub effective_at: Option<DateTime<Utc>>,
}

impl<S: State> Migration<S> {
    /// A migration without state mapping, note or time.
    pub fn new(actor: Actor, role: impl Into<String>) -> Self {
        Migration {
            actor,
            role: role.into(),
            state_map: Vec::new(),
            note: None,
            effective_at: None,
        }
    }

    /// Maps the earlier state `old` to the new version's state `new` (replacing an
    /// earlier mapping of `old`).
    pub fn map(mut self, old: S, new: S) -> Self {
        self.state_map.retain(|(o, _)| *o != old);
        self.state_map.push((old, new));
        self
    }

    /// The same migration, taking effect at `at` (see [`Command::at`]).
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.effective_at = Some(at);
        self
    }

    /// The same migration with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The state map by state names, as the record's payload keeps it.
    pub fn names(&self) -> Result<BTreeMap<String, String>, EngineError> {
        let mut map = BTreeMap::new();
        for (old, new) in &self.state_map {
            if let Some(other) = map.insert(old.name().to_owned(), new.name().to_owned())
                && other != new.name()
            {
                return Err(EngineError::AmbiguousMapping {
                    state: old.name().to_owned(),
                    first: other,
                    second: new.name().to_owned(),
                });
            }
        }
        Ok(map)
    }
}

/// The payload of a `migrate` record: `{"from_version":1,"state_map":{"old":"new"},"to_version":2}`
/// (see docs/record-format.md).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationPayload {
    /// The version the instance followed before.
    pub from_version: u32,
    /// The version it was to follow.
    pub to_version: u32,
    /// The state map as given, earlier state name → new state name.
    pub state_map: BTreeMap<String, String>,
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
    /// The definition's [creation check](crate::DefinitionBuilder::creation_check)
    /// refused the initial data (for a definition file: its `[creation]` schema).
    #[error("{definition} refuses the data of a new instance: {reason}")]
    CreationRefused {
        /// The definition.
        definition: DefinitionRef,
        /// Why, in both languages.
        reason: Text,
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
    /// The event's time is later than the engine's clock (plus [`MAX_CLOCK_SKEW`]):
    /// nothing can be recorded as having happened in the future.
    #[error(
        "instance {instance}: the time {at} is after the clock's now ({now}); events cannot be dated in the future"
    )]
    FutureTime {
        /// The instance (nil for a creation).
        instance: uuid::Uuid,
        /// The time asked for.
        at: DateTime<Utc>,
        /// The clock's time.
        now: DateTime<Utc>,
    },
    /// The event's time is before the instance's last creation or accepted action:
    /// events are recorded in the order they happened.
    #[error(
        "instance {instance}: the time {at} is before its last accepted record ({settled}, record {seq}); events are entered in the order they happened"
    )]
    BeforeLastRecord {
        /// The instance.
        instance: uuid::Uuid,
        /// The time asked for.
        at: DateTime<Utc>,
        /// The effective time of the instance's last creation or accepted action.
        settled: DateTime<Utc>,
        /// The instance's last sequence number.
        seq: u64,
    },
    /// The engine's clock is behind the time the instance's last record was written,
    /// by more than [`MAX_CLOCK_SKEW`]: a writer with a wrong clock must not write.
    #[error(
        "instance {instance}: the clock ({now}) is behind the writing time of record {seq} ({recorded}); check this machine's clock"
    )]
    ClockBehind {
        /// The instance.
        instance: uuid::Uuid,
        /// The clock's time.
        now: DateTime<Utc>,
        /// When the last record was written.
        recorded: DateTime<Utc>,
        /// Its sequence number.
        seq: u64,
    },
    /// A migration's target is not newer than the version the instance follows.
    #[error("instance {instance} follows {found}; it can only migrate to a newer version, not to {target}")]
    NotNewer {
        /// The instance.
        instance: uuid::Uuid,
        /// The version the instance follows.
        found: DefinitionRef,
        /// The engine's definition, the migration's target.
        target: DefinitionRef,
    },
    /// A migration's state map maps one state to two different states.
    #[error("the migration maps state {state:?} to both {first:?} and {second:?}")]
    AmbiguousMapping {
        /// The earlier state.
        state: String,
        /// One target.
        first: String,
        /// The other.
        second: String,
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
    rules: Option<Digest>,
}

impl<L: Lifecycle> Clone for Engine<L> {
    fn clone(&self) -> Self {
        Engine {
            definition: Arc::clone(&self.definition),
            clock: Arc::clone(&self.clock),
            ids: Arc::clone(&self.ids),
            rules: self.rules,
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
            rules: None,
        }
    }

    /// The same engine for a definition built from the parameters that the
    /// configuration record with hash `rules` set (a court's rules, kept in its own
    /// log): every record it writes cites that record
    /// ([`AuditRecord::rules`]), so a verifier re-checks each decision under the rules
    /// it was made under.
    pub fn with_rules(mut self, rules: Digest) -> Self {
        self.rules = Some(rules);
        self
    }

    /// The configuration record the definition was built from, if any.
    pub fn rules(&self) -> Option<Digest> {
        self.rules
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

    /// An engine for another definition on the same clock and id source (and
    /// without rules: see [`with_rules`](Engine::with_rules)), for the other lifecycles
    /// a program keeps in the same store.
    pub fn for_definition<M: Lifecycle>(&self, definition: impl Into<Arc<Definition<M>>>) -> Engine<M> {
        Engine {
            definition: definition.into(),
            clock: Arc::clone(&self.clock),
            ids: Arc::clone(&self.ids),
            rules: None,
        }
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
        self.create_at(actor, role, data, note, None)
    }

    /// [`create`](Engine::create) for an instance whose work began at `at`, entered
    /// after the fact (see [`Command::at`]); `None` for now.
    pub fn create_at(
        &self,
        actor: Actor,
        role: &str,
        data: L::Data,
        note: Option<String>,
        at: Option<DateTime<Utc>>,
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
        def.check_creation(&data)
            .map_err(|reason| EngineError::CreationRefused {
                definition: def.reference().clone(),
                reason,
            })?;
        let payload = serde_json::to_value(&data).map_err(|source| EngineError::Data {
            definition: def.reference().clone(),
            source,
        })?;
        let payload = Payload::canonical(&payload).map_err(|e| {
            EngineError::Payload(PayloadError {
                action: CREATE_ACTION.to_owned(),
                message: e.to_string(),
            })
        })?;
        let recorded = self.clock.now();
        let now = at.unwrap_or(recorded);
        if past_skew(now, recorded) {
            return Err(EngineError::FutureTime {
                instance: uuid::Uuid::nil(),
                at: now,
                now: recorded,
            });
        }
        let id = self.ids.next_id(now);
        let mut record = AuditRecord {
            format: FORMAT_VERSION,
            instance: id,
            seq: 1,
            id: self.ids.next_id(now),
            at: now,
            recorded_at: Some(recorded),
            definition: def.reference().clone(),
            actor,
            role: Name::new(role),
            action: Name::new_static(CREATE_ACTION),
            payload,
            from: Name::new(def.initial().name()),
            outcome: Outcome::Created,
            note,
            rules: self.rules,
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
            settled_at: now,
            recorded_at: recorded,
            marks: Default::default(),
            due_at: None,
        };
        let mut instance = instance;
        def.created(&mut instance);
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
        let (now, recorded) = self.times(instance, command.effective_at)?;
        let payload = command.action.encode_payload()?;
        let decision = self
            .definition
            .decide(instance, &command.actor, &command.role, &command.action, &payload, now);
        let (outcome, to) = match decision {
            Decision::Accept { to } if external.is_empty() => (Outcome::Accepted { to: name_of(to.name()) }, Some(to)),
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
            recorded_at: Some(recorded),
            definition: self.definition.reference().clone(),
            actor: command.actor,
            role: command.role,
            action: name_of(command.action.name()),
            payload,
            from: name_of(instance.state.name()),
            outcome,
            note: command.note,
            rules: self.rules,
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
        let (now, _) = self.times(instance, command.effective_at)?;
        let payload = command.action.encode_payload()?;
        Ok(self
            .definition
            .decide(instance, &command.actor, &command.role, &command.action, &payload, now))
    }

    /// Moves `instance` onto this engine's definition, a newer version of the one it
    /// follows, and returns the `migrate` record, accepted or refused.
    ///
    /// Typed errors, nothing recorded: another definition name
    /// ([`EngineError::WrongDefinition`]), a version not newer than the instance's
    /// ([`EngineError::NotNewer`]), an ambiguous map
    /// ([`EngineError::AmbiguousMapping`]), unsafe text, and the time rules of
    /// [`Command::at`]. Refused and recorded (reasons in zh and en): a role that is not
    /// among the new version's migrators, an instance state the new version does not
    /// have and the map does not name, a map target the new version does not have (see
    /// [`Definition::decide_migration`]).
    ///
    /// Accepted, the record names the new version as its `definition`, `from` is the
    /// old state and `to` the new, and its payload is a [`MigrationPayload`]; the
    /// instance then follows the new version, its data upgraded by the new version's
    /// [upgrade](crate::DefinitionBuilder::upgrade_from) from the old version if it has
    /// one. Refused, the record names the version the instance still follows, and the
    /// instance keeps its version, state and data. Persist the record as for
    /// [`apply`](Engine::apply).
    pub fn migrate(
        &self,
        instance: &mut Instance<L>,
        migration: Migration<L::State>,
    ) -> Result<AuditRecord, EngineError> {
        self.migrate_with(instance, migration, Vec::new())
    }

    /// [`migrate`](Engine::migrate) with the failures of checks the embedding program
    /// made itself (for example, that the actor may act in the role): any external
    /// failure refuses the migration, and its reasons are recorded beside the engine's.
    pub fn migrate_with(
        &self,
        instance: &mut Instance<L>,
        migration: Migration<L::State>,
        external: Vec<Reason>,
    ) -> Result<AuditRecord, EngineError> {
        crate::plain_text::check_command(&migration.actor, &migration.role)?;
        let map = self.check_migration(instance, &migration)?;
        let (now, recorded) = self.times(instance, migration.effective_at)?;
        let target = &self.definition;
        let from_version = instance.definition.version;
        let payload = serde_json::to_value(MigrationPayload {
            from_version,
            to_version: target.version(),
            state_map: map.clone(),
        })
        .and_then(|p| Payload::canonical(&p).map_err(serde::ser::Error::custom))
        .map_err(|e| {
            EngineError::Payload(PayloadError {
                action: MIGRATE_ACTION.to_owned(),
                message: e.to_string(),
            })
        })?;
        let decision = target.decide_migration(instance.state.name(), &migration.role, &map);
        let (outcome, to, definition) = match decision {
            Decision::Accept { to } if external.is_empty() => (
                Outcome::Accepted { to: name_of(to.name()) },
                Some(to),
                target.reference().clone(),
            ),
            Decision::Accept { .. } => (
                Outcome::Refused { reasons: external },
                None,
                instance.definition.clone(),
            ),
            Decision::Refuse(mut reasons) => {
                reasons.extend(external);
                (Outcome::Refused { reasons }, None, instance.definition.clone())
            }
        };
        let mut record = AuditRecord {
            format: FORMAT_VERSION,
            instance: instance.id,
            seq: instance.seq + 1,
            id: self.ids.next_id(now),
            at: now,
            recorded_at: Some(recorded),
            definition,
            actor: migration.actor,
            role: Name::from(migration.role),
            action: Name::new_static(MIGRATE_ACTION),
            payload,
            from: name_of(instance.state.name()),
            outcome,
            note: migration.note,
            rules: self.rules,
            prev_hash: instance.last_hash,
            hash: Digest::ZERO,
        };
        record.seal();
        target.migrate_onto(instance, &record, to, from_version);
        Ok(record)
    }

    /// What [`migrate`](Engine::migrate) would decide now, without writing anything.
    pub fn preview_migration(
        &self,
        instance: &Instance<L>,
        migration: &Migration<L::State>,
    ) -> Result<Decision<L::State>, EngineError> {
        let map = self.check_migration(instance, migration)?;
        self.times(instance, migration.effective_at)?;
        Ok(self
            .definition
            .decide_migration(instance.state.name(), &migration.role, &map))
    }

    /// The checks of a migration that are errors rather than refusals; the state map by
    /// names.
    fn check_migration(
        &self,
        instance: &Instance<L>,
        migration: &Migration<L::State>,
    ) -> Result<BTreeMap<String, String>, EngineError> {
        let target = self.definition.reference();
        if instance.definition.name != target.name {
            return Err(EngineError::WrongDefinition {
                instance: instance.id,
                expected: target.clone(),
                found: instance.definition.clone(),
            });
        }
        if instance.definition.version >= target.version {
            return Err(EngineError::NotNewer {
                instance: instance.id,
                found: instance.definition.clone(),
                target: target.clone(),
            });
        }
        migration.names()
    }

    /// The effective time and the writing time of a new record on `instance`, under
    /// the time rules of [`Command::at`].
    fn times(
        &self,
        instance: &Instance<L>,
        effective: Option<DateTime<Utc>>,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), EngineError> {
        let now = self.clock.now();
        if past_skew(instance.recorded_at, now) {
            return Err(EngineError::ClockBehind {
                instance: instance.id,
                now,
                recorded: instance.recorded_at,
                seq: instance.seq,
            });
        }
        // Within the skew, a clock a little behind the last writer's is raised to it,
        // so writing times never decrease within a log.
        let recorded = now.max(instance.recorded_at);
        let at = effective.unwrap_or(recorded);
        if past_skew(at, recorded) {
            return Err(EngineError::FutureTime {
                instance: instance.id,
                at,
                now: recorded,
            });
        }
        if at < instance.settled_at {
            return Err(EngineError::BeforeLastRecord {
                instance: instance.id,
                at,
                settled: instance.settled_at,
                seq: instance.seq,
            });
        }
        Ok((at, recorded))
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
    /// Moves `instance` past a `migrate` record onto this definition (its target):
    /// accepted (`to` given), the instance follows this version from now on, in state
    /// `to`, its data upgraded from `from_version`; refused, only its sequence number,
    /// hash and times move on. Used both live and on replay.
    pub(crate) fn migrate_onto(
        &self,
        instance: &mut Instance<L>,
        record: &AuditRecord,
        to: Option<L::State>,
        from_version: u32,
    ) {
        instance.seq = record.seq;
        instance.last_hash = record.hash;
        instance.updated_at = record.at;
        instance.recorded_at = record.recorded_at.unwrap_or(record.at);
        if let Some(to) = to {
            instance.settled_at = record.at;
            instance.definition = self.reference().clone();
            if let Some(upgrade) = self.upgrade_from(from_version) {
                upgrade(&mut instance.data);
            }
            if to != instance.state {
                instance.entered_at = record.at;
                instance.state = to;
            }
            self.settle_deadlines(instance, record);
        }
    }

    /// Records the creation in `instance`'s marks and computes its first due time:
    /// every place an instance is born (live and on replay) goes through here.
    pub(crate) fn created(&self, instance: &mut Instance<L>) {
        instance
            .marks
            .mark(crate::definition::CREATE_ACTION, instance.created_at);
        instance.due_at = self.due_of(&instance.state, instance.entered_at, &instance.marks);
    }

    /// After an accepted record: its action's mark, and the due time it leads to.
    fn settle_deadlines(&self, instance: &mut Instance<L>, record: &AuditRecord) {
        instance.marks.mark(&record.action, record.at);
        instance.due_at = self.due_of(&instance.state, instance.entered_at, &instance.marks);
    }

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
        instance.recorded_at = record.recorded_at.unwrap_or(record.at);
        if let Some((action, to)) = accepted {
            instance.settled_at = record.at;
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
            self.settle_deadlines(instance, record);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, TimeZone, Utc};
    use proptest::prelude::*;

    use super::{MAX_CLOCK_SKEW, past_skew};

    #[test]
    fn past_skew_is_strictly_more_than_the_skew_after() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(!past_skew(t, t));
        assert!(!past_skew(t + MAX_CLOCK_SKEW, t));
        assert!(past_skew(t + MAX_CLOCK_SKEW + TimeDelta::nanoseconds(1), t));
        assert!(!past_skew(t, t + TimeDelta::days(1)));
        // Near the end of chrono's range the limit is past it: nothing exceeds it.
        assert!(!past_skew(
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MAX_UTC - TimeDelta::seconds(1)
        ));
        assert!(past_skew(
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MAX_UTC - TimeDelta::days(1)
        ));
    }

    proptest! {
        #[test]
        fn past_skew_agrees_with_the_sum(a in -10_000_000_000i64..10_000_000_000, d in -400_000_000_000i64..400_000_000_000) {
            let earlier = Utc.timestamp_opt(1_700_000_000, 0).single().unwrap_or_default() + TimeDelta::milliseconds(a);
            let later = earlier + TimeDelta::nanoseconds(d);
            prop_assert_eq!(past_skew(later, earlier), later > earlier + MAX_CLOCK_SKEW);
        }
    }
}
