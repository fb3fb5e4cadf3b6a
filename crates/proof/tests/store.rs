//! Proofs from a store: bundles that verify with only the public key, consistency
//! between checkpoints, and rolled-back stores caught by `verify_since`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use regula_core::merkle::{record_leaf, root_of};
use regula_core::store::CheckpointMismatch;
use regula_core::{
    Append, AuditRecord, InstanceFilter, InstanceHead, MemoryStore, Snapshot, Store, StoreError, TreeHead,
};
use regula_proof::{
    BUNDLE_FORMAT, BundleError, CheckpointError, CheckpointNote, CheckpointSigning, ConsistencyBundle, ProofBundle,
    ProofError, ProveError, Prover, SigningKey, TreeError, check_extends, leaves_of, prove_consistency, prove_record,
    tree_of, verify_bundle, verify_consistency_between, verify_consistency_bundle, verify_since,
};
use uuid::Uuid;

#[test]
fn every_record_proves_against_a_signed_checkpoint_with_only_the_public_key() {
    let store = store_with(9);
    let key = court_key();
    let public = key.public();
    let checkpoint = sign_head(&store, &key);
    let records = all_records(&store);
    assert!(records.len() > 25);
    let prover = Prover::from_store(&store).unwrap();
    for (i, r) in records.iter().enumerate() {
        let bundle = prove_record(&store, &checkpoint, r.instance, r.seq).unwrap();
        assert_eq!(bundle.leaf_index, i as u64);
        assert_eq!(prover.prove(&store, &checkpoint, r.instance, r.seq).unwrap(), bundle);
        assert_eq!(prover.position(r.instance, r.seq), Some(i as u64));
        // Only the bundle's JSON and the public key's text travel to the verifier.
        let json = bundle.to_json();
        let public = regula_proof::VerifierKey::parse(&public.to_string()).unwrap();
        let verified = verify_bundle(&ProofBundle::from_json(&json).unwrap(), &public).unwrap();
        assert_eq!(verified.record, *r);
        assert_eq!((verified.instance, verified.seq), (r.instance, r.seq));
        assert_eq!(verified.leaf_index, i as u64);
        assert_eq!(verified.origin(), ORIGIN);
        assert_eq!(verified.tree_size(), records.len() as u64);
        assert_eq!(verified.root(), store.tree_head().unwrap().root);
        assert_eq!(verified.time(), t0() + chrono::TimeDelta::hours(1));
        assert_eq!(verified.key_name, KEY_NAME);
    }
}

#[test]
fn a_record_proves_against_an_older_checkpoint_too() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 1, t0());
    run_cases(&repo, &clock, 3, "甲");
    let key = court_key();
    let old = sign_head(&store, &key);
    let old_size = old.checkpoint().size();
    run_cases(&repo, &clock, 4, "乙");
    let first = all_records(&store)[3].clone();
    let bundle = prove_record(&store, &old, first.instance, first.seq).unwrap();
    let verified = verify_bundle(&bundle, &key.public()).unwrap();
    assert_eq!(verified.tree_size(), old_size);
    // A record appended after the checkpoint is not in it.
    let late = all_records(&store).last().unwrap().clone();
    let err = prove_record(&store, &old, late.instance, late.seq).unwrap_err();
    assert!(
        matches!(err, ProveError::RecordNotFound { size, .. } if size == old_size),
        "{err}"
    );
    let prover = Prover::from_store(&store).unwrap();
    let err = prover.prove(&store, &old, late.instance, late.seq).unwrap_err();
    assert!(matches!(err, ProveError::RecordNotFound { .. }), "{err}");
    assert!(matches!(
        prove_record(&store, &old, Uuid::nil(), 1),
        Err(ProveError::RecordNotFound { .. })
    ));
}

fn sample_bundle() -> (ProofBundle, SigningKey, Vec<AuditRecord>) {
    let store = store_with(6);
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let records = all_records(&store);
    let r = &records[9];
    (
        prove_record(&store, &checkpoint, r.instance, r.seq).unwrap(),
        key,
        records,
    )
}

#[test]
fn altered_bundles_are_rejected() {
    let (bundle, key, records) = sample_bundle();
    let public = key.public();
    verify_bundle(&bundle, &public).unwrap();

    // The record's content changed (the hash field left alone).
    let mut b = bundle.clone();
    let mut r = AuditRecord::from_json(&b.record).unwrap();
    r.note = Some("篡改".into());
    b.record = r.to_json();
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::RecordHash { .. })
    ));

    // The record's content changed and its hash recomputed: not the record in the log.
    r.hash = r.compute_hash();
    b.record = r.to_json();
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::Proof(ProofError::RootMismatch { .. }))
    ));

    // Another record of the log, with this record's proof.
    let mut b = bundle.clone();
    b.record = records[10].to_json();
    assert!(matches!(verify_bundle(&b, &public), Err(BundleError::Proof(_))));

    // The record not in canonical JSON.
    let mut b = bundle.clone();
    b.record = b.record.replacen(",", ", ", 1);
    assert!(matches!(verify_bundle(&b, &public), Err(BundleError::Record(_))));

    // A wrong index, a missing, extra or altered hash.
    for leaf_index in [
        bundle.leaf_index + 1,
        bundle.leaf_index - 1,
        bundle.leaf_index ^ 2,
        1 << 40,
    ] {
        let mut b = bundle.clone();
        b.leaf_index = leaf_index;
        assert!(
            matches!(verify_bundle(&b, &public), Err(BundleError::Proof(_))),
            "{leaf_index}"
        );
    }
    let mut b = bundle.clone();
    b.proof.pop();
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::Proof(ProofError::WrongLength { .. }))
    ));
    let mut b = bundle.clone();
    b.proof.push(b.proof[0]);
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::Proof(ProofError::WrongLength { .. }))
    ));
    let mut b = bundle.clone();
    b.proof[1].0[31] ^= 1;
    assert!(matches!(verify_bundle(&b, &public), Err(BundleError::Proof(_))));

    // The checkpoint altered, or checked with another key.
    let mut b = bundle.clone();
    b.checkpoint = b.checkpoint.replacen(ORIGIN, "别的法院/regula", 1);
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::Checkpoint(CheckpointError::BadSignature { .. }))
    ));
    let other = SigningKey::from_seed(KEY_NAME, &[8u8; 32]).unwrap().public();
    assert!(matches!(
        verify_bundle(&bundle, &other),
        Err(BundleError::Checkpoint(CheckpointError::NotSignedByKey { .. }))
    ));

    // A format this program does not know; unknown fields.
    let mut b = bundle.clone();
    b.format = BUNDLE_FORMAT + 1;
    assert!(matches!(
        verify_bundle(&b, &public),
        Err(BundleError::UnsupportedFormat { found: 2 })
    ));
    let json = bundle.to_json().replacen("{", "{\"extra\": 1,", 1);
    assert!(matches!(ProofBundle::from_json(&json), Err(BundleError::Json(_))));
}

#[test]
fn the_bundle_json_is_as_documented() {
    let (bundle, _, _) = sample_bundle();
    let value: serde_json::Value = serde_json::from_str(&bundle.to_json()).unwrap();
    let object = value.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["checkpoint", "format", "leaf_index", "proof", "record"]);
    assert_eq!(value["format"], 1);
    assert!(value["record"].as_str().unwrap().starts_with("{\"format\":2,"));
    for h in value["proof"].as_array().unwrap() {
        let h = h.as_str().unwrap();
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    }
    assert!(value["checkpoint"].as_str().unwrap().starts_with(ORIGIN));
    assert_eq!(ProofBundle::from_json(&bundle.to_json()).unwrap(), bundle);
}

#[test]
fn leaves_and_trees_come_from_the_store_in_append_order() {
    let store = store_with(5);
    let records = all_records(&store);
    let leaves = leaves_of(&store, records.len() as u64).unwrap();
    assert_eq!(leaves, records.iter().map(record_leaf).collect::<Vec<_>>());
    assert_eq!(leaves_of(&store, 4).unwrap(), leaves[..4]);
    assert_eq!(tree_of(&store, 7).unwrap().root(), root_of(&leaves[..7]));
    assert_eq!(
        tree_of(&store, records.len() as u64).unwrap().root(),
        store.tree_head().unwrap().root
    );
    let err = leaves_of(&store, records.len() as u64 + 1).unwrap_err();
    assert!(matches!(err, ProveError::TooFewRecords { wanted, found } if found + 1 == wanted));
}

#[test]
fn consistency_between_two_signed_checkpoints() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 3, t0());
    let key = court_key();
    let public = key.public();
    let empty = sign_head(&store, &key);
    run_cases(&repo, &clock, 2, "甲");
    let old = sign_head(&store, &key);
    run_cases(&repo, &clock, 5, "乙");
    let (head, proof) = prove_consistency(&store, old.checkpoint().size()).unwrap();
    assert_eq!(head, store.tree_head().unwrap());
    let new = sign_head(&store, &key);
    let verified = verify_consistency_between(&old, &new, &proof, &public).unwrap();
    assert_eq!(verified.old.size(), old.checkpoint().size());
    assert_eq!(verified.new.tree_head(), head);

    // Through JSON, with only the public key.
    let bundle = ConsistencyBundle {
        format: BUNDLE_FORMAT,
        old: old.to_text(),
        new: new.to_text(),
        proof: proof.clone(),
    };
    let back = ConsistencyBundle::from_json(&bundle.to_json()).unwrap();
    verify_consistency_bundle(&back, &public).unwrap();

    // From the empty log: an empty proof.
    let (_, from_empty) = prove_consistency(&store, 0).unwrap();
    assert!(from_empty.is_empty());
    verify_consistency_between(&empty, &new, &from_empty, &public).unwrap();

    // The checkpoints swapped, a hash missing or altered, another log.
    assert!(matches!(
        verify_consistency_between(&new, &old, &proof, &public),
        Err(BundleError::Proof(ProofError::SizesReversed { .. }))
    ));
    let mut short = proof.clone();
    short.pop();
    assert!(verify_consistency_between(&old, &new, &short, &public).is_err());
    let mut bad = proof.clone();
    bad[0].0[0] ^= 0x80;
    assert!(verify_consistency_between(&old, &new, &bad, &public).is_err());
    let elsewhere = regula_proof::Checkpoint::with_origin("别的法院/regula", head, t0()).unwrap();
    let elsewhere = CheckpointNote::sign(&elsewhere, &key);
    assert!(matches!(
        verify_consistency_between(&old, &elsewhere, &proof, &public),
        Err(BundleError::OriginMismatch { .. })
    ));
    let mut altered = bundle.clone();
    altered.new = altered
        .new
        .replacen(&format!("\n{}\n", head.size), &format!("\n{}\n", head.size + 1), 1);
    assert!(matches!(
        verify_consistency_bundle(&altered, &public),
        Err(BundleError::NewCheckpoint(CheckpointError::BadSignature { .. }))
    ));
    assert!(matches!(
        prove_consistency(&store, head.size + 1),
        Err(ProveError::Rollback(CheckpointMismatch::Truncated { .. }))
    ));
}

#[test]
fn verify_since_accepts_a_store_that_only_grew() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 5, t0());
    let key = court_key();
    run_cases(&repo, &clock, 4, "甲");
    let old = sign_head(&store, &key);
    // Unchanged: an empty proof.
    let report = verify_since(&store, &old, &key.public()).unwrap();
    assert_eq!(report.old, report.head);
    assert!(report.proof.is_empty());
    run_cases(&repo, &clock, 3, "乙");
    let report = verify_since(&store, &old, &key.public()).unwrap();
    assert_eq!(report.old, old.checkpoint().tree_head());
    assert_eq!(report.head, store.tree_head().unwrap());
    assert!(!report.proof.is_empty());
}

#[test]
fn verify_since_catches_a_store_rolled_back() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 5, t0());
    let key = court_key();
    run_cases(&repo, &clock, 6, "甲");
    let early = store.tree_head().unwrap().size;
    run_cases(&repo, &clock, 3, "乙");
    let later = sign_head(&store, &key);
    let later_size = later.checkpoint().size();

    // Rolled back to an earlier state: fewer records than the later checkpoint saw.
    let back = rolled_back(&store, early);
    let err = verify_since(&back, &later, &key.public()).unwrap_err();
    assert!(err.is_rollback(), "{err}");
    assert!(
        matches!(err, ProveError::Rollback(CheckpointMismatch::Truncated { checkpoint, store }) if checkpoint == later_size && store == early)
    );
    assert!(err.to_string().contains("rolled back"), "{err}");

    // Rolled back, then grown again past the checkpoint with other records.
    let (regrow, clock2) = repository(&back, 99, t0() + chrono::TimeDelta::days(1));
    run_cases(&regrow, &clock2, 6, "丙");
    assert!(back.tree_head().unwrap().size > later_size);
    let err = verify_since(&back, &later, &key.public()).unwrap_err();
    assert!(
        matches!(err, ProveError::Rollback(CheckpointMismatch::RootDiffers { size, expected, .. }) if size == later_size && expected == later.checkpoint().root()),
        "{err}"
    );
    // Proving a record against the later checkpoint is refused the same way.
    let r = all_records(&back)[0].clone();
    assert!(
        prove_record(&back, &later, r.instance, r.seq)
            .unwrap_err()
            .is_rollback()
    );
    let prover = Prover::from_store(&back).unwrap();
    assert!(
        prover
            .prove(&back, &later, r.instance, r.seq)
            .unwrap_err()
            .is_rollback()
    );

    // And the original store still passes.
    verify_since(&store, &later, &key.public()).unwrap();
}

#[test]
fn verify_since_checks_the_checkpoint_signature() {
    let store = store_with(2);
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let other = SigningKey::from_seed("别的法院", &[9u8; 32]).unwrap();
    assert!(matches!(
        verify_since(&store, &checkpoint, &other.public()),
        Err(ProveError::Checkpoint(CheckpointError::NotSignedByKey { .. }))
    ));
    // The size lowered, the signature kept: a forgery.
    let size = checkpoint.checkpoint().size();
    let text = checkpoint.to_text();
    let forged = text.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size - 1), 1);
    assert_ne!(forged, text);
    let forged = CheckpointNote::parse(&forged).unwrap();
    assert!(matches!(
        verify_since(&store, &forged, &key.public()),
        Err(ProveError::Checkpoint(CheckpointError::BadSignature { .. }))
    ));
    // An unsigned tree head of another history.
    let head = store.tree_head().unwrap();
    let other_history = TreeHead {
        size: head.size,
        root: root_of(&[record_leaf(&all_records(&store)[1])]),
    };
    assert!(check_extends(&store, other_history).unwrap_err().is_rollback());
}

/// A store whose maintained tree head no longer matches its records, as when rows are
/// reordered behind its back.
struct Reordered(MemoryStore);

impl Store for Reordered {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        self.0.append_batch(batch)
    }
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        self.0.load_after(instance, after)
    }
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        self.0.head(instance)
    }
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        self.0.list(filter)
    }
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let mut all = self.0.scan(0, usize::MAX)?;
        all.swap(1, 2);
        Ok(all.into_iter().skip(from as usize).take(limit).collect())
    }
    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.0.tree_head()
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.0.put_snapshot(snapshot)
    }
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        self.0.snapshot(instance)
    }
}

#[test]
fn a_tree_head_that_disagrees_with_the_records_is_reported() {
    let store = Reordered(store_with(3));
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let err = verify_since(&store, &checkpoint, &key.public()).unwrap_err();
    assert!(matches!(err, ProveError::TreeHeadMismatch { .. }), "{err}");
    assert!(matches!(
        Prover::from_store(&store),
        Err(ProveError::TreeHeadMismatch { .. })
    ));
    assert!(matches!(
        prove_consistency(&store, 1),
        Err(ProveError::TreeHeadMismatch { .. })
    ));
}

#[test]
fn a_prover_keeps_up_with_appends() {
    let store = MemoryStore::new();
    let (repo, clock) = repository(&store, 11, t0());
    run_cases(&repo, &clock, 3, "甲");
    let mut prover = Prover::from_store(&store).unwrap();
    let before = prover.size();
    run_cases(&repo, &clock, 2, "乙");
    for r in store.scan(before, usize::MAX).unwrap() {
        prover.push(&r);
    }
    assert_eq!(prover.size(), store.tree_head().unwrap().size);
    assert_eq!(prover.tree().root(), store.tree_head().unwrap().root);
    let key = court_key();
    let checkpoint = sign_head(&store, &key);
    let last = all_records(&store).pop().unwrap();
    let bundle = prover.prove(&store, &checkpoint, last.instance, last.seq).unwrap();
    verify_bundle(&bundle, &key.public()).unwrap();
    let proof = prover.consistency_proof(before, prover.size()).unwrap();
    regula_proof::verify_consistency(
        before,
        prover.size(),
        &proof,
        &prover.tree().root_at(before).unwrap(),
        &prover.tree().root(),
    )
    .unwrap();
    assert!(matches!(
        prover.inclusion_proof(prover.size(), prover.size()),
        Err(ProveError::Tree(TreeError::IndexOutOfRange { .. }))
    ));
}
