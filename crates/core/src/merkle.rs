//! The RFC 6962 Merkle tree over every record of a store, in append order.
//!
//! Leaves are `SHA-256(0x00 ‖ record's canonical bytes)` and interior nodes
//! `SHA-256(0x01 ‖ left ‖ right)`; the tree of `n` leaves splits at the largest power
//! of two below `n` (RFC 6962, section 2.1). A store keeps only a [`CompactRange`], the
//! roots of the perfect subtrees that make up the tree so far: at most one per bit of
//! the size, so O(log n) state, updated in the same transaction as the records.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::record::{AuditRecord, Digest, with_scratch};

/// `SHA-256(0x00 ‖ data)`: the hash of a leaf.
pub fn leaf_hash(data: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Digest(h.finalize().into())
}

/// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an interior node.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Digest(h.finalize().into())
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Digest {
    Digest::of(b"")
}

/// The leaf hash of an audit record.
pub fn record_leaf(record: &AuditRecord) -> Digest {
    // Every append hashes each record as a leaf: encode into the per-thread buffer
    // hashing already uses, rather than a fresh allocation per record.
    with_scratch(|bytes| {
        bytes.push(0u8);
        record.write_canonical(bytes);
        Digest::of(bytes)
    })
}

/// The roots of the perfect subtrees covering leaves `0..size`, largest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactRange {
    size: u64,
    nodes: Vec<Digest>,
}

/// Stored compact-range bytes that do not fit their size.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a compact range of size {size} needs {expected} hashes ({expected_bytes} bytes), found {found_bytes} bytes")]
pub struct CompactRangeError {
    /// The size read.
    pub size: u64,
    /// The number of hashes that size needs.
    pub expected: u32,
    /// The bytes that needs.
    pub expected_bytes: usize,
    /// The bytes found.
    pub found_bytes: usize,
}

impl CompactRange {
    /// The empty tree.
    pub fn new() -> Self {
        CompactRange::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest first.
    pub fn nodes(&self) -> &[Digest] {
        &self.nodes
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Digest) {
        let mut hash = leaf;
        let mut size = self.size;
        // Each trailing 1 bit of the old size is a perfect subtree of the same height
        // as the one being carried: merge them, as binary addition carries.
        while size & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => hash = node_hash(&left, &hash),
                None => break,
            }
            size >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// The root hash of the tree (RFC 6962 MTH).
    pub fn root(&self) -> Digest {
        let mut iter = self.nodes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// The nodes as concatenated 32-byte hashes, for storage.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.nodes.iter().flat_map(|d| d.0).collect()
    }

    /// Rebuilds a range from its size and stored bytes, checking that they fit.
    pub fn from_parts(size: u64, bytes: &[u8]) -> Result<Self, CompactRangeError> {
        let expected = size.count_ones();
        let expected_bytes = expected as usize * 32;
        if bytes.len() != expected_bytes {
            return Err(CompactRangeError {
                size,
                expected,
                expected_bytes,
                found_bytes: bytes.len(),
            });
        }
        let nodes = bytes
            .chunks_exact(32)
            .map(|c| {
                let mut d = [0u8; 32];
                d.copy_from_slice(c);
                Digest(d)
            })
            .collect();
        Ok(CompactRange { size, nodes })
    }
}

/// The root of the tree over `leaves` (leaf hashes), computed from scratch.
pub fn root_of(leaves: &[Digest]) -> Digest {
    let mut range = CompactRange::new();
    for leaf in leaves {
        range.push(*leaf);
    }
    range.root()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962 MTH straight from its recursive definition.
    fn mth(leaves: &[Digest]) -> Digest {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn compact_range_matches_recursive_definition() {
        let leaves: Vec<Digest> = (0u32..70).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut range = CompactRange::new();
        assert_eq!(range.root(), mth(&[]));
        for (i, leaf) in leaves.iter().enumerate() {
            range.push(*leaf);
            assert_eq!(range.root(), mth(&leaves[..=i]), "size {}", i + 1);
            assert_eq!(range.nodes().len() as u32, range.size().count_ones());
            let back = CompactRange::from_parts(range.size(), &range.to_bytes()).unwrap();
            assert_eq!(back, range);
        }
    }

    #[test]
    fn from_parts_refuses_bytes_that_do_not_fit() {
        let err = CompactRange::from_parts(3, &[0u8; 32]).unwrap_err();
        assert_eq!(err.expected, 2);
        assert_eq!(err.found_bytes, 32);
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
