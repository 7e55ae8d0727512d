//! Backup sets, one archive per run: `<home>/.wso2-harden/<run-id>.tar` (or
//! `<DIR>/<home key>/<run-id>.tar` with `--backup-dir DIR`): the original bytes of every file a
//! run changes, plus a manifest with sha256 before and after, so that `rollback` can restore them
//! and refuse when a file changed since. The tool's directory holds a `.gitignore` of `*`, so
//! backups (which hold the files' secrets) never show in `git status` of a product home kept
//! in git. Everything is created and read through directory handles that refuse symlinks; a
//! set is private to the tool's user (0600 in a 0700 directory) and records each copy's mode
//! and owner (`archive`). The sets earlier versions kept under `backups/` (directories of
//! copies) are still listed and restored.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::safe_fs::{Dir, Entry};

/// The tool's directory in a product home.
pub const TOOL_DIR: &str = ".wso2-harden";
/// Where earlier versions kept backup sets, below the tool's directory (still read).
pub const SETS: &str = "backups";
pub const MANIFEST: &str = "manifest.json";

mod location;
pub use location::{ensure_gitignore, Backup};

const FILES: &str = "files";

mod archive;

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

/// Writes originals and manifest before any config file is touched, as one archive
/// `<id>.tar` in the tool's directory (`archive`; its id is the manifest's, with `-2`, `-3`…
/// when taken). Returns the run id. The archive is written and fsynced under a temporary
/// name (`.partial-<pid>-<id>.tar`) and renamed once complete, so a run killed while backing
/// up leaves no half set, and a failed one leaves no set at all; the partial sets of dead
/// runs are removed here.
pub fn write_set(
    tool: &Dir,
    manifest: &mut Manifest,
    originals: &[Original],
) -> io::Result<String> {
    let names = tool.names()?;
    remove_dead_partials(tool, &names);
    let legacy = match tool.sub(SETS, None) {
        Ok(Some(b)) => b.names().unwrap_or_default(),
        _ => Vec::new(),
    };
    let base = manifest.run_id.clone();
    let mut n = 1;
    let taken = |id: &str| {
        names
            .iter()
            .chain(&legacy)
            .any(|x| x == id || *x == archive::file_name(id))
    };
    while taken(&manifest.run_id) {
        n += 1;
        manifest.run_id = format!("{base}-{n}");
    }
    let bytes = archive::build(manifest, originals)?;
    let name = archive::file_name(&manifest.run_id);
    let partial = format!("{PARTIAL}{}-{name}", std::process::id());
    let done = (|| {
        use std::io::Write;
        let mut file = tool.create_file(&partial, 0o600)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        tool.rename(&partial, &name)?;
        tool.sync()
    })();
    if let Err(e) = done {
        let _ = tool.remove_file(&partial);
        let _ = tool.sync();
        return Err(e);
    }
    Ok(manifest.run_id.clone())
}

/// The name of run `id`'s set in the tool's directory.
pub fn set_name(id: &str) -> String {
    archive::file_name(id)
}

/// Removes run `id`'s set (a run whose write failed and was undone) from the tool's directory.
pub fn forget(tool: &Dir, id: &str) {
    let _ = tool.remove_file(&archive::file_name(id));
    let _ = tool.sync();
}

const PARTIAL: &str = ".partial-";

fn remove_dead_partials(backups: &Dir, names: &[String]) {
    for name in names {
        let pid = name
            .strip_prefix(PARTIAL)
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && !super::safe_fs::alive(p)) {
            if backups.stat(name).is_ok_and(|e| e.is_dir) {
                let _ = backups.remove_tree(name);
            } else {
                let _ = backups.remove_file(name);
            }
        }
    }
}

/// A path relative to the home as a backup may name it: `/`-separated parts, none empty,
/// `.` or `..` (a tampered manifest or archive never reaches outside the home).
pub fn plain_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
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
    /// Kept as one archive (`<id>.tar`); otherwise a directory `<id>/` holding
    /// `manifest.json` and `files/` (the layout of earlier versions, still read).
    pub archive: bool,
    /// Found under `backups/` (where earlier versions kept sets), not in the tool's
    /// directory itself.
    pub in_backups: bool,
}

impl Run {
    /// The original bytes of `rel`, read without following links.
    pub fn read_copy(&self, tool: &Dir, rel: &str) -> io::Result<Vec<u8>> {
        if !plain_rel(rel) {
            let why = format!("`{rel}` is not a plain path below the home");
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        if self.archive {
            return archive::copy(&self.read_archive(tool)?, rel);
        }
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        // A directory set is always an earlier version's, under `backups/`.
        let sub = format!("{SETS}/{}/{FILES}/{parent}", self.id);
        tool.sub_path(&sub, None)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?
            .read(name)
    }

    fn read_archive(&self, tool: &Dir) -> io::Result<Vec<u8>> {
        self.in_dir(tool, |dir| dir.read(&archive::file_name(&self.id)))
    }

    /// Runs `f` on the directory that holds this run's archive.
    fn in_dir<T>(&self, tool: &Dir, f: impl FnOnce(&Dir) -> io::Result<T>) -> io::Result<T> {
        if !self.in_backups {
            return f(tool);
        }
        let backups = tool
            .sub(SETS, None)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        f(&backups)
    }

    /// Writes the manifest back (after a rollback marks it).
    pub fn save_manifest(&self, tool: &Dir, manifest: &Manifest) -> io::Result<()> {
        if self.archive {
            let bytes = archive::with_manifest(&self.read_archive(tool)?, manifest)?;
            let name = archive::file_name(&self.id);
            return self.in_dir(tool, |dir| dir.replace(&name, &bytes, 0o600));
        }
        let dir = tool
            .sub_path(&format!("{SETS}/{}", self.id), None)
            .map_err(io::Error::other)?
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
        dir.replace(MANIFEST, &json, 0o600)
    }
}

/// Backup runs of a home (its tool directory's handle), oldest first: the archives in the
/// directory itself, and the sets earlier versions kept under `backups/` (archives or
/// directories). Entries that hold neither a manifest nor copies are not runs.
pub fn list_runs(tool: &Dir) -> Vec<Run> {
    let mut runs = Vec::new();
    collect_runs(tool, false, &mut runs);
    if let Ok(Some(backups)) = tool.sub(SETS, None) {
        collect_runs(&backups, true, &mut runs);
    }
    runs.sort_by_key(|r| run_order(&r.id));
    runs
}

fn collect_runs(dir: &Dir, in_backups: bool, runs: &mut Vec<Run>) {
    for name in dir.names().unwrap_or_default() {
        if name.starts_with('.') {
            continue; // a set still being written (or left by a killed run)
        }
        let Ok(entry) = dir.stat(&name) else {
            continue;
        };
        if let (true, Some(id)) = (entry.is_file, name.strip_suffix(archive::EXT)) {
            let Ok(bytes) = dir.read(&name) else {
                continue;
            };
            let (manifest, files) = archive::index(&bytes);
            if manifest.is_err() && files.is_empty() {
                continue;
            }
            runs.push(Run {
                path: dir.path.join(&name),
                id: id.to_string(),
                manifest,
                files,
                archive: true,
                in_backups,
            });
            continue;
        }
        if !in_backups || !entry.is_dir {
            continue;
        }
        let Ok(Some(set)) = dir.sub(&name, None) else {
            continue;
        };
        let manifest = match set.read(MANIFEST) {
            Ok(bytes) => serde_json::from_slice::<Manifest>(&bytes)
                .map_err(|e| format!("{MANIFEST} is unreadable ({e})")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!("{MANIFEST} is missing")),
            Err(e) => Err(format!("{MANIFEST}: {e}")),
        };
        let files = copies(&set);
        if manifest.is_err() && files.is_empty() {
            continue;
        }
        runs.push(Run {
            path: dir.path.join(&name),
            id: name,
            manifest,
            files,
            archive: false,
            in_backups,
        });
    }
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
