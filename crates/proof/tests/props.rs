//! Property tests: on random trees of up to a few thousand leaves, every inclusion and
//! consistency proof verifies, and every mutated proof is rejected: a flipped bit, a
//! wrong index or size, a missing or extra hash, swapped or altered roots. The verifier
//! uses the whole proof, never part of it (cf. immudb CVE-2022-36111).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use regula_core::Digest;
use regula_core::merkle::{empty_root, leaf_hash, root_of};
use regula_proof::{
    MerkleTree, ProofError, consistency_proof, consistency_proof_len, inclusion_proof, inclusion_proof_len,
    verify_consistency, verify_inclusion,
};

fn leaves(n: u64, salt: u64) -> Vec<Digest> {
    (0..n)
        .map(|i| leaf_hash(&[salt.to_be_bytes(), i.to_be_bytes()].concat()))
        .collect()
}

fn flip(d: &Digest, bit: usize) -> Digest {
    let mut d = *d;
    d.0[(bit / 8) % 32] ^= 1 << (bit % 8);
    d
}

/// An oracle written independently of the verifier: the sides of the siblings of leaf
/// `index` in the tree of `size` leaves (true: the sibling is on the left), leaf to root,
/// from RFC 6962's PATH recursion. Two (index, size) pairs with the same sides make the
/// verifier hash exactly the same things.
fn sides(index: u64, size: u64) -> Vec<bool> {
    let mut out = Vec::new();
    let (mut start, mut end) = (0, size);
    while end - start > 1 {
        let k = 1u64 << (63 - (end - start - 1).leading_zeros());
        if index < start + k {
            out.push(false);
            end = start + k;
        } else {
            out.push(true);
            start += k;
        }
    }
    out.reverse();
    out
}

/// Tree sizes: mostly small (every shape), some in the thousands.
fn tree_size() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 1u64..=64, 2 => 65u64..=600, 1 => 600u64..=4096]
}

fn check_inclusion_mutations(tree: &MerkleTree, index: u64, size: u64, picks: &[u64]) {
    let n = tree.size();
    let proof = tree.inclusion_proof(index, size).unwrap();
    let leaf = tree.leaf(index).unwrap();
    let root = tree.root_at(size).unwrap();
    assert_eq!(proof.len(), inclusion_proof_len(index, size));
    verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
    let pick = |i: usize, m: u64| picks[i % picks.len()] % m.max(1);

    // A flipped bit anywhere: in a proof hash, the leaf, the root.
    if !proof.is_empty() {
        let k = pick(0, proof.len() as u64) as usize;
        let mut bad = proof.clone();
        bad[k] = flip(&bad[k], pick(1, 256) as usize);
        assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
    }
    assert!(verify_inclusion(index, size, &flip(&leaf, pick(2, 256) as usize), &proof, &root).is_err());
    assert!(verify_inclusion(index, size, &leaf, &proof, &flip(&root, pick(3, 256) as usize)).is_err());

    // A missing hash, an extra one (anywhere), a duplicated one: the wrong length.
    let wrong_length = |bad: &[Digest]| {
        matches!(
            verify_inclusion(index, size, &leaf, bad, &root),
            Err(ProofError::WrongLength { .. })
        )
    };
    if !proof.is_empty() {
        let mut bad = proof.clone();
        bad.remove(pick(4, proof.len() as u64) as usize);
        assert!(wrong_length(&bad));
    }
    let mut bad = proof.clone();
    bad.insert(pick(5, proof.len() as u64 + 1) as usize, leaf_hash(b"extra"));
    assert!(wrong_length(&bad));
    let mut bad = proof.clone();
    bad.push(root);
    assert!(wrong_length(&bad));
    let mut bad = proof.clone();
    bad.insert(0, leaf);
    assert!(wrong_length(&bad));

    // Two hashes swapped.
    if proof.len() >= 2 {
        let (a, b) = (
            pick(6, proof.len() as u64) as usize,
            pick(7, proof.len() as u64) as usize,
        );
        if proof[a] != proof[b] {
            let mut bad = proof.clone();
            bad.swap(a, b);
            assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
        }
    }

    // A wrong index: another leaf's place, or outside the tree.
    for other in [
        index + 1,
        index.wrapping_sub(1),
        index ^ 2,
        index ^ (1 << pick(8, 12)),
        pick(9, size),
    ] {
        if other == index {
            continue;
        }
        let result = verify_inclusion(other, size, &leaf, &proof, &root);
        if other >= size {
            assert!(matches!(result, Err(ProofError::IndexOutOfRange { .. })));
        } else {
            assert!(result.is_err(), "index {index} claimed as {other} in {size}");
        }
    }

    // A wrong size. With the root of that size (as a genuine checkpoint of that size
    // would give), it verifies only if it is that size's genuine proof too...
    for other in [size + 1, size - 1, size * 2, size / 2, 1 + pick(10, n)] {
        if other == size || other <= index || other > n {
            continue;
        }
        let other_root = tree.root_at(other).unwrap();
        let genuine = tree.inclusion_proof(index, other).unwrap() == proof;
        assert_eq!(
            verify_inclusion(index, other, &leaf, &proof, &other_root).is_ok(),
            genuine,
            "index {index}: size {size} claimed as {other}"
        );
        // ... and with this size's root, only where the verifier hashes the very same
        // things (a size is bound to its root by the checkpoint's signature).
        assert_eq!(
            verify_inclusion(index, other, &leaf, &proof, &root).is_ok(),
            sides(index, other) == sides(index, size),
            "index {index}: size {size} claimed as {other}, same root"
        );
        // The root of another size, with this size.
        assert!(verify_inclusion(index, size, &leaf, &proof, &other_root).is_err());
    }
    assert!(verify_inclusion(index, 0, &leaf, &proof, &root).is_err());
}

fn check_consistency_mutations(tree: &MerkleTree, size1: u64, size2: u64, picks: &[u64]) {
    let n = tree.size();
    let proof = tree.consistency_proof(size1, size2).unwrap();
    let root1 = tree.root_at(size1).unwrap();
    let root2 = tree.root_at(size2).unwrap();
    assert_eq!(proof.len(), consistency_proof_len(size1, size2));
    verify_consistency(size1, size2, &proof, &root1, &root2).unwrap();
    let pick = |i: usize, m: u64| picks[i % picks.len()] % m.max(1);

    if !proof.is_empty() {
        let k = pick(0, proof.len() as u64) as usize;
        let mut bad = proof.clone();
        bad[k] = flip(&bad[k], pick(1, 256) as usize);
        assert!(verify_consistency(size1, size2, &bad, &root1, &root2).is_err());
        let mut bad = proof.clone();
        bad.remove(pick(2, proof.len() as u64) as usize);
        assert!(matches!(
            verify_consistency(size1, size2, &bad, &root1, &root2),
            Err(ProofError::WrongLength { .. })
        ));
    }
    let mut bad = proof.clone();
    bad.insert(pick(3, proof.len() as u64 + 1) as usize, leaf_hash(b"extra"));
    assert!(matches!(
        verify_consistency(size1, size2, &bad, &root1, &root2),
        Err(ProofError::WrongLength { .. })
    ));
    let mut bad = proof.clone();
    bad.push(root2);
    assert!(verify_consistency(size1, size2, &bad, &root1, &root2).is_err());
    let mut bad = proof.clone();
    bad.insert(0, root1);
    assert!(verify_consistency(size1, size2, &bad, &root1, &root2).is_err());

    // Both roots are checked: altering either one is caught (the empty tree is a prefix
    // of every tree, so from size 0 only the older root is constrained).
    assert!(verify_consistency(size1, size2, &proof, &flip(&root1, pick(4, 256) as usize), &root2).is_err());
    if size1 > 0 {
        assert!(verify_consistency(size1, size2, &proof, &root1, &flip(&root2, pick(5, 256) as usize)).is_err());
    }
    if size1 != size2 {
        assert!(
            verify_consistency(size1, size2, &proof, &root2, &root1).is_err(),
            "swapped roots"
        );
        assert!(matches!(
            verify_consistency(size2, size1, &proof, &root2, &root1),
            Err(ProofError::SizesReversed { .. })
        ));
    }

    // Wrong sizes, with the genuine roots of those sizes: verifies only where the proof
    // is also the genuine proof for them.
    let candidates = [
        (size1 + 1, size2),
        (size1.wrapping_sub(1), size2),
        (size1, size2 + 1),
        (size1, size2.wrapping_sub(1)),
        (size1 * 2, size2),
        (size1, size2 / 2),
        (size1 ^ 2, size2),
        (pick(6, size2 + 1), size2),
        (size1, size1 + pick(7, n - size1 + 1)),
    ];
    for (m, s) in candidates {
        if (m, s) == (size1, size2) || m > s || s > n {
            continue;
        }
        let genuine = tree.consistency_proof(m, s).unwrap() == proof;
        let (r1, r2) = (tree.root_at(m).unwrap(), tree.root_at(s).unwrap());
        assert_eq!(
            verify_consistency(m, s, &proof, &r1, &r2).is_ok(),
            genuine,
            "{size1}->{size2} claimed as {m}->{s}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn inclusion_proofs_verify_and_mutations_are_rejected(
        n in tree_size(),
        index_pick in any::<u64>(),
        size_pick in any::<u64>(),
        salt in any::<u64>(),
        picks in prop::collection::vec(any::<u64>(), 12),
    ) {
        let tree = MerkleTree::from_leaves(leaves(n, salt));
        // Against the whole tree, and against an older size.
        for size in [n, 1 + size_pick % n] {
            let index = index_pick % size;
            check_inclusion_mutations(&tree, index, size, &picks);
        }
    }

    #[test]
    fn consistency_proofs_verify_and_mutations_are_rejected(
        n in tree_size(),
        a in any::<u64>(),
        b in any::<u64>(),
        salt in any::<u64>(),
        picks in prop::collection::vec(any::<u64>(), 12),
    ) {
        let tree = MerkleTree::from_leaves(leaves(n, salt));
        let size2 = if a % 3 == 0 { n } else { a % (n + 1) };
        let size1 = match b % 8 {
            0 => 0,
            1 => size2,
            2 => size2.next_power_of_two() / 2,
            _ => b % (size2 + 1),
        };
        let size1 = size1.min(size2);
        check_consistency_mutations(&tree, size1, size2, &picks);
    }

    #[test]
    fn slice_and_tree_proofs_agree(n in 1u64..=300, i in any::<u64>(), m in any::<u64>(), salt in any::<u64>()) {
        let all = leaves(n, salt);
        let tree = MerkleTree::from_leaves(all.clone());
        prop_assert_eq!(tree.root(), root_of(&all));
        let index = i % n;
        prop_assert_eq!(inclusion_proof(&all, index).unwrap(), tree.inclusion_proof(index, n).unwrap());
        let size1 = m % (n + 1);
        prop_assert_eq!(consistency_proof(&all, size1, n).unwrap(), tree.consistency_proof(size1, n).unwrap());
    }

    #[test]
    fn a_pushed_tree_equals_a_built_one(n in 0u64..=2000, salt in any::<u64>()) {
        let all = leaves(n, salt);
        let mut pushed = MerkleTree::new();
        for leaf in &all {
            pushed.push(*leaf);
        }
        prop_assert_eq!(pushed.root(), root_of(&all));
        prop_assert_eq!(pushed, MerkleTree::from_leaves(all));
    }
}

/// The empty tree has one form, built or pushed (the proptest above drew n = 0 in about
/// one run in eight, and failed then).
#[test]
fn the_empty_tree_is_one_tree() {
    assert_eq!(MerkleTree::from_leaves(Vec::new()), MerkleTree::new());
    assert_eq!(MerkleTree::from_leaves(Vec::new()).size(), 0);
}

/// Every proof of every small tree, exhaustively, and a flipped bit in each hash of each.
#[test]
fn every_proof_of_every_tree_up_to_32_leaves() {
    let all = leaves(32, 0);
    let tree = MerkleTree::from_leaves(all.clone());
    let mut checked = 0;
    for size in 1..=32u64 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(index, size, &all[index as usize], &proof, &root).unwrap();
            for k in 0..proof.len() {
                let mut bad = proof.clone();
                bad[k] = flip(&bad[k], 0);
                assert!(verify_inclusion(index, size, &all[index as usize], &bad, &root).is_err());
            }
            checked += 1;
        }
        for size1 in 0..=size {
            let proof = tree.consistency_proof(size1, size).unwrap();
            let root1 = tree.root_at(size1).unwrap();
            verify_consistency(size1, size, &proof, &root1, &root).unwrap();
            for k in 0..proof.len() {
                let mut bad = proof.clone();
                bad[k] = flip(&bad[k], 255);
                assert!(verify_consistency(size1, size, &bad, &root1, &root).is_err());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 528 + 560);
    // The empty tree: consistent with every tree, provided its root is the empty root.
    verify_consistency(0, 0, &[], &empty_root(), &empty_root()).unwrap();
    assert!(verify_consistency(0, 5, &[], &all[0], &tree.root_at(5).unwrap()).is_err());
}

/// On a large log, every proof of a sample (including the first and last leaves and
/// sizes on and beside powers of two) verifies: what a benchmark on a big store asks.
#[test]
fn proofs_on_a_log_of_fifty_thousand_leaves() {
    let n = 50_000u64;
    let tree = MerkleTree::from_leaves(leaves(n, 7));
    let sizes = [1, 2, 3, 1023, 1024, 1025, 32_768, 32_769, 49_999, n];
    for &size in &sizes {
        let root = tree.root_at(size).unwrap();
        for index in [0, size / 3, size / 2, size - 1] {
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(index, size, &tree.leaf(index).unwrap(), &proof, &root).unwrap();
        }
        for &size1 in sizes.iter().filter(|&&s| s <= size) {
            let proof = tree.consistency_proof(size1, size).unwrap();
            verify_consistency(size1, size, &proof, &tree.root_at(size1).unwrap(), &root).unwrap();
        }
    }
}
