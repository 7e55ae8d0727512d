//! Writing a plan: every file of a node is encoded and checked against the disk before the
//! first write; originals go to a backup set; a journal records the intent; then the node's
//! files are written as one batch (all temp files written and fsynced, renamed one by one and
//! read back, each directory fsynced once), so each file is replaced atomically. The caller holds the home's lock (`lock::lock`) from planning on.

pub mod backup;
pub mod batch;
pub mod journal;
pub mod lock;
pub mod prompt;
pub mod rollback;
pub mod safe_fs;
pub mod terminal;
pub mod write;

use std::fs;
use std::path::{Path, PathBuf};

pub use backup::Backup;
use backup::{BackedUpFile, Manifest, Original};
use journal::{Journal, JournalFile};
use safe_fs::Entry;

use crate::plan::{FilePlan, NodePlan};

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}: changed on disk since it was planned; nothing of this product home was written")]
    ChangedSincePlanned(String),
    #[error("{file}: {message}; nothing of this product home was written")]
    Prepare { file: String, message: String },
    #[error("{file}: backup failed: {message}; nothing of this product home was written")]
    Backup { file: String, message: String },
    #[error("{cause}; {}", undo_note(*.restored, .undo_failed))]
    Write {
        cause: String,
        restored: usize,
        undo_failed: Vec<String>,
    },
}

fn undo_note(restored: usize, failed: &[String]) -> String {
    if failed.is_empty() {
        format!("the {restored} file(s) already written were restored: nothing of this product home is changed")
    } else {
        format!(
            "not restored: {} (the product home is half-written: `wso2-harden check` reports it as interrupted-run; run `fix` again or `rollback`)",
            failed.join(", ")
        )
    }
}

/// What was written for one node.
#[derive(Debug, Default)]
pub struct Applied {
    pub files: Vec<String>,
    pub backup: Option<PathBuf>,
    /// Changes (one patch on one file) written.
    pub changes: usize,
    /// Files that were read-only (no write bit): replaced all the same, mode kept.
    pub read_only: Vec<String>,
    /// The node had an interrupted run's journal, now completed.
    pub completed_interrupted: bool,
}

struct Prepared<'a> {
    file: &'a FilePlan,
    new: Vec<u8>,
    meta: Entry,
    rel: String,
    /// sha-256 of the original and the new bytes (for the manifest and the journal).
    sha_before: String,
    sha_after: String,
}

/// Writes every changed file of `node`. Either all files are prepared and verified, or
/// nothing is written; each single write is atomic, and a failure part-way puts back what
/// this run wrote (never a file someone changed since).
pub fn apply_node(
    node: &NodePlan,
    backup: impl Into<Backup>,
    run_id: Option<&str>,
) -> Result<Applied, ApplyError> {
    let backup = backup.into();
    let root = &node.home.root;
    let prepare_err = |file: &FilePlan, message: String| ApplyError::Prepare {
        file: file.display.clone(),
        message,
    };
    let mut prepared = Vec::new();
    for file in node.changed_files() {
        let new = file
            .final_bytes()
            .map_err(|e| prepare_err(file, e.to_string()))?;
        let on_disk = fs::read(&file.path).map_err(|e| prepare_err(file, e.to_string()))?;
        if on_disk != file.original {
            return Err(ApplyError::ChangedSincePlanned(file.display.clone()));
        }
        write::check_links(&file.path).map_err(|e| prepare_err(file, e.to_string()))?;
        let meta = entry_of(&file.path).map_err(|e| prepare_err(file, e.to_string()))?;
        if meta.nlink > 1 {
            return Err(prepare_err(file, write::hard_link_note(meta.nlink)));
        }
        let rel = rel_to_home(root, &file.path);
        prepared.push(Prepared {
            sha_before: backup::sha256_hex(&file.original),
            sha_after: backup::sha256_hex(&new),
            file,
            new,
            meta,
            rel,
        });
    }
    let unsafe_dir = |e: safe_fs::SafeError| ApplyError::Prepare {
        file: node.display.clone(),
        message: e.to_string(),
    };
    let mut applied = Applied::default();
    if prepared.is_empty() {
        // Nothing left to write: an interrupted run's journal is settled.
        if let Some(tool) = lock::tool_dir(root, false).map_err(unsafe_dir)? {
            applied.completed_interrupted = settle_interrupted(root, &tool);
            if applied.completed_interrupted {
                let _ = journal::remove(&tool);
            }
        }
        return Ok(applied);
    }
    let tool = lock::tool_dir(root, true)
        .map_err(unsafe_dir)?
        .ok_or_else(|| unsafe_dir(safe_fs::SafeError::NotDir(root.join(lock::TOOL_DIR))))?;
    applied.completed_interrupted = settle_interrupted(root, &tool);
    let mut backup_id = None;
    let sets = backup.open(root, true).map_err(unsafe_dir)?;
    if let Some(sets) = &sets {
        let mut manifest = Manifest {
            run_id: run_id.map_or_else(backup::new_run_id, str::to_string),
            time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            files: prepared
                .iter()
                .map(|p| BackedUpFile {
                    path: p.rel.clone(),
                    sha256_before: p.sha_before.clone(),
                    sha256_after: p.sha_after.clone(),
                    mode: p.meta.mode,
                })
                .collect(),
            rolled_back: None,
        };
        let originals: Vec<Original> = prepared
            .iter()
            .map(|p| Original {
                rel: &p.rel,
                bytes: &p.file.original,
                meta: p.meta,
            })
            .collect();
        let id =
            backup::write_set(sets, &mut manifest, &originals).map_err(|e| ApplyError::Backup {
                file: node.display.clone(),
                message: e.to_string(),
            })?;
        applied.backup = Some(sets.path.join(backup::set_name(&id)));
        backup_id = Some(id);
    }
    let intent = Journal::new(
        "fix",
        backup_id.clone(),
        prepared
            .iter()
            .map(|p| JournalFile {
                path: p.rel.clone(),
                sha256_before: p.sha_before.clone(),
                sha256_after: p.sha_after.clone(),
            })
            .collect(),
    );
    let forget_backup = |_: &safe_fs::Dir| {
        if let (Some(id), Some(dir)) = (&backup_id, &sets) {
            backup::forget(dir, id);
        }
    };
    // A set written in the tool directory fsynced it after the lock file was made there.
    let entry_durable = backup_id.is_some() && sets.as_ref().is_some_and(|s| s.path == tool.path);
    if let Err(e) = journal::write(&tool, &intent, entry_durable) {
        forget_backup(&tool);
        return Err(ApplyError::Prepare {
            file: node.display.clone(),
            message: format!("cannot write the journal: {e}"),
        });
    }
    // Every temp file written and fsynced before the first rename: a failure here leaves
    // every file as it was.
    let mut batch = batch::Batch::default();
    let staged = crate::guard::contain(|| -> Result<(), String> {
        for p in &prepared {
            batch
                .stage(&p.file.path, &p.new, None)
                .map_err(|e| e.to_string())?;
        }
        batch.sync().map_err(|e| e.to_string())
    })
    .unwrap_or_else(|e| Err(format!("{}: {e}", node.display)));
    if let Err(cause) = staged {
        drop(batch); // removes its temp files
        let _ = journal::remove(&tool);
        forget_backup(&tool);
        return Err(ApplyError::Write {
            cause,
            restored: 0,
            undo_failed: Vec::new(),
        });
    }
    let undo = |written: &[Prepared], cause: String, restored: usize| {
        // All-or-nothing: put back what this run wrote, newest first (the failed file too,
        // in case it was replaced before failing), but only where a file still holds
        // exactly what this run wrote.
        let undo_failed: Vec<String> = written
            .iter()
            .rev()
            .filter(|q| !undo_one(q))
            .map(|q| q.file.display.clone())
            .collect();
        if undo_failed.is_empty() {
            let _ = journal::remove(&tool);
            forget_backup(&tool);
        }
        ApplyError::Write {
            cause,
            restored,
            undo_failed,
        }
    };
    for (i, p) in prepared.iter().enumerate() {
        let outcome = crate::guard::contain(|| {
            if i == 1 {
                crate::guard::fault_point("write", root);
            }
            batch.rename(i).map_err(|e| e.to_string())?;
            read_back(p)
        })
        .unwrap_or_else(|e| Err(format!("{}: {e}", p.file.display)));
        if let Err(cause) = outcome {
            drop(batch); // removes the temp files not renamed
            return Err(undo(&prepared[..=i], cause, i));
        }
        applied.files.push(p.file.display.clone());
        applied.changes += p.file.steps.len();
        if p.meta.mode & 0o222 == 0 {
            applied.read_only.push(p.file.display.clone());
        }
    }
    // Each directory once, after its last rename.
    if let Err(e) = batch.sync_dirs() {
        return Err(undo(&prepared, e.to_string(), prepared.len()));
    }
    if let Err(e) = journal::remove(&tool) {
        return Err(ApplyError::Write {
            cause: format!("{}: cannot remove the journal: {e}", node.display),
            restored: 0,
            undo_failed: vec!["(every file was written)".into()],
        });
    }
    Ok(applied)
}

/// An interrupted run's journal found: its stale temp files go. True when there was one.
fn settle_interrupted(root: &Path, tool: &safe_fs::Dir) -> bool {
    match journal::read(tool) {
        Some(Ok(j)) => {
            journal::remove_stale_temps(root, &j);
            true
        }
        Some(Err(_)) => true,
        None => false,
    }
}

/// A renamed file reads back as what this run meant to write.
fn read_back(p: &Prepared) -> Result<(), String> {
    match fs::read(&p.file.path) {
        Ok(back) if back == p.new => Ok(()),
        _ => Err(format!("{}: does not read back as written", p.file.display)),
    }
}

/// Restores one file this run wrote, unless someone changed it since.
fn undo_one(p: &Prepared) -> bool {
    match fs::read(&p.file.path) {
        Ok(now) if now == p.new => write::atomic_write(&p.file.path, &p.file.original).is_ok(),
        Ok(now) => now == p.file.original,
        Err(_) => false,
    }
}

#[cfg(unix)]
fn entry_of(path: &Path) -> std::io::Result<Entry> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(path)?;
    Ok(Entry {
        is_dir: m.is_dir(),
        is_file: m.is_file(),
        is_symlink: false,
        mode: m.mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        nlink: m.nlink(),
        size: m.len(),
    })
}

#[cfg(not(unix))]
fn entry_of(path: &Path) -> std::io::Result<Entry> {
    let m = fs::metadata(path)?;
    Ok(Entry {
        is_dir: m.is_dir(),
        is_file: m.is_file(),
        is_symlink: false,
        mode: if m.permissions().readonly() {
            0o444
        } else {
            0o644
        },
        uid: 0,
        gid: 0,
        nlink: 1,
        size: m.len(),
    })
}

pub fn rel_to_home(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::text::Decoded;

    #[test]
    fn an_undo_never_overwrites_a_file_someone_changed_since() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carbon.xml");
        let file = FilePlan {
            path: path.clone(),
            display: "carbon.xml".into(),
            original: b"old".to_vec(),
            decoded: Decoded::decode(b"old"),
            steps: Vec::new(),
        };
        let p = Prepared {
            file: &file,
            new: b"new".to_vec(),
            meta: entry_of(dir.path()).unwrap(),
            rel: "carbon.xml".into(),
            sha_before: backup::sha256_hex(b"old"),
            sha_after: backup::sha256_hex(b"new"),
        };
        fs::write(&path, "new").unwrap();
        assert!(undo_one(&p), "what this run wrote is put back");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        fs::write(&path, "someone else's").unwrap();
        assert!(!undo_one(&p), "reported as not restored");
        assert_eq!(
            fs::read(&path).unwrap(),
            b"someone else's",
            "and left alone"
        );
    }
}
