//! A running instance of a lifecycle, and its serializable snapshot.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::Lifecycle;
use crate::deadline::Marks;
use crate::lifecycle::State;
use crate::record::{DefinitionRef, Digest};

/// One instance of a lifecycle: where it is and what it carries.
///
/// Only the engine changes an instance, by applying an action or replaying records, so
/// its fields are read through methods.
pub struct Instance<L: Lifecycle> {
    pub(crate) id: Uuid,
    pub(crate) definition: DefinitionRef,
    pub(crate) state: L::State,
    pub(crate) data: L::Data,
    pub(crate) seq: u64,
    pub(crate) last_hash: Digest,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) entered_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) settled_at: DateTime<Utc>,
    pub(crate) recorded_at: DateTime<Utc>,
    // When each action was last accepted (`create` included): what deadlines read.
    pub(crate) marks: Marks,
    // The earliest due time of the deadlines pending after the last record.
    pub(crate) due_at: Option<DateTime<Utc>>,
}

impl<L: Lifecycle> Instance<L> {
    /// The instance's id (a UUID v7).
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The definition and version the instance follows.
    pub fn definition(&self) -> &DefinitionRef {
        &self.definition
    }

    /// The current state.
    pub fn state(&self) -> &L::State {
        &self.state
    }

    /// The current data.
    pub fn data(&self) -> &L::Data {
        &self.data
    }

    /// The sequence number of the last record; the next record gets `seq() + 1`.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The hash of the last record, which the next record links to.
    pub fn last_hash(&self) -> Digest {
        self.last_hash
    }

    /// When the instance was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When the instance entered its current state (self-transitions do not reset it).
    pub fn entered_at(&self) -> DateTime<Utc> {
        self.entered_at
    }

    /// The time of the last record (its effective time, [`AuditRecord::at`](crate::AuditRecord::at)).
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// The effective time of the last record that changed the instance (its creation
    /// or an accepted action). A new record may not be dated earlier; a refused
    /// attempt does not move it, so it never blocks entering an earlier event.
    pub fn settled_at(&self) -> DateTime<Utc> {
        self.settled_at
    }

    /// When the last record was written, by its writer's clock. A new record's
    /// writing time is never earlier.
    pub fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }

    /// When `action` was last accepted (its record's effective time); `create` for the
    /// creation. What [deadlines](crate::deadline) count from.
    pub fn last_taken(&self, action: &str) -> Option<DateTime<Utc>> {
        self.marks.get(action)
    }

    /// The earliest due time of the deadlines the instance has to meet after its last
    /// record ([`Definition::pending`](crate::Definition::pending) lists them); `None`
    /// when none is pending. This is what a store keeps in the instance's head, so that
    /// "what is overdue as of D" is one indexed query.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.due_at
    }

    /// A serializable copy of the instance, for caching in a store.
    pub fn snapshot(&self) -> Result<Snapshot, serde_json::Error> {
        Ok(Snapshot {
            instance: self.id,
            definition: self.definition.clone(),
            state: self.state.name().to_owned(),
            data: serde_json::to_value(&self.data)?,
            seq: self.seq,
            last_hash: self.last_hash,
            created_at: self.created_at,
            entered_at: self.entered_at,
            updated_at: self.updated_at,
            settled_at: Some(self.settled_at),
            recorded_at: Some(self.recorded_at),
            marks: Some(self.marks.0.iter().map(|(a, t)| (a.to_string(), *t)).collect()),
            due_at: self.due_at,
        })
    }
}

impl<L: Lifecycle> Clone for Instance<L> {
    fn clone(&self) -> Self {
        Instance {
            id: self.id,
            definition: self.definition.clone(),
            state: self.state.clone(),
            data: self.data.clone(),
            seq: self.seq,
            last_hash: self.last_hash,
            created_at: self.created_at,
            entered_at: self.entered_at,
            updated_at: self.updated_at,
            settled_at: self.settled_at,
            recorded_at: self.recorded_at,
            marks: self.marks.clone(),
            due_at: self.due_at,
        }
    }
}

impl<L: Lifecycle> fmt::Debug for Instance<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("id", &self.id)
            .field("definition", &self.definition)
            .field("state", &self.state)
            .field("seq", &self.seq)
            .field("data", &self.data)
            .field("last_hash", &self.last_hash)
            .field("entered_at", &self.entered_at)
            .field("due_at", &self.due_at)
            .finish()
    }
}

impl<L: Lifecycle> PartialEq for Instance<L>
where
    L::Data: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.definition == other.definition
            && self.state == other.state
            && self.data == other.data
            && self.seq == other.seq
            && self.last_hash == other.last_hash
            && self.created_at == other.created_at
            && self.entered_at == other.entered_at
            && self.updated_at == other.updated_at
            && self.settled_at == other.settled_at
            && self.recorded_at == other.recorded_at
            && self.marks == other.marks
            && self.due_at == other.due_at
    }
}

/// An instance's state at one sequence number, in a form any store can keep.
///
/// A snapshot is a cache: loading from it skips the records up to `seq`, and
/// [`Definition::resume`](crate::Definition::resume) checks that the first record
/// after it links to `last_hash`. Verification never uses snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The instance.
    pub instance: Uuid,
    /// Its definition.
    pub definition: DefinitionRef,
    /// The state's name.
    pub state: String,
    /// The data as JSON.
    pub data: Value,
    /// The sequence number of the last record the snapshot includes.
    pub seq: u64,
    /// That record's hash.
    pub last_hash: Digest,
    /// When the instance was created.
    pub created_at: DateTime<Utc>,
    /// When it entered its state.
    pub entered_at: DateTime<Utc>,
    /// The time of the last record included.
    pub updated_at: DateTime<Utc>,
    /// [`Instance::settled_at`]; absent from snapshots taken before it existed, which
    /// then resume with `updated_at` (never earlier than it, so no time rule is
    /// loosened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
    /// [`Instance::recorded_at`]; absent from older snapshots, which then resume
    /// with `updated_at` (format 1 records were written at their `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<DateTime<Utc>>,
    /// When each action was last accepted ([`Instance::last_taken`]); absent from
    /// snapshots taken before deadlines existed, which are then not resumed from (the
    /// log is replayed from its first record instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<BTreeMap<String, DateTime<Utc>>>,
    /// [`Instance::due_at`]: recomputed on resume, compared by `verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
}
