//! One standard as a front end shows it ([`Court::view`]): its stage, department,
//! version in force, records, what blocks each next step and the actions open to it,
//! now or as its log stood at a past instant. `regula show` prints it (its `--json` is
//! this view serialized) and any other front end can return it as is.

use chrono::{DateTime, FixedOffset, Utc};
use regula_core::{DefinitionRef, Store, Text};
use serde::Serialize;

use crate::data::Version;
use crate::lifecycle::Stage;
use crate::service::{Blocker, Court, ServiceError};

/// One standard as of an instant (see the [module docs](crate::view)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StandardView {
    /// The code, upper case.
    pub code: String,
    /// The name.
    pub name: Text,
    /// The stage (serialized as its machine name).
    pub state: Stage,
    /// The stage's labels.
    pub state_label: Text,
    /// The responsible department's labels, or "unassigned".
    pub department: Text,
    /// The version in force.
    pub version_in_force: Option<Version>,
    /// How many versions were published.
    pub versions: usize,
    /// The definition (name and version) the standard follows.
    pub definition: DefinitionRef,
    /// The latest version of that definition, which a migration moves it to.
    pub latest_definition: u32,
    /// How many records its log holds (as of the instant, refusals included).
    pub records: u64,
    /// The event time of the latest of them.
    pub last_record: DateTime<Utc>,
    /// The past instant the view is as of (absent: now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// What in the standard's record blocks each forward step ([`Court::blockers`]).
    pub blockers: Vec<Blocker>,
    /// The actions its definition version declares from its stage.
    pub actions: Vec<ActionView>,
}

impl StandardView {
    /// True when the standard follows an earlier definition version and may still move
    /// (a consolidated or withdrawn standard is never migrated).
    pub fn may_migrate(&self) -> bool {
        self.definition.version < self.latest_definition && !self.state.is_terminal()
    }
}

/// An action open from a standard's stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ActionView {
    /// The action's machine name.
    pub action: String,
    /// Its labels.
    pub label: Text,
    /// The stage it leads to (serialized as its machine name).
    pub to: Stage,
    /// The roles allowed to take it.
    pub roles: Vec<String>,
}

impl ActionView {
    /// The transition `t` of `definition`, labelled as the definition labels it.
    pub(crate) fn of(
        definition: &regula_core::Definition<crate::lifecycle::StandardLifecycle>,
        t: &regula_core::Transition<Stage>,
    ) -> Self {
        ActionView {
            action: t.action.clone(),
            label: definition
                .action_label(&t.action)
                .cloned()
                .unwrap_or_else(|| Text::owned(&t.action, &t.action)),
            to: t.to,
            roles: t.roles.clone(),
        }
    }
}

/// A standard could not be viewed.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Asked as of an instant before work on the standard was opened: there is nothing
    /// to show yet.
    #[error("{code}: work on it had not been opened as of {} (opened {})", at.to_rfc3339(), opened.to_rfc3339())]
    NotOpenedYet {
        /// The code.
        code: String,
        /// The instant asked for, in the court's time zone.
        at: DateTime<FixedOffset>,
        /// When work on it was opened, in the court's time zone.
        opened: DateTime<FixedOffset>,
    },
    /// The code is unknown or not opened, or the log does not load.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ViewError {
    /// What went wrong, in zh and en (the en text is the error's `Display`).
    pub fn message(&self) -> Text {
        match self {
            ViewError::NotOpenedYet { code, at, opened } => Text::owned(
                format!(
                    "{code}: 截至该时间尚未开展工作 {} (开展于 {})",
                    at.to_rfc3339(),
                    opened.to_rfc3339()
                ),
                self.to_string(),
            ),
            ViewError::Service(e) => Text::owned(e.to_string(), e.to_string()),
        }
    }
}

impl<S: Store> Court<S> {
    /// The standard `code` (any case) as its log stands now, or, given `at`, as it stood
    /// then ([`crate::as_of`]); `now` judges what blocks it when `at` is absent.
    pub fn view(&self, code: &str, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<StandardView, ViewError> {
        let code = code.to_uppercase();
        let current = self.opened(&code)?;
        let (instance, records, last_record) = match at {
            None => (current.clone(), current.seq(), current.updated_at()),
            Some(at) => match self.standard_as_of(&code, at)? {
                Some(s) => (s.instance, s.records, s.last_record),
                None => {
                    let tz = self.config().timezone;
                    return Err(ViewError::NotOpenedYet {
                        code,
                        at: at.with_timezone(&tz),
                        opened: current.created_at().with_timezone(&tz),
                    });
                }
            },
        };
        let data = instance.data();
        // The actions of the definition version the standard follows (an earlier one until
        // it is migrated).
        let definition = self
            .versions()
            .find(instance.definition())
            .map_or(self.definition(), |d| d.as_ref());
        let actions = definition
            .transitions_from(instance.state())
            .map(|t| ActionView::of(definition, t))
            .collect();
        let blockers = self.blockers(&code, at.unwrap_or(now))?;
        Ok(StandardView {
            name: Text::clone(&data.name),
            state: *instance.state(),
            state_label: instance.state().label(),
            department: self.catalog().department_label(data.department.as_ref()),
            version_in_force: data.in_force().cloned(),
            versions: data.versions.len(),
            definition: instance.definition().clone(),
            latest_definition: self.definition().version(),
            records,
            last_record,
            as_of: at,
            blockers,
            actions,
            code,
        })
    }
}
