//! The pages the court's staff open in a browser: server-rendered HTML over the same
//! library calls as the JSON interface, under the same tokens and rules.
//!
//! Reading works without scripts; every asset is served by the binary (`/assets/…`),
//! because court networks are closed. Chinese by default, English with `?lang=en`
//! (remembered in a cookie). A browser signs in with the secret of a token issued by
//! `regula token issue`: it is kept in an `HttpOnly`, `SameSite=Strict` cookie and
//! checked against the access log on every request, as a bearer token is.
//!
//! Module map: [`layout`] (the frame of every page, the session, the language),
//! [`signin`], [`dashboard`], [`catalog`] (catalog and departments), [`diagram`],
//! [`standard`] (a standard's page, its version differences and proofs), [`act`] (the
//! action forms), [`reports`] (the report and its files), [`verification`], [`assets`].

pub mod act;
pub mod assets;
pub mod catalog;
pub mod dashboard;
pub mod diagram;
pub mod layout;
pub mod reports;
pub mod signin;
pub mod standard;
pub mod verification;

use axum::Router;
use axum::routing::{get, post};

use crate::App;

/// The pages' routes (merged into the service's router).
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/signin", get(signin::form).post(signin::submit))
        .route("/signout", post(signin::signout))
        .route("/catalog", get(catalog::page))
        .route("/departments/{id}", get(catalog::department))
        .route("/diagram", get(diagram::page))
        .route("/standards/{code}", get(standard::page))
        .route("/standards/{code}/diff", get(standard::diff))
        .route("/standards/{code}/records/{seq}/proof", get(standard::proof))
        .route("/standards/{code}/do/{action}", get(act::form).post(act::submit))
        .route("/reports", get(reports::page))
        .route("/reports/download", get(reports::download))
        .route("/verification", get(verification::page))
        .route("/assets/{name}", get(assets::serve))
}
