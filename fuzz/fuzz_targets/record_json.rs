//! Audit records as JSON Lines (`regula export`, a store's `record` column, a proof
//! bundle's record): a record that decodes is written back byte for byte, decodes
//! again to the same record, and its canonical bytes (the hash's input) and hash do
//! not depend on which of the two copies they are computed from; its payload's text is
//! what its value encodes to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::{AuditRecord, Digest, Payload};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(records) = AuditRecord::read_jsonl(text) else {
        return;
    };
    if records.is_empty() {
        return;
    }
    // The log is kept in one form: what was read is what is written.
    let written = AuditRecord::write_jsonl(&records);
    assert_eq!(
        written.strip_suffix('\n'),
        Some(text.strip_suffix('\n').unwrap_or(text))
    );
    for record in &records {
        let line = record.to_json();
        let again = AuditRecord::from_json(&line).expect("a record's own JSON reads back");
        assert_eq!(&again, record);
        // The payload's text is its value's one form in the record's format.
        assert_eq!(
            Payload::encode(record.format, &record.payload.to_value()),
            record.payload
        );
        let bytes = record.canonical_bytes();
        assert_eq!(bytes, again.canonical_bytes());
        assert_eq!(record.compute_hash(), Digest::of(&bytes));
        let mut appended = vec![0xA5];
        record.write_canonical(&mut appended);
        assert_eq!(&appended[1..], &bytes[..]);
    }
});
