//! Directory handles that never follow a symbolic link: everything the tool creates in a
//! product home (`.wso2-harden/`, its lock, journal and backup sets) and every temp file of an
//! atomic write is reached with `openat`/`mkdirat`/`renameat` relative to an open directory,
//! with `O_NOFOLLOW`. A home's owner can plant a symlink where root will write; it is refused,
//! and nothing at its target is touched.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A directory held open; names below it are resolved without following symlinks.
#[derive(Debug)]
pub struct Dir {
    /// For messages only.
    pub path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

/// Why a path was refused.
#[derive(Debug, thiserror::Error)]
pub enum SafeError {
    #[error("{0}: is a symbolic link; refusing to follow it (it could redirect root's writes)")]
    Symlink(PathBuf),
    #[error("{0}: is not a directory")]
    NotDir(PathBuf),
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: io::Error },
}

impl SafeError {
    pub fn io(path: &Path, err: io::Error) -> SafeError {
        SafeError::Io {
            path: path.to_path_buf(),
            err,
        }
    }
}

/// Metadata of an entry, not following a final symlink.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub is_dir: bool,
    pub is_file: bool,
    pub is_symlink: bool,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    pub size: u64,
}

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(not(unix))]
mod other;
#[cfg(not(unix))]
use other as imp;

pub use imp::{alive, euid};

impl Dir {
    /// Reads a whole file below this directory, refusing a symlink.
    pub fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut out = Vec::new();
        self.open_file(name, false, None)?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// Opens the directory at `rel` (`/`-separated) below this one, each component refused
    /// when it is a symlink; `create` makes missing ones with that mode.
    pub fn sub_path(&self, rel: &str, create: Option<u32>) -> Result<Option<Dir>, SafeError> {
        let mut parts = rel.split('/').filter(|p| !p.is_empty() && *p != ".");
        let Some(first) = parts.next() else {
            return Dir::open(&self.path).map(Some);
        };
        let Some(mut dir) = self.sub(first, create)? else {
            return Ok(None);
        };
        for part in parts {
            if part == ".." {
                return Err(SafeError::io(
                    &dir.path.join(part),
                    io::Error::new(io::ErrorKind::InvalidInput, "`..` in a backup path"),
                ));
            }
            match dir.sub(part, create)? {
                Some(d) => dir = d,
                None => return Ok(None),
            }
        }
        Ok(Some(dir))
    }

    /// Writes `bytes` as the new file `name` (never replacing, never through a link), fsynced.
    pub fn write_new(&self, name: &str, bytes: &[u8], mode: u32) -> io::Result<File> {
        use std::io::Write;
        let mut f = self.create_file(name, mode)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(f)
    }

    /// Atomically replaces `name` with `bytes` (temp file, fsync, rename, fsync of this dir).
    pub fn replace(&self, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        let tmp = super::write::temp_name();
        if let Err(e) = self.write_new(&tmp, bytes, mode) {
            let _ = self.remove_file(&tmp);
            return Err(e);
        }
        if let Err(e) = self.rename(&tmp, name) {
            let _ = self.remove_file(&tmp);
            return Err(e);
        }
        self.sync()
    }

    /// Removes the directory `name` (one this tool created) with everything in it, through
    /// directory handles only: a link inside is removed, never followed.
    pub fn remove_tree(&self, name: &str) -> io::Result<()> {
        fn empty(dir: &Dir, depth: usize) {
            let Ok(names) = dir.names() else { return };
            for child in names {
                match dir.stat(&child) {
                    Ok(e) if e.is_dir && depth < 64 => {
                        if let Ok(Some(sub)) = dir.sub(&child, None) {
                            empty(&sub, depth + 1);
                        }
                        let _ = dir.remove_dir(&child);
                    }
                    _ => {
                        let _ = dir.remove_file(&child);
                    }
                }
            }
        }
        match self.sub(name, None) {
            Ok(Some(dir)) => {
                empty(&dir, 0);
                self.remove_dir(name)
            }
            Ok(None) => Ok(()),
            Err(_) => self.remove_file(name),
        }
    }
}
