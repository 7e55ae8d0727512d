//! The command-line contract, through the real binary (assert_cmd) on fixture copies.

mod common;

use std::fs;

use assert_cmd::Command;
use common::{fixture_copy, git, snapshot};
use predicates::prelude::*;

const THREE: &str = "tls-protocols,server-header,hostname";

fn tool(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

#[test]
fn check_diff_git_apply_fix_check_cycle() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0", "windows-ei-6.5.0"]);
    let d = tmp.path();
    let args = ["--select", THREE, "--set", "hostname=node.example.com"];
    tool(d)
        .arg("check")
        .args(args)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("tls-protocols"));

    let diff = tool(d)
        .arg("diff")
        .args(args)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(!diff.is_empty());
    // The diff applies with git apply to a pristine copy, and gives what fix writes.
    let pristine = fixture_copy(&["apim-2.6.0", "is-7.0.0", "windows-ei-6.5.0"]);
    fs::write(pristine.path().join("d.patch"), &diff).unwrap();
    let out = git(pristine.path(), &["apply", "d.patch"]);
    assert!(
        out.status.success(),
        "git apply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::remove_file(pristine.path().join("d.patch")).unwrap();

    tool(d).arg("fix").arg("--yes").args(args).assert().code(0);
    assert_eq!(
        snapshot(d),
        snapshot(pristine.path()),
        "fix wrote exactly the diff"
    );
    tool(d).arg("check").args(args).assert().code(0);
    tool(d)
        .arg("diff")
        .args(args)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    // A second fix changes nothing.
    let before = snapshot(d);
    tool(d).arg("fix").arg("--yes").args(args).assert().code(0);
    assert_eq!(snapshot(d), before);
}

#[test]
fn windows_file_keeps_crlf_bom_quotes_and_latin1() {
    let tmp = fixture_copy(&["windows-ei-6.5.0"]);
    let d = tmp.path();
    let conf = d.join("windows-ei-6.5.0/conf");
    let cat_before = fs::read(conf.join("tomcat/catalina-server.xml")).unwrap();
    tool(d)
        .args([
            "fix",
            "--yes",
            "--no-backup",
            "--select",
            THREE,
            "--set",
            "hostname=ei.example.com",
        ])
        .assert()
        .code(0);
    let carbon = fs::read(conf.join("carbon.xml")).unwrap();
    assert!(carbon.starts_with(b"\xEF\xBB\xBF<?xml"), "BOM kept");
    let cat = fs::read(conf.join("tomcat/catalina-server.xml")).unwrap();
    assert_eq!(
        cat.iter().filter(|&&b| b == b'\n').count(),
        cat.windows(2).filter(|w| w == b"\r\n").count(),
        "CRLF only"
    );
    assert!(
        cat.windows(10).any(|w| w == b"Modifi\xE9 pa"),
        "Latin-1 byte kept"
    );
    assert!(
        cat.windows(23).any(|w| w == b"sslEnabledProtocols='TL"),
        "single quotes kept"
    );
    // Only the intended lines changed.
    let changed: Vec<_> = cat_before
        .split(|&b| b == b'\n')
        .zip(cat.split(|&b| b == b'\n'))
        .filter(|(a, b)| a != b)
        .map(|(_, b)| String::from_utf8_lossy(b).trim().to_string())
        .collect();
    assert_eq!(
        changed,
        [
            "server='Server'",
            "sslEnabledProtocols='TLSv1.2'",
            "server='Server'"
        ]
    );
}

#[test]
fn malformed_file_is_located_and_its_node_untouched() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let broken = fs::read_to_string(&cat)
        .unwrap()
        .replace("<Engine name", "<Engine <name");
    fs::write(&cat, &broken).unwrap();
    let before = snapshot(&d.join("apim-2.6.0"));
    tool(d)
        .args([
            "fix",
            "--yes",
            "--select",
            THREE,
            "--set",
            "hostname=n.example.com",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::is_match(
                r"apim-2\.6\.0/repository/conf/tomcat/catalina-server\.xml:\d+:\d+: ",
            )
            .unwrap(),
        );
    assert_eq!(
        snapshot(&d.join("apim-2.6.0")),
        before,
        "nothing of the broken node written"
    );
    // The other node was completed.
    let toml = fs::read_to_string(d.join("is-7.0.0/repository/conf/deployment.toml")).unwrap();
    assert!(toml.contains("hostname = \"n.example.com\""));
    tool(d).args(["diff", "--select", THREE]).assert().code(2);
}

#[test]
fn fix_without_terminal_or_yes_refuses() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let before = snapshot(tmp.path());
    tool(tmp.path())
        .args(["fix", "--select", THREE])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn hostname_without_value_is_reported_not_guessed() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    tool(tmp.path())
        .args(["check", "--select", "hostname"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("needs a value for `hostname`"));
    // An empty diff is not "done" while a fix waits for a value.
    tool(tmp.path())
        .args(["diff", "--select", "hostname"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("1 fix(es) need a value"));
    tool(tmp.path())
        .args(["diff", "--select", "hostname", "--exit-zero"])
        .assert()
        .code(0);
    // fix --yes did all it may do: what is left (a value to give) is listed, exit 0.
    tool(tmp.path())
        .args(["fix", "--yes", "--select", "hostname"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("left to do:"))
        .stdout(predicate::str::contains("1 need a value (--set)"));
}

#[test]
fn bad_values_and_ids_are_usage_errors() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    tool(tmp.path())
        .args(["check", "--set", "hostname=https://x:9443"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a host name"));
    tool(tmp.path())
        .args(["check", "--set", "nosuch=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown value"));
    tool(tmp.path())
        .args(["check", "--select", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown patch id"));
    tool(tmp.path())
        .args(["check", "does-not-exist"])
        .assert()
        .code(2);
}

#[test]
fn json_findings_have_the_documented_shape() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let out = tool(tmp.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "wso2-harden/check/v1");
    assert_eq!(v["nodes"].as_array().unwrap().len(), 2);
    let findings = v["findings"].as_array().unwrap();
    for f in findings {
        for key in [
            "id", "kind", "severity", "safety", "node", "file", "line", "message",
        ] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
    }
    let admin: Vec<_> = findings
        .iter()
        .filter(|f| f["id"] == "default-admin-credentials")
        .collect();
    assert_eq!(admin.len(), 2, "admin/admin in both generations");
    assert!(admin.iter().all(|f| f["kind"] == "manual"));
    // Secrets never appear.
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("wso2carbon\""), "no secret values in JSON");
}

#[test]
fn regenerated_xml_is_never_edited() {
    let tmp = fixture_copy(&["is-7.0.0"]);
    let d = tmp.path();
    let rendered = d.join("is-7.0.0/repository/conf/tomcat/catalina-server.xml");
    let before = fs::read(&rendered).unwrap();
    tool(d)
        .args(["fix", "--yes", "--set", "hostname=idp.example.com"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 unsafe (--unsafe-fixes)"));
    assert_eq!(fs::read(&rendered).unwrap(), before);
    let toml = fs::read_to_string(d.join("is-7.0.0/repository/conf/deployment.toml")).unwrap();
    assert!(toml.contains("[transport.https.sslHostConfig.properties]"));
    // IS 7.0 starts on JDK 11+: a list written from scratch enables TLS 1.3 too.
    assert!(toml.contains("protocols = \"TLSv1.2,TLSv1.3\""));
}

#[test]
fn backups_and_rollback_restore_every_byte() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let before = snapshot(d);
    tool(d)
        .args([
            "fix",
            "--yes",
            "--unsafe-fixes",
            "--set",
            "hostname=gw.example.com",
        ])
        .assert()
        .code(0);
    assert_ne!(snapshot(d), before);
    let backups = d.join("apim-2.6.0/.wso2-harden");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let sets = common::backup_sets(&backups);
        assert_eq!(sets.len(), 1, "{sets:?}");
        let run = &sets[0];
        let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(run), 0o600, "a set is private to the tool's user");
        assert_eq!(mode(&backups), 0o700);
    }
    tool(d)
        .args(["rollback", "--list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("file(s)"));
    tool(d).arg("rollback").assert().code(0);
    assert_eq!(snapshot(d), before);
    tool(d)
        .arg("rollback")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no backup run"));
}

#[test]
fn rollback_refuses_when_a_file_changed_since() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    tool(d)
        .args([
            "fix",
            "--yes",
            "--select",
            THREE,
            "--set",
            "hostname=gw.example.com",
        ])
        .assert()
        .code(0);
    let carbon = d.join("apim-2.6.0/repository/conf/carbon.xml");
    let edited = fs::read_to_string(&carbon)
        .unwrap()
        .replace("gw.example.com", "other.example.com");
    fs::write(&carbon, &edited).unwrap();
    tool(d)
        .arg("rollback")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("carbon.xml: changed after run"));
    assert_eq!(
        fs::read_to_string(&carbon).unwrap(),
        edited,
        "refused rollback restores nothing"
    );
    tool(d).args(["rollback", "--force"]).assert().code(0);
}

#[cfg(unix)]
#[test]
fn fix_keeps_mode_and_edits_symlink_targets() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let conf = d.join("apim-2.6.0/repository/conf");
    let real = d.join("shared-catalina.xml");
    fs::rename(conf.join("tomcat/catalina-server.xml"), &real).unwrap();
    symlink(&real, conf.join("tomcat/catalina-server.xml")).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    tool(d)
        .args([
            "fix",
            "--yes",
            "--no-backup",
            "--select",
            THREE,
            "--set",
            "hostname=gw.example.com",
        ])
        .assert()
        .code(0);
    assert!(
        fs::symlink_metadata(conf.join("tomcat/catalina-server.xml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&real)
        .unwrap()
        .contains("sslEnabledProtocols=\"TLSv1.2\""));
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn policy_file_values_nodes_and_errors() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    fs::write(
        d.join("wso2-harden.toml"),
        "select = [\"hostname\"]\n[values]\nhostname = \"default.example.com\"\n[nodes.\"is-*\"]\nhostname = \"idp.example.com\"\n",
    )
    .unwrap();
    tool(d)
        .args(["fix", "--yes", "--no-backup"])
        .assert()
        .code(0);
    assert!(
        fs::read_to_string(d.join("is-7.0.0/repository/conf/deployment.toml"))
            .unwrap()
            .contains("\"idp.example.com\"")
    );
    assert!(
        fs::read_to_string(d.join("apim-2.6.0/repository/conf/carbon.xml"))
            .unwrap()
            .contains("<HostName>default.example.com</HostName>")
    );
    // --set beats the policy file.
    tool(d)
        .args(["diff", "--set", "hostname=cli.example.com"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cli.example.com"));
    fs::write(
        d.join("wso2-harden.toml"),
        "select = [\"hostname\"]\n\n[values]\nhostnme = \"x\"\n",
    )
    .unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wso2-harden.toml:4:1: unknown value `hostnme`",
        ));
    fs::write(d.join("wso2-harden.toml"), "colour = true\n").unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wso2-harden.toml:1:1: unknown key `colour`",
        ));
}

#[test]
fn catalog_listing_and_explain() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tool(tmp.path())
        .arg("patches")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for id in [
        "hostname",
        "wsdl-epr-prefix",
        "tls-protocols",
        "tls-ciphers",
        "passthru-tls",
        "server-header",
        "session-id-length",
        "jvm-dh-key-size",
        "jvm-reject-client-renegotiation",
        "jvm-hostname-verification",
        "jvm-heap",
        "log-rotation",
        "session-cleanup-chunk",
        "hsts",
        "default-admin-credentials",
        "default-keystore",
        "plaintext-passwords",
        "embedded-h2",
        "ldap-without-tls",
        "datastore-privileged-user",
        "jmx-remote",
        "default-ports",
        "file-permissions",
    ] {
        assert!(text.contains(id), "patches lists {id}");
        tool(tmp.path())
            .args(["explain", id])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Guideline:"));
    }
    tool(tmp.path())
        .args(["explain", "nosuch"])
        .assert()
        .code(2);
    tool(tmp.path())
        .args(["policy", "--example"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("[values]"));
}

#[test]
fn hand_edit_of_a_regenerated_file_is_warned_not_edited() {
    let tmp = fixture_copy(&["is-7.0.0"]);
    let d = tmp.path();
    let rendered = d.join("is-7.0.0/repository/conf/tomcat/catalina-server.xml");
    let edited = fs::read_to_string(&rendered).unwrap().replace(
        "protocols=\"+TLSv1,+TLSv1.1,+TLSv1.2,+TLSv1.3\"",
        "protocols=\"TLSv1.2\"",
    );
    fs::write(&rendered, &edited).unwrap();
    tool(d)
        .args(["check", "--select", "tls-protocols"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("edited by hand here")
                .and(predicate::str::contains("catalina-server.xml")),
        );
    tool(d)
        .args(["fix", "--yes", "--select", "tls-protocols"])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(&rendered).unwrap(),
        edited,
        "the regenerated file is not touched"
    );
    // Once deployment.toml carries it, the warning is gone with the fix.
    tool(d)
        .args(["check", "--select", "tls-protocols"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("edited by hand").not());
}

/// A write that fails mid-node (here: an immutable directory) must leave the node as it was.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_puts_back_what_the_node_already_wrote() {
    struct Immutable(std::path::PathBuf);
    impl Drop for Immutable {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
    }
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let before = snapshot(d);
    let tomcat = d.join("apim-2.6.0/repository/conf/tomcat");
    let locked = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&tomcat)
        .status();
    if !locked.is_ok_and(|s| s.success()) {
        common::loud("chattr +i is not available here: the failed-write test did not run");
        return;
    }
    let _guard = Immutable(tomcat.clone());
    tool(d)
        .args(["fix", "--yes", "--set", "hostname=gw.example.com"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already written were restored"));
    drop(_guard);
    assert_eq!(
        snapshot(d),
        before,
        "every file of the node is back to its original bytes"
    );
}
