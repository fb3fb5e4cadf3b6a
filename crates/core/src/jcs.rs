//! RFC 8785 canonical JSON: placeholder API, replaced by the full implementation
//! (numbers per ECMAScript, UTF-16 key order) in the same change set.

use serde_json::Value;

/// A value RFC 8785 cannot encode exactly.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JcsError {
    /// An integer that no IEEE double holds exactly.
    #[error("{path}: the integer {value} has no exact IEEE double (RFC 8785 and I-JSON numbers are doubles)")]
    InexactInteger {
        /// Where, as a JSON path.
        path: String,
        /// The integer.
        value: String,
    },
}

/// Writes the RFC 8785 form of `value`.
pub fn write_jcs(value: &Value, out: &mut Vec<u8>) -> Result<(), JcsError> {
    crate::record::write_canonical_json(value, out);
    Ok(())
}

/// The RFC 8785 form of `value`.
pub fn to_jcs_string(value: &Value) -> Result<String, JcsError> {
    let mut out = Vec::new();
    write_jcs(value, &mut out)?;
    Ok(String::from_utf8(out).unwrap_or_default())
}
