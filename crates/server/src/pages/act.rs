//! The action forms, generated from each action's payload schema.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::App;

/// `GET /standards/{code}/do/{action}`: not written yet.
pub async fn form(
    State(_app): State<App>,
    _headers: HeaderMap,
    _uri: Uri,
    Path(_p): Path<(String, String)>,
) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// `POST /standards/{code}/do/{action}`: not written yet.
pub async fn submit(
    State(_app): State<App>,
    _headers: HeaderMap,
    _uri: Uri,
    Path(_p): Path<(String, String)>,
) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
