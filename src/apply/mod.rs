//! Writing a plan: every file of a node is encoded and checked against the disk before the
//! first write; originals go to a backup set; each write is atomic and read back.

pub mod backup;
pub mod prompt;
pub mod rollback;
pub mod terminal;
pub mod write;

use std::fs;
use std::path::{Path, PathBuf};

pub use backup::Backup;
use backup::{BackedUpFile, Manifest};

use crate::plan::NodePlan;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}: changed on disk since it was planned; nothing of this product home was written")]
    ChangedSincePlanned(String),
    #[error("{file}: {message}; nothing of this product home was written")]
    Prepare { file: String, message: String },
    #[error("{file}: backup failed: {source}; nothing of this product home was written")]
    Backup {
        file: String,
        #[source]
        source: std::io::Error,
    },
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
            "could not restore {} (restore them from the backup set)",
            failed.join(", ")
        )
    }
}

/// What was written for one node.
#[derive(Debug, Default)]
pub struct Applied {
    pub files: Vec<String>,
    pub backup: Option<PathBuf>,
}

/// Writes every changed file of `node`. Either all files are prepared and verified, or
/// nothing is written; each single write is atomic.
pub fn apply_node(
    node: &NodePlan,
    backup: impl Into<Backup>,
    run_id: Option<&str>,
) -> Result<Applied, ApplyError> {
    let backup = backup.into();
    let mut prepared = Vec::new();
    for file in node.changed_files() {
        let new = file.final_bytes().map_err(|e| ApplyError::Prepare {
            file: file.display.clone(),
            message: e.to_string(),
        })?;
        let on_disk = fs::read(&file.path).map_err(|e| ApplyError::Prepare {
            file: file.display.clone(),
            message: e.to_string(),
        })?;
        if on_disk != file.original {
            return Err(ApplyError::ChangedSincePlanned(file.display.clone()));
        }
        let mode = fs::metadata(&file.path)
            .map(|m| backup::mode_of(&m))
            .unwrap_or(0o644);
        prepared.push((file, new, mode));
    }
    if prepared.is_empty() {
        return Ok(Applied::default());
    }
    let root = &node.home.root;
    let mut applied = Applied::default();
    if let Some(tool) = backup.tool_dir(root) {
        let run_id = run_id.map_or_else(|| backup::new_run_id(&tool), str::to_string);
        let manifest = Manifest {
            run_id,
            time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            files: prepared
                .iter()
                .map(|(f, new, mode)| BackedUpFile {
                    path: rel_to_home(root, &f.path),
                    sha256_before: backup::sha256_hex(&f.original),
                    sha256_after: backup::sha256_hex(new),
                    mode: *mode,
                })
                .collect(),
            rolled_back: None,
        };
        let originals: Vec<_> = prepared
            .iter()
            .map(|(f, _, _)| (f.path.clone(), f.original.clone()))
            .collect();
        let dir = backup::write_set(&tool, &manifest, &originals).map_err(|source| {
            ApplyError::Backup {
                file: node.display.clone(),
                source,
            }
        })?;
        applied.backup = Some(dir);
    }
    for (i, (file, new, _)) in prepared.iter().enumerate() {
        let outcome = write::atomic_write(&file.path, new)
            .map_err(|e| e.to_string())
            .and_then(|()| match fs::read(&file.path) {
                Ok(back) if back == *new => Ok(()),
                _ => Err(format!("{}: does not read back as written", file.display)),
            });
        if let Err(cause) = outcome {
            // All-or-nothing: put back what this run already wrote, newest first.
            let undo_failed = prepared[..i]
                .iter()
                .rev()
                .filter(|(f, _, _)| write::atomic_write(&f.path, &f.original).is_err())
                .map(|(f, _, _)| f.display.clone())
                .collect();
            return Err(ApplyError::Write {
                cause,
                restored: i,
                undo_failed,
            });
        }
        applied.files.push(file.display.clone());
    }
    Ok(applied)
}

pub fn rel_to_home(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
