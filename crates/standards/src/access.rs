//! Who may call the court's HTTP service, kept in the store's own log.
//!
//! A caller of `regula serve` presents a bearer token. Which tokens exist, whom each
//! acts as, what it may do and whether it was revoked is a decision like any other,
//! so it lives where every decision lives: in the chained, hashed log of the store,
//! as an instance of its own lifecycle, `court-access` (the *access log*), beside the
//! rules log ([`crate::rules_log`]). Its records are in the Merkle tree like every
//! other record, and [`Court::verify`](crate::service::Court::verify) replays them
//! with their guards; a token written behind the library's back (issued by someone who
//! may not, bound to an actor the court does not know) fails verification.
//!
//! The log holds only the SHA-256 of each token's secret, never the secret: a copy of
//! the store, or of a checkpoint, lets no one act as anybody. The secret is shown once,
//! when the token is issued ([`Court::issue_token`](crate::service::Court::issue_token)).
//!
//! The guards read the court's configuration (its office, departments, leading group,
//! intermediate court) from the rules log: every access record cites the rules record
//! in force when it was written ([`AuditRecord::rules`](regula_core::AuditRecord::rules)),
//! as standard records do, and verify re-checks it under exactly those rules.
//!
//! | action | zh | en | who | what it checks |
//! |---|---|---|---|---|
//! | (creation) | 建立访问日志 | Open the access log | the office or a leading group member, with the first token | nothing else: the log starts with no token |
//! | `issue_token` | 签发令牌 | Issue a token | the office or a leading group member | a new, well-formed id; a SHA-256 hash; an actor the court knows; an administering token only for the office or a leading group member |
//! | `revoke_token` | 吊销令牌 | Revoke a token | the office or a leading group member | the token exists and is not revoked yet |
//!
//! | scope | zh | en | what it allows |
//! |---|---|---|---|
//! | `act` | 办理 | act | reads, the standards' actions, court affairs |
//! | `admin` | 管理 | administer | catalog import, rule changes, migrations, token administration |

use std::sync::Arc;

use chrono::{DateTime, Utc};
use regula_core::{Actor, Definition, DefinitionError, Lifecycle, State, Text, Transition};
use serde::{Deserialize, Serialize};

use crate::court::CourtConfig;
use crate::lifecycle::roles;

/// The name of the access lifecycle's definition.
pub const ACCESS_DEFINITION: &str = "court-access";
/// Its version.
pub const ACCESS_VERSION: u32 = 1;
/// The claim namespace that keeps a store to one access log: its creating record
/// claims the key [`ACCESS_DEFINITION`] in the same transaction, so two servers issuing
/// the first token of one store at once cannot both open a log.
pub const ACCESS_CLAIM: &str = "access_log";

/// The text every token's secret starts with (`rgl_<id>_<secret>`).
pub const TOKEN_PREFIX: &str = "rgl_";
/// The length of a token id: 16 lowercase hexadecimal characters (64 random bits).
pub const TOKEN_ID_LEN: usize = 16;

/// The lifecycle of a store's access log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessLifecycle;

impl Lifecycle for AccessLifecycle {
    type State = AccessState;
    type Action = AccessAction;
    type Data = AccessData;
}

/// The access log's one state: the tokens it holds are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessState {
    /// 在用.
    Kept,
}

impl AccessState {
    /// The labels.
    pub const fn label(self) -> Text {
        Text::new("在用", "in use")
    }
}

impl State for AccessState {
    fn name(&self) -> &str {
        "kept"
    }
}

/// What a token allows its bearer to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// 办理: reads, the standards' actions and the court-level decisions.
    Act,
    /// 管理: besides acting, catalog import, rule changes, migrations and the
    /// administration of tokens.
    Admin,
}

impl TokenScope {
    /// Both scopes, the narrower first.
    pub const ALL: [TokenScope; 2] = [TokenScope::Act, TokenScope::Admin];

    /// The machine name, as records store it.
    pub const fn name(self) -> &'static str {
        match self {
            TokenScope::Act => "act",
            TokenScope::Admin => "admin",
        }
    }

    /// The labels.
    pub const fn label(self) -> Text {
        match self {
            TokenScope::Act => Text::new("办理", "act"),
            TokenScope::Admin => Text::new("管理", "administer"),
        }
    }

    /// True when a token of this scope may do what `needed` allows: an administering
    /// token may also act.
    pub const fn allows(self, needed: TokenScope) -> bool {
        matches!(
            (self, needed),
            (TokenScope::Admin, _) | (TokenScope::Act, TokenScope::Act)
        )
    }
}

impl std::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

crate::actions::declare_actions! {
    /// A change to the tokens of the access log.
    pub enum AccessAction;
    /// The kind of an [`AccessAction`]: which action it is, without its payload.
    pub enum AccessActionKind;

    /// 签发令牌: the office or a leading group member issues a token acting as `actor`.
    IssueToken = "issue_token", "签发令牌", "Issue a token" {
        /// The token's id (16 lowercase hexadecimal characters), public.
        id: String,
        /// The SHA-256 of the token's secret part, in lowercase hexadecimal.
        hash: String,
        /// The actor the token acts as.
        actor: Actor,
        /// What the token allows.
        scope: TokenScope,
        /// What the token is for (e.g. "立案庭工作站"), if stated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    };
    /// 吊销令牌: the office or a leading group member revokes a token.
    RevokeToken = "revoke_token", "吊销令牌", "Revoke a token" {
        /// The token's id.
        id: String,
        /// Why, if stated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    };
}

/// One token, as the access log records it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The token's id, public: the presented secret names it.
    pub id: String,
    /// The SHA-256 of the secret part, in lowercase hexadecimal.
    pub hash: String,
    /// The actor the token acts as.
    pub actor: Actor,
    /// What it allows.
    pub scope: TokenScope,
    /// What it is for, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// When it was issued (the record's time).
    pub issued_at: DateTime<Utc>,
    /// Who issued it.
    pub issued_by: Actor,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<Actor>,
    /// Why, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_reason: Option<String>,
}

impl Token {
    /// True once the token is revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// What the access log accumulates: every token issued, revoked ones included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessData {
    /// The tokens, in the order they were issued.
    #[serde(default)]
    pub tokens: Vec<Token>,
}

impl AccessData {
    /// The token with this id.
    pub fn token(&self, id: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.id == id)
    }
}

impl AccessAction {
    /// The access data after this action is accepted on `data`, at `at` by `by`: the
    /// definition's effect.
    pub fn apply_to(&self, data: &mut AccessData, at: DateTime<Utc>, by: &Actor) {
        match self {
            AccessAction::IssueToken {
                id,
                hash,
                actor,
                scope,
                label,
            } => data.tokens.push(Token {
                id: id.clone(),
                hash: hash.clone(),
                actor: actor.clone(),
                scope: *scope,
                label: label.clone(),
                issued_at: at,
                issued_by: by.clone(),
                revoked_at: None,
                revoked_by: None,
                revoke_reason: None,
            }),
            AccessAction::RevokeToken { id, reason } => {
                if let Some(t) = data.tokens.iter_mut().find(|t| t.id == *id && !t.is_revoked()) {
                    t.revoked_at = Some(at);
                    t.revoked_by = Some(by.clone());
                    t.revoke_reason = reason.clone();
                }
            }
        }
    }
}

/// True when `text` is `len` lowercase hexadecimal characters.
fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The role an issuer acts in: the leading group for a member, else the office (whose
/// refusal, for an actor of neither, names the role needed).
pub fn issuer_role(config: &CourtConfig, issuer: &Actor) -> &'static str {
    if config.actor_fits(issuer, roles::LEADING_GROUP, None).is_ok() {
        roles::LEADING_GROUP
    } else {
        roles::OFFICE
    }
}

/// True when `actor` is someone of the office or a leading group member.
fn office_or_member(config: &CourtConfig, actor: &Actor) -> bool {
    config.actor_fits(actor, roles::OFFICE, None).is_ok()
        || config.actor_fits(actor, roles::LEADING_GROUP, None).is_ok()
}

/// Checks that `actor` is someone the court knows: staff of one of its departments (the
/// office among them) or of the intermediate court, or a leading group member (who has
/// no unit), with an id and unit free of characters that could disguise them.
pub fn check_real_actor(config: &CourtConfig, actor: &Actor) -> Result<(), Text> {
    use regula_core::plain_text::{check_text, field};
    let id = actor.id.trim();
    if id.is_empty() || id != actor.id {
        return Err(Text::owned(
            format!("令牌绑定的操作人标识 {:?} 为空或含首尾空白", actor.id),
            format!("the token's actor id {:?} is blank or has surrounding spaces", actor.id),
        ));
    }
    check_text(field::ACTOR_ID, id).map_err(|e| e.message())?;
    match actor.unit.as_deref() {
        Some(unit) => {
            check_text(field::ACTOR_UNIT, unit).map_err(|e| e.message())?;
            if config.departments.department_of(unit).is_some() || config.intermediate_court.matches(unit) {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("令牌绑定的操作人 {id} 所在部门 {unit} 不是本院的部门，也不是中级法院"),
                    format!(
                        "the token's actor {id} is of {unit}, which is neither a department of the court nor the intermediate court"
                    ),
                ))
            }
        }
        None if config.actor_fits(actor, roles::LEADING_GROUP, None).is_ok() => Ok(()),
        None => Err(Text::owned(
            format!("令牌绑定的操作人 {id} 既无部门，也不是领导小组成员"),
            format!("the token's actor {id} has no unit and is not a member of the leading group"),
        )),
    }
}

/// The refusal of a guard met with an action whose payload it does not examine.
fn not_examined(guard: &str, action: &AccessAction) -> Text {
    let action = regula_core::Action::name(action);
    Text::owned(
        format!("规则 {guard} 不适用于操作 {action}"),
        format!("rule {guard} does not examine action {action}'s payload"),
    )
}

/// The access lifecycle's definition under `config` (see the module docs): its guards
/// judge issuers and bound actors by that configuration, which the rules record the
/// access record cites gives.
pub fn access_definition(config: &CourtConfig) -> Result<Definition<AccessLifecycle>, DefinitionError> {
    let cfg = Arc::new(config.clone());
    let mut b = Definition::<AccessLifecycle>::builder(ACCESS_DEFINITION, ACCESS_VERSION)
        .state(AccessState::Kept, AccessState::Kept.label())
        .initial(AccessState::Kept)
        // Never left; every change is a self-transition recorded in the log.
        .terminal(AccessState::Kept);
    for kind in AccessActionKind::ALL {
        b = b.action(kind.name(), kind.label());
    }
    for (name, label) in roles::ALL {
        if name == roles::OFFICE || name == roles::LEADING_GROUP {
            b = b.role(name, label);
        }
    }
    let c = Arc::clone(&cfg);
    let fits = move |i: &regula_core::GuardInput<'_, AccessLifecycle>| c.actor_fits(i.actor, i.role, None);
    let c = Arc::clone(&cfg);
    let real = move |i: &regula_core::GuardInput<'_, AccessLifecycle>| match i.action {
        AccessAction::IssueToken { actor, .. } => check_real_actor(&c, actor),
        other => Err(not_examined("bound_actor_known", other)),
    };
    let c = Arc::clone(&cfg);
    let admin = move |i: &regula_core::GuardInput<'_, AccessLifecycle>| match i.action {
        AccessAction::IssueToken {
            actor,
            scope: TokenScope::Admin,
            ..
        } if !office_or_member(&c, actor) => Err(Text::owned(
            format!("管理令牌只能签发给综合办公室人员或领导小组成员，{} 不是", actor.id),
            format!(
                "an administering token is only for someone of the office or a leading group member, which {} is not",
                actor.id
            ),
        )),
        AccessAction::IssueToken { .. } => Ok(()),
        other => Err(not_examined("admin_scope_allowed", other)),
    };
    b.creators([roles::OFFICE, roles::LEADING_GROUP])
        .guard(
            "issuer_fits_role",
            Text::new(
                "令牌由综合办公室人员或领导小组成员签发和吊销",
                "tokens are issued and revoked by someone of the office or a leading group member",
            ),
            fits,
        )
        .guard(
            "token_id_fresh",
            Text::new(
                "令牌编号为 16 位小写十六进制字符，且未曾使用",
                "a token id is 16 lowercase hexadecimal characters, never used before",
            ),
            |i| match i.action {
                AccessAction::IssueToken { id, .. } if !is_lower_hex(id, TOKEN_ID_LEN) => Err(Text::owned(
                    format!("令牌编号 {id:?} 不是 16 位小写十六进制字符"),
                    format!("token id {id:?} is not 16 lowercase hexadecimal characters"),
                )),
                AccessAction::IssueToken { id, .. } if i.instance.data().token(id).is_some() => Err(Text::owned(
                    format!("令牌编号 {id} 已经使用过"),
                    format!("token id {id} was used before"),
                )),
                AccessAction::IssueToken { .. } => Ok(()),
                other => Err(not_examined("token_id_fresh", other)),
            },
        )
        .guard(
            "hash_well_formed",
            Text::new(
                "令牌的摘要为 64 位小写十六进制字符（SHA-256）",
                "a token's hash is 64 lowercase hexadecimal characters (SHA-256)",
            ),
            |i| match i.action {
                AccessAction::IssueToken { hash, .. } if !is_lower_hex(hash, 64) => Err(Text::new(
                    "令牌的摘要不是 64 位小写十六进制字符",
                    "the token's hash is not 64 lowercase hexadecimal characters",
                )),
                AccessAction::IssueToken { .. } => Ok(()),
                other => Err(not_examined("hash_well_formed", other)),
            },
        )
        .guard(
            "bound_actor_known",
            Text::new(
                "令牌绑定的操作人须为本院部门、中级法院的人员或领导小组成员",
                "a token acts as staff of a department of the court or of the intermediate court, or a leading group member",
            ),
            real,
        )
        .guard(
            "admin_scope_allowed",
            Text::new(
                "管理令牌只能签发给综合办公室人员或领导小组成员",
                "an administering token is only for someone of the office or a leading group member",
            ),
            admin,
        )
        .guard(
            "token_revocable",
            Text::new("吊销的令牌须存在且尚未吊销", "a token revoked exists and is not revoked yet"),
            |i| match i.action {
                AccessAction::RevokeToken { id, .. } => match i.instance.data().token(id) {
                    None => Err(Text::owned(
                        format!("没有编号为 {id} 的令牌"),
                        format!("there is no token {id}"),
                    )),
                    Some(t) if t.is_revoked() => Err(Text::owned(
                        format!("令牌 {id} 已经吊销"),
                        format!("token {id} is already revoked"),
                    )),
                    Some(_) => Ok(()),
                },
                other => Err(not_examined("token_revocable", other)),
            },
        )
        .transition(
            Transition::new(AccessState::Kept, AccessActionKind::IssueToken.name(), AccessState::Kept)
                .by([roles::OFFICE, roles::LEADING_GROUP])
                .when("issuer_fits_role")
                .when("token_id_fresh")
                .when("hash_well_formed")
                .when("bound_actor_known")
                .when("admin_scope_allowed"),
        )
        .transition(
            Transition::new(AccessState::Kept, AccessActionKind::RevokeToken.name(), AccessState::Kept)
                .by([roles::OFFICE, roles::LEADING_GROUP])
                .when("issuer_fits_role")
                .when("token_revocable"),
        )
        .effect(|data: &mut AccessData, input| {
            input.action.apply_to(data, input.at, input.actor);
        })
        .build()
}

/// The SHA-256 of `secret`, in lowercase hexadecimal: what the log keeps of a token.
pub fn hash_secret(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Compares two byte strings in time that depends on their lengths only, not on where
/// they differ: a caller timing the answers learns nothing of a stored hash.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keeps the optimiser from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

/// Splits a presented token `rgl_<id>_<secret>` into its id and secret part; `None`
/// when it does not have that form.
pub fn parse_presented(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (is_lower_hex(id, TOKEN_ID_LEN) && !secret.is_empty()).then_some((id, secret))
}

/// A new token's id and full secret text (`rgl_<id>_<secret>`), with the hash of its
/// secret part, from the system's random source.
pub fn new_secret() -> Result<(String, String, String), AccessError> {
    use base64::Engine as _;
    let mut id = [0u8; TOKEN_ID_LEN / 2];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id).map_err(|e| AccessError::Random(e.to_string()))?;
    getrandom::fill(&mut secret).map_err(|e| AccessError::Random(e.to_string()))?;
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let part = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let hash = hash_secret(&part);
    Ok((id.clone(), format!("{TOKEN_PREFIX}{id}_{part}"), hash))
}

/// Something the access log could not do, besides a refusal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The system's random source failed: no token was issued.
    #[error("the system's random source failed: {0}")]
    Random(String),
    /// The access log's records do not decode.
    #[error("record {seq} of the access log: {message}")]
    Payload {
        /// The record's sequence number.
        seq: u64,
        /// What serde reported.
        message: String,
    },
}

/// A token just issued, with its secret, which is shown this once: the log keeps only
/// its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssuedToken {
    /// The token as recorded.
    pub token: Token,
    /// The text to present (`rgl_<id>_<secret>`).
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_action_has_one_name_its_labels_and_a_row() {
        let config = CourtConfig::from_catalog(&crate::Catalog::builtin().unwrap());
        let definition = access_definition(&config).unwrap();
        for kind in AccessActionKind::ALL {
            assert!(!kind.label().is_incomplete(), "{kind}");
            assert_eq!(AccessActionKind::from_name(kind.name()), Some(*kind));
            assert!(definition.transitions().iter().any(|t| t.action == kind.name()));
        }
        for scope in TokenScope::ALL {
            assert!(!scope.label().is_incomplete());
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.name());
        }
    }

    #[test]
    fn secrets_parse_and_hash() {
        let (id, secret, hash) = new_secret().unwrap();
        assert_eq!(id.len(), 16);
        let (pid, part) = parse_presented(&secret).unwrap();
        assert_eq!(pid, id);
        assert_eq!(part.len(), 43);
        assert_eq!(hash_secret(part), hash);
        assert!(is_lower_hex(&hash, 64));
        assert!(parse_presented("rgl_ABCDEF0123456789_x").is_none());
        assert!(parse_presented("rgl_0123456789abcdef_").is_none());
        assert!(parse_presented("xyz_0123456789abcdef_abc").is_none());
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
