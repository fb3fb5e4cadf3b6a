//! The RFC 6962 test vectors of the transparency-dev/merkle project (see
//! `tests/vectors/rfc6962/NOTICE.md`), read from the files: the reference tree's roots
//! for sizes 0 to 8, and every inclusion and consistency case, each of which says
//! whether a correct verifier must reject it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regula_core::Digest;
use regula_core::merkle::{leaf_hash, root_of};
use regula_proof::{
    MerkleTree, ProofError, consistency_proof, hash_from_bytes, inclusion_proof, proof_from_bytes, verify_consistency,
    verify_inclusion,
};
use serde::Deserialize;

fn root_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/rfc6962")
}

/// Every `.json` file under `dir`, sorted, walking subdirectories.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot read {}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn b64(s: &str) -> Vec<u8> {
    STANDARD
        .decode(s)
        .unwrap_or_else(|e| panic!("bad base64 {s:?} in a vector: {e}"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[derive(Deserialize)]
struct Reference {
    leaf_inputs_hex: Vec<String>,
    root_hash_by_tree_size_hex: Vec<String>,
}

fn reference() -> Reference {
    let text = fs::read_to_string(root_dir().join("reference-tree.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn reference_leaves() -> Vec<Digest> {
    reference().leaf_inputs_hex.iter().map(|h| leaf_hash(&hex(h))).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    #[serde(rename = "wantErr")]
    want_err: bool,
}

fn decode_proof(proof: &Option<Vec<String>>) -> Vec<Vec<u8>> {
    proof.iter().flatten().map(|p| b64(p)).collect()
}

/// Runs a case as a verifier receiving bytes would: hashes of the wrong length are
/// rejected like any other bad proof.
fn run_inclusion(c: &InclusionCase) -> Result<(), ProofError> {
    let leaf = hash_from_bytes("leaf hash", &b64(&c.leaf_hash))?;
    let root = hash_from_bytes("root", &b64(&c.root))?;
    let proof = proof_from_bytes(&decode_proof(&c.proof))?;
    verify_inclusion(c.leaf_idx, c.tree_size, &leaf, &proof, &root)
}

fn run_consistency(c: &ConsistencyCase) -> Result<(), ProofError> {
    let root1 = hash_from_bytes("root1", &b64(&c.root1))?;
    let root2 = hash_from_bytes("root2", &b64(&c.root2))?;
    let proof = proof_from_bytes(&decode_proof(&c.proof))?;
    verify_consistency(c.size1, c.size2, &proof, &root1, &root2)
}

#[test]
fn vector_files_are_all_present() {
    let dir = root_dir();
    assert!(dir.join("NOTICE.md").is_file(), "the vectors' NOTICE.md is missing");
    assert!(dir.join("reference-tree.json").is_file());
    let inclusion = case_files(&dir.join("inclusion"));
    let consistency = case_files(&dir.join("consistency"));
    // Counted when copied from transparency-dev/merkle's testdata.
    assert_eq!(inclusion.len(), 68, "inclusion case files");
    assert_eq!(consistency.len(), 63, "consistency case files");
}

#[test]
fn reference_roots_for_sizes_0_to_8() {
    let reference = reference();
    let leaves = reference_leaves();
    assert_eq!(leaves.len(), 8);
    assert_eq!(reference.root_hash_by_tree_size_hex.len(), 9);
    let tree = MerkleTree::from_leaves(leaves.clone());
    for (size, want) in reference.root_hash_by_tree_size_hex.iter().enumerate() {
        let want = Digest::from_hex(want).unwrap();
        assert_eq!(root_of(&leaves[..size]), want, "core root_of, size {size}");
        assert_eq!(
            tree.root_at(size as u64).unwrap(),
            want,
            "MerkleTree::root_at, size {size}"
        );
        assert_eq!(
            MerkleTree::from_leaves(leaves[..size].to_vec()).root(),
            want,
            "size {size}"
        );
    }
}

#[test]
fn every_inclusion_case_is_accepted_or_rejected_as_it_says() {
    let files = case_files(&root_dir().join("inclusion"));
    assert!(!files.is_empty(), "no inclusion vectors found");
    let (mut accepted, mut rejected) = (0, 0);
    for path in &files {
        let c: InclusionCase = serde_json::from_str(&fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let result = run_inclusion(&c);
        assert_eq!(
            result.is_err(),
            c.want_err,
            "{} ({}): got {result:?}",
            path.display(),
            c.desc
        );
        if c.want_err {
            rejected += 1;
        } else {
            accepted += 1;
        }
    }
    assert_eq!(accepted + rejected, files.len());
    assert!(accepted > 0 && rejected > 0);
}

#[test]
fn every_consistency_case_is_accepted_or_rejected_as_it_says() {
    let files = case_files(&root_dir().join("consistency"));
    assert!(!files.is_empty(), "no consistency vectors found");
    let (mut accepted, mut rejected) = (0, 0);
    for path in &files {
        let c: ConsistencyCase = serde_json::from_str(&fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let result = run_consistency(&c);
        assert_eq!(
            result.is_err(),
            c.want_err,
            "{} ({}): got {result:?}",
            path.display(),
            c.desc
        );
        if c.want_err {
            rejected += 1;
        } else {
            accepted += 1;
        }
    }
    assert_eq!(accepted + rejected, files.len());
    assert!(accepted > 0 && rejected > 0);
}

/// The happy paths over the reference tree's leaves are exactly the proofs this crate
/// generates.
#[test]
fn generated_proofs_equal_the_happy_paths() {
    let leaves = reference_leaves();
    let tree = MerkleTree::from_leaves(leaves.clone());
    let mut compared = 0;
    for path in case_files(&root_dir().join("inclusion")) {
        let c: InclusionCase = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let leaf = b64(&c.leaf_hash);
        if c.want_err || c.tree_size > 8 || leaf.as_slice() != leaves[c.leaf_idx as usize].0 {
            continue;
        }
        let want = proof_from_bytes(&decode_proof(&c.proof)).unwrap();
        let prefix = &leaves[..c.tree_size as usize];
        assert_eq!(inclusion_proof(prefix, c.leaf_idx).unwrap(), want, "{}", path.display());
        assert_eq!(tree.inclusion_proof(c.leaf_idx, c.tree_size).unwrap(), want);
        compared += 1;
    }
    for path in case_files(&root_dir().join("consistency")) {
        let c: ConsistencyCase = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        if c.want_err || c.size2 > 8 {
            continue;
        }
        let want = proof_from_bytes(&decode_proof(&c.proof)).unwrap();
        assert_eq!(
            consistency_proof(&leaves, c.size1, c.size2).unwrap(),
            want,
            "{}",
            path.display()
        );
        assert_eq!(tree.consistency_proof(c.size1, c.size2).unwrap(), want);
        compared += 1;
    }
    assert!(compared >= 6, "only {compared} happy paths compared");
}
