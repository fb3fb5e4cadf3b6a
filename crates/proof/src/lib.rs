//! Provable history (placeholder docs).

mod tree;
mod verify;

pub use tree::{MerkleTree, TreeError, consistency_proof, inclusion_proof};
pub use verify::{
    ProofError, Which, consistency_proof_len, hash_from_bytes, inclusion_proof_len, proof_from_bytes,
    root_from_inclusion_proof, verify_consistency, verify_inclusion,
};
