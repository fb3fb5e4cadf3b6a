//! A lifecycle that is not the court's standards: lending case files (卷宗借阅).
//!
//! Shows a user's own states, actions with payloads, named guards that see the
//! payload, the data and the actor, an effect, refusals with every reason, and replay.
//!
//! Run: `cargo run --example custom_workflow`

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use regula::{
    Action, Actor, Command, Definition, Engine, Lang, Lifecycle, ManualClock, PayloadError, SeededIds, State, Text,
    Transition,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Loan {
    Requested,
    Approved,
    Lent,
    Returned,
    Rejected,
}

impl State for Loan {
    fn name(&self) -> &str {
        match self {
            Loan::Requested => "requested",
            Loan::Approved => "approved",
            Loan::Lent => "lent",
            Loan::Returned => "returned",
            Loan::Rejected => "rejected",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum LoanAction {
    Approve { days: u32 },
    Reject { reason: String },
    HandOver,
    GiveBack { pages_checked: bool },
}

impl Action for LoanAction {
    fn name(&self) -> &str {
        match self {
            LoanAction::Approve { .. } => "approve",
            LoanAction::Reject { .. } => "reject",
            LoanAction::HandOver => "hand_over",
            LoanAction::GiveBack { .. } => "give_back",
        }
    }
    fn payload(&self) -> Result<serde_json::Value, PayloadError> {
        regula::action::tagged_payload(self)
    }
    fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
        regula::action::from_tagged(name, payload)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct CaseFile {
    case_number: String,
    borrower_unit: String,
    purpose: String,
    days: u32,
}

struct Lending;

impl Lifecycle for Lending {
    type State = Loan;
    type Action = LoanAction;
    type Data = CaseFile;
}

fn definition() -> Result<Definition<Lending>, regula::DefinitionError> {
    Definition::<Lending>::builder("case-file-lending", 1)
        .state(Loan::Requested, Text::new("已申请", "Requested"))
        .state(Loan::Approved, Text::new("已批准", "Approved"))
        .state(Loan::Lent, Text::new("已借出", "Lent"))
        .state(Loan::Returned, Text::new("已归还", "Returned"))
        .state(Loan::Rejected, Text::new("不予借阅", "Rejected"))
        .initial(Loan::Requested)
        .terminal(Loan::Returned)
        .terminal(Loan::Rejected)
        .role("borrower", Text::new("借阅人", "Borrower"))
        .role("archivist", Text::new("档案管理员", "Archivist"))
        .role("division_head", Text::new("庭长", "Division head"))
        .action("approve", Text::new("批准", "Approve"))
        .action("reject", Text::new("驳回", "Reject"))
        .action("hand_over", Text::new("交付卷宗", "Hand over"))
        .action("give_back", Text::new("归还卷宗", "Give back"))
        .creators(["borrower"])
        .guard(
            "purpose_stated",
            Text::new("须写明借阅事由", "the purpose must be stated"),
            |i| {
                if i.instance.data().purpose.trim().is_empty() {
                    Err(Text::new("申请未写明借阅事由", "the request states no purpose"))
                } else {
                    Ok(())
                }
            },
        )
        .guard(
            "at_most_30_days",
            Text::new("借期不超过30日", "a loan lasts at most 30 days"),
            |i| match i.action {
                LoanAction::Approve { days } if *days > 30 => Err(Text::owned(
                    format!("借期{days}日超过30日"),
                    format!("{days} days is more than 30"),
                )),
                _ => Ok(()),
            },
        )
        .guard(
            "other_unit",
            Text::new("须由借阅部门以外的人审批", "approved outside the borrowing unit"),
            |i| {
                if i.actor.unit.as_deref() == Some(i.instance.data().borrower_unit.as_str()) {
                    Err(Text::new(
                        "不能审批本部门的借阅",
                        "cannot approve a loan to one's own unit",
                    ))
                } else {
                    Ok(())
                }
            },
        )
        .guard(
            "pages_checked",
            Text::new("归还时须核对页数", "pages are checked on return"),
            |i| match i.action {
                LoanAction::GiveBack { pages_checked: false } => Err(Text::new("未核对页数", "pages were not checked")),
                _ => Ok(()),
            },
        )
        .transition(
            Transition::new(Loan::Requested, "approve", Loan::Approved)
                .by(["division_head"])
                .when("purpose_stated")
                .when("at_most_30_days")
                .when("other_unit"),
        )
        .transition(Transition::new(Loan::Requested, "reject", Loan::Rejected).by(["division_head"]))
        .transition(Transition::new(Loan::Approved, "hand_over", Loan::Lent).by(["archivist"]))
        .transition(
            Transition::new(Loan::Lent, "give_back", Loan::Returned)
                .by(["archivist"])
                .when("pages_checked"),
        )
        .effect(|file: &mut CaseFile, input| {
            if let LoanAction::Approve { days } = input.action {
                file.days = *days;
            }
        })
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2024, 6, 3, 1, 0, 0).single().ok_or("bad date")?,
    ));
    let engine = Engine::new(definition()?)
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(7)));

    let borrower = Actor::new("zhao.min").named("赵敏").in_unit("执行局");
    let same_unit_head = Actor::new("sun.li").named("孙立").in_unit("执行局");
    let head = Actor::new("zhou.jie").named("周杰").in_unit("立案庭");
    let archivist = Actor::new("qian.yu").named("钱雨").in_unit("综合办公室");

    let request = CaseFile {
        case_number: "(2023)吉7505执123号".into(),
        borrower_unit: "执行局".into(),
        purpose: "执行异议审查".into(),
        days: 0,
    };
    let (mut loan, created) = engine.create(borrower, "borrower", request, None)?;
    let mut log = vec![created];

    // Refused with two reasons at once: the loan is too long AND the approver is
    // in the borrowing unit.
    log.push(engine.apply(
        &mut loan,
        Command::new(same_unit_head, "division_head", LoanAction::Approve { days: 45 }),
    )?);
    log.push(engine.apply(
        &mut loan,
        Command::new(head, "division_head", LoanAction::Approve { days: 20 }),
    )?);
    clock.advance(TimeDelta::hours(2));
    log.push(engine.apply(
        &mut loan,
        Command::new(archivist.clone(), "archivist", LoanAction::HandOver),
    )?);
    clock.advance(TimeDelta::days(18));
    log.push(engine.apply(
        &mut loan,
        Command::new(
            archivist.clone(),
            "archivist",
            LoanAction::GiveBack { pages_checked: false },
        ),
    )?);
    log.push(engine.apply(
        &mut loan,
        Command::new(archivist, "archivist", LoanAction::GiveBack { pages_checked: true }),
    )?);

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
    let replayed = def.replay(&log)?;
    assert_eq!(replayed.state(), &Loan::Returned);
    println!(
        "\nreplayed: {} after {} records, {} days\n",
        replayed.state().name(),
        replayed.seq(),
        replayed.data().days
    );
    print!("{}", def.to_mermaid(Lang::Zh));
    Ok(())
}
