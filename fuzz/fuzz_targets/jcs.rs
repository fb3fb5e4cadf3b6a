//! RFC 8785 canonical JSON (a format 2 record's payload): any JSON value that encodes
//! encodes to JSON that reads back to a value with the same encoding (idempotent), the
//! payload's canonical value (`canonical_payload`) is a fixed point, and the format 1
//! canonical JSON of the value read back is stable too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::jcs::{check_numbers, to_jcs_string, write_jcs};
use regula_core::record::{canonical_json, canonical_payload};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = canonical_json(&value);
    let checked = check_numbers(&value);
    let Ok(text) = to_jcs_string(&value) else {
        assert!(checked.is_err(), "check_numbers passed a value RFC 8785 cannot encode");
        return;
    };
    assert!(checked.is_ok(), "check_numbers refused a value RFC 8785 encodes");
    let mut bytes = Vec::new();
    write_jcs(&value, &mut bytes).expect("encodes as the string did");
    assert_eq!(bytes, text.as_bytes());
    let back: Value = serde_json::from_str(&text).expect("RFC 8785 output is JSON");
    assert_eq!(to_jcs_string(&back).expect("its own output encodes"), text);
    let canonical = canonical_payload(value).expect("checked above");
    assert_eq!(to_jcs_string(&canonical).expect("a canonical payload encodes"), text);
    assert_eq!(canonical_payload(canonical.clone()).expect("encodes"), canonical);
    assert_eq!(canonical_json(&canonical), canonical_json(&back));
});
