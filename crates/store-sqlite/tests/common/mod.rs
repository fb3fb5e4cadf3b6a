//! Helpers shared by the SQLite tests: scratch directories and fresh stores.

#![allow(dead_code)]
// Test helpers: a failure here is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use regula_store_sqlite::{SqliteOptions, SqliteStore};

/// A directory under Cargo's target tmp dir, removed when dropped (kept when
/// `REGULA_KEEP_TEST_FILES` is set).
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "regula-sqlite-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if std::env::var_os("REGULA_KEEP_TEST_FILES").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A store in a new file; the file lives until the process ends.
pub fn fresh_store() -> SqliteStore {
    fresh_store_with(SqliteOptions::default())
}

/// A store in a new file opened with `options`.
pub fn fresh_store_with(options: SqliteOptions) -> SqliteStore {
    // Kept on purpose: the store outlives this function in the conformance macro;
    // the directories are small and live under Cargo's target tmp dir.
    let dir = ScratchDir::new("conformance");
    let path = dir.file("store.regula");
    std::mem::forget(dir);
    SqliteStore::open_with(path, options).unwrap()
}
