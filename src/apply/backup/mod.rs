//! Backup sets under `<home>/.wso2-harden/backups/<run-id>/` (or `<DIR>/<home key>/backups/`
//! with `--backup-dir DIR`): the original bytes of every file a run changes, plus a manifest
//! with sha256 before and after, so that `rollback` can restore them and refuse when a file
//! changed since. The tool's directory holds a `.gitignore` of `*`, so backups (which hold
//! the files' secrets) never show in `git status` of a product home kept in git. Everything
//! is created and read through directory handles that refuse symlinks; each copy is owned
//! like its original and never more readable than it.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::safe_fs::{Dir, Entry};

/// The tool's directory in a product home.
pub const TOOL_DIR: &str = ".wso2-harden";
/// Backup sets below the tool's directory.
pub const SETS: &str = "backups";
pub const MANIFEST: &str = "manifest.json";

mod location;
pub use location::{ensure_gitignore, Backup};

const FILES: &str = "files";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub run_id: String,
    pub time: String,
    pub tool_version: String,
    pub files: Vec<BackedUpFile>,
    /// Set by `rollback` once the run is undone.
    #[serde(default)]
    pub rolled_back: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackedUpFile {
    /// Path relative to the product home, `/`-separated.
    pub path: String,
    pub sha256_before: String,
    pub sha256_after: String,
    pub mode: u32,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One original to keep: path relative to the home, bytes, and the original's metadata.
pub struct Original<'a> {
    pub rel: &'a str,
    pub bytes: &'a [u8],
    pub meta: Entry,
}

/// Writes originals and manifest before any config file is touched, in a new run directory
/// (its id is the manifest's, with `-2`, `-3`… when taken). Returns the run id. The set is
/// filled under a temporary name (`.partial-<pid>-<id>`) and renamed once complete, so a run
/// killed while backing up leaves no half set, and a failed one leaves no set at all; the
/// partial sets of dead runs are removed here.
pub fn write_set(
    tool: &Dir,
    manifest: &mut Manifest,
    originals: &[Original],
) -> io::Result<String> {
    let backups = tool
        .sub(SETS, Some(0o700))
        .map_err(io::Error::other)?
        .ok_or_else(|| io::Error::other("backups directory vanished"))?;
    backups.chmod(0o700)?;
    remove_dead_partials(&backups);
    let base = manifest.run_id.clone();
    let mut n = 1;
    while backups.stat(&manifest.run_id).is_ok() {
        n += 1;
        manifest.run_id = format!("{base}-{n}");
    }
    let partial = format!("{PARTIAL}{}-{}", std::process::id(), manifest.run_id);
    let done = (|| {
        let run = backups
            .create_sub(&partial, 0o700)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::other("a partial backup set of this process exists"))?;
        fill(&run, manifest, originals)?;
        backups.rename(&partial, &manifest.run_id)?;
        backups.sync()
    })();
    if let Err(e) = done {
        let _ = backups.remove_tree(&partial);
        let _ = backups.sync();
        return Err(e);
    }
    Ok(manifest.run_id.clone())
}

const PARTIAL: &str = ".partial-";

fn remove_dead_partials(backups: &Dir) {
    for name in backups.names().unwrap_or_default() {
        let pid = name
            .strip_prefix(PARTIAL)
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && !super::safe_fs::alive(p)) {
            let _ = backups.remove_tree(&name);
        }
    }
}

fn fill(run: &Dir, manifest: &Manifest, originals: &[Original]) -> io::Result<()> {
    use std::io::Write;
    let files = run
        .sub(FILES, Some(0o700))
        .map_err(io::Error::other)?
        .ok_or_else(|| io::Error::other("files directory vanished"))?;
    // Each directory is fsynced once, after all files are in (`sync_tree`).
    let mut dirs: Vec<(String, Dir)> = Vec::new();
    let mut written = Vec::with_capacity(originals.len());
    for o in originals {
        let (parent, name) = o.rel.rsplit_once('/').unwrap_or(("", o.rel));
        if !dirs.iter().any(|(p, _)| p == parent) {
            let dir = files
                .sub_path(parent, Some(0o700))
                .map_err(io::Error::other)?
                .ok_or_else(|| io::Error::other("backup directory vanished"))?;
            dirs.push((parent.to_string(), dir));
        }
        let dir = &dirs
            .iter()
            .find(|(p, _)| p == parent)
            .expect("just added")
            .1;
        // Created private, then given the original's owner and mode (never wider).
        let mut file = dir.create_file(name, 0o600)?;
        file.write_all(o.bytes)?;
        keep_owner(&file, &o.meta)?;
        written.push(file);
    }
    // Fsynced together once all are written (the disk gets their data in one go).
    for file in written {
        file.sync_all()?;
    }
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    run.write_new(MANIFEST, &json, 0o600)?;
    sync_tree(&files)?;
    run.sync()
}

/// Fsyncs every directory below `dir` (the few a backup set creates).
fn sync_tree(dir: &Dir) -> io::Result<()> {
    let mut stack = vec![dir.sub_path("", None).map_err(io::Error::other)?];
    while let Some(Some(d)) = stack.pop() {
        d.sync()?;
        for name in d.names()? {
            if d.stat(&name).is_ok_and(|e| e.is_dir) && stack.len() < 64 {
                stack.push(d.sub(&name, None).map_err(io::Error::other)?);
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn keep_owner(file: &std::fs::File, meta: &Entry) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if super::safe_fs::euid() == 0 {
        std::os::unix::fs::fchown(file, Some(meta.uid), Some(meta.gid))?;
    }
    file.set_permissions(std::fs::Permissions::from_mode(meta.mode & 0o777))
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _meta: &Entry) -> io::Result<()> {
    Ok(())
}

/// A backup run as found on disk. The manifest may be missing or unreadable while the
/// copies are there; such a run is listed, and restorable from its files with `--run`.
#[derive(Debug)]
pub struct Run {
    pub id: String,
    pub manifest: Result<Manifest, String>,
    /// Paths (relative to the home) of the copies under `files/`.
    pub files: Vec<String>,
    /// Where the run lives, for messages.
    pub path: PathBuf,
}

impl Run {
    /// The original bytes of `rel`, read without following links.
    pub fn read_copy(&self, tool: &Dir, rel: &str) -> io::Result<Vec<u8>> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let sub = format!("{SETS}/{}/{FILES}/{parent}", self.id);
        tool.sub_path(&sub, None)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?
            .read(name)
    }

    /// Writes the manifest back (after a rollback marks it).
    pub fn save_manifest(&self, tool: &Dir, manifest: &Manifest) -> io::Result<()> {
        let dir = tool
            .sub_path(&format!("{SETS}/{}", self.id), None)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
        dir.replace(MANIFEST, &json, 0o600)
    }
}

/// Backup runs of a home (its `.wso2-harden` handle), oldest first. Entries that hold
/// neither a manifest nor copies are not runs.
pub fn list_runs(tool: &Dir) -> Vec<Run> {
    let Ok(Some(backups)) = tool.sub(SETS, None) else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    for id in backups.names().unwrap_or_default() {
        if id.starts_with('.') {
            continue; // a set still being written (or left by a killed run)
        }
        let Ok(Some(dir)) = backups.sub(&id, None) else {
            continue;
        };
        let manifest = match dir.read(MANIFEST) {
            Ok(bytes) => serde_json::from_slice::<Manifest>(&bytes)
                .map_err(|e| format!("{MANIFEST} is unreadable ({e})")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!("{MANIFEST} is missing")),
            Err(e) => Err(format!("{MANIFEST}: {e}")),
        };
        let files = copies(&dir);
        if manifest.is_err() && files.is_empty() {
            continue;
        }
        runs.push(Run {
            path: backups.path.join(&id),
            id,
            manifest,
            files,
        });
    }
    runs.sort_by_key(|r| run_order(&r.id));
    runs
}

/// Ids sort by time, then by their `-N` suffix as a number.
fn run_order(id: &str) -> (String, u64) {
    match id.rsplit_once('-') {
        Some((base, n)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() => {
            (base.to_string(), n.parse().unwrap_or(0))
        }
        _ => (id.to_string(), 1),
    }
}

/// Every regular file below `files/` of a run, as home-relative paths.
fn copies(run: &Dir) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(Some(files)) = run.sub(FILES, None) else {
        return out;
    };
    let mut stack = vec![(files, String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for name in dir.names().unwrap_or_default() {
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            match dir.stat(&name) {
                Ok(e) if e.is_file => out.push(path),
                Ok(e) if e.is_dir && stack.len() < 64 => {
                    if let Ok(Some(sub)) = dir.sub(&name, None) {
                        stack.push((sub, path));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// A new run id: UTC time, sortable (uniqueness is settled when its directory is created).
pub fn new_run_id() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}
