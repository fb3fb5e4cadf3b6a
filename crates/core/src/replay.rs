//! Rebuilding instances from their records, and verifying the records on the way.

use std::fmt;

use uuid::Uuid;

use crate::Lifecycle;
use crate::deadline::{Marks, TrailEntry};
use crate::definition::{Decision, Definition, MIGRATE_ACTION};
use crate::engine::MigrationPayload;
use crate::guard::Reason;
use crate::instance::{Instance, Snapshot};
use crate::lifecycle::{Action, PayloadError, State};
use crate::versions::Versions;
use chrono::{DateTime, Utc};

use crate::engine::past_skew;
use crate::record::{AuditRecord, DefinitionRef, Digest, FORMAT_V1, FORMAT_VERSION, KNOWN_FORMATS, Name, Outcome};

/// A log failed verification: which instance, which record, and what was wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("instance {instance}, record {seq}: {kind}")]
pub struct VerifyError {
    /// The instance whose log is at fault.
    pub instance: Uuid,
    /// The sequence number of the first faulty record (for a missing record, the
    /// number that was expected).
    pub seq: u64,
    /// What was wrong.
    pub kind: VerifyErrorKind,
}

/// What was wrong with a log.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// There are no records at all.
    Empty,
    /// The record has a format version this library does not know.
    UnknownFormat {
        /// The format found.
        found: u16,
    },
    /// The record belongs to another instance.
    WrongInstance {
        /// The instance it names.
        found: Uuid,
    },
    /// The sequence numbers are not contiguous from 1.
    SequenceGap {
        /// The sequence number expected here.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// The record does not link to the hash of the record before it.
    BrokenLink {
        /// The previous record's hash.
        expected: Digest,
        /// The `prev_hash` the record holds.
        found: Digest,
    },
    /// The record's content does not hash to its stored hash: it was changed.
    HashMismatch {
        /// The hash stored in the record.
        stored: Digest,
        /// The hash of its content.
        computed: Digest,
    },
    /// The first record does not create the instance, or a later one claims to.
    Creation {
        /// Which of the two.
        message: &'static str,
    },
    /// The record names another definition or version.
    WrongDefinition {
        /// The definition replaying the log.
        expected: DefinitionRef,
        /// The one the record names.
        found: DefinitionRef,
    },
    /// The record names a state the definition does not have.
    UnknownState {
        /// The name.
        state: String,
    },
    /// The record's `from` is not the state the instance was in.
    StateMismatch {
        /// The state the log leads to.
        expected: String,
        /// The `from` the record claims.
        found: String,
    },
    /// An accepted record claims a transition the table does not have.
    NoSuchTransition {
        /// The from state.
        from: String,
        /// The action.
        action: String,
    },
    /// An accepted record leads to another state than the table says.
    TargetMismatch {
        /// The action.
        action: String,
        /// Where the table leads.
        expected: String,
        /// Where the record claims to lead.
        found: String,
    },
    /// An accepted record was fired by a role the transition does not allow.
    RoleNotAllowed {
        /// The role.
        role: String,
        /// The action.
        action: String,
    },
    /// A refused record gives no reason.
    EmptyRefusal,
    /// The payload does not decode into the definition's action type.
    Payload(PayloadError),
    /// The creating record's payload does not decode into the instance data type.
    Data {
        /// What serde reported.
        message: String,
    },
    /// Re-checked against the guards, an accepted record would have been refused.
    GuardsWouldRefuse {
        /// Every guard that fails.
        reasons: Vec<Reason>,
    },
    /// A snapshot does not fit the definition or the records after it.
    Snapshot {
        /// What did not fit.
        message: String,
    },
    /// The record breaks a rule of its format: a field its format requires is missing
    /// or one it does not have is present, its payload has no canonical form, or it
    /// is of an older format than the record before it.
    Malformed {
        /// What is wrong.
        message: String,
    },
    /// The record's times break the time rules (see [`check_times`]).
    Time {
        /// Which rule, with the times involved.
        message: String,
    },
    /// A `migrate` record does not hold together: its payload does not decode, names
    /// other versions than the log, its target is not newer, or what it records is not
    /// what its target version gives (see [`Engine::migrate`](crate::Engine::migrate)).
    Migration {
        /// What is wrong.
        message: String,
    },
    /// The rules the record cites ([`AuditRecord::rules`]) are not the store's, or
    /// were not in force when it was written.
    Rules {
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for VerifyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyErrorKind::Empty => write!(f, "the log has no records"),
            VerifyErrorKind::UnknownFormat { found } => {
                write!(
                    f,
                    "unknown record format {found} (this library writes {FORMAT_VERSION})"
                )
            }
            VerifyErrorKind::WrongInstance { found } => write!(f, "record belongs to instance {found}"),
            VerifyErrorKind::SequenceGap { expected, found } => {
                write!(f, "sequence number {found} where {expected} was expected")
            }
            VerifyErrorKind::BrokenLink { expected, found } => write!(
                f,
                "prev_hash {found} does not match the previous record's hash {expected}"
            ),
            VerifyErrorKind::HashMismatch { stored, computed } => write!(
                f,
                "content hashes to {computed} but the record stores {stored}: the record was altered"
            ),
            VerifyErrorKind::Creation { message } => f.write_str(message),
            VerifyErrorKind::WrongDefinition { expected, found } => {
                write!(f, "record follows {found}, the log is replayed with {expected}")
            }
            VerifyErrorKind::UnknownState { state } => write!(f, "unknown state {state:?}"),
            VerifyErrorKind::StateMismatch { expected, found } => {
                write!(f, "record starts from {found:?} but the instance was in {expected:?}")
            }
            VerifyErrorKind::NoSuchTransition { from, action } => write!(
                f,
                "accepted {action:?} from {from:?}, but the definition has no such transition"
            ),
            VerifyErrorKind::TargetMismatch {
                action,
                expected,
                found,
            } => write!(
                f,
                "accepted {action:?} leads to {found:?}, but the definition says {expected:?}"
            ),
            VerifyErrorKind::RoleNotAllowed { role, action } => {
                write!(f, "role {role:?} may not fire {action:?}, yet the record was accepted")
            }
            VerifyErrorKind::EmptyRefusal => write!(f, "refused record gives no reason"),
            VerifyErrorKind::Payload(e) => write!(f, "{e}"),
            VerifyErrorKind::Data { message } => write!(f, "initial data does not decode: {message}"),
            VerifyErrorKind::GuardsWouldRefuse { reasons } => {
                write!(f, "accepted, but its guards refuse it:")?;
                for r in reasons {
                    write!(f, " {r};")?;
                }
                Ok(())
            }
            VerifyErrorKind::Snapshot { message } => write!(f, "snapshot: {message}"),
            VerifyErrorKind::Malformed { message } => write!(f, "malformed record: {message}"),
            VerifyErrorKind::Time { message } => write!(f, "time: {message}"),
            VerifyErrorKind::Rules { message } => write!(f, "rules: {message}"),
            VerifyErrorKind::Migration { message } => write!(f, "migration: {message}"),
        }
    }
}

/// How thoroughly to replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// Re-evaluate the guards of every accepted transition at the record's time.
    /// Only meaningful when the guards are pure, as Regula requires.
    pub recheck_guards: bool,
    /// The verifier's clock: a record written (or, in format 1, dated) later than this
    /// plus [`MAX_CLOCK_SKEW`](crate::MAX_CLOCK_SKEW) is reported. `None` skips that one check.
    pub now: Option<DateTime<Utc>>,
}

impl ReplayOptions {
    /// Full verification as of `now`: guards re-checked, no record from the future.
    pub fn verify_at(now: DateTime<Utc>) -> Self {
        ReplayOptions {
            recheck_guards: true,
            now: Some(now),
        }
    }
}

/// Checks the record's own integrity and its link to what came before:
/// format, instance, sequence number, `prev_hash`, and its hash.
pub fn check_link(record: &AuditRecord, instance: Uuid, seq: u64, prev: Digest) -> Result<(), VerifyError> {
    let fail = |kind| Err(VerifyError { instance, seq, kind });
    if record.instance != instance {
        return fail(VerifyErrorKind::WrongInstance { found: record.instance });
    }
    if record.seq != seq {
        return fail(VerifyErrorKind::SequenceGap {
            expected: seq,
            found: record.seq,
        });
    }
    if !KNOWN_FORMATS.contains(&record.format) {
        return fail(VerifyErrorKind::UnknownFormat { found: record.format });
    }
    match (record.format, record.recorded_at) {
        (FORMAT_V1, Some(_)) => {
            return fail(VerifyErrorKind::Malformed {
                message: "a format 1 record has no recorded_at".to_owned(),
            });
        }
        (FORMAT_V1, None) | (_, Some(_)) => {}
        (_, None) => {
            return fail(VerifyErrorKind::Malformed {
                message: format!("a format {} record must have recorded_at", record.format),
            });
        }
    }
    if record.format == FORMAT_V1 && record.rules.is_some() {
        return fail(VerifyErrorKind::Malformed {
            message: "a format 1 record has no rules".to_owned(),
        });
    }
    let computed = match record.checked_hash() {
        Ok(computed) => computed,
        Err(e) => {
            return fail(VerifyErrorKind::Malformed {
                message: format!("payload: {e}"),
            });
        }
    };
    if computed != record.hash {
        return fail(VerifyErrorKind::HashMismatch {
            stored: record.hash,
            computed,
        });
    }
    if record.prev_hash != prev {
        return fail(VerifyErrorKind::BrokenLink {
            expected: prev,
            found: record.prev_hash,
        });
    }
    Ok(())
}

/// What a log's time rules need to know of the records before the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeFloor {
    /// The format of the previous record.
    pub format: u16,
    /// Its effective time.
    pub at: DateTime<Utc>,
    /// When it was written.
    pub recorded_at: DateTime<Utc>,
    /// The effective time of the last creation or accepted record.
    pub settled_at: DateTime<Utc>,
}

impl TimeFloor {
    /// The floor after `record`, given the floor before it (`None` for the first).
    pub fn after(previous: Option<TimeFloor>, record: &AuditRecord) -> TimeFloor {
        let settled_at = match (&record.outcome, previous) {
            (Outcome::Refused { .. }, Some(p)) => p.settled_at,
            _ => record.at,
        };
        TimeFloor {
            format: record.format,
            at: record.at,
            recorded_at: record.recorded_at.unwrap_or(record.at),
            settled_at,
        }
    }
}

/// Checks a record's times against the records before it (`previous`, `None` for the
/// first record) and, given one, the verifier's clock; the rules the engine applies
/// when it writes ([`Command::at`](crate::Command::at)):
///
/// - from format 2, `recorded_at` is never earlier than the previous record's;
/// - `at` is at most [`MAX_CLOCK_SKEW`](crate::MAX_CLOCK_SKEW) after `recorded_at`;
/// - `at` is never before the previous creation or accepted record's `at` (format 2),
///   or before the previous record's `at` at all (format 1, whose writers kept every
///   record in time order);
/// - no record is written (format 1: dated) later than `now` plus the skew;
/// - a log never goes back to an older format.
pub fn check_times(
    record: &AuditRecord,
    previous: Option<&TimeFloor>,
    now: Option<DateTime<Utc>>,
) -> Result<(), VerifyErrorKind> {
    let time = |message: String| Err(VerifyErrorKind::Time { message });
    let recorded = record.recorded_at.unwrap_or(record.at);
    if past_skew(record.at, recorded) {
        return time(format!(
            "dated {} but written at {}: later than its writer's clock",
            record.at, recorded
        ));
    }
    if let Some(now) = now
        && past_skew(recorded, now)
    {
        return time(format!("written at {recorded}, after the verifier's clock ({now})"));
    }
    let Some(p) = previous else {
        return Ok(());
    };
    if record.format < p.format {
        return Err(VerifyErrorKind::Malformed {
            message: format!(
                "format {} after a record of format {}: a log never goes back to an older format",
                record.format, p.format
            ),
        });
    }
    if record.format == FORMAT_V1 {
        if record.at < p.at {
            return time(format!("dated {}, before the previous record ({})", record.at, p.at));
        }
        return Ok(());
    }
    if recorded < p.recorded_at {
        return time(format!(
            "written at {recorded}, before the previous record was written ({})",
            p.recorded_at
        ));
    }
    if record.at < p.settled_at {
        return time(format!(
            "dated {}, before the last creation or accepted record ({})",
            record.at, p.settled_at
        ));
    }
    Ok(())
}

const FIRST_MUST_CREATE: &str = "the first record must create the instance";
const ONLY_FIRST_CREATES: &str = "only the first record may create the instance";

/// Checks that `record`, at `seq` in its instance's log, creates the instance exactly
/// when it is the first record.
pub(crate) fn check_creation(record: &AuditRecord, instance: Uuid, seq: u64) -> Result<(), VerifyError> {
    let creates = matches!(record.outcome, Outcome::Created);
    if creates == (seq == 1) {
        return Ok(());
    }
    Err(VerifyError {
        instance,
        seq,
        kind: VerifyErrorKind::Creation {
            message: if creates { ONLY_FIRST_CREATES } else { FIRST_MUST_CREATE },
        },
    })
}

/// Verifies one instance's log without its definition: contiguous sequence numbers
/// from 1, a creating first record, every hash and every link. Returns the hash of
/// the last record.
pub fn verify_chain(records: &[AuditRecord]) -> Result<Digest, VerifyError> {
    let Some(first) = records.first() else {
        return Err(VerifyError {
            instance: Uuid::nil(),
            seq: 1,
            kind: VerifyErrorKind::Empty,
        });
    };
    let instance = first.instance;
    let mut prev = Digest::ZERO;
    let mut floor = None;
    for (i, r) in records.iter().enumerate() {
        let seq = i as u64 + 1;
        check_link(r, instance, seq, prev)?;
        check_creation(r, instance, seq)?;
        check_times(r, floor.as_ref(), None).map_err(|kind| VerifyError { instance, seq, kind })?;
        floor = Some(TimeFloor::after(floor, r));
        prev = r.hash;
    }
    Ok(prev)
}

impl<L: Lifecycle> Definition<L> {
    /// Rebuilds an instance from its records alone, verifying the hash chain, the
    /// sequence numbers and every accepted transition against this definition.
    pub fn replay(&self, records: &[AuditRecord]) -> Result<Instance<L>, VerifyError> {
        self.replay_with(records, ReplayOptions::default())
    }

    /// [`replay`](Definition::replay) with options.
    ///
    /// Every record must name this definition: a log that migrated onto another
    /// version fails at its accepted `migrate` record with
    /// [`VerifyErrorKind::WrongDefinition`]; replay such a log with
    /// [`Versions`].
    pub fn replay_with(&self, records: &[AuditRecord], options: ReplayOptions) -> Result<Instance<L>, VerifyError> {
        replay_log(Defs::One(self), records, options)
    }

    /// Rebuilds an instance from a snapshot and the records after it. The records are
    /// checked as by [`replay`](Definition::replay), starting from the snapshot's
    /// sequence number and hash; the snapshot itself is trusted, so verification
    /// always replays from the first record instead.
    pub fn resume(&self, snapshot: &Snapshot, records_after: &[AuditRecord]) -> Result<Instance<L>, VerifyError> {
        resume_log(Defs::One(self), snapshot, records_after)
    }

    /// Applies `records` to `instance`, checking each one; the records must follow
    /// directly after the instance's last record.
    pub fn replay_onto(
        &self,
        instance: Instance<L>,
        records: &[AuditRecord],
        options: ReplayOptions,
    ) -> Result<Instance<L>, VerifyError> {
        replay_onto_log(Defs::One(self), instance, records, options)
    }

    /// Verifies a log completely; [`replay`](Definition::replay) without keeping the
    /// instance.
    pub fn verify(&self, records: &[AuditRecord]) -> Result<(), VerifyError> {
        self.replay(records).map(|_| ())
    }

    /// The audit trail of a log with its lateness: for each record, the deadlines that
    /// were pending before it and had passed at its effective time
    /// ([`Definition::overdue`]). Derived from the records by replaying them (and
    /// verifying them as [`replay`](Definition::replay) does), so it says nothing the
    /// log does not support.
    pub fn trail(&self, records: &[AuditRecord]) -> Result<Vec<TrailEntry>, VerifyError> {
        trail_of(Defs::One(self), records)
    }
}

pub(crate) fn trail_of<L: Lifecycle>(
    defs: Defs<'_, L>,
    records: &[AuditRecord],
) -> Result<Vec<TrailEntry>, VerifyError> {
    let mut trail = Vec::with_capacity(records.len());
    if let Some(first) = records.first() {
        trail.push(TrailEntry {
            seq: first.seq,
            action: first.action.clone(),
            at: first.at,
            late: Vec::new(),
        });
    }
    replay_log_observed(defs, records, ReplayOptions::default(), &mut |def, instance, record| {
        trail.push(TrailEntry {
            seq: record.seq,
            action: record.action.clone(),
            at: record.at,
            late: def.overdue(instance, record.at),
        });
    })?;
    Ok(trail)
}

/// The definitions a replay may meet: one version, or every version of a definition.
pub(crate) enum Defs<'a, L: Lifecycle> {
    /// One definition version: every record must name it.
    One(&'a Definition<L>),
    /// The versions of one definition, for logs that migrate.
    Many(&'a Versions<L>),
}

impl<L: Lifecycle> Clone for Defs<'_, L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L: Lifecycle> Copy for Defs<'_, L> {}

impl<'a, L: Lifecycle> Defs<'a, L> {
    fn find(self, reference: &DefinitionRef) -> Option<&'a Definition<L>> {
        match self {
            Defs::One(d) => (d.reference() == reference).then_some(d),
            Defs::Many(v) => v.find(reference).map(|d| &**d),
        }
    }

    /// What a log is replayed with, for errors: the definition, or the latest version.
    fn expected(self) -> DefinitionRef {
        match self {
            Defs::One(d) => d.reference().clone(),
            Defs::Many(v) => v.latest().reference().clone(),
        }
    }
}

pub(crate) fn replay_log<L: Lifecycle>(
    defs: Defs<'_, L>,
    records: &[AuditRecord],
    options: ReplayOptions,
) -> Result<Instance<L>, VerifyError> {
    replay_log_observed(defs, records, options, &mut |_, _, _| {})
}

pub(crate) fn replay_log_observed<L: Lifecycle>(
    defs: Defs<'_, L>,
    records: &[AuditRecord],
    options: ReplayOptions,
    observe: Observer<'_, L>,
) -> Result<Instance<L>, VerifyError> {
    let Some(first) = records.first() else {
        return Err(VerifyError {
            instance: Uuid::nil(),
            seq: 1,
            kind: VerifyErrorKind::Empty,
        });
    };
    let id = first.instance;
    let fail = |kind| VerifyError {
        instance: id,
        seq: 1,
        kind,
    };
    check_link(first, id, 1, Digest::ZERO)?;
    check_creation(first, id, 1)?;
    let Some(def) = defs.find(&first.definition) else {
        return Err(fail(VerifyErrorKind::WrongDefinition {
            expected: defs.expected(),
            found: first.definition.clone(),
        }));
    };
    if first.from != def.initial().name() {
        return Err(fail(VerifyErrorKind::StateMismatch {
            expected: def.initial().name().to_owned(),
            found: first.from.to_string(),
        }));
    }
    check_times(first, None, options.now).map_err(fail)?;
    let data = first
        .payload
        .decode()
        .map_err(|e| fail(VerifyErrorKind::Data { message: e.to_string() }))?;
    let instance = Instance {
        id,
        definition: first.definition.clone(),
        state: def.initial().clone(),
        data,
        seq: 1,
        last_hash: first.hash,
        created_at: first.at,
        entered_at: first.at,
        updated_at: first.at,
        settled_at: first.at,
        recorded_at: first.recorded_at.unwrap_or(first.at),
        marks: Default::default(),
        due_at: None,
    };
    let mut instance = instance;
    def.created(&mut instance);
    replay_from(
        defs,
        instance,
        Some(TimeFloor::after(None, first)),
        &records[1..],
        options,
        observe,
    )
}

pub(crate) fn resume_log<L: Lifecycle>(
    defs: Defs<'_, L>,
    snapshot: &Snapshot,
    records_after: &[AuditRecord],
) -> Result<Instance<L>, VerifyError> {
    let fail = |message: String| VerifyError {
        instance: snapshot.instance,
        seq: snapshot.seq,
        kind: VerifyErrorKind::Snapshot { message },
    };
    let Some(def) = defs.find(&snapshot.definition) else {
        return Err(fail(format!(
            "taken under {}, loaded with {}",
            snapshot.definition,
            defs.expected()
        )));
    };
    let state = def
        .state_named(&snapshot.state)
        .ok_or_else(|| fail(format!("unknown state {:?}", snapshot.state)))?
        .clone();
    let data = serde_json::from_value(snapshot.data.clone()).map_err(|e| fail(format!("data does not decode: {e}")))?;
    // Without the marks, deadlines counted from an action could not be computed: a
    // snapshot taken before they existed is a cache miss, and the log is replayed.
    let marks = snapshot
        .marks
        .as_ref()
        .map(Marks::from_map)
        .ok_or_else(|| fail("taken before deadlines existed (no marks)".to_owned()))?;
    let due_at = def.due_of(&state, snapshot.entered_at, &marks);
    let instance = Instance {
        id: snapshot.instance,
        definition: snapshot.definition.clone(),
        state,
        data,
        seq: snapshot.seq,
        last_hash: snapshot.last_hash,
        created_at: snapshot.created_at,
        entered_at: snapshot.entered_at,
        updated_at: snapshot.updated_at,
        settled_at: snapshot.settled_at.unwrap_or(snapshot.updated_at),
        recorded_at: snapshot.recorded_at.unwrap_or(snapshot.updated_at),
        marks,
        due_at,
    };
    replay_onto_log(defs, instance, records_after, ReplayOptions::default())
}

pub(crate) fn replay_onto_log<L: Lifecycle>(
    defs: Defs<'_, L>,
    instance: Instance<L>,
    records: &[AuditRecord],
    options: ReplayOptions,
) -> Result<Instance<L>, VerifyError> {
    // What the instance knows of its last record stands in for it; its format is
    // unknown, so a format downgrade at this boundary is not seen (verification
    // always replays a log from its first record).
    let floor = TimeFloor {
        format: FORMAT_V1,
        at: instance.updated_at,
        recorded_at: instance.recorded_at,
        settled_at: instance.settled_at,
    };
    replay_from(defs, instance, Some(floor), records, options, &mut |_, _, _| {})
}

/// Sees each record with the instance before it and the definition it follows.
pub(crate) type Observer<'o, L> = &'o mut dyn FnMut(&Definition<L>, &Instance<L>, &AuditRecord);

fn replay_from<L: Lifecycle>(
    defs: Defs<'_, L>,
    mut instance: Instance<L>,
    mut floor: Option<TimeFloor>,
    records: &[AuditRecord],
    options: ReplayOptions,
    observe: Observer<'_, L>,
) -> Result<Instance<L>, VerifyError> {
    for record in records {
        let seq = instance.seq + 1;
        let id = instance.id;
        let fail = |kind| VerifyError {
            instance: id,
            seq,
            kind,
        };
        check_link(record, instance.id, seq, instance.last_hash)?;
        check_times(record, floor.as_ref(), options.now).map_err(fail)?;
        floor = Some(TimeFloor::after(floor, record));
        let wrong = |found: &DefinitionRef| {
            fail(VerifyErrorKind::WrongDefinition {
                expected: instance.definition.clone(),
                found: found.clone(),
            })
        };
        let Some(current) = defs.find(&instance.definition) else {
            return Err(fail(VerifyErrorKind::WrongDefinition {
                expected: defs.expected(),
                found: instance.definition.clone(),
            }));
        };
        let migrating = record.action == MIGRATE_ACTION && !matches!(record.outcome, Outcome::Created);
        // Every record names the version the instance follows, except an accepted
        // migration, which names its target.
        let def = if migrating && matches!(record.outcome, Outcome::Accepted { .. }) {
            defs.find(&record.definition).ok_or_else(|| wrong(&record.definition))?
        } else if record.definition != instance.definition {
            return Err(wrong(&record.definition));
        } else {
            current
        };
        if record.from != instance.state.name() {
            return Err(fail(VerifyErrorKind::StateMismatch {
                expected: instance.state.name().to_owned(),
                found: record.from.to_string(),
            }));
        }
        observe(current, &instance, record);
        if migrating {
            replay_migration(defs, current, def, &mut instance, record, options).map_err(fail)?;
            continue;
        }
        match &record.outcome {
            Outcome::Created => {
                return Err(fail(VerifyErrorKind::Creation {
                    message: ONLY_FIRST_CREATES,
                }));
            }
            Outcome::Refused { reasons } => {
                if reasons.is_empty() {
                    return Err(fail(VerifyErrorKind::EmptyRefusal));
                }
                def.advance(&mut instance, record, None);
            }
            Outcome::Accepted { to } => {
                let Some(t) = def.transition(&instance.state, &record.action) else {
                    return Err(fail(VerifyErrorKind::NoSuchTransition {
                        from: record.from.to_string(),
                        action: record.action.to_string(),
                    }));
                };
                if t.to.name() != to {
                    if def.state_named(to).is_none() {
                        return Err(fail(VerifyErrorKind::UnknownState { state: to.to_string() }));
                    }
                    return Err(fail(VerifyErrorKind::TargetMismatch {
                        action: record.action.to_string(),
                        expected: t.to.name().to_owned(),
                        found: to.to_string(),
                    }));
                }
                if !t.roles.iter().any(|r| *r == record.role) {
                    return Err(fail(VerifyErrorKind::RoleNotAllowed {
                        role: record.role.to_string(),
                        action: record.action.to_string(),
                    }));
                }
                let action = L::Action::from_payload(&record.action, &record.payload)
                    .map_err(|e| fail(VerifyErrorKind::Payload(e)))?;
                if action.name() != record.action {
                    return Err(fail(VerifyErrorKind::Payload(PayloadError {
                        action: record.action.to_string(),
                        message: format!("decodes to action {:?}", action.name()),
                    })));
                }
                let to = t.to.clone();
                if options.recheck_guards {
                    let decision = def.decide(
                        &instance,
                        &record.actor,
                        &record.role,
                        &action,
                        &record.payload,
                        record.at,
                    );
                    if let Decision::Refuse(reasons) = decision {
                        return Err(fail(VerifyErrorKind::GuardsWouldRefuse { reasons }));
                    }
                }
                def.advance(&mut instance, record, Some((&action, to)));
            }
        }
    }
    Ok(instance)
}

/// Checks a `migrate` record on `instance`, which follows `current`, and moves the
/// instance past it. `target` is the version an accepted record names (for a refused
/// one, `current`). Everything the engine decided to accept is recomputed from the
/// record, the role and the state map included, whatever the replay options: a
/// migration has no guard that could depend on anything else. With
/// [`ReplayOptions::recheck_guards`], a refused record's own reasons are recomputed
/// too, when its target version is known: they must be what the target gives, and any
/// other reason the embedding program's (`external`).
fn replay_migration<L: Lifecycle>(
    defs: Defs<'_, L>,
    current: &Definition<L>,
    target: &Definition<L>,
    instance: &mut Instance<L>,
    record: &AuditRecord,
    options: ReplayOptions,
) -> Result<(), VerifyErrorKind> {
    let bad = |message: String| VerifyErrorKind::Migration { message };
    let payload: MigrationPayload = record
        .payload
        .decode()
        .map_err(|e| bad(format!("the payload is not a migration's: {e}")))?;
    if payload.from_version != current.version() {
        return Err(bad(format!(
            "the payload says from version {}, the instance follows {}",
            payload.from_version,
            current.reference()
        )));
    }
    if payload.to_version <= payload.from_version {
        return Err(bad(format!(
            "the payload migrates from version {} to version {}, which is not newer",
            payload.from_version, payload.to_version
        )));
    }
    match &record.outcome {
        Outcome::Refused { reasons } => {
            if reasons.is_empty() {
                return Err(VerifyErrorKind::EmptyRefusal);
            }
            let aimed = DefinitionRef {
                name: Name::new(current.name()),
                version: payload.to_version,
            };
            if options.recheck_guards
                && let Some(aimed) = defs.find(&aimed)
            {
                let own: Vec<&Reason> = reasons
                    .iter()
                    .filter(|r| r.code != crate::guard::ReasonCode::External)
                    .collect();
                let expected = match aimed.decide_migration(&record.from, &record.role, &payload.state_map) {
                    Decision::Refuse(expected) => expected,
                    Decision::Accept { .. } => Vec::new(),
                };
                if own.len() != expected.len() || own.iter().zip(&expected).any(|(a, b)| *a != b) {
                    let give: Vec<String> = expected.iter().map(|r| r.message.en.to_string()).collect();
                    return Err(bad(format!(
                        "refused with other reasons than {} gives ({})",
                        aimed.reference(),
                        if give.is_empty() {
                            "none: it accepts".to_owned()
                        } else {
                            give.join("; ")
                        }
                    )));
                }
            }
            current.advance(instance, record, None);
            Ok(())
        }
        Outcome::Accepted { to } => {
            if target.name() != current.name() || target.version() <= current.version() {
                return Err(bad(format!(
                    "the record migrates {} to {}, which is not a newer version of it",
                    current.reference(),
                    target.reference()
                )));
            }
            if payload.to_version != target.version() {
                return Err(bad(format!(
                    "the payload says to version {}, the record names {}",
                    payload.to_version,
                    target.reference()
                )));
            }
            match target.decide_migration(&record.from, &record.role, &payload.state_map) {
                Decision::Refuse(reasons) => {
                    if reasons
                        .iter()
                        .any(|r| r.code == crate::guard::ReasonCode::RoleNotAllowed)
                    {
                        return Err(VerifyErrorKind::RoleNotAllowed {
                            role: record.role.to_string(),
                            action: MIGRATE_ACTION.to_owned(),
                        });
                    }
                    let reasons: Vec<String> = reasons.iter().map(|r| r.message.en.to_string()).collect();
                    Err(bad(format!(
                        "accepted, but {} refuses it: {}",
                        target.reference(),
                        reasons.join("; ")
                    )))
                }
                Decision::Accept { to: expected } => {
                    if expected.name() != to {
                        if target.state_named(to).is_none() {
                            return Err(VerifyErrorKind::UnknownState { state: to.to_string() });
                        }
                        return Err(VerifyErrorKind::TargetMismatch {
                            action: MIGRATE_ACTION.to_owned(),
                            expected: expected.name().to_owned(),
                            found: to.to_string(),
                        });
                    }
                    target.migrate_onto(instance, record, Some(expected), payload.from_version);
                    Ok(())
                }
            }
        }
        Outcome::Created => Err(VerifyErrorKind::Creation {
            message: ONLY_FIRST_CREATES,
        }),
    }
}
