//! Provable history (docs to come).

mod bundle;
mod checkpoint;
mod keys;
mod store;
mod tree;
mod verify;

pub use bundle::{
    BUNDLE_FORMAT, BundleError, ConsistencyBundle, ProofBundle, VerifiedBundle, VerifiedConsistency, verify_bundle,
    verify_consistency_between, verify_consistency_bundle,
};
pub use checkpoint::{
    CheckpointBody, CheckpointError, MAX_CHECKPOINT_LEN, MAX_SIGNATURES, NoteSignature, SIGNATURE_PREFIX,
    SignedCheckpoint, check_origin,
};
pub use keys::{ALG_ED25519, KeyError, KeyId, SigningKey, VerifierKey, check_key_name};
pub use store::{ProveError, Prover, SinceReport, check_extends, leaves_of, prove_consistency, prove_record, tree_of, verify_since};
pub use tree::{MerkleTree, TreeError, consistency_proof, inclusion_proof};
pub use verify::{
    ProofError, Which, consistency_proof_len, hash_from_bytes, inclusion_proof_len, proof_from_bytes,
    root_from_inclusion_proof, verify_consistency, verify_inclusion,
};
