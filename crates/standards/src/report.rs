//! A court's report as of a date ([`Court::report`]): progress by domain, category,
//! department and state, compliance with each step of the plan, each department's
//! load, and the yearly assessment of each department; with the leading group's
//! hearings held by then. The [`Report`] serializes as `regula report --format json`
//! prints it, and renders as titled [`Table`]s, Markdown ([`Report::to_markdown`]) or
//! CSV ([`Report::to_csv`]) in either language, so every front end shows the same
//! figures with the same labels.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use regula_core::{Lang, Store, Text};
use serde::{Deserialize, Serialize};

use crate::affairs::Hearing;
use crate::assessment::{AssessmentError, AssessmentReport};
use crate::lifecycle::Stage;
use crate::plan::{self, DepartmentLoad, GroupBy, LatenessReport, ProgressReport};
use crate::service::{Court, ServiceError};

/// A section of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Progress by domain.
    Domain,
    /// Progress by category.
    Category,
    /// Progress by department.
    Department,
    /// Progress by state.
    State,
    /// Compliance with each step of the plan.
    Steps,
    /// Each department's load.
    Load,
    /// The yearly assessment of each department (考核): on-time rate per step,
    /// refusals by rule, inspections and findings, failed evaluations, revisions.
    Assessment,
}

impl Section {
    /// Every section, in the order the report prints them.
    pub const ALL: [Section; 7] = [
        Section::Domain,
        Section::Category,
        Section::Department,
        Section::State,
        Section::Steps,
        Section::Load,
        Section::Assessment,
    ];

    /// The sections of a report that names none and no year: all but the category
    /// grouping and the assessment.
    pub const DEFAULT: [Section; 5] = [
        Section::Domain,
        Section::Department,
        Section::State,
        Section::Steps,
        Section::Load,
    ];

    /// The machine name (as serialized).
    pub const fn as_str(self) -> &'static str {
        match self {
            Section::Domain => "domain",
            Section::Category => "category",
            Section::Department => "department",
            Section::State => "state",
            Section::Steps => "steps",
            Section::Load => "load",
            Section::Assessment => "assessment",
        }
    }

    /// What the section holds, in zh and en (the command line's help shows the en).
    pub const fn label(self) -> Text {
        match self {
            Section::Domain => Text::new("按领域统计进度", "Progress by domain"),
            Section::Category => Text::new("按类别统计进度", "Progress by category"),
            Section::Department => Text::new("按责任部门统计进度", "Progress by department"),
            Section::State => Text::new("按状态统计进度", "Progress by state"),
            Section::Steps => Text::new("各推进步骤的完成情况", "Compliance with each step of the plan"),
            Section::Load => Text::new("各部门工作量", "Each department's load"),
            Section::Assessment => Text::new(
                "各部门年度考核：各步骤按期完成率、按规则统计的被拒绝次数、检查及发现的问题、未通过的评估、启动的修订",
                "The yearly assessment of each department (考核): on-time rate per step, refusals by rule, inspections and findings, failed evaluations, revisions",
            ),
        }
    }

    /// The section with this machine name.
    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The grouping of a progress section; `None` for the others.
    pub const fn group_by(self) -> Option<GroupBy> {
        match self {
            Section::Domain => Some(GroupBy::Domain),
            Section::Category => Some(GroupBy::Category),
            Section::Department => Some(GroupBy::Department),
            Section::State => Some(GroupBy::Stage),
            Section::Steps | Section::Load | Section::Assessment => None,
        }
    }
}

/// What a report covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ReportQuery {
    /// The sections, in the order asked. Empty: the assessment alone when `year` is
    /// given, else [`Section::DEFAULT`].
    #[serde(default)]
    pub sections: Vec<Section>,
    /// The date the report describes, as of the end of that day in the court's time
    /// zone (absent: now).
    pub as_of: Option<NaiveDate>,
    /// The year of the assessment (absent: the year of `as_of`, else the current year
    /// in the court's time zone).
    pub year: Option<i32>,
}

/// A report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The assessment could not be made (a year out of range, a log that does not
    /// replay, the store).
    #[error(transparent)]
    Assessment(#[from] AssessmentError),
    /// The court could not be read as of the date.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ReportError {
    /// What went wrong, in zh and en (the en text is the error's `Display`).
    pub fn message(&self) -> Text {
        match self {
            ReportError::Assessment(AssessmentError::YearOutOfRange { year }) => {
                Text::owned(format!("年度 {year} 超出考核可用的范围"), self.to_string())
            }
            other => Text::owned(other.to_string(), other.to_string()),
        }
    }
}

/// A court's report as of a date (see the [module docs](crate::report)).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// The instant described: the end of the day asked for, or now.
    pub as_of: DateTime<Utc>,
    /// One progress report per grouping asked for, in the order asked.
    pub progress: Vec<ProgressReport>,
    /// Compliance with each step of the plan, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<LatenessReport>,
    /// Each department's load, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<Vec<DepartmentLoad>>,
    /// The yearly assessment, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<AssessmentReport>,
    /// The leading group's progress hearings held by then (定期听取).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hearings: Vec<Hearing>,
    /// The date asked for, or the local date of now (not the local date of the end of
    /// the day, which is the first instant of the next): titles name it.
    #[serde(skip)]
    pub date: NaiveDate,
    /// The assessment's year (also when the assessment was not asked for).
    #[serde(skip)]
    pub year: i32,
    /// True when the report is the assessment alone, which covers a year, not a date.
    #[serde(skip)]
    pub only_assessment: bool,
}

impl<S: Store> Court<S> {
    /// The report `query` asks for, as of the end of its day in the court's time zone,
    /// else `now`: every standard as its log stood then, under the catalog in force
    /// then ([`crate::as_of`]).
    pub fn report(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<Report, ReportError> {
        let config = self.config();
        let as_of = query.as_of.map_or(now, |d| plan::end_of_day(d, config.timezone));
        let sections: &[Section] = match (query.sections.is_empty(), query.year) {
            (true, Some(_)) => &[Section::Assessment],
            (true, None) => &Section::DEFAULT,
            (false, _) => &query.sections,
        };
        let catalog = &self.catalog_as_of(as_of)?;
        let ledger = self.ledger_as_of(as_of)?;
        let work_plan = self.work_plan();
        let progress = sections
            .iter()
            .filter_map(|s| s.group_by())
            .map(|g| plan::progress(catalog, &ledger, work_plan, as_of, g))
            .collect();
        let steps = sections
            .contains(&Section::Steps)
            .then(|| plan::lateness(catalog, &ledger, work_plan, as_of));
        let load = sections
            .contains(&Section::Load)
            .then(|| plan::department_load(catalog, &ledger, work_plan, as_of));
        let date = query.as_of.unwrap_or_else(|| config.local_date(as_of));
        let year = query.year.unwrap_or_else(|| date.year());
        let assessment = sections
            .contains(&Section::Assessment)
            .then(|| self.assessment(year))
            .transpose()?;
        let hearings = self
            .hearings()
            .iter()
            .filter(|h| h.decided.at <= as_of)
            .cloned()
            .collect();
        Ok(Report {
            as_of,
            progress,
            steps,
            load,
            assessment,
            hearings,
            date,
            year,
            only_assessment: sections == [Section::Assessment],
        })
    }
}

impl Report {
    /// The report as titled tables in `lang`, dates of decisions in `tz`, in the order
    /// of its sections. Cells are as the data holds them, not escaped for a terminal
    /// ([`Table::escape`]).
    pub fn tables(&self, lang: Lang, tz: FixedOffset) -> Vec<Table> {
        let mut tables: Vec<Table> = self.progress.iter().map(|p| progress_table(lang, p)).collect();
        if let Some(steps) = &self.steps {
            tables.extend(step_tables(lang, steps, self.date, tz));
        }
        if let Some(load) = &self.load {
            tables.push(load_table(lang, load));
        }
        if let Some(assessment) = &self.assessment {
            tables.extend(assessment_tables(lang, assessment));
        }
        tables
    }

    /// The tables, escaped ([`Table::escape`]): names and labels come from the catalog.
    fn escaped_tables(&self, lang: Lang, tz: FixedOffset) -> Vec<Table> {
        let mut tables = self.tables(lang, tz);
        for t in &mut tables {
            t.escape();
        }
        tables
    }

    /// The report in Markdown: a title (the assessment's and its year when it is the
    /// assessment alone, else the date), then each table under its own heading.
    pub fn to_markdown(&self, lang: Lang, tz: FixedOffset) -> String {
        let mut out = if self.only_assessment {
            format!("# {} {}\n", crate::assessment::labels::TITLE.get(lang), self.year)
        } else {
            format!(
                "# {} {}\n",
                pick(lang, "标准化建设进度 截至", "Standardization progress as of"),
                self.date
            )
        };
        for t in self.escaped_tables(lang, tz) {
            out.push_str(&format!("\n## {}\n\n{}", t.title, t.to_markdown()));
        }
        out
    }

    /// The report in CSV: each table as its title on a line, its header and rows, a
    /// blank line between tables.
    pub fn to_csv(&self, lang: Lang, tz: FixedOffset) -> String {
        let mut out = String::new();
        for (i, t) in self.escaped_tables(lang, tz).iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&csv_row(std::slice::from_ref(&t.title)));
            out.push('\n');
            out.push_str(&t.to_csv());
        }
        out
    }
}

/// A titled table of the report, rendered in any of the formats.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    /// The title.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows, of typed cells: text formats show each as [`Cell`]'s `Display` does; a
    /// workbook keeps numbers, rates and dates as such.
    pub rows: Vec<Vec<Cell>>,
}

/// One cell of a [`Table`]: what it holds, so that a spreadsheet gets numbers and
/// dates, not their text. `Display` gives the text every text format prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    /// Text: names, labels, codes, and figures written with words around them.
    Text(String),
    /// A whole number: a count, days.
    Int(i64),
    /// A rate between 0 and 1, shown as a percentage with one decimal.
    Percent(f64),
    /// A date.
    Date(NaiveDate),
    /// Nothing to show (a rate with nothing due): a dash in text.
    Empty,
}

impl Cell {
    /// A count.
    pub fn count(n: usize) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// A rate, or [`Cell::Empty`] when there is none.
    pub fn rate(rate: Option<f64>) -> Cell {
        rate.map_or(Cell::Empty, Cell::Percent)
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(n) => write!(f, "{n}"),
            Cell::Percent(r) => write!(f, "{:.1}%", r * 100.0),
            Cell::Date(d) => write!(f, "{d}"),
            Cell::Empty => f.write_str("—"),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

impl Table {
    /// Escapes the title, the header and every text cell
    /// ([`regula_core::plain_text::escape`]), for text that may reach a terminal.
    pub fn escape(&mut self) {
        let esc = |s: &mut String| {
            if let std::borrow::Cow::Owned(e) = regula_core::plain_text::escape(s) {
                *s = e;
            }
        };
        esc(&mut self.title);
        self.header.iter_mut().for_each(esc);
        for cell in self.rows.iter_mut().flatten() {
            if let Cell::Text(s) = cell {
                esc(s);
            }
        }
    }

    /// The rows as text, each cell as it is displayed.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| r.iter().map(Cell::to_string).collect())
            .collect()
    }

    /// The table in Markdown (header, separator, rows; `|` in a cell escaped).
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!(
            "| {} |\n",
            self.header.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
        );
        out.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for row in self.text_rows() {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    /// The table in CSV, header first.
    pub fn to_csv(&self) -> String {
        let mut out = csv_row(&self.header) + "\n";
        for row in self.text_rows() {
            out.push_str(&csv_row(&row));
            out.push('\n');
        }
        out
    }
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

/// A table's column names in `lang`, each given in zh and en.
fn header(lang: Lang, columns: &[(&'static str, &'static str)]) -> Vec<String> {
    columns.iter().map(|&(zh, en)| pick(lang, zh, en).to_owned()).collect()
}

/// A literal in `lang`: the tables' own column names, which no other module labels.
const fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn progress_table(lang: Lang, report: &ProgressReport) -> Table {
    let count = |row: &plan::ProgressRow, pick: &dyn Fn(Option<Stage>) -> bool| -> usize {
        row.by_stage.iter().filter(|c| pick(c.stage)).map(|c| c.count).sum()
    };
    let cells = |row: &plan::ProgressRow| -> Vec<Cell> {
        vec![
            row.label.get(lang).into(),
            Cell::count(row.total),
            Cell::count(count(row, &|s| s.is_none())),
            Cell::count(count(row, &|s| s.is_some_and(Stage::is_in_progress))),
            Cell::count(count(row, &|s| matches!(s, Some(Stage::Published | Stage::FollowUp)))),
            Cell::count(count(row, &|s| s == Some(Stage::Consolidated))),
            Cell::count(count(row, &|s| s == Some(Stage::Withdrawn))),
            Cell::count(row.in_force),
            Cell::count(row.unassigned),
            Cell::count(row.overdue),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = report.rows.iter().map(cells).collect();
    rows.push(cells(&report.total));
    let group = match report.group_by {
        plan::GroupBy::Domain => pick(lang, "按领域", "by domain"),
        plan::GroupBy::Category => pick(lang, "按类别", "by category"),
        plan::GroupBy::Department => pick(lang, "按责任部门", "by department"),
        plan::GroupBy::Stage => pick(lang, "按状态", "by state"),
    };
    Table {
        title: format!("{} {group}", report.title.get(lang)),
        header: header(
            lang,
            &[
                ("分组", "group"),
                ("总数", "total"),
                ("未启动", "not started"),
                ("制定中", "in progress"),
                ("已发布/实施", "published/follow-up"),
                ("已固化", "consolidated"),
                ("已废止", "withdrawn"),
                ("有现行版本", "in force"),
                ("未指定部门", "unassigned"),
                ("逾期", "overdue"),
            ],
        ),
        rows,
    }
}

fn step_tables(lang: Lang, report: &LatenessReport, date: NaiveDate, tz: FixedOffset) -> Vec<Table> {
    let summary = Table {
        title: report.title.get(lang).to_owned(),
        header: header(
            lang,
            &[
                ("步骤", "step"),
                ("期限", "due"),
                ("逾期项数", "late"),
                ("延期项数", "extended"),
            ],
        ),
        rows: report
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.label.get(lang).into(),
                    s.due.into(),
                    Cell::count(s.late.len()),
                    Cell::count(s.extended.len()),
                ]
            })
            .collect(),
    };
    let mut tables = vec![summary];
    for step in report.steps.iter().filter(|s| !s.extended.is_empty()) {
        tables.push(Table {
            title: format!(
                "{} — {}",
                step.label.get(lang),
                pick(lang, "延期（领导小组决定）", "extended (leading group decisions)")
            ),
            header: header(
                lang,
                &[
                    ("编号", "code"),
                    ("名称", "name"),
                    ("责任部门", "department"),
                    ("原期限", "plan's date"),
                    ("延期至", "extended to"),
                    ("决定", "decision"),
                    ("理由", "reason"),
                    ("进度", "standing"),
                ],
            ),
            rows: step
                .extended
                .iter()
                .map(|x| {
                    let e = &x.extension;
                    vec![
                        x.code.as_str().into(),
                        x.name.get(lang).into(),
                        x.department_label.get(lang).into(),
                        step.due.into(),
                        e.due.into(),
                        Cell::Text(format!(
                            "{} {} (#{})",
                            e.decided.by,
                            e.decided.at.with_timezone(&tz).format("%Y-%m-%d"),
                            e.decided.seq
                        )),
                        e.reason.as_str().into(),
                        x.standing_label.get(lang).into(),
                    ]
                })
                .collect(),
        });
    }
    for step in report.steps.iter().filter(|s| !s.late.is_empty()) {
        tables.push(Table {
            // "截至 DATE 逾期": DATE is when lateness is judged, not a due date.
            title: match lang {
                Lang::Zh => format!("{} — 截至 {date} 逾期", step.label.get(lang)),
                Lang::En => format!("{} — late as of {date}", step.label.get(lang)),
            },
            header: header(
                lang,
                &[
                    ("编号", "code"),
                    ("名称", "name"),
                    ("责任部门", "department"),
                    ("状态", "state"),
                    ("期限", "due"),
                    ("逾期天数", "days late"),
                ],
            ),
            rows: step
                .late
                .iter()
                .map(|l| {
                    let due = if let Some(e) = &l.extension {
                        // An extension is shown as one, with the decision behind it.
                        Cell::Text(format!(
                            "{} ({} {} {} #{}: {})",
                            l.due,
                            pick(lang, "延期：领导小组", "extended by the leading group:"),
                            e.decided.by,
                            e.decided.at.with_timezone(&tz).format("%Y-%m-%d"),
                            e.decided.seq,
                            e.reason
                        ))
                    } else if l.from_work_plan {
                        Cell::Text(format!("{} ({})", l.due, pick(lang, "年度计划", "work plan")))
                    } else {
                        l.due.into()
                    };
                    vec![
                        l.code.as_str().into(),
                        l.name.get(lang).into(),
                        l.department_label.get(lang).into(),
                        l.stage_label.get(lang).into(),
                        due,
                        Cell::Int(l.days_overdue),
                    ]
                })
                .collect(),
        });
    }
    tables
}

fn load_table(lang: Lang, load: &[DepartmentLoad]) -> Table {
    Table {
        title: pick(lang, "各部门工作量", "Load per department").to_owned(),
        header: header(
            lang,
            &[
                ("责任部门", "department"),
                ("总数", "total"),
                ("核心", "core"),
                ("未启动", "not started"),
                ("制定中", "in progress"),
                ("实施中", "in force"),
                ("已固化", "consolidated"),
                ("已废止", "withdrawn"),
                ("逾期", "overdue"),
            ],
        ),
        rows: load
            .iter()
            .map(|d| {
                std::iter::once(d.label.get(lang).into())
                    .chain(
                        [
                            d.total,
                            d.core,
                            d.not_started,
                            d.in_progress,
                            d.in_force,
                            d.consolidated,
                            d.withdrawn,
                            d.overdue,
                        ]
                        .map(Cell::count),
                    )
                    .collect()
            })
            .collect(),
    }
}

/// The assessment as two tables: the figures per department with the court's total,
/// and the refusals by rule.
fn assessment_tables(lang: Lang, report: &AssessmentReport) -> Vec<Table> {
    use crate::assessment::{AssessmentRow, labels};
    let title = format!("{} {}", report.title.get(lang), report.year);
    let mut header = vec![labels::DEPARTMENT.get(lang).to_owned()];
    for step in &report.steps {
        header.push(format!(
            "{} {} ({})",
            step.label.get(lang),
            labels::ON_TIME.get(lang),
            step.due
        ));
        header.push(format!("{} {}", step.label.get(lang), labels::ON_TIME_RATE.get(lang)));
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
        .map(|l| l.get(lang).to_owned()),
    );
    let cells = |row: &AssessmentRow| -> Vec<Cell> {
        let mut cells = vec![row.label.get(lang).into()];
        for s in &row.steps {
            cells.push(Cell::Text(match s.pending {
                0 => format!("{}/{}", s.on_time, s.due),
                n => format!("{}/{} ({n} {})", s.on_time, s.due, labels::PENDING.get(lang)),
            }));
            cells.push(Cell::rate(s.on_time_rate));
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
            .map(Cell::count),
        );
        cells
    };
    let mut rows: Vec<Vec<Cell>> = report.rows.iter().map(cells).collect();
    rows.push(cells(&report.total));
    let main = Table { title, header, rows };
    let mut by_rule = Vec::new();
    for row in report.rows.iter().chain(std::iter::once(&report.total)) {
        for r in &row.refusals_by_rule {
            by_rule.push(vec![
                row.label.get(lang).into(),
                r.label.get(lang).into(),
                r.rule.as_str().into(),
                Cell::count(r.count),
            ]);
        }
    }
    let refusals = Table {
        title: format!("{} {}", labels::REFUSALS_TITLE.get(lang), report.year),
        header: vec![
            labels::DEPARTMENT.get(lang).to_owned(),
            labels::RULE.get(lang).to_owned(),
            labels::RULE_ID.get(lang).to_owned(),
            labels::COUNT.get(lang).to_owned(),
        ],
        rows: by_rule,
    };
    vec![main, refusals]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_markdown_escape() {
        let t = Table {
            title: "t".into(),
            header: vec!["a".into(), "b".into()],
            rows: vec![
                vec!["x,y".into(), "say \"hi\"".into()],
                vec!["p|q".into(), Cell::Int(7)],
            ],
        };
        assert_eq!(t.to_csv(), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\np|q,7\n");
        assert_eq!(
            t.to_markdown(),
            "| a | b |\n|---|---|\n| x,y | say \"hi\" |\n| p\\|q | 7 |\n"
        );
    }

    #[test]
    fn cells_display_as_the_text_formats_always_printed_them() {
        let date = NaiveDate::from_ymd_opt(2023, 6, 30).expect("a date");
        let shown: Vec<String> = [
            Cell::count(12),
            Cell::Int(-3),
            Cell::rate(Some(0.755)),
            Cell::rate(Some(1.0)),
            Cell::rate(None),
            date.into(),
            "立案庭".into(),
        ]
        .iter()
        .map(Cell::to_string)
        .collect();
        assert_eq!(shown, ["12", "-3", "75.5%", "100.0%", "—", "2023-06-30", "立案庭"]);
        let mut t = Table {
            title: "t".into(),
            header: vec!["a".into()],
            rows: vec![vec!["x\u{1b}[2J".into(), Cell::Int(1)]],
        };
        t.escape();
        assert_eq!(t.rows[0][1], Cell::Int(1), "figures are not text to escape");
        assert_ne!(t.rows[0][0], Cell::Text("x\u{1b}[2J".into()), "text is escaped");
    }

    #[test]
    fn sections_round_trip_by_name() {
        for s in Section::ALL {
            assert_eq!(Section::from_name(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::Value::from(s.as_str())));
        }
        assert_eq!(Section::from_name("Domain"), None);
    }
}
