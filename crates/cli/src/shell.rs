//! Shell completions (`clap_complete`) and manual pages (`clap_mangen`), generated
//! from the same clap definition that parses the command line, so they cannot
//! disagree with it.

use std::io::Write;

use crate::args::{CompletionsArgs, LangArg, ManArgs};
use crate::ctx::CliError;
use crate::out::Out;

/// `regula completions SHELL`: the script on stdout, its descriptions in `lang`.
pub fn completions(args: &CompletionsArgs, lang: LangArg) -> Result<(), CliError> {
    let mut command = crate::help::finished(crate::help::definition(lang), lang);
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "regula", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script)?;
    Ok(stdout.flush()?)
}

/// `regula man [--out DIR]`: `regula.1` on stdout, or every page into DIR, in the
/// help's language (the pages' section names are clap_mangen's, in English).
pub fn man(out: Out, args: &ManArgs, lang: LangArg) -> Result<(), CliError> {
    // Not built: clap_mangen would write a page for each `help` command clap adds.
    let command = crate::help::definition(lang);
    match &args.out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&page)?;
            Ok(stdout.flush()?)
        }
        Some(dir) => {
            let io = |source| CliError::Io {
                path: dir.clone(),
                source,
            };
            std::fs::create_dir_all(dir).map_err(io)?;
            clap_mangen::generate_to(command, dir).map_err(io)?;
            // One page for the command and one for each subcommand, at every depth.
            fn pages_of(command: &clap::Command) -> usize {
                1 + command.get_subcommands().map(pages_of).sum::<usize>()
            }
            let pages = pages_of(&crate::help::definition(lang));
            if out.json {
                return Ok(out.print_json(&crate::vocab::ManDocument {
                    dir: dir.display().to_string(),
                    pages,
                })?);
            }
            crate::outln!(
                "{} {pages} {} {}",
                out.s("已写入", "wrote"),
                out.s("个手册页到", "manual pages to"),
                dir.display()
            )?;
            Ok(())
        }
    }
}
