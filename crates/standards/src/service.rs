//! A court's standards on a store: the catalog, the definition, an engine and a
//! [`Store`] together, addressed by standard code.
//!
//! This is what the `regula` command line and the examples drive; an embedding
//! program can use it the same way:
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use regula_core::{Command, ManualClock, MemoryStore, SeededIds};
//! use regula_standards::{Catalog, StandardAction, roles, service::Court};
//!
//! let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2022, 5, 16, 1, 0, 0).unwrap()));
//! let mut court = Court::open(MemoryStore::new(), Catalog::builtin()?, |engine| {
//!     engine.with_clock(clock.clone()).with_ids(Arc::new(SeededIds::new(1)))
//! })?;
//! let office = court.config().office_staff("zhang.min", "张敏");
//! let opened = court.import(&office)?;
//! assert_eq!(opened.len(), 117);
//!
//! // The office assigns a department to one of the 13 unassigned standards.
//! let assign = StandardAction::AssignDepartment { department: "立案庭".into() };
//! let record = court.apply("ADJ-01-01", Command::new(office, roles::OFFICE, assign))?;
//! assert!(!record.is_refused());
//! assert_eq!(court.instance("ADJ-01-01").unwrap().data().department.as_ref().unwrap().department, "case_filing");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use regula_core::store::{StoreProblem, StoreReport, verify_claims, verify_store};
use regula_core::{
    Actor, Append, AuditRecord, Checkpoint, Claim, Command, Decision, Definition, Engine, Instance, InstanceFilter,
    ReplayOptions, Repository, RepositoryError, Store, StoreError, Text, VerifyError, VerifyErrorKind,
};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::court::{
    CourtConfig, CreateError, DEFINITION_NAME, DOCUMENT_NUMBER_CLAIM, check_document_number, claims_of,
    external_checks, open_all, standard_definition,
};
use crate::lifecycle::{Stage, StandardAction, StandardLifecycle};
use crate::plan::{Ledger, WorkPlan};
use crate::rules;

/// Something the court service could not do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// No standard with this code in the catalog.
    #[error("no standard {code} in the catalog")]
    UnknownCode {
        /// The code given.
        code: String,
    },
    /// The standard is in the catalog but work on it was never opened (imported).
    #[error("standard {code} has not been imported into this store; run `catalog import` first")]
    NotOpened {
        /// The code.
        code: String,
    },
    /// The store holds a standard the catalog does not list.
    #[error("the store holds standard {code} (instance {instance}), which the catalog does not list: wrong catalog?")]
    NotInCatalog {
        /// The code.
        code: String,
        /// Its instance.
        instance: uuid::Uuid,
    },
    /// The definition could not be built from the catalog's configuration.
    #[error(transparent)]
    Definition(#[from] regula_core::DefinitionError),
    /// Opening work on a standard failed.
    #[error(transparent)]
    Create(#[from] CreateError),
    /// The store, the engine or a replay failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An instance's log does not replay.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

/// What stands between a standard and its next step: one entry per forward action,
/// with the rules about the standard's own record that would refuse it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// The action's machine name.
    pub action: String,
    /// Its labels.
    pub label: Text,
    /// The rules that fail now (empty: nothing in the record blocks it; the payload
    /// still has to satisfy the action's own rules).
    pub reasons: Vec<Text>,
}

/// A court's standards on a store (see the module docs).
pub struct Court<S: Store> {
    catalog: Catalog,
    config: CourtConfig,
    work_plan: WorkPlan,
    repository: Repository<StandardLifecycle, S>,
    instances: BTreeMap<String, Instance<StandardLifecycle>>,
    /// The data of `instances`, kept in step with them: the catalog-wide checks read
    /// it on every attempt, and rebuilding it each time cloned every standard's data.
    ledger: Ledger,
}

impl<S: Store> Court<S> {
    /// Opens the court's standards held in `store`, with the definition built from
    /// `catalog`; `configure` may set the engine's clock and id source. Every standard
    /// already in the store is loaded (from its latest snapshot when there is one).
    pub fn open(
        store: S,
        catalog: Catalog,
        configure: impl FnOnce(Engine<StandardLifecycle>) -> Engine<StandardLifecycle>,
    ) -> Result<Self, ServiceError> {
        let config = CourtConfig::from_catalog(&catalog);
        let engine = configure(Engine::new(standard_definition(&config)?));
        let repository = Repository::new(engine, store);
        let mut instances = BTreeMap::new();
        for head in repository.store().list(&InstanceFilter::definition(DEFINITION_NAME))? {
            let instance = repository.load(head.instance)?;
            let code = instance.data().code.clone();
            if catalog.standard(&code).is_none() {
                return Err(ServiceError::NotInCatalog {
                    code,
                    instance: head.instance,
                });
            }
            instances.insert(code, instance);
        }
        let ledger = instances.values().map(|i| i.data().clone()).collect();
        Ok(Court {
            catalog,
            config,
            work_plan: WorkPlan::new(),
            repository,
            instances,
            ledger,
        })
    }

    /// Uses the office's annual work plan (target dates per standard) in reports.
    pub fn with_work_plan(mut self, work_plan: WorkPlan) -> Self {
        self.work_plan = work_plan;
        self
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The court's configuration.
    pub fn config(&self) -> &CourtConfig {
        &self.config
    }

    /// The work plan.
    pub fn work_plan(&self) -> &WorkPlan {
        &self.work_plan
    }

    /// The standard definition.
    pub fn definition(&self) -> &Definition<StandardLifecycle> {
        self.repository.engine().definition()
    }

    /// The engine.
    pub fn engine(&self) -> &Engine<StandardLifecycle> {
        self.repository.engine()
    }

    /// The store.
    pub fn store(&self) -> &S {
        self.repository.store()
    }

    /// The standard's instance, if work on it was opened.
    pub fn instance(&self, code: &str) -> Option<&Instance<StandardLifecycle>> {
        self.instances.get(code)
    }

    /// Every opened standard, by code.
    pub fn instances(&self) -> impl Iterator<Item = (&str, &Instance<StandardLifecycle>)> {
        self.instances.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The current data of every opened standard.
    pub fn ledger(&self) -> Ledger {
        self.ledger.clone()
    }

    /// Opens work on every catalog standard not yet in the store, all in one
    /// transaction; returns the codes opened (empty when all were open already).
    pub fn import(&mut self, office: &Actor) -> Result<Vec<String>, ServiceError> {
        let created = open_all(self.engine(), &self.config, &self.catalog, &self.ledger, office)?;
        if created.is_empty() {
            return Ok(Vec::new());
        }
        let batch: Vec<Append<'_>> = created
            .iter()
            .map(|(instance, record)| Append {
                instance: instance.id(),
                expected_seq: 0,
                records: std::slice::from_ref(record),
            })
            .collect();
        self.repository.store().append_batch(&batch)?;
        let mut codes = Vec::with_capacity(created.len());
        for (instance, _) in created {
            codes.push(instance.data().code.clone());
            self.ledger.insert_instance(&instance);
            self.instances.insert(instance.data().code.clone(), instance);
        }
        Ok(codes)
    }

    /// Checks that `code` is a catalog standard whose work was opened.
    pub fn opened(&self, code: &str) -> Result<&Instance<StandardLifecycle>, ServiceError> {
        if self.catalog.standard(code).is_none() {
            return Err(ServiceError::UnknownCode { code: code.to_owned() });
        }
        self.instances
            .get(code)
            .ok_or_else(|| ServiceError::NotOpened { code: code.to_owned() })
    }

    /// Attempts `command` on the standard `code`, with the catalog-wide checks, and
    /// persists the record, accepted or refused. On an error nothing was written.
    ///
    /// A publication claims its document number in the store, in the same transaction
    /// as its record ([`Store::append_claiming`]): the check on the data this court
    /// loaded is only a first answer, the store's unique key decides. When another
    /// process took the number meanwhile, the standard that holds it is reloaded and
    /// the attempt decided again on that fresh state, so it is recorded as refused
    /// with the document number reason, like any other refusal: the attempt was made,
    /// and an audit trail keeps refused attempts with a reason anyone can check against
    /// the holder's publication (an error would leave no trace, and the caller would
    /// see the same refusal on its next try anyway). If the store still
    /// refuses the claim then (a holder that is no standard of this catalog), the
    /// error is [`StoreError::Claimed`] and nothing was written.
    pub fn apply(&mut self, code: &str, command: Command<StandardAction>) -> Result<AuditRecord, ServiceError> {
        self.opened(code)?;
        let mut reloaded = false;
        loop {
            let external = external_checks(&self.catalog, &self.ledger, &command.action);
            let claims = claims_of(&command.action);
            let instance = self
                .instances
                .get_mut(code)
                .ok_or_else(|| ServiceError::NotOpened { code: code.to_owned() })?;
            // The repository leaves the instance as it was when anything fails.
            match self
                .repository
                .apply_claiming(instance, command.clone(), external, &claims)
            {
                Ok(record) => {
                    self.ledger.insert_instance(instance);
                    return Ok(record);
                }
                Err(RepositoryError::Store(StoreError::Claimed { holder, .. })) if !reloaded => {
                    reloaded = true;
                    self.reload(holder.instance)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Reloads one standard from the store (another process may have extended it),
    /// when it is one of this court's; an instance of another definition or a code
    /// the catalog does not list is left alone.
    fn reload(&mut self, id: uuid::Uuid) -> Result<(), ServiceError> {
        match self.store().head(id) {
            Ok(head) if head.definition.name == DEFINITION_NAME => {}
            // A claim naming no instance (a forged row) explains nothing: the store
            // refuses the claim again and the caller gets that error.
            Ok(_) | Err(StoreError::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let instance = self.repository.load(id)?;
        let code = instance.data().code.clone();
        if self.catalog.standard(&code).is_some() {
            self.ledger.insert_instance(&instance);
            self.instances.insert(code, instance);
        }
        Ok(())
    }

    /// Gives the store the claim of every published document number that has none:
    /// for a store written before claims existed (or by a program that did not make
    /// them). A number published twice (which only such a store can hold) is claimed
    /// for its first publication, and `verify` reports the other. Returns how many
    /// claims were added; they are written in one transaction.
    pub fn claim_past_publications(&self) -> Result<usize, ServiceError> {
        let held: std::collections::HashSet<String> = self
            .store()
            .claims(DOCUMENT_NUMBER_CLAIM)?
            .into_iter()
            .map(|c| c.key)
            .collect();
        let mut missing: BTreeMap<String, (DateTime<Utc>, Claim)> = BTreeMap::new();
        for instance in self.instances.values() {
            for v in &instance.data().versions {
                if held.contains(&v.document_number) {
                    continue;
                }
                let claim = Claim::new(DOCUMENT_NUMBER_CLAIM, &v.document_number, instance.id(), v.stamp.seq);
                let earlier = missing.get(&v.document_number).is_some_and(|(at, _)| *at <= v.stamp.at);
                if !earlier {
                    missing.insert(v.document_number.clone(), (v.stamp.at, claim));
                }
            }
        }
        if missing.is_empty() {
            return Ok(0);
        }
        let claims: Vec<Claim> = missing.into_values().map(|(_, c)| c).collect();
        self.store().append_claiming(&[], &claims)?;
        Ok(claims.len())
    }

    /// What [`apply`](Court::apply) would decide now, without writing anything.
    pub fn preview(&self, code: &str, command: &Command<StandardAction>) -> Result<Decision<Stage>, ServiceError> {
        let instance = self.opened(code)?;
        let external = external_checks(&self.catalog, &self.ledger, &command.action);
        let decision = self
            .engine()
            .preview(instance, command)
            .map_err(RepositoryError::from)?;
        Ok(match decision {
            Decision::Accept { .. } if !external.is_empty() => Decision::Refuse(external),
            Decision::Refuse(mut reasons) => {
                reasons.extend(external);
                Decision::Refuse(reasons)
            }
            accept => accept,
        })
    }

    /// The standard's audit trail.
    pub fn history(&self, code: &str) -> Result<Vec<AuditRecord>, ServiceError> {
        let instance = self.opened(code)?;
        Ok(self.store().load(instance.id())?)
    }

    /// What in the standard's own record blocks each forward step from its current
    /// stage, as of `now`. Rules about an action's payload (the draft, the meeting
    /// record, the document number) are judged when the action is attempted.
    pub fn blockers(&self, code: &str, now: DateTime<Utc>) -> Result<Vec<Blocker>, ServiceError> {
        let instance = self.opened(code)?;
        let data = instance.data();
        let check = |rules: &[Result<(), Text>]| -> Vec<Text> {
            rules.iter().filter_map(|r| r.as_ref().err().cloned()).collect()
        };
        let forward: Vec<(&str, Vec<Text>)> = match instance.state() {
            Stage::Research => vec![("start_drafting", check(&[rules::department_assigned(data)]))],
            Stage::Drafting | Stage::Revision => vec![("open_consultation", Vec::new())],
            Stage::Consultation => vec![(
                "close_consultation",
                check(&[
                    rules::opinions_from_both_groups(data),
                    rules::opinions_answered(data),
                    rules::consultation_period(data, now, self.config.timezone, self.config.min_consultation_days),
                ]),
            )],
            Stage::Approval => vec![("approve", Vec::new()), ("publish", check(&[rules::approved(data)]))],
            Stage::Published => vec![("begin_follow_up", Vec::new())],
            Stage::FollowUp => vec![("accept", check(&[rules::evaluated(data)]))],
            Stage::Consolidated | Stage::Withdrawn => Vec::new(),
        };
        let definition = self.definition();
        Ok(forward
            .into_iter()
            .map(|(action, reasons)| Blocker {
                action: action.to_owned(),
                label: definition
                    .action_label(action)
                    .cloned()
                    .unwrap_or_else(|| Text::owned(action, action)),
                reasons,
            })
            .collect())
    }

    /// Verifies the whole store: every chain, head and the Merkle tree, every
    /// standard's log replayed against the definition with its guards re-checked,
    /// the catalog-wide rule that no document number is used twice (a check no single
    /// log can make: a second use is reported at the record that published it), the
    /// store's document number claims against the publications (each publication
    /// holds the claim of its number, no claim without its publication), and,
    /// given a saved checkpoint, that the store extends it.
    pub fn verify(
        &self,
        checkpoint: Option<&Checkpoint>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<StoreReport, ServiceError> {
        let definition = self.definition();
        let mut replayed: Vec<Instance<StandardLifecycle>> = Vec::new();
        let mut report = verify_store(
            self.store(),
            checkpoint,
            |head, records| {
                (head.definition == *definition.reference()).then(|| {
                    definition
                        .replay_with(records, ReplayOptions { recheck_guards: true })
                        .map(|instance| replayed.push(instance))
                })
            },
            progress,
        )?;
        report.problems.extend(self.duplicate_document_numbers(&replayed));
        // Every publication holds the claim of its number, and every claim is held by
        // the publication that made it.
        let expected: Vec<Claim> = replayed
            .iter()
            .flat_map(|i| {
                i.data()
                    .versions
                    .iter()
                    .map(move |v| Claim::new(DOCUMENT_NUMBER_CLAIM, &v.document_number, i.id(), v.stamp.seq))
            })
            .collect();
        report
            .problems
            .extend(verify_claims(self.store(), DOCUMENT_NUMBER_CLAIM, &expected)?);
        Ok(report)
    }

    /// Every publication whose document number an earlier publication (in time, then
    /// in catalog order) already used, or that reuses the plan's own number.
    fn duplicate_document_numbers(&self, instances: &[Instance<StandardLifecycle>]) -> Vec<StoreProblem> {
        let mut versions: Vec<(&Instance<StandardLifecycle>, &crate::data::Version)> = instances
            .iter()
            .flat_map(|i| i.data().versions.iter().map(move |v| (i, v)))
            .collect();
        versions.sort_by_key(|(i, v)| (v.stamp.at, i.data().code.clone(), v.number));
        let mut seen = Ledger::new();
        let mut problems = Vec::new();
        for (instance, version) in versions {
            if let Some(reason) = check_document_number(&self.catalog, &seen, &version.document_number) {
                problems.push(StoreProblem::Transition(VerifyError {
                    instance: instance.id(),
                    seq: version.stamp.seq,
                    kind: VerifyErrorKind::GuardsWouldRefuse { reasons: vec![reason] },
                }));
            }
            let mut data = seen.get(&instance.data().code).cloned().unwrap_or_else(|| {
                let mut d = instance.data().clone();
                d.versions.clear();
                d
            });
            data.versions.push(version.clone());
            seen.insert(data);
        }
        problems
    }
}
