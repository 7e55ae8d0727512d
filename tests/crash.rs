//! Crash safety: `fix --yes` over 300 product homes, killed with SIGKILL at random moments,
//! several times. After every kill each config file is either its original or its fully
//! fixed bytes (never torn), and a final run brings every node to the bytes of a clean fix.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{copy_dir, manifest_dir};

const HOMES: [&str; 4] = ["apim-2.6.0", "is-7.0.0", "mi-4.2.0", "windows-ei-6.5.0"];

fn fleet(dir: &Path, n: usize) {
    for i in 0..n {
        let from = manifest_dir().join("fixtures").join(HOMES[i % HOMES.len()]);
        copy_dir(&from, &dir.join(format!("node-{i:03}")));
    }
}

/// Config files by path (the tool's backups and temp files are not config).
fn configs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".wso2-harden")
        .flatten()
        .filter(|e| {
            e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with(".wso2-harden-")
        })
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn fix(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wso2-harden"));
    c.current_dir(dir)
        .args([
            "fix",
            "--yes",
            "--set",
            "hostname=node.example.com",
            "--set",
            "jvm_xmx=2048m",
            ".",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

#[test]
fn sigkill_leaves_every_file_old_or_new_and_a_rerun_completes() {
    let n = 300;
    let clean = tempfile::tempdir().unwrap();
    fleet(clean.path(), n);
    let original = configs(clean.path());
    assert!(fix(clean.path()).status().unwrap().code().is_some());
    let fixed = configs(clean.path());
    let changed = original
        .iter()
        .filter(|(p, b)| fixed.get(*p) != Some(b))
        .count();
    assert!(
        changed >= n * 3,
        "the clean fix changes many files ({changed})"
    );

    let crashed = tempfile::tempdir().unwrap();
    fleet(crashed.path(), n);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = seed | 1;
    let mut kills = 0;
    for round in 0..6 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(5 + rng % 400);
        let mut child = fix(crashed.path()).spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        for (path, bytes) in configs(crashed.path()) {
            let ok = original.get(&path) == Some(&bytes) || fixed.get(&path) == Some(&bytes);
            assert!(
                ok,
                "seed {seed}, round {round} ({delay:?}): {} is neither original nor fixed",
                path.display()
            );
        }
    }
    assert!(kills >= 1, "seed {seed}: no run was killed mid-way");
    fix(crashed.path()).status().unwrap();
    assert_eq!(
        configs(crashed.path()),
        fixed,
        "seed {seed}: a final run gives the clean fix's bytes"
    );
    let leftovers: Vec<_> = walkdir::WalkDir::new(crashed.path())
        .into_iter()
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with(".wso2-harden-") && e.file_type().is_file()
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(
        leftovers.is_empty(),
        "stale temp files after the final run: {leftovers:?}"
    );
}
