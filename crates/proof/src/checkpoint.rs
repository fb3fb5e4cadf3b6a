//! Signing checkpoints and verifying their signatures with ed25519.
//!
//! The checkpoint and its text are regula-core's ([`Checkpoint`], [`CheckpointNote`]:
//! one format, signed or not); this module adds what needs cryptography, through
//! [`CheckpointSigning`]. The format is documented, with a worked example, in the crate
//! documentation.

use regula_core::checkpoint::{Checkpoint, CheckpointError, CheckpointNote, NoteSignature};

use crate::keys::{SigningKey, VerifierKey};

/// Signing a [`CheckpointNote`] and checking its signatures (implemented for it; bring
/// the trait into scope to call `CheckpointNote::sign`, `note.verify(&key)`, …).
pub trait CheckpointSigning: Sized {
    /// `checkpoint` signed with `key`.
    fn sign(checkpoint: &Checkpoint, key: &SigningKey) -> Self;

    /// Adds `key`'s signature (a second court, a witness). A key that already signed is
    /// [`CheckpointError::DuplicateSignature`].
    fn cosign(&mut self, key: &SigningKey) -> Result<(), CheckpointError>;

    /// Checks `key`'s signature (with ed25519 `verify_strict`) and returns the
    /// checkpoint it vouches for. Signatures by other keys are ignored; an unsigned note
    /// is [`CheckpointError::Unsigned`].
    fn verify(&self, key: &VerifierKey) -> Result<&Checkpoint, CheckpointError>;

    /// Parses and verifies: [`CheckpointNote::parse`] then
    /// [`verify`](CheckpointSigning::verify).
    fn open(text: &str, key: &VerifierKey) -> Result<Self, CheckpointError>;
}

fn signature_of(body_text: &str, key: &SigningKey) -> NoteSignature {
    NoteSignature {
        name: key.name().to_owned(),
        key_id: key.key_id(),
        signature: key.sign(body_text.as_bytes()).to_vec(),
    }
}

impl CheckpointSigning for CheckpointNote {
    fn sign(checkpoint: &Checkpoint, key: &SigningKey) -> CheckpointNote {
        let mut note = CheckpointNote::unsigned(checkpoint);
        let signature = signature_of(note.body_text(), key);
        // The first signature of a note with none: never a duplicate, never too many,
        // never too long (an origin and a key name hold at most MAX_NAME_LEN bytes).
        let _ = note.add_signature(signature);
        note
    }

    fn cosign(&mut self, key: &SigningKey) -> Result<(), CheckpointError> {
        let signature = signature_of(self.body_text(), key);
        self.add_signature(signature)
    }

    fn verify(&self, key: &VerifierKey) -> Result<&Checkpoint, CheckpointError> {
        let signature = self.signature_by(key.name(), key.key_id())?;
        if !key.verifies(self.body_text().as_bytes(), &signature.signature) {
            return Err(CheckpointError::BadSignature {
                name: key.name().to_owned(),
                key_id: key.key_id(),
            });
        }
        Ok(self.checkpoint())
    }

    fn open(text: &str, key: &VerifierKey) -> Result<CheckpointNote, CheckpointError> {
        let note = CheckpointNote::parse(text)?;
        note.verify(key)?;
        Ok(note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example key and signed note of Go's golang.org/x/mod/sumdb/note tests: ed25519
    // signatures are deterministic, so ours must be byte for byte the same.
    const GO_VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_SECRET: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_SIGNATURE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn signatures_match_go_sumdb_note_byte_for_byte() {
        let secret = SigningKey::from_secret_text(GO_SECRET).unwrap();
        assert_eq!(secret.public().to_string(), GO_VERIFIER);
        let verifier = VerifierKey::parse(GO_VERIFIER).unwrap();
        let signature = NoteSignature {
            name: secret.name().to_owned(),
            key_id: secret.key_id(),
            signature: secret.sign(GO_TEXT.as_bytes()).to_vec(),
        };
        assert_eq!(signature.line(), GO_SIGNATURE);
        let parsed = NoteSignature::parse(GO_SIGNATURE.trim_end_matches('\n'), 1).unwrap();
        assert_eq!(parsed, signature);
        assert!(verifier.verifies(GO_TEXT.as_bytes(), &parsed.signature));
        assert!(!verifier.verifies(
            GO_TEXT.replace("cryptography", "cryptographY").as_bytes(),
            &parsed.signature
        ));
    }
}
