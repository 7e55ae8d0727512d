//! Two `fix --yes` runs over the same 80 product homes at once: the per-home lock makes one
//! wait for the other, so every home ends entirely fixed (never half), and neither run claims
//! a write it did not make.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::fleet;

/// Config files of each node: node → (path → bytes).
fn configs(dir: &Path) -> BTreeMap<String, BTreeMap<PathBuf, Vec<u8>>> {
    let mut out: BTreeMap<String, BTreeMap<PathBuf, Vec<u8>>> = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".wso2-harden")
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let rel = e.path().strip_prefix(dir).unwrap();
        let node = rel.iter().next().unwrap().to_string_lossy().into_owned();
        out.entry(node)
            .or_default()
            .insert(rel.to_path_buf(), std::fs::read(e.path()).unwrap());
    }
    out
}

fn fix(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wso2-harden"));
    c.current_dir(dir)
        .args(["fix", "--yes", "--set", "hostname=node.example.com", "."])
        .env("NO_COLOR", "1")
        .env("WSO2_HARDEN_LOCK_WAIT", "60")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Nodes a run's output says it wrote.
fn claimed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_suffix(" file(s)"))
        .filter_map(|l| l.split_once(" wrote "))
        .map(|(node, _)| node.to_string())
        .collect()
}

#[test]
fn two_concurrent_fixes_leave_every_home_original_or_fixed() {
    let n = 80;
    let clean = tempfile::tempdir().unwrap();
    fleet(clean.path(), n);
    let original = configs(clean.path());
    let out = fix(clean.path()).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let fixed = configs(clean.path());

    let dir = tempfile::tempdir().unwrap();
    fleet(dir.path(), n);
    let a = fix(dir.path()).spawn().unwrap();
    let b = fix(dir.path()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let now = configs(dir.path());
    let mut claims = Vec::new();
    for out in [&a, &b] {
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "a run failed: {stderr}"
        );
        claims.extend(claimed(&stdout));
    }
    for (node, files) in &now {
        let whole = files == &original[node] || files == &fixed[node];
        assert!(whole, "{node} is half-fixed");
        assert_eq!(
            files, &fixed[node],
            "{node}: both runs succeeded, so it is fixed"
        );
    }
    // Each node was written by exactly one run; the other found nothing left to do.
    claims.sort();
    let mut expected: Vec<String> = fixed
        .iter()
        .filter(|(node, files)| original[*node] != **files)
        .map(|(node, _)| node.clone())
        .collect();
    expected.sort();
    assert_eq!(claims, expected, "no false success, no double write");
}
