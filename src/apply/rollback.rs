//! `rollback`: restores the files of a backup run byte for byte, refusing (unless forced)
//! when a file changed after that run. An interrupted run (a journal left behind) is reverted
//! first. A run whose manifest is missing or unreadable is restored from its copies when
//! named with `--run`, with a warning. The caller holds the home's lock.

use std::fs;
use std::path::Path;

use super::backup::{self, Backup, Run};
use super::journal::{self, Journal, JournalFile};
use super::lock;
use super::write::atomic_write_mode;

#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("{home}: no backup run to roll back (fix writes them unless --no-backup){hint}")]
    NoRun { home: String, hint: String },
    #[error("{home}: no backup run `{run}`")]
    UnknownRun { home: String, run: String },
    #[error("{file}: changed after run {run}; not rolled back (use --force to restore anyway)")]
    ChangedSince { file: String, run: String },
    #[error("{home}: an interrupted run without a backup set cannot be reverted; run `wso2-harden fix` to complete it")]
    InterruptedWithoutBackup { home: String },
    #[error("{file}: {message}")]
    Io { file: String, message: String },
}

/// One run restored.
#[derive(Debug, Default)]
pub struct RolledBack {
    pub run: String,
    /// Restored files, relative to the home.
    pub files: Vec<String>,
    pub warnings: Vec<String>,
    /// The run was an interrupted one (its journal is now gone).
    pub interrupted: bool,
}

/// Restores run `run` (default: the newest not yet rolled back) of the home at `root`, whose
/// backup sets are where `location` says; an interrupted run is reverted first. Returns each
/// run restored, in order.
pub fn rollback(
    root: &Path,
    location: &Backup,
    run: Option<&str>,
    force: bool,
    shown: &str,
) -> Result<Vec<RolledBack>, RollbackError> {
    let io = |file: &str, message: String| RollbackError::Io {
        file: format!("{shown}/{file}"),
        message,
    };
    let no_run = || RollbackError::NoRun {
        home: shown.to_string(),
        hint: String::new(),
    };
    // The journal lives in the home (the caller's lock made its directory); the sets may not.
    let tool = lock::tool_dir(root, true)
        .map_err(|e| io(lock::TOOL_DIR, e.to_string()))?
        .ok_or_else(no_run)?;
    let sets = location
        .open(root, false)
        .map_err(|e| io(lock::TOOL_DIR, e.to_string()))?;
    let pending = journal::read(&tool);
    if let Some(Ok(j)) = &pending {
        journal::remove_stale_temps(root, j);
    }
    let mut todo: Vec<String> = Vec::new();
    if let Some(j) = &pending {
        match j.as_ref().ok().and_then(|j| j.backup.clone()) {
            Some(id) => todo.push(id),
            None if run.is_none() => {
                return Err(RollbackError::InterruptedWithoutBackup {
                    home: shown.to_string(),
                })
            }
            None => {}
        }
    }
    let runs = sets.as_ref().map(backup::list_runs).unwrap_or_default();
    match run {
        Some(id) => {
            if !runs.iter().any(|r| r.id == id) {
                return Err(RollbackError::UnknownRun {
                    home: shown.to_string(),
                    run: id.to_string(),
                });
            }
            if !todo.iter().any(|t| t == id) {
                todo.push(id.to_string());
            }
        }
        None if todo.is_empty() => {
            let newest = runs
                .iter()
                .rev()
                .find(|r| r.manifest.as_ref().is_ok_and(|m| m.rolled_back.is_none()));
            match newest {
                Some(r) => todo.push(r.id.clone()),
                None => {
                    // Runs whose manifest is gone are not picked silently: say how to restore.
                    let broken: Vec<String> = runs
                        .iter()
                        .filter_map(|r| r.manifest.as_ref().err().map(|why| (r, why)))
                        .map(|(r, why)| {
                            format!(
                                "run {} ({why}; `rollback --run {}` restores its copies)",
                                r.id, r.id
                            )
                        })
                        .collect();
                    let hint = if broken.is_empty() {
                        String::new()
                    } else {
                        format!("; found {}", broken.join(", "))
                    };
                    return Err(RollbackError::NoRun {
                        home: shown.to_string(),
                        hint,
                    });
                }
            }
        }
        None => {}
    }
    let mut done = Vec::new();
    for id in todo {
        let Some(r) = runs.iter().find(|r| r.id == id) else {
            return Err(io(
                &id,
                "the interrupted run's backup set is missing".into(),
            ));
        };
        let interrupted = pending
            .as_ref()
            .and_then(|j| j.as_ref().ok())
            .is_some_and(|j| j.backup.as_deref() == Some(id.as_str()));
        let sets = sets.as_ref().ok_or_else(no_run)?;
        let mut rolled = restore_run(root, (&tool, sets), r, force, shown)?;
        rolled.interrupted = interrupted;
        done.push(rolled);
    }
    Ok(done)
}

fn restore_run(
    root: &Path,
    (tool, sets): (&super::safe_fs::Dir, &super::safe_fs::Dir),
    run: &Run,
    force: bool,
    shown: &str,
) -> Result<RolledBack, RollbackError> {
    let io = |file: &str, message: String| RollbackError::Io {
        file: format!("{shown}/{file}"),
        message,
    };
    let mut out = RolledBack {
        run: run.id.clone(),
        ..RolledBack::default()
    };
    // (path, original bytes, mode to restore) for every file to write.
    let mut restores: Vec<(String, Vec<u8>, Option<u32>, String)> = Vec::new();
    match &run.manifest {
        Ok(manifest) => {
            // Check every file first: a refused rollback restores nothing.
            for entry in &manifest.files {
                let original = run
                    .read_copy(sets, &entry.path)
                    .map_err(|e| io(&entry.path, format!("backup copy: {e}")))?;
                if backup::sha256_hex(&original) != entry.sha256_before {
                    let msg = "the backup copy is damaged (sha256 mismatch)".into();
                    return Err(io(&entry.path, msg));
                }
                let current =
                    fs::read(root.join(&entry.path)).map_err(|e| io(&entry.path, e.to_string()))?;
                let current_sha = backup::sha256_hex(&current);
                if current_sha == entry.sha256_before {
                    continue; // already the original (a write that failed and was undone)
                }
                if !force && current_sha != entry.sha256_after {
                    return Err(RollbackError::ChangedSince {
                        file: format!("{shown}/{}", entry.path),
                        run: manifest.run_id.clone(),
                    });
                }
                restores.push((entry.path.clone(), original, Some(entry.mode), current_sha));
            }
        }
        Err(why) => {
            out.warnings.push(format!(
                "{shown}: run {}: {why}; restoring its {} file(s) from the backup copies \
                 without checking that they are unchanged since the run",
                run.id,
                run.files.len()
            ));
            for rel in &run.files {
                let original = run
                    .read_copy(sets, rel)
                    .map_err(|e| io(rel, format!("backup copy: {e}")))?;
                let current = fs::read(root.join(rel)).map_err(|e| io(rel, e.to_string()))?;
                if current != original {
                    let sha = backup::sha256_hex(&current);
                    restores.push((rel.clone(), original, None, sha));
                }
            }
        }
    }
    if !restores.is_empty() {
        // Names the run being restored: a rollback killed part-way is completed by the next.
        let intent = Journal::new(
            "rollback",
            Some(run.id.clone()),
            restores
                .iter()
                .map(|(path, original, _, current_sha)| JournalFile {
                    path: path.clone(),
                    sha256_before: current_sha.clone(),
                    sha256_after: backup::sha256_hex(original),
                })
                .collect(),
        );
        journal::write(tool, &intent, false).map_err(|e| io(journal::JOURNAL, e.to_string()))?;
    }
    for (i, (path, original, mode, _)) in restores.iter().enumerate() {
        if i == 1 {
            crate::guard::fault_point("write", root);
        }
        atomic_write_mode(&root.join(path), original, *mode)
            .map_err(|e| io(path, e.to_string()))?;
        out.files.push(path.clone());
    }
    if let Ok(manifest) = &run.manifest {
        let mut marked = manifest.clone();
        marked.rolled_back =
            Some(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string());
        run.save_manifest(sets, &marked)
            .map_err(|e| io(backup::MANIFEST, e.to_string()))?;
    }
    journal::remove(tool).map_err(|e| io(journal::JOURNAL, e.to_string()))?;
    Ok(out)
}
