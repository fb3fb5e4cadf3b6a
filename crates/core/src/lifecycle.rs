//! The three types a user brings: states, actions and the data an instance carries.

use std::fmt::Debug;
use std::hash::Hash;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::payload::Payload;

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

    /// The payload as its record holds it: the RFC 8785 text of
    /// [`payload`](Action::payload), or an error naming a number RFC 8785 cannot write
    /// exactly. The engine calls this once per attempt; override it to write the text
    /// without building a [`Value`] first (as the derive does, with
    /// [`action::tagged_record_payload`]).
    fn encode_payload(&self) -> Result<Payload, PayloadError> {
        let value = self.payload()?;
        Payload::canonical(&value).map_err(|e| PayloadError {
            action: self.name().to_owned(),
            message: e.to_string(),
        })
    }

    /// Rebuilds an action from its name and the payload its record holds; what replay
    /// calls for every record. The default parses the payload and calls
    /// [`from_parts`](Action::from_parts); override it to read the text directly (as
    /// the derive does, with [`action::from_tagged_record`]). Both must agree.
    fn from_payload(name: &str, payload: &Payload) -> Result<Self, PayloadError> {
        Self::from_parts(name, &payload.to_value())
    }
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
    use crate::payload::Payload;

    /// The payload of an adjacently tagged action (`{"action": …, "payload": …}`),
    /// or `null` when the variant has none.
    pub fn tagged_payload<A: Serialize>(action: &A) -> Result<Value, PayloadError> {
        // Fast path (every transition runs this): take the `payload` field straight out
        // of the struct serde writes for an adjacently tagged enum, without building the
        // `{"action": …, "payload": …}` object first. Anything else (another shape, any
        // error) goes the general way below, which gives the result and the errors.
        if let Ok(payload) = action.serialize(fast::PayloadOnly) {
            return Ok(payload);
        }
        tagged_payload_slow(action)
    }

    fn tagged_payload_slow<A: Serialize>(action: &A) -> Result<Value, PayloadError> {
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
        // Fast path (every replayed record runs this): show the deserializer the map
        // `{"action": name, "payload": payload}` without building it or cloning the
        // payload. On any error the general way below decides, so errors read the same.
        if let Ok(action) = A::deserialize(fast::Tagged {
            name,
            payload: fast::Source::Value(payload),
        }) {
            return Ok(action);
        }
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

    /// [`tagged_payload`] as its record holds it ([`Action::encode_payload`](crate::Action::encode_payload)).
    pub fn tagged_record_payload<A: Serialize + super::Action>(action: &A) -> Result<Payload, PayloadError> {
        // Fast path (every transition runs this): the `payload` field written as
        // RFC 8785 text straight from the typed value. Any shape it leaves alone goes
        // the general way through a `Value`, which gives the text and the errors.
        let fast = crate::record::with_scratch(|buf| {
            action
                .serialize(fast::TextOnly { out: buf })
                .ok()
                .map(|()| Payload::from_canonical_text(buf))
        });
        if let Some(payload) = fast {
            return Ok(payload);
        }
        let value = tagged_payload(action)?;
        Payload::canonical(&value).map_err(|e| PayloadError {
            action: action.name().to_owned(),
            message: e.to_string(),
        })
    }

    /// [`from_tagged`] from the payload as its record holds it
    /// ([`Action::from_payload`](crate::Action::from_payload)): read straight from the text, without a [`Value`] in
    /// between. On any error the general way decides, so errors read the same.
    pub fn from_tagged_record<A: DeserializeOwned>(name: &str, payload: &Payload) -> Result<A, PayloadError> {
        if let Ok(action) = A::deserialize(fast::Tagged {
            name,
            payload: fast::Source::Text(payload.as_str()),
        }) {
            return Ok(action);
        }
        from_tagged(name, &payload.to_value())
    }

    /// The allocation-free halves of [`tagged_payload`] and [`from_tagged`]. Both only
    /// ever answer `Ok` with what the general path would have answered; they give up
    /// (with an error the caller discards) on every shape they do not handle.
    mod fast {
        use serde::de::value::BorrowedStrDeserializer;
        use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
        use serde::ser::{self, Impossible, Serialize, SerializeStruct};
        use serde_json::Value;

        /// "Not handled here": the caller takes the general path (the same signal as the
        /// direct RFC 8785 writer's).
        pub(super) use crate::jcs_writer::Unsupported as GiveUp;

        /// A serializer that accepts only a struct (what an adjacently tagged enum
        /// serializes as) and returns its `payload` field as a JSON value, or `null`.
        pub(super) struct PayloadOnly;

        /// Collects the `payload` field; checks the others serialize, as the general
        /// path would.
        pub(super) struct Fields {
            payload: Option<Value>,
        }

        impl SerializeStruct for Fields {
            type Ok = Value;
            type Error = GiveUp;

            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), GiveUp> {
                if key == "payload" {
                    if self.payload.is_some() {
                        return Err(GiveUp);
                    }
                    self.payload = Some(serde_json::to_value(value).map_err(|_| GiveUp)?);
                } else {
                    // The tag: a unit variant, written to nowhere (no allocation).
                    value
                        .serialize(&mut serde_json::Serializer::new(std::io::sink()))
                        .map_err(|_| GiveUp)?;
                }
                Ok(())
            }

            fn end(self) -> Result<Value, GiveUp> {
                Ok(self.payload.unwrap_or(Value::Null))
            }
        }

        macro_rules! give_up {
            ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
                $(fn $name(self, $(_: $arg),*) -> Result<$ret, GiveUp> { Err(GiveUp) })*
            };
        }

        /// Every method of a serializer that takes a value, answering "not handled".
        macro_rules! give_up_on_values {
            ($ok:ty) => {
                fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<$ok, GiveUp> {
                    Err(GiveUp)
                }

                fn serialize_newtype_struct<T: ?Sized + Serialize>(
                    self,
                    _: &'static str,
                    _: &T,
                ) -> Result<$ok, GiveUp> {
                    Err(GiveUp)
                }

                fn serialize_newtype_variant<T: ?Sized + Serialize>(
                    self,
                    _: &'static str,
                    _: u32,
                    _: &'static str,
                    _: &T,
                ) -> Result<$ok, GiveUp> {
                    Err(GiveUp)
                }
            };
        }

        impl ser::Serializer for PayloadOnly {
            type Ok = Value;
            type Error = GiveUp;
            type SerializeSeq = Impossible<Value, GiveUp>;
            type SerializeTuple = Impossible<Value, GiveUp>;
            type SerializeTupleStruct = Impossible<Value, GiveUp>;
            type SerializeTupleVariant = Impossible<Value, GiveUp>;
            type SerializeMap = Impossible<Value, GiveUp>;
            type SerializeStruct = Fields;
            type SerializeStructVariant = Impossible<Value, GiveUp>;

            fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields, GiveUp> {
                Ok(Fields { payload: None })
            }

            give_up! {
                serialize_bool(bool) -> Value;
                serialize_i8(i8) -> Value;
                serialize_i16(i16) -> Value;
                serialize_i32(i32) -> Value;
                serialize_i64(i64) -> Value;
                serialize_u8(u8) -> Value;
                serialize_u16(u16) -> Value;
                serialize_u32(u32) -> Value;
                serialize_u64(u64) -> Value;
                serialize_f32(f32) -> Value;
                serialize_f64(f64) -> Value;
                serialize_char(char) -> Value;
                serialize_str(&str) -> Value;
                serialize_bytes(&[u8]) -> Value;
                serialize_none() -> Value;
                serialize_unit() -> Value;
                serialize_unit_struct(&'static str) -> Value;
                serialize_unit_variant(&'static str, u32, &'static str) -> Value;
                serialize_seq(Option<usize>) -> Self::SerializeSeq;
                serialize_tuple(usize) -> Self::SerializeTuple;
                serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
                serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
                serialize_map(Option<usize>) -> Self::SerializeMap;
                serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
            }

            give_up_on_values!(Value);
        }

        /// A serializer that accepts only a struct (what an adjacently tagged enum
        /// serializes as) and writes its `payload` field as RFC 8785 text to `out`
        /// (`null` when there is none), without a `Value` in between.
        pub(super) struct TextOnly<'a> {
            pub(super) out: &'a mut Vec<u8>,
        }

        /// Writes the `payload` field; checks the others serialize, as the general
        /// path would.
        pub(super) struct TextFields<'a> {
            out: &'a mut Vec<u8>,
            seen: bool,
        }

        impl SerializeStruct for TextFields<'_> {
            type Ok = ();
            type Error = GiveUp;

            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), GiveUp> {
                if key == "payload" {
                    if self.seen {
                        return Err(GiveUp);
                    }
                    self.seen = true;
                    crate::jcs_writer::write(value, self.out).map_err(|_| GiveUp)?;
                } else {
                    value
                        .serialize(&mut serde_json::Serializer::new(std::io::sink()))
                        .map_err(|_| GiveUp)?;
                }
                Ok(())
            }

            fn end(self) -> Result<(), GiveUp> {
                if !self.seen {
                    self.out.extend_from_slice(b"null");
                }
                Ok(())
            }
        }

        impl<'a> ser::Serializer for TextOnly<'a> {
            type Ok = ();
            type Error = GiveUp;
            type SerializeSeq = Impossible<(), GiveUp>;
            type SerializeTuple = Impossible<(), GiveUp>;
            type SerializeTupleStruct = Impossible<(), GiveUp>;
            type SerializeTupleVariant = Impossible<(), GiveUp>;
            type SerializeMap = Impossible<(), GiveUp>;
            type SerializeStruct = TextFields<'a>;
            type SerializeStructVariant = Impossible<(), GiveUp>;

            fn serialize_struct(self, _: &'static str, _: usize) -> Result<TextFields<'a>, GiveUp> {
                Ok(TextFields {
                    out: self.out,
                    seen: false,
                })
            }

            give_up! {
                serialize_bool(bool) -> ();
                serialize_i8(i8) -> ();
                serialize_i16(i16) -> ();
                serialize_i32(i32) -> ();
                serialize_i64(i64) -> ();
                serialize_u8(u8) -> ();
                serialize_u16(u16) -> ();
                serialize_u32(u32) -> ();
                serialize_u64(u64) -> ();
                serialize_f32(f32) -> ();
                serialize_f64(f64) -> ();
                serialize_char(char) -> ();
                serialize_str(&str) -> ();
                serialize_bytes(&[u8]) -> ();
                serialize_none() -> ();
                serialize_unit() -> ();
                serialize_unit_struct(&'static str) -> ();
                serialize_unit_variant(&'static str, u32, &'static str) -> ();
                serialize_seq(Option<usize>) -> Self::SerializeSeq;
                serialize_tuple(usize) -> Self::SerializeTuple;
                serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
                serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
                serialize_map(Option<usize>) -> Self::SerializeMap;
                serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
            }

            give_up_on_values!(());
        }

        /// The map `{"action": name, "payload": payload}` (no `payload` entry when it is
        /// `null`), presented to a deserializer without being built.
        pub(super) struct Tagged<'a> {
            pub(super) name: &'a str,
            pub(super) payload: Source<'a>,
        }

        /// Where the payload is read from.
        #[derive(Clone, Copy)]
        pub(super) enum Source<'a> {
            /// A JSON value.
            Value(&'a Value),
            /// JSON text (a record's payload), read in place.
            Text(&'a str),
        }

        impl Source<'_> {
            fn is_null(&self) -> bool {
                match self {
                    Source::Value(v) => v.is_null(),
                    Source::Text(t) => *t == "null",
                }
            }
        }

        struct Entries<'a> {
            name: &'a str,
            payload: Source<'a>,
            /// 0: before `action`; 1: before `payload`; 2: done.
            next: u8,
        }

        impl<'de> MapAccess<'de> for Entries<'de> {
            type Error = serde_json::Error;

            fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
                let key = match self.next {
                    0 => "action",
                    1 if !self.payload.is_null() => "payload",
                    _ => return Ok(None),
                };
                seed.deserialize(BorrowedStrDeserializer::<serde_json::Error>::new(key))
                    .map(Some)
            }

            fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
                self.next += 1;
                match self.next {
                    1 => seed.deserialize(BorrowedStrDeserializer::<serde_json::Error>::new(self.name)),
                    _ => match self.payload {
                        Source::Value(v) => seed.deserialize(v),
                        Source::Text(t) => {
                            let mut de = serde_json::Deserializer::from_str(t);
                            let value = seed.deserialize(&mut de)?;
                            de.end()?;
                            Ok(value)
                        }
                    },
                }
            }

            fn size_hint(&self) -> Option<usize> {
                Some(if self.payload.is_null() { 1 } else { 2 })
            }
        }

        impl<'de> de::Deserializer<'de> for Tagged<'de> {
            type Error = serde_json::Error;

            fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                visitor.visit_map(Entries {
                    name: self.name,
                    payload: self.payload,
                    next: 0,
                })
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map struct enum identifier ignored_any
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    use super::action::{from_tagged, from_tagged_record, tagged_payload, tagged_record_payload};
    use crate::payload::Payload;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
    enum Step {
        Submit { summary: String, pages: u32 },
        Note(String),
        Pair(u8, Option<bool>),
        Close,
    }

    impl super::Action for Step {
        fn name(&self) -> &str {
            match self {
                Step::Submit { .. } => "submit",
                Step::Note(_) => "note",
                Step::Pair(..) => "pair",
                Step::Close => "close",
            }
        }
        fn payload(&self) -> Result<Value, super::PayloadError> {
            tagged_payload(self)
        }
        fn from_parts(name: &str, payload: &Value) -> Result<Self, super::PayloadError> {
            from_tagged(name, payload)
        }
    }

    /// A plain struct: no tag, maybe a `payload` field.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Plain {
        payload: Vec<i64>,
        other: f64,
    }

    /// The general path, as the functions were before their fast paths.
    fn slow_payload<A: Serialize>(a: &A) -> Option<Value> {
        match serde_json::to_value(a).ok()? {
            Value::Object(mut m) => Some(m.remove("payload").unwrap_or(Value::Null)),
            _ => None,
        }
    }

    fn slow_from<A: serde::de::DeserializeOwned>(name: &str, payload: &Value) -> Option<A> {
        let mut map = serde_json::Map::new();
        map.insert("action".into(), Value::String(name.into()));
        if !payload.is_null() {
            map.insert("payload".into(), payload.clone());
        }
        serde_json::from_value(Value::Object(map)).ok()
    }

    #[test]
    fn fast_paths_agree_with_the_general_path() {
        let steps = [
            Step::Submit {
                summary: "判决书\"初稿\"".into(),
                pages: 7,
            },
            Step::Note("x".into()),
            Step::Pair(3, None),
            Step::Pair(4, Some(true)),
            Step::Close,
        ];
        for s in &steps {
            let p = tagged_payload(s).unwrap();
            assert_eq!(Some(p.clone()), slow_payload(s), "{s:?}");
            let name = serde_json::to_value(s).unwrap()["action"].as_str().unwrap().to_owned();
            let back: Step = from_tagged(&name, &p).unwrap();
            assert_eq!(&back, s);
            assert_eq!(slow_from::<Step>(&name, &p).as_ref(), Some(s));
            // As records hold it: straight to and from the text, as the general path.
            let text = tagged_record_payload(s).unwrap();
            assert_eq!(text, Payload::canonical(&p).unwrap(), "{s:?}");
            assert_eq!(&from_tagged_record::<Step>(&name, &text).unwrap(), s);
        }
        let plain = Plain {
            payload: vec![1, -2],
            other: 0.5,
        };
        assert_eq!(tagged_payload(&plain).unwrap(), json!([1, -2]));
        // Not a struct at all: the general path's error.
        assert!(tagged_payload(&5u8).is_err());
        assert!(tagged_payload(&vec![1]).is_err());
    }

    #[test]
    fn bad_parts_give_the_general_error() {
        for (name, payload) in [
            ("submit", json!({"summary": 5, "pages": 1})),
            ("submit", Value::Null),
            ("close", json!({"x": 1})),
            ("nope", json!(null)),
            ("note", json!(["a"])),
        ] {
            let fast = from_tagged::<Step>(name, &payload);
            assert_eq!(
                fast.is_ok(),
                slow_from::<Step>(name, &payload).is_some(),
                "{name} {payload}"
            );
            if let Err(e) = fast {
                let mut map = serde_json::Map::new();
                map.insert("action".into(), Value::String(name.into()));
                if !payload.is_null() {
                    map.insert("payload".into(), payload.clone());
                }
                let slow = serde_json::from_value::<Step>(Value::Object(map)).unwrap_err();
                assert_eq!(e.message, slow.to_string());
                // Read from a record's text: the same error.
                let from_text = from_tagged_record::<Step>(name, &Payload::from(&payload)).unwrap_err();
                assert_eq!(from_text, e);
            } else {
                assert!(from_tagged_record::<Step>(name, &Payload::from(&payload)).is_ok());
            }
        }
    }
}
