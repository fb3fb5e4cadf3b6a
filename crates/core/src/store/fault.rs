//! What a store's failures mean for the records, and how to retry an append whose
//! outcome is unknown.
//!
//! A failed append is one of two things, and the error says which:
//! - **not written**: every error but one. The transaction did not commit (the
//!   store said so, or the commit was never sent); retrying is a new attempt.
//!   [`StoreError::Unavailable`] names a passing cause ([`Unavailability`]).
//! - **outcome unknown**: [`StoreError::OutcomeUnknown`], the connection broke while
//!   the commit was in flight. Resolve it with [`retry_append`].
//!
//! A record is identified by its instance, sequence number and hash, and a store
//! never holds two records with the same instance and sequence number, so no retry can
//! store a record twice: [`retry_append`] only decides what to tell the caller.

use std::fmt;

use super::{Append, Claim, Store, StoreError, TreeHead};
use crate::label::Text;

/// Why a store is unavailable ([`StoreError::Unavailable`]): nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unavailability {
    /// The server could not be reached (refused, timed out, no such host).
    Unreachable,
    /// The connection broke before the commit was sent (a restarted server, a
    /// terminated backend).
    ConnectionLost,
    /// The server refused a new connection: its connection slots are all taken
    /// (PostgreSQL `max_connections`, SQLSTATE 53300).
    TooManyConnections,
    /// The server is shutting down, starting up or recovering from a crash
    /// (SQLSTATE class 57P).
    ShuttingDown,
    /// The disk (or the database's size limit) is full.
    DiskFull,
    /// The file or database is read-only for this process.
    ReadOnly,
    /// The store's file was removed or renamed while it was open: writes to it would
    /// be lost with the last handle, so they are refused.
    FileRemoved,
}

impl Unavailability {
    /// The cause in both of Regula's languages.
    pub fn label(self) -> Text {
        match self {
            Unavailability::Unreachable => Text::new("无法连接存储服务器", "the server cannot be reached"),
            Unavailability::ConnectionLost => Text::new(
                "与存储服务器的连接在提交前中断",
                "the connection broke before the commit was sent",
            ),
            Unavailability::TooManyConnections => Text::new(
                "存储服务器拒绝新连接：连接数已达上限（max_connections）",
                "the server refuses new connections: too many connections (max_connections reached)",
            ),
            Unavailability::ShuttingDown => Text::new(
                "存储服务器正在关闭、启动或从崩溃中恢复",
                "the server is shutting down, starting up or recovering",
            ),
            Unavailability::DiskFull => Text::new("磁盘已满", "the disk is full"),
            Unavailability::ReadOnly => Text::new("存储文件只读", "the store is read-only"),
            Unavailability::FileRemoved => Text::new(
                "存储文件在打开期间被删除或移动",
                "the store's file was removed or moved while open",
            ),
        }
    }
}

impl fmt::Display for Unavailability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label().en)
    }
}

/// What [`retry_append`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Retried {
    /// The append was absent and is now written.
    Appended(TreeHead),
    /// The earlier attempt had landed: the store holds exactly these records (same
    /// instance, sequence number and hash); nothing was written now.
    AlreadyPresent,
}

/// Appends `batch` (with `claims`) again after [`StoreError::OutcomeUnknown`]: if the
/// store already holds its records, unchanged, answers [`Retried::AlreadyPresent`];
/// otherwise appends it. An instance that moved on with other records answers the
/// append's own [`StoreError::Conflict`].
///
/// The records themselves are the idempotency key: a store refuses a second record
/// with the same instance and sequence number, so a retry never duplicates one, and
/// the hashes tell the earlier attempt's records from another writer's.
pub fn retry_append<S: Store + ?Sized>(
    store: &S,
    batch: &[Append<'_>],
    claims: &[Claim],
) -> Result<Retried, StoreError> {
    let attempt = if claims.is_empty() {
        store.append_batch(batch)
    } else {
        store.append_claiming(batch, claims)
    };
    match attempt {
        Ok(head) => Ok(Retried::Appended(head)),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Claimed { .. } | StoreError::InvalidAppend { .. })) => {
            if holds(store, batch)? {
                Ok(Retried::AlreadyPresent)
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}

/// True when `store` holds every record of `batch` right after the sequence number its
/// append expected, with the same hashes: the batch was appended (by this writer; no
/// other writer makes records with the same hashes).
pub fn holds<S: Store + ?Sized>(store: &S, batch: &[Append<'_>]) -> Result<bool, StoreError> {
    for a in batch.iter().filter(|a| !a.records.is_empty()) {
        let held = match store.load_after(a.instance, a.expected_seq) {
            Ok(held) => held,
            Err(StoreError::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let same = held.len() >= a.records.len()
            && held
                .iter()
                .zip(a.records)
                .all(|(h, r)| h.seq == r.seq && h.hash == r.hash);
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}
