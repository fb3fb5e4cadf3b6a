//! Recognising, creating and migrating the schema.

use chrono::Utc;
use postgres::{Client, GenericClient, Transaction};
use regula_core::{AuditRecord, InstanceHead, StoreError};
use uuid::Uuid;

use crate::{BACKEND, backend_at, time_text};

/// The newest schema version this crate writes.
pub const SCHEMA_VERSION: i64 = 5;

/// The value of `meta.application`.
const MARKER: &str = "regula-store";

/// The start of `append_records` in every version of it, after its signature: its
/// variables, and the log head locked (appends are ordered by this lock). Shared like
/// [`append_records_tail`].
macro_rules! append_records_head {
    () => {
        "    LANGUAGE plpgsql AS $fn$
    DECLARE
        base bigint;
        nodes bytea;
        leaves integer := length(r_leaves) / 32;
        ones integer := 0;
        carry bigint;
        h bytea;
    BEGIN
        SELECT l.size, l.compact_range INTO base, nodes FROM {s}.log_head l WHERE l.id = 1 FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'regula: the log_head row is missing' USING ERRCODE = 'RG001';
        END IF;
"
    };
}

/// The Merkle compact range carried over the appended leaves `r_leaves` (RFC 6962), as
/// `CompactRange::push` does, and the log head written, the `log_head` row being locked
/// and read into `base` and `nodes`. Shared by every function that appends (migrations
/// 2 → 3 and 3 → 4 create `append_records`, 4 → 5 `append_one`), so that they cannot
/// drift apart.
macro_rules! compact_range_carry {
    () => {
        "        IF base = c_size AND nodes = c_range THEN
            -- The caller's range was the stored one: its next range is current.
            new_range := c_next;
            new_size := base + leaves;
        ELSE
            carry := base;
            WHILE carry > 0 LOOP
                ones := ones + (carry & 1)::integer;
                carry := carry >> 1;
            END LOOP;
            IF length(nodes) <> 32 * ones THEN
                RAISE EXCEPTION 'regula: the stored compact range does not fit its size' USING ERRCODE = 'RG001';
            END IF;
            new_size := base;
            FOR k IN 0 .. leaves - 1 LOOP
                h := substring(r_leaves FROM k * 32 + 1 FOR 32);
                carry := new_size;
                WHILE (carry & 1) = 1 LOOP
                    h := sha256('\\x01'::bytea || substring(nodes FROM length(nodes) - 31 FOR 32) || h);
                    nodes := substring(nodes FROM 1 FOR length(nodes) - 32);
                    carry := carry >> 1;
                END LOOP;
                nodes := nodes || h;
                new_size := new_size + 1;
            END LOOP;
            new_range := nodes;
        END IF;
        IF leaves > 0 THEN
            UPDATE {s}.log_head SET size = new_size, compact_range = new_range WHERE id = 1;
        END IF;
"
    };
}

/// The end of `append_records` in every version of it: [`compact_range_carry`].
macro_rules! append_records_tail {
    () => {
        concat!(compact_range_carry!(), "    END\n    $fn$;")
    };
}

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
    // 2 → 3: one round trip per append, and fewer index writes. A record row keeps
    // its position, instance, seq and JSON: the copies of its id, time, definition,
    // action and hash are dropped (read by nothing but the check against the JSON;
    // PostgreSQL drops a column without rewriting the table). The heads lose their two
    // indexes on `state`, which every transition changes: with no indexed column
    // changing, a head update is a heap-only (HOT) update that writes no index.
    // `append_records` does in one call, under the `log_head` row lock, what an append
    // did in seven statements: it compares the heads the caller presumed with the
    // stored ones (raising RG001, having written nothing, when one differs), inserts
    // the records and the heads, and updates the compact range: the caller's, when the
    // range it started from is the stored one, else the server's own, hashed from the
    // leaves as `CompactRange::push` does.
    concat!(
        "ALTER TABLE {s}.records DROP COLUMN IF EXISTS record_id, DROP COLUMN IF EXISTS at,
        DROP COLUMN IF EXISTS definition, DROP COLUMN IF EXISTS action, DROP COLUMN IF EXISTS hash;
    DROP INDEX IF EXISTS {s}.instances_by_definition_state;
    DROP INDEX IF EXISTS {s}.instances_by_state;
    CREATE INDEX IF NOT EXISTS instances_by_definition ON {s}.instances (definition, first_position);
    CREATE OR REPLACE FUNCTION {s}.append_records(
        e_instance uuid[], e_seq bigint[], e_hash text[], e_definition text[], e_version bigint[],
        h_instance uuid[], h_definition text[], h_version bigint[], h_state text[], h_seq bigint[],
        h_last_hash text[], h_created_at text[], h_updated_at text[], h_first_record bigint[],
        r_instance uuid[], r_seq bigint[], r_record text[], r_leaves bytea,
        c_size bigint, c_range bytea, c_next bytea,
        OUT new_size bigint, OUT new_range bytea)
",
        append_records_head!(),
        "        IF EXISTS (
            SELECT 1 FROM unnest(e_instance, e_seq, e_hash, e_definition, e_version) AS e(i, q, x, d, v)
            LEFT JOIN {s}.instances s ON s.instance = e.i
            WHERE CASE WHEN e.q = 0 THEN s.instance IS NOT NULL
                       ELSE s.instance IS NULL OR s.seq <> e.q OR s.last_hash <> e.x
                            OR s.definition <> e.d OR s.version <> e.v END)
        THEN
            RAISE EXCEPTION 'regula: a head is not the one presumed' USING ERRCODE = 'RG001';
        END IF;
        INSERT INTO {s}.records (position, instance, seq, record)
            SELECT base + t.o - 1, t.i, t.q, t.r::json
            FROM unnest(r_instance, r_seq, r_record) WITH ORDINALITY AS t(i, q, r, o);
        INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at,
                                   updated_at, first_position)
            SELECT i, d, v, st, q, lh, ca, ua, base + fr
            FROM unnest(h_instance, h_definition, h_version, h_state, h_seq, h_last_hash, h_created_at,
                        h_updated_at, h_first_record) AS t(i, d, v, st, q, lh, ca, ua, fr)
            ON CONFLICT (instance) DO UPDATE SET version = excluded.version, state = excluded.state,
                seq = excluded.seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at;
",
        append_records_tail!()
    ),
    // 3 → 4: deadlines. Each head gets `entered_at` (when the instance entered its
    // current state) and `due_at` (its earliest pending deadline, NULL when none), and
    // `due_at` a partial index, so that `Store::due` is one indexed query and a store
    // whose definitions have no deadlines writes no index entry for it (a NULL stays
    // NULL: the head update stays heap-only). `due_at` sorts as bytes (`COLLATE "C"`):
    // the times are fixed-width RFC 3339 text, whose byte order is time order.
    // `entered_at` is computed for every existing head from its records by
    // `backfill_entered_at` before it becomes NOT NULL. `due_at` stays NULL, which is
    // right: no release before schema 4 could declare a deadline, so no instance of an
    // older store has one pending. `append_records` takes and writes both, and checks
    // the presumed state too (see `PostgresStore::append_fast`); its argument list
    // changed, so the old function is dropped rather than overloaded.
    concat!(
        "ALTER TABLE {s}.instances ADD COLUMN entered_at text, ADD COLUMN due_at text COLLATE \"C\";
    CREATE INDEX instances_by_due ON {s}.instances (due_at, instance) WHERE due_at IS NOT NULL;
    DROP FUNCTION IF EXISTS {s}.append_records(uuid[], bigint[], text[], text[], bigint[], uuid[], text[], bigint[],
        text[], bigint[], text[], text[], text[], bigint[], uuid[], bigint[], text[], bytea, bigint, bytea, bytea);
    CREATE FUNCTION {s}.append_records(
        e_instance uuid[], e_seq bigint[], e_hash text[], e_definition text[], e_version bigint[], e_state text[],
        h_instance uuid[], h_definition text[], h_version bigint[], h_state text[], h_seq bigint[],
        h_last_hash text[], h_created_at text[], h_updated_at text[], h_entered_at text[], h_due_at text[],
        h_first_record bigint[],
        r_instance uuid[], r_seq bigint[], r_record text[], r_leaves bytea,
        c_size bigint, c_range bytea, c_next bytea,
        OUT new_size bigint, OUT new_range bytea)
",
        append_records_head!(),
        "        IF EXISTS (
            SELECT 1 FROM unnest(e_instance, e_seq, e_hash, e_definition, e_version, e_state)
                AS e(i, q, x, d, v, st)
            LEFT JOIN {s}.instances s ON s.instance = e.i
            WHERE CASE WHEN e.q = 0 THEN s.instance IS NOT NULL
                       ELSE s.instance IS NULL OR s.seq <> e.q OR s.last_hash <> e.x
                            OR s.definition <> e.d OR s.version <> e.v OR s.state <> e.st END)
        THEN
            RAISE EXCEPTION 'regula: a head is not the one presumed' USING ERRCODE = 'RG001';
        END IF;
        INSERT INTO {s}.records (position, instance, seq, record)
            SELECT base + t.o - 1, t.i, t.q, t.r::json
            FROM unnest(r_instance, r_seq, r_record) WITH ORDINALITY AS t(i, q, r, o);
        -- An empty entered_at keeps the stored one: the batch did not change the
        -- instance's state (the caller knows the state, checked above, but not when
        -- it was entered). A new instance's creation always gives one.
        INSERT INTO {s}.instances AS cur (instance, definition, version, state, seq, last_hash, created_at,
                                          updated_at, entered_at, due_at, first_position)
            SELECT i, d, v, st, q, lh, ca, ua, ea, du, base + fr
            FROM unnest(h_instance, h_definition, h_version, h_state, h_seq, h_last_hash, h_created_at,
                        h_updated_at, h_entered_at, h_due_at, h_first_record)
                AS t(i, d, v, st, q, lh, ca, ua, ea, du, fr)
            ON CONFLICT (instance) DO UPDATE SET version = excluded.version, state = excluded.state,
                seq = excluded.seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at,
                entered_at = CASE WHEN excluded.entered_at = '' THEN cur.entered_at ELSE excluded.entered_at END,
                due_at = excluded.due_at;
",
        append_records_tail!()
    ),
    // 4 → 5: the single append (one record, the common case) gets a function of its own,
    // `append_one`, with scalar arguments: a profile of `append_records` called for one
    // record found it spending over half its server time outside its statements, in
    // 24 array arguments and `unnest`. It also does in fewer statements what
    // `append_records` does: when the caller's compact range is the stored one, a
    // single conditional UPDATE of `log_head` takes the row lock and writes the next
    // range (otherwise it locks with `SELECT … FOR UPDATE` and hashes the leaf as
    // `append_records` does), and the head is checked and written by one statement, an
    // UPDATE whose WHERE clause is the presumed head (a new instance: an INSERT that
    // does nothing when the head exists). Either writing nothing raises RG001, which
    // rolls the call back as a whole. The statements run after the lock is held, each
    // with a snapshot of its own (READ COMMITTED, PostgreSQL's default, as for
    // `append_records`), so they see every append committed before.
    concat!(
        "CREATE FUNCTION {s}.append_one(
        a_instance uuid, a_seq bigint, a_prev_hash text, a_definition text, a_version bigint, a_from text,
        a_state text, a_hash text, a_at text, a_entered_at text, a_due_at text, a_record text, a_leaf bytea,
        c_size bigint, c_range bytea, c_next bytea,
        OUT new_size bigint, OUT new_range bytea)
    LANGUAGE plpgsql AS $fn$
    DECLARE
        r_leaves ALIAS FOR a_leaf;
        base bigint;
        nodes bytea;
        leaves integer := 1;
        ones integer := 0;
        carry bigint;
        h bytea;
    BEGIN
        UPDATE {s}.log_head SET size = size + 1, compact_range = c_next
            WHERE id = 1 AND size = c_size AND compact_range = c_range
            RETURNING size - 1 INTO base;
        IF FOUND THEN
            new_size := base + 1;
            new_range := c_next;
        ELSE
            SELECT l.size, l.compact_range INTO base, nodes FROM {s}.log_head l WHERE l.id = 1 FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'regula: the log_head row is missing' USING ERRCODE = 'RG001';
            END IF;
",
        compact_range_carry!(),
        "        END IF;
        -- The record's sequence number is the presumed head's plus one: 1 creates the
        -- instance. An empty a_entered_at keeps the stored time (the record did not
        -- move the instance); a new instance entered its state with its creation.
        IF a_seq = 1 THEN
            INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at,
                                       updated_at, entered_at, due_at, first_position)
                VALUES (a_instance, a_definition, a_version, a_state, 1, a_hash, a_at, a_at, a_at, a_due_at, base)
                ON CONFLICT (instance) DO NOTHING;
        ELSE
            UPDATE {s}.instances AS cur SET state = a_state, seq = a_seq, last_hash = a_hash, updated_at = a_at,
                    entered_at = CASE WHEN a_entered_at = '' THEN cur.entered_at ELSE a_entered_at END,
                    due_at = a_due_at
                WHERE cur.instance = a_instance AND cur.seq = a_seq - 1 AND cur.last_hash = a_prev_hash
                  AND cur.definition = a_definition AND cur.version = a_version AND cur.state = a_from;
        END IF;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'regula: a head is not the one presumed' USING ERRCODE = 'RG001';
        END IF;
        INSERT INTO {s}.records (position, instance, seq, record) VALUES (base, a_instance, a_seq, a_record::json);
    END
    $fn$;"
    ),
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
        if i == 3 {
            backfill_entered_at(&mut tx, quoted, location)?;
        }
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

/// Rows of `records` read per fetch, and heads written per update, by the backfill.
const BACKFILL_PAGE: i64 = 4096;

/// Migration 3 → 4: sets every head's `entered_at` from its records, by the rule of
/// every append ([`InstanceHead::advanced`]: the creation's time, then each accepted
/// record that changes the state), reading the records once in `(instance, seq)`
/// order through a cursor, and writing the heads a page at a time; then makes the
/// column NOT NULL. A record whose JSON does not read is skipped: judging the evidence
/// is `verify`'s work, which reports it (and a head it leaves wrong), and a migration
/// that refused would leave the store unreadable by this program. A head with no
/// readable record keeps its `created_at`.
fn backfill_entered_at(tx: &mut Transaction<'_>, s: &str, location: &str) -> Result<(), StoreError> {
    let err = |e| backend_at(location, e);
    tx.batch_execute(&format!(
        "DECLARE regula_backfill NO SCROLL CURSOR FOR \
         SELECT instance, record::text FROM {s}.records ORDER BY instance, seq"
    ))
    .map_err(err)?;
    let fetch = format!("FETCH FORWARD {BACKFILL_PAGE} FROM regula_backfill");
    let update = tx
        .prepare(&format!(
            "UPDATE {s}.instances SET entered_at = u.e FROM unnest($1::uuid[], $2::text[]) AS u(i, e) \
             WHERE instance = u.i"
        ))
        .map_err(err)?;
    let mut ids: Vec<Uuid> = Vec::new();
    let mut times: Vec<String> = Vec::new();
    let mut head: Option<InstanceHead> = None;
    loop {
        let rows = tx.query(&fetch, &[]).map_err(err)?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let instance: Uuid = row.try_get(0).map_err(err)?;
            let Ok(record) = serde_json::from_str::<AuditRecord>(row.try_get(1).map_err(err)?) else {
                continue;
            };
            if let Some(done) = head.take_if(|h| h.instance != instance) {
                ids.push(done.instance);
                times.push(time_text(&done.entered_at));
            }
            // A record is folded under the instance of its row, which is what the
            // heads are keyed by.
            head = InstanceHead::advanced(head.as_ref(), std::slice::from_ref(&record)).map(|mut h| {
                h.instance = instance;
                h
            });
        }
        if ids.len() as i64 >= BACKFILL_PAGE {
            tx.execute(&update, &[&ids, &times]).map_err(err)?;
            ids.clear();
            times.clear();
        }
    }
    if let Some(done) = head {
        ids.push(done.instance);
        times.push(time_text(&done.entered_at));
    }
    tx.execute(&update, &[&ids, &times]).map_err(err)?;
    tx.batch_execute(&format!(
        "CLOSE regula_backfill; \
         UPDATE {s}.instances SET entered_at = created_at WHERE entered_at IS NULL; \
         ALTER TABLE {s}.instances ALTER COLUMN entered_at SET NOT NULL;"
    ))
    .map_err(err)
}

/// Checks, writing nothing, that `schema` holds a Regula store of the version this
/// program writes: for handles that must never create or migrate one. A store of an
/// older version is refused ([`StoreError::OlderSchema`]): it lacks what this program
/// reads or prepares (`entered_at`, `due_at` since version 4, `append_one` since 5).
pub(crate) fn check_readable(
    client: &mut Client,
    schema: &str,
    quoted: &str,
    location: &str,
) -> Result<(), StoreError> {
    match inspect(client, schema, quoted, location)? {
        Found::Version(SCHEMA_VERSION) => Ok(()),
        Found::Version(found) => Err(StoreError::OlderSchema {
            location: location.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        }),
        Found::Nothing => Err(StoreError::NotAStore {
            location: location.to_owned(),
            message: format!("schema {schema} holds no Regula store"),
        }),
    }
}
