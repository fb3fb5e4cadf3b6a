//! Proof bundles (`regula prove`, `verify-proof`, `GET …/proof`): a proof bundle or a
//! consistency bundle that reads is written back and reads to the same bundle; the
//! verdict of the court key the seeds were signed with (and of the fuzz key) is the
//! same for the bundle and its round trip, and a bundle that verifies proves the record
//! it holds, whose own JSON and hash are the bundle's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::AuditRecord;
use regula_proof::{ConsistencyBundle, ProofBundle, VerifierKey, verify_bundle, verify_consistency_bundle};

/// The public key of the court whose proof bundles and checkpoints are the seeds
/// (`fuzz/corpus/proof_bundle/`, made by `regula prove` on the README's tour).
const COURT_KEY: &str = include_str!("../corpus/court.pub");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let keys = [
        VerifierKey::parse(COURT_KEY.trim_end()).expect("the committed court key"),
        regula_fuzz::fuzz_key().public(),
    ];
    if let Ok(bundle) = ProofBundle::from_json(text) {
        let again = ProofBundle::from_json(&bundle.to_json()).expect("a bundle's own JSON reads back");
        assert_eq!(again, bundle);
        for key in &keys {
            let verdict = verify_bundle(&bundle, key);
            let after = verify_bundle(&again, key);
            assert_eq!(verdict.as_ref().ok(), after.as_ref().ok());
            if let Ok(verified) = verdict {
                assert_eq!(verified.record.to_json(), bundle.record);
                assert_eq!(verified.record.compute_hash(), verified.record.hash);
                assert_eq!(
                    AuditRecord::from_json(&bundle.record).ok(),
                    Some(verified.record.clone())
                );
                assert!(verified.leaf_index < verified.tree_size());
            }
        }
    }
    if let Ok(bundle) = ConsistencyBundle::from_json(text) {
        let again = ConsistencyBundle::from_json(&bundle.to_json()).expect("a bundle's own JSON reads back");
        assert_eq!(again, bundle);
        for key in &keys {
            let verdict = verify_consistency_bundle(&bundle, key);
            let after = verify_consistency_bundle(&again, key);
            assert_eq!(verdict.as_ref().ok(), after.as_ref().ok());
            if let Ok(verified) = verdict {
                assert!(verified.old.size() <= verified.new.size());
            }
        }
    }
});
