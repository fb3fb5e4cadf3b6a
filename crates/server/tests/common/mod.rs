//! A served store for the end-to-end tests: a scratch SQLite store with the built-in
//! catalog imported, tokens for each kind of caller, the service on a free loopback
//! port in this process, and a small HTTP client.

#![allow(dead_code)]
// Test helpers: a failure here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use regula_core::Actor;
use regula_server::{Limits, ServeConfig, StoreLocation};
use regula_standards::access::TokenScope;
use regula_standards::catalog::Catalog;
use regula_standards::court::CourtConfig;
use regula_standards::service::Court;
use regula_store_sqlite::SqliteStore;
use serde_json::Value;

/// A scratch directory under Cargo's target tmp dir, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "regula-server-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.join("regula.db")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("REGULA_KEEP_TEST_FILES").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The secrets of the tokens a [`World`] issued.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// wang@综合办公室, act.
    pub office: String,
    /// li@立案庭, act: the department of ADJ-01-01 once assigned.
    pub department: String,
    /// zhao@执行局, act: another department.
    pub other_department: String,
    /// 陈伟, a leading-group member, act.
    pub leader: String,
    /// wang@综合办公室, admin.
    pub admin: String,
    /// An act token of the office, revoked.
    pub revoked: String,
}

/// A store with the built-in catalog imported on the plan's date, and tokens.
pub fn prepare(store: &Path) -> Tokens {
    let catalog = Catalog::builtin().unwrap();
    let config = CourtConfig::from_catalog(&catalog);
    let mut court = Court::open(SqliteStore::open(store).unwrap(), catalog, |e| e).unwrap();
    let office = config.office_staff("wang", "wang");
    let plan_date = Utc.with_ymd_and_hms(2022, 5, 16, 1, 0, 0).unwrap();
    court.import_at(&office, Some(plan_date)).unwrap();
    let mut issue = |actor: Actor, scope| {
        court
            .issue_token(&office, actor, scope, Some("test".to_owned()), None)
            .unwrap()
    };
    let department = config.department_staff("立案庭", "li", "li").unwrap();
    let other = config.department_staff("执行局", "zhao", "zhao").unwrap();
    let leader = config.leading_group_member("陈伟").unwrap();
    let tokens = Tokens {
        office: issue(office.clone(), TokenScope::Act).secret,
        department: issue(department, TokenScope::Act).secret,
        other_department: issue(other, TokenScope::Act).secret,
        leader: issue(leader, TokenScope::Act).secret,
        admin: issue(office.clone(), TokenScope::Admin).secret,
        revoked: String::new(),
    };
    let revoked = issue(office.clone(), TokenScope::Act);
    court
        .revoke_token(&office, &revoked.token.id, Some("test".to_owned()), None)
        .unwrap();
    Tokens {
        revoked: revoked.secret,
        ..tokens
    }
}

/// The service on a free loopback port, in this process, until dropped (a graceful
/// shutdown: requests in flight finish).
pub struct Server {
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(location: StoreLocation) -> Self {
        Self::start_with(location, Limits::default(), None)
    }

    pub fn start_with(location: StoreLocation, limits: Limits, sign: Option<PathBuf>) -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let address = listener.local_addr().unwrap();
                let config = ServeConfig {
                    store: location,
                    listen: address,
                    sign,
                    limits,
                    ..ServeConfig::default()
                };
                ready_tx.send(address).unwrap();
                regula_server::serve_on(&config, listener, async {
                    let _ = shutdown_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let address = ready_rx.recv().unwrap();
        let server = Server {
            base: format!("http://{address}"),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        };
        // The listener is bound before the court opens, and connections wait in its
        // backlog until the service answers: the first answer (whatever its status:
        // a test may give it a time limit too short for anything) means it is up.
        let status = Client::new(&server.base).get("/healthz", None).status;
        assert!(status == 200 || status == 503, "/healthz answered {status}");
        server
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

/// A response: status, headers we look at, and the body (JSON when it parses).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub etag: Option<String>,
    pub replayed: bool,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the status, showing the body when it differs.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "{}", self.text);
        self
    }

    /// Asserts the JSON body meets the OpenAPI document's schema `name` (a component,
    /// or `[name]` for an array of them); returns the body.
    pub fn conforms(&self, name: &str) -> Value {
        let body = self.json();
        conforms(&body, name);
        body
    }

    /// Asserts a problem of `kind` with `status`.
    pub fn problem(self, status: u16, kind: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "{}",
            self.content_type
        );
        let body = self.conforms("Problem");
        assert_eq!(body["type"], format!("/problems/{kind}"), "{body}");
        assert_eq!(body["status"], status, "{body}");
        assert!(!body["i18n"]["zh"]["detail"].as_str().unwrap().is_empty(), "{body}");
        assert!(!body["i18n"]["en"]["detail"].as_str().unwrap().is_empty(), "{body}");
        body
    }
}

/// A client that reports every status instead of failing on 4xx/5xx.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            base: base.to_owned(),
        }
    }

    fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = result.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type").unwrap_or_default();
        let etag = header("etag");
        let replayed = header("idempotent-replayed").is_some();
        Reply {
            status: response.status().as_u16(),
            content_type,
            etag,
            replayed,
            text: response.body_mut().read_to_string().unwrap(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.get_with(path, token, &[])
    }

    pub fn get_with(&self, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::reply(request.call())
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value, headers: &[(&str, &str)]) -> Reply {
        self.post_text(path, token, &body.to_string(), "application/json", headers)
    }

    pub fn post_text(
        &self,
        path: &str,
        token: Option<&str>,
        body: &str,
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", content_type);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::reply(request.send(body))
    }

    /// `POST /v1/standards/{code}/records` with `{action, payload, at}`.
    pub fn act(&self, token: &str, code: &str, action: &str, payload: Value, at: &str) -> Reply {
        self.post(
            &format!("/v1/standards/{code}/records"),
            Some(token),
            &serde_json::json!({"action": action, "payload": payload, "at": at}),
            &[],
        )
    }

    /// The store's size: its number of records.
    pub fn size(&self) -> u64 {
        self.get("/healthz", None).json()["records"].as_u64().unwrap()
    }
}

/// The README tour's standard.
pub const CODE: &str = "ADJ-01-01";

/// ADJ-01-01 assigned to 立案庭 and drafting, as the README tour does it.
pub fn drafting(client: &Client, t: &Tokens) {
    client
        .act(
            &t.office,
            CODE,
            "assign_department",
            serde_json::json!({"department": "立案庭"}),
            "2023-03-01",
        )
        .expect(201);
    client
        .act(
            &t.department,
            CODE,
            "start_drafting",
            serde_json::json!({}),
            "2023-03-06",
        )
        .expect(201);
}

/// Then consulted as the README tour does: the draft opened for comments, two
/// opinions recorded and adopted, the consultation closed after its 30 days.
pub fn consulted(client: &Client, t: &Tokens) {
    client
        .act(&t.department, CODE, "open_consultation", draft(), "2023-03-20")
        .expect(201);
    client
        .act(&t.department, CODE, "record_opinion", opinion(1), "2023-03-27")
        .expect(201);
    let administrative =
        serde_json::json!({"opinion": {"source": "administrative", "author": "刘科员", "content": "请统一笔录格式"}});
    client
        .act(&t.department, CODE, "record_opinion", administrative, "2023-03-28")
        .expect(201);
    for n in [1, 2] {
        client
            .act(
                &t.department,
                CODE,
                "respond_to_opinion",
                serde_json::json!({"opinion": n, "response": {"decision": "adopted"}}),
                "2023-04-03",
            )
            .expect(201);
    }
    client
        .act(
            &t.department,
            CODE,
            "close_consultation",
            serde_json::json!({}),
            "2023-04-20",
        )
        .expect(201);
}

/// The draft of the README tour.
pub fn draft() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/payloads/draft.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The meeting record of the README tour.
pub fn meeting() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/payloads/meeting.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An opinion.
pub fn opinion(n: usize) -> Value {
    serde_json::json!({"opinion": {"source": "frontline", "author": format!("法官{n}"), "content": format!("意见{n}")}})
}

/// Asserts `value` meets the OpenAPI document's schema `name` (`[name]`: an array of
/// them), naming every violation.
pub fn conforms(value: &Value, name: &str) {
    let document = regula_server::openapi::document();
    let mut root = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(item) => {
            serde_json::json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}})
        }
        None => serde_json::json!({"$ref": format!("#/components/schemas/{name}")}),
    };
    root["components"] = document["components"].clone();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {name}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the response does not meet {name}:\n{}\n{value}",
        errors.join("\n")
    );
}
