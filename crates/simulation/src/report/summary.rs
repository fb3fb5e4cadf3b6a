//! The whole run in figures, and the verification of its store.

use regula_core::{Lang, Store};
use regula_standards::Stage;
use regula_standards::service::Court;

use super::Narrator;
use super::layout::wrap;
use crate::tally::Summary;
use crate::verify::Verification;

impl Narrator {
    /// The whole run in figures: events and records, refusals by check, the notable
    /// actions, and the standards not consolidated at the horizon. Starts with a blank
    /// line and a rule.
    pub fn summary<S: Store>(&self, court: &Court<S>, summary: &Summary) -> String {
        let mut out = String::new();
        let lang = self.lang;
        let t = &summary.tally;
        let horizon = summary.horizon;
        let events = summary.events;
        let ledger = court.ledger();
        let not_final: Vec<String> = ledger
            .iter()
            .filter(|d| !matches!(d.stage, Stage::Consolidated | Stage::Withdrawn))
            .map(|d| {
                format!(
                    "{} {}{}{}{}",
                    d.code,
                    d.name.get(lang),
                    self.s("（", " ("),
                    d.stage.label().get(lang),
                    self.s("）", ")")
                )
            })
            .collect();
        let revised = ledger.iter().filter(|d| d.versions.len() > 1).count();
        say!(out, "\n{}", "═".repeat(100));
        say!(out, "{}", self.s("全程统计", "The whole run"));
        say!(
            out,
            "{}",
            match lang {
                Lang::Zh => format!(
                    "  事件 {events} 个；记录 {} 条：创建 {}，接受 {}，拒绝 {}；{horizon} 之后的 {} 个计划事件未执行",
                    t.records, t.created, t.accepted, t.refused, summary.beyond_horizon
                ),
                Lang::En => format!(
                    "  {events} events; {} records: {} created, {} accepted, {} refused; {} events planned after \
                     {horizon} not played",
                    t.records, t.created, t.accepted, t.refused, summary.beyond_horizon
                ),
            }
        );
        let refusals: Vec<String> = summary.refusals.iter().map(|(k, n)| format!("{k} × {n}")).collect();
        say!(
            out,
            "  {}{}",
            self.s("拒绝（按检查项）：", "Refusals (by check): "),
            refusals.join(", ")
        );
        say!(
            out,
            "{}",
            match lang {
                Lang::Zh => format!(
                    "  指定责任部门 {}；登记意见 {}；首次发布 {}，发布新版本 {}（{} 项标准有多个版本）；退回 {} 次；启动修订 {} 次，终止 {} 次；\
                     督导检查 {}，评估 {}（未达标 {}）；实施报告 {}；验收固化 {}；废止 {}",
                    t.assigned,
                    t.opinions,
                    t.first_published,
                    t.new_versions,
                    revised,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated,
                    t.withdrawn
                ),
                Lang::En => format!(
                    "  {} departments assigned; {} opinions recorded; {} first publications, {} new versions ({} standards with several \
                     versions); {} send-backs; {} revisions opened, {} cancelled; {} inspections, {} evaluations ({} \
                     weak); {} implementation reports; {} accepted and consolidated; {} withdrawn",
                    t.assigned,
                    t.opinions,
                    t.first_published,
                    t.new_versions,
                    revised,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated,
                    t.withdrawn
                ),
            }
        );
        let not_consolidated = match lang {
            Lang::Zh => format!("  {horizon} 仍未定型固化："),
            Lang::En => format!("  Not consolidated on {horizon}: "),
        };
        say!(
            out,
            "{not_consolidated}{}",
            if not_final.is_empty() {
                self.s("无", "none").to_owned()
            } else {
                not_final.len().to_string()
            }
        );
        if !not_final.is_empty() {
            say!(out, "{}", wrap("    ", &not_final, self.s("；", "; "), 110));
        }
        out
    }

    /// The verification: what was checked, the result, the store's counts, every
    /// problem. Starts with a blank line.
    pub fn verification(&self, v: &Verification) -> String {
        let mut out = String::new();
        let report = &v.report;
        say!(
            out,
            "\n{}",
            self.s(
                "验证（Court::verify：哈希链、实例头、Merkle 树、时间；每项标准的日志按其所引用的规则重放，守卫重新检查）",
                "Verification (Court::verify: hash chains, heads, Merkle tree, times; every standard's log replayed \
                 under the rules each record cites, guards re-checked)"
            )
        );
        say!(
            out,
            "  {}",
            match self.lang {
                Lang::Zh => format!(
                    "记录 {} 条（标准 {} 条，规则日志 {} 条），实例 {} 个（重放 {} 个）：{}",
                    report.records,
                    report.records - v.rules,
                    v.rules,
                    report.instances,
                    report.replayed,
                    if report.is_ok() { "通过" } else { "发现问题" }
                ),
                Lang::En => format!(
                    "{} records ({} of standards, {} of the rules log), {} instances ({} replayed): {}",
                    report.records,
                    report.records - v.rules,
                    v.rules,
                    report.instances,
                    report.replayed,
                    if report.is_ok() { "ok" } else { "PROBLEMS FOUND" }
                ),
            }
        );
        let (created, accepted, refused) = (v.created, v.accepted, v.refused);
        say!(
            out,
            "  {}",
            match self.lang {
                Lang::Zh => format!("存储中：创建 {created}，接受 {accepted}，拒绝 {refused}"),
                Lang::En => format!("in the store: {created} created, {accepted} accepted, {refused} refused"),
            }
        );
        for p in &report.problems {
            say!(out, "  ✗ {p}");
        }
        if !v.counts_match {
            say!(
                out,
                "  ✗ {}",
                self.s(
                    "存储中的记录数与模拟的计数不一致",
                    "the store's counts differ from the simulation's"
                )
            );
        }
        out
    }
}
