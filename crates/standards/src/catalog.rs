//! The catalog: a court's plan as data — its organisation, its steps, and every
//! standard it must build, grouped by domain and category.
//!
//! The built-in catalog ([`Catalog::builtin`]) is `data/catalog.toml` in this crate: the
//! 117 standards of 红林法〔2022〕7号. Another court loads its own with
//! [`Catalog::from_path`]; the format is described in the crate documentation.
//! Every mistake in a file is a [`CatalogError`] naming the file, the line, the column
//! and the offending value.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate};
use regula_core::Text;
use regula_core::plain_text::{self, PlainTextError};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::department::{Department, DepartmentRef, DepartmentRegistry, NameClash, Unit};
use crate::plan::{Milestone, Scope, Step};

/// The text of the built-in catalog, `data/catalog.toml`.
pub const BUILTIN_CATALOG: &str = include_str!("../data/catalog.toml");

/// China Standard Time, UTC+8: the default time zone of a court.
pub const CHINA_STANDARD_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    // Evaluated at compile time: +08:00 is always a valid offset.
    None => panic!("UTC+8 is a valid offset"),
};

/// The only catalog file format this version reads.
pub const CATALOG_FORMAT: u32 = 1;

/// The court whose plan the catalog is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Court {
    /// Its name.
    pub label: Text,
    /// The prefix of its document numbers, e.g. `红林法` in 红林法〔2022〕7号.
    pub document_prefix: String,
    /// Its time zone: plan dates are calendar dates there.
    #[serde(serialize_with = "serialize_offset")]
    #[schemars(with = "String", regex(pattern = r"^[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?$"))]
    pub timezone: FixedOffset,
    /// The minimum length of a consultation, in days.
    pub min_consultation_days: u32,
    /// How many members of the leading group an approval meeting needs.
    pub approval_quorum: Quorum,
    /// What makes an evaluation a passing one, which acceptance needs (from
    /// definition version 2).
    pub passing_evaluation: PassMark,
    /// The department that coordinates, publishes and inspects (综合办公室).
    pub office: String,
}

/// How many members of the leading group must be present for an approval. The plan
/// does not say; `at_least_half` is this project's default (what Regula 0.1 checked),
/// and `more_than_half` is 过半数 in its strict sense.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// At least half of the members (半数以上（含半数）): 3 of 6, 3 of 5.
    #[default]
    AtLeastHalf,
    /// More than half of the members (过半数): 4 of 6, 3 of 5.
    MoreThanHalf,
}

impl Quorum {
    /// True when `present` members of a group of `members` make the quorum.
    pub fn is_met(self, present: usize, members: usize) -> bool {
        match self {
            Quorum::AtLeastHalf => present * 2 >= members,
            Quorum::MoreThanHalf => present * 2 > members,
        }
    }

    /// What the quorum requires, in both languages.
    pub const fn label(self) -> Text {
        match self {
            Quorum::AtLeastHalf => Text::new("出席成员不少于半数", "at least half of the members present"),
            Quorum::MoreThanHalf => Text::new("出席成员过半数", "more than half of the members present"),
        }
    }
}

/// What an evaluation must show to pass, which acceptance (定型固化) needs from
/// definition version 2. The plan's "运转良好" suggests the criteria were met; it does
/// not say how many, so `all_criteria_met` is this project's default and
/// `more_than_half_met` the configurable alternative (`[court] passing_evaluation`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PassMark {
    /// Every criterion of the version met its target.
    #[default]
    AllCriteriaMet,
    /// More than half of the criteria met their targets.
    MoreThanHalfMet,
}

impl PassMark {
    /// True when `met` criteria of `total` pass.
    pub fn passes(self, met: usize, total: usize) -> bool {
        total > 0
            && match self {
                PassMark::AllCriteriaMet => met == total,
                PassMark::MoreThanHalfMet => met * 2 > total,
            }
    }

    /// What the mark requires, in both languages.
    pub const fn label(self) -> Text {
        match self {
            PassMark::AllCriteriaMet => Text::new("每项评价标准均达到目标", "every criterion met its target"),
            PassMark::MoreThanHalfMet => Text::new(
                "过半数评价标准达到目标",
                "more than half of the criteria met their targets",
            ),
        }
    }
}

fn serialize_offset<S: serde::Serializer>(offset: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(offset)
}

/// The plan document the catalog transcribes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanDocument {
    /// Its title.
    pub label: Text,
    /// Its document number, if it has one; no standard may reuse it.
    pub document_number: Option<String>,
    /// Its date of issue.
    pub issued: Option<NaiveDate>,
}

/// The court that checks and accepts the standards (长春林区中级法院).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IntermediateCourt {
    /// Its name.
    pub label: Text,
    /// Other names under which its staff's unit may be given.
    pub aliases: Vec<String>,
}

impl IntermediateCourt {
    /// True when `unit` names this court.
    pub fn matches(&self, unit: &str) -> bool {
        let unit = unit.trim();
        unit == self.label.zh || unit == self.label.en || self.aliases.iter().any(|a| a == unit)
    }
}

/// A named member of the leading group (领导小组).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Member {
    /// The identifier actors use ([`regula_core::Actor::id`]).
    pub id: String,
    /// The person's name.
    pub name: String,
    /// Their title in the group (组长, 副组长, 成员).
    pub title: Text,
}

/// A domain (领域): adjudication, administration or personnel in the built-in plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Domain {
    /// Stable code, e.g. `ADJ`.
    pub code: String,
    /// Labels.
    pub label: Text,
}

/// A category of standards within a domain, e.g. 审判业务标准.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Category {
    /// Stable code, e.g. `ADJ-01`.
    pub code: String,
    /// The domain's code.
    pub domain: String,
    /// Labels.
    pub label: Text,
}

/// One standard of the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Entry {
    /// Stable code, e.g. `ADJ-01-08`.
    pub code: String,
    /// The domain's code.
    pub domain: String,
    /// The category's code.
    pub category: String,
    /// The item's number in its category, as the plan numbers it.
    pub item: u32,
    // Shared with every `StandardData` made from this entry: a million standards held
    // at once would otherwise hold a million copies of the catalog's names. (A plain
    // comment: doc comments become the JSON schemas' descriptions.)
    /// The standard's name.
    pub name: Arc<Text>,
    /// The responsible department, or `None` when the plan gives none.
    pub department: Option<DepartmentRef>,
    /// The department as the file writes it (e.g. 办公室), when it gives one.
    pub department_as_written: Option<String>,
    /// Why the standard has no department, when it has none.
    pub unassigned: Option<String>,
    /// A core standard (核心工作标准), due in the plan's first year. Set by an operator.
    pub core: bool,
    /// The line of the entry in its file.
    pub line: usize,
}

/// A catalog: the court, the plan's steps and organisation, and every standard.
/// Serializes (for listing as JSON) with every field below.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Catalog {
    court: Court,
    plan: PlanDocument,
    intermediate_court: IntermediateCourt,
    leading_group: Vec<Member>,
    departments: DepartmentRegistry,
    steps: Vec<Step>,
    domains: Vec<Domain>,
    categories: Vec<Category>,
    standards: Vec<Entry>,
    /// The TOML text it was loaded from, as recorded in a store's rules log.
    #[serde(skip)]
    source: String,
}

/// A catalog file could not be loaded: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", self.path.as_deref().map_or_else(|| "<catalog>".into(), |p| p.display().to_string()), regula_core::position::suffix(self.line, self.column))]
pub struct CatalogError {
    /// The file, when loaded from one (`None` for text given directly).
    pub path: Option<PathBuf>,
    /// Line, from 1 (0 when the file could not be read).
    pub line: usize,
    /// Column in characters, from 1 (0 when the file could not be read).
    pub column: usize,
    /// What was wrong, with the offending value.
    pub kind: CatalogErrorKind,
}

/// What was wrong with a catalog file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The TOML is malformed or lacks a field, or a field has the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// The `format` is not one this version reads.
    #[error("unsupported catalog format {found} (this version reads format {CATALOG_FORMAT})")]
    Format {
        /// The format found.
        found: u32,
    },
    /// A code is declared twice.
    #[error("duplicate {what} code {code:?} (first declared on line {first_line})")]
    DuplicateCode {
        /// `standard`, `category`, `domain`, `step` or `leading group member`.
        what: &'static str,
        /// The code.
        code: String,
        /// Where it was first declared.
        first_line: usize,
    },
    /// Two standards of a category have the same item number.
    #[error("category {category:?} has item {item} twice (first on line {first_line})")]
    DuplicateItem {
        /// The category.
        category: String,
        /// The item number.
        item: u32,
        /// Where it was first declared.
        first_line: usize,
    },
    /// A standard names a department the file does not declare.
    #[error("unknown department {name:?}: not a department, alias or unit declared in [[departments]]")]
    UnknownDepartment {
        /// The name as written.
        name: String,
    },
    /// A category names an undeclared domain.
    #[error("unknown domain {code:?}: not declared in [[domains]]")]
    UnknownDomain {
        /// The code.
        code: String,
    },
    /// A standard names an undeclared category.
    #[error("unknown category {code:?}: not declared in [[categories]]")]
    UnknownCategory {
        /// The code.
        code: String,
    },
    /// A code breaks the scheme (see the crate docs).
    #[error("bad {what} code {code:?}: {expected}")]
    BadCode {
        /// `standard`, `category` or `domain`.
        what: &'static str,
        /// The code.
        code: String,
        /// What was expected.
        expected: String,
    },
    /// A standard gives neither a department nor a reason it has none.
    #[error("standard {code:?} gives neither `department` nor `unassigned`")]
    NoDepartment {
        /// The standard.
        code: String,
    },
    /// A standard gives both a department and `unassigned`.
    #[error("standard {code:?} gives both `department` ({department:?}) and `unassigned`")]
    DepartmentAndUnassigned {
        /// The standard.
        code: String,
        /// The department given.
        department: String,
    },
    /// A label lacks its zh or en text.
    #[error("{what} {code:?} needs both a zh and an en label")]
    MissingLabel {
        /// What carries the label.
        what: &'static str,
        /// Its code.
        code: String,
    },
    /// Two departments or units share a name.
    #[error(transparent)]
    NameClash(#[from] NameClash),
    /// The court's office is not a declared department.
    #[error("court.office {office:?} is not a declared department")]
    UnknownOffice {
        /// The value.
        office: String,
    },
    /// A time zone is not of the form `+08:00`.
    #[error("bad time zone {value:?}: expected an offset such as \"+08:00\"")]
    BadTimezone {
        /// The value.
        value: String,
    },
    /// A date is not a plain calendar date.
    #[error("bad date {value}: expected a local date such as 2023-12-31")]
    BadDate {
        /// The value.
        value: String,
    },
    /// An id, alias, name, code or label is blank (where it must not be) or contains a
    /// character that could act on a terminal or disguise the text (see
    /// [`regula_core::plain_text`]): the error names the field, the character as
    /// `U+XXXX` and its index.
    #[error(transparent)]
    UnsafeText(#[from] PlainTextError),
    /// The leading group has no member.
    #[error("the leading group lists no member")]
    NoLeadingGroup,
    /// A work-plan target names a standard the catalog does not have.
    #[error("unknown standard {code:?}: not in the catalog")]
    UnknownStandard {
        /// The code.
        code: String,
    },
}

// ---------------------------------------------------------------------------------
// The file's shape.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCatalog {
    format: Spanned<u32>,
    court: Spanned<FileCourt>,
    plan: Spanned<FilePlan>,
    intermediate_court: Spanned<FileIntermediate>,
    #[serde(default)]
    leading_group: Vec<Spanned<FileMember>>,
    #[serde(default)]
    departments: Vec<Spanned<FileDepartment>>,
    #[serde(default)]
    steps: Vec<Spanned<FileStep>>,
    #[serde(default)]
    domains: Vec<Spanned<FileDomain>>,
    #[serde(default)]
    categories: Vec<Spanned<FileCategory>>,
    #[serde(default)]
    standards: Vec<Spanned<FileStandard>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCourt {
    zh: String,
    en: String,
    document_prefix: String,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    min_consultation_days: Option<u32>,
    #[serde(default)]
    approval_quorum: Option<Quorum>,
    #[serde(default)]
    passing_evaluation: Option<PassMark>,
    office: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePlan {
    zh: String,
    en: String,
    #[serde(default)]
    document_number: Option<String>,
    #[serde(default)]
    issued: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIntermediate {
    zh: String,
    en: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMember {
    id: Spanned<String>,
    name: String,
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDepartment {
    id: String,
    zh: String,
    en: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    units: Vec<FileUnit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUnit {
    id: String,
    zh: String,
    en: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStep {
    id: Spanned<String>,
    zh: String,
    en: String,
    due: Spanned<toml::value::Datetime>,
    milestone: Milestone,
    scope: Scope,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDomain {
    code: Spanned<String>,
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCategory {
    code: Spanned<String>,
    domain: Spanned<String>,
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStandard {
    code: Spanned<String>,
    category: Spanned<String>,
    item: Spanned<u32>,
    zh: String,
    en: String,
    #[serde(default)]
    department: Option<Spanned<String>>,
    #[serde(default)]
    unassigned: Option<String>,
    #[serde(default)]
    core: bool,
}

type Located = (usize, CatalogErrorKind);

pub(crate) use regula_core::position::line_column;

/// Parses a TOML local date into a calendar date.
pub(crate) fn toml_date(d: &Spanned<toml::value::Datetime>) -> Result<NaiveDate, Located> {
    let v = d.get_ref();
    let bad = || (d.span().start, CatalogErrorKind::BadDate { value: v.to_string() });
    match (v.date, v.time, v.offset) {
        (Some(date), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day)).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Parses a fixed offset such as `+08:00`, `-05:30` or `Z`.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s == "Z" || s == "UTC" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "00"));
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn label(zh: &str, en: &str, what: &'static str, code: &str, at: usize) -> Result<Text, Located> {
    let t = Text::owned(zh.trim(), en.trim());
    if t.is_incomplete() {
        return Err((
            at,
            CatalogErrorKind::MissingLabel {
                what,
                code: code.to_owned(),
            },
        ));
    }
    plain_text::check_text(Text::new("中文名称", "zh label"), &t.zh).map_err(|e| (at, e.into()))?;
    plain_text::check_text(Text::new("英文名称", "en label"), &t.en).map_err(|e| (at, e.into()))?;
    Ok(t)
}

/// Refuses an id, alias, name or code that is blank or contains a character of
/// [`plain_text::classify`], at byte `at`.
fn identifier(field: Text, text: &str, at: usize) -> Result<(), Located> {
    plain_text::check_identifier(field, text).map_err(|e| (at, e.into()))
}

/// Refuses free text (which may be empty) that contains a character of
/// [`plain_text::classify`], at byte `at`.
fn free_text(field: Text, text: &str, at: usize) -> Result<(), Located> {
    plain_text::check_text(field, text).map_err(|e| (at, e.into()))
}

const ALIAS: Text = Text::new("别名", "alias");
const CODE: Text = Text::new("编号", "code");

/// Notes that `code` is declared on `line`; a code declared before is a
/// [`CatalogErrorKind::DuplicateCode`] at byte `at`, naming the first line.
fn declare(
    lines: &mut HashMap<String, usize>,
    what: &'static str,
    code: &str,
    at: usize,
    line: usize,
) -> Result<(), Located> {
    if let Some(&first_line) = lines.get(code) {
        return Err((
            at,
            CatalogErrorKind::DuplicateCode {
                what,
                code: code.to_owned(),
                first_line,
            },
        ));
    }
    lines.insert(code.to_owned(), line);
    Ok(())
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl Catalog {
    /// The built-in catalog: the plan 红林法〔2022〕7号 with its 117 standards.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_toml_str(BUILTIN_CATALOG).map_err(|mut e| {
            e.path = Some(PathBuf::from("crates/standards/data/catalog.toml"));
            e
        })
    }

    /// Loads a catalog from TOML text.
    pub fn from_toml_str(source: &str) -> Result<Catalog, CatalogError> {
        load(source).map_err(|(offset, kind)| {
            let (line, column) = line_column(source, offset);
            CatalogError {
                path: None,
                line,
                column,
                kind,
            }
        })
    }

    /// Loads a catalog from a TOML file; errors name the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|e| CatalogError {
            path: Some(path.to_owned()),
            line: 0,
            column: 0,
            kind: CatalogErrorKind::Io(e),
        })?;
        Catalog::from_toml_str(&source).map_err(|mut e| {
            e.path = Some(path.to_owned());
            e
        })
    }

    /// The TOML text the catalog was loaded from. Core flags set with
    /// [`set_core`](Catalog::set_core) are not in it ([`core_codes`](Catalog::core_codes)).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The codes of the standards marked core, in catalog order.
    pub fn core_codes(&self) -> Vec<String> {
        self.standards
            .iter()
            .filter(|e| e.core)
            .map(|e| e.code.clone())
            .collect()
    }

    /// How `other`'s rules differ from this catalog's: everything but the list of
    /// standards (court, plan, steps and deadlines, organisation, domains and
    /// categories, of which `other` may only add). Empty when `other` only adds
    /// standards, with their domains and categories.
    pub fn rule_changes(&self, other: &Catalog) -> Vec<Text> {
        let mut changes = Vec::new();
        let mut differs = |same: bool, zh: &str, en: &str| {
            if !same {
                changes.push(Text::owned(zh.to_owned(), en.to_owned()));
            }
        };
        differs(
            self.court == other.court,
            "法院信息或最短征求意见期",
            "the court, its time zone or the minimum consultation period",
        );
        differs(self.plan == other.plan, "实施方案", "the plan document");
        differs(
            self.intermediate_court == other.intermediate_court,
            "中级法院",
            "the intermediate court",
        );
        differs(
            self.leading_group == other.leading_group,
            "领导小组成员",
            "the leading group's members",
        );
        differs(self.departments == other.departments, "部门", "the departments");
        differs(
            self.steps == other.steps,
            "工作步骤及期限",
            "the plan's steps and deadlines",
        );
        differs(
            self.domains.iter().all(|d| other.domains.contains(d)),
            "领域",
            "the domains",
        );
        differs(
            self.categories.iter().all(|c| other.categories.contains(c)),
            "类别",
            "the categories",
        );
        changes
    }

    /// The standards of this catalog that `other` drops or lists differently.
    pub fn standard_changes(&self, other: &Catalog) -> Vec<Text> {
        let mut changes = Vec::new();
        for entry in &self.standards {
            match other.standard(&entry.code) {
                None => changes.push(Text::owned(
                    format!("删除了标准 {}", entry.code),
                    format!("standard {} is removed", entry.code),
                )),
                Some(o) => {
                    let same = o.domain == entry.domain
                        && o.category == entry.category
                        && o.item == entry.item
                        && o.name == entry.name
                        && o.department == entry.department
                        && o.unassigned == entry.unassigned
                        && o.core == entry.core;
                    if !same {
                        changes.push(Text::owned(
                            format!("标准 {} 的条目有变化", entry.code),
                            format!("standard {}'s entry changed", entry.code),
                        ));
                    }
                }
            }
        }
        changes
    }

    /// The court.
    pub fn court(&self) -> &Court {
        &self.court
    }

    /// The plan document.
    pub fn plan(&self) -> &PlanDocument {
        &self.plan
    }

    /// The intermediate court that accepts the standards.
    pub fn intermediate_court(&self) -> &IntermediateCourt {
        &self.intermediate_court
    }

    /// The named members of the leading group.
    pub fn leading_group(&self) -> &[Member] {
        &self.leading_group
    }

    /// The departments.
    pub fn departments(&self) -> &DepartmentRegistry {
        &self.departments
    }

    /// The plan's steps, in file order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The domains, in file order.
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// The categories, in file order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Every standard, in file order.
    pub fn standards(&self) -> &[Entry] {
        &self.standards
    }

    /// The domain with this code.
    pub fn domain(&self, code: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.code == code)
    }

    /// The category with this code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The standard with this code.
    pub fn standard(&self, code: &str) -> Option<&Entry> {
        self.standards.iter().find(|s| s.code == code)
    }

    /// The categories of a domain.
    pub fn categories_of<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a Category> + 'a {
        self.categories.iter().filter(move |c| c.domain == domain)
    }

    /// The standards of a category.
    pub fn standards_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.standards.iter().filter(move |s| s.category == category)
    }

    /// The standards that have no responsible department.
    pub fn unassigned(&self) -> impl Iterator<Item = &Entry> {
        self.standards.iter().filter(|s| s.department.is_none())
    }

    /// The labels of a standard's department, or [`UNASSIGNED`](crate::department::UNASSIGNED).
    pub fn department_label(&self, department: Option<&DepartmentRef>) -> Text {
        department
            .and_then(|d| self.departments.get(&d.department))
            .map_or(crate::department::UNASSIGNED, |d| d.label.clone())
    }

    /// Marks a standard core or not (the operator's decision; the plan never says).
    pub fn set_core(&mut self, code: &str, core: bool) -> Result<(), CatalogErrorKind> {
        match self.standards.iter_mut().find(|s| s.code == code) {
            Some(s) => {
                s.core = core;
                Ok(())
            }
            None => Err(CatalogErrorKind::UnknownStandard { code: code.to_owned() }),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

fn load(source: &str) -> Result<Catalog, Located> {
    let file: FileCatalog = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        (offset, CatalogErrorKind::Syntax(e.message().trim_end().to_owned()))
    })?;
    if *file.format.get_ref() != CATALOG_FORMAT {
        return Err((
            file.format.span().start,
            CatalogErrorKind::Format {
                found: *file.format.get_ref(),
            },
        ));
    }

    // Departments.
    let mut departments = Vec::with_capacity(file.departments.len());
    for d in &file.departments {
        let at = d.span().start;
        let fd = d.get_ref();
        identifier(Text::new("部门标识", "department id"), &fd.id, at)?;
        for a in &fd.aliases {
            identifier(ALIAS, a, at)?;
        }
        let units = fd
            .units
            .iter()
            .map(|u| {
                identifier(Text::new("内设单位标识", "unit id"), &u.id, at)?;
                for a in &u.aliases {
                    identifier(ALIAS, a, at)?;
                }
                Ok(Unit {
                    id: u.id.clone(),
                    label: label(&u.zh, &u.en, "unit", &u.id, at)?,
                    aliases: u.aliases.clone(),
                })
            })
            .collect::<Result<Vec<_>, Located>>()?;
        departments.push(Department {
            id: fd.id.clone(),
            label: label(&fd.zh, &fd.en, "department", &fd.id, at)?,
            aliases: fd.aliases.clone(),
            units,
        });
    }
    let registry = DepartmentRegistry::new(departments).map_err(|e| {
        // Point at the department that claims the name second.
        let second = e.second.split('/').next().unwrap_or_default().to_owned();
        let at = file
            .departments
            .iter()
            .find(|d| d.get_ref().id == second)
            .map_or(0, |d| d.span().start);
        (at, CatalogErrorKind::NameClash(e))
    })?;

    // The court.
    let court_at = file.court.span().start;
    let fc = file.court.get_ref();
    let timezone = match &fc.timezone {
        None => CHINA_STANDARD_TIME,
        Some(tz) => parse_offset(tz.get_ref()).ok_or_else(|| {
            (
                tz.span().start,
                CatalogErrorKind::BadTimezone {
                    value: tz.get_ref().clone(),
                },
            )
        })?,
    };
    if registry.get(fc.office.get_ref()).is_none() {
        return Err((
            fc.office.span().start,
            CatalogErrorKind::UnknownOffice {
                office: fc.office.get_ref().clone(),
            },
        ));
    }
    free_text(Text::new("文号前缀", "document prefix"), &fc.document_prefix, court_at)?;
    let court = Court {
        label: label(&fc.zh, &fc.en, "court", "court", court_at)?,
        document_prefix: fc.document_prefix.trim().to_owned(),
        timezone,
        min_consultation_days: fc.min_consultation_days.unwrap_or(30),
        approval_quorum: fc.approval_quorum.unwrap_or_default(),
        passing_evaluation: fc.passing_evaluation.unwrap_or_default(),
        office: fc.office.get_ref().clone(),
    };
    let fp = file.plan.get_ref();
    if let Some(number) = &fp.document_number {
        free_text(Text::new("文号", "document number"), number, file.plan.span().start)?;
    }
    let plan = PlanDocument {
        label: label(&fp.zh, &fp.en, "plan", "plan", file.plan.span().start)?,
        document_number: fp.document_number.clone(),
        issued: fp.issued.as_ref().map(toml_date).transpose()?,
    };
    let fi = file.intermediate_court.get_ref();
    for a in &fi.aliases {
        identifier(ALIAS, a, file.intermediate_court.span().start)?;
    }
    let intermediate_court = IntermediateCourt {
        label: label(
            &fi.zh,
            &fi.en,
            "intermediate court",
            "intermediate_court",
            file.intermediate_court.span().start,
        )?,
        aliases: fi.aliases.clone(),
    };

    // The leading group.
    if file.leading_group.is_empty() {
        return Err((0, CatalogErrorKind::NoLeadingGroup));
    }
    let mut member_lines: HashMap<String, usize> = HashMap::new();
    let mut leading_group = Vec::with_capacity(file.leading_group.len());
    for m in &file.leading_group {
        let fm = m.get_ref();
        let id = fm.id.get_ref().trim().to_owned();
        identifier(Text::new("成员标识", "member id"), &id, fm.id.span().start)?;
        identifier(Text::new("成员姓名", "member name"), &fm.name, m.span().start)?;
        declare(
            &mut member_lines,
            "leading group member",
            &id,
            fm.id.span().start,
            line_column(source, m.span().start).0,
        )?;
        leading_group.push(Member {
            title: label(&fm.zh, &fm.en, "leading group member", &id, m.span().start)?,
            name: fm.name.trim().to_owned(),
            id,
        });
    }

    // Steps.
    let mut step_lines: HashMap<String, usize> = HashMap::new();
    let mut steps = Vec::with_capacity(file.steps.len());
    for s in &file.steps {
        let fs = s.get_ref();
        let id = fs.id.get_ref().trim().to_owned();
        identifier(Text::new("步骤标识", "step id"), &id, fs.id.span().start)?;
        declare(
            &mut step_lines,
            "step",
            &id,
            fs.id.span().start,
            line_column(source, s.span().start).0,
        )?;
        steps.push(Step {
            label: label(&fs.zh, &fs.en, "step", &id, s.span().start)?,
            due: toml_date(&fs.due)?,
            milestone: fs.milestone,
            scope: fs.scope,
            id,
        });
    }

    // Domains.
    let mut domain_lines: HashMap<String, usize> = HashMap::new();
    let mut domains = Vec::with_capacity(file.domains.len());
    for d in &file.domains {
        let fd = d.get_ref();
        let code = fd.code.get_ref().trim().to_owned();
        identifier(CODE, &code, fd.code.span().start)?;
        if !is_code(&code) || code.contains('-') {
            return Err((
                fd.code.span().start,
                CatalogErrorKind::BadCode {
                    what: "domain",
                    code,
                    expected: "upper-case letters and digits, e.g. \"ADJ\"".to_owned(),
                },
            ));
        }
        declare(
            &mut domain_lines,
            "domain",
            &code,
            fd.code.span().start,
            line_column(source, d.span().start).0,
        )?;
        domains.push(Domain {
            label: label(&fd.zh, &fd.en, "domain", &code, d.span().start)?,
            code,
        });
    }

    // Categories.
    let mut category_lines: HashMap<String, usize> = HashMap::new();
    let mut categories = Vec::with_capacity(file.categories.len());
    for c in &file.categories {
        let fc = c.get_ref();
        let code = fc.code.get_ref().trim().to_owned();
        let domain = fc.domain.get_ref().trim().to_owned();
        identifier(CODE, &code, fc.code.span().start)?;
        if !domain_lines.contains_key(&domain) {
            return Err((fc.domain.span().start, CatalogErrorKind::UnknownDomain { code: domain }));
        }
        if !is_code(&code) || !code.starts_with(&format!("{domain}-")) {
            return Err((
                fc.code.span().start,
                CatalogErrorKind::BadCode {
                    what: "category",
                    expected: format!("the domain code, a dash and a number, e.g. \"{domain}-01\""),
                    code,
                },
            ));
        }
        declare(
            &mut category_lines,
            "category",
            &code,
            fc.code.span().start,
            line_column(source, c.span().start).0,
        )?;
        categories.push(Category {
            label: label(&fc.zh, &fc.en, "category", &code, c.span().start)?,
            code,
            domain,
        });
    }

    // Standards.
    let mut standard_lines: HashMap<String, usize> = HashMap::new();
    let mut item_lines: HashMap<(String, u32), usize> = HashMap::new();
    let mut standards = Vec::with_capacity(file.standards.len());
    for s in &file.standards {
        let fs = s.get_ref();
        let line = line_column(source, s.span().start).0;
        let code = fs.code.get_ref().trim().to_owned();
        let category_code = fs.category.get_ref().trim().to_owned();
        identifier(CODE, &code, fs.code.span().start)?;
        let Some(category) = categories.iter().find(|c| c.code == category_code) else {
            return Err((
                fs.category.span().start,
                CatalogErrorKind::UnknownCategory { code: category_code },
            ));
        };
        if !is_code(&code) || !code.starts_with(&format!("{category_code}-")) {
            return Err((
                fs.code.span().start,
                CatalogErrorKind::BadCode {
                    what: "standard",
                    expected: format!("the category code, a dash and the item, e.g. \"{category_code}-01\""),
                    code,
                },
            ));
        }
        declare(&mut standard_lines, "standard", &code, fs.code.span().start, line)?;
        let item = *fs.item.get_ref();
        if let Some(&first) = item_lines.get(&(category_code.clone(), item)) {
            return Err((
                fs.item.span().start,
                CatalogErrorKind::DuplicateItem {
                    category: category_code,
                    item,
                    first_line: first,
                },
            ));
        }
        item_lines.insert((category_code.clone(), item), line);
        if let Some(why) = &fs.unassigned {
            free_text(
                Text::new("未指定部门的原因", "reason for no department"),
                why,
                s.span().start,
            )?;
        }
        let unassigned = fs
            .unassigned
            .as_ref()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        let (department, as_written) = match (&fs.department, &unassigned) {
            (Some(d), None) => {
                let name = d.get_ref().trim().to_owned();
                let r = registry.resolve(&name).ok_or_else(|| {
                    (
                        d.span().start,
                        CatalogErrorKind::UnknownDepartment { name: name.clone() },
                    )
                })?;
                (Some(r), Some(name))
            }
            (Some(d), Some(_)) => {
                return Err((
                    d.span().start,
                    CatalogErrorKind::DepartmentAndUnassigned {
                        code,
                        department: d.get_ref().clone(),
                    },
                ));
            }
            (None, Some(_)) => (None, None),
            (None, None) => {
                return Err((s.span().start, CatalogErrorKind::NoDepartment { code }));
            }
        };
        standards.push(Entry {
            name: Arc::new(label(&fs.zh, &fs.en, "standard", &code, s.span().start)?),
            domain: category.domain.clone(),
            category: category_code,
            item,
            department,
            department_as_written: as_written,
            unassigned,
            core: fs.core,
            line,
            code,
        });
    }

    Ok(Catalog {
        court,
        plan,
        intermediate_court,
        leading_group,
        departments: registry,
        steps,
        domains,
        categories,
        standards,
        source: source.to_owned(),
    })
}
