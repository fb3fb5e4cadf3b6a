//! The GB procedure written with the derives (`examples/gb_standard.rs`) and its TOML
//! twin (`examples/gb_standard.toml`) write the same records: driven by the same
//! commands at the same times with the same ids, every record (hashes included) and
//! every final data value are equal, refusals too.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/gb_standard.rs"]
mod gb;

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use gb::{Party, Project, StandardKind, Step};
use regula::{
    Action, Actor, AuditRecord, Command, Definition, DynAction, Dynamic, Engine, ManualClock, Registry, SeededIds,
    State,
};

const TWIN: &str = include_str!("../../../examples/gb_standard.toml");

/// One scripted command: wait, then act.
struct Say {
    wait: TimeDelta,
    actor: &'static str,
    role: Party,
    step: Step,
}

fn say(wait_days: i64, actor: &'static str, role: Party, step: Step) -> Say {
    Say {
        wait: TimeDelta::days(wait_days),
        actor,
        role,
        step,
    }
}

fn vote(actor: &'static str, in_favour: bool, comment: Option<&str>) -> Say {
    say(
        0,
        actor,
        Party::Member,
        Step::CastVote {
            in_favour,
            comment: comment.map(str::to_owned),
        },
    )
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0)
        .single()
        .expect("a valid time")
}

fn project(size: u64) -> Project {
    Project::new("法院工作标准编写规则", size)
}

/// Runs `script` on both definitions; returns both logs and both final data values.
fn run(script: &[Say], size: u64) -> (Vec<AuditRecord>, Vec<AuditRecord>, serde_json::Value, serde_json::Value) {
    let typed_clock = Arc::new(ManualClock::new(start()));
    let twin_clock = Arc::new(ManualClock::new(start()));
    let typed = Engine::new(gb::definition().expect("the typed definition builds"))
        .with_clock(typed_clock.clone())
        .with_ids(Arc::new(SeededIds::new(7)));
    let twin_def = Definition::<Dynamic>::from_toml(TWIN, &Registry::new()).expect("the twin loads");
    let twin = Engine::new(twin_def)
        .with_clock(twin_clock.clone())
        .with_ids(Arc::new(SeededIds::new(7)));

    let creator = Actor::new("tc-secretariat").named("秘书处");
    let data = project(size);
    let (mut a, ra) = typed
        .create(creator.clone(), Party::Secretariat.name(), data.clone(), None)
        .expect("typed create");
    let (mut b, rb) = twin
        .create(creator, "secretariat", serde_json::to_value(&data).expect("json"), None)
        .expect("twin create");
    let (mut la, mut lb) = (vec![ra], vec![rb]);
    for s in script {
        assert_eq!(
            a.due_at(),
            b.due_at(),
            "the due times differ before record #{}",
            a.seq() + 1
        );
        typed_clock.advance(s.wait);
        twin_clock.advance(s.wait);
        let actor = Actor::new(s.actor);
        let dyn_action = DynAction::new(s.step.name(), s.step.payload().expect("a payload"));
        la.push(
            typed
                .apply(&mut a, Command::new(actor.clone(), s.role, s.step.clone()))
                .expect("typed apply"),
        );
        lb.push(
            twin.apply(&mut b, Command::new(actor, s.role.name(), dyn_action))
                .expect("twin apply"),
        );
    }
    // Replay gives each side its own data back: the effects are pure.
    let ra = typed.definition().replay(&la).expect("typed replay");
    let rb = twin.definition().replay(&lb).expect("twin replay");
    assert_eq!(
        serde_json::to_value(ra.data()).expect("json"),
        serde_json::to_value(a.data()).expect("json")
    );
    assert_eq!(rb.data(), b.data());
    assert_eq!(a.due_at(), b.due_at(), "the final due times differ");
    assert_eq!(
        typed.definition().trail(&la).expect("typed trail"),
        twin.definition().trail(&lb).expect("twin trail"),
        "the audit trails' lateness differs"
    );
    (la, lb, serde_json::to_value(a.data()).expect("json"), b.data().clone())
}

fn assert_same(la: &[AuditRecord], lb: &[AuditRecord]) {
    assert_eq!(la.len(), lb.len());
    for (x, y) in la.iter().zip(lb) {
        assert_eq!(x, y, "record #{} differs", x.seq);
    }
    assert_eq!(
        la.last().map(|r| r.hash),
        lb.last().map(|r| r.hash),
        "chain heads differ"
    );
}

/// The guard that refused record `seq`, and the English reason.
fn refused_by(log: &[AuditRecord], seq: u64) -> (String, String) {
    let r = &log[usize::try_from(seq - 1).expect("small")];
    let reasons = r.refusal().unwrap_or_else(|| panic!("record #{seq} was not refused"));
    assert_eq!(reasons.len(), 1, "record #{seq}: {reasons:?}");
    (
        reasons[0].guard.clone().unwrap_or_default(),
        reasons[0].message.en.to_string(),
    )
}

#[test]
fn whole_procedure_with_refusals_writes_the_same_records() {
    use Party::{Administration, Secretariat};
    let script = vec![
        say(
            0,
            "tc-secretariat",
            Secretariat,
            Step::Propose {
                kind: StandardKind::Method,
            },
        ),
        say(1, "sac", Administration, Step::AcceptProject),
        say(
            20,
            "tc-secretariat",
            Secretariat,
            Step::SubmitDraft {
                draft_version: "WD1".into(),
            },
        ),
        // #5: the enquiry has lasted 59 days.
        say(59, "tc-secretariat", Secretariat, Step::CloseEnquiry),
        say(1, "tc-secretariat", Secretariat, Step::CloseEnquiry),
        vote("m1", true, Some("同意")),
        vote("m2", true, None),
        // #9: 2 of 5 voted: no quorum (2/3).
        say(0, "tc-secretariat", Secretariat, Step::PassReview),
        vote("m3", false, Some("术语不一致")),
        vote("m4", false, None),
        // #12: 4 of 5 voted, 2 in favour: no majority (3/4).
        say(0, "tc-secretariat", Secretariat, Step::PassReview),
        // Members change their votes: the latest counts.
        vote("m3", true, None),
        vote("m4", true, Some("已修改")),
        // #15: a member may not pass the review: refused for the role.
        say(0, "m1", Party::Member, Step::PassReview),
        say(0, "tc-secretariat", Secretariat, Step::PassReview),
        say(
            10,
            "sac",
            Administration,
            Step::Approve {
                approval_number: "2024年第5号".into(),
            },
        ),
        say(
            30,
            "sac",
            Administration,
            Step::Publish {
                standard_number: "GB/T 1.1-2024".into(),
                publication_date: NaiveDate::from_ymd_opt(2024, 7, 1).expect("a date"),
            },
        ),
        // #19: five years and five days after publication: late, and recorded.
        say(5 * 366 + 1, "tc-secretariat", Secretariat, Step::StartReview),
        say(
            0,
            "sac",
            Administration,
            Step::Withdraw {
                reason: "被替代".into(),
            },
        ),
    ];
    let (la, lb, da, db) = run(&script, 5);
    assert_same(&la, &lb);
    assert_eq!(da, db, "the data differs");

    let (guard, en) = refused_by(&la, 5);
    assert_eq!(guard, "min_time_in_state:60 days");
    assert!(en.contains("not before"), "{en}");
    let (guard, en) = refused_by(&la, 9);
    assert_eq!(guard, "vote:tally ballots quorum 2/3 majority 3/4");
    assert_eq!(en, "2 of 5 voted, short of the quorum of 2/3");
    let (_, en) = refused_by(&la, 12);
    assert_eq!(en, "2 of 4 votes in favour, short of the majority of 3/4");
    assert!(la[14].refusal().is_some(), "a member passed the review");
    // The systematic review came late: accepted, and its lateness is in the trail,
    // counted on Beijing's calendar from the publication record.
    assert_eq!(la[18].state_after(), "systematic_review");
    let trail = gb::definition().expect("builds").trail(&la).expect("trail");
    let late: Vec<_> = trail.iter().filter(|e| !e.late.is_empty()).collect();
    assert_eq!(late.len(), 1, "{trail:?}");
    assert_eq!(
        (late[0].seq, late[0].late[0].deadline.as_str()),
        (19, "systematic_review")
    );
    // Due on the same Beijing date and time five years on (the publication is not on
    // 29 February, so no clamping).
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let published = la[17].at.with_timezone(&beijing);
    let due = late[0].late[0].due_at.with_timezone(&beijing);
    assert_eq!(
        (due.year(), due.month(), due.day(), due.time()),
        (
            published.year() + 5,
            published.month(),
            published.day(),
            published.time()
        )
    );
    assert_eq!(late[0].late[0].late_by, la[18].at - late[0].late[0].due_at);
    assert_eq!(la.last().map(|r| r.state_after()), Some("withdrawn"));
    assert_eq!(da["ballots"]["m4"], true);
    assert_eq!(da["comments"], serde_json::json!(["同意", "术语不一致", "已修改"]));
}

#[test]
fn review_revision_and_cancellation_write_the_same_records() {
    use Party::{Administration, Secretariat};
    let script = vec![
        say(
            0,
            "tc-secretariat",
            Secretariat,
            Step::Propose {
                kind: StandardKind::Basic,
            },
        ),
        say(0, "sac", Administration, Step::AcceptProject),
        // #4: longer than the schema's 20 characters.
        say(
            0,
            "tc-secretariat",
            Secretariat,
            Step::SubmitDraft {
                draft_version: "征求意见稿（第一稿，经工作组讨论修改后提交）".into(),
            },
        ),
        say(
            0,
            "tc-secretariat",
            Secretariat,
            Step::SubmitDraft {
                draft_version: "WD1".into(),
            },
        ),
        say(60, "tc-secretariat", Secretariat, Step::CloseEnquiry),
        vote("m1", true, None),
        vote("m2", true, None),
        vote("m3", true, None),
        say(0, "tc-secretariat", Secretariat, Step::PassReview),
        say(
            0,
            "sac",
            Administration,
            Step::Approve {
                approval_number: "A1".into(),
            },
        ),
        say(
            0,
            "sac",
            Administration,
            Step::Publish {
                standard_number: "GB/T 2-2024".into(),
                publication_date: NaiveDate::from_ymd_opt(2024, 5, 1).expect("a date"),
            },
        ),
        say(4 * 365, "tc-secretariat", Secretariat, Step::StartReview),
        say(0, "sac", Administration, Step::Confirm),
        say(365, "tc-secretariat", Secretariat, Step::StartReview),
        say(
            0,
            "sac",
            Administration,
            Step::Revise {
                reason: "技术进步".into(),
            },
        ),
        say(
            0,
            "sac",
            Administration,
            Step::Cancel {
                reason: "并入他项".into(),
            },
        ),
    ];
    let (la, lb, da, db) = run(&script, 3);
    assert_same(&la, &lb);
    assert_eq!(da, db, "the data differs");
    let (guard, en) = refused_by(&la, 4);
    assert_eq!(guard, "payload_schema:submit_draft");
    assert!(
        en.starts_with("the payload of submit_draft does not match its schema"),
        "{en}"
    );
    assert_eq!(
        la.iter().filter(|r| r.refusal().is_some()).count(),
        1,
        "only #4 is refused"
    );
    assert_eq!(la.last().map(|r| r.state_after()), Some("cancelled"));
    assert_eq!(da["revisions"], serde_json::json!(["技术进步"]));
}

/// Each deadline as both sides can compare it: name, labels, goal, start, span, zone.
fn deadlines<L: regula::Lifecycle>(def: &Definition<L>) -> Vec<String> {
    def.deadlines()
        .iter()
        .map(|d| {
            let goal = match d.goal() {
                regula::DeadlineGoal::Leave(s) => format!("leave {}", s.name()),
                regula::DeadlineGoal::Take { action, in_states } => format!(
                    "take {action} in {:?}",
                    in_states.iter().map(|s| s.name()).collect::<Vec<_>>()
                ),
            };
            format!(
                "{} {} {goal} {:?} within {} in {}",
                d.name(),
                d.label(),
                d.start(),
                d.within(),
                d.time_zone()
            )
        })
        .collect()
}

/// A row as both sides can compare it: from, action, to, roles, guard keys.
type Row = (String, String, String, Vec<String>, Vec<String>);

#[test]
fn both_declare_the_same_names_labels_and_rows() {
    let typed = gb::definition().expect("the typed definition builds");
    let twin = Definition::<Dynamic>::from_toml(TWIN, &Registry::new()).expect("the twin loads");
    assert_eq!((typed.name(), typed.version()), (twin.name(), twin.version()));
    assert_eq!(deadlines(&typed), deadlines(&twin));
    assert_eq!(deadlines(&twin).len(), 1);
    assert_eq!(
        typed
            .states()
            .iter()
            .map(|s| (
                s.state.name().to_owned(),
                s.label.zh.to_string(),
                s.label.en.to_string()
            ))
            .collect::<Vec<_>>(),
        twin.states()
            .iter()
            .map(|s| (
                s.state.name().to_owned(),
                s.label.zh.to_string(),
                s.label.en.to_string()
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(typed.actions(), twin.actions());
    assert_eq!(typed.roles(), twin.roles());
    assert_eq!(typed.creators(), twin.creators());
    assert_eq!(typed.initial().name(), twin.initial().name());
    // Rows in file order, with the same guards (a payload schema first).
    let rows_of = |rows: Vec<Row>| rows;
    let typed_rows = rows_of(
        typed
            .transitions()
            .iter()
            .map(|t| {
                let guards = t.guards.iter().map(|g| g.key()).collect();
                (
                    t.from.name().to_owned(),
                    t.action.clone(),
                    t.to.name().to_owned(),
                    t.roles.clone(),
                    guards,
                )
            })
            .collect(),
    );
    let twin_rows = rows_of(
        twin.transitions()
            .iter()
            .map(|t| {
                let guards = t.guards.iter().map(|g| g.key()).collect();
                (
                    t.from.name().to_owned(),
                    t.action.clone(),
                    t.to.name().to_owned(),
                    t.roles.clone(),
                    guards,
                )
            })
            .collect(),
    );
    assert_eq!(typed_rows, twin_rows);
    assert_eq!(typed_rows.len(), 19, "11 rows, withdraw from 2 states, cancel from 6");
}

#[test]
fn both_refuse_the_same_creation_data_in_the_same_words() {
    let typed = Engine::new(gb::definition().expect("the typed definition builds"));
    let twin = Engine::new(Definition::<Dynamic>::from_toml(TWIN, &Registry::new()).expect("the twin loads"));
    let actor = Actor::new("tc-secretariat");
    let reason_of = |e: regula::EngineError| match e {
        regula::EngineError::CreationRefused { reason, .. } => reason,
        other => panic!("not a refused creation: {other}"),
    };
    for title in [String::new(), "标".repeat(201)] {
        let data = Project::new(title.clone(), 5);
        let a = typed
            .create(actor.clone(), "secretariat", data.clone(), None)
            .map(|_| ())
            .expect_err("the typed definition accepted a bad title");
        let b = twin
            .create(
                actor.clone(),
                "secretariat",
                serde_json::to_value(&data).expect("json"),
                None,
            )
            .map(|_| ())
            .expect_err("the twin accepted a bad title");
        let (a, b) = (reason_of(a), reason_of(b));
        assert_eq!(a, b, "title of {} characters", title.chars().count());
        assert!(a.en.contains("title"), "{}", a.en);
    }
}
