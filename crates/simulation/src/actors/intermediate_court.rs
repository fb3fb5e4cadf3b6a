//! What the intermediate court does: accepts standards in waves in 2025 (its
//! evaluations are in the office's module: the same act, by another role).

use regula_core::Store;
use regula_standards::lifecycle::Acceptance;
use regula_standards::{Stage, StandardAction, roles};

use crate::attempt::Expect;
use crate::error::SimError;
use crate::scenario::WAVES;
use crate::sim::Simulation;

impl<S: Store> Simulation<S> {
    /// The court accepts the version it evaluated (dropped if another is in force).
    pub(crate) fn accept(&mut self, i: usize, wave: usize, version: u32) -> Result<(), SimError> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.court_actor(i)?;
        let acceptance = self.acceptance(wave)?;
        self.attempt(
            i,
            actor,
            roles::INTERMEDIATE_COURT,
            StandardAction::Accept { acceptance },
            Expect::Accept,
        )?;
        Ok(())
    }

    /// The acceptance of wave `wave`, dated today.
    fn acceptance(&self, wave: usize) -> Result<Acceptance, SimError> {
        let (_, number) = WAVES
            .get(wave)
            .copied()
            .ok_or_else(|| SimError::scenario(format!("no acceptance wave numbered {wave}")))?;
        Ok(Acceptance {
            date: self.today(),
            accepted_by: self.court.config().intermediate_court.label.zh.to_string(),
            conclusion: "经评估验收，标准运行良好，予以定型固化".into(),
            reference: Some(format!("长林中法〔2025〕{number}号")),
        })
    }

    /// Once: the court's list names a standard whose evaluation by the court just
    /// failed; definition version 2 accepts only after a passing one.
    pub(crate) fn accept_failing(&mut self, i: usize, wave: usize) -> Result<(), SimError> {
        if self.stage(i)? != Stage::FollowUp {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.court_actor(i)?;
        let acceptance = self.acceptance(wave)?;
        self.attempt(
            i,
            actor,
            roles::INTERMEDIATE_COURT,
            StandardAction::Accept { acceptance },
            Expect::Refuse(&["passing_evaluation"]),
        )?;
        Ok(())
    }

    /// Once: the court's list is out of date and names a standard under revision; the
    /// definition has no such transition.
    pub(crate) fn accept_under_revision(&mut self, i: usize, wave: usize) -> Result<(), SimError> {
        if !matches!(self.stage(i)?, Stage::Revision | Stage::Consultation | Stage::Approval) {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self
            .court_staff
            .first()
            .cloned()
            .ok_or_else(|| SimError::scenario("no staff for the intermediate court"))?;
        let acceptance = self.acceptance(wave)?;
        self.attempt(
            i,
            actor,
            roles::INTERMEDIATE_COURT,
            StandardAction::Accept { acceptance },
            Expect::Refuse(&["no_transition"]),
        )?;
        Ok(())
    }
}
