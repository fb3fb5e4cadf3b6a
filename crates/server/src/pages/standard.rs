//! A standard's page: its timeline, what blocks it, its versions and their
//! differences, and proofs of its records.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::App;

/// `GET /standards/{code}`: not written yet.
pub async fn page(State(_app): State<App>, _headers: HeaderMap, _uri: Uri, Path(_code): Path<String>) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// `GET /standards/{code}/diff`: not written yet.
pub async fn diff(State(_app): State<App>, _headers: HeaderMap, _uri: Uri, Path(_code): Path<String>) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// `GET /standards/{code}/records/{seq}/proof`: not written yet.
pub async fn proof(State(_app): State<App>, _headers: HeaderMap, _uri: Uri, Path(_p): Path<(String, u64)>) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
