//! `regula`: a court's work standards on the command line.
//!
//! Exit codes: 0 ok; 1 an action was refused, or verification or a proof failed; 2 a
//! usage, input or store error, in which case nothing was changed.

mod args;
mod cmd;
mod config;
mod court;
mod ctx;
mod describe;
mod help;
mod help_zh;
mod out;
mod payload;
mod proof;
mod report;
// Only the tests use the schemas: they are files in the repository, not output.
#[cfg(test)]
mod schemas;
mod shell;
mod token;
mod usage;
mod vocab;

use std::process::ExitCode;

use regula_core::Lang;

fn main() -> ExitCode {
    let cli = match args::Cli::parse_resolved() {
        Ok(cli) => cli,
        Err(args::Stop::Clap { error, en, lang }) => return clap_stopped(&error, en.as_deref(), lang),
        Err(args::Stop::Config(e)) => {
            let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
            let json = wants_json(&args);
            let en = config::early_lang(&args, &config::Config::default()) == args::LangArg::En;
            let (error, config) = if en {
                ("error", "configuration file")
            } else {
                ("错误", "配置文件")
            };
            if json {
                let zh = format!("配置文件 {e}");
                let en = format!("configuration file {e}");
                print_error_json(ctx::ErrorDocument {
                    format: ctx::FORMAT,
                    error: ctx::ErrorBody {
                        code: "config".into(),
                        zh,
                        en,
                        details: serde_json::Map::new(),
                    },
                });
            } else {
                crate::errln!("regula: {error}: {config} {e}");
            }
            return ExitCode::from(2);
        }
    };
    let lang = match cli.lang {
        args::LangArg::Zh => Lang::Zh,
        args::LangArg::En => Lang::En,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    let out = out::Out::new(lang, cli.json).with_color(cli.color, no_color, dumb);
    match cmd::run(&cli, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let ctx::CliError::Output(ref io) = e
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            if out.json {
                let code = e.exit_code();
                print_error_json(e.into_document());
                return ExitCode::from(code);
            }
            match e {
                ctx::CliError::Refused | ctx::CliError::VerifyFailed | ctx::CliError::ProofRejected => {}
                // The reader went away (`regula list | head`): not an error of ours.
                ctx::CliError::Output(ref io) if io.kind() == std::io::ErrorKind::BrokenPipe => {
                    return ExitCode::SUCCESS;
                }
                // Errors quote what the user or the store gave: escaped.
                ctx::CliError::UnsafeText(ref e) => out.status_err(
                    out::Tone::Bad,
                    "regula: ",
                    out.s("错误", "error"),
                    &format!(": {}", e.message().get(lang)),
                ),
                ctx::CliError::Said(ref said) | ctx::CliError::Conflict(ref said) => out.status_err(
                    out::Tone::Bad,
                    "regula: ",
                    out.s("错误", "error"),
                    &format!(": {}", said.text(lang)),
                ),
                ref other => out.status_err(
                    out::Tone::Bad,
                    "regula: ",
                    out.s("错误", "error"),
                    &format!(": {other}"),
                ),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// `--json` among the command line's words (before a `--`).
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.iter().skip(1).take_while(|a| *a != "--").any(|a| a == "--json")
}

/// clap stopped before anything ran: help or the version is printed as clap wrote it
/// (in `lang`, from the definition); a usage error in `lang`, or under `--json` as an
/// error document with both languages. Exit code 2 for a usage error.
fn clap_stopped(error: &clap::Error, en: Option<&clap::Error>, lang: args::LangArg) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    let usage = usage::describe(error, en);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if wants_json(&args) {
        let mut details = usage.details;
        if let Some(line) = usage.usage {
            details.insert("usage".into(), serde_json::Value::String(line));
        }
        print_error_json(ctx::ErrorDocument {
            format: ctx::FORMAT,
            error: ctx::ErrorBody {
                code: "usage".into(),
                zh: usage.zh,
                en: usage.en,
                details,
            },
        });
    } else {
        crate::errln!("{}", usage::text(&usage, lang).trim_end());
    }
    ExitCode::from(2)
}

/// Prints an error under `--json`: one object on one line of stderr, escaped like
/// every other output ([`regula_core::plain_text::escape_json`]); a closed stderr is
/// ignored.
fn print_error_json(document: ctx::ErrorDocument) {
    use std::io::Write as _;
    if let Ok(text) = serde_json::to_string(&document) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}",
            regula_core::plain_text::escape_json(&text)
        );
    }
}
