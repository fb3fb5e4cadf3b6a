//! The subcommands.

use std::io::Write;

use chrono::{DateTime, Utc};
use regula_core::store::{Replayers, StorageCheck, Store, StoreError, StoreReport, VerifyOptions, verify_store_with};
use regula_core::{
    Action, AuditRecord, Checkpoint, CheckpointNote, Command, Definition, DiagramOptions, Dynamic, EngineError,
    Outcome, ReplayOptions, RepositoryError, VerifyError, VerifyErrorKind,
};
use regula_standards::catalog::Catalog;
use regula_standards::court::{CourtConfig, standard_definition};
use regula_standards::lifecycle::{Stage, StandardAction, roles};
use regula_standards::listing::{ListError, ListQuery};
use regula_standards::rules_log::RulesActionKind;
use regula_standards::service::{Court, Extension, ServiceError};
use regula_standards::view::ViewError;

use crate::args::{
    CatalogCommand, Cli, Command as Cmd, DiagramArgs, DiagramFormat, DoArgs, ImportArgs, ListArgs, LogArgs, ShowArgs,
    VerifyArgs,
};
use crate::ctx::{
    Access, AnyStore, CliError, check_actor_spec, load_catalog, open_store, parse_actor, parse_date, parse_time,
    read_file,
};
use crate::out::{Out, Progress, Tone, pad};
use crate::payload;
use crate::report;

/// Runs the command.
pub fn run(cli: &Cli, out: Out) -> Result<(), CliError> {
    match &cli.command {
        Cmd::Init => init(cli, out),
        Cmd::Catalog(CatalogCommand::Import(args)) => import(cli, out, args),
        Cmd::Catalog(CatalogCommand::Show) => catalog_show(cli, out),
        Cmd::Rules(crate::args::RulesCommand::Amend(args)) => rules_amend(cli, out, args),
        Cmd::Rules(crate::args::RulesCommand::Log) => rules_log(cli, out),
        Cmd::Court(command) => crate::court::run(cli, out, command),
        Cmd::Token(command) => crate::token::run(cli, out, command),
        Cmd::List(args) => list(cli, out, args),
        Cmd::Show(args) => show(cli, out, args),
        Cmd::Do(args) => act(cli, out, args),
        Cmd::Actions(args) => crate::describe::actions(cli, out, args),
        Cmd::Schema(args) => crate::describe::schema(out, args),
        Cmd::Log(args) => log(cli, out, args),
        Cmd::Migrate(args) => migrate(cli, out, args),
        Cmd::Verify(args) => verify(cli, out, args),
        Cmd::Checkpoint(args) => crate::proof::checkpoint(cli, out, args),
        Cmd::Report(args) => report::run(cli, out, args),
        Cmd::Diagram(args) => diagram(cli, out, args),
        Cmd::Key(crate::args::KeyCommand::Generate(args)) => crate::proof::key_generate(out, args),
        Cmd::Prove(args) => crate::proof::prove(cli, out, args),
        Cmd::VerifyProof(args) => crate::proof::verify_proof(out, args),
        Cmd::Serve(args) => serve(cli, args),
        Cmd::Completions(args) => crate::shell::completions(args, cli.lang),
        Cmd::Man(args) => crate::shell::man(out, args, cli.lang),
    }
}

/// `regula serve`: the store over HTTP until SIGTERM or Ctrl-C.
fn serve(cli: &Cli, args: &crate::args::ServeArgs) -> Result<(), CliError> {
    // Like every command but `init`, a missing store is an error, never created.
    crate::ctx::require_store(cli)?;
    let config = regula_server::ServeConfig {
        store: crate::ctx::store_location(cli),
        catalog: cli.catalog.clone(),
        listen: args.listen,
        sign: args.sign.clone(),
        origin: args.origin.clone(),
        limits: regula_server::Limits {
            body_bytes: args.max_body,
            request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            max_batch: args.max_batch.max(1),
        },
    };
    Ok(regula_server::run(config)?)
}

/// The court on the store, with the catalog the flags name; its engine reads the
/// system clock.
/// The store is opened for reading only ([`Access::Read`]).
pub fn open_court(cli: &Cli) -> Result<Court<AnyStore>, CliError> {
    let store = open_store(cli, Access::Read)?;
    let catalog = load_catalog(cli)?;
    let given = cli.catalog.is_some().then(|| catalog.clone());
    let court = Court::open(store, catalog, |engine| engine)?;
    check_catalog_flag(&court, given.as_ref())?;
    Ok(court)
}

/// The store's own rules win: a `--catalog` that says otherwise is a mistake to
/// report, not a flag to ignore.
fn check_catalog_flag(court: &Court<AnyStore>, given: Option<&Catalog>) -> Result<(), CliError> {
    if let Some(given) = given
        && court.rules_log().is_some()
        && (!court.catalog().rule_changes(given).is_empty() || !court.catalog().standard_changes(given).is_empty())
    {
        return Err(CliError::both(
            "usage",
            "--catalog 与本存储库记录的规则不同；以存储库的规则为准（`regula rules log`）：用 `regula catalog import FILE` 扩充，或用 `regula rules amend FILE` 修改".to_owned(),
            "--catalog differs from the rules this store records; the store's rules are in force (`regula rules log`): extend them with `regula catalog import FILE` or amend them with `regula rules amend FILE`".to_owned(),
        ));
    }
    Ok(())
}

/// The court on the store with `catalog`, for a command that writes, its engine on the
/// system clock, and `at` (an `--at` argument, read in the court's time zone): the
/// effective time of an event entered after the fact, which the engine checks and
/// records beside the clock's time (`Command::at`). A store written before claims
/// existed gets the claims of its past publications first (derived from its log, so no
/// change to its history).
pub(crate) fn court_at(
    cli: &Cli,
    catalog: Catalog,
    at: Option<&str>,
) -> Result<(Court<AnyStore>, Option<DateTime<Utc>>), CliError> {
    let given = cli.catalog.is_some().then(|| catalog.clone());
    let store = open_store(cli, Access::Write)?;
    let court = Court::open(store, catalog, |engine| engine)?;
    check_catalog_flag(&court, given.as_ref())?;
    court.claim_past_publications()?;
    let at = at.map(|t| parse_time(t, court.config())).transpose()?;
    Ok((court, at))
}

pub(crate) fn config_of(cli: &Cli) -> Result<CourtConfig, CliError> {
    Ok(CourtConfig::from_catalog(&load_catalog(cli)?))
}

fn init(cli: &Cli, out: Out) -> Result<(), CliError> {
    // PostgreSQL does not tell whether the schema was there before: `existed` is
    // unknown (null), and the text says the store is ready.
    let existed = cli.pg.is_none().then(|| cli.store.exists());
    let store = open_store(cli, Access::Create)?;
    let head = store.tree_head()?;
    // A store written before claims existed (migrated just now): claim its past
    // publications, so that `verify` holds them against its log.
    if head.size > 0 {
        Court::open(store, load_catalog(cli)?, |engine| engine)?.claim_past_publications()?;
    }
    let place = cli
        .pg
        .as_ref()
        .map_or_else(|| cli.store.display().to_string(), |_| "PostgreSQL".to_owned());
    if out.json {
        return Ok(out.print_json(&crate::vocab::InitDocument {
            store: place,
            existed,
            records: head.size,
        })?);
    }
    if existed.is_none() {
        crate::outln!(
            "{} {place} ({} {})",
            out.s("存储就绪：", "store ready:"),
            head.size,
            out.s("条记录", "records")
        )?;
    } else if existed == Some(true) {
        crate::outln!(
            "{} {place} ({} {})",
            out.s("存储已存在：", "store exists:"),
            head.size,
            out.s("条记录", "records")
        )?;
    } else {
        crate::outln!("{} {place}", out.s("已创建存储：", "created store:"))?;
    }
    Ok(())
}

fn import(cli: &Cli, out: Out, args: &ImportArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let file = args.file.as_ref().map(Catalog::from_path).transpose()?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let mut progress = Progress::new(out.s("导入", "importing"));
    progress.update(0, court.catalog().standards().len() as u64);
    // The catalog is recorded in the store's rules log, in the same transaction as the
    // standards it opens: nothing is written beside the store.
    let opened = match file {
        Some(catalog) => match court.extend(&actor, catalog, at)? {
            Extension::Opened(codes) => codes,
            Extension::Refused(record) => {
                progress.finish();
                if out.json {
                    out.print_json(&record)?;
                } else {
                    print_rules_refusal(out, &record)?;
                }
                return Err(CliError::Refused);
            }
        },
        None => court.import_at(&actor, at)?,
    };
    progress.update(
        court.catalog().standards().len() as u64,
        court.catalog().standards().len() as u64,
    );
    progress.finish();
    if out.json {
        return Ok(out.print_json(&crate::vocab::ImportDocument {
            opened,
            total: court.catalog().standards().len(),
        })?);
    }
    let unassigned = court.catalog().unassigned().count();
    crate::outln!(
        "{} {} / {} {}（{} {}）",
        out.s("已导入", "imported"),
        opened.len(),
        court.catalog().standards().len(),
        out.s("项标准", "standards"),
        unassigned,
        out.s("项未指定责任部门", "without a responsible department"),
    )?;
    Ok(())
}

fn catalog_show(cli: &Cli, out: Out) -> Result<(), CliError> {
    // A store's own catalog, with the core standards its log designates; with no store,
    // the catalog the flags name.
    let catalog = if cli.pg.is_none() && !cli.store.exists() {
        load_catalog(cli)?
    } else {
        open_court(cli)?.catalog().clone()
    };
    if out.json {
        let rows: Vec<_> = catalog
            .standards()
            .iter()
            .map(|e| crate::vocab::CatalogItem {
                code: &e.code,
                name: &e.name,
                domain: &e.domain,
                category: &e.category,
                department: crate::vocab::Department::new(&catalog, e.department.as_ref()),
                unassigned: e.unassigned.as_deref(),
                core: e.core,
            })
            .collect();
        return Ok(out.print_json(&rows)?);
    }
    let rows: Vec<Vec<String>> = catalog
        .standards()
        .iter()
        .map(|e| {
            vec![
                e.code.clone(),
                out.t(&e.name).to_owned(),
                catalog
                    .category(&e.category)
                    .map_or(e.category.clone(), |c| out.t(&c.label).to_owned()),
                out.t(&catalog.department_label(e.department.as_ref())).to_owned(),
                if e.core { "✓".into() } else { String::new() },
            ]
        })
        .collect();
    let header = [
        out.s("编号", "code"),
        out.s("名称", "name"),
        out.s("类别", "category"),
        out.s("责任部门", "department"),
        out.s("核心", "core"),
    ];
    Ok(out.table(&header, &rows)?)
}

fn list(cli: &Cli, out: Out, args: &ListArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let query = ListQuery {
        domain: args.domain.clone(),
        category: args.category.clone(),
        department: args.department.clone(),
        state: args.state.clone(),
        late: args.late.as_deref().map(parse_date).transpose()?,
    };
    let statuses = court.list(&query, Utc::now()).map_err(|e| match e {
        ListError::Service(e) => CliError::Service(e),
        other => CliError::text(other.message()),
    })?;
    if out.json {
        let items: Vec<_> = statuses.iter().map(crate::vocab::ListItem::new).collect();
        return Ok(out.print_json(&items)?);
    }
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|s| {
            vec![
                s.code.clone(),
                out.t(&s.name).to_owned(),
                out.t(&s.department_label).to_owned(),
                out.t(&s.stage_label).to_owned(),
                s.version_in_force.map_or(String::new(), |v| format!("v{v}")),
                if s.is_overdue() {
                    out.s("逾期", "late").to_owned()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let header = [
        out.s("编号", "code"),
        out.s("名称", "name"),
        out.s("责任部门", "department"),
        out.s("状态", "state"),
        out.s("现行版本", "in force"),
        out.s("逾期", "late"),
    ];
    out.table(&header, &rows)?;
    if out.tty {
        crate::outln!("{} {}", statuses.len(), out.s("项", "standards"))?;
    }
    Ok(())
}

fn show(cli: &Cli, out: Out, args: &ShowArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let tz = court.config().timezone;
    let at = args.at.as_deref().map(|t| parse_time(t, court.config())).transpose()?;
    let view = court.view(&args.code, at, Utc::now()).map_err(|e| match e {
        ViewError::Service(e) => CliError::Service(e),
        other => CliError::text(other.message()),
    })?;
    if out.json {
        // The view carries the department's labels only; its id is the ledger's.
        let ledger = match at {
            Some(at) => court.ledger_as_of(at)?,
            None => court.ledger(),
        };
        let department = ledger.get(&view.code).and_then(|d| d.department.clone());
        return Ok(out.print_json(&crate::vocab::ShowDocument::new(&view, department.as_ref()))?);
    }
    // Gathered and printed escaped (stored text never reaches the terminal raw);
    // written, not println!'d: a closed pipe (`regula show X | head -1`) is not a panic.
    let mut w = crate::out::Screen::default();
    writeln!(w, "{}  {}", view.code, out.t(&view.name))?;
    if let Some(at) = view.as_of {
        writeln!(
            w,
            "  {} {}",
            pad(out.s("截至", "as of"), 10),
            at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        )?;
    }
    writeln!(w, "  {} {}", pad(out.s("状态", "state"), 10), out.t(&view.state_label))?;
    if view.may_migrate() {
        writeln!(
            w,
            "  {} {} v{} ({} v{}: regula migrate {})",
            pad(out.s("规则版本", "definition"), 10),
            view.definition.name,
            view.definition.version,
            out.s("可迁移到", "may move to"),
            view.latest_definition,
            view.code
        )?;
    }
    writeln!(
        w,
        "  {} {}",
        pad(out.s("责任部门", "department"), 10),
        out.t(&view.department)
    )?;
    match &view.version_in_force {
        Some(v) => writeln!(
            w,
            "  {} v{} {} ({})",
            pad(out.s("现行版本", "in force"), 10),
            v.number,
            v.document_number,
            v.published_on
        )?,
        None => writeln!(
            w,
            "  {} {}",
            pad(out.s("现行版本", "in force"), 10),
            out.s("无", "none")
        )?,
    }
    writeln!(
        w,
        "  {} {} ({} {})",
        pad(out.s("记录", "records"), 10),
        view.records,
        out.s("最近", "last"),
        view.last_record.with_timezone(&tz).format("%Y-%m-%d %H:%M")
    )?;
    if !view.blockers.is_empty() {
        writeln!(w, "{}", out.s("下一步：", "Next step:"))?;
        for b in &view.blockers {
            if b.reasons.is_empty() {
                writeln!(
                    w,
                    "  {} — {}",
                    out.t(&b.label),
                    out.s("记录中没有阻碍", "nothing in the record blocks it")
                )?;
            } else {
                writeln!(w, "  {} — {}", out.t(&b.label), out.s("受阻：", "blocked:"))?;
                for r in &b.reasons {
                    writeln!(w, "    - {}", out.t(r))?;
                }
            }
        }
    }
    if !view.actions.is_empty() {
        writeln!(w, "{}", out.s("可执行的操作：", "Actions:"))?;
        for a in &view.actions {
            let roles: Vec<String> = a
                .roles
                .iter()
                .map(|r| roles::label(r).map_or(r.clone(), |l| out.t(&l).to_owned()))
                .collect();
            writeln!(w, "  {} {} ({})", pad(&a.action, 22), out.t(&a.label), roles.join(", "))?;
        }
    }
    Ok(w.finish()?)
}

fn act(cli: &Cli, out: Out, args: &DoArgs) -> Result<(), CliError> {
    // Before anything is opened: an actor that could act on a terminal is refused.
    check_actor_spec(&args.actor)?;
    // Read once: standard input (`--json-file -`) cannot be read again for a retry.
    let json_text = args.json_file.as_deref().map(read_file).transpose()?;
    retry_once(args.retry && !args.dry_run, out, || {
        act_once(cli, out, args, json_text.as_deref())
    })
}

/// Runs `attempt`; when it ends in a write conflict (another writer extended the
/// standard between this command's reading and its writing, so nothing was written)
/// and `retry` is set, runs it once more, deciding afresh on the new state. A second
/// conflict is the error.
fn retry_once(retry: bool, out: Out, mut attempt: impl FnMut() -> Result<(), CliError>) -> Result<(), CliError> {
    match attempt() {
        Err(CliError::Conflict(said)) if retry => {
            crate::errln!(
                "regula: {}\nregula: {}",
                said.text(out.lang),
                out.s(
                    "--retry：按最新状态重新判断一次",
                    "--retry: deciding once more on the new state"
                )
            );
            attempt()
        }
        other => other,
    }
}

/// One attempt of `do`, on the store as it is now; `json_text` is `--json-file`'s
/// content, read beforehand.
fn act_once(cli: &Cli, out: Out, args: &DoArgs, json_text: Option<&str>) -> Result<(), CliError> {
    // A dry run opens the store as every reading command does: it writes nothing.
    let (mut court, at) = if args.dry_run {
        let court = open_court(cli)?;
        let at = args.at.as_deref().map(|t| parse_time(t, court.config())).transpose()?;
        (court, at)
    } else {
        court_at(cli, load_catalog(cli)?, args.at.as_deref())?
    };
    let code = args.code.to_uppercase();
    court.opened(&code)?;
    let actor = parse_actor(&args.actor, court.config())?;
    // The actions of the version the standard follows.
    let definition = std::sync::Arc::clone(court.definition_of(&code)?);
    // The action by its machine name or either label (开始起草, Start drafting).
    let Some(named) = definition.find_action(&args.action) else {
        let names: Vec<&str> = definition.actions().iter().map(|a| a.name.as_str()).collect();
        return Err(CliError::both(
            "usage",
            format!("没有操作 {:?}；操作有：{}", args.action, names.join(", ")),
            format!("unknown action {:?}; actions: {}", args.action, names.join(", ")),
        ));
    };
    let action_name = named.name.clone();
    // The payload is read and checked by the fields of the action's schema: a field
    // the action does not have is refused here, before anything is written.
    let fields = regula_standards::schema::fields::action_fields(&action_name).unwrap_or_default();
    let payload = match (&args.json_file, json_text) {
        (Some(path), Some(text)) => {
            let payload = serde_json::from_str(text).map_err(|e| {
                CliError::both(
                    "usage",
                    format!("{}：不是 JSON：{e}", path.display()),
                    format!("{}: not JSON: {e}", path.display()),
                )
            })?;
            payload::check(&payload, &fields, &action_name, out.lang)?;
            payload
        }
        _ => payload::from_fields(&args.fields, &fields, &action_name, out.lang)?,
    };
    // Without fields, an action whose payload has only optional fields is given `{}`;
    // if it has required ones, the error of `{}` names the first one missing (that of
    // `null` would only say "missing field `payload`").
    let action = StandardAction::from_parts(&action_name, &payload)
        .or_else(|e| {
            if payload.is_null() {
                StandardAction::from_parts(&action_name, &serde_json::json!({}))
            } else {
                Err(e)
            }
        })
        .map_err(|e| {
            CliError::both(
                "bad-payload",
                format!("{} 的载荷有误：{}", action_name, e.message),
                format!("payload of {}: {}", action_name, e.message),
            )
        })?;
    let role = match &args.role {
        Some(r) => match definition.find_role(r) {
            Some(role) => role.name.clone(),
            None => {
                let names: Vec<&str> = definition.roles().iter().map(|x| x.name.as_str()).collect();
                return Err(CliError::both(
                    "usage",
                    format!("没有角色 {r:?}；角色有：{}", names.join(", ")),
                    format!("unknown role {r:?}; roles: {}", names.join(", ")),
                ));
            }
        },
        None => court.default_role(&code, &actor, action.name())?,
    };
    let mut command = Command::new(actor, role, action);
    command.note = args.note.clone();
    command.effective_at = at;
    if args.dry_run {
        return crate::describe::dry_run(out, &court, &definition, &code, &command);
    }
    let record = court
        .apply(&code, command)
        .map_err(|e| attempt_error(e, &code, court.config().timezone))?;
    if out.json {
        out.print_json(&record)?;
    } else {
        print_outcome(out, &definition, &code, &record)?;
    }
    if record.is_refused() {
        Err(CliError::Refused)
    } else {
        Ok(())
    }
}

/// Prints a refused change of the rules and its reasons (to stderr, like `do`).
pub(crate) fn print_rules_refusal(out: Out, record: &AuditRecord) -> std::io::Result<()> {
    let label = RulesActionKind::from_name(&record.action)
        .map_or_else(|| record.action.to_string(), |k| out.t(&k.label()).to_owned());
    out.status_err(Tone::Bad, &format!("{label}: "), out.s("被拒绝", "refused"), "");
    for reason in record.refusal().unwrap_or_default() {
        crate::errln!("  - {}", out.t(&reason.message));
    }
    Ok(())
}

fn migrate(cli: &Cli, out: Out, args: &crate::args::MigrateArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let migrated: Vec<(String, AuditRecord)> = if args.codes.is_empty() {
        court.migrate_open(&actor, at)?
    } else {
        let mut done = Vec::new();
        let latest = court.definition().version();
        for code in &args.codes {
            let code = code.to_uppercase();
            // Already on the latest version: nothing to record (rerunnable).
            if court.opened(&code)?.definition().version >= latest {
                if !out.json {
                    crate::outln!("{code} {} v{latest}", out.s("已依最新版本", "already follows"))?;
                }
                continue;
            }
            let record = court
                .migrate(&code, &actor, at)
                .map_err(|e| attempt_error(e, &code, court.config().timezone))?;
            done.push((code, record));
        }
        done
    };
    let refused = migrated.iter().any(|(_, r)| r.is_refused());
    if out.json {
        let records: Vec<&AuditRecord> = migrated.iter().map(|(_, r)| r).collect();
        out.print_json(&records)?;
    } else if migrated.is_empty() {
        crate::outln!(
            "{}",
            out.s(
                "没有需要迁移的标准：每项未完结的标准都已依最新版本",
                "nothing to migrate: every open standard follows the latest version"
            )
        )?;
    } else {
        for (code, r) in &migrated {
            let from = r
                .payload
                .to_value()
                .get("from_version")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or_default();
            match r.refusal() {
                None => crate::outln!(
                    "{code} {}: {} v{from} → v{} (#{})",
                    out.s("已迁移", "migrated"),
                    r.definition.name,
                    r.definition.version,
                    r.seq
                )?,
                Some(reasons) => {
                    let why: Vec<&str> = reasons.iter().map(|x| out.t(&x.message)).collect();
                    crate::outln!(
                        "{code} {}: {} (#{})",
                        out.s("迁移被拒绝", "migration refused"),
                        why.join("; "),
                        r.seq
                    )?;
                }
            }
        }
    }
    if refused { Err(CliError::Refused) } else { Ok(()) }
}

fn rules_amend(cli: &Cli, out: Out, args: &crate::args::AmendArgs) -> Result<(), CliError> {
    let catalog = Catalog::from_path(&args.file)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let record = court.amend_rules(&actor, catalog, &args.reason, at)?;
    if out.json {
        out.print_json(&record)?;
    } else if record.is_refused() {
        print_rules_refusal(out, &record)?;
    } else {
        crate::outln!(
            "{} (#{}, {})",
            out.s(
                "规则已修改，此后的决定依新规则作出",
                "rules amended; later decisions follow them"
            ),
            record.seq,
            record.hash
        )?;
    }
    if record.is_refused() {
        Err(CliError::Refused)
    } else {
        Ok(())
    }
}

pub(crate) fn rules_log(cli: &Cli, out: Out) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let records = court.rules_history()?;
    if out.json {
        return Ok(out.print_json(&records)?);
    }
    if records.is_empty() {
        crate::outln!(
            "{}",
            out.s(
                "此存储尚未记录规则（由 Regula 0.1 写入）；综合办公室以 `regula catalog import` 记录",
                "this store records no rules yet (written by Regula 0.1); the office records them with `regula catalog import`"
            )
        )?;
        return Ok(());
    }
    let tz = court.config().timezone;
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let action = match &r.outcome {
                Outcome::Created => out.s("记录规则", "rules recorded").to_owned(),
                _ => {
                    RulesActionKind::from_name(&r.action).map_or(r.action.to_string(), |k| out.t(&k.label()).to_owned())
                }
            };
            let result = match &r.outcome {
                Outcome::Refused { reasons } => {
                    let why: Vec<&str> = reasons.iter().map(|x| out.t(&x.message)).collect();
                    format!("{}: {}", out.s("拒绝", "refused"), why.join("；"))
                }
                _ => out.s("生效", "in force").to_owned(),
            };
            // The reason of an amendment or extension; what a court-level decision says.
            let payload = r.payload.to_value();
            let list = |key: &str| -> String {
                payload[key]
                    .as_array()
                    .map(|v| {
                        v.iter()
                            .filter_map(|x| x.as_str())
                            .collect::<Vec<_>>()
                            .join(out.s("、", ", "))
                    })
                    .unwrap_or_default()
            };
            let reason = match r.action.as_str() {
                "designate_core" => list("codes"),
                "extend_deadline" => format!(
                    "{} {} → {}: {}",
                    payload["code"].as_str().unwrap_or_default(),
                    payload["step"].as_str().unwrap_or_default(),
                    payload["due"].as_str().unwrap_or_default(),
                    payload["reason"].as_str().unwrap_or_default()
                ),
                "record_hearing" => payload["summary"].as_str().unwrap_or_default().to_owned(),
                "record_work_plan" => format!(
                    "{} {}",
                    payload["department"].as_str().unwrap_or(out.s("全院", "whole court")),
                    payload["year"]
                ),
                _ => payload["reason"].as_str().unwrap_or_default().to_owned(),
            };
            vec![
                r.seq.to_string(),
                time_cell(out, r, tz),
                actor_cell(r),
                action,
                result,
                reason,
                r.hash.to_string()[..12].to_owned(),
            ]
        })
        .collect();
    let header = [
        "#",
        out.s("时间", "time"),
        out.s("操作人", "actor"),
        out.s("操作", "action"),
        out.s("结果", "result"),
        out.s("理由", "reason"),
        out.s("哈希", "hash"),
    ];
    Ok(out.table(&header, &rows)?)
}

/// A record's time in the court's time zone; a record entered after the fact also
/// shows when it was written, so back-dating is never hidden.
pub(crate) fn time_cell(out: Out, r: &AuditRecord, tz: chrono::FixedOffset) -> String {
    let at = r.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    match r.recorded_at {
        Some(recorded) if recorded - r.at > chrono::TimeDelta::minutes(1) => format!(
            "{at} ({} {})",
            out.s("补录于", "entered"),
            recorded.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        ),
        _ => at,
    }
}

/// `ID@UNIT`, or the id alone.
fn actor_cell(r: &AuditRecord) -> String {
    match &r.actor.unit {
        Some(u) => format!("{}@{u}", r.actor.id),
        None => r.actor.id.to_string(),
    }
}

/// An attempt's error said in the court's terms: the standard's code, times in the
/// court's time zone, and for a write conflict what to do. Other errors pass unchanged.
fn attempt_error(e: ServiceError, code: &str, tz: chrono::FixedOffset) -> CliError {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    match e {
        // Another writer extended the standard between this command's reading and its
        // writing: nothing was written, and the attempt is decided afresh if run again.
        ServiceError::Repository(RepositoryError::Store(regula_core::StoreError::Conflict {
            expected_seq,
            actual_seq,
            ..
        })) => CliError::Conflict(Box::new(crate::ctx::Said {
            code: "conflict",
            zh: format!(
                "{code}：读取时最后一条记录为 #{expected_seq}，写入前已有其他操作记录到 #{actual_seq}；本次未写入任何内容，请重新执行该命令（或加 --retry）（将按最新状态判断）"
            ),
            en: format!(
                "{code}: another writer recorded up to #{actual_seq} after this command read #{expected_seq}; nothing was written: run the command again (or with --retry) to decide on the new state"
            ),
            shown: None,
            details: [
                ("code".to_owned(), serde_json::json!(code)),
                ("expected_seq".to_owned(), serde_json::json!(expected_seq)),
                ("actual_seq".to_owned(), serde_json::json!(actual_seq)),
            ]
            .into_iter()
            .collect(),
        })),
        ServiceError::Repository(RepositoryError::Engine(EngineError::BeforeLastRecord {
            at, settled, seq, ..
        })) => CliError::both(
            "usage",
            format!(
                "{code}：--at {} 早于该标准最后一条被接受的记录（#{seq}，{}）；补录的事件须按发生顺序录入",
                local(at),
                local(settled)
            ),
            format!(
                "{code}: --at {} is before the standard's last accepted record (#{seq}, {}); past events are entered in the order they happened",
                local(at),
                local(settled)
            ),
        ),
        ServiceError::Repository(RepositoryError::Engine(EngineError::FutureTime { at, now, .. })) => CliError::both(
            "usage",
            format!(
                "{code}：--at {} 晚于现在（时钟为 {}）；事件不能预先登记",
                local(at),
                local(now)
            ),
            format!(
                "{code}: --at {} is in the future (the clock says {}); events cannot be dated ahead",
                local(at),
                local(now)
            ),
        ),
        other => other.into(),
    }
}

fn print_outcome(
    out: Out,
    definition: &Definition<regula_standards::StandardLifecycle>,
    code: &str,
    r: &AuditRecord,
) -> std::io::Result<()> {
    let label = |name: &str| Stage::from_name(name).map_or_else(|| name.to_owned(), |s| out.t(&s.label()).to_owned());
    let action = definition
        .action_label(&r.action)
        .map_or(r.action.as_str(), |l| out.t(l));
    match &r.outcome {
        Outcome::Refused { reasons } => {
            out.status_err(Tone::Bad, &format!("{code} {action}: "), out.s("被拒绝", "refused"), "");
            for reason in reasons {
                crate::errln!("  - {}", out.t(&reason.message));
            }
        }
        Outcome::Accepted { to } if *to != r.from => {
            crate::outln!("{code} {action}: {} → {} (#{})", label(&r.from), label(to), r.seq)?;
        }
        _ => crate::outln!("{code} {action}: {} (#{})", out.s("已记录", "recorded"), r.seq)?,
    }
    Ok(())
}

fn log(cli: &Cli, out: Out, args: &LogArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let code = args.code.to_uppercase();
    let records = court.history(&code)?;
    if out.json {
        return Ok(out.print_json(&records)?);
    }
    let tz = court.config().timezone;
    let definition = court.definition();
    let stage = |name: &str| Stage::from_name(name).map_or_else(|| name.to_owned(), |s| out.t(&s.label()).to_owned());
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let who = actor_cell(r);
            let result = match &r.outcome {
                Outcome::Created => format!("{} {}", out.s("创建于", "created in"), stage(&r.from)),
                Outcome::Accepted { .. } if r.action == regula_core::MIGRATE_ACTION => format!(
                    "{} v{} → v{}",
                    r.definition.name,
                    r.payload
                        .to_value()
                        .get("from_version")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or_default(),
                    r.definition.version
                ),
                Outcome::Accepted { to } if *to != r.from => format!("{} → {}", stage(&r.from), stage(to)),
                Outcome::Accepted { .. } => out.s("已记录", "recorded").to_owned(),
                Outcome::Refused { reasons } => {
                    let why: Vec<&str> = reasons.iter().map(|x| out.t(&x.message)).collect();
                    format!("{}: {}", out.s("拒绝", "refused"), why.join("；"))
                }
            };
            vec![
                r.seq.to_string(),
                time_cell(out, r, tz),
                who,
                roles::label(&r.role).map_or(r.role.to_string(), |l| out.t(&l).to_owned()),
                match &r.outcome {
                    Outcome::Created => out.s("创建", "create").to_owned(),
                    _ if r.action == regula_core::MIGRATE_ACTION => out.s("迁移规则版本", "migrate").to_owned(),
                    _ => definition
                        .action_label(&r.action)
                        .map_or(r.action.to_string(), |l| out.t(l).to_owned()),
                },
                result,
                r.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "#",
        out.s("时间", "time"),
        out.s("操作人", "actor"),
        out.s("角色", "role"),
        out.s("操作", "action"),
        out.s("结果", "result"),
        out.s("备注", "note"),
    ];
    Ok(out.table(&header, &rows)?)
}

fn verify(cli: &Cli, out: Out, args: &VerifyArgs) -> Result<(), CliError> {
    // A checkpoint saved earlier, in the one format or the JSON of earlier releases;
    // with --key, its signature by that key is checked before anything else.
    let mut signed_by = None;
    let note = match &args.checkpoint {
        Some(path) => {
            let note = crate::proof::read_checkpoint(path)?;
            if let Some(key) = &args.key {
                signed_by = Some(crate::proof::check_signature(out, &note, key)?);
            }
            Some(note)
        }
        None => None,
    };
    let checkpoint: Option<&Checkpoint> = note.as_ref().map(CheckpointNote::checkpoint);
    let storage = if args.full {
        StorageCheck::Full
    } else {
        StorageCheck::Quick
    };
    let mut progress = Progress::new(out.s("校验", "verifying"));
    let (report, standards, has_rules) = match open_court(cli) {
        Ok(court) => (
            court.verify_with(checkpoint, storage, &mut |done, total| progress.update(done, total))?,
            court.instances().count(),
            court.rules_log().is_some(),
        ),
        // A standard's log does not load (a record was changed or cannot be read): the
        // court cannot open, but the store can still be verified, and it fails.
        Err(e) if does_not_load(&e) => {
            let report = verify_store_only(cli, checkpoint, storage, &mut |done, total| {
                progress.update(done, total)
            })?;
            if report.is_ok() {
                return Err(e);
            }
            (report, 0, false)
        }
        Err(e) => return Err(e),
    };
    progress.finish();
    if out.json {
        // Both languages, as every text of the JSON vocabulary.
        let problems = report
            .problems
            .iter()
            .map(|p| regula_core::Text::owned(p.text(regula_core::Lang::Zh), p.text(regula_core::Lang::En)))
            .collect();
        out.print_json(&crate::vocab::VerifyDocument {
            ok: report.is_ok(),
            records: report.records,
            instances: report.instances,
            replayed: report.replayed,
            root: report.computed.map(|c| c.root),
            problems,
            checkpoint: checkpoint.map(|c| crate::vocab::CheckpointSummary {
                origin: c.origin().to_owned(),
                size: c.size(),
                root: c.root(),
                time: c.time(),
                signed_by: signed_by.clone(),
            }),
        })?;
    } else if report.is_ok() {
        let rules = if has_rules {
            out.s("，规则日志 1 个", " and the rules log")
        } else {
            out.s("（规则未记录于存储）", " (the store records no rules)")
        };
        out.status_out(
            Tone::Good,
            "",
            out.s("校验通过", "verified"),
            &format!(
                ": {} {}, {} {}{rules}, {} {}{}",
                report.records,
                out.s("条记录", "records"),
                standards,
                out.s("项标准", "standards"),
                report.replayed,
                out.s("个已按其引用的规则重放", "replayed under the rules each record cites"),
                note.as_ref()
                    .map_or(String::new(), |n| checkpoint_clause(out, n, signed_by.as_deref())),
            ),
        )?;
    } else {
        out.status_err(
            Tone::Bad,
            "",
            out.s("校验失败", "verification failed"),
            &format!(": {} {}", report.problems.len(), out.s("个问题", "problem(s)")),
        );
        for p in report.problem_texts(out.lang) {
            crate::errln!("  - {p}");
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::VerifyFailed)
    }
}

/// True when opening the court failed because a standard's log does not load: what
/// `verify` must report as a failed verification (exit 1), not as an error.
fn does_not_load(e: &CliError) -> bool {
    let store = |e: &StoreError| matches!(e, StoreError::Corrupt { .. });
    match e {
        CliError::Store(e) => store(e),
        CliError::Service(
            ServiceError::Verify(_)
            | ServiceError::Repository(RepositoryError::Verify(_))
            | ServiceError::TwoRulesLogs { .. }
            | ServiceError::Rules { .. },
        ) => true,
        CliError::Service(ServiceError::Store(e) | ServiceError::Repository(RepositoryError::Store(e))) => store(e),
        _ => false,
    }
}

/// Verifies the store with the court's definition but without opening the court
/// (whose logs do not all load): every check of the store, every log replayed.
fn verify_store_only(
    cli: &Cli,
    checkpoint: Option<&Checkpoint>,
    storage: StorageCheck,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<StoreReport, CliError> {
    let definition = standard_definition(&config_of(cli)?).map_err(ServiceError::from)?;
    let store = open_store(cli, Access::Read)?;
    let rules = regula_standards::rules_log::rules_definition().map_err(ServiceError::from)?;
    let access = regula_standards::access::access_definition(&config_of(cli)?).map_err(ServiceError::from)?;
    let now = Utc::now();
    // The rules each record cites cannot be followed here (the court did not open): a
    // standard's guards are re-checked under the catalog the flags name, which can
    // only add problems to a verification that already fails.
    let mut replayer = Replayers::new(
        |head, records| {
            if head.definition == *rules.reference() {
                return Some(rules.replay_with(records, ReplayOptions::verify_at(now)).map(|_| ()));
            }
            if head.definition == *access.reference() {
                return Some(access.replay_with(records, ReplayOptions::verify_at(now)).map(|_| ()));
            }
            (head.definition == *definition.reference()).then(|| {
                definition
                    .replay_with(records, ReplayOptions::verify_at(now))
                    .map(|_| ())
            })
        },
        |head, records| {
            (head.definition == *definition.reference()).then(|| {
                definition.replay(records).and_then(|instance| {
                    instance.snapshot().map_err(|e| VerifyError {
                        instance: head.instance,
                        seq: instance.seq(),
                        kind: VerifyErrorKind::Snapshot { message: e.to_string() },
                    })
                })
            })
        },
    );
    let options = VerifyOptions { checkpoint, storage };
    let mut report = verify_store_with(&store, &options, &mut replayer, progress)?;
    // A store has one rules log (its creation claims it): any other is a problem found.
    let logs = store.list(&regula_core::InstanceFilter::definition(
        regula_standards::rules_log::RULES_DEFINITION,
    ))?;
    for extra in logs.iter().skip(1) {
        report
            .problems
            .push(regula_core::store::StoreProblem::Transition(VerifyError {
                instance: extra.instance,
                seq: 1,
                kind: VerifyErrorKind::Rules {
                    message: format!(
                        "a second rules log (the store's is {}); a store has one",
                        logs[0].instance
                    ),
                },
            }));
    }
    Ok(report)
}

/// "; extends the checkpoint of N records" and whether a signature was checked.
fn checkpoint_clause(out: Out, note: &CheckpointNote, signed_by: Option<&str>) -> String {
    let signature = match signed_by {
        Some(key) => format!(" ({} {key})", out.s("签名已核验：", "signature verified:")),
        None if note.is_signed() => format!(
            " ({})",
            out.s("未核验签名：请用 --key 指定公钥", "signature not checked: give --key")
        ),
        None => String::new(),
    };
    format!(
        "; {} {} {}{signature}",
        out.s("延续检查点", "extends the checkpoint of"),
        note.checkpoint().size(),
        out.s("条记录", "records")
    )
}

fn diagram(cli: &Cli, out: Out, args: &DiagramArgs) -> Result<(), CliError> {
    let options = DiagramOptions {
        lang: out.lang,
        roles: args.roles,
        guards: args.guards,
    };
    let text = match &args.file {
        Some(path) => {
            let (def, warnings) =
                Definition::<Dynamic>::from_toml_file_with_warnings(path, &regula_core::Registry::placeholders())?;
            // The file loaded: what looks wrong in it is said, not refused.
            for w in &warnings {
                crate::errln!("regula: {w}");
            }
            render(&def, args.format, options)
        }
        None => {
            let def = regula_standards::court::standard_definition(&config_of(cli)?)
                .map_err(regula_standards::service::ServiceError::from)?;
            render(&def, args.format, options)
        }
    };
    // Written, not print!'d: a closed pipe (`regula diagram | head`) is not a panic.
    // Labels come from definition files and catalogs: escaped.
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(regula_core::plain_text::escape_lines(&text).as_bytes())?;
    Ok(stdout.flush()?)
}

fn render<L: regula_core::Lifecycle>(def: &Definition<L>, format: DiagramFormat, options: DiagramOptions) -> String {
    match format {
        DiagramFormat::Mermaid => def.to_mermaid_with(options),
        DiagramFormat::Dot => def.to_dot_with(options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::out::Out;

    #[test]
    fn retry_decides_once_more_after_a_conflict_only() {
        let out = Out::new(regula_core::Lang::En, false);
        let conflict = || {
            CliError::Conflict(Box::new(crate::ctx::Said {
                code: "conflict",
                zh: "ADJ-01-08：另一写入者".to_owned(),
                en: "ADJ-01-08: another writer".to_owned(),
                shown: None,
                details: serde_json::Map::new(),
            }))
        };
        // A conflict, then success: with --retry, two attempts and success.
        let mut calls = 0;
        let result = retry_once(true, out, || {
            calls += 1;
            if calls == 1 { Err(conflict()) } else { Ok(()) }
        });
        assert!(result.is_ok() && calls == 2, "{result:?} after {calls}");
        // Without --retry: the conflict, after one attempt.
        let mut calls = 0;
        let result = retry_once(false, out, || {
            calls += 1;
            Err(conflict())
        });
        assert!(matches!(result, Err(CliError::Conflict(_))) && calls == 1);
        // Only once: a second conflict is the error.
        let mut calls = 0;
        let result = retry_once(true, out, || {
            calls += 1;
            Err(conflict())
        });
        assert!(matches!(result, Err(CliError::Conflict(_))) && calls == 2);
        // Other errors and refusals are not retried.
        let mut calls = 0;
        let result = retry_once(true, out, || {
            calls += 1;
            Err(CliError::Refused)
        });
        assert!(matches!(result, Err(CliError::Refused)) && calls == 1);
    }

    #[test]
    fn a_write_conflict_names_the_standard_and_says_to_run_again() {
        let conflict = || {
            ServiceError::Repository(RepositoryError::Store(regula_core::StoreError::Conflict {
                instance: uuid::Uuid::nil(),
                expected_seq: 11,
                actual_seq: 12,
            }))
        };
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        for (lang, again) in [
            (regula_core::Lang::En, "run the command again"),
            (regula_core::Lang::Zh, "请重新执行该命令"),
        ] {
            let e = attempt_error(conflict(), "ADJ-01-08", tz);
            let CliError::Conflict(ref said) = e else {
                panic!("{e:?}");
            };
            let text = said.text(lang).to_owned();
            assert!(
                text.contains("ADJ-01-08") && text.contains("#12") && text.contains(again),
                "{text}"
            );
            assert!(!text.contains("00000000-0000"), "no instance UUID: {text}");
            assert_eq!(e.exit_code(), 2);
        }
    }
}
