//! A payload as JSON (`regula do --json FILE`, the payload of a record or a request):
//! the first line names an action, the rest is the payload's JSON. A payload the
//! action's fields accept and its action reads is written back by the action to a
//! payload that the fields accept too and that reads back to the same action payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::Action as _;
use regula_standards::lifecycle::StandardAction;
use regula_standards::schema::fields::unknown_paths;
use regula_standards::schema::payload::check;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (action, json) = text.split_once('\n').unwrap_or((text, "null"));
    let Ok(payload) = serde_json::from_str::<Value>(json) else {
        return;
    };
    let fields = regula_fuzz::fields_of(action);
    let checked = check(&payload, fields, action);
    if checked.is_ok() {
        assert!(unknown_paths(fields, &payload).is_empty());
    }
    let Ok(built) = StandardAction::from_parts(action, &payload) else {
        return;
    };
    assert_eq!(built.name(), action);
    let written = built.payload().expect("an action's payload serializes");
    let rebuilt = StandardAction::from_parts(action, &written).expect("an action's own payload reads back");
    assert_eq!(rebuilt.payload().expect("serializes"), written);
    if checked.is_ok() {
        check(&written, fields, action).expect("the action's own payload passes the check");
    }
});
