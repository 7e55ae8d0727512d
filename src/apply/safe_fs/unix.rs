//! `Dir` on Unix: openat/mkdirat/renameat/unlinkat with O_NOFOLLOW through rustix.

use super::{Dir, Entry, SafeError};
use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::Path;

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
