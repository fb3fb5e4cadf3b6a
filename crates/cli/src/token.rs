//! `regula token …`: bearer tokens for the HTTP service, kept in the store's access log.
//! Every rule (who issues, for whom, which scope) is the library's
//! (`regula_standards::access`); this module parses and prints.

use chrono::{DateTime, FixedOffset, Utc};
use regula_core::{Actor, Reason};
use regula_standards::access::{AccessActionKind, Token, TokenScope};
use regula_standards::service::ServiceError;
use serde::Serialize;

use crate::args::{Cli, TokenCommand, TokenIssueArgs, TokenRevokeArgs};
use crate::cmd::{court_at, open_court};
use crate::ctx::{CliError, check_actor_spec, load_catalog, parse_actor};
use crate::out::Out;

/// Runs `regula token …`.
pub fn run(cli: &Cli, out: Out, command: &TokenCommand) -> Result<(), CliError> {
    match command {
        TokenCommand::Issue(args) => issue(cli, out, args),
        TokenCommand::List => list(cli, out),
        TokenCommand::Revoke(args) => revoke(cli, out, args),
    }
}

/// `ID@UNIT`, or the id alone (a leading group member).
fn actor_text(actor: &Actor) -> String {
    match &actor.unit {
        Some(u) => format!("{}@{u}", actor.id),
        None => actor.id.to_string(),
    }
}

/// A time in the court's time zone.
fn local(at: DateTime<Utc>, tz: FixedOffset) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// Prints a refusal of the access log (its record as JSON with `--json`) and ends with
/// exit 1; any other error passes on.
fn refusal(out: Out, kind: AccessActionKind, e: ServiceError) -> CliError {
    let ServiceError::AccessRefused { reasons, record } = e else {
        return e.into();
    };
    let printed = if out.json {
        match &record {
            Some(record) => out.print_json(record),
            None => out.print_json(&serde_json::json!({ "action": kind.name(), "refused": reasons })),
        }
    } else {
        print_reasons(out, kind, &reasons)
    };
    match printed {
        Ok(()) => CliError::Refused,
        Err(e) => CliError::Output(e),
    }
}

fn print_reasons(out: Out, kind: AccessActionKind, reasons: &[Reason]) -> std::io::Result<()> {
    out.status_err(
        crate::out::Tone::Bad,
        &format!("{}: ", out.t(&kind.label())),
        out.s("被拒绝", "refused"),
        "",
    );
    for reason in reasons {
        crate::errln!("  - {}", out.t(&reason.message));
    }
    Ok(())
}

/// What `token issue --json` prints: the secret, this once.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Issued<'a> {
    /// The token's id.
    id: &'a str,
    /// The secret: shown this once, never stored.
    secret: &'a str,
    /// The actor it acts as.
    actor: &'a Actor,
    /// What it may do.
    scope: TokenScope,
    /// Its label, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
}

fn issue(cli: &Cli, out: Out, args: &TokenIssueArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    check_actor_spec(&args.bound)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let issuer = parse_actor(&args.actor, court.config())?;
    let bound = parse_actor(&args.bound, court.config())?;
    let scope = if args.admin { TokenScope::Admin } else { TokenScope::Act };
    let issued = court
        .issue_token(&issuer, bound, scope, args.label.clone(), at)
        .map_err(|e| refusal(out, AccessActionKind::IssueToken, e))?;
    let token = &issued.token;
    if out.json {
        return Ok(out.print_json(&Issued {
            id: &token.id,
            secret: &issued.secret,
            actor: &token.actor,
            scope: token.scope,
            label: token.label.as_deref(),
        })?);
    }
    crate::outln!(
        "{}: {} ({}, {})",
        out.s("令牌已签发", "token issued"),
        token.id,
        actor_text(&token.actor),
        out.t(&token.scope.label())
    )?;
    crate::outln!("{}", issued.secret)?;
    crate::errln!(
        "{}",
        out.s(
            "请立即妥善保存此令牌：它不会再次显示，存储中只保留其摘要。",
            "Keep this token safe now: it is not shown again, and the store keeps only its hash."
        )
    );
    Ok(())
}

/// One row of `token list --json` (never the hash or a secret).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Listed<'a> {
    id: &'a str,
    actor: &'a Actor,
    scope: TokenScope,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    issued_at: DateTime<Utc>,
    issued_by: &'a Actor,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_by: Option<&'a Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke_reason: Option<&'a str>,
}

impl<'a> From<&'a Token> for Listed<'a> {
    fn from(t: &'a Token) -> Self {
        Listed {
            id: &t.id,
            actor: &t.actor,
            scope: t.scope,
            label: t.label.as_deref(),
            issued_at: t.issued_at,
            issued_by: &t.issued_by,
            revoked_at: t.revoked_at,
            revoked_by: t.revoked_by.as_ref(),
            revoke_reason: t.revoke_reason.as_deref(),
        }
    }
}

fn list(cli: &Cli, out: Out) -> Result<(), CliError> {
    let court = open_court(cli)?;
    if out.json {
        let rows: Vec<Listed<'_>> = court.tokens().iter().map(Listed::from).collect();
        return Ok(out.print_json(&rows)?);
    }
    let tz = court.config().timezone;
    let rows: Vec<Vec<String>> = court
        .tokens()
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                actor_text(&t.actor),
                out.t(&t.scope.label()).to_owned(),
                t.label.clone().unwrap_or_default(),
                format!("{} {}", local(t.issued_at, tz), actor_text(&t.issued_by)),
                match (&t.revoked_at, &t.revoked_by) {
                    (Some(at), Some(by)) => format!("{} {}", local(*at, tz), actor_text(by)),
                    (Some(at), None) => local(*at, tz),
                    _ => "-".to_owned(),
                },
            ]
        })
        .collect();
    let header = [
        out.s("编号", "id"),
        out.s("操作人", "actor"),
        out.s("权限", "scope"),
        out.s("用途", "label"),
        out.s("签发", "issued"),
        out.s("吊销", "revoked"),
    ];
    Ok(out.table(&header, &rows)?)
}

fn revoke(cli: &Cli, out: Out, args: &TokenRevokeArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let issuer = parse_actor(&args.actor, court.config())?;
    let record = court
        .revoke_token(&issuer, args.id.trim(), args.reason.clone(), at)
        .map_err(|e| refusal(out, AccessActionKind::RevokeToken, e))?;
    if out.json {
        return Ok(out.print_json(&record)?);
    }
    crate::outln!(
        "{}: {} (#{}, {})",
        out.t(&AccessActionKind::RevokeToken.label()),
        out.s("已记录", "recorded"),
        record.seq,
        record.hash
    )?;
    Ok(())
}
