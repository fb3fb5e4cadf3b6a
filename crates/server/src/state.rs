//! The court the service holds, kept current with the store, and the group-commit
//! writer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;

use regula_core::AuditRecord;
use regula_core::store::Store as _;
use regula_proof::SigningKey;
use regula_standards::catalog::Catalog;
use regula_standards::service::{Attempt, AttemptError, Court, Refresh, ServiceError};

use crate::any_store::{AnyStore, StoreLocation};
use crate::metrics::Metrics;
use crate::problem::{Problem, internal};
use crate::{Limits, ServeError};

/// What a served court needs besides its store.
pub struct Service {
    court: Mutex<Held>,
    location: StoreLocation,
    /// The catalog for a store that records none yet (its first import records it).
    catalog: Catalog,
    /// The service's metrics.
    pub metrics: Metrics,
    /// The key checkpoints and proofs are signed with, when the service has one.
    pub key: Option<SigningKey>,
    /// The checkpoint origin.
    pub origin: String,
    /// The limits.
    pub limits: Limits,
}

impl Service {
    /// Opens the court on the store at `location`.
    pub fn open(
        location: StoreLocation,
        catalog_file: Option<&PathBuf>,
        key: Option<SigningKey>,
        origin: Option<String>,
        limits: Limits,
    ) -> Result<Self, ServeError> {
        let catalog = match catalog_file {
            Some(path) => Catalog::from_path(path)?,
            None => Catalog::builtin()?,
        };
        let court = open_court(&location, &catalog)?;
        let origin = origin
            .or_else(|| key.as_ref().map(|k| k.name().to_owned()))
            .unwrap_or_else(|| regula_proof::DEFAULT_ORIGIN.to_owned());
        Ok(Service {
            court: Mutex::new(Held { court, known: None }),
            location,
            catalog,
            metrics: Metrics::default(),
            key,
            origin,
            limits,
        })
    }

    /// The court, caught up with what other processes appended meanwhile (a second
    /// server on the same database, a command run beside it): reloaded standards,
    /// tokens issued or revoked, and the court opened again when its rules moved on.
    ///
    /// Catching up costs one read of the store's tree size when nothing was appended
    /// but this service's own writes ([`Held::wrote`]); only when the size differs
    /// are the heads listed and the changed standards reloaded.
    pub fn court(&self) -> Result<MutexGuard<'_, Held>, Problem> {
        // A panic while the lock was held cannot have left a half-written record (the
        // repository changes an instance only after its append), but the court may
        // be stale: it is opened again.
        let (mut held, poisoned) = match self.court.lock() {
            Ok(held) => (held, false),
            Err(poisoned) => (poisoned.into_inner(), true),
        };
        // Read before catching up: whatever is appended after this read shows as a
        // size that differs next time.
        let size = held.court.store().tree_head().map_err(internal)?.size;
        if !poisoned && held.known == Some(size) {
            return Ok(held);
        }
        held.known = None;
        let refresh = if poisoned {
            Refresh::Reopen
        } else {
            held.court.refresh().map_err(internal)?
        };
        if refresh == Refresh::Reopen {
            held.court = open_court(&self.location, &self.catalog).map_err(internal)?;
            self.court.clear_poison();
        }
        held.court.refresh_access().map_err(internal)?;
        held.known = Some(size);
        Ok(held)
    }
}

/// The served court, and the store's size it is known to be current with.
pub struct Held {
    court: Court<AnyStore>,
    /// The tree size the court has caught up with, plus the records this service
    /// appended since (`None`: catch up before the next use).
    known: Option<u64>,
}

impl Held {
    /// Counts `records` this service appended through the court: they need no
    /// catching up.
    pub fn wrote(&mut self, records: u64) {
        self.known = self.known.map(|k| k + records);
    }
}

impl std::ops::Deref for Held {
    type Target = Court<AnyStore>;

    fn deref(&self) -> &Court<AnyStore> {
        &self.court
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut Court<AnyStore> {
        &mut self.court
    }
}

/// Opens the court on `location`'s store.
fn open_court(location: &StoreLocation, catalog: &Catalog) -> Result<Court<AnyStore>, ServiceError> {
    let store = location.open_existing()?;
    let court = Court::open(store, catalog.clone(), |engine| engine)?;
    // A store written before claims existed gets the claims of its past publications.
    court.claim_past_publications()?;
    Ok(court)
}

/// The writer's answer to one attempt: its record, why it wrote nothing, or why the
/// court could not be reached (outer error).
pub type Answer = Result<Result<AuditRecord, AttemptError>, Problem>;

/// One attempt waiting for the writer, and where its answer goes.
pub struct Job {
    /// The attempt.
    pub attempt: Attempt,
    /// Where the answer goes.
    pub reply: tokio::sync::oneshot::Sender<Answer>,
}

/// The group-commit writer: one thread that takes every attempt queued while it was
/// writing the last batch and writes them together ([`Court::apply_batch`]): one
/// transaction and one sync for the batch, each request answered only after its
/// record is durable.
pub struct Writer {
    sender: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer for `service`, writing at most `max_batch` records at once;
    /// fails when its thread cannot be started.
    pub fn start(service: Arc<Service>, max_batch: usize) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("regula-writer".to_owned())
            .spawn(move || write_batches(&service, &receiver, max_batch.max(1)))?;
        Ok(Writer {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Queues `job`; `false` when the writer has stopped.
    pub fn submit(&self, job: Job) -> bool {
        self.sender.as_ref().is_some_and(|s| s.send(job).is_ok())
    }

    /// Stops taking attempts and waits until every queued one is written.
    pub fn finish(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.finish();
    }
}

fn write_batches(service: &Service, receiver: &mpsc::Receiver<Job>, max_batch: usize) {
    while let Ok(first) = receiver.recv() {
        let mut jobs = vec![first];
        while jobs.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (attempts, replies): (Vec<Attempt>, Vec<_>) = jobs.into_iter().map(|j| (j.attempt, j.reply)).unzip();
        let results: Vec<Answer> = match service.court() {
            Ok(mut court) => {
                let results = court.apply_batch(attempts);
                court.wrote(results.iter().filter(|r| r.is_ok()).count() as u64);
                results.into_iter().map(Ok).collect()
            }
            Err(problem) => attempts.iter().map(|_| Err(problem.clone())).collect(),
        };
        service
            .metrics
            .batch(results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count());
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that went away (its request timed out) still has its record.
            let _ = reply.send(result);
        }
    }
}
