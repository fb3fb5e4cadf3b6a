//! The command line's grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use regula_standards::report::Section;

/// The exit codes, as `regula --help` prints them.
pub const EXIT_CODES: &str = "Exit codes: 0 ok; 1 an action was refused, or verification or a proof failed; \
                              2 a usage, input or store error (nothing was changed).";

/// The heading of the options every command shares (in English; the Chinese help
/// shows [`crate::help_zh::words::GLOBAL`]).
pub const GLOBAL: &str = "Global options";

/// Regula: a court's work standards as a guarded, audited state machine.
///
/// Exit codes ([`EXIT_CODES`], shown by `--help`): 0 ok; 1 an action was refused, or
/// verification or a proof failed; 2 a usage, input or store error (nothing was changed).
#[derive(Debug, Parser)]
#[command(name = "regula", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// The embedded SQLite store (or `store` in regula.toml: the flag wins over the
    /// environment, which wins over the file).
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        value_name = "PATH",
        default_value = "regula.db",
        env = "REGULA_STORE"
    )]
    pub store: PathBuf,

    /// Use PostgreSQL instead, e.g. "host=db1 user=regula dbname=court" (or `pg` in
    /// regula.toml). A `--store` given on the command line wins over `REGULA_PG` in the
    /// environment, which wins over the file's `store`.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "URL", env = "REGULA_PG")]
    pub pg: Option<String>,

    /// The catalog of standards (default: the one imported into this store, else the
    /// built-in 117-standard plan).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Language of labels and messages (also REGULA_LANG, or `lang` in regula.toml).
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, default_value_t = LangArg::Zh, env = "REGULA_LANG")]
    pub lang: LangArg,

    /// Print JSON instead of text (read commands).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// Colour status words (refused, error, verified): auto (a terminal, unless
    /// NO_COLOR is set or TERM=dumb), always, never. The flag wins over NO_COLOR.
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, value_name = "WHEN", default_value_t = crate::out::ColorChoice::Auto)]
    pub color: crate::out::ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `zh` or `en`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl Cli {
    /// Parses the command line, with the configuration file's settings as defaults
    /// ([`crate::config`]), in the language [`crate::config::early_lang`] finds. The
    /// store named at the highest level wins: the command line over the environment
    /// over the file; `--store PATH` with `REGULA_PG` set uses the file, `--pg URL`
    /// with `REGULA_STORE` set uses PostgreSQL, `REGULA_STORE` over a file's `pg`; both
    /// flags on the command line conflict.
    pub fn parse_resolved() -> Result<Cli, Stop> {
        use clap::FromArgMatches;
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let (_, config) = crate::config::load().map_err(Stop::Config)?;
        let lang = crate::config::early_lang(&args, &config);
        let stop = |error: clap::Error| {
            use clap::error::ErrorKind;
            let shown_as_is = matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            // The same command line under the other language's definition gives the
            // same error in that language: both are kept, the Chinese one as `error`
            // (not needed for help to print). A message this command line raises
            // itself exists only in the language it was raised in.
            let (error, en) = match lang {
                _ if shown_as_is => (error, None),
                LangArg::Zh => {
                    let en = Self::matches(&args, &config, LangArg::En).err();
                    (error, en)
                }
                // Only the same kind of error is taken: a Chinese "error" that is help
                // or the version to print (never seen: both definitions have the same
                // options) would be printed in place of the English error.
                LangArg::En => match Self::matches(&args, &config, LangArg::Zh).err() {
                    Some(zh) if zh.kind() == error.kind() => (zh, Some(error)),
                    _ => (error, None),
                },
            };
            Stop::Clap {
                en: en.map(Box::new),
                error: Box::new(error),
                lang,
            }
        };
        let matches = Self::matches(&args, &config, lang).map_err(stop)?;
        let mut cli = Cli::from_arg_matches(&matches).map_err(stop)?;
        let (store, pg) = store_levels(&matches, &config);
        if store > pg {
            cli.pg = None;
        }
        Ok(cli)
    }

    /// The command line's matches under the definition in `lang`, or clap's error
    /// (help and version included), or the error of both stores named on it.
    fn matches(
        args: &[std::ffi::OsString],
        config: &crate::config::Config,
        lang: LangArg,
    ) -> Result<clap::ArgMatches, clap::Error> {
        let command = crate::config::apply(crate::help::definition(lang), config);
        let mut command = crate::help::finished(command, lang);
        let matches = command.clone().try_get_matches_from(args)?;
        if store_levels(&matches, config) == (3, 3) {
            let message = match lang {
                LangArg::Zh => "--store 与 --pg 指定了两个存储库；只能给一个",
                LangArg::En => "--store and --pg name two stores; give one",
            };
            return Err(command.error(clap::error::ErrorKind::ArgumentConflict, message));
        }
        Ok(matches)
    }
}

/// Where `--store` and `--pg` were each given: 3 the command line, 2 the environment,
/// 1 the configuration file, 0 nowhere.
fn store_levels(matches: &clap::ArgMatches, config: &crate::config::Config) -> (u8, u8) {
    use clap::parser::ValueSource;
    let level = |id: &str, from_file: bool| match matches.value_source(id) {
        Some(ValueSource::CommandLine) => 3,
        Some(ValueSource::EnvVariable) => 2,
        Some(ValueSource::DefaultValue) if from_file => 1,
        _ => 0,
    };
    (level("store", config.store.is_some()), level("pg", config.pg.is_some()))
}

/// Why the command line was not run.
#[derive(Debug)]
pub enum Stop {
    /// The configuration file cannot be used (nothing was run).
    Config(crate::config::ConfigError),
    /// clap stopped: help or the version was asked for, or the command line is wrong.
    Clap {
        /// clap's error from the Chinese definition; help and the version as asked
        /// for, in `lang`. When the Chinese definition accepts the command line
        /// (unexpected), the error in `lang`.
        error: Box<clap::Error>,
        /// The same command line's error under the English definition (`None` for
        /// help and the version, and when the English definition gave `error`).
        en: Option<Box<clap::Error>>,
        /// The language the help and the message are in.
        lang: LangArg,
    },
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store (and its schema) if it does not exist.
    Init,
    /// The catalog of standards.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The rules the store's decisions follow, kept in its own log.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Court-level decisions, recorded in the rules log: the core standards, the
    /// departments' work plans, extensions, the leading group's progress hearings.
    #[command(subcommand)]
    Court(CourtCommand),
    /// Bearer tokens for the HTTP service, kept in the store's access log (issued and
    /// revoked by the office or a leading group member).
    #[command(subcommand)]
    Token(TokenCommand),
    /// List standards, with filters.
    List(ListArgs),
    /// One standard: state, version in force, department, and what blocks its next step.
    Show(ShowArgs),
    /// Attempt an action on a standard; a refusal prints every failed rule and exits 1.
    Do(DoArgs),
    /// The actions open to a standard now (with --as: those the actor may take), or
    /// every action of the lifecycle.
    Actions(ActionsArgs),
    /// An action's payload fields: name, type, required, meaning, example (from the
    /// schema the engine checks).
    Schema(SchemaArgs),
    /// A standard's audit trail.
    Log(LogArgs),
    /// Move open standards onto the latest version of the court's definition, one
    /// recorded migration each (the office's act); without codes, every open standard
    /// that follows an earlier version.
    Migrate(MigrateArgs),
    /// Verify the whole store, and that it extends a saved checkpoint (signed by a
    /// given key).
    Verify(VerifyArgs),
    /// A checkpoint of the whole log (its size and Merkle root) to save elsewhere,
    /// signed with --sign.
    Checkpoint(CheckpointArgs),
    /// Progress and compliance with each step of the plan, as of a date; the yearly
    /// assessment; as tables, Markdown, CSV, JSON, an HTML page or an Excel workbook.
    Report(ReportArgs),
    /// Draw a definition: the court's, or one loaded from a TOML file.
    Diagram(DiagramArgs),
    /// Signing keys for checkpoints.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Write a proof bundle: a record, its inclusion proof, and a signed checkpoint.
    Prove(ProveArgs),
    /// Verify a proof bundle offline, with only the bundle and the public key.
    VerifyProof(VerifyProofArgs),
    /// Print a shell completion script, generated from this command line's own
    /// definition.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one per command into a directory.
    Man(ManArgs),
    /// Serve the store over HTTP/JSON (see the README, "Running Regula as a
    /// service"): callers authenticate with tokens from `regula token issue`.
    Serve(ServeArgs),
}

/// `completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `regula.1` and a page per subcommand (`regula-do.1`, …) into this
    /// directory (created if missing) instead of printing `regula.1`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed on start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Sign checkpoints and proof bundles with this secret key (`regula key generate`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// The checkpoints' origin (default: the key's name).
    #[arg(long, value_name = "NAME")]
    pub origin: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// How long a request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// The most records one group commit writes.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_batch: usize,
}

/// `key …`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ed25519 signing key: the secret goes to a new file readable by its
    /// owner only, the public key to standard output (and `--public`).
    Generate(KeyGenerateArgs),
}

/// `key generate`
#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// The key's name, e.g. hongshi-court (no spaces, no `+`).
    pub name: String,
    /// The secret key file to create (never overwritten).
    #[arg(long, value_name = "FILE")]
    pub secret: PathBuf,
    /// Also write the public key to this file.
    #[arg(long, value_name = "FILE")]
    pub public: Option<PathBuf>,
}

/// `prove`
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The standard's code.
    pub code: String,
    /// The record's sequence number in the standard's log (see `regula log CODE`).
    pub seq: u64,
    /// A signed checkpoint (from `regula checkpoint --sign`) that includes the record;
    /// an unsigned one is refused (it would prove nothing to anyone else).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// Write the bundle here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `verify-proof`
#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// The proof bundle (JSON, from `regula prove`).
    pub bundle: PathBuf,
    /// The public key of the court that signed the checkpoint.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

/// `catalog …`
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Record the catalog in the store's rules log (the first time) and open work on
    /// its standards; later, a catalog file may only add standards.
    Import(ImportArgs),
    /// Print the catalog's domains, categories and standards.
    Show,
}

/// `rules …`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Put a changed catalog in force (a leading group member, with a reason); the
    /// attempt is recorded, and refused if it drops or changes a standard.
    Amend(AmendArgs),
    /// The rules log: the catalog recorded, every extension and amendment.
    Log,
}

/// `court …`
#[derive(Debug, Subcommand)]
pub enum CourtCommand {
    /// A leading group member records which standards are core (确定核心工作标准).
    DesignateCore(DesignateCoreArgs),
    /// Record a department's annual work plan (各部门工作方案): targets no later than
    /// the plan's dates (see the regula-standards docs for the file's format).
    WorkPlan(WorkPlanArgs),
    /// A leading group member moves a standard's deadline past the plan's date (决定延期).
    Extend(ExtendArgs),
    /// A leading group member records a progress hearing (定期听取).
    Hearing(HearingArgs),
    /// The leading group's progress hearings.
    Hearings,
    /// The court's log: the rules, every court-level decision, refusals included.
    Log,
}

/// `token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token acting as an actor; its secret is printed once, and never again.
    Issue(TokenIssueArgs),
    /// The tokens the access log holds (never their secrets or hashes).
    List,
    /// Revoke a token: it authenticates no one from then on.
    Revoke(TokenRevokeArgs),
}

/// `token issue`
#[derive(Debug, Args)]
pub struct TokenIssueArgs {
    /// Who issues it: someone of the office (ID@综合办公室) or a leading group member.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// The actor the token acts as, written as for --as: ID@UNIT, or a leading group
    /// member.
    #[arg(long = "for", value_name = "ACTOR")]
    pub bound: String,
    /// An administering token (catalog import, rule changes, migrations, tokens): only
    /// for someone of the office or a leading group member.
    #[arg(long)]
    pub admin: bool,
    /// What the token is for.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// When it was issued (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `token revoke`
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (the 16 hexadecimal characters after `rgl_`).
    pub id: String,
    /// Who revokes it: someone of the office or a leading group member.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// When it was revoked (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `court designate-core`
#[derive(Debug, Args)]
pub struct DesignateCoreArgs {
    /// The codes of the standards designated core.
    pub codes: Vec<String>,
    /// Codes of core standards that cease to be core.
    #[arg(long, value_delimiter = ',')]
    pub revoke: Vec<String>,
    /// The meeting that decided it.
    #[arg(long)]
    pub meeting: Option<String>,
    /// Who decides: a member of the leading group, by name or id.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When it was decided (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `court work-plan`
#[derive(Debug, Args)]
pub struct WorkPlanArgs {
    /// The work plan file (TOML: `year`, `[[targets]]` with `code`, `due`, `milestone`, `note`).
    pub file: PathBuf,
    /// The department whose plan it is (default: the actor's; for someone of the office,
    /// the office's plan for the whole court).
    #[arg(long)]
    pub department: Option<String>,
    /// The year (default: the file's, else the year of --at).
    #[arg(long)]
    pub year: Option<i32>,
    /// Who records it: someone of the department, or of the office, as ID@UNIT.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When it was adopted (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `court extend`
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The standard's code.
    pub code: String,
    /// The step whose date is extended for it (e.g. build-all).
    #[arg(long)]
    pub step: String,
    /// The new due date (YYYY-MM-DD), after the plan's.
    #[arg(long = "to", value_name = "DATE")]
    pub to: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
    /// Who decides: a member of the leading group, by name or id.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When it was decided (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `court hearing`
#[derive(Debug, Args)]
pub struct HearingArgs {
    /// The members present, by name or id, comma-separated (the recorder among them).
    #[arg(long, value_delimiter = ',', required = true)]
    pub present: Vec<String>,
    /// What was heard.
    #[arg(long)]
    pub summary: String,
    /// A decision taken (repeat for several).
    #[arg(long)]
    pub decision: Vec<String>,
    /// Who records it: a member present, by name or id.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When it was held (RFC 3339, or a date meaning 09:00 in the court's time zone).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `rules amend`
#[derive(Debug, Args)]
pub struct AmendArgs {
    /// The catalog file to put in force.
    pub file: PathBuf,
    /// Why the rules change.
    #[arg(long)]
    pub reason: String,
    /// Who amends: a member of the leading group, by name or id.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When the change was decided (RFC 3339, or a date meaning 09:00 in the court's
    /// time zone); recorded beside the time it is entered.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `migrate`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The standards to migrate; none: every open standard on an earlier version.
    pub codes: Vec<String>,
    /// Who migrates: someone of the office, as ID@UNIT.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// When the migration took effect (RFC 3339, or a date meaning 09:00 in the court's
    /// time zone); recorded beside the time it is entered.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `catalog import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A catalog file (see the regula-standards docs for its format).
    pub file: Option<PathBuf>,
    /// Who imports: someone of the office, as ID@UNIT.
    #[arg(long = "as", value_name = "ACTOR", default_value = "regula@综合办公室")]
    pub actor: String,
    /// When the work began, for an import entered after the fact (RFC 3339, or a date
    /// meaning 09:00 in the court's time zone); recorded beside the time it is entered.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this domain: its code in any case (ADJ, adj) or its name (审判工作标准化).
    #[arg(long)]
    pub domain: Option<String>,
    /// Only this category: its code in any case (ADJ-01) or its name (审判业务标准).
    #[arg(long)]
    pub category: Option<String>,
    /// Only this department (name, alias or id; "unassigned" for none).
    #[arg(long)]
    pub department: Option<String>,
    /// Only standards in this state, by name or label (drafting, 文本起草; "not_started"
    /// for none).
    #[arg(long)]
    pub state: Option<String>,
    /// Only standards late against a step of the plan as of this date.
    #[arg(long, value_name = "DATE")]
    pub late: Option<String>,
}

/// `show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The standard's code, e.g. ADJ-01-08.
    pub code: String,
    /// Show the standard as its log stood at this time (RFC 3339, or a date meaning
    /// 09:00 in the court's time zone): stage, department, versions, records and what
    /// blocks (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `do`
#[derive(Debug, Args)]
pub struct DoArgs {
    /// The standard's code.
    pub code: String,
    /// The action, by name or label (start_drafting, 开始起草; see `regula actions CODE`).
    pub action: String,
    /// Payload fields as KEY=VALUE, each VALUE read by its field's type (`regula schema
    /// ACTION` lists them): text stays text, a number is a number, a list takes a JSON
    /// array or the KEY repeated; a dotted KEY such as meeting.date is a nested field. A
    /// field the action does not have is refused before anything is written.
    #[arg(value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// Who acts, as ID@UNIT (a department, the office, or the intermediate court), or
    /// the id or name of a leading group member.
    #[arg(long = "as", value_name = "ACTOR")]
    pub actor: String,
    /// The role acted in, by name or label (default: the only role allowed, or the one
    /// the actor fits).
    #[arg(long)]
    pub role: Option<String>,
    /// The payload as a JSON file ("-" for standard input).
    #[arg(long = "json-file", value_name = "FILE", conflicts_with = "fields")]
    pub json_file: Option<PathBuf>,
    /// A note kept in the audit record.
    #[arg(long)]
    pub note: Option<String>,
    /// When the event happened, for an event entered after the fact (RFC 3339, or a
    /// date meaning 09:00 in the court's time zone): the rules of that time judge it,
    /// and the record keeps both times. Not in the future, not before the standard's
    /// last accepted record.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Show the decision the attempt would get now (accepted, to which state; or
    /// refused, with every reason) without writing anything; exit 1 if it would be
    /// refused.
    #[arg(long)]
    pub dry_run: bool,
    /// If another writer records on the standard first (a write conflict: nothing was
    /// written), decide once more on the new state instead of stopping.
    #[arg(long, conflicts_with = "dry_run")]
    pub retry: bool,
}

/// `actions`
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// The standard's code; without it, every action of the court's lifecycle, from
    /// which states, to which, by which roles.
    pub code: Option<String>,
    /// Only the actions this actor may take now (ID@UNIT, or a leading group member):
    /// those with a role the actor fits.
    #[arg(long = "as", value_name = "ACTOR", requires = "code")]
    pub actor: Option<String>,
}

/// `schema`
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The action, by name or label, e.g. respond_to_opinion (`regula actions` lists
    /// them).
    pub action: String,
}

/// `log`
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The standard's code.
    pub code: String,
}

/// `verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint saved earlier (by `regula checkpoint`, signed or not; a JSON
    /// checkpoint of Regula 0.1–0.2 is still read) that the store must extend: the same
    /// first records, the same Merkle root. (`--since` is an old name for it.)
    #[arg(long, value_name = "FILE", alias = "since")]
    pub checkpoint: Option<PathBuf>,
    /// The public key that must have signed the checkpoint: a checkpoint it did not
    /// sign (unsigned, another key's, altered) fails verification.
    #[arg(long, value_name = "FILE", requires = "checkpoint")]
    pub key: Option<PathBuf>,
    /// Also run the database's thorough integrity check (SQLite `PRAGMA
    /// integrity_check`, which checks every index against its table; slower). The
    /// quick check runs on every verification.
    #[arg(long)]
    pub full: bool,
}

/// `checkpoint`
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Write it to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Sign it with this secret key (from `regula key generate`). Without it, the
    /// checkpoint is the same text with no signature line.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// The log's name on the checkpoint's first line (default: the key's name when
    /// signed, else `regula`).
    #[arg(long, value_name = "NAME")]
    pub origin: Option<String>,
}

/// `report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The date the report describes (default: today in the court's time zone).
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only these sections (default: all but the assessment).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub by: Vec<SectionArg>,
    /// The year of the department assessment (考核); alone, the report is the
    /// assessment only (default with `--by assessment`: the year of `--as-of`, or this
    /// year).
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(i32).range(1..=9999))]
    pub year: Option<i32>,
    /// Write the report to this file (replaced whole, or left as it was on failure)
    /// instead of standard output; `--format xlsx` needs it, or a pipe.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "split")]
    pub output: Option<PathBuf>,
    /// CSV: start with a UTF-8 byte-order mark, so that Excel on Chinese Windows reads
    /// the Chinese.
    #[arg(long)]
    pub bom: bool,
    /// CSV: write each table to its own file in DIR (created if missing), named by
    /// its number and title, instead of one CSV to standard output.
    #[arg(long, value_name = "DIR")]
    pub split: Option<PathBuf>,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned tables (tab-separated when piped).
    Table,
    /// Markdown tables.
    Markdown,
    /// CSV.
    Csv,
    /// JSON.
    Json,
    /// One self-contained HTML page: charts (inline SVG) and every table.
    Html,
    /// An Excel workbook, a sheet per table (binary: with `--output FILE` or a pipe).
    Xlsx,
}

/// A report section on the command line: the library's [`Section`], named and
/// described as it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionArg(pub Section);

impl ValueEnum for SectionArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [SectionArg; Section::ALL.len()] = {
            let mut all = [SectionArg(Section::Domain); Section::ALL.len()];
            let mut i = 0;
            while i < all.len() {
                all[i] = SectionArg(Section::ALL[i]);
                i += 1;
            }
            all
        };
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.as_str()).help(self.0.label().en))
    }
}

/// `diagram`
#[derive(Debug, Args)]
pub struct DiagramArgs {
    /// A definition file (TOML); default: the court's standard lifecycle.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    pub format: DiagramFormat,
    /// Show the roles on each transition.
    #[arg(long)]
    pub roles: bool,
    /// Show the guards on each transition.
    #[arg(long)]
    pub guards: bool,
}

/// Diagram formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// Mermaid stateDiagram-v2.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}
