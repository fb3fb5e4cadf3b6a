//! Every attempt through the court service, checked against what the simulation
//! expected, counted, and kept for the observer.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use regula_core::{Action, Actor, AuditRecord, Command, Reason, Store};
use regula_standards::StandardAction;

use crate::error::SimError;
use crate::event::Note;
use crate::sim::Simulation;

/// What an attempt is expected to do.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    Accept,
    /// Refused by exactly these checks (guard names, external check names, or the
    /// reason code when no guard is named).
    Refuse(&'static [&'static str]),
}

/// Something for the observer about standard `i`, kept until the planned event that
/// wrote it is played.
pub(crate) struct Pending {
    pub(crate) i: usize,
    pub(crate) date: NaiveDate,
    pub(crate) what: What,
}

/// A record written or a note.
pub(crate) enum What {
    Record(Box<AuditRecord>),
    Note(Note),
}

impl<S: Store> Simulation<S> {
    /// Attempts an action through the court service (so catalog-wide checks apply),
    /// counts the record and checks it against what the simulation expected.
    pub(crate) fn attempt(
        &mut self,
        i: usize,
        actor: Actor,
        role: &str,
        action: StandardAction,
        expect: Expect,
    ) -> Result<(), SimError> {
        let code = self.stds[i].code.clone();
        let action_name = action.name().to_owned();
        let at = self.now();
        let record = self
            .court
            .apply(&code, Command::new(actor, role, action))
            .map_err(|source| SimError::Attempt {
                at,
                code: code.clone(),
                action: action_name.clone(),
                source,
            })?;
        let versions = self.data(i)?.versions.len();
        self.period.count(&record, versions);
        let date = self.today();
        let name = || self.stds[i].name.clone();
        match (expect, record.refusal()) {
            (Expect::Accept, None) => {}
            (Expect::Accept, Some(reasons)) => {
                return Err(SimError::UnexpectedRefusal {
                    date,
                    code,
                    name: name(),
                    action: action_name,
                    actor: record.actor.id.to_string(),
                    reasons: reasons.to_vec(),
                });
            }
            (Expect::Refuse(keys), None) => {
                return Err(SimError::UnexpectedAcceptance {
                    date,
                    code,
                    name: name(),
                    action: action_name,
                    expected: keys.iter().map(|k| (*k).to_owned()).collect(),
                });
            }
            (Expect::Refuse(keys), Some(reasons)) => {
                let got: BTreeSet<&str> = reasons.iter().map(reason_key).collect();
                let want: BTreeSet<&str> = keys.iter().copied().collect();
                if got != want {
                    return Err(SimError::WrongRefusal {
                        date,
                        code,
                        name: name(),
                        action: action_name,
                        expected: want.into_iter().map(str::to_owned).collect(),
                        got: got.into_iter().map(str::to_owned).collect(),
                        reasons: reasons.to_vec(),
                    });
                }
                for k in got {
                    *self.refusals.entry(k.to_owned()).or_default() += 1;
                }
            }
        }
        self.pending.push(Pending {
            i,
            date,
            what: What::Record(Box::new(record)),
        });
        Ok(())
    }

    /// Something worth noticing that was not refused.
    pub(crate) fn note(&mut self, i: usize, note: Note) {
        let date = self.today();
        self.pending.push(Pending {
            i,
            date,
            what: What::Note(note),
        });
    }
}

/// The check a reason names: its guard or external check, else its code.
fn reason_key(r: &Reason) -> &str {
    r.guard.as_deref().unwrap_or(r.code.as_str())
}
