//! The command line describing itself: `regula actions [CODE]`, `regula schema
//! ACTION`, and `regula do --dry-run`'s decision. The fields come from
//! [`regula_standards::schema::fields`], the walk of the payload schema that the web
//! forms use and that `do` reads its arguments by.

use regula_core::{Action as _, Command, Decision, Definition, Text};
use regula_standards::StandardLifecycle;
use regula_standards::court::standard_definition;
use regula_standards::lifecycle::{ActionKind, Stage, StandardAction, roles};
use regula_standards::schema::fields::{Field, Kind, action_fields};
use regula_standards::service::{Court, ServiceError};
use serde_json::Value;

use crate::args::{ActionsArgs, Cli, SchemaArgs};
use crate::cmd::{config_of, open_court};
use crate::ctx::{AnyStore, CliError, check_actor_spec, parse_actor};
use crate::out::{Out, Tone};

/// A role's label in the chosen language, or its name.
fn role_label(out: Out, role: &str) -> String {
    roles::label(role).map_or_else(|| role.to_owned(), |l| out.t(&l).to_owned())
}

/// A stage's label in the chosen language.
fn stage_label(out: Out, stage: Stage) -> String {
    out.t(&stage.label()).to_owned()
}

/// `regula actions [CODE] [--as ACTOR]`.
pub fn actions(cli: &Cli, out: Out, args: &ActionsArgs) -> Result<(), CliError> {
    let Some(code) = &args.code else {
        return all_actions(cli, out);
    };
    if let Some(spec) = &args.actor {
        check_actor_spec(spec)?;
    }
    let court = open_court(cli)?;
    let code = code.to_uppercase();
    let actor = args
        .actor
        .as_deref()
        .map(|a| parse_actor(a, court.config()))
        .transpose()?;
    let views = court.actions_for(&code, actor.as_ref())?;
    if out.json {
        return Ok(out.print_json(&views)?);
    }
    if views.is_empty() {
        let state = stage_label(out, *court.opened(&code)?.state());
        crate::outln!(
            "{code}（{state}）：{}",
            match actor {
                Some(_) => out.s("此操作人现在没有可执行的操作", "nothing this actor may do now"),
                None => out.s("没有可执行的操作", "no action is open"),
            }
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let roles: Vec<String> = v.roles.iter().map(|r| role_label(out, r)).collect();
            vec![
                v.action.clone(),
                out.t(&v.label).to_owned(),
                stage_label(out, v.to),
                roles.join(out.s("、", ", ")),
            ]
        })
        .collect();
    let header = [
        out.s("操作", "action"),
        out.s("名称", "name"),
        out.s("进入状态", "to"),
        out.s("角色", "roles"),
    ];
    Ok(out.table(&header, &rows)?)
}

/// Every action of the court's lifecycle (its latest definition): one row per
/// transition.
fn all_actions(cli: &Cli, out: Out) -> Result<(), CliError> {
    let definition = standard_definition(&config_of(cli)?).map_err(ServiceError::from)?;
    let label = |action: &str| {
        definition
            .action_label(action)
            .cloned()
            .unwrap_or_else(|| Text::owned(action, action))
    };
    if out.json {
        let rows: Vec<crate::vocab::TransitionItem> = definition
            .transitions()
            .iter()
            .map(|t| crate::vocab::TransitionItem {
                action: t.action.clone(),
                label: label(&t.action),
                from: t.from,
                to: t.to,
                roles: t.roles.clone(),
            })
            .collect();
        return Ok(out.print_json(&rows)?);
    }
    let rows: Vec<Vec<String>> = definition
        .transitions()
        .iter()
        .map(|t| {
            let roles: Vec<String> = t.roles.iter().map(|r| role_label(out, r)).collect();
            vec![
                t.action.clone(),
                out.t(&label(&t.action)).to_owned(),
                stage_label(out, t.from),
                stage_label(out, t.to),
                roles.join(out.s("、", ", ")),
            ]
        })
        .collect();
    let header = [
        out.s("操作", "action"),
        out.s("名称", "name"),
        out.s("从状态", "from"),
        out.s("进入状态", "to"),
        out.s("角色", "roles"),
    ];
    Ok(out.table(&header, &rows)?)
}

/// The standard actions' names, for an error.
fn action_names() -> String {
    ActionKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// A field's type as `schema` prints it, with the values of a choice.
fn type_cell(field: &Field) -> String {
    match &field.kind {
        Kind::Choice(values) | Kind::Choices(values) => format!("{}: {}", field.type_name(), values.join("|")),
        _ => field.type_name().to_owned(),
    }
}

/// An example as it is typed after `KEY=`: a text bare, anything else as JSON.
fn example_cell(field: &Field) -> String {
    match field.example() {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// `regula schema ACTION`.
pub fn schema(out: Out, args: &SchemaArgs) -> Result<(), CliError> {
    // The action by its machine name or either label, as `do` takes it.
    let given = args.action.trim();
    let kind = ActionKind::ALL.iter().find(|k| {
        let label = k.label();
        k.name() == given || label.zh == given || label.en.eq_ignore_ascii_case(given)
    });
    let action = kind.map_or(given, |k| k.name());
    let (Some(kind), Some(schema), Some(fields)) = (
        kind,
        regula_standards::schema::payload_schema(action),
        action_fields(action),
    ) else {
        return Err(CliError::both(
            "usage",
            format!("没有操作 {action:?}；操作有：{}", action_names()),
            format!("unknown action {action:?}; actions: {}", action_names()),
        ));
    };
    if out.json {
        let fields: Vec<crate::vocab::FieldDocument<'_>> = fields
            .iter()
            .map(|f| crate::vocab::FieldDocument {
                name: &f.path,
                type_name: f.type_name(),
                required: f.required,
                label: f.label(),
                description: f.description.as_deref(),
                example: f.example(),
                values: match &f.kind {
                    Kind::Choice(values) | Kind::Choices(values) => Some(values),
                    _ => None,
                },
                when: f
                    .variant
                    .as_ref()
                    .map(|(tag, values)| crate::vocab::FieldCondition { field: tag, is: values }),
            })
            .collect();
        return Ok(out.print_json(&crate::vocab::SchemaDocument {
            action,
            label: kind.label(),
            fields,
            schema,
        })?);
    }
    if fields.is_empty() {
        crate::outln!(
            "{action}（{}）：{}",
            out.t(&kind.label()),
            out.s("此操作不带内容字段", "this action takes no fields")
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|f| {
            let mut required = if f.required {
                out.s("是", "yes")
            } else {
                out.s("否", "no")
            }
            .to_owned();
            if let Some((tag, values)) = &f.variant {
                required.push_str(&match out.lang {
                    regula_core::Lang::Zh => format!("（{tag} 为 {} 时）", values.join("、")),
                    regula_core::Lang::En => format!(" (when {tag} is {})", values.join(" or ")),
                });
            }
            // The labels are in both languages; the schema's descriptions, from the
            // code's documentation, in English.
            let meaning = match (out.lang, &f.description) {
                (regula_core::Lang::En, Some(d)) => format!("{}: {d}", out.t(&f.label())),
                _ => out.t(&f.label()).to_owned(),
            };
            vec![f.path.clone(), type_cell(f), required, meaning, example_cell(f)]
        })
        .collect();
    let header = [
        out.s("字段", "field"),
        out.s("类型", "type"),
        out.s("必填", "required"),
        out.s("含义", "meaning"),
        out.s("示例", "example"),
    ];
    Ok(out.table(&header, &rows)?)
}

/// `regula do … --dry-run`: the decision the attempt would get now, written nowhere.
/// Accepted: the state it would lead to, on stdout. Refused: every reason, on stderr,
/// and exit 1, as a refusal.
pub fn dry_run(
    out: Out,
    court: &Court<AnyStore>,
    definition: &Definition<StandardLifecycle>,
    code: &str,
    command: &Command<StandardAction>,
) -> Result<(), CliError> {
    let decision = court.preview(code, command)?;
    let from = *court.opened(code)?.state();
    let action_name = command.action.name();
    let action = definition.action_label(action_name).map_or(action_name, |l| out.t(l));
    let nothing = out.s("试运行，未写入", "dry run, nothing written");
    match decision {
        Decision::Accept { to } => {
            if out.json {
                out.print_json(&crate::vocab::DryRunDocument {
                    decision: crate::vocab::DryRunDecision::Accept,
                    from,
                    to: Some(to),
                    reasons: None,
                    role: command.role.to_string(),
                    dry_run: true,
                })?;
            } else {
                crate::outln!(
                    "{code} {action}: {} → {} ({nothing})",
                    stage_label(out, from),
                    stage_label(out, to)
                )?;
            }
            Ok(())
        }
        Decision::Refuse(reasons) => {
            if out.json {
                out.print_json(&crate::vocab::DryRunDocument {
                    decision: crate::vocab::DryRunDecision::Refuse,
                    from,
                    to: None,
                    reasons: Some(reasons.clone()),
                    role: command.role.to_string(),
                    dry_run: true,
                })?;
            } else {
                out.status_err(
                    Tone::Bad,
                    &format!("{code} {action}: "),
                    out.s("将被拒绝", "would be refused"),
                    &format!(" ({nothing})"),
                );
                for reason in &reasons {
                    crate::errln!("  - {}", out.t(&reason.message));
                }
            }
            Err(CliError::Refused)
        }
    }
}
