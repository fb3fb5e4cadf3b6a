//! The list of standards with its filters ([`Court::list`]): by domain, category,
//! department and state, or late against a step of the plan as of a date. The command
//! line's `regula list` and any other front end resolve their filters here, so a name
//! means the same thing everywhere.
//!
//! Each filter is given as the user typed it:
//!
//! | filter | accepted |
//! |---|---|
//! | `domain`, `category` | the code in any case (`adj`, `ADJ-01`), or the zh or en name (en in any case) |
//! | `department` | a department's id, zh or en name, alias or unit ([`DepartmentRegistry::resolve`](crate::department::DepartmentRegistry::resolve)), or `unassigned` |
//! | `state` | a stage's machine name (`drafting`) or zh label (`正式发布`), or `not_started` (`未启动`) |
//! | `late` | a date: the list is as of the end of that day in the court's time zone, and holds only standards overdue against a step then |

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::{Store, Text};
use serde::{Deserialize, Serialize};

use crate::lifecycle::Stage;
use crate::plan::{self, StandardStatus};
use crate::service::{Court, ServiceError};

/// The filters of a list of standards; every one absent lists the whole catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ListQuery {
    /// Only this domain: its code in any case, or its zh or en name.
    pub domain: Option<String>,
    /// Only this category: its code in any case, or its zh or en name.
    pub category: Option<String>,
    /// Only this department (id, name, alias or unit), or `unassigned` for none.
    pub department: Option<String>,
    /// Only this state: a stage's machine name or zh label, or `not_started`.
    pub state: Option<String>,
    /// Only standards late against a step of the plan as of the end of this day.
    pub late: Option<NaiveDate>,
}

/// The state filter's word for a standard whose work was never opened.
pub const NOT_STARTED: &str = "not_started";

/// The department filter's word for a standard without a responsible department.
pub const UNASSIGNED: &str = "unassigned";

/// A filter of a [`ListQuery`] named nothing the catalog knows, or the list could not
/// be made.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// No domain has this code or name.
    #[error("unknown domain {given:?}")]
    UnknownDomain {
        /// The value given.
        given: String,
    },
    /// No category has this code or name.
    #[error("unknown category {given:?}")]
    UnknownCategory {
        /// The value given.
        given: String,
    },
    /// No department, alias or unit has this name.
    #[error("unknown department {given:?}: name one as the plan does (e.g. 立案庭), or \"unassigned\"")]
    UnknownDepartment {
        /// The value given.
        given: String,
    },
    /// No stage has this name or label.
    #[error("unknown state {given:?}; states: {}", known.join(", "))]
    UnknownState {
        /// The value given.
        given: String,
        /// The states' machine names, `not_started` last.
        known: Vec<String>,
    },
    /// The court could not be read as of the date.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ListError {
    /// What went wrong, in zh and en (the en text is the error's `Display`).
    pub fn message(&self) -> Text {
        match self {
            ListError::UnknownDomain { given } => Text::owned(format!("未知的领域 {given:?}"), self.to_string()),
            ListError::UnknownCategory { given } => Text::owned(format!("未知的类别 {given:?}"), self.to_string()),
            ListError::UnknownDepartment { given } => Text::owned(
                format!("未知的责任部门 {given:?}：请按实施方案的名称填写（如 立案庭），或填 \"unassigned\""),
                self.to_string(),
            ),
            ListError::UnknownState { given, known } => Text::owned(
                format!("未知的状态 {given:?}；可选状态：{}", known.join(", ")),
                self.to_string(),
            ),
            ListError::Service(e) => Text::owned(e.to_string(), e.to_string()),
        }
    }
}

/// The code of the domain or category `given` names: by its code in any case (as
/// `show adj-01-01` takes a code), or by its Chinese or English name.
fn code_named<'a>(given: &str, mut items: impl Iterator<Item = (&'a String, &'a Text)>) -> Option<String> {
    let given = given.trim();
    items
        .find(|(code, label)| {
            code.eq_ignore_ascii_case(given) || label.zh == given || label.en.eq_ignore_ascii_case(given)
        })
        .map(|(code, _)| code.clone())
}

/// The stage a state filter names: `Some(None)` for not started.
fn state_named(given: &str) -> Option<Option<Stage>> {
    let given = given.trim();
    if given == NOT_STARTED || given == plan::labels::NOT_STARTED.zh {
        return Some(None);
    }
    Stage::ALL
        .into_iter()
        .find(|s| s.as_str() == given || s.label().zh == given || s.label().en.eq_ignore_ascii_case(given))
        .map(Some)
}

impl<S: Store> Court<S> {
    /// The standards `query` selects, in catalog order, each as it stood at the end of
    /// the day `query.late` names (in the court's time zone), else at `now`: every
    /// standard as its log stood then, under the catalog in force then
    /// ([`crate::as_of`]). Errors name the filter value nothing matched.
    pub fn list(&self, query: &ListQuery, now: DateTime<Utc>) -> Result<Vec<StandardStatus>, ListError> {
        let catalog = self.catalog();
        let config = self.config();
        let as_of = query.late.map_or(now, |d| plan::end_of_day(d, config.timezone));
        let department = match query.department.as_deref() {
            None => None,
            Some(UNASSIGNED) => Some(None),
            Some(name) => Some(Some(
                config
                    .departments
                    .resolve(name)
                    .map(|r| r.department)
                    .ok_or_else(|| ListError::UnknownDepartment { given: name.to_owned() })?,
            )),
        };
        let state = match query.state.as_deref() {
            None => None,
            Some(name) => Some(state_named(name).ok_or_else(|| {
                ListError::UnknownState {
                    given: name.to_owned(),
                    known: Stage::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .chain([NOT_STARTED])
                        .map(str::to_owned)
                        .collect(),
                }
            })?),
        };
        let domain = query
            .domain
            .as_deref()
            .map(|d| {
                code_named(d, catalog.domains().iter().map(|x| (&x.code, &x.label)))
                    .ok_or_else(|| ListError::UnknownDomain { given: d.to_owned() })
            })
            .transpose()?;
        let category = query
            .category
            .as_deref()
            .map(|c| {
                code_named(c, catalog.categories().iter().map(|x| (&x.code, &x.label)))
                    .ok_or_else(|| ListError::UnknownCategory { given: c.to_owned() })
            })
            .transpose()?;
        let ledger = self.ledger_as_of(as_of)?;
        Ok(
            plan::statuses(&self.catalog_as_of(as_of)?, &ledger, self.work_plan(), as_of)
                .into_iter()
                .filter(|s| domain.as_ref().is_none_or(|d| *d == s.domain))
                .filter(|s| category.as_ref().is_none_or(|c| *c == s.category))
                .filter(|s| {
                    department
                        .as_ref()
                        .is_none_or(|d| *d == s.department.as_ref().map(|r| r.department.clone()))
                })
                .filter(|s| state.as_ref().is_none_or(|st| *st == s.stage))
                .filter(|s| query.late.is_none() || s.is_overdue())
                .collect(),
        )
    }
}
