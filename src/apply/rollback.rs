//! `rollback`: restores the files of a backup run byte for byte, refusing (unless forced)
//! when a file changed after that run.

use std::fs;
use std::path::{Path, PathBuf};

use super::backup::{self, Manifest};
use super::write::atomic_write;

#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("{home}: no backup run to roll back (fix writes them unless --no-backup)")]
    NoRun { home: String },
    #[error("{home}: no backup run `{run}`")]
    UnknownRun { home: String, run: String },
    #[error("{file}: changed after run {run}; not rolled back (use --force to restore anyway)")]
    ChangedSince { file: String, run: String },
    #[error("{file}: {message}")]
    Io { file: String, message: String },
}

/// Restores run `run` (default: the newest not yet rolled back) of the home at `root`, whose
/// backup sets are in the tool directory `tool`. Returns the run id and the restored files
/// (relative to the home).
pub fn rollback(
    root: &Path,
    tool: &Path,
    run: Option<&str>,
    force: bool,
    shown: &str,
) -> Result<(String, Vec<String>), RollbackError> {
    let runs = backup::list_runs(tool);
    let (dir, manifest): (PathBuf, Manifest) = match run {
        Some(id) => runs
            .into_iter()
            .find(|(_, m)| m.run_id == id)
            .ok_or_else(|| RollbackError::UnknownRun {
                home: shown.to_string(),
                run: id.to_string(),
            })?,
        None => runs
            .into_iter()
            .rev()
            .find(|(_, m)| m.rolled_back.is_none())
            .ok_or_else(|| RollbackError::NoRun {
                home: shown.to_string(),
            })?,
    };
    let io = |file: &str, e: std::io::Error| RollbackError::Io {
        file: format!("{shown}/{file}"),
        message: e.to_string(),
    };
    // Check every file first: a refused rollback restores nothing.
    let mut restores = Vec::new();
    for entry in &manifest.files {
        let target = root.join(&entry.path);
        let original =
            fs::read(dir.join("files").join(&entry.path)).map_err(|e| io(&entry.path, e))?;
        if backup::sha256_hex(&original) != entry.sha256_before {
            return Err(RollbackError::Io {
                file: format!("{shown}/{}", entry.path),
                message: "the backup copy is damaged (sha256 mismatch)".into(),
            });
        }
        let current = fs::read(&target).map_err(|e| io(&entry.path, e))?;
        let current_sha = backup::sha256_hex(&current);
        if current_sha == entry.sha256_before {
            continue; // already the original (e.g. a write that failed and was undone)
        }
        if !force && current_sha != entry.sha256_after {
            return Err(RollbackError::ChangedSince {
                file: format!("{shown}/{}", entry.path),
                run: manifest.run_id.clone(),
            });
        }
        restores.push((target, original, entry));
    }
    let mut restored = Vec::new();
    for (target, original, entry) in restores {
        atomic_write(&target, &original).map_err(|e| RollbackError::Io {
            file: format!("{shown}/{}", entry.path),
            message: e.to_string(),
        })?;
        backup::set_mode(&fs::canonicalize(&target).unwrap_or(target), entry.mode)
            .map_err(|e| io(&entry.path, e))?;
        restored.push(entry.path.clone());
    }
    let mut done = manifest.clone();
    done.rolled_back =
        Some(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string());
    let json = serde_json::to_vec_pretty(&done)
        .map_err(|e| io(backup::MANIFEST, std::io::Error::other(e)))?;
    atomic_write(&dir.join(backup::MANIFEST), &json).map_err(|e| RollbackError::Io {
        file: backup::MANIFEST.into(),
        message: e.to_string(),
    })?;
    Ok((manifest.run_id, restored))
}
