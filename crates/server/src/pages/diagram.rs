//! The lifecycle diagram.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::App;

/// `GET /diagram`: not written yet.
pub async fn page(State(_app): State<App>, _headers: HeaderMap, _uri: Uri) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
