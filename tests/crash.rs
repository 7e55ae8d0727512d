//! Crash safety: `fix --yes` over a fleet of product homes, killed with SIGKILL at random
//! moments, several times. After every kill each config file is either its original or its
//! fully fixed bytes (never torn); every home left half-written is reported `interrupted-run`
//! by `check`; the next run completes it, and a final run brings every node to the bytes of a
//! clean fix. `WSO2_HARDEN_CRASH_ROUNDS` (default 3) and `WSO2_HARDEN_CRASH_HOMES` (default
//! 60) make the loop longer.
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::fleet;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Config files by path (the tool's own directory and temp files are not config).
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

fn node_of(path: &Path) -> String {
    path.iter().next().unwrap().to_string_lossy().into_owned()
}

fn tool(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wso2-harden"));
    c.current_dir(dir)
        .args(args)
        .args([
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

fn fix(dir: &Path) -> Command {
    tool(dir, &["fix", "--yes"])
}

/// Nodes `check` reports as interrupted.
fn interrupted(dir: &Path) -> BTreeSet<String> {
    let out = tool(dir, &["check", "--format", "json"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "interrupted-run")
        .map(|f| f["node"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sigkill_leaves_every_file_old_or_new_reported_and_completed() {
    let (n, rounds) = (
        env_or("WSO2_HARDEN_CRASH_HOMES", 60),
        env_or("WSO2_HARDEN_CRASH_ROUNDS", 3),
    );
    let clean = tempfile::tempdir().unwrap();
    fleet(clean.path(), n);
    let original = configs(clean.path());
    let start = Instant::now();
    assert!(fix(clean.path()).status().unwrap().code().is_some());
    let clean_run = start.elapsed();
    let fixed = configs(clean.path());
    let changed = original
        .iter()
        .filter(|(p, b)| fixed.get(*p) != Some(b))
        .count();
    assert!(
        changed >= n * 3,
        "the clean fix changes many files ({changed})"
    );

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = seed | 1;
    let (mut kills, mut half_written_seen) = (0, 0);
    let crashed = tempfile::tempdir().unwrap();
    for round in 0..rounds {
        // Each round starts from the original fleet, so that there is work to interrupt.
        let fleet_dir = crashed.path().join(format!("round-{round}"));
        fleet(&fleet_dir, n);
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Somewhere inside a run: a clean run's duration scaled by 5%..85%.
        let share = 0.05 + (rng % 800) as f64 / 1000.0;
        let delay = clean_run.mul_f64(share) + Duration::from_millis(5);
        let mut child = fix(&fleet_dir).spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        let now = configs(&fleet_dir);
        let mut state: BTreeMap<String, (bool, bool)> = BTreeMap::new(); // (some old, some new)
        for (path, bytes) in &now {
            let (old, new) = (
                original.get(path) == Some(bytes),
                fixed.get(path) == Some(bytes),
            );
            assert!(
                old || new,
                "seed {seed}, round {round} ({delay:?}): {} is neither original nor fixed",
                path.display()
            );
            if original.get(path) != fixed.get(path) {
                let s = state.entry(node_of(path)).or_default();
                s.0 |= old;
                s.1 |= new;
            }
        }
        let half: BTreeSet<String> = state
            .into_iter()
            .filter(|(_, (old, new))| *old && *new)
            .map(|(node, _)| node)
            .collect();
        half_written_seen += half.len();
        let reported = interrupted(&fleet_dir);
        let missing: Vec<_> = half.difference(&reported).collect();
        assert!(
            missing.is_empty(),
            "seed {seed}, round {round}: half-written but not reported interrupted-run: {missing:?}"
        );
        // The next run completes every node.
        fix(&fleet_dir).status().unwrap();
        assert!(
            configs(&fleet_dir) == fixed,
            "seed {seed}, round {round}: the next run gives the clean fix's bytes"
        );
        assert!(
            interrupted(&fleet_dir).is_empty(),
            "seed {seed}: all completed"
        );
    }
    eprintln!("crash: seed {seed}, {kills} kill(s), {half_written_seen} half-written home(s) seen");
    assert!(kills >= 1, "seed {seed}: no run was killed mid-way");
    let leftovers: Vec<_> = walkdir::WalkDir::new(crashed.path())
        .into_iter()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            let journal = name == "lock" && e.path().parent().is_some_and(common::journal_pending);
            e.file_type().is_file()
                && (name.starts_with(".wso2-harden-") || name == "journal.json" || journal)
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(
        leftovers.is_empty(),
        "stale temp files or journals after the final run: {leftovers:?}"
    );
}
