//! Opening what a command needs: the store, the catalog, the court; parsing actors
//! and times; the errors a command can end with.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use regula_core::Actor;
use regula_core::store::StoreError;
use regula_standards::catalog::{Catalog, CatalogError};
use regula_standards::court::CourtConfig;
use regula_standards::service::ServiceError;
use regula_store_postgres::PostgresStore;
use regula_store_sqlite::SqliteStore;

use crate::args::Cli;

/// How a command failed. Refusals and failed verifications were printed already.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An input was wrong, said in both languages: the text shows one
    /// ([`Said::text`]), `--json` gives both and the details ([`Said`]).
    #[error("{}", .0.en)]
    Said(Box<Said>),
    /// Another writer extended the standard first; nothing was written, and running the
    /// command again decides on the new state (the message says so, in both
    /// languages, with the standard's code).
    #[error("{}", .0.en)]
    Conflict(Box<Said>),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The catalog file is wrong.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The court service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A definition file is wrong.
    #[error(transparent)]
    Load(#[from] regula_core::LoadError),
    /// `regula serve` could not start, or stopped with an error.
    #[error(transparent)]
    Serve(#[from] regula_server::ServeError),
    /// A key, checkpoint or proof could not be used.
    #[error("{0}")]
    Proof(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Writing to the terminal failed (a closed pipe, say).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// An actor given with `--as` is blank or contains a character that could act on
    /// a terminal or disguise the text (exit 2, nothing opened).
    #[error(transparent)]
    UnsafeText(#[from] regula_core::PlainTextError),
    /// An action was refused (exit 1).
    #[error("refused")]
    Refused,
    /// Verification found problems (exit 1).
    #[error("verification failed")]
    VerifyFailed,
    /// A proof, or the store against a signed checkpoint, did not verify (exit 1).
    #[error("proof rejected")]
    ProofRejected,
}

/// An input error said in both languages, with a kind and details for `--json`.
#[derive(Debug)]
pub struct Said {
    /// The kind, kebab-case (`bad-payload`, `no-store`).
    pub code: &'static str,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
    /// What the text output prints when it is fixed (`None`: the language the
    /// command runs in chooses, [`Said::text`]).
    pub shown: Option<String>,
    /// Facts an integrator can use (the action, the store), by name.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Said {
    /// What the text output prints in `lang`.
    pub fn text(&self, lang: regula_core::Lang) -> &str {
        match (&self.shown, lang) {
            (Some(shown), _) => shown,
            (None, regula_core::Lang::Zh) => &self.zh,
            (None, regula_core::Lang::En) => &self.en,
        }
    }
}

impl CliError {
    /// An input error of kind `code` in both languages, shown in `lang`.
    pub fn said(code: &'static str, lang: regula_core::Lang, zh: String, en: String) -> Self {
        let shown = match lang {
            regula_core::Lang::Zh => zh.clone(),
            regula_core::Lang::En => en.clone(),
        };
        CliError::Said(Box::new(Said {
            code,
            zh,
            en,
            shown: Some(shown),
            details: serde_json::Map::new(),
        }))
    }

    /// An input error of kind `code` in both languages, shown in the language the
    /// command runs in (for the helpers that are not told it).
    pub fn both(code: &'static str, zh: String, en: String) -> Self {
        CliError::Said(Box::new(Said {
            code,
            zh,
            en,
            shown: None,
            details: serde_json::Map::new(),
        }))
    }

    /// A usage or input error (code `usage`) whose two texts a library gave.
    pub fn text(text: regula_core::Text) -> Self {
        Self::both("usage", text.zh.into_owned(), text.en.into_owned())
    }

    /// The same error with a detail added (no effect on other variants).
    pub fn with_detail(mut self, name: &str, value: serde_json::Value) -> Self {
        if let CliError::Said(said) = &mut self {
            said.details.insert(name.to_owned(), value);
        }
        self
    }

    /// The documented exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Refused | CliError::VerifyFailed | CliError::ProofRejected => 1,
            _ => 2,
        }
    }
}

/// Either store, behind one type (the service's, so that `regula serve` and every
/// other command open stores alike).
pub use regula_server::{AnyStore, StoreLocation};

/// What a command may do to the store it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `init`: create the store (a missing or empty file) or migrate it.
    Create,
    /// `catalog import`, `do`: an existing store, migrated when older; the command
    /// appends to it. A missing or empty file is an error and stays as it was (a
    /// command that fails changes nothing, and neither can succeed on no store).
    Write,
    /// Every other command: an existing store, never created, migrated or changed (a
    /// SQLite file of an older schema is read as it is; a PostgreSQL store of an older
    /// schema is refused until a writing command has migrated it). A missing or empty
    /// file is an error (exit 2) and stays exactly as it was.
    Read,
}

/// Opens the store the flags name with `access`. Only `init` may create one: any other
/// command on a missing or empty SQLite file stops before touching the disk, and the
/// file stays as it was.
pub fn open_store(cli: &Cli, access: Access) -> Result<AnyStore, CliError> {
    if access != Access::Create {
        require_store(cli)?;
    }
    Ok(match (access, store_location(cli)) {
        // No store at all (or an empty file) is an error; an older one is migrated.
        (Access::Write, location) => location.open_existing()?,
        (Access::Read, StoreLocation::Postgres(url)) => {
            AnyStore::Postgres(Box::new(PostgresStore::connect_existing(&url)?))
        }
        (Access::Read, StoreLocation::Sqlite(path)) => AnyStore::Sqlite(SqliteStore::open_existing(&path)?),
        (Access::Create, StoreLocation::Postgres(url)) => AnyStore::Postgres(Box::new(PostgresStore::connect(&url)?)),
        (Access::Create, StoreLocation::Sqlite(path)) => AnyStore::Sqlite(SqliteStore::open(&path)?),
    })
}

/// An error unless the SQLite file the flags name exists (only `init` creates one); a
/// PostgreSQL store is checked when it is opened.
pub fn require_store(cli: &Cli) -> Result<(), CliError> {
    if cli.pg.is_none() && !cli.store.exists() {
        let store = cli.store.display();
        let en = format!("no store at {store}: run `regula init` first, or name one with --store");
        // Shown in English in either language, as in earlier releases (scripts match it).
        let said = CliError::said(
            "no-store",
            regula_core::Lang::En,
            format!("{store} 处没有存储：请先运行 `regula init`，或用 --store 指定存储"),
            en,
        );
        return Err(said.with_detail("store", serde_json::json!(store.to_string())));
    }
    Ok(())
}

/// The store the flags name: `--pg`, else the SQLite file `--store`.
pub fn store_location(cli: &Cli) -> StoreLocation {
    match &cli.pg {
        Some(url) => StoreLocation::Postgres(url.clone()),
        None => StoreLocation::Sqlite(cli.store.clone()),
    }
}

/// Where `catalog import FILE` keeps a copy of the catalog beside a SQLite store.
pub fn catalog_copy(cli: &Cli) -> Option<PathBuf> {
    if cli.pg.is_some() {
        return None;
    }
    let mut name = cli.store.file_name()?.to_os_string();
    name.push(".catalog.toml");
    Some(cli.store.with_file_name(name))
}

/// The catalog: `--catalog`, else the copy beside the store, else the built-in plan.
pub fn load_catalog(cli: &Cli) -> Result<Catalog, CliError> {
    if let Some(path) = &cli.catalog {
        return Ok(Catalog::from_path(path)?);
    }
    if let Some(copy) = catalog_copy(cli).filter(|p| p.exists()) {
        return Ok(Catalog::from_path(copy)?);
    }
    Ok(Catalog::builtin()?)
}

/// Parses a time: RFC 3339, or a date meaning 09:00 in the court's time zone
/// ([`CourtConfig::parse_time`]).
pub fn parse_time(text: &str, config: &CourtConfig) -> Result<DateTime<Utc>, CliError> {
    config.parse_time(text).ok_or_else(|| {
        CliError::both(
            "usage",
            format!("无效的时间 {text:?}：应为日期（2023-03-01）或 RFC 3339（2023-03-01T09:00:00+08:00）"),
            format!("invalid time {text:?}: expected a date (2023-03-01) or RFC 3339 (2023-03-01T09:00:00+08:00)"),
        )
    })
}

/// Parses a date.
pub fn parse_date(text: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        CliError::both(
            "usage",
            format!("无效的日期 {text:?}：应为 YYYY-MM-DD，例如 2023-12-31"),
            format!("invalid date {text:?}: expected YYYY-MM-DD, e.g. 2023-12-31"),
        )
    })
}

/// Refuses an `--as` argument whose id or unit contains a control, bidi or invisible
/// character ([`regula_core::plain_text::check_text`]): checked before anything is
/// opened. A blank id or unit is refused by [`parse_actor`], and the engine checks the
/// actor it is given again.
pub fn check_actor_spec(spec: &str) -> Result<(), CliError> {
    use regula_core::plain_text::{check_text, field};
    match spec.trim().split_once('@') {
        Some((id, unit)) => {
            check_text(field::ACTOR_ID, id.trim())?;
            check_text(field::ACTOR_UNIT, unit.trim())?;
        }
        None => check_text(field::ACTOR_ID, spec.trim())?,
    }
    Ok(())
}

/// Parses an actor: `ID@UNIT` (a department by name, alias or id, the office, or the
/// intermediate court), or the id or name of a leading group member.
pub fn parse_actor(spec: &str, config: &CourtConfig) -> Result<Actor, CliError> {
    check_actor_spec(spec)?;
    let spec = spec.trim();
    match spec.split_once('@') {
        Some((id, unit)) if !id.trim().is_empty() && !unit.trim().is_empty() => {
            let (id, unit) = (id.trim(), unit.trim());
            if config.intermediate_court.matches(unit) {
                return Ok(config.intermediate_court_staff(id, id));
            }
            config.department_staff(unit, id, id).ok_or_else(|| {
                CliError::both(
                    "usage",
                    format!("--as {spec:?} 中的单位 {unit:?} 不存在：请写部门（如 立案庭）、综合办公室或中级法院"),
                    format!(
                        "unknown unit {unit:?} in --as {spec:?}: name a department (e.g. 立案庭), the office (综合办公室) or the intermediate court"
                    ),
                )
            })
        }
        Some(_) => Err(CliError::both(
            "usage",
            format!("无效的操作人 {spec:?}：应写作 ID@单位，例如 li.na@立案庭"),
            format!("invalid actor {spec:?}: expected ID@UNIT, e.g. li.na@立案庭"),
        )),
        None => config.leading_group_member(spec).ok_or_else(|| {
            CliError::both(
                "usage",
                format!("{spec:?} 不是领导小组成员；其他操作人写作 ID@单位，例如 li.na@立案庭"),
                format!(
                    "{spec:?} is not a member of the leading group; other actors are written ID@UNIT, e.g. li.na@立案庭"
                ),
            )
        }),
    }
}

/// Reads a file, naming it in the error.
pub fn read_file(path: &Path) -> Result<String, CliError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|source| CliError::Io {
            path: path.to_owned(),
            source,
        })?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes a file all at once or not at all ([`regula_proof::write_atomic`]), naming
/// it in the error: a failure leaves the file as it was.
pub fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    regula_proof::write_atomic(path, text.as_bytes(), regula_proof::WriteOptions::REPLACE).map_err(|source| {
        CliError::Io {
            path: path.to_owned(),
            source,
        }
    })
}

/// The version of the `--json` vocabulary: every document the CLI prints under
/// `--json` carries it as `format` (arrays excepted: see the README's "JSON output").
pub const FORMAT: u32 = 1;

/// An error under `--json`: one object on one line of stderr.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorDocument {
    /// [`FORMAT`].
    pub format: u32,
    /// What went wrong.
    pub error: ErrorBody,
}

/// The error of an [`ErrorDocument`].
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// The kind, kebab-case: stable, for scripts to match.
    pub code: String,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
    /// Facts by name (the standard's code, the file, the store); may be empty.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl CliError {
    /// The error as `--json` prints it. Messages that exist in one language only (a
    /// lower layer's, or an input error not yet translated) appear in both fields
    /// after a prefix in each language.
    pub fn into_document(self) -> ErrorDocument {
        use serde_json::{Map, json};
        let mut details = Map::new();
        let plain =
            |zh: &str, en: &str, message: &dyn std::fmt::Display| (format!("{zh}{message}"), format!("{en}{message}"));
        let (code, (zh, en)) = match self {
            CliError::Said(said) | CliError::Conflict(said) => {
                let Said {
                    code,
                    zh,
                    en,
                    details: d,
                    ..
                } = *said;
                details = d;
                (code.to_owned(), (zh, en))
            }
            CliError::Store(e) => ("store".into(), plain("存储错误：", "store error: ", &e)),
            CliError::Catalog(e) => ("catalog".into(), plain("目录文件有误：", "catalog error: ", &e)),
            CliError::Service(ServiceError::UnknownCode { code }) => {
                details.insert("code".into(), json!(code));
                (
                    "unknown-standard".into(),
                    (
                        format!("目录中没有标准 {code}"),
                        format!("no standard {code} in the catalog"),
                    ),
                )
            }
            CliError::Service(ServiceError::NotOpened { code }) => {
                details.insert("code".into(), json!(code));
                (
                    "not-imported".into(),
                    (
                        format!("标准 {code} 尚未导入此存储（先运行 catalog import）"),
                        format!("standard {code} has not been imported into this store; run `catalog import` first"),
                    ),
                )
            }
            CliError::Service(e) => {
                let problem = regula_server::problem::from_service(e, "");
                (
                    "service".into(),
                    (problem.detail.zh.to_string(), problem.detail.en.to_string()),
                )
            }
            CliError::Load(e) => ("definition".into(), plain("定义文件有误：", "definition error: ", &e)),
            CliError::Serve(e) => ("serve".into(), plain("服务错误：", "service error: ", &e)),
            CliError::Proof(m) => (
                "proof".into(),
                plain("密钥、检查点或证明不可用：", "key, checkpoint or proof: ", &m),
            ),
            CliError::Io { path, source } => {
                details.insert("path".into(), json!(path.display().to_string()));
                (
                    "file".into(),
                    plain(
                        "文件读写失败：",
                        "file error: ",
                        &format!("{}: {source}", path.display()),
                    ),
                )
            }
            CliError::Output(e) => ("output".into(), plain("无法写出结果：", "cannot write output: ", &e)),
            CliError::UnsafeText(e) => {
                let m = e.message();
                ("unsafe-text".into(), (m.zh.to_string(), m.en.to_string()))
            }
            CliError::Refused => (
                "refused".into(),
                (
                    "操作被拒绝（见记录）".into(),
                    "the action was refused (see the record)".into(),
                ),
            ),
            CliError::VerifyFailed => (
                "verify-failed".into(),
                ("校验发现问题".into(), "verification failed".into()),
            ),
            CliError::ProofRejected => (
                "proof-rejected".into(),
                ("证明未通过校验".into(), "proof rejected".into()),
            ),
        };
        ErrorDocument {
            format: FORMAT,
            error: ErrorBody { code, zh, en, details },
        }
    }
}
