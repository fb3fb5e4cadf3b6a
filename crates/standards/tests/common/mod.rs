//! A small world for scenario tests: the built-in catalog, an engine on a manual clock,
//! actors for every role, and valid payloads to start from.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use regula_core::{Actor, AuditRecord, Clock, Command, Engine, Instance, ManualClock, Outcome, Reason, SeededIds};
use regula_standards::catalog::Catalog;
use regula_standards::court::{self, CourtConfig};
use regula_standards::lifecycle::{
    Acceptance, Criterion, CriterionScore, Draft, Evaluation, Inspection, MeetingRecord, Opinion, OpinionSource,
    Response, Source, SourceKind, Stage, StandardAction, StandardLifecycle, roles,
};
use regula_standards::plan::Ledger;

pub type Std = Instance<StandardLifecycle>;

pub struct World {
    pub catalog: Catalog,
    pub config: CourtConfig,
    pub engine: Engine<StandardLifecycle>,
    pub clock: Arc<ManualClock>,
}

/// 2023-03-01 09:00 in Beijing.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 3, 1, 1, 0, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

impl World {
    pub fn new() -> Self {
        let catalog = Catalog::builtin().unwrap();
        let config = CourtConfig::from_catalog(&catalog);
        Self::with(catalog, config)
    }

    pub fn with(catalog: Catalog, config: CourtConfig) -> Self {
        Self::at_version(catalog, config, court::DEFINITION_VERSION)
    }

    /// A world whose engine follows definition `version`.
    pub fn at_version(catalog: Catalog, config: CourtConfig, version: u32) -> Self {
        let definition = court::standard_definition_version(&config, version).unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let engine = Engine::new(definition)
            .with_clock(clock.clone())
            .with_ids(Arc::new(SeededIds::new(42)));
        World {
            catalog,
            config,
            engine,
            clock,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.config.local_date(self.now())
    }

    pub fn days(&self, n: i64) {
        self.clock.advance(TimeDelta::days(n));
    }

    pub fn open(&self, code: &str) -> (Std, Vec<AuditRecord>) {
        let entry = self.catalog.standard(code).unwrap();
        let (s, r) = court::create_standard(&self.engine, &self.config, entry, self.office()).unwrap();
        (s, vec![r])
    }

    pub fn office(&self) -> Actor {
        self.config.office_staff("wang.bangong", "王办公")
    }

    /// Staff of 立案庭, the department of ADJ-01-08.
    pub fn filing(&self) -> Actor {
        self.config.department_staff("立案庭", "li.lian", "李立案").unwrap()
    }

    pub fn enforcement(&self) -> Actor {
        self.config
            .department_staff("执行局", "zhao.zhixing", "赵执行")
            .unwrap()
    }

    pub fn head(&self) -> Actor {
        self.config.leading_group_member("陈伟").unwrap()
    }

    pub fn court(&self) -> Actor {
        self.config.intermediate_court_staff("sun.zhongyuan", "孙中院")
    }

    /// Attempts an action and appends the record to `log`.
    pub fn act(
        &self,
        s: &mut Std,
        log: &mut Vec<AuditRecord>,
        who: &Actor,
        role: &str,
        action: StandardAction,
    ) -> AuditRecord {
        let r = self.engine.apply(s, Command::new(who.clone(), role, action)).unwrap();
        log.push(r.clone());
        r
    }

    /// Like `act`, with the catalog-wide checks against `ledger`.
    pub fn act_checked(
        &self,
        s: &mut Std,
        log: &mut Vec<AuditRecord>,
        ledger: &Ledger,
        who: &Actor,
        role: &str,
        action: StandardAction,
    ) -> AuditRecord {
        let external = court::external_checks(
            &self.catalog,
            ledger,
            &s.data().code,
            s.definition().version,
            self.today(),
            &action,
        );
        let r = self
            .engine
            .apply_with(s, Command::new(who.clone(), role, action), external)
            .unwrap();
        log.push(r.clone());
        r
    }

    /// Drives a fresh standard to consultation with a good draft.
    pub fn to_consultation(&self, code: &str) -> (Std, Vec<AuditRecord>) {
        let (mut s, mut log) = self.open(code);
        let dept = self.staff_of(code);
        accepted(&self.act(
            &mut s,
            &mut log,
            &dept,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: None },
        ));
        accepted(&self.act(&mut s, &mut log, &dept, roles::DEPARTMENT, open_consultation()));
        (s, log)
    }

    /// Records and answers one opinion from each group.
    pub fn consult(&self, s: &mut Std, log: &mut Vec<AuditRecord>) {
        let dept = self.staff_of(&s.data().code);
        let base = s.data().current_consultation().unwrap().opinions.len() as u32;
        for (i, source) in [OpinionSource::Frontline, OpinionSource::Administrative]
            .into_iter()
            .enumerate()
        {
            accepted(&self.act(s, log, &dept, roles::DEPARTMENT, opinion(source)));
            accepted(&self.act(
                s,
                log,
                &dept,
                roles::DEPARTMENT,
                StandardAction::RespondToOpinion {
                    opinion: base + i as u32 + 1,
                    response: Response::Adopted { note: None },
                },
            ));
        }
    }

    /// Consultation → approval → approved, ready to publish.
    pub fn to_approved(&self, s: &mut Std, log: &mut Vec<AuditRecord>) {
        let dept = self.staff_of(&s.data().code);
        self.consult(s, log);
        self.days(30);
        accepted(&self.act(s, log, &dept, roles::DEPARTMENT, StandardAction::CloseConsultation));
        self.days(7);
        let meeting = meeting(self.today(), &["陈伟", "厉彦杰", "马振生"]);
        accepted(&self.act(
            s,
            log,
            &self.head(),
            roles::LEADING_GROUP,
            StandardAction::Approve { meeting },
        ));
    }

    pub fn staff_of(&self, code: &str) -> Actor {
        let d = self.catalog.standard(code).unwrap().department.clone();
        match d.map(|d| d.department) {
            Some(id) => self.config.department_staff(&id, "staff", "部门人员").unwrap(),
            None => self.filing(),
        }
    }
}

pub fn good_draft() -> Draft {
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

pub fn open_consultation() -> StandardAction {
    StandardAction::OpenConsultation { draft: good_draft() }
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

pub fn meeting(date: NaiveDate, present: &[&str]) -> MeetingRecord {
    MeetingRecord {
        date,
        present: present.iter().map(|p| (*p).to_owned()).collect(),
        decision: "审议通过".into(),
    }
}

pub fn publish(number: &str, date: NaiveDate) -> StandardAction {
    StandardAction::Publish {
        document_number: number.into(),
        date,
    }
}

pub fn inspection(date: NaiveDate) -> StandardAction {
    StandardAction::RecordInspection {
        inspection: Inspection {
            date,
            inspectors: vec!["王办公".into()],
            summary: "对照标准抽查案件 20 件".into(),
            findings: vec!["公示期限执行不统一".into(), "评价数据未按月统计".into()],
            flags: Vec::new(),
        },
    }
}

/// An evaluation scoring `criteria`, of which those in `unmet` missed their target.
pub fn evaluation_missing(date: NaiveDate, version: u32, criteria: &[u32], unmet: &[u32]) -> StandardAction {
    let mut action = evaluation(date, version, criteria);
    if let StandardAction::RecordEvaluation { evaluation } = &mut action {
        for s in &mut evaluation.scores {
            s.met = !unmet.contains(&s.criterion);
        }
        evaluation.conclusion = "部分评价标准未达到".into();
    }
    action
}

pub fn evaluation(date: NaiveDate, version: u32, criteria: &[u32]) -> StandardAction {
    StandardAction::RecordEvaluation {
        evaluation: Evaluation {
            date,
            version,
            scores: criteria
                .iter()
                .map(|&c| CriterionScore {
                    criterion: c,
                    measured: "99%".into(),
                    met: true,
                })
                .collect(),
            conclusion: "达到评价标准".into(),
        },
    }
}

pub fn acceptance(date: NaiveDate) -> StandardAction {
    StandardAction::Accept {
        acceptance: Acceptance {
            date,
            accepted_by: "长春林区中级法院".into(),
            conclusion: "验收合格，予以固化".into(),
            reference: Some("长林中法〔2025〕3号".into()),
        },
    }
}

/// Asserts the record was accepted and returns the state it leads to.
pub fn accepted(r: &AuditRecord) -> Stage {
    match &r.outcome {
        Outcome::Accepted { to } => Stage::from_name(to).unwrap(),
        other => panic!("expected {} to be accepted, got {other:?}", r.action),
    }
}

/// Asserts the record was refused and returns its reasons.
pub fn refused(r: &AuditRecord) -> &[Reason] {
    match r.refusal() {
        Some(reasons) => reasons,
        None => panic!("expected {} to be refused, got {:?}", r.action, r.outcome),
    }
}

/// The guard names of a refusal.
pub fn guards(r: &AuditRecord) -> Vec<&str> {
    refused(r).iter().filter_map(|x| x.guard.as_deref()).collect()
}
