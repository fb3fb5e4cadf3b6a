//! The body of the HTTP service's `POST /v1/standards/{code}/records` and
//! `…/preview` (an action with its payload, role, note and time), and the action it
//! names built from it: decoded here, with no network, so that the fuzz target
//! `action_request` (docs/fuzzing.md) reaches the same code as a request.

use regula_core::{Action as _, PayloadError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::lifecycle::StandardAction;

/// The body of `POST /v1/standards/{code}/records` and `…/preview`: an action. The
/// actor is the token's; nothing here can name another.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The action's machine name (e.g. `assign`).
    pub action: String,
    /// Its payload (fields as the action's schema says); absent: `{}`.
    #[serde(default)]
    pub payload: Option<Value>,
    /// The role to act in; absent: the first the action allows that the caller fits.
    #[serde(default)]
    pub role: Option<String>,
    /// A note kept in the record.
    #[serde(default)]
    pub note: Option<String>,
    /// When the event happened, for one entered after the fact (RFC 3339 or a date).
    #[serde(default)]
    pub at: Option<String>,
}

/// The action named `name` with `payload`: an action without fields takes no payload,
/// `null` or `{}`; one with optional fields only takes none or `{}`.
pub fn action_of(name: &str, payload: Option<&Value>) -> Result<StandardAction, PayloadError> {
    let empty = payload.is_none_or(|p| p.is_null() || p.as_object().is_some_and(serde_json::Map::is_empty));
    match payload {
        Some(p) if !empty => StandardAction::from_parts(name, p),
        _ => StandardAction::from_parts(name, &Value::Null).or_else(|_| StandardAction::from_parts(name, &json!({}))),
    }
}

impl ActionRequest {
    /// Reads a request body as the service does (JSON, no field besides these).
    pub fn from_json(body: &[u8]) -> Result<ActionRequest, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The action this request names, with its payload ([`action_of`]).
    pub fn to_action(&self) -> Result<StandardAction, PayloadError> {
        action_of(&self.action, self.payload.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_decoded_strictly_and_names_its_action() {
        let request = ActionRequest::from_json(br#"{"action":"close_consultation","payload":{}}"#).unwrap();
        assert_eq!(request.to_action().unwrap().name(), "close_consultation");
        // An action without fields takes no payload, `null` or `{}`; nothing else.
        let request = ActionRequest::from_json(br#"{"action":"close_consultation","payload":{"x":1}}"#).unwrap();
        assert!(request.to_action().is_err());
        // No field besides the five: the actor is the token's, never the body's.
        let e = ActionRequest::from_json(br#"{"action":"start_drafting","actor":"wang"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `actor`"), "{e}");
    }
}
