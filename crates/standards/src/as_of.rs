//! A court's standards as their logs stood at a past instant: every view as of a date
//! (`show --at`, every report `--as-of`, their JSON) is built from these, with the
//! catalog in force then ([`Court::catalog_as_of`]).
//!
//! The standard as of an instant *T* is its log replayed up to *T*: its stage and
//! **all** its data (department, drafts, consultations and opinions, approvals,
//! versions and their document numbers, revisions, reports, inspections, evaluations,
//! acceptance, withdrawal) as the records dated at or before *T* made them, and
//! nothing a later record added. A standard whose work was opened after *T* does not
//! exist yet as of *T*.
//!
//! # Which records belong to *T*
//!
//! A record belongs to *T* by its **event time** `at`, not by when it was written
//! (`recorded_at`). An event entered after the fact ([`regula_core::Command::at`]) is
//! appended after records written before it but dated later; as of any *T* at or
//! after its `at` it counts, exactly as if it had been entered on time. The view as of
//! *T* is therefore what the log says *today* had happened by *T* (events entered
//! later included), not what the log held on *T*.
//!
//! That view is a prefix of the log. The engine (and `verify`, `check_times`) never
//! let a record be dated before the last creation or accepted record of its log, so the
//! records that change a standard are in `at` order: those dated at or before *T*
//! come first, and every record after the last one dated at or before *T* is dated
//! later. Replaying the log up to its last record dated at or before *T* gives the
//! standard as of *T*; the refusals inside that prefix change nothing but the record
//! count, which [`StandardAsOf::records`] counts by event time.

use chrono::{DateTime, Utc};
use regula_core::{Instance, Store};

use crate::catalog::Catalog;
use crate::lifecycle::StandardLifecycle;
use crate::plan::Ledger;
use crate::rules_log::rules_definition;
use crate::service::{Court, ServiceError};

/// One standard as its log stood at an instant ([`Court::standard_as_of`]).
#[derive(Clone, Debug)]
pub struct StandardAsOf {
    /// The standard replayed from its records up to the instant: its stage and data.
    pub instance: Instance<StandardLifecycle>,
    /// How many of its records are dated at or before the instant (refusals included).
    pub records: u64,
    /// The event time of the latest of those records.
    pub last_record: DateTime<Utc>,
}

/// The index of the last record dated at or before `at`, if any.
fn last_at_or_before(records: &[regula_core::AuditRecord], at: DateTime<Utc>) -> Option<usize> {
    records.iter().rposition(|r| r.at <= at)
}

impl<S: Store> Court<S> {
    /// The standard `code` as its log stood at `at` (see the [module docs](crate::as_of)):
    /// `None` when work on it was opened after `at`. Errors when the code is not in the
    /// catalog or was never opened, or the log does not load.
    pub fn standard_as_of(&self, code: &str, at: DateTime<Utc>) -> Result<Option<StandardAsOf>, ServiceError> {
        let current = self.opened(code)?;
        let records = self.store().load(current.id())?;
        let Some(last) = last_at_or_before(&records, at) else {
            return Ok(None);
        };
        let instance = self.versions().replay(&records[..=last])?;
        let dated = || records.iter().map(|r| r.at).filter(|t| *t <= at);
        Ok(Some(StandardAsOf {
            instance,
            records: dated().count() as u64,
            last_record: dated().max().unwrap_or(at),
        }))
    }

    /// The instance of the standard `code` as of `at`: its stage and data as its log
    /// stood then; `None` when work on it was opened after `at`. When nothing changed
    /// it since `at` this is the current instance, read without the store.
    pub fn instance_as_of(
        &self,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Instance<StandardLifecycle>>, ServiceError> {
        let current = self.opened(code)?;
        if at < current.created_at() {
            return Ok(None);
        }
        // Every record that changed it is dated at or before its last change.
        if current.settled_at() <= at {
            return Ok(Some(current.clone()));
        }
        Ok(self.standard_as_of(code, at)?.map(|s| s.instance))
    }

    /// The catalog in force at `at` (its steps and due dates, core flags, departments,
    /// standards): the version of the store's rules log that took effect last by then,
    /// or its first (the rules a store first records also judge what came before
    /// them), as the service judges decisions. A store that records no rules yet has
    /// only the catalog it was opened with.
    pub fn catalog_as_of(&self, at: DateTime<Utc>) -> Result<Catalog, ServiceError> {
        let Some(log) = self.rules_log() else {
            return Ok(self.catalog().clone());
        };
        let records = self.rules_history()?;
        let changes = || records.iter().enumerate().filter(|(_, r)| !r.is_refused());
        let Some(last) = changes()
            .rfind(|(_, r)| r.at <= at)
            .or_else(|| changes().next())
            .map(|(i, _)| i)
        else {
            return Ok(self.catalog().clone());
        };
        let rules = rules_definition()?.replay(&records[..=last])?;
        rules.data().catalog().map_err(|source| ServiceError::Rules {
            instance: log.id(),
            source,
        })
    }

    /// Every opened standard's data as of `at`: the input of every report as of that
    /// instant. A standard opened after `at` is not in it (the reports show it as not
    /// started, with the catalog's department).
    pub fn ledger_as_of(&self, at: DateTime<Utc>) -> Result<Ledger, ServiceError> {
        let mut ledger = Ledger::new();
        for (code, _) in self.instances() {
            if let Some(instance) = self.instance_as_of(code, at)? {
                ledger.insert(instance.data().clone());
            }
        }
        Ok(ledger)
    }
}
