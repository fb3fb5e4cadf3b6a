//! A record's payload, held as the JSON text its record's hash covers.
//!
//! A payload is encoded once, when its record is made or read: into RFC 8785 text
//! ([`crate::jcs`]) for a format 2 record, into the sorted compact JSON of format 1 for
//! a record of that format (see [`crate::record`]). Hashing a record, writing its JSON
//! form and comparing two records then copy or compare that text; nothing walks a
//! [`serde_json::Value`] again. Readers who want the value parse it
//! ([`Payload::to_value`], [`Payload::decode`]); the text is always JSON, and reads back
//! to the value it was made from with numbers as the record's format writes them
//! (`2.0` reads back as `2` from RFC 8785 text).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::jcs::JcsError;
use crate::record::{FORMAT_V1, Name, with_scratch, write_canonical_json};

/// A record's payload: the JSON text of a value, in its record's canonical form.
///
/// Two payloads are equal when their texts are, which for payloads of one format is
/// when their values are (each value has one canonical text). A payload compares with a
/// [`Value`] by value, so `record.payload == json!({"summary": "…"})` reads as it
/// should.
///
/// ```
/// use regula_core::Payload;
/// use serde_json::json;
///
/// let p = Payload::canonical(&json!({"b": 2.0, "a": "x"}))?;
/// assert_eq!(p.as_str(), r#"{"a":"x","b":2}"#);
/// assert_eq!(p, json!({"a": "x", "b": 2}));
/// # Ok::<(), regula_core::jcs::JcsError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Payload {
    /// Short texts (up to 23 bytes: `null`, `{}`, a small object) are held inline,
    /// longer ones behind a shared pointer, so cloning a record copies no payload.
    text: Name,
    /// False only for a format 2 payload RFC 8785 cannot write exactly (an integer no
    /// double holds), kept in the fallback form so that hashing stays total; such a
    /// record never verifies and the engine never makes one.
    exact: bool,
}

impl Payload {
    /// The JSON `null`, the payload of an action without one.
    pub fn null() -> Payload {
        Payload {
            text: Name::new_static("null"),
            exact: true,
        }
    }

    /// `value` in its RFC 8785 form, the form of every payload this library writes;
    /// an error names a number RFC 8785 cannot write exactly, and where it is.
    pub fn canonical(value: &Value) -> Result<Payload, JcsError> {
        with_scratch(|buf| {
            crate::jcs::write_jcs(value, buf)?;
            Ok(Payload {
                text: text_of(buf),
                exact: true,
            })
        })
    }

    /// `value` as a record of `format` holds it: for format 1 the sorted compact JSON
    /// of that format; from format 2 on its RFC 8785 form, or, when RFC 8785 cannot
    /// write it exactly, its integers in decimal (a payload [`check`](Payload::check)
    /// then refuses).
    pub fn encode(format: u16, value: &Value) -> Payload {
        with_scratch(|buf| {
            let exact = if format == FORMAT_V1 {
                write_canonical_json(value, buf);
                true
            } else if crate::jcs::write_jcs(value, buf).is_ok() {
                true
            } else {
                buf.clear();
                write_canonical_json(value, buf);
                false
            };
            Payload {
                text: text_of(buf),
                exact,
            }
        })
    }

    /// The JSON text, exactly as the record's canonical bytes and JSON form hold it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the payload is `null`.
    pub fn is_null(&self) -> bool {
        self.text == "null"
    }

    /// The payload as a JSON value.
    pub fn to_value(&self) -> Value {
        // The text was written from a value by this module, so it parses; `Null`
        // stands in only for the impossible case.
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// The payload read into `T`, straight from its text.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.text)
    }

    /// Checks that the payload has one canonical form in a record of `format`: from
    /// format 2 on, RFC 8785 must write it exactly (the error names the number that
    /// it cannot, and where).
    pub fn check(&self, format: u16) -> Result<(), JcsError> {
        if self.exact {
            return Ok(());
        }
        crate::record::check_payload(format, &self.to_value())
    }

    /// Made from text that is already the RFC 8785 form of a value (what
    /// `crate::jcs_writer` writes).
    pub(crate) fn from_canonical_text(text: &[u8]) -> Payload {
        Payload {
            text: text_of(text),
            exact: true,
        }
    }
}

/// The written bytes as a [`Name`]: they are whole UTF-8 characters and ASCII
/// punctuation, as every writer of this crate produces.
fn text_of(bytes: &[u8]) -> Name {
    match std::str::from_utf8(bytes) {
        Ok(text) => Name::new(text),
        Err(_) => Name::new(String::from_utf8_lossy(bytes)),
    }
}

impl Default for Payload {
    fn default() -> Payload {
        Payload::null()
    }
}

impl From<Value> for Payload {
    /// The value as a record of the current format holds it ([`Payload::encode`]).
    fn from(value: Value) -> Payload {
        Payload::encode(crate::record::FORMAT_VERSION, &value)
    }
}

impl From<&Value> for Payload {
    fn from(value: &Value) -> Payload {
        Payload::encode(crate::record::FORMAT_VERSION, value)
    }
}

impl PartialEq<Value> for Payload {
    fn eq(&self, other: &Value) -> bool {
        self.to_value() == *other
    }
}

impl PartialEq<Payload> for Value {
    fn eq(&self, other: &Payload) -> bool {
        other == self
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({})", self.text)
    }
}

impl Serialize for Payload {
    /// As the JSON value it holds. The record's own JSON form copies the text instead
    /// ([`AuditRecord::to_json`](crate::AuditRecord::to_json)).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl schemars::JsonSchema for Payload {
    fn inline_schema() -> bool {
        <Value as schemars::JsonSchema>::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Value as schemars::JsonSchema>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <Value as schemars::JsonSchema>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Value as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::record::FORMAT_VERSION;

    #[test]
    fn canonical_text_reads_back_to_the_canonical_value() {
        let p = Payload::canonical(&json!({"b": [1.5, 2.0], "a": null, "é": "\u{1}"})).unwrap();
        assert_eq!(p.as_str(), r#"{"a":null,"b":[1.5,2],"é":"\u0001"}"#);
        assert_eq!(p.to_value(), json!({"a": null, "b": [1.5, 2], "é": "\u{1}"}));
        assert!(p.check(FORMAT_VERSION).is_ok());
    }

    #[test]
    fn an_inexact_integer_is_refused_by_canonical_and_kept_by_encode() {
        let v = json!({"n": 9007199254740993u64});
        let err = Payload::canonical(&v).unwrap_err();
        let kept = Payload::encode(FORMAT_VERSION, &v);
        assert_eq!(kept.as_str(), r#"{"n":9007199254740993}"#);
        assert_eq!(kept.check(FORMAT_VERSION), Err(err));
        assert!(kept.check(FORMAT_V1).is_ok());
    }

    #[test]
    fn format_1_keeps_its_own_number_forms() {
        let p = Payload::encode(FORMAT_V1, &json!({"x": 1.0, "y": 1e21}));
        assert_eq!(p.as_str(), r#"{"x":1.0,"y":1e+21}"#);
        assert_eq!(p.to_value(), json!({"x": 1.0, "y": 1e21}));
        let p2 = Payload::encode(FORMAT_VERSION, &json!({"x": 1.0, "y": 1e21}));
        assert_eq!(p2.as_str(), r#"{"x":1,"y":1e+21}"#);
    }

    #[test]
    fn null_short_and_long_texts() {
        assert!(Payload::null().is_null());
        assert_eq!(Payload::default(), Payload::canonical(&Value::Null).unwrap());
        let long = json!({"text": "x".repeat(100)});
        let p = Payload::from(long.clone());
        assert_eq!(p, long);
        assert_eq!(p.clone(), p);
        assert_eq!(serde_json::to_value(&p).unwrap(), long);
    }
}
