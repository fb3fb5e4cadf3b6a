//! The subcommands.

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use regula_core::store::Store;
use regula_core::{
    Action, AuditRecord, Checkpoint, Command, Definition, DiagramOptions, Dynamic, ManualClock, Outcome,
};
use regula_standards::catalog::Catalog;
use regula_standards::court::CourtConfig;
use regula_standards::lifecycle::{Stage, StandardAction, roles};
use regula_standards::plan::{self, GroupBy};
use regula_standards::service::Court;
use serde::Serialize;

use crate::args::{
    CatalogCommand, CheckpointArgs, Cli, Command as Cmd, DiagramArgs, DiagramFormat, DoArgs, ImportArgs, ListArgs,
    LogArgs, ShowArgs, VerifyArgs,
};
use crate::ctx::{
    Access, AnyStore, CliError, catalog_copy, load_catalog, open_store, parse_actor, parse_date, parse_time, read_file,
    write_file,
};
use crate::out::{Out, Progress, pad};
use crate::payload;
use crate::report;

/// Runs the command.
pub fn run(cli: &Cli, out: Out) -> Result<(), CliError> {
    match &cli.command {
        Cmd::Init => init(cli, out),
        Cmd::Catalog(CatalogCommand::Import(args)) => import(cli, out, args),
        Cmd::Catalog(CatalogCommand::Show) => catalog_show(cli, out),
        Cmd::List(args) => list(cli, out, args),
        Cmd::Show(args) => show(cli, out, args),
        Cmd::Do(args) => act(cli, out, args),
        Cmd::Log(args) => log(cli, out, args),
        Cmd::Verify(args) => verify(cli, out, args),
        Cmd::Checkpoint(args) => checkpoint(cli, out, args),
        Cmd::Report(args) => report::run(cli, out, args),
        Cmd::Diagram(args) => diagram(cli, out, args),
        Cmd::Key(crate::args::KeyCommand::Generate(args)) => crate::proof::key_generate(out, args),
        Cmd::Prove(args) => crate::proof::prove(cli, out, args),
        Cmd::VerifyProof(args) => crate::proof::verify_proof(out, args),
    }
}

/// The court on the store, with the catalog the flags name; its engine reads the
/// system clock.
/// The store is opened for reading only ([`Access::Read`]).
pub fn open_court(cli: &Cli) -> Result<Court<AnyStore>, CliError> {
    let store = open_store(cli, Access::Read)?;
    Ok(Court::open(store, load_catalog(cli)?, |engine| engine)?)
}

/// The court on the store with `catalog`, for a command that writes: a store written
/// before claims existed gets the claims of its past publications first (derived from
/// its log, so no change to its history). Given `at` (an `--at` argument, read in the
/// catalog's time zone), the engine's clock stands at that time, which is returned.
fn court_at(
    cli: &Cli,
    catalog: Catalog,
    at: Option<&str>,
) -> Result<(Court<AnyStore>, Option<DateTime<Utc>>), CliError> {
    let at = at.map(|t| parse_time(t, catalog.court().timezone)).transpose()?;
    let store = open_store(cli, Access::Write)?;
    let court = Court::open(store, catalog, |engine| match at {
        Some(t) => engine.with_clock(Arc::new(ManualClock::new(t))),
        None => engine,
    })?;
    court.claim_past_publications()?;
    Ok((court, at))
}

fn config_of(cli: &Cli) -> Result<CourtConfig, CliError> {
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
        return Ok(out.print_json(&serde_json::json!({"store": place, "existed": existed, "records": head.size}))?);
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
    let catalog = match &args.file {
        Some(path) => Catalog::from_path(path)?,
        None => load_catalog(cli)?,
    };
    let (mut court, _) = court_at(cli, catalog, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    // Keep the catalog beside the store so later commands use the same one. The copy
    // is put in place first (whole, through a synced temporary file) and the store
    // committed last: a failed copy leaves both as they were, and if the commit then
    // fails the old copy is put back, so exit 2 means nothing changed. The state in
    // between (the new catalog beside the old store) is one every command accepts:
    // a catalog listing standards not yet opened. The reverse order could leave a
    // store holding standards its catalog copy does not list.
    let copy = match (&args.file, catalog_copy(cli)) {
        (Some(path), Some(copy)) => {
            let text = read_file(path)?;
            let old = match std::fs::read(&copy) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => return Err(CliError::Io { path: copy, source }),
            };
            if old.as_deref() == Some(text.as_bytes()) {
                None
            } else {
                write_file(&copy, &text)?;
                Some((copy, old))
            }
        }
        _ => None,
    };
    let mut progress = Progress::new(out.s("导入", "importing"));
    progress.update(0, court.catalog().standards().len() as u64);
    let before = court.store().tree_head()?;
    let opened = match court.import(&actor) {
        Ok(opened) => opened,
        Err(e) => {
            progress.finish();
            // The store is the source of truth: if it did not change, neither may the
            // copy. (A commit reported failed that went through keeps the new copy.)
            if let Some((copy, old)) = copy
                && court.store().tree_head().ok() == Some(before)
            {
                restore_copy(&copy, old.as_deref(), &out)?;
            }
            return Err(e.into());
        }
    };
    progress.update(
        court.catalog().standards().len() as u64,
        court.catalog().standards().len() as u64,
    );
    progress.finish();
    if out.json {
        return Ok(out.print_json(&serde_json::json!({"opened": opened, "total": court.catalog().standards().len()}))?);
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

/// Puts the catalog copy back as it was before a failed import: its old contents, or
/// no file. When even that fails, says which catalog the copy now holds.
fn restore_copy(copy: &std::path::Path, old: Option<&[u8]>, out: &Out) -> Result<(), CliError> {
    let restored = match old {
        Some(bytes) => regula_proof::write_atomic(copy, bytes, regula_proof::WriteOptions::REPLACE),
        None => std::fs::remove_file(copy),
    };
    restored.map_err(|source| {
        eprintln!(
            "{} {}",
            out.s(
                "导入失败，且未能恢复目录副本；副本现为新目录（存储未变）：",
                "the import failed and the catalog copy could not be restored; it now holds the new catalog (the store is unchanged):"
            ),
            copy.display()
        );
        CliError::Io {
            path: copy.to_owned(),
            source,
        }
    })
}

fn catalog_show(cli: &Cli, out: Out) -> Result<(), CliError> {
    let catalog = load_catalog(cli)?;
    if out.json {
        let rows: Vec<_> = catalog
            .standards()
            .iter()
            .map(|e| {
                serde_json::json!({"code": e.code, "name": e.name, "domain": e.domain, "category": e.category,
                    "department": e.department, "unassigned": e.unassigned, "core": e.core})
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
    let catalog = court.catalog();
    let config = court.config();
    let as_of = match &args.late {
        Some(d) => plan::end_of_day(parse_date(d)?, config.timezone),
        None => Utc::now(),
    };
    let department = match args.department.as_deref() {
        None => None,
        Some("unassigned") => Some(None),
        Some(name) => Some(Some(
            config.departments.resolve(name).map(|r| r.department).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown department {name:?}: name one as the plan does (e.g. 立案庭), or \"unassigned\""
                ))
            })?,
        )),
    };
    let state = match args.state.as_deref() {
        None => None,
        Some("not_started") => Some(None),
        Some(name) => Some(Some(Stage::from_name(name).ok_or_else(|| {
            let all: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
            CliError::Usage(format!(
                "unknown state {name:?}; states: {}, not_started",
                all.join(", ")
            ))
        })?)),
    };
    if let Some(d) = &args.domain
        && catalog.domain(d).is_none()
    {
        return Err(CliError::Usage(format!("unknown domain {d:?}")));
    }
    if let Some(c) = &args.category
        && catalog.category(c).is_none()
    {
        return Err(CliError::Usage(format!("unknown category {c:?}")));
    }
    let statuses: Vec<_> = plan::statuses(catalog, &court.ledger(), court.work_plan(), as_of)
        .into_iter()
        .filter(|s| args.domain.as_ref().is_none_or(|d| *d == s.domain))
        .filter(|s| args.category.as_ref().is_none_or(|c| *c == s.category))
        .filter(|s| {
            department
                .as_ref()
                .is_none_or(|d| *d == s.department.as_ref().map(|r| r.department.clone()))
        })
        .filter(|s| state.as_ref().is_none_or(|st| *st == s.stage))
        .filter(|s| args.late.is_none() || s.is_overdue())
        .collect();
    if out.json {
        return Ok(out.print_json(&statuses)?);
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

#[derive(Serialize)]
struct ShowView<'a> {
    code: &'a str,
    name: &'a regula_core::Text,
    state: &'a str,
    state_label: regula_core::Text,
    department: regula_core::Text,
    version_in_force: Option<&'a regula_standards::data::Version>,
    versions: usize,
    records: u64,
    last_record: DateTime<Utc>,
    blockers: Vec<regula_standards::service::Blocker>,
    actions: Vec<ActionView>,
}

#[derive(Serialize)]
struct ActionView {
    action: String,
    label: regula_core::Text,
    to: String,
    roles: Vec<String>,
}

fn show(cli: &Cli, out: Out, args: &ShowArgs) -> Result<(), CliError> {
    let court = open_court(cli)?;
    let code = args.code.to_uppercase();
    let instance = court.opened(&code)?;
    let now = args
        .at
        .as_deref()
        .map(|t| parse_time(t, court.config().timezone))
        .transpose()?
        .unwrap_or_else(Utc::now);
    let data = instance.data();
    let definition = court.definition();
    let actions: Vec<ActionView> = definition
        .transitions_from(instance.state())
        .map(|t| ActionView {
            action: t.action.clone(),
            label: definition
                .action_label(&t.action)
                .cloned()
                .unwrap_or_else(|| regula_core::Text::owned(&t.action, &t.action)),
            to: t.to.as_str().to_owned(),
            roles: t.roles.clone(),
        })
        .collect();
    let view = ShowView {
        code: &code,
        name: &data.name,
        state: instance.state().as_str(),
        state_label: instance.state().label(),
        department: court.catalog().department_label(data.department.as_ref()),
        version_in_force: data.in_force(),
        versions: data.versions.len(),
        records: instance.seq(),
        last_record: instance.updated_at(),
        blockers: court.blockers(&code, now)?,
        actions,
    };
    if out.json {
        return Ok(out.print_json(&view)?);
    }
    let tz = court.config().timezone;
    // Written, not println!'d: a closed pipe (`regula show X | head -1`) is not a panic.
    let mut w = std::io::stdout().lock();
    writeln!(w, "{}  {}", view.code, out.t(view.name))?;
    writeln!(w, "  {} {}", pad(out.s("状态", "state"), 10), out.t(&view.state_label))?;
    writeln!(
        w,
        "  {} {}",
        pad(out.s("责任部门", "department"), 10),
        out.t(&view.department)
    )?;
    match view.version_in_force {
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
    Ok(())
}

fn act(cli: &Cli, out: Out, args: &DoArgs) -> Result<(), CliError> {
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let code = args.code.to_uppercase();
    let instance = court.opened(&code)?;
    let actor = parse_actor(&args.actor, court.config())?;
    let definition = court.definition();
    if definition.action_label(&args.action).is_none() {
        let names: Vec<&str> = definition.actions().iter().map(|a| a.name.as_str()).collect();
        return Err(CliError::Usage(format!(
            "unknown action {:?}; actions: {}",
            args.action,
            names.join(", ")
        )));
    }
    let payload = match &args.json_file {
        Some(path) => {
            let text = read_file(path)?;
            serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{}: not JSON: {e}", path.display())))?
        }
        None => payload::from_fields(&args.fields)?,
    };
    // Without fields, an action whose payload has only optional fields is given `{}`;
    // if it has required ones, the error of `{}` names the first one missing (that of
    // `null` would only say "missing field `payload`").
    let action = StandardAction::from_parts(&args.action, &payload)
        .or_else(|e| {
            if payload.is_null() {
                StandardAction::from_parts(&args.action, &serde_json::json!({}))
            } else {
                Err(e)
            }
        })
        .map_err(|e| CliError::Usage(format!("payload of {}: {}", args.action, e.message)))?;
    if let Some(t) = at
        && t < instance.updated_at()
    {
        let local = |t: DateTime<Utc>| t.with_timezone(&court.config().timezone).to_rfc3339();
        return Err(CliError::Usage(format!(
            "--at {} is before the standard's last record ({}); records are kept in time order",
            local(t),
            local(instance.updated_at())
        )));
    }
    let role = match &args.role {
        Some(r) => {
            if !definition.has_role(r) {
                let names: Vec<&str> = definition.roles().iter().map(|x| x.name.as_str()).collect();
                return Err(CliError::Usage(format!(
                    "unknown role {r:?}; roles: {}",
                    names.join(", ")
                )));
            }
            r.clone()
        }
        None => {
            let candidates: Vec<String> = match definition.transition(instance.state(), action.name()) {
                Some(t) => t.roles.clone(),
                None => definition.roles().iter().map(|r| r.name.clone()).collect(),
            };
            candidates
                .iter()
                .find(|r| court.config().actor_fits_role(&actor, r, instance.data()).is_ok())
                .or(candidates.first())
                .cloned()
                .unwrap_or_else(|| roles::DEPARTMENT.to_owned())
        }
    };
    let mut command = Command::new(actor, role, action);
    command.note = args.note.clone();
    let record = court.apply(&code, command)?;
    if out.json {
        out.print_json(&record)?;
    } else {
        print_outcome(out, court.definition(), &code, &record)?;
    }
    if record.is_refused() {
        Err(CliError::Refused)
    } else {
        Ok(())
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
            eprintln!("{code} {action}: {}", out.s("被拒绝", "refused"));
            for reason in reasons {
                eprintln!("  - {}", out.t(&reason.message));
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
            let who = match &r.actor.unit {
                Some(u) => format!("{}@{u}", r.actor.id),
                None => r.actor.id.clone(),
            };
            let result = match &r.outcome {
                Outcome::Created => format!("{} {}", out.s("创建于", "created in"), stage(&r.from)),
                Outcome::Accepted { to } if *to != r.from => format!("{} → {}", stage(&r.from), stage(to)),
                Outcome::Accepted { .. } => out.s("已记录", "recorded").to_owned(),
                Outcome::Refused { reasons } => {
                    let why: Vec<&str> = reasons.iter().map(|x| out.t(&x.message)).collect();
                    format!("{}: {}", out.s("拒绝", "refused"), why.join("；"))
                }
            };
            vec![
                r.seq.to_string(),
                r.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                who,
                roles::label(&r.role).map_or(r.role.clone(), |l| out.t(&l).to_owned()),
                match &r.outcome {
                    Outcome::Created => out.s("创建", "create").to_owned(),
                    _ => definition
                        .action_label(&r.action)
                        .map_or(r.action.clone(), |l| out.t(l).to_owned()),
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
    if let (Some(since), Some(key)) = (&args.since, &args.key) {
        return crate::proof::verify_since(cli, out, since, key);
    }
    let checkpoint: Option<Checkpoint> = match &args.checkpoint {
        Some(path) => {
            let text = read_file(path)?;
            Some(serde_json::from_str(&text).map_err(|e| {
                if regula_proof::SignedCheckpoint::parse(&text).is_ok() {
                    CliError::Usage(format!(
                        "{}: a signed checkpoint: check it with `regula verify --since {} --key PUBLIC-KEY`",
                        path.display(),
                        path.display()
                    ))
                } else {
                    CliError::Usage(format!(
                        "{}: not a checkpoint (the JSON of `regula checkpoint`): {e}",
                        path.display()
                    ))
                }
            })?)
        }
        None => None,
    };
    let court = open_court(cli)?;
    let mut progress = Progress::new(out.s("校验", "verifying"));
    let report = court.verify(checkpoint.as_ref(), &mut |done, total| progress.update(done, total))?;
    progress.finish();
    if out.json {
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        out.print_json(&serde_json::json!({
            "ok": report.is_ok(), "records": report.records, "instances": report.instances,
            "replayed": report.replayed, "root": report.computed.map(|c| c.root), "problems": problems,
        }))?;
    } else if report.is_ok() {
        crate::outln!(
            "{}: {} {}, {} {}, {} {}{}",
            out.s("校验通过", "verified"),
            report.records,
            out.s("条记录", "records"),
            report.instances,
            out.s("项标准", "standards"),
            report.replayed,
            out.s("项已按定义重放", "replayed against the definition"),
            checkpoint.map_or(String::new(), |c| format!(
                "; {} {} {}",
                out.s("延续检查点", "extends the checkpoint of"),
                c.size,
                out.s("条记录", "records")
            )),
        )?;
    } else {
        eprintln!("{}:", out.s("校验失败", "verification failed"));
        for p in &report.problems {
            eprintln!("  - {p}");
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::VerifyFailed)
    }
}

fn checkpoint(cli: &Cli, out: Out, args: &CheckpointArgs) -> Result<(), CliError> {
    if let Some(key) = &args.sign {
        return crate::proof::checkpoint_signed(cli, out, key, args.origin.as_deref(), args.out.as_deref());
    }
    let store = open_store(cli, Access::Read)?;
    let checkpoint = Checkpoint::new(store.tree_head()?, Utc::now());
    let text = serde_json::to_string_pretty(&checkpoint).map_err(std::io::Error::other)?;
    match &args.out {
        Some(path) => {
            write_file(path, &format!("{text}\n"))?;
            if !out.json {
                crate::outln!(
                    "{} {} ({} {})",
                    out.s("检查点已写入", "checkpoint written to"),
                    path.display(),
                    checkpoint.size,
                    out.s("条记录", "records")
                )?;
            }
        }
        None => crate::outln!("{text}")?,
    }
    Ok(())
}

fn diagram(cli: &Cli, out: Out, args: &DiagramArgs) -> Result<(), CliError> {
    let options = DiagramOptions {
        lang: out.lang,
        roles: args.roles,
        guards: args.guards,
    };
    let text = match &args.file {
        Some(path) => {
            let def = Definition::<Dynamic>::from_toml_file(path, &regula_core::Registry::placeholders())?;
            render(&def, args.format, options)
        }
        None => {
            let def = regula_standards::court::standard_definition(&config_of(cli)?)
                .map_err(regula_standards::service::ServiceError::from)?;
            render(&def, args.format, options)
        }
    };
    // Written, not print!'d: a closed pipe (`regula diagram | head`) is not a panic.
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    Ok(stdout.flush()?)
}

fn render<L: regula_core::Lifecycle>(def: &Definition<L>, format: DiagramFormat, options: DiagramOptions) -> String {
    match format {
        DiagramFormat::Mermaid => def.to_mermaid_with(options),
        DiagramFormat::Dot => def.to_dot_with(options),
    }
}

/// The grouping a report section asks for.
pub fn group_of(section: crate::args::Section) -> Option<GroupBy> {
    use crate::args::Section;
    match section {
        Section::Domain => Some(GroupBy::Domain),
        Section::Category => Some(GroupBy::Category),
        Section::Department => Some(GroupBy::Department),
        Section::State => Some(GroupBy::Stage),
        Section::Steps | Section::Load => None,
    }
}
