//! RFC 8785 (JCS): the reference vectors, 4,000+ number vectors whose text an
//! ECMAScript engine produced, properties of number formatting and canonicalization,
//! and the independent Python checker (`scripts/check_vectors.py`).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use regula_core::jcs::{JcsError, cmp_utf16, to_jcs_string, write_jcs, write_number};
use serde_json::{Map, Value, json};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn num(x: f64) -> String {
    let mut out = Vec::new();
    write_number(x, &mut out);
    String::from_utf8(out).unwrap()
}

fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

#[test]
fn rfc8785_reference_vectors() {
    let dir = vectors().join("rfc8785");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("input")).unwrap() {
        let input = entry.unwrap().path();
        let name = input.file_name().unwrap().to_owned();
        let value: Value = serde_json::from_slice(&std::fs::read(&input).unwrap()).unwrap();
        let mut ours = Vec::new();
        write_jcs(&value, &mut ours).unwrap();
        let expected = std::fs::read(dir.join("output").join(&name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&expected),
            "{}",
            input.display()
        );
        assert_eq!(ours, expected, "{}", input.display());
        let hex = dir.join("outhex").join(Path::new(&name).with_extension("txt"));
        if hex.exists() {
            assert_eq!(
                ours,
                unhex(&std::fs::read_to_string(&hex).unwrap()),
                "{}",
                hex.display()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 6, "every reference vector was found");
}

#[test]
fn number_vectors_from_an_ecmascript_engine() {
    let text = std::fs::read_to_string(vectors().join("numbers.txt")).unwrap();
    let mut checked = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (bits, expected) = line.split_once(' ').unwrap();
        let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        assert_eq!(num(x), expected, "numbers.txt line {}: bits {bits}", i + 1);
        // The expected text reads back to the same double (zero's sign aside).
        let back: f64 = expected.parse().unwrap();
        assert!(back == x, "numbers.txt line {}: {expected} does not read back", i + 1);
        checked += 1;
    }
    assert!(checked >= 2000, "only {checked} number vectors");
}

/// Without serde_json's `float_roundtrip`, this decimal parsed to a neighbour of
/// its double, and its canonical text was another number.
#[test]
fn decimals_parse_exactly_and_write_back_unchanged() {
    for text in [
        "0.09144338512092887",
        "2.225073858507201e-308",
        "2.9802322387695312e-8",
        "0.3",
        "1.7976931348623157e+308",
        "5e-324",
        "123456789.12345679",
    ] {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(to_jcs_string(&value).unwrap(), text.to_owned(), "{text}");
        assert_eq!(value.as_f64().unwrap(), text.parse::<f64>().unwrap(), "{text}");
    }
}

#[test]
fn integers_are_written_as_their_doubles() {
    for (value, text) in [
        (json!(0), "0"),
        (json!(-1), "-1"),
        (json!(9007199254740991u64), "9007199254740991"),
        (json!(9007199254740992u64), "9007199254740992"),
        (json!(-9007199254740992i64), "-9007199254740992"),
        // Beyond 2^53, an integer whose double ECMAScript writes with its own digits.
        (json!(10000000000000000u64), "10000000000000000"),
        (json!(18014398509481988u64), "18014398509481988"),
        (json!(9223372036854776000u64), "9223372036854776000"),
    ] {
        assert_eq!(to_jcs_string(&value).unwrap(), text, "{value}");
    }
    // Beyond u64 a number is a float; from 1e21 on it takes the exponent form.
    assert_eq!(to_jcs_string(&json!(1e21)).unwrap(), "1e+21");
    assert_eq!(to_jcs_string(&json!(1e20)).unwrap(), "100000000000000000000");
}

#[test]
fn integers_no_double_holds_are_refused_with_their_path() {
    for (value, path, n) in [
        (
            json!({"a": [0, 1, 2, {"b": 9007199254740993u64}]}),
            "$.a[3].b",
            9007199254740993i128,
        ),
        (json!([u64::MAX]), "$[0]", i128::from(u64::MAX)),
        (json!({"x": i64::MAX}), "$.x", i128::from(i64::MAX)),
        (json!({"k-1": -9007199254740993i64}), r#"$["k-1"]"#, -9007199254740993),
        // A double holds these exactly, but ECMAScript writes it with other digits
        // (shortest digits, then zeros): the text would read back as another integer.
        (json!(1u64 << 63), "$", 1i128 << 63),
        (json!(i64::MIN), "$", i128::from(i64::MIN)),
        (json!(1u64 << 60), "$", 1i128 << 60),
    ] {
        match to_jcs_string(&value) {
            Err(JcsError::InexactInteger { path: p, value: v }) => {
                assert_eq!((p.as_str(), v), (path, n));
            }
            other => panic!("{value}: {other:?}"),
        }
    }
}

#[test]
fn keys_sort_by_utf16_code_units_not_utf8_bytes() {
    // U+10000 is D800 DC00 in UTF-16, below U+E000 and U+FFFF; in UTF-8 (F0 90 80 80)
    // it is above both (EE 80 80, EF BF BF).
    let value = json!({"\u{ffff}": 3, "\u{10000}": 1, "\u{e000}": 2, "a": 0, "\u{1f602}": 1.5});
    assert_eq!(
        to_jcs_string(&value).unwrap(),
        "{\"a\":0,\"\u{10000}\":1,\"\u{1f602}\":1.5,\"\u{e000}\":2,\"\u{ffff}\":3}"
    );
}

#[test]
fn strings_escape_exactly_what_rfc8785_escapes() {
    let s: String = (0u32..0x20).filter_map(char::from_u32).collect::<String>() + "\"\\/\u{7f}\u{2028}\u{2029}é😂";
    assert_eq!(
        to_jcs_string(&Value::String(s)).unwrap(),
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
         \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\
         \\u001e\\u001f\\\"\\\\/\u{7f}\u{2028}\u{2029}é😂\""
    );
}

// ---------- number formatting: properties ----------

/// The exact decimal expansion of a positive finite double: its significant digits
/// (no leading zero) and `n` such that the value is `0.digits × 10^n`.
fn exact_decimal(x: f64) -> (Vec<u8>, i32) {
    // A double's exact expansion has at most 767 significant digits.
    let text = format!("{x:.800e}");
    let (mantissa, exp) = text.split_once('e').unwrap();
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    while digits.last() == Some(&0) {
        digits.pop();
    }
    (digits, exp.parse::<i32>().unwrap() + 1)
}

/// The decimal `0.digits × 10^n` as text Rust can parse.
fn decimal_text(digits: &[u8], n: i32) -> String {
    let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    format!("0.{s}e{n}")
}

/// The two `k`-digit decimals around the exact value: truncated and rounded up.
fn neighbours(exact: &(Vec<u8>, i32), k: usize) -> [(Vec<u8>, i32); 2] {
    let (digits, n) = exact;
    let mut floor: Vec<u8> = digits.iter().copied().take(k).collect();
    floor.resize(k, 0);
    let mut ceil = floor.clone();
    let mut n_ceil = *n;
    if digits.len() > k {
        let mut i = k;
        loop {
            if i == 0 {
                ceil.insert(0, 1);
                ceil.truncate(k);
                n_ceil += 1;
                break;
            }
            i -= 1;
            if ceil[i] == 9 {
                ceil[i] = 0;
            } else {
                ceil[i] += 1;
                break;
            }
        }
    }
    [(floor, *n), (ceil, n_ceil)]
}

/// Significant digits of an ECMAScript number text, and its point position.
fn es_digits(text: &str) -> (Vec<u8>, i32) {
    let text = text.trim_start_matches('-');
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i32 = exp.parse().unwrap();
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let leading = all.iter().take_while(|&&d| d == 0).count();
    let mut digits = all[leading..].to_vec();
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let n = i32::try_from(int.len()).unwrap() - i32::try_from(leading).unwrap() + exp;
    (digits, n)
}

fn reads_back(candidate: &(Vec<u8>, i32), x: f64) -> bool {
    decimal_text(&candidate.0, candidate.1).parse::<f64>().unwrap() == x
}

/// Checks `write_number(x)` against ECMA-262 from first principles: it reads back,
/// no shorter digit string reads back, and among strings of its length that read
/// back it is the nearest to the exact value (even on a tie).
fn check_number(x: f64) {
    let text = num(x);
    let back: f64 = text.parse().unwrap();
    assert!(back == x, "{x:e}: {text} reads back as {back:e}");
    if x == 0.0 {
        assert_eq!(text, "0");
        return;
    }
    let ours = es_digits(&text);
    let k = ours.0.len();
    let exact = exact_decimal(x.abs());
    if k > 1 {
        for shorter in neighbours(&exact, k - 1) {
            assert!(!reads_back(&shorter, x.abs()), "{x:e}: {text} is not shortest");
        }
    }
    let [floor, ceil] = neighbours(&exact, k);
    let candidates: Vec<_> = [floor.clone(), ceil.clone()]
        .into_iter()
        .filter(|c| reads_back(c, x.abs()))
        .collect();
    assert!(candidates.contains(&ours), "{x:e}: {text} is not next to the value");
    if candidates.len() == 2 && floor != ceil {
        // Distance to floor is the rest of the exact digits as a fraction of a unit
        // in the k-th place; compare it with one half.
        let rest = &exact.0[k.min(exact.0.len())..];
        let nearest = match rest.first() {
            Some(&d) if d > 5 || (d == 5 && rest.len() > 1) => &ceil,
            Some(&5) => {
                if floor.0[k - 1] % 2 == 0 {
                    &floor
                } else {
                    &ceil
                }
            }
            _ => &floor,
        };
        assert_eq!(&ours, nearest, "{x:e}: {text} is not the nearest");
    }
    // The layout: integer form exactly for 1 ≤ … < 1e21, plain decimals down to 1e-6.
    let n = ours.1;
    let exponent_form = text.contains('e');
    assert_eq!(exponent_form, !(-6 < n && n <= 21), "{x:e}: {text} layout");
    assert!(!text.contains('+') || text.contains("e+"), "{text}");
}

#[test]
fn number_checker_agrees_on_known_cases() {
    for x in [
        1.0,
        0.1,
        0.1 + 0.2,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e21,
        1e-7,
        2f64.powi(-1022),
        2f64.powi(1023),
        9007199254740993.0,
        123456789012345680000.0,
        2f64.powi(-25),
    ] {
        check_number(x);
        check_number(-x);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_finite_double_is_written_as_ecmascript_writes_it(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assume!(x.is_finite());
        check_number(x);
        // The digit count is that of Rust's shortest round-trip form.
        let sci = format!("{:e}", x.abs());
        let rust_digits = sci.split('e').next().unwrap().bytes().filter(u8::is_ascii_digit).count();
        if x != 0.0 {
            prop_assert_eq!(es_digits(&num(x)).0.len(), rust_digits);
        }
    }

    #[test]
    fn doubles_with_short_binary_forms_are_written_as_ecmascript_writes_them(
        m in 1u64..(1 << 12),
        e in -1074i32..1000,
    ) {
        // m × 2^e has a short exact decimal expansion: where ties between two
        // shortest candidates happen (2^-25 is …695312e-8, not …695313e-8).
        let x = m as f64 * 2f64.powi(e);
        prop_assume!(x.is_finite() && x != 0.0);
        check_number(x);
    }

    #[test]
    fn doubles_of_every_form_are_written_as_ecmascript_writes_them(
        mantissa in 1u64..100_000_000,
        exp in -30i32..30,
    ) {
        // Short decimals around the layout boundaries (1e21, 1e-7).
        let x: f64 = format!("{mantissa}e{exp}").parse().unwrap();
        check_number(x);
    }
}

// ---------- canonicalization: properties ----------

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,4}",
        ".{0,6}",
        prop::collection::vec(
            prop_oneof![
                Just('\u{0}'),
                Just('\u{1f}'),
                Just('"'),
                Just('\\'),
                Just('\u{7f}'),
                Just('\u{e000}'),
                Just('\u{ffff}'),
                Just('\u{10000}'),
                Just('\u{1f602}'),
                Just('a'),
                Just('\u{2028}'),
            ],
            0..5
        )
        .prop_map(|cs| cs.into_iter().collect()),
    ]
}

fn arb_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(Value::Number),
        (-(1i64 << 53)..=(1i64 << 53)).prop_map(Value::from),
        (0u32..54).prop_map(|s| Value::from(1u64 << s)),
        (-1000.0f64..1000.0).prop_map(Value::from),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number(),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_string(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `value` with every number replaced by its double, as a JCS reader holds it.
fn as_doubles(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        Value::Array(xs) => Value::Array(xs.into_iter().map(as_doubles).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_doubles(v))).collect()),
        other => other,
    }
}

/// The one place where canonical text does not read back through serde_json as it
/// was: JCS writes the double 2^63 as ECMAScript does, `9223372036854776000`, and
/// serde_json reads that as an integer no double holds exactly, which is refused.
/// Read as JCS reads numbers (as doubles), it is the same number. A payload kept as
/// serde_json writes it (exact integer digits) is not affected; JCS text re-read with
/// serde_json is, for doubles above 2^53 whose text is not their exact value.
#[test]
fn canonical_text_of_a_large_double_reads_back_to_the_same_text() {
    // 2^63 as a double is written 9223372036854776000; read back by serde_json that is
    // an integer, whose canonical text is the same (its nearest double is 2^63).
    let text = to_jcs_string(&json!(9223372036854775808.0f64)).unwrap();
    assert_eq!(text, "9223372036854776000");
    let kept: Value = serde_json::from_str(&text).unwrap();
    assert!(kept.is_u64());
    assert_eq!(to_jcs_string(&kept).unwrap(), text);
    assert_eq!(to_jcs_string(&as_doubles(kept)).unwrap(), text);
    // The integer 2^63 itself would be written as the same text: refused.
    assert!(matches!(
        to_jcs_string(&json!(9223372036854775808u64)),
        Err(JcsError::InexactInteger { .. })
    ));
    // 10^16 is its own canonical text.
    assert_eq!(
        to_jcs_string(&json!(10000000000000000u64)).unwrap(),
        "10000000000000000"
    );
}

/// A second, naive writer of the object order: collect every key's UTF-16 units and
/// sort those.
fn naive_key_order(map: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<(Vec<u16>, String)> = map.keys().map(|k| (k.encode_utf16().collect(), k.clone())).collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn canonical_text_reads_back_to_the_same_canonical_text(value in arb_json()) {
        let first = to_jcs_string(&value).unwrap();
        // Read back as JCS reads numbers (every number a double) ...
        let back = as_doubles(serde_json::from_str(&first).unwrap());
        prop_assert_eq!(as_doubles(value.clone()), back.clone());
        prop_assert_eq!(to_jcs_string(&back).unwrap(), first.clone());
        // ... or as serde_json reads them (integers kept as integers): the same text,
        // always (see `canonical_text_of_a_large_double_reads_back_to_the_same_text`).
        let kept: Value = serde_json::from_str(&first).unwrap();
        prop_assert_eq!(to_jcs_string(&kept).unwrap(), first);
    }

    #[test]
    fn object_members_come_in_utf16_key_order(keys in prop::collection::vec(arb_string(), 0..8)) {
        let map: Map<String, Value> = keys.iter().enumerate().map(|(i, k)| (k.clone(), Value::from(i))).collect();
        let expected: String = {
            let members: Vec<String> = naive_key_order(&map)
                .into_iter()
                .map(|k| format!("{}:{}", serde_json::to_string(&k).unwrap(), map[&k]))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        prop_assert_eq!(to_jcs_string(&Value::Object(map.clone())).unwrap(), expected);
        for pair in naive_key_order(&map).windows(2) {
            prop_assert!(cmp_utf16(&pair[0], &pair[1]).is_lt());
        }
    }

    #[test]
    fn an_integer_is_refused_exactly_when_its_text_is_not_canonical(
        v in prop_oneof![any::<u64>(), 0u64..1 << 54, (0u32..64).prop_map(|s| 1u64 << s)],
        negative in any::<bool>(),
    ) {
        let negative = negative && v <= i64::MAX.unsigned_abs();
        let value = if negative { Value::from(-(v as i64)) } else { Value::from(v) };
        let digits = if negative { format!("-{v}") } else { v.to_string() };
        // Accepted exactly when ECMAScript writes the nearest double with the
        // integer's own digits: then the text reads back to the same integer.
        let canonical = num(value.as_f64().unwrap()) == digits;
        match to_jcs_string(&value) {
            Ok(text) => {
                prop_assert!(canonical, "{} was written as {}", v, text);
                prop_assert_eq!(&text, &digits);
                let back: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(back, value);
            }
            Err(JcsError::InexactInteger { path, .. }) => {
                prop_assert!(!canonical, "{} was refused", v);
                prop_assert_eq!(path, "$");
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}

// ---------- the independent checker ----------

/// Runs `scripts/check_vectors.py` (Python 3, standard library only): its own JCS,
/// number formatting and record encoder, over the same vectors, plus its self-test.
#[test]
fn independent_python_checker_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for args in [
        &["scripts/check_vectors.py", "--self-test"][..],
        &["scripts/check_vectors.py"][..],
    ] {
        let output = match std::process::Command::new("python3")
            .args(args)
            .current_dir(&root)
            .output()
        {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                println!("note: python3 is not installed; the independent checker was skipped");
                return;
            }
            Err(e) => panic!("running python3: {e}"),
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "python3 {args:?} failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains(" passed, 0 failed"), "python3 {args:?}:\n{stdout}");
    }
}

proptest! {
    /// The check that runs on every recorded payload agrees with writing it out: the
    /// same verdict, the same error (with its path), and it finds every double.
    #[test]
    fn checking_the_numbers_agrees_with_writing_them(
        value in arb_json(),
        big in prop_oneof![any::<u64>(), (0u32..64).prop_map(|s| 1u64 << s)],
    ) {
        for v in [value.clone(), serde_json::json!({"big": big, "rest": value.clone()})] {
            let written = to_jcs_string(&v).map(|_| ());
            let checked = regula_core::jcs::check_numbers(&v);
            prop_assert_eq!(checked.clone().map(|_| ()), written);
            fn has_double(v: &Value) -> bool {
                match v {
                    Value::Number(n) => n.is_f64(),
                    Value::Array(xs) => xs.iter().any(has_double),
                    Value::Object(map) => map.values().any(has_double),
                    _ => false,
                }
            }
            if let Ok(doubles) = checked {
                prop_assert_eq!(doubles, has_double(&v));
            }
        }
    }
}
