//! Campaigns: on a campaign's date, the work it plans on every standard concerned
//! (implementation reports, inspections, evaluations, the court's acceptance waves).

use chrono::Datelike;
use regula_core::Store;
use regula_standards::Stage;

use crate::error::SimError;
use crate::queue::{Ev, Evaluator};
use crate::sim::Simulation;
use crate::time::days;

impl<S: Store> Simulation<S> {
    /// Every standard in follow-up reports within ten days.
    pub(crate) fn report_campaign(&mut self, period: usize) -> Result<(), SimError> {
        let date = self.today();
        for i in 0..self.stds.len() {
            if self.stage(i)? == Stage::FollowUp {
                self.later(i, date, 0, 10, Ev::Report(i, period));
            }
        }
        Ok(())
    }

    /// The office inspects a random choice of standards within fifteen days.
    pub(crate) fn inspection_campaign(&mut self) -> Result<(), SimError> {
        let date = self.today();
        let candidates: Vec<usize> = (0..self.stds.len())
            .filter(|&i| self.stage(i).is_ok_and(|s| s != Stage::Withdrawn))
            .collect();
        // The last campaign, before the intermediate court's acceptance, is thorough.
        let n = if date.year() == 2025 {
            self.rng.range(28, 34)
        } else {
            self.rng.range(16, 22)
        } as usize;
        let mut chosen = self.rng.sample(&candidates, n);
        chosen.sort_unstable();
        for i in chosen {
            self.later(i, date, 0, 15, Ev::Inspect(i));
        }
        Ok(())
    }

    /// The office evaluates every version in force for 90 days and not evaluated in
    /// the last 240.
    pub(crate) fn evaluation_campaign(&mut self) -> Result<(), SimError> {
        let date = self.today();
        for i in 0..self.stds.len() {
            let data = self.data(i)?;
            if data.stage != Stage::FollowUp {
                continue;
            }
            let Some(version) = data.in_force() else { continue };
            let settled = days(version.published_on, 90) <= date;
            let recent = data
                .evaluation_of_version_in_force()
                .is_some_and(|e| days(e.evaluation.date, 240) > date);
            if settled && !recent {
                let number = version.number;
                self.later(i, date, 0, 20, Ev::Evaluate(i, Evaluator::Office, number));
            }
        }
        Ok(())
    }

    /// The intermediate court evaluates every version in force for 90 days it has not
    /// evaluated yet (and once names a standard under revision).
    pub(crate) fn acceptance_wave(&mut self, wave: usize) -> Result<(), SimError> {
        let date = self.today();
        for i in 0..self.stds.len() {
            let data = self.data(i)?;
            match data.stage {
                Stage::FollowUp => {
                    let Some(version) = data.in_force() else { continue };
                    let number = version.number;
                    if days(version.published_on, 90) <= date && self.stds[i].court_evaluated != Some(number) {
                        self.later(i, date, 0, 10, Ev::Evaluate(i, Evaluator::Court(wave), number));
                    }
                }
                // Once: the court's list is out of date and names a standard that is
                // being revised.
                Stage::Revision | Stage::Consultation | Stage::Approval
                    if !self.shown.accept_under_revision && data.open_revision().is_some() =>
                {
                    self.shown.accept_under_revision = true;
                    self.later(i, date, 1, 3, Ev::AcceptUnderRevision(i, wave));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
