//! A lifecycle that is not the court's standards: lending case files (卷宗借阅).
//!
//! Shows a user's own states, actions and roles declared with the derives, guards on
//! the rows they check (seeing the payload, the data and the actor), an effect, a
//! deadline, refusals with every reason, lateness in the trail, and replay.
//!
//! Run: `cargo run --example custom_workflow`

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use regula::{
    Action, Actor, CalendarSpan, Command, Deadline, Definition, Engine, Lang, Lifecycle, ManualClock, Role, SeededIds,
    State, Text,
};
use serde::{Deserialize, Serialize};

/// Where a loan stands; names and labels come from the attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, State)]
enum Loan {
    #[regula(zh = "已申请", en = "Requested")]
    Requested,
    #[regula(zh = "已批准", en = "Approved")]
    Approved,
    #[regula(zh = "已借出", en = "Lent")]
    Lent,
    #[regula(zh = "已归还", en = "Returned")]
    Returned,
    #[regula(zh = "不予借阅", en = "Rejected")]
    Rejected,
}

/// What people do, with payloads; `LoanActionKind` is generated, and rows name it, so
/// an action without a variant cannot be used.
#[derive(Clone, Debug, Serialize, Deserialize, Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum LoanAction {
    #[regula(zh = "批准", en = "Approve")]
    Approve { days: u32 },
    #[regula(zh = "驳回", en = "Reject")]
    Reject { reason: String },
    #[regula(zh = "交付卷宗", en = "Hand over")]
    HandOver,
    #[regula(zh = "归还卷宗", en = "Give back")]
    GiveBack { pages_checked: bool },
}

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Role)]
enum Staff {
    #[regula(zh = "借阅人", en = "Borrower")]
    Borrower,
    #[regula(zh = "档案管理员", en = "Archivist")]
    Archivist,
    #[regula(zh = "庭长", en = "Division head")]
    DivisionHead,
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

/// Calendar days count in Beijing time.
const BEIJING: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(zone) => zone,
    None => panic!("+08:00 is a valid offset"),
};

fn definition() -> Result<Definition<Lending>, regula::DefinitionError> {
    use LoanActionKind as Kind;
    use Staff::{Archivist, DivisionHead};
    Definition::<Lending>::builder("case-file-lending", 1)
        .states()
        .actions()
        .roles::<Staff>()
        .initial(Loan::Requested)
        .terminal(Loan::Returned)
        .terminal(Loan::Rejected)
        .creators([Staff::Borrower])
        // Each guard is attached to the one row it checks.
        .on(Loan::Requested, Kind::Approve, Loan::Approved, |row| {
            row.by([DivisionHead])
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
                .effect(|file: &mut CaseFile, input| {
                    if let LoanAction::Approve { days } = input.action {
                        file.days = *days;
                    }
                })
        })
        .on(Loan::Requested, Kind::Reject, Loan::Rejected, |row| {
            row.by([DivisionHead])
        })
        .on(Loan::Approved, Kind::HandOver, Loan::Lent, |row| row.by([Archivist]))
        .on(Loan::Lent, Kind::GiveBack, Loan::Returned, |row| {
            row.by([Archivist]).guard(
                "pages_checked",
                Text::new("归还时须核对页数", "pages are checked on return"),
                |i| match i.action {
                    LoanAction::GiveBack { pages_checked: false } => {
                        Err(Text::new("未核对页数", "pages were not checked"))
                    }
                    _ => Ok(()),
                },
            )
        })
        // A deadline refuses nothing: a file kept too long is still taken back, and
        // the trail says how late.
        .deadline(
            Deadline::leave(
                "return_in_time",
                Text::new("借出后30日内归还", "returned within 30 days of lending"),
                Loan::Lent,
                CalendarSpan::new(0, 0, 30, 0),
            )
            .zone(BEIJING),
        )
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
    let (mut loan, created) = engine.create(borrower, Staff::Borrower.name(), request, None)?;
    let mut log = vec![created];

    // Refused with two reasons at once: the loan is too long AND the approver is
    // in the borrowing unit.
    log.push(engine.apply(
        &mut loan,
        Command::new(same_unit_head, Staff::DivisionHead, LoanAction::Approve { days: 45 }),
    )?);
    log.push(engine.apply(
        &mut loan,
        Command::new(head, Staff::DivisionHead, LoanAction::Approve { days: 20 }),
    )?);
    clock.advance(TimeDelta::hours(2));
    log.push(engine.apply(
        &mut loan,
        Command::new(archivist.clone(), Staff::Archivist, LoanAction::HandOver),
    )?);
    clock.advance(TimeDelta::days(33));
    log.push(engine.apply(
        &mut loan,
        Command::new(
            archivist.clone(),
            Staff::Archivist,
            LoanAction::GiveBack { pages_checked: false },
        ),
    )?);
    log.push(engine.apply(
        &mut loan,
        Command::new(
            archivist,
            Staff::Archivist,
            LoanAction::GiveBack { pages_checked: true },
        ),
    )?);

    let def = engine.definition();
    let trail = def.trail(&log)?;
    for (r, entry) in log.iter().zip(&trail) {
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
        for late in &entry.late {
            println!("    ! {}", late.describe().get(Lang::Zh));
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
