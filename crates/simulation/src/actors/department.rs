//! What a department does: research and drafting, consultations (opinions and
//! answers), implementation reports and revisions.

use regula_core::Store;
use regula_standards::lifecycle::{
    Criterion, Draft, Opinion, OpinionSource, Response, RevisionCause, Source, SourceKind,
};
use regula_standards::{ActionKind, Stage, StandardAction, roles};

use crate::attempt::Expect;
use crate::error::SimError;
use crate::pools::{
    ADMINISTRATIVE, ADMINISTRATIVE_SAYS, ADOPTED, Crit, FRONTLINE, FRONTLINE_SAYS, GAPS, NOT_ADOPTED, OTHERS,
    OTHERS_SAY, criteria_pool, procedural_pool, quality_pool,
};
use crate::queue::{Close, Ev, Src, Why};
use crate::scenario::{PREMATURE_DRAFTING, REPORT_PERIODS};
use crate::sim::Simulation;
use crate::time::{days, office_hours, workday};

impl<S: Store> Simulation<S> {
    /// A department tries to start on a standard the office has not assigned yet.
    pub(crate) fn premature_drafting(&mut self, i: usize, staff_of: usize) -> Result<(), SimError> {
        if self.data(i)?.department.is_some() {
            return Ok(());
        }
        let (_, _, dept) = PREMATURE_DRAFTING
            .get(staff_of)
            .copied()
            .ok_or_else(|| SimError::scenario(format!("no premature drafting numbered {staff_of}")))?;
        let actor = self
            .court
            .config()
            .departments
            .resolve(dept)
            .and_then(|d| self.staff.get(&d.department))
            .and_then(|staff| staff.first())
            .cloned()
            .ok_or_else(|| SimError::scenario(format!("no staff for department {dept}")))?;
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: None },
            Expect::Refuse(&["actor_fits_role", "department_assigned"]),
        )?;
        Ok(())
    }

    /// Research done: drafting starts; the draft goes out for consultation in one to
    /// several months.
    pub(crate) fn start_drafting(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::StartDrafting)?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let summary = format!(
            "调研论证：梳理“加强管理年”以来出台的制度 {} 项，走访 {} 个庭室、座谈 {} 次，形成调研报告",
            rng.range(3, 14),
            rng.range(2, 6),
            rng.range(1, 4)
        );
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: Some(summary) },
            Expect::Accept,
        )?;
        // Writing takes one to two months, longer for a core standard, and much longer
        // when the drafting group is short of hands (案多人少).
        let today = self.today();
        let std = &mut self.stds[i];
        let (lo, hi) = if std.core { (30, 70) } else { (25, 50) };
        let delay = if std.rng.chance(20) { std.rng.range(30, 120) } else { 0 };
        self.later(i, today, lo + delay, hi + delay, Ev::OpenConsultation(i));
        Ok(())
    }

    /// The criteria of the next draft: new ones for a first draft, the version in
    /// force's (sometimes with one more) for a revision, the last draft's after a
    /// send-back (sometimes with one more).
    pub(crate) fn next_criteria(&mut self, i: usize) -> Result<Vec<Crit>, SimError> {
        let last = self
            .data(i)?
            .current_draft()
            .and_then(|d| self.stds[i].criteria.get(&d.number))
            .cloned();
        let std = &mut self.stds[i];
        let pool = criteria_pool(std.kind);
        Ok(match last {
            None => {
                let n = std.rng.range(2, 3) as usize;
                std.rng.sample(pool, n)
            }
            Some(mut criteria) => {
                if criteria.len() < pool.len() && std.rng.chance(40) {
                    let unused: Vec<Crit> = pool.iter().filter(|c| !criteria.contains(c)).copied().collect();
                    if let Some(c) = std.rng.pick(&unused) {
                        criteria.push(c);
                    }
                }
                criteria
            }
        })
    }

    /// A draft goes out for consultation (sometimes a first try without measurable
    /// criteria, refused); plans its opinions and its closing.
    pub(crate) fn open_consultation(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::OpenConsultation)?;
        let revising = self.data(i)?.open_revision().is_some();
        let criteria = self.next_criteria(i)?;
        let actor = self.dept_actor(i)?;
        let name = self.stds[i].name.zh.to_string();
        let kind = self.stds[i].kind;
        let std = &mut self.stds[i];
        std.drafts += 1;
        let title = format!(
            "《{name}》（{}，第 {} 稿）",
            if revising {
                "修订征求意见稿"
            } else {
                "征求意见稿"
            },
            std.drafts
        );
        let procedural_n = std.rng.range(2, 3) as usize;
        let quality_n = std.rng.range(1, 2) as usize;
        let draft = Draft {
            text: title,
            procedural: std
                .rng
                .sample(procedural_pool(kind), procedural_n)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            quality: std
                .rng
                .sample(quality_pool(kind), quality_n)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            criteria: criteria.iter().map(Crit::criterion).collect(),
            // 三.原则三: distilled from the rules of the management year and practice,
            // not copied from statute.
            sources: vec![
                Source {
                    kind: SourceKind::ManagementYearRule,
                    title: format!("加强管理年以来出台的{}相关制度", std.name.zh),
                },
                Source {
                    kind: SourceKind::Practice,
                    title: "本院近三年工作实践".to_owned(),
                },
            ],
            not_a_copy_of_statute: true,
        };
        // Some first drafts state their criteria as wishes, not measures (三.原则(一)).
        if !std.bad_draft_tried && !revising && std.rng.chance(7) {
            std.bad_draft_tried = true;
            let mut vague = draft.clone();
            vague.criteria = vec![Criterion {
                name: "工作质量".into(),
                measure: "综合评价".into(),
                target: "明显提升".into(),
            }];
            self.attempt(
                i,
                actor.clone(),
                roles::DEPARTMENT,
                StandardAction::OpenConsultation { draft: vague },
                Expect::Refuse(&["draft_complete"]),
            )?;
            let today = self.today();
            self.later(i, today, 3, 10, Ev::OpenConsultation(i));
            self.stds[i].drafts -= 1;
            return Ok(());
        }
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::OpenConsultation { draft },
            Expect::Accept,
        )?;
        let number = self
            .data(i)?
            .current_draft()
            .map(|d| d.number)
            .ok_or_else(|| SimError::scenario("a draft was accepted but not recorded"))?;
        self.stds[i].criteria.insert(number, criteria);

        // The consultation: opinions over the first two weeks, each answered within
        // four days; closing from day 30.
        let opened = self.today();
        let first_round = self.data(i)?.consultations.len() == 1;
        let std = &mut self.stds[i];
        let no_administrative = first_round && std.rng.chance(5);
        let early = !no_administrative && std.rng.chance(4);
        let n = std.rng.range(2, if revising { 4 } else { 5 }) as usize;
        let mut sources = vec![Src::Frontline, Src::Administrative];
        while sources.len() < n {
            let s = match std.rng.below(10) {
                0..=4 => Src::Frontline,
                5..=8 => Src::Administrative,
                _ => Src::Other,
            };
            sources.push(s);
        }
        if no_administrative {
            for s in &mut sources {
                if *s == Src::Administrative {
                    *s = Src::Frontline;
                }
            }
        }
        let order = std.rng.sample(&sources, sources.len());
        let mut days_in: Vec<i64> = std.rng.sample(&(2..=12).collect::<Vec<i64>>(), n);
        days_in.sort_unstable();
        for (src, d) in order.into_iter().zip(days_in) {
            let minute = office_hours(&mut self.stds[i].rng);
            self.push(workday(days(opened, d)), minute, Ev::Opinion(i, src));
        }
        if early {
            self.later(i, opened, 22, 27, Ev::Close(i, Close::Early));
        }
        if no_administrative {
            self.later(i, opened, 30, 33, Ev::Close(i, Close::NoAdministrative));
        } else {
            self.later(i, opened, 30, 38, Ev::Close(i, Close::Due));
        }
        Ok(())
    }

    /// An opinion comes in; it is answered within four days.
    pub(crate) fn opinion(&mut self, i: usize, src: Src) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::RecordOpinion)?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let (source, author, content) = match src {
            Src::Frontline => (
                OpinionSource::Frontline,
                rng.pick(&FRONTLINE),
                rng.pick(&FRONTLINE_SAYS),
            ),
            Src::Administrative => (
                OpinionSource::Administrative,
                rng.pick(&ADMINISTRATIVE),
                rng.pick(&ADMINISTRATIVE_SAYS),
            ),
            Src::Other => (OpinionSource::Other, rng.pick(&OTHERS), rng.pick(&OTHERS_SAY)),
        };
        let opinion = Opinion {
            author: author.unwrap_or_default().into(),
            source,
            content: content.unwrap_or_default().into(),
        };
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::RecordOpinion { opinion },
            Expect::Accept,
        )?;
        let number = self
            .data(i)?
            .current_consultation()
            .and_then(|c| c.opinions.last())
            .map(|o| o.number)
            .ok_or_else(|| SimError::scenario("an opinion was accepted but not recorded"))?;
        let today = self.today();
        self.later(i, today, 1, 4, Ev::Respond(i, number));
        Ok(())
    }

    /// The department answers an opinion: adopted, or not with a reason.
    pub(crate) fn respond(&mut self, i: usize, number: u32) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::RespondToOpinion)?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let response = if rng.chance(75) {
            Response::Adopted {
                note: rng.pick(&ADOPTED).map(str::to_owned),
            }
        } else {
            Response::NotAdopted {
                reason: rng.pick(&NOT_ADOPTED).unwrap_or_default().into(),
            }
        };
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::RespondToOpinion {
                opinion: number,
                response,
            },
            Expect::Accept,
        )?;
        Ok(())
    }

    /// The department closes the consultation (or tries to, too early or without
    /// administrative opinions).
    pub(crate) fn close(&mut self, i: usize, how: Close) -> Result<(), SimError> {
        self.expect_move(i, ActionKind::CloseConsultation)?;
        let actor = self.dept_actor(i)?;
        match how {
            Close::Early => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Refuse(&["consultation_period"]),
                )?;
            }
            Close::NoAdministrative => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Refuse(&["opinions_from_both_groups"]),
                )?;
                // The department asks the administrative staff, then closes.
                let today = self.today();
                self.later(i, today, 1, 2, Ev::Opinion(i, Src::Administrative));
                self.later(i, today, 12, 14, Ev::Close(i, Close::Due));
            }
            Close::Due => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Accept,
                )?;
            }
        }
        Ok(())
    }

    /// A half-yearly implementation report; in 2024 some reveal a gap.
    pub(crate) fn report(&mut self, i: usize, period: usize) -> Result<(), SimError> {
        if self.stage(i)? != Stage::FollowUp {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.dept_actor(i)?;
        let (_, zh, _) = REPORT_PERIODS
            .get(period)
            .copied()
            .ok_or_else(|| SimError::scenario(format!("no report period numbered {period}")))?;
        let rng = &mut self.stds[i].rng;
        let handled = rng.range(12, 260);
        let on_time = handled - rng.range(0, handled / 12);
        let summary = format!(
            "本期按标准办理相关事项 {handled} 件，按标准时限办结 {on_time} 件；组织学习培训 {} 次；存在问题已列入整改台账",
            rng.range(1, 3)
        );
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::ReportImplementation {
                period: zh.into(),
                summary,
            },
            Expect::Accept,
        )?;
        // In 2024 practice shows a few gaps (三.第二步: 存在空白的，要补充建设).
        if (2..=3).contains(&period) && self.stds[i].rng.chance(4) {
            let today = self.today();
            let version = self.in_force(i)?;
            self.later(i, today, 10, 25, Ev::OpenRevision(i, Why::Gap, version));
        }
        Ok(())
    }

    /// A revision opens on the version in force (dropped if another is in force).
    pub(crate) fn open_revision(&mut self, i: usize, why: Why, version: u32) -> Result<(), SimError> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let (cause, summary) = match why {
            Why::Weak(n) => (
                RevisionCause::WeakResults { evaluation: Some(n) },
                format!("针对第 {n} 次评估中未达标的评价标准，修改完善相关程序和质量要求"),
            ),
            Why::Gap => (
                RevisionCause::Gap,
                self.stds[i].rng.pick(&GAPS).unwrap_or_default().to_owned(),
            ),
            Why::Finding(inspection, finding) => {
                let text = self
                    .data(i)?
                    .inspections
                    .iter()
                    .find(|x| x.number == inspection)
                    .and_then(|x| x.inspection.findings.first())
                    .cloned()
                    .unwrap_or_default();
                (
                    RevisionCause::Finding { inspection, finding },
                    format!("整改第 {inspection} 次督导检查发现的问题：{text}"),
                )
            }
        };
        let (actor, role) = if matches!(why, Why::Finding(..)) && self.stds[i].rng.chance(40) {
            (self.office_lead.clone(), roles::OFFICE)
        } else {
            (self.dept_actor(i)?, roles::DEPARTMENT)
        };
        self.attempt(
            i,
            actor,
            role,
            StandardAction::OpenRevision { cause, summary },
            Expect::Accept,
        )?;
        let today = self.today();
        if matches!(why, Why::Finding(..)) && self.stds[i].rng.chance(20) {
            // The leading group will find this revision unnecessary.
            self.stds[i].cancel = true;
        } else {
            self.later(i, today, 20, 50, Ev::OpenConsultation(i));
        }
        Ok(())
    }
}
