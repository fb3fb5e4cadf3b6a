//! An engine and a store together: create, load, apply and persist in one call.

use crate::Lifecycle;
use crate::engine::{Command, Engine, EngineError, Migration};
use crate::guard::Reason;
use crate::instance::{Instance, Snapshot};
use crate::record::{Actor, AuditRecord};
use crate::replay::VerifyError;
use crate::versions::{Versions, VersionsError};

use super::{Append, Claim, InstanceFilter, InstanceHead, Store, StoreError};
use crate::deadline::TrailEntry;
use chrono::{DateTime, Utc};

/// Creating, loading or changing a persisted instance failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepositoryError {
    /// The engine could not make the attempt.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The store failed; on [`StoreError::Conflict`] nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored log does not replay.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl RepositoryError {
    /// True when another writer got there first and a retry may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, RepositoryError::Store(e) if e.is_conflict())
    }
}

/// Runs an [`Engine`] on top of a [`Store`]: every record is persisted before the
/// caller sees the new instance, and long logs load from cached snapshots.
///
/// With [`with_versions`](Repository::with_versions) it loads and verifies instances
/// written under earlier versions of the engine's definition too, and
/// [`migrate`](Repository::migrate) moves them onto the engine's version.
pub struct Repository<L: Lifecycle, S: Store> {
    engine: Engine<L>,
    store: S,
    snapshot_every: u64,
    versions: Option<Versions<L>>,
}

impl<L: Lifecycle, S: Store> Repository<L, S> {
    /// A repository that snapshots every 64 records.
    pub fn new(engine: Engine<L>, store: S) -> Self {
        Repository {
            engine,
            store,
            snapshot_every: 64,
            versions: None,
        }
    }

    /// The same repository replaying logs with `versions` (every version of the
    /// engine's definition a log may name, the engine's own included), so instances
    /// written under earlier versions load, verify and can be migrated. Errors with
    /// [`VersionsError::Missing`] when the engine's definition version is not among
    /// them. Keep them so when replacing the engine ([`set_engine`](Repository::set_engine)).
    pub fn with_versions(mut self, versions: Versions<L>) -> Result<Self, VersionsError> {
        let own = self.engine.definition().reference();
        if versions.find(own).is_none() {
            return Err(VersionsError::Missing {
                definition: own.clone(),
            });
        }
        self.versions = Some(versions);
        Ok(self)
    }

    /// The versions logs are replayed with, if set.
    pub fn versions(&self) -> Option<&Versions<L>> {
        self.versions.as_ref()
    }

    /// Snapshot an instance each time its log grows by `n` records (0: never).
    pub fn snapshot_every(mut self, n: u64) -> Self {
        self.snapshot_every = n;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Engine<L> {
        &self.engine
    }

    /// Replaces the engine (with the same store), for example with one whose
    /// definition was rebuilt after the rules it depends on changed.
    pub fn set_engine(&mut self, engine: Engine<L>) {
        self.engine = engine;
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Creates and persists a new instance.
    pub fn create(
        &self,
        actor: Actor,
        role: &str,
        data: L::Data,
        note: Option<String>,
    ) -> Result<(Instance<L>, AuditRecord), RepositoryError> {
        let (instance, record) = self.engine.create(actor, role, data, note)?;
        self.store
            .append(Append::of(&instance, 0, std::slice::from_ref(&record)))?;
        Ok((instance, record))
    }

    /// Loads an instance: from its latest snapshot and the records after it when a
    /// snapshot exists and fits, else by replaying its whole log (with the
    /// [versions](Repository::with_versions) when set: the instance may follow an
    /// earlier version; apply to it only after [migrating](Repository::migrate) it).
    pub fn load(&self, id: uuid::Uuid) -> Result<Instance<L>, RepositoryError> {
        // An unreadable snapshot is a cache miss, like a stale one: the log decides.
        if let Ok(Some(snapshot)) = self.store.snapshot(id)
            && self.knows(&snapshot)
        {
            let after = self.store.load_after(id, snapshot.seq)?;
            // A snapshot that does not fit is only a stale cache: the full log decides.
            if let Ok(instance) = self.resume(&snapshot, &after) {
                return Ok(instance);
            }
        }
        self.replay(&self.store.load(id)?)
    }

    /// Replays an instance's whole log, ignoring snapshots: what verification trusts.
    pub fn verify(&self, id: uuid::Uuid) -> Result<Instance<L>, RepositoryError> {
        self.replay(&self.store.load(id)?)
    }

    /// The heads of this definition's instances overdue as of `at` (a deadline due
    /// before it), earliest due first: one indexed query ([`Store::due`]).
    pub fn overdue(&self, at: DateTime<Utc>) -> Result<Vec<InstanceHead>, RepositoryError> {
        let filter = InstanceFilter::definition(self.engine.definition().name());
        Ok(self.store.due(at, &filter)?)
    }

    /// The audit trail of an instance with each attempt's lateness
    /// ([`Definition::trail`](crate::Definition::trail)), replayed from its whole log.
    pub fn trail(&self, id: uuid::Uuid) -> Result<Vec<TrailEntry>, RepositoryError> {
        let records = self.store.load(id)?;
        Ok(match &self.versions {
            Some(v) => v.trail(&records)?,
            None => self.engine.definition().trail(&records)?,
        })
    }

    fn knows(&self, snapshot: &Snapshot) -> bool {
        match &self.versions {
            Some(v) => v.find(&snapshot.definition).is_some(),
            None => snapshot.definition == *self.engine.definition().reference(),
        }
    }

    fn resume(&self, snapshot: &Snapshot, after: &[AuditRecord]) -> Result<Instance<L>, VerifyError> {
        match &self.versions {
            Some(v) => v.resume(snapshot, after),
            None => self.engine.definition().resume(snapshot, after),
        }
    }

    fn replay(&self, records: &[AuditRecord]) -> Result<Instance<L>, RepositoryError> {
        Ok(match &self.versions {
            Some(v) => v.replay(records)?,
            None => self.engine.definition().replay(records)?,
        })
    }

    /// Migrates `instance` onto the engine's definition version
    /// ([`Engine::migrate`]) and persists the record. On success the instance has
    /// moved on (onto the new version when accepted); on any error it is left exactly
    /// as it was.
    pub fn migrate(
        &self,
        instance: &mut Instance<L>,
        migration: Migration<L::State>,
    ) -> Result<AuditRecord, RepositoryError> {
        self.migrate_with(instance, migration, Vec::new())
    }

    /// Migrates every open instance of the engine's definition that follows an earlier
    /// version (open: not in a terminal state of the version it follows) with a copy of
    /// `migration` each, and returns the records written, accepted or refused, in the
    /// store's listing order. Needs the [versions](Repository::with_versions) the
    /// instances follow. Each migration is its own append: after an error, the
    /// instances already migrated stay so, and calling this again continues with the
    /// others (an instance whose migration was refused is tried again).
    pub fn migrate_open(&self, migration: &Migration<L::State>) -> Result<Vec<AuditRecord>, RepositoryError> {
        let target = self.engine.definition().reference();
        let mut written = Vec::new();
        for head in self.store.list(&InstanceFilter::definition(target.name.clone()))? {
            if head.definition.version >= target.version {
                continue;
            }
            let mut instance = self.load(head.instance)?;
            let closed = self
                .versions
                .as_ref()
                .and_then(|v| v.find(instance.definition()))
                .is_some_and(|d| d.is_terminal(instance.state()));
            if closed {
                continue;
            }
            written.push(self.migrate(&mut instance, migration.clone())?);
        }
        Ok(written)
    }

    /// [`migrate`](Repository::migrate) with the failures of the program's own checks
    /// ([`Engine::migrate_with`]).
    pub fn migrate_with(
        &self,
        instance: &mut Instance<L>,
        migration: Migration<L::State>,
        external: Vec<Reason>,
    ) -> Result<AuditRecord, RepositoryError> {
        let mut next = instance.clone();
        let expected_seq = next.seq();
        let record = self.engine.migrate_with(&mut next, migration, external)?;
        self.persist(instance, next, expected_seq, record, Vec::new())
    }

    /// Attempts `command` on `instance` and persists the record. On success the
    /// instance has moved on; on any error it is left exactly as it was.
    pub fn apply(
        &self,
        instance: &mut Instance<L>,
        command: Command<L::Action>,
    ) -> Result<AuditRecord, RepositoryError> {
        self.apply_with(instance, command, Vec::new())
    }

    /// [`apply`](Repository::apply) with the failures of the program's own checks.
    pub fn apply_with(
        &self,
        instance: &mut Instance<L>,
        command: Command<L::Action>,
        external: Vec<Reason>,
    ) -> Result<AuditRecord, RepositoryError> {
        self.apply_claiming(instance, command, external, &[])
    }

    /// [`apply_with`](Repository::apply_with) that, when the attempt is accepted,
    /// claims each `(namespace, key)` of `claims` for the new record in the same
    /// transaction (see [`Store::append_claiming`]). A refused attempt claims nothing.
    /// When another record holds a key the store answers [`StoreError::Claimed`],
    /// nothing is written and the instance is left as it was.
    pub fn apply_claiming(
        &self,
        instance: &mut Instance<L>,
        command: Command<L::Action>,
        external: Vec<Reason>,
        claims: &[(&str, &str)],
    ) -> Result<AuditRecord, RepositoryError> {
        self.apply_keyed(instance, command, external, claims, &[])
    }

    /// [`apply_claiming`](Repository::apply_claiming) that also claims each
    /// `(namespace, key)` of `keys` for the new record whatever its outcome, refused
    /// included, in the same transaction: a key that names the attempt itself (an HTTP
    /// `Idempotency-Key`, say) rather than something an accepted record takes. When a
    /// key is held already the store answers [`StoreError::Claimed`] and nothing is
    /// written: the holder is the record the first attempt made.
    pub fn apply_keyed(
        &self,
        instance: &mut Instance<L>,
        command: Command<L::Action>,
        external: Vec<Reason>,
        claims: &[(&str, &str)],
        keys: &[(&str, &str)],
    ) -> Result<AuditRecord, RepositoryError> {
        let mut next = instance.clone();
        let expected_seq = next.seq();
        let record = self.engine.apply_with(&mut next, command, external)?;
        let accepted = if record.is_refused() { &[][..] } else { claims };
        let claims: Vec<Claim> = accepted
            .iter()
            .chain(keys)
            .map(|(namespace, key)| Claim::new(*namespace, *key, record.instance, record.seq))
            .collect();
        self.persist(instance, next, expected_seq, record, claims)
    }

    /// Appends `record` (with `claims`) and, once it is stored, replaces `instance`
    /// with `next`; snapshots as configured.
    fn persist(
        &self,
        instance: &mut Instance<L>,
        next: Instance<L>,
        expected_seq: u64,
        record: AuditRecord,
        claims: Vec<Claim>,
    ) -> Result<AuditRecord, RepositoryError> {
        let append = Append::of(&next, expected_seq, std::slice::from_ref(&record));
        if claims.is_empty() {
            self.store.append(append)?;
        } else {
            self.store.append_claiming(&[append], &claims)?;
        }
        *instance = next;
        if self.snapshot_every > 0 && instance.seq().is_multiple_of(self.snapshot_every) {
            // Snapshots are a cache that verification never trusts (it checks them
            // against the replayed log): failing to write one costs load time, not
            // correctness, and must not turn a committed append into a reported failure.
            if let Ok(snapshot) = instance.snapshot() {
                let _ = self.store.put_snapshot(&snapshot);
            }
        }
        Ok(record)
    }

    /// Loads the instance, attempts `command`, persists the record; on a conflict with
    /// another writer, reloads and tries again, up to `retries` more times.
    pub fn execute(
        &self,
        id: uuid::Uuid,
        command: Command<L::Action>,
        retries: u32,
    ) -> Result<(Instance<L>, AuditRecord), RepositoryError> {
        let mut attempt = 0;
        loop {
            let mut instance = self.load(id)?;
            match self.apply(&mut instance, command.clone()) {
                Ok(record) => return Ok((instance, record)),
                Err(e) if e.is_conflict() && attempt < retries => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }
}
