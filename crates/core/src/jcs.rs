//! RFC 8785, the JSON Canonicalization Scheme (JCS), written here so that no
//! dependency upgrade can change a byte of a canonical form.
//!
//! A value has exactly one canonical text. An auditor can rebuild it from this
//! description alone (`scripts/check_vectors.py` is such a reimplementation, in
//! Python, and `docs/record-format.md` repeats these rules for auditors):
//!
//! 1. **No whitespace.** Nothing between tokens; `,` between array elements and object
//!    members, `:` between a key and its value.
//! 2. **Literals** are written `null`, `true`, `false`.
//! 3. **Strings** (values and keys) are written between `"` with the UTF-8 bytes of
//!    their characters, escaping only these (RFC 8785 §3.2.2.2):
//!    `"` as `\"`, `\` as `\\`, U+0008 as `\b`, U+0009 as `\t`, U+000A as `\n`,
//!    U+000C as `\f`, U+000D as `\r`, and every other character below U+0020 as
//!    `\u00` followed by two **lowercase** hex digits (U+001F is `\u001f`).
//!    Everything else is written as itself: `/`, DEL (U+007F), U+2028, non-BMP
//!    characters. No Unicode normalization is applied.
//! 4. **Objects** are written with their members sorted by key, comparing keys as
//!    sequences of **UTF-16 code units** (not UTF-8 bytes, not code points, no locale).
//!    The two orders differ only between characters above U+FFFF (surrogates
//!    U+D800–U+DFFF in UTF-16) and characters U+E000–U+FFFF: `"\u{10000}"` sorts
//!    before `"\u{E000}"`. Keys are unique (a JSON object with a duplicated key is
//!    not I-JSON and has no canonical form).
//! 5. **Arrays** keep their order.
//! 6. **Numbers** are IEEE 754 doubles and are written as ECMAScript's
//!    `Number.prototype.toString` writes them (ECMA-262 §7.1.12.1, "Number::toString"),
//!    see [`write_number`]:
//!    - zero, positive or negative, is `0`; a negative number is `-` followed by the
//!      text of its absolute value;
//!    - otherwise take the **shortest** decimal digit string `s` (of length `k`, no
//!      leading or trailing zero) and exponent `n` such that `s × 10^(n−k)` reads back
//!      as the same double; if several strings of that length do, take the one closest
//!      to the double's exact value (even last digit on a tie). Then:
//!      - `k ≤ n ≤ 21`: the `k` digits followed by `n − k` zeros (`1e21` is the first
//!        number written otherwise: `100000000000000000000` is `1e20`);
//!      - `0 < n ≤ 21`: the first `n` digits, `.`, the remaining `k − n` digits;
//!      - `−6 < n ≤ 0`: `0.`, then `−n` zeros, then the `k` digits (`0.000001` is
//!        `1e-6`; `1e-7` is the first number written otherwise);
//!      - otherwise exponent form: the first digit, then (only if `k > 1`) `.` and the
//!        other digits, then `e`, then `+` or `-`, then `|n − 1|` in decimal with no
//!        leading zeros: `1e+21`, `1.5e-7`, `5e-324`, `1.7976931348623157e+308`.
//!
//! **Integers.** JSON text does not distinguish `1` from `1.0`, and JCS treats every
//! number as a double. `serde_json` keeps integers as `u64`/`i64`. An integer of
//! magnitude below 2⁵³ is written in decimal. A larger one is written only when its
//! decimal digits are exactly how ECMAScript writes the nearest double (10¹⁶ is
//! `10000000000000000`, and so is its double): then the canonical text reads back, as
//! an integer or as a double, to a number with the same canonical text. Any other
//! integer (2⁵³ + 1, 2⁶³ = 9223372036854775808 whose double is written
//! `9223372036854776000`, `u64::MAX`) is refused with [`JcsError::InexactInteger`]:
//! writing it as its double would give two different numbers one canonical form, and
//! so one hash (I-JSON, RFC 7493 §2.2, asks for integers within ±(2⁵³ − 1) for this
//! reason). Send such identifiers as strings.
//!
//! Reading the canonical text back with any correct JSON parser that reads numbers
//! as doubles gives the same value, and canonicalizing that gives the same text.
//! (`serde_json` reads decimal numbers exactly only with its `float_roundtrip`
//! feature, which this workspace turns on.)
//!
//! This module formats numbers itself. The shortest round-trip digits come from Rust's
//! standard library (`format!("{:e}", x)`: the shortest digits that read back to `x`,
//! nearest to it); where `x` lies exactly halfway between two shortest candidates
//! (2⁻²⁵ = 2.98023223876953125e-8) Rust rounds up and ECMAScript takes the even one,
//! which is corrected here (`…95312e-8`); the layout above is applied here too. The
//! test vectors in `crates/core/tests/vectors/` (RFC 8785's own, and 5,680 doubles whose
//! text an ECMAScript engine wrote, including every power of two) hold it to that.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::label::Text;

/// Why a JSON value has no JCS canonical form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JcsError {
    /// An integer whose canonical form would not be its own digits (such as 2⁵³ + 1,
    /// or 2⁶³): JCS writes every number as a double, so writing the nearest one would
    /// silently give two different numbers the same canonical form and hash (I-JSON,
    /// RFC 7493).
    #[error(
        "the integer {value} at {path} cannot be canonicalized: JSON canonicalization (RFC 8785) writes every \
         number as an IEEE 754 double, and the nearest double to {value} is written {nearest}, so two \
         different numbers would hash the same; keep integers within ±9007199254740991 (2^53 − 1) or write \
         this one as a string",
        nearest = nearest_double(*.value)
    )]
    InexactInteger {
        /// Where the integer is, as a JSON path: `$` is the whole value, `.key` or
        /// `["key"]` a member, `[3]` an array element (e.g. `$.a[3].b`).
        path: String,
        /// The integer as written.
        value: i128,
    },
    /// A number that is not a finite double. `serde_json` values cannot hold NaN or
    /// infinities with its default features; this guards against a build that turns
    /// on `arbitrary_precision`, where a number such as `1e400` would reach here.
    #[error(
        "the number {text} at {path} cannot be canonicalized: JSON canonicalization (RFC 8785) writes every \
         number as a finite IEEE 754 double, and this one is out of range"
    )]
    NonFinite {
        /// Where the number is, as a JSON path (see [`JcsError::InexactInteger`]).
        path: String,
        /// The number as `serde_json` holds it.
        text: String,
    },
}

impl JcsError {
    /// The message in Chinese and English, for users (the `Display` form is the
    /// English one).
    pub fn text(&self) -> Text {
        match self {
            JcsError::InexactInteger { path, value } => Text::owned(
                format!(
                    "位置 {path} 的整数 {value} 无法规范化：JSON 规范化（RFC 8785）把所有数字按 IEEE 754 双精度数写出，\
                     而最接近 {value} 的双精度数写作 {}，两个不同的数会得到同一个哈希；\
                     请把整数保持在 ±9007199254740991（2^53 − 1）以内，或写成字符串",
                    nearest_double(*value)
                ),
                self.to_string(),
            ),
            JcsError::NonFinite { path, text } => Text::owned(
                format!(
                    "位置 {path} 的数字 {text} 无法规范化：JSON 规范化（RFC 8785）只接受有限的 IEEE 754 双精度数，\
                     该数超出范围"
                ),
                self.to_string(),
            ),
        }
    }
}

/// The double nearest to `value`, as ECMAScript writes it (for error messages).
fn nearest_double(value: i128) -> String {
    // `as` rounds to nearest, ties to even: the double a JSON reader would make.
    let mut out = Vec::new();
    write_number(value as f64, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the JCS canonical form of `value` (see the module docs) to `out`.
///
/// On error nothing is appended: `out` is left as it was.
pub fn write_jcs(value: &Value, out: &mut Vec<u8>) -> Result<(), JcsError> {
    let start = out.len();
    write_value(value, out).map_err(|failure| {
        out.truncate(start);
        failure.into_error()
    })
}

/// The JCS canonical form of `value` as a string.
pub fn to_jcs_string(value: &Value) -> Result<String, JcsError> {
    let mut out = Vec::with_capacity(64);
    write_jcs(value, &mut out)?;
    // Only whole UTF-8 characters and ASCII punctuation are ever written.
    Ok(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Checks that `value` has a canonical form, and says whether it holds a double, by
/// walking its numbers alone: no text is written, except for the rare integer beyond
/// 2^53, whose canonical digits decide. This is the check of every payload the engine
/// records and every record a verifier reads, so it must not serialize the payload a
/// second time (its hash does that once). On failure the error names the number's
/// path, as [`write_jcs`] does.
pub fn check_numbers(value: &Value) -> Result<bool, JcsError> {
    fn walk(value: &Value, doubles: &mut bool, scratch: &mut Vec<u8>) -> bool {
        match value {
            Value::Number(n) => {
                if n.is_f64() {
                    *doubles = true;
                }
                let small = n
                    .as_u64()
                    .map(|u| u < 1 << 53)
                    .or_else(|| n.as_i64().map(|i| i.unsigned_abs() < 1 << 53))
                    .unwrap_or(false);
                small || {
                    scratch.clear();
                    write_json_number(n, scratch).is_ok()
                }
            }
            Value::Array(xs) => xs.iter().all(|x| walk(x, doubles, scratch)),
            Value::Object(map) => map.values().all(|x| walk(x, doubles, scratch)),
            Value::Null | Value::Bool(_) | Value::String(_) => true,
        }
    }
    let mut doubles = false;
    if walk(value, &mut doubles, &mut Vec::new()) {
        return Ok(doubles);
    }
    // Rare: write it out to find the culprit's path.
    write_jcs(value, &mut Vec::new()).map(|()| doubles)
}

/// Writes `x` as ECMAScript's `Number.prototype.toString` does (ECMA-262 §7.1.12.1;
/// the rules are in the module docs): shortest round-trip digits, nearest to `x`;
/// `-0` as `0`; plain digits below 10²¹ and down to 10⁻⁶, exponent form (`1e+21`,
/// `1.5e-7`) beyond.
///
/// JCS has no form for NaN or the infinities; for completeness they are written as
/// ECMAScript writes them (`NaN`, `Infinity`, `-Infinity`), which is not JSON.
/// [`write_jcs`] never passes them here.
pub fn write_number(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if x == 0.0 {
        out.push(b'0');
        return;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.extend_from_slice(b"Infinity");
        return;
    }
    let (shortest, n) = shortest_digits(x);
    let digits = shortest.as_slice();
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if k <= n && n <= 21 {
        // Integer form: the digits, then zeros.
        out.extend_from_slice(digits);
        out.resize(out.len() + usize::try_from(n - k).unwrap_or(0), b'0');
    } else if 0 < n && n <= 21 {
        // The decimal point falls inside the digits.
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else if -6 < n && n <= 0 {
        // A small number: `0.`, zeros, the digits.
        out.extend_from_slice(b"0.");
        out.resize(out.len() + usize::try_from(-n).unwrap_or(0), b'0');
        out.extend_from_slice(digits);
    } else {
        // Exponent form.
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.extend_from_slice(first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        out.push(b'e');
        let e = n - 1;
        out.push(if e < 0 { b'-' } else { b'+' });
        write_decimal(u64::from(e.unsigned_abs()), out);
    }
}

/// Up to 20 ASCII digits.
struct Digits {
    buf: [u8; 20],
    len: usize,
}

impl Digits {
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn value(&self) -> u128 {
        self.as_slice()
            .iter()
            .fold(0u128, |v, &d| v.wrapping_mul(10).wrapping_add(u128::from(d - b'0')))
    }

    /// The significant digits of `v` (no trailing zeros; none for zero).
    fn of(mut v: u128) -> Digits {
        let mut rev = [0u8; 40];
        let mut len = 0;
        while v > 0 && len < rev.len() {
            // `v % 10` is below 10: the cast is exact.
            rev[len] = b'0' + (v % 10) as u8;
            v /= 10;
            len += 1;
        }
        let zeros = rev[..len].iter().take_while(|&&d| d == b'0').count();
        let mut digits = Digits { buf: [0; 20], len: 0 };
        for &d in rev[zeros..len].iter().rev().take(20) {
            digits.buf[digits.len] = d;
            digits.len += 1;
        }
        digits
    }
}

/// The ECMAScript digits `s` of a positive finite double and `n`, the position of the
/// decimal point: `x` reads back from `0.s × 10^n`.
fn shortest_digits(x: f64) -> (Digits, i32) {
    // Rust gives the shortest digits that read back to `x`, nearest to it, in the
    // form `d[.ddd]e[-]N` (at most 17 digits, a 4-digit exponent).
    let mut sci = Sci::default();
    let _ = fmt::Write::write_fmt(&mut sci, format_args!("{x:e}"));
    let (rust, n) = sci.digits_and_point();
    let mut digits = Digits { buf: [0; 20], len: 0 };
    for &d in rust.iter().take(20) {
        digits.buf[digits.len] = d;
        digits.len += 1;
    }
    // On an exact tie between two shortest candidates Rust rounds up; ECMAScript takes
    // the even one (ECMA-262 §7.1.12.1, note 2).
    match tie_to_even(x, &digits, n) {
        Some(even) => even,
        None => (digits, n),
    }
}

/// When `x` lies exactly halfway between two `k`-digit decimals, `s` and its other
/// neighbour, and both read back to `x`, the even one; `None` when there is no tie or
/// `s` is already the answer.
fn tie_to_even(x: f64, s: &Digits, n: i32) -> Option<(Digits, i32)> {
    // x = m × 2^e exactly, with m odd.
    let bits = x.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).ok()?;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let z = m.trailing_zeros();
    m >>= z;
    e += i32::try_from(z).ok()?;
    // An integer below 2^53 is written exactly; one above is even: no tie either way.
    if e >= 0 {
        return None;
    }
    // x = m × 5^p / 10^p: its exact decimal digits are those of m × 5^p, which ends in
    // 5. A tie needs exactly k + 1 of them (at most 18), so 5^p < 10^18, p ≤ 25.
    let p = e.unsigned_abs();
    if p > 25 {
        return None;
    }
    let exact = u128::from(m) * 5u128.pow(p);
    let k = s.len;
    if exact < 10u128.pow(u32::try_from(k).ok()?) || exact >= 10u128.pow(u32::try_from(k + 1).ok()?) {
        return None;
    }
    let floor = exact / 10;
    let even = if floor % 2 == 0 { floor } else { floor + 1 };
    if even == s.value() {
        return None;
    }
    // The even neighbour is the answer if it reads back to `x` (it may not, just
    // below a power of two, where the gap to the next lower double is half as wide).
    let k = i32::try_from(k).ok()?;
    let text = format!("{even}e{}", n - k);
    if text.parse::<f64>().ok()? != x {
        return None;
    }
    let digits = Digits::of(even);
    // `even` may have carried to k + 1 digits (…999 + 1); trailing zeros were dropped
    // from `digits`, which moves no point.
    let carried = i32::from(even >= 10u128.pow(u32::try_from(k).ok()?));
    Some((digits, n + carried))
}

/// Writes `v`'s decimal digits.
pub(crate) fn write_decimal(mut v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        // `v % 10` is below 10: the cast is exact.
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Rust's `{:e}` text of a positive finite double, kept on the stack.
struct Sci {
    buf: [u8; 40],
    len: usize,
}

impl Default for Sci {
    fn default() -> Self {
        Sci { buf: [0; 40], len: 0 }
    }
}

impl fmt::Write for Sci {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Sci {
    /// The significant digits (no point, no leading or trailing zeros) and `n`, the
    /// position of the decimal point relative to them: the value is `0.digits × 10^n`.
    fn digits_and_point(&mut self) -> (&[u8], i32) {
        let text = &mut self.buf[..self.len];
        let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
        let (mantissa, exponent) = text.split_at_mut(e_at);
        let mut exp: i32 = 0;
        let mut negative = false;
        for &b in exponent.iter().skip(1) {
            match b {
                b'-' => negative = true,
                b'0'..=b'9' => exp = exp.saturating_mul(10).saturating_add(i32::from(b - b'0')),
                _ => {}
            }
        }
        if negative {
            exp = -exp;
        }
        // Drop the point: `d.ddd` → `dddd`, compacting in place.
        let mut len = 0;
        for i in 0..mantissa.len() {
            if mantissa[i].is_ascii_digit() {
                mantissa.swap(len, i);
                len += 1;
            }
        }
        let mut digits = &mantissa[..len];
        // `{:e}` writes one digit before the point, never zero for a non-zero value,
        // and no trailing zeros; trimming keeps this total whatever it writes.
        let mut n = exp + 1;
        while let [b'0', rest @ ..] = digits {
            digits = rest;
            n -= 1;
        }
        while let [rest @ .., b'0'] = digits {
            digits = rest;
        }
        (digits, n)
    }
}

/// A failure on its way out of the recursion, collecting its path in reverse.
struct Failure {
    path: Vec<Segment>,
    kind: FailureKind,
}

enum Segment {
    Key(String),
    Index(usize),
}

enum FailureKind {
    InexactInteger(i128),
    NonFinite(String),
}

impl Failure {
    fn at(mut self, segment: Segment) -> Failure {
        self.path.push(segment);
        self
    }

    fn into_error(self) -> JcsError {
        let mut path = String::from("$");
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Key(key) if is_identifier(key) => {
                    path.push('.');
                    path.push_str(key);
                }
                Segment::Key(key) => {
                    let mut quoted = Vec::new();
                    write_string(key, &mut quoted);
                    path.push('[');
                    path.push_str(&String::from_utf8_lossy(&quoted));
                    path.push(']');
                }
                Segment::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        match self.kind {
            FailureKind::InexactInteger(value) => JcsError::InexactInteger { path, value },
            FailureKind::NonFinite(text) => JcsError::NonFinite { path, text },
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), Failure> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_json_number(n, out)?,
        Value::String(s) => write_string(s, out),
        Value::Array(xs) => {
            out.push(b'[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(x, out).map_err(|f| f.at(Segment::Index(i)))?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, out)?,
    }
    Ok(())
}

fn write_json_number(n: &Number, out: &mut Vec<u8>) -> Result<(), Failure> {
    let fail = |kind| Failure { path: Vec::new(), kind };
    // ECMAScript writes an integer below 2^53 as its decimal digits. A larger one is
    // written only when that is also how ECMAScript writes its double, so that the
    // canonical text reads back, as an integer or as a double, to a number whose
    // canonical text it is (10^16 qualifies; 2^63 = 9223372036854775808 does not, its
    // double being written 9223372036854776000).
    if let Some(u) = n.as_u64() {
        if u < 1 << 53 {
            write_decimal(u, out);
        } else if !write_if_canonical(u as f64, u128::from(u), false, out) {
            return Err(fail(FailureKind::InexactInteger(i128::from(u))));
        }
    } else if let Some(i) = n.as_i64() {
        let magnitude = i.unsigned_abs();
        if magnitude < 1 << 53 {
            if i < 0 {
                out.push(b'-');
            }
            write_decimal(magnitude, out);
        } else if !write_if_canonical(i as f64, u128::from(magnitude), i < 0, out) {
            return Err(fail(FailureKind::InexactInteger(i128::from(i))));
        }
    } else {
        match n.as_f64() {
            Some(x) if x.is_finite() => write_number(x, out),
            _ => return Err(fail(FailureKind::NonFinite(n.to_string()))),
        }
    }
    Ok(())
}

/// Writes `x`, the double nearest to the integer `sign·magnitude`, when its canonical
/// text is that integer's decimal digits; otherwise writes nothing and returns false.
fn write_if_canonical(x: f64, magnitude: u128, negative: bool, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    write_number(x, out);
    let digits = &out[start + usize::from(negative)..];
    let same = digits == magnitude.to_string().as_bytes();
    if !same {
        out.truncate(start);
    }
    same
}

/// True when a double holds `v` exactly: its binary digits, from the highest set bit
/// to the lowest, fit in a double's 53-bit significand.
#[cfg(test)]
fn exact_in_double(v: u64) -> bool {
    v == 0 || 64 - v.leading_zeros() - v.trailing_zeros() <= 53
}

fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>) -> Result<(), Failure> {
    out.push(b'{');
    // UTF-8 byte order and UTF-16 code unit order agree unless a key holds a character
    // above U+FFFF (a 4-byte UTF-8 sequence, lead byte 0xF0–0xF4). serde_json's default
    // map already iterates in byte order; when no key has such a character and the
    // keys come in increasing byte order, they are already in canonical order.
    let in_order = map.keys().all(|k| !k.bytes().any(|b| b >= 0xF0))
        && map
            .keys()
            .zip(map.keys().skip(1))
            .all(|(a, b)| a.as_bytes() < b.as_bytes());
    let write_member = |i: usize, key: &String, value: &Value, out: &mut Vec<u8>| {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_value(value, out).map_err(|f| f.at(Segment::Key(key.clone())))
    };
    if in_order {
        for (i, (key, value)) in map.iter().enumerate() {
            write_member(i, key, value, out)?;
        }
    } else {
        let mut members: Vec<(&String, &Value)> = map.iter().collect();
        members.sort_unstable_by(|a, b| cmp_utf16(a.0, b.0));
        for (i, (key, value)) in members.into_iter().enumerate() {
            write_member(i, key, value, out)?;
        }
    }
    out.push(b'}');
    Ok(())
}

/// Compares two strings as sequences of UTF-16 code units, the order of JCS object
/// keys (RFC 8785 §3.2.3).
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `s` as a JSON string, escaped per RFC 8785 §3.2.2.2 (the escapes
/// `serde_json` writes too, which format 1 records used).
pub(crate) fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape: one pass the compiler vectorizes finds out, and the
    // string is copied whole.
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Only ASCII is escaped, and no byte of a multi-byte UTF-8 sequence is ASCII,
        // so the runs between escapes are copied whole.
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(x: f64) -> String {
        let mut out = Vec::new();
        write_number(x, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    // The RFC's own input, 333333333.33333329, is written with more digits than a double holds.
    #[allow(clippy::excessive_precision)]
    fn number_layout_follows_ecmascript() {
        for (x, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (123.456, "123.456"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (0.000001, "0.000001"),
            (0.0000015, "0.0000015"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "10000000000000000"),
            (9007199254740992.0, "9007199254740992"),
            (333333333.33333329, "333333333.3333333"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(num(x), text, "{x:e}");
        }
    }

    #[test]
    fn exactness_of_integers() {
        assert!(exact_in_double(0));
        assert!(exact_in_double(1 << 53));
        assert!(!exact_in_double((1 << 53) + 1));
        assert!(!exact_in_double((1 << 54) + 2));
        assert!(exact_in_double((1 << 54) + 4));
        assert!(!exact_in_double(u64::MAX));
        assert!(exact_in_double(1 << 63));
        assert!(!exact_in_double(i64::MAX.unsigned_abs()));
        assert!(exact_in_double(i64::MIN.unsigned_abs()));
    }

    #[test]
    fn paths_name_the_integer() {
        let v = json!({"a": [0, 1, 2, {"b": 9007199254740993u64}]});
        let err = to_jcs_string(&v).unwrap_err();
        assert_eq!(
            err,
            JcsError::InexactInteger {
                path: "$.a[3].b".into(),
                value: 9007199254740993
            }
        );
        let message = err.to_string();
        assert!(message.contains("9007199254740993 at $.a[3].b"), "{message}");
        assert!(message.contains("is written 9007199254740992"), "{message}");
        let text = err.text();
        assert_eq!(text.en, message);
        assert!(text.zh.contains("位置 $.a[3].b 的整数 9007199254740993"), "{}", text.zh);
        assert!(text.zh.contains("写作 9007199254740992"), "{}", text.zh);
        let v = json!({"x y": {"é": [-9223372036854775807i64]}});
        assert_eq!(
            to_jcs_string(&v).unwrap_err(),
            JcsError::InexactInteger {
                path: r#"$["x y"]["é"][0]"#.into(),
                value: -9223372036854775807
            }
        );
        assert_eq!(
            to_jcs_string(&json!(u64::MAX)).unwrap_err(),
            JcsError::InexactInteger {
                path: "$".into(),
                value: i128::from(u64::MAX)
            }
        );
    }

    #[test]
    fn error_leaves_the_buffer_as_it_was() {
        let mut out = b"prefix".to_vec();
        assert!(write_jcs(&json!([1, 2, {"a": u64::MAX}]), &mut out).is_err());
        assert_eq!(out, b"prefix");
    }
}
