//! Durable logs: the [`Store`] trait every backend implements, an in-memory store,
//! checkpoints, and whole-store verification.
//!
//! A store keeps every instance's records, in one global append order, and three
//! things derived from them in the same transaction as each append: the instance's
//! head (its definition, state, last sequence number and hash), the Merkle
//! [`CompactRange`](crate::merkle::CompactRange) over all records, and, when asked,
//! snapshots. Appends are optimistic: a writer says which sequence number it last saw,
//! and a store that has moved on answers [`StoreError::Conflict`], so two writers can
//! never both extend the same instance.

pub mod columns;
mod fault;
mod memory;
mod repository;
mod verify;

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::instance::Snapshot;
use crate::record::{AuditRecord, DefinitionRef, Digest, Outcome};
use crate::replay::VerifyError;

pub use crate::checkpoint::Checkpoint;
pub use fault::{Retried, Unavailability, holds, retry_append};
pub use memory::MemoryStore;
pub use repository::{Repository, RepositoryError};
pub use verify::{
    CheckpointMismatch, ClaimProblem, Replayer, Replayers, StorageCheck, StoreProblem, StoreReport, VerifyOptions,
    verify_against_checkpoint, verify_claims, verify_store, verify_store_with,
};

/// The records to append to one instance, and the sequence number the writer last saw.
#[derive(Clone, Copy, Debug)]
pub struct Append<'a> {
    /// The instance.
    pub instance: Uuid,
    /// The sequence number of the instance's last record as the writer saw it (0 for
    /// an instance that does not exist yet).
    pub expected_seq: u64,
    /// The records, in order, continuing from `expected_seq`.
    pub records: &'a [AuditRecord],
    /// The instance's [due time](crate::Instance::due_at) after these records, as its
    /// definition computes it: the store keeps it in the head, so that
    /// [`Store::due`] is one indexed query. `None` when no deadline is pending (always,
    /// for a definition without deadlines). It is derived data, not evidence:
    /// [`verify_store`] replays each log and reports a head whose due time differs.
    pub due_at: Option<DateTime<Utc>>,
}

impl<'a> Append<'a> {
    /// `records` for `instance` after `expected_seq`, with no pending deadline.
    pub fn new(instance: Uuid, expected_seq: u64, records: &'a [AuditRecord]) -> Self {
        Append {
            instance,
            expected_seq,
            records,
            due_at: None,
        }
    }

    /// `records` that move `instance` from `expected_seq` to `instance`'s sequence
    /// number, with its due time: what a writer that holds the instance appends.
    pub fn of<L: crate::Lifecycle>(
        instance: &crate::Instance<L>,
        expected_seq: u64,
        records: &'a [AuditRecord],
    ) -> Self {
        Append {
            instance: instance.id(),
            expected_seq,
            records,
            due_at: instance.due_at(),
        }
    }

    /// The same append with the instance's due time after it.
    pub fn due(mut self, due_at: Option<DateTime<Utc>>) -> Self {
        self.due_at = due_at;
        self
    }
}

/// The record that holds a [`Claim`]: an instance and one of its sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClaimHolder {
    /// The instance.
    pub instance: Uuid,
    /// The sequence number of the record that made the claim.
    pub seq: u64,
}

impl fmt::Display for ClaimHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instance {}, record {}", self.instance, self.seq)
    }
}

/// A key unique across a whole store, taken by one record in the same transaction
/// that appends it: a rule that spans instances ("a document number is used once")
/// made atomic. `namespace` names the rule (`document_number`), `key` the value
/// taken (`红林法〔2023〕15号`); the pair is the store's unique key, and `holder` is
/// the record that took it.
///
/// A claim never changes or goes away once committed. Several instances that need
/// one key together (several standards published under one act) are expected to
/// let one record hold it (the act's) and to refer to that record: the key stays
/// unique, the holder says who owns it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Claim {
    /// The rule's name, e.g. `document_number`.
    pub namespace: String,
    /// The value taken, e.g. a document number.
    pub key: String,
    /// The record that takes it.
    pub holder: ClaimHolder,
}

impl Claim {
    /// The claim of `key` in `namespace` by record `seq` of `instance`.
    pub fn new(namespace: impl Into<String>, key: impl Into<String>, instance: Uuid, seq: u64) -> Self {
        Claim {
            namespace: namespace.into(),
            key: key.into(),
            holder: ClaimHolder { instance, seq },
        }
    }
}

/// What a store knows of an instance without reading its log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceHead {
    /// The instance.
    pub instance: Uuid,
    /// Its definition.
    pub definition: DefinitionRef,
    /// Its current state's name.
    pub state: String,
    /// The sequence number of its last record.
    pub seq: u64,
    /// The hash of its last record.
    pub last_hash: Digest,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The time of its last record.
    pub updated_at: DateTime<Utc>,
    /// When it entered its current state (self-transitions and refusals do not move
    /// it): the effective time of the record that brought it there.
    pub entered_at: DateTime<Utc>,
    /// Its [due time](crate::Instance::due_at): the earliest deadline it has to meet,
    /// `None` when none is pending. Given by the writer ([`Append::due_at`]) and
    /// checked by [`verify_store`] against the log replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
}

impl InstanceHead {
    /// The head after `records`, starting from `previous` (none for a new instance),
    /// with no due time: the records alone cannot say (see [`InstanceHead::advanced_to`]).
    pub fn advanced(previous: Option<&InstanceHead>, records: &[AuditRecord]) -> Option<InstanceHead> {
        Self::advanced_to(previous, records, None)
    }

    /// The head after `records`, starting from `previous`, due at `due_at` (what the
    /// definition computes; see [`Append::due_at`]).
    pub fn advanced_to(
        previous: Option<&InstanceHead>,
        records: &[AuditRecord],
        due_at: Option<DateTime<Utc>>,
    ) -> Option<InstanceHead> {
        let last = records.last()?;
        let first = records.first()?;
        // The state is entered when a record brings the instance into it: the creation,
        // or an accepted record that changes the state (what the engine does).
        let mut state: Option<&str> = previous.map(|p| p.state.as_str());
        let mut entered_at = previous.map_or(first.at, |p| p.entered_at);
        for r in records {
            let after = r.state_after();
            let moved = match &r.outcome {
                Outcome::Created => true,
                Outcome::Accepted { .. } => state.is_some_and(|s| s != after),
                Outcome::Refused { .. } => false,
            };
            if moved {
                entered_at = r.at;
            }
            state = Some(after);
        }
        Some(InstanceHead {
            instance: last.instance,
            definition: last.definition.clone(),
            state: last.state_after().to_owned(),
            seq: last.seq,
            last_hash: last.hash,
            created_at: previous.map_or(first.at, |p| p.created_at),
            updated_at: last.at,
            entered_at,
            due_at,
        })
    }

    /// True when a deadline of the instance has passed at `at`.
    pub fn is_overdue(&self, at: DateTime<Utc>) -> bool {
        self.due_at.is_some_and(|due| at > due)
    }
}

/// Which instances [`Store::list`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceFilter {
    /// Only instances of this definition (any version).
    pub definition: Option<String>,
    /// Only instances in this state.
    pub state: Option<String>,
}

impl InstanceFilter {
    /// Every instance.
    pub fn all() -> Self {
        InstanceFilter::default()
    }

    /// Instances of one definition.
    pub fn definition(name: impl Into<String>) -> Self {
        InstanceFilter {
            definition: Some(name.into()),
            state: None,
        }
    }

    /// The same filter, also restricted to `state`.
    pub fn in_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// True when `head` passes the filter.
    pub fn matches(&self, head: &InstanceHead) -> bool {
        self.definition.as_ref().is_none_or(|d| *d == head.definition.name)
            && self.state.as_ref().is_none_or(|s| *s == head.state)
    }
}

/// The size and root of a store's Merkle tree over all records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    /// How many records the store holds.
    pub size: u64,
    /// The RFC 6962 root over them, in append order.
    pub root: Digest,
}

/// A store could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another writer extended the instance first: reload and try again.
    #[error(
        "conflict on instance {instance}: expected its last record to be {expected_seq}, the store has {actual_seq}"
    )]
    Conflict {
        /// The instance.
        instance: Uuid,
        /// What the writer expected.
        expected_seq: u64,
        /// What the store has.
        actual_seq: u64,
    },
    /// The records do not continue the instance's log (wrong instance, sequence
    /// number, link or hash): nothing was written.
    #[error("instance {instance}, record {seq}: refused to append: {reason}")]
    InvalidAppend {
        /// The instance.
        instance: Uuid,
        /// The record at fault.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// No such instance.
    #[error("no instance {instance} in the store")]
    NotFound {
        /// The instance.
        instance: Uuid,
    },
    /// Stored data cannot be read back: the store was damaged or edited by hand.
    #[error("corrupt store data ({place}): {message}")]
    Corrupt {
        /// Where: an instance and sequence number, a table, a row.
        place: String,
        /// What was wrong.
        message: String,
    },
    /// The file or database is not a Regula store; nothing was changed.
    #[error("{location} is not a Regula store: {message}")]
    NotAStore {
        /// The file or database.
        location: String,
        /// Why it was not recognised.
        message: String,
    },
    /// The store was written by a newer version of Regula; nothing was changed.
    #[error("{location} has schema version {found}, newer than the {supported} this program supports; upgrade Regula")]
    NewerSchema {
        /// The file or database.
        location: String,
        /// The version found.
        found: i64,
        /// The newest version this program knows.
        supported: i64,
    },
    /// A claim of the append is held by another record (another instance's, or
    /// another record of the same instance): nothing was written. Reload the holder
    /// and decide again.
    #[error("{namespace} {key:?} is already claimed by {holder}; the claim by {claimant} was refused")]
    Claimed {
        /// The claim's namespace.
        namespace: String,
        /// The key claimed.
        key: String,
        /// The record that holds it.
        holder: ClaimHolder,
        /// The record whose claim was refused.
        claimant: ClaimHolder,
    },
    /// The store does not implement an operation (a wrapper or test store that does
    /// not support claims): nothing was written.
    #[error("this store does not support {operation}")]
    Unsupported {
        /// What was asked.
        operation: &'static str,
    },
    /// The store has an older schema and was opened by a handle that never migrates
    /// (a read-only command); nothing was changed. Opening it once for writing
    /// migrates it in place.
    #[error(
        "{location} has schema version {found}, older than the {supported} this program writes; open it once for writing (e.g. `regula init`) to upgrade it in place"
    )]
    OlderSchema {
        /// The file or database.
        location: String,
        /// The version found.
        found: i64,
        /// The version this program writes.
        supported: i64,
    },
    /// The store could not do what was asked, for a cause outside Regula that may pass
    /// (a server down or refusing connections, a full disk, a read-only or removed
    /// file): **nothing was written**. Retry once the cause is gone; the same handle
    /// reconnects where it can.
    #[error("{backend}: {location}: {cause}; nothing was written: {message}")]
    Unavailable {
        /// Which backend: `sqlite`, `postgres`, …
        backend: &'static str,
        /// The file, or the server, database and schema (never a password).
        location: String,
        /// Why, as a kind the caller can act on.
        cause: Unavailability,
        /// What the backend reported.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The connection broke while an append's commit was in flight: the append may or
    /// may not have been written. Never retry it blindly as a new append; resolve it
    /// with [`retry_append`], which appends it if it is absent and reports
    /// [`Retried::AlreadyPresent`] if it landed (a record is identified by its
    /// instance, sequence number and hash, so it can never be stored twice).
    #[error(
        "{backend}: {location}: the outcome of the append is unknown (the connection broke during its commit): {message}"
    )]
    OutcomeUnknown {
        /// Which backend: `sqlite`, `postgres`, …
        backend: &'static str,
        /// The server, database and schema (never a password).
        location: String,
        /// What the backend reported.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The backend failed (I/O, connection, lock timeout).
    #[error("{backend}: {message}")]
    Backend {
        /// Which backend: `sqlite`, `postgres`, …
        backend: &'static str,
        /// What it reported.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl StoreError {
    /// True for [`StoreError::Conflict`]: the caller should reload and retry.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }

    /// True for [`StoreError::OutcomeUnknown`]: resolve with [`retry_append`].
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, StoreError::OutcomeUnknown { .. })
    }

    /// The cause, for [`StoreError::Unavailable`] (nothing was written).
    pub fn unavailable(&self) -> Option<Unavailability> {
        match self {
            StoreError::Unavailable { cause, .. } => Some(*cause),
            _ => None,
        }
    }

    /// The claim refused, for [`StoreError::Claimed`].
    pub fn claimed(&self) -> Option<(&str, &str, ClaimHolder)> {
        match self {
            StoreError::Claimed {
                namespace, key, holder, ..
            } => Some((namespace, key, *holder)),
            _ => None,
        }
    }
}

/// A durable (or, for tests, in-memory) home for audit logs.
///
/// Every implementation guarantees, and the conformance suite checks:
/// - an append is atomic: all records of one call (one batch) or none;
/// - an append whose `expected_seq` is not the instance's last sequence number fails
///   with [`StoreError::Conflict`] and writes nothing;
/// - records that do not continue the instance's hash chain are refused with
///   [`StoreError::InvalidAppend`];
/// - [`scan`](Store::scan) returns records in one global append order that never
///   changes, and [`tree_head`](Store::tree_head) is the Merkle tree over that order;
/// - a record acknowledged by a successful append is never lost or changed;
/// - a [`Claim`] is unique by `(namespace, key)`: an append whose claim another
///   record holds fails with [`StoreError::Claimed`] and writes nothing, and a
///   committed claim is written in the same transaction as its records.
///
/// # Claims
///
/// [`append_claiming`](Store::append_claiming) is
/// [`append_batch`](Store::append_batch) with claims: keys unique across the whole
/// store, recorded under a unique key in the same transaction as the records. This is
/// how a rule across instances (a document number used once in a catalog) holds when
/// several processes write at once: the check an embedding program made on the data it
/// had loaded is only advisory, the store's unique key decides. The `append_batch`
/// signature and the [`Append`] struct are unchanged, so code that makes no claims is
/// untouched; a store that does not implement claims (a test wrapper) answers
/// [`StoreError::Unsupported`] when asked to make one, never silently drops it.
///
/// A claim's holder must be a record of the batch or one already in the store (so a
/// store created before claims existed can be given the claims of its past records);
/// claiming again what the same record already holds changes nothing.
/// [`verify_claims`] checks the claims against the log.
pub trait Store: Send + Sync {
    /// Appends records to one instance (creating it when `expected_seq` is 0).
    fn append(&self, append: Append<'_>) -> Result<TreeHead, StoreError> {
        self.append_batch(&[append])
    }

    /// Appends records to many instances in one transaction: all or nothing.
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError>;

    /// [`append_batch`](Store::append_batch) that also takes `claims`, in the same
    /// transaction: all records and claims, or nothing. A claim held by another record
    /// fails with [`StoreError::Claimed`]; a claim whose holder is neither a record of
    /// the batch nor one in the store fails with [`StoreError::InvalidAppend`].
    ///
    /// The default accepts only an empty `claims` (a store that does not implement
    /// claims must not pretend to); every store of this workspace overrides it.
    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        if claims.is_empty() {
            self.append_batch(batch)
        } else {
            Err(StoreError::Unsupported { operation: "claims" })
        }
    }

    /// The record that holds `key` in `namespace`, if any.
    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        let _ = (namespace, key);
        Err(StoreError::Unsupported { operation: "claims" })
    }

    /// Every claim in `namespace`, ordered by key.
    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        let _ = namespace;
        Err(StoreError::Unsupported { operation: "claims" })
    }

    /// Every record of an instance, in sequence order ([`StoreError::NotFound`] if none).
    fn load(&self, instance: Uuid) -> Result<Vec<AuditRecord>, StoreError> {
        self.load_after(instance, 0)
    }

    /// The records of an instance after sequence number `after`, in order.
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError>;

    /// The head of one instance.
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError>;

    /// The heads of the instances that pass `filter`, oldest first.
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError>;

    /// The heads of the instances that pass `filter` and have a deadline due before
    /// `before` (strictly), earliest due first (ties by instance). "What is overdue as
    /// of D" is `due(D, …)`; "what falls due in the next 30 days" is
    /// `due(now + 30 days, …)` less the overdue ones.
    ///
    /// A head's due time is as of its last record: an instance that was overdue at a
    /// past D but has since met its deadline is not listed (ask its log, with
    /// [`Definition::trail`](crate::Definition::trail)). The default filters
    /// [`list`](Store::list); the stores of this workspace answer from an index.
    fn due(&self, before: DateTime<Utc>, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        let mut heads: Vec<InstanceHead> = self
            .list(filter)?
            .into_iter()
            .filter(|h| h.due_at.is_some_and(|d| d < before))
            .collect();
        heads.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.instance.cmp(&b.instance)));
        Ok(heads)
    }

    /// Up to `limit` records in global append order, starting at position `from`
    /// (the first record ever appended is at position 0). Positions count the records
    /// actually present, in append order: if a row was removed behind the store's
    /// back, the records after it move up, so a scan never returns a record twice.
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;

    /// The size and Merkle root of the whole log, as maintained on append.
    fn tree_head(&self) -> Result<TreeHead, StoreError>;

    /// Caches an instance's snapshot, replacing an older one.
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError>;

    /// The latest cached snapshot of an instance.
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError>;

    /// What only the store can check, for [`verify_store`]: the database's own
    /// integrity check ([`StorageCheck::Full`] asks for the thorough one), and every
    /// copy of a record field the store keeps for queries (columns, an index by
    /// instance, bookkeeping rows) against the records, by a full read in append order.
    /// Returns every problem found; an error only when the check could not run.
    ///
    /// The default finds nothing: a store that keeps nothing but the records (or that
    /// predates this method) has nothing more to check. Every store of this workspace
    /// implements it.
    fn check_storage(&self, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        let _ = depth;
        Ok(Vec::new())
    }
}

impl<S: Store + ?Sized> Store for &S {
    fn append(&self, append: Append<'_>) -> Result<TreeHead, StoreError> {
        (**self).append(append)
    }
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        (**self).append_batch(batch)
    }
    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        (**self).append_claiming(batch, claims)
    }
    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        (**self).claim(namespace, key)
    }
    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        (**self).claims(namespace)
    }
    fn load(&self, instance: Uuid) -> Result<Vec<AuditRecord>, StoreError> {
        (**self).load(instance)
    }
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        (**self).load_after(instance, after)
    }
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        (**self).head(instance)
    }
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        (**self).list(filter)
    }
    fn due(&self, before: DateTime<Utc>, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        (**self).due(before, filter)
    }
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        (**self).scan(from, limit)
    }
    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        (**self).tree_head()
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        (**self).put_snapshot(snapshot)
    }
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        (**self).snapshot(instance)
    }
    fn check_storage(&self, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        (**self).check_storage(depth)
    }
}

/// Checks that `records` may be appended after `head` (none for a new instance):
/// contiguous sequence numbers, the hash chain, and each record's own hash. Every
/// store calls this (through [`check_batch`]) before writing, so no store accepts a
/// record that breaks a chain.
pub fn check_append(
    instance: Uuid,
    head: Option<&InstanceHead>,
    expected_seq: u64,
    records: &[AuditRecord],
) -> Result<(), StoreError> {
    let actual_seq = head.map_or(0, |h| h.seq);
    if actual_seq != expected_seq {
        return Err(StoreError::Conflict {
            instance,
            expected_seq,
            actual_seq,
        });
    }
    let mut prev = head.map_or(Digest::ZERO, |h| h.last_hash);
    let mut follows = head.map(|h| &h.definition);
    for (i, r) in records.iter().enumerate() {
        let seq = expected_seq + 1 + i as u64;
        let invalid = |e: VerifyError| StoreError::InvalidAppend {
            instance,
            seq,
            reason: e.kind.to_string(),
        };
        crate::replay::check_link(r, instance, seq, prev).map_err(invalid)?;
        crate::replay::check_creation(r, instance, seq).map_err(invalid)?;
        if let Some(d) = follows
            && r.definition != *d
        {
            // Only an accepted migration moves an instance, onto a newer version of
            // its definition.
            let migrates = r.action == crate::definition::MIGRATE_ACTION
                && matches!(r.outcome, crate::record::Outcome::Accepted { .. })
                && r.definition.name == d.name
                && r.definition.version > d.version;
            if !migrates {
                return Err(StoreError::InvalidAppend {
                    instance,
                    seq,
                    reason: format!("record follows {}, the instance follows {}", r.definition, d),
                });
            }
        }
        follows = Some(&r.definition);
        prev = r.hash;
    }
    Ok(())
}

/// Checks that `snapshot` may be cached for an instance whose head is `head` (none
/// when the store does not know the instance): it must not be ahead of the log.
pub fn check_snapshot(head: Option<&InstanceHead>, snapshot: &Snapshot) -> Result<(), StoreError> {
    let head = head.ok_or(StoreError::NotFound {
        instance: snapshot.instance,
    })?;
    if snapshot.seq > head.seq {
        return Err(StoreError::InvalidAppend {
            instance: snapshot.instance,
            seq: snapshot.seq,
            reason: format!(
                "snapshot at {} is ahead of the log, which ends at {}",
                snapshot.seq, head.seq
            ),
        });
    }
    Ok(())
}

/// One instance's part in a batch checked by [`check_batch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchHead {
    /// The instance's head once the batch is written.
    pub head: InstanceHead,
    /// True when the store held no head for the instance: the batch creates it.
    pub created: bool,
    /// How many of the batch's records, in batch order, come before the instance's
    /// first record in it: added to the store's size before the batch, the global
    /// position of that record.
    pub first_record: u64,
}

/// Checks a whole batch before anything is written: each append with
/// [`check_append`], against the head the instance has reached in the batch so far
/// (`stored` gives the head the store holds, asked once per instance). Returns the
/// heads of the instances the batch gives records to, in the order of their first
/// records; instances with only empty appends are left out, as they do not change.
pub fn check_batch(
    batch: &[Append<'_>],
    mut stored: impl FnMut(Uuid) -> Result<Option<InstanceHead>, StoreError>,
) -> Result<Vec<BatchHead>, StoreError> {
    /// Where an instance of the batch stands.
    enum Seen {
        /// Records so far: its head is `heads[i].head`.
        Written(usize),
        /// No records so far: the head the store holds, if any.
        Unchanged(Option<InstanceHead>),
    }
    let mut heads: Vec<BatchHead> = Vec::new();
    let mut seen: HashMap<Uuid, Seen> = HashMap::new();
    let mut offset = 0u64;
    for a in batch {
        let entry = match seen.remove(&a.instance) {
            Some(entry) => entry,
            None => Seen::Unchanged(stored(a.instance)?),
        };
        let current = match &entry {
            Seen::Written(i) => Some(&heads[*i].head),
            Seen::Unchanged(head) => head.as_ref(),
        };
        check_append(a.instance, current, a.expected_seq, a.records)?;
        let entry = match (InstanceHead::advanced_to(current, a.records, a.due_at), entry) {
            (None, entry) => entry,
            (Some(head), Seen::Written(i)) => {
                heads[i].head = head;
                Seen::Written(i)
            }
            (Some(head), Seen::Unchanged(previous)) => {
                heads.push(BatchHead {
                    head,
                    created: previous.is_none(),
                    first_record: offset,
                });
                Seen::Written(heads.len() - 1)
            }
        };
        seen.insert(a.instance, entry);
        offset += a.records.len() as u64;
    }
    Ok(heads)
}

/// Checks the claims of a batch that [`check_batch`] accepted (its result is `heads`)
/// before anything is written: each holder is a record of the batch or of the store
/// (`stored` gives the head the store holds for an instance the batch does not
/// extend), no two claims of the batch take one key for different records, and no
/// key is held by another record (`held` asks the store). Returns the claims to
/// insert: those not already held by the same record, each once.
pub fn check_claims<'c>(
    heads: &[BatchHead],
    claims: &'c [Claim],
    mut stored: impl FnMut(Uuid) -> Result<Option<InstanceHead>, StoreError>,
    mut held: impl FnMut(&str, &str) -> Result<Option<ClaimHolder>, StoreError>,
) -> Result<Vec<&'c Claim>, StoreError> {
    let mut new: Vec<&Claim> = Vec::new();
    for claim in claims {
        let ClaimHolder { instance, seq } = claim.holder;
        let last = match heads.iter().find(|h| h.head.instance == instance) {
            Some(h) => Some(h.head.seq),
            None => stored(instance)?.map(|h| h.seq),
        };
        if seq == 0 || last.is_none_or(|last| seq > last) {
            return Err(StoreError::InvalidAppend {
                instance,
                seq,
                reason: format!(
                    "the claim of {} {:?} names a record that is neither in the batch nor in the store",
                    claim.namespace, claim.key
                ),
            });
        }
        let refuse = |holder: ClaimHolder| StoreError::Claimed {
            namespace: claim.namespace.clone(),
            key: claim.key.clone(),
            holder,
            claimant: claim.holder,
        };
        if let Some(earlier) = new
            .iter()
            .find(|c| c.namespace == claim.namespace && c.key == claim.key)
        {
            if earlier.holder != claim.holder {
                return Err(refuse(earlier.holder));
            }
            continue;
        }
        match held(&claim.namespace, &claim.key)? {
            Some(holder) if holder == claim.holder => {}
            Some(holder) => return Err(refuse(holder)),
            None => new.push(claim),
        }
    }
    Ok(new)
}

impl fmt::Display for TreeHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} records, root {}", self.size, self.root)
    }
}
