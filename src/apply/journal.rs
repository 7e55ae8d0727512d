//! The per-node journal, `<home>/.wso2-harden/journal.json`: the intent of a run (each file
//! with its sha256 before and after), written and fsynced before its first write and removed
//! after its last. A journal left behind means the run was interrupted (SIGKILL, power loss,
//! a failed undo): `check` and `diff` report the node as `interrupted-run`, naming what was
//! and was not written, and the next `fix` or `rollback` completes or reverts it.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::backup::sha256_hex;
use super::safe_fs::Dir;
use crate::catalog::{Safety, Severity};
use crate::plan::{Finding, FindingKind};

pub const JOURNAL: &str = "journal.json";
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

/// Writes the journal durably (temp file, fsync, rename, fsync of the directory).
pub fn write(tool: &Dir, journal: &Journal) -> io::Result<()> {
    super::write::remove_stale_temps(tool);
    let json = serde_json::to_vec_pretty(journal).map_err(io::Error::other)?;
    tool.replace(JOURNAL, &json, 0o600)
}

/// Removes the journal (durably); absent is fine.
pub fn remove(tool: &Dir) -> io::Result<()> {
    match tool.remove_file(JOURNAL) {
        Ok(()) => tool.sync(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The journal a home holds: `None` when there is none, `Some(Err)` when it is unreadable
/// (still an interrupted run).
pub fn read(tool: &Dir) -> Option<Result<Journal, String>> {
    match tool.read(JOURNAL) {
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
