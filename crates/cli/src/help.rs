//! What `--help` shows beyond the grammar of [`crate::args`]: the examples of every
//! command, the global options kept off the commands that do not use them, and
//! `regula --help`'s commands in groups.
//!
//! [`definition`] is the one clap definition the command line is parsed with and the
//! completions and manual pages are generated from, so all three agree.

use std::convert::Infallible;
use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command, CommandFactory};

use crate::args::{Cli, LangArg};

/// Examples for each command, by its path under `regula` ("" for `regula` itself):
/// real invocations, most from the README's tour. Each line is
/// `regula ARGS…`, optionally followed by a shell redirection or pipe and a `#`
/// comment; the tests parse every one and run the read-only ones on a store built like
/// the tour.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "regula init                                  # ./regula.db (--store PATH, --pg URL)",
            "regula catalog import --at 2023-03-01",
            "regula list --state drafting --lang en",
            "regula do ADJ-01-01 start_drafting --as li@立案庭 --at 2023-03-06",
        ],
    ),
    (
        "init",
        &[
            "regula init                                  # creates ./regula.db",
            "regula --store /srv/court/regula.db init",
            "regula --pg \"host=db1 user=regula dbname=court\" init",
        ],
    ),
    (
        "catalog",
        &["regula catalog import --at 2023-03-01", "regula catalog show --lang en"],
    ),
    (
        "catalog import",
        &[
            "regula catalog import --at 2023-03-01        # the built-in 117-standard plan",
            "regula catalog import my-court.toml --as wang@综合办公室",
        ],
    ),
    (
        "catalog show",
        &["regula catalog show", "regula catalog show --lang en --json"],
    ),
    (
        "rules",
        &[
            "regula rules log",
            "regula rules amend my-court-v2.toml --reason \"增加一项标准\" --as 陈伟",
        ],
    ),
    (
        "rules amend",
        &["regula rules amend my-court-v2.toml --reason \"增加一项标准\" --as 陈伟 --at 2023-06-01"],
    ),
    ("rules log", &["regula rules log", "regula rules log --lang en"]),
    (
        "court",
        &[
            "regula court designate-core ADJ-01-08 ADJ-02-01 --as 陈伟 --at 2022-09-01",
            "regula court hearings",
            "regula court log",
        ],
    ),
    (
        "court designate-core",
        &[
            "regula court designate-core ADJ-01-08 ADJ-02-01 --as 陈伟 --meeting \"领导小组2022年第2次会议\" --at 2022-09-01",
            "regula court designate-core --revoke ADJ-02-01 --as 陈伟",
        ],
    ),
    (
        "court work-plan",
        &[
            "regula court work-plan work-plan-2023.toml --as li.lian@立案庭 --at 2023-03-01",
            "regula court work-plan office-plan.toml --as wang@综合办公室 --year 2023",
        ],
    ),
    (
        "court extend",
        &["regula court extend ADJ-01-20 --step build-all --to 2024-03-31 --reason \"待上级新规\" --as 陈伟"],
    ),
    (
        "court hearing",
        &[
            "regula court hearing --as 陈伟 --present 陈伟,厉彦杰 --summary \"听取第一季度进展\" --decision \"6月底前完成起草\"",
        ],
    ),
    (
        "court hearings",
        &["regula court hearings", "regula court hearings --json"],
    ),
    ("court log", &["regula court log", "regula court log --lang en"]),
    (
        "token",
        &[
            "regula token issue --as wang@综合办公室 --for li@立案庭",
            "regula token list",
        ],
    ),
    (
        "token issue",
        &[
            "regula token issue --as wang@综合办公室 --for li@立案庭 --label 立案庭页面",
            "regula token issue --as wang@综合办公室 --for wang@综合办公室 --admin",
        ],
    ),
    ("token list", &["regula token list", "regula token list --json"]),
    (
        "token revoke",
        &["regula token revoke 0123456789abcdef --as wang@综合办公室 --reason 离职"],
    ),
    (
        "list",
        &[
            "regula list --department unassigned          # the standards the plan gives no department",
            "regula list --state drafting --lang en",
            "regula list --domain ADJ --late 2023-12-31",
        ],
    ),
    (
        "show",
        &[
            "regula show ADJ-01-08",
            "regula show ADJ-01-01 --at 2023-04-10        # as its log stood then",
            "regula show ADJ-01-01 --json",
        ],
    ),
    (
        "do",
        &[
            "regula do ADJ-01-01 assign_department --as wang@综合办公室 --at 2023-03-01 department=立案庭",
            "regula do ADJ-01-01 respond_to_opinion --as li@立案庭 opinion=1 response.decision=adopted",
            "regula do ADJ-01-01 open_consultation --as li@立案庭 --json-file examples/payloads/draft.json",
            "regula do ADJ-01-01 close_consultation --as li@立案庭 --dry-run   # nothing written",
        ],
    ),
    (
        "actions",
        &[
            "regula actions                               # every action of the lifecycle",
            "regula actions ADJ-01-01                     # those open from its state now",
            "regula actions ADJ-01-01 --as li@立案庭      # those this actor may take now",
        ],
    ),
    (
        "schema",
        &[
            "regula schema respond_to_opinion",
            "regula schema publish --json                 # the fields, and the JSON Schema itself",
        ],
    ),
    (
        "log",
        &[
            "regula log ADJ-01-01                         # the audit trail, refusals included",
            "regula log ADJ-01-01 --json",
        ],
    ),
    (
        "migrate",
        &[
            "regula migrate --as wang@综合办公室          # every open standard on an earlier version",
            "regula migrate ADJ-01-08 --as wang@综合办公室",
        ],
    ),
    (
        "verify",
        &[
            "regula verify",
            "regula verify --checkpoint cp.txt            # the store still extends it",
            "regula verify --checkpoint checkpoint-2025-06.txt --key court.pub",
            "regula verify --full",
        ],
    ),
    (
        "checkpoint",
        &[
            "regula checkpoint --out cp.txt",
            "regula checkpoint --sign court.key --out checkpoint-2025-06.txt",
        ],
    ),
    (
        "report",
        &[
            "regula report --as-of 2023-12-31",
            "regula report --year 2023                    # the yearly assessment (考核)",
            "regula report --format xlsx --output report.xlsx",
            "regula report --format csv --bom --split tables",
        ],
    ),
    (
        "diagram",
        &[
            "regula diagram --format dot --lang en",
            "regula diagram --roles",
            "regula diagram --file examples/judgment_review.toml --format mermaid",
        ],
    ),
    (
        "key",
        &["regula key generate hongshi-court --secret court.key --public court.pub"],
    ),
    (
        "key generate",
        &[
            "regula key generate hongshi-court --secret court.key --public court.pub",
            "regula key generate hongshi-court --secret court.key > court.pub",
        ],
    ),
    (
        "prove",
        &["regula prove ADJ-01-01 12 --checkpoint checkpoint-2025-06.txt --out adj-01-01-12.json"],
    ),
    (
        "verify-proof",
        &["regula verify-proof adj-01-01-12.json --key court.pub"],
    ),
    (
        "completions",
        &[
            "regula completions bash > ~/.local/share/bash-completion/completions/regula",
            "regula completions zsh > ~/.zfunc/_regula",
            "regula completions fish > ~/.config/fish/completions/regula.fish",
        ],
    ),
    (
        "man",
        &["regula man | man -l -", "regula man --out /usr/local/share/man/man1"],
    ),
    (
        "serve",
        &[
            "regula serve --listen 127.0.0.1:8080",
            "regula serve --listen 127.0.0.1:8080 --sign court.key --origin hongshi/regula",
        ],
    ),
];

/// `regula --help`'s commands, in groups: (heading in Chinese, in English, command
/// names).
pub const GROUPS: &[(&str, &str, &[&str])] = &[
    (
        "标准工作",
        "Work on standards",
        &["list", "show", "do", "actions", "schema", "log", "migrate"],
    ),
    ("法院层面决定", "Court-level decisions", &["court", "rules", "catalog"]),
    ("报告", "Reports", &["report", "diagram"]),
    (
        "证明",
        "Proofs",
        &["verify", "checkpoint", "key", "prove", "verify-proof"],
    ),
    ("服务", "Service", &["serve", "token"]),
    ("设置", "Setup", &["init", "completions", "man"]),
];

/// The global options that name a store (or the catalog beside it).
const STORE_OPTIONS: &[&str] = &["store", "pg", "catalog"];

/// Commands (paths under `regula`) and the global options they do not use: hidden
/// from their help, and refused after the command's name. (Before it, as in
/// `regula --store X key generate …`, a global option is the whole invocation's and
/// stays accepted, as it always was.)
const UNUSED: &[(&str, &[&str])] = &[
    ("schema", STORE_OPTIONS),
    ("key", STORE_OPTIONS),
    ("key generate", STORE_OPTIONS),
    ("verify-proof", STORE_OPTIONS),
    ("man", STORE_OPTIONS),
    ("completions", &["store", "pg", "catalog", "lang", "json", "color"]),
    // `diagram` draws the court's lifecycle from the catalog (`--catalog`, else the
    // copy beside the `--store` file); nothing of it is read from PostgreSQL.
    ("diagram", &["pg"]),
];

/// The command line's clap definition in `lang`: the derived grammar, with the
/// examples, the global options scoped, and `regula --help`'s commands grouped. In
/// Chinese every text is [`crate::help_zh`]'s, and so are clap's own words.
pub fn definition(lang: LangArg) -> Command {
    let zh = lang == LangArg::Zh;
    let mut command = Cli::command();
    let heading = if zh {
        crate::help_zh::words::EXAMPLES
    } else {
        "Examples"
    };
    for (path, examples) in EXAMPLES {
        command = at_path(command, path, &|c| {
            let text = examples
                .iter()
                .map(|line| match lang {
                    LangArg::Zh => format!("  {}", crate::help_zh::example(line)),
                    LangArg::En => format!("  {line}"),
                })
                .collect::<Vec<_>>()
                .join("\n");
            let after = match c.get_after_help() {
                Some(more) => format!("{heading}:\n{text}\n\n{more}"),
                None => format!("{heading}:\n{text}"),
            };
            c.after_help(after)
        });
    }
    for (path, unused) in UNUSED {
        command = at_path(command, path, &|c| refuse(c, unused, lang));
    }
    if zh {
        command = own_help_flag(command).disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help(crate::help_zh::words::VERSION)
                .help_heading(crate::help_zh::words::OPTIONS),
        );
        command = crate::help_zh::localize(command, "").after_help(root_after_help(crate::help_zh::words::EXIT_CODES));
        command = chinese_headings(command);
    }
    grouped(command, lang)
}

/// `command` ready to parse: built, and in Chinese the `help` commands clap adds when
/// building put into Chinese too. Nothing may change an argument after this (clap
/// indexes them when building): call it last, after [`crate::config::apply`].
pub fn finished(mut command: Command, lang: LangArg) -> Command {
    command.build();
    if lang == LangArg::Zh {
        command = help_commands_in_chinese(command);
    }
    command
}

/// The `help` command of `command` and of its subcommands, in Chinese.
fn help_commands_in_chinese(command: Command) -> Command {
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let mut command = command;
    for name in names {
        command = if name == "help" {
            command.mut_subcommand(name, |c| c.about(crate::help_zh::words::HELP_COMMAND))
        } else {
            command.mut_subcommand(name, help_commands_in_chinese)
        };
    }
    command
}

/// Every command's `-h, --help` declared here rather than added by clap: clap adds
/// its own after the global options, so a command whose only option it is would list
/// the global options' heading first; declared before them, it comes first.
fn own_help_flag(command: Command) -> Command {
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let mut command = command.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(clap::ArgAction::Help)
            .help(crate::help_zh::words::HELP)
            .help_heading(crate::help_zh::words::OPTIONS),
    );
    for name in names {
        command = command.mut_subcommand(name, own_help_flag);
    }
    command
}

/// `regula --help`'s closing text: the root's examples, then the exit codes.
fn root_after_help(exit_codes: &str) -> String {
    let examples = EXAMPLES
        .iter()
        .find(|(path, _)| path.is_empty())
        .map_or(&[][..], |(_, e)| *e);
    let text = examples
        .iter()
        .map(|line| format!("  {}", crate::help_zh::example(line)))
        .collect::<Vec<_>>()
        .join("\n");
    format!("{}:\n{text}\n\n{exit_codes}", crate::help_zh::words::EXAMPLES)
}

/// Every command's headings in Chinese ("用法", "命令"); the options' headings are
/// set on the options themselves ([`crate::help_zh::localize`]).
fn chinese_headings(command: Command) -> Command {
    use crate::help_zh::words;
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let mut command = command.subcommand_help_heading(words::COMMANDS).help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        words::USAGE
    ));
    for name in names {
        command = command.mut_subcommand(name, chinese_headings);
    }
    command
}

/// Applies `f` to the command at `path` (words separated by blanks; "" for the root).
fn at_path(command: Command, path: &str, f: &dyn Fn(Command) -> Command) -> Command {
    match path.split_once(' ') {
        _ if path.is_empty() => f(command),
        Some((first, rest)) => {
            let rest = rest.to_owned();
            command.mut_subcommand(first, |sub| at_path(sub, &rest, f))
        }
        None => command.mut_subcommand(path, f),
    }
}

/// Gives `command` hidden options of the same names as the global ones it does not
/// use: clap then does not copy the global ones into it (it skips an id the command
/// has), so its help does not show them, and one given after its name is a usage error
/// (exit 2) that says why.
fn refuse(mut command: Command, unused: &[&'static str], lang: LangArg) -> Command {
    for id in unused {
        let arg = Arg::new(*id).long(*id).hide(true).value_parser(NotUsed { lang });
        // `--json` takes no value: a flag whose every use is refused.
        let arg = if *id == "json" {
            arg.action(clap::ArgAction::Set).num_args(0).default_missing_value("")
        } else {
            arg
        };
        command = command.arg(arg);
    }
    command
}

/// The parser of an option a command does not use: every value is an error, in the
/// help's language.
#[derive(Clone, Copy, Debug)]
struct NotUsed {
    lang: LangArg,
}

impl TypedValueParser for NotUsed {
    type Value = Infallible;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, _value: &OsStr) -> Result<Infallible, clap::Error> {
        let option = arg.and_then(Arg::get_long).unwrap_or("this option");
        let name = cmd.get_bin_name().unwrap_or(cmd.get_name());
        // A command that refuses `--store` opens no store at all; `diagram` refuses
        // only `--pg`.
        let storeless = cmd.get_arguments().any(|a| a.get_id() == "store" && a.is_hide_set());
        let opens_no_store = storeless && STORE_OPTIONS.contains(&option);
        let message = match (self.lang, opens_no_store) {
            (LangArg::Zh, true) => format!("--{option} 不是 `{name}` 的选项：该命令不打开存储库\n"),
            (LangArg::Zh, false) => format!("--{option} 不是 `{name}` 的选项：该命令不使用它\n"),
            (LangArg::En, true) => format!("--{option} is not an option of `{name}`, which opens no store\n"),
            (LangArg::En, false) => format!("--{option} is not an option of `{name}`, which does not use it\n"),
        };
        Err(clap::Error::raw(ErrorKind::ArgumentConflict, message).with_cmd(cmd))
    }
}

/// `regula --help` with its commands under the headings of [`GROUPS`] (clap lists a
/// command's subcommands under one heading only, so the list is written here, from
/// the same definitions); a command in no group is listed under "Other commands".
fn grouped(command: Command, lang: LangArg) -> Command {
    use crate::help_zh::words;
    let zh = lang == LangArg::Zh;
    let styles = command.get_styles();
    let (header, literal) = (styles.get_header(), styles.get_literal());
    // clap's own `help` command is left out, in both languages: `--help` is shown.
    let visible: Vec<&Command> = command
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .collect();
    let width = visible.iter().map(|c| c.get_name().len()).max().unwrap_or(0);
    let line = |c: &Command| {
        let about = c.get_about().map(ToString::to_string).unwrap_or_default();
        let about = summary(&about);
        let name = c.get_name();
        format!(
            "  {literal}{name}{literal:#}{pad}  {about}\n",
            pad = " ".repeat(width - name.len())
        )
    };
    let mut text = String::new();
    for (heading_zh, heading_en, names) in GROUPS {
        let heading = if zh { heading_zh } else { heading_en };
        text.push_str(&format!("{header}{heading}:{header:#}\n"));
        for name in *names {
            if let Some(c) = visible.iter().find(|c| c.get_name() == *name) {
                text.push_str(&line(c));
            }
        }
        text.push('\n');
    }
    let others: Vec<&&Command> = visible
        .iter()
        .filter(|c| !GROUPS.iter().any(|(_, _, names)| names.contains(&c.get_name())))
        .collect();
    if !others.is_empty() {
        let other = if zh { words::OTHER_COMMANDS } else { "Other commands" };
        text.push_str(&format!("{header}{other}:{header:#}\n"));
        for c in others {
            text.push_str(&line(c));
        }
        text.push('\n');
    }
    let (usage, options) = if zh {
        (words::USAGE, words::OPTIONS)
    } else {
        ("{usage-heading}", "Options")
    };
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{text}{header}{options}:{header:#}\n{{options}}{{after-help}}"
    );
    command.help_template(template)
}

/// A command's description, shortened for the list of `regula --help`: a long one up to
/// its first `;` or `:` (or their full-width forms) outside parentheses (the whole text
/// is in the command's own help). A Chinese character counts two columns, as a terminal
/// shows it.
fn summary(about: &str) -> &str {
    const SHORT: usize = 80;
    let columns: usize = about.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    if columns <= SHORT {
        return about;
    }
    let mut depth = 0usize;
    for (at, c) in about.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            ';' | ':' | '；' | '：' if depth == 0 => return &about[..at],
            _ => {}
        }
    }
    about
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// The `regula …` words of an example line: up to its comment, redirection or
    /// pipe, split at blanks, double quotes keeping words together.
    pub(crate) fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let (mut quoted, mut in_word) = (false, false);
        for ch in line.chars() {
            match ch {
                '"' => {
                    quoted = !quoted;
                    in_word = true;
                }
                '#' | '>' | '|' if !quoted => break,
                c if c.is_whitespace() && !quoted => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                c => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        assert!(!quoted, "unbalanced quote in {line:?}");
        if in_word {
            words.push(word);
        }
        words
    }

    /// Every command at every depth, by path.
    fn paths(command: &Command, prefix: &str, all: &mut Vec<String>) {
        all.push(prefix.to_owned());
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = if prefix.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            paths(sub, &path, all);
        }
    }

    #[test]
    fn every_command_has_two_to_four_examples_that_parse() {
        let mut all = Vec::new();
        paths(&Cli::command(), "", &mut all);
        for path in &all {
            let examples = EXAMPLES
                .iter()
                .find(|(p, _)| p == path)
                .unwrap_or_else(|| panic!("`regula {path}` has no examples"))
                .1;
            let least = if path.contains(' ') || ["key", "prove", "verify-proof"].contains(&path.as_str()) {
                1
            } else {
                2
            };
            assert!(
                (least..=4).contains(&examples.len()),
                "`regula {path}`: {} examples",
                examples.len()
            );
            for line in examples {
                let words = words(line);
                assert_eq!(words[0], "regula", "{line}");
                let matches = definition(LangArg::En)
                    .try_get_matches_from(&words)
                    .unwrap_or_else(|e| panic!("{line}: {e}"));
                // The example is of this command.
                let mut at = &matches;
                for name in path.split(' ').filter(|n| !n.is_empty()) {
                    let (sub, sub_matches) = at.subcommand().unwrap_or_else(|| panic!("{line}: no subcommand"));
                    assert_eq!(sub, name, "{line} is not an example of `regula {path}`");
                    at = sub_matches;
                }
            }
        }
        assert!(
            EXAMPLES.iter().all(|(p, _)| all.contains(&(*p).to_owned())),
            "an example of no command"
        );
    }

    #[test]
    fn long_descriptions_are_cut_outside_parentheses() {
        assert_eq!(summary("Short: kept whole"), "Short: kept whole");
        let long = "The actions open now (with --as: those the actor may take), or every action; \
                    and enough more text to pass eighty characters";
        assert_eq!(
            summary(long),
            "The actions open now (with --as: those the actor may take), or every action"
        );
        let chinese = "把未完成的标准迁移到法院定义的最新版本（每项：记录一次），每项记录一次迁移；不给编号时，迁移所有沿用旧版本的未完成标准";
        assert_eq!(
            summary(chinese),
            "把未完成的标准迁移到法院定义的最新版本（每项：记录一次），每项记录一次迁移"
        );
        assert_eq!(summary("标准目录：短的不截"), "标准目录：短的不截");
    }

    #[test]
    fn every_command_is_in_one_group() {
        let command = Cli::command();
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = sub.get_name();
            if name == "help" {
                continue;
            }
            let groups = GROUPS.iter().filter(|(_, _, names)| names.contains(&name)).count();
            assert_eq!(groups, 1, "`{name}` is in {groups} groups");
        }
        for (_, _, names) in GROUPS {
            for name in *names {
                assert!(command.find_subcommand(name).is_some(), "no command {name}");
            }
        }
    }

    #[test]
    fn a_store_option_after_a_command_without_a_store_is_a_usage_error() {
        for args in [
            &["regula", "key", "generate", "k", "--secret", "k.key", "--store", "x.db"][..],
            &["regula", "schema", "publish", "--pg", "host=db"],
            &[
                "regula",
                "verify-proof",
                "b.json",
                "--key",
                "k.pub",
                "--catalog",
                "c.toml",
            ],
            &["regula", "completions", "bash", "--json"],
            &["regula", "diagram", "--pg", "host=db"],
        ] {
            let e = definition(LangArg::En).try_get_matches_from(args).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ArgumentConflict, "{args:?}: {e}");
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("is not an option of `regula"), "{e}");
        }
        // Before the command's name they are the invocation's, as always; and where a
        // command uses them, either place works.
        for args in [
            &["regula", "--store", "x.db", "key", "generate", "k", "--secret", "k.key"][..],
            &["regula", "--store", "x.db", "list"],
            &["regula", "list", "--store", "x.db"],
            &["regula", "diagram", "--store", "x.db", "--catalog", "c.toml"],
            &["regula", "completions", "bash"],
        ] {
            definition(LangArg::En)
                .try_get_matches_from(args)
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
        let m = definition(LangArg::En)
            .try_get_matches_from(["regula", "list", "--store", "x.db"])
            .unwrap();
        assert_eq!(
            m.get_one::<std::path::PathBuf>("store").unwrap(),
            std::path::Path::new("x.db")
        );
    }
}
