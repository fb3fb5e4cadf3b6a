//! The HTTP service under concurrent load (group commit) against the store's own
//! single-append rate for the same action through the library, same run, same store
//! kind: SQLite (synchronous=FULL) and, when `REGULA_PG_URL` is set, PostgreSQL in a
//! database of its own.
//!
//! The load client is bounded: each level stops at a request count or a wall time,
//! whichever comes first, and it only ever talks to the service it started itself on
//! a loopback address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use postgres::{Client, NoTls};
use regula_core::{Action, Actor, Command};
use regula_server::{AnyStore, Limits, ServeConfig, StoreLocation};
use regula_standards::access::TokenScope;
use regula_standards::catalog::Catalog;
use regula_standards::court::CourtConfig;
use regula_standards::lifecycle::StandardAction;
use regula_standards::service::Court;
use regula_store_postgres::{PostgresOptions, PostgresStore};
use regula_store_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use serde_json::{Value, json};

use crate::measure::human;
use crate::postgres::URL_VAR;
use crate::report::{Report, Row};
use crate::sqlite::fresh;

/// The concurrency levels measured.
const LEVELS: [usize; 3] = [1, 16, 64];

/// How big a run is.
#[derive(Clone, Copy)]
struct Bounds {
    /// Standards brought to consultation; client `i` posts to standard `i % standards`.
    standards: usize,
    /// Single appends through the library for the baseline, before each level.
    baseline: usize,
    /// Requests per level, at most.
    requests: usize,
    /// Wall time per level, at most.
    time: Duration,
}

/// What one level measured.
struct Level {
    clients: usize,
    ok: usize,
    errors: Vec<String>,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// Records and batches the server's writer committed during the level.
    batch_records: f64,
    batches: f64,
}

impl Level {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1e3
    }
}

/// Runs the section on SQLite, then on PostgreSQL (or reports it skipped).
pub fn run(report: &mut Report, quick: bool, dir: &Path) {
    let bounds = if quick {
        Bounds {
            standards: 16,
            baseline: 150,
            requests: 500,
            time: Duration::from_secs(4),
        }
    } else {
        Bounds {
            standards: 32,
            baseline: 500,
            requests: 2_000,
            time: Duration::from_secs(10),
        }
    };
    let path = fresh(dir, "serve.db");
    let options = SqliteOptions::default();
    assert!(
        options.synchronous == Synchronous::Full,
        "the default SQLite options must sync fully"
    );
    let store = AnyStore::Sqlite(SqliteStore::open_with(&path, options.clone()).expect("open the SQLite store"));
    let baseline = AnyStore::Sqlite(
        SqliteStore::open_with(fresh(dir, "serve-baseline.db"), options).expect("open the SQLite store"),
    );
    measure_store(
        report,
        "SQLite (WAL, synchronous=FULL)",
        (store, StoreLocation::Sqlite(path)),
        baseline,
        bounds,
        true,
    );

    let Ok(url) = std::env::var(URL_VAR) else {
        for clients in LEVELS {
            report.push(Row {
                section: "serve",
                what: format!("PostgreSQL: `do` record_opinion over HTTP, {clients} concurrent clients"),
                figure: "not measured".into(),
                baseline:
                    "skipped: set REGULA_PG_URL or run under crates/store-postgres/scripts/with-throwaway-postgres.sh"
                        .into(),
                ratio: None,
                target: None,
            });
        }
        return;
    };
    let database = Database::create(&url);
    let pg = regula_store_postgres::with_database(&url, &database.name);
    let store = AnyStore::Postgres(Box::new(
        PostgresStore::connect(&pg).expect("open the PostgreSQL store"),
    ));
    let baseline = AnyStore::Postgres(Box::new(
        PostgresStore::connect_with(
            &pg,
            PostgresOptions {
                schema: "bench_baseline".to_owned(),
            },
        )
        .expect("open the PostgreSQL store"),
    ));
    measure_store(
        report,
        "PostgreSQL (loopback, synchronous_commit=on)",
        (store, StoreLocation::Postgres(pg)),
        baseline,
        bounds,
        false,
    );
}

/// A court on `store` with the catalog imported on the plan's date, and
/// `bounds.standards` standards in consultation, each with the actor and token that
/// record opinions on it.
fn prepare(store: AnyStore, bounds: Bounds) -> (Court<AnyStore>, Vec<(String, Actor, String)>) {
    let catalog = Catalog::builtin().expect("the built-in catalog");
    let config = CourtConfig::from_catalog(&catalog);
    let mut court = Court::open(store, catalog.clone(), |e| e).expect("open the court");
    let office = config.office_staff("wang", "wang");
    court
        .import_at(
            &office,
            Some(Utc.with_ymd_and_hms(2022, 5, 16, 1, 0, 0).single().expect("a date")),
        )
        .expect("import the catalog");
    // Standards the plan leaves unassigned go to 立案庭; the others stay with their
    // department, whose staff act on them under a token of their own.
    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut standards: Vec<(String, Actor, String)> = Vec::new();
    let draft = draft();
    for entry in catalog.standards() {
        if standards.len() == bounds.standards {
            break;
        }
        let (name, assign) = match &entry.department {
            None => ("立案庭".to_owned(), true),
            Some(d) => (d.department.clone(), false),
        };
        let Some(actor) = config.department_staff(&name, "bench", "bench") else {
            continue;
        };
        let token = match tokens.get(&name) {
            Some(token) => token.clone(),
            None => {
                let issued = court
                    .issue_token(&office, actor.clone(), TokenScope::Act, Some("bench".into()), None)
                    .expect("issue a token")
                    .secret;
                tokens.insert(name.clone(), issued.clone());
                issued
            }
        };
        let code = entry.code.clone();
        let mut steps = Vec::new();
        if assign {
            steps.push((&office, "assign_department", json!({"department": name}), (2023, 3, 1)));
        }
        steps.push((&actor, "start_drafting", json!({}), (2023, 3, 6)));
        steps.push((&actor, "open_consultation", draft.clone(), (2023, 3, 20)));
        for (who, action, payload, (y, m, d)) in steps {
            let at = Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).single().expect("a date");
            let record = court
                .apply(&code, command(&court, &code, who, action, &payload).at(at))
                .unwrap_or_else(|e| panic!("{code} {action}: {e}"));
            assert!(!record.is_refused(), "{code} {action} refused: {:?}", record.outcome);
        }
        standards.push((code, actor, token));
    }

    (court, standards)
}

/// `n` opinions through the library, one transaction each; records per second.
fn single_appends(court: &mut Court<AnyStore>, standards: &[(String, Actor, String)], n: usize, tag: &str) -> f64 {
    let started = Instant::now();
    for i in 0..n {
        let (code, actor, _) = &standards[i % standards.len()];
        let payload = opinion(&format!("baseline-{tag}-{i}"));
        let record = court
            .apply(code, command(court, code, actor, "record_opinion", &payload))
            .expect("record an opinion");
        assert!(!record.is_refused(), "refused: {:?}", record.outcome);
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Prepares the served store and a second one of the same kind for the baseline,
/// then, at each level, measures the baseline (the library's single appends, right
/// before the level, since a sync's cost on a shared virtual disk drifts several-fold
/// within a minute) and the service; checks the served store afterwards.
fn measure_store(
    report: &mut Report,
    kind: &str,
    (store, location): (AnyStore, StoreLocation),
    baseline_store: AnyStore,
    bounds: Bounds,
    target: bool,
) {
    let catalog = Catalog::builtin().expect("the built-in catalog");
    let (court, standards) = prepare(store, bounds);
    let codes: Vec<String> = standards.iter().map(|s| s.0.clone()).collect();
    let before = count(&court, &codes).len();
    drop(court);
    let (mut baseline_court, baseline_standards) = prepare(baseline_store, bounds);

    let server = Server::start(location.clone());
    let mut acknowledged: Vec<String> = Vec::new();
    let mut levels = Vec::new();
    for clients in LEVELS {
        let baseline = single_appends(
            &mut baseline_court,
            &baseline_standards,
            bounds.baseline,
            &clients.to_string(),
        );
        let (level, authors) = load(&server, &standards, clients, bounds);
        acknowledged.extend(authors);
        levels.push((level, baseline));
    }
    drop(server);

    // Afterwards: every acknowledged opinion is in the store exactly once, and nothing
    // else was written.
    let court =
        Court::open(location.open_existing().expect("reopen the store"), catalog, |e| e).expect("reopen the court");
    let written = count(&court, &codes);
    let mut found: HashMap<&str, usize> = HashMap::new();
    for author in &written {
        *found.entry(author.as_str()).or_default() += 1;
    }
    let lost = acknowledged.iter().filter(|a| !found.contains_key(a.as_str())).count();
    let duplicated = found.values().filter(|n| **n > 1).map(|n| n - 1).sum::<usize>();
    let new = written.len() - before;
    let verified = court.verify(None, &mut |_, _| {}).expect("verify");
    let check = format!(
        "afterwards: {} acknowledged, {new} written, {lost} lost, {duplicated} duplicated; verify {}",
        acknowledged.len(),
        if verified.is_ok() {
            format!("ok ({} records)", verified.records)
        } else {
            format!("FAILED: {}", verified.problem_texts(regula_core::Lang::En).join("; "))
        }
    );
    let sound = lost == 0 && duplicated == 0 && new == acknowledged.len() && verified.is_ok();

    for (level, baseline) in &levels {
        let baseline = *baseline;
        let ratio = level.rate() / baseline;
        let mean_batch = if level.batches > 0.0 {
            level.batch_records / level.batches
        } else {
            0.0
        };
        let errors = if level.errors.is_empty() {
            "no errors".to_owned()
        } else {
            format!("{} ERRORS, first: {}", level.errors.len(), level.errors[0])
        };
        let met = if target && level.clients == 64 {
            Some((
                "≥ 10× the single-append rate, none lost or duplicated".to_owned(),
                ratio >= 10.0 && sound && level.errors.is_empty(),
            ))
        } else {
            None
        };
        report.push(Row {
            section: "serve",
            what: format!(
                "{kind}: `do` record_opinion over HTTP, {} concurrent clients ({} requests in {:.1} s, {} standards; {errors}; mean group commit {mean_batch:.1} records; {check})",
                level.clients,
                level.ok,
                level.elapsed.as_secs_f64(),
                codes.len(),
            ),
            figure: format!(
                "{} requests/s, p50 {:.1} ms, p99 {:.1} ms",
                human(level.rate()),
                level.percentile(0.5),
                level.percentile(0.99)
            ),
            baseline: format!(
                "single append through the library just before (Court::apply, one transaction each; a store of its own) {}/s",
                human(baseline)
            ),
            ratio: Some(ratio),
            target: met,
        });
    }
}

/// `action` with `payload` on `code` by `actor` in its default role.
fn command(
    court: &Court<AnyStore>,
    code: &str,
    actor: &Actor,
    action: &str,
    payload: &Value,
) -> Command<StandardAction> {
    let action = StandardAction::from_parts(action, payload).expect("a payload that fits");
    let role = court
        .default_role(code, actor, action.name())
        .expect("a role for the action");
    Command::new(actor.clone(), role, action)
}

/// The authors of every opinion recorded on `codes`.
fn count(court: &Court<AnyStore>, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .flat_map(|code| court.history(code).expect("history"))
        .filter(|r| r.action == "record_opinion")
        .filter_map(|r| r.payload.to_value()["opinion"]["author"].as_str().map(str::to_owned))
        .collect()
}

/// The draft of the README tour.
fn draft() -> Value {
    let text = include_str!("../../../examples/payloads/draft.json");
    serde_json::from_str(text).expect("the example draft is JSON")
}

fn opinion(author: &str) -> Value {
    json!({"opinion": {"source": "frontline", "author": author, "content": "请统一笔录格式"}})
}

/// `clients` threads posting record_opinion until the level's request count or wall
/// time is reached; returns the level and the authors of the acknowledged opinions.
fn load(
    server: &Server,
    standards: &[(String, Actor, String)],
    clients: usize,
    bounds: Bounds,
) -> (Level, Vec<String>) {
    let (records0, batches0) = batch_metrics(server);
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + bounds.time;
    let results: Vec<(Vec<Duration>, Vec<String>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let issued = Arc::clone(&issued);
                let (code, _, token) = &standards[c % standards.len()];
                let path = format!("{}/v1/standards/{code}/records", server.base);
                let agent = agent();
                let authorization = format!("Bearer {token}");
                scope.spawn(move || {
                    let (mut latencies, mut authors, mut errors) = (Vec::new(), Vec::new(), Vec::new());
                    while Instant::now() < deadline {
                        let n = issued.fetch_add(1, Ordering::Relaxed);
                        if n >= bounds.requests {
                            break;
                        }
                        let author = format!("c{clients}-{c}-{n}");
                        let body = json!({"action": "record_opinion", "payload": opinion(&author)});
                        let sent = Instant::now();
                        let response = agent
                            .post(&path)
                            .header("Authorization", &authorization)
                            .header("Content-Type", "application/json")
                            .send(body.to_string());
                        match response {
                            Ok(mut r) if r.status() == 201 => {
                                // The whole body is read before the clock stops.
                                let _ = r.body_mut().read_to_string();
                                latencies.push(sent.elapsed());
                                authors.push(author);
                            }
                            Ok(mut r) => errors.push(format!(
                                "{} {}",
                                r.status(),
                                r.body_mut().read_to_string().unwrap_or_default()
                            )),
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                    (latencies, authors, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a client thread"))
            .collect()
    });
    let elapsed = started.elapsed();
    let (records1, batches1) = batch_metrics(server);
    let mut level = Level {
        clients,
        ok: 0,
        errors: Vec::new(),
        elapsed,
        latencies: Vec::new(),
        batch_records: records1 - records0,
        batches: batches1 - batches0,
    };
    let mut acknowledged = Vec::new();
    for (latencies, authors, errors) in results {
        level.ok += authors.len();
        level.latencies.extend(latencies);
        level.errors.extend(errors);
        acknowledged.extend(authors);
    }
    (level, acknowledged)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// The sum and count of the server's `regula_commit_batch_records` histogram.
fn batch_metrics(server: &Server) -> (f64, f64) {
    let text = agent()
        .get(format!("{}/metrics", server.base))
        .call()
        .expect("GET /metrics")
        .body_mut()
        .read_to_string()
        .expect("the metrics");
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse::<f64>().ok()))
            .unwrap_or(0.0)
    };
    (
        value("regula_commit_batch_records_sum"),
        value("regula_commit_batch_records_count"),
    )
}

/// The service in this process on a loopback port, until dropped (a graceful
/// shutdown: every queued write is written first).
struct Server {
    base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(location: StoreLocation) -> Self {
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        // The load client must never reach past this machine.
        assert!(listen.ip().is_loopback(), "the benchmark serves on loopback only");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen).await.expect("bind loopback");
                let address = listener.local_addr().expect("the bound address");
                let config = ServeConfig {
                    store: location,
                    listen: address,
                    limits: Limits::default(),
                    ..ServeConfig::default()
                };
                let _ = ready_tx.send(address);
                regula_server::serve_on(&config, listener, async {
                    let _ = shutdown_rx.await;
                })
                .await
                .expect("serve");
            });
        });
        let address = ready_rx.recv().expect("the server's address");
        assert!(address.ip().is_loopback(), "the benchmark serves on loopback only");
        let server = Server {
            base: format!("http://{address}"),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        };
        let agent = agent();
        for _ in 0..1000 {
            if agent
                .get(format!("{}/healthz", server.base))
                .call()
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the server at {} did not become healthy", server.base);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A database of the run's own (the service uses the default schema), dropped when
/// the section ends, however it ends.
struct Database {
    admin: Client,
    name: String,
}

impl Database {
    fn create(url: &str) -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000);
        let name = format!("regula_bench_serve_{}_{millis}", std::process::id());
        let mut admin = Client::connect(url, NoTls).expect("connect to REGULA_PG_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the run's database");
        Database { admin, name }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}
