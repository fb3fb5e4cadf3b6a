//! Recognising, creating and migrating the schema.

use std::io::Read;
use std::path::Path;

use chrono::Utc;
use regula_core::StoreError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{BACKEND, backend};

/// The newest schema version this crate writes (also in `PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// `PRAGMA application_id` of a Regula store: the bytes `RGLA`.
pub const APPLICATION_ID: i32 = 0x5247_4c41;

/// The value of `meta.application`.
const MARKER: &str = "regula-store";

/// When the instance of an `instances` row entered its state, from its records: the
/// time of the last record up to the head that brought it there (its creation, or an
/// accepted record whose state after differs from its state before), read from the
/// record JSON through the `(instance, seq)` index. A macro, so that the migration's SQL
/// can include it with `concat!`.
macro_rules! entered_at {
    () => {
        "(SELECT json_extract(r.record, '$.at') FROM records r
          WHERE r.instance = instances.instance AND r.seq <= instances.seq
            AND (r.seq = 1 OR (json_extract(r.record, '$.outcome.kind') = 'accepted'
                               AND json_extract(r.record, '$.outcome.to') <> json_extract(r.record, '$.from')))
          ORDER BY r.seq DESC LIMIT 1)"
    };
}
pub(crate) use entered_at;

/// The migrations: entry `i` brings a store from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE records (
        position   INTEGER PRIMARY KEY NOT NULL,
        instance   TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        record_id  TEXT NOT NULL,
        at         TEXT NOT NULL,
        definition TEXT NOT NULL,
        action     TEXT NOT NULL,
        hash       TEXT NOT NULL,
        record     TEXT NOT NULL,
        UNIQUE (instance, seq)
    );
    CREATE TABLE instances (
        instance       TEXT PRIMARY KEY NOT NULL,
        definition     TEXT NOT NULL,
        version        INTEGER NOT NULL,
        state          TEXT NOT NULL,
        seq            INTEGER NOT NULL,
        last_hash      TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        first_position INTEGER NOT NULL
    );
    CREATE INDEX instances_by_definition_state ON instances (definition, state, first_position);
    CREATE INDEX instances_by_state ON instances (state, first_position);
    CREATE INDEX instances_by_age ON instances (first_position);
    CREATE TABLE log_head (
        id            INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        size          INTEGER NOT NULL,
        compact_range BLOB NOT NULL
    );
    INSERT INTO log_head (id, size, compact_range) VALUES (1, 0, x'');
    CREATE TABLE snapshots (
        instance TEXT PRIMARY KEY NOT NULL,
        seq      INTEGER NOT NULL,
        snapshot TEXT NOT NULL
    );",
    // 1 → 2: claims, unique keys taken by a record in its append's transaction. A
    // store of version 1 gets an empty table; claims of its past records are added
    // by the program that knows them (`Store::append_claiming` with no records).
    "CREATE TABLE claims (
        namespace TEXT NOT NULL,
        key       TEXT NOT NULL,
        instance  TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID;",
    // 2 → 3: fewer pages written per append. A record row keeps its position, instance,
    // seq and JSON: its id, time, definition, action and hash are read from the JSON
    // (they were copies, written on every append and read by nothing but the check
    // against the JSON). The heads lose their two indexes on `state`, which every
    // transition changes (three B-trees written per head update, now one), and become
    // a table keyed by instance (no separate index from instance to row). Both tables
    // are copied whole, in position order, inside the migration's transaction.
    "CREATE TABLE records_v3 (
        position INTEGER PRIMARY KEY NOT NULL,
        instance TEXT NOT NULL,
        seq      INTEGER NOT NULL,
        record   TEXT NOT NULL,
        UNIQUE (instance, seq)
    );
    INSERT INTO records_v3 (position, instance, seq, record)
        SELECT position, instance, seq, record FROM records ORDER BY position;
    DROP TABLE records;
    ALTER TABLE records_v3 RENAME TO records;
    CREATE TABLE instances_v3 (
        instance       TEXT PRIMARY KEY NOT NULL,
        definition     TEXT NOT NULL,
        version        INTEGER NOT NULL,
        state          TEXT NOT NULL,
        seq            INTEGER NOT NULL,
        last_hash      TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        first_position INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO instances_v3 (instance, definition, version, state, seq, last_hash, created_at, updated_at,
                              first_position)
        SELECT instance, definition, version, state, seq, last_hash, created_at, updated_at, first_position
        FROM instances ORDER BY instance;
    DROP TABLE instances;
    ALTER TABLE instances_v3 RENAME TO instances;
    CREATE INDEX instances_by_definition ON instances (definition, first_position);
    CREATE INDEX instances_by_age ON instances (first_position);",
    // 3 → 4: deadlines. A head keeps when its instance entered its state, computed here
    // from each log by the rule of `InstanceHead::advanced` (see `ENTERED_AT`), and its
    // due time, left empty: no release before schema 4 could declare a deadline, so no
    // instance written by one is due. The index holds only the heads that are due, so
    // an append to an instance without deadlines writes no index page.
    concat!(
        "ALTER TABLE instances ADD COLUMN entered_at TEXT NOT NULL DEFAULT '';
        ALTER TABLE instances ADD COLUMN due_at TEXT;
        UPDATE instances SET entered_at = ",
        entered_at!(),
        ";
        CREATE INDEX instances_by_due ON instances (due_at) WHERE due_at IS NOT NULL;"
    ),
];

fn not_a_store(location: &str, message: impl Into<String>) -> StoreError {
    StoreError::NotAStore {
        location: location.to_owned(),
        message: message.into(),
    }
}

/// Looks at the file's first bytes, without opening it as a database: a file that is
/// not empty must be a SQLite database, with no application id or Regula's.
pub(crate) fn inspect_file(path: &Path, location: &str) -> Result<(), StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(location, e)),
    };
    if meta.is_dir() {
        return Err(not_a_store(location, "it is a directory"));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|e| io_error(location, e))?;
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return Err(not_a_store(location, "it is not a SQLite database"));
    }
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(not_a_store(
            location,
            format!("it is the SQLite database of another application (application_id {application_id:#010x})"),
        ));
    }
    Ok(())
}

fn io_error(location: &str, e: std::io::Error) -> StoreError {
    StoreError::Backend {
        backend: BACKEND,
        message: format!("{location}: {e}"),
        source: Some(Box::new(e)),
    }
}

/// The schema version of the database behind `conn` (0 for an empty database), read
/// without writing. Refuses a database of another application or of a newer schema.
fn found_version(conn: &Connection, location: &str) -> Result<i64, StoreError> {
    let application_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(backend)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(backend)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(backend)?;
    let from = if application_id == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                location: location.to_owned(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let marker: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'application'", [], |r| r.get(0))
            .optional()
            .unwrap_or(None);
        if version < 1 || marker.as_deref() != Some(MARKER) {
            return Err(not_a_store(
                location,
                format!("it carries Regula's application id but no Regula schema (user_version {version})"),
            ));
        }
        version
    } else if application_id == 0 && objects == 0 {
        0
    } else {
        return Err(not_a_store(
            location,
            format!("it is the SQLite database of another application ({objects} schema objects, no Regula marker)"),
        ));
    };
    Ok(from)
}

/// Checks, creates or migrates the schema in one `BEGIN IMMEDIATE` transaction, so two
/// processes opening a new file at once create it once. Refuses, writing nothing, a
/// database of another application or of a newer schema.
pub(crate) fn prepare(conn: &mut Connection, location: &str) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let from = found_version(&tx, location)?;
    if from == SCHEMA_VERSION {
        // Nothing to write: the transaction ends without a change.
        return tx.commit().map_err(backend);
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        tx.execute_batch(sql).map_err(backend)?;
        let to = i as i64 + 1;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [to.to_string()],
        )
        .map_err(backend)?;
        if to == 4 {
            reencode_entered_at(&tx)?;
        }
        tx.pragma_update(None, "user_version", to).map_err(backend)?;
    }
    if from == 0 {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('application', ?1), ('created_at', ?2), ('created_by', ?3)",
            params![
                MARKER,
                Utc::now().to_rfc3339(),
                concat!("regula-store-sqlite ", env!("CARGO_PKG_VERSION"))
            ],
        )
        .map_err(backend)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

/// Migration 3 → 4 copies each `entered_at` from a record's JSON, which writes times
/// as short as they can be (`…:03Z`); the store's columns hold nine fraction digits
/// (what appends write), so that every time column has one text form.
fn reencode_entered_at(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT instance, entered_at FROM instances")
            .map_err(backend)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)?
    };
    let mut update = tx
        .prepare("UPDATE instances SET entered_at = ?1 WHERE instance = ?2")
        .map_err(backend)?;
    for (instance, text) in rows {
        // A value that does not read is left for verify to report against the records.
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&text) {
            let canonical = crate::time_text(&t.with_timezone(&Utc));
            if canonical != text {
                update.execute(params![canonical, instance]).map_err(backend)?;
            }
        }
    }
    Ok(())
}

/// Checks, writing nothing, that the database is a Regula store this program reads,
/// and returns its schema version: for handles that must never create or migrate a
/// store. A store of schema 1 (before claims) is read as it is.
pub(crate) fn check_readable(conn: &Connection, location: &str) -> Result<i64, StoreError> {
    match found_version(conn, location)? {
        0 => Err(not_a_store(location, "it is an empty database, with no Regula schema")),
        found => Ok(found),
    }
}

/// Refuses, before opening anything, a file that does not exist or is empty: what a
/// handle that must never create a store needs.
pub(crate) fn require_file(path: &Path, location: &str) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_a_store(location, "the file does not exist")),
        Err(e) => Err(io_error(location, e)),
        Ok(m) if m.is_file() && m.len() == 0 => Err(not_a_store(location, "the file is empty (0 bytes)")),
        Ok(_) => inspect_file(path, location),
    }
}
