//! Proofs from a store: the leaf hashes of its records in append order, inclusion
//! proofs for records against a checkpoint, consistency proofs to the store's current
//! head, and the check that a store still extends an older signed checkpoint.
//!
//! Everything here reads records through [`Store::scan`], in pages, and so works with
//! every backend. Reading a log is O(n); for many proofs on one log, build a [`Prover`]
//! once.

use std::collections::HashMap;

use regula_core::merkle::record_leaf;
use regula_core::store::CheckpointMismatch;
use regula_core::{AuditRecord, Digest, Store, StoreError, TreeHead};
use uuid::Uuid;

use crate::bundle::{BUNDLE_FORMAT, ProofBundle};
use regula_core::checkpoint::{CheckpointError, CheckpointNote};

use crate::checkpoint::CheckpointSigning as _;
use crate::keys::VerifierKey;
use crate::tree::{MerkleTree, TreeError};
use crate::verify::{ProofError, verify_consistency};

/// Records read per [`Store::scan`] call.
const PAGE: usize = 4096;

/// A proof could not be made from a store, or the store does not extend a checkpoint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sizes or positions outside the log.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The checkpoint is malformed or its signature does not verify.
    #[error("checkpoint: {0}")]
    Checkpoint(#[source] CheckpointError),
    /// The store does not extend the checkpoint: it was truncated, rolled back, or its
    /// history rewritten.
    #[error("the store does not extend the checkpoint: {0}")]
    Rollback(#[source] CheckpointMismatch),
    /// The tree head the store maintains on append disagrees with its records.
    #[error(
        "the store's tree head ({stored}) does not match its records ({computed}): rows were changed behind its back"
    )]
    TreeHeadMismatch {
        /// What the store maintains.
        stored: TreeHead,
        /// What its records give.
        computed: TreeHead,
    },
    /// Fewer records than asked for.
    #[error("asked for the first {wanted} records, the store has {found}")]
    TooFewRecords {
        /// How many were asked for.
        wanted: u64,
        /// How many the store has.
        found: u64,
    },
    /// No such record among the records the checkpoint covers.
    #[error("no record {seq} of instance {instance} among the {size} records of the checkpoint")]
    RecordNotFound {
        /// The instance.
        instance: Uuid,
        /// The sequence number.
        seq: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// A proof made from the store does not verify: the store changed while it was read.
    #[error("a proof made from the store does not verify: {0}")]
    Proof(#[source] ProofError),
}

impl ProveError {
    /// True when the store was truncated, rolled back or rewritten relative to a
    /// checkpoint.
    pub fn is_rollback(&self) -> bool {
        matches!(self, ProveError::Rollback(_))
    }
}

/// Reads records `0..size` in pages, calling `visit` with each position and record, and
/// returns their leaf hashes; stops early when the store has fewer.
fn scan_leaves<S: Store + ?Sized>(
    store: &S,
    size: u64,
    mut visit: impl FnMut(u64, &AuditRecord),
) -> Result<Vec<Digest>, StoreError> {
    let mut leaves = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 24));
    let mut position = 0u64;
    while position < size {
        let want = usize::try_from(size - position).unwrap_or(usize::MAX).min(PAGE);
        let page = store.scan(position, want)?;
        if page.is_empty() {
            break;
        }
        for record in page.iter().take(want) {
            leaves.push(record_leaf(record));
            visit(position, record);
            position += 1;
        }
    }
    Ok(leaves)
}

/// The leaf hashes of the store's first `size` records, in append order.
pub fn leaves_of<S: Store + ?Sized>(store: &S, size: u64) -> Result<Vec<Digest>, ProveError> {
    let leaves = scan_leaves(store, size, |_, _| {})?;
    if (leaves.len() as u64) < size {
        return Err(ProveError::TooFewRecords {
            wanted: size,
            found: leaves.len() as u64,
        });
    }
    Ok(leaves)
}

/// The [`MerkleTree`] over the store's first `size` records.
pub fn tree_of<S: Store + ?Sized>(store: &S, size: u64) -> Result<MerkleTree, ProveError> {
    leaves_of(store, size).map(MerkleTree::from_leaves)
}

/// The tree over the store's whole log, checked against the tree head the store
/// maintains on append.
fn current_tree<S: Store + ?Sized>(store: &S) -> Result<(TreeHead, MerkleTree), ProveError> {
    let stored = store.tree_head()?;
    let tree = checked_tree(stored, scan_leaves(store, stored.size, |_, _| {})?)?;
    Ok((stored, tree))
}

/// The tree over `leaves`, the records read for the tree head `stored`, refused when
/// the two disagree.
fn checked_tree(stored: TreeHead, leaves: Vec<Digest>) -> Result<MerkleTree, ProveError> {
    let tree = MerkleTree::from_leaves(leaves);
    let computed = TreeHead {
        size: tree.size(),
        root: tree.root(),
    };
    if computed != stored {
        return Err(ProveError::TreeHeadMismatch { stored, computed });
    }
    Ok(tree)
}

fn check_root(tree: &MerkleTree, old: TreeHead) -> Result<(), ProveError> {
    if tree.size() < old.size {
        return Err(ProveError::Rollback(CheckpointMismatch::Truncated {
            checkpoint: old.size,
            store: tree.size(),
        }));
    }
    let found = tree.root_at(old.size)?;
    if found != old.root {
        return Err(ProveError::Rollback(CheckpointMismatch::RootDiffers {
            size: old.size,
            expected: old.root,
            found,
        }));
    }
    Ok(())
}

/// A proof bundle for record `seq` of `instance` against `checkpoint`.
///
/// Reads the checkpoint's first `size` records to find the record's position and hash
/// the tree: O(n) per call, fine for a command line; use a [`Prover`] for many proofs.
/// Refuses with [`ProveError::Rollback`] when the store's first `size` records do not
/// have the checkpoint's root. The checkpoint's signature is not checked here (the
/// bundle's verifier checks it).
pub fn prove_record<S: Store + ?Sized>(
    store: &S,
    checkpoint: &CheckpointNote,
    instance: Uuid,
    seq: u64,
) -> Result<ProofBundle, ProveError> {
    let body = checkpoint.checkpoint();
    let mut found: Option<(u64, AuditRecord)> = None;
    let leaves = scan_leaves(store, body.size(), |position, record| {
        if found.is_none() && record.instance == instance && record.seq == seq {
            found = Some((position, record.clone()));
        }
    })?;
    let tree = MerkleTree::from_leaves(leaves);
    check_root(&tree, body.tree_head())?;
    let (leaf_index, record) = found.ok_or(ProveError::RecordNotFound {
        instance,
        seq,
        size: body.size(),
    })?;
    let proof = tree.inclusion_proof(leaf_index, body.size())?;
    Ok(ProofBundle {
        format: BUNDLE_FORMAT,
        record: record.to_json(),
        leaf_index,
        proof,
        checkpoint: checkpoint.to_text(),
    })
}

/// The store's current tree head and the consistency proof from its first `old_size`
/// records to it. O(n): reads the whole log, and checks it against the tree head the
/// store maintains.
pub fn prove_consistency<S: Store + ?Sized>(store: &S, old_size: u64) -> Result<(TreeHead, Vec<Digest>), ProveError> {
    let (head, tree) = current_tree(store)?;
    if head.size < old_size {
        return Err(ProveError::Rollback(CheckpointMismatch::Truncated {
            checkpoint: old_size,
            store: head.size,
        }));
    }
    let proof = tree.consistency_proof(old_size, head.size)?;
    Ok((head, proof))
}

/// What [`verify_since`] and [`check_extends`] found: the store extends the older
/// tree head, and the proof of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinceReport {
    /// The older tree head (the checkpoint's).
    pub old: TreeHead,
    /// The store's current tree head.
    pub head: TreeHead,
    /// The consistency proof from `old` to `head`, verified.
    pub proof: Vec<Digest>,
}

/// Checks that the store extends `old`: it holds at least `old.size` records, the first
/// `old.size` of them have root `old.root`, its tree head matches its records, and the
/// consistency proof from `old` to its head verifies. O(n).
///
/// A store truncated or rolled back to an earlier state, or rolled back and grown
/// again with other records, is [`ProveError::Rollback`].
pub fn check_extends<S: Store + ?Sized>(store: &S, old: TreeHead) -> Result<SinceReport, ProveError> {
    let stored = store.tree_head()?;
    if stored.size < old.size {
        return Err(ProveError::Rollback(CheckpointMismatch::Truncated {
            checkpoint: old.size,
            store: stored.size,
        }));
    }
    let (head, tree) = current_tree(store)?;
    check_root(&tree, old)?;
    let proof = tree.consistency_proof(old.size, head.size)?;
    verify_consistency(old.size, head.size, &proof, &old.root, &head.root).map_err(ProveError::Proof)?;
    Ok(SinceReport { old, head, proof })
}

/// Verifies the older checkpoint's signature with `key` (an unsigned checkpoint is
/// [`CheckpointError::Unsigned`]), then [`check_extends`]: the check of extension that
/// `regula verify --checkpoint FILE --key PUB` makes, without verifying the rest of the
/// store.
pub fn verify_since<S: Store + ?Sized>(
    store: &S,
    old: &CheckpointNote,
    key: &VerifierKey,
) -> Result<SinceReport, ProveError> {
    let body = old.verify(key).map_err(ProveError::Checkpoint)?;
    check_extends(store, body.tree_head())
}

/// Many proofs from one log: the [`MerkleTree`] over every record and an index from
/// (instance, sequence number) to position, built with one pass over the store. About
/// 100 bytes per record (100 MB for a million); each proof then costs O(log n).
#[derive(Clone, Debug, Default)]
pub struct Prover {
    tree: MerkleTree,
    positions: HashMap<(Uuid, u64), u64>,
}

impl Prover {
    /// Reads the whole log, checking it against the store's tree head.
    pub fn from_store<S: Store + ?Sized>(store: &S) -> Result<Prover, ProveError> {
        let stored = store.tree_head()?;
        let mut positions = HashMap::with_capacity(usize::try_from(stored.size).unwrap_or(0).min(1 << 24));
        let leaves = scan_leaves(store, stored.size, |position, record| {
            positions.insert((record.instance, record.seq), position);
        })?;
        let tree = checked_tree(stored, leaves)?;
        Ok(Prover { tree, positions })
    }

    /// Adds a record appended after the ones read, to keep up with a growing log.
    pub fn push(&mut self, record: &AuditRecord) {
        self.positions.insert((record.instance, record.seq), self.tree.size());
        self.tree.push(record_leaf(record));
    }

    /// The tree over the records read.
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    /// The number of records read.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The position of record `seq` of `instance` in the log.
    pub fn position(&self, instance: Uuid, seq: u64) -> Option<u64> {
        self.positions.get(&(instance, seq)).copied()
    }

    /// A proof bundle for record `seq` of `instance` against `checkpoint`: looks up its
    /// position, reads that one record from `store` and proves it. Checks that the
    /// checkpoint's root is this log's root at its size, and that the record read is the
    /// one indexed.
    pub fn prove<S: Store + ?Sized>(
        &self,
        store: &S,
        checkpoint: &CheckpointNote,
        instance: Uuid,
        seq: u64,
    ) -> Result<ProofBundle, ProveError> {
        let body = checkpoint.checkpoint();
        check_root(&self.tree, body.tree_head())?;
        let leaf_index =
            self.position(instance, seq)
                .filter(|&i| i < body.size())
                .ok_or(ProveError::RecordNotFound {
                    instance,
                    seq,
                    size: body.size(),
                })?;
        let record = store
            .scan(leaf_index, 1)?
            .into_iter()
            .next()
            .filter(|r| r.instance == instance && r.seq == seq && self.tree.leaf(leaf_index) == Some(record_leaf(r)))
            .ok_or_else(|| StoreError::Corrupt {
                place: format!("position {leaf_index}"),
                message: format!("expected record {seq} of instance {instance} as indexed, found another"),
            })?;
        let proof = self.tree.inclusion_proof(leaf_index, body.size())?;
        Ok(ProofBundle {
            format: BUNDLE_FORMAT,
            record: record.to_json(),
            leaf_index,
            proof,
            checkpoint: checkpoint.to_text(),
        })
    }

    /// The inclusion proof of the record at `leaf_index` in the tree of `size` records,
    /// with no store access: what a benchmark of proof generation measures.
    pub fn inclusion_proof(&self, leaf_index: u64, size: u64) -> Result<Vec<Digest>, ProveError> {
        Ok(self.tree.inclusion_proof(leaf_index, size)?)
    }

    /// The consistency proof from the first `size1` records to the first `size2`.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Digest>, ProveError> {
        Ok(self.tree.consistency_proof(size1, size2)?)
    }
}
