//! `regula`: a court's work standards on the command line.
//!
//! Exit codes: 0 ok; 1 an action was refused, or verification or a proof failed; 2 a
//! usage, input or store error, in which case nothing was changed.

mod args;
mod cmd;
mod court;
mod ctx;
mod describe;
mod out;
mod payload;
mod proof;
mod report;
mod token;

use std::process::ExitCode;

use regula_core::Lang;

fn main() -> ExitCode {
    let cli = args::Cli::parse_resolved();
    let lang = match cli.lang {
        args::LangArg::Zh => Lang::Zh,
        args::LangArg::En => Lang::En,
    };
    let out = out::Out::new(lang, cli.json);
    match cmd::run(&cli, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e {
                ctx::CliError::Refused | ctx::CliError::VerifyFailed | ctx::CliError::ProofRejected => {}
                // The reader went away (`regula list | head`): not an error of ours.
                ctx::CliError::Output(ref io) if io.kind() == std::io::ErrorKind::BrokenPipe => {
                    return ExitCode::SUCCESS;
                }
                // Errors quote what the user or the store gave: escaped.
                ctx::CliError::UnsafeText(ref e) => {
                    crate::errln!("regula: {}: {}", out.s("错误", "error"), e.message().get(lang))
                }
                ref other => crate::errln!("regula: {}: {other}", out.s("错误", "error")),
            }
            ExitCode::from(e.exit_code())
        }
    }
}
