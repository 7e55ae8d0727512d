//! The release tarball of dist/build.sh: both binaries, completions and man pages, and
//! binaries that run on glibc 2.17 (checked on the glibc symbol versions they import). .ci/run
//! builds the tarball before the tests; without one the check is skipped loudly (and fails
//! under CI=true).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::manifest_dir;

fn glibc_check(max: &str, bins: &[&Path]) -> std::process::Output {
    Command::new("bash")
        .arg(manifest_dir().join("dist/check-glibc.sh"))
        .args(["--max", max])
        .args(bins)
        .output()
        .unwrap()
}

fn tarball() -> Option<PathBuf> {
    let name = format!(
        "wso2-harden-{}-x86_64-linux-gnu.tar.gz",
        env!("CARGO_PKG_VERSION")
    );
    let path = manifest_dir().join("dist/out").join(name);
    if path.is_file() {
        return Some(path);
    }
    common::skip(&format!(
        "{} is missing (run dist/build.sh): the release tarball was NOT checked",
        path.display()
    ));
    None
}

#[test]
fn the_glibc_check_fails_on_a_binary_that_needs_more() {
    let bin = Path::new(env!("CARGO_BIN_EXE_wso2-harden"));
    // Any dynamically linked glibc binary needs more than glibc 2.2.
    let out = glibc_check("2.2", &[bin]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("newer than 2.2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_release_tarball_runs_on_glibc_2_17() {
    let Some(tarball) = tarball() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let root = tmp.path().join(
        tarball
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".tar.gz"),
    );
    for f in [
        "bin/wso2-harden",
        "bin/wso2_harden",
        "completions/wso2-harden.bash",
        "completions/_wso2-harden",
        "completions/wso2-harden.fish",
        "man/man1/wso2-harden.1",
        "man/man1/wso2-harden-check.1",
        "ansible/library/wso2_harden.yml",
        "README.md",
    ] {
        assert!(root.join(f).is_file(), "the tarball holds {f}");
    }
    let bins = [root.join("bin/wso2-harden"), root.join("bin/wso2_harden")];
    let out = glibc_check("2.17", &[&bins[0], &bins[1]]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let version = Command::new(&bins[0]).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("wso2-harden {}", env!("CARGO_PKG_VERSION"))
    );
    let module = Command::new(&bins[1]).output().unwrap();
    assert!(String::from_utf8_lossy(&module.stdout).contains("\"failed\":true"));
}
