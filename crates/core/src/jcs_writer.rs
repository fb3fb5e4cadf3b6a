//! RFC 8785 text written straight from a serde value, without building a
//! [`serde_json::Value`] first: what makes an action's payload cost one pass on the
//! engine's hot path.
//!
//! It covers the shapes action payloads take: structs and enums of strings, booleans,
//! integers within ±(2⁵³ − 1), finite doubles, options, sequences and tuples. For
//! anything else (maps, bytes, 128-bit or larger integers, non-finite floats, structs
//! of more than [`MAX_FIELDS`] fields) it answers [`Unsupported`] and the caller takes
//! the general way through a `Value`, which decides both the text and the errors.
//! Where it does answer, its text is the one `crate::jcs::write_jcs` writes for
//! `serde_json::to_value` of the same value; a property test holds it to that.

use serde::ser::{self, Impossible, Serialize};

use crate::jcs::{cmp_utf16, write_decimal, write_number, write_string};

/// The most fields of one struct this writer orders on the stack.
pub(crate) const MAX_FIELDS: usize = 24;

/// The value has a shape this writer leaves to the general way.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the general JSON path")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// Appends the RFC 8785 text of `value` to `out`; on [`Unsupported`], `out` may hold a
/// partial text past its former length, which the caller discards.
pub(crate) fn write<T: ?Sized + Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), Unsupported> {
    value.serialize(Writer { out })
}

/// Below 2⁵³ an integer's RFC 8785 text is its decimal digits.
const EXACT: u64 = 1 << 53;

/// The serializer: writes one value to `out`.
pub(crate) struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    fn unsigned(self, v: u64) -> Result<(), Unsupported> {
        if v >= EXACT {
            return Err(Unsupported);
        }
        write_decimal(v, self.out);
        Ok(())
    }

    fn signed(self, v: i64) -> Result<(), Unsupported> {
        if v.unsigned_abs() >= EXACT {
            return Err(Unsupported);
        }
        if v < 0 {
            self.out.push(b'-');
        }
        write_decimal(v.unsigned_abs(), self.out);
        Ok(())
    }

    /// `{"variant":` … for the externally tagged enum forms serde_json writes.
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        write_string(variant, self.out);
        self.out.push(b':');
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.signed(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.signed(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.signed(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.signed(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.unsigned(v)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        // serde_json turns a non-finite double into `null`; the general way says so.
        if !v.is_finite() {
            return Err(Unsupported);
        }
        write_number(v, self.out);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        write_string(v.encode_utf8(&mut [0; 4]), self.out);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        write_string(v, self.out);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.open_variant(variant);
        value.serialize(Writer { out: &mut *self.out })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Unsupported> {
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Unsupported> {
        self.open_variant(variant);
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'a>, Unsupported> {
        Ok(Object::new(self.out, false))
    }
    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'a>, Unsupported> {
        self.open_variant(variant);
        Ok(Object::new(self.out, true))
    }
}

/// An array being written.
pub(crate) struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// Inside `{"variant":` …, closed at the end.
    variant: bool,
}

impl Seq<'_> {
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer { out: &mut *self.out })
    }

    fn close(self) -> Result<(), Unsupported> {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

/// The four array-like forms serde has, each an array here.
macro_rules! seq_forms {
    ($($form:ident::$method:ident),*) => {$(
        impl ser::$form for Seq<'_> {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.element(value)
            }
            fn end(self) -> Result<(), Unsupported> {
                self.close()
            }
        }
    )*};
}

seq_forms!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A struct being written. Its field values are written one after another past
/// `base` as they come; at the end the object is laid out after them in key order
/// (RFC 8785 sorts members by their UTF-16 code units) and the values' region is
/// removed, so ordering allocates nothing.
pub(crate) struct Object<'a> {
    out: &'a mut Vec<u8>,
    base: usize,
    fields: [(&'static str, usize, usize); MAX_FIELDS],
    len: usize,
    /// Inside `{"variant":` …, closed at the end.
    variant: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, variant: bool) -> Object<'a> {
        let base = out.len();
        Object {
            out,
            base,
            fields: [("", 0, 0); MAX_FIELDS],
            len: 0,
            variant,
        }
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        if self.len == MAX_FIELDS {
            return Err(Unsupported);
        }
        let start = self.out.len();
        value.serialize(Writer { out: &mut *self.out })?;
        self.fields[self.len] = (key, start, self.out.len());
        self.len += 1;
        Ok(())
    }

    fn close(mut self) -> Result<(), Unsupported> {
        let fields = &mut self.fields[..self.len];
        fields.sort_unstable_by(|a, b| cmp_key(a.0, b.0));
        // Two fields of one name (a rename onto another's name): serde_json keeps the
        // last, which the general way reproduces.
        if fields.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Unsupported);
        }
        let values_end = self.out.len();
        self.out.push(b'{');
        for (i, &(key, start, end)) in fields.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_string(key, self.out);
            self.out.push(b':');
            self.out.extend_from_within(start..end);
        }
        self.out.push(b'}');
        if self.variant {
            self.out.push(b'}');
        }
        self.out.drain(self.base..values_end);
        Ok(())
    }
}

/// RFC 8785 member order; byte order where it is the same (no character above
/// U+FFFF, whose UTF-8 lead byte is 0xF0 or more).
fn cmp_key(a: &str, b: &str) -> std::cmp::Ordering {
    if a.bytes().chain(b.bytes()).all(|c| c < 0xF0) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        cmp_utf16(a, b)
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    /// The general way: a `Value`, then RFC 8785.
    fn general<T: Serialize>(value: &T) -> Option<String> {
        crate::jcs::to_jcs_string(&serde_json::to_value(value).ok()?).ok()
    }

    fn direct<T: Serialize>(value: &T) -> Result<String, Unsupported> {
        let mut out = Vec::new();
        write(value, &mut out)?;
        Ok(String::from_utf8(out).expect("UTF-8"))
    }

    #[derive(Clone, Debug, Serialize)]
    struct Inner {
        zeta: Option<bool>,
        alpha: Vec<i32>,
        #[serde(rename = "\u{e000}")]
        private_use: u8,
        #[serde(rename = "😀")]
        astral: char,
    }

    /// Fields declared in key order: written in place, nothing moved.
    #[derive(Clone, Debug, Serialize)]
    struct InOrder {
        a: String,
        b: Option<i32>,
        c: Vec<bool>,
    }

    #[derive(Clone, Debug, Serialize)]
    enum Kind {
        Unit,
        Wrapped(String),
        Pair(u16, f64),
        Record { b: i64, a: String },
        Sorted(InOrder),
    }

    #[derive(Clone, Debug, Serialize)]
    struct Shape {
        text: String,
        count: u64,
        signed: i64,
        ratio: f64,
        inner: Inner,
        kinds: Vec<Kind>,
        tuple: (bool, Option<String>),
        #[serde(skip_serializing_if = "Option::is_none")]
        maybe: Option<u32>,
        #[serde(rename = "é")]
        accented: (),
    }

    fn inner() -> impl Strategy<Value = Inner> {
        (
            any::<Option<bool>>(),
            prop::collection::vec(any::<i32>(), 0..4),
            any::<u8>(),
            any::<char>(),
        )
            .prop_map(|(zeta, alpha, private_use, astral)| Inner {
                zeta,
                alpha,
                private_use,
                astral,
            })
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            Just(Kind::Unit),
            any::<String>().prop_map(Kind::Wrapped),
            (any::<u16>(), any::<f64>()).prop_map(|(a, b)| Kind::Pair(a, b)),
            (any::<i64>(), any::<String>()).prop_map(|(b, a)| Kind::Record { b, a }),
            (
                any::<String>(),
                any::<Option<i32>>(),
                prop::collection::vec(any::<bool>(), 0..3)
            )
                .prop_map(|(a, b, c)| Kind::Sorted(InOrder { a, b, c })),
        ]
    }

    /// Integers and doubles mostly in the range the direct way writes, sometimes not.
    fn number() -> impl Strategy<Value = (u64, i64, f64)> {
        (
            prop_oneof![0..(1u64 << 53), any::<u64>()],
            prop_oneof![-(1i64 << 52)..(1i64 << 52), any::<i64>()],
            prop_oneof![
                -1e30..1e30,
                any::<f64>(),
                Just(-0.0),
                Just(1e21),
                Just(2.0f64.powi(-25))
            ],
        )
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (
            any::<String>(),
            number(),
            inner(),
            prop::collection::vec(kind(), 0..4),
            (any::<bool>(), any::<Option<String>>()),
            any::<Option<u32>>(),
        )
            .prop_map(|(text, (count, signed, ratio), inner, kinds, tuple, maybe)| Shape {
                text,
                count,
                signed,
                ratio,
                inner,
                kinds,
                tuple,
                maybe,
                accented: (),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Where the direct way answers, it writes the general way's text; it leaves
        /// alone exactly the values that need the general way's judgement.
        #[test]
        fn the_direct_text_is_the_general_text(shape in shape()) {
            match direct(&shape) {
                Ok(text) => prop_assert_eq!(Some(text), general(&shape)),
                Err(Unsupported) => {
                    let big = |u: u64| u >= EXACT;
                    let inexact = big(shape.count)
                        || big(shape.signed.unsigned_abs())
                        || !shape.ratio.is_finite()
                        || shape.kinds.iter().any(|k| match k {
                            Kind::Pair(_, x) => !x.is_finite(),
                            Kind::Record { b, .. } => big(b.unsigned_abs()),
                            _ => false,
                        });
                    prop_assert!(inexact, "left a value it handles to the general way: {:?}", shape);
                }
            }
        }
    }

    #[test]
    fn what_is_left_to_the_general_way() {
        let map: std::collections::BTreeMap<String, u8> = [("a".to_owned(), 1)].into();
        assert!(direct(&map).is_err());
        assert!(direct(&1u128).is_err());
        assert!(direct(&1.5f32).is_err());
        assert!(direct(&f64::NAN).is_err());
        assert!(direct(&(1u64 << 53)).is_err());
        assert_eq!(direct(&((1u64 << 53) - 1)).unwrap(), "9007199254740991");
        assert_eq!(direct(&-0.0f64).unwrap(), "0");
        let in_order = InOrder {
            a: "x".into(),
            b: None,
            c: vec![true],
        };
        assert_eq!(direct(&in_order).unwrap(), r#"{"a":"x","b":null,"c":[true]}"#);
        assert_eq!(
            direct(&Kind::Record { b: -1, a: "y".into() }).unwrap(),
            r#"{"Record":{"a":"y","b":-1}}"#
        );
    }
}
