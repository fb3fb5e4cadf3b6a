//! Verifying a whole store: every chain, every head, the Merkle tree, every cached
//! snapshot, every queryable copy of a record field and the database's own integrity,
//! and optionally every transition against its definition and the log against a saved
//! checkpoint. Nothing a store keeps besides the record JSON is taken on trust: an
//! index, a head row, a column or a snapshot is checked against the records.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Checkpoint, Claim, ClaimHolder, InstanceFilter, InstanceHead, Store, StoreError, TreeHead};
use crate::instance::Snapshot;
use crate::label::Lang;
use crate::merkle::{CompactRange, record_leaf};
use crate::record::{AuditRecord, DefinitionRef, Digest};
use crate::replay::{TimeFloor, VerifyError, VerifyErrorKind, check_creation, check_link, check_times};

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
    /// The database's own integrity check reports damage (for SQLite, each line of
    /// `PRAGMA quick_check` or `PRAGMA integrity_check`).
    #[error("the database's own integrity check ({check}) reports: {message}")]
    Physical {
        /// Which check: `quick_check`, `integrity_check`, …
        check: String,
        /// What it reported.
        message: String,
    },
    /// Reading an instance's records by instance (through the store's index) gives
    /// other records than the full scan in append order: an index or a queryable
    /// column lies, and loads (`show`, `log`, every action) see another history.
    #[error(
        "instance {instance}, record {seq}: read by instance, the log differs from the full scan in append order: {message}"
    )]
    LoadMismatch {
        /// The instance.
        instance: Uuid,
        /// The first sequence number where the two reads differ.
        seq: u64,
        /// How they differ.
        message: String,
    },
    /// A field of an instance's head differs from what its log gives.
    #[error("instance {instance}: the head's {field} is {stored}, its log up to record {seq} gives {expected}")]
    HeadDiffers {
        /// The instance.
        instance: Uuid,
        /// The head's sequence number: the log is read up to it.
        seq: u64,
        /// The field: `definition`, `state`, `last_hash`, `created_at`, `updated_at`,
        /// `entered_at`, `due_at`.
        field: &'static str,
        /// What the head holds.
        stored: String,
        /// What the log gives.
        expected: String,
    },
    /// A cached snapshot differs from the instance replayed from its log up to the
    /// snapshot's sequence number.
    #[error(
        "instance {instance}, snapshot at record {seq}: its {field} is {stored}, the log replayed gives {expected}"
    )]
    SnapshotMismatch {
        /// The instance.
        instance: Uuid,
        /// The sequence number the snapshot claims.
        seq: u64,
        /// The field: `instance`, `definition`, `state`, `data`, `seq`, `last_hash`,
        /// `created_at`, `entered_at`, `updated_at`.
        field: &'static str,
        /// What the snapshot holds.
        stored: String,
        /// What the replay gives.
        expected: String,
    },
    /// A stored copy of a record field (a queryable column, kept for queries) differs
    /// from the record, or a row's bookkeeping column from what the records give.
    #[error("{}column {table}.{column} holds {stored}, the record says {expected}", place(instance, *seq))]
    ColumnMismatch {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The instance of the row.
        instance: Uuid,
        /// The record's sequence number, for a row of records.
        seq: Option<u64>,
        /// What the column holds.
        stored: String,
        /// What the record gives.
        expected: String,
    },
    /// Stored data that cannot be read back (an unreadable snapshot, a record row whose
    /// JSON does not parse).
    #[error("{place}: cannot be read back: {message}")]
    Unreadable {
        /// Where: a table and row, an instance and sequence number.
        place: String,
        /// What was wrong.
        message: String,
    },
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

impl StoreProblem {
    /// The instance the problem is about, if it is about one.
    pub fn instance(&self) -> Option<Uuid> {
        match self {
            StoreProblem::Chain(e) | StoreProblem::Transition(e) => Some(e.instance),
            StoreProblem::HeadMismatch { instance, .. }
            | StoreProblem::Orphan { instance, .. }
            | StoreProblem::UnknownDefinition { instance, .. }
            | StoreProblem::LoadMismatch { instance, .. }
            | StoreProblem::HeadDiffers { instance, .. }
            | StoreProblem::SnapshotMismatch { instance, .. }
            | StoreProblem::ColumnMismatch { instance, .. } => Some(*instance),
            StoreProblem::Claim { problem, .. } => Some(match problem {
                ClaimProblem::Missing { holder } | ClaimProblem::Forged { holder } => holder.instance,
            }),
            StoreProblem::TreeMismatch { .. }
            | StoreProblem::Checkpoint(_)
            | StoreProblem::Physical { .. }
            | StoreProblem::Unreadable { .. } => None,
        }
    }

    /// The problem in `lang`, for people: Chinese or English (the English text is the
    /// [`Display`](fmt::Display) form). Hashes, names and values stay as stored.
    pub fn text(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            StoreProblem::Chain(e) => format!("日志链断裂：{}", verify_error_zh(e)),
            StoreProblem::Transition(e) => format!("不符合定义：{}", verify_error_zh(e)),
            StoreProblem::HeadMismatch {
                instance,
                head_seq,
                log_seq,
            } => format!("实例 {instance}：实例头记载日志止于第 {head_seq} 条记录，日志实际止于第 {log_seq} 条"),
            StoreProblem::Orphan { instance, message } => match *message {
                "the store has a head for it but no records" => format!("实例 {instance}：有实例头而无记录"),
                "the store has records for it but no head" => format!("实例 {instance}：有记录而无实例头"),
                other => format!("实例 {instance}：{other}"),
            },
            StoreProblem::TreeMismatch { stored, computed } => format!(
                "存储维护的默克尔树头（{} 条记录，根 {}）与记录计算所得（{} 条记录，根 {}）不符：记录在存储之外被删除、添加或重排",
                stored.size, stored.root, computed.size, computed.root
            ),
            StoreProblem::UnknownDefinition { instance, definition } => {
                format!("实例 {instance}：定义 {definition} 未知，未检查其流转")
            }
            StoreProblem::Checkpoint(CheckpointMismatch::Truncated { checkpoint, store }) => {
                format!("检查点记载 {checkpoint} 条记录，存储只有 {store} 条：日志被截断或回滚")
            }
            StoreProblem::Checkpoint(CheckpointMismatch::RootDiffers { size, expected, found }) => {
                format!("存储前 {size} 条记录的根哈希为 {found}，检查点记载为 {expected}：历史被改写")
            }
            StoreProblem::Physical { check, message } => format!("数据库自身的完整性检查（{check}）报告：{message}"),
            StoreProblem::LoadMismatch { instance, seq, message } => format!(
                "实例 {instance} 第 {seq} 条记录：按实例读取（经索引）的日志与按追加顺序全表扫描的结果不一致：{message}"
            ),
            StoreProblem::HeadDiffers {
                instance,
                seq,
                field,
                stored,
                expected,
            } => format!("实例 {instance}：实例头的 {field} 为 {stored}，按日志（至第 {seq} 条记录）应为 {expected}"),
            StoreProblem::SnapshotMismatch {
                instance,
                seq,
                field,
                stored,
                expected,
            } => format!("实例 {instance} 第 {seq} 条记录处的快照：其 {field} 为 {stored}，按日志重放应为 {expected}"),
            StoreProblem::ColumnMismatch {
                table,
                column,
                instance,
                seq,
                stored,
                expected,
            } => format!(
                "{}列 {table}.{column} 存有 {stored}，记录本身为 {expected}",
                match seq {
                    Some(seq) => format!("实例 {instance} 第 {seq} 条记录："),
                    None => format!("实例 {instance}："),
                }
            ),
            StoreProblem::Unreadable { place, message } => format!("{place}：无法读回：{message}"),
            StoreProblem::Claim {
                namespace,
                key,
                problem,
            } => match problem {
                ClaimProblem::Missing { holder } => {
                    format!("占用 {namespace} {key:?}：{holder} 占用了它，但存储中没有该记录的占用登记")
                }
                ClaimProblem::Forged { holder } => {
                    format!("占用 {namespace} {key:?}：存储登记为 {holder} 占用，但该记录并未占用它")
                }
            },
        }
    }
}

/// A [`VerifyError`] in Chinese; kinds without a Chinese text keep their English one.
fn verify_error_zh(e: &VerifyError) -> String {
    let kind = match &e.kind {
        VerifyErrorKind::Empty => "日志没有记录".to_owned(),
        VerifyErrorKind::UnknownFormat { found } => format!("未知的记录格式 {found}"),
        VerifyErrorKind::WrongInstance { found } => format!("记录属于实例 {found}"),
        VerifyErrorKind::SequenceGap { expected, found } => format!("应为序号 {expected}，实为 {found}"),
        VerifyErrorKind::BrokenLink { expected, found } => {
            format!("prev_hash {found} 与前一条记录的哈希 {expected} 不符")
        }
        VerifyErrorKind::HashMismatch { stored, computed } => {
            format!("内容的哈希为 {computed}，记录存有 {stored}：记录被改动")
        }
        VerifyErrorKind::Creation { message } => format!("创建记录有误（{message}）"),
        VerifyErrorKind::WrongDefinition { expected, found } => {
            format!("记录遵循 {found}，日志按 {expected} 重放")
        }
        VerifyErrorKind::UnknownState { state } => format!("未知状态 {state:?}"),
        VerifyErrorKind::StateMismatch { expected, found } => {
            format!("记录的起始状态为 {found:?}，实例当时处于 {expected:?}")
        }
        VerifyErrorKind::NoSuchTransition { from, action } => {
            format!("接受了从 {from:?} 的 {action:?}，但定义中没有该流转")
        }
        VerifyErrorKind::TargetMismatch {
            action,
            expected,
            found,
        } => format!("接受的 {action:?} 流转到 {found:?}，定义规定为 {expected:?}"),
        VerifyErrorKind::RoleNotAllowed { role, action } => {
            format!("角色 {role:?} 无权执行 {action:?}，记录却被接受")
        }
        VerifyErrorKind::EmptyRefusal => "拒绝记录未给出理由".to_owned(),
        VerifyErrorKind::GuardsWouldRefuse { reasons } => {
            let mut text = "已被接受，但按其规则应予拒绝：".to_owned();
            for r in reasons {
                text.push_str(r.message.get(Lang::Zh));
                text.push('；');
            }
            text
        }
        VerifyErrorKind::Snapshot { message } => format!("快照：{message}"),
        VerifyErrorKind::Migration { message } => format!("迁移记录有误（{message}）"),
        other => other.to_string(),
    };
    format!("实例 {} 第 {} 条记录：{kind}", e.instance, e.seq)
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

    /// Every problem in `lang`, one per entry, in the order found.
    pub fn problem_texts(&self, lang: Lang) -> Vec<String> {
        self.problems.iter().map(|p| p.text(lang)).collect()
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

/// How thoroughly [`Store::check_storage`] checks the database itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StorageCheck {
    /// The quick check every verification runs (SQLite: `PRAGMA quick_check`), and
    /// every queryable column against its record.
    #[default]
    Quick,
    /// Also the slow, thorough check (SQLite: `PRAGMA integrity_check`, which also
    /// checks every index against its table).
    Full,
}

/// What [`verify_store_with`] checks besides the store itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions<'a> {
    /// A checkpoint saved earlier that the store must extend.
    pub checkpoint: Option<&'a Checkpoint>,
    /// How thoroughly to check the database itself.
    pub storage: StorageCheck,
}

/// What [`verify_store_with`] needs of the definitions: replaying a log.
pub trait Replayer {
    /// Replays `records`, the whole log of the instance whose head is `head`, with the
    /// right definition: `Some(result)`, or `None` when the definition is unknown.
    fn verify(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<(), VerifyError>>;

    /// The instance replayed from `records` (its first records, up to a cached
    /// snapshot's sequence number), as a snapshot: `None` when the definition is
    /// unknown, or when this replayer cannot say (then only the fields the records
    /// give alone are checked: not `data` or `entered_at`).
    fn snapshot(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<Snapshot, VerifyError>> {
        let _ = (head, records);
        None
    }

    /// The [due time](crate::Instance::due_at) of the instance replayed from
    /// `records` (its log up to its head's sequence number): `None` when this replayer
    /// cannot say, and then the head's `due_at` is not checked. The default reads it
    /// from [`snapshot`](Replayer::snapshot).
    fn due_at(
        &mut self,
        head: &InstanceHead,
        records: &[AuditRecord],
    ) -> Option<Result<Option<chrono::DateTime<chrono::Utc>>, VerifyError>> {
        self.snapshot(head, records).map(|r| r.map(|s| s.due_at))
    }
}

/// A [`Replayer`] from two functions: one that verifies a log, one that replays it
/// into a snapshot (see [`Replayers::new`]).
#[derive(Clone, Debug)]
pub struct Replayers<V, P> {
    verify: V,
    snapshot: P,
}

impl<V, P> Replayers<V, P>
where
    V: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>>,
    P: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<Snapshot, VerifyError>>,
{
    /// `verify` as [`Replayer::verify`], `snapshot` as [`Replayer::snapshot`]; for
    /// example `|_, records| Some(definition.verify(records))` and
    /// `|_, records| Some(definition.replay(records).and_then(…snapshot…))`.
    pub fn new(verify: V, snapshot: P) -> Self {
        Replayers { verify, snapshot }
    }
}

impl<V, P> Replayer for Replayers<V, P>
where
    V: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>>,
    P: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<Snapshot, VerifyError>>,
{
    fn verify(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<(), VerifyError>> {
        (self.verify)(head, records)
    }

    fn snapshot(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<Snapshot, VerifyError>> {
        (self.snapshot)(head, records)
    }
}

/// A replayer from a verifying function alone: snapshots are checked against the
/// records, not replayed.
struct VerifyOnly<R>(R);

impl<R> Replayer for VerifyOnly<R>
where
    R: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>>,
{
    fn verify(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<(), VerifyError>> {
        (self.0)(head, records)
    }
}

/// Verifies a whole store, streaming its records in append order, with the quick
/// storage check and no snapshot replay: [`verify_store_with`] with `replay` as
/// [`Replayer::verify`].
///
/// `replay` is called with each intact instance's head and records: return
/// `Some(result)` of replaying them with the right definition (for example
/// `definition.verify(records)`, or `versions.verify(records)` for a definition with
/// several [`Versions`](crate::Versions)), or `None` when the definition is unknown. With a
/// `checkpoint`, also checks that the store extends it. `progress` is called with the
/// number of records read so far and the total.
pub fn verify_store<S, R>(
    store: &S,
    checkpoint: Option<&Checkpoint>,
    replay: R,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<StoreReport, StoreError>
where
    S: Store + ?Sized,
    R: FnMut(&InstanceHead, &[AuditRecord]) -> Option<Result<(), VerifyError>>,
{
    let options = VerifyOptions {
        checkpoint,
        storage: StorageCheck::Quick,
    };
    verify_store_with(store, &options, &mut VerifyOnly(replay), progress)
}

/// Verifies a whole store, streaming its records in append order, and reports every
/// problem found (an instance's chain is followed up to its first break; every other
/// instance, head, snapshot, column and index is still checked).
///
/// Checks:
/// - every instance's hash chain and sequence numbers, over the full scan in append
///   order;
/// - the Merkle tree the store maintains against the records, and, with a checkpoint,
///   that the store extends it;
/// - every head against its log: it exists, ends where the log ends, and each field
///   (definition, state, last hash, created and updated times) is what the log gives;
/// - that reading each instance's records by instance (the store's index) gives the
///   same records as the full scan: an index that lies shows here;
/// - every instance's transitions, with `replay` ([`Replayer::verify`]; for a
///   definition with several versions, [`Versions::replayer`](crate::Versions::replayer));
/// - every cached snapshot against the instance replayed from its log up to the
///   snapshot's sequence number ([`Replayer::snapshot`]), field by field;
/// - what only the store can check, with [`Store::check_storage`]: the database's
///   own integrity check and every queryable column against its record.
///
/// `progress` is called with the number of records read so far and the total.
///
/// It may run while other writers append: the tree head read at the start is held
/// against the records it counts, each head against the records up to its own sequence
/// number, and records appended meanwhile are chain-checked and must be counted by the
/// tree head and the heads read after the scan. A clean report on a live store is
/// therefore as strong as on a quiet one for everything committed before it began.
///
/// Stored data that cannot be read back ([`StoreError::Corrupt`]) is reported as a
/// problem ([`StoreProblem::Unreadable`]) rather than an error, and so is a failed read
/// of a database whose own integrity check found damage; the scan stops there. Any
/// other error means the verification could not run.
pub fn verify_store_with<S>(
    store: &S,
    options: &VerifyOptions<'_>,
    replay: &mut dyn Replayer,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<StoreReport, StoreError>
where
    S: Store + ?Sized,
{
    // First, so that a database too damaged to scan still reports what is wrong.
    let storage = store.check_storage(options.storage)?;
    let mut report = StoreReport::default();
    match check_log(store, options.checkpoint, replay, progress, &mut report) {
        Ok(()) => {}
        Err(StoreError::Corrupt { place, message }) => {
            report.problems.push(StoreProblem::Unreadable { place, message });
        }
        Err(e @ StoreError::Backend { .. }) if storage.iter().any(|p| matches!(p, StoreProblem::Physical { .. })) => {
            report.problems.push(StoreProblem::Physical {
                check: "read".to_owned(),
                message: e.to_string(),
            });
        }
        Err(e) => return Err(e),
    }
    report.problems.extend(storage);
    Ok(report)
}

/// Everything [`verify_store_with`] checks but the storage, into `report`.
fn check_log<S>(
    store: &S,
    checkpoint: Option<&Checkpoint>,
    replay: &mut dyn Replayer,
    progress: &mut dyn FnMut(u64, u64),
    report: &mut StoreReport,
) -> Result<(), StoreError>
where
    S: Store + ?Sized,
{
    // Other writers may append while this runs (several servers on one PostgreSQL
    // database). So the tree head is read first and the heads after it: everything
    // either describes is committed, and the scan, which starts after both, sees all of
    // it. Records appended during the scan are checked too, but only the tree head read
    // first is held against the records, and a head against the records up to its own
    // sequence number.
    let stored = store.tree_head()?;
    let heads = store.list(&InstanceFilter::all())?;
    let mut chains: HashMap<Uuid, (u64, Digest)> = HashMap::new();
    // The time rules need the previous record's times; the verifier's clock is not
    // known here (the replay with a definition checks against it).
    let mut floors: HashMap<Uuid, TimeFloor> = HashMap::new();
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
                && position == cp.size()
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
            let result = check_link(r, r.instance, seq + 1, prev)
                .and_then(|()| check_creation(r, r.instance, seq + 1))
                .and_then(|()| {
                    check_times(r, floors.get(&r.instance), None).map_err(|kind| VerifyError {
                        instance: r.instance,
                        seq: seq + 1,
                        kind,
                    })
                });
            if seq == 0 {
                order.push(r.instance);
            }
            match result {
                Ok(()) => {
                    chains.insert(r.instance, (seq + 1, r.hash));
                    let floor = TimeFloor::after(floors.get(&r.instance).copied(), r);
                    floors.insert(r.instance, floor);
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
    if let Some(cp) = checkpoint
        && let Some(m) = checkpoint_mismatch(cp, position, checkpoint_root)
    {
        report.problems.push(StoreProblem::Checkpoint(m));
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
        if broken.contains(&head.instance) {
            continue;
        }
        let Some(&scanned) = chains.get(&head.instance) else {
            continue;
        };
        // The snapshot is read before the records: it is written after the records it
        // covers are committed, so the records read next reach at least its seq.
        let snapshot = match store.snapshot(head.instance) {
            Ok(snapshot) => snapshot,
            Err(StoreError::Corrupt { place, message }) => {
                report.problems.push(StoreProblem::Unreadable { place, message });
                None
            }
            Err(e) => return Err(e),
        };
        let records = match store.load(head.instance) {
            Ok(records) => records,
            Err(StoreError::Corrupt { place, message }) => {
                report.problems.push(StoreProblem::Unreadable { place, message });
                continue;
            }
            Err(StoreError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        if let Some(problem) = load_mismatch(head.instance, scanned, &records) {
            // What loads return is not the log: replaying it would only repeat this.
            report.problems.push(problem);
            continue;
        }
        // A head behind the log was reported above (HeadMismatch); its fields would
        // only differ as a consequence.
        let stored = head;
        if head.seq >= scanned.0 {
            head_differences(head, &records, &mut report.problems);
        }
        // The definition to replay with is the one the log names, not the head's copy.
        let head = InstanceHead::advanced(None, &records).unwrap_or_else(|| head.clone());
        match replay.verify(&head, &records) {
            Some(Ok(())) => {
                report.replayed += 1;
                if stored.seq >= scanned.0 {
                    due_difference(stored, &records, replay, &mut report.problems);
                }
            }
            Some(Err(e)) => report.problems.push(StoreProblem::Transition(e)),
            None => report.problems.push(StoreProblem::UnknownDefinition {
                instance: head.instance,
                definition: head.definition.clone(),
            }),
        }
        if let Some(snapshot) = snapshot {
            snapshot_differences(&head, &snapshot, &records, replay, &mut report.problems);
        }
    }
    Ok(())
}

/// Compares the records a load by instance returned with what the full scan saw of
/// the instance: `scanned` records whose last hash is given. The load must hold them,
/// in order, as one intact chain (it may hold more: records appended since).
fn load_mismatch(instance: Uuid, scanned: (u64, Digest), records: &[AuditRecord]) -> Option<StoreProblem> {
    let (count, last) = scanned;
    let mismatch = |seq: u64, message: String| StoreProblem::LoadMismatch { instance, seq, message };
    let mut prev = Digest::ZERO;
    for (i, r) in records.iter().enumerate() {
        let seq = i as u64 + 1;
        if let Err(e) = check_link(r, instance, seq, prev).and_then(|()| check_creation(r, instance, seq)) {
            return Some(mismatch(
                seq,
                format!("the read by instance gives a broken log: {}", e.kind),
            ));
        }
        prev = r.hash;
    }
    let loaded = records.len() as u64;
    if loaded < count {
        return Some(mismatch(
            loaded + 1,
            format!("the read by instance returns {loaded} records, the full scan holds {count}"),
        ));
    }
    let held = usize::try_from(count - 1)
        .ok()
        .and_then(|i| records.get(i))
        .map(|r| r.hash);
    (held != Some(last)).then(|| {
        mismatch(
            count,
            format!(
                "record {count} read by instance has hash {}, in the full scan {last}",
                held.map_or_else(|| "none".to_owned(), |h| h.to_string())
            ),
        )
    })
}

/// Every field of `head` that differs from what its log up to `head.seq` gives. A
/// head beyond the log is reported elsewhere ([`StoreProblem::HeadMismatch`]).
fn head_differences(head: &InstanceHead, records: &[AuditRecord], problems: &mut Vec<StoreProblem>) {
    let Some(upto) = usize::try_from(head.seq).ok().and_then(|n| records.get(..n)) else {
        return;
    };
    let Some(expected) = InstanceHead::advanced(None, upto) else {
        return;
    };
    let mut differ = |field: &'static str, stored: String, expected: String| {
        if stored != expected {
            problems.push(StoreProblem::HeadDiffers {
                instance: head.instance,
                seq: head.seq,
                field,
                stored,
                expected,
            });
        }
    };
    differ(
        "definition",
        head.definition.to_string(),
        expected.definition.to_string(),
    );
    differ("state", format!("{:?}", head.state), format!("{:?}", expected.state));
    differ("last_hash", head.last_hash.to_string(), expected.last_hash.to_string());
    differ("created_at", time(&head.created_at), time(&expected.created_at));
    differ("updated_at", time(&head.updated_at), time(&expected.updated_at));
    differ("entered_at", time(&head.entered_at), time(&expected.entered_at));
}

/// The head's due time against the log replayed up to the head, when the replayer can
/// say: a due time removed, moved or invented hides an instance from (or puts it on)
/// the list of overdue ones.
fn due_difference(
    head: &InstanceHead,
    records: &[AuditRecord],
    replay: &mut dyn Replayer,
    problems: &mut Vec<StoreProblem>,
) {
    let Some(upto) = usize::try_from(head.seq).ok().and_then(|n| records.get(..n)) else {
        return;
    };
    let Some(Ok(expected)) = replay.due_at(head, upto) else {
        return;
    };
    let show = |t: Option<chrono::DateTime<chrono::Utc>>| t.as_ref().map_or_else(|| "none".to_owned(), time);
    if head.due_at != expected {
        problems.push(StoreProblem::HeadDiffers {
            instance: head.instance,
            seq: head.seq,
            field: "due_at",
            stored: show(head.due_at),
            expected: show(expected),
        });
    }
}

/// Every field of a cached `snapshot` that differs from the instance replayed from
/// `records` up to the snapshot's sequence number.
fn snapshot_differences(
    head: &InstanceHead,
    snapshot: &Snapshot,
    records: &[AuditRecord],
    replay: &mut dyn Replayer,
    problems: &mut Vec<StoreProblem>,
) {
    let instance = head.instance;
    let seq = snapshot.seq;
    let mut differ = |field: &'static str, stored: String, expected: String| {
        if stored != expected {
            problems.push(StoreProblem::SnapshotMismatch {
                instance,
                seq,
                field,
                stored,
                expected,
            });
        }
    };
    differ("instance", snapshot.instance.to_string(), instance.to_string());
    let Some(upto) = usize::try_from(seq)
        .ok()
        .filter(|&n| n > 0)
        .and_then(|n| records.get(..n))
    else {
        differ(
            "seq",
            seq.to_string(),
            format!("a record of the log, 1 to {}", records.len()),
        );
        return;
    };
    let (Some(first), Some(last)) = (upto.first(), upto.last()) else {
        return;
    };
    match replay.snapshot(head, upto) {
        // The instance replayed: every field.
        Some(Ok(replayed)) => {
            differ(
                "definition",
                snapshot.definition.to_string(),
                replayed.definition.to_string(),
            );
            differ(
                "state",
                format!("{:?}", snapshot.state),
                format!("{:?}", replayed.state),
            );
            differ(
                "data",
                crate::record::canonical_json(&snapshot.data),
                crate::record::canonical_json(&replayed.data),
            );
            differ("seq", seq.to_string(), replayed.seq.to_string());
            differ(
                "last_hash",
                snapshot.last_hash.to_string(),
                replayed.last_hash.to_string(),
            );
            differ("created_at", time(&snapshot.created_at), time(&replayed.created_at));
            differ("entered_at", time(&snapshot.entered_at), time(&replayed.entered_at));
            differ("updated_at", time(&snapshot.updated_at), time(&replayed.updated_at));
            // Snapshots taken before these fields existed lack them and resume with
            // `updated_at` (exact for format 1 logs, whose writers' clock was `at`);
            // present, they must match the replay.
            // Marks and the due time are absent from snapshots taken before deadlines
            // existed (never resumed from); present, they must match the replay.
            if let Some(marks) = &snapshot.marks {
                differ(
                    "marks",
                    format!("{marks:?}"),
                    format!("{:?}", replayed.marks.clone().unwrap_or_default()),
                );
                differ(
                    "due_at",
                    snapshot.due_at.as_ref().map_or_else(|| "none".to_owned(), time),
                    replayed.due_at.as_ref().map_or_else(|| "none".to_owned(), time),
                );
            }
            for (field, stored, expected) in [
                ("settled_at", snapshot.settled_at, replayed.settled_at),
                ("recorded_at", snapshot.recorded_at, replayed.recorded_at),
            ] {
                if let Some(stored) = stored {
                    differ(field, time(&stored), expected.as_ref().map_or_else(String::new, time));
                }
            }
        }
        // The log does not replay: reported by the verification of the whole log.
        Some(Err(_)) => {}
        // No replay: what the records give alone (not the data, nor when the state
        // was entered).
        None => {
            differ(
                "definition",
                snapshot.definition.to_string(),
                last.definition.to_string(),
            );
            differ(
                "state",
                format!("{:?}", snapshot.state),
                format!("{:?}", last.state_after()),
            );
            differ("last_hash", snapshot.last_hash.to_string(), last.hash.to_string());
            differ("created_at", time(&snapshot.created_at), time(&first.at));
            differ("updated_at", time(&snapshot.updated_at), time(&last.at));
        }
    }
}

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// "instance X, record N: " or "instance X: ".
fn place(instance: &Uuid, seq: Option<u64>) -> String {
    match seq {
        Some(seq) => format!("instance {instance}, record {seq}: "),
        None => format!("instance {instance}: "),
    }
}

fn checkpoint_mismatch(cp: &Checkpoint, size: u64, root: Option<Digest>) -> Option<CheckpointMismatch> {
    if size < cp.size() {
        return Some(CheckpointMismatch::Truncated {
            checkpoint: cp.size(),
            store: size,
        });
    }
    let found = if cp.size() == 0 {
        crate::merkle::empty_root()
    } else {
        root?
    };
    (found != cp.root()).then_some(CheckpointMismatch::RootDiffers {
        size: cp.size(),
        expected: cp.root(),
        found,
    })
}

/// Checks only that the store extends `checkpoint`: it holds at least as many records,
/// and the first `checkpoint.size()` of them have the checkpoint's root. Returns the
/// mismatch, if any.
pub fn verify_against_checkpoint<S: Store + ?Sized>(
    store: &S,
    checkpoint: &Checkpoint,
) -> Result<Option<CheckpointMismatch>, StoreError> {
    let mut range = CompactRange::new();
    while range.size() < checkpoint.size() {
        let want = usize::try_from(checkpoint.size() - range.size())
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
    let root = (range.size() == checkpoint.size()).then(|| range.root());
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
