//! `regula court …`: the court-level decisions (core standards, work plans, extensions,
//! progress hearings). Every rule is the library's (`regula_standards::affairs`); this
//! module parses and prints.

use regula_core::AuditRecord;
use regula_standards::plan::WorkPlan;

use crate::args::{Cli, CourtCommand, DesignateCoreArgs, ExtendArgs, HearingArgs, WorkPlanArgs};
use crate::cmd::{court_at, open_court, print_rules_refusal, rules_log, time_cell};
use crate::ctx::{CliError, check_actor_spec, load_catalog, parse_actor, parse_date};
use crate::out::Out;

/// Runs `regula court …`.
pub fn run(cli: &Cli, out: Out, command: &CourtCommand) -> Result<(), CliError> {
    match command {
        CourtCommand::DesignateCore(args) => designate_core(cli, out, args),
        CourtCommand::WorkPlan(args) => work_plan(cli, out, args),
        CourtCommand::Extend(args) => extend(cli, out, args),
        CourtCommand::Hearing(args) => hearing(cli, out, args),
        CourtCommand::Hearings => hearings(cli, out),
        CourtCommand::Log => rules_log(cli, out),
    }
}

/// Prints the record (JSON) or its outcome, and exits 1 on a refusal.
fn finish(out: Out, record: &AuditRecord) -> Result<(), CliError> {
    if out.json {
        out.print_json(record)?;
    } else if record.is_refused() {
        print_rules_refusal(out, record)?;
    } else {
        let label = regula_standards::rules_log::RulesActionKind::from_name(&record.action)
            .map_or_else(|| record.action.to_string(), |k| out.t(&k.label()).to_owned());
        crate::outln!(
            "{label}: {} (#{}, {})",
            out.s("已记录", "recorded"),
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

fn designate_core(cli: &Cli, out: Out, args: &DesignateCoreArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let upper = |v: &[String]| v.iter().map(|c| c.trim().to_uppercase()).collect::<Vec<_>>();
    let record = court.designate_core(
        &actor,
        &upper(&args.codes),
        &upper(&args.revoke),
        args.meeting.as_deref(),
        at,
    )?;
    finish(out, &record)
}

fn work_plan(cli: &Cli, out: Out, args: &WorkPlanArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let plan = WorkPlan::from_path(&args.file, court.catalog())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let record = court.record_work_plan(&actor, args.department.as_deref(), args.year, &plan, at)?;
    finish(out, &record)
}

fn extend(cli: &Cli, out: Out, args: &ExtendArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let due = parse_date(&args.to)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let code = args.code.trim().to_uppercase();
    let record = court.extend_deadline(&actor, &code, &args.step, due, &args.reason, at)?;
    finish(out, &record)
}

fn hearing(cli: &Cli, out: Out, args: &HearingArgs) -> Result<(), CliError> {
    check_actor_spec(&args.actor)?;
    let (mut court, at) = court_at(cli, load_catalog(cli)?, args.at.as_deref())?;
    let actor = parse_actor(&args.actor, court.config())?;
    let record = court.record_hearing(&actor, &args.present, &args.summary, &args.decision, at)?;
    finish(out, &record)
}

fn hearings(cli: &Cli, out: Out) -> Result<(), CliError> {
    let court = open_court(cli)?;
    if out.json {
        return Ok(out.print_json(&court.hearings())?);
    }
    let tz = court.config().timezone;
    let records = court.rules_history()?;
    let rows: Vec<Vec<String>> = court
        .hearings()
        .iter()
        .map(|h| {
            let when = records
                .iter()
                .find(|r| r.seq == h.decided.seq)
                .map_or_else(|| h.decided.at.to_string(), |r| time_cell(out, r, tz));
            vec![
                h.decided.seq.to_string(),
                when,
                h.decided.by.clone(),
                h.members.join(out.s("、", ", ")),
                h.summary.clone(),
                h.decisions.join(out.s("；", "; ")),
            ]
        })
        .collect();
    let header = [
        "#",
        out.s("时间", "time"),
        out.s("记录人", "recorded by"),
        out.s("出席", "present"),
        out.s("听取内容", "heard"),
        out.s("决定", "decisions"),
    ];
    Ok(out.table(&header, &rows)?)
}
