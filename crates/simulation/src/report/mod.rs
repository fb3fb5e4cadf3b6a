//! Text for people: the [`Narrator`] turns the simulation's events, its summary and
//! its verification into the lines the `standardization_year` example prints, in
//! Chinese or English, with tables aligned for CJK text (two columns per character).

/// Appends one formatted line to a `String`.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = writeln!($out, $($arg)*);
    }};
}

mod due_date;
mod layout;
mod summary;

use regula_core::{Lang, Outcome, Store, Text};
use regula_standards::service::Court;
use regula_standards::{Stage, StandardAction};

use crate::event::{Event, Note};
use layout::{clip, wrap};

/// Turns what a simulation tells into text. Every method returns whole lines (each
/// ending with a line break), ready for `print!`.
///
/// ```
/// use regula_core::{Lang, MemoryStore};
/// use regula_simulation::report::Narrator;
/// use regula_simulation::{Simulation, SimulationOptions};
///
/// let horizon = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
/// let mut sim = Simulation::open(MemoryStore::new(), SimulationOptions::new(1).with_horizon(horizon))?;
/// let narrator = Narrator::new(Lang::En, false);
/// let mut text = String::new();
/// sim.run(&mut |court, event| text.push_str(&narrator.event(court, event)))?;
/// assert!(text.contains("the office opens work on 117 standards"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Narrator {
    lang: Lang,
    verbose: bool,
}

impl Narrator {
    /// A narrator in `lang`; `verbose`: every accepted record gets a line too (and the
    /// notes, which repeat records, none).
    pub fn new(lang: Lang, verbose: bool) -> Self {
        Narrator { lang, verbose }
    }

    fn s(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn t<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.lang)
    }

    fn action_label(&self, action: &str) -> String {
        StandardAction::label_of(action).map_or_else(|| action.to_owned(), |l| self.t(&l).to_owned())
    }

    fn stage_label(&self, stage: &str) -> String {
        Stage::from_name(stage).map_or_else(|| stage.to_owned(), |s| self.t(&s.label()).to_owned())
    }

    /// The core standards the office designated, wrapped.
    pub fn core_standards<S: Store>(&self, court: &Court<S>) -> String {
        let mut out = String::new();
        let core: Vec<String> = court
            .catalog()
            .standards()
            .iter()
            .filter(|e| e.core)
            .map(|e| format!("{} {}", e.code, e.name.get(self.lang)))
            .collect();
        say!(
            out,
            "{}",
            match self.lang {
                Lang::Zh => format!(
                    "核心工作标准：实施方案未列明，由综合办公室指定 {} 项（运行者设置的标记，Catalog::set_core）：",
                    core.len()
                ),
                Lang::En => format!(
                    "Core standards: the plan does not say which; the office designates {} (an operator's flag, \
                     Catalog::set_core):",
                    core.len()
                ),
            }
        );
        say!(out, "{}", wrap("  ", &core, self.s("、", ", "), 110));
        out
    }

    /// The lines for one event (possibly none): the import; every refusal; every
    /// accepted record when verbose, else the notes; at each due date, the period's
    /// figures and the report as of that day.
    pub fn event<S: Store>(&self, court: &Court<S>, event: &Event<'_>) -> String {
        let mut out = String::new();
        match *event {
            Event::Imported {
                date,
                opened,
                unassigned,
            } => {
                let what = match self.lang {
                    Lang::Zh => format!(
                        "综合办公室导入 {opened} 项标准（其中 {unassigned} 项实施方案未列明责任部门），均进入调研论证"
                    ),
                    Lang::En => format!(
                        "the office opens work on {opened} standards ({unassigned} without a department in the plan), \
                         all in research"
                    ),
                };
                say!(out, "\n{date} {what}\n");
            }
            Event::Record {
                date,
                code,
                name,
                record,
            } => match &record.outcome {
                Outcome::Refused { reasons } => {
                    let messages = reasons
                        .iter()
                        .map(|r| r.message.get(self.lang).to_owned())
                        .collect::<Vec<_>>()
                        .join(self.s("；", "; "));
                    say!(
                        out,
                        "  ✗ {date} {code} {} · {}{}{messages}",
                        clip(self.t(name), 28),
                        self.action_label(&record.action),
                        self.s("：", ": "),
                    );
                }
                Outcome::Accepted { .. } | Outcome::Created if self.verbose => {
                    say!(
                        out,
                        "  {date} {code} {} → {} ({}, {})",
                        self.action_label(&record.action),
                        self.stage_label(record.state_after()),
                        record.actor.id,
                        record.actor.unit.as_deref().unwrap_or(&record.role)
                    );
                }
                _ => {}
            },
            Event::Note { date, code, name, note } if !self.verbose => {
                let what = match note {
                    Note::Assigned { department } => {
                        let label = court
                            .catalog()
                            .departments()
                            .get(department)
                            .map_or_else(|| department.clone(), |d| self.t(&d.label).to_owned());
                        format!(
                            "{} {label}",
                            self.s("综合办公室指定责任部门", "the office assigns it to")
                        )
                    }
                    Note::Reassigned { department } => {
                        let label = court
                            .catalog()
                            .departments()
                            .get(department)
                            .map_or_else(|| department.clone(), |d| self.t(&d.label).to_owned());
                        format!(
                            "{} {label}",
                            self.s("综合办公室变更责任部门为", "the office moves it to")
                        )
                    }
                    Note::Withdrawn => self
                        .s(
                            "领导小组决定废止（未制定）",
                            "withdrawn by the leading group (never drafted)",
                        )
                        .to_owned(),
                    Note::RevisionCancelled => self
                        .s(
                            "领导小组终止修订，现行版本继续适用",
                            "the leading group cancels the revision",
                        )
                        .to_owned(),
                    Note::WeakAtAcceptance => self
                        .s(
                            "中级法院评估未达标，暂不验收，须修订",
                            "the intermediate court finds it weak: no acceptance, revise first",
                        )
                        .to_owned(),
                };
                say!(
                    out,
                    "  · {date} {code} {}{}{what}",
                    clip(self.t(name), 28),
                    self.s("：", ": ")
                );
            }
            Event::Note { .. } => {}
            Event::DueDate {
                due,
                from,
                period,
                last,
            } => {
                out.push_str(&self.period(from, due, period));
                out.push_str(&self.as_of(court, due));
                if !last {
                    out.push('\n');
                }
            }
        }
        out
    }
}
