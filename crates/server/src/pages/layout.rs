//! The frame every page shares: who is signed in, in which language, the header and
//! navigation, and how a page answers a problem.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use regula_core::{Lang, Text};
use regula_standards::service::Court;

use super::assets;
use crate::App;
use crate::any_store::AnyStore;
use crate::auth::{Caller, authenticate};
use crate::problem::{Problem, internal};
use crate::state::Service;

/// The cookie that holds a signed-in browser's token secret.
pub const SESSION_COOKIE: &str = "regula_session";
/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "regula_lang";

/// What a page is rendered for: the signed-in caller, the language, and the address
/// asked for (for the language switch and sign-in's way back).
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Who is signed in.
    pub caller: Caller,
    /// The page's language.
    pub lang: Lang,
    /// The path and query asked for.
    pub target: String,
    /// Set when `?lang=` chose the language now: the cookie to remember it.
    remember_lang: Option<Lang>,
}

impl Ctx {
    /// `text` in the page's language.
    pub fn t<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.lang)
    }

    /// `zh` or `en`, whichever is the page's language.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A whole page: `body` inside the frame, titled `title`, with status 200.
    pub fn page(&self, title: &str, body: Markup) -> Response {
        self.page_with(StatusCode::OK, title, body)
    }

    /// A whole page with `status`.
    pub fn page_with(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        let markup = frame(self.lang, title, Some(self), body);
        let mut response = (status, html_response(markup)).into_response();
        if let Some(lang) = self.remember_lang {
            set_cookie(&mut response, &lang_cookie(lang));
        }
        response
    }
}

fn html_response(markup: Markup) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            // Pages show who is signed in and what they may do: never cached, never
            // framed by another site.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
                ),
            ),
        ],
        markup.into_string(),
    )
}

pub(crate) fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The cookie that remembers `lang`.
pub(crate) fn lang_cookie(lang: Lang) -> String {
    let value = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    format!("{LANG_COOKIE}={value}; Path=/; SameSite=Strict; Max-Age=31536000")
}

/// The value of cookie `name` in `headers`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The page language: `?lang=` first (remembered), then the cookie, else Chinese.
pub fn lang_of_page(uri: &Uri, headers: &HeaderMap) -> (Lang, Option<Lang>) {
    let asked = uri
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| parse_lang(v));
    if let Some(lang) = asked {
        return (lang, Some(lang));
    }
    let remembered = cookie(headers, LANG_COOKIE).and_then(|v| parse_lang(&v));
    (remembered.unwrap_or(Lang::Zh), None)
}

fn parse_lang(value: &str) -> Option<Lang> {
    match value {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// The path and query of `uri` without its `lang` parameter, with `lang` set to
/// `to`: the language switch's link.
fn with_lang(target: &str, to: Lang) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let lang = match to {
        Lang::Zh => "lang=zh",
        Lang::En => "lang=en",
    };
    parts.push(lang);
    format!("{path}?{}", parts.join("&"))
}

/// Percent-encodes `value` for a query string.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a percent-encoded query value (`+` is a space); a malformed escape is
/// kept as it is.
pub fn percent_decode(value: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query of `uri` as decoded pairs, in order, repeated names kept (checkboxes).
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// What a page handler returns: a response, or a problem shown as an error page.
pub type PageAnswer = Result<Response, Problem>;

/// Renders a page for the signed-in caller: runs `f` on the court (caught up with the
/// store) on a thread that may block; a browser that is not signed in is sent to the
/// sign-in page, and a problem becomes an error page in the page's language.
pub async fn render(
    app: &App,
    headers: &HeaderMap,
    uri: &Uri,
    f: impl FnOnce(&Service, &mut Court<AnyStore>, &Ctx) -> PageAnswer + Send + 'static,
) -> Response {
    let (lang, remember_lang) = lang_of_page(uri, headers);
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let secret = cookie(headers, SESSION_COOKIE);
    let service = Arc::clone(&app.service);
    let next = target.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut court = service.court()?;
        let Some(secret) = secret else {
            return Ok(Err(()));
        };
        let caller = match authenticate(&court, Some(&secret)) {
            Ok(caller) => caller,
            Err(_) => return Ok(Err(())),
        };
        let ctx = Ctx {
            caller,
            lang,
            target,
            remember_lang,
        };
        Ok(Ok(f(&service, &mut court, &ctx).map_err(|p| (p, ctx))))
    })
    .await
    .unwrap_or_else(|e| Err(internal(e)));
    match outcome {
        Ok(Ok(Ok(response))) => response,
        Ok(Ok(Err((problem, ctx)))) => error_page(&ctx, &problem),
        Ok(Err(())) => Redirect::to(&format!("/signin?next={}", encode(&next))).into_response(),
        Err(problem) => bare_error(lang, &problem),
    }
}

/// A problem as a page inside the frame.
pub fn error_page(ctx: &Ctx, problem: &Problem) -> Response {
    let title = ctx.t(&problem.title).to_owned();
    let body = html! {
        section #problem .problem {
            h1 { (title) }
            p #problem-detail { (ctx.t(&problem.detail)) }
            p { a href="/" { (ctx.pick("返回首页", "Back to the dashboard")) } }
        }
    };
    ctx.page_with(problem.status, &title, body)
}

/// A problem before anyone is known to be signed in (the store could not be read).
fn bare_error(lang: Lang, problem: &Problem) -> Response {
    let title = problem.title.get(lang).to_owned();
    let body = html! {
        section #problem .problem {
            h1 { (title) }
            p #problem-detail { (problem.detail.get(lang)) }
        }
    };
    (problem.status, html_response(frame(lang, &title, None, body))).into_response()
}

/// The document around a page's body: head, header with navigation and the signed-in
/// actor, and the language switch.
pub fn frame(lang: Lang, title: &str, ctx: Option<&Ctx>, body: Markup) -> Markup {
    let pick = |zh: &'static str, en: &'static str| if lang == Lang::Zh { zh } else { en };
    let html_lang = pick("zh-CN", "en");
    let nav: [(&str, &str, &str); 5] = [
        ("/", "总览", "Dashboard"),
        ("/catalog", "标准目录", "Catalog"),
        ("/diagram", "流程图", "Lifecycle"),
        ("/verification", "核验", "Verification"),
        ("/reports", "报表", "Reports"),
    ];
    html! {
        (DOCTYPE)
        html lang=(html_lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Regula" }
                link rel="stylesheet" href=(assets::STYLESHEET);
                script src=(assets::SCRIPT) defer {}
            }
            body {
                a .skip href="#main" { (pick("跳到正文", "Skip to content")) }
                header .site {
                    a .brand href="/" { (pick("标准化建设", "Standardization")) }
                    @if let Some(ctx) = ctx {
                        nav aria-label=(pick("主导航", "Main")) {
                            ul {
                                @for (href, zh, en) in nav {
                                    li { a href=(href) aria-current=[(ctx.target.split('?').next() == Some(href)).then_some("page")] { (pick(zh, en)) } }
                                }
                            }
                        }
                        div .session {
                            span #whoami title=(pick("当前登录", "Signed in as")) {
                                @match &ctx.caller.actor.name {
                                    Some(name) if *name != ctx.caller.actor.id => { (name) " (" (ctx.caller.actor.to_string()) ")" }
                                    _ => { (ctx.caller.actor.to_string()) }
                                }
                            }
                            a #lang-switch href=(with_lang(&ctx.target, if lang == Lang::Zh { Lang::En } else { Lang::Zh })) lang=(pick("en", "zh-CN")) {
                                (pick("English", "中文"))
                            }
                            form method="post" action="/signout" {
                                button #signout type="submit" { (pick("退出", "Sign out")) }
                            }
                        }
                    } @else {
                        div .session {
                            a #lang-switch href=(pick("/signin?lang=en", "/signin?lang=zh")) lang=(pick("en", "zh-CN")) { (pick("English", "中文")) }
                        }
                    }
                }
                main #main { (body) }
                footer .site {
                    (pick("Regula · 每一步都记录在链式日志中，可随时核验", "Regula · every step is in the chained log and can be verified"))
                }
            }
        }
    }
}
