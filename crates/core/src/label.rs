//! Bilingual labels: every state, action, role and reason carries zh and en text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The language a label is shown in. Chinese is the users' language and the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese.
    #[default]
    Zh,
    /// English.
    En,
}

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh" | "zh-CN" | "zh-Hans" => Ok(Lang::Zh),
            "en" | "en-US" | "en-GB" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_owned())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        })
    }
}

/// Returned when a language code is neither `zh` nor `en`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: expected \"zh\" or \"en\"")]
pub struct UnknownLang(pub String);

/// A text in both of Regula's languages.
///
/// Static labels cost no allocation (`Cow::Borrowed`); labels read from a file or
/// built from runtime values own their strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Chinese text.
    pub zh: Cow<'static, str>,
    /// English text.
    pub en: Cow<'static, str>,
}

impl Text {
    /// A label from two static strings.
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Text {
            zh: Cow::Borrowed(zh),
            en: Cow::Borrowed(en),
        }
    }

    /// A label from two owned or borrowed strings.
    pub fn owned(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: Cow::Owned(zh.into()),
            en: Cow::Owned(en.into()),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// True when either language is missing (empty or only whitespace).
    pub fn is_incomplete(&self) -> bool {
        self.zh.trim().is_empty() || self.en.trim().is_empty()
    }
}

impl fmt::Display for Text {
    /// Shows both languages, Chinese first: `调研论证 (research)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_and_prints() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(
            "fr".parse::<Lang>(),
            Err(UnknownLang("fr".to_owned())),
            "unknown codes are refused, not defaulted"
        );
        assert_eq!(Lang::En.to_string(), "en");
    }

    #[test]
    fn text_picks_language_and_detects_gaps() {
        let t = Text::new("调研论证", "research");
        assert_eq!(t.get(Lang::Zh), "调研论证");
        assert_eq!(t.get(Lang::En), "research");
        assert_eq!(t.to_string(), "调研论证 (research)");
        assert!(!t.is_incomplete());
        assert!(Text::new("调研", " ").is_incomplete());
        assert!(Text::owned("", "x").is_incomplete());
    }
}
