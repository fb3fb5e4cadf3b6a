//! `regula serve`: a court's work standards as an HTTP/JSON service, for court systems
//! that are not written in Rust.
//!
//! The service offers the command line's operations — catalog, list, show, log, do,
//! preview, report, verify, checkpoint, prove, and the catalog import — over HTTP on
//! the same library and the same stores (SQLite by default, PostgreSQL when several
//! servers share one database). Its interface is described by an OpenAPI 3.1
//! document ([`openapi::document`], served at `/openapi.json` and committed as
//! `crates/server/openapi.json`), and its errors are RFC 9457 problem details in
//! Chinese and English ([`problem`]).
//!
//! **Who is calling.** Every operation but `/healthz`, `/metrics` and
//! `/openapi.json` needs a bearer token, issued and revoked with `regula token`, kept
//! hashed in the store's chained access log ([`regula_standards::access`]). A record's
//! actor is the token's, never one named in the request. An `act` token acts on
//! standards in the roles its actor fits (a department's only on its own standards);
//! an `admin` token imports catalogs and nothing else.
//!
//! **Retries and races.** `If-Match` carries the sequence number a client last saw
//! (a standard's `ETag`; 412 when its log moved on); 409 when another writer got in
//! first; a retried `POST` under the same `Idempotency-Key` answers the first result:
//! the key is claimed by the record, in the same transaction.
//!
//! **Group commit.** Actions from concurrent requests are decided in order by one
//! writer and written together, one transaction and one sync per batch
//! ([`regula_standards::service::Court::apply_batch`]); each request is answered once
//! its record is durable.
//!
//! ```no_run
//! use regula_server::{Limits, ServeConfig, StoreLocation};
//!
//! let config = ServeConfig {
//!     store: StoreLocation::Sqlite("court.db".into()),
//!     listen: "127.0.0.1:8080".parse().unwrap(),
//!     ..ServeConfig::default()
//! };
//! // Serves until SIGTERM or Ctrl-C; requests in flight finish first.
//! regula_server::run(config).unwrap();
//! ```

pub mod any_store;
pub mod auth;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use regula_core::Text;

pub use any_store::{AnyStore, StoreLocation};
pub use state::Service;

use crate::problem::{Problem, lang_of};
use crate::state::Writer;

/// Limits on what a request may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body accepted (413 above it).
    pub body_bytes: usize,
    /// How long a request may take before it is answered 503 `timeout` (a write that
    /// was queued still happens: retry it under the same `Idempotency-Key`).
    pub request_timeout: Duration,
    /// The most records one group commit writes.
    pub max_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            max_batch: 256,
        }
    }
}

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The store.
    pub store: StoreLocation,
    /// The catalog for a store that records none yet (absent: the built-in plan).
    pub catalog: Option<PathBuf>,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The key to sign checkpoints and proofs with (a secret key file).
    pub sign: Option<PathBuf>,
    /// The checkpoints' origin (absent: the key's name, else `regula`).
    pub origin: Option<String>,
    /// The limits.
    pub limits: Limits,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            store: StoreLocation::Sqlite(PathBuf::from("regula.db")),
            catalog: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            sign: None,
            origin: None,
            limits: Limits::default(),
        }
    }
}

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store, the catalog or the court could not be opened.
    #[error(transparent)]
    Service(#[from] regula_standards::service::ServiceError),
    /// The catalog file is wrong.
    #[error(transparent)]
    Catalog(#[from] regula_standards::catalog::CatalogError),
    /// The signing key could not be read.
    #[error("signing key: {0}")]
    Key(String),
    /// The address could not be bound, or serving failed.
    #[error("{address}: {source}")]
    Io {
        /// The address.
        address: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The court and its metrics.
    pub service: Arc<Service>,
    /// The group-commit writer.
    pub writer: Arc<Writer>,
}

/// The service's routes over `app`.
pub fn router(app: App) -> Router {
    let limits = app.service.limits;
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(routes::openapi))
        .route("/v1/catalog", get(routes::catalog))
        .route("/v1/catalog/import", post(routes::import))
        .route("/v1/standards", get(routes::list))
        .route("/v1/standards/{code}", get(routes::show))
        .route("/v1/standards/{code}/records", get(routes::records).post(routes::act))
        .route("/v1/standards/{code}/records/{seq}", get(routes::record))
        .route("/v1/standards/{code}/records/{seq}/proof", get(routes::prove))
        .route("/v1/standards/{code}/preview", post(routes::preview))
        .route("/v1/reports", get(routes::report))
        .route("/v1/verify", get(routes::verify))
        .route("/v1/checkpoint", get(routes::checkpoint))
        .merge(pages::routes())
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// Times each request out, and counts it in the metrics by its route's pattern.
async fn observe(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let lang = lang_of(request.headers());
    let limits = app.service.limits;
    // A body announced larger than the limit is refused before any of it is read.
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.body_bytes as u64) {
        let response = Problem::new(
            "too-large",
            Text::owned(
                format!("请求体超过 {} 字节的上限", limits.body_bytes),
                format!(
                    "the request body is larger than the limit of {} bytes",
                    limits.body_bytes
                ),
            ),
        )
        .in_lang(lang)
        .into_response();
        app.service
            .metrics
            .request(&route, response.status().as_u16(), started.elapsed());
        return response;
    }
    let timeout = limits.request_timeout;
    let response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            "timeout",
            Text::owned(
                format!("请求未在 {} 秒内处理完；写入请求若已排队仍会写入，可用同一 Idempotency-Key 重试", timeout.as_secs()),
                format!(
                    "the request took longer than {} s; a write already queued still happens: retry it under the same Idempotency-Key",
                    timeout.as_secs()
                ),
            ),
        )
        .in_lang(lang)
        .into_response(),
    };
    app.service
        .metrics
        .request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Opens the court and serves on `listener` until `shutdown` completes; requests in
/// flight finish, and every queued write is written, before it returns.
pub async fn serve_on(
    config: &ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let key = config
        .sign
        .as_deref()
        .map(regula_proof::SigningKey::read_secret)
        .transpose()
        .map_err(|e| ServeError::Key(e.to_string()))?;
    let (store, catalog, origin, limits) = (
        config.store.clone(),
        config.catalog.clone(),
        config.origin.clone(),
        config.limits,
    );
    let service = tokio::task::spawn_blocking(move || Service::open(store, catalog.as_ref(), key, origin, limits))
        .await
        .map_err(|e| ServeError::Key(e.to_string()))??;
    let service = Arc::new(service);
    let writer = Writer::start(Arc::clone(&service), limits.max_batch).map_err(|source| ServeError::Io {
        address: config.listen.to_string(),
        source,
    })?;
    let writer = Arc::new(writer);
    let app = App {
        service,
        writer: Arc::clone(&writer),
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| config.listen.to_string(), |a| a.to_string());
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Io { address, source })?;
    // Every handler has returned; the writer finishes what is queued (nothing, once
    // every request was answered) and stops.
    drop(writer);
    Ok(())
}

/// Serves `config` until SIGTERM or Ctrl-C, on a runtime of its own; prints the
/// address it listens on to stderr.
pub fn run(config: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io {
            address: config.listen.to_string(),
            source,
        })?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServeError::Io {
                address: config.listen.to_string(),
                source,
            })?;
        if let Ok(address) = listener.local_addr() {
            eprintln!("regula serve: http://{address} ({})", config.store.describe());
        }
        serve_on(&config, listener, shutdown_signal()).await
    })
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
