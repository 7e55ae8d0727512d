//! Safety of the writes on a hostile or unusual file system: links planted in a home, hard
//! links, read-only files, symlinked homes, locks, interrupted runs and their journal, and
//! backup sets that lost their manifest. Runs as root or as any user.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;

use assert_cmd::Command;
use common::{copy_dir, fixture_copy, manifest_dir, snapshot};

fn tool(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("WSO2_HARDEN_TEST_PANIC")
        .env("WSO2_HARDEN_LOCK_WAIT", "0.3");
    c
}

const HOST: [&str; 2] = ["--set", "hostname=node.example.com"];

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tool(dir).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[test]
fn symlinked_tool_dir_is_refused_and_its_target_untouched() {
    // `.wso2-harden/backups` (where earlier versions kept sets) is covered by
    // a_link_planted_where_earlier_versions_kept_sets_is_never_followed.
    {
        let planted = ".wso2-harden";
        let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
        let d = tmp.path();
        let target = tempfile::tempdir().unwrap();
        fs::set_permissions(target.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(target.path().join("marker"), "x").unwrap();
        let home = d.join("apim-2.6.0");
        if planted.contains('/') {
            fs::create_dir(home.join(".wso2-harden")).unwrap();
        }
        symlink(target.path(), home.join(planted)).unwrap();
        let before = snapshot(&home);
        let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
        assert_eq!(code, Some(2), "{planted}: {err}");
        assert!(
            err.contains(&format!(
                "apim-2.6.0/{planted}: is a symbolic link; refusing"
            )),
            "{err}"
        );
        assert_eq!(snapshot(&home), before, "{planted}: the home is untouched");
        let meta = fs::metadata(target.path()).unwrap();
        assert_eq!(
            meta.mode() & 0o777,
            0o755,
            "{planted}: target mode untouched"
        );
        let names: Vec<_> = fs::read_dir(target.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{planted}: nothing written at the target");
        // The other home was fixed.
        let cat = fs::read_to_string(d.join("is-7.0.0/repository/conf/deployment.toml")).unwrap();
        assert!(
            cat.contains("server = \"Server\"") || cat.contains("Server"),
            "{cat}"
        );
    }
}

#[test]
fn backup_copies_are_owned_and_permissioned_like_their_originals() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    fs::set_permissions(&cat, fs::Permissions::from_mode(0o640)).unwrap();
    if is_root() {
        std::os::unix::fs::chown(&cat, Some(1234), Some(2345)).unwrap();
    }
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    let tool_dir = d.join("apim-2.6.0/.wso2-harden");
    assert_eq!(fs::metadata(&tool_dir).unwrap().mode() & 0o777, 0o700);
    let runs = common::backup_sets(&tool_dir);
    assert_eq!(runs.len(), 1);
    let set = runs[0].clone();
    assert_eq!(
        fs::metadata(&set).unwrap().mode() & 0o777,
        0o600,
        "a set is private to the tool's user"
    );
    let (m, c) = (
        fs::metadata(&cat).unwrap(),
        entry_header(&set, "files/repository/conf/tomcat/catalina-server.xml"),
    );
    assert_eq!(
        c.mode().unwrap(),
        0o640,
        "the copy records the original's mode"
    );
    assert_eq!(m.mode() & 0o777, 0o640, "the rewritten file keeps its mode");
    if is_root() {
        assert_eq!(
            (c.uid().unwrap(), c.gid().unwrap()),
            (1234, 2345),
            "and owner"
        );
        assert_eq!((m.uid(), m.gid()), (1234, 2345));
    }
    assert_eq!(entry_header(&set, "manifest.json").mode().unwrap(), 0o600);
}

/// The header of entry `name` of the backup set (a tar file) at `set`.
fn entry_header(set: &Path, name: &str) -> tar::Header {
    let bytes = fs::read(set).unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let found = archive
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|e| e.path().unwrap().to_string_lossy() == name)
        .unwrap_or_else(|| panic!("{name} not in {set:?}"));
    found.header().clone()
}

/// Rewrites the backup set at `set`, each entry through `f` (None drops it).
fn rewrite_set(set: &Path, f: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    use std::io::Read;
    let bytes = fs::read(set).unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut out = tar::Builder::new(Vec::new());
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if let Some(data) = f(&name, data) {
            let mut h = e.header().clone();
            h.set_size(data.len() as u64);
            out.append_data(&mut h, &name, data.as_slice()).unwrap();
        }
    }
    fs::write(set, out.into_inner().unwrap()).unwrap();
}

#[test]
fn hard_linked_file_is_refused_and_its_node_untouched() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    fs::hard_link(&cat, d.join("other-name.xml")).unwrap();
    let before = snapshot(d);
    let (code, _, err) = run(d, &["fix", "--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("catalina-server.xml: has 2 hard links; replacing it would leave the other names with the old content"),
        "{err}"
    );
    assert_eq!(snapshot(d), before);
    assert_eq!(run(d, &["check", "--select", "server-header"]).0, Some(2));
}

#[test]
fn read_only_file_is_rewritten_with_a_note_and_keeps_its_mode() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    fs::set_permissions(&cat, fs::Permissions::from_mode(0o444)).unwrap();
    let (code, out, _) = run(d, &["check", "--select", "server-header"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("read-only-file") && out.contains("keeps its mode"),
        "{out}"
    );
    let (code, out, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("catalina-server.xml was read-only; it was replaced"),
        "{out}"
    );
    assert_eq!(fs::metadata(&cat).unwrap().mode() & 0o777, 0o444);
    assert!(fs::read_to_string(&cat)
        .unwrap()
        .contains("server=\"Server\""));
}

#[test]
fn a_link_to_another_users_file_is_not_written_through() {
    if !is_root() {
        common::loud("skipped: needs root to give a symlink another owner");
        return;
    }
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let outside = tempfile::tempdir().unwrap();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let victim = outside.path().join("root-owned.xml");
    fs::rename(&cat, &victim).unwrap();
    symlink(&victim, &cat).unwrap();
    std::os::unix::fs::lchown(&cat, Some(1234), Some(1234)).unwrap();
    let before = fs::read(&victim).unwrap();
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("refusing to write through it"), "{err}");
    assert_eq!(fs::read(&victim).unwrap(), before);
}

#[test]
fn symlinked_homes_are_followed_detected_at_their_root_and_loops_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(
        &manifest_dir().join("fixtures/apim-2.6.0"),
        &d.join("real/h1"),
    );
    copy_dir(
        &manifest_dir().join("fixtures/is-7.0.0"),
        &d.join("fleet/h2"),
    );
    symlink(d.join("real/h1"), d.join("fleet/h1")).unwrap();
    symlink(d.join("fleet"), d.join("fleet/loop")).unwrap();
    symlink(d.join("fleet/h2"), d.join("fleet/h2-again")).unwrap();
    let (code, out, err) = run(d, &["check", "--format", "json", "fleet"]);
    assert_eq!(code, Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nodes: Vec<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["fleet/h1", "fleet/h2"], "{err}");
    assert_eq!(v["nodes"][0]["product"], "apim");
    assert!(err.contains("fleet/loop: symbolic link loop"), "{err}");
    assert!(
        err.contains("fleet/h2-again: the same product home as"),
        "{err}"
    );
    // Given directly, the link is the home (not h1/repository), start scripts included.
    let (code, out, _) = run(d, &["check", "fleet/h1"]);
    assert_eq!(code, Some(1));
    assert!(out.starts_with("fleet/h1 (API Manager 2.6.0"), "{out}");
    assert!(out.contains("fleet/h1/bin/wso2server.sh"), "{out}");
    // Fixing through the link writes the real files.
    let (code, _, err) = run(
        d,
        &["fix", "--yes", "--select", "server-header", "fleet/h1"],
    );
    assert_eq!(code, Some(0), "{err}");
    let cat = fs::read_to_string(d.join("real/h1/repository/conf/tomcat/catalina-server.xml"));
    assert!(cat.unwrap().contains("server=\"Server\""));
}

#[test]
fn a_locked_home_waits_then_fails_naming_the_holder() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let home = d.join("apim-2.6.0");
    let before = snapshot(&home);
    let lock =
        wso2_harden::apply::lock::lock(&home, "x", wso2_harden::apply::lock::Mode::Exclusive)
            .unwrap()
            .unwrap();
    let pid = std::process::id();
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("apim-2.6.0: locked by pid {pid}")),
        "{err}"
    );
    assert_eq!(snapshot(&home), before);
    let (code, _, err) = run(d, &["check", "--select", "server-header"]);
    assert_eq!(code, Some(2), "check waits for a writer too: {err}");
    drop(lock);
    assert_eq!(
        run(d, &["fix", "--yes", "--select", "server-header"]).0,
        Some(0)
    );
}

#[test]
fn an_interrupted_run_is_reported_then_completed_or_reverted() {
    for then in ["fix", "rollback"] {
        let tmp = fixture_copy(&["apim-2.6.0"]);
        let d = tmp.path();
        let original = snapshot(d);
        // Killed after the first file of the node is written (as SIGKILL would).
        let (code, _, _) = {
            let out = tool(d)
                .env("WSO2_HARDEN_TEST_PANIC", "kill:apim-2.6.0")
                .args(["fix", "--yes"])
                .args(HOST)
                .output()
                .unwrap();
            (out.status.code(), (), ())
        };
        assert_eq!(code, None, "killed by a signal");
        let (code, out, err) = run(d, &["check"]);
        assert_eq!(code, Some(1), "{err}");
        let line = out
            .lines()
            .skip_while(|l| !l.contains("interrupted-run"))
            .nth(1)
            .unwrap_or_else(|| panic!("{out}"));
        assert!(line.contains("Interrupted run: a `fix` run (pid"), "{line}");
        assert!(
            line.contains("written: apim-2.6.0/") || line.contains("written: repository/"),
            "{line}"
        );
        assert!(line.contains("not written: "), "{line}");
        let json = run(d, &["check", "--format", "json"]).1;
        assert!(json.contains("\"id\": \"interrupted-run\""), "{json}");
        let (code, _, err) = run(d, &["diff"]);
        assert_eq!(code, Some(1));
        assert!(err.contains("interrupted-run"), "{err}");
        match then {
            "fix" => {
                let (code, out, err) =
                    run(d, &["fix", "--yes", "--set", "hostname=node.example.com"]);
                assert!(matches!(code, Some(0 | 1)), "{err}");
                assert!(out.contains("completed an interrupted run"), "{out}");
                let (_, out, _) = run(d, &["check", "--set", "hostname=node.example.com"]);
                assert!(!out.contains("interrupted-run"), "{out}");
                assert!(!out.contains("  fix "), "every fix is in: {out}");
            }
            _ => {
                let (code, out, err) = run(d, &["rollback"]);
                assert_eq!(code, Some(0), "{err}");
                assert!(out.contains("rolled back interrupted run"), "{out}");
                assert_eq!(snapshot(d), original, "reverted byte for byte");
                let (_, out, _) = run(d, &["check"]);
                assert!(!out.contains("interrupted-run"), "{out}");
            }
        }
    }
}

#[test]
fn rollback_finds_runs_without_a_manifest_and_skips_homes_without_runs() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let original = snapshot(d);
    let (code, _, err) = run(
        d,
        &["fix", "--yes", "--select", "server-header", "apim-2.6.0"],
    );
    assert_eq!(code, Some(0), "{err}");
    // A fleet where one home never had a run: nothing to do there, and no error.
    let set = common::backup_sets(&d.join("apim-2.6.0/.wso2-harden"))[0].clone();
    let id = set
        .file_name()
        .unwrap()
        .to_string_lossy()
        .trim_end_matches(".tar")
        .to_string();
    for damage in ["missing", "corrupt"] {
        match damage {
            "missing" => rewrite_set(&set, |n, d| (n != "manifest.json").then_some(d)),
            _ => rewrite_set(&set, |n, d| {
                Some(if n == "manifest.json" {
                    b"{not json".to_vec()
                } else {
                    d
                })
            }),
        }
        let (code, out, _) = run(d, &["rollback", "--list"]);
        assert_eq!(code, Some(0));
        assert!(
            out.contains(&id) && out.contains("manifest.json is"),
            "{out}"
        );
        let (code, _, err) = run(d, &["rollback", "apim-2.6.0"]);
        assert_eq!(code, Some(2), "not picked silently");
        assert!(
            err.contains(&format!("`rollback --run {id}` restores its copies")),
            "{err}"
        );
    }
    let (code, out, err) = run(d, &["rollback", "--run", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning:") && err.contains("without checking"),
        "{err}"
    );
    assert!(out.contains("is-7.0.0: no backup run"), "{out}");
    assert_eq!(snapshot(d), original);
    // Without --run, a fleet with homes that never had a run is not an error either.
    let (code, _, err) = run(
        d,
        &["fix", "--yes", "--select", "server-header", "apim-2.6.0"],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(d, &["rollback"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("is-7.0.0: no backup run; nothing to roll back"),
        "{out}"
    );
    assert_eq!(snapshot(d), original);
}

#[test]
fn an_interrupted_rollback_is_reported_then_completed_by_the_next() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let original = snapshot(d);
    let (code, _, err) = run(d, &["fix", "--yes", "--set", "hostname=node.example.com"]);
    assert_eq!(code, Some(0), "{err}");
    let out = tool(d)
        .env("WSO2_HARDEN_TEST_PANIC", "kill:apim-2.6.0")
        .arg("rollback")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None, "killed part-way");
    let (_, out, _) = run(d, &["check"]);
    assert!(out.contains("a `rollback` run (pid"), "{out}");
    let (code, out, err) = run(d, &["rollback"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("rolled back interrupted run"), "{out}");
    assert_eq!(snapshot(d), original);
    assert!(!run(d, &["check"]).1.contains("interrupted-run"));
}

#[test]
fn another_user_can_check_a_home_root_fixed() {
    let setpriv = Path::new("/usr/bin/setpriv");
    if !is_root() || !setpriv.exists() {
        common::loud("skipped: needs root and setpriv to check as another user");
        return;
    }
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    // The tool's directory stays root's, 0700: the other user reads the home without it.
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=1234", "--regid=1234", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_wso2-harden"))
        .args(["check", "--select", "server-header,tls-protocols", "."])
        .current_dir(d)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("tls-protocols") && !stdout.contains("server-header"),
        "{stdout}"
    );
}

#[test]
fn sets_in_the_earlier_directory_layout_still_roll_back_and_no_set_reaches_outside_its_home() {
    use std::io::Read;
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let original = snapshot(d);
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    let tool_dir = d.join("apim-2.6.0/.wso2-harden");
    let set = common::backup_sets(&tool_dir)[0].clone();
    // The layout of earlier versions: backups/<id>/manifest.json and backups/<id>/files/<path>.
    let dir = tool_dir.join("backups").join(set.file_stem().unwrap());
    let bytes = fs::read(&set).unwrap();
    for e in tar::Archive::new(bytes.as_slice()).entries().unwrap() {
        let mut e = e.unwrap();
        let to = dir.join(e.path().unwrap());
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        fs::write(to, data).unwrap();
    }
    fs::remove_file(&set).unwrap();
    let (code, out, err) = run(d, &["rollback"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(snapshot(d), original, "restored from the directory set");
    // A tampered set naming a path outside the home restores nothing.
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    let set = common::backup_sets(&tool_dir)[0].clone();
    rewrite_set(&set, |n, d| {
        let text = String::from_utf8(d).unwrap();
        Some(if n == "manifest.json" {
            text.replace("repository/conf/tomcat/", "../../")
                .into_bytes()
        } else {
            text.into_bytes()
        })
    });
    let fixed = snapshot(d);
    let (code, _, err) = run(d, &["rollback"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a plain path below the home"), "{err}");
    assert_eq!(snapshot(d), fixed, "nothing restored");
}

#[test]
fn a_link_planted_where_earlier_versions_kept_sets_is_never_followed() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let target = tempfile::tempdir().unwrap();
    fs::write(target.path().join("marker"), "x").unwrap();
    let tool_dir = d.join("apim-2.6.0/.wso2-harden");
    fs::create_dir(&tool_dir).unwrap();
    symlink(target.path(), tool_dir.join("backups")).unwrap();
    let (code, _, err) = run(d, &["fix", "--yes", "--select", "server-header"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        common::backup_sets(&tool_dir).len(),
        1,
        "the set is in the tool dir"
    );
    let (code, out, _) = run(d, &["rollback", "--list"]);
    assert_eq!(code, Some(0));
    assert_eq!(out.matches("file(s)").count(), 1, "{out}");
    let names: Vec<_> = fs::read_dir(target.path()).unwrap().flatten().collect();
    assert_eq!(names.len(), 1, "nothing written at the link's target");
}
