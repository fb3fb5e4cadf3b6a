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

mod batch;

pub use batch::{Attempt, AttemptError};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use regula_core::store::{
    Replayer, Replayers, StorageCheck, StoreProblem, StoreReport, VerifyOptions, verify_claims, verify_store_with,
};
use regula_core::{
    Actor, Append, AuditRecord, Checkpoint, Claim, Command, Decision, Definition, Digest, Engine, FORMAT_V1, Instance,
    InstanceFilter, MAX_CLOCK_SKEW, Migration, Reason, ReplayOptions, Repository, RepositoryError, Snapshot, Store,
    StoreError, Text, VerifyError, VerifyErrorKind, Versions, VersionsError,
};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{AccessError, AccessLifecycle};
use crate::affairs::{CourtAffairs, Hearing, PlanTarget};
use crate::catalog::Catalog;
use crate::court::{
    CourtConfig, CreateError, DEFINITION_NAME, DOCUMENT_NUMBER_CLAIM, NumberUse, check_publication, claims_of,
    external_checks, open_all,
};
use crate::lifecycle::Role;
use crate::lifecycle::{ActionKind, Stage, StandardAction, StandardLifecycle};
use crate::plan::{Ledger, WorkPlan};
use crate::rules_log::{
    RULES_CLAIM, RULES_DEFINITION, RulesAction, RulesActionKind, RulesData, RulesError, RulesLifecycle,
    rules_definition,
};
use crate::table::{self, Rule};

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
    /// The versions of the standard definition do not fit together, or a standard
    /// follows a version this library does not declare.
    #[error(transparent)]
    Versions(#[from] VersionsError),
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
    /// The rules recorded in the store do not describe a catalog.
    #[error("the store's rules log (instance {instance}): {source}")]
    Rules {
        /// The rules log.
        instance: Uuid,
        /// What is wrong with the rules.
        source: RulesError,
    },
    /// The store holds more than one rules log.
    #[error("the store holds {count} rules logs ({RULES_DEFINITION}); a store has one")]
    TwoRulesLogs {
        /// How many.
        count: usize,
    },
    /// The store holds standards but not the rules they follow (a store written by
    /// Regula 0.1): nothing is decided until the office records them.
    #[error(
        "this store does not record the rules its decisions follow (it was written by Regula 0.1); the office records them first with `regula catalog import` (Court::import)"
    )]
    NoRules,
    /// The store holds more than one access log.
    #[error(
        "the store holds {count} access logs ({}); a store has one",
        crate::access::ACCESS_DEFINITION
    )]
    TwoAccessLogs {
        /// How many.
        count: usize,
    },
    /// The access log refused to issue or revoke a token. `record` is the refusal as
    /// the log recorded it; `None` when nothing was written (an issuer who may not
    /// open a store's first access log).
    #[error("refused: {}", .reasons.iter().map(|r| r.message.en.as_ref()).collect::<Vec<&str>>().join("; "))]
    AccessRefused {
        /// Every reason.
        reasons: Vec<Reason>,
        /// The refusal's record, when it was written.
        record: Option<Box<AuditRecord>>,
    },
    /// The access log could not issue a token, or its records do not decode.
    #[error(transparent)]
    Access(#[from] AccessError),
}

/// What stands between a standard and its next step: one entry per forward action,
/// with the rules about the standard's own record that would refuse it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    /// The court-level decisions recorded in the rules log (empty without one).
    affairs: CourtAffairs,
    repository: Repository<StandardLifecycle, S>,
    /// Every version of the standard definition under the rules in force; the
    /// engine's is the latest.
    versions: Versions<StandardLifecycle>,
    instances: BTreeMap<String, Instance<StandardLifecycle>>,
    /// The data of `instances`, kept in step with them: the catalog-wide checks read
    /// it on every attempt, and rebuilding it each time cloned every standard's data.
    ledger: Ledger,
    /// The store's rules log, once recorded.
    rules: Option<RulesLog>,
    rules_engine: Engine<RulesLifecycle>,
    /// The store's access log (bearer tokens, `crate::access`), once opened.
    access: Option<Instance<AccessLifecycle>>,
}

mod access;

/// The rules log and the record that put the rules in force.
struct RulesLog {
    instance: Instance<RulesLifecycle>,
    /// The hash of its last creation or accepted record, which standard records cite.
    in_force: Digest,
    /// Every version of the rules, in the log's order: when it took effect, the record
    /// that put it in force, and the definition built from it.
    versions: Vec<RulesVersion>,
    /// Its court-level decisions.
    affairs: CourtAffairs,
}

/// One version of the rules.
struct RulesVersion {
    /// When it took effect.
    at: DateTime<Utc>,
    /// When its record was written.
    recorded_at: DateTime<Utc>,
    hash: Digest,
    config: CourtConfig,
    /// Every version of the standard definition, built with this configuration.
    versions: Versions<StandardLifecycle>,
}

impl RulesLog {
    /// The rules in force at `at`: the last version that took effect by then, or the
    /// first (the rules a store first records also judge what came before them).
    fn version_at(&self, at: DateTime<Utc>) -> Option<&RulesVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.at <= at)
            .or(self.versions.first())
    }

    /// Adds a version: it is the one in force from now on.
    fn push(&mut self, version: RulesVersion) {
        self.in_force = version.hash;
        self.versions.push(version);
    }
}

impl RulesVersion {
    /// The latest definition version under these rules: the one new standards follow.
    fn definition(&self) -> &Arc<Definition<StandardLifecycle>> {
        self.versions.latest()
    }

    /// The version `record` (a creation or accepted change) put in force with `catalog`.
    fn of(record: &AuditRecord, catalog: &Catalog) -> Result<Self, ServiceError> {
        let config = CourtConfig::from_catalog(catalog);
        Ok(RulesVersion {
            at: record.at,
            recorded_at: record.recorded_at.unwrap_or(record.at),
            hash: record.hash,
            versions: standard_versions(&config)?,
            config,
        })
    }
}

/// What [`Court::refresh`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// Nothing was appended meanwhile.
    Current,
    /// This many standards were reloaded.
    Reloaded(usize),
    /// The rules log moved on: open the court again.
    Reopen,
}

/// What became of an attempt to extend the catalog ([`Court::extend`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Extension {
    /// The catalog was recorded or extended; the codes of the standards opened.
    Opened(Vec<String>),
    /// The rules log refused it: the record of the refusal, with its reasons.
    Refused(Box<AuditRecord>),
}

impl<S: Store> Court<S> {
    /// Opens the court's standards held in `store`, with the definition built from
    /// `catalog`; `configure` may set the engine's clock and id source. Every standard
    /// already in the store is loaded (from its latest snapshot when there is one).
    ///
    /// The rules are the store's own: when its rules log records a catalog, that
    /// catalog is in force and `catalog` is not used. `catalog` serves a store that
    /// records none yet: a new one (whose first [`import`](Court::import) records it)
    /// or one written by Regula 0.1.
    pub fn open(
        store: S,
        catalog: Catalog,
        configure: impl FnOnce(Engine<StandardLifecycle>) -> Engine<StandardLifecycle>,
    ) -> Result<Self, ServiceError> {
        let logs = store.list(&InstanceFilter::definition(RULES_DEFINITION))?;
        if logs.len() > 1 {
            return Err(ServiceError::TwoRulesLogs { count: logs.len() });
        }
        let rules = match logs.first() {
            Some(head) => Some(load_rules(&store, head.instance)?),
            None => None,
        };
        let catalog = match &rules {
            Some(log) => log.instance.data().catalog().map_err(|source| ServiceError::Rules {
                instance: log.instance.id(),
                source,
            })?,
            None => catalog,
        };
        let config = CourtConfig::from_catalog(&catalog);
        // The latest version of the store's rules already built its definitions.
        let versions = match rules.as_ref().and_then(|log| log.versions.last()) {
            Some(latest) => latest.versions.clone(),
            None => standard_versions(&config)?,
        };
        let engine = configure(Engine::new(Arc::clone(versions.latest())));
        let rules_engine = engine.for_definition(rules_definition()?);
        let engine = match &rules {
            Some(log) => engine.with_rules(log.in_force),
            None => engine,
        };
        // Standards opened under an earlier definition version load, and verify,
        // under it until they are migrated.
        let repository = Repository::new(engine, store).with_versions(versions.clone())?;
        let mut instances = BTreeMap::new();
        for head in repository.store().list(&InstanceFilter::definition(DEFINITION_NAME))? {
            let instance = repository.load(head.instance)?;
            let code = instance.data().code.to_string();
            if catalog.standard(&code).is_none() {
                return Err(ServiceError::NotInCatalog {
                    code,
                    instance: head.instance,
                });
            }
            // A code opened twice (only a store written behind the library's back can
            // hold that; `verify` reports it): the first opening is the standard.
            instances.entry(code).or_insert(instance);
        }
        let ledger = instances.values().map(|i| i.data().clone()).collect();
        let affairs = rules.as_ref().map(|log| log.affairs.clone()).unwrap_or_default();
        let access = access::load(repository.store(), &config)?;
        Ok(Court {
            catalog,
            config,
            affairs,
            repository,
            versions,
            instances,
            ledger,
            rules,
            rules_engine,
            access,
        })
    }

    /// Puts `catalog` in force as `version`, after its rules record was accepted: the
    /// configuration, the definition and the engine follow it.
    fn put_in_force(&mut self, catalog: Catalog, version: &RulesVersion) {
        let engine = self
            .engine()
            .for_definition(Arc::clone(version.definition()))
            .with_rules(version.hash);
        self.repository.set_engine(engine);
        self.versions = version.versions.clone();
        self.catalog = catalog;
        self.config = version.config.clone();
    }

    /// The rules log's instance, when the store records its rules.
    pub fn rules_log(&self) -> Option<&Instance<RulesLifecycle>> {
        self.rules.as_ref().map(|log| &log.instance)
    }

    /// The rules log's records: the catalog recorded, every extension and amendment,
    /// refusals included. Empty when the store records no rules yet.
    pub fn rules_history(&self) -> Result<Vec<AuditRecord>, ServiceError> {
        match &self.rules {
            Some(log) => Ok(self.store().load(log.instance.id())?),
            None => Ok(Vec::new()),
        }
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The court's configuration.
    pub fn config(&self) -> &CourtConfig {
        &self.config
    }

    /// The deadlines the reports use besides the plan's steps, as the court's log
    /// records them: every department work plan's targets, the leading group's
    /// extensions and the designations of the core standards, each with its decision
    /// (see [`crate::affairs`]). Empty for a store that records no rules yet (the
    /// catalog's core flags then apply).
    pub fn work_plan(&self) -> &WorkPlan {
        &self.affairs.schedule
    }

    /// The court-level decisions the log records: work plans, extensions, core
    /// designations and the leading group's progress hearings.
    pub fn affairs(&self) -> &CourtAffairs {
        &self.affairs
    }

    /// The leading group's progress hearings (定期听取), in the log's order.
    pub fn hearings(&self) -> &[Hearing] {
        &self.affairs.hearings
    }

    /// The standard definition new standards follow: the latest version.
    pub fn definition(&self) -> &Definition<StandardLifecycle> {
        self.repository.engine().definition()
    }

    /// Every version of the standard definition under the rules in force.
    pub fn versions(&self) -> &Versions<StandardLifecycle> {
        &self.versions
    }

    /// The definition the standard `code` follows: the version it was opened under,
    /// or migrated to.
    pub fn definition_of(&self, code: &str) -> Result<&Arc<Definition<StandardLifecycle>>, ServiceError> {
        let reference = self.opened(code)?.definition();
        self.versions.find(reference).ok_or_else(|| {
            ServiceError::Versions(VersionsError::Missing {
                definition: reference.clone(),
            })
        })
    }

    /// Moves the standard `code` onto the latest definition version, as the office
    /// (`office`), with one recorded migration (who, when, from which version); `at`
    /// as for [`Command::at`]. Every stage exists in every version of the court's
    /// table, so no state needs mapping. Refused and recorded when the actor is not of
    /// the office; an error, with nothing written, when the standard already follows
    /// the latest version.
    pub fn migrate(
        &mut self,
        code: &str,
        office: &Actor,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        if self.rules.is_none() {
            return Err(ServiceError::NoRules);
        }
        self.opened(code)?;
        self.with_rules_at(at, |court| {
            let external: Vec<Reason> = court
                .config_at(at)
                .actor_fits(office, Role::Office.as_str(), Some(court.opened(code)?.data()))
                .err()
                .map(|why| Reason::external(Rule::ActorFitsRole.name(), why))
                .into_iter()
                .collect();
            let instance = court
                .instances
                .get_mut(code)
                .ok_or_else(|| ServiceError::NotOpened { code: code.to_owned() })?;
            let mut migration = Migration::new(office.clone(), Role::Office.as_str());
            if let Some(at) = at {
                migration = migration.at(at);
            }
            let record = court.repository.migrate_with(instance, migration, external)?;
            court.ledger.insert_instance(instance);
            Ok(record)
        })
    }

    /// [`migrate`](Court::migrate) for every open standard (not consolidated or
    /// withdrawn) that follows an earlier definition version, in catalog order;
    /// returns each code with its record. Stops at the first error; what was migrated
    /// before it stays migrated, and running it again continues.
    pub fn migrate_open(
        &mut self,
        office: &Actor,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<(String, AuditRecord)>, ServiceError> {
        let latest = self.versions.latest().version();
        let behind: Vec<String> = self
            .instances
            .iter()
            .filter(|(_, i)| !i.state().is_terminal() && i.definition().version < latest)
            .map(|(code, _)| code.clone())
            .collect();
        let mut done = Vec::with_capacity(behind.len());
        for code in behind {
            let record = self.migrate(&code, office, at)?;
            done.push((code, record));
        }
        Ok(done)
    }

    /// The configuration of the rules in force at `at` (`None`: now).
    fn config_at(&self, at: Option<DateTime<Utc>>) -> &CourtConfig {
        let t = at.unwrap_or_else(|| self.engine().clock().now());
        self.rules
            .as_ref()
            .and_then(|log| log.version_at(t))
            .map_or(&self.config, |v| &v.config)
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
        self.import_at(office, None)
    }

    /// [`import`](Court::import) for work that began at `at`, entered after the fact
    /// (see [`Command::at`]); `None` for now.
    ///
    /// A store that records no rules yet records the catalog in force first, in the
    /// same transaction, as the office's act (see [`crate::rules_log`]).
    pub fn import_at(&mut self, office: &Actor, at: Option<DateTime<Utc>>) -> Result<Vec<String>, ServiceError> {
        if self.rules.is_some() {
            return self.with_rules_at(at, |court| court.open_and_append(office, at, None));
        }
        let (instance, record) = self
            .rules_engine
            .create_at(
                office.clone(),
                crate::lifecycle::roles::OFFICE,
                RulesData::of(&self.catalog),
                None,
                at,
            )
            .map_err(RepositoryError::from)?;
        let previous = self.engine().clone();
        self.repository.set_engine(previous.clone().with_rules(record.hash));
        match self.open_and_append(office, at, Some((instance.id(), 0, &record))) {
            Ok(codes) => {
                let mut log = RulesLog {
                    instance,
                    in_force: record.hash,
                    versions: Vec::new(),
                    affairs: CourtAffairs::default(),
                };
                log.push(RulesVersion::of(&record, &self.catalog)?);
                log.affairs.absorb(&record, &self.config);
                self.affairs = log.affairs.clone();
                self.rules = Some(log);
                Ok(codes)
            }
            Err(e) => {
                self.repository.set_engine(previous);
                Err(e)
            }
        }
    }

    /// The engine for a decision that takes effect at `at` (`None`: now) on a standard
    /// that follows definition `version`, when it is not the engine in place: the
    /// definition of that version under the rules in force then, citing their record.
    /// `None` when the engine in place is that one (or no rules are recorded).
    fn engine_for(&self, at: Option<DateTime<Utc>>, version: u32) -> Option<Engine<StandardLifecycle>> {
        let log = self.rules.as_ref()?;
        let t = at.unwrap_or_else(|| self.engine().clock().now());
        let rules = log.version_at(t)?;
        let current = self.engine();
        if Some(rules.hash) == current.rules() && current.definition().version() == version {
            return None;
        }
        let definition = rules.versions.get(version)?;
        Some(current.for_definition(Arc::clone(definition)).with_rules(rules.hash))
    }

    /// Runs `f` with the engine for a decision at `at` on a standard following
    /// definition `version` ([`engine_for`](Court::engine_for)): an event entered after
    /// the fact is judged by the rules of its time, not by rules amended later, and a
    /// standard not yet migrated by its own version's table.
    fn with_engine_for<T>(&mut self, at: Option<DateTime<Utc>>, version: u32, f: impl FnOnce(&mut Self) -> T) -> T {
        match self.engine_for(at, version) {
            None => f(self),
            Some(engine) => {
                let latest = self.engine().clone();
                self.repository.set_engine(engine);
                let result = f(self);
                self.repository.set_engine(latest);
                result
            }
        }
    }

    /// [`with_engine_for`](Court::with_engine_for) the latest definition version: for
    /// what new standards and the rules log do.
    fn with_rules_at<T>(&mut self, at: Option<DateTime<Utc>>, f: impl FnOnce(&mut Self) -> T) -> T {
        let latest = self.versions.latest().version();
        self.with_engine_for(at, latest, f)
    }

    /// Records `catalog` as the rules in force, or extends the rules in force with
    /// its new standards (the office's act, in the rules log), then opens its new
    /// standards, in one transaction. A catalog that changes more than the list of
    /// standards is refused, and the refusal recorded: changing the rules is an
    /// amendment ([`amend_rules`](Court::amend_rules)).
    pub fn extend(
        &mut self,
        office: &Actor,
        mut catalog: Catalog,
        at: Option<DateTime<Utc>>,
    ) -> Result<Extension, ServiceError> {
        if self.rules.is_none() {
            let previous = std::mem::replace(&mut self.catalog, catalog);
            self.config = CourtConfig::from_catalog(&self.catalog);
            let versions = standard_versions(&self.config)?;
            let engine = self.engine().for_definition(Arc::clone(versions.latest()));
            let old_engine = self.engine().clone();
            let old_versions = std::mem::replace(&mut self.versions, versions);
            self.repository.set_engine(engine);
            return match self.import_at(office, at) {
                Ok(codes) => Ok(Extension::Opened(codes)),
                Err(e) => {
                    self.repository.set_engine(old_engine);
                    self.versions = old_versions;
                    self.catalog = previous;
                    self.config = CourtConfig::from_catalog(&self.catalog);
                    Err(e)
                }
            };
        }
        // The core standards are the leading group's decisions, not a file's flags:
        // they carry over.
        self.keep_core(&mut catalog);
        let action = RulesAction::Extend {
            rules: RulesData::of(&catalog),
        };
        let command = Command::new(office.clone(), crate::lifecycle::roles::OFFICE, action);
        let command = match at {
            Some(at) => command.at(at),
            None => command,
        };
        let Some(log) = &self.rules else {
            return Err(ServiceError::NoRules);
        };
        let rules_seq = log.instance.seq();
        let mut instance = log.instance.clone();
        let record = self
            .rules_engine
            .apply(&mut instance, command)
            .map_err(RepositoryError::from)?;
        if record.is_refused() {
            self.store().append(Append {
                instance: instance.id(),
                expected_seq: rules_seq,
                records: std::slice::from_ref(&record),
                due_at: None,
            })?;
            if let Some(log) = &mut self.rules {
                log.instance = instance;
            }
            return Ok(Extension::Refused(Box::new(record)));
        }
        let previous = (self.catalog.clone(), self.engine().clone());
        let version = RulesVersion::of(&record, &catalog)?;
        self.put_in_force(catalog, &version);
        match self.open_and_append(office, at, Some((instance.id(), rules_seq, &record))) {
            Ok(codes) => {
                if let Some(log) = &mut self.rules {
                    log.instance = instance;
                    log.push(version);
                    log.affairs.absorb(&record, &self.config);
                    self.affairs = log.affairs.clone();
                }
                Ok(Extension::Opened(codes))
            }
            Err(e) => {
                self.config = CourtConfig::from_catalog(&previous.0);
                self.catalog = previous.0;
                self.repository.set_engine(previous.1);
                Err(e)
            }
        }
    }

    /// Amends the rules in force: a leading group member puts `catalog` in force from
    /// `at` (`None`: now), saying why. The attempt is recorded in the rules log,
    /// accepted or refused: an amendment may not drop or change the standards already
    /// in the catalog, nor take effect before a decision already made. Once accepted,
    /// every decision taking effect from `at` on follows the new rules and cites this
    /// record; an event of an earlier time, entered after the fact, is still judged by
    /// the rules of its time.
    pub fn amend_rules(
        &mut self,
        member: &Actor,
        mut catalog: Catalog,
        reason: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        // Which standards are core is decided by `designate_core`, not by a file.
        self.keep_core(&mut catalog);
        let Some(log) = &self.rules else {
            return Err(ServiceError::NoRules);
        };
        let action = RulesAction::Amend {
            rules: RulesData::of(&catalog),
            reason: reason.to_owned(),
        };
        let command = Command::new(member.clone(), crate::lifecycle::roles::LEADING_GROUP, action);
        let command = match at {
            Some(at) => command.at(at),
            None => command,
        };
        // Rules are not changed retroactively: an amendment takes effect no earlier
        // than the decisions already made (a decision dated later than it may still be
        // entered after the fact, and is judged by the amended rules).
        let takes_effect = at.unwrap_or_else(|| self.engine().clock().now());
        let external = match self.instances.values().map(|i| i.settled_at()).max() {
            Some(latest) if latest > takes_effect => vec![regula_core::Reason::external(
                "rules_not_retroactive",
                Text::owned(
                    format!("修改规则不能早于已作出的决定：规则自 {takes_effect} 起生效，而最近的决定作出于 {latest}"),
                    format!(
                        "rules are not amended retroactively: these would take effect at {takes_effect}, before a decision already made at {latest}"
                    ),
                ),
            )],
            _ => Vec::new(),
        };
        let mut instance = log.instance.clone();
        let record = self
            .rules_engine
            .apply_with(&mut instance, command, external)
            .map_err(RepositoryError::from)?;
        self.store().append(Append {
            instance: instance.id(),
            expected_seq: log.instance.seq(),
            records: std::slice::from_ref(&record),
            due_at: None,
        })?;
        let version = (!record.is_refused())
            .then(|| RulesVersion::of(&record, &catalog))
            .transpose()?;
        if let Some(version) = &version {
            self.put_in_force(catalog, version);
        }
        if let Some(log) = &mut self.rules {
            log.instance = instance;
            if let Some(version) = version {
                log.push(version);
            }
            log.affairs.absorb(&record, &self.config);
            self.affairs = log.affairs.clone();
        }
        Ok(record)
    }

    /// Sets `catalog`'s core flags to the core standards in force: after the first
    /// import, a catalog file's flags do not designate (see [`crate::affairs`]).
    fn keep_core(&self, catalog: &mut Catalog) {
        if self.rules.is_none() {
            return;
        }
        let codes: Vec<String> = catalog.standards().iter().map(|e| e.code.clone()).collect();
        for code in codes {
            let core = self.catalog.standard(&code).is_some_and(|e| e.core);
            // Every code is the catalog's own: setting its flag cannot fail.
            let _ = catalog.set_core(&code, core);
        }
    }

    /// Records a court-level decision in the rules log (see [`crate::affairs`]),
    /// accepted or refused; a designation of the core standards puts a new version of
    /// the rules in force.
    fn decide(&mut self, command: Command<RulesAction>) -> Result<AuditRecord, ServiceError> {
        let Some(log) = &self.rules else {
            return Err(ServiceError::NoRules);
        };
        let mut instance = log.instance.clone();
        let record = self
            .rules_engine
            .apply(&mut instance, command)
            .map_err(RepositoryError::from)?;
        self.store().append(Append {
            instance: instance.id(),
            expected_seq: log.instance.seq(),
            records: std::slice::from_ref(&record),
            due_at: None,
        })?;
        let changed = !record.is_refused() && RulesAction::changes_rules(&record.action);
        let new_rules = if changed {
            let catalog = instance.data().catalog().map_err(|source| ServiceError::Rules {
                instance: instance.id(),
                source,
            })?;
            let version = RulesVersion::of(&record, &catalog)?;
            self.put_in_force(catalog, &version);
            Some(version)
        } else {
            None
        };
        if let Some(log) = &mut self.rules {
            log.instance = instance;
            if let Some(version) = new_rules {
                log.push(version);
            }
            log.affairs.absorb(&record, &self.config);
            self.affairs = log.affairs.clone();
        }
        Ok(record)
    }

    fn court_command(
        actor: &Actor,
        role: &str,
        action: RulesAction,
        at: Option<DateTime<Utc>>,
    ) -> Command<RulesAction> {
        let command = Command::new(actor.clone(), role, action);
        match at {
            Some(at) => command.at(at),
            None => command,
        }
    }

    /// A leading group member records which standards are core (确定核心工作标准): `codes`
    /// become core and `revoke` cease to be, from `at` (`None`: now). The record is a
    /// new version of the rules; lateness against the core step counts from it.
    pub fn designate_core(
        &mut self,
        member: &Actor,
        codes: &[String],
        revoke: &[String],
        meeting: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let action = RulesAction::DesignateCore {
            codes: codes.to_vec(),
            revoke: revoke.to_vec(),
            meeting: meeting.map(str::to_owned),
        };
        self.decide(Self::court_command(
            member,
            crate::lifecycle::roles::LEADING_GROUP,
            action,
            at,
        ))
    }

    /// Records `department`'s annual work plan for `year` (各部门工作方案; `None`: the
    /// plan's own year, else the year of `at` in the court's time zone) with `plan`'s
    /// targets. The actor acts as the department when they belong to it, else as the
    /// office (which records plans for every department); `department` `None` means the
    /// actor's own department, or, for someone of the office, the office's plan for the
    /// whole court. A target past the plan's step date is refused (an extension is
    /// [`extend_deadline`](Court::extend_deadline)).
    pub fn record_work_plan(
        &mut self,
        actor: &Actor,
        department: Option<&str>,
        year: Option<i32>,
        plan: &WorkPlan,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let year = year.or(plan.year).unwrap_or_else(|| {
            use chrono::Datelike;
            self.config
                .local_date(at.unwrap_or_else(|| self.engine().clock().now()))
                .year()
        });
        // Without a department: the actor's own, or, for the office, the whole court.
        let department = department.map(str::to_owned).or_else(|| {
            actor
                .unit
                .as_deref()
                .and_then(|u| self.config.departments.resolve(u))
                .filter(|d| d.department != self.config.office)
                .and_then(|_| actor.unit.as_deref().map(str::to_owned))
        });
        let role = match &department {
            Some(d) => self.work_plan_role(actor, d),
            None => crate::lifecycle::roles::OFFICE,
        };
        let action = RulesAction::RecordWorkPlan {
            department,
            year,
            targets: PlanTarget::of(plan),
        };
        self.decide(Self::court_command(actor, role, action, at))
    }

    /// The role `actor` records `department`'s work plan in: the department when the
    /// actor belongs to it, else the office (whose refusal, for an actor of neither,
    /// names the role needed).
    pub fn work_plan_role(&self, actor: &Actor, department: &str) -> &'static str {
        let own = self.config.departments.resolve(department).is_some_and(|d| {
            actor
                .unit
                .as_deref()
                .and_then(|u| self.config.departments.resolve(u))
                .is_some_and(|u| u.department == d.department && d.department != self.config.office)
        });
        if own {
            crate::lifecycle::roles::DEPARTMENT
        } else {
            crate::lifecycle::roles::OFFICE
        }
    }

    /// A leading group member moves the deadline of standard `code` at `step` to `due`,
    /// past the plan's date, saying why (决定延期). Reports show the new date as an
    /// extension, with this decision.
    pub fn extend_deadline(
        &mut self,
        member: &Actor,
        code: &str,
        step: &str,
        due: chrono::NaiveDate,
        reason: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let action = RulesAction::ExtendDeadline {
            code: code.to_owned(),
            step: step.to_owned(),
            due,
            reason: reason.to_owned(),
        };
        self.decide(Self::court_command(
            member,
            crate::lifecycle::roles::LEADING_GROUP,
            action,
            at,
        ))
    }

    /// A leading group member records that the group heard the progress of the work
    /// (定期听取): the members present (the recorder among them), what was heard and
    /// what was decided.
    pub fn record_hearing(
        &mut self,
        member: &Actor,
        members: &[String],
        summary: &str,
        decisions: &[String],
        at: Option<DateTime<Utc>>,
    ) -> Result<AuditRecord, ServiceError> {
        let action = RulesAction::RecordHearing {
            members: members.to_vec(),
            summary: summary.to_owned(),
            decisions: decisions.to_vec(),
        };
        self.decide(Self::court_command(
            member,
            crate::lifecycle::roles::LEADING_GROUP,
            action,
            at,
        ))
    }

    /// Opens every catalog standard not yet open and appends their creating records,
    /// after `rules` (a rules log record appended at that expected sequence number),
    /// in one batch.
    fn open_and_append(
        &mut self,
        office: &Actor,
        at: Option<DateTime<Utc>>,
        rules: Option<(Uuid, u64, &AuditRecord)>,
    ) -> Result<Vec<String>, ServiceError> {
        let created = open_all(self.engine(), &self.config, &self.catalog, &self.ledger, office, at)?;
        if created.is_empty() && rules.is_none() {
            return Ok(Vec::new());
        }
        let mut batch: Vec<Append<'_>> = Vec::with_capacity(created.len() + 1);
        if let Some((instance, expected_seq, record)) = rules {
            batch.push(Append {
                instance,
                expected_seq,
                records: std::slice::from_ref(record),
                due_at: None,
            });
        }
        batch.extend(created.iter().map(|(instance, record)| Append {
            instance: instance.id(),
            expected_seq: 0,
            records: std::slice::from_ref(record),
            due_at: None,
        }));
        // A new rules log claims its place (a store has one), and each standard opened
        // its code (a standard is opened once, whatever the heads say).
        let mut claims: Vec<Claim> = match rules {
            Some((instance, 0, _)) => vec![Claim::new(RULES_CLAIM, RULES_DEFINITION, instance, 1)],
            _ => Vec::new(),
        };
        claims.extend(
            created
                .iter()
                .map(|(instance, _)| Claim::new(STANDARD_CLAIM, instance.data().code.as_str(), instance.id(), 1)),
        );
        self.repository.store().append_claiming(&batch, &claims)?;
        let mut codes = Vec::with_capacity(created.len());
        for (instance, _) in created {
            codes.push(instance.data().code.to_string());
            self.ledger.insert_instance(&instance);
            self.instances.insert(instance.data().code.to_string(), instance);
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
        self.apply_keyed(code, command, None)
    }

    /// [`apply`](Court::apply) under an idempotency key: the record, accepted or
    /// refused, claims `key` in the namespace [`IDEMPOTENCY_CLAIM`] in the same
    /// transaction. A second attempt under a key already held writes nothing and fails
    /// with [`StoreError::Claimed`] naming the first attempt's record, which
    /// [`keyed_record`](Court::keyed_record) returns; so a retried request cannot record
    /// the same attempt twice, even from another process. The key is the caller's
    /// (an HTTP service scopes it to the token that sent it).
    pub fn apply_keyed(
        &mut self,
        code: &str,
        command: Command<StandardAction>,
        key: Option<&str>,
    ) -> Result<AuditRecord, ServiceError> {
        let version = self.opened(code)?.definition().version;
        if self.rules.is_none() {
            return Err(ServiceError::NoRules);
        }
        self.with_engine_for(command.effective_at, version, |court| {
            court.apply_in_force(code, command, key)
        })
    }

    /// The record an attempt under idempotency key `key` made ([`apply_keyed`](Court::apply_keyed)),
    /// if any.
    pub fn keyed_record(&self, key: &str) -> Result<Option<AuditRecord>, ServiceError> {
        let Some(holder) = self.store().claim(IDEMPOTENCY_CLAIM, key)? else {
            return Ok(None);
        };
        self.record_at(holder.instance, holder.seq)
    }

    /// The record `seq` of the standard `code`, if its log has one.
    pub fn record(&self, code: &str, seq: u64) -> Result<Option<AuditRecord>, ServiceError> {
        let instance = self.opened(code)?.id();
        self.record_at(instance, seq)
    }

    /// The record `seq` of `instance`, read from the store (not the whole log).
    fn record_at(&self, instance: Uuid, seq: u64) -> Result<Option<AuditRecord>, ServiceError> {
        if seq == 0 {
            return Ok(None);
        }
        let records = self.store().load_after(instance, seq - 1)?;
        Ok(records.into_iter().find(|r| r.seq == seq))
    }

    /// [`apply`](Court::apply) with the engine in place.
    fn apply_in_force(
        &mut self,
        code: &str,
        command: Command<StandardAction>,
        key: Option<&str>,
    ) -> Result<AuditRecord, ServiceError> {
        let keys: Vec<(&str, &str)> = key.map(|k| (IDEMPOTENCY_CLAIM, k)).into_iter().collect();
        let mut reloaded = false;
        loop {
            let instance = self
                .instances
                .get_mut(code)
                .ok_or_else(|| ServiceError::NotOpened { code: code.to_owned() })?;
            let version = instance.definition().version;
            let on = self.config.local_date(
                command
                    .effective_at
                    .unwrap_or_else(|| self.repository.engine().clock().now()),
            );
            let external = external_checks(&self.catalog, &self.ledger, code, version, on, &command.action);
            let claims = claims_of(&self.ledger, &command.action);
            // The repository leaves the instance as it was when anything fails.
            match self
                .repository
                .apply_keyed(instance, command.clone(), external, &claims, &keys)
            {
                Ok(record) => {
                    self.ledger.insert_instance(instance);
                    return Ok(record);
                }
                Err(RepositoryError::Store(StoreError::Claimed {
                    holder, ref namespace, ..
                })) if !reloaded && namespace == DOCUMENT_NUMBER_CLAIM => {
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
        let code = instance.data().code.to_string();
        if self.catalog.standard(&code).is_some() {
            self.ledger.insert_instance(&instance);
            self.instances.insert(code, instance);
        }
        Ok(())
    }

    /// Catches up with records other processes appended to the store since this court
    /// loaded it (a second server on the same PostgreSQL database, a command run
    /// meanwhile): each standard whose head moved on, and each standard opened
    /// meanwhile, is reloaded from the store. Costs one listing of the heads.
    ///
    /// A change to the rules log (a catalog extension, an amendment, a court-level
    /// decision) changes what every later decision is judged by: that is not caught
    /// up here but answered [`Refresh::Reopen`], and the caller opens the court again.
    pub fn refresh(&mut self) -> Result<Refresh, ServiceError> {
        let rules = self.store().list(&InstanceFilter::definition(RULES_DEFINITION))?;
        let known_rules = self.rules.as_ref().map(|log| (log.instance.id(), log.instance.seq()));
        if rules.iter().map(|h| (h.instance, h.seq)).next() != known_rules || rules.len() > 1 {
            return Ok(Refresh::Reopen);
        }
        let known: HashMap<Uuid, u64> = self.instances.values().map(|i| (i.id(), i.seq())).collect();
        let mut reloaded = 0;
        for head in self.store().list(&InstanceFilter::definition(DEFINITION_NAME))? {
            if known.get(&head.instance) != Some(&head.seq) {
                self.reload(head.instance)?;
                reloaded += 1;
            }
        }
        Ok(if reloaded == 0 {
            Refresh::Current
        } else {
            Refresh::Reloaded(reloaded)
        })
    }

    /// Gives the store the claims its records make and it lacks: every published
    /// document number, every standard's opening (its code) and the rules log; for a
    /// store written before claims existed (or by a program that did not make them). A
    /// number published twice (which only such a store can hold) is claimed for its
    /// first publication, and `verify` reports the other. Returns how many claims were
    /// added; they are written in one transaction.
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
        let mut claims: Vec<Claim> = missing.into_values().map(|(_, c)| c).collect();
        // Each standard's opening, and the rules log, claim their place too (a store
        // written before those claims existed has none).
        let opened: std::collections::HashSet<String> = self
            .store()
            .claims(STANDARD_CLAIM)?
            .into_iter()
            .map(|c| c.key)
            .collect();
        claims.extend(
            self.instances
                .iter()
                .filter(|(code, _)| !opened.contains(*code))
                .map(|(code, i)| Claim::new(STANDARD_CLAIM, code, i.id(), 1)),
        );
        if let Some(log) = &self.rules
            && self.store().claim(RULES_CLAIM, RULES_DEFINITION)?.is_none()
        {
            claims.push(Claim::new(RULES_CLAIM, RULES_DEFINITION, log.instance.id(), 1));
        }
        if claims.is_empty() {
            return Ok(0);
        }
        self.store().append_claiming(&[], &claims)?;
        Ok(claims.len())
    }

    /// The role `actor` acts in when attempting `action` on the standard `code` without
    /// naming one: the first role the transition allows that the actor fits (so a
    /// leading group member approves as the leading group, someone of the office
    /// publishes as the office); when the actor fits none, the first the transition
    /// allows, so that the refusal names the role that was needed; when the stage has
    /// no such transition, the first role of the definition the actor fits.
    pub fn default_role(&self, code: &str, actor: &Actor, action: &str) -> Result<String, ServiceError> {
        let instance = self.opened(code)?;
        let definition = self.definition_of(code)?;
        let candidates: Vec<&str> = match definition.transition(instance.state(), action) {
            Some(t) => t.roles.iter().map(String::as_str).collect(),
            None => definition.roles().iter().map(|r| r.name.as_str()).collect(),
        };
        let fits = |role: &str| self.config.actor_fits_role(actor, role, instance.data()).is_ok();
        Ok(candidates
            .iter()
            .copied()
            .find(|r| fits(r))
            .or(candidates.first().copied())
            .unwrap_or(crate::lifecycle::roles::DEPARTMENT)
            .to_owned())
    }

    /// The actions open to the standard `code` from its stage now, by the definition
    /// version it follows; with `actor`, only those with a role the actor fits (what
    /// the actor may take now, its payload and guards still to be judged). The web
    /// pages and `regula actions CODE --as ACTOR` both list these.
    pub fn actions_for(&self, code: &str, actor: Option<&Actor>) -> Result<Vec<crate::view::ActionView>, ServiceError> {
        let instance = self.opened(code)?;
        let definition = self.definition_of(code)?;
        let fits =
            |role: &String| actor.is_none_or(|actor| self.config.actor_fits_role(actor, role, instance.data()).is_ok());
        Ok(definition
            .transitions_from(instance.state())
            .filter(|t| t.roles.iter().any(fits))
            .map(|t| crate::view::ActionView::of(definition, t))
            .collect())
    }

    /// What [`apply`](Court::apply) would decide now, without writing anything.
    pub fn preview(&self, code: &str, command: &Command<StandardAction>) -> Result<Decision<Stage>, ServiceError> {
        let instance = self.opened(code)?;
        let on = self
            .config
            .local_date(command.effective_at.unwrap_or_else(|| self.engine().clock().now()));
        let external = external_checks(
            &self.catalog,
            &self.ledger,
            code,
            instance.definition().version,
            on,
            &command.action,
        );
        let engine = self.engine_for(command.effective_at, instance.definition().version);
        let decision = engine
            .as_ref()
            .unwrap_or_else(|| self.engine())
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

    /// What in the standard's own record, as it stood at `now`, blocks each forward step
    /// from its stage then. Rules about an action's payload (the draft, the meeting
    /// record, the document number) are judged when the action is attempted.
    pub fn blockers(&self, code: &str, now: DateTime<Utc>) -> Result<Vec<Blocker>, ServiceError> {
        // The standard as its log stood at `now` (crate::as_of); nothing blocks before it opened.
        let Some(instance) = self.instance_as_of(code, now)? else {
            return Ok(Vec::new());
        };
        let data = instance.data();
        // The rules in force at `now`, which may be a past date.
        let config = self.config_at(Some(now));
        // The way forward from the standard's stage, as the table of its definition
        // version declares it, and what the rules that need no payload say now.
        let version = instance.definition().version;
        Ok(table::rows_from(version, *instance.state())
            .filter(|row| row.forward)
            .map(|row| Blocker {
                action: row.action.name().to_owned(),
                label: row.action.label(),
                reasons: row
                    .rules
                    .iter()
                    .filter_map(|rule| rule.check_standing(config, data, now))
                    .filter_map(Result::err)
                    .collect(),
            })
            .collect())
    }

    /// Verifies the whole store: every chain, head and the Merkle tree, every
    /// standard's log replayed against the definition with its guards re-checked,
    /// the catalog-wide rule that no document number is used twice (a check no single
    /// log can make: a second use is reported at the record that published it), the
    /// store's document number claims against the publications (each publication
    /// holds the claim of its number, no claim without its publication), and,
    /// given a saved checkpoint, that the store extends it. With the quick storage
    /// check; see [`verify_with`](Court::verify_with).
    pub fn verify(
        &self,
        checkpoint: Option<&Checkpoint>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<StoreReport, ServiceError> {
        self.verify_with(checkpoint, StorageCheck::Quick, progress)
    }

    /// [`verify`](Court::verify), with the storage check `storage` (the database's
    /// own integrity check and every queryable column), and every cached snapshot
    /// against the instance replayed up to it.
    pub fn verify_with(
        &self,
        checkpoint: Option<&Checkpoint>,
        storage: StorageCheck,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<StoreReport, ServiceError> {
        let now = self.engine().clock().now();
        let rules_def = rules_definition()?;
        let definition = self.definition();
        let versions = &self.versions;
        let access = access::AccessVerifier::new(self.store(), &self.config)?;
        let snapshot_of = |head: &regula_core::InstanceHead, result: Result<Snapshot, serde_json::Error>, seq: u64| {
            result.map_err(|e| VerifyError {
                instance: head.instance,
                seq,
                kind: VerifyErrorKind::Snapshot { message: e.to_string() },
            })
        };
        let replayer = Replayers::new(
            |head, records| {
                if head.definition == *rules_def.reference() {
                    Some(
                        rules_def
                            .replay_with(records, ReplayOptions::verify_at(now))
                            .map(|_| ()),
                    )
                } else if head.definition.name == definition.reference().name {
                    // Replayed below, record by record under the rules each one cites.
                    Some(Ok(()))
                } else if head.definition.name == crate::access::ACCESS_DEFINITION {
                    Some(access.verify(records, now))
                } else {
                    None
                }
            },
            |head, records| {
                // The table (states, transitions, effect) is the same under every
                // version of the rules; only guards differ, and a snapshot holds none.
                if head.definition == *rules_def.reference() {
                    Some(
                        rules_def
                            .replay(records)
                            .and_then(|i| snapshot_of(head, i.snapshot(), i.seq())),
                    )
                } else if head.definition.name == crate::access::ACCESS_DEFINITION {
                    Some(access.snapshot(records))
                } else if versions.find(&head.definition).is_some() {
                    Some(
                        versions
                            .replay(records)
                            .and_then(|i| snapshot_of(head, i.snapshot(), i.seq())),
                    )
                } else {
                    None
                }
            },
        );
        let options = VerifyOptions { checkpoint, storage };
        let standards = definition.reference().name.to_string();
        let mut replayer = StandardsDueLater {
            inner: replayer,
            standards: &standards,
        };
        let mut report = verify_store_with(self.store(), &options, &mut replayer, progress)?;
        let broken: std::collections::HashSet<Uuid> = report
            .problems
            .iter()
            .filter_map(|p| match p {
                StoreProblem::Chain(e) => Some(e.instance),
                _ => None,
            })
            .collect();
        let (problems, replayed, publications) = self.check_decisions(now, broken)?;
        report.problems.extend(problems);
        // Each standard's due time, against the instance `check_decisions` replayed
        // (the store's verification left it to this one replay).
        for head in self.store().list(&InstanceFilter::definition(standards.as_str()))? {
            let Some(i) = replayed.iter().find(|i| i.id() == head.instance) else {
                continue;
            };
            if i.seq() == head.seq && i.due_at() != head.due_at {
                let shown = |t: Option<DateTime<Utc>>| t.map_or_else(|| "none".to_owned(), |t| t.to_rfc3339());
                report.problems.push(StoreProblem::HeadDiffers {
                    instance: head.instance,
                    seq: head.seq,
                    field: "due_at",
                    stored: shown(head.due_at),
                    expected: shown(i.due_at()),
                });
            }
        }
        let (firsts, opened_twice) = first_openings(&replayed);
        report.problems.extend(opened_twice);
        // What the court opened (through the store's listing, its heads and indexes)
        // must be what the records hold: a standard the listing hides is a lie of the
        // store's bookkeeping, which `show` and every action would believe.
        for i in &firsts {
            if self.instances.get(i.data().code.as_str()).map(Instance::id) != Some(i.id()) {
                report.problems.push(StoreProblem::LoadMismatch {
                    instance: i.id(),
                    seq: 1,
                    message: format!(
                        "standard {} is in the records, but the store's listing of standards does not return it (a head row or an index lies)",
                        i.data().code
                    ),
                });
            }
        }
        report
            .problems
            .extend(self.duplicate_document_numbers(&replayed, &publications));
        // The first publication (in the log's order) of every number holds its claim
        // (the others of the same act join it; any other is reported above), and every
        // claim is held by the publication that made it.
        let mut holders: BTreeMap<&str, (u64, Claim)> = BTreeMap::new();
        for i in &replayed {
            for v in &i.data().versions {
                let position = publications.get(&(i.id(), v.stamp.seq)).map_or(u64::MAX, |(_, p)| *p);
                if holders
                    .get(v.document_number.as_str())
                    .is_none_or(|(p, _)| position < *p)
                {
                    let claim = Claim::new(DOCUMENT_NUMBER_CLAIM, &v.document_number, i.id(), v.stamp.seq);
                    holders.insert(&v.document_number, (position, claim));
                }
            }
        }
        let expected: Vec<Claim> = holders.into_values().map(|(_, c)| c).collect();
        let rules_log: Vec<Claim> = self
            .store()
            .list(&InstanceFilter::definition(RULES_DEFINITION))?
            .iter()
            .map(|head| Claim::new(RULES_CLAIM, RULES_DEFINITION, head.instance, 1))
            .collect();
        // The first opening of each code holds its claim (a second one is reported above).
        let openings: Vec<Claim> = firsts
            .iter()
            .map(|i| Claim::new(STANDARD_CLAIM, i.data().code.as_str(), i.id(), 1))
            .collect();
        // An idempotency key names no fact of the log, only the record its first attempt
        // made: each must be held by a record of a standard the store holds.
        let heads: HashMap<Uuid, u64> = replayed.iter().map(|i| (i.id(), i.seq())).collect();
        let keys = |store: &S| -> Result<Vec<Claim>, StoreError> {
            Ok(store
                .claims(IDEMPOTENCY_CLAIM)?
                .into_iter()
                .filter(|c| {
                    heads
                        .get(&c.holder.instance)
                        .is_some_and(|seq| (1..=*seq).contains(&c.holder.seq))
                })
                .collect())
        };
        let checked = verify_claims(self.store(), DOCUMENT_NUMBER_CLAIM, &expected).and_then(|mut problems| {
            problems.extend(verify_claims(self.store(), RULES_CLAIM, &rules_log)?);
            problems.extend(verify_claims(self.store(), STANDARD_CLAIM, &openings)?);
            problems.extend(verify_claims(self.store(), IDEMPOTENCY_CLAIM, &keys(self.store())?)?);
            let access_log = access::expected_claims(self.store())?;
            problems.extend(verify_claims(self.store(), crate::access::ACCESS_CLAIM, &access_log)?);
            Ok(problems)
        });
        match checked {
            Ok(problems) => report.problems.extend(problems),
            // A store read as Regula 0.1 wrote it keeps no claims yet: the log alone
            // shows every number published twice (above); the first write upgrades
            // the store and gives its past publications their claims.
            Err(StoreError::Unsupported { .. }) => {}
            // A claim row that cannot be read back is a problem found, not a failure to
            // verify.
            Err(StoreError::Corrupt { place, message }) => {
                report.problems.push(StoreProblem::Unreadable {
                    place: format!("claims: {place}"),
                    message,
                });
            }
            Err(e) => return Err(e.into()),
        }
        Ok(report)
    }

    /// Replays every standard record, in the store's append order, under the rules it
    /// cites, and checks that those were the rules in force at the event's time: held by
    /// this store's rules log before the record, taken effect by the record's `at` (the
    /// first rules also judge what came before them), and not superseded, for that
    /// time, by a version written more than [`MAX_CLOCK_SKEW`] before the record. An
    /// amendment may not take effect before a decision already recorded. Format 1
    /// records, written before stores recorded their rules, are checked under the first
    /// rules the store recorded (or, in a store that records none, under the catalog
    /// the court was opened with).
    fn check_decisions(
        &self,
        now: DateTime<Utc>,
        broken: std::collections::HashSet<Uuid>,
    ) -> Result<Decisions, ServiceError> {
        let options = ReplayOptions::verify_at(now);
        let mut publications = Publications::new();
        let rules_def = rules_definition()?;
        let store = self.store();
        let fallback: &Versions<StandardLifecycle> = &self.versions;
        let mut first: Option<(Versions<StandardLifecycle>, CourtConfig)> = None;
        // Every version of the rules, in the log's order, and where each hash is.
        let mut versions: Vec<RulesVersion> = Vec::new();
        let mut version_of: HashMap<Digest, usize> = HashMap::new();
        // The latest effective time of a creation or accepted standard record so far:
        // an amendment may not take effect before it.
        let mut latest_decision: Option<DateTime<Utc>> = None;
        let mut rules: Option<Instance<RulesLifecycle>> = None;
        let mut standards: HashMap<Uuid, Instance<StandardLifecycle>> = HashMap::new();
        // The standards in the order they were opened.
        let mut opened: Vec<Uuid> = Vec::new();
        let mut skip = broken;
        let mut problems = Vec::new();
        let fail = |r: &AuditRecord, kind: VerifyErrorKind| {
            StoreProblem::Transition(VerifyError {
                instance: r.instance,
                seq: r.seq,
                kind,
            })
        };
        // The first rules, for the records written before them: found before the scan.
        if let Some(head) = store.list(&InstanceFilter::definition(RULES_DEFINITION))?.first()
            && let Some(created) = store.load(head.instance)?.first()
            && let Ok(data) = created.payload.decode::<RulesData>()
            && let Ok(catalog) = data.catalog()
        {
            let config = CourtConfig::from_catalog(&catalog);
            first = Some((standard_versions(&config)?, config));
        }
        let mut position = 0u64;
        loop {
            let page = store.scan(position, 4096)?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                position += 1;
                if skip.contains(&r.instance) {
                    continue;
                }
                if r.definition.name == RULES_DEFINITION {
                    let replayed = match rules.take() {
                        None => rules_def.replay_with(std::slice::from_ref(r), options),
                        Some(instance) => rules_def.replay_onto(instance, std::slice::from_ref(r), options),
                    };
                    match replayed {
                        Ok(instance) => {
                            if !r.is_refused() && (r.seq == 1 || RulesAction::changes_rules(&r.action)) {
                                if r.action == RulesActionKind::Amend.name()
                                    && let Some(latest) = latest_decision
                                    && latest > r.at
                                {
                                    problems.push(fail(
                                        r,
                                        VerifyErrorKind::Rules {
                                            message: format!(
                                                "an amendment taking effect at {}, before a decision already recorded at {latest}: rules are not changed retroactively",
                                                r.at
                                            ),
                                        },
                                    ));
                                }
                                match instance.data().catalog() {
                                    Ok(catalog) => {
                                        version_of.insert(r.hash, versions.len());
                                        versions.push(RulesVersion::of(r, &catalog)?);
                                    }
                                    Err(e) => problems.push(fail(r, VerifyErrorKind::Rules { message: e.to_string() })),
                                }
                            }
                            rules = Some(instance);
                        }
                        // Reported by the log's own replay above; its later records
                        // cannot be followed.
                        Err(_) => {
                            skip.insert(r.instance);
                        }
                    }
                    continue;
                }
                if r.definition.name != self.definition().reference().name {
                    continue;
                }
                let previous = standards.remove(&r.instance);
                // Every definition version under the rules the record cites: each record
                // replays under the version it names, a migration moves the standard on.
                // With them, where the configuration is: the rules version's index, or
                // `None` for a format 1 record decided before any rules were recorded.
                let (definitions, rules_index) = match r.rules {
                    Some(hash) => match version_of.get(&hash) {
                        Some(&i) => {
                            // The rules in force at the event's time, among those recorded
                            // before this record (all `versions` so far): the last that took
                            // effect by then, or the first (which also judges what came
                            // before it).
                            let known = &versions;
                            let expected = known.iter().rposition(|v| v.at <= r.at).unwrap_or(0);
                            let v = &versions[i];
                            let written = r.recorded_at.unwrap_or(r.at);
                            let message = if i > 0 && v.at > r.at {
                                Some(format!(
                                    "an event of {} cites rules {hash}, which took effect later ({}): the rules of its time judge it",
                                    r.at, v.at
                                ))
                            } else if expected > i && known[expected].recorded_at + MAX_CLOCK_SKEW <= written {
                                Some(format!(
                                    "decided under rules {hash} (written {}), superseded for an event of {} by rules {} (in force from {}, written {}) before this record was written ({written})",
                                    v.recorded_at,
                                    r.at,
                                    known[expected].hash,
                                    known[expected].at,
                                    known[expected].recorded_at
                                ))
                            } else {
                                None
                            };
                            if let Some(message) = message {
                                problems.push(fail(r, VerifyErrorKind::Rules { message }));
                                skip.insert(r.instance);
                                continue;
                            }
                            (&v.versions, Some(i))
                        }
                        None => {
                            problems.push(fail(
                                r,
                                VerifyErrorKind::Rules {
                                    message: format!(
                                        "cites rules {hash}, which this store's rules log does not hold before it"
                                    ),
                                },
                            ));
                            skip.insert(r.instance);
                            continue;
                        }
                    },
                    None if r.format == FORMAT_V1 => (first.as_ref().map_or(fallback, |(v, _)| v), None),
                    None => {
                        problems.push(fail(
                            r,
                            VerifyErrorKind::Rules {
                                message: "a decision of format 2 must cite the rules it was made under".to_owned(),
                            },
                        ));
                        skip.insert(r.instance);
                        continue;
                    }
                };
                if previous.is_none() {
                    opened.push(r.instance);
                }
                let replayed = match previous {
                    None => definitions.replay_with(std::slice::from_ref(r), options),
                    Some(instance) => definitions.replay_onto(instance, std::slice::from_ref(r), options),
                };
                match replayed {
                    Ok(instance) => {
                        // A migration is the office's act: the actor must hold the role it
                        // claims, under the rules it cites, as every other record's guard
                        // `actor_fits_role` is re-checked (the engine records the check's
                        // failure as an external reason, which replay cannot re-derive).
                        if !r.is_refused() && r.action == regula_core::MIGRATE_ACTION {
                            let config = match rules_index {
                                Some(i) => &versions[i].config,
                                None => first.as_ref().map_or(&self.config, |(_, c)| c),
                            };
                            if let Err(why) = config.actor_fits(&r.actor, &r.role, Some(instance.data())) {
                                // Reported; the log itself is intact, so it is followed on.
                                problems.push(fail(
                                    r,
                                    VerifyErrorKind::GuardsWouldRefuse {
                                        reasons: vec![Reason::guard(Rule::ActorFitsRole.name(), why)],
                                    },
                                ));
                            }
                        }
                        if !r.is_refused() {
                            latest_decision = Some(latest_decision.map_or(r.at, |l| l.max(r.at)));
                            if r.action == ActionKind::Publish.name() {
                                publications.insert((r.instance, r.seq), (r.definition.version, position));
                            }
                        }
                        standards.insert(r.instance, instance);
                    }
                    Err(e) => {
                        problems.push(StoreProblem::Transition(e));
                        skip.insert(r.instance);
                    }
                }
            }
        }
        let replayed = opened.into_iter().filter_map(|id| standards.remove(&id)).collect();
        Ok((problems, replayed, publications))
    }

    /// Every publication whose document number an earlier publication already used, or
    /// that reuses the plan's own number, judged by the [`NumberUse`] of the definition
    /// version it was made under (from `publications`; one not found there was made
    /// under version 1). Earlier means earlier in the log's append order, the order in
    /// which the live check saw them (event times can be back-dated; the order of
    /// appends cannot).
    fn duplicate_document_numbers(
        &self,
        instances: &[Instance<StandardLifecycle>],
        publications: &Publications,
    ) -> Vec<StoreProblem> {
        let mut versions: Vec<(&Instance<StandardLifecycle>, &crate::data::Version)> = instances
            .iter()
            .flat_map(|i| i.data().versions.iter().map(move |v| (i, v)))
            .collect();
        let position = |i: &Instance<StandardLifecycle>, v: &crate::data::Version| {
            publications.get(&(i.id(), v.stamp.seq)).map_or(u64::MAX, |(_, p)| *p)
        };
        versions.sort_by_key(|(i, v)| (position(i, v), v.stamp.at, i.data().code.clone(), v.number));
        let mut seen = Ledger::new();
        let mut problems = Vec::new();
        for (instance, version) in versions {
            let under = publications
                .get(&(instance.id(), version.stamp.seq))
                .map_or(1, |(under, _)| *under);
            if let Some(reason) = check_publication(
                &self.catalog,
                &seen,
                &instance.data().code,
                &version.document_number,
                Some(version.published_on),
                Some(self.config.local_date(version.stamp.at)),
                NumberUse::of_version(under),
            ) {
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

/// What [`Court::check_decisions`] found: the problems, the standards replayed (in
/// opening order) and their publications.
type Decisions = (Vec<StoreProblem>, Vec<Instance<StandardLifecycle>>, Publications);

/// The definition version and the position in the log of every accepted publication,
/// by (instance, sequence number), as verify found them.
type Publications = HashMap<(Uuid, u64), (u32, u64)>;

/// The claim namespace of a standard's opening: its creating record claims its code, so
/// a code is opened once, whatever the store's heads say.
pub const STANDARD_CLAIM: &str = "standard";

/// The claim namespace of idempotency keys ([`Court::apply_keyed`]): each key is held
/// by the one record its first attempt made. Verification checks that every key's
/// holder is a record of a standard in the store.
pub const IDEMPOTENCY_CLAIM: &str = "idempotency";

/// The standards in opening order split into each code's first opening, and a problem
/// for every later opening of a code already opened: a second instance of one standard
/// (its creation would have been refused).
fn first_openings(instances: &[Instance<StandardLifecycle>]) -> (Vec<&Instance<StandardLifecycle>>, Vec<StoreProblem>) {
    let mut first_of = std::collections::HashMap::new();
    let mut firsts = Vec::new();
    let mut problems = Vec::new();
    for i in instances {
        let code = &i.data().code;
        match first_of.get(code) {
            None => {
                first_of.insert(code.clone(), i.id());
                firsts.push(i);
            }
            Some(first) => problems.push(StoreProblem::Transition(VerifyError {
                instance: i.id(),
                seq: 1,
                kind: VerifyErrorKind::GuardsWouldRefuse {
                    reasons: vec![regula_core::Reason::external(
                        "standard_opened_once",
                        Text::owned(
                            format!("标准 {code} 已由实例 {first} 开展工作，不能再次开展"),
                            format!(
                                "standard {code} was already opened as instance {first}; a standard is opened once"
                            ),
                        ),
                    )],
                },
            })),
        }
    }
    (firsts, problems)
}

/// Loads the rules log `id` from `store`: its instance, and the hash of the record that
/// put its rules in force (its last creation or accepted record).
/// Every version of the standard definition this library declares
/// ([`table::VERSIONS`]), built for `config`: the latest is what new standards follow,
/// the earlier ones replay, verify and continue the standards opened under them.
pub fn standard_versions(config: &CourtConfig) -> Result<Versions<StandardLifecycle>, ServiceError> {
    let definitions = table::VERSIONS
        .iter()
        .map(|(version, _)| crate::court::standard_definition_version(config, *version))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Versions::new(definitions)?)
}

fn load_rules<S: Store>(store: &S, id: Uuid) -> Result<RulesLog, ServiceError> {
    let records = store.load(id)?;
    let instance = rules_definition()?.replay(&records)?;
    let mut log = RulesLog {
        in_force: instance.last_hash(),
        instance,
        versions: Vec::new(),
        affairs: CourtAffairs::default(),
    };
    let mut rules: Option<RulesData> = None;
    let mut config: Option<CourtConfig> = None;
    for r in records.iter().filter(|r| !r.is_refused()) {
        if r.seq == 1 || RulesAction::changes_rules(&r.action) {
            let data = rules_of(r, rules.take()).map_err(|source| ServiceError::Rules { instance: id, source })?;
            let catalog = data
                .catalog()
                .map_err(|source| ServiceError::Rules { instance: id, source })?;
            let version = RulesVersion::of(r, &catalog)?;
            config = Some(version.config.clone());
            log.push(version);
            rules = Some(data);
        }
        if let Some(config) = &config {
            log.affairs.absorb(r, config);
        }
    }
    Ok(log)
}

/// The rules a creation or accepted change of a rules log put in force, given the rules
/// before it (`None` for the creation).
fn rules_of(record: &AuditRecord, before: Option<RulesData>) -> Result<RulesData, RulesError> {
    let decoded = if record.seq == 1 {
        record.payload.decode::<RulesData>().map_err(|e| e.to_string())
    } else {
        <RulesAction as regula_core::Action>::from_payload(&record.action, &record.payload)
            .map(|action| {
                let mut data = before.unwrap_or_default();
                action.apply_to(&mut data);
                data
            })
            .map_err(|e| e.message)
    };
    decoded.map_err(|message| RulesError::Payload {
        seq: record.seq,
        message,
    })
}

/// The court's replayer for the store's verification, except that the due time of a
/// standard's head is not replayed there: [`Court::verify_with`] replays every standard
/// once, record by record under the rules each cites, and checks the due time against
/// that replay (a second replay per standard would double the cost of `verify`).
struct StandardsDueLater<'a, R> {
    inner: R,
    standards: &'a str,
}

impl<R: Replayer> Replayer for StandardsDueLater<'_, R> {
    fn verify(&mut self, head: &regula_core::InstanceHead, records: &[AuditRecord]) -> Option<Result<(), VerifyError>> {
        self.inner.verify(head, records)
    }

    fn snapshot(
        &mut self,
        head: &regula_core::InstanceHead,
        records: &[AuditRecord],
    ) -> Option<Result<Snapshot, VerifyError>> {
        self.inner.snapshot(head, records)
    }

    fn due_at(
        &mut self,
        head: &regula_core::InstanceHead,
        records: &[AuditRecord],
    ) -> Option<Result<Option<DateTime<Utc>>, VerifyError>> {
        if head.definition.name == self.standards {
            None
        } else {
            self.inner.due_at(head, records)
        }
    }
}
