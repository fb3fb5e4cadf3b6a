//! What the fuzz targets share: the keys they sign and verify with, and the fields of
//! each action's payload, computed once (a payload schema is derived anew on every
//! call of `action_fields`, which would leave the fuzzer a few hundred runs a second).

use std::collections::HashMap;
use std::sync::OnceLock;

use regula_proof::SigningKey;
use regula_standards::schema::fields::{Field, action_fields};

/// The fields of `action`'s payload (none for an unknown action), as `regula do` and
/// the service take them.
pub fn fields_of(action: &str) -> &'static [Field] {
    static FIELDS: OnceLock<HashMap<String, Vec<Field>>> = OnceLock::new();
    let all = FIELDS.get_or_init(|| {
        let names = regula_standards::schema::action_schemas()
            .into_iter()
            .map(|(name, _)| name)
            .chain(
                regula_standards::schema::rules_action_schemas()
                    .into_iter()
                    .map(|(name, _)| name),
            );
        names
            .filter_map(|name| action_fields(&name).map(|fields| (name.clone(), fields)))
            .collect()
    });
    all.get(action).map_or(&[], Vec::as_slice)
}

/// The fuzz targets' own signing key (a fixed seed: its signatures are reproducible).
pub fn fuzz_key() -> SigningKey {
    SigningKey::from_seed("fuzz-court", &[0x5e; 32]).expect("a valid key name")
}
