//! Signed checkpoints: a log's origin, size, root and time, as a C2SP `tlog-checkpoint`
//! body inside a C2SP signed note, signed with ed25519.
//!
//! The format is documented, with a worked example, in the crate documentation.

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use regula_core::{Checkpoint, Digest, TreeHead};

use crate::keys::{KeyId, SigningKey, VerifierKey, check_key_name, decode_base64, encode_base64};

/// The start of every signature line: an em dash (U+2014) and a space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The largest signed checkpoint accepted, in bytes.
pub const MAX_CHECKPOINT_LEN: usize = 16 * 1024;

/// The most signature lines accepted on one checkpoint.
pub const MAX_SIGNATURES: usize = 100;

const TIME_PREFIX: &str = "time ";

/// A checkpoint's text is not one this crate writes, or its signature does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Longer than [`MAX_CHECKPOINT_LEN`].
    #[error("the checkpoint is {len} bytes, more than the {MAX_CHECKPOINT_LEN} allowed")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A control character other than a newline (a carriage return, a tab, …).
    #[error("line {line}: control character {found:?} (only newlines may appear)")]
    ControlCharacter {
        /// The line, from 1.
        line: usize,
        /// The character.
        found: char,
    },
    /// No blank line separates the body from the signatures.
    #[error("no blank line separating the checkpoint body from its signatures")]
    NoSignatureBlock,
    /// A blank line but no signature after it.
    #[error("the checkpoint has no signature lines")]
    NoSignatures,
    /// The text does not end with a newline.
    #[error("the checkpoint does not end with a newline")]
    NoFinalNewline,
    /// The body does not have exactly its four lines.
    #[error("the checkpoint body has {found} lines; it has exactly 4: origin, size, root hash, time")]
    BodyLines {
        /// The lines found.
        found: usize,
    },
    /// The origin line is not allowed.
    #[error("invalid origin {origin:?}: {reason}")]
    InvalidOrigin {
        /// The origin.
        origin: String,
        /// Why.
        reason: &'static str,
    },
    /// The size line is not a decimal number without leading zeros that fits 64 bits.
    #[error("line 2: tree size {text:?} is not a decimal number (no sign, no leading zeros, at most 2^64-1)")]
    InvalidSize {
        /// The line.
        text: String,
    },
    /// The root line is not 32 bytes in canonical standard base64.
    #[error("line 3: root hash {text:?} is not 32 bytes in canonical standard base64")]
    InvalidRoot {
        /// The line.
        text: String,
    },
    /// The fourth line is not `time <RFC 3339 UTC>` as this crate writes it.
    #[error(
        "line 4: {text:?} is not `time ` and an RFC 3339 UTC time ending in Z, with 0, 3, 6 or 9 fractional digits"
    )]
    InvalidTime {
        /// The line.
        text: String,
    },
    /// A signature line is not `— <key name> <base64(key id ‖ signature)>`.
    #[error("signature line {line}: {reason}")]
    MalformedSignature {
        /// The signature line, from 1.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// There are more than [`MAX_SIGNATURES`] signature lines.
    #[error("{found} signature lines, more than the {MAX_SIGNATURES} allowed")]
    TooManySignatures {
        /// How many.
        found: usize,
    },
    /// The same key signed twice.
    #[error("key {name}+{key_id} signed the checkpoint more than once")]
    DuplicateSignature {
        /// The key name.
        name: String,
        /// The key id.
        key_id: KeyId,
    },
    /// No signature by the key the checkpoint was verified with.
    #[error("the checkpoint has no signature by key {name}+{key_id} (signed by: {signed_by})")]
    NotSignedByKey {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: KeyId,
        /// The keys that did sign, as `name+id`, comma-separated.
        signed_by: String,
    },
    /// The key's signature does not verify: the body, or the signature, was changed.
    #[error("the signature by key {name}+{key_id} does not verify: the checkpoint was altered or forged")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: KeyId,
    },
}

/// What a checkpoint states: at `time`, the log `origin` held `size` records whose RFC
/// 6962 root was `root`. Not yet signed, or signed but not yet verified: see
/// [`SignedCheckpoint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointBody {
    origin: String,
    size: u64,
    root: Digest,
    time: DateTime<Utc>,
}

/// Checks an origin: non-empty, and without Unicode white space, `+` or control
/// characters (the C2SP checkpoint recommendation, so that the origin can also be a
/// key name).
pub fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    check_key_name(origin).map_err(|e| CheckpointError::InvalidOrigin {
        origin: origin.to_owned(),
        reason: match e {
            crate::keys::KeyError::InvalidName { reason, .. } => reason,
            _ => "not a valid name",
        },
    })
}

impl CheckpointBody {
    /// A checkpoint of `head` in log `origin` at `time`.
    pub fn new(origin: &str, head: TreeHead, time: DateTime<Utc>) -> Result<CheckpointBody, CheckpointError> {
        check_origin(origin)?;
        Ok(CheckpointBody {
            origin: origin.to_owned(),
            size: head.size,
            root: head.root,
            time,
        })
    }

    /// The log's name (the court's).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of records.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Their RFC 6962 root.
    pub fn root(&self) -> Digest {
        self.root
    }

    /// When the checkpoint was made.
    pub fn time(&self) -> DateTime<Utc> {
        self.time
    }

    /// The size and root.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.size,
            root: self.root,
        }
    }

    /// The same statement as regula-core's unsigned [`Checkpoint`], for
    /// [`verify_store`](regula_core::store::verify_store) and
    /// [`verify_against_checkpoint`](regula_core::store::verify_against_checkpoint).
    pub fn to_checkpoint(&self) -> Checkpoint {
        Checkpoint::new(self.tree_head(), self.time)
    }

    /// The body text: four lines, each ending in a newline.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{TIME_PREFIX}{}\n",
            self.origin,
            self.size,
            encode_base64(&self.root.0),
            format_time(&self.time)
        )
    }

    /// Parses body text written by [`to_text`](CheckpointBody::to_text), refusing any
    /// other spelling of it.
    pub fn parse(text: &str) -> Result<CheckpointBody, CheckpointError> {
        check_controls(text)?;
        let lines = text.strip_suffix('\n').ok_or(CheckpointError::NoFinalNewline)?;
        let lines: Vec<&str> = lines.split('\n').collect();
        let [origin, size, root, time] = lines[..] else {
            return Err(CheckpointError::BodyLines { found: lines.len() });
        };
        check_origin(origin)?;
        let size = parse_size(size)?;
        let root = decode_base64(root)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(Digest)
            .ok_or_else(|| CheckpointError::InvalidRoot { text: root.to_owned() })?;
        let time = time
            .strip_prefix(TIME_PREFIX)
            .and_then(parse_time)
            .ok_or_else(|| CheckpointError::InvalidTime { text: time.to_owned() })?;
        Ok(CheckpointBody {
            origin: origin.to_owned(),
            size,
            root,
            time,
        })
    }
}

fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let time = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    (format_time(&time) == text).then_some(time)
}

fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    let invalid = || CheckpointError::InvalidSize { text: text.to_owned() };
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (text.len() > 1 && text.starts_with('0')) {
        return Err(invalid());
    }
    text.parse().map_err(|_| invalid())
}

fn check_controls(text: &str) -> Result<(), CheckpointError> {
    for (i, line) in text.split('\n').enumerate() {
        if let Some(found) = line.chars().find(|c| c.is_control()) {
            return Err(CheckpointError::ControlCharacter { line: i + 1, found });
        }
    }
    Ok(())
}

/// One signature line of a signed note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signing key's name.
    pub name: String,
    /// The signing key's id.
    pub key_id: KeyId,
    /// The signature bytes after the key id (64 bytes for ed25519).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    fn line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.0);
        raw.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, encode_base64(&raw))
    }

    fn parse(line: &str, number: usize) -> Result<NoteSignature, CheckpointError> {
        let malformed = |reason| CheckpointError::MalformedSignature { line: number, reason };
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("it does not start with an em dash (U+2014) and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(malformed("no space between the key name and the signature"))?;
        check_key_name(name).map_err(|_| malformed("the key name is empty or has white space, '+' or controls"))?;
        let raw = decode_base64(b64).ok_or(malformed("the signature is not canonical standard base64"))?;
        if raw.len() < 5 {
            return Err(malformed("the signature is shorter than a key id and one byte"));
        }
        let (id, signature) = raw.split_at(4);
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: KeyId([id[0], id[1], id[2], id[3]]),
            signature: signature.to_vec(),
        })
    }
}

/// A checkpoint body and its signatures: a C2SP signed note.
///
/// [`parse`](SignedCheckpoint::parse) only checks the text's structure; nothing it holds
/// is trusted until [`verify`](SignedCheckpoint::verify) (or
/// [`open`](SignedCheckpoint::open)) has checked a signature with a known key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    body: CheckpointBody,
    body_text: String,
    signatures: Vec<NoteSignature>,
}

impl SignedCheckpoint {
    /// Signs `body` with `key`.
    pub fn sign(body: &CheckpointBody, key: &SigningKey) -> SignedCheckpoint {
        let body_text = body.to_text();
        let signature = NoteSignature {
            name: key.name().to_owned(),
            key_id: key.key_id(),
            signature: key.sign(body_text.as_bytes()).to_vec(),
        };
        SignedCheckpoint {
            body: body.clone(),
            body_text,
            signatures: vec![signature],
        }
    }

    /// Adds `key`'s signature (a second court, a witness). A key that already signed is
    /// [`CheckpointError::DuplicateSignature`].
    pub fn cosign(&mut self, key: &SigningKey) -> Result<(), CheckpointError> {
        if self
            .signatures
            .iter()
            .any(|s| s.name == key.name() && s.key_id == key.key_id())
        {
            return Err(CheckpointError::DuplicateSignature {
                name: key.name().to_owned(),
                key_id: key.key_id(),
            });
        }
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures {
                found: self.signatures.len() + 1,
            });
        }
        self.signatures.push(NoteSignature {
            name: key.name().to_owned(),
            key_id: key.key_id(),
            signature: key.sign(self.body_text.as_bytes()).to_vec(),
        });
        Ok(())
    }

    /// Parses a signed checkpoint, checking its structure strictly but no signature.
    pub fn parse(text: &str) -> Result<SignedCheckpoint, CheckpointError> {
        if text.len() > MAX_CHECKPOINT_LEN {
            return Err(CheckpointError::TooLong { len: text.len() });
        }
        check_controls(text)?;
        if !text.ends_with('\n') {
            return Err(CheckpointError::NoFinalNewline);
        }
        let split = text.rfind("\n\n").ok_or(CheckpointError::NoSignatureBlock)?;
        let (body_text, signature_text) = (&text[..split + 1], &text[split + 2..]);
        let body = CheckpointBody::parse(body_text)?;
        if signature_text.is_empty() {
            return Err(CheckpointError::NoSignatures);
        }
        let lines = signature_text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoSignatureBlock)?;
        let lines: Vec<&str> = lines.split('\n').collect();
        if lines.len() > MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures { found: lines.len() });
        }
        let mut seen = HashSet::new();
        let mut signatures = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let s = NoteSignature::parse(line, i + 1)?;
            if !seen.insert((s.name.clone(), s.key_id)) {
                return Err(CheckpointError::DuplicateSignature {
                    name: s.name,
                    key_id: s.key_id,
                });
            }
            signatures.push(s);
        }
        Ok(SignedCheckpoint {
            body,
            body_text: body_text.to_owned(),
            signatures,
        })
    }

    /// Parses and verifies: [`parse`](SignedCheckpoint::parse) then
    /// [`verify`](SignedCheckpoint::verify).
    pub fn open(text: &str, key: &VerifierKey) -> Result<SignedCheckpoint, CheckpointError> {
        let checkpoint = SignedCheckpoint::parse(text)?;
        checkpoint.verify(key)?;
        Ok(checkpoint)
    }

    /// Checks `key`'s signature (with ed25519 `verify_strict`) and returns the body it
    /// vouches for. Signatures by other keys are ignored.
    pub fn verify(&self, key: &VerifierKey) -> Result<&CheckpointBody, CheckpointError> {
        let Some(signature) = self
            .signatures
            .iter()
            .find(|s| s.name == key.name() && s.key_id == key.key_id())
        else {
            return Err(CheckpointError::NotSignedByKey {
                name: key.name().to_owned(),
                key_id: key.key_id(),
                signed_by: self
                    .signatures
                    .iter()
                    .map(|s| format!("{}+{}", s.name, s.key_id))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if !key.verifies(self.body_text.as_bytes(), &signature.signature) {
            return Err(CheckpointError::BadSignature {
                name: key.name().to_owned(),
                key_id: key.key_id(),
            });
        }
        Ok(&self.body)
    }

    /// The body, **not verified**: use [`verify`](SignedCheckpoint::verify) to trust it.
    pub fn unverified_body(&self) -> &CheckpointBody {
        &self.body
    }

    /// The body's text, exactly as signed.
    pub fn body_text(&self) -> &str {
        &self.body_text
    }

    /// The signatures, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// The whole signed note: body, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut out = self.body_text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }
}

impl fmt::Display for SignedCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl std::str::FromStr for SignedCheckpoint {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignedCheckpoint::parse(s)
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
