//! The per-node journal: the intent of a run (each file with its sha256 before and after),
//! kept in the home's lock file (`<home>/.wso2-harden/lock`) after the holder's pid line,
//! written and fsynced before the run's first write and cut off after its last. The lock file
//! exists whenever a run writes, so the journal costs no file of its own (no new inode, no
//! rename, no directory flush per node); a crash in the middle of writing it leaves an
//! unreadable journal, which is reported as an interrupted run (nothing was written yet).
//! Journals of earlier versions, `journal.json`, are still read and removed. A journal left
//! behind means the run was interrupted (SIGKILL, power loss, a failed undo): `check` and
//! `diff` report the node as `interrupted-run`, naming what was and was not written, and the
//! next `fix` or `rollback` completes or reverts it.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::backup::sha256_hex;
use super::safe_fs::Dir;
use crate::catalog::{Safety, Severity};
use crate::plan::{Finding, FindingKind};

/// How messages name the journal.
pub const JOURNAL: &str = "lock (journal)";
pub const FINDING: &str = "interrupted-run";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Journal {
    /// `fix` or `rollback`.
    pub action: String,
    /// The backup run holding the originals, when the run kept one.
    pub backup: Option<String>,
    pub pid: u32,
    pub time: String,
    pub files: Vec<JournalFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JournalFile {
    /// Relative to the home, `/`-separated.
    pub path: String,
    pub sha256_before: String,
    pub sha256_after: String,
}

impl Journal {
    pub fn new(action: &str, backup: Option<String>, files: Vec<JournalFile>) -> Journal {
        Journal {
            action: action.to_string(),
            backup,
            pid: std::process::id(),
            time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            files,
        }
    }
}

/// Where the journal starts in the lock file: after the holder's pid line.
pub const HEADER: u64 = super::lock::PID_LINE as u64;
/// The journal file of earlier versions (read and removed, never written).
const LEGACY: &str = "journal.json";

/// Writes the journal durably into the lock file (which the caller's lock made). `entry_durable`:
/// the tool directory was fsynced after the lock file was created (a backup set was just
/// written there); otherwise it is fsynced here, so that the journal cannot be lost with its
/// file's directory entry.
pub fn write(tool: &Dir, journal: &Journal, entry_durable: bool) -> io::Result<()> {
    super::write::remove_stale_temps(tool);
    let json = serde_json::to_vec_pretty(journal).map_err(io::Error::other)?;
    let file = tool.open_file(super::lock::LOCK, true, Some(0o600))?;
    let len = file.metadata()?.len();
    if len < HEADER {
        write_at(&file, &super::lock::pid_line(), 0)?;
    }
    write_at(&file, &json, HEADER)?;
    file.set_len(HEADER + json.len() as u64)?;
    file.sync_all()?;
    if entry_durable {
        Ok(())
    } else {
        tool.sync()
    }
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(not(unix))]
fn write_at(mut file: &std::fs::File, bytes: &[u8], at: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(at))?;
    file.write_all(bytes)
}

/// Removes the journal (durably); none is fine and costs no flush.
pub fn remove(tool: &Dir) -> io::Result<()> {
    match tool.open_file(super::lock::LOCK, true, None) {
        Ok(file) if file.metadata()?.len() > HEADER => {
            file.set_len(HEADER)?;
            file.sync_all()?;
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    match tool.remove_file(LEGACY) {
        Ok(()) => tool.sync(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The journal a home holds: `None` when there is none, `Some(Err)` when it is unreadable
/// (still an interrupted run).
pub fn read(tool: &Dir) -> Option<Result<Journal, String>> {
    match tool.read(super::lock::LOCK) {
        Ok(bytes) => {
            let rest = bytes.get(HEADER as usize..).unwrap_or_default();
            if !rest.iter().all(u8::is_ascii_whitespace) {
                return Some(serde_json::from_slice(rest).map_err(|e| e.to_string()));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Some(Err(e.to_string())),
    }
    match tool.read(LEGACY) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).map_err(|e| e.to_string())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(e.to_string())),
    }
}

/// Removes the temp files dead runs left next to the journalled files (a run killed between
/// creating a temp file and renaming it), whatever this run then writes.
pub fn remove_stale_temps(root: &Path, journal: &Journal) {
    let mut dirs: Vec<std::path::PathBuf> = journal
        .files
        .iter()
        .filter_map(|f| std::fs::canonicalize(root.join(&f.path)).ok())
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        if let Ok(d) = Dir::open_canonical(&dir) {
            super::write::remove_stale_temps(&d);
        }
    }
}

/// Each journalled file by what it holds now.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub written: Vec<String>,
    pub not_written: Vec<String>,
    /// Neither the old nor the new bytes (changed by someone else, or missing).
    pub other: Vec<String>,
}

pub fn progress(root: &Path, journal: &Journal) -> Progress {
    let mut p = Progress::default();
    for f in &journal.files {
        match std::fs::read(root.join(&f.path)).map(|b| sha256_hex(&b)) {
            Ok(sha) if sha == f.sha256_after => p.written.push(f.path.clone()),
            Ok(sha) if sha == f.sha256_before => p.not_written.push(f.path.clone()),
            _ => p.other.push(f.path.clone()),
        }
    }
    p
}

/// The `interrupted-run` finding of a node whose journal is `journal`.
pub fn finding(root: &Path, node: &str, journal: &Result<Journal, String>) -> Finding {
    let message = match journal {
        Ok(j) => {
            let p = progress(root, j);
            let list = |v: &[String]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.join(", ")
                }
            };
            let mut m = format!(
                "a `{}` run (pid {}, {}) was interrupted: written: {}; not written: {}",
                j.action,
                j.pid,
                j.time,
                list(&p.written),
                list(&p.not_written)
            );
            if !p.other.is_empty() {
                m.push_str(&format!("; changed since: {}", p.other.join(", ")));
            }
            m
        }
        Err(e) => format!("a run was interrupted and its journal is unreadable ({e})"),
    };
    Finding {
        id: FINDING.to_string(),
        kind: FindingKind::Manual,
        severity: Severity::High,
        safety: Safety::Manual,
        node: node.to_string(),
        file: None,
        line: None,
        message: format!("Interrupted run: {message}"),
        guidance: Some(
            "run `wso2-harden fix` on this product home to complete the change, or \
             `wso2-harden rollback` to revert it"
                .to_string(),
        ),
        waiver: None,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;

    fn journal() -> Journal {
        Journal::new(
            "fix",
            None,
            vec![JournalFile {
                path: "repository/conf/carbon.xml".into(),
                sha256_before: "a".into(),
                sha256_after: "b".into(),
            }],
        )
    }

    #[test]
    fn the_journal_lives_after_the_pid_line_and_outlives_the_next_lock() {
        let home = tempfile::tempdir().unwrap();
        let held = super::super::lock::lock(home.path(), "h", super::super::lock::Mode::Exclusive)
            .unwrap();
        let tool = super::super::lock::tool_dir(home.path(), false)
            .unwrap()
            .unwrap();
        assert!(read(&tool).is_none());
        write(&tool, &journal(), false).unwrap();
        assert_eq!(read(&tool).unwrap().unwrap(), journal());
        drop(held); // the run dies: its journal stays
        let again = super::super::lock::lock(home.path(), "h", super::super::lock::Mode::Exclusive)
            .unwrap();
        assert_eq!(
            read(&tool).unwrap().unwrap(),
            journal(),
            "the pid line is rewritten alone"
        );
        remove(&tool).unwrap();
        assert!(read(&tool).is_none());
        let lock = fs::read_to_string(home.path().join(".wso2-harden/lock")).unwrap();
        assert_eq!(lock.trim(), std::process::id().to_string());
        // A journal cut short (a crash while writing it) is an interrupted run, unreadable.
        write(&tool, &journal(), true).unwrap();
        let path = home.path().join(".wso2-harden/lock");
        let len = fs::metadata(&path).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len - 10)
            .unwrap();
        assert!(read(&tool).unwrap().is_err());
        remove(&tool).unwrap();
        drop(again);
    }

    #[test]
    fn an_earlier_versions_journal_json_is_read_and_removed() {
        let home = tempfile::tempdir().unwrap();
        let tool = super::super::lock::tool_dir(home.path(), true)
            .unwrap()
            .unwrap();
        let json = serde_json::to_vec(&journal()).unwrap();
        fs::write(home.path().join(".wso2-harden/journal.json"), json).unwrap();
        assert_eq!(read(&tool).unwrap().unwrap(), journal());
        remove(&tool).unwrap();
        assert!(read(&tool).is_none());
        assert!(!home.path().join(".wso2-harden/journal.json").exists());
    }
}
