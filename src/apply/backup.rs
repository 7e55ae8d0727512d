//! Backup sets under `<home>/.wso2-harden/backups/<run-id>/` (or `<DIR>/<home key>/backups/`
//! with `--backup-dir DIR`): the original bytes of every file a run changes, plus a manifest
//! with sha256 before and after, so that `rollback` can restore them and refuse when a file
//! changed since. The tool's directory holds a `.gitignore` of `*`, so backups (which hold
//! the files' secrets) never show in `git status` of a product home kept in git.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The tool's directory in a product home.
pub const TOOL_DIR: &str = ".wso2-harden";
/// Backup sets below the tool's directory.
pub const SETS: &str = "backups";
pub const MANIFEST: &str = "manifest.json";

/// Where `fix` keeps the originals of what it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backup {
    /// No backup set (`--no-backup`, policy `backup = false`).
    Off,
    /// `<home>/.wso2-harden/`.
    InHome,
    /// `--backup-dir DIR`: `<DIR>/<home key>/`.
    Dir(PathBuf),
}

impl From<bool> for Backup {
    fn from(on: bool) -> Backup {
        if on {
            Backup::InHome
        } else {
            Backup::Off
        }
    }
}

impl Backup {
    /// The tool's directory for `home` (backup sets live in its `backups/`).
    pub fn tool_dir(&self, home: &Path) -> Option<PathBuf> {
        match self {
            Backup::Off => None,
            Backup::InHome => Some(home.join(TOOL_DIR)),
            Backup::Dir(dir) => Some(dir.join(home_key(home))),
        }
    }
}

/// A directory name for a home under `--backup-dir`: its last two path components, readable,
/// and a hash of its canonical path, unique.
fn home_key(home: &Path) -> String {
    let canonical = fs::canonicalize(home).unwrap_or_else(|_| home.to_path_buf());
    let shown: Vec<String> = canonical
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut name: String = shown
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = sha256_hex(canonical.to_string_lossy().as_bytes());
    name.push('-');
    name.push_str(hash.get(..12).unwrap_or(&hash));
    name
}

/// Writes `<tool dir>/.gitignore` holding `*` unless it exists (as ruff and pytest do for
/// their caches): git then ignores the whole directory, itself included.
pub fn ensure_gitignore(tool: &Path) -> io::Result<()> {
    let path = tool.join(".gitignore");
    if fs::symlink_metadata(&path).is_ok() {
        return Ok(());
    }
    fs::write(
        &path,
        "# Written by wso2-harden: backups hold the files' secrets; never commit them.\n*\n",
    )
}

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

/// A new run id: UTC time, sortable, unique within the tool directory `tool`.
pub fn new_run_id(tool: &Path) -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let base: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut id = base.clone();
    let mut n = 1;
    while tool.join(SETS).join(&id).exists() {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

/// Writes originals and manifest before any config file is touched.
pub fn write_set(
    tool: &Path,
    manifest: &Manifest,
    originals: &[(PathBuf, Vec<u8>)],
) -> io::Result<PathBuf> {
    let dir = tool.join(SETS).join(&manifest.run_id);
    create_private_dir(&dir)?;
    ensure_gitignore(tool)?;
    for ((_, bytes), entry) in originals.iter().zip(&manifest.files) {
        let dest = dir.join("files").join(&entry.path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&dest, bytes)?;
        set_mode(&dest, entry.mode)?;
        fs::File::open(&dest)?.sync_all()?;
    }
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    let path = dir.join(MANIFEST);
    fs::write(&path, json)?;
    fs::File::open(&path)?.sync_all()?;
    super::write::sync_dir(&dir)?;
    Ok(dir)
}

pub fn read_manifest(dir: &Path) -> io::Result<Manifest> {
    let bytes = fs::read(dir.join(MANIFEST))?;
    serde_json::from_slice(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Backup runs kept in the tool directory `tool`, oldest first.
pub fn list_runs(tool: &Path) -> Vec<(PathBuf, Manifest)> {
    let Ok(entries) = fs::read_dir(tool.join(SETS)) else {
        return Vec::new();
    };
    let mut runs: Vec<_> = entries
        .flatten()
        .filter_map(|e| read_manifest(&e.path()).ok().map(|m| (e.path(), m)))
        .collect();
    runs.sort_by(|a, b| a.1.run_id.cmp(&b.1.run_id));
    runs
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    set_mode(dir, 0o700)?;
    if let Some(tool_dir) = dir.parent().and_then(Path::parent) {
        set_mode(tool_dir, 0o700)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o7777))
}

#[cfg(not(unix))]
pub fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub fn mode_of(_meta: &fs::Metadata) -> u32 {
    0o644
}
