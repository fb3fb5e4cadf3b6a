//! The store's access log on a [`Court`]: issuing and revoking bearer tokens,
//! authenticating a presented token, following another process's changes, and
//! verifying the log (see [`crate::access`]).

use chrono::{DateTime, Utc};
use regula_core::store::InstanceFilter;
use regula_core::{
    Actor, Append, AuditRecord, Claim, Command, Digest, FORMAT_V1, Instance, MAX_CLOCK_SKEW, Reason, ReplayOptions,
    RepositoryError, Snapshot, Store, StoreError, VerifyError, VerifyErrorKind,
};

use super::{Court, ServiceError, load_rules};
use crate::access::{
    ACCESS_CLAIM, ACCESS_DEFINITION, AccessAction, AccessData, AccessLifecycle, IssuedToken, Token, TokenScope,
    access_definition, constant_time_eq, hash_secret, issuer_role, new_secret, parse_presented,
};
use crate::court::CourtConfig;
use crate::rules_log::RULES_DEFINITION;

/// Loads the store's access log, if it has one (replayed without its guards: `verify`
/// re-checks them); more than one is an error.
pub(super) fn load<S: Store>(
    store: &S,
    config: &CourtConfig,
) -> Result<Option<Instance<AccessLifecycle>>, ServiceError> {
    let logs = store.list(&InstanceFilter::definition(ACCESS_DEFINITION))?;
    if logs.len() > 1 {
        return Err(ServiceError::TwoAccessLogs { count: logs.len() });
    }
    let Some(head) = logs.first() else {
        return Ok(None);
    };
    let records = store.load(head.instance)?;
    Ok(Some(access_definition(config)?.replay(&records)?))
}

impl<S: Store> Court<S> {
    /// Issues a bearer token acting as `actor` with `scope`, by `issuer` (someone of the
    /// office or a leading group member), taking effect at `at` (`None`: now). The
    /// store's first token opens its access log, in the same transaction and claiming
    /// its place. The secret is returned this once; the log keeps only its hash.
    ///
    /// A refusal (an issuer who may not, an actor the court does not know, an
    /// administering token for a department) is recorded in the access log and returned
    /// as [`ServiceError::AccessRefused`] with its record; an issuer who may not is
    /// refused without a record when the store has no access log yet (no log is opened
    /// in their name). A store that records no rules yet has no one to judge the issuer
    /// by: [`ServiceError::NoRules`].
    pub fn issue_token(
        &mut self,
        issuer: &Actor,
        actor: Actor,
        scope: TokenScope,
        label: Option<String>,
        at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken, ServiceError> {
        let (id, secret, hash) = new_secret()?;
        let action = AccessAction::IssueToken {
            id: id.clone(),
            hash,
            actor,
            scope,
            label,
        };
        self.decide_access(issuer, action, at)?;
        let token = self.tokens().iter().find(|t| t.id == id).cloned().ok_or_else(|| {
            // The effect of an accepted issue adds its token: only a defect of this
            // library could leave none.
            ServiceError::Access(crate::access::AccessError::Payload {
                seq: self.access.as_ref().map_or(0, Instance::seq),
                message: format!("the accepted issue of token {id} left no token"),
            })
        })?;
        Ok(IssuedToken { token, secret })
    }

    /// Revokes the token `id`, by `issuer` (someone of the office or a leading group
    /// member), saying why if `reason` is given; `at` as for [`issue_token`](Court::issue_token).
    /// Returns the accepted record; a refusal (no such token, one already revoked, an
    /// issuer who may not) is recorded and returned as [`ServiceError::AccessRefused`].
    pub fn revoke_token(
        &mut self,
        issuer: &Actor,
        id: &str,
        reason: Option<String>,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let action = AccessAction::RevokeToken {
            id: id.to_owned(),
            reason,
        };
        self.decide_access(issuer, action, at)
    }

    /// Every token the access log holds, revoked ones included, in the order issued;
    /// empty when the store has no access log.
    pub fn tokens(&self) -> &[Token] {
        self.access.as_ref().map_or(&[], |log| &log.data().tokens)
    }

    /// The access log's instance, when the store has one.
    pub fn access_log(&self) -> Option<&Instance<AccessLifecycle>> {
        self.access.as_ref()
    }

    /// The token `presented` (`rgl_<id>_<secret>`) stands for: found by its id, not
    /// revoked, and the SHA-256 of its secret part equal to the hash recorded (compared
    /// in constant time). `None` for anything else. What this court loaded decides:
    /// call [`refresh_access`](Court::refresh_access) first to see another process's
    /// tokens and revocations.
    pub fn authenticate(&self, presented: &str) -> Option<&Token> {
        let (id, secret) = parse_presented(presented)?;
        let token = self.tokens().iter().find(|t| t.id == id && !t.is_revoked())?;
        constant_time_eq(hash_secret(secret).as_bytes(), token.hash.as_bytes()).then_some(token)
    }

    /// Loads what another process (a second server on the same database) recorded in
    /// the access log since this court last read it; returns whether anything changed.
    /// One query (the log's head) when nothing did; a store without an access log
    /// yet costs one listing.
    pub fn refresh_access(&mut self) -> Result<bool, ServiceError> {
        let Some(log) = &self.access else {
            self.access = load(self.store(), &self.config)?;
            return Ok(self.access.is_some());
        };
        let head = self.store().head(log.id())?;
        if head.seq == log.seq() && head.last_hash == log.last_hash() {
            return Ok(false);
        }
        let next = if head.seq > log.seq() {
            let records = self.store().load_after(log.id(), log.seq())?;
            access_definition(&self.config)?.replay_onto(log.clone(), &records, ReplayOptions::default())?
        } else {
            // Shorter, or the same length with another last record: only a store
            // rewritten behind the library's back; read it again from the start.
            let records = self.store().load(log.id())?;
            access_definition(&self.config)?.replay(&records)?
        };
        self.access = Some(next);
        Ok(true)
    }

    /// Attempts `action` on the access log as `issuer`, under the rules in force at `at`
    /// (citing their record), opening the log first if the store has none; appends the
    /// record, accepted or refused. When another process wrote the log meanwhile (a
    /// conflict, or the log's claim taken), reloads it and decides again, once.
    fn decide_access(
        &mut self,
        issuer: &Actor,
        action: AccessAction,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let mut retried = false;
        loop {
            match self.try_access(issuer, action.clone(), at) {
                Err(ServiceError::Store(e)) if !retried && (e.is_conflict() || e.claimed().is_some()) => {
                    retried = true;
                    self.refresh_access()?;
                }
                Err(ServiceError::Repository(RepositoryError::Store(e)))
                    if !retried && (e.is_conflict() || e.claimed().is_some()) =>
                {
                    retried = true;
                    self.refresh_access()?;
                }
                other => return other,
            }
        }
    }

    fn try_access(
        &mut self,
        issuer: &Actor,
        action: AccessAction,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let t = at.unwrap_or_else(|| self.engine().clock().now());
        let version = self
            .rules
            .as_ref()
            .and_then(|log| log.version_at(t))
            .ok_or(ServiceError::NoRules)?;
        let config = &version.config;
        let role = issuer_role(config, issuer);
        let engine = self
            .engine()
            .for_definition(access_definition(config)?)
            .with_rules(version.hash);
        let command = Command::new(issuer.clone(), role, action);
        let command = match at {
            Some(at) => command.at(at),
            None => command,
        };
        let (instance, record) = match &self.access {
            Some(log) => {
                let mut instance = log.clone();
                let record = engine.apply(&mut instance, command).map_err(RepositoryError::from)?;
                self.store().append(Append {
                    instance: instance.id(),
                    expected_seq: log.seq(),
                    records: std::slice::from_ref(&record),
                    due_at: None,
                })?;
                (instance, record)
            }
            None => {
                // No log is opened in the name of someone who may not open it.
                if let Err(why) = config.actor_fits(issuer, role, None) {
                    return Err(ServiceError::AccessRefused {
                        reasons: vec![Reason::guard("issuer_fits_role", why)],
                        record: None,
                    });
                }
                let (mut instance, created) = engine
                    .create_at(issuer.clone(), role, AccessData::default(), None, at)
                    .map_err(RepositoryError::from)?;
                let record = engine.apply(&mut instance, command).map_err(RepositoryError::from)?;
                let records = [created, record];
                self.store().append_claiming(
                    &[Append {
                        instance: instance.id(),
                        expected_seq: 0,
                        records: &records,
                        due_at: None,
                    }],
                    &[Claim::new(ACCESS_CLAIM, ACCESS_DEFINITION, instance.id(), 1)],
                )?;
                let [_, record] = records;
                (instance, record)
            }
        };
        self.access = Some(instance);
        match record.refusal() {
            Some(reasons) => Err(ServiceError::AccessRefused {
                reasons: reasons.to_vec(),
                record: Some(Box::new(record)),
            }),
            None => Ok(record),
        }
    }
}

/// One version of the rules, as an access record may cite it.
struct CitedRules {
    hash: Digest,
    /// When it took effect.
    at: DateTime<Utc>,
    /// When its record was written.
    recorded_at: DateTime<Utc>,
    definition: regula_core::Definition<AccessLifecycle>,
    config: CourtConfig,
}

/// What `verify` replays the access log with: the access definition under every
/// version of the rules the store's rules log records, by the hash of the record that
/// put it in force.
pub(super) struct AccessVerifier {
    versions: Vec<CitedRules>,
    /// For snapshots, which hold no guard: any configuration replays the table.
    table: regula_core::Definition<AccessLifecycle>,
}

impl AccessVerifier {
    /// The verifier for `store`: empty when it has no access log (nothing to check), or
    /// when its rules log does not load (every access record is then reported as
    /// citing rules the store does not hold, beside the rules log's own problems).
    pub(super) fn new<S: Store>(store: &S, config: &CourtConfig) -> Result<Self, ServiceError> {
        let table = access_definition(config)?;
        let mut versions = Vec::new();
        if !store.list(&InstanceFilter::definition(ACCESS_DEFINITION))?.is_empty()
            && let [head] = store.list(&InstanceFilter::definition(RULES_DEFINITION))?.as_slice()
            && let Ok(log) = load_rules(store, head.instance)
        {
            for v in &log.versions {
                versions.push(CitedRules {
                    hash: v.hash,
                    at: v.at,
                    recorded_at: v.recorded_at,
                    definition: access_definition(&v.config)?,
                    config: v.config.clone(),
                });
            }
        }
        Ok(AccessVerifier { versions, table })
    }

    /// Replays the access log `records`, each under the rules it cites, with every guard
    /// re-checked at the record's time: the cited rules must be the rules log's, written
    /// before the record, and the rules in force at the record's time (the first rules
    /// also judge what came before them; rules written less than [`MAX_CLOCK_SKEW`]
    /// before the record may not have been seen by its writer);
    /// the creation must hold no token and be made by someone of the office or a
    /// leading group member.
    pub(super) fn verify(&self, records: &[AuditRecord], now: DateTime<Utc>) -> Result<(), VerifyError> {
        let options = ReplayOptions::verify_at(now);
        let mut instance: Option<Instance<AccessLifecycle>> = None;
        for r in records {
            let fail = |kind| VerifyError {
                instance: r.instance,
                seq: r.seq,
                kind,
            };
            let rules = |message: String| fail(VerifyErrorKind::Rules { message });
            let index = match r.rules {
                Some(hash) => self.versions.iter().position(|v| v.hash == hash).ok_or_else(|| {
                    rules(format!(
                        "cites rules {hash}, which this store's rules log does not hold"
                    ))
                })?,
                None if r.format == FORMAT_V1 => {
                    return Err(rules("the access log is written in format 2 only".to_owned()));
                }
                None => {
                    return Err(rules(
                        "an access record must cite the rules it was decided under".to_owned(),
                    ));
                }
            };
            let cited = &self.versions[index];
            let written = r.recorded_at.unwrap_or(r.at);
            if cited.recorded_at > written + MAX_CLOCK_SKEW {
                return Err(rules(format!(
                    "cites rules written at {}, after this record ({written})",
                    cited.recorded_at
                )));
            }
            if index > 0 && cited.at > r.at {
                return Err(rules(format!(
                    "an event of {} cites rules that took effect later ({})",
                    r.at, cited.at
                )));
            }
            // The rules in force for the event, among those written before the record:
            // citing older ones is deciding under superseded rules (unless the newer
            // ones were written less than the clock skew before).
            let expected = self
                .versions
                .iter()
                .rposition(|v| v.at <= r.at && v.recorded_at + MAX_CLOCK_SKEW <= written)
                .unwrap_or(0);
            if expected > index {
                let newer = &self.versions[expected];
                return Err(rules(format!(
                    "decided under rules {} superseded for an event of {} by rules {} (in force from {}, written {}) before this record was written ({written})",
                    cited.hash, r.at, newer.hash, newer.at, newer.recorded_at
                )));
            }
            let (definition, config) = (&cited.definition, &cited.config);
            let next = match instance.take() {
                None => {
                    let created = definition.replay_with(std::slice::from_ref(r), options)?;
                    if let Err(why) = config.actor_fits(&r.actor, &r.role, None) {
                        return Err(fail(VerifyErrorKind::GuardsWouldRefuse {
                            reasons: vec![Reason::guard("issuer_fits_role", why)],
                        }));
                    }
                    if !created.data().tokens.is_empty() {
                        return Err(fail(VerifyErrorKind::GuardsWouldRefuse {
                            reasons: vec![Reason::guard(
                                "access_log_opens_empty",
                                regula_core::Text::new(
                                    "访问日志建立时不含令牌，令牌须逐一签发",
                                    "an access log opens with no token; each is issued by its own record",
                                ),
                            )],
                        }));
                    }
                    created
                }
                Some(before) => definition.replay_onto(before, std::slice::from_ref(r), options)?,
            };
            instance = Some(next);
        }
        Ok(())
    }

    /// The snapshot of the access log replayed from `records`.
    pub(super) fn snapshot(&self, records: &[AuditRecord]) -> Result<Snapshot, VerifyError> {
        let instance = self.table.replay(records)?;
        instance.snapshot().map_err(|e| VerifyError {
            instance: instance.id(),
            seq: instance.seq(),
            kind: VerifyErrorKind::Snapshot { message: e.to_string() },
        })
    }
}

/// The claim the store's access log holds (one per access log the store lists; a
/// second is refused its claim, and `verify` reports it).
pub(super) fn expected_claims<S: Store>(store: &S) -> Result<Vec<Claim>, StoreError> {
    Ok(store
        .list(&InstanceFilter::definition(ACCESS_DEFINITION))?
        .iter()
        .map(|head| Claim::new(ACCESS_CLAIM, ACCESS_DEFINITION, head.instance, 1))
        .collect())
}
