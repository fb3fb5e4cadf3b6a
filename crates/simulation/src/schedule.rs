//! The initial plan: the office's assignments, each standard's start, and the
//! calendar of meetings and campaigns.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use regula_core::Store;

use crate::error::SimError;
use crate::queue::Ev;
use crate::scenario::{
    ASSIGNMENTS, EVALUATIONS, INSPECTIONS, PREMATURE_DRAFTING, REASSIGNMENT, REPORT_PERIODS, WAVES, WITHDRAWAL,
};
use crate::sim::Simulation;
use crate::time::{days, office_hours, workday, ymd};

impl<S: Store> Simulation<S> {
    fn find(&self, code: &str) -> Result<usize, SimError> {
        self.stds
            .iter()
            .position(|s| s.code == code)
            .ok_or_else(|| SimError::scenario(format!("no standard {code} in the catalog")))
    }

    /// Plans each standard's start (core standards at once, the others spread over
    /// each department's year: a department with many standards finishes its last
    /// ones late), the assignments, and the calendar.
    pub(crate) fn schedule(&mut self) -> Result<(), SimError> {
        let mut by_department: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, std) in self.stds.iter().enumerate() {
            if let Some(d) = &std.department {
                by_department.entry(d.clone()).or_default().push(i);
            }
        }
        let mut assigned_on: BTreeMap<usize, NaiveDate> = BTreeMap::new();
        for (code, plan) in ASSIGNMENTS {
            let i = self.find(code)?;
            if let Some((date, _)) = plan {
                assigned_on.insert(i, date);
                self.push(workday(date), 10 * 60, Ev::Assign(i));
            } else if code == WITHDRAWAL.0 {
                self.withdrawal = Some(i);
            }
        }
        let (code, date, _, _) = REASSIGNMENT;
        let i = self.find(code)?;
        self.push(workday(date), 10 * 60, Ev::Reassign(i));
        for (k, (code, date, _)) in PREMATURE_DRAFTING.into_iter().enumerate() {
            let i = self.find(code)?;
            self.push(workday(date), 11 * 60, Ev::PrematureDrafting(i, k));
        }
        let spread_from = const { ymd(2022, 8, 22) };
        let busiest = by_department.values().map(Vec::len).max().unwrap_or(1).max(1) as i64;
        for members in by_department.values() {
            let (core, rest): (Vec<usize>, Vec<usize>) = members.iter().partition(|&&i| self.stds[i].core);
            let mut starts = Vec::new();
            for i in core {
                starts.push((i, days(const { ymd(2022, 6, 1) }, self.stds[i].rng.range(0, 60))));
            }
            // A department starts its last standard between July and the end of
            // September 2023, the later the more standards it has.
            let spread_days =
                (const { ymd(2023, 6, 30) } - spread_from).num_days() + 90 * members.len() as i64 / busiest;
            let n = rest.len().max(1) as i64;
            for (k, i) in rest.into_iter().enumerate() {
                let jitter = self.stds[i].rng.range(0, 21);
                starts.push((i, days(spread_from, k as i64 * spread_days / n + jitter)));
            }
            for (i, start) in starts {
                let start = match assigned_on.get(&i) {
                    Some(&a) => start.max(days(a, self.stds[i].rng.range(10, 30))),
                    None => start,
                };
                let minute = office_hours(&mut self.stds[i].rng);
                self.push(workday(start), minute, Ev::StartDrafting(i));
            }
        }

        // The calendar: meetings on the second and fourth Thursday of each month,
        // campaigns on their dates.
        let mut month = const { ymd(2022, 6, 1) };
        while month <= self.options.horizon {
            for nth in [2, 4] {
                if let Some(d) = NaiveDate::from_weekday_of_month_opt(month.year(), month.month(), Weekday::Thu, nth) {
                    self.push(d, 14 * 60 + 55, Ev::Meeting);
                }
            }
            month = month
                .checked_add_months(Months::new(1))
                .ok_or_else(|| SimError::scenario("date overflow"))?;
        }
        for (k, (date, _, _)) in REPORT_PERIODS.into_iter().enumerate() {
            self.push(workday(date), 8 * 60 + 30, Ev::ReportCampaign(k));
        }
        for (k, date) in INSPECTIONS.into_iter().enumerate() {
            self.push(workday(date), 8 * 60 + 30, Ev::InspectionCampaign(k));
        }
        for (k, date) in EVALUATIONS.into_iter().enumerate() {
            self.push(workday(date), 8 * 60 + 30, Ev::EvaluationCampaign(k));
        }
        for (k, (date, _)) in WAVES.into_iter().enumerate() {
            self.push(workday(date), 8 * 60 + 30, Ev::AcceptanceWave(k));
        }
        Ok(())
    }
}
