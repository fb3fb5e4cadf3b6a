//! Regula's default embedded [`Store`]: every audit log in one SQLite file.
//!
//! ```
//! use regula_core::{InstanceFilter, Store};
//! use regula_store_sqlite::{SqliteOptions, SqliteStore, Synchronous};
//!
//! let dir = std::env::temp_dir().join(format!("regula-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("court.regula");
//!
//! // Creates the file and its schema on first open; opens it again later.
//! let store = SqliteStore::open(&path)?;
//! assert_eq!(store.tree_head()?.size, 0);
//! assert!(store.list(&InstanceFilter::all())?.is_empty());
//!
//! // A checkpoint to keep elsewhere (see `regula_core::store::verify_against_checkpoint`).
//! let checkpoint = store.checkpoint()?;
//! print!("{}", regula_core::CheckpointNote::unsigned(&checkpoint));
//! drop(store);
//!
//! // The explicit, weaker durability setting (see "Durability" below).
//! let fast = SqliteStore::open_with(&path, SqliteOptions { synchronous: Synchronous::Normal, ..SqliteOptions::default() })?;
//! drop(fast);
//!
//! // For tests: nothing on disk.
//! let scratch = SqliteStore::in_memory()?;
//! # drop(scratch);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Use it wherever a [`Store`] is wanted, for example in a
//! [`Repository`](regula_core::Repository). A handle is `Send + Sync` and holds one
//! connection behind a mutex; several handles, threads and processes may use one file
//! at once: SQLite serializes the writers, and an append that lost the race gets
//! [`StoreError::Conflict`], never a lost or duplicated record.
//!
//! # Durability
//!
//! The file is in WAL mode with `synchronous=FULL` by default: when an append
//! returns, its records are on stable storage and survive a crash of the process, of
//! the operating system and a power loss. [`Synchronous::Normal`] is an explicit
//! opt-in that skips the sync at each commit: still never a corrupt file, but after a
//! power loss or an operating-system crash the last transactions acknowledged before
//! it may be rolled back (a crash of the process alone loses nothing). A court's audit
//! trail should keep the default.
//!
//! Every append runs in one `BEGIN IMMEDIATE` transaction: it reads the instance heads,
//! checks the records with [`check_batch`], inserts
//! them, updates the heads and the Merkle compact range, and commits; all records of a
//! call, or of a [`Store::append_batch`], or none. A writer waits up to
//! [`SqliteOptions::busy_timeout`] (5 s by default) for another writer's lock; past
//! that it gets [`StoreError::Backend`] ("database is locked") and may retry.
//!
//! # Errors: what was written
//!
//! A failed append wrote nothing (SQLite rolls the transaction back). Failures of the
//! file are [`StoreError::Unavailable`] naming the file, with their
//! [`Unavailability`]: `DiskFull` (`SQLITE_FULL`), `ReadOnly` (a read-only file or
//! file system; [`SqliteStore::open_existing`] still reads it), and `FileRemoved`:
//! the file is no longer at its path (removed, renamed or replaced). A handle checks
//! that before each append, with one `stat`, because in WAL mode SQLite would keep
//! writing to the unlinked file and lose every such append when the last handle
//! closes; what was acknowledged before stays readable through the open handle. A
//! removal in the microseconds between that check and the commit is not caught.
//! `tests/faults.rs` checks each on a small tmpfs.
//!
//! # Schema
//!
//! Created on first open, inside one transaction, and migrated on open when older. The
//! file is marked with `PRAGMA application_id` = [`APPLICATION_ID`] and
//! `PRAGMA user_version` = the schema version ([`SCHEMA_VERSION`]). Tables:
//!
//! | table | contents |
//! |---|---|
//! | `meta` | `application` = `regula-store`, `schema_version`, `created_at`, `created_by` |
//! | `records` | `position` (global append order from 0, the primary key), `instance`, `seq`, and `record`: the record as its serde JSON, readable from any language (`json_extract(record, '$.action')`); `UNIQUE (instance, seq)` |
//! | `instances` | the head of each instance, keyed by `instance` (`WITHOUT ROWID`): `definition`, `version`, `state`, `seq`, `last_hash`, `created_at`, `updated_at`, `first_position`, and (version 4) `entered_at` (when it entered its state) and `due_at` (its earliest pending deadline, `NULL` when none; fixed-width text, so a due time outside the years 0 to 9999 is refused with [`StoreError::InvalidAppend`]); indexed by `(definition, first_position)`, `first_position` and, for the heads that have one, `due_at` (`instances_by_due`, what [`Store::due`] reads), never by `state`, which every transition changes |
//! | `log_head` | one row: the number of records and the Merkle compact range over them |
//! | `snapshots` | the latest snapshot of an instance, as JSON |
//! | `claims` (version 2) | keys unique across the store ([`Claim`]): `namespace`, `key` (together the primary key), and the holder record's `instance` and `seq`; written in the append's transaction (see [`Store::append_claiming`]) |
//!
//! UUIDs are stored as hyphenated text, digests as lowercase hex and times as RFC 3339
//! UTC with nanoseconds. Each append writes as few pages as it can: a record row holds
//! only its keys beside the JSON, and a head update changes one B-tree (schema 3; up
//! to schema 2 a row also copied the record's id, time, definition, action and hash,
//! and two indexes on `state` were rewritten at every transition). Only the `record`
//! JSON is trusted by verification; the other
//! columns serve queries, and verification checks each of them against the JSON it
//! copies ([`Store::check_storage`], read in position order, never through an index),
//! after SQLite's own `PRAGMA quick_check` (`PRAGMA integrity_check` with
//! [`StorageCheck::Full`]); every problem is
//! reported.
//!
//! A store of an older schema is migrated the first time [`SqliteStore::open`] opens
//! it, in the same single transaction as every schema change (a crash or an error
//! midway leaves it as it was), and the new version is recorded in `meta` and
//! `PRAGMA user_version`: version 1 gets the empty `claims` table (version 2); version
//! 2 gets its `records` and `instances` tables rewritten whole into the narrower ones
//! (version 3), which takes about as long as copying the file; version 3 gets the
//! heads' `entered_at`, computed from each log's record JSON, and an empty `due_at`
//! (version 4: no earlier release could declare a deadline).
//! [`SqliteStore::open_existing`] never creates, migrates or changes a file on open, for
//! commands that only read: it reads an older store as it is (before version 4,
//! computing each head's `entered_at` from its records as the migration would, and
//! listing nothing as due), and refuses to append to it ([`StoreError::Unsupported`]).
//!
//! # Bad input
//!
//! Opening a file that is not empty and not a Regula store (a text file, another
//! application's SQLite database) fails with [`StoreError::NotAStore`]; a store written
//! by a newer Regula fails with [`StoreError::NewerSchema`]. Both leave the file as it
//! was: the checks come before anything is written, WAL mode included.

mod schema;
mod storage;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::store::{
    BatchHead, StorageCheck, StoreProblem, Unavailability, check_batch, check_claims, check_snapshot,
};
use regula_core::{
    Append, AuditRecord, Checkpoint, Claim, ClaimHolder, DefinitionRef, Digest, InstanceFilter, InstanceHead, Snapshot,
    Store, StoreError, TreeHead,
};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};
use uuid::Uuid;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

const BACKEND: &str = "sqlite";

/// How hard SQLite syncs at each commit (`PRAGMA synchronous`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// `FULL`, the default: an acknowledged append survives a power loss.
    #[default]
    Full,
    /// `NORMAL`: faster; never corrupts the file, but after a power loss or an
    /// operating-system crash the last acknowledged appends may be rolled back.
    Normal,
}

/// How to open a SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// The sync level at each commit; [`Synchronous::Full`] by default.
    pub synchronous: Synchronous,
    /// How long a writer waits for another writer's lock before giving up with
    /// [`StoreError::Backend`]; 5 seconds by default.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A [`Store`] in a SQLite file (see the crate docs).
#[derive(Debug)]
pub struct SqliteStore {
    inner: Mutex<Inner>,
    path: Option<PathBuf>,
    /// False for a store of schema 1 opened without migrating it
    /// ([`open_existing`](SqliteStore::open_existing)): it has no claims table.
    claims_kept: bool,
    /// The file's absolute path, device and inode when it was opened, to notice it
    /// removed or replaced under the handle ([`Unavailability::FileRemoved`]); absolute
    /// so that the program changing its working directory changes nothing.
    identity: Option<(PathBuf, (u64, u64))>,
    /// False for a store of an older schema opened without migrating it: its tables
    /// are not the ones this crate's appends write.
    current: bool,
}

#[derive(Debug)]
struct Inner {
    conn: Connection,
    /// Where the last sequential scan stopped: (records returned so far, last position).
    cursor: Option<(u64, i64)>,
}

impl SqliteStore {
    /// Opens the store in `path` with the default options, creating the file and its
    /// schema when it does not exist (or is empty).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        SqliteStore::open_with(path, SqliteOptions::default())
    }

    /// Opens the store in `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref();
        SqliteStore::open_unclassified(path, options).map_err(|e| classified(Some(path), e))
    }

    /// [`open_with`](SqliteStore::open_with), its errors not yet made typed.
    fn open_unclassified(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        let location = path.display().to_string();
        schema::inspect_file(path, &location)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(backend)?;
        configure(&conn, &options)?;
        schema::prepare(&mut conn, &location)?;
        let mode = switch_to_wal(&conn, options.busy_timeout)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend {
                backend: BACKEND,
                message: format!("{location}: could not switch to WAL mode (journal mode is {mode})"),
                source: None,
            });
        }
        Ok(SqliteStore {
            inner: Mutex::new(Inner { conn, cursor: None }),
            path: Some(path.to_path_buf()),
            claims_kept: true,
            identity: opened_identity(path),
            current: true,
        })
    }

    /// Opens an existing store in `path` with the default options, and never creates
    /// or migrates one: a missing or empty file, or a database that is not a Regula
    /// store, fails with [`StoreError::NotAStore`]. Nothing is written to the file on
    /// open. A store of schema 1 (written by Regula 0.1, before claims) is read as it
    /// is: its claims operations answer [`StoreError::Unsupported`] until a handle
    /// opened with [`open`](SqliteStore::open) migrates it. For commands that only read.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        SqliteStore::open_existing_with(path, SqliteOptions::default())
    }

    /// [`open_existing`](SqliteStore::open_existing) with `options`.
    pub fn open_existing_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let location = path.display().to_string();
        schema::require_file(path, &location)?;
        // No SQLITE_OPEN_CREATE: a file removed since the check is not recreated.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened = Connection::open_with_flags(path, flags)
            .map_err(backend)
            .and_then(|conn| {
                configure(&conn, &options)?;
                Ok((schema::check_readable(&conn, &location)?, conn))
            });
        let (version, conn) = match opened {
            // A file on a read-only file system (a mounted backup, a read-only
            // volume): SQLite cannot make the WAL's shared-memory file next to it,
            // but a read-only connection reads it without one. Writes are refused as
            // `Unavailable(ReadOnly)`.
            Err(_) if read_only(path) => open_read_only(path, &options, &location)?,
            other => other?,
        };
        Ok(SqliteStore {
            inner: Mutex::new(Inner { conn, cursor: None }),
            path: Some(path.to_path_buf()),
            claims_kept: version >= 2,
            identity: opened_identity(path),
            current: version == SCHEMA_VERSION,
        })
    }

    /// A store in memory, for tests: same schema and checks, nothing on disk.
    pub fn in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(backend)?;
        configure(&conn, &SqliteOptions::default())?;
        schema::prepare(&mut conn, ":memory:")?;
        Ok(SqliteStore {
            inner: Mutex::new(Inner { conn, cursor: None }),
            path: None,
            claims_kept: true,
            identity: None,
            current: true,
        })
    }

    /// The file, or `None` for a store in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A checkpoint of the log as it is now, to save elsewhere.
    pub fn checkpoint(&self) -> Result<Checkpoint, StoreError> {
        Ok(Checkpoint::new(self.tree_head()?, Utc::now()))
    }

    /// The sync level this handle's connection runs with (`PRAGMA synchronous`).
    pub fn synchronous(&self) -> Result<Synchronous, StoreError> {
        let level: i64 = self
            .lock()
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .map_err(backend)?;
        match level {
            2 => Ok(Synchronous::Full),
            1 => Ok(Synchronous::Normal),
            other => Err(StoreError::Backend {
                backend: BACKEND,
                message: format!("unexpected PRAGMA synchronous level {other}"),
                source: None,
            }),
        }
    }

    /// Refuses the claims operations on a store of schema 1 read without migrating.
    fn claims_kept(&self) -> Result<(), StoreError> {
        if self.claims_kept {
            Ok(())
        } else {
            Err(StoreError::Unsupported {
                operation: "claims (this store's schema 1 predates them; opening it for writing upgrades it)",
            })
        }
    }

    /// Refuses appends to a store of an older schema read without migrating.
    fn current(&self) -> Result<(), StoreError> {
        if self.current {
            Ok(())
        } else {
            Err(StoreError::Unsupported {
                operation: "appending (this store's schema predates this program's; opening it for writing upgrades it)",
            })
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock drops any open transaction, which rolls it
        // back: the connection behind a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn configure(conn: &Connection, options: &SqliteOptions) -> Result<(), StoreError> {
    conn.busy_timeout(options.busy_timeout).map_err(backend)?;
    let level = match options.synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", level).map_err(backend)?;
    Ok(())
}

/// Switches the connection to WAL mode (persistent in the file, so a no-op once done).
///
/// Leaving the rollback journal needs the only lock on the file, and SQLite answers
/// `SQLITE_BUSY` at once, without its busy handler, while other connections opening a
/// new file at the same moment hold theirs: retry until the busy timeout.
fn switch_to_wal(conn: &Connection, timeout: Duration) -> Result<String, StoreError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other.map_err(backend),
        }
    }
}

/// A SQLite error as a [`StoreError::Backend`].
pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    // A value of the wrong type in a column (a record stored as a blob, a key that is
    // not text) is stored data that cannot be read back, not a failure of the database:
    // `verify` reports it as a problem found, not as an error that stopped it.
    if let rusqlite::Error::InvalidColumnType(index, name, kind) = &e {
        return StoreError::Corrupt {
            place: format!("column {index} ({name})"),
            message: format!("holds a value of type {kind}, not the type the store writes there"),
        };
    }
    if let rusqlite::Error::FromSqlConversionFailure(index, kind, source) = &e {
        return StoreError::Corrupt {
            place: format!("column {index}"),
            message: format!("a value of type {kind} does not convert: {source}"),
        };
    }
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!("database is locked: another writer held it past the busy timeout ({e})")
        }
        _ => e.to_string(),
    };
    StoreError::Backend {
        backend: BACKEND,
        message,
        source: Some(Box::new(e)),
    }
}

/// The absolute path of the file at `path` and its identity ([`file_identity`]).
fn opened_identity(path: &Path) -> Option<(PathBuf, (u64, u64))> {
    let absolute = std::path::absolute(path).ok()?;
    let id = file_identity(&absolute)?;
    Some((absolute, id))
}

/// The device and inode of the file at `path` (unix; `None` elsewhere or when it
/// cannot be read).
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl SqliteStore {
    /// Refuses to write when the file this handle opened is no longer at its path
    /// (removed, renamed or replaced). In WAL mode SQLite itself keeps writing to the
    /// unlinked file, and its WAL, still at the old name, is checkpointed into it and
    /// deleted when the last handle closes: every append acknowledged after the
    /// removal would be lost. One `stat` per append.
    fn still_in_place(&self) -> Result<(), StoreError> {
        let (Some(path), Some((absolute, opened))) = (&self.path, &self.identity) else {
            return Ok(());
        };
        let now = file_identity(absolute);
        if now.as_ref() == Some(opened) {
            return Ok(());
        }
        Err(StoreError::Unavailable {
            backend: BACKEND,
            location: path.display().to_string(),
            cause: Unavailability::FileRemoved,
            message: match now {
                None => "the file is no longer at this path".to_owned(),
                Some(_) => "another file is at this path now".to_owned(),
            },
            source: None,
        })
    }
}

/// A SQLite error that says the file cannot take writes now, as
/// [`StoreError::Unavailable`] naming `path` and the cause; any other error unchanged.
/// Nothing was written in any of these cases: SQLite rolls the transaction back.
fn classified(path: Option<&Path>, e: StoreError) -> StoreError {
    let StoreError::Backend {
        source: Some(source),
        message,
        backend,
    } = e
    else {
        return e;
    };
    let cause = match source.downcast_ref::<rusqlite::Error>() {
        Some(rusqlite::Error::SqliteFailure(f, _)) => match f.code {
            ErrorCode::DiskFull => Some(Unavailability::DiskFull),
            // SQLITE_READONLY_DBMOVED: the file was unlinked or renamed since it was
            // opened; a write would vanish with the last handle.
            ErrorCode::ReadOnly if f.extended_code == rusqlite::ffi::SQLITE_READONLY_DBMOVED => {
                Some(Unavailability::FileRemoved)
            }
            ErrorCode::ReadOnly => Some(Unavailability::ReadOnly),
            // Opening a WAL file on a read-only file system fails this way (its
            // shared-memory file cannot be made): say so when the file is read-only.
            ErrorCode::CannotOpen if path.is_some_and(read_only) => Some(Unavailability::ReadOnly),
            _ => None,
        },
        _ => None,
    };
    match cause {
        Some(cause) => StoreError::Unavailable {
            backend,
            location: path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string()),
            cause,
            message,
            source: Some(source),
        },
        None => StoreError::Backend {
            backend,
            message,
            source: Some(source),
        },
    }
}

/// A read-only connection to the store in `path`, which this process may not write:
/// read-only, and on a read-only file system also `immutable` (SQLite reads a WAL file
/// there only so, since it cannot make the shared-memory file beside it, and no one
/// can change the file while the file system stays read-only).
fn open_read_only(path: &Path, options: &SqliteOptions, location: &str) -> Result<(i64, Connection), StoreError> {
    let read = |conn: Connection| -> Result<(i64, Connection), StoreError> {
        configure(&conn, options)?;
        Ok((schema::check_readable(&conn, location)?, conn))
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let first = Connection::open_with_flags(path, flags).map_err(backend).and_then(read);
    let on_read_only_fs = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .is_err_and(|e| e.kind() == std::io::ErrorKind::ReadOnlyFilesystem);
    match first {
        Err(_) if on_read_only_fs => {
            let mut uri = String::from("file:");
            for b in path.to_string_lossy().bytes() {
                if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
                    uri.push(char::from(b));
                } else {
                    uri.push_str(&format!("%{b:02X}"));
                }
            }
            uri.push_str("?immutable=1");
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                .map_err(backend)
                .and_then(read)
        }
        other => other,
    }
}

/// True when `path` exists and this process may not open it for writing.
fn read_only(path: &Path) -> bool {
    path.exists()
        && std::fs::OpenOptions::new().append(true).open(path).is_err_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            )
        })
}

fn corrupt(place: impl Into<String>, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        place: place.into(),
        message: message.to_string(),
    }
}

pub(crate) use regula_core::store::columns::{due_bound, due_text, time_text};

fn parse_time(place: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(place, format!("bad time {text:?}: {e}")))
}

fn to_i64(instance: Uuid, seq: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::InvalidAppend {
        instance,
        seq,
        reason: format!("{what} {seq} does not fit the store's 63-bit column"),
    })
}

fn from_i64(place: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(place, format!("negative number {value}")))
}

fn parse_record(position: i64, instance: &str, seq: i64, json: &str) -> Result<AuditRecord, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        corrupt(
            format!("records position {position} (instance {instance}, record {seq})"),
            format!("the record JSON does not read back: {e}"),
        )
    })
}

const HEAD_COLUMNS: &str =
    "instance, definition, version, state, seq, last_hash, created_at, updated_at, entered_at, due_at";

/// The head columns of a store read as it is, before schema 4: `entered_at` computed
/// from the records as the migration does, and no due time (no store before schema 4
/// could hold one).
const LEGACY_HEAD_COLUMNS: &str = concat!(
    "instance, definition, version, state, seq, last_hash, created_at, updated_at, ",
    schema::entered_at!(),
    ", NULL"
);

/// The text of [`Store::due`]'s query for `filter`: `?1` the instant, then the
/// definition and the state when the filter names them. One range scan of the partial
/// index `instances_by_due`, in due order; the filter's terms are checked on the rows
/// it reaches. `INDEXED BY` because the planner, without statistics, would rather walk
/// every instance of a definition through `instances_by_definition` and sort them.
fn due_query(filter: &InstanceFilter) -> String {
    let mut sql = format!(
        "SELECT {HEAD_COLUMNS} FROM instances INDEXED BY instances_by_due WHERE due_at IS NOT NULL AND due_at < ?1"
    );
    let mut n = 1;
    if filter.definition.is_some() {
        n += 1;
        sql.push_str(&format!(" AND definition = ?{n}"));
    }
    if filter.state.is_some() {
        n += 1;
        sql.push_str(&format!(" AND state = ?{n}"));
    }
    sql.push_str(" ORDER BY due_at, instance");
    sql
}

fn head_columns(current: bool) -> &'static str {
    if current { HEAD_COLUMNS } else { LEGACY_HEAD_COLUMNS }
}

fn read_head_row(row: &rusqlite::Row<'_>) -> Result<Result<InstanceHead, StoreError>, rusqlite::Error> {
    let id: String = row.get(0)?;
    let definition: String = row.get(1)?;
    let version: i64 = row.get(2)?;
    let state: String = row.get(3)?;
    let seq: i64 = row.get(4)?;
    let last_hash: String = row.get(5)?;
    let created_at: String = row.get(6)?;
    let updated_at: String = row.get(7)?;
    let entered_at: Option<String> = row.get(8)?;
    let due_at: Option<String> = row.get(9)?;
    Ok((|| {
        let place = format!("instances row {id}");
        Ok(InstanceHead {
            instance: Uuid::parse_str(&id).map_err(|e| corrupt(&place, e))?,
            definition: DefinitionRef {
                name: definition.into(),
                version: u32::try_from(version).map_err(|e| corrupt(&place, e))?,
            },
            state,
            seq: from_i64(&place, seq)?,
            last_hash: Digest::from_hex(&last_hash).map_err(|e| corrupt(&place, e))?,
            created_at: parse_time(&place, &created_at)?,
            updated_at: parse_time(&place, &updated_at)?,
            entered_at: parse_time(&place, entered_at.as_deref().unwrap_or_default())?,
            due_at: due_at.map(|t| parse_time(&place, &t)).transpose()?,
        })
    })())
}

/// The head of `instance`, read with the columns of a current store (`current`) or of
/// one read as it is.
fn read_head_of(conn: &Connection, instance: Uuid, current: bool) -> Result<Option<InstanceHead>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {} FROM instances WHERE instance = ?1",
            head_columns(current)
        ))
        .map_err(backend)?;
    stmt.query_row([instance.to_string()], read_head_row)
        .optional()
        .map_err(backend)?
        .transpose()
}

/// The heads `sql` selects with `args`, in its order.
fn read_heads(conn: &Connection, sql: &str, args: &[&str]) -> Result<Vec<InstanceHead>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), read_head_row)
        .map_err(backend)?;
    let mut heads = Vec::new();
    for row in rows {
        heads.push(row.map_err(backend)??);
    }
    Ok(heads)
}

/// The head of `instance` in a store of the current schema (every writing path).
fn read_head(conn: &Connection, instance: Uuid) -> Result<Option<InstanceHead>, StoreError> {
    read_head_of(conn, instance, true)
}

fn read_log_head(conn: &Connection) -> Result<CompactRange, StoreError> {
    // Cached: every append reads the log head, so its statement is parsed once.
    let (size, bytes): (i64, Vec<u8>) = conn
        .prepare_cached("SELECT size, compact_range FROM log_head WHERE id = 1")
        .map_err(backend)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(backend)?
        .ok_or_else(|| corrupt("log_head", "the row is missing"))?;
    let size = from_i64("log_head", size)?;
    CompactRange::from_parts(size, &bytes).map_err(|e| corrupt("log_head", e))
}

fn tree_head_of(range: &CompactRange) -> TreeHead {
    TreeHead {
        size: range.size(),
        root: range.root(),
    }
}

/// Maps an insert failure: a unique violation means another writer got there first.
fn insert_error(tx: &Transaction<'_>, e: rusqlite::Error, instance: Uuid, expected_seq: u64) -> StoreError {
    if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) {
        let actual: Option<i64> = tx
            .query_row(
                "SELECT max(seq) FROM records WHERE instance = ?1",
                [instance.to_string()],
                |r| r.get(0),
            )
            .ok()
            .flatten();
        return StoreError::Conflict {
            instance,
            expected_seq,
            actual_seq: actual.and_then(|a| u64::try_from(a).ok()).unwrap_or(expected_seq),
        };
    }
    backend(e)
}

fn read_claim(conn: &Connection, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT instance, seq FROM claims WHERE namespace = ?1 AND key = ?2")
        .map_err(backend)?
        .query_row(params![namespace, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(backend)?;
    row.map(|(instance, seq)| claim_holder(namespace, key, &instance, seq))
        .transpose()
}

fn claim_holder(namespace: &str, key: &str, instance: &str, seq: i64) -> Result<ClaimHolder, StoreError> {
    let place = format!("claims row ({namespace}, {key})");
    Ok(ClaimHolder {
        instance: Uuid::parse_str(instance).map_err(|e| corrupt(&place, e))?,
        seq: from_i64(&place, seq)?,
    })
}

impl SqliteStore {
    /// An append, its errors as the statements reported them ([`classified`] makes them
    /// typed).
    fn append_unclassified(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        self.claims_kept()?;
        self.current()?;
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        // Check everything before writing anything.
        let heads = check_batch(batch, |id| read_head(&tx, id))?;
        for h in &heads {
            to_i64(h.head.instance, h.head.seq, "sequence number")?;
        }
        // The writer lock taken by BEGIN IMMEDIATE makes this read current; the
        // primary key is the last word all the same.
        let new_claims = if claims.is_empty() {
            Vec::new()
        } else {
            check_claims(
                &heads,
                claims,
                |id| read_head(&tx, id),
                |ns, key| read_claim(&tx, ns, key),
            )?
        };
        if !new_claims.is_empty() {
            let mut insert = tx
                .prepare_cached("INSERT INTO claims (namespace, key, instance, seq) VALUES (?1, ?2, ?3, ?4)")
                .map_err(backend)?;
            for c in new_claims {
                let seq = to_i64(c.holder.instance, c.holder.seq, "sequence number")?;
                insert
                    .execute(params![c.namespace, c.key, c.holder.instance.to_string(), seq])
                    .map_err(|e| match read_claim(&tx, &c.namespace, &c.key) {
                        Ok(Some(holder)) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                            StoreError::Claimed {
                                namespace: c.namespace.clone(),
                                key: c.key.clone(),
                                holder,
                                claimant: c.holder,
                            }
                        }
                        _ => backend(e),
                    })?;
            }
        }
        let mut range = read_log_head(&tx)?;
        let base = range.size();
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO records (position, instance, seq, record) VALUES (?1, ?2, ?3, ?4)")
                .map_err(backend)?;
            for a in batch {
                let instance = a.instance.to_string();
                for r in a.records {
                    let position = to_i64(a.instance, range.size(), "position")?;
                    let json = r.to_json();
                    insert
                        .execute(params![
                            position,
                            instance,
                            to_i64(a.instance, r.seq, "sequence number")?,
                            json,
                        ])
                        .map_err(|e| insert_error(&tx, e, a.instance, a.expected_seq))?;
                    range.push(record_leaf(r));
                }
            }
        }
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO instances (instance, definition, version, state, seq, last_hash, created_at, \
                     updated_at, first_position, entered_at, due_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                     ON CONFLICT (instance) DO UPDATE SET version = excluded.version, state = excluded.state, \
                     seq = excluded.seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at, \
                     entered_at = excluded.entered_at, due_at = excluded.due_at",
                )
                .map_err(backend)?;
            for BatchHead { head, first_record, .. } in &heads {
                upsert
                    .execute(params![
                        head.instance.to_string(),
                        head.definition.name.as_str(),
                        i64::from(head.definition.version),
                        head.state,
                        to_i64(head.instance, head.seq, "sequence number")?,
                        head.last_hash.to_hex(),
                        time_text(&head.created_at),
                        time_text(&head.updated_at),
                        to_i64(head.instance, base + first_record, "position")?,
                        time_text(&head.entered_at),
                        due_text(head)?,
                    ])
                    .map_err(backend)?;
            }
        }
        if range.size() != base {
            let size = i64::try_from(range.size()).map_err(|e| corrupt("log_head", e))?;
            tx.prepare_cached("UPDATE log_head SET size = ?1, compact_range = ?2 WHERE id = 1")
                .map_err(backend)?
                .execute(params![size, range.to_bytes()])
                .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(tree_head_of(&range))
    }
}

impl Store for SqliteStore {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        self.append_claiming(batch, &[])
    }

    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        self.still_in_place()?;
        self.append_unclassified(batch, claims)
            .map_err(|e| classified(self.path.as_deref(), e))
    }

    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        self.claims_kept()?;
        read_claim(&self.lock().conn, namespace, key)
    }

    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        self.claims_kept()?;
        let inner = self.lock();
        let mut stmt = inner
            .conn
            .prepare_cached("SELECT key, instance, seq FROM claims WHERE namespace = ?1 ORDER BY key")
            .map_err(backend)?;
        let rows = stmt
            .query_map([namespace], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .map_err(backend)?;
        let mut claims = Vec::new();
        for row in rows {
            let (key, instance, seq) = row.map_err(backend)?;
            let holder = claim_holder(namespace, &key, &instance, seq)?;
            claims.push(Claim {
                namespace: namespace.to_owned(),
                key,
                holder,
            });
        }
        Ok(claims)
    }

    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        let mut inner = self.lock();
        let tx = inner.conn.transaction().map_err(backend)?;
        let id = instance.to_string();
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let records = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT position, seq, record FROM records WHERE instance = ?1 AND seq > ?2 ORDER BY seq",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![id, after], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
                })
                .map_err(backend)?;
            let mut records = Vec::new();
            for row in rows {
                let (position, seq, json) = row.map_err(backend)?;
                records.push(parse_record(position, &id, seq, &json)?);
            }
            records
        };
        if records.is_empty() {
            let known: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM instances WHERE instance = ?1) \
                     OR EXISTS (SELECT 1 FROM records WHERE instance = ?1)",
                    [&id],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            if !known {
                return Err(StoreError::NotFound { instance });
            }
        }
        Ok(records)
    }

    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        read_head_of(&self.lock().conn, instance, self.current)?.ok_or(StoreError::NotFound { instance })
    }

    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        let inner = self.lock();
        let mut sql = format!("SELECT {} FROM instances", head_columns(self.current));
        let mut args: Vec<&str> = Vec::new();
        if let Some(d) = &filter.definition {
            args.push(d);
            sql.push_str(" WHERE definition = ?1");
        }
        if let Some(s) = &filter.state {
            args.push(s);
            sql.push_str(if args.len() == 1 { " WHERE" } else { " AND" });
            sql.push_str(&format!(" state = ?{}", args.len()));
        }
        sql.push_str(" ORDER BY first_position");
        read_heads(&inner.conn, &sql, &args)
    }

    fn due(&self, before: DateTime<Utc>, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        if !self.current {
            // No store before schema 4 holds a due time.
            return Ok(Vec::new());
        }
        let inner = self.lock();
        let before = due_bound(&before);
        let mut args: Vec<&str> = vec![&before];
        args.extend(filter.definition.as_deref());
        args.extend(filter.state.as_deref());
        let sql = due_query(filter);
        read_heads(&inner.conn, &sql, &args)
    }

    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut inner = self.lock();
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        // Positions are gapless unless rows were deleted behind the store's back, so
        // `from` counts records, not position values: a sequential scan continues after
        // the last position it returned, and any other start skips `from` rows.
        let (sql, args) = match inner.cursor {
            Some((next, last)) if next == from => (
                "SELECT position, instance, seq, record FROM records WHERE position > ?1 ORDER BY position LIMIT ?2",
                [last, limit_sql],
            ),
            _ => (
                "SELECT position, instance, seq, record FROM records ORDER BY position LIMIT ?2 OFFSET ?1",
                [i64::try_from(from).unwrap_or(i64::MAX), limit_sql],
            ),
        };
        let mut last = None;
        let records = {
            let mut stmt = inner.conn.prepare_cached(sql).map_err(backend)?;
            let rows = stmt
                .query_map(args, |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .map_err(backend)?;
            let mut records = Vec::new();
            for row in rows {
                let (position, instance, seq, json) = row.map_err(backend)?;
                records.push(parse_record(position, &instance, seq, &json)?);
                last = Some(position);
            }
            records
        };
        if let Some(last) = last {
            inner.cursor = Some((from + records.len() as u64, last));
        }
        Ok(records)
    }

    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        Ok(tree_head_of(&read_log_head(&self.lock().conn)?))
    }

    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        check_snapshot(read_head(&tx, snapshot.instance)?.as_ref(), snapshot)?;
        let json = serde_json::to_string(snapshot).map_err(|e| StoreError::InvalidAppend {
            instance: snapshot.instance,
            seq: snapshot.seq,
            reason: format!("the snapshot does not serialize: {e}"),
        })?;
        tx.execute(
            "INSERT INTO snapshots (instance, seq, snapshot) VALUES (?1, ?2, ?3) \
             ON CONFLICT (instance) DO UPDATE SET seq = excluded.seq, snapshot = excluded.snapshot",
            params![
                snapshot.instance.to_string(),
                to_i64(snapshot.instance, snapshot.seq, "sequence number")?,
                json
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    /// `PRAGMA quick_check` ([`StorageCheck::Quick`]) or `PRAGMA integrity_check`
    /// ([`StorageCheck::Full`], which also checks every index against its table), each
    /// line it reports a problem; then every row of `records`, read in position order
    /// (not through an index), column by column against its record JSON; each
    /// instance's `first_position`; each snapshot row's `instance` and `seq` against its
    /// JSON.
    fn check_storage(&self, depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        let inner = self.lock();
        storage::check(&inner.conn, depth)
    }

    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        let inner = self.lock();
        let json: Option<String> = inner
            .conn
            .query_row(
                "SELECT snapshot FROM snapshots WHERE instance = ?1",
                [instance.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| corrupt(format!("snapshot of instance {instance}"), e)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The due query, as the store sends it, is one search of `instances_by_due` in due
    /// order: no scan of the table, no sort, whatever the filter.
    #[test]
    fn the_due_query_searches_the_partial_index_in_order() {
        let store = SqliteStore::in_memory().unwrap();
        let inner = store.lock();
        for filter in [
            InstanceFilter::all(),
            InstanceFilter::definition("d"),
            InstanceFilter::definition("d").in_state("s"),
        ] {
            let mut args = vec!["2030-01-01T00:00:00.000000000Z"];
            args.extend(filter.definition.as_deref());
            args.extend(filter.state.as_deref());
            let mut stmt = inner
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", due_query(&filter)))
                .unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(plan.len(), 1, "{filter:?}: {plan:?}");
            assert!(
                plan[0].starts_with("SEARCH instances USING INDEX instances_by_due (due_at>? AND due_at<?)"),
                "{filter:?}: {plan:?}"
            );
        }
    }
}
