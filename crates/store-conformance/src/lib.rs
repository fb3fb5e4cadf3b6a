//! The one conformance suite every Regula [`Store`] runs, unchanged: the in-memory
//! store, SQLite and PostgreSQL.
//!
//! Each check in [`checks`] is a function generic over the store, given a factory that
//! returns a fresh, empty store. A store's own test file expands
//! [`conformance_tests!`] with that factory, so every check shows up as a test of its
//! own:
//!
//! ```
//! // tests/conformance.rs of a store crate
//! regula_store_conformance::conformance_tests!(regula_core::MemoryStore::new());
//! ```
//!
//! The checks cover: round trip (records, heads and JSON fields intact), listing by
//! definition and state, global scan order across instances and batches, conflicts,
//! atomicity of batches, refusal of appends that break a chain, whole-store
//! verification, snapshots (used for loading, checked by verification against the
//! replayed log),
//! checkpoints (extension, rewritten history, truncation), concurrent writers
//! sharing one handle, bulk batches larger than one page of verification, and
//! claims (unique keys taken atomically with an append, checked against the log).
//!
//! This is test code: a failed expectation panics, which is how a test fails.

#![allow(clippy::unwrap_used)]

pub mod checks;
pub mod faults;
pub mod sample;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use regula_core::store::{StorageCheck, StoreProblem};
use regula_core::{
    Append, AuditRecord, Claim, ClaimHolder, InstanceFilter, InstanceHead, Snapshot, Store, StoreError, TreeHead,
};
use uuid::Uuid;

/// Expands to one `#[test]` per conformance check, each given a fresh store made by
/// evaluating `$make` (an expression of a type implementing [`Store`]).
///
/// With `run_if: $cond,` first, each test evaluates `$cond` (a `bool`) and returns
/// early when it is false: for backends a developer may have explicitly opted out of
/// (the condition should print why it skips).
#[macro_export]
macro_rules! conformance_tests {
    (run_if: $cond:expr, $make:expr) => {
        $crate::conformance_tests!(@each $cond, $make;
            round_trip,
            list_filters,
            scan_order,
            conflicts,
            atomicity,
            invalid_appends,
            verify_whole_store,
            snapshots,
            snapshots_never_trusted_by_verify,
            checkpoints,
            concurrent_writers,
            verify_while_writing,
            bulk_batches,
            claims,
            migrations,
            deadlines
        );
    };
    ($make:expr) => {
        $crate::conformance_tests!(run_if: true, $make);
    };
    (@each $cond:expr, $make:expr; $($check:ident),+) => {
        $(
            #[test]
            fn $check() {
                if $cond {
                    $crate::checks::$check(&|| $make);
                }
            }
        )+
    };
}

/// Runs every check in turn against stores made by `make`.
pub fn run_all<S: Store>(make: &dyn Fn() -> S) {
    checks::round_trip(make);
    checks::list_filters(make);
    checks::scan_order(make);
    checks::conflicts(make);
    checks::atomicity(make);
    checks::invalid_appends(make);
    checks::verify_whole_store(make);
    checks::snapshots(make);
    checks::snapshots_never_trusted_by_verify(make);
    checks::checkpoints(make);
    checks::concurrent_writers(make);
    checks::verify_while_writing(make);
    checks::bulk_batches(make);
    checks::claims(make);
    checks::migrations(make);
    checks::deadlines(make);
}

/// A store wrapper that counts how records are read, to prove that loading through a
/// snapshot reads only the records after it.
#[derive(Debug)]
pub struct Counting<S> {
    inner: S,
    full_loads: AtomicU64,
    partial_loads: Mutex<Vec<(u64, usize)>>,
}

impl<S: Store> Counting<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Counting {
            inner,
            full_loads: AtomicU64::new(0),
            partial_loads: Mutex::new(Vec::new()),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Forgets what was counted.
    pub fn reset(&self) {
        self.full_loads.store(0, Ordering::SeqCst);
        self.partial_loads.lock().unwrap().clear();
    }

    /// How many times [`Store::load`] was called.
    pub fn full_loads(&self) -> u64 {
        self.full_loads.load(Ordering::SeqCst)
    }

    /// Each [`Store::load_after`] call: `after` and how many records it returned.
    pub fn partial_loads(&self) -> Vec<(u64, usize)> {
        self.partial_loads.lock().unwrap().clone()
    }
}

impl<S: Store> Store for Counting<S> {
    fn append(&self, append: Append<'_>) -> Result<TreeHead, StoreError> {
        self.inner.append(append)
    }
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        self.inner.append_batch(batch)
    }
    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        self.inner.append_claiming(batch, claims)
    }
    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        self.inner.claim(namespace, key)
    }
    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        self.inner.claims(namespace)
    }
    fn load(&self, instance: Uuid) -> Result<Vec<AuditRecord>, StoreError> {
        self.full_loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(instance)
    }
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        let records = self.inner.load_after(instance, after)?;
        self.partial_loads.lock().unwrap().push((after, records.len()));
        Ok(records)
    }
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        self.inner.head(instance)
    }
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        self.inner.list(filter)
    }
    fn due(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        filter: &InstanceFilter,
    ) -> Result<Vec<InstanceHead>, StoreError> {
        self.inner.due(before, filter)
    }
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.scan(from, limit)
    }
    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.inner.tree_head()
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.inner.put_snapshot(snapshot)
    }
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        self.inner.snapshot(instance)
    }
    fn check_storage(&self, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        self.inner.check_storage(depth)
    }
}

/// A tiny xorshift generator: seeded, reproducible, enough for choosing test moves.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        XorShift(seed ^ 0x9e37_79b9_7f4a_7c15 | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}
