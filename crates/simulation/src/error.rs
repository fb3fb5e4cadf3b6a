//! What can stop a simulation.

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::{Reason, StoreError, Text};
use regula_standards::CatalogError;
use regula_standards::service::ServiceError;

/// Something that stopped the simulation. Every attempt states what the simulation
/// expects (accepted, or refused by named checks); any other outcome is an error
/// naming the standard, the action and the reasons.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// An attempt the simulation believed valid was refused.
    #[error(
        "{date} {code} {name}: {action} by {actor} was refused, but the simulation believed it valid: {}",
        messages(.reasons)
    )]
    UnexpectedRefusal {
        /// The day of the attempt, in the court's time zone.
        date: NaiveDate,
        /// The standard's code.
        code: String,
        /// The standard's name.
        name: Text,
        /// The action's machine name.
        action: String,
        /// The actor's id.
        actor: String,
        /// Every reason given.
        reasons: Vec<Reason>,
    },
    /// An attempt the simulation expected to be refused was accepted.
    #[error("{date} {code} {name}: {action} was accepted, but the simulation expected a refusal by {}", expected.join(", "))]
    UnexpectedAcceptance {
        /// The day of the attempt.
        date: NaiveDate,
        /// The standard's code.
        code: String,
        /// The standard's name.
        name: Text,
        /// The action's machine name.
        action: String,
        /// The checks expected to refuse it (guard or external check names, or reason codes).
        expected: Vec<String>,
    },
    /// An attempt was refused, but not by exactly the checks expected.
    #[error(
        "{date} {code} {name}: {action} was refused by {got:?}, the simulation expected {expected:?}: {}",
        messages(.reasons)
    )]
    WrongRefusal {
        /// The day of the attempt.
        date: NaiveDate,
        /// The standard's code.
        code: String,
        /// The standard's name.
        name: Text,
        /// The action's machine name.
        action: String,
        /// The checks expected to refuse it.
        expected: Vec<String>,
        /// The checks that did.
        got: Vec<String>,
        /// Every reason given.
        reasons: Vec<Reason>,
    },
    /// The court service (its store or engine) failed on an attempt; nothing was written.
    #[error("{at} {code} {action}: the store or engine failed: {source}")]
    Attempt {
        /// The instant of the attempt.
        at: DateTime<Utc>,
        /// The standard's code.
        code: String,
        /// The action's machine name.
        action: String,
        /// What failed.
        source: ServiceError,
    },
    /// A step of a standard's own chain found the standard elsewhere than the chain
    /// left it: a bug of the simulation.
    #[error("{date} {code}: {action} planned, but the standard is in {stage} (a bug of the simulation)")]
    WrongStage {
        /// The day.
        date: NaiveDate,
        /// The standard's code.
        code: String,
        /// The action planned.
        action: String,
        /// The stage the standard is in.
        stage: String,
    },
    /// The scenario does not fit the catalog or the court (an unknown code or
    /// department, a department without staff), or the simulation lost track of what
    /// it recorded.
    #[error("the scenario does not fit: {what}")]
    Scenario {
        /// What does not fit.
        what: String,
    },
    /// The store already holds records: a simulation starts from an empty store.
    #[error("the store already holds {records} records: the simulation needs an empty store")]
    StoreNotEmpty {
        /// Records found.
        records: u64,
    },
    /// [`Simulation::run`](crate::Simulation::run) was called a second time.
    #[error("this simulation has already run")]
    AlreadyRun,
    /// The catalog could not be loaded.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The court service failed outside an attempt (opening, importing, verifying).
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SimError {
    pub(crate) fn scenario(what: impl Into<String>) -> Self {
        SimError::Scenario { what: what.into() }
    }
}

/// The reasons' English messages, joined.
fn messages(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.message.en.as_ref())
        .collect::<Vec<_>>()
        .join("; ")
}
