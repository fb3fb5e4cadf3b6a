//! A court on a memory store with a manual clock, driven through `Court::apply` on
//! given dates (09:00 in Beijing): the scenarios of the as-of and assessment tests.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use regula_core::{Actor, AuditRecord, Command, ManualClock, MemoryStore, SeededIds};
use regula_standards::catalog::Catalog;
use regula_standards::lifecycle::{
    Criterion, CriterionScore, Draft, Evaluation, Inspection, MeetingRecord, Opinion, OpinionSource, Response,
    RevisionCause, Source, SourceKind, StandardAction, roles,
};
use regula_standards::service::Court;

/// 09:00 in Beijing on that day.
pub fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct Driver {
    pub court: Court<MemoryStore>,
    pub clock: Arc<ManualClock>,
}

impl Driver {
    /// The built-in catalog imported on the plan's date, 2022-05-16.
    pub fn new() -> Self {
        let clock = Arc::new(ManualClock::new(morning(2022, 5, 16)));
        let mut court = Court::open(MemoryStore::new(), Catalog::builtin().unwrap(), |engine| {
            engine.with_clock(clock.clone()).with_ids(Arc::new(SeededIds::new(3)))
        })
        .unwrap();
        let office = court.config().office_staff("wang.bangong", "王办公");
        assert_eq!(court.import(&office).unwrap().len(), 117);
        Driver { court, clock }
    }

    /// A new court where ADJ-01-01 (立案 item 1: the plan names no department) was
    /// assigned to 立案庭 on 2023-01-10 and published as v1 (红林法〔2023〕15号) on
    /// 2023-02-25: the start of the as-of and view scenarios.
    pub fn adj_01_01_published() -> Self {
        let mut d = Driver::new();
        assert_eq!(
            d.assign_and_publish(
                "ADJ-01-01",
                "立案庭",
                day(2023, 1, 10),
                day(2023, 1, 21),
                "红林法〔2023〕15号"
            ),
            day(2023, 2, 25)
        );
        d
    }

    pub fn office(&self) -> Actor {
        self.court.config().office_staff("wang.bangong", "王办公")
    }

    pub fn staff(&self, department: &str) -> Actor {
        self.court
            .config()
            .department_staff(department, "staff", "部门人员")
            .unwrap()
    }

    pub fn head(&self) -> Actor {
        self.court.config().leading_group_member("陈伟").unwrap()
    }

    pub fn intermediate(&self) -> Actor {
        self.court.config().intermediate_court_staff("sun.zhongyuan", "孙中院")
    }

    /// Attempts `action` on `code` on the morning of `date` (the clock moves there).
    pub fn on(&mut self, date: NaiveDate, code: &str, who: &Actor, role: &str, action: StandardAction) -> AuditRecord {
        self.clock.set(morning(
            chrono::Datelike::year(&date),
            chrono::Datelike::month(&date),
            chrono::Datelike::day(&date),
        ));
        self.court.apply(code, Command::new(who.clone(), role, action)).unwrap()
    }

    /// Like `on`, accepted.
    pub fn ok(&mut self, date: NaiveDate, code: &str, who: &Actor, role: &str, action: StandardAction) -> AuditRecord {
        let r = self.on(date, code, who, role, action);
        assert!(!r.is_refused(), "{} on {date} refused: {:?}", r.action, r.outcome);
        r
    }

    /// Like `on`, refused.
    pub fn refused(
        &mut self,
        date: NaiveDate,
        code: &str,
        who: &Actor,
        role: &str,
        action: StandardAction,
    ) -> AuditRecord {
        let r = self.on(date, code, who, role, action);
        assert!(r.is_refused(), "{} on {date} was accepted", r.action);
        r
    }

    /// From research (department assigned) to follow-up: drafting on `start`,
    /// consultation the next day, opinions answered, closed 31 days after, approved 2
    /// days later and published under `number` the day after; follow-up the next day.
    /// Returns the publication date.
    pub fn publish_first(&mut self, code: &str, department: &str, start: NaiveDate, number: &str) -> NaiveDate {
        let dept = self.staff(department);
        self.ok(
            start,
            code,
            &dept,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: None },
        );
        self.draft_to_follow_up(code, department, start, number)
    }

    /// The office assigns `department` to `code` (a standard the plan left without one)
    /// on `assigned`; the department then publishes it (see `publish_first`). Returns
    /// the publication date.
    pub fn assign_and_publish(
        &mut self,
        code: &str,
        department: &str,
        assigned: NaiveDate,
        start: NaiveDate,
        number: &str,
    ) -> NaiveDate {
        let office = self.office();
        self.ok(
            assigned,
            code,
            &office,
            roles::OFFICE,
            StandardAction::AssignDepartment {
                department: department.into(),
            },
        );
        self.publish_first(code, department, start, number)
    }

    /// From drafting or revision to follow-up (see `publish_first`).
    pub fn draft_to_follow_up(&mut self, code: &str, department: &str, start: NaiveDate, number: &str) -> NaiveDate {
        let dept = self.staff(department);
        let d = |n: u64| start.checked_add_days(chrono::Days::new(n)).unwrap();
        self.ok(
            d(1),
            code,
            &dept,
            roles::DEPARTMENT,
            StandardAction::OpenConsultation { draft: draft() },
        );
        let base = self
            .court
            .instance(code)
            .unwrap()
            .data()
            .current_consultation()
            .unwrap()
            .opinions
            .len() as u32;
        for (i, source) in [OpinionSource::Frontline, OpinionSource::Administrative]
            .into_iter()
            .enumerate()
        {
            self.ok(d(2), code, &dept, roles::DEPARTMENT, opinion(source));
            self.ok(
                d(2),
                code,
                &dept,
                roles::DEPARTMENT,
                StandardAction::RespondToOpinion {
                    opinion: base + i as u32 + 1,
                    response: Response::Adopted { note: None },
                },
            );
        }
        self.ok(d(32), code, &dept, roles::DEPARTMENT, StandardAction::CloseConsultation);
        let head = self.head();
        self.ok(
            d(34),
            code,
            &head,
            roles::LEADING_GROUP,
            StandardAction::Approve {
                meeting: MeetingRecord {
                    date: d(34),
                    present: vec!["陈伟".into(), "厉彦杰".into(), "马振生".into()],
                    decision: "审议通过".into(),
                },
            },
        );
        let office = self.office();
        self.ok(
            d(35),
            code,
            &office,
            roles::OFFICE,
            StandardAction::Publish {
                document_number: number.into(),
                date: d(35),
            },
        );
        self.ok(d(36), code, &dept, roles::DEPARTMENT, StandardAction::BeginFollowUp);
        d(35)
    }
}

pub fn draft() -> Draft {
    Draft {
        text: "减假暂案件审判标准（草案）".into(),
        procedural: vec!["收到材料后 3 个工作日内立案并公示".into()],
        quality: vec!["裁定书说理充分、事实清楚".into()],
        criteria: vec![
            Criterion {
                name: "审限内结案率".into(),
                measure: "审限内结案数 / 结案数".into(),
                target: "≥ 98%".into(),
            },
            Criterion {
                name: "公示率".into(),
                measure: "依法公示案件数 / 应公示案件数".into(),
                target: "100%".into(),
            },
        ],
        sources: vec![Source {
            kind: SourceKind::ManagementYearRule,
            title: "加强管理年以来出台的减刑假释案件办理规定".into(),
        }],
        not_a_copy_of_statute: true,
    }
}

/// A draft with no measurable criterion (refused by `draft_complete`).
pub fn draft_without_criteria() -> Draft {
    Draft {
        criteria: Vec::new(),
        ..draft()
    }
}

pub fn opinion(source: OpinionSource) -> StandardAction {
    StandardAction::RecordOpinion {
        opinion: Opinion {
            author: match source {
                OpinionSource::Frontline => "刑事审判庭 张法官".into(),
                OpinionSource::Administrative => "综合办公室 刘科员".into(),
                OpinionSource::Other => "律师 周某".into(),
            },
            source,
            content: "建议明确公示期限".into(),
        },
    }
}

pub fn inspection(date: NaiveDate, findings: &[&str]) -> StandardAction {
    StandardAction::RecordInspection {
        inspection: Inspection {
            date,
            inspectors: vec!["王办公".into()],
            summary: "对照标准抽查案件 20 件".into(),
            findings: findings.iter().map(|f| (*f).to_owned()).collect(),
            flags: Vec::new(),
        },
    }
}

/// An evaluation of `version` on its two criteria, `met` saying which were met.
pub fn evaluation(date: NaiveDate, version: u32, met: [bool; 2]) -> StandardAction {
    StandardAction::RecordEvaluation {
        evaluation: Evaluation {
            date,
            version,
            scores: met
                .iter()
                .enumerate()
                .map(|(i, &met)| CriterionScore {
                    criterion: i as u32 + 1,
                    measured: if met { "99%".into() } else { "80%".into() },
                    met,
                })
                .collect(),
            conclusion: if met.iter().all(|m| *m) {
                "达到评价标准".into()
            } else {
                "未达到评价标准".into()
            },
        },
    }
}

pub fn revision(summary: &str) -> StandardAction {
    StandardAction::OpenRevision {
        cause: RevisionCause::Gap,
        summary: summary.into(),
    }
}
