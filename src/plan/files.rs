//! Which files a patch target names in a product home, and how paths are shown.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::discover::ProductHome;
use crate::formats::script::{Scan, ScriptKind};
use crate::formats::text::Decoded;

/// A start script read to see whether it launches the JVM: its bytes and the scan of its
/// launch commands, which its plan starts from (one read and one scan per script).
pub(super) struct ScriptRead {
    pub bytes: Vec<u8>,
    pub scan: Scan,
}

/// The existing files a target names in this home.
pub(super) fn target_files(
    home: &ProductHome,
    spec: &str,
    reads: &mut HashMap<PathBuf, ScriptRead>,
) -> Vec<PathBuf> {
    match spec {
        "@startup-sh" | "@startup-bat" => {
            let ext = if spec == "@startup-sh" { "sh" } else { "bat" };
            let Ok(entries) = fs::read_dir(home.root.join("bin")) else {
                return Vec::new();
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext) && launches_jvm(p, reads))
                .collect();
            files.sort();
            files
        }
        _ => {
            let rel = spec.replace("{conf}", home.conf);
            let path = home.root.join(rel);
            if path.is_file() {
                vec![path]
            } else {
                Vec::new()
            }
        }
    }
}

fn launches_jvm(path: &Path, reads: &mut HashMap<PathBuf, ScriptRead>) -> bool {
    let Some(kind) = ScriptKind::from_path(path) else {
        return false;
    };
    let bytes = match crate::input::read_config(path) {
        Ok(b) => b,
        // Too large or UTF-16: planned all the same, so that the read fails with its reason.
        Err(crate::input::InputError::Io(_)) => return false,
        Err(_) => return true,
    };
    let scan = Scan::new(&Decoded::decode(&bytes).text, kind);
    let launches = scan.has_launch();
    if launches {
        reads.insert(path.to_path_buf(), ScriptRead { bytes, scan });
    }
    launches
}

/// A path as the user should see it: relative to `cwd` when below it, `./` dropped.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./");
    if s.is_empty() {
        ".".into()
    } else {
        s.to_string()
    }
}

/// A file a fix would rewrite must allow it: one with several hard links is refused (the
/// atomic rename would leave the other names with the old content); a read-only one is
/// rewritten all the same, keeping its mode, with a note.
pub(super) fn writable(
    file: &super::FilePlan,
    node: &str,
    findings: &mut Vec<super::Finding>,
) -> Result<(), String> {
    let Ok(meta) = fs::metadata(&file.path) else {
        return Ok(()); // the write reports it
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            let why = crate::apply::write::hard_link_note(meta.nlink());
            return Err(format!(
                "{}: {why}; nothing of this product home is written",
                file.display
            ));
        }
    }
    if meta.permissions().readonly() {
        findings.push(super::Finding {
            id: "read-only-file".to_string(),
            kind: super::FindingKind::Warning,
            severity: crate::catalog::Severity::Info,
            safety: crate::catalog::Safety::Safe,
            node: node.to_string(),
            file: Some(file.display.clone()),
            line: None,
            message: "the file is read-only (no write permission): fix replaces it all the same \
                      and keeps its mode"
                .to_string(),
            guidance: None,
            waiver: None,
        });
    }
    Ok(())
}
