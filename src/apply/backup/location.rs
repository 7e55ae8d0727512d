//! Where backup sets live: nowhere (`--no-backup`), in the home's `.wso2-harden/`, or under
//! `--backup-dir DIR` in one directory per home; and the `.gitignore` that keeps them (and the
//! lock and journal) out of `git status`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{sha256_hex, TOOL_DIR};
use crate::apply::safe_fs::{Dir, SafeError};

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
    /// The tool's directory for `home` (backup sets live in it, one `<run-id>.tar` each).
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

impl Backup {
    /// The directory holding this home's backup sets (`<run-id>.tar` each), through no-follow
    /// handles: the home's own `.wso2-harden`, or `<DIR>/<home key>` (DIR is followed: the
    /// operator named it). With `create`, missing directories are made (mode 0700) and the
    /// `.gitignore` written. `Ok(None)`: no backups, or none there yet.
    pub fn open(&self, home: &Path, create: bool) -> Result<Option<Dir>, SafeError> {
        let tool = match self {
            Backup::Off => return Ok(None),
            Backup::InHome => crate::apply::lock::tool_dir(home, create)?,
            Backup::Dir(dir) => {
                if create {
                    fs::create_dir_all(dir).map_err(|e| SafeError::io(dir, e))?;
                } else if !dir.is_dir() {
                    return Ok(None);
                }
                let base = Dir::open(dir)?;
                let tool = base.sub(&home_key(home), create.then_some(0o700))?;
                if let (true, Some(t)) = (create, &tool) {
                    t.chmod(0o700).map_err(|e| SafeError::io(&t.path, e))?;
                    ensure_gitignore(t).map_err(|e| SafeError::io(&t.path, e))?;
                }
                tool
            }
        };
        Ok(tool)
    }
}

/// Writes `<tool dir>/.gitignore` holding `*` unless it exists (as ruff and pytest do for
/// their caches): git then ignores the whole directory, itself included. It is not fsynced
/// (one flush less per home on a fleet's first fix): a crash can leave it empty, and an empty
/// one is written again by the next run that creates the directory's content. One the
/// operator changed is left alone.
pub fn ensure_gitignore(tool: &Dir) -> io::Result<()> {
    use std::io::Write;
    const NAME: &str = ".gitignore";
    let text = "# Written by wso2-harden: backups hold the files' secrets; never commit them.\n*\n";
    match tool.create_file(NAME, 0o644) {
        Ok(mut f) => f.write_all(text.as_bytes()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if tool.stat(NAME)?.size == 0 {
                tool.replace(NAME, text.as_bytes(), 0o644)?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn an_empty_gitignore_left_by_a_crash_is_written_again_and_a_changed_one_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Dir::open(tmp.path()).unwrap();
        let path = tmp.path().join(".gitignore");
        ensure_gitignore(&dir).unwrap();
        let written = fs::read_to_string(&path).unwrap();
        assert!(written.ends_with("\n*\n"), "{written}");
        fs::write(&path, "").unwrap();
        ensure_gitignore(&dir).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), written);
        fs::write(&path, "*\n!keep\n").unwrap();
        ensure_gitignore(&dir).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "*\n!keep\n");
    }
}
