//! Catalogs (`regula init --catalog`, `POST /v1/catalog/import`, a rules log's
//! catalog): a catalog that loads loads again from its own source to an equal catalog,
//! finds no rule or standard change against itself, finds each standard by its code
//! and lists it under its category, and serializes as JSON (`regula catalog --json`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_standards::catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(catalog) = Catalog::from_toml_str(text) else {
        return;
    };
    assert_eq!(catalog.source(), text);
    let again = Catalog::from_toml_str(catalog.source()).expect("it loaded once");
    assert_eq!(again, catalog);
    assert!(catalog.rule_changes(&again).is_empty());
    assert!(catalog.standard_changes(&again).is_empty());
    for entry in catalog.standards() {
        assert_eq!(catalog.standard(&entry.code), Some(entry));
        assert!(catalog.standards_in(&entry.category).any(|e| e.code == entry.code));
    }
    let json = serde_json::to_string(&catalog).expect("a catalog serializes");
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
});
