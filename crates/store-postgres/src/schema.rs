//! Recognising, creating and migrating the schema.

use chrono::Utc;
use postgres::{Client, GenericClient};
use regula_core::StoreError;

use crate::{BACKEND, backend_at};

/// The newest schema version this crate writes.
pub const SCHEMA_VERSION: i64 = 2;

/// The value of `meta.application`.
const MARKER: &str = "regula-store";

/// The migrations: entry `i` brings a schema from version `i` to `i + 1`. `{s}` stands
/// for the quoted schema name.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "CREATE TABLE {s}.meta (
        key   text PRIMARY KEY,
        value text NOT NULL
    );
    CREATE TABLE {s}.records (
        position   bigint PRIMARY KEY,
        instance   uuid NOT NULL,
        seq        bigint NOT NULL,
        record_id  uuid NOT NULL,
        at         text NOT NULL,
        definition text NOT NULL,
        action     text NOT NULL,
        hash       text NOT NULL,
        record     json NOT NULL,
        UNIQUE (instance, seq)
    );
    CREATE TABLE {s}.instances (
        instance       uuid PRIMARY KEY,
        definition     text NOT NULL,
        version        bigint NOT NULL,
        state          text NOT NULL,
        seq            bigint NOT NULL,
        last_hash      text NOT NULL,
        created_at     text NOT NULL,
        updated_at     text NOT NULL,
        first_position bigint NOT NULL
    );
    CREATE INDEX instances_by_definition_state ON {s}.instances (definition, state, first_position);
    CREATE INDEX instances_by_state ON {s}.instances (state, first_position);
    CREATE INDEX instances_by_age ON {s}.instances (first_position);
    CREATE TABLE {s}.log_head (
        id            integer PRIMARY KEY CHECK (id = 1),
        size          bigint NOT NULL,
        compact_range bytea NOT NULL
    );
    INSERT INTO {s}.log_head (id, size, compact_range) VALUES (1, 0, '\\x');
    CREATE TABLE {s}.snapshots (
        instance uuid PRIMARY KEY,
        seq      bigint NOT NULL,
        snapshot json NOT NULL
    );",
    // 1 → 2: claims, unique keys taken by a record in its append's transaction. A
    // store of version 1 gets an empty table; claims of its past records are added
    // by the program that knows them (`Store::append_claiming` with no records).
    "CREATE TABLE {s}.claims (
        namespace text NOT NULL,
        key       text NOT NULL,
        instance  uuid NOT NULL,
        seq       bigint NOT NULL,
        PRIMARY KEY (namespace, key)
    );",
];

/// The schema name, checked and double-quoted for SQL.
pub(crate) fn quoted(schema: &str) -> Result<String, StoreError> {
    let mut chars = schema.chars();
    let valid = schema.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(StoreError::Backend {
            backend: BACKEND,
            message: format!(
                "invalid schema name {schema:?}: use a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 bytes)"
            ),
            source: None,
        });
    }
    Ok(format!("\"{schema}\""))
}

/// What the schema holds now.
enum Found {
    /// Nothing: no schema, or an empty one.
    Nothing,
    /// A Regula store at this version.
    Version(i64),
}

/// Reads, without writing, what `schema` holds, refusing what is not a Regula store or
/// is newer than this crate.
fn inspect(client: &mut impl GenericClient, schema: &str, quoted: &str, location: &str) -> Result<Found, StoreError> {
    let err = |e| backend_at(location, e);
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), \
             (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')), \
             to_regclass($2) IS NOT NULL",
            &[&schema, &format!("{quoted}.meta")],
        )
        .map_err(err)?;
    let (exists, relations, has_meta): (bool, i64, bool) = (row.get(0), row.get(1), row.get(2));
    if !exists || (relations == 0 && !has_meta) {
        return Ok(Found::Nothing);
    }
    let not_a_store = |message: String| StoreError::NotAStore {
        location: location.to_owned(),
        message,
    };
    if !has_meta {
        return Err(not_a_store(format!(
            "schema {schema} holds {relations} tables or views but no Regula marker; choose another schema name"
        )));
    }
    let rows = client
        .query(
            &format!("SELECT key, value FROM {quoted}.meta WHERE key IN ('application', 'schema_version')"),
            &[],
        )
        .map_err(|e| not_a_store(format!("its meta table does not read as Regula's: {e}")))?;
    let mut marker = None;
    let mut version = None;
    for row in &rows {
        let key: String = row.try_get(0).map_err(err)?;
        let value: String = row.try_get(1).map_err(err)?;
        match key.as_str() {
            "application" => marker = Some(value),
            _ => version = value.parse::<i64>().ok(),
        }
    }
    if marker.as_deref() != Some(MARKER) {
        return Err(not_a_store(format!(
            "schema {schema} has a meta table without Regula's marker"
        )));
    }
    let Some(version) = version else {
        return Err(not_a_store(format!("schema {schema} has no readable schema_version")));
    };
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            location: location.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(Found::Version(version))
}

/// A 64-bit key for the advisory lock that serializes creating and migrating `schema`.
fn lock_key(schema: &str) -> i64 {
    // FNV-1a over a fixed prefix and the name: stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in "regula-store-schema:".bytes().chain(schema.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

/// Checks the schema and creates or migrates it when needed, in one transaction under
/// an advisory lock, so servers starting at once do it once. Writes nothing when the
/// schema is current, foreign or newer.
pub(crate) fn prepare(client: &mut Client, schema: &str, quoted: &str, location: &str) -> Result<(), StoreError> {
    if let Found::Version(SCHEMA_VERSION) = inspect(client, schema, quoted, location)? {
        return Ok(());
    }
    let err = |e| backend_at(location, e);
    let mut tx = client.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key(schema)])
        .map_err(err)?;
    let from = match inspect(&mut tx, schema, quoted, location)? {
        Found::Nothing => 0,
        Found::Version(v) => v,
    };
    if from == 0 {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
            .map_err(err)?;
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        tx.batch_execute(&sql.replace("{s}", quoted)).map_err(err)?;
        let to = (i as i64 + 1).to_string();
        tx.execute(
            &format!(
                "INSERT INTO {quoted}.meta (key, value) VALUES ('schema_version', $1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            &[&to],
        )
        .map_err(err)?;
    }
    if from == 0 {
        tx.execute(
            &format!("INSERT INTO {quoted}.meta (key, value) VALUES ('application', $1), ('created_at', $2), ('created_by', $3)"),
            &[
                &MARKER,
                &Utc::now().to_rfc3339(),
                &concat!("regula-store-postgres ", env!("CARGO_PKG_VERSION")),
            ],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Checks, writing nothing, that `schema` holds a Regula store this program reads, and
/// returns its version: for handles that must never create or migrate one. A store of
/// version 1 (before claims) is read as it is.
pub(crate) fn check_readable(
    client: &mut Client,
    schema: &str,
    quoted: &str,
    location: &str,
) -> Result<i64, StoreError> {
    match inspect(client, schema, quoted, location)? {
        Found::Version(found) => Ok(found),
        Found::Nothing => Err(StoreError::NotAStore {
            location: location.to_owned(),
            message: format!("schema {schema} holds no Regula store"),
        }),
    }
}
