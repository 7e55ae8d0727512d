//! The only writer: atomic replacement that keeps mode, owner and symlinks.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {what}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub what: &'static str,
    #[source]
    pub source: io::Error,
}

/// Replaces the file at `path` (the target, when `path` is a symlink) with `bytes`: a temp
/// file in the same directory gets the old mode and owner, is fsynced, renamed over the
/// target, and the directory is fsynced. A crash leaves either the old or the new file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let err = |what: &'static str| {
        let path = path.to_path_buf();
        move |source| WriteError { path, what, source }
    };
    let target = fs::canonicalize(path).map_err(err("resolve"))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let meta = fs::metadata(&target).map_err(err("stat"))?;
    remove_stale_temps(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(err("create temp file"))?;
    tmp.write_all(bytes).map_err(err("write"))?;
    keep_owner_and_mode(tmp.as_file(), &meta).map_err(err("keep mode and owner"))?;
    tmp.as_file().sync_all().map_err(err("fsync"))?;
    tmp.persist(&target).map_err(|e| WriteError {
        path: path.to_path_buf(),
        what: "rename",
        source: e.error,
    })?;
    sync_dir(dir).map_err(err("fsync directory"))?;
    Ok(())
}

/// A writer killed between creating its temp file and renaming it (SIGKILL, power loss)
/// leaves `.wso2-harden-*.tmp` behind; the target itself is intact. The next write in that
/// directory removes them (runs on one home are not concurrent).
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            let _ = fs::remove_file(e.path());
        }
    }
}

pub const TEMP_PREFIX: &str = ".wso2-harden-";
pub const TEMP_SUFFIX: &str = ".tmp";

#[cfg(unix)]
fn keep_owner_and_mode(file: &File, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) != (meta.uid(), meta.gid()) {
        std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()))?;
    }
    file.set_permissions(meta.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, meta: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(meta.permissions())
}

#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    #[test]
    fn keeps_mode_and_writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.xml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.xml");
        symlink(&real, &link).unwrap();
        atomic_write(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".wso2-harden-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let err = atomic_write(Path::new("/nonexistent/x.xml"), b"x").unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/x.xml: resolve"));
    }
}
