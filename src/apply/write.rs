//! The only writer of config files: atomic replacement that keeps mode and owner, through a
//! directory handle (no symlink followed after the path was checked), with temp files named
//! after the writing process so that a run only ever deletes its own or a dead run's.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::batch::Batch;
use super::safe_fs::{self, Dir, Entry};

#[derive(Debug, thiserror::Error)]
#[error("{}: {what}: {err}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub what: &'static str,
    pub err: io::Error,
}

/// Replaces the file at `path` (the target, when `path` is a symlink the rules of
/// `check_links` allow) with `bytes`: a temp file in the same directory gets the old mode and
/// owner, is fsynced, renamed over the target, and the directory is fsynced. A crash leaves
/// either the old or the new file. Returns the target's metadata before the write.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<Entry, WriteError> {
    atomic_write_mode(path, bytes, None)
}

/// `atomic_write`, giving the file `mode` instead of its current one (rollback restores the
/// original's).
pub fn atomic_write_mode(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> Result<Entry, WriteError> {
    let mut batch = Batch::default();
    let meta = batch.stage(path, bytes, mode)?;
    batch.sync()?;
    batch.rename(0)?;
    batch.sync_dirs()?;
    Ok(meta)
}

/// Why a file with more than one name is not rewritten.
pub fn hard_link_note(nlink: u64) -> String {
    format!(
        "has {nlink} hard links; replacing it would leave the other names with the old content \
         (copy it to a file of its own, or edit it by hand)"
    )
}

/// A symlink on the way to a config file is followed only when it belongs to root, to the
/// user running the tool, or to the owner of what it points to (the spirit of Linux's
/// `fs.protected_symlinks`): a link that a home's owner planted towards a file of root's (or
/// of another user's) is refused; links an administrator made are followed.
pub fn check_links(path: &Path) -> io::Result<()> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let me = safe_fs::euid();
    let mut prefix = PathBuf::new();
    for part in abs.components() {
        prefix.push(part);
        let Ok(link) = fs::symlink_metadata(&prefix) else {
            continue;
        };
        if !link.file_type().is_symlink() {
            continue;
        }
        let (link_uid, target_uid) = (uid_of(&link), fs::metadata(&prefix).map(|m| uid_of(&m)));
        let Ok(target_uid) = target_uid else { continue };
        if link_uid != 0 && link_uid != me && link_uid != target_uid {
            return Err(io::Error::other(format!(
                "{} is a symbolic link owned by uid {link_uid} to something owned by uid \
                 {target_uid}; refusing to write through it",
                prefix.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn uid_of(m: &fs::Metadata) -> u32 {
    std::os::unix::fs::MetadataExt::uid(m)
}

#[cfg(not(unix))]
fn uid_of(_m: &fs::Metadata) -> u32 {
    0
}

pub const TEMP_PREFIX: &str = ".wso2-harden-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// `.wso2-harden-<pid>-<random>.tmp`: the pid says whose it is.
pub fn temp_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!(
        "{TEMP_PREFIX}{}-{:016x}{TEMP_SUFFIX}",
        std::process::id(),
        h.finish()
    )
}

/// A writer killed between creating its temp file and renaming it (SIGKILL, power loss)
/// leaves a temp file behind; the target itself is intact. Removed here: temp files of
/// processes that no longer run, and unnamed ones of older versions. A live run's are kept.
pub fn remove_stale_temps(dir: &Dir) {
    let Ok(names) = dir.names() else {
        return;
    };
    for name in names {
        let Some(middle) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        let owner = middle
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let stale = match owner {
            Some(pid) => pid != std::process::id() && !safe_fs::alive(pid),
            None => true,
        };
        if stale && dir.stat(&name).is_ok_and(|e| e.is_file) {
            let _ = dir.remove_file(&name);
        }
    }
}

#[cfg(unix)]
pub(super) fn keep_owner_and_mode(file: &File, meta: &Entry) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let now = file.metadata()?;
    if (now.uid(), now.gid()) != (meta.uid, meta.gid) {
        std::os::unix::fs::fchown(file, Some(meta.uid), Some(meta.gid))?;
    }
    file.set_permissions(fs::Permissions::from_mode(meta.mode))
}

#[cfg(not(unix))]
pub(super) fn keep_owner_and_mode(file: &File, meta: &Entry) -> io::Result<()> {
    let mut p = file.metadata()?.permissions();
    p.set_readonly(meta.mode & 0o222 == 0);
    file.set_permissions(p)
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
    fn missing_file_is_an_error_naming_it_once() {
        let err = atomic_write(Path::new("/nonexistent/x.xml"), b"x").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("/nonexistent/x.xml: resolve"), "{msg}");
        assert_eq!(msg.matches("os error").count(), 1, "{msg}");
        assert!(std::error::Error::source(&err).is_none());
    }

    #[test]
    fn only_temp_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let own = temp_name();
        let live = format!("{TEMP_PREFIX}1-0123456789abcdef{TEMP_SUFFIX}"); // init runs
                                                                            // A pid above the kernel's pid_max (4194304) never runs.
        let dead = format!("{TEMP_PREFIX}4999999-0123456789abcdef{TEMP_SUFFIX}");
        let legacy = format!("{TEMP_PREFIX}a1B2c3{TEMP_SUFFIX}");
        for n in [&own, &live, &dead, &legacy, &"config.xml".to_string()] {
            fs::write(dir.path().join(n), "x").unwrap();
        }
        remove_stale_temps(&Dir::open(dir.path()).unwrap());
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![own, live, "config.xml".to_string()];
        want.sort();
        assert_eq!(left, want);
    }

    #[test]
    fn hard_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.xml");
        fs::write(&a, "old").unwrap();
        fs::hard_link(&a, dir.path().join("b.xml")).unwrap();
        let err = atomic_write(&a, b"new").unwrap_err();
        assert!(err.to_string().contains("has 2 hard links"), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"old");
    }
}
