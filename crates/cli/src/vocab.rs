//! The `--json` vocabulary where the library's types name one thing two ways: `list`
//! and `show` both say `state` and `state_label`, and give the department as
//! `{id, unit?, zh, en}`. The library's types (and the HTTP API's document) stay as
//! they are; these are the CLI's presentation of them.

use chrono::{DateTime, Utc};
use regula_core::{DefinitionRef, Text};
use regula_standards::catalog::Catalog;
use regula_standards::data::Version;
use regula_standards::department::DepartmentRef;
use regula_standards::lifecycle::Stage;
use regula_standards::plan::{MilestoneStatus, StandardStatus};
use regula_standards::service::Blocker;
use regula_standards::view::{ActionView, StandardView};
use serde::Serialize;

/// A responsible department: its machine name and labels.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Department {
    /// The department's machine name; `null` when the standard has none.
    pub id: Option<String>,
    /// The sub-unit's machine name, when one was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// In Chinese ("未指定" when none).
    pub zh: String,
    /// In English.
    pub en: String,
}

impl Department {
    /// `department` with the catalog's labels.
    pub fn new(catalog: &Catalog, department: Option<&DepartmentRef>) -> Self {
        Self::labelled(department, &catalog.department_label(department))
    }

    /// `department` with `label`.
    pub fn labelled(department: Option<&DepartmentRef>, label: &Text) -> Self {
        Department {
            id: department.map(|d| d.department.clone()),
            unit: department.and_then(|d| d.unit.clone()),
            zh: label.zh.to_string(),
            en: label.en.to_string(),
        }
    }
}

/// One row of `list --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ListItem<'a> {
    /// The code.
    pub code: &'a str,
    /// The name.
    pub name: &'a Text,
    /// The domain's code.
    pub domain: &'a str,
    /// The category's code.
    pub category: &'a str,
    /// Core as of now.
    pub core: bool,
    /// The responsible department.
    pub department: Department,
    /// The state (machine name); `null` when work was never opened.
    pub state: Option<Stage>,
    /// Its labels.
    pub state_label: &'a Text,
    /// The version in force.
    pub version_in_force: Option<u32>,
    /// Each due date with its standing.
    pub milestones: &'a [MilestoneStatus],
}

impl<'a> ListItem<'a> {
    /// `status` in the CLI's vocabulary.
    pub fn new(status: &'a StandardStatus) -> Self {
        ListItem {
            code: &status.code,
            name: &status.name,
            domain: &status.domain,
            category: &status.category,
            core: status.core,
            department: Department::labelled(status.department.as_ref(), &status.department_label),
            state: status.stage,
            state_label: &status.stage_label,
            version_in_force: status.version_in_force,
            milestones: &status.milestones,
        }
    }
}

/// `show --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ShowDocument<'a> {
    /// The code, upper case.
    pub code: &'a str,
    /// The name.
    pub name: &'a Text,
    /// The state (machine name).
    pub state: Stage,
    /// Its labels.
    pub state_label: &'a Text,
    /// The responsible department.
    pub department: Department,
    /// The version in force.
    pub version_in_force: Option<&'a Version>,
    /// How many versions were published.
    pub versions: usize,
    /// The definition (name and version) the standard follows.
    pub definition: &'a DefinitionRef,
    /// The latest version of that definition.
    pub latest_definition: u32,
    /// How many records its log holds.
    pub records: u64,
    /// The event time of the latest of them.
    pub last_record: DateTime<Utc>,
    /// The past instant the view is as of (absent: now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// What blocks each forward step.
    pub blockers: &'a [Blocker],
    /// The actions open from its state.
    pub actions: &'a [ActionView],
}

impl<'a> ShowDocument<'a> {
    /// `view`, whose department is `department` (the view carries its labels only).
    pub fn new(view: &'a StandardView, department: Option<&DepartmentRef>) -> Self {
        ShowDocument {
            code: &view.code,
            name: &view.name,
            state: view.state,
            state_label: &view.state_label,
            department: Department::labelled(department, &view.department),
            version_in_force: view.version_in_force.as_ref(),
            versions: view.versions,
            definition: &view.definition,
            latest_definition: view.latest_definition,
            records: view.records,
            last_record: view.last_record,
            as_of: view.as_of,
            blockers: &view.blockers,
            actions: &view.actions,
        }
    }
}

/// `init --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct InitDocument {
    /// The SQLite file, or "PostgreSQL".
    pub store: String,
    /// Whether the store existed before; `null` when the store cannot tell (PostgreSQL).
    pub existed: Option<bool>,
    /// How many records it holds.
    pub records: u64,
}

/// `catalog import --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ImportDocument {
    /// The codes whose work was opened now.
    pub opened: Vec<String>,
    /// How many standards the catalog lists.
    pub total: usize,
}

/// One row of `catalog show --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CatalogItem<'a> {
    /// The code.
    pub code: &'a str,
    /// The name.
    pub name: &'a Text,
    /// The domain's code.
    pub domain: &'a str,
    /// The category's code.
    pub category: &'a str,
    /// The responsible department (`id` null when unassigned).
    pub department: Department,
    /// Why no department is responsible, when none is.
    pub unassigned: Option<&'a str>,
    /// A core standard.
    pub core: bool,
}

/// `verify --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VerifyDocument {
    /// No problem was found.
    pub ok: bool,
    /// Records read.
    pub records: u64,
    /// Instances (standards and the rules log) read.
    pub instances: u64,
    /// Instances whose logs were replayed.
    pub replayed: u64,
    /// The Merkle root recomputed from the records (`null`: not computed).
    pub root: Option<regula_core::Digest>,
    /// Each problem, in both languages.
    pub problems: Vec<Text>,
    /// The checkpoint verified against, when one was given.
    pub checkpoint: Option<CheckpointSummary>,
}

/// A checkpoint as `verify --json` describes it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CheckpointSummary {
    /// Its origin line.
    pub origin: String,
    /// The tree size it commits to.
    pub size: u64,
    /// The root it commits to.
    pub root: regula_core::Digest,
    /// When it was made.
    pub time: DateTime<Utc>,
    /// `NAME+KEYID` of the key whose signature was checked (`--key`).
    pub signed_by: Option<String>,
}

/// `checkpoint --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CheckpointDocument {
    /// Its origin line.
    pub origin: String,
    /// The tree size it commits to.
    pub size: u64,
    /// The root it commits to.
    pub root: regula_core::Digest,
    /// When it was made.
    pub time: DateTime<Utc>,
    /// `NAME+KEYID` of each signature.
    pub signed_by: Vec<String>,
    /// The file written (`--out`), if any.
    pub file: Option<String>,
    /// The checkpoint's text.
    pub checkpoint: String,
}

/// One row of `actions --json` without a code: a transition of the court's lifecycle.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TransitionItem {
    /// The action's machine name.
    pub action: String,
    /// Its labels.
    pub label: Text,
    /// The state it leaves.
    pub from: Stage,
    /// The state it leads to.
    pub to: Stage,
    /// The roles allowed to take it.
    pub roles: Vec<String>,
}

/// What a dry run decided.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DryRunDecision {
    /// The attempt would be accepted.
    Accept,
    /// It would be refused.
    Refuse,
}

/// `do --dry-run --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DryRunDocument {
    /// Accepted or refused.
    pub decision: DryRunDecision,
    /// The state it is in now.
    pub from: Stage,
    /// The state it would lead to (accepted only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Stage>,
    /// Every rule that refuses it (refused only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<regula_core::Reason>>,
    /// The role it was decided in.
    pub role: String,
    /// Always true: nothing was written.
    pub dry_run: bool,
}

/// `key generate --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct KeyDocument {
    /// The key's name.
    pub name: String,
    /// The public key, as `verify-proof --key` reads it.
    pub public: String,
    /// The file the secret key was written to.
    pub secret_file: String,
}

/// `verify-proof --json`, when the proof holds.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProofDocument<'a> {
    /// Always true (a rejected proof is an error).
    pub ok: bool,
    /// The checkpoint's origin.
    pub origin: &'a str,
    /// The name of the key that signed it.
    pub key: &'a str,
    /// The tree size the checkpoint commits to.
    pub tree_size: u64,
    /// The root it commits to.
    pub root: regula_core::Digest,
    /// When the checkpoint was made.
    pub time: DateTime<Utc>,
    /// The record's leaf in the tree.
    pub leaf_index: u64,
    /// The record's instance.
    pub instance: uuid::Uuid,
    /// Its place in the instance's log.
    pub seq: u64,
    /// The record proven.
    pub record: &'a regula_core::AuditRecord,
}

/// `schema ACTION --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SchemaDocument<'a> {
    /// The action's machine name.
    pub action: &'a str,
    /// Its labels.
    pub label: Text,
    /// Its payload's fields, as `KEY=VALUE` names them.
    pub fields: Vec<FieldDocument<'a>>,
    /// The JSON Schema the engine checks the payload with.
    pub schema: serde_json::Value,
}

/// One field of [`SchemaDocument`].
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldDocument<'a> {
    /// Its dotted path (`meeting.date`).
    pub name: &'a str,
    /// Its type (`text`, `date`, `choice`, …).
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// Its labels.
    pub label: Text,
    /// What it means, from the schema.
    pub description: Option<&'a str>,
    /// An example value.
    pub example: serde_json::Value,
    /// The values a choice takes.
    pub values: Option<&'a [String]>,
    /// The value of another field under which it applies.
    pub when: Option<FieldCondition<'a>>,
}

/// When a field applies: `field` is one of `is`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldCondition<'a> {
    /// The other field.
    pub field: &'a str,
    /// Its values under which this one applies.
    pub is: &'a [String],
}

/// `man --out DIR --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ManDocument {
    /// The directory the pages were written to.
    pub dir: String,
    /// How many pages: the command's and each subcommand's.
    pub pages: usize,
}
