//! The reports at each due date: what happened in the period, and the plan's
//! standing as of the end of the day.

use chrono::NaiveDate;
use regula_core::{Lang, Store, Text};
use regula_standards::Stage;
use regula_standards::plan::{self, GroupBy, Standing};
use regula_standards::service::Court;

use super::Narrator;
use super::layout::{clip, table, wrap};
use crate::tally::Tally;

impl Narrator {
    /// What happened in a period: one paragraph, preceded by a blank line.
    pub fn period(&self, from: NaiveDate, to: NaiveDate, t: &Tally) -> String {
        let mut out = String::new();
        let line = match self.lang {
            Lang::Zh => {
                let created = if t.created > 0 {
                    format!("创建 {}，", t.created)
                } else {
                    String::new()
                };
                format!(
                    "本期 {from} 至 {to}：记录 {} 条（{created}接受 {}，拒绝 {}）；首次发布 {} 项，发布新版本 {} 项；\
                     退回 {} 次；启动修订 {} 次（终止 {}）；督导检查 {} 次，评估 {} 次（未达标 {}）；实施报告 {} 份；\
                     验收固化 {} 项",
                    t.records,
                    t.accepted,
                    t.refused,
                    t.first_published,
                    t.new_versions,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated
                )
            }
            Lang::En => {
                let created = if t.created > 0 {
                    format!("{} created, ", t.created)
                } else {
                    String::new()
                };
                format!(
                    "From {from} to {to}: {} records ({created}{} accepted, {} refused); {} standards first \
                     published, {} new versions; {} send-backs; {} revisions opened ({} cancelled); {} inspections, \
                     {} evaluations ({} weak); {} implementation reports; {} accepted and consolidated",
                    t.records,
                    t.accepted,
                    t.refused,
                    t.first_published,
                    t.new_versions,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated
                )
            }
        };
        say!(out, "\n{line}");
        out
    }

    /// The report as of the end of `due`, the deadline (whatever a step due that day
    /// still lacks is overdue from that instant, 0 days): progress by domain and stage,
    /// each step's compliance with the late standards listed, the standards without a
    /// department, each department's load. Starts with a blank line.
    pub fn as_of<S: Store>(&self, court: &Court<S>, due: NaiveDate) -> String {
        let mut out = String::new();
        let catalog = court.catalog();
        let ledger = court.ledger();
        let work_plan = court.work_plan();
        let as_of = plan::end_of_day(due, catalog.court().timezone);
        let rule = "═".repeat(100);
        let steps_due: Vec<String> = catalog
            .steps()
            .iter()
            .filter(|s| s.due == due)
            .map(|s| self.t(&s.label).to_owned())
            .collect();
        say!(out, "\n{rule}");
        match self.lang {
            Lang::Zh => say!(out, "截至 {due} 日终（期限届满）· {}", steps_due.join(" / ")),
            Lang::En => say!(out, "As of the end of {due} (the deadline) · {}", steps_due.join(" / ")),
        }
        say!(out, "{rule}");

        // Progress: stages as rows, domains as columns.
        let progress = plan::progress(catalog, &ledger, work_plan, as_of, GroupBy::Domain);
        say!(
            out,
            "\n{}",
            self.s("进度（按领域、阶段）", "Progress by domain and stage")
        );
        let mut header = vec![self.s("阶段", "Stage").to_owned()];
        header.extend(progress.rows.iter().map(|r| self.t(&r.label).to_owned()));
        header.push(self.t(&plan::labels::TOTAL).to_owned());
        let mut rows = Vec::new();
        for (k, count) in progress.total.by_stage.iter().enumerate() {
            if count.stage.is_none() && count.count == 0 {
                continue;
            }
            let mut row = vec![self.t(&count.label).to_owned()];
            for r in &progress.rows {
                row.push(r.by_stage.get(k).map_or(0, |c| c.count).to_string());
            }
            row.push(count.count.to_string());
            rows.push(row);
        }
        type Count = fn(&plan::ProgressRow) -> usize;
        let extra: [(Text, Count); 3] = [
            (plan::labels::IN_FORCE, |r| r.in_force),
            (plan::labels::UNASSIGNED, |r| r.unassigned),
            (plan::labels::OVERDUE, |r| r.overdue),
        ];
        rows.push(vec![String::new(); header.len()]);
        for (label, f) in extra {
            let mut row = vec![self.t(&label).to_owned()];
            row.extend(progress.rows.iter().map(|r| f(r).to_string()));
            row.push(f(&progress.total).to_string());
            rows.push(row);
        }
        out.push_str(&table("  ", &header, &rows, 1));

        // Compliance with each step.
        let statuses = plan::statuses(catalog, &ledger, work_plan, as_of);
        let lateness = plan::lateness(catalog, &ledger, work_plan, as_of);
        say!(
            out,
            "\n{}",
            self.s("推进步骤完成情况", "Compliance with the plan's steps")
        );
        for step in catalog.steps() {
            let mut scope = 0;
            let mut on_time = 0;
            let mut late_done = 0;
            let mut withdrawn = 0;
            for s in &statuses {
                for m in s.milestones.iter().filter(|m| m.due.step == step.id) {
                    scope += 1;
                    match m.standing {
                        Standing::Done { late: false, .. } => on_time += 1,
                        Standing::Done { late: true, .. } => late_done += 1,
                        Standing::Withdrawn => withdrawn += 1,
                        _ => {}
                    }
                }
            }
            let late: &[plan::LateEntry] = lateness
                .steps
                .iter()
                .find(|s| s.step == step.id)
                .map_or(&[], |s| s.late.as_slice());
            let short = self
                .t(&step.label)
                .split(['：', ':'])
                .next()
                .unwrap_or_default()
                .to_owned();
            let head = format!(
                "  {short} · {} · {} {}",
                self.t(&step.milestone.label()),
                self.s("时限", "due"),
                step.due
            );
            let body = if step.due > due {
                match self.lang {
                    Lang::Zh => format!("未到期：{scope} 项中已达到 {}", on_time + late_done),
                    Lang::En => format!("not yet due: {} of {scope} reached", on_time + late_done),
                }
            } else {
                let mut text = match self.lang {
                    Lang::Zh => format!(
                        "{scope} 项：按期完成 {on_time}，逾期完成 {late_done}，逾期未完成 {}",
                        late.len()
                    ),
                    Lang::En => format!(
                        "{scope} standards: {on_time} on time, {late_done} late, {} overdue",
                        late.len()
                    ),
                };
                if withdrawn > 0 {
                    text.push_str(&match self.lang {
                        Lang::Zh => format!("，废止 {withdrawn}"),
                        Lang::En => format!(", {withdrawn} withdrawn"),
                    });
                }
                text
            };
            say!(out, "{head} — {body}");
            if step.due <= due && !late.is_empty() {
                const SHOWN: usize = 15;
                let rows: Vec<Vec<String>> = late
                    .iter()
                    .take(SHOWN)
                    .map(|e| {
                        vec![
                            e.code.clone(),
                            clip(self.t(&e.name), 30),
                            self.t(&e.department_label).to_owned(),
                            self.t(&e.stage_label).to_owned(),
                            match (self.lang, e.days_overdue) {
                                (Lang::Zh, 0) => "到期未完成".to_owned(),
                                (Lang::En, 0) => "missed".to_owned(),
                                (Lang::Zh, d) => format!("逾期 {d} 天"),
                                (Lang::En, d) => format!("{d} days overdue"),
                            },
                        ]
                    })
                    .collect();
                let header = [
                    self.t(&plan::labels::CODE),
                    self.t(&plan::labels::NAME),
                    self.t(&plan::labels::DEPARTMENT),
                    self.t(&plan::labels::STAGE),
                    self.t(&plan::labels::OVERDUE),
                ]
                .map(str::to_owned);
                out.push_str(&table("      ", &header, &rows, 4));
                if late.len() > SHOWN {
                    say!(
                        out,
                        "      {}",
                        match self.lang {
                            Lang::Zh => format!("……另有 {} 项", late.len() - SHOWN),
                            Lang::En => format!("… and {} more", late.len() - SHOWN),
                        }
                    );
                }
            }
        }

        // Standards still without a department.
        let unassigned: Vec<String> = statuses
            .iter()
            .filter(|s| s.department.is_none() && s.stage != Some(Stage::Withdrawn))
            .map(|s| {
                format!(
                    "{} {}{}{}{}",
                    s.code,
                    self.t(&s.name),
                    self.s("（", " ("),
                    self.t(&s.stage_label),
                    self.s("）", ")")
                )
            })
            .collect();
        say!(
            out,
            "\n{}{}{}",
            self.t(&plan::labels::UNASSIGNED),
            self.s("：", ": "),
            if unassigned.is_empty() {
                self.s("无", "none").to_owned()
            } else {
                format!("{} {}", unassigned.len(), self.s("项", "standard(s)"))
            }
        );
        if !unassigned.is_empty() {
            say!(out, "{}", wrap("  ", &unassigned, self.s("；", "; "), 100));
        }

        // Each department's load.
        let load = plan::department_load(catalog, &ledger, work_plan, as_of);
        say!(out, "\n{}", self.s("各部门工作量", "Load by department"));
        let header = [
            self.t(&plan::labels::DEPARTMENT),
            self.t(&plan::labels::TOTAL),
            self.t(&plan::labels::CORE),
            self.t(&plan::labels::IN_PROGRESS),
            self.t(&plan::labels::IN_FORCE),
            self.t(&plan::labels::CONSOLIDATED),
            self.t(&plan::labels::WITHDRAWN),
            self.t(&plan::labels::OVERDUE),
        ]
        .map(str::to_owned);
        let rows: Vec<Vec<String>> = load
            .iter()
            .filter(|d| d.total > 0)
            .map(|d| {
                vec![
                    self.t(&d.label).to_owned(),
                    d.total.to_string(),
                    d.core.to_string(),
                    d.in_progress.to_string(),
                    d.in_force.to_string(),
                    d.consolidated.to_string(),
                    d.withdrawn.to_string(),
                    d.overdue.to_string(),
                ]
            })
            .collect();
        out.push_str(&table("  ", &header, &rows, 1));
        out
    }
}
