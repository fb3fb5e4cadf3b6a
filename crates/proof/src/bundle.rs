//! Proof bundles: everything needed to check, offline and with only the log's public
//! key, that a record is in a signed checkpoint, or that one checkpoint extends another.

use chrono::{DateTime, Utc};
use regula_core::merkle::record_leaf;
use regula_core::{AuditRecord, Digest, RecordParseError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use regula_core::checkpoint::{Checkpoint, CheckpointError, CheckpointNote};

use crate::checkpoint::CheckpointSigning as _;
use crate::keys::VerifierKey;
use crate::verify::{ProofError, verify_consistency, verify_inclusion};

/// The layout version of [`ProofBundle`] and [`ConsistencyBundle`] written by this crate.
pub const BUNDLE_FORMAT: u16 = 1;

/// A record, its position in the log, its inclusion proof and the signed checkpoint
/// the proof leads to. JSON, for example:
///
/// ```json
/// {
///   "format": 1,
///   "record": "{\"format\":1,\"instance\":\"…\",\"seq\":2,…}",
///   "leaf_index": 5,
///   "proof": ["9f0e…(64 hex digits)", "…"],
///   "checkpoint": "红石林区基层法院/regula\n8\nXcna…=\ntime 2024-03-01T02:00:00Z\n\n— 红石林区基层法院 …\n"
/// }
/// ```
///
/// - `format`: [`BUNDLE_FORMAT`];
/// - `record`: the record's canonical JSON ([`AuditRecord::to_json`]) as a string, so
///   that its bytes survive any JSON tool; its leaf hash is
///   `SHA-256(0x00 ‖ canonical bytes)` (see `regula_core::record`);
/// - `leaf_index`: the record's position in the whole log's append order, from 0;
/// - `proof`: the RFC 9162 inclusion proof, leaf to root, each hash as 64 lowercase
///   hex digits (as every digest in Regula's JSON);
/// - `checkpoint`: the signed checkpoint's text, whose size and root the proof is for.
///
/// Unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofBundle {
    /// The layout version.
    #[schemars(extend("const" = BUNDLE_FORMAT))]
    pub format: u16,
    /// The record's canonical JSON.
    #[schemars(schema_with = "crate::schema::record_text")]
    pub record: String,
    /// The record's position in the log, from 0.
    pub leaf_index: u64,
    /// The inclusion proof, leaf to root.
    pub proof: Vec<Digest>,
    /// The signed checkpoint's text.
    #[schemars(schema_with = "regula_core::schema::checkpoint_text")]
    pub checkpoint: String,
}

/// What a verified [`ProofBundle`] proves: the log `origin`, as signed by the key at
/// `time`, held `tree_size` records with root `root`, and `record` was the one at
/// `leaf_index`.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedBundle {
    /// The record.
    pub record: AuditRecord,
    /// Its instance.
    pub instance: Uuid,
    /// Its sequence number in the instance.
    pub seq: u64,
    /// Its position in the log.
    pub leaf_index: u64,
    /// The verified checkpoint.
    pub checkpoint: Checkpoint,
    /// The name of the key that signed it.
    pub key_name: String,
}

impl VerifiedBundle {
    /// The log's name.
    pub fn origin(&self) -> &str {
        self.checkpoint.origin()
    }

    /// The checkpoint's size.
    pub fn tree_size(&self) -> u64 {
        self.checkpoint.size()
    }

    /// The checkpoint's root.
    pub fn root(&self) -> Digest {
        self.checkpoint.root()
    }

    /// The checkpoint's time.
    pub fn time(&self) -> DateTime<Utc> {
        self.checkpoint.time()
    }
}

/// A bundle does not prove what it claims.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The text is not a bundle's JSON.
    #[error("not a proof bundle: {0}")]
    Json(#[source] serde_json::Error),
    /// The bundle's layout is not one this program reads.
    #[error("bundle format {found} is not supported (this program reads format {BUNDLE_FORMAT})")]
    UnsupportedFormat {
        /// The format found.
        found: u16,
    },
    /// A checkpoint is malformed, or its signature does not verify with the key.
    #[error("checkpoint: {0}")]
    Checkpoint(#[source] CheckpointError),
    /// The older checkpoint of a consistency bundle.
    #[error("older checkpoint: {0}")]
    OldCheckpoint(#[source] CheckpointError),
    /// The newer checkpoint of a consistency bundle.
    #[error("newer checkpoint: {0}")]
    NewCheckpoint(#[source] CheckpointError),
    /// The record is not a record in canonical JSON.
    #[error("record: {0}")]
    Record(#[source] RecordParseError),
    /// The record's `hash` field is not the hash of its content.
    #[error("record {instance} #{seq}: its hash field says {stated}, its content hashes to {computed}")]
    RecordHash {
        /// The instance.
        instance: Uuid,
        /// The sequence number.
        seq: u64,
        /// The `hash` field.
        stated: Digest,
        /// SHA-256 of its canonical bytes.
        computed: Digest,
    },
    /// The proof does not hold.
    #[error("the proof does not hold: {0}")]
    Proof(#[source] ProofError),
    /// Two checkpoints of different logs.
    #[error("the checkpoints are of different logs: {old:?} and {new:?}")]
    OriginMismatch {
        /// The older checkpoint's origin.
        old: String,
        /// The newer checkpoint's origin.
        new: String,
    },
}

impl ProofBundle {
    /// The bundle as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Strings, numbers and digests: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a bundle's JSON (not yet verified).
    pub fn from_json(text: &str) -> Result<ProofBundle, BundleError> {
        serde_json::from_str(text).map_err(BundleError::Json)
    }
}

/// Verifies a bundle with only the log's public key: the checkpoint's signature, the
/// record's canonical form and hash, and its inclusion proof against the checkpoint's
/// size and root, the whole proof and nothing but the proof.
pub fn verify_bundle(bundle: &ProofBundle, key: &VerifierKey) -> Result<VerifiedBundle, BundleError> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::UnsupportedFormat { found: bundle.format });
    }
    let checkpoint = CheckpointNote::open(&bundle.checkpoint, key).map_err(BundleError::Checkpoint)?;
    let body = checkpoint.checkpoint().clone();
    let record = AuditRecord::from_json(&bundle.record).map_err(BundleError::Record)?;
    let computed = record.compute_hash();
    if computed != record.hash {
        return Err(BundleError::RecordHash {
            instance: record.instance,
            seq: record.seq,
            stated: record.hash,
            computed,
        });
    }
    verify_inclusion(
        bundle.leaf_index,
        body.size(),
        &record_leaf(&record),
        &bundle.proof,
        &body.root(),
    )
    .map_err(BundleError::Proof)?;
    Ok(VerifiedBundle {
        instance: record.instance,
        seq: record.seq,
        record,
        leaf_index: bundle.leaf_index,
        checkpoint: body,
        key_name: key.name().to_owned(),
    })
}

/// An older and a newer signed checkpoint of one log and the consistency proof
/// between them: proof that the log only grew. JSON with `format`
/// ([`BUNDLE_FORMAT`]), `old` and `new` (signed checkpoint texts) and `proof` (hashes
/// as 64 lowercase hex digits); unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyBundle {
    /// The layout version.
    #[schemars(extend("const" = BUNDLE_FORMAT))]
    pub format: u16,
    /// The older signed checkpoint's text.
    #[schemars(schema_with = "regula_core::schema::checkpoint_text")]
    pub old: String,
    /// The newer signed checkpoint's text.
    #[schemars(schema_with = "regula_core::schema::checkpoint_text")]
    pub new: String,
    /// The RFC 9162 consistency proof from the older size to the newer.
    pub proof: Vec<Digest>,
}

impl ConsistencyBundle {
    /// The bundle as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a bundle's JSON (not yet verified).
    pub fn from_json(text: &str) -> Result<ConsistencyBundle, BundleError> {
        serde_json::from_str(text).map_err(BundleError::Json)
    }
}

/// Two verified checkpoints of one log, the newer extending the older.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedConsistency {
    /// The older checkpoint.
    pub old: Checkpoint,
    /// The newer checkpoint.
    pub new: Checkpoint,
}

/// Verifies that `new` extends `old`: both signed by `key`, of the same origin, and
/// `proof` a consistency proof from the older size and root to the newer.
///
/// The checkpoints' times are not compared: what matters is that the log only grew.
pub fn verify_consistency_between(
    old: &CheckpointNote,
    new: &CheckpointNote,
    proof: &[Digest],
    key: &VerifierKey,
) -> Result<VerifiedConsistency, BundleError> {
    let old = old.verify(key).map_err(BundleError::OldCheckpoint)?;
    let new = new.verify(key).map_err(BundleError::NewCheckpoint)?;
    if old.origin() != new.origin() {
        return Err(BundleError::OriginMismatch {
            old: old.origin().to_owned(),
            new: new.origin().to_owned(),
        });
    }
    verify_consistency(old.size(), new.size(), proof, &old.root(), &new.root()).map_err(BundleError::Proof)?;
    Ok(VerifiedConsistency {
        old: old.clone(),
        new: new.clone(),
    })
}

/// Verifies a [`ConsistencyBundle`] with only the log's public key.
pub fn verify_consistency_bundle(
    bundle: &ConsistencyBundle,
    key: &VerifierKey,
) -> Result<VerifiedConsistency, BundleError> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::UnsupportedFormat { found: bundle.format });
    }
    let old = CheckpointNote::parse(&bundle.old).map_err(BundleError::OldCheckpoint)?;
    let new = CheckpointNote::parse(&bundle.new).map_err(BundleError::NewCheckpoint)?;
    verify_consistency_between(&old, &new, &bundle.proof, key)
}
