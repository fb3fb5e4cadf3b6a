//! Property tests: random sequences of actions by random people in random roles — some
//! sensible, many not — never publish without an approval record, never consolidate
//! without an acceptance, and never let anyone act in a role they do not hold.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regula_core::{Actor, Command, Outcome, ReplayOptions};
use regula_standards::lifecycle::{Draft, OpinionSource, Response, RevisionCause, Stage, StandardAction, roles};

const ROLES: [&str; 4] = [
    roles::DEPARTMENT,
    roles::OFFICE,
    roles::LEADING_GROUP,
    roles::INTERMEDIATE_COURT,
];

/// People: the right ones and the wrong ones.
fn people(w: &World) -> Vec<Actor> {
    vec![
        w.office(),
        Actor::new("liu.alias").in_unit("办公室"), // the office under its alias
        w.filing(),
        w.enforcement(),
        Actor::new("du.chashi").in_unit("政治部督察室"),
        Actor::new("fa.jing").in_unit("法警队"),
        w.head(),
        w.config.leading_group_member("徐雪峰").unwrap(),
        Actor::new("not.a.member").named("陈伟").in_unit("立案庭"), // right name, wrong id
        w.court(),
        Actor::new("nobody"),
        Actor::new("impostor").in_unit("长春林区中级法院办公室X"),
    ]
}

/// What one step of a random run does.
#[derive(Clone, Debug)]
enum Step {
    /// The sensible next action, by the right person.
    Next { revise: bool },
    /// An arbitrary action by an arbitrary person in an arbitrary role.
    Random {
        template: u8,
        variant: u8,
        actor: usize,
        role: usize,
    },
}

fn step() -> impl Strategy<Value = (Step, i64)> {
    let next = any::<bool>().prop_map(|revise| Step::Next { revise });
    let random =
        (0u8..18, any::<u8>(), 0usize..12, 0usize..4).prop_map(|(template, variant, actor, role)| Step::Random {
            template,
            variant,
            actor,
            role,
        });
    (
        prop_oneof![3 => next, 2 => random],
        prop_oneof![3 => Just(0i64), 1 => 0i64..40],
    )
}

fn bad_draft() -> Draft {
    Draft {
        text: "草案".into(),
        procedural: vec![],
        quality: vec!["质量".into()],
        criteria: vec![],
        ..Draft::default()
    }
}

fn template(w: &World, t: u8, v: u8) -> StandardAction {
    let today = w.today();
    let back = |d: u8| today - chrono::Days::new(u64::from(d % 5));
    match t {
        0 => StandardAction::AssignDepartment {
            department: ["立案庭", "执行局", "不存在的庭"][usize::from(v % 3)].into(),
        },
        1 => StandardAction::StartDrafting { summary: None },
        2 => StandardAction::OpenConsultation {
            draft: if v.is_multiple_of(2) { good_draft() } else { bad_draft() },
        },
        3 => opinion(
            [
                OpinionSource::Frontline,
                OpinionSource::Administrative,
                OpinionSource::Other,
            ][usize::from(v % 3)],
        ),
        4 => StandardAction::RespondToOpinion {
            opinion: u32::from(v % 4) + 1,
            response: if v.is_multiple_of(3) {
                Response::NotAdopted { reason: String::new() }
            } else {
                Response::Adopted { note: None }
            },
        },
        5 => StandardAction::CloseConsultation,
        6 => StandardAction::SendBack {
            reasons: if v.is_multiple_of(2) {
                vec![]
            } else {
                vec!["理由".into()]
            },
        },
        7 => StandardAction::SendBackRevision {
            reasons: vec!["理由".into()],
        },
        8 => {
            let members = ["陈伟", "厉彦杰", "马振生", "张丽杰", "徐雪峰"];
            let k = usize::from(v % 6);
            StandardAction::Approve {
                meeting: meeting(back(v), &members[..k]),
            }
        }
        9 => publish(
            &if v.is_multiple_of(4) {
                format!("红林法[{}]{}号", today.format("%Y"), v % 3 + 1)
            } else {
                format!("红林法〔{}〕{}号", today.format("%Y"), v % 3 + 1)
            },
            back(v),
        ),
        10 => StandardAction::BeginFollowUp,
        11 => StandardAction::ReportImplementation {
            period: "本季度".into(),
            summary: if v.is_multiple_of(2) {
                "执行良好".into()
            } else {
                String::new()
            },
        },
        12 => inspection(back(v)),
        13 => evaluation(
            back(v),
            u32::from(v % 3) + 1,
            if v.is_multiple_of(2) { &[1, 2] } else { &[1] },
        ),
        14 => StandardAction::OpenRevision {
            cause: if v.is_multiple_of(2) {
                RevisionCause::Gap
            } else {
                RevisionCause::Finding {
                    inspection: 1,
                    finding: 1,
                }
            },
            summary: "修订".into(),
        },
        15 => StandardAction::CancelRevision {
            reason: "不再需要".into(),
        },
        16 => acceptance(back(v)),
        _ => StandardAction::Withdraw {
            reason: if v.is_multiple_of(2) {
                String::new()
            } else {
                "合并".into()
            },
        },
    }
}

/// The sensible next action for the standard, with who does it in which role.
fn next(w: &World, s: &Std, revise: bool) -> (Actor, &'static str, StandardAction) {
    let d = s.data();
    let dept = w.filing();
    match s.state() {
        Stage::Research if d.department.is_none() => (
            w.office(),
            roles::OFFICE,
            StandardAction::AssignDepartment {
                department: "立案庭".into(),
            },
        ),
        Stage::Research => (dept, roles::DEPARTMENT, StandardAction::StartDrafting { summary: None }),
        Stage::Drafting | Stage::Revision => (dept, roles::DEPARTMENT, open_consultation()),
        Stage::Consultation => {
            let c = d.current_consultation().unwrap();
            let heard = |src| c.opinions.iter().any(|o| o.opinion.source == src);
            if let Some(o) = c.opinions.iter().find(|o| o.response.is_none()) {
                let response = Response::Adopted { note: None };
                (
                    dept,
                    roles::DEPARTMENT,
                    StandardAction::RespondToOpinion {
                        opinion: o.number,
                        response,
                    },
                )
            } else if !heard(OpinionSource::Frontline) {
                (dept, roles::DEPARTMENT, opinion(OpinionSource::Frontline))
            } else if !heard(OpinionSource::Administrative) {
                (dept, roles::DEPARTMENT, opinion(OpinionSource::Administrative))
            } else {
                let ready = c.opened.at + chrono::TimeDelta::days(31);
                if w.now() < ready {
                    w.clock.set(ready);
                }
                (dept, roles::DEPARTMENT, StandardAction::CloseConsultation)
            }
        }
        Stage::Approval if d.approval_of_current_draft().is_none() => (
            w.head(),
            roles::LEADING_GROUP,
            StandardAction::Approve {
                meeting: meeting(w.today(), &["陈伟", "厉彦杰", "马振生"]),
            },
        ),
        Stage::Approval => {
            let n = 100 + d.versions.len();
            (
                w.office(),
                roles::OFFICE,
                publish(&format!("红林法〔{}〕{n}号", w.today().format("%Y")), w.today()),
            )
        }
        Stage::Published => (w.office(), roles::OFFICE, StandardAction::BeginFollowUp),
        Stage::FollowUp if revise => (
            w.office(),
            roles::OFFICE,
            StandardAction::OpenRevision {
                cause: RevisionCause::Gap,
                summary: "补充".into(),
            },
        ),
        Stage::FollowUp if d.evaluation_of_version_in_force().is_none() => {
            let v = d.in_force().unwrap().number;
            (w.court(), roles::INTERMEDIATE_COURT, evaluation(w.today(), v, &[1, 2]))
        }
        Stage::FollowUp => (w.court(), roles::INTERMEDIATE_COURT, acceptance(w.today())),
        Stage::Consolidated | Stage::Withdrawn => (w.office(), roles::OFFICE, inspection(w.today())),
    }
}

static RUNS_CONSOLIDATED: AtomicUsize = AtomicUsize::new(0);
static RUNS_REVISED: AtomicUsize = AtomicUsize::new(0);
static ROLE_REFUSALS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn no_run_publishes_without_approval_consolidates_without_acceptance_or_breaks_permissions() {
    let strategy = (any::<bool>(), proptest::collection::vec(step(), 1..80));
    let mut runner = TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(unassigned, steps)| {
            let w = World::new();
            let everyone = people(&w);
            let (mut s, mut log) = w.open(if unassigned { "ADJ-01-01" } else { "ADJ-01-08" });
            for (step, days) in steps {
                w.days(days);
                let (actor, role, action) = match step {
                    Step::Next { revise } => next(&w, &s, revise),
                    Step::Random {
                        template: t,
                        variant,
                        actor,
                        role,
                    } => (everyone[actor].clone(), ROLES[role], template(&w, t, variant)),
                };
                let before = s.data().clone();
                let state_before = *s.state();
                let r = w
                    .engine
                    .apply(&mut s, Command::new(actor.clone(), role, action))
                    .unwrap();
                log.push(r.clone());

                match &r.outcome {
                    Outcome::Accepted { to } => {
                        // Permissions: the role is allowed by the table and the actor holds it.
                        let t = w.engine.definition().transition(&state_before, &r.action).unwrap();
                        prop_assert!(t.roles.iter().any(|x| x == role));
                        prop_assert!(
                            w.config.actor_fits_role(&actor, role, &before).is_ok(),
                            "{} acted as {role} on {}",
                            actor.id,
                            r.action
                        );
                        match role {
                            roles::DEPARTMENT => {
                                let unit = actor.unit.as_deref().unwrap_or_default();
                                let dept = w.config.departments.resolve(unit).unwrap();
                                prop_assert_eq!(Some(dept.department), before.department.map(|d| d.department));
                            }
                            roles::OFFICE => {
                                let unit = actor.unit.as_deref().unwrap_or_default();
                                prop_assert_eq!(
                                    w.config.departments.resolve(unit).unwrap().department,
                                    "general_office"
                                );
                            }
                            roles::LEADING_GROUP => {
                                prop_assert!(w.config.leading_group.iter().any(|m| m.id == actor.id));
                            }
                            _ => prop_assert_eq!(actor.unit.as_deref(), Some("长春林区中级法院")),
                        }
                        prop_assert_eq!(to.as_str(), s.state().as_str());
                    }
                    Outcome::Refused { reasons } => {
                        prop_assert!(!reasons.is_empty());
                        prop_assert_eq!(&before, s.data(), "a refusal changed the data");
                        prop_assert_eq!(&state_before, s.state());
                        if reasons.iter().any(|x| x.guard.as_deref() == Some("actor_fits_role")) {
                            ROLE_REFUSALS.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Outcome::Created => prop_assert!(false, "apply never creates"),
                }

                // No version without an approving meeting of its own draft, held before
                // publication and recorded before it.
                let d = s.data();
                for v in &d.versions {
                    let approval = d.approvals.iter().find(|a| a.draft == v.draft);
                    prop_assert!(approval.is_some(), "version {} has no approval", v.number);
                    let a = approval.unwrap();
                    prop_assert!(a.meeting.date <= v.published_on);
                    prop_assert!(a.stamp.seq < v.stamp.seq);
                    let present = a
                        .meeting
                        .present
                        .iter()
                        .filter_map(|p| regula_standards::rules::member_named(&w.config.leading_group, p))
                        .map(|m| m.id.as_str())
                        .collect::<std::collections::BTreeSet<_>>();
                    prop_assert!(present.len() * 2 >= w.config.leading_group.len());
                }
                // No consolidation without acceptance and an evaluation of the version in force.
                if *s.state() == Stage::Consolidated {
                    prop_assert!(d.acceptance.is_some());
                    prop_assert!(d.evaluation_of_version_in_force().is_some());
                }
                prop_assert_eq!(d.stage, *s.state());
                prop_assert!(d.department.is_some() || matches!(s.state(), Stage::Research | Stage::Withdrawn));
            }
            if *s.state() == Stage::Consolidated {
                RUNS_CONSOLIDATED.fetch_add(1, Ordering::Relaxed);
            }
            if s.data().versions.len() > 1 {
                RUNS_REVISED.fetch_add(1, Ordering::Relaxed);
            }
            // The log alone rebuilds the standard, guards re-checked.
            let replayed = w
                .engine
                .definition()
                .replay_with(
                    &log,
                    ReplayOptions {
                        recheck_guards: true,
                        ..ReplayOptions::default()
                    },
                )
                .unwrap();
            prop_assert_eq!(replayed.data(), s.data());
            Ok(())
        })
        .unwrap();
    // The runs went deep enough to mean something.
    assert!(
        RUNS_CONSOLIDATED.load(Ordering::Relaxed) > 0,
        "no run reached consolidation"
    );
    assert!(
        RUNS_REVISED.load(Ordering::Relaxed) > 0,
        "no run published a second version"
    );
    assert!(ROLE_REFUSALS.load(Ordering::Relaxed) > 0, "no run tried a wrong actor");
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    /// For every role and every kind of actor, `actor_fits_role` agrees with a model of
    /// the plan's division of work written out by hand.
    #[test]
    fn permissions_hold_for_every_role(actor in 0usize..12, role in 0usize..4, dept in 0usize..3) {
        let w = World::new();
        let a = &people(&w)[actor];
        let role = ROLES[role];
        let code = ["ADJ-01-08", "ADJ-07-01", "ADJ-01-01"][dept];
        let data = regula_standards::StandardData::from_entry(w.catalog.standard(code).unwrap());
        let unit = a.unit.as_deref().unwrap_or("");
        let expected = match role {
            roles::DEPARTMENT => match code {
                "ADJ-01-08" => unit == "立案庭",
                "ADJ-07-01" => unit == "执行局",
                _ => false, // unassigned: nobody acts as its department
            },
            roles::OFFICE => unit == "综合办公室" || unit == "办公室",
            roles::LEADING_GROUP => ["chen.wei", "li.yanjie", "ma.zhensheng", "zhang.lijie", "xu.xuefeng"].contains(&a.id.as_str()),
            _ => unit == "长春林区中级法院" || unit == "长春林区中级法院办公室",
        };
        let verdict = w.config.actor_fits_role(a, role, &data);
        prop_assert_eq!(verdict.is_ok(), expected, "{} as {} on {}", a.id, role, code);
        if let Err(why) = verdict {
            prop_assert!(!why.is_incomplete());
        }
    }
}
