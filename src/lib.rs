//! Regula: the lifecycle of work standards as a typed, guarded, audited state machine.
//!
//! This facade re-exports the public crates, so a program depends on `regula` alone:
//!
//! - [`core`] (also re-exported at the top level): the engine — definitions, guards,
//!   the hash-chained audit log, replay, the [`Store`] trait, [`MemoryStore`] and
//!   [`Repository`]. See its documentation for a runnable example.
//! - [`standards`]: a court's work standards on the engine — the lifecycle of one
//!   standard, the plan's rules, the catalog of 117 standards, progress and lateness
//!   reports, and [`standards::service::Court`], the catalog, definition and a store
//!   addressed by standard code.
//! - `sqlite` (feature `sqlite`, on by default): `sqlite::SqliteStore`, the default
//!   embedded store (one SQLite file, WAL, `synchronous=FULL`).
//! - `postgres` (feature `postgres`, on by default): `postgres::PostgresStore`, one
//!   audit log shared by several application servers. An embedder that wants SQLite
//!   alone turns the default features off and compiles neither the PostgreSQL client
//!   nor tokio: `regula = { version = "0.1", default-features = false, features =
//!   ["sqlite"] }`.
//! - [`proof`]: signed checkpoints and inclusion and consistency proofs, verifiable
//!   offline with only a public key.
//! - `testkit` (with the `testkit` feature): proptest strategies, invariants,
//!   model-based testing and the state-space explorer for lifecycle rules.
//! - `report` (with the `report` feature): a court's report as SVG charts, one
//!   self-contained HTML page and an Excel workbook.
//!
//! The examples in the repository's `examples/` directory show each in use:
//! `embed` (the smallest embedding), `postgres`, and `standardization_year` (the
//! court's whole plan, 2022–2025, played on a SQLite store).

pub use regula_core as core;
pub use regula_core::*;

/// Court work standards: lifecycle, rules, catalog, plan reports and the court service.
pub use regula_standards as standards;

/// The embedded SQLite store (feature `sqlite`, on by default).
#[cfg(feature = "sqlite")]
pub use regula_store_sqlite as sqlite;

/// The PostgreSQL store (feature `postgres`, on by default).
#[cfg(feature = "postgres")]
pub use regula_store_postgres as postgres;

/// Provable history: signed checkpoints, inclusion and consistency proofs.
pub use regula_proof as proof;

/// Property-testing lifecycle rules (feature `testkit`).
#[cfg(feature = "testkit")]
pub use regula_testkit as testkit;

/// The HTTP/JSON service, `regula serve` (feature `server`; it brings axum and tokio).
#[cfg(feature = "server")]
pub use regula_server as server;

/// Reports as files: SVG charts, one self-contained HTML page, an Excel workbook
/// (`regula-report`; feature `report`).
#[cfg(feature = "report")]
pub use regula_report as report;
