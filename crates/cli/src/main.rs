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
mod out;
mod payload;
mod proof;
mod report;
// Only the tests use the schemas: they are files in the repository, not output.
#[cfg(test)]
mod schemas;
mod shell;
mod token;
mod vocab;

use std::process::ExitCode;

use regula_core::Lang;

fn main() -> ExitCode {
    let cli = match args::Cli::parse_resolved() {
        Ok(cli) => cli,
        Err(e) => {
            // Before the command line is read: the language of the flag, if given.
            let args: Vec<String> = std::env::args().collect();
            let en = args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en")
                || args.iter().any(|a| a == "--lang=en")
                || std::env::var("REGULA_LANG").is_ok_and(|l| l == "en");
            let (error, config) = if en {
                ("error", "configuration file")
            } else {
                ("错误", "配置文件")
            };
            if args.iter().any(|a| a == "--json") {
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
