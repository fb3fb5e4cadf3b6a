//! Verifying inclusion and consistency proofs, exactly as RFC 9162 sections 2.1.3.2 and
//! 2.1.4.2 describe: every hash of the proof is consumed, and a proof with hashes left
//! over or missing is rejected, whatever the root it would give.
//!
//! Nothing here reads a store: a verifier needs only the proof, the leaf hash (or the
//! record it comes from) and the root(s) of the tree(s), so it can run on another
//! machine.

use std::fmt;

use regula_core::Digest;
use regula_core::merkle::{empty_root, node_hash};

/// Which of the two trees of a consistency proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The older, smaller tree (`size1`, `root1`).
    Old,
    /// The newer, larger tree (`size2`, `root2`).
    New,
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::Old => "older",
            Which::New => "newer",
        })
    }
}

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("the older tree ({size1} leaves) is larger than the newer one ({size2} leaves)")]
    SizesReversed {
        /// The older tree's size.
        size1: u64,
        /// The newer tree's size.
        size2: u64,
    },
    /// The proof does not have the number of hashes its sizes (and index) require.
    #[error("the proof has {found} hashes, a proof for these sizes has exactly {expected}")]
    WrongLength {
        /// How many hashes such a proof has.
        expected: usize,
        /// How many it has.
        found: usize,
    },
    /// The proof does not lead to the root of an inclusion proof's tree.
    #[error("the proof leads to root {computed}, the tree's root is {expected}")]
    RootMismatch {
        /// The root the proof gives.
        computed: Digest,
        /// The root it should give.
        expected: Digest,
    },
    /// The proof does not lead to one of the roots of a consistency proof's trees.
    #[error("the proof leads to the {which} tree's root {computed}, its root is {expected}")]
    ConsistencyRootMismatch {
        /// Which tree.
        which: Which,
        /// The root the proof gives.
        computed: Digest,
        /// The root it should give.
        expected: Digest,
    },
    /// A hash given as bytes is not 32 bytes long.
    #[error("{what} is {len} bytes long, a SHA-256 hash is 32")]
    HashLength {
        /// Which hash: `leaf hash`, `root`, `proof hash 2`, …
        what: String,
        /// Its length.
        len: usize,
    },
}

/// The number of hashes in an inclusion proof for leaf `index` of a tree of `size`
/// leaves (`index < size`): one per level below the point where the leaf's path leaves
/// the tree's right edge, plus one per perfect subtree to the left on the edge.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    let inner = bit_len(index ^ (size - 1));
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

/// The number of hashes in a consistency proof from a tree of `size1` leaves to one of
/// `size2`: none when `size1` is 0 or not below `size2`.
pub fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    if size1 == 0 || size1 >= size2 {
        return 0;
    }
    // The inclusion proof of the older tree's last leaf in the newer tree, less the
    // levels inside the perfect subtree that ends the older tree (its root stands for
    // them), plus that root itself unless it is the older tree's root.
    let inner = bit_len((size1 - 1) ^ (size2 - 1));
    let border = ((size1 - 1) >> inner).count_ones();
    let first = usize::from(!size1.is_power_of_two());
    (inner.saturating_sub(size1.trailing_zeros()) + border) as usize + first
}

fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Verifies that `leaf_hash` is the leaf at `leaf_index` of the tree of `tree_size`
/// leaves whose root is `root`, by RFC 9162 section 2.1.3.2.
///
/// The whole proof is used: a proof with a hash too many or too few is rejected with
/// [`ProofError::WrongLength`] even if it would lead to the right root.
pub fn verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Digest,
    proof: &[Digest],
    root: &Digest,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// The root that an inclusion proof leads to, after checking that the proof has
/// exactly the hashes its index and size require (RFC 9162 section 2.1.3.2, all steps
/// but the final comparison).
pub fn root_from_inclusion_proof(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Digest,
    proof: &[Digest],
) -> Result<Digest, ProofError> {
    if leaf_index >= tree_size {
        return Err(ProofError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    let wrong_length = || ProofError::WrongLength {
        expected: inclusion_proof_len(leaf_index, tree_size),
        found: proof.len(),
    };
    let mut fn_ = leaf_index;
    let mut sn = tree_size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(wrong_length());
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_length());
    }
    Ok(r)
}

/// Verifies that the tree of `size2` leaves with root `root2` extends the tree of
/// `size1` leaves with root `root1`: its first `size1` leaves are that tree's. RFC 9162
/// section 2.1.4.2, with its special cases:
///
/// - `size1 > size2` is rejected;
/// - `size1 == size2`: the proof must be empty and the roots equal;
/// - `size1 == 0`: the proof must be empty and `root1` the empty tree's root (every
///   tree extends the empty one);
/// - otherwise the proof must have exactly the hashes the sizes require and lead to
///   both roots.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Digest],
    root1: &Digest,
    root2: &Digest,
) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizesReversed { size1, size2 });
    }
    let wrong_length = || ProofError::WrongLength {
        expected: consistency_proof_len(size1, size2),
        found: proof.len(),
    };
    if size1 == size2 || size1 == 0 {
        if !proof.is_empty() {
            return Err(wrong_length());
        }
        let (which, expected, computed) = if size1 == 0 {
            (Which::Old, *root1, empty_root())
        } else {
            (Which::New, *root2, *root1)
        };
        if computed != expected {
            return Err(ProofError::ConsistencyRootMismatch {
                which,
                computed,
                expected,
            });
        }
        return Ok(());
    }
    // 0 < size1 < size2 from here on.
    let Some((first, rest)) = proof.split_first() else {
        return Err(wrong_length());
    };
    // When size1 is a power of two, the older root is itself a node of the newer
    // tree and the proof starts one hash later: prepend it.
    let (seed, path) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        (first, rest)
    };
    let mut fn_ = size1 - 1;
    let mut sn = size2 - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *seed;
    let mut sr = *seed;
    for c in path {
        if sn == 0 {
            return Err(wrong_length());
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_length());
    }
    if fr != *root1 {
        return Err(ProofError::ConsistencyRootMismatch {
            which: Which::Old,
            computed: fr,
            expected: *root1,
        });
    }
    if sr != *root2 {
        return Err(ProofError::ConsistencyRootMismatch {
            which: Which::New,
            computed: sr,
            expected: *root2,
        });
    }
    Ok(())
}

/// A 32-byte hash from bytes of any length, as read from another tool's output:
/// anything but 32 bytes is [`ProofError::HashLength`] naming `what`.
pub fn hash_from_bytes(what: impl fmt::Display, bytes: &[u8]) -> Result<Digest, ProofError> {
    <[u8; 32]>::try_from(bytes)
        .map(Digest)
        .map_err(|_| ProofError::HashLength {
            what: what.to_string(),
            len: bytes.len(),
        })
}

/// Proof hashes from byte strings of any length: the first one that is not 32 bytes is
/// [`ProofError::HashLength`] naming its position (from 1).
pub fn proof_from_bytes<B: AsRef<[u8]>>(hashes: &[B]) -> Result<Vec<Digest>, ProofError> {
    hashes
        .iter()
        .enumerate()
        .map(|(i, h)| hash_from_bytes(format_args!("proof hash {}", i + 1), h.as_ref()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_lengths_match_small_trees() {
        // Size 7: leaf 6 has siblings at two levels (the 4-subtree and the 2-subtree).
        assert_eq!(inclusion_proof_len(6, 7), 2);
        assert_eq!(inclusion_proof_len(0, 8), 3);
        assert_eq!(inclusion_proof_len(0, 1), 0);
        assert_eq!(inclusion_proof_len(1, 1), 0);
        assert_eq!(consistency_proof_len(4, 8), 1);
        assert_eq!(consistency_proof_len(3, 7), 4);
        assert_eq!(consistency_proof_len(1, 8), 3);
        assert_eq!(consistency_proof_len(8, 8), 0);
    }

    #[test]
    fn wrong_length_hashes_are_named() {
        let err = proof_from_bytes(&[vec![0u8; 32], vec![]]).unwrap_err();
        assert_eq!(
            err,
            ProofError::HashLength {
                what: "proof hash 2".into(),
                len: 0
            }
        );
    }
}
