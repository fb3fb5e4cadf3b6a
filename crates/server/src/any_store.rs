//! Either store behind one type, and where a store is.

use std::path::PathBuf;

use regula_core::store::{
    Append, Claim, ClaimHolder, InstanceFilter, InstanceHead, StorageCheck, Store, StoreError, StoreProblem, TreeHead,
};
use regula_core::{AuditRecord, Snapshot};
use regula_store_postgres::PostgresStore;
use regula_store_sqlite::SqliteStore;
use uuid::Uuid;

/// Where the store is: an embedded SQLite file (the default) or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://…` or `host=… dbname=…`).
    Postgres(String),
}

impl StoreLocation {
    /// Opens an existing store for writing: a missing or empty SQLite file, or a
    /// PostgreSQL database without Regula's schema, is an error and stays as it was;
    /// an older schema is migrated.
    pub fn open_existing(&self) -> Result<AnyStore, StoreError> {
        match self {
            StoreLocation::Postgres(url) => {
                drop(PostgresStore::connect_existing(url)?);
                Ok(AnyStore::Postgres(Box::new(PostgresStore::connect(url)?)))
            }
            StoreLocation::Sqlite(path) => {
                let empty = std::fs::metadata(path).map(|m| m.is_file() && m.len() == 0);
                match empty {
                    Ok(false) => Ok(AnyStore::Sqlite(SqliteStore::open(path)?)),
                    Ok(true) => Err(StoreError::NotAStore {
                        location: path.display().to_string(),
                        message: "the file is empty (0 bytes); `regula init` makes it a store".to_owned(),
                    }),
                    Err(e) => Err(StoreError::NotAStore {
                        location: path.display().to_string(),
                        message: format!("{e}; `regula init` creates a store"),
                    }),
                }
            }
        }
    }

    /// A description for messages that never shows a PostgreSQL password.
    pub fn describe(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(_) => "PostgreSQL".to_owned(),
        }
    }
}

/// Either store, behind one type.
// Made once per process and then borrowed: the variants' sizes cost nothing.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    /// The embedded default.
    Sqlite(SqliteStore),
    /// PostgreSQL.
    Postgres(Box<PostgresStore>),
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $e,
            AnyStore::Postgres($s) => $e,
        }
    };
}

impl Store for AnyStore {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        delegate!(self, s => s.append_batch(batch))
    }
    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        delegate!(self, s => s.append_claiming(batch, claims))
    }
    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        delegate!(self, s => s.claim(namespace, key))
    }
    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        delegate!(self, s => s.claims(namespace))
    }
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        delegate!(self, s => s.load_after(instance, after))
    }
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        delegate!(self, s => s.head(instance))
    }
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        delegate!(self, s => s.list(filter))
    }
    fn due(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        filter: &InstanceFilter,
    ) -> Result<Vec<InstanceHead>, StoreError> {
        delegate!(self, s => s.due(before, filter))
    }
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        delegate!(self, s => s.scan(from, limit))
    }
    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        delegate!(self, s => s.tree_head())
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        delegate!(self, s => s.put_snapshot(snapshot))
    }
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        delegate!(self, s => s.snapshot(instance))
    }
    fn check_storage(&self, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        delegate!(self, s => s.check_storage(depth))
    }
}
