//! The national-standard (GB) procedure (国家标准制修订程序), typed, with the derives:
//! preliminary → proposal → drafting → enquiry (at least 60 days) → review (a vote:
//! two thirds of the committee voting, three quarters in favour) → approval →
//! publication → in force → systematic review within 5 years (a deadline) → confirm,
//! revise or withdraw.
//!
//! The Rust twin of `examples/gb_standard.toml`: the same names, labels, rows, roles,
//! built-in guards and deadline, so both write the same records with the same hashes
//! (`crates/derive/tests/gb_equivalence.rs` checks it).
//!
//! Run: `cargo run --example gb_standard`

// A state's, action's or role's documentation is its pair of labels in `#[regula(zh,
// en)]`, which the derive turns into the definition's labels: a doc comment would say
// it twice.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use regula::builtin::{self, Ballots, Fraction};
use regula::{
    Action, Actor, CalendarSpan, Command, Deadline, Definition, DefinitionError, EffectInput, Engine, Field,
    FieldSchema, FieldType, Labelled, Lang, Lifecycle, ManualClock, Role, Row, SeededIds, State, Text,
};
use serde::{Deserialize, Serialize};

/// The stages of a national standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, State)]
pub enum Stage {
    #[regula(zh = "预阶段", en = "Preliminary")]
    Preliminary,
    #[regula(zh = "立项", en = "Proposal")]
    Proposal,
    #[regula(zh = "起草", en = "Drafting")]
    Drafting,
    #[regula(zh = "征求意见", en = "Enquiry")]
    Enquiry,
    #[regula(zh = "技术审查", en = "Review")]
    Review,
    #[regula(zh = "批准", en = "Approval")]
    Approval,
    #[regula(zh = "出版", en = "Publication")]
    Publication,
    #[regula(zh = "实施", en = "In force")]
    InForce,
    #[regula(zh = "复审", en = "Systematic review")]
    SystematicReview,
    #[regula(zh = "废止", en = "Withdrawn")]
    Withdrawn,
    #[regula(zh = "终止", en = "Cancelled")]
    Cancelled,
}

/// What kind of standard is proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardKind {
    /// 基础标准.
    Basic,
    /// 方法标准.
    Method,
    /// 产品标准.
    Product,
    /// 管理标准.
    Management,
}

/// The actions with their payloads; `StepKind` is generated from it.
#[derive(Clone, Debug, Serialize, Deserialize, Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Step {
    #[regula(zh = "提出项目建议", en = "Propose")]
    Propose { kind: StandardKind },
    #[regula(zh = "下达计划", en = "Accept the project")]
    AcceptProject,
    #[regula(zh = "提交征求意见稿", en = "Submit the draft")]
    SubmitDraft { draft_version: String },
    #[regula(zh = "结束征求意见", en = "Close the enquiry")]
    CloseEnquiry,
    #[regula(zh = "投票", en = "Cast a vote")]
    CastVote {
        in_favour: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    #[regula(zh = "审查通过", en = "Pass the review")]
    PassReview,
    #[regula(zh = "批准发布", en = "Approve")]
    Approve { approval_number: String },
    #[regula(zh = "出版", en = "Publish")]
    Publish {
        standard_number: String,
        publication_date: NaiveDate,
    },
    #[regula(zh = "启动复审", en = "Start the systematic review")]
    StartReview,
    #[regula(zh = "确认继续有效", en = "Confirm")]
    Confirm,
    #[regula(zh = "修订", en = "Revise")]
    Revise { reason: String },
    #[regula(zh = "废止", en = "Withdraw")]
    Withdraw { reason: String },
    #[regula(zh = "终止项目", en = "Cancel the project")]
    Cancel { reason: String },
}

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Role)]
pub enum Party {
    #[regula(zh = "标委会秘书处", en = "Committee secretariat")]
    Secretariat,
    #[regula(zh = "标委会委员", en = "Committee member")]
    Member,
    #[regula(zh = "国家标准化管理委员会", en = "Standardization Administration")]
    Administration,
}

/// A project's data: what it is created with, then what the effects record. Empty
/// fields are left out, so the creation record's payload is the creation data alone.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Project {
    /// The standard's title.
    pub title: String,
    /// How many members the committee has: the vote's electorate.
    pub committee_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<StandardKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accepted_on: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    drafts: Vec<String>,
    /// Each member's latest vote: one voice each.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ballots: BTreeMap<String, bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    comments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approval_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    standard_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    confirmed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    revisions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    withdrawn_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_reason: Option<String>,
}

impl Project {
    /// A new project's data: its title and the committee's size.
    pub fn new(title: impl Into<String>, committee_size: u64) -> Self {
        Project {
            title: title.into(),
            committee_size,
            ..Project::default()
        }
    }
}

/// The GB procedure's lifecycle.
pub struct GbStandard;

impl Lifecycle for GbStandard {
    type State = Stage;
    type Action = Step;
    type Data = Project;
}

/// Beijing time: durations are counted on its calendar (the twin's `time_zone`).
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(zone) => zone,
    None => panic!("+08:00 is a valid offset"),
};

/// The record's date in Beijing, as the TOML twin's `meta = "date"` writes it.
fn date(input: &EffectInput<'_, GbStandard>) -> String {
    input.at.with_timezone(&BEIJING).format("%Y-%m-%d").to_string()
}

/// A text field of at most `max` characters (and at least `min`).
fn text(name: &str, min: Option<usize>, max: Option<usize>, required: bool) -> Field {
    Field {
        name: name.into(),
        kind: FieldType::Text {
            min_length: min,
            max_length: max,
        },
        required,
    }
}

/// What the twin's `[payloads.<action>]` tables say beyond the payload types: the
/// limits of texts, checked by the same guard so a refusal reads the same.
fn schema(kind: StepKind) -> Option<FieldSchema> {
    let fields = match kind {
        StepKind::Propose => vec![Field {
            name: "kind".into(),
            kind: FieldType::Enumeration(["basic", "method", "product", "management"].map(String::from).to_vec()),
            required: true,
        }],
        StepKind::SubmitDraft => vec![text("draft_version", None, Some(20), true)],
        StepKind::CastVote => vec![
            Field {
                name: "in_favour".into(),
                kind: FieldType::Bool,
                required: true,
            },
            text("comment", None, Some(500), false),
        ],
        StepKind::Approve => vec![text("approval_number", None, Some(40), true)],
        StepKind::Publish => vec![
            text("standard_number", None, Some(40), true),
            Field {
                name: "publication_date".into(),
                kind: FieldType::Date,
                required: true,
            },
        ],
        StepKind::Revise | StepKind::Withdraw | StepKind::Cancel => vec![text("reason", Some(1), None, true)],
        _ => return None,
    };
    Some(FieldSchema::new(fields))
}

/// A row's first guard, as in the twin: its action's payload schema, if it has one.
fn checked(kind: StepKind) -> impl FnOnce(Row<GbStandard>) -> Row<GbStandard> {
    move |r| match schema(kind) {
        Some(s) => r.named_guard(builtin::payload_schema(Labelled::key(&kind), s)),
        None => r,
    }
}

/// The procedure, mirroring `examples/gb_standard.toml` row for row.
pub fn definition() -> Result<Definition<GbStandard>, DefinitionError> {
    use Party::{Administration, Member, Secretariat};
    use Stage::*;
    let zone = BEIJING;
    let sixty_days = CalendarSpan::new(0, 0, 60, 0);
    let five_years = CalendarSpan::new(5, 0, 0, 0);
    let mut b = Definition::<GbStandard>::builder("gb-standard", 1)
        .states()
        .actions()
        .roles::<Party>()
        .initial(Preliminary)
        .terminal(Withdrawn)
        .terminal(Cancelled)
        .creators([Secretariat])
        .creation_check(|p: &Project| {
            let creation = FieldSchema::new(vec![
                text("title", Some(1), Some(200), true),
                Field {
                    name: "committee_size".into(),
                    kind: FieldType::Integer,
                    required: true,
                },
            ]);
            // The twin checks the creation data's declared fields only; the others
            // are empty at creation and left out of the JSON.
            let value = serde_json::to_value(p).unwrap_or_default();
            builtin::schema_refusal("create", &creation, &value)
        })
        .on(Preliminary, StepKind::Propose, Proposal, |r| {
            checked(StepKind::Propose)(r)
                .by([Secretariat])
                .effect(|p: &mut Project, i| {
                    if let Step::Propose { kind } = i.action {
                        p.kind = Some(*kind);
                    }
                })
        })
        .on(Proposal, StepKind::AcceptProject, Drafting, |r| {
            checked(StepKind::AcceptProject)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| p.accepted_on = Some(date(i)))
        })
        .on(Drafting, StepKind::SubmitDraft, Enquiry, |r| {
            checked(StepKind::SubmitDraft)(r)
                .by([Secretariat])
                .effect(|p: &mut Project, i| {
                    if let Step::SubmitDraft { draft_version } = i.action {
                        p.drafts.push(draft_version.clone());
                    }
                })
        })
        .on(Enquiry, StepKind::CloseEnquiry, Review, |r| {
            checked(StepKind::CloseEnquiry)(r)
                .by([Secretariat])
                .named_guard(builtin::min_time_in_state(sixty_days, zone))
        })
        .on(Review, StepKind::CastVote, Review, |r| {
            checked(StepKind::CastVote)(r)
                .by([Member])
                .effect(|p: &mut Project, i| {
                    if let Step::CastVote { in_favour, comment } = i.action {
                        p.ballots.insert(i.actor.id.to_string(), *in_favour);
                        p.comments.extend(comment.clone());
                    }
                })
        })
        .on(Review, StepKind::PassReview, Approval, |r| {
            checked(StepKind::PassReview)(r)
                .by([Secretariat])
                .named_guard(builtin::vote(
                    "ballots",
                    Fraction::new(2, 3),
                    Fraction::new(3, 4),
                    "committee_size",
                    |p: &Project| Ballots {
                        cast: p.ballots.len() as u64,
                        ayes: p.ballots.values().filter(|yes| **yes).count() as u64,
                        electorate: Some(p.committee_size),
                    },
                ))
        })
        .on(Approval, StepKind::Approve, Publication, |r| {
            checked(StepKind::Approve)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| {
                    if let Step::Approve { approval_number } = i.action {
                        p.approval_number = Some(approval_number.clone());
                    }
                })
        })
        .on(Publication, StepKind::Publish, InForce, |r| {
            checked(StepKind::Publish)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| {
                    if let Step::Publish {
                        standard_number,
                        publication_date,
                    } = i.action
                    {
                        p.standard_number = Some(standard_number.clone());
                        p.published_on = Some(*publication_date);
                    }
                })
        })
        .on(InForce, StepKind::StartReview, SystematicReview, |r| {
            checked(StepKind::StartReview)(r).by([Secretariat])
        })
        .on(SystematicReview, StepKind::Confirm, InForce, |r| {
            checked(StepKind::Confirm)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| p.confirmed_on = Some(date(i)))
        })
        .on(SystematicReview, StepKind::Revise, Drafting, |r| {
            checked(StepKind::Revise)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| {
                    if let Step::Revise { reason } = i.action {
                        p.revisions.push(reason.clone());
                    }
                })
        });
    for from in [InForce, SystematicReview] {
        b = b.on(from, StepKind::Withdraw, Withdrawn, |r| {
            checked(StepKind::Withdraw)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| p.withdrawn_on = Some(date(i)))
        });
    }
    for from in [Preliminary, Proposal, Drafting, Enquiry, Review, Approval] {
        b = b.on(from, StepKind::Cancel, Cancelled, |r| {
            checked(StepKind::Cancel)(r)
                .by([Administration])
                .effect(|p: &mut Project, i| {
                    if let Step::Cancel { reason } = i.action {
                        p.cancel_reason = Some(reason.clone());
                    }
                })
        });
    }
    b.deadline(
        Deadline::take(
            "systematic_review",
            Text::new(
                "发布或上次复审确认后五年内启动复审",
                "systematic review within 5 years of publication or confirmation",
            ),
            StepKind::StartReview.key(),
            five_years,
        )
        .in_states([InForce])
        .after([StepKind::Publish.key(), StepKind::Confirm.key()])
        .zone(zone),
    )
    .build()
}

#[allow(dead_code)] // the equivalence test includes this file for `definition` alone
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).single().ok_or("bad date")?,
    ));
    let engine = Engine::new(definition()?)
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(7)));
    let secretariat = Actor::new("tc-secretariat").named("秘书处");
    let sac = Actor::new("sac").named("国家标准委");
    let project = Project::new("法院工作标准编写规则", 4);
    let (mut p, created) = engine.create(secretariat.clone(), Party::Secretariat.name(), project, None)?;
    let mut log = vec![created];
    let mut act = |who: &Actor, role: Party, step: Step| engine.apply(&mut p, Command::new(who.clone(), role, step));
    log.push(act(
        &secretariat,
        Party::Secretariat,
        Step::Propose {
            kind: StandardKind::Method,
        },
    )?);
    log.push(act(&sac, Party::Administration, Step::AcceptProject)?);
    log.push(act(
        &secretariat,
        Party::Secretariat,
        Step::SubmitDraft {
            draft_version: "WD1".into(),
        },
    )?);
    clock.advance(TimeDelta::days(30));
    log.push(act(&secretariat, Party::Secretariat, Step::CloseEnquiry)?); // refused: too early
    clock.advance(TimeDelta::days(31));
    log.push(act(&secretariat, Party::Secretariat, Step::CloseEnquiry)?);
    for (i, yes) in [true, true, false].into_iter().enumerate() {
        let member = Actor::new(format!("member-{i}"));
        log.push(act(
            &member,
            Party::Member,
            Step::CastVote {
                in_favour: yes,
                comment: None,
            },
        )?);
    }
    log.push(act(&secretariat, Party::Secretariat, Step::PassReview)?); // refused: 2 of 3
    let def = engine.definition();
    for r in &log {
        let action = def
            .action_label(&r.action)
            .map_or(r.action.as_str(), |l| l.get(Lang::Zh));
        match r.refusal() {
            None => println!("#{} {} {} → {}", r.seq, r.actor.id, action, r.state_after()),
            Some(reasons) => {
                println!("#{} {} {} 被拒绝:", r.seq, r.actor.id, action);
                for reason in reasons {
                    println!("    - {}", reason.message);
                }
            }
        }
    }
    println!("\nnow in {}", p.state().name());
    Ok(())
}
