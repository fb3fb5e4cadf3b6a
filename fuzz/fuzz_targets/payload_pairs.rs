//! `regula do CODE ACTION KEY=VALUE…` and `--json FILE`: the first line of the input
//! names an action (any of the court's, or any text), each further line is one
//! `KEY=VALUE` argument. A payload the fields accept passes their own check, reads
//! again from the same arguments to the same value, and, read as the JSON file would
//! be from its own text, is accepted by the check of that path too; an action built
//! from it gives back a payload the check accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::Action as _;
use regula_standards::lifecycle::StandardAction;
use regula_standards::schema::payload::{check, from_pairs};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let action = lines.next().unwrap_or_default();
    let pairs: Vec<String> = lines.map(str::to_owned).collect();
    let fields = regula_fuzz::fields_of(action);
    let Ok(payload) = from_pairs(&pairs, fields, action) else {
        return;
    };
    check(&payload, fields, action).expect("a payload built from the fields passes their check");
    assert_eq!(from_pairs(&pairs, fields, action).ok(), Some(payload.clone()));
    let json = serde_json::to_string(&payload).expect("a JSON value serializes");
    let read: Value = serde_json::from_str(&json).expect("its own JSON reads");
    check(&read, fields, action).expect("the same payload as a JSON file passes too");
    if let Ok(built) = StandardAction::from_parts(action, &payload) {
        let written = built.payload().expect("an action's payload serializes");
        check(&written, fields, action).expect("an action's own payload passes the check");
        let rebuilt = StandardAction::from_parts(action, &written).expect("an action's own payload reads back");
        assert_eq!(rebuilt.payload().expect("serializes"), written);
    }
});
