//! Shared test helpers: fixture copies, the real corpus in ../shared/fixtures-real, and the
//! patch case runner.
#![allow(dead_code)]

pub mod cases;

use std::fs;
use std::path::{Path, PathBuf};

pub mod installed;
pub mod models;
pub mod xmlcmp;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real WSO2 files. Missing: a loud message, and a failure under CI=true.
pub fn real_corpus() -> Option<PathBuf> {
    shared_dir("fixtures-real", "the real-corpus tests")
}

/// `../shared/<rel>`, or a loud skip naming `what` did not run (a failure under CI=true).
pub fn shared_dir(rel: &str, what: &str) -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared").join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    skip(&format!(
        "../shared/{rel} is missing ({}): {what} did NOT run",
        dir.display()
    ));
    None
}

/// A test that cannot run here says so loudly, and fails under CI=true (where .ci/run
/// installs what the tests need).
pub fn skip(why: &str) {
    let msg = format!("\n!!!!!!!! {why} !!!!!!!!\n");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}");
    }
    loud(&msg);
}

/// `program args` runs and succeeds; otherwise a loud skip saying `what` did not run and how
/// to install it.
pub fn have(program: &str, args: &[&str], what: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip(&format!(
            "{program} not found or not usable: {what} did NOT run"
        ));
    }
    ok
}

/// Writes past libtest's output capture (which swallows `eprintln!` in passing tests), so a
/// skipped test is seen in a plain `cargo test`.
pub fn loud(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// The sample homes of `fixtures/` a test fleet is built from, round robin.
pub const FLEET_HOMES: [&str; 4] = ["apim-2.6.0", "is-7.0.0", "mi-4.2.0", "windows-ei-6.5.0"];

/// `n` product homes `node-000`… under `dir`, copied round robin from `FLEET_HOMES`.
pub fn fleet(dir: &Path, n: usize) {
    for i in 0..n {
        let from = manifest_dir()
            .join("fixtures")
            .join(FLEET_HOMES[i % FLEET_HOMES.len()]);
        copy_dir(&from, &dir.join(format!("node-{i:03}")));
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A temp dir holding copies of the named fixture homes (under their own names).
pub fn fixture_copy(names: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in names {
        copy_dir(
            &manifest_dir().join("fixtures").join(name),
            &tmp.path().join(name),
        );
    }
    tmp
}

/// Every file below `dir` with its bytes, sorted, skipping the tool's own backups.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".wso2-harden" && e.file_name() != ".git")
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

pub fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
}

/// The backup sets (`<run-id>.tar`) in a home's tool directory (`<home>/.wso2-harden`), sorted.
#[allow(dead_code)]
pub fn backup_sets(tool_dir: &Path) -> Vec<PathBuf> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(tool_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    !name.starts_with('.') && name.ends_with(".tar")
                })
                .collect()
        })
        .unwrap_or_default();
    sets.sort();
    sets
}

/// A journal is pending in the home whose tool directory is `tool_dir`: the lock file holds
/// more than its pid line, or an earlier version's `journal.json` is there.
#[allow(dead_code)]
pub fn journal_pending(tool_dir: &Path) -> bool {
    let in_lock = std::fs::read(tool_dir.join("lock")).is_ok_and(|b| {
        b.get(20..)
            .is_some_and(|r| !r.iter().all(u8::is_ascii_whitespace))
    });
    in_lock || tool_dir.join("journal.json").exists()
}
