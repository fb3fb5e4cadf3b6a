//! Checking a finished run against its store.

use regula_core::store::StoreReport;
use regula_core::{Outcome, Store};
use regula_standards::service::Court;

use crate::error::SimError;
use crate::tally::Summary;

/// What [`verify`] found.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Verification {
    /// [`Court::verify`]'s report: hash chains, heads, the Merkle tree, every
    /// standard's log replayed against the definition with its guards re-checked.
    pub report: StoreReport,
    /// Records in the store by outcome: created.
    pub created: u64,
    /// Accepted.
    pub accepted: u64,
    /// Refused.
    pub refused: u64,
    /// Records of the store's rules log (the catalog recorded at import, and any
    /// extension or amendment), which the run's tally of standard records leaves out.
    pub rules: u64,
    /// True when the store's counts are the run's ([`Summary::tally`]).
    pub counts_match: bool,
}

impl Verification {
    /// True when the store verifies and holds exactly what the run counted.
    pub fn is_ok(&self) -> bool {
        self.report.is_ok() && self.counts_match
    }
}

/// Verifies the whole store of a finished run with [`Court::verify`], and counts its
/// records by outcome against the run's tally.
pub fn verify<S: Store>(court: &Court<S>, summary: &Summary) -> Result<Verification, SimError> {
    let report = court.verify(None, &mut |_, _| {})?;
    let (mut created, mut accepted, mut refused, mut rules, mut position) = (0u64, 0u64, 0u64, 0u64, 0u64);
    loop {
        let page = court.store().scan(position, 4096)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            if r.definition.name == regula_standards::rules_log::RULES_DEFINITION {
                rules += 1;
                continue;
            }
            match r.outcome {
                Outcome::Created => created += 1,
                Outcome::Accepted { .. } => accepted += 1,
                Outcome::Refused { .. } => refused += 1,
            }
        }
        position += page.len() as u64;
    }
    let t = &summary.tally;
    let counts_match =
        (t.created, t.accepted, t.refused) == (created, accepted, refused) && t.records + rules == report.records;
    Ok(Verification {
        report,
        created,
        accepted,
        refused,
        rules,
        counts_match,
    })
}
