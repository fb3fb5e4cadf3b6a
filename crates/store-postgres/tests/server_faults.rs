//! The PostgreSQL server failing under the store, for real: a server stopped with
//! `pg_ctl stop -m immediate` and restarted under eight writers, a backend terminated
//! while its commit is in flight, a commit whose reply never arrives, and a server
//! whose connection slots are all taken.
//!
//! The tests that stop their server start one of their own (initdb and pg_ctl in a
//! temporary directory, on a free loopback port), so stopping it cannot disturb the
//! other tests; they run whenever the other PostgreSQL tests run (`REGULA_PG_URL` set,
//! see `common`), and find the server binaries as `with-throwaway-postgres.sh` does.

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};
use regula_core::store::{Retried, Unavailability, retry_append};
use regula_core::{Append, AuditRecord, Store, StoreError};
use regula_store_conformance::faults::{Ack, check_exactly_once};
use regula_store_conformance::sample::{self, annotate, case, clerk};
use regula_store_postgres::{PostgresOptions, PostgresStore};

/// Polls `ready` until it holds, failing the test with `what` after `limit`.
fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A PostgreSQL server of the test's own, in a temporary directory; stopped and
/// removed on drop.
struct Cluster {
    bindir: PathBuf,
    dir: PathBuf,
    port: u16,
    settings: String,
    as_postgres: bool,
}

impl Cluster {
    /// initdb, then a start on a free port with `settings` (`-c name=value …`).
    fn start(tag: &str, settings: &str) -> Cluster {
        let bindir = bindir();
        let as_postgres = String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout)
            .unwrap()
            .trim()
            == "0";
        let dir = std::env::temp_dir().join(format!("regula-pg-{tag}-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&dir).unwrap();
        if as_postgres {
            // initdb refuses to run as root: the server runs as `postgres`, which must
            // own its directory (the way with-throwaway-postgres.sh does it).
            let chown = Command::new("chown").arg("postgres").arg(&dir).status().unwrap();
            assert!(chown.success(), "chown postgres {}", dir.display());
        }
        let mut cluster = Cluster {
            bindir,
            dir,
            port: 0,
            settings: settings.to_owned(),
            as_postgres,
        };
        let data = cluster.data();
        let initdb = cluster
            .run("initdb")
            .args([
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ])
            .args(["--locale=C", "--no-sync"])
            .output()
            .unwrap();
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        // A port the kernel just handed out and took back: free unless another process
        // grabs it in between, so try a few.
        for _ in 0..5 {
            cluster.port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if cluster.try_start() {
                return cluster;
            }
        }
        panic!(
            "the test's own PostgreSQL server did not start; its log:\n{}",
            std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default()
        );
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A server binary, run as `postgres` when the test runs as root.
    fn run(&self, tool: &str) -> Command {
        let exe = self.bindir.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(exe);
            cmd
        } else {
            Command::new(exe)
        }
    }

    /// `pg_ctl start -w`: returns once the server accepts connections.
    fn try_start(&self) -> bool {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -k {} {}",
            self.port,
            self.dir.display(),
            self.settings
        );
        self.run("pg_ctl")
            .args(["-D", self.data().to_str().unwrap(), "-l"])
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    }

    fn restart(&self) {
        assert!(self.try_start(), "the server did not start again on port {}", self.port);
    }

    /// `pg_ctl stop -m immediate`: every server process quits at once, no checkpoint;
    /// the next start runs crash recovery.
    fn stop_immediate(&self) {
        let status = self
            .run("pg_ctl")
            .args(["-D", self.data().to_str().unwrap(), "-m", "immediate", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl stop -m immediate failed");
    }

    fn url(&self, extra: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=10 {extra}",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .run("pg_ctl")
            .args(["-D", self.data().to_str().unwrap(), "-m", "immediate", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// PostgreSQL's server binaries: PG_BINDIR, `pg_config --bindir`, or the newest
/// /usr/lib/postgresql/*/bin (as with-throwaway-postgres.sh finds them).
fn bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BINDIR")
        && Path::new(&dir).join("initdb").exists()
    {
        return PathBuf::from(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
        .expect("PostgreSQL's initdb was not found (set PG_BINDIR, or install the server)")
}

fn store_at(url: &str, schema: &str) -> PostgresStore {
    PostgresStore::connect_with(
        url,
        PostgresOptions {
            schema: schema.to_owned(),
        },
    )
    .unwrap()
}

/// What one writer saw.
#[derive(Default)]
struct Seen {
    acks: Vec<Ack>,
    /// Appends refused with `Unavailable` (nothing written), by cause.
    unavailable: Vec<Unavailability>,
    /// Appends whose outcome was unknown, resolved by `retry_append`: (landed before).
    unknown: Vec<bool>,
    /// Appends begun after the server was restarted, acknowledged on the same handle.
    after_restart: usize,
}

const WRITERS: usize = 8;

#[test]
fn immediate_stop_and_restart_under_eight_writers_loses_and_duplicates_nothing() {
    if !common::enabled() {
        return;
    }
    let cluster = Cluster::start("restart", "-c max_connections=40");
    let url = cluster.url("");
    let schema = common::unique_schema("restart");
    drop(store_at(&url, &schema));
    let restarted = AtomicBool::new(false);
    let warmed = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let seen: Vec<Seen> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (url, schema, restarted, warmed, done) = (&url, &schema, &restarted, &warmed, &done);
                scope.spawn(move || writer(w, url, schema, restarted, warmed, done))
            })
            .collect();
        wait_for("every writer's first appends", Duration::from_secs(60), || {
            warmed.load(Ordering::SeqCst) == WRITERS
        });
        cluster.stop_immediate();
        cluster.restart();
        restarted.store(true, Ordering::SeqCst);
        wait_for(
            "every writer's appends after the restart",
            Duration::from_secs(120),
            || done.load(Ordering::SeqCst) == WRITERS,
        );
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    let store = store_at(&url, &schema);
    let acks: Vec<Ack> = seen.iter().flat_map(|s| s.acks.iter().copied()).collect();
    let instances: Vec<_> = seen.iter().map(|s| s.acks[0].instance).collect();
    // Every record in the store was acknowledged (unknown outcomes were all resolved),
    // each exactly once, the chains and the Merkle tree verify.
    check_exactly_once(&store, &instances, &acks, acks.len());
    for (w, s) in seen.iter().enumerate() {
        assert!(
            !s.unavailable.is_empty() || !s.unknown.is_empty(),
            "writer {w} never saw the server go away"
        );
        assert!(s.after_restart >= 3, "writer {w}'s handle did not recover");
    }
    let unavailable: Vec<_> = seen.iter().flat_map(|s| s.unavailable.iter()).collect();
    let unknown: usize = seen.iter().map(|s| s.unknown.len()).sum();
    let landed: usize = seen.iter().map(|s| s.unknown.iter().filter(|l| **l).count()).sum();
    eprintln!(
        "restart under {WRITERS} writers: {} records acknowledged, all present once; {} refused as unavailable ({:?}), {unknown} outcomes unknown ({landed} had landed)",
        acks.len(),
        unavailable.len(),
        {
            let mut causes: Vec<_> = unavailable.iter().map(|c| format!("{c:?}")).collect();
            causes.sort();
            causes.dedup();
            causes
        }
    );
}

/// One writer: its own handle and instance, appending one record at a time until it
/// has three appends acknowledged after the restart. A record refused as unavailable is
/// sent again as a plain append (if it had been written after all, that append would
/// conflict and fail the test); one whose outcome is unknown is resolved with
/// `retry_append`.
fn writer(w: usize, url: &str, schema: &str, restarted: &AtomicBool, warmed: &AtomicUsize, done: &AtomicUsize) -> Seen {
    let store = store_at(url, schema);
    let engine = sample::engine();
    let (mut instance, first) = engine
        .create(clerk(), "clerk", case(&format!("writer {w}")), None)
        .unwrap();
    store
        .append(Append {
            instance: instance.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&first),
            due_at: None,
        })
        .unwrap();
    let mut seen = Seen {
        acks: vec![Ack::of(&first)],
        ..Seen::default()
    };
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut n = 0;
    while seen.after_restart < 3 {
        assert!(Instant::now() < deadline, "writer {w} did not finish");
        let expected_seq = instance.seq();
        let record = engine.apply(&mut instance, annotate(&format!("w{w} n{n}"))).unwrap();
        n += 1;
        let batch = [Append {
            instance: instance.id(),
            expected_seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        }];
        // Begun once the new server was up, so acknowledged by it.
        let after_restart = restarted.load(Ordering::SeqCst);
        acknowledge(&store, &batch, &record, &mut seen, w, deadline);
        if after_restart {
            seen.after_restart += 1;
        }
        if seen.acks.len() == 6 {
            warmed.fetch_add(1, Ordering::SeqCst);
        }
    }
    done.fetch_add(1, Ordering::SeqCst);
    seen
}

/// Appends `batch` until it is acknowledged, classifying every failure.
fn acknowledge(
    store: &PostgresStore,
    batch: &[Append<'_>],
    record: &AuditRecord,
    seen: &mut Seen,
    w: usize,
    deadline: Instant,
) {
    let mut unknown = false;
    loop {
        assert!(
            Instant::now() < deadline,
            "writer {w}: the append was never acknowledged"
        );
        let result = if unknown {
            retry_append(store, batch, &[]).map(|r| {
                seen.unknown.push(r == Retried::AlreadyPresent);
            })
        } else {
            store.append_batch(batch).map(|_| ())
        };
        match result {
            Ok(()) => {
                seen.acks.push(Ack::of(record));
                return;
            }
            Err(StoreError::Unavailable {
                cause, ref location, ..
            }) => {
                assert!(
                    location.contains("PostgreSQL 127.0.0.1"),
                    "the error names the server: {location}"
                );
                seen.unavailable.push(cause);
                // The server is down or starting: poll again shortly.
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(StoreError::OutcomeUnknown { .. }) => unknown = true,
            Err(e) => panic!("writer {w}: an append failed with an unclassified error: {e:?}"),
        }
    }
}

/// The store's connection, found by its `application_name`.
fn backend_pid(raw: &mut Client, app: &str) -> i32 {
    let row = raw
        .query_one(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'",
            &[&app],
        )
        .unwrap();
    row.get(0)
}

#[test]
fn a_backend_terminated_during_its_commit_is_outcome_unknown_and_a_retry_writes_once() {
    let Some(url) = common::url() else {
        return;
    };
    let schema = common::unique_schema("commitkill");
    let app = format!("regula_{schema}");
    let store = store_at(&format!("{url} application_name={app}"), &schema);
    let engine = sample::engine();
    let (mut instance, first) = engine.create(clerk(), "clerk", case("killed commit"), None).unwrap();
    store
        .append(Append {
            instance: instance.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&first),
            due_at: None,
        })
        .unwrap();
    let record = engine.apply(&mut instance, annotate("in flight")).unwrap();

    // A deferred constraint trigger runs at COMMIT: this one waits for an advisory
    // lock another session holds, so the commit is in flight for as long as the test
    // wants, deterministically.
    let mut raw = common::raw();
    let key = i64::from(std::process::id()) * 1000 + 17;
    raw.batch_execute(&format!(
        "CREATE FUNCTION {schema}.hold_commit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_advisory_xact_lock({key}); RETURN NULL; END $$; \
         CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON {schema}.records \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.hold_commit(); \
         SELECT pg_advisory_lock({key});"
    ))
    .unwrap();
    let pid = backend_pid(&mut raw, &app);
    let batch = [Append {
        instance: instance.id(),
        expected_seq: 1,
        records: std::slice::from_ref(&record),
        due_at: None,
    }];
    let outcome = std::thread::scope(|scope| {
        let append = scope.spawn(|| store.append_batch(&batch));
        wait_for(
            "the append's commit to wait on the advisory lock",
            Duration::from_secs(30),
            || {
                let row = raw
                    .query_one(
                        "SELECT coalesce(query, ''), coalesce(wait_event, '') FROM pg_stat_activity WHERE pid = $1",
                        &[&pid],
                    )
                    .unwrap();
                // At the end of the one-statement append (its implicit commit), or at
                // the COMMIT of the locked path: either way the commit is in flight.
                !row.get::<_, String>(0).is_empty() && row.get::<_, String>(1) == "advisory"
            },
        );
        let killed: bool = raw
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .unwrap()
            .get(0);
        assert!(killed);
        append.join().unwrap()
    });
    match &outcome {
        Err(e @ StoreError::OutcomeUnknown { location, .. }) => {
            assert!(location.contains(&schema), "the error names the store: {location}");
            assert!(e.to_string().contains("outcome of the append is unknown"), "{e}");
        }
        other => panic!("a commit cut off in flight must be OutcomeUnknown, got {other:?}"),
    }
    raw.batch_execute(&format!(
        "SELECT pg_advisory_unlock({key}); DROP TRIGGER hold_commit ON {schema}.records;"
    ))
    .unwrap();
    // The backend died before its commit record: nothing landed, and the retry, on
    // the same handle, writes the record once; a second retry finds it.
    assert_eq!(store.head(instance.id()).unwrap().seq, 1);
    assert!(matches!(
        retry_append(&store, &batch, &[]).unwrap(),
        Retried::Appended(_)
    ));
    assert_eq!(retry_append(&store, &batch, &[]).unwrap(), Retried::AlreadyPresent);
    check_exactly_once(&store, &[instance.id()], &[Ack::of(&first), Ack::of(&record)], 2);
}

/// A TCP proxy to the server that, once armed, withholds the server's replies until
/// the next ReadyForQuery: if that one says the transaction ended (status `I`), it
/// cuts the connection instead of passing on the reply. The commit was made; the
/// client never hears so.
struct Proxy {
    port: u16,
    armed: Arc<AtomicBool>,
    cut: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(server: (String, u16)) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(AtomicUsize::new(0));
        let (a, c) = (armed.clone(), cut.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(upstream) = TcpStream::connect((server.0.as_str(), server.1)) else {
                    return;
                };
                let (mut c_in, mut u_out) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c_in, &mut u_out);
                    let _ = u_out.shutdown(Shutdown::Write);
                });
                let (a, c) = (a.clone(), c.clone());
                std::thread::spawn(move || replies(upstream, client, &a, &c));
            }
        });
        Proxy { port, armed, cut }
    }
}

/// Passes the server's messages to the client (see [`Proxy`]). Every message after
/// the startup is a type byte and a length that counts itself.
fn replies(mut upstream: TcpStream, mut client: TcpStream, armed: &AtomicBool, cut: &AtomicUsize) {
    let mut held = Vec::new();
    loop {
        let mut header = [0u8; 5];
        if upstream.read_exact(&mut header).is_err() {
            break;
        }
        let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        let mut body = vec![0u8; len.saturating_sub(4)];
        if upstream.read_exact(&mut body).is_err() {
            break;
        }
        held.extend_from_slice(&header);
        held.extend_from_slice(&body);
        if !armed.load(Ordering::SeqCst) {
            if client.write_all(&held).is_err() {
                break;
            }
            held.clear();
        } else if header[0] == b'Z' {
            if body.first() == Some(&b'I') {
                armed.store(false, Ordering::SeqCst);
                cut.fetch_add(1, Ordering::SeqCst);
                break;
            }
            if client.write_all(&held).is_err() {
                break;
            }
            held.clear();
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
}

#[test]
fn a_commit_whose_reply_is_lost_is_outcome_unknown_and_the_retry_finds_it() {
    let Some(url) = common::url() else {
        return;
    };
    let config: postgres::Config = url.parse().unwrap();
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let proxy = Proxy::start((host, port));
    let through = format!(
        "{} sslmode=disable",
        url.split_whitespace()
            .filter(|p| !p.starts_with("host=") && !p.starts_with("port="))
            .chain(["host=127.0.0.1"])
            .collect::<Vec<_>>()
            .join(" ")
    ) + &format!(" port={}", proxy.port);
    let schema = common::unique_schema("lostreply");
    let store = store_at(&through, &schema);
    let engine = sample::engine();
    let (mut instance, first) = engine.create(clerk(), "clerk", case("lost reply"), None).unwrap();
    store
        .append(Append {
            instance: instance.id(),
            expected_seq: 0,
            records: std::slice::from_ref(&first),
            due_at: None,
        })
        .unwrap();
    let record = engine.apply(&mut instance, annotate("reply lost")).unwrap();
    let batch = [Append {
        instance: instance.id(),
        expected_seq: 1,
        records: std::slice::from_ref(&record),
        due_at: None,
    }];
    proxy.armed.store(true, Ordering::SeqCst);
    match store.append_batch(&batch) {
        Err(StoreError::OutcomeUnknown { location, .. }) => {
            assert!(location.contains(&schema), "the error names the store: {location}")
        }
        other => panic!("a commit whose reply was lost must be OutcomeUnknown, got {other:?}"),
    }
    assert_eq!(proxy.cut.load(Ordering::SeqCst), 1, "the proxy cut the commit's reply");
    // The commit was made: the retry on the same handle finds the record and writes
    // nothing; the store holds it exactly once.
    assert_eq!(retry_append(&store, &batch, &[]).unwrap(), Retried::AlreadyPresent);
    check_exactly_once(
        &store_at(&url, &schema),
        &[instance.id()],
        &[Ack::of(&first), Ack::of(&record)],
        2,
    );
    // A different record at the same place is another writer's: a conflict, not
    // "already present".
    let mut other = record.clone();
    other.hash = first.hash;
    let forged = [Append {
        records: std::slice::from_ref(&other),
        ..batch[0]
    }];
    assert!(retry_append(&store, &forged, &[]).unwrap_err().is_conflict());
}

#[test]
fn a_server_out_of_connection_slots_is_unavailable_with_its_cause() {
    if !common::enabled() {
        return;
    }
    let cluster = Cluster::start("slots", "-c max_connections=3 -c superuser_reserved_connections=0");
    let url = cluster.url("");
    let schema = common::unique_schema("slots");
    let store = store_at(&format!("{url} application_name=slots_store"), &schema);
    let mut held: Vec<Client> = (0..2).map(|_| Client::connect(&url, NoTls).unwrap()).collect();
    match PostgresStore::connect_with(&url, PostgresOptions { schema: schema.clone() }) {
        Err(e @ StoreError::Unavailable { .. }) => {
            assert_eq!(e.unavailable(), Some(Unavailability::TooManyConnections), "{e}");
            let shown = e.to_string();
            assert!(
                shown.contains("too many connections") && shown.contains(&format!("127.0.0.1:{}", cluster.port)),
                "the error names the cause and the server: {shown}"
            );
        }
        other => panic!("a full server must answer Unavailable(TooManyConnections), got {other:?}"),
    }
    // The store's own connection terminated, and its slot taken by another client at
    // once: the handle's reconnect is refused, with the same typed cause.
    let pid = backend_pid(&mut held[0], "slots_store");
    let killed: bool = held[0]
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(killed);
    let mut taker = None;
    wait_for("the terminated backend's slot", Duration::from_secs(30), || {
        taker = Client::connect(&url, NoTls).ok();
        taker.is_some()
    });
    match store.tree_head() {
        Err(e) => assert_eq!(e.unavailable(), Some(Unavailability::TooManyConnections), "{e}"),
        Ok(head) => panic!("a handle whose reconnect is refused must say so, got {head:?}"),
    }
    // A slot given back: the same handle reconnects.
    drop(taker);
    wait_for("the same handle to reconnect", Duration::from_secs(30), || {
        store.tree_head().is_ok()
    });
    assert_eq!(store.tree_head().unwrap().size, 0);
    // A slot given back lets a new handle in.
    drop(store);
    drop(held);
    wait_for("a connection slot to free up", Duration::from_secs(30), || {
        PostgresStore::connect_with(&url, PostgresOptions { schema: schema.clone() }).is_ok()
    });
}
