//! Deadlines as invariants over random histories: the due time an instance carries is
//! what replay, a resumed snapshot, the store's head and an independent model of the
//! rule all say, and an attempt is late exactly when the model says it is.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Months, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use regula_core::store::{Append, InstanceFilter, InstanceHead, MemoryStore, Store};
use regula_core::{
    Actor, AuditRecord, Command, Definition, DynAction, Dynamic, Engine, ManualClock, Registry, SeededIds,
};
use serde_json::json;

/// Held must be left within 10 days; in `open`, `note` must be taken within a month
/// (Beijing calendar) of the creation or the last `resume`.
const DEF: &str = r#"format = 2
name = "deadlined"
version = 1
initial = "open"
terminal = ["closed"]
time_zone = "+08:00"

[states]
open = { zh = "办理中", en = "Open" }
held = { zh = "暂停", en = "Held" }
closed = { zh = "办结", en = "Closed" }

[actions]
hold = { zh = "暂停", en = "Hold" }
resume = { zh = "恢复", en = "Resume" }
note = { zh = "批注", en = "Note" }
close = { zh = "办结", en = "Close" }

[roles]
clerk = { zh = "书记员", en = "Clerk" }

[[transitions]]
from = "open"
action = "hold"
to = "held"
roles = ["clerk"]

[[transitions]]
from = "held"
action = "resume"
to = "open"
roles = ["clerk"]

[[transitions]]
from = ["open", "held"]
action = "note"
to = "open"
roles = ["clerk"]

[[transitions]]
from = ["open", "held"]
action = "close"
to = "closed"
roles = ["clerk"]

[[deadlines]]
name = "release"
label = { zh = "十日内解除暂停", en = "released within 10 days" }
leave = "held"
within = "10 days"

[[deadlines]]
name = "first_note"
label = { zh = "一月内批注", en = "noted within a month" }
take = "note"
in = ["open"]
after = ["create", "resume"]
within = "1 month"
"#;

const ACTIONS: [&str; 4] = ["hold", "resume", "note", "close"];

fn definition() -> Definition<Dynamic> {
    Definition::<Dynamic>::from_toml(DEF, &Registry::new()).unwrap()
}

/// The rule, written again from its statement over the records alone: the due times
/// pending after each record. Accepted records move the state; `create` and `resume`
/// start `first_note`, an accepted `note` later than the start meets it.
#[derive(Clone, Debug)]
struct Model {
    state: String,
    entered: DateTime<Utc>,
    started: DateTime<Utc>,
    noted: Option<DateTime<Utc>>,
}

impl Model {
    fn new(at: DateTime<Utc>) -> Self {
        Model {
            state: "open".into(),
            entered: at,
            started: at,
            noted: None,
        }
    }

    fn due(&self) -> Vec<(&'static str, DateTime<Utc>)> {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let mut due = Vec::new();
        if self.state == "held" {
            due.push(("release", self.entered + TimeDelta::days(10)));
        }
        if self.state == "open" && self.noted.is_none_or(|n| n <= self.started) {
            let local = self.started.with_timezone(&beijing);
            due.push(("first_note", local.checked_add_months(Months::new(1)).unwrap().to_utc()));
        }
        due.sort_by_key(|(_, t)| *t);
        due
    }

    fn after(&mut self, r: &AuditRecord) {
        if r.is_refused() {
            return;
        }
        let to = r.state_after().to_owned();
        if to != self.state {
            self.entered = r.at;
            self.state = to;
        }
        match r.action.as_str() {
            "resume" => self.started = r.at,
            "note" => self.noted = Some(r.at),
            _ => {}
        }
    }
}

/// Runs `script` (hours to wait, action) from `t0`, appending each record to `store`
/// with the instance's due time.
fn run(
    script: &[(u32, usize)],
    t0: DateTime<Utc>,
    store: &MemoryStore,
) -> (regula_core::Instance<Dynamic>, Vec<AuditRecord>) {
    let clock = Arc::new(ManualClock::new(t0));
    let engine = Engine::new(definition())
        .with_clock(clock.clone())
        .with_ids(Arc::new(SeededIds::new(3)));
    let clerk = || Actor::new("li.na");
    let (mut inst, created) = engine.create(clerk(), "clerk", json!({}), None).unwrap();
    store
        .append(Append::of(&inst, 0, std::slice::from_ref(&created)))
        .unwrap();
    let mut log = vec![created];
    for &(hours, action) in script {
        clock.advance(TimeDelta::hours(i64::from(hours)));
        let seq = inst.seq();
        let r = engine
            .apply(
                &mut inst,
                Command::new(clerk(), "clerk", DynAction::new(ACTIONS[action], json!({}))),
            )
            .unwrap();
        store.append(Append::of(&inst, seq, std::slice::from_ref(&r))).unwrap();
        log.push(r);
    }
    (inst, log)
}

fn script() -> impl Strategy<Value = Vec<(u32, usize)>> {
    // Waits up to 40 days, so deadlines are both met and missed; often none, so records
    // share an instant (an action taken at the very time its deadline started).
    let wait = prop_oneof![1 => Just(0u32), 3 => 0u32..960];
    prop::collection::vec((wait, 0usize..4), 0..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_due_time_is_the_same_however_it_is_computed(script in script(), start in 0u32..8760) {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::hours(i64::from(start));
        let store = MemoryStore::new();
        let (inst, log) = run(&script, t0, &store);
        let def = definition();

        // The model, record by record: the due times, and the lateness of each attempt.
        let mut model = Model::new(t0);
        let trail = def.trail(&log).unwrap();
        prop_assert!(trail[0].late.is_empty());
        for (r, entry) in log.iter().zip(&trail).skip(1) {
            let late: Vec<(&str, DateTime<Utc>)> =
                model.due().into_iter().filter(|(_, due)| r.at > *due).collect();
            let said: Vec<(&str, DateTime<Utc>)> =
                entry.late.iter().map(|l| (l.deadline.as_str(), l.due_at)).collect();
            prop_assert_eq!(said, late, "record #{}", r.seq);
            prop_assert!(entry.late.iter().all(|l| l.late_by == r.at - l.due_at && l.late_by > TimeDelta::zero()));
            model.after(r);
        }
        prop_assert_eq!(inst.due_at(), model.due().first().map(|(_, t)| *t));
        let pending: Vec<(String, DateTime<Utc>)> =
            def.pending(&inst).into_iter().map(|p| (p.deadline, p.due_at)).collect();
        let modelled: Vec<(String, DateTime<Utc>)> =
            model.due().into_iter().map(|(n, t)| (n.to_owned(), t)).collect();
        prop_assert_eq!(pending, modelled);
        prop_assert_eq!(inst.entered_at(), model.entered);

        // Replay, and a resume from a snapshot at every point, give the same instance.
        prop_assert_eq!(&def.replay(&log).unwrap(), &inst);
        for k in 1..=log.len() {
            let snapshot = def.replay(&log[..k]).unwrap().snapshot().unwrap();
            let json = serde_json::to_string(&snapshot).unwrap();
            let snapshot = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&def.resume(&snapshot, &log[k..]).unwrap(), &inst, "resumed after record {}", k);
        }

        // The store's head: entered_at from the records alone, due_at as written; and
        // the overdue query agrees with the instance.
        let head = store.head(inst.id()).unwrap();
        prop_assert_eq!(head.entered_at, inst.entered_at());
        prop_assert_eq!(InstanceHead::advanced(None, &log).unwrap().entered_at, inst.entered_at());
        prop_assert_eq!(head.due_at, inst.due_at());
        let probe = t0 + TimeDelta::days(60);
        let listed = !store.due(probe, &InstanceFilter::all()).unwrap().is_empty();
        prop_assert_eq!(listed, inst.due_at().is_some_and(|d| d < probe));
    }
}

#[test]
fn a_snapshot_without_marks_is_not_resumed_from() {
    let store = MemoryStore::new();
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let (_, log) = run(&[(1, 0), (2, 1)], t0, &store);
    let def = definition();
    let mut snapshot = def.replay(&log[..2]).unwrap().snapshot().unwrap();
    snapshot.marks = None;
    let err = def.resume(&snapshot, &log[2..]).unwrap_err();
    assert!(err.to_string().contains("before deadlines existed"), "{err}");
}

#[test]
fn deadlines_that_cannot_be_kept_do_not_build() {
    let bad = |from: &str, to: &str| {
        let src = DEF.replace(from, to);
        Definition::<Dynamic>::from_toml(&src, &Registry::new())
            .unwrap_err()
            .kind
            .to_string()
    };
    assert!(bad("within = \"10 days\"", "within = \"0 days\"").contains("its span is zero"));
    assert!(bad("name = \"first_note\"", "name = \"release\"").contains("deadline \"release\": it is declared twice"));
}

#[test]
fn a_mermaid_diagram_notes_each_deadline_on_the_states_it_runs_in() {
    let zh = definition().to_mermaid(regula_core::Lang::Zh);
    assert!(zh.contains("note right of held: ⏱ 十日内解除暂停 (10天)"), "{zh}");
    assert!(zh.contains("note right of open: ⏱ 一月内批注 (1个月)"), "{zh}");
    let en = definition().to_mermaid(regula_core::Lang::En);
    assert!(
        en.contains("note right of held: ⏱ released within 10 days (10 days)"),
        "{en}"
    );
    assert_eq!(en.matches("note right of").count(), 2, "{en}");
}

#[test]
fn a_dot_diagram_marks_the_states_and_describes_each_deadline_in_its_legend() {
    let dot = definition().to_dot(regula_core::Lang::En);
    assert!(dot.contains("\"held\" [label=\"Held\\n⏱ D1\"]"), "{dot}");
    assert!(dot.contains("\"open\" [label=\"Open\\n⏱ D2\"]"), "{dot}");
    assert!(dot.contains("\"closed\" [label=\"Closed\", peripheries=2]"), "{dot}");
    assert!(dot.contains("D1  ⏱ released within 10 days (10 days)\\l"), "{dot}");
    assert!(dot.contains("D2  ⏱ noted within a month (1 month)\\l"), "{dot}");
}

#[test]
fn no_deadline_runs_in_a_terminal_state() {
    let src = DEF.replace("in = [\"open\"]", "in = [\"open\", \"closed\"]");
    let e = Definition::<Dynamic>::from_toml(&src, &Registry::new()).unwrap_err();
    assert!(
        e.kind
            .to_string()
            .contains("state \"closed\" is terminal: no deadline runs in a finished instance"),
        "{e}"
    );
    // A `take` deadline for every state stops when the instance is finished.
    let src = DEF.replace("in = [\"open\"]\n", "");
    let def = Definition::<Dynamic>::from_toml(&src, &Registry::new()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let engine = Engine::new(def).with_clock(Arc::new(ManualClock::new(t0)));
    let (mut inst, _) = engine.create(Actor::new("a"), "clerk", json!({}), None).unwrap();
    assert!(inst.due_at().is_some());
    let r = engine
        .apply(
            &mut inst,
            Command::new(Actor::new("a"), "clerk", DynAction::new("close", json!({}))),
        )
        .unwrap();
    assert!(!r.is_refused(), "{r:?}");
    assert_eq!(inst.due_at(), None);
    assert!(engine.definition().pending(&inst).is_empty());
}
