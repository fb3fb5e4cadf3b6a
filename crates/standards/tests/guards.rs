//! One scenario per rule of the plan: the attempt is refused, with the rule's reason
//! in both languages, and accepted once the rule is met.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use regula_core::{ReasonCode, ReplayOptions};
use regula_standards::court::{CourtConfig, DOCUMENT_NUMBER_UNIQUE};
use regula_standards::lifecycle::{
    Criterion, Draft, OpinionSource, Response, RevisionCause, Stage, StandardAction, roles,
};
use regula_standards::plan::Ledger;

#[test]
fn a_draft_goes_to_consultation_only_with_procedure_quality_and_a_measurable_criterion() {
    let w = World::new();
    let (mut s, mut log) = w.open("ADJ-01-08");
    let dept = w.filing();
    accepted(&w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::StartDrafting {
            summary: Some("调研了近三年的减假暂案件".into()),
        },
    ));

    // Procedure only; the "criterion" has no number, so it is not measurable.
    let thin = Draft {
        text: "草案".into(),
        procedural: vec!["3 日内立案".into()],
        quality: vec![" ".into()],
        criteria: vec![Criterion {
            name: "群众满意".into(),
            measure: "问卷".into(),
            target: "较高".into(),
        }],
        ..Draft::default()
    };
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::OpenConsultation { draft: thin },
    );
    // Version 2 also asks for the draft's sources (see tests/plan_rules.rs).
    assert_eq!(guards(&r), ["draft_complete", "draft_sources"]);
    let msg = &refused(&r)[0].message;
    assert!(msg.zh.contains("缺少工作质量上的要求"), "{}", msg.zh);
    assert!(msg.zh.contains("缺少客观、可衡量的评价标准"), "{}", msg.zh);
    assert!(!msg.zh.contains("程序规范"), "procedure was given: {}", msg.zh);
    assert!(msg.en.contains("no quality requirement") && msg.en.contains("measurable"));
    assert_eq!(s.state(), &Stage::Drafting);
    assert!(s.data().drafts.is_empty(), "a refusal changes no data");

    assert_eq!(
        accepted(&w.act(&mut s, &mut log, &dept, roles::DEPARTMENT, open_consultation())),
        Stage::Consultation
    );
    assert_eq!(s.data().drafts.len(), 1);
    assert_eq!(s.data().consultations[0].draft, 1);
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn consultation_closes_only_with_both_groups_heard_and_every_opinion_answered() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    let dept = w.filing();
    w.days(30);

    // Nobody heard yet.
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    assert_eq!(guards(&r), ["opinions_from_both_groups"]);
    assert!(refused(&r)[0].message.zh.contains("一线审判办案人员和行政综合人员"));

    // Front-line staff heard and answered; administrative staff not yet.
    accepted(&w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        opinion(OpinionSource::Frontline),
    ));
    accepted(&w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::RespondToOpinion {
            opinion: 1,
            response: Response::Adopted {
                note: Some("已写入第三条".into()),
            },
        },
    ));
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    assert_eq!(guards(&r), ["opinions_from_both_groups"]);
    assert!(refused(&r)[0].message.en.contains("administrative staff"));
    assert!(!refused(&r)[0].message.en.contains("front-line"));

    // Administrative staff heard, but not answered.
    accepted(&w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        opinion(OpinionSource::Administrative),
    ));
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    assert_eq!(guards(&r), ["opinions_answered"]);
    assert!(refused(&r)[0].message.zh.contains("第 2 条意见尚未答复"));

    // A rejection needs its reason.
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::RespondToOpinion {
            opinion: 2,
            response: Response::NotAdopted { reason: "".into() },
        },
    );
    assert_eq!(guards(&r), ["response_valid"]);
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::RespondToOpinion {
            opinion: 9,
            response: Response::Adopted { note: None },
        },
    );
    assert!(refused(&r)[0].message.en.contains("no opinion 9"));
    accepted(&w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::RespondToOpinion {
            opinion: 2,
            response: Response::NotAdopted {
                reason: "与上级院规定不一致".into(),
            },
        },
    ));
    // An answered opinion is not answered twice.
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::RespondToOpinion {
            opinion: 2,
            response: Response::Adopted { note: None },
        },
    );
    assert!(refused(&r)[0].message.en.contains("already has a response"));

    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &dept,
            roles::DEPARTMENT,
            StandardAction::CloseConsultation
        )),
        Stage::Approval
    );
    assert!(s.data().consultations[0].closed.is_some());
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn consultation_stays_open_thirty_days_by_default_counted_in_beijing_time() {
    let w = World::new();
    // Opened at 23:30 Beijing time on 2023-03-01 (15:30 UTC).
    w.clock.set(Utc.with_ymd_and_hms(2023, 3, 1, 15, 30, 0).unwrap());
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.consult(&mut s, &mut log);
    let dept = w.filing();

    // 2023-03-30 23:59 Beijing: 29 days.
    w.clock.set(Utc.with_ymd_and_hms(2023, 3, 30, 15, 59, 0).unwrap());
    let r = w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    assert_eq!(guards(&r), ["consultation_period"]);
    let msg = &refused(&r)[0].message;
    assert!(
        msg.zh.contains("不少于 30 天") && msg.zh.contains("2023-03-31 起方可结束"),
        "{}",
        msg.zh
    );
    assert!(msg.en.contains("29 days so far"), "{}", msg.en);

    // 2023-03-31 00:00 Beijing (16:00 UTC the day before): 30 days.
    w.clock.set(Utc.with_ymd_and_hms(2023, 3, 30, 16, 0, 0).unwrap());
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &dept,
            roles::DEPARTMENT,
            StandardAction::CloseConsultation
        )),
        Stage::Approval
    );
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn the_consultation_period_is_configurable() {
    let catalog = regula_standards::Catalog::builtin().unwrap();
    let config = CourtConfig::from_catalog(&catalog).with_min_consultation_days(10);
    let w = World::with(catalog, config);
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.consult(&mut s, &mut log);
    w.days(9);
    let r = w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    assert_eq!(guards(&r), ["consultation_period"]);
    assert!(refused(&r)[0].message.en.contains("at least 10 days"));
    w.days(1);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    ));
}

#[test]
fn approval_needs_a_meeting_record_with_half_the_group_present() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.consult(&mut s, &mut log);
    w.days(30);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    ));
    w.days(5);
    let today = w.today();
    let approve = |m| StandardAction::Approve { meeting: m };

    // Two of five present, one stranger, no decision, and dated tomorrow.
    let mut bad = meeting(today.succ_opt().unwrap(), &["陈伟", "li.yanjie", "路人甲"]);
    bad.decision = " ".into();
    let r = w.act(&mut s, &mut log, &w.head(), roles::LEADING_GROUP, approve(bad));
    assert_eq!(guards(&r), ["meeting_record"]);
    let msg = &refused(&r)[0].message;
    assert!(
        msg.zh
            .contains("出席成员 2 人（领导小组共 5 人），未达到法定人数：出席成员不少于半数"),
        "{}",
        msg.zh
    );
    assert!(msg.zh.contains("路人甲"));
    assert!(msg.zh.contains("缺少会议决定"));
    assert!(msg.en.contains("after today"));
    assert!(s.data().approvals.is_empty());

    // A meeting before the draft was even submitted does not count either.
    let r = w.act(
        &mut s,
        &mut log,
        &w.head(),
        roles::LEADING_GROUP,
        approve(meeting(date(2023, 3, 1), &["陈伟", "厉彦杰", "马振生"])),
    );
    assert!(refused(&r)[0].message.en.contains("before the draft was submitted"));

    // Someone outside the leading group cannot record it at all.
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::LEADING_GROUP,
        approve(meeting(today, &["陈伟", "厉彦杰", "马振生"])),
    );
    assert_eq!(guards(&r), ["actor_fits_role"]);
    assert!(refused(&r)[0].message.zh.contains("不是领导小组成员"));

    // Three of five, by name or id, duplicates counted once.
    let good = meeting(today, &["陈伟", "chen.wei", "厉彦杰", "ma.zhensheng"]);
    assert_eq!(
        accepted(&w.act(&mut s, &mut log, &w.head(), roles::LEADING_GROUP, approve(good))),
        Stage::Approval
    );
    assert_eq!(s.data().approvals.len(), 1);
    assert_eq!(s.data().approvals[0].draft, 1);

    // Approving twice is refused.
    let r = w.act(
        &mut s,
        &mut log,
        &w.head(),
        roles::LEADING_GROUP,
        approve(meeting(today, &["陈伟", "厉彦杰", "马振生"])),
    );
    assert!(refused(&r)[0].message.en.contains("already approved"));
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn publication_needs_approval_a_well_formed_number_and_a_date_not_before_approval() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.consult(&mut s, &mut log);
    w.days(30);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    ));
    w.days(7);
    let office = w.office();

    // Not approved yet.
    let r = w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    );
    assert_eq!(guards(&r), ["approved"]);

    let approved_on = w.today();
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.head(),
        roles::LEADING_GROUP,
        StandardAction::Approve {
            meeting: meeting(approved_on, &["陈伟", "厉彦杰", "马振生"]),
        },
    ));
    w.days(3);

    // Malformed number; year that is not the publication's; date before the approval.
    let r = w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法[2023]15号", w.today()),
    );
    assert_eq!(guards(&r), ["document_number"]);
    assert!(refused(&r)[0].message.zh.contains("红林法〔年份〕序号号"));
    let r = w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法〔2022〕15号", w.today()),
    );
    assert!(refused(&r)[0].message.en.contains("differs from the publication date"));
    let before = approved_on.pred_opt().unwrap();
    let r = w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法〔2023〕15号", before),
    );
    assert_eq!(guards(&r), ["publication_date"]);
    assert!(refused(&r)[0].message.en.contains("before the approval"));
    // Nor a department in the office's place.
    let r = w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        publish("红林法〔2023〕15号", w.today()),
    );
    assert_eq!(refused(&r)[0].code, ReasonCode::RoleNotAllowed);

    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &office,
            roles::OFFICE,
            publish("红林法〔2023〕15号", w.today())
        )),
        Stage::Published
    );
    let v = s.data().in_force().unwrap();
    assert_eq!(
        (v.number, v.document_number.as_str(), v.approved_on),
        (1, "红林法〔2023〕15号", approved_on)
    );
    w.engine
        .definition()
        .replay_with(
            &log,
            ReplayOptions {
                recheck_guards: true,
                ..ReplayOptions::default()
            },
        )
        .unwrap();
}

#[test]
fn document_numbers_are_unique_across_the_catalog() {
    let w = World::new();
    let mut ledger = Ledger::new();

    // One standard published under 红林法〔2023〕15号.
    let (mut a, mut log_a) = w.to_consultation("ADJ-01-08");
    w.to_approved(&mut a, &mut log_a);
    accepted(&w.act_checked(
        &mut a,
        &mut log_a,
        &ledger,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    ));
    ledger.insert_instance(&a);

    // Another standard may not reuse it, nor the plan's own number.
    let (mut b, mut log_b) = w.to_consultation("ADJ-01-09");
    w.to_approved(&mut b, &mut log_b);
    let r = w.act_checked(
        &mut b,
        &mut log_b,
        &ledger,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    );
    let reasons = refused(&r);
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].code, ReasonCode::External);
    assert_eq!(reasons[0].guard.as_deref(), Some(DOCUMENT_NUMBER_UNIQUE));
    assert!(
        reasons[0]
            .message
            .zh
            .contains("已用于标准 ADJ-01-08（减假暂案件审判标准）第 1 版")
    );
    assert_eq!(b.state(), &Stage::Approval);
    let r = w.act_checked(
        &mut b,
        &mut log_b,
        &ledger,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2022〕7号", date(2022, 5, 16)),
    );
    assert!(refused(&r).iter().any(|x| x.message.en.contains("the plan's own")));

    assert_eq!(
        accepted(&w.act_checked(
            &mut b,
            &mut log_b,
            &ledger,
            &w.office(),
            roles::OFFICE,
            publish("红林法〔2023〕16号", w.today())
        )),
        Stage::Published
    );
    // The refusals are in the log and the log still verifies.
    w.engine.definition().verify(&log_b).unwrap();
}

#[test]
fn a_standard_without_department_cannot_leave_research_until_one_is_assigned() {
    let w = World::new();
    let (mut s, mut log) = w.open("ADJ-01-01");
    assert_eq!(s.data().department, None);
    let staff = w.filing();

    let r = w.act(
        &mut s,
        &mut log,
        &staff,
        roles::DEPARTMENT,
        StandardAction::StartDrafting { summary: None },
    );
    assert_eq!(guards(&r), ["actor_fits_role", "department_assigned"]);
    assert!(refused(&r)[1].message.zh.contains("ADJ-01-01 尚未指定责任部门"));
    assert_eq!(s.state(), &Stage::Research);

    // Only the office assigns, and only a known department.
    let r = w.act(
        &mut s,
        &mut log,
        &staff,
        roles::DEPARTMENT,
        StandardAction::AssignDepartment {
            department: "立案庭".into(),
        },
    );
    assert_eq!(refused(&r)[0].code, ReasonCode::RoleNotAllowed);
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        StandardAction::AssignDepartment {
            department: "民事审判庭".into(),
        },
    );
    assert_eq!(guards(&r), ["department_known"]);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        StandardAction::AssignDepartment {
            department: "立案庭".into(),
        },
    ));
    assert_eq!(s.data().department.as_ref().unwrap().department, "case_filing");

    // Another department still may not act for it.
    let r = w.act(
        &mut s,
        &mut log,
        &w.enforcement(),
        roles::DEPARTMENT,
        StandardAction::StartDrafting { summary: None },
    );
    assert_eq!(guards(&r), ["actor_fits_role"]);
    assert!(refused(&r)[0].message.en.contains("not in Case Filing Division"));

    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &staff,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: None }
        )),
        Stage::Drafting
    );
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn consolidation_needs_an_evaluation_against_the_criteria_and_an_acceptance_record() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.to_approved(&mut s, &mut log);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    ));
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::BeginFollowUp,
    ));
    w.days(200);
    let court = w.court();

    // No evaluation yet.
    let r = w.act(
        &mut s,
        &mut log,
        &court,
        roles::INTERMEDIATE_COURT,
        acceptance(w.today()),
    );
    assert_eq!(guards(&r), ["passing_evaluation"]);
    assert!(
        refused(&r)[0]
            .message
            .en
            .contains("no evaluation against its own criteria")
    );

    // An evaluation that skips criterion 2, or scores a criterion that does not exist,
    // or is of a version not in force, is refused.
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        evaluation(w.today(), 1, &[1]),
    );
    assert!(refused(&r)[0].message.zh.contains("未对第 2 项评价标准打分"));
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        evaluation(w.today(), 1, &[1, 2, 3]),
    );
    assert!(refused(&r)[0].message.en.contains("has no criterion 3"));
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        evaluation(w.today(), 2, &[1, 2]),
    );
    assert!(refused(&r)[0].message.en.contains("version 1 is in force"));
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &court,
            roles::INTERMEDIATE_COURT,
            evaluation(w.today(), 1, &[1, 2])
        )),
        Stage::FollowUp
    );

    // An acceptance record without conclusion, dated before the evaluation.
    let mut bad = acceptance(w.today().pred_opt().unwrap());
    if let StandardAction::Accept { acceptance } = &mut bad {
        acceptance.conclusion.clear();
    }
    let r = w.act(&mut s, &mut log, &court, roles::INTERMEDIATE_COURT, bad);
    let msg = &refused(&r)[0].message;
    assert!(
        msg.zh.contains("缺少验收结论") && msg.zh.contains("早于评估日期"),
        "{}",
        msg.zh
    );
    // The office cannot accept in the intermediate court's place.
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::INTERMEDIATE_COURT,
        acceptance(w.today()),
    );
    assert_eq!(guards(&r), ["actor_fits_role"]);

    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &court,
            roles::INTERMEDIATE_COURT,
            acceptance(w.today())
        )),
        Stage::Consolidated
    );
    assert_eq!(s.data().acceptance.as_ref().unwrap().evaluation, 1);
    w.engine
        .definition()
        .replay_with(
            &log,
            ReplayOptions {
                recheck_guards: true,
                ..ReplayOptions::default()
            },
        )
        .unwrap();
}

#[test]
fn send_backs_and_withdrawals_need_reasons_and_go_where_the_table_says() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    let head = w.head();
    let r = w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::SendBack { reasons: vec![] },
    );
    assert_eq!(guards(&r), ["reasons_given"]);
    // Without an open revision, send_back_revision is the wrong action.
    let r = w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::SendBackRevision {
            reasons: vec!["x".into()],
        },
    );
    assert_eq!(guards(&r), ["revision_open"]);
    // A department may not send its own draft back in the leading group's name.
    let r = w.act(
        &mut s,
        &mut log,
        &w.filing(),
        roles::DEPARTMENT,
        StandardAction::SendBack {
            reasons: vec!["x".into()],
        },
    );
    assert_eq!(refused(&r)[0].code, ReasonCode::RoleNotAllowed);
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &head,
            roles::LEADING_GROUP,
            StandardAction::SendBack {
                reasons: vec!["评价标准不够具体".into()],
            }
        )),
        Stage::Drafting
    );
    assert_eq!(s.data().send_backs[0].from, Stage::Consultation);
    assert_eq!(s.data().send_backs[0].draft, Some(1));

    let r = w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::Withdraw { reason: "  ".into() },
    );
    assert_eq!(guards(&r), ["reasons_given"]);
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &head,
            roles::LEADING_GROUP,
            StandardAction::Withdraw {
                reason: "与 ADJ-01-09 合并".into(),
            }
        )),
        Stage::Withdrawn
    );
    assert!(s.data().in_force().is_none());
    let r = w.act(&mut s, &mut log, &w.filing(), roles::DEPARTMENT, open_consultation());
    assert_eq!(refused(&r)[0].code, ReasonCode::NoTransition);
    w.engine.definition().verify(&log).unwrap();
}

#[test]
fn a_revision_cites_only_findings_and_evaluations_that_exist() {
    let w = World::new();
    let (mut s, mut log) = w.to_consultation("ADJ-01-08");
    w.to_approved(&mut s, &mut log);
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    ));
    accepted(&w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        StandardAction::BeginFollowUp,
    ));
    let open = |cause| StandardAction::OpenRevision {
        cause,
        summary: "补充公示期限".into(),
    };
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        open(RevisionCause::Finding {
            inspection: 1,
            finding: 1,
        }),
    );
    assert_eq!(guards(&r), ["revision_cause"]);
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        open(RevisionCause::WeakResults { evaluation: Some(1) }),
    );
    assert!(refused(&r)[0].message.en.contains("evaluation 1 does not exist"));
    accepted(&w.act(&mut s, &mut log, &w.office(), roles::OFFICE, inspection(w.today())));
    let r = w.act(
        &mut s,
        &mut log,
        &w.office(),
        roles::OFFICE,
        open(RevisionCause::Finding {
            inspection: 1,
            finding: 3,
        }),
    );
    assert!(refused(&r)[0].message.zh.contains("第 1 次督导检查第 3 项发现不存在"));
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &w.office(),
            roles::OFFICE,
            open(RevisionCause::Finding {
                inspection: 1,
                finding: 2
            })
        )),
        Stage::Revision
    );
    // Cancelling needs a reason and the leading group.
    let r = w.act(
        &mut s,
        &mut log,
        &w.head(),
        roles::LEADING_GROUP,
        StandardAction::CancelRevision { reason: "".into() },
    );
    assert_eq!(guards(&r), ["reasons_given"]);
    assert_eq!(
        accepted(&w.act(
            &mut s,
            &mut log,
            &w.head(),
            roles::LEADING_GROUP,
            StandardAction::CancelRevision {
                reason: "问题已通过培训解决".into(),
            }
        )),
        Stage::FollowUp
    );
    assert_eq!(s.data().in_force().unwrap().number, 1);
    w.engine.definition().verify(&log).unwrap();
}
