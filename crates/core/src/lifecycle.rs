//! The three types a user brings: states, actions and the data an instance carries.

use std::fmt::Debug;
use std::hash::Hash;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Ties together the types of one kind of lifecycle.
///
/// A zero-sized marker type usually implements it:
///
/// ```
/// # use regula_core::{Lifecycle, State, Action, PayloadError};
/// # use serde::{Serialize, Deserialize};
/// # #[derive(Clone, Debug, PartialEq, Eq, Hash)] enum Stage { Draft }
/// # impl State for Stage { fn name(&self) -> &str { "draft" } }
/// # #[derive(Clone, Debug, Serialize, Deserialize)]
/// # #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
/// # enum Step { Submit }
/// # impl Action for Step {
/// #     fn name(&self) -> &str { "submit" }
/// #     fn payload(&self) -> Result<serde_json::Value, PayloadError> { regula_core::action::tagged_payload(self) }
/// #     fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> { regula_core::action::from_tagged(name, payload) }
/// # }
/// # #[derive(Clone, Debug, Default, Serialize, Deserialize)] struct Doc;
/// struct Review;
/// impl Lifecycle for Review {
///     type State = Stage;
///     type Action = Step;
///     type Data = Doc;
/// }
/// ```
pub trait Lifecycle: Sized + Send + Sync + 'static {
    /// The states an instance can be in; usually a field-less enum.
    type State: State;
    /// The actions that can be attempted; usually an enum whose variants carry payloads.
    type Action: Action;
    /// What an instance carries besides its state; changed only by a definition's effect.
    type Data: Data;
}

/// A state of a lifecycle.
///
/// The name is what the audit log, diagrams and files use; it must be stable across
/// versions of the program, because records written today are replayed years later.
pub trait State: Clone + Eq + Hash + Debug + Send + Sync + 'static {
    /// The stable machine name of the state, e.g. `"consultation"`.
    fn name(&self) -> &str;
}

/// An action: what an actor attempts, with its payload.
///
/// The audit log stores an action as its [`name`](Action::name) and its
/// [`payload`](Action::payload) as JSON, so that other languages can read it;
/// [`from_parts`](Action::from_parts) turns the two back into the action when a log is
/// replayed. For an enum that derives serde with
/// `#[serde(tag = "action", content = "payload")]`, the helpers in
/// [`crate::action`] implement both directions.
pub trait Action: Clone + Debug + Send + Sync + 'static {
    /// The stable machine name of this action's kind, e.g. `"submit_draft"`.
    fn name(&self) -> &str;

    /// The payload as a JSON value (`null` for an action without one).
    fn payload(&self) -> Result<Value, PayloadError>;

    /// Rebuilds an action from its name and payload.
    fn from_parts(name: &str, payload: &Value) -> Result<Self, PayloadError>;
}

/// The data an instance carries. Implemented for every type that fits.
pub trait Data: Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T> Data for T where T: Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static {}

/// An action's payload could not be encoded to, or decoded from, JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("payload of action {action:?}: {message}")]
pub struct PayloadError {
    /// The action's name.
    pub action: String,
    /// What serde reported.
    pub message: String,
}

/// Helpers that implement [`Action`] for serde enums tagged `action` / `payload`.
pub mod action {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};

    use super::PayloadError;

    /// The payload of an adjacently tagged action (`{"action": …, "payload": …}`),
    /// or `null` when the variant has none.
    pub fn tagged_payload<A: Serialize>(action: &A) -> Result<Value, PayloadError> {
        match serde_json::to_value(action) {
            Ok(Value::Object(mut map)) => Ok(map.remove("payload").unwrap_or(Value::Null)),
            Ok(other) => Err(PayloadError {
                action: other.to_string(),
                message: "expected an enum tagged with `action` and `payload`".to_owned(),
            }),
            Err(e) => Err(PayloadError {
                action: String::from("?"),
                message: e.to_string(),
            }),
        }
    }

    /// Rebuilds an adjacently tagged action from its name and payload.
    pub fn from_tagged<A: DeserializeOwned>(name: &str, payload: &Value) -> Result<A, PayloadError> {
        let mut map = Map::with_capacity(2);
        map.insert("action".to_owned(), Value::String(name.to_owned()));
        if !payload.is_null() {
            map.insert("payload".to_owned(), payload.clone());
        }
        serde_json::from_value(Value::Object(map)).map_err(|e| PayloadError {
            action: name.to_owned(),
            message: e.to_string(),
        })
    }
}
