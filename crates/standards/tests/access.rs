//! The access log: bearer tokens issued and revoked as records of the store's own log,
//! authenticated against the hash it keeps, followed across processes, and verified
//! with their guards (a token written behind the library's back fails `verify`).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use regula_core::store::StoreProblem;
use regula_core::{Actor, Append, Command, Engine, MemoryStore, Store, VerifyErrorKind};
use regula_standards::access::{
    ACCESS_CLAIM, ACCESS_DEFINITION, AccessAction, AccessData, IssuedToken, TokenScope, access_definition, hash_secret,
};
use regula_standards::lifecycle::roles;
use regula_standards::service::{Court, ServiceError};

fn court_on<'a>(w: &World, store: &'a MemoryStore) -> Court<&'a MemoryStore> {
    Court::open(store, w.catalog.clone(), |e| e.with_clock(w.clock.clone())).unwrap()
}

/// A court on `store` with its rules recorded (the office's import).
fn imported<'a>(w: &World, store: &'a MemoryStore) -> Court<&'a MemoryStore> {
    let mut court = court_on(w, store);
    court.import(&w.office()).unwrap();
    court
}

fn issue(court: &mut Court<&MemoryStore>, issuer: &Actor, actor: Actor, scope: TokenScope) -> IssuedToken {
    court
        .issue_token(issuer, actor, scope, Some("工作站".into()), None)
        .unwrap()
}

/// The guard names of a refusal.
fn refused(e: ServiceError) -> (Vec<String>, bool) {
    match e {
        ServiceError::AccessRefused { reasons, record } => {
            (reasons.into_iter().filter_map(|r| r.guard).collect(), record.is_some())
        }
        other => panic!("expected a refusal, got {other}"),
    }
}

fn problems(court: &Court<&MemoryStore>) -> Vec<StoreProblem> {
    court.verify(None, &mut |_, _| {}).unwrap().problems
}

#[test]
fn an_issued_token_authenticates_with_its_secret_only() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    assert!(court.tokens().is_empty());
    let issued = issue(&mut court, &w.office(), w.filing(), TokenScope::Act);
    let token = &issued.token;
    assert_eq!(token.actor, w.filing());
    assert_eq!(token.issued_by, w.office());
    assert_eq!(token.issued_at, w.now());
    assert_eq!(token.scope, TokenScope::Act);
    assert_eq!(token.label.as_deref(), Some("工作站"));
    // rgl_<16 hex>_<43 base64url>
    let rest = issued.secret.strip_prefix("rgl_").unwrap();
    let (id, part) = rest.split_once('_').unwrap();
    assert_eq!(id, token.id);
    assert_eq!(part.len(), 43);
    assert!(
        part.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_eq!(token.hash, hash_secret(part));
    assert!(!issued.secret.contains(&token.hash));

    assert_eq!(court.authenticate(&issued.secret), Some(token));
    // A wrong secret, another id, a malformed text: nothing.
    let mut wrong = issued.secret.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(court.authenticate(&wrong), None);
    assert_eq!(court.authenticate(&format!("rgl_0123456789abcdef_{part}")), None);
    assert_eq!(court.authenticate(&format!("rgl_{id}")), None);
    assert_eq!(court.authenticate(part), None);
    assert_eq!(court.authenticate(""), None);

    // The log holds the token, and a court opened anew reads it.
    let reopened = court_on(&w, &store);
    assert_eq!(reopened.tokens(), court.tokens());
    assert_eq!(reopened.authenticate(&issued.secret), Some(token));
    let log = store
        .list(&regula_core::store::InstanceFilter::definition(ACCESS_DEFINITION))
        .unwrap();
    assert_eq!(log.len(), 1);
    let claim = store.claim(ACCESS_CLAIM, ACCESS_DEFINITION).unwrap().unwrap();
    assert_eq!(claim.instance, log[0].instance);
    // No record anywhere holds the secret.
    let all = store.scan(0, 10_000).unwrap();
    assert!(all.iter().all(|r| !r.payload.to_string().contains(part)));
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn a_revoked_token_no_longer_authenticates_and_is_revoked_once() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    let issued = issue(&mut court, &w.office(), w.filing(), TokenScope::Act);
    let other = issue(&mut court, &w.head(), w.enforcement(), TokenScope::Act);
    w.days(1);
    let record = court
        .revoke_token(&w.head(), &issued.token.id, Some("离职".into()), None)
        .unwrap();
    assert!(!record.is_refused());
    assert_eq!(court.authenticate(&issued.secret), None);
    assert!(court.authenticate(&other.secret).is_some());
    let token = court.tokens().iter().find(|t| t.id == issued.token.id).unwrap();
    assert_eq!(token.revoked_at, Some(w.now()));
    assert_eq!(token.revoked_by, Some(w.head()));

    let (again, recorded) = refused(
        court
            .revoke_token(&w.office(), &issued.token.id, None, None)
            .unwrap_err(),
    );
    assert_eq!(again, ["token_revocable"]);
    assert!(recorded);
    let (unknown, _) = refused(
        court
            .revoke_token(&w.office(), "0123456789abcdef", None, None)
            .unwrap_err(),
    );
    assert_eq!(unknown, ["token_revocable"]);
    // A department's clerk revokes nothing.
    let (clerk, _) = refused(
        court
            .revoke_token(&w.filing(), &other.token.id, None, None)
            .unwrap_err(),
    );
    assert_eq!(clerk, ["issuer_fits_role"]);
    assert!(court.authenticate(&other.secret).is_some());
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn only_the_office_or_a_member_issues_and_admin_tokens_are_theirs() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    // No log yet: a clerk's attempt opens none and writes nothing.
    let before = store.tree_head().unwrap().size;
    let (why, recorded) = refused(
        court
            .issue_token(&w.filing(), w.filing(), TokenScope::Act, None, None)
            .unwrap_err(),
    );
    assert_eq!(why, ["issuer_fits_role"]);
    assert!(!recorded);
    assert_eq!(store.tree_head().unwrap().size, before);
    assert!(court.access_log().is_none());

    // An administering token for a department's clerk is refused (and recorded).
    let (why, recorded) = refused(
        court
            .issue_token(&w.office(), w.filing(), TokenScope::Admin, None, None)
            .unwrap_err(),
    );
    assert_eq!(why, ["admin_scope_allowed"]);
    assert!(recorded);
    assert!(court.tokens().is_empty());
    // With a log, a clerk's attempt is recorded as refused.
    let (why, recorded) = refused(
        court
            .issue_token(&w.filing(), w.enforcement(), TokenScope::Act, None, None)
            .unwrap_err(),
    );
    assert_eq!(why, ["issuer_fits_role"]);
    assert!(recorded);
    // An actor the court does not know.
    let stranger = Actor::new("x").in_unit("不存在的庭");
    let (why, _) = refused(
        court
            .issue_token(&w.office(), stranger, TokenScope::Act, None, None)
            .unwrap_err(),
    );
    assert_eq!(why, ["bound_actor_known"]);
    let nobody = Actor::new("nobody");
    let (why, _) = refused(
        court
            .issue_token(&w.office(), nobody, TokenScope::Act, None, None)
            .unwrap_err(),
    );
    assert_eq!(why, ["bound_actor_known"]);

    // Administering tokens for the office and a member; acting ones for the
    // intermediate court and a member.
    issue(&mut court, &w.office(), w.office(), TokenScope::Admin);
    issue(&mut court, &w.head(), w.head(), TokenScope::Admin);
    issue(&mut court, &w.office(), w.court(), TokenScope::Act);
    assert_eq!(court.tokens().len(), 3);
    let history = court.store().load(court.access_log().unwrap().id()).unwrap();
    assert_eq!(history.iter().filter(|r| r.is_refused()).count(), 4);
    assert!(
        history
            .iter()
            .all(|r| r.rules == court.rules_log().map(|l| l.last_hash()))
    );
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));
}

#[test]
fn a_store_without_rules_issues_no_token() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = court_on(&w, &store);
    let e = court
        .issue_token(&w.office(), w.filing(), TokenScope::Act, None, None)
        .unwrap_err();
    assert!(matches!(e, ServiceError::NoRules), "{e}");
}

#[test]
fn a_token_id_is_used_once_and_well_formed() {
    let w = World::new();
    let definition = access_definition(&w.config).unwrap();
    let engine = Engine::new(definition).with_clock(w.clock.clone());
    let (mut log, _) = engine
        .create(w.office(), roles::OFFICE, AccessData::default(), None)
        .unwrap();
    let issue = |id: &str, hash: &str| AccessAction::IssueToken {
        id: id.into(),
        hash: hash.into(),
        actor: w.filing(),
        scope: TokenScope::Act,
        label: None,
    };
    let hash = hash_secret("s");
    let first = engine
        .apply(
            &mut log,
            Command::new(w.office(), roles::OFFICE, issue("00000000000000aa", &hash)),
        )
        .unwrap();
    assert!(!first.is_refused());
    let guards = |r: &regula_core::AuditRecord| -> Vec<String> {
        r.refusal().unwrap().iter().filter_map(|r| r.guard.clone()).collect()
    };
    let reused = engine
        .apply(
            &mut log,
            Command::new(w.office(), roles::OFFICE, issue("00000000000000aa", &hash)),
        )
        .unwrap();
    assert_eq!(guards(&reused), ["token_id_fresh"]);
    let malformed = engine
        .apply(&mut log, Command::new(w.office(), roles::OFFICE, issue("rgl_x", &hash)))
        .unwrap();
    assert_eq!(guards(&malformed), ["token_id_fresh"]);
    let upper = engine
        .apply(
            &mut log,
            Command::new(
                w.office(),
                roles::OFFICE,
                issue("00000000000000bb", &hash.to_uppercase()),
            ),
        )
        .unwrap();
    assert_eq!(guards(&upper), ["hash_well_formed"]);
    assert_eq!(log.data().tokens.len(), 1);
}

#[test]
fn refresh_sees_another_courts_tokens_and_revocations() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut a = imported(&w, &store);
    let mut b = court_on(&w, &store);
    // Nothing to see yet.
    assert!(!b.refresh_access().unwrap());
    let issued = issue(&mut a, &w.office(), w.filing(), TokenScope::Act);
    assert_eq!(b.authenticate(&issued.secret), None);
    assert!(b.refresh_access().unwrap());
    assert_eq!(b.authenticate(&issued.secret), Some(&issued.token));
    assert!(!b.refresh_access().unwrap());

    b.revoke_token(&w.office(), &issued.token.id, None, None).unwrap();
    assert!(a.authenticate(&issued.secret).is_some());
    assert!(a.refresh_access().unwrap());
    assert_eq!(a.authenticate(&issued.secret), None);

    // A stale court that writes: its append conflicts, it reloads and decides again.
    let from_a = issue(&mut a, &w.office(), w.enforcement(), TokenScope::Act);
    let from_b = issue(&mut b, &w.office(), w.court(), TokenScope::Act);
    assert!(b.authenticate(&from_a.secret).is_some());
    assert!(a.refresh_access().unwrap());
    assert!(a.authenticate(&from_b.secret).is_some());
    assert_eq!(a.tokens(), b.tokens());
    assert!(problems(&a).is_empty(), "{:?}", problems(&a));
}

#[test]
fn two_courts_opening_the_first_access_log_make_one() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut a = imported(&w, &store);
    let mut b = court_on(&w, &store);
    let first = issue(&mut a, &w.office(), w.filing(), TokenScope::Act);
    // b never read a's log: its claim is refused, it reloads and issues into a's log.
    let second = issue(&mut b, &w.head(), w.enforcement(), TokenScope::Act);
    let logs = store
        .list(&regula_core::store::InstanceFilter::definition(ACCESS_DEFINITION))
        .unwrap();
    assert_eq!(logs.len(), 1);
    assert!(b.authenticate(&first.secret).is_some());
    assert!(a.refresh_access().unwrap());
    assert!(a.authenticate(&second.secret).is_some());
    assert!(problems(&a).is_empty(), "{:?}", problems(&a));
}

/// A token issued by a department's clerk, written behind the library's back (decided
/// by a definition whose configuration makes the clerk's court the office), and one
/// bound to an actor the court does not know: `verify` re-checks the guards under the
/// rules the records cite, and reports both.
#[test]
fn a_forged_access_record_fails_verification() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    issue(&mut court, &w.office(), w.office(), TokenScope::Admin);
    assert!(problems(&court).is_empty());
    let rules = court.rules_log().unwrap().last_hash();
    let mut forger_config = w.config.clone();
    forger_config.office = "case_filing".into();
    let forger = Engine::new(access_definition(&forger_config).unwrap())
        .with_clock(w.clock.clone())
        .with_rules(rules);
    let mut log = court.access_log().unwrap().clone();
    let seq = log.seq();
    let record = forger
        .apply(
            &mut log,
            Command::new(
                w.filing(),
                roles::OFFICE,
                AccessAction::IssueToken {
                    id: "00000000000000ff".into(),
                    hash: hash_secret("forged"),
                    actor: w.filing(),
                    scope: TokenScope::Admin,
                    label: None,
                },
            ),
        )
        .unwrap();
    assert!(!record.is_refused(), "{record:?}");
    store
        .append(Append {
            instance: log.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        })
        .unwrap();
    // The live court believes what it reads (verify is what checks)...
    assert!(court.refresh_access().unwrap());
    assert!(court.authenticate("rgl_00000000000000ff_forged").is_some());
    // ...and verify refuses it.
    let found = problems(&court);
    assert_eq!(found.len(), 1, "{found:?}");
    match &found[0] {
        StoreProblem::Transition(e) => {
            assert_eq!(e.seq, record.seq);
            match &e.kind {
                VerifyErrorKind::GuardsWouldRefuse { reasons } => {
                    let guards: Vec<&str> = reasons.iter().filter_map(|r| r.guard.as_deref()).collect();
                    assert!(guards.contains(&"issuer_fits_role"), "{guards:?}");
                    assert!(guards.contains(&"admin_scope_allowed"), "{guards:?}");
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

/// An access record that cites no rules, or rules the store does not hold, fails
/// verification though its hashes and links are right.
#[test]
fn an_access_record_must_cite_the_stores_rules() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    issue(&mut court, &w.office(), w.filing(), TokenScope::Act);
    let uncited = Engine::new(access_definition(&w.config).unwrap()).with_clock(w.clock.clone());
    let mut log = court.access_log().unwrap().clone();
    let seq = log.seq();
    let record = uncited
        .apply(
            &mut log,
            Command::new(
                w.office(),
                roles::OFFICE,
                AccessAction::RevokeToken {
                    id: court.tokens()[0].id.clone(),
                    reason: None,
                },
            ),
        )
        .unwrap();
    store
        .append(Append {
            instance: log.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        })
        .unwrap();
    let found = problems(&court);
    assert!(
        found.iter().any(|p| matches!(p, StoreProblem::Transition(e)
            if matches!(&e.kind, VerifyErrorKind::Rules { message } if message.contains("must cite")))),
        "{found:?}"
    );
}

/// Once newer rules are in force, an access record must cite them: live issues do, and
/// one written behind the library's back under the superseded rules fails `verify`.
#[test]
fn an_access_record_cites_the_rules_in_force() {
    let w = World::new();
    let store = MemoryStore::new();
    let mut court = imported(&w, &store);
    let first_rules = court.rules_log().unwrap().last_hash();
    let before = issue(&mut court, &w.office(), w.filing(), TokenScope::Act);
    w.days(1);
    let designated = court
        .designate_core(&w.head(), &["ADJ-01-08".to_owned()], &[], None, None)
        .unwrap();
    assert!(!designated.is_refused(), "{designated:?}");
    w.days(1);
    let after = issue(&mut court, &w.office(), w.enforcement(), TokenScope::Act);
    let history = store.load(court.access_log().unwrap().id()).unwrap();
    let cited: Vec<_> = history.iter().map(|r| r.rules.unwrap()).collect();
    assert_eq!(cited, [first_rules, first_rules, designated.hash]);
    assert!(problems(&court).is_empty(), "{:?}", problems(&court));

    let stale = Engine::new(access_definition(&w.config).unwrap())
        .with_clock(w.clock.clone())
        .with_rules(first_rules);
    let mut log = court.access_log().unwrap().clone();
    let seq = log.seq();
    let record = stale
        .apply(
            &mut log,
            Command::new(
                w.office(),
                roles::OFFICE,
                AccessAction::RevokeToken {
                    id: before.token.id.clone(),
                    reason: None,
                },
            ),
        )
        .unwrap();
    assert!(!record.is_refused());
    store
        .append(Append {
            instance: log.id(),
            expected_seq: seq,
            records: std::slice::from_ref(&record),
            due_at: None,
        })
        .unwrap();
    let found = problems(&court);
    assert!(
        found.iter().any(|p| matches!(p, StoreProblem::Transition(e)
            if e.seq == record.seq && matches!(&e.kind, VerifyErrorKind::Rules { message } if message.contains("superseded")))),
        "{found:?}"
    );
    assert!(court.authenticate(&after.secret).is_some());
}

/// An operation of the property test.
#[derive(Clone, Debug)]
enum Op {
    Issue { admin: bool, by_member: bool },
    Revoke(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), any::<bool>()).prop_map(|(admin, by_member)| Op::Issue { admin, by_member }),
        1 => (0usize..16).prop_map(Op::Revoke),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the sequence of issues and revocations, `authenticate` accepts exactly
    /// the secrets issued and not revoked, and no altered secret, in this court and in
    /// another that followed the log.
    #[test]
    fn authenticate_accepts_exactly_the_live_secrets(ops in prop::collection::vec(op(), 1..10), flip in 0usize..43) {
        let w = World::new();
        let store = MemoryStore::new();
        let mut court = imported(&w, &store);
        let mut follower = court_on(&w, &store);
        let mut secrets: Vec<(String, bool)> = Vec::new();
        for op in ops {
            match op {
                Op::Issue { admin, by_member } => {
                    let issuer = if by_member { w.head() } else { w.office() };
                    let (actor, scope) = if admin { (w.office(), TokenScope::Admin) } else { (w.filing(), TokenScope::Act) };
                    let issued = court.issue_token(&issuer, actor, scope, None, None).unwrap();
                    secrets.push((issued.secret, true));
                }
                Op::Revoke(i) if i < secrets.len() => {
                    let id = secrets[i].0[4..20].to_owned();
                    let result = court.revoke_token(&w.office(), &id, None, None);
                    prop_assert_eq!(result.is_ok(), secrets[i].1);
                    secrets[i].1 = false;
                }
                Op::Revoke(_) => {}
            }
        }
        follower.refresh_access().unwrap();
        for c in [&court, &follower] {
            for (secret, live) in &secrets {
                prop_assert_eq!(c.authenticate(secret).is_some(), *live);
                let mut altered: Vec<u8> = secret.clone().into_bytes();
                let at = 21 + flip;
                altered[at] = if altered[at] == b'a' { b'b' } else { b'a' };
                prop_assert!(c.authenticate(&String::from_utf8(altered).unwrap()).is_none());
            }
            let live = secrets.iter().filter(|(_, l)| *l).count();
            prop_assert_eq!(c.tokens().iter().filter(|t| !t.is_revoked()).count(), live);
        }
        prop_assert!(problems(&court).is_empty());
    }
}

/// Two connections to one SQLite file, as two server processes would hold: each sees
/// the other's tokens and revocations after `refresh_access`.
#[test]
fn refresh_follows_another_connection_to_the_same_sqlite_file() {
    use regula_store_sqlite::SqliteStore;
    let dir = std::env::temp_dir().join(format!("regula-access-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.db");
    let w = World::new();
    let open = || {
        Court::open(SqliteStore::open(&path).unwrap(), w.catalog.clone(), |e| {
            e.with_clock(w.clock.clone())
        })
        .unwrap()
    };
    let mut a = open();
    a.import(&w.office()).unwrap();
    let mut b = open();
    let issued = a
        .issue_token(&w.office(), w.filing(), TokenScope::Act, None, None)
        .unwrap();
    assert!(b.authenticate(&issued.secret).is_none());
    assert!(b.refresh_access().unwrap());
    assert!(b.authenticate(&issued.secret).is_some());
    b.revoke_token(&w.head(), &issued.token.id, None, None).unwrap();
    assert!(a.refresh_access().unwrap());
    assert!(!a.refresh_access().unwrap());
    assert!(a.authenticate(&issued.secret).is_none());
    assert!(a.verify(None, &mut |_, _| {}).unwrap().problems.is_empty());
    drop((a, b));
    let _ = std::fs::remove_dir_all(&dir);
}
