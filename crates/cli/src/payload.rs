//! Building an action's payload from `KEY=VALUE` arguments or a JSON file, read and
//! checked by the fields of the action's payload schema: the reading itself is the
//! library's ([`regula_standards::schema::payload`], fuzzed there); this module says
//! its errors in the user's language.

use regula_core::Lang;
use regula_standards::schema::fields::Field;
use regula_standards::schema::payload::{self, PayloadFieldsError};
use serde_json::Value;

use crate::ctx::CliError;

/// A payload error, shown in the user's language (both under `--json`).
fn said(lang: Lang, e: PayloadFieldsError) -> CliError {
    CliError::said(
        "bad-payload",
        lang,
        e.message.zh.into_owned(),
        e.message.en.into_owned(),
    )
}

/// Builds the payload of `action` (whose fields are `fields`) from `KEY=VALUE` pairs
/// ([`payload::from_pairs`]).
pub fn from_fields(pairs: &[String], fields: &[Field], action: &str, lang: Lang) -> Result<Value, CliError> {
    payload::from_pairs(pairs, fields, action).map_err(|e| said(lang, e))
}

/// Checks a payload read as JSON against the action's fields ([`payload::check`]).
pub fn check(payload: &Value, fields: &[Field], action: &str, lang: Lang) -> Result<(), CliError> {
    payload::check(payload, fields, action).map_err(|e| said(lang, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regula_standards::schema::fields::action_fields;

    #[test]
    fn errors_are_said_in_the_user_s_language() {
        let fields = action_fields("respond_to_opinion").unwrap();
        let pairs = vec!["opinion=first".to_owned()];
        // What the text output prints in each language.
        let shown = |lang: Lang| match from_fields(&pairs, &fields, "respond_to_opinion", lang).unwrap_err() {
            CliError::Said(said) => said.text(lang).to_owned(),
            other => panic!("not a payload error: {other:?}"),
        };
        let zh = shown(Lang::Zh);
        assert!(zh.contains("respond_to_opinion 的内容：opinion 的值"), "{zh}");
        let en = shown(Lang::En);
        assert!(en.contains("payload of respond_to_opinion: opinion: \"first\""), "{en}");
    }
}
