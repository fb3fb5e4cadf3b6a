//! Verification: run `verify`, see the latest checkpoint.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::App;

/// `GET /verification`: not written yet.
pub async fn page(State(_app): State<App>, _headers: HeaderMap, _uri: Uri) -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
