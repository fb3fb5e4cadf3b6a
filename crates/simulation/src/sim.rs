//! The simulation: its state, the court it drives, and the loop that plays the
//! planned events in global time order.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use regula_core::{Actor, Clock, ManualClock, SeededIds, Store, Text};
use regula_standards::plan;
use regula_standards::rules::{local_date, parse_document_number};
use regula_standards::service::Court;
use regula_standards::table;
use regula_standards::{ActionKind, Stage, StandardData};

use crate::attempt::{Pending, What};
use crate::error::SimError;
use crate::event::Event;
use crate::pools::{Crit, Kind, kind_of};
use crate::queue::{Ev, Queue};
use crate::rng::Rng;
use crate::scenario::{self, ASSIGNMENTS, DEFAULT_SEED, HORIZON, STAFF};
use crate::tally::{DueDateSummary, Summary, Tally};
use crate::time::{days, instant, office_hours, workday, ymd};

/// What a simulation plays: the seed and the last day.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimulationOptions {
    /// The seed of every random choice and of the record ids: the same seed writes
    /// the same audit log, record for record and hash for hash.
    pub seed: u64,
    /// The last day played (in the court's time zone); events planned after its end
    /// are counted, not played. Default: the plan's end, 2025-12-31.
    pub horizon: NaiveDate,
}

impl SimulationOptions {
    /// The whole plan with `seed`.
    pub fn new(seed: u64) -> Self {
        SimulationOptions { seed, horizon: HORIZON }
    }

    /// The same, stopping at the end of `horizon`.
    pub fn with_horizon(mut self, horizon: NaiveDate) -> Self {
        self.horizon = horizon;
        self
    }
}

impl Default for SimulationOptions {
    /// The whole plan with [`DEFAULT_SEED`](crate::scenario::DEFAULT_SEED).
    fn default() -> Self {
        SimulationOptions::new(DEFAULT_SEED)
    }
}

/// One standard as the simulation drives it.
pub(crate) struct Std {
    pub(crate) code: String,
    pub(crate) name: Text,
    pub(crate) kind: Kind,
    pub(crate) core: bool,
    /// The department that will work on it (the catalog's, or the office's choice).
    pub(crate) department: Option<String>,
    pub(crate) rng: Rng,
    /// Drafts written so far (for the draft's title).
    pub(crate) drafts: u32,
    pub(crate) bad_draft_tried: bool,
    /// The criteria of each draft, by the draft's number in the log.
    pub(crate) criteria: BTreeMap<u32, Vec<Crit>>,
    /// The leading group will cancel the open revision at its next meeting.
    pub(crate) cancel: bool,
    /// The version the intermediate court last evaluated.
    pub(crate) court_evaluated: Option<u32>,
}

/// A leading-group meeting: its date and the members present.
pub(crate) struct Meeting {
    pub(crate) date: NaiveDate,
    pub(crate) present: Vec<String>,
}

/// The refusals that are staged once per run, and whether they were.
#[derive(Default)]
pub(crate) struct Shown {
    pub(crate) plan_number: bool,
    pub(crate) duplicate: bool,
    pub(crate) no_quorum: bool,
    pub(crate) accept_under_revision: bool,
    pub(crate) accept_failing: bool,
}

/// The court's standardization plan, 2022–2025, played as a deterministic
/// event-driven simulation on a [`Court`] over any [`Store`].
///
/// A priority queue holds (time, order, event); the manual clock is set to each
/// event's time before the court service applies it. Departments research, draft,
/// consult and answer every opinion; the leading group deliberates twice a month and
/// approves or sends back; the office publishes, inspects and evaluates; weak
/// evaluations, inspection findings and gaps open revisions that end in new versions;
/// the intermediate court accepts in four waves in 2025. Some attempts are made to be
/// refused (a draft without measurable criteria, closing a consultation early or
/// without administrative opinions, a used document number, a meeting without
/// quorum, drafting an unassigned standard, accepting a standard under revision);
/// every attempt states what it expects, and anything else stops the run with a
/// [`SimError`].
///
/// ```
/// use regula_core::MemoryStore;
/// use regula_simulation::{Simulation, SimulationOptions};
///
/// let horizon = chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap();
/// let mut sim = Simulation::open(MemoryStore::new(), SimulationOptions::new(7).with_horizon(horizon))?;
/// let summary = sim.run(&mut |_court, _event| {})?;
/// assert_eq!(summary.tally.created, 117);
/// assert!(sim.court().verify(None, &mut |_, _| {})?.is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Simulation<S: Store> {
    pub(crate) options: SimulationOptions,
    pub(crate) court: Court<S>,
    clock: Arc<ManualClock>,
    pub(crate) tz: FixedOffset,
    issued: NaiveDate,
    pub(crate) rng: Rng,
    queue: Queue,
    pub(crate) stds: Vec<Std>,
    /// Department id → its staff.
    pub(crate) staff: BTreeMap<String, Vec<Actor>>,
    /// 政治部督察室, who acts for the four 督察工作 standards.
    inspection_unit: Actor,
    pub(crate) office_lead: Actor,
    pub(crate) office_clerk: Actor,
    pub(crate) court_staff: Vec<Actor>,
    pub(crate) members: Vec<String>,
    pub(crate) meetings: Vec<Meeting>,
    /// The last document number used, per year.
    pub(crate) numbers: BTreeMap<i32, u32>,
    pub(crate) plan_number: Option<String>,
    pub(crate) shown: Shown,
    pub(crate) withdrawal: Option<usize>,
    tally: Tally,
    pub(crate) period: Tally,
    pub(crate) refusals: BTreeMap<String, u64>,
    pub(crate) skipped: u64,
    pub(crate) pending: Vec<Pending>,
    ran: bool,
}

impl<S: Store> Simulation<S> {
    /// Prepares a simulation on `store`, which must be empty: opens the court on the
    /// scenario's catalog ([`scenario::catalog`]: the built-in one with the core
    /// standards flagged), with a manual clock at the plan's date of issue and record
    /// ids seeded from `options.seed`.
    pub fn open(store: S, options: SimulationOptions) -> Result<Self, SimError> {
        let records = store.tree_head()?.size;
        if records > 0 {
            return Err(SimError::StoreNotEmpty { records });
        }
        let catalog = scenario::catalog()?;
        let tz = catalog.court().timezone;
        let issued = catalog.plan().issued.unwrap_or(const { ymd(2022, 5, 16) });
        let clock = Arc::new(ManualClock::new(instant(tz, issued, 9 * 60 + 30)));
        let ids = Arc::new(SeededIds::new(options.seed));
        let engine_clock = clock.clone();
        let court = Court::open(store, catalog, |engine| engine.with_clock(engine_clock).with_ids(ids))?;

        let config = court.config().clone();
        let plan_number = court.catalog().plan().document_number.clone();
        let mut numbers = BTreeMap::new();
        if let Some(n) = &plan_number {
            // The plan took number N of its year: standards of that year follow it.
            let (year, n) = parse_document_number(n, &config.document_prefix)
                .map_err(|e| SimError::scenario(format!("the plan's document number {n}: {}", e.en)))?;
            numbers.insert(year, n);
        }
        let mut staff = BTreeMap::new();
        for (dept, people) in STAFF {
            let d = config
                .departments
                .department_of(dept)
                .ok_or_else(|| SimError::scenario(format!("unknown department {dept}")))?;
            let actors = people
                .iter()
                .map(|(id, name)| {
                    config
                        .department_staff(dept, id, name)
                        .ok_or_else(|| SimError::scenario(format!("unknown department {dept}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            staff.insert(d.id.clone(), actors);
        }
        let members: Vec<String> = court.catalog().leading_group().iter().map(|m| m.name.clone()).collect();

        let mut stds = Vec::new();
        let assignments: BTreeMap<&str, Option<(NaiveDate, &str)>> = ASSIGNMENTS.into_iter().collect();
        for (k, e) in court.catalog().standards().iter().enumerate() {
            let department = match (&e.department, assignments.get(e.code.as_str())) {
                (Some(d), _) => Some(d.department.clone()),
                (None, Some(Some((_, name)))) => Some(
                    config
                        .departments
                        .resolve(name)
                        .ok_or_else(|| SimError::scenario(format!("unknown department {name}")))?
                        .department,
                ),
                (None, _) => None,
            };
            stds.push(Std {
                code: e.code.clone(),
                name: Text::clone(&e.name),
                kind: kind_of(&e.code, &e.domain, &e.category),
                core: e.core,
                department,
                rng: Rng::new(options.seed.wrapping_mul(1_000_003).wrapping_add(k as u64 + 1)),
                drafts: 0,
                bad_draft_tried: false,
                criteria: BTreeMap::new(),
                cancel: false,
                court_evaluated: None,
            });
        }

        Ok(Simulation {
            rng: Rng::new(options.seed ^ 0x5EED_CAFE),
            options,
            clock,
            tz,
            issued,
            queue: Queue::default(),
            stds,
            staff,
            inspection_unit: Actor::new("han.xue").named("韩雪").in_unit("政治部督察室"),
            office_lead: config.office_staff("zhang.min", "张敏"),
            office_clerk: config.office_staff("chen.xiao", "陈晓"),
            court_staff: vec![
                config.intermediate_court_staff("gao.ming", "高明"),
                config.intermediate_court_staff("lin.feng", "林峰"),
            ],
            members,
            meetings: Vec::new(),
            numbers,
            plan_number,
            shown: Shown::default(),
            withdrawal: None,
            tally: Tally::default(),
            period: Tally::default(),
            refusals: BTreeMap::new(),
            skipped: 0,
            pending: Vec::new(),
            ran: false,
            court,
        })
    }

    /// The court the simulation drives.
    pub fn court(&self) -> &Court<S> {
        &self.court
    }

    /// The court, once the simulation is over.
    pub fn into_court(self) -> Court<S> {
        self.court
    }

    /// The options.
    pub fn options(&self) -> &SimulationOptions {
        &self.options
    }

    /// The plan's date of issue: the first day played.
    pub fn issued(&self) -> NaiveDate {
        self.issued
    }

    /// Plays the plan up to the horizon, telling `observer` everything that happens
    /// (with the court as it is then); returns what the run did. The first error stops
    /// the run: what was written until then stays in the store.
    pub fn run(&mut self, observer: &mut impl FnMut(&Court<S>, &Event<'_>)) -> Result<Summary, SimError> {
        if self.ran {
            return Err(SimError::AlreadyRun);
        }
        self.ran = true;

        // The plan is issued: the office opens work on every standard at once.
        let office = self.office_lead.clone();
        let opened = self.court.import(&office)?.len();
        self.period.records += opened as u64;
        self.period.created += opened as u64;
        let unassigned = self.court.catalog().unassigned().count();
        observer(
            &self.court,
            &Event::Imported {
                date: self.issued,
                opened,
                unassigned,
            },
        );
        self.schedule()?;

        // Play, in global time order, closing a period at each step's due date.
        let horizon = self.options.horizon;
        let mut dues: Vec<NaiveDate> = self.court.catalog().steps().iter().map(|s| s.due).collect();
        dues.retain(|&d| d <= horizon);
        dues.sort_unstable();
        dues.dedup();
        let end = plan::end_of_day(horizon, self.tz);
        let mut summary = Summary {
            seed: self.options.seed,
            horizon,
            events: 0,
            tally: Tally::default(),
            refusals: BTreeMap::new(),
            skipped: 0,
            beyond_horizon: 0,
            due_dates: Vec::new(),
        };
        let mut period_start = self.issued;
        let mut next_due = 0;
        while let Some((at, ev)) = self.queue.pop() {
            while let Some(&due) = dues.get(next_due) {
                if at <= plan::end_of_day(due, self.tz) {
                    break;
                }
                next_due += 1;
                let last = next_due == dues.len();
                summary
                    .due_dates
                    .push(self.close_period(period_start, due, last, observer));
                period_start = days(due, 1);
            }
            if at > end {
                summary.beyond_horizon += 1;
                continue;
            }
            self.clock.set(at);
            let played = self.handle(ev);
            self.flush(observer);
            played?;
            summary.events += 1;
        }
        while let Some(&due) = dues.get(next_due) {
            next_due += 1;
            let last = next_due == dues.len();
            summary
                .due_dates
                .push(self.close_period(period_start, due, last, observer));
            period_start = days(due, 1);
        }
        // Whatever happened after the last due date.
        let rest = std::mem::take(&mut self.period);
        self.tally.add(&rest);
        summary.tally = self.tally.clone();
        summary.refusals = self.refusals.clone();
        summary.skipped = self.skipped;
        Ok(summary)
    }

    /// Ends the period at `due`: tells the observer, then adds it to the run's tally.
    fn close_period(
        &mut self,
        from: NaiveDate,
        due: NaiveDate,
        last: bool,
        observer: &mut impl FnMut(&Court<S>, &Event<'_>),
    ) -> DueDateSummary {
        let period = std::mem::take(&mut self.period);
        observer(
            &self.court,
            &Event::DueDate {
                due,
                from,
                period: &period,
                last,
            },
        );
        self.tally.add(&period);
        let statuses = plan::statuses(
            self.court.catalog(),
            &self.court.ledger(),
            self.court.work_plan(),
            plan::end_of_day(due, self.tz),
        );
        DueDateSummary {
            due,
            overdue: statuses.iter().filter(|s| s.is_overdue()).count(),
            unassigned: statuses
                .iter()
                .filter(|s| s.department.is_none() && s.stage != Some(Stage::Withdrawn))
                .count(),
            period,
        }
    }

    /// Tells the observer what the last planned event wrote and noticed.
    fn flush(&mut self, observer: &mut impl FnMut(&Court<S>, &Event<'_>)) {
        for Pending { i, date, what } in std::mem::take(&mut self.pending) {
            let Some(std) = self.stds.get(i) else { continue };
            let (code, name) = (std.code.as_str(), &std.name);
            let event = match &what {
                What::Record(record) => Event::Record {
                    date,
                    code,
                    name,
                    record,
                },
                What::Note(note) => Event::Note { date, code, name, note },
            };
            observer(&self.court, &event);
        }
    }

    fn handle(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Assign(i) => self.assign(i),
            Ev::PrematureDrafting(i, k) => self.premature_drafting(i, k),
            Ev::StartDrafting(i) => self.start_drafting(i),
            Ev::OpenConsultation(i) => self.open_consultation(i),
            Ev::Opinion(i, src) => self.opinion(i, src),
            Ev::Respond(i, n) => self.respond(i, n),
            Ev::Close(i, how) => self.close(i, how),
            Ev::Agenda(i, m, item) => self.agenda(i, m, item),
            Ev::Publish(i) => self.publish(i),
            Ev::BeginFollowUp(i) => self.begin_follow_up(i),
            Ev::Report(i, p) => self.report(i, p),
            Ev::Inspect(i) => self.inspect(i),
            Ev::Evaluate(i, by, v) => self.evaluate(i, by, v),
            Ev::OpenRevision(i, why, v) => self.open_revision(i, why, v),
            Ev::Accept(i, w, v) => self.accept(i, w, v),
            Ev::AcceptUnderRevision(i, w) => self.accept_under_revision(i, w),
            Ev::AcceptFailing(i, w) => self.accept_failing(i, w),
            Ev::Reassign(i) => self.reassign(i),
            Ev::Meeting => {
                let date = self.today();
                let reconvened = self
                    .meetings
                    .last()
                    .is_some_and(|m| m.present.len() * 2 < self.members.len());
                self.meeting(date, reconvened)
            }
            Ev::ReportCampaign(p) => self.report_campaign(p),
            Ev::InspectionCampaign(_) => self.inspection_campaign(),
            Ev::EvaluationCampaign(_) => self.evaluation_campaign(),
            Ev::AcceptanceWave(w) => self.acceptance_wave(w),
        }
    }

    // -- helpers for the actors ------------------------------------------------------------

    pub(crate) fn now(&self) -> DateTime<Utc> {
        Clock::now(self.clock.as_ref())
    }

    /// Today in the court's time zone.
    pub(crate) fn today(&self) -> NaiveDate {
        local_date(self.now(), self.tz)
    }

    /// Plans `ev` at `minute` past midnight of `date`.
    pub(crate) fn push(&mut self, date: NaiveDate, minute: i64, ev: Ev) {
        self.queue.push(instant(self.tz, date, minute), ev);
    }

    /// Plans `ev` for standard `i` on a working day `lo..=hi` days after `from`, in
    /// office hours.
    pub(crate) fn later(&mut self, i: usize, from: NaiveDate, lo: i64, hi: i64, ev: Ev) {
        let rng = &mut self.stds[i].rng;
        let date = workday(days(from, rng.range(lo, hi)));
        let minute = office_hours(rng);
        self.push(date, minute, ev);
    }

    pub(crate) fn data(&self, i: usize) -> Result<&StandardData, SimError> {
        let code = &self.stds[i].code;
        Ok(self
            .court
            .instance(code)
            .ok_or_else(|| SimError::scenario(format!("standard {code} was not imported")))?
            .data())
    }

    pub(crate) fn stage(&self, i: usize) -> Result<Stage, SimError> {
        Ok(self.data(i)?.stage)
    }

    /// Checks that a step of a standard's own chain finds the standard where the
    /// chain left it, in a stage from which the court's table (of the definition
    /// version the standard follows) has a row for `action`: anything else is a bug
    /// of the simulation.
    pub(crate) fn expect_move(&self, i: usize, action: ActionKind) -> Result<(), SimError> {
        let code = &self.stds[i].code;
        let instance = self
            .court
            .instance(code)
            .ok_or_else(|| SimError::scenario(format!("standard {code} was not imported")))?;
        let stage = *instance.state();
        if table::allows(instance.definition().version, stage, action) {
            Ok(())
        } else {
            Err(SimError::WrongStage {
                date: self.today(),
                code: code.clone(),
                action: action.name().to_owned(),
                stage: stage.as_str().to_owned(),
            })
        }
    }

    /// The number of the version in force (0: none).
    pub(crate) fn in_force(&self, i: usize) -> Result<u32, SimError> {
        Ok(self.data(i)?.in_force().map_or(0, |v| v.number))
    }

    /// A member of the standard's department.
    pub(crate) fn dept_actor(&mut self, i: usize) -> Result<Actor, SimError> {
        let std = &mut self.stds[i];
        let dept = std
            .department
            .clone()
            .ok_or_else(|| SimError::scenario(format!("{}: no department to act for it", std.code)))?;
        if std.code.starts_with("PER-06") && std.rng.chance(50) {
            return Ok(self.inspection_unit.clone());
        }
        let staff = self
            .staff
            .get(&dept)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| SimError::scenario(format!("no staff for department {dept}")))?;
        let k = std.rng.index(staff.len());
        staff
            .get(k)
            .cloned()
            .ok_or_else(|| SimError::scenario(format!("no staff for department {dept}")))
    }

    /// One of the intermediate court's staff.
    pub(crate) fn court_actor(&mut self, i: usize) -> Result<Actor, SimError> {
        let k = self.stds[i].rng.index(self.court_staff.len());
        self.court_staff
            .get(k)
            .cloned()
            .ok_or_else(|| SimError::scenario("no staff for the intermediate court"))
    }
}
