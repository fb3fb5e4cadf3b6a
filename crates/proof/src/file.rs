//! Writing a file all at once or not at all: every file Regula writes besides a store
//! (keys, checkpoints, proof bundles, the catalog copy beside a store) goes through
//! [`write_atomic`].

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// How [`write_atomic`] treats the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// The permission bits of a new file (e.g. `0o600` for a secret key).
    pub mode: u32,
    /// Replace an existing file (`true`), or fail with
    /// [`io::ErrorKind::AlreadyExists`] and leave it alone (`false`).
    pub replace: bool,
}

impl WriteOptions {
    /// A file anyone may read, replacing an older one: checkpoints, bundles, copies.
    pub const REPLACE: WriteOptions = WriteOptions {
        mode: 0o644,
        replace: true,
    };
}

/// The temporary file [`write_atomic`] writes `path`'s new contents to first:
/// `.NAME.tmp` in the same directory (so the final rename never crosses file systems).
/// While it exists, another write of `path` fails instead of mixing with it; a crash
/// between its creation and the rename leaves it behind, and it must then be removed.
pub fn temporary_path(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file name", path.display()),
        )
    })?;
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(".tmp");
    Ok(path.with_file_name(tmp))
}

/// Writes `bytes` to `path` all at once or not at all: to a new temporary file in the
/// same directory ([`temporary_path`]), synced to stable storage, then renamed over
/// `path` (or, without [`WriteOptions::replace`], linked to `path` only if nothing is
/// there), and the directory synced. On any failure the temporary file is removed and
/// `path` is as it was: a reader sees the old contents or the new, never a part.
/// Errors name the file that failed.
pub fn write_atomic(path: &Path, bytes: &[u8], options: WriteOptions) -> io::Result<()> {
    let tmp = temporary_path(path)?;
    let named = |at: &Path, e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", at.display()));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(options.mode)
        .open(&tmp)
        .map_err(|e| named(&tmp, e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let placed = written.map_err(|e| named(&tmp, e)).and_then(|()| {
        if options.replace {
            std::fs::rename(&tmp, path).map_err(|e| named(path, e))
        } else {
            // A hard link fails when `path` exists: no check-then-write race.
            std::fs::hard_link(&tmp, path).map_err(|e| named(path, e))
        }
    });
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if !options.replace {
        // The new file is in place under its name; the extra link is only clutter.
        let _ = std::fs::remove_file(&tmp);
    }
    // The rename is durable once the directory is synced.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| named(dir, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("regula-atomic-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_whole_or_leaves_the_old_file() {
        let dir = scratch("replace");
        let path = dir.join("cp.json");
        write_atomic(&path, b"one", WriteOptions::REPLACE).unwrap();
        write_atomic(&path, b"two", WriteOptions::REPLACE).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!temporary_path(&path).unwrap().exists());
        // The temporary path taken (here by a directory): refused, the old file kept.
        std::fs::create_dir(temporary_path(&path).unwrap()).unwrap();
        let err = write_atomic(&path, b"three", WriteOptions::REPLACE).unwrap_err();
        assert!(err.to_string().contains(".cp.json.tmp"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        std::fs::remove_dir(temporary_path(&path).unwrap()).unwrap();
        // The target a directory: the rename fails, nothing is left behind.
        let target = dir.join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("x"), b"x").unwrap();
        assert!(write_atomic(&target, b"data", WriteOptions::REPLACE).is_err());
        assert!(!temporary_path(&target).unwrap().exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn without_replace_an_existing_file_is_kept() {
        let dir = scratch("keep");
        let path = dir.join("key");
        let options = WriteOptions {
            mode: 0o600,
            replace: false,
        };
        write_atomic(&path, b"secret", options).unwrap();
        let err = write_atomic(&path, b"other", options).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"secret");
        assert!(!temporary_path(&path).unwrap().exists());
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
