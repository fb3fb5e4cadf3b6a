//! The audit record: one per attempt, chained by SHA-256.
//!
//! A record's hash is SHA-256 over its *canonical bytes*. Two formats exist; this
//! library writes format 2 and reads, verifies and continues logs of both.
//!
//! # Canonical encoding (format 2)
//!
//! The following fields, in this order, with no separators:
//!
//! | field | encoding |
//! |---|---|
//! | magic | the 14 bytes `regula-record\0` |
//! | format | u16, big-endian (`2`) |
//! | instance | 16 bytes of the UUID |
//! | seq | u64, big-endian |
//! | id | 16 bytes of the UUID |
//! | at | i64 seconds since the Unix epoch, then u32 nanoseconds, both big-endian |
//! | recorded_at | the same encoding |
//! | definition name | str |
//! | definition version | u32, big-endian |
//! | actor id, actor name, actor unit | str, opt str, opt str |
//! | role | str |
//! | action | str |
//! | payload | str holding the payload's canonical JSON: RFC 8785 ([`crate::jcs`]) |
//! | from | str |
//! | outcome | u8 tag: `0` created; `1` accepted, then `to` as str; `2` refused, then u32 count and, per reason, str code, opt str guard, str zh, str en |
//! | note | opt str |
//! | rules | the byte `0` for none, or `1` followed by the 32 bytes of the digest |
//! | prev_hash | 32 bytes |
//!
//! where **str** is a u32 big-endian byte length followed by the UTF-8 bytes, and
//! **opt str** is the byte `0` for none or `1` followed by a str.
//!
//! A record holds its payload already in that form ([`Payload`]), so hashing a record
//! copies its payload's text rather than encoding it again.
//!
//! `rules` is the hash of the configuration record whose rules the decision was made
//! under, for a definition whose parameters (a court's consultation period, its
//! members, …) are themselves recorded in the log; a verifier re-checks the decision
//! under exactly those rules.
//!
//! `at` is the *effective* time: when the event happened, the time guards judge. It
//! equals `recorded_at`, the writer's clock when the record was made, unless the
//! event was entered after the fact (see [`Command::at`](crate::Command::at)); an
//! auditor sees every back-dated record as one whose `at` is before its
//! `recorded_at`. The time rules the engine enforces and verification re-checks are
//! in [`crate::replay`].
//!
//! The record's JSON form ([`AuditRecord::to_json`]) is one line, its keys in the
//! order of the table above (`format`, `instance`, `seq`, `id`, `at`,
//! `recorded_at`, `definition`, `actor`, `role`, `action`, `payload`, `from`,
//! `outcome`, `note`, `rules` when present, `prev_hash`, `hash`), strings escaped as RFC 8785 escapes them,
//! the payload in its RFC 8785 form, times as RFC 3339 in UTC with `Z` and only the
//! fractional digits needed. It is written by this module, not by a JSON library, so
//! no dependency upgrade can change a byte. `docs/record-format.md` has the whole
//! specification, and `crates/core/tests/vectors/records/` vectors an independent
//! implementation can check itself against.
//!
//! # Canonical encoding (format 1)
//!
//! Written by Regula 0.1 before the time and encoding rules above. Its layout is that
//! of format 2 without `recorded_at` (the writer's clock was `at`) and `rules`, and
//! its payload JSON
//! is: no whitespace, object keys sorted by their UTF-8 bytes, strings escaped as
//! `serde_json` escapes them (only `"`, `\` and control characters), integers in
//! decimal and other numbers as `serde_json` 1.0.145 printed them. Records of format 1
//! keep verifying and a log may continue in format 2; nothing writes format 1 any more.
//!
//! The first record of an instance has `prev_hash` of 32 zero bytes; every later
//! record's `prev_hash` is the `hash` of the record before it.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::guard::Reason;
use crate::payload::Payload;

/// The format version written into every new record.
pub const FORMAT_VERSION: u16 = 2;

/// The first format, still read and verified (see the module docs).
pub const FORMAT_V1: u16 = 1;

/// Every format this library reads and verifies.
pub const KNOWN_FORMATS: [u16; 2] = [FORMAT_V1, FORMAT_VERSION];

const MAGIC: &[u8; 14] = b"regula-record\0";

/// A short name in a record (definition, role, action, state): a string that holds up
/// to 23 bytes inline and longer ones behind a shared pointer, so that making, cloning
/// and dropping a record allocates nothing for its names. It reads as a `&str`
/// (`Deref`), compares with `str`, `&str` and `String`, converts from both, and
/// serializes exactly as a string does.
pub type Name = smol_str::SmolStr;

/// `text` as a [`Name`], for the names the engine puts in every record (the action,
/// the states): a short one is copied inline straight away, without the general
/// constructor's out-of-line path, which showed as 6 % of an audited transition.
#[inline]
pub(crate) fn name_of(text: &str) -> Name {
    if text.len() <= 23 {
        Name::new_inline(text)
    } else {
        Name::new(text)
    }
}

/// A SHA-256 digest, shown and serialized as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The all-zero digest that the first record of an instance links to.
    pub const ZERO: Digest = Digest([0; 32]);

    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        s
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Digest, DigestParseError> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(DigestParseError(s.to_owned()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or_else(|| DigestParseError(s.to_owned()))?;
            let lo = hex_value(pair[1]).ok_or_else(|| DigestParseError(s.to_owned()))?;
            out[i] = (hi << 4) | lo;
        }
        Ok(Digest(out))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        // Upper case is refused: a digest has one written form, so a log's text cannot
        // change without its meaning changing.
        _ => None,
    }
}

/// A string that is not 64 hex digits was given as a digest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 digest (64 lowercase hex digits): {0:?}")]
pub struct DigestParseError(pub String);

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl schemars::JsonSchema for Digest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Digest".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "regula_core::Digest".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // `from_hex` refuses upper case, so the pattern does too.
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "A SHA-256 digest: 64 lowercase hex digits (upper case is refused).",
        })
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Who attempted an action.
// The fields are `Name`s so that the actor a command carries, and the copy its record
// keeps, allocate nothing when short. (Not in the doc comment: that text is the JSON
// Schema's description, committed in crates/cli/schemas.)
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// A stable identifier of the person or system.
    pub id: Name,
    /// A display name, if different from the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The organisational unit (department) the actor belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Name>,
}

impl Actor {
    /// An actor known only by its id.
    pub fn new(id: impl Into<Name>) -> Self {
        Actor {
            id: id.into(),
            name: None,
            unit: None,
        }
    }

    /// The same actor, in `unit`.
    pub fn in_unit(mut self, unit: impl Into<Name>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// The same actor, with a display name.
    pub fn named(mut self, name: impl Into<Name>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// `ID@UNIT`, or the id alone (an actor in no unit, such as a leading group member).
impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Some(unit) => write!(f, "{}@{unit}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// Which definition, at which version, an instance or record belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionRef {
    /// The definition's name.
    pub name: Name,
    /// The definition's version.
    pub version: u32,
}

impl fmt::Display for DefinitionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{}", self.name, self.version)
    }
}

/// What became of an attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// The instance was created in the state `from`; the payload is its initial data.
    Created,
    /// The transition was taken to `to`.
    Accepted {
        /// The state after the transition.
        to: Name,
    },
    /// The attempt was refused; state and data did not change.
    Refused {
        /// Every check that failed.
        reasons: Vec<Reason>,
    },
}

/// One entry of an instance's audit log.
///
/// Serialized with serde as JSON that other languages can read: UUIDs as strings,
/// the time as RFC 3339, digests as hex, and `format` telling the version of this
/// layout. The hash covers the canonical encoding documented in this module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// The layout version, [`FORMAT_VERSION`] for records written by this library.
    pub format: u16,
    /// The instance the record belongs to.
    pub instance: Uuid,
    /// Position in the instance's log, from 1 without gaps.
    pub seq: u64,
    /// The record's own id.
    pub id: Uuid,
    /// When the event happened: the time its guards judge (RFC 3339, UTC, as many
    /// fractional digits as needed). Before `recorded_at` for an event entered after
    /// the fact.
    #[serde(with = "rfc3339")]
    #[schemars(schema_with = "crate::schema::record_time")]
    pub at: DateTime<Utc>,
    /// When the record was written, by the writer's clock (format 2; `None` in format
    /// 1 records, whose writer's clock was `at`).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    // Absent, never `null`: `rfc3339_opt` reads a string only.
    #[schemars(schema_with = "crate::schema::record_time")]
    pub recorded_at: Option<DateTime<Utc>>,
    /// The definition the instance follows.
    pub definition: DefinitionRef,
    /// Who attempted it.
    pub actor: Actor,
    /// The role the actor acted in.
    pub role: Name,
    /// The action's name (`create` for the record that creates the instance).
    pub action: Name,
    /// The action's payload (the initial data for the creating record), held as the
    /// JSON text the record's hash covers, in this record's format: a record read or
    /// made by this library always has it so; one built by hand in format 1 needs
    /// [`Payload::encode`]`(FORMAT_V1, …)`.
    // The schema describes the JSON value, not how Rust holds it.
    #[schemars(description = "The action's payload (the initial data for the creating record).")]
    pub payload: Payload,
    /// The state before the attempt.
    pub from: Name,
    /// Accepted, refused, or created.
    pub outcome: Outcome,
    /// A free-text note from the actor.
    pub note: Option<String>,
    /// The hash of the configuration record whose rules the decision was made under
    /// (format 2, for definitions whose parameters live in a configuration log; see
    /// [`Engine::with_rules`](crate::Engine::with_rules)), or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Digest>,
    /// The hash of the previous record, or zero for the first.
    pub prev_hash: Digest,
    /// SHA-256 of this record's canonical encoding.
    pub hash: Digest,
}

/// The fields of a record as serde reads them: the payload as a JSON value, encoded
/// into the record's [`Payload`] once the record's format is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "AuditRecord")]
struct RecordFields {
    format: u16,
    instance: Uuid,
    seq: u64,
    id: Uuid,
    #[serde(with = "rfc3339")]
    at: DateTime<Utc>,
    #[serde(default, with = "rfc3339_opt")]
    recorded_at: Option<DateTime<Utc>>,
    definition: DefinitionRef,
    actor: Actor,
    role: Name,
    action: Name,
    payload: Value,
    from: Name,
    outcome: Outcome,
    note: Option<String>,
    #[serde(default)]
    rules: Option<Digest>,
    prev_hash: Digest,
    hash: Digest,
}

impl<'de> Deserialize<'de> for AuditRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<AuditRecord, D::Error> {
        let f = RecordFields::deserialize(deserializer)?;
        Ok(AuditRecord {
            payload: Payload::encode(f.format, &f.payload),
            format: f.format,
            instance: f.instance,
            seq: f.seq,
            id: f.id,
            at: f.at,
            recorded_at: f.recorded_at,
            definition: f.definition,
            actor: f.actor,
            role: f.role,
            action: f.action,
            from: f.from,
            outcome: f.outcome,
            note: f.note,
            rules: f.rules,
            prev_hash: f.prev_hash,
            hash: f.hash,
        })
    }
}

/// A line of text is not a record in its one canonical JSON form.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordParseError {
    /// The text is not JSON of a record.
    #[error("line {line}, column {column}: not an audit record: {message}")]
    Json {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What serde reported.
        message: String,
    },
    /// The text is a record, but not written the way Regula writes it (other spacing,
    /// key order, number or escape forms). Logs are kept in one form so that any
    /// change to their text is a change to their content.
    #[error("line {line}: the record is not in canonical form (instance {instance}, record {seq})")]
    NotCanonical {
        /// Line, from 1.
        line: usize,
        /// The record's instance.
        instance: Uuid,
        /// Its sequence number.
        seq: u64,
    },
}

impl AuditRecord {
    /// The record as one line of JSON, in the canonical form that
    /// [`from_json`](AuditRecord::from_json) accepts.
    pub fn to_json(&self) -> String {
        if self.format == FORMAT_V1 {
            // Format 1 was written by serde_json; it is read back the same way.
            // Serializing plain data (strings, numbers, JSON values) cannot fail.
            return serde_json::to_string(self).unwrap_or_default();
        }
        let mut out = Vec::with_capacity(512);
        self.write_json(&mut out);
        // Only valid UTF-8 is ever written: JSON punctuation, digits and whole chars.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The JSON form of a format 2 record, field by field (see the module docs).
    fn write_json(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        // Writing to a Vec cannot fail.
        let _ = write!(
            out,
            "{{\"format\":{},\"instance\":\"{}\",\"seq\":{},\"id\":\"{}\",\"at\":",
            self.format, self.instance, self.seq, self.id
        );
        write_json_string(&rfc3339::text(&self.at), out);
        if let Some(recorded_at) = &self.recorded_at {
            out.extend_from_slice(b",\"recorded_at\":");
            write_json_string(&rfc3339::text(recorded_at), out);
        }
        out.extend_from_slice(b",\"definition\":{\"name\":");
        write_json_string(&self.definition.name, out);
        let _ = write!(out, ",\"version\":{}}},\"actor\":{{\"id\":", self.definition.version);
        write_json_string(&self.actor.id, out);
        if let Some(name) = &self.actor.name {
            out.extend_from_slice(b",\"name\":");
            write_json_string(name, out);
        }
        if let Some(unit) = &self.actor.unit {
            out.extend_from_slice(b",\"unit\":");
            write_json_string(unit, out);
        }
        out.extend_from_slice(b"},\"role\":");
        write_json_string(&self.role, out);
        out.extend_from_slice(b",\"action\":");
        write_json_string(&self.action, out);
        out.extend_from_slice(b",\"payload\":");
        out.extend_from_slice(self.payload.as_str().as_bytes());
        out.extend_from_slice(b",\"from\":");
        write_json_string(&self.from, out);
        out.extend_from_slice(b",\"outcome\":{\"kind\":");
        match &self.outcome {
            Outcome::Created => out.extend_from_slice(b"\"created\""),
            Outcome::Accepted { to } => {
                out.extend_from_slice(b"\"accepted\",\"to\":");
                write_json_string(to, out);
            }
            Outcome::Refused { reasons } => {
                out.extend_from_slice(b"\"refused\",\"reasons\":[");
                for (i, r) in reasons.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"{\"code\":");
                    write_json_string(r.code.as_str(), out);
                    if let Some(guard) = &r.guard {
                        out.extend_from_slice(b",\"guard\":");
                        write_json_string(guard, out);
                    }
                    out.extend_from_slice(b",\"message\":{\"zh\":");
                    write_json_string(&r.message.zh, out);
                    out.extend_from_slice(b",\"en\":");
                    write_json_string(&r.message.en, out);
                    out.extend_from_slice(b"}}");
                }
                out.push(b']');
            }
        }
        out.extend_from_slice(b"},\"note\":");
        match &self.note {
            Some(note) => write_json_string(note, out),
            None => out.extend_from_slice(b"null"),
        }
        if let Some(rules) = &self.rules {
            let _ = write!(out, ",\"rules\":\"{rules}\"");
        }
        let _ = write!(
            out,
            ",\"prev_hash\":\"{}\",\"hash\":\"{}\"}}",
            self.prev_hash, self.hash
        );
    }

    /// Parses one record written by [`to_json`](AuditRecord::to_json), refusing any
    /// other spelling of it.
    pub fn from_json(text: &str) -> Result<AuditRecord, RecordParseError> {
        Self::from_json_line(text, 1)
    }

    fn from_json_line(text: &str, line: usize) -> Result<AuditRecord, RecordParseError> {
        let record: AuditRecord = serde_json::from_str(text).map_err(|e| RecordParseError::Json {
            line: line + e.line() - 1,
            column: e.column(),
            message: e.to_string(),
        })?;
        if record.to_json() != text {
            return Err(RecordParseError::NotCanonical {
                line,
                instance: record.instance,
                seq: record.seq,
            });
        }
        Ok(record)
    }

    /// Writes records as JSON Lines: one canonical record per line.
    pub fn write_jsonl(records: &[AuditRecord]) -> String {
        let mut out = String::new();
        for r in records {
            out.push_str(&r.to_json());
            out.push('\n');
        }
        out
    }

    /// Reads JSON Lines written by [`write_jsonl`](AuditRecord::write_jsonl); errors
    /// name the line. Empty lines are not allowed, except a final newline.
    pub fn read_jsonl(text: &str) -> Result<Vec<AuditRecord>, RecordParseError> {
        let body = text.strip_suffix('\n').unwrap_or(text);
        if body.is_empty() {
            return Ok(Vec::new());
        }
        body.split('\n')
            .enumerate()
            .map(|(i, line)| Self::from_json_line(line, i + 1))
            .collect()
    }

    /// The state the instance is in after this record.
    pub fn state_after(&self) -> &str {
        match &self.outcome {
            Outcome::Accepted { to } => to,
            Outcome::Created | Outcome::Refused { .. } => &self.from,
        }
    }

    /// The reasons, when the attempt was refused.
    pub fn refusal(&self) -> Option<&[Reason]> {
        match &self.outcome {
            Outcome::Refused { reasons } => Some(reasons),
            _ => None,
        }
    }

    /// True when the attempt was refused.
    pub fn is_refused(&self) -> bool {
        matches!(self.outcome, Outcome::Refused { .. })
    }

    /// The canonical bytes this record's hash covers (see the module docs).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.write_canonical(&mut out);
        out
    }

    /// Appends the canonical bytes to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        // Not strict: the payload is always written, so this cannot fail.
        let _ = self.write_canonical_with(out, false);
    }

    /// [`write_canonical`](AuditRecord::write_canonical); when `strict`, a payload
    /// without a canonical form in the record's format ([`Payload::check`]) is an error
    /// instead of being written in the fallback form.
    fn write_canonical_with(&self, out: &mut Vec<u8>, strict: bool) -> Result<(), crate::jcs::JcsError> {
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.format.to_be_bytes());
        out.extend_from_slice(self.instance.as_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(self.id.as_bytes());
        put_time(out, &self.at);
        if self.format != FORMAT_V1 {
            // Format 2 always has it; a record that lacks it fails verification
            // (`check_link`), and hashes as if it were `at`.
            put_time(out, self.recorded_at.as_ref().unwrap_or(&self.at));
        }
        put_str(out, &self.definition.name);
        out.extend_from_slice(&self.definition.version.to_be_bytes());
        put_str(out, &self.actor.id);
        put_opt(out, self.actor.name.as_deref());
        put_opt(out, self.actor.unit.as_deref());
        put_str(out, &self.role);
        put_str(out, &self.action);
        if strict {
            self.payload.check(self.format)?;
        }
        put_str(out, self.payload.as_str());
        put_str(out, &self.from);
        match &self.outcome {
            Outcome::Created => out.push(0),
            Outcome::Accepted { to } => {
                out.push(1);
                put_str(out, to);
            }
            Outcome::Refused { reasons } => {
                out.push(2);
                out.extend_from_slice(&u32::try_from(reasons.len()).unwrap_or(u32::MAX).to_be_bytes());
                for r in reasons {
                    put_str(out, r.code.as_str());
                    put_opt(out, r.guard.as_deref());
                    put_str(out, &r.message.zh);
                    put_str(out, &r.message.en);
                }
            }
        }
        put_opt(out, self.note.as_deref());
        if self.format != FORMAT_V1 {
            match &self.rules {
                None => out.push(0),
                Some(rules) => {
                    out.push(1);
                    out.extend_from_slice(&rules.0);
                }
            }
        }
        out.extend_from_slice(&self.prev_hash.0);
        Ok(())
    }

    /// SHA-256 of the canonical bytes: what `hash` must equal.
    pub fn compute_hash(&self) -> Digest {
        with_scratch(|buf| {
            self.write_canonical(buf);
            Digest::of(buf)
        })
    }

    /// [`Payload::check`] and [`compute_hash`](AuditRecord::compute_hash) together, as
    /// verification needs both: the hash, or the reason the payload has no canonical
    /// form in the record's format. The payload was checked when it was encoded, so
    /// the check is a flag unless it failed then.
    pub(crate) fn checked_hash(&self) -> Result<Digest, crate::jcs::JcsError> {
        with_scratch(|buf| {
            self.write_canonical_with(buf, true)?;
            Ok(Digest::of(buf))
        })
    }

    /// Computes and stores `hash`; used when a record is built.
    pub(crate) fn seal(&mut self) {
        self.hash = self.compute_hash();
    }
}

/// Record times in one written form: RFC 3339 in UTC with `Z`, and only as many
/// fractional digits as the time has (0, 3, 6 or 9).
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// The one written form of a time.
    pub fn text(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&text(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let at = DateTime::parse_from_rfc3339(&s)
            .map_err(|e| serde::de::Error::custom(format!("invalid time {s:?}: {e}")))?
            .with_timezone(&Utc);
        if at.to_rfc3339_opts(SecondsFormat::AutoSi, true) != s {
            return Err(serde::de::Error::custom(format!(
                "time {s:?} is not in canonical form (UTC, `Z`, minimal fraction)"
            )));
        }
        Ok(at)
    }
}

/// [`rfc3339`] for an optional time.
mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::rfc3339::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        super::rfc3339::deserialize(deserializer).map(Some)
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(512));
}

/// Runs `f` with an empty per-thread buffer, so hashing a record allocates nothing.
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            f(&mut buf)
        }
        // Re-entered (cannot happen today): fall back to a fresh buffer.
        Err(_) => f(&mut Vec::with_capacity(512)),
    })
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Strings longer than 4 GiB cannot occur in records (payloads are JSON values held
    // in memory); saturating keeps the function total without a panic path.
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_time(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    out.extend_from_slice(&at.timestamp().to_be_bytes());
    out.extend_from_slice(&at.timestamp_subsec_nanos().to_be_bytes());
}

/// Checks that a record's payload has one canonical form in the record's format:
/// from format 2 on, RFC 8785 must encode it exactly.
pub fn check_payload(format: u16, payload: &Value) -> Result<(), crate::jcs::JcsError> {
    if format == FORMAT_V1 {
        return Ok(());
    }
    crate::jcs::check_numbers(payload).map(|_| ())
}

/// `payload` as it reads back from its canonical JSON in format 2: numbers that
/// RFC 8785 writes as integers (`1.0` is written `1`) become integers, so a record
/// held in memory equals the same record read back from any store.
pub fn canonical_payload(payload: Value) -> Result<Value, crate::jcs::JcsError> {
    // One walk over the numbers both checks the payload and finds any double; without
    // one, the payload already is its canonical form (the common case).
    if !crate::jcs::check_numbers(&payload)? {
        return Ok(payload);
    }
    let text = crate::jcs::to_jcs_string(&payload)?;
    // RFC 8785 output is JSON that serde_json reads; failing that, keep the value.
    Ok(serde_json::from_str(&text).unwrap_or(payload))
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

/// Writes `value` as the canonical JSON of format 1 (see the module docs) to `out`.
pub fn write_canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            // `Display` is what `to_string` writes; writing it in place saves an
            // allocation per number. Writing to a `Vec` cannot fail.
            let _ = std::io::Write::write_fmt(out, format_args!("{n}"));
        }
        Value::String(s) => write_json_string(s, out),
        Value::Array(xs) => {
            out.push(b'[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical_json(x, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sorted explicitly: serde_json's map keeps insertion order when another
            // crate in the build turns on its `preserve_order` feature. Its default map
            // (a BTreeMap of Strings) is already in byte order, which one pass over the
            // keys confirms without collecting and sorting them.
            let sorted = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| a.as_bytes() < b.as_bytes());
            out.push(b'{');
            let mut write_entry = |i: usize, k: &String, v: &Value| {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(k, out);
                out.push(b':');
                write_canonical_json(v, out);
            };
            if sorted {
                for (i, (k, v)) in map.iter().enumerate() {
                    write_entry(i, k, v);
                }
            } else {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    write_entry(i, k, v);
                }
            }
            out.push(b'}');
        }
    }
}

/// A JSON string as records write them: escaped as RFC 8785 escapes (format 2), which
/// is also how `serde_json` escaped the strings of format 1.
fn write_json_string(s: &str, out: &mut Vec<u8>) {
    crate::jcs::write_string(s, out);
}

/// The canonical JSON of format 1 of `value` as a string.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_canonical_json(value, &mut out);
    // Only valid UTF-8 is ever written: JSON punctuation and whole chars.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_hex_round_trip() {
        let d = Digest::of(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Digest::from_hex(&d.to_hex()), Ok(d));
        assert!(Digest::from_hex(&d.to_hex().to_uppercase()).is_err());
        assert!(Digest::from_hex("abc").is_err());
        assert!(Digest::from_hex(&"g".repeat(64)).is_err());
    }

    #[test]
    fn the_checked_hash_is_the_check_and_the_hash() {
        let mut r = AuditRecord {
            format: FORMAT_VERSION,
            instance: Uuid::from_u128(1),
            seq: 1,
            id: Uuid::from_u128(2),
            at: DateTime::<Utc>::UNIX_EPOCH,
            recorded_at: Some(DateTime::<Utc>::UNIX_EPOCH),
            definition: DefinitionRef {
                name: "d".into(),
                version: 1,
            },
            actor: Actor::new("wang").named("王敏").in_unit("综合办公室"),
            role: "office".into(),
            action: "create".into(),
            payload: json!({"n": 2.5, "s": "法", "k": [1, null]}).into(),
            from: "draft".into(),
            outcome: Outcome::Created,
            note: None,
            rules: None,
            prev_hash: Digest::ZERO,
            hash: Digest::ZERO,
        };
        assert_eq!(r.checked_hash(), Ok(r.compute_hash()));
        // No canonical form in format 2: the error `check_payload` gives.
        let inexact = json!({"a": [0, {"b": 9007199254740993u64}]});
        r.payload = inexact.clone().into();
        let refused = r.checked_hash().unwrap_err();
        assert_eq!(Err(refused), check_payload(r.format, &inexact));
        // Format 1 has no such rule: its hash as always.
        r.format = FORMAT_V1;
        r.recorded_at = None;
        assert_eq!(r.checked_hash(), Ok(r.compute_hash()));
    }

    #[test]
    fn canonical_json_sorts_keys_and_strips_whitespace() {
        let v = json!({"b": [1, 2.5, "x\"y\n"], "a": {"d": null, "c": true}, "é": "法"});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":true,"d":null},"b":[1,2.5,"x\"y\n"],"é":"法"}"#
        );
        // It agrees with serde_json on every string escape, so a payload read back
        // from any store hashes the same.
        let s = "\u{1}\u{1f}\u{7f}\t\u{8}\u{c}\\/";
        let mut ours = Vec::new();
        write_json_string(s, &mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(s).unwrap());
    }
}
