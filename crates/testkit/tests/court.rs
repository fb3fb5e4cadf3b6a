//! Dogfooding: the court's own lifecycle (`regula-standards`) tested with the kit —
//! the explorer's report, and generated scripts checked against the built-in
//! invariants and the court's own.

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;
use regula_core::{Actor, Definition, Instance};
use regula_standards::catalog::Catalog;
use regula_standards::court::{self, CourtConfig};
use regula_standards::data::StandardData;
use regula_standards::lifecycle::{
    Acceptance, Criterion, CriterionScore, Draft, Evaluation, Inspection, MeetingRecord, Opinion, OpinionSource,
    Response, RevisionCause, Source, SourceKind, Stage, StandardAction, StandardLifecycle, roles,
};
use regula_testkit::{
    CheckConfig, Explorer, GuardModel, Harness, Invariant, Property, Report, Scenario, StatePredicate, StepPredicate,
};

const GUIDE: &str = include_str!("../../../docs/property-testing.md");

fn config() -> (Catalog, CourtConfig) {
    let catalog = Catalog::builtin().expect("the built-in catalog loads");
    let config = CourtConfig::from_catalog(&catalog);
    (catalog, config)
}

fn definition(config: &CourtConfig) -> Arc<Definition<StandardLifecycle>> {
    Arc::new(court::standard_definition(config).expect("the court's definition is valid"))
}

/// The explorer's view of the court lifecycle: `approved` is a data guard (the
/// current draft has an approving meeting), modelled as "passes only after an
/// approval, unless a new draft was opened for consultation since".
fn court_report(model: bool) -> Report<Stage> {
    let (_, config) = config();
    // Roles are abstract here: assume the actor belongs to the role claimed.
    let mut explorer = Explorer::new(definition(&config))
        .assume("actor_fits_role", true)
        .property(
            Property::always(StatePredicate::is(Stage::Published))
                .previously(StepPredicate::action("approve"))
                .named("published implies previously approved"),
        )
        .property(
            Property::whenever(StatePredicate::non_terminal())
                .reachable(StatePredicate::is(Stage::Withdrawn))
                .named("withdrawn is reachable from every non-terminal state"),
        );
    if model {
        explorer = explorer.model(
            GuardModel::new("approved")
                .after(StepPredicate::action("approve"))
                .reset_by(StepPredicate::action("open_consultation")),
        );
    }
    explorer.explore().expect("the court lifecycle is small")
}

#[test]
fn the_explorer_report_on_the_court_lifecycle() {
    let report = court_report(true);
    assert!(report.unreachable().is_empty(), "{report}");
    assert!(report.dead_ends().is_empty(), "{report}");
    assert!(report.cannot_terminate().is_empty(), "{report}");
    for name in [
        "published implies previously approved",
        "withdrawn is reachable from every non-terminal state",
    ] {
        assert!(report.property(name).is_some_and(|p| p.holds), "{name}\n{report}");
    }
    assert!(report.is_ok(), "{report}");
    let text = report.to_string();
    assert!(
        GUIDE.contains(&text),
        "docs/property-testing.md must show the court report verbatim:\n{text}"
    );
}

#[test]
fn without_the_guard_model_the_explorer_shows_where_only_the_data_guard_protects() {
    let report = court_report(false);
    let p = report
        .property("published implies previously approved")
        .expect("checked");
    let c = p.counterexample.as_ref().expect("a counter-example");
    let last = c.path.last().expect("a path");
    assert_eq!((last.action.as_str(), last.guarded), ("publish", true), "{report}");
    assert_eq!(last.to, Stage::Published);
}

fn opened(config: &CourtConfig, catalog: &Catalog) -> (StandardData, Actor) {
    let entry = catalog
        .standards()
        .iter()
        .find(|e| e.department.is_some())
        .expect("an entry with a department");
    let mut data = StandardData::from_entry(entry);
    data.opened_at = Some(regula_testkit::scenario::default_start());
    let department = entry
        .department
        .as_ref()
        .map(|d| d.department.clone())
        .unwrap_or_default();
    let staff = config
        .department_staff(&department, "staff", "部门人员")
        .expect("the entry's department is registered");
    (data, staff)
}

fn draft(criteria: usize) -> Draft {
    Draft {
        text: "审判标准（草案）".into(),
        procedural: vec!["收到材料后 3 个工作日内立案".into()],
        quality: vec!["裁定书说理充分".into()],
        criteria: (0..criteria)
            .map(|i| Criterion {
                name: format!("指标{}", i + 1),
                measure: "达标数 / 总数".into(),
                target: "≥ 95%".into(),
            })
            .collect(),
        sources: vec![Source {
            kind: SourceKind::ManagementYearRule,
            title: "加强管理年以来出台的立案工作制度".into(),
        }],
        not_a_copy_of_statute: true,
    }
}

/// Scripts for one standard: an actor per role, payloads that are mostly valid —
/// dated today, numbered for the version in force — and sometimes not.
fn court_scenario() -> (Scenario<StandardLifecycle>, Arc<Definition<StandardLifecycle>>) {
    let (catalog, config) = config();
    let definition = definition(&config);
    let (data, staff) = opened(&config, &catalog);
    let department = data
        .department
        .as_ref()
        .map(|d| d.department.clone())
        .unwrap_or_default();
    let members: Vec<String> = config.leading_group.iter().map(|m| m.name.clone()).collect();
    let head = config.leading_group_member(&members[0]).expect("a member");
    let prefix = config.document_prefix.clone();
    let tz = config.timezone;
    let today = move |now: chrono::DateTime<chrono::Utc>| now.with_timezone(&tz).date_naive();
    let reasons = || proptest::collection::vec(Just("理由".to_owned()), 0..=1);

    let scenario = Scenario::new(definition.clone(), Just(data))
        .actor(config.office_staff("wang.bangong", "王办公"), [roles::OFFICE])
        .actor(staff, [roles::DEPARTMENT])
        .actor(head, [roles::LEADING_GROUP])
        .actor(
            config.intermediate_court_staff("sun.zhongyuan", "孙中院"),
            [roles::INTERMEDIATE_COURT],
        )
        .payload(
            "assign_department",
            prop_oneof![3 => Just(department), 1 => Just("不存在的部门".to_owned())]
                .prop_map(|department| StandardAction::AssignDepartment { department }),
        )
        .payload("start_drafting", Just(StandardAction::StartDrafting { summary: None }))
        .payload(
            "open_consultation",
            prop_oneof![4 => Just(2usize), 1 => Just(0usize)]
                .prop_map(|n| StandardAction::OpenConsultation { draft: draft(n) }),
        )
        .payload(
            "record_opinion",
            prop_oneof![
                Just(OpinionSource::Frontline),
                Just(OpinionSource::Administrative),
                Just(OpinionSource::Other)
            ]
            .prop_map(|source| StandardAction::RecordOpinion {
                opinion: Opinion {
                    author: "张法官".into(),
                    source,
                    content: "建议明确期限".into(),
                },
            }),
        )
        .payload_with("respond_to_opinion", |instance: &Instance<StandardLifecycle>, _| {
            // Answer an opinion still open, mostly; sometimes one that is not.
            let open: Vec<u32> = instance
                .data()
                .current_consultation()
                .map(|c| {
                    c.opinions
                        .iter()
                        .filter(|o| o.response.is_none())
                        .map(|o| o.number)
                        .collect()
                })
                .unwrap_or_default();
            let numbers = if open.is_empty() { vec![1] } else { open };
            prop_oneof![4 => proptest::sample::select(numbers), 1 => 1u32..=9]
                .prop_map(|opinion| StandardAction::RespondToOpinion {
                    opinion,
                    response: Response::Adopted { note: None },
                })
                .boxed()
        })
        .payload(
            "send_back",
            reasons().prop_map(|reasons| StandardAction::SendBack { reasons }),
        )
        .payload(
            "send_back_revision",
            reasons().prop_map(|reasons| StandardAction::SendBackRevision { reasons }),
        )
        .payload_with("approve", move |_, now| {
            let meeting = MeetingRecord {
                date: today(now),
                present: members.clone(),
                decision: "审议通过".into(),
            };
            Just(StandardAction::Approve { meeting }).boxed()
        })
        .payload_with("publish", move |_, now| {
            let date: NaiveDate = today(now);
            let prefix = prefix.clone();
            (1u32..60)
                .prop_map(move |n| StandardAction::Publish {
                    document_number: format!("{prefix}〔{}〕{n}号", chrono::Datelike::year(&date)),
                    date,
                })
                .boxed()
        })
        .payload(
            "report_implementation",
            Just(StandardAction::ReportImplementation {
                period: "上半年".into(),
                summary: "执行良好".into(),
            }),
        )
        .payload_with("record_inspection", move |_, now| {
            Just(StandardAction::RecordInspection {
                inspection: Inspection {
                    date: today(now),
                    inspectors: vec!["王办公".into()],
                    summary: "抽查案件".into(),
                    findings: vec!["期限执行不统一".into()],
                    flags: Vec::new(),
                },
            })
            .boxed()
        })
        .payload_with(
            "record_evaluation",
            move |instance: &Instance<StandardLifecycle>, now| {
                let data = instance.data();
                let version = data.in_force().map_or(1, |v| v.number);
                let criteria = data
                    .in_force()
                    .and_then(|v| data.draft(v.draft))
                    .map_or(0, |d| d.draft.criteria.len()) as u32;
                Just(StandardAction::RecordEvaluation {
                    evaluation: Evaluation {
                        date: today(now),
                        version,
                        scores: (1..=criteria)
                            .map(|criterion| CriterionScore {
                                criterion,
                                measured: "99%".into(),
                                met: true,
                            })
                            .collect(),
                        conclusion: "达到评价标准".into(),
                    },
                })
                .boxed()
            },
        )
        .payload(
            "open_revision",
            Just(StandardAction::OpenRevision {
                cause: RevisionCause::Gap,
                summary: "补充空白".into(),
            }),
        )
        .payload(
            "cancel_revision",
            Just(StandardAction::CancelRevision {
                reason: "无需修订".into(),
            }),
        )
        .payload_with("accept", move |_, now| {
            Just(StandardAction::Accept {
                acceptance: Acceptance {
                    date: today(now),
                    accepted_by: "中级法院".into(),
                    conclusion: "验收合格".into(),
                    reference: None,
                },
            })
            .boxed()
        })
        .payload(
            "withdraw",
            prop_oneof![4 => Just("不再需要".to_owned()), 1 => Just(String::new())]
                .prop_map(|reason| StandardAction::Withdraw { reason }),
        )
        .waits([
            TimeDelta::zero(),
            TimeDelta::zero(),
            TimeDelta::zero(),
            TimeDelta::days(1),
            TimeDelta::days(8),
            TimeDelta::days(31),
        ])
        .tries(12)
        .steps(20..=60);
    (scenario, definition)
}

/// The court's rule, from the log alone: a version is published only when an
/// approving meeting was recorded since the draft was last opened for consultation.
fn published_only_when_approved() -> Invariant<StandardLifecycle> {
    Invariant::new("published only when the current draft is approved", |_, log| {
        let mut approved = false;
        for r in log.iter().filter(|r| !r.is_refused()) {
            match r.action.as_str() {
                "open_consultation" => approved = false,
                "approve" => approved = true,
                "publish" if !approved => return Err(format!("record {} publishes an unapproved draft", r.seq)),
                _ => {}
            }
        }
        Ok(())
    })
}

#[test]
fn generated_court_scripts_keep_every_invariant_and_reach_deep_stages() {
    let (scenario, definition) = court_scenario();
    let harness = Harness::new(definition.clone())
        .with(published_only_when_approved())
        .with(Invariant::<StandardLifecycle>::on_step(
            "a version in force is a published one",
            |v| {
                let data = v.instance.data();
                match (data.in_force(), v.instance.state()) {
                    (None, Stage::Published | Stage::FollowUp | Stage::Consolidated) => {
                        Err(format!("in {} with no version in force", v.instance.state().as_str()))
                    }
                    _ => Ok(()),
                }
            },
        ));
    let summary = harness
        .check(&scenario, &CheckConfig::cases(48))
        .unwrap_or_else(|failure| panic!("{failure}"));
    for stage in ["drafting", "consultation", "approval", "withdrawn", "published"] {
        assert!(summary.states.contains_key(stage), "{stage} never reached:\n{summary}");
    }
}

/// The explorer's model of `approved` ([`court_report`]) is a claim about a data guard;
/// checked against the real guard on generated runs, it holds: the engine never let
/// a publish through where the model says `approved` cannot pass.
#[test]
fn the_approved_guard_model_holds_on_generated_court_runs() {
    let (scenario, definition) = court_scenario();
    let model = GuardModel::new("approved")
        .after(StepPredicate::action("approve"))
        .reset_by(StepPredicate::action("open_consultation"));
    let summary = Harness::new(definition.clone())
        .with(model.checked())
        .check(&scenario, &CheckConfig::cases(48))
        .unwrap_or_else(|failure| panic!("{failure}"));
    // Something to check: publish was accepted on some runs.
    assert!(
        summary.transitions.contains_key("approval --publish--> published"),
        "never published:\n{summary}"
    );
}

/// A model the real guard contradicts (publishing before the intermediate court's
/// acceptance, which comes after it) is caught on generated runs, and the run shrinks
/// to one that ends with the publish it forbids.
#[test]
fn a_guard_model_the_real_guard_contradicts_is_caught() {
    let (scenario, definition) = court_scenario();
    let wrong = GuardModel::new("approved").after(StepPredicate::action("accept"));
    let failure = Harness::new(definition.clone())
        .with(wrong.checked())
        .check(&scenario, &CheckConfig::cases(48))
        .expect_err("the wrong model is contradicted");
    let text = failure.to_string();
    assert!(
        text.contains("guard model: approved passes only after accept")
            && text.contains("the engine accepted publish from approval"),
        "{text}"
    );
    assert_eq!(failure.actions().last(), Some(&"publish"), "{text}");
}
