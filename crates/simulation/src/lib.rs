//! The court's "standardization year" plan (红林法〔2022〕7号): 117 work standards from
//! 2022-05-16 to 2025-12-31, played as a deterministic event-driven simulation on a
//! [`regula_standards::service::Court`] over any [`regula_core::Store`].
//!
//! Departments research, draft (procedural and quality requirements, measurable
//! criteria), consult front-line and administrative staff and answer every opinion;
//! the leading group deliberates twice a month and approves or sends back with
//! reasons; the office publishes under 红林法〔YYYY〕N号, inspects and evaluates;
//! departments report every half year; weak evaluations, inspection findings and gaps
//! open revisions that end in new versions; the intermediate court accepts in four
//! waves in 2025. Some attempts are made to be refused, and every attempt states what
//! it expects: anything else stops the run with a [`SimError`].
//!
//! The run is deterministic for a given seed (a small xorshift generator, record ids
//! from [`regula_core::SeededIds`], a manual clock set to each event's time): two runs
//! with the same seed write the same audit log, record for record and hash for hash.
//!
//! ```
//! use regula_core::MemoryStore;
//! use regula_simulation::{Event, Simulation, SimulationOptions, verify};
//!
//! let horizon = chrono::NaiveDate::from_ymd_opt(2023, 3, 31).unwrap();
//! let mut sim = Simulation::open(MemoryStore::new(), SimulationOptions::new(7).with_horizon(horizon))?;
//! let mut refusals = 0;
//! let summary = sim.run(&mut |_court, event| {
//!     if let Event::Record { record, .. } = event {
//!         refusals += usize::from(record.is_refused());
//!     }
//! })?;
//! assert_eq!(summary.tally.refused, refusals as u64);
//! assert!(verify(sim.court(), &summary)?.is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`scenario`] holds the fixed decisions (core standards, assignments,
//! campaign dates); [`report`] the text the example prints. Inside, `sim` holds the
//! state and the loop, `attempt` each attempt checked against what it expects,
//! `schedule` the initial plan, `actors` what each actor does,
//! `campaigns` the office's and the court's campaigns, `queue` the planned events,
//! `pools` the text the actors write, `rng` the generator.

mod actors;
mod attempt;
mod campaigns;
mod error;
mod event;
mod pools;
mod queue;
pub mod report;
mod rng;
pub mod scenario;
mod schedule;
mod sim;
mod tally;
mod time;
mod verify;

pub use error::SimError;
pub use event::{Event, Note};
pub use sim::{Simulation, SimulationOptions};
pub use tally::{DueDateSummary, Summary, Tally};
pub use verify::{Verification, verify};
