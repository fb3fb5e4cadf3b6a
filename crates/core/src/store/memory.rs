//! A store in memory: for tests, examples and simulations. Nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use uuid::Uuid;

use super::{
    Append, Claim, ClaimHolder, InstanceFilter, InstanceHead, Store, StoreError, TreeHead, check_batch, check_claims,
    check_snapshot,
};
use crate::instance::Snapshot;
use crate::merkle::{CompactRange, record_leaf};
use crate::record::AuditRecord;

/// A [`Store`] that keeps everything in memory, with the same guarantees as the
/// durable stores (atomic appends, conflicts, chain checks, Merkle tree head).
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    records: Vec<AuditRecord>,
    positions: HashMap<Uuid, Vec<usize>>,
    heads: HashMap<Uuid, InstanceHead>,
    order: Vec<Uuid>,
    range: CompactRange,
    snapshots: HashMap<Uuid, Snapshot>,
    claims: BTreeMap<(String, String), ClaimHolder>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock happens before any mutation (all checks come
        // first), so the data behind a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for MemoryStore {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        self.append_claiming(batch, &[])
    }

    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        let mut inner = self.lock();
        // Check everything before changing anything, so a failure writes nothing.
        let heads = check_batch(batch, |id| Ok(inner.heads.get(&id).cloned()))?;
        let new = check_claims(
            &heads,
            claims,
            |id| Ok(inner.heads.get(&id).cloned()),
            |ns, key| Ok(inner.claims.get(&(ns.to_owned(), key.to_owned())).copied()),
        )?;
        for c in new {
            inner.claims.insert((c.namespace.clone(), c.key.clone()), c.holder);
        }
        for a in batch {
            for r in a.records {
                let position = inner.records.len();
                inner.range.push(record_leaf(r));
                inner.records.push(r.clone());
                inner.positions.entry(a.instance).or_default().push(position);
            }
        }
        // `list` returns instances oldest first; within one batch "oldest" is the order
        // of their first records, the order `check_batch` returns them in.
        for h in heads {
            if h.created {
                inner.order.push(h.head.instance);
            }
            inner.heads.insert(h.head.instance, h.head);
        }
        Ok(TreeHead {
            size: inner.range.size(),
            root: inner.range.root(),
        })
    }

    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        Ok(self.lock().claims.get(&(namespace.to_owned(), key.to_owned())).copied())
    }

    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        Ok(self
            .lock()
            .claims
            .iter()
            .filter(|((ns, _), _)| ns == namespace)
            .map(|((ns, key), holder)| Claim {
                namespace: ns.clone(),
                key: key.clone(),
                holder: *holder,
            })
            .collect())
    }

    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        let inner = self.lock();
        let positions = inner
            .positions
            .get(&instance)
            .ok_or(StoreError::NotFound { instance })?;
        let skip = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(positions.iter().skip(skip).map(|&p| inner.records[p].clone()).collect())
    }

    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        self.lock()
            .heads
            .get(&instance)
            .cloned()
            .ok_or(StoreError::NotFound { instance })
    }

    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .order
            .iter()
            .filter_map(|id| inner.heads.get(id))
            .filter(|h| filter.matches(h))
            .cloned()
            .collect())
    }

    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let inner = self.lock();
        let start = usize::try_from(from).unwrap_or(usize::MAX).min(inner.records.len());
        Ok(inner.records[start..].iter().take(limit).cloned().collect())
    }

    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        let inner = self.lock();
        Ok(TreeHead {
            size: inner.range.size(),
            root: inner.range.root(),
        })
    }

    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut inner = self.lock();
        check_snapshot(inner.heads.get(&snapshot.instance), snapshot)?;
        inner.snapshots.insert(snapshot.instance, snapshot.clone());
        Ok(())
    }

    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        Ok(self.lock().snapshots.get(&instance).cloned())
    }
}
