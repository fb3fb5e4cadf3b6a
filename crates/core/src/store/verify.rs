//! Verifying a whole store: every chain, every head, the Merkle tree, and optionally
//! every transition against its definition and the log against a saved checkpoint.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Checkpoint, Claim, ClaimHolder, InstanceFilter, InstanceHead, Store, StoreError, TreeHead};
use crate::merkle::{CompactRange, record_leaf};
use crate::record::{AuditRecord, DefinitionRef, Digest};
use crate::replay::{VerifyError, check_creation, check_link};

const PAGE: usize = 4096;

/// Something wrong found by [`verify_store`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreProblem {
    /// An instance's log is broken (a changed, missing or reordered record).
    #[error("{0}")]
    Chain(VerifyError),
    /// An instance's log does not follow its definition.
    #[error("{0}")]
    Transition(VerifyError),
    /// The instance's head says its log ends elsewhere than it does: records were
    /// removed from, or added to, the end of its log behind the store's back.
    #[error("instance {instance}: the head says the log ends at record {head_seq}, the log ends at record {log_seq}")]
    HeadMismatch {
        /// The instance.
        instance: Uuid,
        /// The last sequence number the head records.
        head_seq: u64,
        /// The last sequence number found in the log.
        log_seq: u64,
    },
    /// A head exists for an instance without records, or records without a head.
    #[error("instance {instance}: {message}")]
    Orphan {
        /// The instance.
        instance: Uuid,
        /// Which of the two.
        message: &'static str,
    },
    /// The Merkle tree maintained on append disagrees with the records: rows were
    /// removed, added or reordered behind the store's back.
    #[error("the store's tree head ({stored}) does not match its records ({computed})")]
    TreeMismatch {
        /// What the store maintained.
        stored: TreeHead,
        /// What the records give.
        computed: TreeHead,
    },
    /// No definition was given for the instance's definition, so its transitions were
    /// not checked.
    #[error("instance {instance}: definition {definition} is unknown, transitions not checked")]
    UnknownDefinition {
        /// The instance.
        instance: Uuid,
        /// Its definition.
        definition: DefinitionRef,
    },
    /// The store does not extend a saved checkpoint.
    #[error("{0}")]
    Checkpoint(CheckpointMismatch),
    /// The store's claims disagree with the log (see [`verify_claims`]).
    #[error("claim {namespace} {key:?}: {problem}")]
    Claim {
        /// The claim's namespace.
        namespace: String,
        /// The key.
        key: String,
        /// What is wrong.
        problem: ClaimProblem,
    },
}

/// How a store's claims disagree with its log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimProblem {
    /// A record of the log takes the key, the store holds no claim of it by that
    /// record: the claim row was removed, or written for another record.
    #[error("{holder} takes it, but the store holds no claim of it by that record")]
    Missing {
        /// The record that takes the key.
        holder: ClaimHolder,
    },
    /// The store holds a claim no record of the log makes: a forged or moved row.
    #[error("the store says {holder} holds it, but that record does not take it")]
    Forged {
        /// The holder the store names.
        holder: ClaimHolder,
    },
}

/// How a store fails to extend a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointMismatch {
    /// The store holds fewer records than the checkpoint saw: its log was truncated
    /// or rolled back.
    #[error(
        "the checkpoint saw {checkpoint} records, the store holds only {store}: the log was truncated or rolled back"
    )]
    Truncated {
        /// The checkpoint's size.
        checkpoint: u64,
        /// The store's size.
        store: u64,
    },
    /// The first records of the store are not those the checkpoint saw.
    #[error("the store's first {size} records hash to {found}, the checkpoint says {expected}: history was rewritten")]
    RootDiffers {
        /// The checkpoint's size.
        size: u64,
        /// The checkpoint's root.
        expected: Digest,
        /// The root of the store's first `size` records.
        found: Digest,
    },
}

/// What [`verify_store`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreReport {
    /// Records read.
    pub records: u64,
    /// Instances found.
    pub instances: u64,
    /// Instances whose transitions were checked against their definition.
    pub replayed: u64,
    /// The Merkle tree recomputed from the records.
    pub computed: Option<TreeHead>,
    /// Everything wrong, in the order found.
    pub problems: Vec<StoreProblem>,
}

impl StoreReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for StoreReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} records, {} instances ({} replayed): ",
            self.records, self.instances, self.replayed
        )?;
        if self.problems.is_empty() {
            return f.write_str("ok");
        }
        writeln!(f, "{} problem(s)", self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// Verifies a whole store, streaming its records in append order.
///
/// Checks every instance's hash chain and sequence numbers, that every head matches
/// its log, and that the Merkle tree the store maintains matches its records. Then,
/// for each instance whose chain is intact, calls `replay` with its head and records:
/// return `Some(result)` of replaying them with the right definition (for example
/// `definition.verify(records)`), or `None` when the definition is unknown. With a
/// `checkpoint`, also checks that the store extends it. `progress` is called with the
/// number of records read so far and the total.
///
/// It may run while other writers append: the tree head read at the start is held
/// against the records it counts, each head against the record at its own sequence
/// number, and records appended meanwhile are chain-checked and must be counted by the
/// tree head and the heads read after the scan. A clean report on a live store is
/// therefore as strong as on a quiet one for everything committed before it began.
pub fn verify_store<S, R>(
    store: &S,
    checkpoint: Option<&Checkpoint>,
    mut replay: R,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<StoreReport, StoreError>
where
    S: Store + ?Sized,
    R: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>>,
{
    // Other writers may append while this runs (several servers on one PostgreSQL
    // database). So the tree head is read first and the heads after it: everything
    // either describes is committed, and the scan, which starts after both, sees all of
    // it. Records appended during the scan are checked too, but only the tree head read
    // first is held against the records, and a head against the record at its own
    // sequence number.
    let stored = store.tree_head()?;
    let heads = store.list(&InstanceFilter::all())?;
    let head_of: HashMap<Uuid, &InstanceHead> = heads.iter().map(|h| (h.instance, h)).collect();
    let mut report = StoreReport::default();
    let mut chains: HashMap<Uuid, (u64, Digest)> = HashMap::new();
    let mut broken: HashSet<Uuid> = HashSet::new();
    let mut order: Vec<Uuid> = Vec::new();
    let mut range = CompactRange::new();
    let mut checkpoint_root = None;
    let mut stored_root = None;
    let mut position = 0u64;
    loop {
        let page = store.scan(position, PAGE)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            range.push(record_leaf(r));
            position += 1;
            if let Some(cp) = checkpoint
                && position == cp.size
            {
                checkpoint_root = Some(range.root());
            }
            if position == stored.size {
                stored_root = Some(range.root());
            }
            if broken.contains(&r.instance) {
                continue;
            }
            let (seq, prev) = chains.get(&r.instance).copied().unwrap_or((0, Digest::ZERO));
            let result = check_link(r, r.instance, seq + 1, prev).and_then(|()| check_creation(r, r.instance, seq + 1));
            if seq == 0 {
                order.push(r.instance);
            }
            match result {
                Ok(()) => {
                    chains.insert(r.instance, (seq + 1, r.hash));
                    if let Some(head) = head_of.get(&r.instance)
                        && head.seq == r.seq
                        && head.last_hash != r.hash
                    {
                        report.problems.push(StoreProblem::HeadMismatch {
                            instance: r.instance,
                            head_seq: head.seq,
                            log_seq: r.seq,
                        });
                    }
                }
                Err(e) => {
                    broken.insert(r.instance);
                    report.problems.push(StoreProblem::Chain(e));
                }
            }
        }
        progress(position, stored.size.max(position));
    }
    report.records = position;
    let computed = TreeHead {
        size: range.size(),
        root: range.root(),
    };
    report.computed = Some(computed);
    let prefix_root = if stored.size == 0 {
        Some(crate::merkle::empty_root())
    } else {
        stored_root
    };
    if prefix_root != Some(stored.root) {
        // Fewer records than the tree head counts, or other ones: report what the
        // records give where the tree head ends (or all of them, when they end first).
        let computed = match prefix_root {
            Some(root) => TreeHead {
                size: stored.size,
                root,
            },
            None => computed,
        };
        report.problems.push(StoreProblem::TreeMismatch { stored, computed });
    } else if position > stored.size {
        // Records beyond the tree head read first: appends made during the scan, unless
        // the store's tree head, read again now, does not count them.
        let now = store.tree_head()?;
        if now.size < position {
            report
                .problems
                .push(StoreProblem::TreeMismatch { stored: now, computed });
        }
    }
    if let Some(cp) = checkpoint {
        if let Some(m) = checkpoint_mismatch(cp, position, checkpoint_root) {
            report.problems.push(StoreProblem::Checkpoint(m));
        }
    }

    report.instances = order.len() as u64;
    for head in &heads {
        match chains.get(&head.instance) {
            None if !broken.contains(&head.instance) => report.problems.push(StoreProblem::Orphan {
                instance: head.instance,
                message: "the store has a head for it but no records",
            }),
            Some(&(seq, _)) if !broken.contains(&head.instance) && seq < head.seq => {
                report.problems.push(StoreProblem::HeadMismatch {
                    instance: head.instance,
                    head_seq: head.seq,
                    log_seq: seq,
                });
            }
            _ => {}
        }
    }
    // Heads read again after the scan count every record it saw: a log longer than
    // its head then means records added behind the store's back; an instance created
    // during the scan has its head by now.
    let later = store.list(&InstanceFilter::all())?;
    let later_of: HashMap<Uuid, &InstanceHead> = later.iter().map(|h| (h.instance, h)).collect();
    for id in order.iter().filter(|id| !broken.contains(id)) {
        let Some(&(log_seq, _)) = chains.get(id) else { continue };
        match later_of.get(id) {
            None => report.problems.push(StoreProblem::Orphan {
                instance: *id,
                message: "the store has records for it but no head",
            }),
            Some(head) if head.seq < log_seq => report.problems.push(StoreProblem::HeadMismatch {
                instance: *id,
                head_seq: head.seq,
                log_seq,
            }),
            Some(_) => {}
        }
    }
    for head in &later {
        if broken.contains(&head.instance) || !chains.contains_key(&head.instance) {
            continue;
        }
        let records = store.load(head.instance)?;
        match replay(head, &records) {
            Some(Ok(())) => report.replayed += 1,
            Some(Err(e)) => report.problems.push(StoreProblem::Transition(e)),
            None => report.problems.push(StoreProblem::UnknownDefinition {
                instance: head.instance,
                definition: head.definition.clone(),
            }),
        }
    }
    Ok(report)
}

fn checkpoint_mismatch(cp: &Checkpoint, size: u64, root: Option<Digest>) -> Option<CheckpointMismatch> {
    if size < cp.size {
        return Some(CheckpointMismatch::Truncated {
            checkpoint: cp.size,
            store: size,
        });
    }
    let found = if cp.size == 0 {
        crate::merkle::empty_root()
    } else {
        root?
    };
    (found != cp.root).then_some(CheckpointMismatch::RootDiffers {
        size: cp.size,
        expected: cp.root,
        found,
    })
}

/// Checks only that the store extends `checkpoint`: it holds at least as many records,
/// and the first `checkpoint.size` of them have the checkpoint's root. Returns the
/// mismatch, if any.
pub fn verify_against_checkpoint<S: Store + ?Sized>(
    store: &S,
    checkpoint: &Checkpoint,
) -> Result<Option<CheckpointMismatch>, StoreError> {
    let mut range = CompactRange::new();
    while range.size() < checkpoint.size {
        let want = usize::try_from(checkpoint.size - range.size())
            .unwrap_or(usize::MAX)
            .min(PAGE);
        let page = store.scan(range.size(), want)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            range.push(record_leaf(r));
        }
    }
    let root = (range.size() == checkpoint.size).then(|| range.root());
    Ok(checkpoint_mismatch(checkpoint, range.size(), root))
}

/// Checks a store's claims in `namespace` against `expected`, the claims its log
/// makes as the embedding program reads it (for a court: one claim of each published
/// document number by the record that published it). Every stored claim must be one
/// of `expected` ([`ClaimProblem::Forged`] otherwise), and every expected claim must
/// be stored with the same holder ([`ClaimProblem::Missing`] otherwise). Two records
/// that take one key are reported here as a missing claim for the one that does not
/// hold it; the rule they break is the embedding program's to report.
pub fn verify_claims<S: Store + ?Sized>(
    store: &S,
    namespace: &str,
    expected: &[Claim],
) -> Result<Vec<StoreProblem>, StoreError> {
    let stored: HashSet<Claim> = store.claims(namespace)?.into_iter().collect();
    let expected: HashSet<&Claim> = expected.iter().filter(|c| c.namespace == namespace).collect();
    let problem = |c: &Claim, problem| StoreProblem::Claim {
        namespace: c.namespace.clone(),
        key: c.key.clone(),
        problem,
    };
    let mut problems: Vec<StoreProblem> = Vec::new();
    let mut forged: Vec<&Claim> = stored.iter().filter(|c| !expected.contains(c)).collect();
    forged.sort();
    problems.extend(
        forged
            .into_iter()
            .map(|c| problem(c, ClaimProblem::Forged { holder: c.holder })),
    );
    let mut missing: Vec<&&Claim> = expected.iter().filter(|c| !stored.contains(**c)).collect();
    missing.sort();
    problems.extend(
        missing
            .into_iter()
            .map(|c| problem(c, ClaimProblem::Missing { holder: c.holder })),
    );
    Ok(problems)
}
