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

use std::path::{Path, PathBuf};

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
    if let Some(lang) = config.lang {
        let lang = match lang {
            crate::args::LangArg::Zh => "zh",
            crate::args::LangArg::En => "en",
        };
        command = command.mut_arg("lang", |a| a.default_value(lang));
    }
    with_actor(command, config.actor.as_deref())
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
}
