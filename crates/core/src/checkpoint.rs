//! Checkpoints: the one statement a store's whole log is held to, and its one text
//! format.
//!
//! A [`Checkpoint`] says: at `time`, the log `origin` held `size` records whose RFC 6962
//! root was `root`. A later store must extend it (hold the same first `size` records);
//! anything else is a truncation, a rollback or a rewrite
//! ([`verify_store_with`](crate::store::verify_store_with),
//! [`verify_against_checkpoint`](crate::store::verify_against_checkpoint)).
//!
//! Its text is a [`CheckpointNote`]: a C2SP `tlog-checkpoint` body inside a C2SP
//! signed note, with zero or more signature lines. This crate reads and writes the text
//! and nothing else: it signs and verifies nothing (it has no cryptography besides
//! SHA-256). `regula-proof` signs notes and checks their ed25519 signatures; a note with
//! no signature line is an **unsigned checkpoint**, which vouches for nothing beyond the
//! file it is kept in, and still reveals a rollback of a store it is checked against.
//!
//! # Format
//!
//! All text is UTF-8; base64 is the standard alphabet with `=` padding (RFC 4648
//! section 4), and only its canonical spelling is accepted.
//!
//! A **body** of exactly four lines, each ending in `\n`:
//!
//! 1. the origin: the log's name (no white space, no `+`, no control, bidirectional or
//!    invisible format character); by convention `<court>/regula`. A checkpoint made
//!    without one is named [`DEFAULT_ORIGIN`] (`regula`), and so is a JSON checkpoint
//!    read from an earlier release;
//! 2. the tree size: decimal, no sign, no leading zeros, at most 2⁶⁴ − 1;
//! 3. the root hash: base64 of its 32 bytes;
//! 4. `time ` and the time the checkpoint was taken, RFC 3339 UTC ending in `Z`, with no
//!    fractional second or exactly 3, 6 or 9 digits, the fewest that hold it (a
//!    `tlog-checkpoint` extension line).
//!
//! then an empty line, then zero to [`MAX_SIGNATURES`] **signature lines**, each
//! `— <key name> <base64(key id ‖ signature)>\n` (an em dash U+2014 and a space; the
//! key id is 4 bytes, see [`KeyId`]). No key signs twice; no `\r`, tab or other control
//! character; nothing after the last newline. An unsigned checkpoint is therefore its
//! body followed by one empty line:
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use regula_core::checkpoint::{Checkpoint, CheckpointNote};
//! use regula_core::{Digest, TreeHead};
//!
//! let root = Digest::from_hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")?;
//! let time = Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap();
//! let checkpoint = Checkpoint::with_origin("红石林区基层法院/regula", TreeHead { size: 8, root }, time)?;
//! let text = CheckpointNote::unsigned(&checkpoint).to_text();
//! assert_eq!(
//!     text,
//!     "红石林区基层法院/regula\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2024-03-01T02:00:00Z\n\n"
//! );
//! let note = CheckpointNote::parse(&text)?;
//! assert!(!note.is_signed());
//! assert_eq!(note.checkpoint(), &checkpoint);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # JSON checkpoints of earlier releases
//!
//! Regula 0.1 and 0.2 wrote an unsigned checkpoint as JSON:
//! `{"format":1,"size":N,"root":"<64 hex digits>","at":"<RFC 3339>"}`.
//! [`CheckpointNote::read`] still reads it (as an unsigned checkpoint named
//! [`DEFAULT_ORIGIN`], `at` becoming its time); nothing writes it any more.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::record::Digest;
use crate::store::TreeHead;

/// The start of every signature line: an em dash (U+2014) and a space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The largest checkpoint text accepted, in bytes.
pub const MAX_CHECKPOINT_LEN: usize = 16 * 1024;

/// The most signature lines accepted on one checkpoint.
pub const MAX_SIGNATURES: usize = 100;

/// The longest key name or origin, in bytes: a note's body and first signature line
/// then always fit in [`MAX_CHECKPOINT_LEN`], so signing a checkpoint never writes a
/// note that no reader accepts (the fuzz target `checkpoint_note` found a 16 KiB
/// origin, read back, that grew past it once signed).
pub const MAX_NAME_LEN: usize = 255;

/// The origin of a checkpoint made without one, and of a JSON checkpoint read from an
/// earlier release.
pub const DEFAULT_ORIGIN: &str = "regula";

/// The algorithm byte of ed25519 keys in signed notes.
pub const ALG_ED25519: u8 = 0x01;

/// The only `format` of the JSON checkpoints of earlier releases.
const LEGACY_JSON_FORMAT: u16 = 1;

const TIME_PREFIX: &str = "time ";

/// The 4-byte id of a key: the first 4 bytes of `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public
/// key)`. Shown as 8 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    /// The id of the ed25519 public key `public` named `name`.
    pub fn compute(name: &str, public: &[u8; 32]) -> KeyId {
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\n");
        h.update([ALG_ED25519]);
        h.update(public);
        let digest = h.finalize();
        KeyId([digest[0], digest[1], digest[2], digest[3]])
    }

    /// Parses exactly 8 lowercase hex digits.
    pub fn from_hex(s: &str) -> Option<KeyId> {
        let b = s.as_bytes();
        if b.len() != 8 {
            return None;
        }
        let mut out = [0u8; 4];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            out[i] = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Some(KeyId(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A checkpoint's text is not one Regula writes or reads, or (checked by
/// `regula-proof`) the signature asked for is missing or does not hold.
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
    /// No blank line ends the body (an unsigned checkpoint ends with one).
    #[error("no blank line after the checkpoint body (it ends the body of every checkpoint, signed or not)")]
    NoSignatureBlock,
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
    /// The fourth line is not `time <RFC 3339 UTC>` as Regula writes it.
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
    /// A JSON checkpoint (as Regula 0.1 and 0.2 wrote them) that does not parse.
    #[error("a JSON checkpoint of an earlier release that does not parse: {message}")]
    Json {
        /// What is wrong.
        message: String,
    },
    /// A signature was asked for, and the checkpoint has none.
    #[error("the checkpoint is unsigned; a signature by key {name}+{key_id} was required")]
    Unsigned {
        /// The key's name.
        name: String,
        /// The key's id.
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

/// Why `name` cannot be a key name or a checkpoint origin (empty, longer than
/// [`MAX_NAME_LEN`] bytes, or holding `+`, white space, a control, bidirectional or
/// invisible format character), or `None` when it can.
pub fn name_fault(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Some("it is longer than 255 bytes");
    }
    if name.contains('+') {
        return Some("it contains '+'");
    }
    if name.chars().any(char::is_whitespace) {
        return Some("it contains white space");
    }
    if name.chars().any(char::is_control) {
        return Some("it contains a control character");
    }
    if name.chars().any(crate::plain_text::is_unsafe) {
        return Some("it contains a bidirectional or invisible format character");
    }
    None
}

/// Checks an origin: the rules of a key name ([`name_fault`]), the C2SP checkpoint
/// recommendation, so that an origin can also be a key name.
pub fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    match name_fault(origin) {
        Some(reason) => Err(CheckpointError::InvalidOrigin {
            origin: origin.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Decodes canonical standard base64 (with padding); `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = STANDARD.decode(text).ok()?;
    (STANDARD.encode(&bytes) == text).then_some(bytes)
}

/// Encodes in standard base64 with padding.
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// What a checkpoint states: at `time`, the log `origin` held `size` records whose RFC
/// 6962 root was `root`. Its text is a [`CheckpointNote`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Digest,
    time: DateTime<Utc>,
}

impl Checkpoint {
    /// A checkpoint of `head` taken at `time`, named [`DEFAULT_ORIGIN`].
    pub fn new(head: TreeHead, time: DateTime<Utc>) -> Checkpoint {
        Checkpoint {
            origin: DEFAULT_ORIGIN.to_owned(),
            size: head.size,
            root: head.root,
            time,
        }
    }

    /// A checkpoint of `head` in the log `origin` taken at `time`; refused when the
    /// origin is not a valid name ([`check_origin`]).
    pub fn with_origin(origin: &str, head: TreeHead, time: DateTime<Utc>) -> Result<Checkpoint, CheckpointError> {
        check_origin(origin)?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            ..Checkpoint::new(head, time)
        })
    }

    /// The log's name.
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

    /// When the checkpoint was taken.
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

    /// The body text: four lines, each ending in a newline. What a signature signs.
    pub fn body_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{TIME_PREFIX}{}\n",
            self.origin,
            self.size,
            encode_base64(&self.root.0),
            format_time(&self.time)
        )
    }

    /// Parses body text written by [`body_text`](Checkpoint::body_text), refusing any
    /// other spelling of it.
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
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
        Ok(Checkpoint {
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

/// One signature line of a checkpoint note, as written: not verified.
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
    /// The line, with its final newline.
    pub fn line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.0);
        raw.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, encode_base64(&raw))
    }

    /// Parses signature line number `number` (from 1), without its newline.
    pub fn parse(line: &str, number: usize) -> Result<NoteSignature, CheckpointError> {
        let malformed = |reason| CheckpointError::MalformedSignature { line: number, reason };
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("it does not start with an em dash (U+2014) and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(malformed("no space between the key name and the signature"))?;
        if name_fault(name).is_some() {
            return Err(malformed("the key name is empty or has white space, '+' or controls"));
        }
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

/// A checkpoint as text: its body and zero or more signature lines (a C2SP signed
/// note). The one form in which Regula writes a checkpoint.
///
/// [`parse`](CheckpointNote::parse) checks the text's structure only: no signature is
/// checked here. `regula-proof` signs notes and verifies a signature with a known key
/// before trusting what a signed note states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointNote {
    checkpoint: Checkpoint,
    body_text: String,
    signatures: Vec<NoteSignature>,
    legacy_json: bool,
}

/// A JSON checkpoint of Regula 0.1 or 0.2 (read, never written): the log held `size`
/// records whose RFC 6962 root was `root` at `at`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "LegacyCheckpointJson")]
struct LegacyJson {
    /// Always 1 (any other is refused by `CheckpointNote::read`).
    #[schemars(extend("const" = 1))]
    format: u16,
    size: u64,
    root: Digest,
    at: DateTime<Utc>,
}

/// The schema of the JSON checkpoint of earlier releases (see the module docs).
pub(crate) fn legacy_json_schema() -> schemars::Schema {
    schemars::schema_for!(LegacyJson)
}

impl CheckpointNote {
    /// `checkpoint` with no signature.
    pub fn unsigned(checkpoint: &Checkpoint) -> CheckpointNote {
        CheckpointNote {
            checkpoint: checkpoint.clone(),
            body_text: checkpoint.body_text(),
            signatures: Vec::new(),
            legacy_json: false,
        }
    }

    /// Parses a checkpoint note, signed or not, checking its structure strictly but no
    /// signature.
    pub fn parse(text: &str) -> Result<CheckpointNote, CheckpointError> {
        if text.len() > MAX_CHECKPOINT_LEN {
            return Err(CheckpointError::TooLong { len: text.len() });
        }
        check_controls(text)?;
        if !text.ends_with('\n') {
            return Err(CheckpointError::NoFinalNewline);
        }
        let split = text.rfind("\n\n").ok_or(CheckpointError::NoSignatureBlock)?;
        let (body_text, signature_text) = (&text[..split + 1], &text[split + 2..]);
        let checkpoint = Checkpoint::parse_body(body_text)?;
        let lines: Vec<&str> = match signature_text.strip_suffix('\n') {
            Some(lines) => lines.split('\n').collect(),
            None => Vec::new(), // "" after the blank line: unsigned
        };
        if lines.len() > MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures { found: lines.len() });
        }
        let mut note = CheckpointNote {
            checkpoint,
            body_text: body_text.to_owned(),
            signatures: Vec::with_capacity(lines.len()),
            legacy_json: false,
        };
        for (i, line) in lines.iter().enumerate() {
            note.add_signature(NoteSignature::parse(line, i + 1)?)?;
        }
        Ok(note)
    }

    /// Reads a checkpoint file's text: a note ([`parse`](CheckpointNote::parse)), or a
    /// JSON checkpoint written by Regula 0.1 or 0.2, read as an unsigned checkpoint
    /// named [`DEFAULT_ORIGIN`] whose time is the JSON's `at`.
    pub fn read(text: &str) -> Result<CheckpointNote, CheckpointError> {
        if text.len() > MAX_CHECKPOINT_LEN {
            return Err(CheckpointError::TooLong { len: text.len() });
        }
        if !text.trim_start().starts_with('{') {
            return CheckpointNote::parse(text);
        }
        let legacy = match serde_json::from_str::<LegacyJson>(text) {
            Ok(legacy) => legacy,
            // An origin may start with `{`: such a note is still a note.
            Err(e) => return CheckpointNote::parse(text).map_err(|_| CheckpointError::Json { message: e.to_string() }),
        };
        if legacy.format != LEGACY_JSON_FORMAT {
            return Err(CheckpointError::Json {
                message: format!(
                    "format {} (the only JSON checkpoint format is {LEGACY_JSON_FORMAT})",
                    legacy.format
                ),
            });
        }
        let head = TreeHead {
            size: legacy.size,
            root: legacy.root,
        };
        let note = CheckpointNote {
            legacy_json: true,
            ..CheckpointNote::unsigned(&Checkpoint::new(head, legacy.at))
        };
        // chrono's serde reads times that a note cannot state (`-026-11-27T15:24:1Z`:
        // a year before 0000, one-digit fields); such a checkpoint would be written as a
        // note no reader accepts (found by the fuzz target `checkpoint_note`).
        Checkpoint::parse_body(&note.body_text).map_err(|e| CheckpointError::Json {
            message: format!("\"at\": {e}"),
        })?;
        Ok(note)
    }

    /// What the note states. A signed note's statement is vouched for only once
    /// `regula-proof` has verified a signature by a known key.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The body's text, exactly as signed.
    pub fn body_text(&self) -> &str {
        &self.body_text
    }

    /// The signatures, in order (none for an unsigned checkpoint).
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// True when the note has at least one signature line.
    pub fn is_signed(&self) -> bool {
        !self.signatures.is_empty()
    }

    /// True when it was read from a JSON checkpoint of an earlier release.
    pub fn is_legacy_json(&self) -> bool {
        self.legacy_json
    }

    /// Adds a signature line (its signature is not checked here). A key that already
    /// signed is [`CheckpointError::DuplicateSignature`]; more than [`MAX_SIGNATURES`]
    /// is [`CheckpointError::TooManySignatures`]; a line that would make the note longer
    /// than [`MAX_CHECKPOINT_LEN`] is [`CheckpointError::TooLong`], so that every note
    /// written is one [`parse`](CheckpointNote::parse) reads.
    pub fn add_signature(&mut self, signature: NoteSignature) -> Result<(), CheckpointError> {
        if self
            .signatures
            .iter()
            .any(|s| s.name == signature.name && s.key_id == signature.key_id)
        {
            return Err(CheckpointError::DuplicateSignature {
                name: signature.name,
                key_id: signature.key_id,
            });
        }
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures {
                found: self.signatures.len() + 1,
            });
        }
        let len = self.body_text.len()
            + 1
            + self.signatures.iter().map(|s| s.line().len()).sum::<usize>()
            + signature.line().len();
        if len > MAX_CHECKPOINT_LEN {
            return Err(CheckpointError::TooLong { len });
        }
        self.signatures.push(signature);
        self.legacy_json = false;
        Ok(())
    }

    /// The signature line of the key `name`+`key_id`: [`CheckpointError::Unsigned`]
    /// when the note has no signature, [`CheckpointError::NotSignedByKey`] when that
    /// key did not sign it. The signature itself is not checked here.
    pub fn signature_by(&self, name: &str, key_id: KeyId) -> Result<&NoteSignature, CheckpointError> {
        if self.signatures.is_empty() {
            return Err(CheckpointError::Unsigned {
                name: name.to_owned(),
                key_id,
            });
        }
        self.signatures
            .iter()
            .find(|s| s.name == name && s.key_id == key_id)
            .ok_or_else(|| CheckpointError::NotSignedByKey {
                name: name.to_owned(),
                key_id,
                signed_by: self
                    .signatures
                    .iter()
                    .map(|s| format!("{}+{}", s.name, s.key_id))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The whole note: body, empty line, signature lines.
    pub fn to_text(&self) -> String {
        let mut out = self.body_text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }
}

impl fmt::Display for CheckpointNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl std::str::FromStr for CheckpointNote {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckpointNote::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legacy_json_checkpoint_reads_as_an_unsigned_note() {
        let json = r#"{"format":1,"size":128,"root":"8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e","at":"2026-11-27T15:24:15.394819059Z"}"#;
        let note = CheckpointNote::read(json).unwrap();
        assert!(note.is_legacy_json() && !note.is_signed());
        assert_eq!(note.checkpoint().origin(), DEFAULT_ORIGIN);
        assert_eq!(note.checkpoint().size(), 128);
        assert_eq!(
            note.checkpoint().root().to_hex(),
            "8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e"
        );
        assert_eq!(
            note.checkpoint().time().to_rfc3339_opts(SecondsFormat::Nanos, true),
            "2026-11-27T15:24:15.394819059Z"
        );
        // Written again, it is a note, and reads back the same statement.
        let text = note.to_text();
        assert!(text.ends_with("\ntime 2026-11-27T15:24:15.394819059Z\n\n"), "{text}");
        assert_eq!(CheckpointNote::parse(&text).unwrap().checkpoint(), note.checkpoint());
        // Only its own fields and format 1.
        for bad in [
            r#"{"format":2,"size":1,"root":"8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e","at":"2026-11-27T15:24:15Z"}"#,
            r#"{"format":1,"size":3,"root":"00","at":"2023-01-01T00:00:00Z"}"#,
            r#"{"format":1,"size":1,"root":"8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e","at":"2026-11-27T15:24:15Z","x":1}"#,
        ] {
            assert!(
                matches!(CheckpointNote::read(bad), Err(CheckpointError::Json { .. })),
                "{bad}"
            );
        }
        // `parse` reads the note only.
        assert!(CheckpointNote::parse(json).is_err());
        // No file larger than a checkpoint is read, JSON or not.
        let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_CHECKPOINT_LEN));
        assert!(matches!(
            CheckpointNote::read(&huge),
            Err(CheckpointError::TooLong { .. })
        ));
    }

    #[test]
    fn an_origin_starting_with_a_brace_is_still_a_note() {
        let cp = Checkpoint::with_origin(
            "{court}",
            TreeHead {
                size: 0,
                root: Digest::ZERO,
            },
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        let note = CheckpointNote::read(&CheckpointNote::unsigned(&cp).to_text()).unwrap();
        assert_eq!(note.checkpoint(), &cp);
        assert!(!note.is_legacy_json());
    }

    #[test]
    fn the_key_that_signed_is_found_and_an_unsigned_note_says_so() {
        let cp = Checkpoint::new(
            TreeHead {
                size: 1,
                root: Digest::ZERO,
            },
            DateTime::UNIX_EPOCH,
        );
        let mut note = CheckpointNote::unsigned(&cp);
        let id = KeyId([1, 2, 3, 4]);
        assert!(matches!(
            note.signature_by("k", id),
            Err(CheckpointError::Unsigned { .. })
        ));
        let sig = NoteSignature {
            name: "k".into(),
            key_id: id,
            signature: vec![7; 64],
        };
        note.add_signature(sig.clone()).unwrap();
        assert_eq!(note.signature_by("k", id).unwrap(), &sig);
        assert!(matches!(
            note.signature_by("k", KeyId([0; 4])),
            Err(CheckpointError::NotSignedByKey { .. })
        ));
        assert!(matches!(
            note.add_signature(sig),
            Err(CheckpointError::DuplicateSignature { .. })
        ));
        let back = CheckpointNote::parse(&note.to_text()).unwrap();
        assert_eq!(back, note);
    }
}
