//! The per-home lock: `<home>/.wso2-harden/lock`, an advisory `flock`. `fix` and `rollback`
//! hold it exclusively from planning a node to its last write; `check` and `diff` take it
//! shared when it exists (they never create it), so they never read a node mid-write. A
//! holder writes its pid into the file so a waiting run can say who holds it.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::safe_fs::{Dir, SafeError};

pub use super::backup::TOOL_DIR;
pub(crate) const LOCK: &str = "lock";
/// The holder's pid line: fixed width, so that writing it never touches the journal that
/// follows it in the same file (`journal::HEADER`).
pub(crate) const PID_LINE: usize = 20;

/// This process's pid line.
pub(crate) fn pid_line() -> Vec<u8> {
    format!("{:<width$}\n", std::process::id(), width = PID_LINE - 1).into_bytes()
}

/// How long a run waits for a home another run holds (`WSO2_HARDEN_LOCK_WAIT`, seconds).
pub fn wait() -> Duration {
    std::env::var("WSO2_HARDEN_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(10), Duration::from_secs_f64)
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{home}: locked by pid {pid} (another wso2-harden run is changing this product home); waited {waited:?}")]
    Held {
        home: String,
        pid: String,
        waited: Duration,
    },
    #[error(transparent)]
    Unsafe(#[from] SafeError),
    #[error("{home}: cannot lock: {err}")]
    Io { home: String, err: std::io::Error },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Readers: shared, and only when some run ever created the lock file.
    Shared,
    /// Writers: exclusive; creates `.wso2-harden/` and the lock file.
    Exclusive,
}

/// A held lock; released when dropped (closing the file releases the flock).
#[derive(Debug)]
pub struct HomeLock {
    _file: File,
}

/// `<home>/.wso2-harden`, refusing a symlink; with `create`, made (mode 0700) when missing.
pub fn tool_dir(root: &Path, create: bool) -> Result<Option<Dir>, SafeError> {
    let home = Dir::open(root)?;
    let dir = home.sub(TOOL_DIR, create.then_some(0o700))?;
    if let (true, Some(d)) = (create, &dir) {
        // Through the handle: never the target of a link.
        d.chmod(0o700).map_err(|e| SafeError::io(&d.path, e))?;
        super::backup::ensure_gitignore(d).map_err(|e| SafeError::io(&d.path, e))?;
    }
    Ok(dir)
}

/// Takes the lock of the home at `root` (`shown` names it in messages), waiting up to
/// `wait()`. `Ok(None)`: shared mode and no run ever locked this home.
pub fn lock(root: &Path, shown: &str, mode: Mode) -> Result<Option<HomeLock>, LockError> {
    lock_waiting(root, shown, mode, wait())
}

fn lock_waiting(
    root: &Path,
    shown: &str,
    mode: Mode,
    limit: Duration,
) -> Result<Option<HomeLock>, LockError> {
    let io = |err| LockError::Io {
        home: shown.to_string(),
        err,
    };
    // A reader that may not enter the directory (a home fixed by root, checked by a CI user)
    // reads without the lock: it cannot see a writer's journal either, and writes nothing.
    let denied = |e: &std::io::Error| {
        mode == Mode::Shared && e.kind() == std::io::ErrorKind::PermissionDenied
    };
    let dir = match tool_dir(root, mode == Mode::Exclusive) {
        Ok(Some(dir)) => dir,
        Ok(None) => return Ok(None),
        Err(SafeError::Io { err, .. }) if denied(&err) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let file = match mode {
        Mode::Exclusive => dir.open_file(LOCK, true, Some(0o600)).map_err(io)?,
        Mode::Shared => match dir.open_file(LOCK, false, None) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || denied(&e) => return Ok(None),
            Err(e) => return Err(io(e)),
        },
    };
    let start = Instant::now();
    loop {
        match try_lock(&file, mode) {
            Ok(true) => break,
            Ok(false) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(25)),
            Ok(false) => {
                let mut pid = String::new();
                let _ = (&file).read_to_string(&mut pid);
                let pid = pid.lines().next().unwrap_or_default().trim();
                return Err(LockError::Held {
                    home: shown.to_string(),
                    pid: if pid.is_empty() { "unknown" } else { pid }.to_string(),
                    waited: start.elapsed(),
                });
            }
            Err(e) => return Err(io(e)),
        }
    }
    if mode == Mode::Exclusive {
        // Over the pid line only: an interrupted run's journal after it is kept.
        let mut f = &file;
        let _ = f.rewind();
        let _ = f.write_all(&pid_line());
    }
    Ok(Some(HomeLock { _file: file }))
}

#[cfg(unix)]
fn try_lock(file: &File, mode: Mode) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    let op = match mode {
        Mode::Shared => FlockOperation::NonBlockingLockShared,
        Mode::Exclusive => FlockOperation::NonBlockingLockExclusive,
    };
    match flock(file, op) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File, _mode: Mode) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_exclusive_lock_waits_then_names_the_holder() {
        let home = tempfile::tempdir().unwrap();
        assert!(lock(home.path(), "h", Mode::Shared).unwrap().is_none());
        let held = lock(home.path(), "h", Mode::Exclusive).unwrap();
        assert!(held.is_some());
        let wait = Duration::from_millis(100);
        let err = lock_waiting(home.path(), "h", Mode::Exclusive, wait).unwrap_err();
        let pid = std::process::id().to_string();
        assert!(
            err.to_string().contains(&format!("locked by pid {pid}")),
            "{err}"
        );
        assert!(lock_waiting(home.path(), "h", Mode::Shared, wait).is_err());
        drop(held);
        assert!(lock(home.path(), "h", Mode::Shared).unwrap().is_some());
    }
}
