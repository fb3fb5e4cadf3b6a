//! Key files (`regula key generate`, `--key PUB`, `--sign KEY`): the first line of the
//! input is read as a verifier key, the rest as a secret key, as their files are. A key
//! that parses is written back byte for byte and parses to the same key; a secret key's
//! public half is a verifier key that reads back equal, and it verifies what the secret
//! key signs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::checkpoint::{Checkpoint, CheckpointNote};
use regula_core::record::Digest;
use regula_core::store::TreeHead;
use regula_proof::{CheckpointSigning as _, SigningKey, VerifierKey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (public, secret) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(key) = VerifierKey::parse(public) {
        assert_eq!(key.to_string(), public);
        assert_eq!(VerifierKey::parse(&key.to_string()).expect("its own text"), key);
        assert_eq!(public.parse::<VerifierKey>().expect("FromStr reads it too"), key);
    }
    let secret = secret.strip_suffix('\n').unwrap_or(secret);
    if let Ok(key) = SigningKey::from_secret_text(secret) {
        assert_eq!(key.to_secret_text().as_str(), secret);
        let again = SigningKey::from_secret_text(&key.to_secret_text()).expect("its own text");
        assert_eq!(again.public(), key.public());
        let verifier = VerifierKey::parse(&key.public().to_string()).expect("its public half");
        assert_eq!(verifier, key.public());
        let head = TreeHead {
            size: 1,
            root: Digest::of(b"fuzz"),
        };
        let time = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a valid time");
        let mut note = CheckpointNote::unsigned(&Checkpoint::new(head, time));
        note.cosign(&key).expect("an unsigned note takes a signature");
        note.verify(&verifier).expect("the public half verifies the signature");
    }
});
