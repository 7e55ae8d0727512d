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
mod imp {
    use super::*;
    use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
    use std::os::fd::AsFd;

    // st_nlink is u64 on some targets, u32 or u16 on others.
    #[allow(clippy::unnecessary_cast)]
    fn entry(st: &rfs::Stat) -> Entry {
        let kind = rfs::FileType::from_raw_mode(st.st_mode);
        Entry {
            is_dir: kind == rfs::FileType::Directory,
            is_file: kind == rfs::FileType::RegularFile,
            is_symlink: kind == rfs::FileType::Symlink,
            mode: st.st_mode & 0o7777,
            uid: st.st_uid,
            gid: st.st_gid,
            nlink: st.st_nlink as u64,
            size: st.st_size as u64,
        }
    }

    const DIR_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    impl Dir {
        /// Opens `path` (following symlinks: the user named it) as the base of later lookups.
        pub fn open(path: &Path) -> Result<Dir, SafeError> {
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd =
                rfs::open(path, flags, Mode::empty()).map_err(|e| SafeError::io(path, e.into()))?;
            Ok(Dir {
                path: path.to_path_buf(),
                fd,
            })
        }

        /// Opens an absolute path that has no symlinks (a canonical path) component by
        /// component from `/`, each without following a symlink, so a component swapped for a
        /// link after canonicalisation is refused instead of followed.
        pub fn open_canonical(path: &Path) -> Result<Dir, SafeError> {
            let mut dir = Dir::open(Path::new("/"))?;
            for part in path.components().skip(1) {
                let name = part.as_os_str();
                let sub = dir.path.join(name);
                dir = match rfs::openat(&dir.fd, name, DIR_FLAGS, Mode::empty()) {
                    Ok(fd) => Dir { path: sub, fd },
                    Err(e) => return Err(refusal(&dir, name.as_ref(), e)),
                };
            }
            Ok(dir)
        }

        /// The subdirectory `name`, refusing a symlink. With `create`, a missing one is made
        /// with that mode. `Ok(None)`: absent and not created.
        pub fn sub(&self, name: &str, create: Option<u32>) -> Result<Option<Dir>, SafeError> {
            let path = self.path.join(name);
            match rfs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
                Ok(fd) => return Ok(Some(Dir { path, fd })),
                Err(rustix::io::Errno::NOENT) if create.is_some() => {}
                Err(rustix::io::Errno::NOENT) => return Ok(None),
                Err(e) => return Err(refusal(self, name.as_ref(), e)),
            }
            let mode = create.unwrap_or(0o700);
            match rfs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(SafeError::io(&path, e.into())),
            }
            match rfs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
                Ok(fd) => Ok(Some(Dir { path, fd })),
                Err(e) => Err(refusal(self, name.as_ref(), e)),
            }
        }

        /// Makes the new subdirectory `name`; `Ok(None)` when something already has that name.
        pub fn create_sub(&self, name: &str, mode: u32) -> Result<Option<Dir>, SafeError> {
            match rfs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode)) {
                Ok(()) => self.sub(name, None),
                Err(rustix::io::Errno::EXIST) => Ok(None),
                Err(e) => Err(SafeError::io(&self.path.join(name), e.into())),
            }
        }

        /// A new file (never an existing one, never through a link), mode `mode`.
        pub fn create_file(&self, name: &str, mode: u32) -> io::Result<File> {
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rfs::openat(&self.fd, name, flags, Mode::from_raw_mode(mode))?;
            Ok(File::from(fd))
        }

        /// Opens an existing file for reading, or `flags` access, refusing a symlink.
        pub fn open_file(&self, name: &str, write: bool, create: Option<u32>) -> io::Result<File> {
            let mut flags = OFlags::NOFOLLOW | OFlags::CLOEXEC;
            flags |= if write { OFlags::RDWR } else { OFlags::RDONLY };
            if create.is_some() {
                flags |= OFlags::CREATE;
            }
            let mode = Mode::from_raw_mode(create.unwrap_or(0));
            let fd = rfs::openat(&self.fd, name, flags, mode)?;
            Ok(File::from(fd))
        }

        pub fn stat(&self, name: &str) -> io::Result<Entry> {
            Ok(entry(&rfs::statat(
                &self.fd,
                name,
                AtFlags::SYMLINK_NOFOLLOW,
            )?))
        }

        /// This directory's own metadata.
        pub fn stat_self(&self) -> io::Result<Entry> {
            Ok(entry(&rfs::fstat(&self.fd)?))
        }

        pub fn remove_file(&self, name: &str) -> io::Result<()> {
            Ok(rfs::unlinkat(&self.fd, name, AtFlags::empty())?)
        }

        pub fn remove_dir(&self, name: &str) -> io::Result<()> {
            Ok(rfs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
        }

        /// Renames within this directory (atomic replacement of `to`).
        pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            Ok(rfs::renameat(&self.fd, from, &self.fd, to)?)
        }

        pub fn sync(&self) -> io::Result<()> {
            Ok(rfs::fsync(&self.fd)?)
        }

        pub fn chmod(&self, mode: u32) -> io::Result<()> {
            Ok(rfs::fchmod(&self.fd, Mode::from_raw_mode(mode))?)
        }

        /// Names in this directory (without `.` and `..`).
        pub fn names(&self) -> io::Result<Vec<String>> {
            let mut out = Vec::new();
            for e in rfs::Dir::read_from(self.fd.as_fd())? {
                let e = e?;
                let name = e.file_name().to_string_lossy().into_owned();
                if name != "." && name != ".." {
                    out.push(name);
                }
            }
            Ok(out)
        }
    }

    /// A failed no-follow open, said plainly: a symlink is refused by name.
    fn refusal(dir: &Dir, name: &Path, e: rustix::io::Errno) -> SafeError {
        let path = dir.path.join(name);
        let link = rfs::statat(&dir.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| rfs::FileType::from_raw_mode(st.st_mode) == rfs::FileType::Symlink);
        match e {
            _ if link => SafeError::Symlink(path),
            rustix::io::Errno::NOTDIR => SafeError::NotDir(path),
            e => SafeError::io(&path, e.into()),
        }
    }

    /// Is process `pid` still running? (EPERM: it runs, as another user.)
    pub fn alive(pid: u32) -> bool {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        )
    }

    pub fn euid() -> u32 {
        rustix::process::geteuid().as_raw()
    }
}

#[cfg(not(unix))]
mod imp {
    //! Without openat, the same API over paths (no symlink protection beyond std's).
    use super::*;
    use std::fs;

    fn entry(m: &fs::Metadata) -> Entry {
        Entry {
            is_dir: m.is_dir(),
            is_file: m.is_file(),
            is_symlink: m.file_type().is_symlink(),
            mode: if m.permissions().readonly() {
                0o444
            } else {
                0o644
            },
            uid: 0,
            gid: 0,
            nlink: 1,
            size: m.len(),
        }
    }

    impl Dir {
        pub fn open(path: &Path) -> Result<Dir, SafeError> {
            match fs::metadata(path) {
                Ok(m) if m.is_dir() => Ok(Dir {
                    path: path.to_path_buf(),
                }),
                Ok(_) => Err(SafeError::NotDir(path.to_path_buf())),
                Err(e) => Err(SafeError::io(path, e)),
            }
        }
        pub fn open_canonical(path: &Path) -> Result<Dir, SafeError> {
            Dir::open(path)
        }
        pub fn sub(&self, name: &str, create: Option<u32>) -> Result<Option<Dir>, SafeError> {
            let path = self.path.join(name);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => Err(SafeError::Symlink(path)),
                Ok(m) if m.is_dir() => Ok(Some(Dir { path })),
                Ok(_) => Err(SafeError::NotDir(path)),
                Err(e) if e.kind() == io::ErrorKind::NotFound && create.is_some() => {
                    fs::create_dir_all(&path).map_err(|e| SafeError::io(&path, e))?;
                    Ok(Some(Dir { path }))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(SafeError::io(&path, e)),
            }
        }
        pub fn create_sub(&self, name: &str, _mode: u32) -> Result<Option<Dir>, SafeError> {
            let path = self.path.join(name);
            match fs::create_dir(&path) {
                Ok(()) => Ok(Some(Dir { path })),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
                Err(e) => Err(SafeError::io(&path, e)),
            }
        }
        pub fn create_file(&self, name: &str, _mode: u32) -> io::Result<File> {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path.join(name))
        }
        pub fn open_file(&self, name: &str, write: bool, create: Option<u32>) -> io::Result<File> {
            fs::OpenOptions::new()
                .read(true)
                .write(write)
                .create(create.is_some())
                .open(self.path.join(name))
        }
        pub fn stat(&self, name: &str) -> io::Result<Entry> {
            Ok(entry(&fs::symlink_metadata(self.path.join(name))?))
        }
        pub fn stat_self(&self) -> io::Result<Entry> {
            Ok(entry(&fs::metadata(&self.path)?))
        }
        pub fn remove_file(&self, name: &str) -> io::Result<()> {
            fs::remove_file(self.path.join(name))
        }
        pub fn remove_dir(&self, name: &str) -> io::Result<()> {
            fs::remove_dir(self.path.join(name))
        }
        pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            fs::rename(self.path.join(from), self.path.join(to))
        }
        pub fn sync(&self) -> io::Result<()> {
            Ok(())
        }
        pub fn chmod(&self, _mode: u32) -> io::Result<()> {
            Ok(())
        }
        pub fn names(&self) -> io::Result<Vec<String>> {
            Ok(fs::read_dir(&self.path)?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect())
        }
    }

    pub fn alive(_pid: u32) -> bool {
        true
    }

    pub fn euid() -> u32 {
        0
    }
}

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
