//! A store in memory: for tests, examples and simulations. Nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use uuid::Uuid;

use super::{
    Append, Claim, ClaimHolder, InstanceFilter, InstanceHead, StorageCheck, Store, StoreError, StoreProblem, TreeHead,
    check_batch, check_claims, check_snapshot,
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

    /// Checks the store's index by instance (each instance's list of positions) against
    /// the records in append order, and that every head and snapshot is kept under its
    /// own instance. The records themselves, the heads' fields and the snapshots'
    /// content are checked by [`verify_store`](super::verify_store).
    fn check_storage(&self, _depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        let inner = self.lock();
        let mut problems = Vec::new();
        let mut by_instance: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for (position, r) in inner.records.iter().enumerate() {
            by_instance.entry(r.instance).or_default().push(position);
        }
        let mismatch = |instance: Uuid, column: &str, stored: String, expected: String| StoreProblem::ColumnMismatch {
            table: "memory".to_owned(),
            column: column.to_owned(),
            instance,
            seq: None,
            stored,
            expected,
        };
        let mut ids: Vec<&Uuid> = by_instance.keys().chain(inner.positions.keys()).collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            let expected = by_instance.get(id).map(Vec::as_slice).unwrap_or_default();
            let stored = inner.positions.get(id).map(Vec::as_slice).unwrap_or_default();
            if stored != expected {
                problems.push(mismatch(
                    *id,
                    "positions",
                    format!("{stored:?}"),
                    format!("{expected:?}"),
                ));
            }
        }
        for (id, head) in &inner.heads {
            if head.instance != *id {
                problems.push(mismatch(*id, "heads", head.instance.to_string(), id.to_string()));
            }
        }
        for (id, snapshot) in &inner.snapshots {
            if snapshot.instance != *id {
                problems.push(mismatch(
                    *id,
                    "snapshots",
                    snapshot.instance.to_string(),
                    id.to_string(),
                ));
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::dynamic::{DynAction, Dynamic, Registry};
    use crate::engine::{Command, Engine};
    use crate::record::Actor;
    use crate::store::{Repository, StorageCheck, verify_store};
    use crate::{Definition, Store};

    const DEFINITION: &str = r#"
name = "note"
version = 1
initial = "open"
terminal = ["closed"]
creators = ["clerk"]
[states]
open = { zh = "开启", en = "Open" }
closed = { zh = "关闭", en = "Closed" }
[actions]
close = { zh = "关闭", en = "Close" }
[roles]
clerk = { zh = "书记员", en = "Clerk" }
[[transitions]]
from = "open"
action = "close"
to = "closed"
roles = ["clerk"]
"#;

    #[test]
    fn check_storage_finds_an_index_by_instance_that_lies() {
        let definition = Definition::<Dynamic>::from_toml(DEFINITION, &Registry::new()).unwrap();
        let repo = Repository::new(Engine::new(definition), MemoryStore::new());
        let clerk = Actor::new("li.na");
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (mut inst, _) = repo
                .create(clerk.clone(), "clerk", serde_json::json!({}), None)
                .unwrap();
            repo.apply(
                &mut inst,
                Command::new(clerk.clone(), "clerk", DynAction::new("close", serde_json::Value::Null)),
            )
            .unwrap();
            ids.push(inst.id());
        }
        let store = repo.store();
        assert!(store.check_storage(StorageCheck::Full).unwrap().is_empty());
        let verify = || verify_store(store, None, |_, _| Some(Ok(())), &mut |_, _| {}).unwrap();
        assert!(verify().is_ok(), "{}", verify());

        // The index by instance loses the first instance's last record: loads see a
        // shorter log, which still replays.
        store.lock().positions.get_mut(&ids[0]).unwrap().pop();
        assert_eq!(store.load(ids[0]).unwrap().len(), 1);
        let report = verify();
        assert!(
            matches!(
                report.problems.as_slice(),
                [
                    StoreProblem::LoadMismatch { instance, seq: 2, .. },
                    StoreProblem::ColumnMismatch { column, .. },
                ] if *instance == ids[0] && column == "positions"
            ),
            "{report}"
        );
    }
}
