//! Who is calling: the bearer token of a request, checked against the store's access
//! log ([`regula_standards::access`]).

use axum::http::{HeaderMap, header};
use regula_core::{Actor, Text};
use regula_standards::access::TokenScope;
use regula_standards::service::Court;

use crate::any_store::AnyStore;
use crate::problem::Problem;

/// The caller of a request: the actor and scope its token is bound to. A record's
/// actor is always this one, never one named in a request's body.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's id (never its secret).
    pub token: String,
    /// The actor the token acts as.
    pub actor: Actor,
    /// What the token may do.
    pub scope: TokenScope,
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The caller `presented` authenticates, or 401: no token, a wrong one, a revoked one
/// are answered alike, so that the answer tells nothing about which tokens exist.
pub fn authenticate(court: &Court<AnyStore>, presented: Option<&str>) -> Result<Caller, Problem> {
    let unauthorized = |detail: Text| Problem::new("unauthorized", detail);
    let Some(presented) = presented else {
        return Err(unauthorized(Text::new(
            "缺少令牌：请在 Authorization 头中以 Bearer 方式提供（令牌由 `regula token issue` 签发）",
            "no token: send `Authorization: Bearer <token>` (tokens are issued with `regula token issue`)",
        )));
    };
    match court.authenticate(presented) {
        Some(token) => Ok(Caller {
            token: token.id.clone(),
            actor: token.actor.clone(),
            scope: token.scope,
        }),
        None => Err(unauthorized(Text::new(
            "令牌无效、未知或已吊销",
            "the token is invalid, unknown or revoked",
        ))),
    }
}

impl Caller {
    /// 403 unless the token is of `scope`: acting on standards needs an `act` token,
    /// administration (catalog import) an `admin` token; each only its own.
    pub fn require(&self, scope: TokenScope) -> Result<(), Problem> {
        if self.scope == scope {
            return Ok(());
        }
        let label = scope.label();
        Err(Problem::new(
            "forbidden",
            Text::owned(
                format!("此操作需要“{}”令牌，本令牌（{}）不可用", label.zh, self.token),
                format!(
                    "this needs a token of scope {:?}; token {} is not one",
                    label.en, self.token
                ),
            ),
        ))
    }
}
