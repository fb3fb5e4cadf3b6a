//! Usage errors (clap's) in the user's language, as text or as `--json`'s error
//! document.
//!
//! clap writes its errors in English. In Chinese, the message is written here from the
//! error's context (which argument, which value, the values allowed, the suggestion),
//! so it says the same as clap's, in the same shape: the message, a tip, the usage
//! line, and where to read more. Messages clap has no context for (the ones this
//! command line raises itself) are already in the right language.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::args::LangArg;

/// A usage error, in both languages, with its facts.
#[derive(Debug)]
pub struct Usage {
    /// The message in Chinese (without the usage line).
    pub zh: String,
    /// The message in English, as clap writes it (without the usage line).
    pub en: String,
    /// The command's usage line (`regula list [OPTIONS]`), if the error names one.
    pub usage: Option<String>,
    /// The error's facts: `kind`, and where known `argument`, `value`, `valid`,
    /// `suggested`.
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// The error `zh` (raised by the Chinese definition) and `en` (the same command line
/// parsed by the English one; without it, clap's text of `zh`) as one [`Usage`].
pub fn describe(zh: &clap::Error, en: Option<&clap::Error>) -> Usage {
    let en = en.unwrap_or(zh);
    let (en_message, usage) = split(&en.render().to_string());
    let zh_message = chinese(zh).unwrap_or_else(|| split(&zh.render().to_string()).0);
    Usage {
        zh: zh_message,
        en: en_message,
        usage,
        details: details(en),
    }
}

/// Writes `usage` as text in `lang`: the message, the usage line, where to read more.
pub fn text(usage: &Usage, lang: LangArg) -> String {
    let (error, message, more) = match lang {
        LangArg::Zh => ("错误", &usage.zh, "更多信息请运行 '--help'。"),
        LangArg::En => ("error", &usage.en, "For more information, try '--help'."),
    };
    let mut text = format!("{error}: {message}\n");
    if let Some(line) = &usage.usage {
        let heading = match lang {
            LangArg::Zh => "用法:",
            LangArg::En => "Usage:",
        };
        text.push_str(&format!("\n{heading} {line}\n"));
    }
    text.push_str(&format!("\n{more}\n"));
    text
}

/// clap's rendered error split into its message (without "error: ") and its usage
/// line (without "Usage: ").
fn split(rendered: &str) -> (String, Option<String>) {
    let body = rendered.strip_prefix("error: ").unwrap_or(rendered);
    let body = body.split("\n\nFor more information").next().unwrap_or(body).trim_end();
    match body.split_once("\n\nUsage: ") {
        Some((message, usage)) => (message.trim_end().to_owned(), Some(usage.trim().to_owned())),
        None => (body.to_owned(), None),
    }
}

/// One context value as text.
fn one(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Several context values as a list.
fn many(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        _ => Vec::new(),
    }
}

/// The message in Chinese, from the error's context; `None` when the error has none
/// to write it from (a raw message, already in the definition's language).
fn chinese(e: &clap::Error) -> Option<String> {
    let arg = one(e, ContextKind::InvalidArg);
    let value = one(e, ContextKind::InvalidValue);
    let mut message = match e.kind() {
        ErrorKind::InvalidValue => {
            let arg = arg.clone()?;
            match value.filter(|v| !v.is_empty()) {
                Some(value) => format!("参数 '{arg}' 的值 '{value}' 无效"),
                None => format!("参数 '{arg}' 需要一个值，但未给出"),
            }
        }
        ErrorKind::UnknownArgument => format!("无法识别的参数 '{}'", arg.clone()?),
        ErrorKind::InvalidSubcommand => {
            format!("无法识别的子命令 '{}'", one(e, ContextKind::InvalidSubcommand)?)
        }
        ErrorKind::NoEquals => format!("参数 '{}' 的值须用 '=' 给出", arg.clone()?),
        ErrorKind::ValueValidation => {
            let source = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_default();
            let source = range_in_chinese(&source).unwrap_or(source);
            format!(
                "参数 '{}' 的值 '{}' 无效：{source}",
                arg.clone()?,
                value.unwrap_or_default()
            )
        }
        ErrorKind::TooManyValues => {
            format!(
                "参数 '{}' 多出了值 '{}'：不再需要更多的值",
                arg.clone()?,
                value.unwrap_or_default()
            )
        }
        ErrorKind::TooFewValues => format!(
            "参数 '{}' 至少需要 {} 个值，只给了 {} 个",
            arg.clone()?,
            one(e, ContextKind::MinValues)?,
            one(e, ContextKind::ActualNumValues)?
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "参数 '{}' 需要 {} 个值，给了 {} 个",
            arg.clone()?,
            one(e, ContextKind::ExpectedNumValues)?,
            one(e, ContextKind::ActualNumValues)?
        ),
        ErrorKind::ArgumentConflict => {
            let prior = many(e, ContextKind::PriorArg);
            if prior.is_empty() {
                format!("参数 '{}' 只能给一次", arg.clone()?)
            } else {
                format!("参数 '{}' 不能与 '{}' 同时使用", arg.clone()?, prior.join("', '"))
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = many(e, ContextKind::InvalidArg);
            if missing.is_empty() {
                return None;
            }
            format!("缺少必需的参数：\n  {}", missing.join("\n  "))
        }
        ErrorKind::MissingSubcommand => {
            let name = one(e, ContextKind::InvalidSubcommand)?;
            let valid = many(e, ContextKind::ValidSubcommand);
            format!(
                "'{name}' 需要一个子命令，但未给出\n  可用的子命令：{}",
                valid.join(", ")
            )
        }
        ErrorKind::InvalidUtf8 => "参数含有无效的 UTF-8".to_owned(),
        _ => return None,
    };
    let valid = many(e, ContextKind::ValidValue);
    if matches!(e.kind(), ErrorKind::InvalidValue) && !valid.is_empty() {
        message.push_str(&format!("\n  [可选值：{}]", valid.join(", ")));
    }
    let suggested = suggestions(e);
    if !suggested.is_empty() {
        message.push_str(&format!("\n\n  提示：是不是要用 '{}'？", suggested.join("' 或 '")));
    }
    if let Some(trailing) = arg.filter(|_| matches!(e.get(ContextKind::TrailingArg), Some(ContextValue::Bool(true)))) {
        message.push_str(&format!(
            "\n\n  提示：若要把 '{trailing}' 作为值传入，请写作 '-- {trailing}'"
        ));
    }
    Some(message)
}

/// clap's range check ("0 is not in 1..=9999") in Chinese.
fn range_in_chinese(source: &str) -> Option<String> {
    let (value, range) = source.split_once(" is not in ")?;
    let (low, high) = range.split_once("..=")?;
    Some(format!("{value} 不在 {low} 到 {high} 之间"))
}

/// What clap suggests instead: a command, an argument or a value.
fn suggestions(e: &clap::Error) -> Vec<String> {
    [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .flat_map(|k| many(e, k))
    .collect()
}

/// The facts of `e` by name, for scripts.
fn details(e: &clap::Error) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut details = serde_json::Map::new();
    details.insert("kind".into(), Value::String(kind_name(e.kind()).into()));
    let argument = one(e, ContextKind::InvalidArg).or_else(|| one(e, ContextKind::InvalidSubcommand));
    if let Some(argument) = argument {
        details.insert("argument".into(), Value::String(argument));
    }
    if let Some(value) = one(e, ContextKind::InvalidValue) {
        details.insert("value".into(), Value::String(value));
    }
    let valid = many(e, ContextKind::ValidValue);
    if !valid.is_empty() {
        details.insert("valid".into(), valid.into());
    }
    let suggested = suggestions(e);
    if !suggested.is_empty() {
        details.insert("suggested".into(), suggested.into());
    }
    details
}

/// A stable, kebab-case name of clap's error kind.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidValue => "invalid-value",
        ErrorKind::UnknownArgument => "unknown-argument",
        ErrorKind::InvalidSubcommand => "unknown-command",
        ErrorKind::NoEquals => "no-equals",
        ErrorKind::ValueValidation => "invalid-value",
        ErrorKind::TooManyValues => "too-many-values",
        ErrorKind::TooFewValues => "too-few-values",
        ErrorKind::WrongNumberOfValues => "wrong-number-of-values",
        ErrorKind::ArgumentConflict => "argument-conflict",
        ErrorKind::MissingRequiredArgument => "missing-argument",
        ErrorKind::MissingSubcommand => "missing-command",
        ErrorKind::InvalidUtf8 => "invalid-utf8",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::help::definition;

    fn usage_of(args: &[&str]) -> Usage {
        let zh = definition(LangArg::Zh).try_get_matches_from(args).unwrap_err();
        let en = definition(LangArg::En).try_get_matches_from(args).unwrap_err();
        describe(&zh, Some(&en))
    }

    #[test]
    fn each_kind_of_usage_error_has_its_chinese_message_and_facts() {
        let cases: &[(&[&str], &str, &str)] = &[
            (
                &["regula", "list", "--stat", "drafting"],
                "无法识别的参数 '--stat'",
                "--state",
            ),
            (&["regula", "lst"], "无法识别的子命令 'lst'", "list"),
            (
                &["regula", "report", "--format", "pdf"],
                "参数 '--format <FORMAT>' 的值 'pdf' 无效",
                "xlsx",
            ),
            (
                &["regula", "report", "--year", "0"],
                "参数 '--year <YYYY>' 的值 '0' 无效：0 不在 1 到 9999 之间",
                "0",
            ),
            (&["regula", "show"], "缺少必需的参数", "<CODE>"),
            (
                &["regula", "report", "--output", "a", "--split", "b"],
                "不能与",
                "--split",
            ),
            (
                &["regula", "schema", "publish", "--pg", "x"],
                "--pg 不是 `regula schema` 的选项：该命令不打开存储库",
                "--pg",
            ),
        ];
        for (args, zh, fact) in cases {
            let usage = usage_of(args);
            assert!(usage.zh.contains(zh), "{args:?}: {}", usage.zh);
            assert!(
                !usage.en.is_empty() && !usage.en.contains('错'),
                "{args:?}: {}",
                usage.en
            );
            let facts = serde_json::Value::Object(usage.details.clone()).to_string();
            let shown = format!("{} {facts}", usage.zh);
            assert!(shown.contains(fact), "{args:?}: {shown}");
            let text = text(&usage, LangArg::Zh);
            assert!(
                text.starts_with("错误: ") && text.ends_with("更多信息请运行 '--help'。\n"),
                "{text}"
            );
        }
        let en = text(&usage_of(&["regula", "list", "--stat", "x"]), LangArg::En);
        assert!(
            en.starts_with("error: unexpected argument '--stat' found") && en.contains("\nUsage: regula list"),
            "{en}"
        );
    }

    #[test]
    fn a_suggestion_is_shown_as_a_tip() {
        let usage = usage_of(&["regula", "lst"]);
        assert!(usage.zh.contains("提示：是不是要用 'list'？"), "{}", usage.zh);
        assert_eq!(usage.details["suggested"], serde_json::json!(["list"]));
        assert_eq!(usage.details["kind"], "unknown-command");
    }
}
