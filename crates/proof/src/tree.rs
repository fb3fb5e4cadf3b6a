//! Generating inclusion and consistency proofs from leaf hashes (RFC 6962 sections
//! 2.1.1 and 2.1.2, which RFC 9162 sections 2.1.3.1 and 2.1.4.1 restate).
//!
//! [`inclusion_proof`] and [`consistency_proof`] work on a slice of leaf hashes and
//! hash O(n) nodes per call: fine for one proof. For many proofs on a large log, build a
//! [`MerkleTree`] once (O(n) hashes, about 64 bytes per leaf) and ask it: each proof then
//! costs O(log n) lookups and at most O(log n) hashes.

use regula_core::Digest;
use regula_core::merkle::{empty_root, node_hash, root_of};

/// A proof was asked for leaves or sizes the tree does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// No leaf at this index in a tree of this size.
    #[error("no leaf {index} in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The size of the tree it was asked in.
        size: u64,
    },
    /// A tree size larger than the leaves available.
    #[error("a tree of {size} leaves was asked for, only {available} leaves are known")]
    SizeOutOfRange {
        /// The size asked for.
        size: u64,
        /// The leaves known.
        available: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("no consistency proof from {size1} leaves back to {size2}: a log only grows")]
    SizesReversed {
        /// The older size.
        size1: u64,
        /// The newer size.
        size2: u64,
    },
}

/// Where a proof generator gets the root of a subtree `[start, end)`. The generators
/// only ask for subtrees that RFC 6962's recursion produces: `start` is a multiple of
/// the largest power of two not above `end - start`, and a subtree whose size is not a
/// power of two ends the tree the proof is for.
trait Nodes {
    fn subtree_root(&self, start: u64, end: u64) -> Digest;
}

impl Nodes for [Digest] {
    fn subtree_root(&self, start: u64, end: u64) -> Digest {
        root_of(&self[start as usize..end as usize])
    }
}

/// The largest power of two strictly below `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    1u64 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// PATH(index, D[0:size]), leaf to root. `index < size`.
fn inclusion_path<N: Nodes + ?Sized>(nodes: &N, index: u64, size: u64) -> Vec<Digest> {
    let mut out = Vec::with_capacity(64);
    let (mut start, mut end) = (0u64, size);
    while end - start > 1 {
        let k = split_point(end - start);
        if index < start + k {
            out.push(nodes.subtree_root(start + k, end));
            end = start + k;
        } else {
            out.push(nodes.subtree_root(start, start + k));
            start += k;
        }
    }
    out.reverse();
    out
}

/// PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true), innermost first.
/// `0 < size1 < size2`.
fn consistency_path<N: Nodes + ?Sized>(nodes: &N, size1: u64, size2: u64) -> Vec<Digest> {
    let mut out = Vec::with_capacity(64);
    let (mut start, mut end) = (0u64, size2);
    let mut whole = true;
    loop {
        let len = end - start;
        let m = size1 - start;
        if m == len {
            if !whole {
                out.push(nodes.subtree_root(start, end));
            }
            break;
        }
        let k = split_point(len);
        if m <= k {
            out.push(nodes.subtree_root(start + k, end));
            end = start + k;
        } else {
            out.push(nodes.subtree_root(start, start + k));
            start += k;
            whole = false;
        }
    }
    out.reverse();
    out
}

fn check_index(index: u64, size: u64, available: u64) -> Result<(), TreeError> {
    if size > available {
        return Err(TreeError::SizeOutOfRange { size, available });
    }
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    Ok(())
}

fn check_sizes(size1: u64, size2: u64, available: u64) -> Result<(), TreeError> {
    if size2 > available {
        return Err(TreeError::SizeOutOfRange { size: size2, available });
    }
    if size1 > size2 {
        return Err(TreeError::SizesReversed { size1, size2 });
    }
    Ok(())
}

/// The inclusion proof of leaf `index` in the tree over all of `leaves`, leaf to root,
/// as [`verify_inclusion`](crate::verify_inclusion) takes it. Hashes O(n) nodes.
pub fn inclusion_proof(leaves: &[Digest], index: u64) -> Result<Vec<Digest>, TreeError> {
    let size = leaves.len() as u64;
    check_index(index, size, size)?;
    Ok(inclusion_path(leaves, index, size))
}

/// The consistency proof from the tree over the first `size1` of `leaves` to the tree
/// over the first `size2`, as [`verify_consistency`](crate::verify_consistency) takes
/// it (empty when `size1` is 0 or equals `size2`). Hashes O(n) nodes.
pub fn consistency_proof(leaves: &[Digest], size1: u64, size2: u64) -> Result<Vec<Digest>, TreeError> {
    check_sizes(size1, size2, leaves.len() as u64)?;
    if size1 == 0 || size1 == size2 {
        return Ok(Vec::new());
    }
    Ok(consistency_path(leaves, size1, size2))
}

/// Every complete subtree of a log, for fast proofs: level `h` holds the roots of the
/// perfect subtrees of `2^h` leaves, so level 0 holds the leaves and the whole holds
/// fewer than `2n` hashes (64 MiB for a million leaves).
///
/// Proofs can be asked against any size up to [`size`](MerkleTree::size), so one tree
/// built from a store serves proofs against every older checkpoint too. Appending a
/// leaf costs one hash amortized, as in a [`CompactRange`](regula_core::merkle::CompactRange).
///
/// ```
/// use regula_core::merkle::leaf_hash;
/// use regula_proof::{MerkleTree, verify_consistency, verify_inclusion};
///
/// let tree = MerkleTree::from_leaves((0u32..1000).map(|i| leaf_hash(&i.to_be_bytes())).collect());
/// let proof = tree.inclusion_proof(417, 1000)?;
/// verify_inclusion(417, 1000, &leaf_hash(&417u32.to_be_bytes()), &proof, &tree.root())?;
///
/// let old = tree.root_at(600)?;
/// let proof = tree.consistency_proof(600, 1000)?;
/// verify_consistency(600, 1000, &proof, &old, &tree.root())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerkleTree {
    levels: Vec<Vec<Digest>>,
}

impl MerkleTree {
    /// The empty tree.
    pub fn new() -> Self {
        MerkleTree::default()
    }

    /// The tree over `leaves` (leaf hashes, in order).
    pub fn from_leaves(leaves: Vec<Digest>) -> Self {
        // One form for the empty tree, whichever way it was made (equality compares
        // the levels).
        if leaves.is_empty() {
            return MerkleTree::new();
        }
        let mut levels = vec![leaves];
        while let Some(below) = levels.last()
            && below.len() >= 2
        {
            let above: Vec<Digest> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            levels.push(above);
        }
        MerkleTree { levels }
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Digest) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        let mut carry = leaf;
        let mut h = 0;
        loop {
            let level = &mut self.levels[h];
            level.push(carry);
            if level.len() % 2 == 1 {
                break;
            }
            carry = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            h += 1;
            if self.levels.len() == h {
                self.levels.push(Vec::new());
            }
        }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The leaf hashes.
    pub fn leaves(&self) -> &[Digest] {
        self.levels.first().map_or(&[], |l| l.as_slice())
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Option<Digest> {
        usize::try_from(index).ok().and_then(|i| self.leaves().get(i).copied())
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Digest {
        match self.size() {
            0 => empty_root(),
            n => self.subtree_root(0, n),
        }
    }

    /// The root of the tree over the first `size` leaves: what a checkpoint of that size
    /// says.
    pub fn root_at(&self, size: u64) -> Result<Digest, TreeError> {
        if size > self.size() {
            return Err(TreeError::SizeOutOfRange {
                size,
                available: self.size(),
            });
        }
        Ok(if size == 0 {
            empty_root()
        } else {
            self.subtree_root(0, size)
        })
    }

    /// The inclusion proof of leaf `index` in the tree over the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>, TreeError> {
        check_index(index, size, self.size())?;
        Ok(inclusion_path(self, index, size))
    }

    /// The consistency proof from the tree over the first `size1` leaves to the tree
    /// over the first `size2` (empty when `size1` is 0 or equals `size2`).
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Digest>, TreeError> {
        check_sizes(size1, size2, self.size())?;
        if size1 == 0 || size1 == size2 {
            return Ok(Vec::new());
        }
        Ok(consistency_path(self, size1, size2))
    }
}

impl Nodes for MerkleTree {
    /// `[start, end)` with `start < end <= size`, `start` a multiple of the largest
    /// power of two not above `end - start`: a perfect subtree, read from its level, or
    /// one that ends the tree asked for, split as RFC 6962 splits it.
    fn subtree_root(&self, start: u64, end: u64) -> Digest {
        let len = end - start;
        if len.is_power_of_two() {
            let h = len.trailing_zeros() as usize;
            return self.levels[h][(start >> h) as usize];
        }
        let k = split_point(len);
        node_hash(&self.subtree_root(start, start + k), &self.subtree_root(start + k, end))
    }
}

impl FromIterator<Digest> for MerkleTree {
    fn from_iter<I: IntoIterator<Item = Digest>>(iter: I) -> Self {
        MerkleTree::from_leaves(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use regula_core::merkle::leaf_hash;

    use super::*;

    fn leaves(n: u32) -> Vec<Digest> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn pushing_and_building_agree_with_core_roots() {
        let all = leaves(70);
        let mut pushed = MerkleTree::new();
        assert_eq!(pushed.root(), empty_root());
        for (i, leaf) in all.iter().enumerate() {
            pushed.push(*leaf);
            let built = MerkleTree::from_leaves(all[..=i].to_vec());
            assert_eq!(pushed, built, "size {}", i + 1);
            assert_eq!(pushed.root(), root_of(&all[..=i]), "size {}", i + 1);
        }
        for size in 0..=70u64 {
            assert_eq!(pushed.root_at(size).unwrap(), root_of(&all[..size as usize]));
        }
    }

    #[test]
    fn tree_and_slice_proofs_agree() {
        let all = leaves(37);
        let tree = MerkleTree::from_leaves(all.clone());
        for size in 1..=37u64 {
            let prefix = &all[..size as usize];
            for index in 0..size {
                assert_eq!(
                    tree.inclusion_proof(index, size).unwrap(),
                    inclusion_proof(prefix, index).unwrap()
                );
            }
            for size1 in 0..=size {
                assert_eq!(
                    tree.consistency_proof(size1, size).unwrap(),
                    consistency_proof(&all, size1, size).unwrap()
                );
            }
        }
    }

    #[test]
    fn rfc6962_example_proofs_have_the_documented_shape() {
        // RFC 6962 section 2.1.3: the tree of 7 leaves a..g; the consistency proof
        // from 3 to 7 is [c, d, g, l], from 4 to 7 is [l], from 6 to 7 is [i, j, k].
        let d = leaves(7);
        let tree = MerkleTree::from_leaves(d.clone());
        let node = |s, e| tree.subtree_root(s, e);
        assert_eq!(
            tree.consistency_proof(3, 7).unwrap(),
            vec![d[2], d[3], node(0, 2), node(4, 7)]
        );
        assert_eq!(tree.consistency_proof(4, 7).unwrap(), vec![node(4, 7)]);
        assert_eq!(
            tree.consistency_proof(6, 7).unwrap(),
            vec![node(4, 6), d[6], node(0, 4)]
        );
        // The inclusion proof of d[3] (leaf 3) is [c, g, l]: sibling leaf, then up.
        assert_eq!(tree.inclusion_proof(3, 7).unwrap(), vec![d[2], node(0, 2), node(4, 7)]);
    }

    #[test]
    fn out_of_range_requests_are_refused() {
        let tree = MerkleTree::from_leaves(leaves(5));
        assert_eq!(
            tree.inclusion_proof(5, 5),
            Err(TreeError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            tree.inclusion_proof(0, 6),
            Err(TreeError::SizeOutOfRange { size: 6, available: 5 })
        );
        assert_eq!(
            tree.consistency_proof(4, 3),
            Err(TreeError::SizesReversed { size1: 4, size2: 3 })
        );
        assert_eq!(
            tree.root_at(6),
            Err(TreeError::SizeOutOfRange { size: 6, available: 5 })
        );
        assert_eq!(
            inclusion_proof(&[], 0),
            Err(TreeError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert_eq!(tree.leaf(5), None);
    }
}
