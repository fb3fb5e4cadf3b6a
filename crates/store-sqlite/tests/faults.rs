//! The file system failing under the SQLite store, for real: a full disk, a read-only
//! file, and the file removed under a running writer. Each gives a typed
//! [`StoreError::Unavailable`] that names the file and its cause, and nothing
//! acknowledged is lost.
//!
//! The full disk and the read-only file are a small tmpfs mounted for the test (the
//! size limit and the `ro` flag are the kernel's, as on a real disk); that needs root
//! (CAP_SYS_ADMIN). Not root, the full-disk test is skipped with a note, and the
//! read-only test uses a file without write permission (which root would ignore).

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::ScratchDir;
use regula_core::store::{Retried, Unavailability, retry_append};
use regula_core::{Append, AuditRecord, Instance, Store, StoreError};
use regula_store_conformance::faults::{Ack, check_acknowledged};
use regula_store_conformance::sample::{self, Sample, annotate, case, clerk};
use regula_store_sqlite::SqliteStore;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A tmpfs mounted on a scratch directory; unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
    _scratch: ScratchDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`mount -o size=…`), or `None` when this process may
    /// not mount.
    fn mount(tag: &str, size: &str) -> Option<Tmpfs> {
        if !is_root() {
            return None;
        }
        let scratch = ScratchDir::new(tag);
        let dir = scratch.file("mnt");
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs"])
            .arg(&dir)
            .status()
            .ok()?;
        status.success().then_some(Tmpfs { dir, _scratch: scratch })
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount -o remount,{options} {}", self.dir.display());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// A writer on one instance of `store`.
struct Writer {
    engine: regula_core::Engine<Sample>,
    instance: Instance<Sample>,
    acks: Vec<Ack>,
}

impl Writer {
    fn new(store: &SqliteStore, title: &str) -> Writer {
        let engine = sample::engine();
        let (instance, first) = engine.create(clerk(), "clerk", case(title), None).unwrap();
        store
            .append(Append {
                instance: instance.id(),
                expected_seq: 0,
                records: std::slice::from_ref(&first),
                due_at: None,
            })
            .unwrap();
        Writer {
            engine,
            instance,
            acks: vec![Ack::of(&first)],
        }
    }

    /// The next record (not yet appended) and the sequence number it follows.
    fn next(&mut self, text: &str) -> (AuditRecord, u64) {
        let seq = self.instance.seq();
        (self.engine.apply(&mut self.instance, annotate(text)).unwrap(), seq)
    }

    /// Appends `record`; acknowledges it when the store says so.
    fn append(&mut self, store: &SqliteStore, record: &AuditRecord, expected_seq: u64) -> Result<(), StoreError> {
        store.append(Append {
            instance: self.instance.id(),
            expected_seq,
            records: std::slice::from_ref(record),
            due_at: None,
        })?;
        self.acks.push(Ack::of(record));
        Ok(())
    }
}

/// Checks that `e` is `Unavailable` for `cause` and that its message names `file`.
fn assert_unavailable(e: &StoreError, cause: Unavailability, file: &Path) {
    assert_eq!(
        e.unavailable(),
        Some(cause),
        "expected Unavailable({cause:?}), got {e:?}"
    );
    let shown = e.to_string();
    assert!(
        shown.contains(&file.display().to_string()) && shown.contains("nothing was written"),
        "the error names the file and says nothing was written: {shown}"
    );
}

#[test]
fn a_full_disk_is_unavailable_naming_the_file_and_the_writer_recovers_when_space_returns() {
    let Some(fs) = Tmpfs::mount("full", "4m") else {
        eprintln!("SKIPPED: not root, cannot mount a small tmpfs for the full-disk test");
        return;
    };
    let path = fs.dir.join("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let mut w = Writer::new(&store, "full disk");
    // Most of the space taken by another file, so the store fills the rest quickly.
    let filler = fs.dir.join("filler");
    let free = || {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&fs.dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    std::fs::write(&filler, vec![7u8; (free() - 1024 * 1024) as usize]).unwrap();
    let padding = "x".repeat(2000);
    let mut full = None;
    for n in 0..10_000 {
        let (record, seq) = w.next(&format!("{n} {padding}"));
        match w.append(&store, &record, seq) {
            Ok(()) => {}
            Err(e) => {
                full = Some((e, record, seq));
                break;
            }
        }
    }
    let (e, record, seq) = full.expect("the disk never filled up");
    assert_unavailable(&e, Unavailability::DiskFull, &path);
    assert!(w.acks.len() > 3, "the store took appends before the disk filled");
    // Nothing acknowledged lost, and the refused record not written: the same
    // handle reads everything back, and so does a new one.
    check_acknowledged(&store, &w.acks);
    assert_eq!(store.head(w.instance.id()).unwrap().seq, seq);
    // Space back: the same handle appends the refused record, once.
    std::fs::remove_file(&filler).unwrap();
    w.append(&store, &record, seq).unwrap();
    drop(store);
    let again = SqliteStore::open(&path).unwrap();
    check_acknowledged(&again, &w.acks);
    assert_eq!(again.load(w.instance.id()).unwrap().len(), w.acks.len());
}

#[test]
fn a_read_only_file_is_unavailable_naming_the_file_and_nothing_changes() {
    let scratch;
    let tmpfs = Tmpfs::mount("ro", "16m");
    let dir = match &tmpfs {
        Some(fs) => fs.dir.clone(),
        None => {
            scratch = ScratchDir::new("ro");
            scratch.path().to_path_buf()
        }
    };
    let path = dir.join("court.regula");
    let acks = {
        let store = SqliteStore::open(&path).unwrap();
        let mut w = Writer::new(&store, "read-only");
        for n in 0..5 {
            let (r, seq) = w.next(&format!("before {n}"));
            w.append(&store, &r, seq).unwrap();
        }
        w.acks
    };
    let before = std::fs::read(&path).unwrap();
    match &tmpfs {
        // Root ignores file permissions; the kernel's read-only mount it cannot.
        Some(fs) => fs.remount("ro"),
        None => {
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            perms.set_readonly(true);
            std::fs::set_permissions(&path, perms).unwrap();
        }
    }
    // Opening for writing is refused, typed, naming the file ...
    match SqliteStore::open(&path) {
        Err(e) => assert_unavailable(&e, Unavailability::ReadOnly, &path),
        Ok(store) => {
            // ... or, if SQLite opened it read-only, the first append is.
            let (instance, first) = sample::engine()
                .create(clerk(), "clerk", case("refused"), None)
                .unwrap();
            let e = store
                .append(Append {
                    instance: instance.id(),
                    expected_seq: 0,
                    records: std::slice::from_ref(&first),
                    due_at: None,
                })
                .unwrap_err();
            assert_unavailable(&e, Unavailability::ReadOnly, &path);
        }
    }
    // The acknowledged records are all there, readable without writing.
    let reader = SqliteStore::open_existing(&path).unwrap();
    check_acknowledged(&reader, &acks);
    drop(reader);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the read-only file did not change"
    );
}

#[test]
fn a_file_removed_under_a_running_writer_is_unavailable_and_nothing_is_acknowledged_after() {
    let scratch = ScratchDir::new("removed");
    let path = scratch.file("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let mut w = Writer::new(&store, "removed");
    for n in 0..5 {
        let (r, seq) = w.next(&format!("before {n}"));
        w.append(&store, &r, seq).unwrap();
    }
    std::fs::remove_file(&path).unwrap();
    let (record, seq) = w.next("after the removal");
    let e = w.append(&store, &record, seq).unwrap_err();
    assert_unavailable(&e, Unavailability::FileRemoved, &path);
    // Every later attempt is refused too: nothing is acknowledged into a file no one
    // can open again.
    assert_eq!(
        retry_append(
            &store,
            &[Append {
                instance: w.instance.id(),
                expected_seq: seq,
                records: std::slice::from_ref(&record),
                due_at: None,
            }],
            &[]
        )
        .unwrap_err()
        .unavailable(),
        Some(Unavailability::FileRemoved)
    );
    // What was acknowledged before is still readable through the open handle (to be
    // exported), and the refused record is not in it.
    check_acknowledged(&store, &w.acks);
    assert_eq!(store.head(w.instance.id()).unwrap().seq, seq);
    // A new store made at the same path is another file: the old handle still
    // refuses, and says so; the new handle writes.
    let fresh = SqliteStore::open(&path).unwrap();
    let e = w.append(&store, &record, seq).unwrap_err();
    assert_unavailable(&e, Unavailability::FileRemoved, &path);
    assert!(e.to_string().contains("another file"), "{e}");
    Writer::new(&fresh, "the new file");
    assert_eq!(fresh.tree_head().unwrap().size, 1);
}

/// `retry_append` on a store that never fails: it appends what is absent, finds what
/// is present, and does not take another writer's record for its own.
#[test]
fn retry_append_writes_once_and_tells_its_records_from_another_writers() {
    let scratch = ScratchDir::new("retry");
    let path = scratch.file("court.regula");
    let store = SqliteStore::open(&path).unwrap();
    let mut w = Writer::new(&store, "retry");
    let (record, seq) = w.next("once");
    let batch = [Append {
        instance: w.instance.id(),
        expected_seq: seq,
        records: std::slice::from_ref(&record),
        due_at: None,
    }];
    assert!(matches!(
        retry_append(&store, &batch, &[]).unwrap(),
        Retried::Appended(_)
    ));
    assert_eq!(retry_append(&store, &batch, &[]).unwrap(), Retried::AlreadyPresent);
    assert_eq!(store.load(w.instance.id()).unwrap().len(), 2);
    let mut other = record.clone();
    other.hash = w.acks[0].hash;
    let forged = [Append {
        records: std::slice::from_ref(&other),
        ..batch[0]
    }];
    assert!(retry_append(&store, &forged, &[]).unwrap_err().is_conflict());
    // A new instance's creation, retried after it landed.
    let (fresh, first) = sample::engine().create(clerk(), "clerk", case("fresh"), None).unwrap();
    let create = [Append {
        instance: fresh.id(),
        expected_seq: 0,
        records: std::slice::from_ref(&first),
        due_at: None,
    }];
    store.append_batch(&create).unwrap();
    assert_eq!(retry_append(&store, &create, &[]).unwrap(), Retried::AlreadyPresent);
    assert_eq!(store.tree_head().unwrap().size, 3);
}
