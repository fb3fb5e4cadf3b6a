//! Checkpoint files (`regula checkpoint`, `verify --checkpoint`): a note that parses is
//! written back byte for byte and parses to the same note; its body parses on its own
//! to the same checkpoint; a JSON checkpoint of 0.1–0.2 read as a note writes a note
//! that reads back to the same checkpoint; a note signed by the fuzz key verifies
//! after a round trip through its text, and the key's verdict on the input does not
//! change when the input is re-read from its own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::checkpoint::{Checkpoint, CheckpointNote};
use regula_proof::CheckpointSigning as _;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(note) = CheckpointNote::read(text) else { return };
    let written = note.to_text();
    let again = CheckpointNote::parse(&written).expect("a note's own text parses");
    assert_eq!(again.checkpoint(), note.checkpoint());
    assert_eq!(again.signatures(), note.signatures());
    assert_eq!(again.to_text(), written);
    let body = Checkpoint::parse_body(note.body_text()).expect("a note's body parses");
    assert_eq!(&body, note.checkpoint());
    assert_eq!(body.body_text(), note.body_text());
    if note.is_legacy_json() {
        assert!(!note.is_signed());
    } else {
        // A note (not JSON) is kept exactly as it was written.
        assert_eq!(written, text);
        assert_eq!(CheckpointNote::parse(text).expect("read it"), note);
    }
    let key = regula_fuzz::fuzz_key();
    let verifier = key.public();
    assert_eq!(note.verify(&verifier).ok(), again.verify(&verifier).ok());
    // Signed by the fuzz key (unless the note already holds a signature by it, or as
    // many signatures as a note may), it verifies, and still does once re-read.
    let mut signed = again;
    if signed.cosign(&key).is_ok() {
        let text = signed.to_text();
        let reread = CheckpointNote::parse(&text).expect("a signed note's text parses");
        assert_eq!(
            reread.verify(&verifier).expect("its signature verifies"),
            note.checkpoint()
        );
    }
});
