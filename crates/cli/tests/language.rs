//! The command line's language: Chinese by default, English with `--lang en`,
//! `REGULA_LANG=en`, the file's `lang = "en"`, or a locale (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`, in POSIX's order) starting with `en`; in that order of precedence. The help
//! of every command and clap's usage errors follow it, and `--json` errors carry both.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

/// Runs `regula ARGS…` in `dir` with `env` set after every variable the CLI reads
/// (the locale's included) was cleared, and no user configuration file.
fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    run_env_in(dir, dir, env, args)
}

/// True when `text` holds a CJK character.
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Which language `regula list --help` came out in.
fn help_language(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> &'static str {
    let mut all = args.to_vec();
    all.extend(["list", "--help"]);
    let help = run(dir, env, &all).ok().stdout;
    match (help.contains("用法: regula list"), help.contains("Usage: regula list")) {
        (true, false) => "zh",
        (false, true) => "en",
        _ => panic!("{env:?} {args:?}: neither or both\n{help}"),
    }
}

#[test]
fn the_language_comes_from_flag_environment_file_locale_in_that_order() {
    let s = Scratch::new("lang-order");
    let d = s.path();
    assert_eq!(help_language(d, &[], &[]), "zh", "the default");
    assert_eq!(
        help_language(d, &[("LANG", "C.UTF-8")], &[]),
        "zh",
        "a locale of no language"
    );
    assert_eq!(help_language(d, &[("LANG", "en_US.UTF-8")], &[]), "en");
    assert_eq!(help_language(d, &[("LC_MESSAGES", "en_GB")], &[]), "en");
    // LC_ALL over LC_MESSAGES over LANG.
    let both = [("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")];
    assert_eq!(help_language(d, &both, &[]), "zh");
    let both = [("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")];
    assert_eq!(help_language(d, &both, &[]), "en");
    // The environment's REGULA_LANG over the locale; the flag over both.
    let env = [("REGULA_LANG", "zh"), ("LANG", "en_US.UTF-8")];
    assert_eq!(help_language(d, &env, &[]), "zh");
    assert_eq!(help_language(d, &env, &["--lang", "en"]), "en");
    assert_eq!(help_language(d, &[("REGULA_LANG", "en")], &["--lang=zh"]), "zh");
    // The file over the locale, under the environment.
    s.write("regula.toml", "lang = \"zh\"\n");
    assert_eq!(help_language(d, &[("LANG", "en_US.UTF-8")], &[]), "zh");
    assert_eq!(help_language(d, &[("REGULA_LANG", "en")], &[]), "en");
    std::fs::remove_file(s.file("regula.toml")).unwrap();

    // Not only the help: what a command prints follows the same order.
    let schema = |env: &[(&str, &str)]| run(d, env, &["schema", "publish"]).ok().stdout;
    let chinese = schema(&[]);
    assert!(chinese.starts_with("字段\t类型\t必填\t含义\t示例\n"), "{chinese}");
    let english = schema(&[("LANG", "en_US.UTF-8")]);
    assert!(
        english.starts_with("field\ttype\trequired\tmeaning\texample\n"),
        "{english}"
    );
}

/// Every command's help, at every depth, in Chinese: its description, every argument's
/// and option's, the headings; none of clap's English words.
#[test]
fn every_command_s_help_is_in_chinese() {
    let s = Scratch::new("lang-help");
    let mut paths = vec![String::new()];
    let mut seen = 0;
    while let Some(path) = paths.pop() {
        let mut args: Vec<&str> = path.split(' ').filter(|w| !w.is_empty()).collect();
        args.push("--help");
        let help = run(s.path(), &[], &args).ok().stdout;
        seen += 1;
        let first = help.lines().next().unwrap_or_default();
        assert!(has_chinese(first), "`regula {path}`: {first}");
        for english in [
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "Examples:",
            "Global options:",
            "[default:",
            "[env:",
            "Possible values",
            "Print help",
            "Print version",
            "Print this message",
        ] {
            assert!(
                !help.contains(english),
                "`regula {path} --help` says {english:?}\n{help}"
            );
        }
        for heading in ["用法: regula", "选项:", "示例:"] {
            assert!(
                help.contains(heading),
                "`regula {path} --help` lacks {heading:?}\n{help}"
            );
        }
        // Each option's and argument's own text (the line after its name) is Chinese.
        let mut lines = help.lines().peekable();
        while let Some(line) = lines.next() {
            let trimmed = line.trim_start();
            let named = trimmed.starts_with("--")
                || trimmed.starts_with("-h")
                || trimmed.starts_with("-V")
                || (trimmed.starts_with('<') && line.starts_with("  "));
            if named && line.starts_with("  ") && !line.contains("regula ") {
                let text = lines.next().unwrap_or_default();
                assert!(has_chinese(text), "`regula {path}`: {line} / {text}\n{help}");
            }
        }
        // The commands it lists, to visit next.
        let listing = |heading: &str| -> Vec<String> {
            help.lines()
                .skip_while(|l| !l.ends_with(':') || l.starts_with(' ') || !l.starts_with(heading))
                .skip(1)
                .take_while(|l| l.starts_with("  "))
                .filter_map(|l| l.split_whitespace().next())
                .filter(|name| *name != "help")
                .map(str::to_owned)
                .collect()
        };
        let names = if path.is_empty() {
            ["标准工作", "法院层面决定", "报告", "证明", "服务", "设置"]
                .iter()
                .flat_map(|h| listing(h))
                .collect()
        } else {
            listing("命令")
        };
        for name in names {
            paths.push(if path.is_empty() {
                name
            } else {
                format!("{path} {name}")
            });
        }
    }
    assert!(seen >= 36, "only {seen} commands' help seen");
}

#[test]
fn usage_errors_in_chinese_in_english_and_as_json() {
    let s = Scratch::new("lang-usage");
    let d = s.path();
    let zh = run(d, &[], &["list", "--stat", "drafting"]).code(2);
    assert!(zh.stdout.is_empty());
    assert!(
        zh.stderr.starts_with("错误: 无法识别的参数 '--stat'")
            && zh.stderr.contains("提示：是不是要用 '--state'？")
            && zh.stderr.contains("用法: regula list")
            && zh.stderr.contains("更多信息请运行 '--help'。"),
        "{}",
        zh.stderr
    );
    let en = run(d, &[("LANG", "en_US.UTF-8")], &["list", "--stat", "drafting"]).code(2);
    assert!(
        en.stderr.starts_with("error: unexpected argument '--stat' found")
            && en.stderr.contains("Usage: regula list")
            && !has_chinese(&en.stderr),
        "{}",
        en.stderr
    );
    let zh = run(d, &[], &["lst"]).code(2);
    assert!(
        zh.stderr.starts_with("错误: 无法识别的子命令 'lst'") && zh.stderr.contains("'list'"),
        "{}",
        zh.stderr
    );
    let zh = run(d, &[], &["report", "--format", "pdf"]).code(2);
    assert!(
        zh.stderr.starts_with("错误: 参数 '--format <FORMAT>' 的值 'pdf' 无效")
            && zh.stderr.contains("[可选值：table, markdown, csv, json, html, xlsx]"),
        "{}",
        zh.stderr
    );

    // Under --json: one object on stderr, both languages, the facts by name.
    let json = run(d, &[], &["--json", "list", "--stat", "drafting"]).code(2);
    let doc: serde_json::Value = serde_json::from_str(json.stderr.trim_end()).unwrap();
    let error = &doc["error"];
    assert_eq!(doc["format"], 1);
    assert_eq!(error["code"], "usage");
    assert!(
        error["zh"].as_str().unwrap().starts_with("无法识别的参数 '--stat'"),
        "{doc}"
    );
    assert!(
        error["en"]
            .as_str()
            .unwrap()
            .starts_with("unexpected argument '--stat' found"),
        "{doc}"
    );
    assert_eq!(error["details"]["kind"], "unknown-argument");
    assert_eq!(error["details"]["argument"], "--stat");
    assert_eq!(error["details"]["suggested"], serde_json::json!(["--state"]));
    assert_eq!(error["details"]["usage"], "regula list --state <STATE>");
}

/// Wherever an id is taken (a state, an action, a role, a domain), the labels the
/// tables print are taken too: the Chinese one, or the English one in any case.
#[test]
fn inputs_take_the_labels_people_read() {
    let s = Scratch::imported("lang-labels");
    let listed = |state: &str| s.run(&["--json", "list", "--state", state]).ok().json();
    let by_id = listed("research");
    assert!(by_id.as_array().is_some_and(|a| !a.is_empty()), "{by_id}");
    assert_eq!(listed("调研论证"), by_id);
    assert_eq!(listed("RESEARCH"), by_id);
    assert_eq!(
        s.run(&["--json", "list", "--domain", "审判工作标准化"]).ok().json(),
        s.run(&["--json", "list", "--domain", "adj"]).ok().json()
    );
    // An action and a role by their labels: the same decision as by their names (the
    // standard's department is the plan's, 立案庭).
    let decided = |action: &str, role: &str| {
        s.run(&[
            "--json",
            "do",
            CODE,
            action,
            "--as",
            DEPT,
            "--role",
            role,
            "--at",
            "2023-03-06",
            "--dry-run",
        ])
        .ok()
        .json()
    };
    let by_name = decided("start_drafting", "department");
    assert_eq!(by_name["to"], "drafting", "{by_name}");
    assert_eq!(decided("开始起草", "责任部门"), by_name);
    assert_eq!(decided("Start drafting", "responsible department"), by_name);
    // `schema` too.
    assert_eq!(
        s.run(&["--json", "schema", "Publish"]).ok().json(),
        s.run(&["--json", "schema", "publish"]).ok().json()
    );
}
