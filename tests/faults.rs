//! Bad input and internal errors in one product home of a fleet: that home fails (exit 2,
//! `path:line:col` or `path: …`, untouched), the healthy homes beside it complete, and nothing
//! ever ends in a panic (exit 101) or an abort (exit 134) or prints a file's content.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{copy_dir, manifest_dir, snapshot};

fn tool(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("WSO2_HARDEN_TEST_PANIC")
        .env_remove("WSO2_HARDEN_MAX_FILE_SIZE");
    c
}

/// `healthy-1`, `healthy-2` (copies of the APIM 2.6 fixture) and `bad` (a copy of `bad_from`).
fn fleet(bad_from: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["healthy-1", "healthy-2"] {
        copy_dir(
            &manifest_dir().join("fixtures/apim-2.6.0"),
            &tmp.path().join(name),
        );
    }
    copy_dir(
        &manifest_dir().join("fixtures").join(bad_from),
        &tmp.path().join("bad"),
    );
    tmp
}

const HOST: [&str; 2] = ["--set", "hostname=node.example.com"];

/// Runs `fix --yes` on the fleet: exit 2, the healthy homes written, `bad` untouched.
/// Returns stderr.
fn fix_fails_only_bad(d: &Path) -> String {
    let before = snapshot(&d.join("bad"));
    let out = tool(d).args(["fix", "--yes"]).args(HOST).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        snapshot(&d.join("bad")),
        before,
        "the bad home is untouched"
    );
    for name in ["healthy-1", "healthy-2"] {
        let carbon = fs::read_to_string(d.join(name).join("repository/conf/carbon.xml")).unwrap();
        assert!(carbon.contains("node.example.com"), "{name} was completed");
    }
    stderr
}

#[test]
fn toml_non_ascii_last_line_in_a_fleet_is_fixed_not_a_crash() {
    let tmp = fleet("is-7.0.0");
    let d = tmp.path();
    let toml = d.join("bad/repository/conf/deployment.toml");
    fs::write(&toml, "[server]\nhostname = \"localhost\"\n# café").unwrap();
    let out = tool(d).args(["fix", "--yes"]).args(HOST).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = fs::read_to_string(&toml).unwrap();
    assert!(
        text.starts_with("[server]\nhostname = \"node.example.com\"\n# café"),
        "{text}"
    );
}

#[test]
fn deep_xml_in_one_home_fails_that_home_only() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let cat = d.join("bad/repository/conf/tomcat/catalina-server.xml");
    let text = fs::read_to_string(&cat).unwrap();
    let deep = format!("{}{}", "<x>".repeat(10_000), "</x>".repeat(10_000));
    fs::write(&cat, text.replace("</Server>", &format!("{deep}</Server>"))).unwrap();
    let stderr = fix_fails_only_bad(d);
    assert!(
        stderr.contains("bad/repository/conf/tomcat/catalina-server.xml:")
            && stderr.contains("elements nest deeper than 512 levels"),
        "{stderr}"
    );
    let check = tool(d).arg("check").args(HOST).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
}

#[test]
fn a_panic_while_planning_one_node_is_that_nodes_internal_error() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let out = tool(d)
        .env("WSO2_HARDEN_TEST_PANIC", "plan:bad")
        .args(["fix", "--yes"])
        .args(HOST)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad: internal error at "), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains("SECRET-PANIC-PAYLOAD"), "{text}");
        assert!(!text.contains("panicked"), "{text}");
    }
    // The healthy ones were completed, the failed one untouched.
    let out2 = tool(d).arg("check").args(HOST).output().unwrap();
    assert_eq!(out2.status.code(), Some(1));
    let bad = fs::read_to_string(d.join("bad/repository/conf/carbon.xml")).unwrap();
    assert!(!bad.contains("node.example.com"));
}

#[test]
fn a_panic_while_writing_one_node_puts_back_what_it_wrote() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let before = snapshot(&d.join("bad"));
    let out = tool(d)
        .env("WSO2_HARDEN_TEST_PANIC", "write:bad")
        .args(["fix", "--yes"])
        .args(HOST)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("internal error at ")
            && stderr.contains("nothing of this product home is changed"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET-PANIC-PAYLOAD"), "{stderr}");
    assert_eq!(snapshot(&d.join("bad")), before);
    assert!(
        common::backup_sets(&d.join("bad/.wso2-harden")).is_empty(),
        "a failed fix leaves no backup set"
    );
    assert!(!common::journal_pending(&d.join("bad/.wso2-harden")));
}

#[test]
fn the_ansible_module_answers_json_whatever_happens() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let module = |panic: &str| {
        let args = d.join("args.json");
        let json = serde_json::json!({"path": d, "values": {"hostname": "node.example.com"}});
        fs::write(&args, json.to_string()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wso2_harden"))
            .arg(&args)
            .env("WSO2_HARDEN_TEST_PANIC", panic)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!v.to_string().contains("SECRET-PANIC-PAYLOAD"), "{v}");
        assert!(!stderr.contains("SECRET-PANIC-PAYLOAD"), "{stderr}");
        v
    };
    let v = module("plan:bad");
    assert_eq!(v["failed"], true, "{v}");
    assert!(v["msg"].as_str().unwrap().contains("internal error"), "{v}");
    assert_eq!(v["changed"], true, "the healthy homes were written: {v}");
    // A panic outside any node (injected where the module starts): still JSON.
    let name = d.file_name().unwrap().to_string_lossy().into_owned();
    let v = module(&format!("module:{name}"));
    assert_eq!(v["failed"], true, "{v}");
    assert!(v["msg"].as_str().unwrap().contains("internal error"), "{v}");
}

#[test]
fn sh_unbalanced_quote_gives_path_line_col_and_exit_2() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let sh = d.join("bad/bin/wso2server.sh");
    let text = fs::read_to_string(&sh).unwrap();
    let broken = text.replace(
        "-Dcarbon.home=\"$CARBON_HOME\" \\",
        "-Dcarbon.home=\"$CARBON_HOME \\",
    );
    assert_ne!(broken, text);
    fs::write(&sh, broken).unwrap();
    let stderr = fix_fails_only_bad(d);
    let re = stderr
        .lines()
        .find(|l| l.starts_with("bad/bin/wso2server.sh:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    let mut parts = re.split(':').skip(1);
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{re}");
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{re}");
    assert!(
        re.contains("unterminated quote in the java launch command"),
        "{re}"
    );
}

#[test]
fn large_files_are_refused_over_the_size_limit() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let cat = d.join("bad/repository/conf/tomcat/catalina-server.xml");
    let text = fs::read_to_string(&cat).unwrap();
    // Just over the default 16 MiB, in a comment.
    let filler = format!("<!--{}-->", "x".repeat(16 * 1024 * 1024));
    fs::write(
        &cat,
        text.replace("</Server>", &format!("{filler}</Server>")),
    )
    .unwrap();
    let stderr = fix_fails_only_bad(d);
    assert!(
        stderr.contains("bad/repository/conf/tomcat/catalina-server.xml: 16")
            && stderr.contains("over the 16777216-byte size limit"),
        "{stderr}"
    );
    // The limit is configurable: raised by the flag, lowered by the environment.
    let out = tool(d)
        .args(["check", "--max-file-size", "32MiB"])
        .args(HOST)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = tool(d)
        .env("WSO2_HARDEN_MAX_FILE_SIZE", "1k")
        .args(["check", "--select", "server-header", "healthy-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("over the 1024-byte size limit"));
}

#[test]
fn utf16_truncated_and_missing_files_are_said_plainly() {
    let tmp = fleet("apim-2.6.0");
    let d = tmp.path();
    let carbon = d.join("bad/repository/conf/carbon.xml");
    let text = fs::read_to_string(&carbon).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(&carbon, utf16).unwrap();
    let stderr = fix_fails_only_bad(d);
    assert!(
        stderr.contains("bad/repository/conf/carbon.xml: UTF-16LE-encoded"),
        "{stderr}"
    );
    // Truncated XML is located where the file ends, not at 1:1.
    let cut = &text[..text.find("</Security>").unwrap()];
    fs::write(&carbon, cut).unwrap();
    let lines = cut.lines().count();
    let stderr = fix_fails_only_bad(d);
    assert!(
        stderr.contains(&format!("bad/repository/conf/carbon.xml:{lines}:"))
            && stderr.contains("truncated"),
        "{stderr}"
    );
    // A missing path: the OS error once.
    let out = tool(d).args(["check", "no-such-home"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}
