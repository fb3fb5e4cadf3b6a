//! The versions of one definition, and replay across them.
//!
//! A definition gets new versions (same [`Lifecycle`] type, same name, a higher
//! version number; states, rows, guards and roles may differ). Records carry the
//! version that wrote them, and an instance moves from one version to a newer one by
//! a recorded migration ([`Engine::migrate`](crate::Engine::migrate)). [`Versions`]
//! holds every version a log may name and replays it: the creation record names the
//! version the instance starts under; every later record names the version the
//! instance follows when it is written, except an accepted `migrate` record, which
//! names its target, after which the instance follows the target.

use std::sync::Arc;

use crate::Lifecycle;
use crate::definition::Definition;
use crate::instance::{Instance, Snapshot};
use crate::record::{AuditRecord, DefinitionRef};
use crate::replay::{Defs, ReplayOptions, VerifyError, VerifyErrorKind, replay_log, replay_onto_log, resume_log};
use crate::store::{InstanceHead, Replayer};

/// [`Versions::new`] was given versions that do not belong together.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionsError {
    /// No version at all.
    #[error("no definition version was given")]
    Empty,
    /// Two versions have different definition names.
    #[error("versions of one definition must share its name: {expected:?} and {found:?} differ")]
    NameDiffers {
        /// The first version's name.
        expected: String,
        /// The other name.
        found: String,
    },
    /// A version number appears twice.
    #[error("definition {definition:?}: version {version} is given twice")]
    DuplicateVersion {
        /// The definition.
        definition: String,
        /// The repeated version.
        version: u32,
    },
    /// A version that must be among them is not (for
    /// [`Repository::with_versions`](crate::Repository::with_versions): the engine's).
    #[error("{definition} is not among the versions given")]
    Missing {
        /// The missing definition version.
        definition: DefinitionRef,
    },
}

/// Every version of one definition a log may name, from the oldest to the latest.
///
/// ```
/// # use regula_core::{Definition, Text, Transition, Versions, Dynamic, DynState};
/// let v = |n| Definition::<Dynamic>::builder("review", n)
///     .state(DynState::new("open"), Text::new("进行中", "Open"))
///     .state(DynState::new("closed"), Text::new("已结束", "Closed"))
///     .initial(DynState::new("open"))
///     .terminal(DynState::new("closed"))
///     .role("clerk", Text::new("书记员", "Clerk"))
///     .action("close", Text::new("结束", "Close"))
///     .transition(Transition::new(DynState::new("open"), "close", DynState::new("closed")).by(["clerk"]))
///     .build();
/// let versions = Versions::new([v(1)?, v(2)?])?;
/// assert_eq!(versions.latest().version(), 2);
/// assert!(Versions::new([v(2)?, v(2)?]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Versions<L: Lifecycle> {
    list: Vec<Arc<Definition<L>>>,
}

impl<L: Lifecycle> Clone for Versions<L> {
    fn clone(&self) -> Self {
        Versions {
            list: self.list.clone(),
        }
    }
}

impl<L: Lifecycle> std::fmt::Debug for Versions<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.list.iter().map(|d| d.reference())).finish()
    }
}

impl<L: Lifecycle> Versions<L> {
    /// The versions `definitions`, in any order: at least one, all with the same name,
    /// no version number twice.
    pub fn new<I, D>(definitions: I) -> Result<Self, VersionsError>
    where
        I: IntoIterator<Item = D>,
        D: Into<Arc<Definition<L>>>,
    {
        let mut list: Vec<Arc<Definition<L>>> = definitions.into_iter().map(Into::into).collect();
        let Some(first) = list.first() else {
            return Err(VersionsError::Empty);
        };
        let name = first.name().to_owned();
        if let Some(other) = list.iter().find(|d| d.name() != name) {
            return Err(VersionsError::NameDiffers {
                expected: name,
                found: other.name().to_owned(),
            });
        }
        list.sort_by_key(|d| d.version());
        if let Some(w) = list.windows(2).find(|w| w[0].version() == w[1].version()) {
            return Err(VersionsError::DuplicateVersion {
                definition: name,
                version: w[0].version(),
            });
        }
        Ok(Versions { list })
    }

    /// The definition's name.
    pub fn name(&self) -> &str {
        self.latest().name()
    }

    /// The latest (highest) version: the one new instances and migrations target.
    pub fn latest(&self) -> &Arc<Definition<L>> {
        // `new` refuses an empty list.
        &self.list[self.list.len() - 1]
    }

    /// The version numbered `version`.
    pub fn get(&self, version: u32) -> Option<&Arc<Definition<L>>> {
        self.list.iter().find(|d| d.version() == version)
    }

    /// The version a record or instance names, if it is one of these.
    pub fn find(&self, reference: &DefinitionRef) -> Option<&Arc<Definition<L>>> {
        self.list.iter().find(|d| d.reference() == reference)
    }

    /// Every version, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Definition<L>>> {
        self.list.iter()
    }

    /// Rebuilds an instance from its records alone, each record checked against the
    /// version it names (see the [module docs](crate::versions)). Besides what
    /// [`Definition::replay`] checks, every `migrate` record is checked completely:
    /// `from` is the instance's state; its payload names the version the instance
    /// follows and a newer target that is one of these versions; accepted, its role
    /// is one of the target's migrators, every target of its state map is a state of
    /// the target, and its `to` is what the map and the target give; the time rules
    /// as for any record. With [`ReplayOptions::recheck_guards`], a refused migration's
    /// reasons are recomputed as well (when its target is one of these versions): they
    /// must be those the target gives, any other reason an external one.
    pub fn replay(&self, records: &[AuditRecord]) -> Result<Instance<L>, VerifyError> {
        self.replay_with(records, ReplayOptions::default())
    }

    /// [`replay`](Versions::replay) with options.
    pub fn replay_with(&self, records: &[AuditRecord], options: ReplayOptions) -> Result<Instance<L>, VerifyError> {
        replay_log(Defs::Many(self), records, options)
    }

    /// Rebuilds an instance from a snapshot (taken under any of these versions) and the
    /// records after it, as [`Definition::resume`].
    pub fn resume(&self, snapshot: &Snapshot, records_after: &[AuditRecord]) -> Result<Instance<L>, VerifyError> {
        resume_log(Defs::Many(self), snapshot, records_after)
    }

    /// Applies `records` to `instance`, as [`Definition::replay_onto`], across versions.
    pub fn replay_onto(
        &self,
        instance: Instance<L>,
        records: &[AuditRecord],
        options: ReplayOptions,
    ) -> Result<Instance<L>, VerifyError> {
        replay_onto_log(Defs::Many(self), instance, records, options)
    }

    /// Verifies a log completely; [`replay`](Versions::replay) without keeping the
    /// instance.
    pub fn verify(&self, records: &[AuditRecord]) -> Result<(), VerifyError> {
        self.replay(records).map(|_| ())
    }

    /// [`Definition::trail`] across versions: each record's lateness under the version
    /// the instance followed when it was made.
    pub fn trail(&self, records: &[AuditRecord]) -> Result<Vec<crate::deadline::TrailEntry>, VerifyError> {
        crate::replay::trail_of(crate::replay::Defs::Many(self), records)
    }

    /// A [`Replayer`] for [`verify_store_with`](crate::store::verify_store_with):
    /// replays each log of this definition with `options` and every cached snapshot
    /// against its log; logs of other definitions are unknown to it (`None`).
    pub fn replayer(&self, options: ReplayOptions) -> VersionsReplayer<'_, L> {
        VersionsReplayer {
            versions: self,
            options,
            last: None,
        }
    }
}

/// The [`Replayer`] of a [`Versions`] ([`Versions::replayer`]).
#[derive(Debug)]
pub struct VersionsReplayer<'a, L: Lifecycle> {
    versions: &'a Versions<L>,
    options: ReplayOptions,
    // The instance, last sequence number and due time of the log `verify` replayed
    // last: `due_at` asks for the same log right after, and need not replay it again.
    last: Option<(uuid::Uuid, u64, Option<chrono::DateTime<chrono::Utc>>)>,
}

impl<L: Lifecycle> Replayer for VersionsReplayer<'_, L> {
    fn verify(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<(), VerifyError>> {
        if head.definition.name != self.versions.name() {
            return None;
        }
        let replayed = self.versions.replay_with(records, self.options);
        self.last = replayed.as_ref().ok().map(|i| (i.id(), i.seq(), i.due_at()));
        Some(replayed.map(|_| ()))
    }

    fn due_at(
        &mut self,
        head: &InstanceHead,
        records: &[AuditRecord],
    ) -> Option<Result<Option<chrono::DateTime<chrono::Utc>>, VerifyError>> {
        if head.definition.name != self.versions.name() {
            return None;
        }
        let seq = records.last().map_or(0, |r| r.seq);
        if let Some((id, last_seq, due)) = self.last
            && id == head.instance
            && last_seq == seq
        {
            return Some(Ok(due));
        }
        Some(self.versions.replay(records).map(|i| i.due_at()))
    }

    fn snapshot(&mut self, head: &InstanceHead, records: &[AuditRecord]) -> Option<Result<Snapshot, VerifyError>> {
        if head.definition.name != self.versions.name() {
            return None;
        }
        Some(self.versions.replay(records).and_then(|instance| {
            instance.snapshot().map_err(|e| VerifyError {
                instance: instance.id(),
                seq: instance.seq(),
                kind: VerifyErrorKind::Data { message: e.to_string() },
            })
        }))
    }
}
