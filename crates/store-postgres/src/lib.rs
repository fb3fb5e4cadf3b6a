//! Regula's PostgreSQL [`Store`]: one audit log shared by several application servers.
//!
//! ```no_run
//! use regula_core::{InstanceFilter, Store};
//! use regula_store_postgres::{PostgresOptions, PostgresStore};
//!
//! // A libpq-style connection string from the embedding program's configuration.
//! let store = PostgresStore::connect("host=db.court.internal user=regula dbname=regula")?;
//! println!("{} records", store.tree_head()?.size);
//!
//! // Another schema of the same database: a separate store.
//! let archive = PostgresStore::connect_with(
//!     "host=db.court.internal user=regula dbname=regula",
//!     PostgresOptions { schema: "regula_archive".to_owned() },
//! )?;
//! assert!(archive.list(&InstanceFilter::definition("judgment-review"))?.len() < usize::MAX);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The store has the same guarantees as every Regula store (checked by the same
//! conformance suite): atomic appends and batches, a typed [`StoreError::Conflict`] for
//! a writer that lost a race, chain checks before writing, one global append order
//! with its Merkle tree head, snapshots, checkpoints.
//!
//! # Pointing Regula at your own PostgreSQL server
//!
//! - **Connection string.** [`PostgresStore::connect`] takes a libpq-style string
//!   (`host=… port=… user=… password=… dbname=…`) or a URL
//!   (`postgresql://user:password@host:port/dbname`), as the program's configuration
//!   gives it. Connections are made without TLS; for a server on another machine,
//!   connect through a TLS tunnel or connect yourself with a TLS connector and hand
//!   the client to [`PostgresStore::from_client`]. PostgreSQL 12 or newer.
//! - **Schema.** Everything lives in one schema, `regula` unless
//!   [`PostgresOptions::schema`] says otherwise (a lowercase SQL identifier). It is
//!   created and migrated on connect. Error messages name the host, port, database and
//!   schema, never the password.
//! - **Privileges.** The first connection needs `CREATE` on the database (to create the
//!   schema), or a database administrator creates the empty schema beforehand and
//!   grants it to the Regula role (`CREATE SCHEMA regula AUTHORIZATION regula_app`).
//!   Afterwards the role needs `USAGE` on the schema and `SELECT, INSERT, UPDATE` on its
//!   tables (`DELETE` is never used: the log only grows). Migrations to a newer schema
//!   version need the schema's owner.
//! - **Several servers.** Any number of application servers, processes and handles
//!   may share one database and schema. Each append takes a row lock on the single
//!   `log_head` row (`SELECT … FOR UPDATE`), so appends are serialized, their global
//!   positions are gapless and in commit order, and the Merkle compact range is updated
//!   in the same transaction as the records. Schema creation and migration run under a
//!   transaction-scoped advisory lock, so servers starting together do it once.
//! - **One round trip per append.** An append without claims is one call of a function
//!   of the schema, in the call's own transaction: `append_one` (scalar arguments) for
//!   an append of one record, the common case, `append_records` (arrays) for the rest.
//!   The client checks the records against the heads their first records imply (the
//!   sequence number expected, the `prev_hash`, the definition, the state `from`), and
//!   the function compares those with the stored heads under the `log_head` row lock;
//!   when one differs (another writer got there first, an instance migrating to a new
//!   definition version) the call raises an error that rolls it back, and the append
//!   runs again as a transaction of seven statements that reads the stored heads,
//!   which gives the exact answer (a conflict, an invalid append). The client cannot
//!   know when a stored instance entered its state: when the batch does not change the
//!   state, the function keeps the stored `entered_at`. The compact range is computed
//!   by the client from the one it last saw, and stored as it is when that is still the
//!   stored one (the function compares the bytes); otherwise the function hashes the
//!   leaves itself. `append_one` takes the lock and writes the log head with one
//!   conditional `UPDATE` when the client's range is current, and checks and writes a
//!   head with one `UPDATE` whose condition is the presumed head. The role needs
//!   `EXECUTE` on both functions (PostgreSQL grants it to everyone by default).
//! - **One connection per handle.** A [`PostgresStore`] is `Send + Sync` and holds one
//!   connection behind a mutex: open one handle per worker thread for parallelism. A
//!   handle made by [`connect`](PostgresStore::connect) reconnects when its connection
//!   was closed, and a read that failed because the connection died under it (a
//!   restarted server, a terminated backend) runs once more on the new connection, and
//!   so does an append whose connection broke before its commit was sent (nothing was
//!   written). See "Errors" below for a commit cut off in flight.
//!
//! # Errors: written, not written, or unknown
//!
//! - [`StoreError::Unavailable`] (**not written**), with its
//!   [`Unavailability`]: the server could not be
//!   reached (`Unreachable`), is out of connection slots (`TooManyConnections`,
//!   SQLSTATE 53300), is shutting down, starting or recovering (`ShuttingDown`,
//!   class 57P), or the connection broke before the commit was sent and could not be
//!   made again (`ConnectionLost`). The message names the host, port, database and
//!   schema.
//! - [`StoreError::OutcomeUnknown`] (**maybe written**): the connection broke, or the
//!   backend was terminated (a FATAL error), while the commit was in flight. Call
//!   [`retry_append`](regula_core::store::retry_append) with the same records: it
//!   appends them if absent and answers `AlreadyPresent` if they landed. No retry can
//!   store a record twice (`UNIQUE (instance, seq)`).
//! - Any other error: not written, as the variant says. [`StoreError::Backend`] is what
//!   the server refused for another reason (privileges, a broken schema).
//!
//! `tests/server_faults.rs` checks each with a server of its own: stopped with
//! `pg_ctl stop -m immediate` and restarted under eight writers (every acknowledged
//! append present once, each handle appending again), a backend terminated while its
//! COMMIT waits, a COMMIT whose reply a proxy withholds, and `max_connections` reached.
//!
//! # Schema
//!
//! | table | contents |
//! |---|---|
//! | `meta` | `application` = `regula-store`, `schema_version`, `created_at`, `created_by` |
//! | `records` | `position bigint` (global append order from 0, primary key), `instance uuid`, `seq bigint`, and `record json`: the record as its serde JSON text, byte for byte (`record->>'action'`); `UNIQUE (instance, seq)` |
//! | `instances` | the head of each instance: `definition`, `version`, `state`, `seq`, `last_hash`, `created_at`, `updated_at`, `first_position`, and since version 4 `entered_at` (when it entered its state) and `due_at` (its earliest pending deadline, NULL when none; `COLLATE "C"`); indexed by `(definition, first_position)` and `first_position`, never by `state`, so a head update is a heap-only update that writes no index; `instances_by_due` on `(due_at, instance) WHERE due_at IS NOT NULL` serves [`Store::due`], and a head whose `due_at` stays NULL (every head of a definition without deadlines) writes nothing to it |
//! | `log_head` | one row: the number of records and the Merkle compact range over them |
//! | `snapshots` | the latest snapshot of an instance, as JSON |
//! | function `append_records` (version 3; version 4 adds the presumed state, `entered_at` and `due_at`) | one append in one call: the head check, the records, the heads and the compact range, under the `log_head` row lock (below) |
//! | function `append_one` (version 5) | the same for an append of one record, with scalar arguments |
//! | `claims` (version 2) | keys unique across the store ([`Claim`]): `namespace text`, `key text` (together the primary key), the holder record's `instance uuid` and `seq bigint`; written in the append's transaction, under the `log_head` row lock (see [`Store::append_claiming`]); a store of version 1 gets it, empty, on connect |
//!
//! Times are RFC 3339 UTC text with nanoseconds (cast with `::timestamptz` to query),
//! fixed width, so that byte order is time order (a due time outside the years 0 to
//! 9999 is refused with [`StoreError::InvalidAppend`]); digests lowercase hex. Only
//! the `record` JSON is trusted by verification; the other columns serve queries, and
//! verification checks each of them against the JSON it copies
//! ([`Store::check_storage`], read in position order, never through the
//! `(instance, seq)` index; a head's `entered_at` against its records folded, its
//! `due_at` through the replayer, which knows the definition). PostgreSQL has no integrity check for free; an index that
//! lies shows when verification compares each load by instance with the full scan.
//!
//! # Bad input
//!
//! A schema that holds tables but no Regula marker fails with
//! [`StoreError::NotAStore`]; a schema written by a newer Regula with
//! [`StoreError::NewerSchema`]. Both are checked before anything is written.
//! [`PostgresStore::connect_existing`] never creates or migrates a schema: no store is
//! an error ([`StoreError::NotAStore`]), and so is a store of an older version
//! ([`StoreError::OlderSchema`]: it lacks what this version reads or calls), with
//! nothing written; connecting once for writing migrates it.
//!
//! # Migration
//!
//! A schema of an older version is migrated on connect, in one transaction under the
//! advisory lock, and its new version recorded in `meta`: version 1 gets the empty
//! `claims` table; version 2 loses the copied columns of `records` (PostgreSQL drops a
//! column without rewriting the table; the space returns as rows are rewritten) and the
//! two indexes on `instances.state`, and gets `append_records`; version 3 gets
//! `entered_at`, computed for every head from its records (read once, in
//! `(instance, seq)` order, by the rule of every append: the creation's time, then
//! each accepted record that changes the state), `due_at` NULL (no earlier release
//! could declare a deadline) and its index, and the new `append_records`; version 4
//! gets `append_one`, and no row changes.

mod schema;
mod storage;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Row, Statement};
use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::store::{
    BatchHead, StorageCheck, StoreProblem, Unavailability, check_batch, check_claims, check_snapshot,
};
use regula_core::{
    Append, AuditRecord, Checkpoint, Claim, ClaimHolder, DefinitionRef, Digest, InstanceFilter, InstanceHead, Snapshot,
    Store, StoreError, TreeHead,
};
use uuid::Uuid;

pub use schema::SCHEMA_VERSION;

const BACKEND: &str = "postgres";

/// The SQLSTATE `append_records` and `append_one` raise when a stored head is not the one presumed
/// (or the log head does not read as written): nothing was written, and the append
/// runs again on the locked path.
const PRESUMED_HEAD_DIFFERS: &str = "RG001";

/// How to use the database.
#[derive(Clone, Debug)]
pub struct PostgresOptions {
    /// The schema holding the store's tables: a lowercase SQL identifier
    /// (`[a-z_][a-z0-9_]*`, at most 63 bytes); `regula` by default.
    pub schema: String,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            schema: "regula".to_owned(),
        }
    }
}

/// A [`Store`] in a PostgreSQL schema (see the crate docs).
pub struct PostgresStore {
    inner: Mutex<Inner>,
    schema: String,
    location: String,
    /// The connection string, to reconnect; `None` for a client handed in.
    params: Option<String>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: Client,
    statements: Statements,
    /// Where the last sequential scan stopped: (records returned so far, last position).
    cursor: Option<(u64, i64)>,
    /// The compact range this handle last wrote or read back from an append: when it is
    /// still the stored one (the append function compares), the next range computed
    /// here is stored as it is and the server hashes nothing.
    range: Option<CompactRange>,
}

/// The statements every operation uses, prepared once per connection.
struct Statements {
    lock_log_head: Statement,
    read_log_head: Statement,
    update_log_head: Statement,
    read_head: Statement,
    read_heads: Statement,
    upsert_heads: Statement,
    insert_records: Statement,
    upsert_head: Statement,
    insert_record: Statement,
    /// The one-statement append (`append_records`, since schema 3).
    append_records: Statement,
    /// The one-statement append of a single record (`append_one`, since schema 5).
    append_one: Statement,
    max_seq: Statement,
    load_after: Statement,
    known: Statement,
    scan_after: Statement,
    scan_offset: Statement,
    put_snapshot: Statement,
    snapshot: Statement,
}

impl Statements {
    fn prepare(client: &mut Client, s: &str) -> Result<Self, postgres::Error> {
        Ok(Statements {
            append_records: client.prepare(&format!(
                "SELECT new_size, new_range FROM {s}.append_records($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
            ))?,
            append_one: client.prepare(&format!(
                "SELECT new_size, new_range FROM {s}.append_one($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12, $13, $14, $15, $16)"
            ))?,
            lock_log_head: client.prepare(&format!(
                "SELECT size, compact_range FROM {s}.log_head WHERE id = 1 FOR UPDATE"
            ))?,
            read_log_head: client.prepare(&format!("SELECT size, compact_range FROM {s}.log_head WHERE id = 1"))?,
            update_log_head: client.prepare(&format!(
                "UPDATE {s}.log_head SET size = $1, compact_range = $2 WHERE id = 1"
            ))?,
            read_head: client.prepare(&format!("SELECT {HEAD_COLUMNS} FROM {s}.instances WHERE instance = $1"))?,
            // A batch is written with one statement per table, whatever its size: the
            // rows travel as arrays and `unnest` turns them back into rows, in order.
            // Row by row, a 1,000-record batch cost 1,000 round trips to the server.
            read_heads: client.prepare(&format!(
                "SELECT {HEAD_COLUMNS} FROM {s}.instances WHERE instance = ANY($1::uuid[])"
            ))?,
            upsert_heads: client.prepare(&format!(
                "INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at, \
                 updated_at, entered_at, due_at, first_position) \
                 SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], \
                 $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[]) \
                 ON CONFLICT (instance) DO UPDATE SET {HEAD_UPDATE}"
            ))?,
            // One row (the common single append): scalar parameters, which the server
            // handles a little faster than one-element arrays.
            upsert_head: client.prepare(&format!(
                "INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at, \
                 updated_at, entered_at, due_at, first_position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (instance) DO UPDATE SET {HEAD_UPDATE}"
            ))?,
            insert_record: client.prepare(&format!(
                "INSERT INTO {s}.records (position, instance, seq, record) VALUES ($1, $2, $3, $4::text::json)"
            ))?,
            insert_records: client.prepare(&format!(
                "INSERT INTO {s}.records (position, instance, seq, record) \
                 SELECT p, i, q, r::json FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::text[]) \
                 AS t(p, i, q, r)"
            ))?,
            max_seq: client.prepare(&format!("SELECT max(seq) FROM {s}.records WHERE instance = $1"))?,
            load_after: client.prepare(&format!(
                "SELECT position, seq, record::text FROM {s}.records WHERE instance = $1 AND seq > $2 ORDER BY seq"
            ))?,
            known: client.prepare(&format!(
                "SELECT EXISTS (SELECT 1 FROM {s}.instances WHERE instance = $1) \
                 OR EXISTS (SELECT 1 FROM {s}.records WHERE instance = $1)"
            ))?,
            scan_after: client.prepare(&format!(
                "SELECT position, instance, seq, record::text FROM {s}.records WHERE position > $1 \
                 ORDER BY position LIMIT $2"
            ))?,
            scan_offset: client.prepare(&format!(
                "SELECT position, instance, seq, record::text FROM {s}.records ORDER BY position LIMIT $2 OFFSET $1"
            ))?,
            put_snapshot: client.prepare(&format!(
                "INSERT INTO {s}.snapshots (instance, seq, snapshot) VALUES ($1, $2, $3::text::json) \
                 ON CONFLICT (instance) DO UPDATE SET seq = excluded.seq, snapshot = excluded.snapshot"
            ))?,
            snapshot: client.prepare(&format!("SELECT snapshot::text FROM {s}.snapshots WHERE instance = $1"))?,
        })
    }
}

const HEAD_COLUMNS: &str =
    "instance, definition, version, state, seq, last_hash, created_at, updated_at, entered_at, due_at";

/// What an append changes in a stored head (the locked path, which knows every value).
const HEAD_UPDATE: &str = "version = excluded.version, state = excluded.state, seq = excluded.seq, \
    last_hash = excluded.last_hash, updated_at = excluded.updated_at, entered_at = excluded.entered_at, \
    due_at = excluded.due_at";

impl PostgresStore {
    /// Connects with a libpq-style connection string or URL and the default options
    /// (schema `regula`), creating or migrating the schema.
    pub fn connect(params: &str) -> Result<Self, StoreError> {
        PostgresStore::connect_with(params, PostgresOptions::default())
    }

    /// Connects with `options`.
    pub fn connect_with(params: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let quoted = schema::quoted(&options.schema)?;
        let location = describe(params, &options.schema);
        let client = Client::connect(params, NoTls).map_err(|e| connect_error(&location, e))?;
        let mut store = PostgresStore::build(client, options.schema, quoted, location)?;
        store.params = Some(params.to_owned());
        Ok(store)
    }

    /// Connects to an existing store with the default options, and never creates or
    /// migrates one: a schema holding no Regula store fails with
    /// [`StoreError::NotAStore`], one of an older schema version with
    /// [`StoreError::OlderSchema`] (a handle made by [`connect`](PostgresStore::connect)
    /// migrates it); nothing is written on connect. For commands that only read.
    pub fn connect_existing(params: &str) -> Result<Self, StoreError> {
        PostgresStore::connect_existing_with(params, PostgresOptions::default())
    }

    /// [`connect_existing`](PostgresStore::connect_existing) with `options`.
    pub fn connect_existing_with(params: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let quoted = schema::quoted(&options.schema)?;
        let location = describe(params, &options.schema);
        let mut client = Client::connect(params, NoTls).map_err(|e| connect_error(&location, e))?;
        schema::check_readable(&mut client, &options.schema, &quoted, &location)?;
        let mut store = PostgresStore::with_statements(client, quoted, location)?;
        store.params = Some(params.to_owned());
        Ok(store)
    }

    /// Uses a client the program connected itself (with TLS, for example). A handle
    /// made this way does not reconnect.
    pub fn from_client(client: Client, options: PostgresOptions) -> Result<Self, StoreError> {
        let quoted = schema::quoted(&options.schema)?;
        let location = format!("PostgreSQL schema {}", options.schema);
        PostgresStore::build(client, options.schema, quoted, location)
    }

    fn build(mut client: Client, schema: String, quoted: String, location: String) -> Result<Self, StoreError> {
        schema::prepare(&mut client, &schema, &quoted, &location)?;
        PostgresStore::with_statements(client, quoted, location)
    }

    /// A handle on a schema already checked (and created or migrated).
    fn with_statements(mut client: Client, quoted: String, location: String) -> Result<Self, StoreError> {
        let statements = Statements::prepare(&mut client, &quoted).map_err(|e| backend_at(&location, e))?;
        Ok(PostgresStore {
            inner: Mutex::new(Inner {
                client,
                statements,
                cursor: None,
                range: None,
            }),
            schema: quoted,
            location,
            params: None,
        })
    }

    /// Where the store is: host, port, database and schema (never the password).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// A checkpoint of the log as it is now, to save elsewhere.
    pub fn checkpoint(&self) -> Result<Checkpoint, StoreError> {
        Ok(Checkpoint::new(self.tree_head()?, Utc::now()))
    }

    /// The connection, reconnected first if it was closed and the handle knows how.
    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        // A panic while holding the lock drops any open transaction, which rolls it
        // back: the connection behind a poisoned lock is still usable.
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.client.is_closed() {
            self.reconnect(&mut inner)?;
        }
        Ok(inner)
    }

    /// Replaces a closed connection with a new one, if the handle knows how to connect.
    fn reconnect(&self, inner: &mut Inner) -> Result<(), StoreError> {
        let Some(params) = &self.params else {
            return Ok(());
        };
        let mut client = Client::connect(params, NoTls).map_err(|e| connect_error(&self.location, e))?;
        let statements =
            Statements::prepare(&mut client, &self.schema).map_err(|e| statement_error(&self.location, e))?;
        *inner = Inner {
            client,
            statements,
            cursor: None,
            range: None,
        };
        Ok(())
    }

    /// Runs a read, and runs it once more on a new connection if it failed because the
    /// connection died under it (a restarted server, a terminated backend, a dropped
    /// network link): a client only learns that its connection is gone when it next
    /// uses it, so without this the first read after every such event would fail. A
    /// read changes nothing, so running it twice is harmless; appends are never retried
    /// here, since their outcome is unknown when the connection breaks during commit.
    fn read<T>(&self, mut op: impl FnMut(&mut Inner) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut inner = self.lock()?;
        match self.located(op(&mut inner)) {
            Err(StoreError::Unavailable {
                cause: Unavailability::ConnectionLost,
                ..
            }) if self.params.is_some() => {
                self.reconnect(&mut inner)?;
                self.located(op(&mut inner))
            }
            other => other,
        }
    }

    /// Classifies a failed operation's error ([`statement_error`]) and names the store
    /// in it: the operations map PostgreSQL's errors with [`backend`], which knows
    /// neither.
    fn located<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        result.map_err(|e| match e {
            StoreError::Backend {
                source: Some(source), ..
            } if source.is::<postgres::Error>() => match source.downcast::<postgres::Error>() {
                Ok(pg) => statement_error(&self.location, *pg),
                Err(source) => StoreError::Backend {
                    backend: BACKEND,
                    message: source.to_string(),
                    source: Some(source),
                },
            },
            StoreError::OutcomeUnknown {
                backend,
                location,
                message,
                source,
            } if location.is_empty() => StoreError::OutcomeUnknown {
                backend,
                location: self.location.clone(),
                message,
                source,
            },
            other => other,
        })
    }
}

/// The connection parameters `params` (a `key=value` string or a `postgres://` URI)
/// naming the database `db` instead of theirs: for a program that keeps one database
/// per court, or a test that makes a database of its own.
pub fn with_database(params: &str, db: &str) -> String {
    let params = params.trim();
    if let Some(scheme_end) = params.find("://") {
        let (base, query) = match params.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (params, None),
        };
        let host_start = scheme_end + 3;
        let base = match base[host_start..].find('/') {
            Some(slash) => &base[..host_start + slash],
            None => base,
        };
        return match query {
            Some(q) => format!("{base}/{db}?{q}"),
            None => format!("{base}/{db}"),
        };
    }
    let mut parts: Vec<String> = params
        .split_whitespace()
        .filter(|p| !p.starts_with("dbname="))
        .map(str::to_owned)
        .collect();
    parts.push(format!("dbname={db}"));
    parts.join(" ")
}

/// "PostgreSQL host:port/dbname, schema s", without the password.
fn describe(params: &str, schema: &str) -> String {
    match params.parse::<postgres::Config>() {
        Ok(config) => {
            let hosts: Vec<String> = config
                .get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .collect();
            let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
            format!(
                "PostgreSQL {}{}{}, database {}, schema {schema}",
                if hosts.is_empty() {
                    "localhost".to_owned()
                } else {
                    hosts.join(",")
                },
                if ports.is_empty() { "" } else { ":" },
                ports.join(","),
                config.get_dbname().or(config.get_user()).unwrap_or("(default)"),
            )
        }
        Err(_) => format!("PostgreSQL (unparsable connection string), schema {schema}"),
    }
}

/// True when `e` ended the connection: it broke (I/O, closed) or the server sent a
/// FATAL error (a terminated backend, a server shutting down) and hung up.
fn connection_ended(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        Some(db) => matches!(db.severity(), "FATAL" | "PANIC"),
        None => {
            e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
        }
    }
}

/// The error of a new connection to the server at `location`, classified: a server
/// that is unreachable, full or shutting down is [`StoreError::Unavailable`] with its
/// cause, anything else (bad credentials, no such database) [`StoreError::Backend`].
fn connect_error(location: &str, e: postgres::Error) -> StoreError {
    let cause = match e.code() {
        Some(c) if *c == SqlState::TOO_MANY_CONNECTIONS => Some(Unavailability::TooManyConnections),
        Some(c)
            if *c == SqlState::CANNOT_CONNECT_NOW
                || *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN =>
        {
            Some(Unavailability::ShuttingDown)
        }
        None if connection_ended(&e) => Some(Unavailability::Unreachable),
        _ => None,
    };
    match cause {
        Some(cause) => unavailable(location, cause, e),
        None => backend_at(location, e),
    }
}

/// The error of a statement of an open connection, classified: a connection that ended
/// before the commit was sent is [`Unavailability::ConnectionLost`] (nothing written);
/// a server out of disk or read-only says so; anything else is [`StoreError::Backend`].
fn statement_error(location: &str, e: postgres::Error) -> StoreError {
    let cause = match e.code() {
        Some(c) if *c == SqlState::DISK_FULL => Some(Unavailability::DiskFull),
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => Some(Unavailability::ReadOnly),
        Some(c) if *c == SqlState::TOO_MANY_CONNECTIONS => Some(Unavailability::TooManyConnections),
        _ if connection_ended(&e) => Some(Unavailability::ConnectionLost),
        _ => None,
    };
    match cause {
        Some(cause) => unavailable(location, cause, e),
        None => backend_at(location, e),
    }
}

fn unavailable(location: &str, cause: Unavailability, e: postgres::Error) -> StoreError {
    StoreError::Unavailable {
        backend: BACKEND,
        location: location.to_owned(),
        cause,
        message: error_text(&e),
        source: Some(Box::new(e)),
    }
}

/// The error of the statement that commits an append. The server answering with an
/// ERROR means it rolled back (not written); the connection ending instead (broken,
/// or a FATAL from a terminated or crashing backend) leaves the commit's outcome
/// unknown: it may have been made durable just before. The location is filled in by
/// [`PostgresStore::located`].
fn commit_error(e: postgres::Error) -> StoreError {
    if connection_ended(&e) {
        StoreError::OutcomeUnknown {
            backend: BACKEND,
            location: String::new(),
            message: error_text(&e),
            source: Some(Box::new(e)),
        }
    } else {
        backend(e)
    }
}

fn backend_at(location: &str, e: postgres::Error) -> StoreError {
    StoreError::Backend {
        backend: BACKEND,
        message: format!("{location}: {}", error_text(&e)),
        source: Some(Box::new(e)),
    }
}

fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend {
        backend: BACKEND,
        message: error_text(&e),
        source: Some(Box::new(e)),
    }
}

fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn corrupt(place: impl Into<String>, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        place: place.into(),
        message: message.to_string(),
    }
}

pub(crate) use regula_core::store::columns::{due_bound, due_text, time_text};

/// The entry time the one-statement append presumes for an instance it extends: it does
/// not know the stored one, and a head still holding it after the batch did not change
/// state, so the stored `entered_at` is kept.
const UNKNOWN_ENTRY: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;

fn parse_time(place: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(place, format!("bad time {text:?}: {e}")))
}

fn to_i64(instance: Uuid, seq: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::InvalidAppend {
        instance,
        seq,
        reason: format!("{what} {seq} does not fit the store's bigint column"),
    })
}

fn from_i64(place: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(place, format!("negative number {value}")))
}

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, index: usize, place: &str) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| corrupt(place, e))
}

fn parse_record(position: i64, instance: &Uuid, seq: i64, json: &str) -> Result<AuditRecord, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        corrupt(
            format!("records position {position} (instance {instance}, record {seq})"),
            format!("the record JSON does not read back: {e}"),
        )
    })
}

fn head_from_row(row: &Row) -> Result<InstanceHead, StoreError> {
    let id: Uuid = get(row, 0, "instances")?;
    let place = format!("instances row {id}");
    let version: i64 = get(row, 2, &place)?;
    let seq: i64 = get(row, 4, &place)?;
    let last_hash: &str = get(row, 5, &place)?;
    Ok(InstanceHead {
        instance: id,
        definition: DefinitionRef {
            name: get::<String>(row, 1, &place)?.into(),
            version: u32::try_from(version).map_err(|e| corrupt(&place, e))?,
        },
        state: get(row, 3, &place)?,
        seq: from_i64(&place, seq)?,
        last_hash: Digest::from_hex(last_hash).map_err(|e| corrupt(&place, e))?,
        created_at: parse_time(&place, get(row, 6, &place)?)?,
        updated_at: parse_time(&place, get(row, 7, &place)?)?,
        entered_at: parse_time(&place, get(row, 8, &place)?)?,
        due_at: get::<Option<&str>>(row, 9, &place)?
            .map(|t| parse_time(&place, t))
            .transpose()?,
    })
}

fn range_from_row(row: &Row) -> Result<CompactRange, StoreError> {
    let size: i64 = get(row, 0, "log_head")?;
    let bytes: &[u8] = get(row, 1, "log_head")?;
    CompactRange::from_parts(from_i64("log_head", size)?, bytes).map_err(|e| corrupt("log_head", e))
}

fn tree_head_of(range: &CompactRange) -> TreeHead {
    TreeHead {
        size: range.size(),
        root: range.root(),
    }
}

fn records_from_rows(rows: &[Row], instance_column: Option<usize>) -> Result<Vec<AuditRecord>, StoreError> {
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let position: i64 = get(row, 0, "records")?;
        let place = format!("records position {position}");
        let (instance, seq, json) = match instance_column {
            Some(i) => (
                get::<Uuid>(row, i, &place)?,
                get::<i64>(row, i + 1, &place)?,
                get::<&str>(row, i + 2, &place)?,
            ),
            None => (Uuid::nil(), get::<i64>(row, 1, &place)?, get::<&str>(row, 2, &place)?),
        };
        records.push(parse_record(position, &instance, seq, json)?);
    }
    Ok(records)
}

/// Why an append transaction failed.
enum Failure {
    /// A store error to report as it is.
    Store(StoreError),
    /// The unique key on (instance, seq) refused a record: another writer got there
    /// first.
    Unique,
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// The heads of a batch as columns, for one `unnest` upsert.
#[derive(Default)]
struct HeadColumns<'a> {
    instance: Vec<Uuid>,
    definition: Vec<&'a str>,
    version: Vec<i64>,
    state: Vec<&'a str>,
    seq: Vec<i64>,
    last_hash: Vec<String>,
    created_at: Vec<String>,
    updated_at: Vec<String>,
    /// Empty (on the one-statement path only) for "the stored one".
    entered_at: Vec<String>,
    due_at: Vec<Option<String>>,
    first_position: Vec<i64>,
}

impl PostgresStore {
    fn append_locked(
        inner: &mut Inner,
        schema: &str,
        batch: &[Append<'_>],
        claims: &[Claim],
    ) -> Result<TreeHead, Failure> {
        let Inner {
            client,
            statements,
            range: cached,
            ..
        } = inner;
        let mut tx = client.transaction().map_err(backend)?;
        // The row lock on log_head serializes appenders: positions are handed out in
        // commit order, and the heads read below are the latest committed.
        let row = tx.query_one(&statements.lock_log_head, &[]).map_err(backend)?;
        let mut range = range_from_row(&row)?;
        // Every head the batch touches, in one query.
        let mut wanted: Vec<Uuid> = batch.iter().map(|a| a.instance).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut stored: HashMap<Uuid, InstanceHead> = HashMap::with_capacity(wanted.len());
        let rows = match wanted.as_slice() {
            [one] => tx.query(&statements.read_head, &[one]),
            _ => tx.query(&statements.read_heads, &[&wanted]),
        }
        .map_err(backend)?;
        for row in rows {
            let head = head_from_row(&row)?;
            stored.insert(head.instance, head);
        }
        let checked = check_batch(batch, |id| Ok(stored.remove(&id)))?;
        for h in &checked {
            to_i64(h.head.instance, h.head.seq, "sequence number")?;
        }
        if !claims.is_empty() {
            // Under the log_head row lock every appender is serialized, so what this
            // reads is current; the primary key is the last word all the same.
            let mut holders: HashMap<Uuid, Option<InstanceHead>> = HashMap::new();
            let mut held: HashMap<(&str, &str), Option<ClaimHolder>> = HashMap::new();
            for c in claims {
                if let std::collections::hash_map::Entry::Vacant(e) = holders.entry(c.holder.instance) {
                    let head = tx
                        .query_opt(&statements.read_head, &[&c.holder.instance])
                        .map_err(backend)?
                        .map(|row| head_from_row(&row))
                        .transpose()?;
                    e.insert(head);
                }
                if let std::collections::hash_map::Entry::Vacant(e) = held.entry((&c.namespace, &c.key)) {
                    e.insert(read_claim(&mut tx, schema, &c.namespace, &c.key)?);
                }
            }
            let new = check_claims(
                &checked,
                claims,
                |id| Ok(holders.get(&id).cloned().flatten()),
                |ns, key| Ok(held.get(&(ns, key)).copied().flatten()),
            )?;
            let insert = format!(
                "INSERT INTO {schema}.claims (namespace, key, instance, seq) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (namespace, key) DO NOTHING"
            );
            for c in new {
                let seq = to_i64(c.holder.instance, c.holder.seq, "sequence number")?;
                let written = tx
                    .execute(&insert, &[&c.namespace, &c.key, &c.holder.instance, &seq])
                    .map_err(backend)?;
                if written == 0 {
                    let holder = read_claim(&mut tx, schema, &c.namespace, &c.key)?.unwrap_or(c.holder);
                    return Err(StoreError::Claimed {
                        namespace: c.namespace.clone(),
                        key: c.key.clone(),
                        holder,
                        claimant: c.holder,
                    }
                    .into());
                }
            }
        }
        let base = range.size();
        let count: usize = batch.iter().map(|a| a.records.len()).sum();
        let mut positions = Vec::with_capacity(count);
        let mut instances = Vec::with_capacity(count);
        let mut seqs = Vec::with_capacity(count);
        let mut jsons = Vec::with_capacity(count);
        for a in batch {
            for r in a.records {
                let position = to_i64(a.instance, range.size(), "position")?;
                jsons.push(r.to_json());
                positions.push(position);
                instances.push(a.instance);
                seqs.push(to_i64(a.instance, r.seq, "sequence number")?);
                range.push(record_leaf(r));
            }
        }
        if count > 0 {
            let result = if count == 1 {
                tx.execute(
                    &statements.insert_record,
                    &[&positions[0], &instances[0], &seqs[0], &jsons[0]],
                )
            } else {
                tx.execute(&statements.insert_records, &[&positions, &instances, &seqs, &jsons])
            };
            if let Err(e) = result {
                if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                    return Err(Failure::Unique);
                }
                return Err(backend(e).into());
            }
        }
        let mut heads = HeadColumns::default();
        for BatchHead { head, first_record, .. } in &checked {
            heads.instance.push(head.instance);
            heads.definition.push(head.definition.name.as_str());
            heads.version.push(i64::from(head.definition.version));
            heads.state.push(head.state.as_str());
            heads.seq.push(to_i64(head.instance, head.seq, "sequence number")?);
            heads.last_hash.push(head.last_hash.to_hex());
            heads.created_at.push(time_text(&head.created_at));
            heads.updated_at.push(time_text(&head.updated_at));
            heads.entered_at.push(time_text(&head.entered_at));
            heads.due_at.push(due_text(head)?);
            heads
                .first_position
                .push(to_i64(head.instance, base + first_record, "position")?);
        }
        if heads.instance.len() == 1 {
            tx.execute(
                &statements.upsert_head,
                &[
                    &heads.instance[0],
                    &heads.definition[0],
                    &heads.version[0],
                    &heads.state[0],
                    &heads.seq[0],
                    &heads.last_hash[0],
                    &heads.created_at[0],
                    &heads.updated_at[0],
                    &heads.entered_at[0],
                    &heads.due_at[0],
                    &heads.first_position[0],
                ],
            )
            .map_err(backend)?;
        } else if !heads.instance.is_empty() {
            tx.execute(
                &statements.upsert_heads,
                &[
                    &heads.instance,
                    &heads.definition,
                    &heads.version,
                    &heads.state,
                    &heads.seq,
                    &heads.last_hash,
                    &heads.created_at,
                    &heads.updated_at,
                    &heads.entered_at,
                    &heads.due_at,
                    &heads.first_position,
                ],
            )
            .map_err(backend)?;
        }
        if range.size() != base {
            let size = i64::try_from(range.size()).map_err(|e| corrupt("log_head", e))?;
            tx.execute(&statements.update_log_head, &[&size, &range.to_bytes()])
                .map_err(backend)?;
        }
        tx.commit().map_err(commit_error)?;
        let head = tree_head_of(&range);
        *cached = Some(range);
        Ok(head)
    }
}

/// The columns of the one-statement append (`append_records`).
#[derive(Default)]
struct FastColumns<'a> {
    expected_instance: Vec<Uuid>,
    expected_seq: Vec<i64>,
    expected_hash: Vec<String>,
    expected_definition: Vec<&'a str>,
    expected_version: Vec<i64>,
    expected_state: Vec<&'a str>,
    record_instance: Vec<Uuid>,
    record_seq: Vec<i64>,
    record_json: Vec<String>,
    leaves: Vec<u8>,
}

impl PostgresStore {
    /// Appends `batch` in one round trip, or returns `None` when it cannot: the batch
    /// has an instance whose head its records do not tell, a check failed against
    /// those presumed heads, or the server found a stored head other than presumed.
    /// Nothing is written then, and the caller runs the locked path, which reads the
    /// stored heads and gives the exact answer (a conflict, an invalid append).
    ///
    /// The head of an instance a batch extends is presumed from its first record: the
    /// sequence number the append expects, the record's `prev_hash` as the last hash,
    /// its definition; a new instance (expected 0) has none. Those are all
    /// [`check_batch`] reads of a head, and the server function compares them with the
    /// stored head under the `log_head` row lock before writing anything, so a batch
    /// written here is one the locked path would have written, row for row.
    fn append_fast(inner: &mut Inner, batch: &[Append<'_>]) -> Result<Option<TreeHead>, Failure> {
        let Inner {
            client,
            statements,
            range: cached,
            ..
        } = inner;
        let statement = &statements.append_records;
        let count: usize = batch.iter().map(|a| a.records.len()).sum();
        if count == 0 {
            return Ok(None);
        }
        if let [a @ Append { records: [r], .. }] = batch {
            return append_one(client, &statements.append_one, cached, a, r);
        }
        let mut columns = FastColumns::default();
        let mut presumed: HashMap<Uuid, Option<InstanceHead>> = HashMap::with_capacity(batch.len());
        for a in batch {
            if presumed.contains_key(&a.instance) {
                continue;
            }
            let Some(head) = presumed_head(a) else {
                return Ok(None);
            };
            columns.expected_instance.push(a.instance);
            columns
                .expected_seq
                .push(to_i64(a.instance, a.expected_seq, "sequence number")?);
            columns
                .expected_hash
                .push(head.as_ref().map(|h| h.last_hash.to_hex()).unwrap_or_default());
            columns
                .expected_definition
                .push(a.records.first().map_or("", |r| r.definition.name.as_str()));
            columns
                .expected_version
                .push(a.records.first().map_or(0, |r| i64::from(r.definition.version)));
            columns
                .expected_state
                .push(a.records.first().map_or("", |r| r.from.as_str()));
            presumed.insert(a.instance, head);
        }
        // A record dated at the placeholder would be taken for "not moved".
        if batch.iter().any(|a| a.records.iter().any(|r| r.at == UNKNOWN_ENTRY)) {
            return Ok(None);
        }
        let Ok(checked) = check_batch(batch, |id| Ok(presumed.get(&id).cloned().flatten())) else {
            return Ok(None);
        };
        let mut next = cached.clone();
        for a in batch {
            for r in a.records {
                columns.record_instance.push(a.instance);
                columns.record_seq.push(to_i64(a.instance, r.seq, "sequence number")?);
                columns.record_json.push(r.to_json());
                let leaf = record_leaf(r);
                columns.leaves.extend_from_slice(&leaf.0);
                if let Some(next) = &mut next {
                    next.push(leaf);
                }
            }
        }
        let mut heads = HeadColumns::default();
        let mut first_records = Vec::with_capacity(checked.len());
        for BatchHead { head, first_record, .. } in &checked {
            heads.instance.push(head.instance);
            heads.definition.push(head.definition.name.as_str());
            heads.version.push(i64::from(head.definition.version));
            heads.state.push(head.state.as_str());
            heads.seq.push(to_i64(head.instance, head.seq, "sequence number")?);
            heads.last_hash.push(head.last_hash.to_hex());
            heads.created_at.push(time_text(&head.created_at));
            heads.updated_at.push(time_text(&head.updated_at));
            heads.entered_at.push(if head.entered_at == UNKNOWN_ENTRY {
                String::new()
            } else {
                time_text(&head.entered_at)
            });
            heads.due_at.push(due_text(head)?);
            first_records.push(to_i64(head.instance, *first_record, "position")?);
        }
        let (cached_size, cached_bytes, next_bytes) = match (&*cached, &next) {
            (Some(old), Some(next)) => (i64::try_from(old.size()).unwrap_or(-1), old.to_bytes(), next.to_bytes()),
            _ => (-1, Vec::new(), Vec::new()),
        };
        let result = client.query_one(
            statement,
            &[
                &columns.expected_instance,
                &columns.expected_seq,
                &columns.expected_hash,
                &columns.expected_definition,
                &columns.expected_version,
                &columns.expected_state,
                &heads.instance,
                &heads.definition,
                &heads.version,
                &heads.state,
                &heads.seq,
                &heads.last_hash,
                &heads.created_at,
                &heads.updated_at,
                &heads.entered_at,
                &heads.due_at,
                &first_records,
                &columns.record_instance,
                &columns.record_seq,
                &columns.record_json,
                &columns.leaves,
                &cached_size,
                &cached_bytes,
                &next_bytes,
            ],
        );
        fast_outcome(result, cached)
    }
}

/// The head an append presumes its instance has, from its first record (see
/// [`PostgresStore::append_fast`]): `Some(None)` for a new instance, `None` when the
/// append has no record to tell.
fn presumed_head(a: &Append<'_>) -> Option<Option<InstanceHead>> {
    if a.expected_seq == 0 {
        return Some(None);
    }
    let first = a.records.first()?;
    Some(Some(InstanceHead {
        instance: a.instance,
        definition: first.definition.clone(),
        state: first.from.to_string(),
        seq: a.expected_seq,
        last_hash: first.prev_hash,
        created_at: first.at,
        updated_at: first.at,
        entered_at: UNKNOWN_ENTRY,
        due_at: None,
    }))
}

/// [`PostgresStore::append_fast`] for a batch of one record, through `append_one`
/// (schema 5): the same checks, with scalar arguments. The presumed head is the
/// record's: its definition, `from` state and `prev_hash`, and `seq - 1`.
fn append_one(
    client: &mut Client,
    statement: &Statement,
    cached: &mut Option<CompactRange>,
    a: &Append<'_>,
    r: &AuditRecord,
) -> Result<Option<TreeHead>, Failure> {
    // A record dated at the placeholder would be taken for "not moved".
    if r.at == UNKNOWN_ENTRY {
        return Ok(None);
    }
    let Some(mut presumed) = presumed_head(a) else {
        return Ok(None);
    };
    // Asked once, for the one instance.
    let Ok(checked) = check_batch(std::slice::from_ref(a), |_| Ok(presumed.take())) else {
        return Ok(None);
    };
    let [BatchHead { head, .. }] = checked.as_slice() else {
        return Ok(None);
    };
    let leaf = record_leaf(r);
    let (cached_size, cached_bytes, next_bytes) = match &*cached {
        Some(old) => {
            let mut next = old.clone();
            next.push(leaf);
            (i64::try_from(old.size()).unwrap_or(-1), old.to_bytes(), next.to_bytes())
        }
        None => (-1, Vec::new(), Vec::new()),
    };
    let entered_at = if head.entered_at == UNKNOWN_ENTRY {
        String::new()
    } else {
        time_text(&head.entered_at)
    };
    let result = client.query_one(
        statement,
        &[
            &a.instance,
            &to_i64(a.instance, r.seq, "sequence number")?,
            &r.prev_hash.to_hex(),
            &r.definition.name.as_str(),
            &i64::from(r.definition.version),
            &r.from.as_str(),
            &head.state.as_str(),
            &head.last_hash.to_hex(),
            &time_text(&r.at),
            &entered_at,
            &due_text(head)?,
            &r.to_json(),
            &leaf.0.as_slice(),
            &cached_size,
            &cached_bytes,
            &next_bytes,
        ],
    );
    fast_outcome(result, cached)
}

/// What a one-statement append's reply means: the new tree head (kept as the handle's
/// compact range), `None` when the server found a head other than presumed (nothing
/// written; the locked path gives the answer), or the error.
fn fast_outcome(
    result: Result<Row, postgres::Error>,
    cached: &mut Option<CompactRange>,
) -> Result<Option<TreeHead>, Failure> {
    let row = match result {
        Ok(row) => row,
        Err(e) if e.code().map(SqlState::code) == Some(PRESUMED_HEAD_DIFFERS) => {
            *cached = None;
            return Ok(None);
        }
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Err(Failure::Unique),
        // The one statement is the append's commit: a connection that ends while it
        // is in flight leaves the outcome unknown, as a broken COMMIT does.
        Err(e) => {
            *cached = None;
            return Err(commit_error(e).into());
        }
    };
    let size: i64 = get(&row, 0, "log_head")?;
    let bytes: &[u8] = get(&row, 1, "log_head")?;
    let range = CompactRange::from_parts(from_i64("log_head", size)?, bytes).map_err(|e| corrupt("log_head", e))?;
    let head = tree_head_of(&range);
    *cached = Some(range);
    Ok(Some(head))
}

/// The query of [`Store::due`]: `$1` is the bound ([`due_bound`]), then the filter's
/// definition and state, those it has. The partial index (`WHERE due_at IS NOT NULL`)
/// applies because `<` is strict; writing `IS NOT NULL` out as well would make the
/// planner count that selectivity twice and misjudge the rows.
fn due_sql(schema: &str, filter: &InstanceFilter) -> String {
    let mut sql = format!("SELECT {HEAD_COLUMNS} FROM {schema}.instances WHERE due_at < $1");
    let mut n = 1;
    if filter.definition.is_some() {
        n += 1;
        sql.push_str(&format!(" AND definition = ${n}"));
    }
    if filter.state.is_some() {
        n += 1;
        sql.push_str(&format!(" AND state = ${n}"));
    }
    sql.push_str(" ORDER BY due_at, instance");
    sql
}

/// The holder of a claim, read on `client` (a transaction or not).
fn read_claim(
    client: &mut impl postgres::GenericClient,
    schema: &str,
    namespace: &str,
    key: &str,
) -> Result<Option<ClaimHolder>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT instance, seq FROM {schema}.claims WHERE namespace = $1 AND key = $2"),
            &[&namespace, &key],
        )
        .map_err(backend)?;
    row.map(|row| {
        let place = format!("claims row ({namespace}, {key})");
        Ok(ClaimHolder {
            instance: get(&row, 0, "claims")?,
            seq: from_i64(&place, get(&row, 1, "claims")?)?,
        })
    })
    .transpose()
}

impl PostgresStore {
    /// One attempt at an append, its errors not yet classified ([`PostgresStore::located`]).
    fn append_once(&self, inner: &mut Inner, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        // Claims are rare and need reads of their own: they take the locked path.
        let fast = if claims.is_empty() {
            PostgresStore::append_fast(inner, batch)
        } else {
            Ok(None)
        };
        let result = match fast {
            Ok(Some(head)) => Ok(head),
            Ok(None) => PostgresStore::append_locked(inner, &self.schema, batch, claims),
            Err(e) => Err(e),
        };
        match result {
            Ok(head) => Ok(head),
            Err(Failure::Store(e)) => Err(e),
            // Only a writer outside this library's locking can trip the unique key:
            // the batch was written with one statement, so find the first instance
            // whose log moved on, from what the store holds now that the transaction
            // rolled back.
            Err(Failure::Unique) => {
                let Inner { client, statements, .. } = &mut *inner;
                let mut conflict = None;
                let mut seen = std::collections::HashSet::new();
                // An instance's first append in the batch is the one that continues
                // what the store held.
                for a in batch.iter().filter(|a| seen.insert(a.instance)) {
                    let actual = client
                        .query_one(&statements.max_seq, &[&a.instance])
                        .ok()
                        .and_then(|row| row.get::<_, Option<i64>>(0))
                        .and_then(|a| u64::try_from(a).ok())
                        .unwrap_or(0);
                    if actual != a.expected_seq {
                        conflict = Some((a.instance, a.expected_seq, actual));
                        break;
                    }
                }
                let (instance, expected_seq, actual_seq) = conflict.unwrap_or_else(|| {
                    let first = batch.first().map_or((Uuid::nil(), 0), |a| (a.instance, a.expected_seq));
                    (first.0, first.1, first.1 + 1)
                });
                Err(StoreError::Conflict {
                    instance,
                    expected_seq,
                    actual_seq,
                })
            }
        }
    }
}

impl Store for PostgresStore {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        self.append_claiming(batch, &[])
    }

    fn claim(&self, namespace: &str, key: &str) -> Result<Option<ClaimHolder>, StoreError> {
        self.read(|inner| read_claim(&mut inner.client, &self.schema, namespace, key))
    }

    fn claims(&self, namespace: &str) -> Result<Vec<Claim>, StoreError> {
        let sql = format!(
            "SELECT key, instance, seq FROM {}.claims WHERE namespace = $1 ORDER BY key",
            self.schema
        );
        let rows = self.read(|inner| inner.client.query(&sql, &[&namespace]).map_err(backend))?;
        rows.iter()
            .map(|row| {
                let key: String = get(row, 0, "claims")?;
                let seq: i64 = get(row, 2, "claims")?;
                Ok(Claim {
                    namespace: namespace.to_owned(),
                    holder: ClaimHolder {
                        instance: get(row, 1, "claims")?,
                        seq: from_i64(&format!("claims row ({namespace}, {key})"), seq)?,
                    },
                    key,
                })
            })
            .collect()
    }

    fn append_claiming(&self, batch: &[Append<'_>], claims: &[Claim]) -> Result<TreeHead, StoreError> {
        let mut inner = self.lock()?;
        match self.located(self.append_once(&mut inner, batch, claims)) {
            // The connection broke before the commit was sent, so nothing was written:
            // on a new connection the append is a first attempt again. (A client only
            // learns that a restarted server closed its connection when it next uses it.)
            Err(e) if e.unavailable() == Some(Unavailability::ConnectionLost) && self.params.is_some() => {
                self.reconnect(&mut inner)?;
                match self.located(self.append_once(&mut inner, batch, claims)) {
                    // Only a failure before the commit counts as ConnectionLost, so the
                    // first attempt cannot have landed; should a statement that commits
                    // ever be classified so, its records would be found here, and the
                    // append reported as done rather than as a conflict with itself.
                    Err(e @ (StoreError::Conflict { .. } | StoreError::InvalidAppend { .. })) => {
                        drop(inner);
                        if regula_core::store::holds(self, batch)? {
                            self.tree_head()
                        } else {
                            Err(e)
                        }
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(|inner| {
            let Inner { client, statements, .. } = inner;
            let rows = client
                .query(&statements.load_after, &[&instance, &after])
                .map_err(backend)?;
            let mut records = Vec::with_capacity(rows.len());
            for row in &rows {
                let position: i64 = get(row, 0, "records")?;
                let seq: i64 = get(row, 1, "records")?;
                let json: &str = get(row, 2, "records")?;
                records.push(parse_record(position, &instance, seq, json)?);
            }
            if records.is_empty() {
                let known: bool = client
                    .query_one(&statements.known, &[&instance])
                    .map_err(backend)?
                    .try_get(0)
                    .map_err(backend)?;
                if !known {
                    return Err(StoreError::NotFound { instance });
                }
            }
            Ok(records)
        })
    }

    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        self.read(|inner| {
            let Inner { client, statements, .. } = inner;
            match client.query_opt(&statements.read_head, &[&instance]).map_err(backend)? {
                Some(row) => head_from_row(&row),
                None => Err(StoreError::NotFound { instance }),
            }
        })
    }

    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        let mut sql = format!("SELECT {HEAD_COLUMNS} FROM {}.instances", self.schema);
        let mut args: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
        if let Some(d) = &filter.definition {
            args.push(d);
            sql.push_str(" WHERE definition = $1");
        }
        if let Some(s) = &filter.state {
            args.push(s);
            sql.push_str(if args.len() == 1 { " WHERE" } else { " AND" });
            sql.push_str(&format!(" state = ${}", args.len()));
        }
        sql.push_str(" ORDER BY first_position");
        let rows = self.read(|inner| inner.client.query(&sql, &args).map_err(backend))?;
        rows.iter().map(head_from_row).collect()
    }

    /// One query, served by the partial index on `due_at` (`instances_by_due`, which
    /// also gives the order), with the filter's definition and state tested in SQL.
    fn due(&self, before: DateTime<Utc>, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        let sql = due_sql(&self.schema, filter);
        let bound = due_bound(&before);
        let mut args: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&bound];
        if let Some(d) = &filter.definition {
            args.push(d);
        }
        if let Some(s) = &filter.state {
            args.push(s);
        }
        let rows = self.read(|inner| inner.client.query(&sql, &args).map_err(backend))?;
        rows.iter().map(head_from_row).collect()
    }

    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|inner| {
            // Positions are gapless unless rows were deleted behind the store's back, so
            // `from` counts records, not position values: a sequential scan continues after
            // the last position it returned, and any other start skips `from` rows.
            let cursor = inner.cursor;
            let Inner { client, statements, .. } = &mut *inner;
            let rows = match cursor {
                Some((next, last)) if next == from => client.query(&statements.scan_after, &[&last, &limit_sql]),
                _ => {
                    let offset = i64::try_from(from).unwrap_or(i64::MAX);
                    client.query(&statements.scan_offset, &[&offset, &limit_sql])
                }
            }
            .map_err(backend)?;
            let records = records_from_rows(&rows, Some(1))?;
            if let Some(last) = rows.last() {
                let position: i64 = get(last, 0, "records")?;
                inner.cursor = Some((from + records.len() as u64, position));
            }
            Ok(records)
        })
    }

    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.read(|inner| {
            let Inner { client, statements, .. } = inner;
            let row = client
                .query_opt(&statements.read_log_head, &[])
                .map_err(backend)?
                .ok_or_else(|| corrupt("log_head", "the row is missing"))?;
            Ok(tree_head_of(&range_from_row(&row)?))
        })
    }

    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        let Inner { client, statements, .. } = &mut *inner;
        let mut tx = client.transaction().map_err(backend)?;
        let head = tx
            .query_opt(&statements.read_head, &[&snapshot.instance])
            .map_err(backend)?
            .map(|row| head_from_row(&row))
            .transpose()?;
        check_snapshot(head.as_ref(), snapshot)?;
        let json = serde_json::to_string(snapshot).map_err(|e| StoreError::InvalidAppend {
            instance: snapshot.instance,
            seq: snapshot.seq,
            reason: format!("the snapshot does not serialize: {e}"),
        })?;
        let seq = to_i64(snapshot.instance, snapshot.seq, "sequence number")?;
        tx.execute(&statements.put_snapshot, &[&snapshot.instance, &seq, &json])
            .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    /// Every row of `records`, read in position order (not through the
    /// `(instance, seq)` index), column by column against its record JSON; each
    /// instance's `first_position`; each snapshot row's `instance` and `seq` against
    /// its JSON. PostgreSQL has no integrity check for free, so [`StorageCheck::Full`]
    /// checks the same; an index that lies shows in `verify_store`'s comparison of the
    /// loads by instance with the full scan.
    fn check_storage(&self, _depth: StorageCheck) -> Result<Vec<StoreProblem>, StoreError> {
        self.read(|inner| storage::check(&mut inner.client, &self.schema).map_err(backend))
    }

    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        let row = self.read(|inner| {
            let Inner { client, statements, .. } = inner;
            client.query_opt(&statements.snapshot, &[&instance]).map_err(backend)
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let place = format!("snapshot of instance {instance}");
        let json: &str = get(&row, 0, &place)?;
        serde_json::from_str(json).map(Some).map_err(|e| corrupt(place, e))
    }
}

#[cfg(test)]
mod params_tests {
    use super::with_database;

    #[test]
    fn with_database_names_another_database() {
        assert_eq!(
            with_database("host=127.0.0.1 port=5 user=postgres dbname=regula_test", "t1"),
            "host=127.0.0.1 port=5 user=postgres dbname=t1"
        );
        assert_eq!(with_database("host=h user=u", "t1"), "host=h user=u dbname=t1");
        assert_eq!(
            with_database("postgres://u@h:5/db?sslmode=disable", "t1"),
            "postgres://u@h:5/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://u@h", "t1"), "postgresql://u@h/t1");
    }
}

/// `due` is served by its index: a test with a server (as the tests under `tests/`),
/// here because it plans the store's own query text.
#[cfg(test)]
mod due_plan_tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;
    use postgres::{Client, NoTls};
    use regula_core::{InstanceFilter, Store};

    use super::{PostgresOptions, PostgresStore, due_bound, due_sql};

    /// The server from `REGULA_PG_URL` (see tests/common); `None` when
    /// `REGULA_PG_SKIP=1` asks to skip.
    fn url() -> Option<String> {
        match std::env::var("REGULA_PG_URL") {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ if std::env::var("REGULA_PG_SKIP").as_deref() == Ok("1") => None,
            _ => panic!(
                "REGULA_PG_URL is not set: run crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test -p regula-store-postgres, or set REGULA_PG_SKIP=1"
            ),
        }
    }

    #[test]
    fn due_is_planned_on_the_instances_by_due_index() {
        let Some(url) = url() else { return };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!("t_dueplan_{}_{nanos}", std::process::id());
        let store = PostgresStore::connect_with(&url, PostgresOptions { schema: schema.clone() }).unwrap();
        let s = format!("\"{schema}\"");
        let mut raw = Client::connect(&url, NoTls).unwrap();
        // 30,000 heads of three definitions in two states; one in a hundred has a due
        // time, on one of 28 days of February 2026. Enough rows that the planner
        // prefers an index to reading the table.
        raw.batch_execute(&format!(
            "INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at, \
             updated_at, entered_at, due_at, first_position) \
             SELECT md5(i::text)::uuid, 'd' || (i % 3), 1, CASE WHEN i % 2 = 0 THEN 'filed' ELSE 'assigned' END, \
             1, repeat('0', 64), '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z', \
             '2026-01-01T00:00:00.000000000Z', \
             CASE WHEN i % 100 = 0 THEN '2026-02-' || lpad((i / 100 % 28 + 1)::text, 2, '0') \
             || 'T00:00:00.000000000Z' END, i \
             FROM generate_series(0, 29999) AS i; \
             ANALYZE {s}.instances"
        ))
        .unwrap();
        let before = chrono::Utc.with_ymd_and_hms(2026, 2, 15, 0, 0, 0).unwrap();
        let bound = due_bound(&before);
        let (d0, filed) = ("d0".to_owned(), "filed".to_owned());
        for filter in [
            InstanceFilter::all(),
            InstanceFilter::definition("d0"),
            InstanceFilter::definition("d0").in_state("filed"),
        ] {
            let mut args: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&bound];
            if filter.definition.is_some() {
                args.push(&d0);
            }
            if filter.state.is_some() {
                args.push(&filed);
            }
            let plan: Vec<String> = raw
                .query(&format!("EXPLAIN {}", due_sql(&s, &filter)), &args)
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let plan = plan.join("\n");
            // An index scan in due order, or a bitmap scan of the few entries and a
            // sort of them, as the planner costs it: the index either way, never the
            // table read whole.
            assert!(
                plan.contains("Index Scan using instances_by_due")
                    || plan.contains("Bitmap Index Scan on instances_by_due"),
                "{filter:?}:\n{plan}"
            );
            assert!(!plan.contains("Seq Scan"), "{filter:?}:\n{plan}");
            // And the store's answer is the one the rows hold, in due order.
            let due = store.due(before, &filter).unwrap();
            let expected: i64 = raw
                .query_one(
                    &format!(
                        "SELECT count(*) FROM {s}.instances WHERE due_at < $1 AND ($2::text IS NULL OR definition = $2) \
                         AND ($3::text IS NULL OR state = $3)"
                    ),
                    &[&bound, &filter.definition, &filter.state],
                )
                .unwrap()
                .get(0);
            assert!(expected > 0);
            assert_eq!(due.len() as i64, expected, "{filter:?}");
            assert!(
                due.windows(2)
                    .all(|w| (w[0].due_at, w[0].instance) < (w[1].due_at, w[1].instance))
            );
        }
        raw.batch_execute(&format!("DROP SCHEMA {s} CASCADE")).unwrap();
    }
}
