//! Group commit: many attempts decided in order, written in one transaction.

use std::collections::{BTreeMap, HashSet};

use regula_core::store::{Append, Claim, Store};
use regula_core::{AuditRecord, Command, Instance, RepositoryError};

use super::{Court, IDEMPOTENCY_CLAIM, ServiceError};
use crate::court::{claims_of, external_checks};
use crate::data::StandardData;
use crate::lifecycle::{StandardAction, StandardLifecycle};
use crate::plan::Ledger;

/// One attempt of a batch ([`Court::apply_batch`]).
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The standard's code.
    pub code: String,
    /// What is attempted.
    pub command: Command<StandardAction>,
    /// The idempotency key the record claims, refused or accepted
    /// ([`Court::apply_keyed`]).
    pub key: Option<String>,
    /// The sequence number the caller last saw (an HTTP `If-Match`): the attempt is
    /// not made when the standard's log has moved on from it.
    pub expected_seq: Option<u64>,
}

/// Why an attempt of a batch wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// The standard's last record is not the one the caller expected: nothing was
    /// decided.
    #[error("{code}: the log moved on to #{seq}")]
    Moved {
        /// The standard.
        code: String,
        /// Its last record's sequence number now.
        seq: u64,
    },
    /// Another attempt of the same batch holds the same idempotency key: once the
    /// batch is written, [`Court::keyed_record`] gives its record.
    #[error("idempotency key used twice in one batch")]
    KeyInBatch,
    /// The attempt failed as [`Court::apply_keyed`] fails.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl<S: Store> Court<S> {
    /// Decides `attempts` in order, each on the state the ones before it left (two
    /// attempts on one standard see each other, and so do the catalog-wide checks),
    /// and writes every record in **one** transaction: one sync of the store for the
    /// whole batch, which is what makes a server's throughput under concurrency far
    /// exceed one sync per record. Each result is what
    /// [`apply_keyed`](Court::apply_keyed) would have answered.
    ///
    /// When the one transaction fails (another process wrote to one of the standards,
    /// an idempotency key or document number is held already), nothing of it was
    /// written, and each attempt is made again on its own, so that each gets its own
    /// answer; that is the only time a batch costs more than one transaction.
    pub fn apply_batch(&mut self, attempts: Vec<Attempt>) -> Vec<Result<AuditRecord, AttemptError>> {
        if self.rules.is_none() {
            return attempts
                .iter()
                .map(|_| Err(AttemptError::Service(ServiceError::NoRules)))
                .collect();
        }
        // The batch decides on the court's own ledger and keeps each standard's data it
        // replaced, to put back if the transaction fails: cloning the whole ledger
        // (every standard's data with all its opinions) for each batch made a batch's
        // cost grow with the store, and the writer CPU-bound.
        let mut ledger = std::mem::take(&mut self.ledger);
        let mut replaced: BTreeMap<String, Option<StandardData>> = BTreeMap::new();
        let mut pending: BTreeMap<String, Instance<StandardLifecycle>> = BTreeMap::new();
        let mut keys: HashSet<String> = HashSet::new();
        let mut results: Vec<Result<AuditRecord, AttemptError>> = Vec::with_capacity(attempts.len());
        let mut claims: Vec<Claim> = Vec::new();
        for attempt in &attempts {
            let result = self.decide_in_batch(
                attempt,
                &mut pending,
                (&mut ledger, &mut replaced),
                &mut keys,
                &mut claims,
            );
            results.push(result);
        }
        let decided: Vec<&AuditRecord> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        if decided.is_empty() {
            self.ledger = ledger;
            return results;
        }
        // The records in the order they were decided (the tree's order is the log's
        // time order, which verification reads back): one append per run of records of
        // one standard, each expecting the head just before its first record.
        let mut runs: Vec<(uuid::Uuid, u64, Vec<AuditRecord>)> = Vec::new();
        for record in decided {
            match runs.last_mut() {
                Some((instance, _, records)) if *instance == record.instance => records.push(record.clone()),
                _ => runs.push((record.instance, record.seq - 1, vec![record.clone()])),
            }
        }
        let appends: Vec<Append<'_>> = runs
            .iter()
            .map(|(instance, expected_seq, records)| Append {
                instance: *instance,
                expected_seq: *expected_seq,
                records,
                due_at: None,
            })
            .collect();
        match self.store().append_claiming(&appends, &claims) {
            Ok(_) => {
                for (code, instance) in pending {
                    self.instances.insert(code, instance);
                }
                self.ledger = ledger;
                results
            }
            // Nothing was written: the ledger as it was, then each attempt on its own,
            // for its own answer.
            Err(_) => {
                for (code, data) in replaced {
                    match data {
                        Some(data) => {
                            ledger.replace(data);
                        }
                        None => {
                            ledger.remove(&code);
                        }
                    }
                }
                self.ledger = ledger;
                attempts.into_iter().map(|a| self.apply_one(a)).collect()
            }
        }
    }

    /// Decides one attempt of a batch on the batch's state so far.
    fn decide_in_batch(
        &self,
        attempt: &Attempt,
        pending: &mut BTreeMap<String, Instance<StandardLifecycle>>,
        (ledger, replaced): (&mut Ledger, &mut BTreeMap<String, Option<StandardData>>),
        keys: &mut HashSet<String>,
        claims: &mut Vec<Claim>,
    ) -> Result<AuditRecord, AttemptError> {
        let code = attempt.code.as_str();
        let current = match pending.get(code) {
            Some(instance) => instance,
            None => self.opened(code)?,
        };
        if let Some(seq) = attempt.expected_seq
            && seq != current.seq()
        {
            return Err(AttemptError::Moved {
                code: code.to_owned(),
                seq: current.seq(),
            });
        }
        if let Some(key) = &attempt.key
            && !keys.insert(key.clone())
        {
            return Err(AttemptError::KeyInBatch);
        }
        let mut next = current.clone();
        let version = next.definition().version;
        let command = &attempt.command;
        let on = self
            .config
            .local_date(command.effective_at.unwrap_or_else(|| self.engine().clock().now()));
        let external = external_checks(&self.catalog, ledger, code, version, on, &command.action);
        let engine = self.engine_for(command.effective_at, version);
        let record = engine
            .as_ref()
            .unwrap_or_else(|| self.engine())
            .apply_with(&mut next, command.clone(), external)
            .map_err(|e| ServiceError::Repository(RepositoryError::Engine(e)))?;
        if !record.is_refused() {
            for (namespace, key) in claims_of(ledger, &command.action) {
                claims.push(Claim::new(namespace, key, record.instance, record.seq));
            }
        }
        if let Some(key) = &attempt.key {
            claims.push(Claim::new(IDEMPOTENCY_CLAIM, key, record.instance, record.seq));
        }
        let before = ledger.replace(next.data().clone());
        replaced.entry(code.to_owned()).or_insert(before);
        pending.insert(code.to_owned(), next);
        Ok(record)
    }

    /// One attempt on its own (its own transaction), with the `If-Match` check.
    fn apply_one(&mut self, attempt: Attempt) -> Result<AuditRecord, AttemptError> {
        let seq = self.opened(&attempt.code)?.seq();
        if let Some(expected) = attempt.expected_seq
            && expected != seq
        {
            return Err(AttemptError::Moved {
                code: attempt.code,
                seq,
            });
        }
        Ok(self.apply_keyed(&attempt.code, attempt.command, attempt.key.as_deref())?)
    }
}
