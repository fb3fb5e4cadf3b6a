//! Connecting: persistence across handles, concurrent first connections, reconnection,
//! and bad input (a foreign schema, a newer schema, a bad name, an unreachable server)
//! refused without changing anything.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use postgres::Client;
use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::store::{StorageCheck, verify_against_checkpoint};
use regula_core::{
    Append, AuditRecord, Checkpoint, Claim, Engine, InstanceFilter, InstanceHead, Repository, Store, StoreError,
    TreeHead,
};
use regula_store_conformance::sample::{self, annotate, case, clerk};
use regula_store_postgres::{PostgresOptions, PostgresStore, SCHEMA_VERSION};

/// Everything in `schema`: its tables and a digest of each one's rows.
fn fingerprint(raw: &mut Client, schema: &str) -> Vec<(String, String)> {
    let tables: Vec<String> = raw
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let digest: Option<String> = raw
                .query_one(
                    &format!("SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM \"{schema}\".\"{t}\" x"),
                    &[],
                )
                .unwrap()
                .get(0);
            (t, digest.unwrap_or_default())
        })
        .collect()
}

fn connect(schema: &str) -> Result<PostgresStore, StoreError> {
    PostgresStore::connect_with(
        &common::url().unwrap(),
        PostgresOptions {
            schema: schema.to_owned(),
        },
    )
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("newer");
    drop(common::open(&schema));
    let mut raw = common::raw();
    raw.execute(
        &format!("UPDATE \"{schema}\".meta SET value = $1 WHERE key = 'schema_version'"),
        &[&(SCHEMA_VERSION + 1).to_string()],
    )
    .unwrap();
    let before = fingerprint(&mut raw, &schema);
    match connect(&schema) {
        Err(StoreError::NewerSchema {
            location,
            found,
            supported,
        }) => {
            assert!(location.contains(&schema), "{location}");
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(fingerprint(&mut raw, &schema), before);
}

#[test]
fn a_schema_of_another_application_is_refused_untouched() {
    if !common::enabled() {
        return;
    }
    let mut raw = common::raw();
    for setup in [
        "CREATE TABLE {s}.customers (id serial PRIMARY KEY, name text); INSERT INTO {s}.customers (name) VALUES ('x');",
        "CREATE TABLE {s}.meta (key text PRIMARY KEY, value text); INSERT INTO {s}.meta VALUES ('schema_version', '1');",
    ] {
        let schema = common::unique_schema("foreign");
        raw.batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\"; {}",
            setup.replace("{s}", &format!("\"{schema}\""))
        ))
        .unwrap();
        let before = fingerprint(&mut raw, &schema);
        match connect(&schema) {
            Err(StoreError::NotAStore { location, message }) => {
                assert!(location.contains(&schema) && !message.is_empty());
            }
            other => panic!("expected NotAStore, got {other:?}"),
        }
        assert_eq!(fingerprint(&mut raw, &schema), before);
    }
}

#[test]
fn an_empty_schema_made_by_an_administrator_becomes_a_store() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("empty");
    let mut raw = common::raw();
    raw.batch_execute(&format!("CREATE SCHEMA \"{schema}\"")).unwrap();
    let store = connect(&schema).unwrap();
    assert_eq!(store.tree_head().unwrap().size, 0);
    let version: String = raw
        .query_one(
            &format!("SELECT value FROM \"{schema}\".meta WHERE key = 'schema_version'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(version, SCHEMA_VERSION.to_string());
}

#[test]
fn records_survive_reconnecting_and_other_handles_see_them() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("reopen");
    let repo = Repository::new(sample::engine(), common::open(&schema)).snapshot_every(2);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("持久"), None).unwrap();
    for i in 0..5 {
        repo.apply(&mut inst, annotate(&format!("n{i}"))).unwrap();
    }
    let checkpoint = repo.store().checkpoint().unwrap();
    let other = common::open(&schema);
    assert_eq!(other.tree_head().unwrap(), repo.store().tree_head().unwrap());
    assert_eq!(other.load(inst.id()).unwrap().len(), 6);
    drop(repo);
    drop(other);

    let store = common::open(&schema);
    assert_eq!(store.snapshot(inst.id()).unwrap().map(|s| s.seq), Some(6));
    assert_eq!(store.list(&InstanceFilter::all()).unwrap().len(), 1);
    assert_eq!(
        regula_core::store::verify_against_checkpoint(&store, &checkpoint).unwrap(),
        None
    );
    let repo = Repository::new(sample::engine(), store);
    assert_eq!(repo.load(inst.id()).unwrap(), inst);
    assert!(sample::verify(repo.store()).unwrap().is_ok());
}

#[test]
fn servers_starting_together_create_the_schema_once() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("together");
    let stores: Vec<PostgresStore> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6).map(|_| scope.spawn(|| connect(&schema).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut raw = common::raw();
    let rows = raw
        .query(&format!("SELECT key FROM \"{schema}\".meta ORDER BY key"), &[])
        .unwrap();
    let keys: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(keys, ["application", "created_at", "created_by", "schema_version"]);
    // Every handle works on the one store.
    let repo = Repository::new(sample::engine(), &stores[0]);
    let (inst, _) = repo.create(clerk(), "clerk", case("x"), None).unwrap();
    for s in &stores {
        assert_eq!(s.head(inst.id()).unwrap().seq, 1);
    }
}

#[test]
fn a_bad_schema_name_is_refused_before_connecting() {
    for name in [
        "Regula",
        "a-b",
        "x\"; DROP SCHEMA public; --",
        "",
        "1abc",
        &"a".repeat(64),
    ] {
        match PostgresStore::connect_with(
            "host=127.0.0.1 port=1 user=nobody",
            PostgresOptions {
                schema: name.to_owned(),
            },
        ) {
            Err(StoreError::Backend { message, .. }) => assert!(message.contains("invalid schema name"), "{message}"),
            other => panic!("expected an invalid-name error for {name:?}, got {other:?}"),
        }
    }
}

#[test]
fn an_unreachable_server_is_unavailable_and_the_error_hides_the_password() {
    match PostgresStore::connect("host=127.0.0.1 port=1 user=regula password=s3cret dbname=court connect_timeout=5") {
        Err(
            e @ StoreError::Unavailable {
                cause: regula_core::store::Unavailability::Unreachable,
                ..
            },
        ) => {
            let shown = e.to_string();
            assert!(shown.contains("127.0.0.1:1") && shown.contains("court"), "{shown}");
            assert!(!shown.contains("s3cret"), "the password leaked: {shown}");
        }
        other => panic!("expected an Unavailable (Unreachable) error, got {other:?}"),
    }
}

/// Terminates the backends of connections named `app` and waits until they are gone:
/// `pg_terminate_backend` only signals them, and a read made before the backend exits
/// can still reach it (the cause of this file's earlier flaky failure).
fn terminate_backend(app: &str) {
    let mut raw = common::raw();
    let killed: bool = raw
        .query_one(
            "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .unwrap()
        .get::<_, Option<bool>>(0)
        .unwrap_or(false);
    assert!(killed, "no backend named {app} to terminate");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let alive: i64 = raw
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .unwrap()
            .get(0);
        if alive == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the terminated backend of {app} is still there after 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_handle_reconnects_after_its_connection_was_closed() {
    let Some(url) = common::url() else {
        return;
    };
    let schema = common::unique_schema("reconnect");
    let app = format!("regula_{schema}");
    let store =
        PostgresStore::connect_with(&format!("{url} application_name={app}"), PostgresOptions { schema }).unwrap();
    let repo = Repository::new(sample::engine(), &store);
    let (inst, _) = repo.create(clerk(), "clerk", case("x"), None).unwrap();
    // The handle only learns that its connection died when it next uses it: each read
    // retries once on a new connection, so the first read after the loss succeeds.
    terminate_backend(&app);
    assert_eq!(store.head(inst.id()).unwrap().seq, 1);
    terminate_backend(&app);
    assert_eq!(store.load(inst.id()).unwrap().len(), 1);
    terminate_backend(&app);
    assert_eq!(store.list(&InstanceFilter::default()).unwrap().len(), 1);
    terminate_backend(&app);
    assert_eq!(store.tree_head().unwrap().size, 1);
    terminate_backend(&app);
    assert_eq!(store.scan(0, 10).unwrap().len(), 1);
    terminate_backend(&app);
    assert_eq!(store.snapshot(inst.id()).unwrap(), None);
    // A write is never retried (its outcome could be unknown): the first one after the
    // loss fails, unless the client had already noticed the closed connection and
    // reconnected before writing; either way the next one goes through.
    terminate_backend(&app);
    if repo.execute(inst.id(), annotate("after reconnect"), 0).is_err() {
        repo.execute(inst.id(), annotate("after reconnect"), 0).unwrap();
    }
    assert_eq!(store.load(inst.id()).unwrap().len(), 2);
}

#[test]
fn a_version_1_store_is_migrated_in_place_and_keeps_its_records() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("migrate");
    // What schema version 1 held: schema 2's layout without the claims table.
    let mut raw = common::raw();
    let records = version_2_store(&mut raw, &schema);
    raw.batch_execute(&format!(
        "DROP TABLE \"{schema}\".claims; UPDATE \"{schema}\".meta SET value = '1' WHERE key = 'schema_version'"
    ))
    .unwrap();
    let inst = records[0].instance;
    // A handle that never migrates refuses it, untouched.
    let before = fingerprint(&mut raw, &schema);
    assert_older(&schema, 1);
    assert_eq!(fingerprint(&mut raw, &schema), before);
    let store = connect(&schema).unwrap();
    assert_eq!(store.load(inst).unwrap().len(), 3);
    assert!(store.claims("document_number").unwrap().is_empty());
    store
        .append_claiming(&[], &[Claim::new("document_number", "红林法〔2022〕1号", inst, 2)])
        .unwrap();
    let version: String = raw
        .query_one(
            &format!("SELECT value FROM \"{schema}\".meta WHERE key = 'schema_version'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(version, SCHEMA_VERSION.to_string());
    let claims: i64 = raw
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".claims"), &[])
        .unwrap()
        .get(0);
    assert_eq!(claims, 1);
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
}

/// Connecting to `schema` without migrating fails: its version `found` is older.
fn assert_older(schema: &str, found: i64) {
    match PostgresStore::connect_existing_with(
        &common::url().unwrap(),
        PostgresOptions {
            schema: schema.to_owned(),
        },
    ) {
        Err(StoreError::OlderSchema {
            location,
            found: f,
            supported,
        }) => {
            assert_eq!((f, supported), (found, SCHEMA_VERSION));
            assert!(location.contains(schema), "{location}");
        }
        other => panic!("expected OlderSchema, got {other:?}"),
    }
}

/// What schema version 2 held (the first two migrations as they were), so a test can
/// make a store the code of that version would have written.
const SCHEMA_2: &str = "CREATE TABLE {s}.meta (
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
    );
    CREATE TABLE {s}.claims (
        namespace text NOT NULL,
        key       text NOT NULL,
        instance  uuid NOT NULL,
        seq       bigint NOT NULL,
        PRIMARY KEY (namespace, key)
    );";

/// A store of schema 2 in `schema`, written row for row as the code of schema 2 wrote
/// appends: 3 instances of 3 records each, interleaved. Returns the records in
/// position order.
fn version_2_store(raw: &mut Client, schema: &str) -> Vec<AuditRecord> {
    let s = format!("\"{schema}\"");
    raw.batch_execute(&format!("CREATE SCHEMA {s}; {}", SCHEMA_2.replace("{s}", &s)))
        .unwrap();
    raw.execute(
        &format!(
            "INSERT INTO {s}.meta (key, value) VALUES ('application', 'regula-store'), ('schema_version', '2'), \
             ('created_at', '2026-11-28T00:00:00Z'), ('created_by', 'regula-store-postgres 0.1.0')"
        ),
        &[],
    )
    .unwrap();
    let engine = sample::fixed_engine(sample::CASE, 3);
    let mut instances = Vec::new();
    let mut logs = Vec::new();
    for i in 0..3 {
        let (inst, created) = engine
            .create(clerk(), "clerk", case(&format!("旧案 {i}")), None)
            .unwrap();
        instances.push(inst);
        logs.push(vec![created]);
    }
    let mut order = Vec::new();
    for round in 0..3 {
        for (i, inst) in instances.iter_mut().enumerate() {
            if round > 0 {
                logs[i].push(engine.apply(inst, annotate(&format!("批注 {round}"))).unwrap());
            }
            order.push(logs[i].last().unwrap().clone());
        }
    }
    let mut range = CompactRange::new();
    let time = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    for (position, r) in order.iter().enumerate() {
        raw.execute(
            &format!(
                "INSERT INTO {s}.records (position, instance, seq, record_id, at, definition, action, hash, record) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::json)"
            ),
            &[
                &(position as i64),
                &r.instance,
                &(r.seq as i64),
                &r.id,
                &time(&r.at),
                &r.definition.name.as_str(),
                &r.action.as_str(),
                &r.hash.to_hex(),
                &serde_json::to_string(r).unwrap(),
            ],
        )
        .unwrap();
        range.push(record_leaf(r));
    }
    for (i, log) in logs.iter().enumerate() {
        let head = InstanceHead::advanced(None, log).unwrap();
        raw.execute(
            &format!(
                "INSERT INTO {s}.instances (instance, definition, version, state, seq, last_hash, created_at, \
                 updated_at, first_position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &head.instance,
                &head.definition.name.as_str(),
                &i64::from(head.definition.version),
                &head.state,
                &(head.seq as i64),
                &head.last_hash.to_hex(),
                &time(&head.created_at),
                &time(&head.updated_at),
                &(i as i64),
            ],
        )
        .unwrap();
    }
    raw.execute(
        &format!("UPDATE {s}.log_head SET size = $1, compact_range = $2 WHERE id = 1"),
        &[&(range.size() as i64), &range.to_bytes()],
    )
    .unwrap();
    order
}

#[test]
fn a_version_2_store_is_migrated_in_place_verifies_and_continues() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("migrate2");
    let mut raw = common::raw();
    let records = version_2_store(&mut raw, &schema);
    let mut checkpoint_range = CompactRange::new();
    for r in &records {
        checkpoint_range.push(record_leaf(r));
    }
    let checkpoint = Checkpoint::new(
        TreeHead {
            size: checkpoint_range.size(),
            root: checkpoint_range.root(),
        },
        chrono::Utc::now(),
    );
    // Refused by a handle that never migrates.
    let first = records[0].instance;
    assert_older(&schema, 2);
    // Migrated on connect: the narrower rows, the function (version 3), the deadline
    // columns (version 4).
    let store = connect(&schema).unwrap();
    let version: String = raw
        .query_one(
            &format!("SELECT value FROM \"{schema}\".meta WHERE key = 'schema_version'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(version, SCHEMA_VERSION.to_string());
    let columns: Vec<String> = raw
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 \
             AND table_name = 'records' ORDER BY ordinal_position",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(columns, ["position", "instance", "seq", "record"]);
    let indexes: Vec<String> = raw
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = $1 AND tablename = 'instances' ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        indexes,
        [
            "instances_by_age",
            "instances_by_definition",
            "instances_by_due",
            "instances_pkey"
        ]
    );
    // Each head entered its state at its creation (the annotations do not move it).
    for r in records.iter().filter(|r| r.seq == 1) {
        assert_eq!(store.head(r.instance).unwrap().entered_at, r.at);
    }
    // The same log: the checkpoint verifies, and so does the whole store.
    assert_eq!(store.tree_head().unwrap().root, checkpoint.root());
    assert_eq!(verify_against_checkpoint(&store, &checkpoint).unwrap(), None);
    assert!(sample::verify(&store).unwrap().is_ok());
    // It continues, on an existing instance and a new one, in one call each.
    let repo = Repository::new(sample::engine(), &store);
    let mut inst = repo.load(first).unwrap();
    repo.apply(&mut inst, annotate("迁移之后")).unwrap();
    let (mut new, _) = repo.create(clerk(), "clerk", case("迁移之后立案"), None).unwrap();
    repo.apply(&mut new, annotate("第一条")).unwrap();
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 12);
    assert_eq!(verify_against_checkpoint(&store, &checkpoint).unwrap(), None);
    assert_eq!(store.load(first).unwrap().len(), 4);
}

/// The store of schema `version` that the code of that version wrote (tests/fixtures),
/// loaded into `schema`.
fn fixture_store(raw: &mut Client, schema: &str, version: u8) {
    let (sql, name) = match version {
        3 => (include_str!("fixtures/store-v3-sample.sql"), "regula_v3_fixture"),
        4 => (include_str!("fixtures/store-v4-sample.sql"), "regula_v4_fixture"),
        other => panic!("no fixture store of schema {other}"),
    };
    raw.batch_execute(&sql.replace(name, schema)).unwrap();
}

/// The names and argument counts of the functions in `schema`.
fn functions(raw: &mut Client, schema: &str) -> Vec<(String, i16)> {
    raw.query(
        "SELECT p.proname::text, p.pronargs FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = $1 ORDER BY 1, 2",
        &[&schema],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[test]
fn a_version_4_store_written_by_the_old_code_is_migrated_verifies_and_continues() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("migrate4");
    let mut raw = common::raw();
    fixture_store(&mut raw, &schema, 4);
    let before = fingerprint(&mut raw, &schema);
    assert_older(&schema, 4);
    assert_eq!(fingerprint(&mut raw, &schema), before);

    // Migrated on connect: a function added, no row of the data changed.
    let store = connect(&schema).unwrap();
    assert_eq!(schema_version(&mut raw, &schema), SCHEMA_VERSION.to_string());
    assert_eq!(
        functions(&mut raw, &schema),
        [("append_one".to_owned(), 16), ("append_records".to_owned(), 24)]
    );
    let data = |f: Vec<(String, String)>| f.into_iter().filter(|(t, _)| t != "meta").collect::<Vec<_>>();
    assert_eq!(data(fingerprint(&mut raw, &schema)), data(before));

    let heads = store.list(&InstanceFilter::all()).unwrap();
    let seqs: Vec<u64> = heads.iter().map(|h| h.seq).collect();
    assert_eq!(seqs, [6, 3, 1, 2, 3, 1], "A to F in order of their first records");
    let due = |text: &str| Some(chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc());
    let dues: Vec<_> = heads.iter().map(|h| h.due_at).collect();
    assert_eq!(
        dues,
        [
            None,
            None,
            None,
            None,
            due("2026-12-08T10:48:02.968663405Z"),
            due("2026-11-30T10:48:02.969336233Z")
        ]
    );
    let (a, b, e) = (heads[0].instance, heads[1].instance, heads[4].instance);
    assert_eq!(
        store.claim("document_number", "红林法〔2026〕4号").unwrap(),
        Some(regula_core::ClaimHolder { instance: b, seq: 3 })
    );
    assert_eq!(store.snapshot(a).unwrap().map(|s| s.seq), Some(6));
    assert!(store.check_storage(StorageCheck::Full).unwrap().is_empty());
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 16);

    // It continues, one record at a time (`append_one`) and in batches (`append_records`).
    let repo = Repository::new(sample::engine(), &store);
    let mut b = repo.load(b).unwrap();
    let b_entered = heads[1].entered_at;
    repo.apply(&mut b, annotate("迁移之后")).unwrap();
    assert_eq!(store.head(b.id()).unwrap().entered_at, b_entered, "a note keeps it");
    repo.apply(&mut b, sample::assign("王芳")).unwrap();
    let assigned = store.load(b.id()).unwrap().pop().unwrap();
    assert_eq!(
        store.head(b.id()).unwrap().entered_at,
        assigned.at,
        "an assignment moves it"
    );
    let deadlined = Repository::new(Engine::new(sample::deadlined()), &store);
    let mut e = deadlined.load(e).unwrap();
    deadlined.apply(&mut e, sample::hear()).unwrap();
    assert_eq!(
        store.head(e.id()).unwrap().due_at,
        e.due_at(),
        "the hearing met its deadline"
    );
    let (g, _) = deadlined.create(clerk(), "clerk", case("迁移之后立案"), None).unwrap();
    assert_eq!(store.head(g.id()).unwrap().due_at, g.due_at());
    assert!(g.due_at().is_some());
    let engine = sample::engine();
    let (h, h0) = engine.create(clerk(), "clerk", case("庚案"), None).unwrap();
    let (i, i0) = engine.create(clerk(), "clerk", case("辛案"), None).unwrap();
    store
        .append_batch(&[
            Append::of(&h, 0, std::slice::from_ref(&h0)),
            Append::of(&i, 0, std::slice::from_ref(&i0)),
        ])
        .unwrap();
    assert!(store.check_storage(StorageCheck::Full).unwrap().is_empty());
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 22);
}

/// The number of arguments of each `append_records` function in `schema`.
fn append_functions(raw: &mut Client, schema: &str) -> Vec<i16> {
    functions(raw, schema)
        .into_iter()
        .filter(|(name, _)| name == "append_records")
        .map(|(_, args)| args)
        .collect()
}

fn schema_version(raw: &mut Client, schema: &str) -> String {
    raw.query_one(
        &format!("SELECT value FROM \"{schema}\".meta WHERE key = 'schema_version'"),
        &[],
    )
    .unwrap()
    .get(0)
}

#[test]
fn a_version_3_store_written_by_the_old_code_is_migrated_verifies_and_continues() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("migrate3");
    let mut raw = common::raw();
    fixture_store(&mut raw, &schema, 3);
    let before = fingerprint(&mut raw, &schema);
    assert_older(&schema, 3);
    assert_eq!(fingerprint(&mut raw, &schema), before);

    let store = connect(&schema).unwrap();
    assert_eq!(schema_version(&mut raw, &schema), SCHEMA_VERSION.to_string());
    assert_eq!(append_functions(&mut raw, &schema), [24], "replaced, not overloaded");
    let heads = store.list(&InstanceFilter::all()).unwrap();
    let logs: Vec<Vec<AuditRecord>> = heads.iter().map(|h| store.load(h.instance).unwrap()).collect();
    let seqs: Vec<usize> = logs.iter().map(Vec::len).collect();
    assert_eq!(seqs, [6, 3, 1, 2], "A, B, C, D in order of their first records");
    // A entered "heard" with its sixth record (after a note, an assignment, a note and
    // a refused close); B stayed where its creation put it through two notes; C was
    // only created; D entered "assigned" with its second record.
    let entered: Vec<_> = heads.iter().map(|h| h.entered_at).collect();
    assert_eq!(entered, [logs[0][5].at, logs[1][0].at, logs[2][0].at, logs[3][1].at]);
    assert_ne!(heads[1].entered_at, heads[1].updated_at);
    assert!(heads.iter().all(|h| h.due_at.is_none()));
    assert!(store.check_storage(StorageCheck::Full).unwrap().is_empty());
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");

    // It continues: a note keeps B's entry into its state (the one-statement append
    // keeps the stored time), an assignment moves it.
    let repo = Repository::new(sample::engine(), &store);
    let mut b = repo.load(heads[1].instance).unwrap();
    repo.apply(&mut b, annotate("迁移之后")).unwrap();
    assert_eq!(store.head(b.id()).unwrap().entered_at, logs[1][0].at);
    repo.apply(&mut b, sample::assign("王芳")).unwrap();
    let assigned = store.load(b.id()).unwrap().pop().unwrap();
    assert_eq!(store.head(b.id()).unwrap().entered_at, assigned.at);
    // A definition with deadlines: its due time is kept and found by `due`.
    let engine = Engine::new(sample::deadlined());
    let (d, created) = engine.create(clerk(), "clerk", case("迁移之后立案"), None).unwrap();
    let due_at = d.due_at().unwrap();
    store.append(Append::of(&d, 0, std::slice::from_ref(&created))).unwrap();
    let due = store
        .due(due_at + chrono::TimeDelta::seconds(1), &InstanceFilter::all())
        .unwrap();
    assert_eq!(
        due.iter().map(|h| (h.instance, h.due_at)).collect::<Vec<_>>(),
        [(d.id(), Some(due_at))]
    );
    assert!(store.due(due_at, &InstanceFilter::all()).unwrap().is_empty());
    let report = sample::verify(&store).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 15);
}

#[test]
fn a_migration_that_fails_midway_leaves_schema_3_as_it_was() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("migrate3fail");
    let mut raw = common::raw();
    fixture_store(&mut raw, &schema, 3);
    // A relation by the name of the index migration 4 creates, made after its columns
    // are added: the migration fails there.
    raw.batch_execute(&format!("CREATE INDEX instances_by_due ON \"{schema}\".records (seq)"))
        .unwrap();
    let before = fingerprint(&mut raw, &schema);
    let err = connect(&schema).unwrap_err();
    assert!(err.to_string().contains("instances_by_due"), "{err}");
    assert_eq!(schema_version(&mut raw, &schema), "3");
    assert_eq!(
        fingerprint(&mut raw, &schema),
        before,
        "no column added, no row changed"
    );
    assert_eq!(
        append_functions(&mut raw, &schema),
        [21],
        "the old function, not replaced"
    );
    raw.batch_execute(&format!("DROP INDEX \"{schema}\".instances_by_due"))
        .unwrap();
    let store = connect(&schema).unwrap();
    assert_eq!(schema_version(&mut raw, &schema), SCHEMA_VERSION.to_string());
    assert!(sample::verify(&store).unwrap().is_ok());
}
