//! The configuration file, `regula.toml`: defaults for the store, PostgreSQL, the
//! language and the actor (`--as`).
//!
//! It is read from the working directory, else from the user's configuration
//! directory (`$XDG_CONFIG_HOME/regula/regula.toml`, else
//! `~/.config/regula/regula.toml`). Each setting counts only where neither the command
//! line nor the environment says otherwise: a flag wins over an environment variable
//! (`REGULA_STORE`, `REGULA_PG`, `REGULA_LANG`, `REGULA_ACTOR`), which wins over the
//! file, which wins over the built-in default. The file's settings are put into the
//! clap definition as defaults, so clap applies that order itself.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::args::LangArg;

use serde::Deserialize;

/// The file's name, in the working directory or the user's configuration directory.
pub const FILE_NAME: &str = "regula.toml";

/// What `regula.toml` may set; any other key is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SQLite store (`--store`).
    pub store: Option<PathBuf>,
    /// A PostgreSQL connection string (`--pg`).
    pub pg: Option<String>,
    /// `zh` or `en` (`--lang`).
    pub lang: Option<crate::args::LangArg>,
    /// The actor of every command that takes `--as`, when it is not given.
    pub actor: Option<String>,
}

/// A configuration file could not be used: which file, where in it, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or has a key or value `regula.toml` does not take.
    #[error("{}:{line}:{column}: {message} (keys: store, pg, lang = \"zh\"|\"en\", actor)", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file names both stores.
    #[error("{}: store and pg name two stores; set one", path.display())]
    TwoStores {
        /// The file.
        path: PathBuf,
    },
}

/// The configuration file that applies: `regula.toml` in the working directory, else
/// in the user's configuration directory; `None` when there is neither.
pub fn path() -> Option<PathBuf> {
    let here = PathBuf::from(FILE_NAME);
    if here.is_file() {
        return Some(here);
    }
    let dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".config")))?;
    Some(dir.join("regula").join(FILE_NAME)).filter(|p| p.is_file())
}

/// Reads the configuration file that applies (none: every setting unset).
pub fn load() -> Result<(Option<PathBuf>, Config), ConfigError> {
    let Some(path) = path() else {
        return Ok((None, Config::default()));
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let config = parse(&path, &text)?;
    Ok((Some(path), config))
}

/// Parses the text of `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let (line, column) = regula_core::position::line_column(text, e.span().map_or(0, |s| s.start));
        ConfigError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    if config.store.is_some() && config.pg.is_some() {
        return Err(ConfigError::TwoStores { path: path.to_owned() });
    }
    Ok(config)
}

/// The clap definition with the file's settings as defaults, and `REGULA_ACTOR` as
/// the environment's `--as`: flag, then environment, then file, then built-in default.
pub fn apply(command: clap::Command, config: &Config) -> clap::Command {
    let mut command = command;
    if let Some(store) = &config.store {
        let store = store.as_os_str().to_owned();
        command = command.mut_arg("store", |a| a.default_value(store));
    }
    if let Some(pg) = &config.pg {
        let pg = pg.clone();
        command = command.mut_arg("pg", |a| a.default_value(pg));
    }
    // The locale counts below the file: it says what the whole session prefers, the
    // file what this court chose.
    if let Some(lang) = config.lang.or_else(locale_lang) {
        let lang = match lang {
            crate::args::LangArg::Zh => "zh",
            crate::args::LangArg::En => "en",
        };
        command = command.mut_arg("lang", |a| a.default_value(lang));
    }
    with_actor(command, config.actor.as_deref())
}

/// The language the locale asks for: the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
/// that is set and not empty (POSIX's order), read by [`lang_of_locale`].
pub fn locale_lang() -> Option<LangArg> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .and_then(|value| lang_of_locale(&value))
}

/// A locale's language: `en…` English, `zh…` Chinese; any other (`C`, `POSIX`,
/// `C.UTF-8`, `fr_FR.UTF-8`) no preference, which leaves the default, Chinese.
pub fn lang_of_locale(locale: &str) -> Option<LangArg> {
    let language = locale.split(['_', '.', '@', '-']).next().unwrap_or_default();
    match language.to_ascii_lowercase().as_str() {
        "en" => Some(LangArg::En),
        "zh" => Some(LangArg::Zh),
        _ => None,
    }
}

/// The language of the help and of usage errors, known before the command line is
/// parsed, in the order clap then applies to `--lang` itself: the last `--lang` on the
/// command line (before a `--`), else `REGULA_LANG`, else the file's `lang`, else the
/// locale's ([`locale_lang`]), else Chinese. A value that is not a language is passed
/// over here; parsing then reports it.
pub fn early_lang(args: &[OsString], config: &Config) -> LangArg {
    let environment = std::env::var("REGULA_LANG").ok();
    lang_in_order(args, environment.as_deref(), config.lang, locale_lang)
}

/// [`early_lang`] with the environment given: `REGULA_LANG`'s value, the file's
/// language, and the locale's (asked for only when needed).
fn lang_in_order(
    args: &[OsString],
    environment: Option<&str>,
    file: Option<LangArg>,
    locale: impl FnOnce() -> Option<LangArg>,
) -> LangArg {
    let parse = |value: &str| match value {
        "zh" => Some(LangArg::Zh),
        "en" => Some(LangArg::En),
        _ => None,
    };
    let mut given = None;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "--lang" {
            given = words.next().and_then(|v| parse(&v)).or(given);
        } else if let Some(value) = word.strip_prefix("--lang=") {
            given = parse(value).or(given);
        }
    }
    given
        .or_else(|| environment.and_then(parse))
        .or(file)
        .or_else(locale)
        .unwrap_or(LangArg::Zh)
}

/// Every `--as` of the command tree reads `REGULA_ACTOR`, and defaults to `actor`,
/// except where it has a default of its own (`catalog import`'s, the office's
/// `regula@综合办公室`, which opens the plan whoever runs it).
fn with_actor(mut command: clap::Command, actor: Option<&str>) -> clap::Command {
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        command = command.mut_subcommand(name, |sub| with_actor(sub, actor));
    }
    let own_default = command
        .get_arguments()
        .find(|a| a.get_id() == "actor")
        .map(|a| !a.get_default_values().is_empty());
    if let Some(own_default) = own_default {
        command = command.mut_arg("actor", |a| {
            let a = a.env("REGULA_ACTOR");
            match actor {
                Some(actor) if !own_default => a.default_value(actor.to_owned()).required(false),
                _ => a,
            }
        });
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_says_where() {
        let e = parse(Path::new("regula.toml"), "store = \"a.db\"\nlang = \"fr\"\n").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("regula.toml:2:8: "), "{text}");
        let e = parse(Path::new("regula.toml"), "store = \"a.db\"\n  colour = 1\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("regula.toml:2:3: ") && text.contains("colour"),
            "{text}"
        );
        let e = parse(Path::new("regula.toml"), "store = \n").unwrap_err();
        assert!(e.to_string().starts_with("regula.toml:1:"), "{e}");
        let e = parse(Path::new("x/regula.toml"), "store = \"a\"\npg = \"b\"\n").unwrap_err();
        assert!(matches!(e, ConfigError::TwoStores { .. }), "{e}");
        let ok = parse(Path::new("regula.toml"), "lang = \"en\"\nactor = \"li@立案庭\"\n").unwrap();
        assert_eq!(ok.lang, Some(crate::args::LangArg::En));
        assert_eq!(ok.actor.as_deref(), Some("li@立案庭"));
    }

    #[test]
    fn a_locale_names_a_language_by_its_first_part() {
        for (locale, lang) in [
            ("en_US.UTF-8", Some(LangArg::En)),
            ("en", Some(LangArg::En)),
            ("EN_GB", Some(LangArg::En)),
            ("zh_CN.UTF-8", Some(LangArg::Zh)),
            ("zh_TW@stroke", Some(LangArg::Zh)),
            ("C.UTF-8", None),
            ("C", None),
            ("POSIX", None),
            ("fr_FR.UTF-8", None),
            ("english", None),
        ] {
            assert_eq!(lang_of_locale(locale), lang, "{locale}");
        }
    }

    #[test]
    fn the_early_language_follows_flag_environment_file_locale_default() {
        let args = |words: &[&str]| -> Vec<OsString> { words.iter().map(OsString::from).collect() };
        let none = || None;
        let english = || Some(LangArg::En);
        let chinese = || Some(LangArg::Zh);
        let plain = args(&["regula", "list"]);
        assert_eq!(lang_in_order(&plain, None, None, none), LangArg::Zh);
        assert_eq!(lang_in_order(&plain, None, None, english), LangArg::En);
        assert_eq!(lang_in_order(&plain, None, Some(LangArg::Zh), english), LangArg::Zh);
        assert_eq!(
            lang_in_order(&plain, Some("en"), Some(LangArg::Zh), chinese),
            LangArg::En
        );
        // Not a language: passed over (parsing reports it).
        assert_eq!(lang_in_order(&plain, Some("fr"), None, english), LangArg::En);
        let flag = args(&["regula", "--lang", "zh", "list", "--lang=en"]);
        assert_eq!(lang_in_order(&flag, Some("zh"), None, none), LangArg::En);
        let flag = args(&["regula", "list", "--lang", "zh"]);
        assert_eq!(lang_in_order(&flag, Some("en"), None, english), LangArg::Zh);
        // After `--`, words are values, not options.
        let after = args(&["regula", "do", "X", "a", "--", "--lang", "en"]);
        assert_eq!(lang_in_order(&after, None, None, none), LangArg::Zh);
    }
}
