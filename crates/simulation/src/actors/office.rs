//! What the office does: assigns departments, publishes under a document number,
//! starts follow-up, inspects and evaluates (the intermediate court evaluates the same
//! way before accepting).

use std::collections::BTreeSet;

use chrono::Datelike;
use regula_core::Store;
use regula_standards::lifecycle::{CriterionScore, Evaluation, Inspection};
use regula_standards::{ActionKind, Stage, StandardAction, roles};

use crate::attempt::Expect;
use crate::error::SimError;
use crate::event::Note;
use crate::pools::{EARLY_FINDINGS, FOLLOW_UP_FINDINGS};
use crate::queue::{Ev, Evaluator, Why};
use crate::scenario::REASSIGNMENT;
use crate::sim::Simulation;
use crate::time::{days, workday, ymd};

impl<S: Store> Simulation<S> {
    /// The office assigns a department to a standard the plan gave none.
    pub(crate) fn assign(&mut self, i: usize) -> Result<(), SimError> {
        let Some(dept) = self.stds[i].department.clone() else {
            return Err(SimError::scenario(format!(
                "{}: assignment planned without a department",
                self.stds[i].code
            )));
        };
        let name = self
            .court
            .catalog()
            .departments()
            .get(&dept)
            .map_or_else(|| dept.clone(), |d| d.label.zh.to_string());
        let office = self.office_lead.clone();
        self.attempt(
            i,
            office,
            roles::OFFICE,
            StandardAction::AssignDepartment { department: name },
            Expect::Accept,
        )?;
        self.note(i, Note::Assigned { department: dept });
        Ok(())
    }

    /// The office moves a standard to another department, with the reason the scenario
    /// gives (a decision of its own from definition version 2).
    pub(crate) fn reassign(&mut self, i: usize) -> Result<(), SimError> {
        let (_, _, department, reason) = REASSIGNMENT;
        if self.stage(i)?.is_terminal() {
            self.skipped += 1;
            return Ok(());
        }
        let id = self
            .court
            .catalog()
            .departments()
            .department_of(department)
            .map(|d| d.id.clone())
            .ok_or_else(|| SimError::scenario(format!("reassignment to an unknown department {department}")))?;
        let office = self.office_lead.clone();
        self.attempt(
            i,
            office,
            roles::OFFICE,
            StandardAction::ReassignDepartment {
                department: department.to_owned(),
                reason: reason.to_owned(),
            },
            Expect::Accept,
        )?;
        self.stds[i].department = Some(id.clone());
        self.note(i, Note::Reassigned { department: id });
        Ok(())
    }

    /// A document number of the court (红林法〔YYYY〕N号).
    fn document_number(&self, year: i32, n: u32) -> String {
        format!("{}〔{year}〕{n}号", self.court.config().document_prefix)
    }

    /// The office publishes an approved draft under the year's next number (once with
    /// the plan's own number, once with a used one: both refused).
    pub(crate) fn publish(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::Publish)?;
        let date = self.today();
        let year = date.year();
        let clerk = self.office_clerk.clone();
        // The first publication: the clerk copies the number of the plan itself from
        // the template. The catalog-wide check catches it.
        if !self.shown.plan_number
            && let Some(number) = self.plan_number.clone()
        {
            self.shown.plan_number = true;
            self.attempt(
                i,
                clerk.clone(),
                roles::OFFICE,
                StandardAction::Publish {
                    document_number: number,
                    date,
                },
                Expect::Refuse(&["document_number_unique"]),
            )?;
        }
        // Once in 2023: the number of the previous publication, typed again.
        if !self.shown.duplicate
            && date >= const { ymd(2023, 3, 1) }
            && let Some(&last) = self.numbers.get(&year)
        {
            self.shown.duplicate = true;
            let number = self.document_number(year, last);
            self.attempt(
                i,
                clerk.clone(),
                roles::OFFICE,
                StandardAction::Publish {
                    document_number: number,
                    date,
                },
                Expect::Refuse(&["document_number_unique"]),
            )?;
        }
        let n = self.numbers.get(&year).copied().unwrap_or(0) + 1;
        self.numbers.insert(year, n);
        let number = self.document_number(year, n);
        self.attempt(
            i,
            clerk,
            roles::OFFICE,
            StandardAction::Publish {
                document_number: number,
                date,
            },
            Expect::Accept,
        )?;
        self.later(i, date, 2, 12, Ev::BeginFollowUp(i));
        Ok(())
    }

    /// Follow-up (跟踪实施) starts.
    pub(crate) fn begin_follow_up(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::BeginFollowUp)?;
        let (actor, role) = if self.stds[i].rng.chance(20) {
            (self.office_lead.clone(), roles::OFFICE)
        } else {
            (self.dept_actor(i)?, roles::DEPARTMENT)
        };
        self.attempt(i, actor, role, StandardAction::BeginFollowUp, Expect::Accept)?;
        Ok(())
    }

    /// An inspection (督导检查); a serious finding on a standard in force may open a
    /// revision.
    pub(crate) fn inspect(&mut self, i: usize) -> Result<(), SimError> {
        let stage = self.stage(i)?;
        if stage == Stage::Withdrawn {
            self.skipped += 1;
            return Ok(());
        }
        let date = self.today();
        let rng = &mut self.stds[i].rng;
        let findings: Vec<String> = match stage {
            Stage::Published | Stage::FollowUp => {
                let n = rng.range(0, 2) as usize;
                rng.sample(&FOLLOW_UP_FINDINGS, n)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            }
            Stage::Consolidated => Vec::new(),
            _ => {
                let n = rng.range(0, 1) as usize;
                rng.sample(&EARLY_FINDINGS, n).into_iter().map(str::to_owned).collect()
            }
        };
        let stage_zh = stage.label().zh.to_string();
        let inspection = Inspection {
            date,
            inspectors: vec!["张敏".into(), "杨帆".into()],
            summary: if findings.is_empty() {
                format!("对照实施方案督导检查（{stage_zh}阶段），未发现问题")
            } else {
                format!("对照实施方案督导检查（{stage_zh}阶段），发现问题 {} 项", findings.len())
            },
            findings: findings.clone(),
            flags: Vec::new(),
        };
        let office = self.office_lead.clone();
        self.attempt(
            i,
            office,
            roles::OFFICE,
            StandardAction::RecordInspection { inspection },
            Expect::Accept,
        )?;
        // A serious finding on a standard in force opens a revision (before the
        // acceptance season ends); the inspection before acceptance is stricter.
        let percent = if date.year() == 2025 { 35 } else { 15 };
        if stage == Stage::FollowUp
            && !findings.is_empty()
            && date <= const { ymd(2025, 8, 31) }
            && self.stds[i].rng.chance(percent)
        {
            let number = self
                .data(i)?
                .inspections
                .last()
                .map(|x| x.number)
                .ok_or_else(|| SimError::scenario("an inspection was accepted but not recorded"))?;
            let version = self.in_force(i)?;
            self.later(i, date, 7, 25, Ev::OpenRevision(i, Why::Finding(number, 1), version));
        }
        Ok(())
    }

    /// An evaluation of the version in force against its criteria, by the office or
    /// the intermediate court; a weak one opens a revision, a good one by the court
    /// leads to acceptance.
    pub(crate) fn evaluate(&mut self, i: usize, by: Evaluator, version: u32) -> Result<(), SimError> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let date = self.today();
        let data = self.data(i)?;
        let draft = data
            .in_force()
            .map(|v| v.draft)
            .ok_or_else(|| SimError::scenario("a standard in follow-up without a version in force"))?;
        let criteria =
            self.stds[i].criteria.get(&draft).cloned().ok_or_else(|| {
                SimError::scenario(format!("{}: no criteria known for draft {draft}", self.stds[i].code))
            })?;
        let weak_percent = match by {
            Evaluator::Court(_) => 8,
            Evaluator::Office if version > 1 => 4,
            Evaluator::Office if date < const { ymd(2024, 7, 1) } => 18,
            Evaluator::Office => 8,
        };
        let std = &mut self.stds[i];
        let weak = std.rng.chance(weak_percent);
        let missed: BTreeSet<usize> = if weak {
            let n = std.rng.range(1, 2.min(criteria.len() as i64)) as usize;
            std.rng
                .sample(&(0..criteria.len()).collect::<Vec<_>>(), n)
                .into_iter()
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut scores = Vec::new();
        let mut shortfalls = Vec::new();
        for (k, c) in criteria.iter().enumerate() {
            let met = !missed.contains(&k);
            let value = c.measure(&mut std.rng, met);
            if !met {
                shortfalls.push(format!("{}（实测 {value}%，目标 {}）", c.name, c.criterion().target));
            }
            scores.push(CriterionScore {
                criterion: k as u32 + 1,
                measured: format!("{value}%"),
                met,
            });
        }
        let conclusion = if weak {
            format!("未达到评价标准：{}，建议修订完善", shortfalls.join("、"))
        } else {
            "各项评价标准均达到目标，标准运行良好".to_owned()
        };
        let evaluation = Evaluation {
            date,
            version,
            scores,
            conclusion,
        };
        let (actor, role) = match by {
            Evaluator::Office => (self.office_lead.clone(), roles::OFFICE),
            Evaluator::Court(_) => (self.court_actor(i)?, roles::INTERMEDIATE_COURT),
        };
        self.attempt(
            i,
            actor,
            role,
            StandardAction::RecordEvaluation { evaluation },
            Expect::Accept,
        )?;
        if weak {
            self.period.weak += 1;
        }
        let number = self
            .data(i)?
            .evaluations
            .last()
            .map(|e| e.number)
            .ok_or_else(|| SimError::scenario("an evaluation was accepted but not recorded"))?;
        match (by, weak) {
            (Evaluator::Court(wave), false) => {
                self.stds[i].court_evaluated = Some(version);
                self.later(i, date, 3, 12, Ev::Accept(i, wave, version));
            }
            (Evaluator::Court(wave), true) => {
                self.stds[i].court_evaluated = Some(version);
                self.note(i, Note::WeakAtAcceptance);
                self.later(i, date, 5, 15, Ev::OpenRevision(i, Why::Weak(number), version));
                // Once: the court's list is drawn up before the evaluation is read, and
                // names this standard; acceptance needs a passing evaluation.
                if !self.shown.accept_failing {
                    self.shown.accept_failing = true;
                    self.push(workday(days(date, 1)), 15 * 60, Ev::AcceptFailing(i, wave));
                }
            }
            (Evaluator::Office, true) => {
                self.later(i, date, 7, 25, Ev::OpenRevision(i, Why::Weak(number), version));
            }
            (Evaluator::Office, false) => {}
        }
        Ok(())
    }
}
