//! One standard from research to consolidated through one revision: every audit
//! record is checked, and the log alone rebuilds and verifies the standard.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use regula_core::{Digest, Outcome, ReplayOptions};
use regula_standards::data::RevisionEnd;
use regula_standards::lifecycle::{Draft, RevisionCause, Stage, StandardAction, roles};

#[test]
fn research_to_consolidated_through_one_revision() {
    let w = World::new();
    let office = w.office();
    let dept = w.filing();
    let head = w.head();
    let court = w.court();
    let (mut s, mut log) = w.open("ADJ-01-08");
    assert_eq!(s.data().opened_at, Some(start()));

    // Version 1.
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::StartDrafting {
            summary: Some("调研近三年减假暂案件 126 件".into()),
        },
    );
    w.days(20);
    w.act(&mut s, &mut log, &dept, roles::DEPARTMENT, open_consultation());
    w.consult(&mut s, &mut log); // 4 records
    w.days(30);
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    w.days(7);
    w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::Approve {
            meeting: meeting(w.today(), &["陈伟", "厉彦杰", "马振生", "张丽杰"]),
        },
    );
    w.days(2);
    w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法〔2023〕15号", w.today()),
    );
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::BeginFollowUp,
    );
    w.days(90);
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::ReportImplementation {
            period: "2023年第二季度".into(),
            summary: "按标准办理案件 31 件".into(),
        },
    );
    w.act(&mut s, &mut log, &office, roles::OFFICE, inspection(w.today()));

    // The revision, opened on the inspection's second finding.
    w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        StandardAction::OpenRevision {
            cause: RevisionCause::Finding {
                inspection: 1,
                finding: 2,
            },
            summary: "增加评价数据按月统计的要求".into(),
        },
    );
    w.days(10);
    let mut revised = good_draft();
    revised.procedural.push("评价数据每月 5 日前统计上报".into());
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::OpenConsultation { draft: revised.clone() },
    );
    w.consult(&mut s, &mut log);
    w.days(30);
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    w.days(3);
    w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::SendBackRevision {
            reasons: vec!["统计口径需与审判管理办公室一致".into()],
        },
    );
    w.days(5);
    let mut revised_again: Draft = revised;
    revised_again.text.push_str("（第二稿）");
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::OpenConsultation { draft: revised_again },
    );
    w.consult(&mut s, &mut log);
    w.days(30);
    w.act(
        &mut s,
        &mut log,
        &dept,
        roles::DEPARTMENT,
        StandardAction::CloseConsultation,
    );
    w.days(4);
    w.act(
        &mut s,
        &mut log,
        &head,
        roles::LEADING_GROUP,
        StandardAction::Approve {
            meeting: meeting(w.today(), &["陈伟", "徐雪峰", "马振生"]),
        },
    );
    w.act(
        &mut s,
        &mut log,
        &office,
        roles::OFFICE,
        publish("红林法〔2023〕31号", w.today()),
    );
    w.act(&mut s, &mut log, &office, roles::OFFICE, StandardAction::BeginFollowUp);

    // Evaluation and acceptance.
    w.days(180);
    w.act(
        &mut s,
        &mut log,
        &court,
        roles::INTERMEDIATE_COURT,
        evaluation(w.today(), 2, &[1, 2]),
    );
    w.days(1);
    w.act(
        &mut s,
        &mut log,
        &court,
        roles::INTERMEDIATE_COURT,
        acceptance(w.today()),
    );
    w.act(&mut s, &mut log, &office, roles::OFFICE, inspection(w.today()));

    // Every record: who, in which role, what, from which stage, to which ("-": the
    // record that created the standard).
    let expected = [
        "wang.bangong  office             create                research     -",
        "li.lian       department         start_drafting        research     drafting",
        "li.lian       department         open_consultation     drafting     consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "li.lian       department         close_consultation    consultation approval",
        "chen.wei      leading_group      approve               approval     approval",
        "wang.bangong  office             publish               approval     published",
        "li.lian       department         begin_follow_up       published    follow_up",
        "li.lian       department         report_implementation follow_up    follow_up",
        "wang.bangong  office             record_inspection     follow_up    follow_up",
        "wang.bangong  office             open_revision         follow_up    revision",
        "li.lian       department         open_consultation     revision     consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "li.lian       department         close_consultation    consultation approval",
        "chen.wei      leading_group      send_back_revision    approval     revision",
        "li.lian       department         open_consultation     revision     consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "staff         department         record_opinion        consultation consultation",
        "staff         department         respond_to_opinion    consultation consultation",
        "li.lian       department         close_consultation    consultation approval",
        "chen.wei      leading_group      approve               approval     approval",
        "wang.bangong  office             publish               approval     published",
        "wang.bangong  office             begin_follow_up       published    follow_up",
        "sun.zhongyuan intermediate_court record_evaluation     follow_up    follow_up",
        "sun.zhongyuan intermediate_court accept                follow_up    consolidated",
        "wang.bangong  office             record_inspection     consolidated consolidated",
    ];
    assert_eq!(log.len(), expected.len());
    let mut prev = Digest::ZERO;
    let mut prev_at = log[0].at;
    for (i, (r, row)) in log.iter().zip(expected).enumerate() {
        let [actor, role, action, from, to] = row.split_whitespace().collect::<Vec<_>>()[..] else {
            panic!("row {row:?} is not: actor role action from to");
        };
        let at = format!("record {}: {}", i + 1, r.action);
        assert_eq!(r.seq, i as u64 + 1, "{at}");
        assert_eq!(r.instance, s.id(), "{at}");
        assert_eq!(r.definition.name, "court-standard", "{at}");
        assert_eq!(r.actor.id, actor, "{at}");
        assert_eq!(r.role, role, "{at}");
        assert_eq!(r.action, action, "{at}");
        assert_eq!(r.from, from, "{at}");
        let outcome = match to {
            "-" => Outcome::Created,
            to => Outcome::Accepted { to: to.into() },
        };
        assert_eq!(r.outcome, outcome, "{at}");
        assert_eq!(r.prev_hash, prev, "{at}");
        assert_eq!(r.hash, r.compute_hash(), "{at}");
        assert!(r.at >= prev_at, "{at}");
        prev = r.hash;
        prev_at = r.at;
    }
    // Actors carry their department; the payload of the publish records is the number.
    assert_eq!(log[1].actor.unit.as_deref(), Some("立案庭"));
    assert_eq!(log[9].payload.to_value()["document_number"], "红林法〔2023〕15号");
    assert_eq!(log[28].payload.to_value()["document_number"], "红林法〔2023〕31号");
    assert_eq!(log[13].payload.to_value()["cause"]["kind"], "finding");

    // State and data.
    assert_eq!(s.state(), &Stage::Consolidated);
    let d = s.data();
    assert_eq!(d.stage, Stage::Consolidated);
    assert_eq!(d.versions.len(), 2);
    assert_eq!(d.in_force().unwrap().number, 2);
    assert_eq!(d.in_force().unwrap().revision, Some(1));
    assert_eq!(d.versions[0].document_number, "红林法〔2023〕15号");
    assert_eq!(d.versions[0].draft, 1);
    assert_eq!(d.versions[1].draft, 3, "draft 2 was sent back, draft 3 published");
    assert_eq!(
        d.drafts.iter().map(|x| x.revision).collect::<Vec<_>>(),
        [None, Some(1), Some(1)]
    );
    assert_eq!(d.consultations.len(), 3);
    assert!(d.consultations.iter().all(|c| c.closed.is_some()));
    assert_eq!(d.approvals.iter().map(|a| a.draft).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(d.revisions.len(), 1);
    assert_eq!(d.revisions[0].of_version, 1);
    assert_eq!(
        d.revisions[0].cause,
        RevisionCause::Finding {
            inspection: 1,
            finding: 2
        }
    );
    assert_eq!(d.revisions[0].end, Some(RevisionEnd::Published { version: 2 }));
    assert_eq!(d.send_backs.len(), 1);
    assert_eq!(d.inspections.len(), 2);
    assert_eq!(d.inspections[1].stage, Stage::Consolidated);
    assert_eq!(d.evaluations[0].evaluation.version, 2);
    assert_eq!(d.acceptance.as_ref().unwrap().evaluation, 1);
    assert_eq!(d.reports.len(), 1);
    assert_eq!(d.research.as_deref(), Some("调研近三年减假暂案件 126 件"));
    let path: Vec<Stage> = d.history.iter().map(|c| c.to).collect();
    assert_eq!(
        path,
        [
            Stage::Drafting,
            Stage::Consultation,
            Stage::Approval,
            Stage::Published,
            Stage::FollowUp,
            Stage::Revision,
            Stage::Consultation,
            Stage::Approval,
            Stage::Revision,
            Stage::Consultation,
            Stage::Approval,
            Stage::Published,
            Stage::FollowUp,
            Stage::Consolidated,
        ]
    );
    // While the revision ran, version 1 stayed in force.
    let during = d.revisions[0].opened.at;
    assert_eq!(d.stage_at(during), Some(Stage::Revision));
    assert_eq!(d.versions.iter().filter(|v| v.stamp.at <= during).count(), 1);

    // The log alone rebuilds the same standard, and its guards hold on re-check.
    let def = w.engine.definition();
    def.verify(&log).unwrap();
    let replayed = def
        .replay_with(
            &log,
            ReplayOptions {
                recheck_guards: true,
                ..ReplayOptions::default()
            },
        )
        .unwrap();
    assert_eq!(replayed.state(), s.state());
    assert_eq!(replayed.data(), s.data());
    assert_eq!(replayed.last_hash(), s.last_hash());

    // Tampering with any record breaks verification.
    let mut tampered = log.clone();
    let mut payload = tampered[9].payload.to_value();
    payload["document_number"] = "红林法〔2023〕99号".into();
    tampered[9].payload = payload.into();
    assert!(def.verify(&tampered).is_err());
}
