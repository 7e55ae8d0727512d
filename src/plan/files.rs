//! Which files a patch target names in a product home, and how paths are shown.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::discover::ProductHome;
use crate::formats::script::{self, ScriptKind};
use crate::formats::text::Decoded;

/// The existing files a target names in this home.
pub(super) fn target_files(
    home: &ProductHome,
    spec: &str,
    reads: &mut HashMap<PathBuf, Vec<u8>>,
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

fn launches_jvm(path: &Path, reads: &mut HashMap<PathBuf, Vec<u8>>) -> bool {
    let (Some(kind), Ok(bytes)) = (ScriptKind::from_path(path), fs::read(path)) else {
        return false;
    };
    let launches = script::has_launch(&Decoded::decode(&bytes).text, kind);
    if launches {
        reads.insert(path.to_path_buf(), bytes);
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
