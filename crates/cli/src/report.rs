//! `regula report`: progress by domain, category, department and state, compliance
//! with each step of the plan, and each department's load, as of a date (every
//! standard as its log stood then); and the yearly assessment of each department.

use std::io::Write;

use chrono::{Datelike, Utc};
use regula_standards::assessment::{AssessmentError, AssessmentReport};
use regula_standards::lifecycle::Stage;
use regula_standards::plan::{self, DepartmentLoad, LatenessReport, ProgressReport};
use regula_standards::service::ServiceError;
use serde::Serialize;

use crate::args::{Cli, Format, ReportArgs, Section};
use crate::cmd::{group_of, open_court};
use crate::ctx::{CliError, parse_date};
use crate::out::Out;

/// A titled table, rendered in any of the formats.
pub struct Table {
    /// The title.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Escapes the title and every cell ([`regula_core::plain_text::escape`]).
    pub fn escape(&mut self) {
        let esc = |s: &mut String| {
            if let std::borrow::Cow::Owned(e) = regula_core::plain_text::escape(s) {
                *s = e;
            }
        };
        esc(&mut self.title);
        self.header.iter_mut().for_each(esc);
        self.rows.iter_mut().flatten().for_each(esc);
    }
}

#[derive(Serialize)]
struct JsonReport {
    as_of: chrono::DateTime<Utc>,
    progress: Vec<ProgressReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<LatenessReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    load: Option<Vec<DepartmentLoad>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<AssessmentReport>,
    /// The leading group's progress hearings held by then (定期听取).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hearings: Vec<regula_standards::affairs::Hearing>,
}

/// The CLI's error for an assessment that could not be made.
fn assessment_error(e: AssessmentError) -> CliError {
    match e {
        AssessmentError::Service(e) => CliError::Service(e),
        AssessmentError::Store(e) => CliError::Store(e),
        AssessmentError::Log(e) => CliError::Service(ServiceError::Verify(e)),
        other => CliError::Usage(other.to_string()),
    }
}

/// Runs `regula report`.
pub fn run(cli: &Cli, out: Out, args: &ReportArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let config = court.config();
    let as_of = match &args.as_of {
        Some(d) => plan::end_of_day(parse_date(d)?, config.timezone),
        None => Utc::now(),
    };
    let sections: Vec<Section> = if args.by.is_empty() && args.year.is_some() {
        vec![Section::Assessment]
    } else if args.by.is_empty() {
        vec![
            Section::Domain,
            Section::Department,
            Section::State,
            Section::Steps,
            Section::Load,
        ]
    } else {
        args.by.clone()
    };
    // Every standard as its log stood at `as_of`, under the rules in force then
    // (regula_standards::as_of).
    let catalog = &court.catalog_as_of(as_of)?;
    let ledger = court.ledger_as_of(as_of)?;
    let work_plan = court.work_plan();
    let progress: Vec<ProgressReport> = sections
        .iter()
        .filter_map(|s| group_of(*s))
        .map(|g| plan::progress(catalog, &ledger, work_plan, as_of, g))
        .collect();
    let steps = sections
        .contains(&Section::Steps)
        .then(|| plan::lateness(catalog, &ledger, work_plan, as_of));
    let load = sections
        .contains(&Section::Load)
        .then(|| plan::department_load(catalog, &ledger, work_plan, as_of));
    let year = match (args.year, &args.as_of) {
        (Some(year), _) => year,
        (None, Some(d)) => parse_date(d)?.year(),
        (None, None) => config.local_date(as_of).year(),
    };
    let assessment = sections
        .contains(&Section::Assessment)
        .then(|| court.assessment(year))
        .transpose()
        .map_err(assessment_error)?;

    if args.format == Format::Json || out.json {
        let hearings = court
            .hearings()
            .iter()
            .filter(|h| h.decided.at <= as_of)
            .cloned()
            .collect();
        return Ok(out.print_json(&JsonReport {
            as_of,
            progress,
            steps,
            load,
            assessment,
            hearings,
        })?);
    }
    // The date asked for, not the local date of its end (the first instant of the next day).
    let date = match &args.as_of {
        Some(d) => parse_date(d)?,
        None => config.local_date(as_of),
    };
    let mut tables: Vec<Table> = progress.iter().map(|p| progress_table(out, p)).collect();
    if let Some(steps) = &steps {
        tables.extend(step_tables(out, steps, date, config.timezone));
    }
    if let Some(load) = &load {
        tables.push(load_table(out, load));
    }
    if let Some(assessment) = &assessment {
        tables.extend(assessment_tables(out, assessment));
    }
    // Names and labels come from the catalog: escaped in every format.
    for t in &mut tables {
        t.escape();
    }
    // Written, not println!'d: a closed pipe (`regula report | head`) is an error to
    // return, not a panic.
    let mut stdout = std::io::stdout().lock();
    let only_assessment = sections == [Section::Assessment];
    match args.format {
        Format::Table => {
            // The assessment alone covers a year, not a date.
            if only_assessment {
                writeln!(stdout, "{} {year}", out.s("年度", "Year"))?;
            } else {
                writeln!(stdout, "{} {date}", out.s("截至", "As of"))?;
            }
            for t in &tables {
                writeln!(stdout, "\n{}", t.title)?;
                let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
                out.table(&header, &t.rows)?;
            }
        }
        Format::Markdown => {
            if only_assessment {
                let title = regula_standards::assessment::labels::TITLE;
                writeln!(stdout, "# {} {year}", out.t(&title))?;
            } else {
                writeln!(
                    stdout,
                    "# {} {date}",
                    out.s("标准化建设进度 截至", "Standardization progress as of")
                )?;
            }
            for t in &tables {
                write!(stdout, "\n## {}\n\n{}", t.title, markdown(t))?;
            }
        }
        Format::Csv => {
            for (i, t) in tables.iter().enumerate() {
                if i > 0 {
                    writeln!(stdout)?;
                }
                writeln!(stdout, "{}", csv_row(std::slice::from_ref(&t.title)))?;
                write!(stdout, "{}", csv(t))?;
            }
        }
        Format::Json => {}
    }
    stdout.flush()?;
    Ok(())
}

fn progress_table(out: Out, report: &ProgressReport) -> Table {
    let count = |row: &plan::ProgressRow, pick: &dyn Fn(Option<Stage>) -> bool| -> usize {
        row.by_stage.iter().filter(|c| pick(c.stage)).map(|c| c.count).sum()
    };
    let cells = |row: &plan::ProgressRow| -> Vec<String> {
        vec![
            out.t(&row.label).to_owned(),
            row.total.to_string(),
            count(row, &|s| s.is_none()).to_string(),
            count(row, &|s| s.is_some_and(Stage::is_in_progress)).to_string(),
            count(row, &|s| matches!(s, Some(Stage::Published | Stage::FollowUp))).to_string(),
            count(row, &|s| s == Some(Stage::Consolidated)).to_string(),
            count(row, &|s| s == Some(Stage::Withdrawn)).to_string(),
            row.in_force.to_string(),
            row.unassigned.to_string(),
            row.overdue.to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = report.rows.iter().map(cells).collect();
    rows.push(cells(&report.total));
    let group = match report.group_by {
        plan::GroupBy::Domain => out.s("按领域", "by domain"),
        plan::GroupBy::Category => out.s("按类别", "by category"),
        plan::GroupBy::Department => out.s("按责任部门", "by department"),
        plan::GroupBy::Stage => out.s("按状态", "by state"),
    };
    Table {
        title: format!("{} {group}", out.t(&report.title)),
        header: [
            out.s("分组", "group"),
            out.s("总数", "total"),
            out.s("未启动", "not started"),
            out.s("制定中", "in progress"),
            out.s("已发布/实施", "published/follow-up"),
            out.s("已固化", "consolidated"),
            out.s("已废止", "withdrawn"),
            out.s("有现行版本", "in force"),
            out.s("未指定部门", "unassigned"),
            out.s("逾期", "overdue"),
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    }
}

fn step_tables(out: Out, report: &LatenessReport, date: chrono::NaiveDate, tz: chrono::FixedOffset) -> Vec<Table> {
    let summary = Table {
        title: out.t(&report.title).to_owned(),
        header: [
            out.s("步骤", "step"),
            out.s("期限", "due"),
            out.s("逾期项数", "late"),
            out.s("延期项数", "extended"),
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: report
            .steps
            .iter()
            .map(|s| {
                vec![
                    out.t(&s.label).to_owned(),
                    s.due.to_string(),
                    s.late.len().to_string(),
                    s.extended.len().to_string(),
                ]
            })
            .collect(),
    };
    let mut tables = vec![summary];
    for step in report.steps.iter().filter(|s| !s.extended.is_empty()) {
        tables.push(Table {
            title: format!(
                "{} — {}",
                out.t(&step.label),
                out.s("延期（领导小组决定）", "extended (leading group decisions)")
            ),
            header: [
                out.s("编号", "code"),
                out.s("名称", "name"),
                out.s("责任部门", "department"),
                out.s("原期限", "plan's date"),
                out.s("延期至", "extended to"),
                out.s("决定", "decision"),
                out.s("理由", "reason"),
                out.s("进度", "standing"),
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: step
                .extended
                .iter()
                .map(|x| {
                    let e = &x.extension;
                    vec![
                        x.code.clone(),
                        out.t(&x.name).to_owned(),
                        out.t(&x.department_label).to_owned(),
                        step.due.to_string(),
                        e.due.to_string(),
                        format!(
                            "{} {} (#{})",
                            e.decided.by,
                            e.decided.at.with_timezone(&tz).format("%Y-%m-%d"),
                            e.decided.seq
                        ),
                        e.reason.clone(),
                        out.t(&x.standing_label).to_owned(),
                    ]
                })
                .collect(),
        });
    }
    for step in report.steps.iter().filter(|s| !s.late.is_empty()) {
        tables.push(Table {
            // "截至 DATE 逾期": DATE is when lateness is judged, not a due date.
            title: match out.lang {
                regula_core::Lang::Zh => format!("{} — 截至 {date} 逾期", out.t(&step.label)),
                regula_core::Lang::En => format!("{} — late as of {date}", out.t(&step.label)),
            },
            header: [
                out.s("编号", "code"),
                out.s("名称", "name"),
                out.s("责任部门", "department"),
                out.s("状态", "state"),
                out.s("期限", "due"),
                out.s("逾期天数", "days late"),
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: step
                .late
                .iter()
                .map(|l| {
                    let due = if let Some(e) = &l.extension {
                        // An extension is shown as one, with the decision behind it.
                        format!(
                            "{} ({} {} {} #{}: {})",
                            l.due,
                            out.s("延期：领导小组", "extended by the leading group:"),
                            e.decided.by,
                            e.decided.at.with_timezone(&tz).format("%Y-%m-%d"),
                            e.decided.seq,
                            e.reason
                        )
                    } else if l.from_work_plan {
                        format!("{} ({})", l.due, out.s("年度计划", "work plan"))
                    } else {
                        l.due.to_string()
                    };
                    vec![
                        l.code.clone(),
                        out.t(&l.name).to_owned(),
                        out.t(&l.department_label).to_owned(),
                        out.t(&l.stage_label).to_owned(),
                        due,
                        l.days_overdue.to_string(),
                    ]
                })
                .collect(),
        });
    }
    tables
}

fn load_table(out: Out, load: &[DepartmentLoad]) -> Table {
    Table {
        title: out.s("各部门工作量", "Load per department").to_owned(),
        header: [
            out.s("责任部门", "department"),
            out.s("总数", "total"),
            out.s("核心", "core"),
            out.s("未启动", "not started"),
            out.s("制定中", "in progress"),
            out.s("实施中", "in force"),
            out.s("已固化", "consolidated"),
            out.s("已废止", "withdrawn"),
            out.s("逾期", "overdue"),
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: load
            .iter()
            .map(|d| {
                vec![
                    out.t(&d.label).to_owned(),
                    d.total.to_string(),
                    d.core.to_string(),
                    d.not_started.to_string(),
                    d.in_progress.to_string(),
                    d.in_force.to_string(),
                    d.consolidated.to_string(),
                    d.withdrawn.to_string(),
                    d.overdue.to_string(),
                ]
            })
            .collect(),
    }
}

/// A rate as a percentage with one decimal, or a dash when nothing was due.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The assessment as two tables: the figures per department with the court's total,
/// and the refusals by rule.
fn assessment_tables(out: Out, report: &AssessmentReport) -> Vec<Table> {
    use regula_standards::assessment::{AssessmentRow, labels};
    let title = format!("{} {}", out.t(&report.title), report.year);
    let mut header = vec![out.t(&labels::DEPARTMENT).to_owned()];
    for step in &report.steps {
        header.push(format!(
            "{} {} ({})",
            out.t(&step.label),
            out.t(&labels::ON_TIME),
            step.due
        ));
        header.push(format!("{} {}", out.t(&step.label), out.t(&labels::ON_TIME_RATE)));
    }
    header.extend(
        [
            labels::REFUSALS,
            labels::INSPECTIONS,
            labels::FINDINGS,
            labels::EVALUATIONS,
            labels::EVALUATIONS_FAILED,
            labels::REVISIONS_OPENED,
        ]
        .iter()
        .map(|l| out.t(l).to_owned()),
    );
    let cells = |row: &AssessmentRow| -> Vec<String> {
        let mut cells = vec![out.t(&row.label).to_owned()];
        for s in &row.steps {
            cells.push(match s.pending {
                0 => format!("{}/{}", s.on_time, s.due),
                n => format!("{}/{} ({n} {})", s.on_time, s.due, out.t(&labels::PENDING)),
            });
            cells.push(percent(s.on_time_rate));
        }
        cells.extend(
            [
                row.refusals,
                row.inspections,
                row.findings,
                row.evaluations,
                row.evaluations_failed,
                row.revisions_opened,
            ]
            .map(|n| n.to_string()),
        );
        cells
    };
    let mut rows: Vec<Vec<String>> = report.rows.iter().map(cells).collect();
    rows.push(cells(&report.total));
    let main = Table { title, header, rows };
    let mut by_rule = Vec::new();
    for row in report.rows.iter().chain(std::iter::once(&report.total)) {
        for r in &row.refusals_by_rule {
            by_rule.push(vec![
                out.t(&row.label).to_owned(),
                out.t(&r.label).to_owned(),
                r.rule.clone(),
                r.count.to_string(),
            ]);
        }
    }
    let refusals = Table {
        title: format!("{} {}", out.t(&labels::REFUSALS_TITLE), report.year),
        header: vec![
            out.t(&labels::DEPARTMENT).to_owned(),
            out.t(&labels::RULE).to_owned(),
            out.t(&labels::RULE_ID).to_owned(),
            out.t(&labels::COUNT).to_owned(),
        ],
        rows: by_rule,
    };
    vec![main, refusals]
}

/// A table in Markdown.
pub fn markdown(t: &Table) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n",
        t.header.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
    );
    out.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
    for row in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

/// One CSV line (RFC 4180 quoting).
pub fn csv_row(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A table in CSV, header first.
pub fn csv(t: &Table) -> String {
    let mut out = csv_row(&t.header) + "\n";
    for row in &t.rows {
        out.push_str(&csv_row(row));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_markdown_escape() {
        let t = Table {
            title: "t".into(),
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x,y".into(), "say \"hi\"".into()], vec!["p|q".into(), "r".into()]],
        };
        assert_eq!(csv(&t), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\np|q,r\n");
        assert_eq!(
            markdown(&t),
            "| a | b |\n|---|---|\n| x,y | say \"hi\" |\n| p\\|q | r |\n"
        );
    }
}
