//! `Dir` without openat (not Unix): the same API over paths, with no protection against
//! links beyond what std gives.

use super::{Dir, Entry, SafeError};
use std::fs;
use std::fs::File;
use std::io;
use std::path::Path;

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
