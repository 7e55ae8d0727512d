//! A target an editor cannot apply to one file is a `cannot-fix` finding, not a node failure:
//! the node's other fixes are still planned and written. An unparseable file still stops its
//! node (tests/cli.rs).

mod common;

use std::fs;

use assert_cmd::Command;
use common::fixture_copy;
use predicates::prelude::*;

fn tool(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

const IDENTITY: &str = "apim-2.6.0/repository/conf/identity/identity.xml";
const CLEANUP: &str = "            <SessionDataCleanUp>
                <Enable>true</Enable>
                <CleanUpTimeout>20160</CleanUpTimeout>
                <CleanUpPeriod>1140</CleanUpPeriod>
            </SessionDataCleanUp>";

fn replace_cleanup(dir: &std::path::Path, with: &str) {
    let path = dir.join(IDENTITY);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(CLEANUP), "the fixture's cleanup block");
    fs::write(&path, text.replace(CLEANUP, with)).unwrap();
}

#[test]
fn a_self_closing_session_cleanup_still_gets_every_fix() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    replace_cleanup(d, "            <SessionDataCleanUp/>");
    let out = tool(d)
        .args(["diff", "--set", "hostname=gw.example.com"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(out).unwrap();
    assert!(diff.contains("+++ b/apim-2.6.0/repository/conf/tomcat/catalina-server.xml"));
    assert!(diff.contains(
        "-            <SessionDataCleanUp/>\n+            <SessionDataCleanUp>\n+                <DeleteChunkSize>50000</DeleteChunkSize>\n+            </SessionDataCleanUp>\n"
    ));
    let fixes = "session-cleanup-chunk,tls-protocols,tls-ciphers,server-header,hostname";
    let args = ["--select", fixes, "--set", "hostname=gw.example.com"];
    tool(d)
        .args(["fix", "--yes", "--no-backup"])
        .args(args)
        .assert()
        .code(0);
    tool(d).arg("check").args(args).assert().code(0);
    let identity = fs::read_to_string(d.join(IDENTITY)).unwrap();
    assert!(identity.contains("<DeleteChunkSize>50000</DeleteChunkSize>"));
}

#[test]
fn a_refused_target_is_reported_and_the_other_fixes_are_written() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    // The chunk size sits in CDATA, which the XML editor does not rewrite.
    let cdata = CLEANUP.replace(
        "            </SessionDataCleanUp>",
        "                <DeleteChunkSize><![CDATA[1000]]></DeleteChunkSize>\n            </SessionDataCleanUp>",
    );
    replace_cleanup(d, &cdata);
    let identity_before = fs::read(d.join(IDENTITY)).unwrap();
    let args = [
        "--set",
        "hostname=gw.example.com",
        "--set",
        "session_cleanup_chunk_size=50000",
    ];

    let out = tool(d)
        .arg("check")
        .args(args)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = String::from_utf8(out).unwrap();
    assert!(
        report.contains("  cannot low    session-cleanup-chunk  apim-2.6.0/repository/conf/identity/identity.xml:16"),
        "{report}"
    );
    assert!(report.contains("cannot be fixed here: <DeleteChunkSize> holds CDATA"));
    assert!(
        report.contains("CANNOT"),
        "the summary table has the column:\n{report}"
    );
    assert!(report.contains("1 cannot be fixed here (by hand)"));

    let out = tool(d)
        .args(["check", "--format", "json"])
        .args(args)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let cannot: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "cannot-fix")
        .collect();
    assert_eq!(cannot.len(), 1, "{cannot:?}");
    assert_eq!(cannot[0]["id"], "session-cleanup-chunk");
    assert_eq!(cannot[0]["line"], 16);
    assert_eq!(v["summary"]["cannot_fix"], 1);
    assert!(v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["error"].is_null()));

    let out = tool(d)
        .args(["diff"])
        .args(args)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(out).unwrap();
    assert!(diff.contains("+++ b/apim-2.6.0/repository/conf/tomcat/catalina-server.xml"));
    assert!(
        !diff.contains("identity.xml"),
        "the refused file is not in the diff"
    );

    // fix writes the rest and lists what is left to do by hand; it exits 0, since nothing
    // `--yes` may apply is left (`check` still fails on the cannot-fix finding).
    tool(d)
        .args(["fix", "--yes", "--no-backup"])
        .args(args)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("left to do:"))
        .stdout(predicate::str::contains(
            "1 cannot be fixed here (by hand).",
        ));
    let catalina =
        fs::read_to_string(d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml"))
            .unwrap();
    assert!(catalina.contains("sslEnabledProtocols=\"TLSv1.2\""));
    assert_eq!(fs::read(d.join(IDENTITY)).unwrap(), identity_before);
    tool(d)
        .args(["check", "--fail-on", "cannot-fix"])
        .args(args)
        .assert()
        .code(1);
}
