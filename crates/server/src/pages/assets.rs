//! The pages' stylesheet and script, compiled into the binary: a court's closed
//! network loads nothing from outside.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet's address.
pub const STYLESHEET: &str = "/assets/regula.css";
/// The script's address.
pub const SCRIPT: &str = "/assets/regula.js";

const CSS: &str = include_str!("../../assets/regula.css");
const JS: &str = include_str!("../../assets/regula.js");

/// `GET /assets/{name}`: one of the files above; no sign-in needed (they hold no data).
pub async fn serve(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "regula.css" => (CSS, "text/css; charset=utf-8"),
        "regula.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such asset").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
        .into_response()
}
