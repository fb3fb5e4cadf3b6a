//! Signing in with a token's secret, and out.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use regula_core::Lang;
use serde::Deserialize;

use super::layout::{SESSION_COOKIE, frame, lang_of_page, set_cookie};
use crate::App;
use crate::auth::authenticate;
use crate::problem::internal;

/// The sign-in form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct SignIn {
    /// The token's secret.
    #[serde(default)]
    pub token: String,
    /// Where to go once signed in.
    #[serde(default)]
    pub next: String,
}

/// Only a path of this site is a place to go back to (never another site).
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn next_of(uri: &Uri) -> String {
    uri.query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "next")
        .map(|(_, v)| super::layout::percent_decode(v))
        .unwrap_or_else(|| "/".to_owned())
}

fn form_page(lang: Lang, next: &str, error: Option<&str>) -> maud::Markup {
    let pick = |zh: &'static str, en: &'static str| if lang == Lang::Zh { zh } else { en };
    let body = html! {
        section .signin {
            h1 { (pick("登录", "Sign in")) }
            p { (pick("请粘贴综合办公室为您签发的令牌（regula token issue）。令牌只保存在本浏览器的会话 Cookie 中。",
                      "Paste the token the office issued to you (regula token issue). It is kept only in this browser's session cookie.")) }
            @if let Some(error) = error {
                p #signin-error .problem role="alert" { (error) }
            }
            form #signin method="post" action="/signin" {
                input type="hidden" name="next" value=(next);
                div .field {
                    label for="token" { (pick("令牌", "Token")) }
                    input #token type="password" name="token" autocomplete="off" required autofocus size="60";
                }
                button #signin-submit type="submit" { (pick("登录", "Sign in")) }
            }
        }
    };
    frame(lang, pick("登录", "Sign in"), None, body)
}

/// `GET /signin`: the sign-in form.
pub async fn form(uri: Uri, headers: HeaderMap) -> Response {
    let (lang, remember) = lang_of_page(&uri, &headers);
    let next = next_of(&uri);
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        form_page(lang, safe_next(&next), None).into_string(),
    )
        .into_response();
    if let Some(lang) = remember {
        set_cookie(&mut response, &super::layout::lang_cookie(lang));
    }
    response
}

/// `POST /signin`: a token that authenticates starts a session (303 to where the
/// browser was going); any other is answered 401, the same for every failure.
pub async fn submit(State(app): State<App>, uri: Uri, headers: HeaderMap, Form(input): Form<SignIn>) -> Response {
    let (lang, _) = lang_of_page(&uri, &headers);
    if let Err(response) = same_origin(&headers, lang) {
        return response;
    }
    let service = Arc::clone(&app.service);
    let secret = input.token.trim().to_owned();
    let checked = secret.clone();
    let known = tokio::task::spawn_blocking(move || {
        let court = service.court()?;
        Ok::<bool, crate::problem::Problem>(authenticate(&court, Some(&checked)).is_ok())
    })
    .await
    .unwrap_or_else(|e| Err(internal(e)));
    let next = safe_next(&input.next).to_owned();
    match known {
        Ok(true) if !secret.contains([';', ',', ' ']) => {
            let mut response = Redirect::to(&next).into_response();
            set_cookie(
                &mut response,
                &format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict"),
            );
            response
        }
        Ok(_) => {
            let message = if lang == Lang::Zh {
                "令牌无效、未知或已吊销"
            } else {
                "the token is invalid, unknown or revoked"
            };
            (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                form_page(lang, &next, Some(message)).into_string(),
            )
                .into_response()
        }
        Err(problem) => (
            problem.status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            form_page(lang, &next, Some(problem.detail.get(lang))).into_string(),
        )
            .into_response(),
    }
}

/// `POST /signout`: ends the session.
pub async fn signout() -> Response {
    let mut response = Redirect::to("/signin").into_response();
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

/// A form posted from another site is refused (cross-site request forgery), besides
/// the session cookie being `SameSite=Strict`: when the browser names the origin, it
/// must be this server's own.
pub fn same_origin(headers: &HeaderMap, lang: Lang) -> Result<(), Response> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let (Some(host), Some(origin)) = (host, origin) else {
        return Ok(());
    };
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    if authority.eq_ignore_ascii_case(host) {
        return Ok(());
    }
    let message = if lang == Lang::Zh {
        "表单来自其他站点，已拒绝"
    } else {
        "the form came from another site; refused"
    };
    Err((StatusCode::FORBIDDEN, message).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_places_to_go_back_to() {
        assert_eq!(safe_next("/standards/ADJ-01-01"), "/standards/ADJ-01-01");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
    }

    #[test]
    fn percent_decoding_reads_what_encode_writes() {
        let path = "/catalog?q=立案&state=drafting";
        assert_eq!(
            super::super::layout::percent_decode(&super::super::layout::encode(path)),
            path
        );
        assert_eq!(super::super::layout::percent_decode("%zz%41"), "%zzA");
        assert_eq!(super::super::layout::percent_decode("a%4"), "a%4");
    }
}
