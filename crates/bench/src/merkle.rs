//! The cost of the Merkle log: appends with and without the compact-range update, and
//! inclusion proofs made and verified per second on a large log.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::store::check_append;
use regula_core::{AuditRecord, InstanceHead, MemoryStore, Store};
use regula_proof::{Prover, verify_inclusion};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::measure::{self, human};
use crate::report::{Report, Row};
use crate::sqlite::{creating, logs};

/// A small, fast, deterministic generator (splitmix64) for picking positions.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The in-memory append path of a store, with or without the Merkle compact range:
/// check the records against the head (every record's hash), move the head on. (A
/// store also keeps the records; copying them is left out, as its cost is the
/// allocator's and varies more than what is compared here.)
fn append_in_memory(groups: &[Vec<Vec<AuditRecord>>], merkle: bool) -> (usize, Option<CompactRange>) {
    let mut records = 0usize;
    let mut heads: HashMap<Uuid, InstanceHead> = HashMap::new();
    let mut range = CompactRange::new();
    for group in groups {
        for log in group {
            let instance = log[0].instance;
            check_append(instance, heads.get(&instance), 0, log).expect("valid records");
            for r in log {
                if merkle {
                    range.push(record_leaf(r));
                }
                records += black_box(r).seq as usize;
            }
            if let Some(h) = InstanceHead::advanced(heads.get(&instance), log) {
                heads.insert(instance, h);
            }
        }
    }
    (black_box(records), merkle.then_some(range))
}

/// Runs the Merkle benchmarks.
pub fn run(report: &mut Report, quick: bool) {
    let n: usize = if quick { 200_000 } else { 1_000_000 };
    let reps = if quick { 2 } else { 3 };
    let start = Instant::now();
    // 1,000-record batches of 100 instances × 10 records, as in the store benchmarks.
    let groups: Vec<Vec<Vec<AuditRecord>>> = (0..n / 1000).map(|b| logs(100, 10, 5000 + b as u64)).collect();
    eprintln!(
        "[merkle] generated {} records in {:.1} s",
        human(n as f64),
        start.elapsed().as_secs_f64()
    );

    // Alternated, best of each: the two paths differ by a few hundred nanoseconds per
    // record, less than the noise of one run on a shared machine.
    let (mut without, mut with) = (0f64, 0f64);
    for _ in 0..reps + 1 {
        without = without.max(measure::rate(1, n as u64, |_| {
            black_box(append_in_memory(&groups, false));
        }));
        with = with.max(measure::rate(1, n as u64, |_| {
            black_box(append_in_memory(&groups, true));
        }));
    }
    report.push(Row {
        section: "merkle",
        what: format!(
            "in-memory append checks (chain, hashes, head) with the Merkle compact range, {} records",
            human(n as f64)
        ),
        figure: format!("{}/s", human(with)),
        baseline: format!("same path without the Merkle update {}/s", human(without)),
        ratio: Some(with / without),
        target: None,
    });
    // The Merkle update alone: leaf hash (canonical encoding + SHA-256) and the push.
    let flat: Vec<&AuditRecord> = groups.iter().flatten().flatten().collect();
    let update = measure::rate(reps, n as u64, |_| {
        let mut range = CompactRange::new();
        for r in &flat {
            range.push(record_leaf(r));
        }
        black_box(range.root());
    });
    let merkle_ns = 1e9 / update;
    drop(flat);

    // The real in-memory store (Merkle always on), and the prover built from it.
    let store = MemoryStore::new();
    let mem = measure::rate(1, n as u64, |_| {
        for group in &groups {
            store.append_batch(&creating(group)).expect("batch");
        }
    });
    report.push(Row {
        section: "merkle",
        what: "MemoryStore::append_batch, 1,000 records per batch (Merkle always on)".into(),
        figure: format!("{}/s", human(mem)),
        baseline: format!(
            "the Merkle update alone (leaf hash + compact-range push) {}/s: {merkle_ns:.0} ns of its {:.0} ns per record",
            human(update),
            1e9 / mem
        ),
        ratio: Some(mem / update),
        target: None,
    });
    drop(groups);

    let t = Instant::now();
    let prover = Prover::from_store(&store).expect("prover");
    let built = t.elapsed().as_secs_f64();
    let size = prover.size();
    let root = prover.tree().root();
    let records = store.scan(0, usize::MAX).expect("scan");
    drop(store);
    let canonical: Vec<Vec<u8>> = records
        .iter()
        .take(100_000)
        .map(|r| {
            let mut b = vec![0u8];
            r.write_canonical(&mut b);
            b
        })
        .collect();
    let leaf_rate = measure::rate(reps, canonical.len() as u64, |_| {
        for b in &canonical {
            black_box(Sha256::digest(black_box(b)));
        }
    });
    report.push(Row {
        section: "merkle",
        what: format!(
            "Prover::from_store over a {}-record MemoryStore (scan, leaves, tree, index)",
            human(size as f64)
        ),
        figure: format!("{:.2} s ({}/s)", built, human(size as f64 / built)),
        baseline: format!("SHA-256 of the same leaves {}/s", human(leaf_rate)),
        ratio: Some(size as f64 / built / leaf_rate),
        target: None,
    });

    let proofs = if quick { 50_000u64 } else { 200_000 };
    let mut rng = Rng(42);
    let indices: Vec<u64> = (0..proofs).map(|_| rng.below(size)).collect();
    let made = measure::rate(reps, proofs, |_| {
        for &i in &indices {
            black_box(prover.tree().inclusion_proof(i, size).expect("proof"));
        }
    });
    let all: Vec<Vec<regula_core::Digest>> = indices
        .iter()
        .map(|&i| prover.tree().inclusion_proof(i, size).expect("proof"))
        .collect();
    let leaves: Vec<regula_core::Digest> = indices.iter().map(|&i| prover.tree().leaf(i).expect("leaf")).collect();
    let verified = measure::rate(reps, proofs, |_| {
        for ((&i, proof), leaf) in indices.iter().zip(&all).zip(&leaves) {
            verify_inclusion(i, size, leaf, proof, &root).expect("verifies");
        }
    });
    let depth = all.first().map_or(0, Vec::len);
    report.push(Row {
        section: "merkle",
        what: format!(
            "inclusion proofs made, {}-record log (random leaves)",
            human(size as f64)
        ),
        figure: format!("{}/s", human(made)),
        baseline: format!("SHA-256 of one leaf {}/s", human(leaf_rate)),
        ratio: Some(made / leaf_rate),
        target: None,
    });
    report.push(Row {
        section: "merkle",
        what: format!(
            "inclusion proofs verified ({depth} hashes each), {}-record log",
            human(size as f64)
        ),
        figure: format!("{}/s", human(verified)),
        baseline: format!("SHA-256 of one leaf {}/s", human(leaf_rate)),
        ratio: Some(verified / leaf_rate),
        target: None,
    });
    drop(records);
}
