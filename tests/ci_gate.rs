//! The CI gate: waivers, --fail-on/--exit-zero, the machine formats (SARIF validated against
//! the OASIS schema, GitHub workflow commands, GitLab Code Quality, JSON lines), the step
//! summary, and diff's refusal of paths git apply would skip.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use common::{fixture_copy, git, manifest_dir, snapshot};
use predicates::prelude::*;
use serde_json::Value;

fn tool(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// Waivers for every manual finding of the two sample homes.
const WAIVE_MANUAL: &str = r#"
[[waive]]
id = "default-admin-credentials"
reason = "changed in the running servers; the file only seeds the user store"

[[waive]]
id = "default-keystore"
reason = "CA-signed keystore rollout is ticket OPS-12"
expires = 2999-12-31

[[waive]]
id = "plaintext-passwords"
reason = "cipher tool runs at deploy time"

[[waive]]
id = "embedded-h2"
node = "apim-*"
reason = "evaluation gateway"

[[waive]]
id = "embedded-h2"
node = "is-*"
path = "repository/conf/deployment.toml"
reason = "evaluation IdP"

[[waive]]
id = "default-ports"
reason = "the load balancer maps the ports"

[[waive]]
id = "file-permissions"
reason = "containers run as one user"

[[waive]]
id = "jmx-remote"
reason = "JMX monitoring is in use"

[[waive]]
id = "hsts"
reason = "self-signed certificate until OPS-12"
"#;

#[test]
fn after_fix_with_waivers_check_passes_and_an_expired_waiver_fails_it() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let policy = format!("[values]\nhostname = \"gw.example.com\"\n{WAIVE_MANUAL}");
    fs::write(d.join("wso2-harden.toml"), &policy).unwrap();
    // Before the fix, the fixes fail the run; --fail-on manual alone ignores them.
    tool(d).arg("check").assert().code(1);
    tool(d)
        .args(["check", "--fail-on", "manual"])
        .assert()
        .code(0);
    tool(d).args(["check", "--exit-zero"]).assert().code(0);
    tool(d).args(["fix", "--yes"]).assert().code(0);
    let out = tool(d)
        .arg("check")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("waived (wso2-harden.toml:4): changed in the running servers"),
        "{text}"
    );
    assert!(text.contains("waived until 2999-12-31"), "{text}");
    assert!(text.contains("0 finding(s) in 2 product homes"), "{text}");
    // An expired waiver counts again, and says so.
    fs::write(
        d.join("wso2-harden.toml"),
        policy.replace("2999-12-31", "2020-01-31"),
    )
    .unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "waiver expired on 2020-01-31 (wso2-harden.toml:8): counts again",
        ));
    tool(d).args(["check", "--exit-zero"]).assert().code(0);
    // A waiver that matches nothing is reported with its place, as a warning.
    fs::write(
        d.join("wso2-harden.toml"),
        format!("{policy}\n[[waive]]\nid = \"ldap-without-tls\"\nreason = \"x\"\n"),
    )
    .unwrap();
    let line = policy.lines().count() + 2;
    tool(d)
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "wso2-harden.toml:{line}: warning: waiver of `ldap-without-tls` matches no finding"
        )));
}

#[test]
fn a_waived_fix_is_not_planned_and_diff_agrees_with_check() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    fs::write(
        d.join("wso2-harden.toml"),
        "select = [\"tls-protocols\", \"server-header\"]\n[[waive]]\nid = \"tls-protocols\"\npath = \"**/catalina-server.xml\"\nreason = \"legacy TLS 1.1 clients until June\"\n",
    )
    .unwrap();
    let diff = tool(d)
        .arg("diff")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(diff).unwrap();
    assert!(diff.contains("server=\"Server\""), "{diff}");
    assert!(!diff.contains("sslEnabledProtocols=\"TLSv1.2\""), "{diff}");
    tool(d)
        .args(["check", "--fail-on", "fix"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("waived high   tls-protocols"));
}

#[test]
fn needs_value_fails_check_and_fail_on_takes_every_kind() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    tool(d)
        .args(["check", "--select", "hostname"])
        .assert()
        .code(1);
    tool(d)
        .args(["check", "--select", "hostname", "--fail-on", "fix,manual"])
        .assert()
        .code(0);
    tool(d)
        .args([
            "check",
            "--fail-on",
            "fix,unsafe-fix,needs-value,manual,warning",
        ])
        .assert()
        .code(1);
    tool(d)
        .args(["check", "--fail-on", "nothing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn fix_yes_on_a_hardened_home_exits_0() {
    let tmp = fixture_copy(&["is-7.0.0"]);
    let d = tmp.path();
    let args = ["--set", "hostname=idp.example.com"];
    tool(d).args(["fix", "--yes"]).args(args).assert().code(0);
    let before = snapshot(d);
    tool(d)
        .args(["fix", "--yes"])
        .args(args)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 file(s) written"));
    assert_eq!(snapshot(d), before);
}

#[test]
fn github_workflow_commands_are_well_formed() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let out = tool(tmp.path())
        .args(["check", "--format", "github", "--fail-on", "fix,manual"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut levels = std::collections::BTreeSet::new();
    for line in text.lines() {
        assert!(
            well_formed(line),
            "not a well-formed workflow command: {line}"
        );
        levels.insert(line.split(' ').next().unwrap().to_string());
        let message = line.split_once("::").unwrap().1.split_once("::").unwrap().1;
        assert!(!message.contains('\n') && !message.contains('\r'));
    }
    assert!(
        levels.contains("::error") && levels.contains("::warning"),
        "{levels:?}"
    );
    assert!(text.contains("file=apim-2.6.0/repository/conf/tomcat/catalina-server.xml,line="));
    assert!(text.contains("title=wso2-harden hostname (needs-value%2C medium)::"));
}

/// `::error|warning|notice file=…[,line=N],title=…::message`, properties free of `:` and `,`.
fn well_formed(line: &str) -> bool {
    {
        let Some(rest) = line.strip_prefix("::") else {
            return false;
        };
        let Some((head, msg)) = rest.split_once("::") else {
            return false;
        };
        let Some((level, props)) = head.split_once(' ') else {
            return false;
        };
        let mut file = false;
        let mut title = false;
        for p in props.split(',') {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            if v.contains(':') || v.is_empty() {
                return false;
            }
            match k {
                "file" => file = true,
                "title" => title = true,
                "line" => {
                    if v.parse::<usize>().is_err() {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        ["error", "warning", "notice"].contains(&level) && file && title && !msg.is_empty()
    }
}

fn sarif_schema() -> Option<std::path::PathBuf> {
    let schema = manifest_dir().join("../shared/schemas/sarif-schema-2.1.0.json");
    let python = Process::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if schema.is_file() && python {
        return Some(schema);
    }
    common::skip(&format!(
        "SARIF schema validation did NOT run: {}",
        if python {
            "../shared/schemas/sarif-schema-2.1.0.json is missing"
        } else {
            "python3 with jsonschema is missing (pip install jsonschema)"
        }
    ));
    None
}

#[test]
fn sarif_validates_and_names_patches_files_and_fixes() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0", "windows-ei-6.5.0"]);
    let d = tmp.path();
    fs::write(
        d.join("wso2-harden.toml"),
        "[[waive]]\nid = \"embedded-h2\"\nreason = \"evaluation\"\n",
    )
    .unwrap();
    let out = tool(d)
        .args([
            "check",
            "--format",
            "sarif",
            "--set",
            "hostname=h.example.com",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    if let Some(schema) = sarif_schema() {
        fs::write(d.join("out.sarif"), &out).unwrap();
        let check = Process::new("python3")
            .args([
                "-c",
                "import json,sys,jsonschema; jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))",
            ])
            .arg(&schema)
            .arg(d.join("out.sarif"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "SARIF does not validate:\n{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"tls-protocols") && ids.contains(&"embedded-h2"));
    assert!(rules
        .iter()
        .all(|r| r["help"]["text"].as_str().unwrap().len() > 40));
    let results = run["results"].as_array().unwrap();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(ids[r["ruleIndex"].as_u64().unwrap() as usize], id);
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let uri = loc["uri"].as_str().unwrap();
        assert!(
            d.join(uri).exists(),
            "{uri} is a real path below the run's directory"
        );
        assert!(r["partialFingerprints"]["wso2HardenFinding/v1"].is_string());
    }
    let h2: Vec<_> = results
        .iter()
        .filter(|r| r["ruleId"] == "embedded-h2")
        .collect();
    assert!(
        !h2.is_empty()
            && h2
                .iter()
                .all(|r| r["suppressions"][0]["kind"] == "external")
    );
    // The fixes, applied to the original files, give what `fix --yes` writes for every file
    // whose changes all map onto the original.
    let pristine = fixture_copy(&["apim-2.6.0", "is-7.0.0", "windows-ei-6.5.0"]);
    tool(d)
        .args([
            "fix",
            "--yes",
            "--no-backup",
            "--set",
            "hostname=h.example.com",
        ])
        .assert()
        .code(0);
    let mut by_file: std::collections::BTreeMap<String, Vec<&Value>> = Default::default();
    let mut complete: std::collections::BTreeMap<String, bool> = Default::default();
    for r in results.iter().filter(|r| r["properties"]["kind"] == "fix") {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string();
        let entry = complete.entry(uri.clone()).or_insert(true);
        match r["fixes"][0]["artifactChanges"][0]["replacements"].as_array() {
            Some(reps) => by_file.entry(uri).or_default().extend(reps),
            None => *entry = false,
        }
    }
    let mut checked = 0;
    for (uri, reps) in by_file.iter().filter(|(u, _)| complete[*u]) {
        let original = chars_of(&pristine.path().join(uri));
        let fixed = chars_of(&d.join(uri));
        let mut reps: Vec<_> = reps.iter().collect();
        reps.sort_by_key(|r| r["deletedRegion"]["charOffset"].as_u64().unwrap());
        let chars: Vec<char> = original.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for r in reps {
            let off = r["deletedRegion"]["charOffset"].as_u64().unwrap() as usize;
            let len = r["deletedRegion"]["charLength"].as_u64().unwrap() as usize;
            out.extend(&chars[at..off]);
            out.push_str(r["insertedContent"]["text"].as_str().unwrap());
            at = off + len;
        }
        out.extend(&chars[at..]);
        assert_eq!(out, fixed, "SARIF fixes of {uri} give what fix writes");
        checked += 1;
    }
    assert!(checked >= 8, "fixes checked on {checked} files");
}

/// A file's characters as a SARIF viewer counts them: UTF-8, else one char per byte (Latin-1).
fn chars_of(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect())
}

#[test]
fn fingerprints_survive_line_drift() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let fingerprints = |d: &Path| -> Vec<(String, String)> {
        let out = tool(d)
            .args(["check", "--format", "sarif"])
            .output()
            .unwrap()
            .stdout;
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let mut v: Vec<_> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["wso2HardenFinding/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = fingerprints(d);
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let text = fs::read_to_string(&cat).unwrap();
    let drifted = text.replacen("<Server", "<!-- a\n comment\n added -->\n<Server", 1);
    assert_ne!(text, drifted);
    fs::write(&cat, drifted).unwrap();
    assert_eq!(fingerprints(d), before);
}

#[test]
fn gitlab_json_lines_and_the_step_summary() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let out = tool(d)
        .args(["check", "--format", "gitlab"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let entries: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert!(entries.len() > 20);
    for e in &entries {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(e[key].is_string(), "{key} in {e}");
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&e["severity"].as_str().unwrap()));
        assert!(d.join(e["location"]["path"].as_str().unwrap()).exists());
        assert!(e["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let fps: std::collections::HashSet<_> = entries.iter().map(|e| &e["fingerprint"]).collect();
    assert_eq!(fps.len(), entries.len(), "fingerprints are unique");

    let summary = d.join("summary.md");
    fs::write(&summary, "# earlier step\n").unwrap();
    let out = tool(d)
        .args(["check", "--format", "json-lines"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["type"], "node");
    assert!(lines[0]["findings"].as_array().unwrap().len() > 5);
    assert_eq!(lines[2]["type"], "summary");
    // Each node line counts the files its fixes change, as the JSON document does.
    let out = tool(d)
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let node_lines: Vec<&Value> = lines.iter().filter(|l| l["type"] == "node").collect();
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(node_lines.len(), nodes.len());
    for (line, node) in node_lines.iter().zip(nodes) {
        assert_eq!(line["files_changed"], node["files_changed"], "{line}");
    }
    assert!(nodes.iter().any(|n| n["files_changed"].as_u64() > Some(0)));
    let md = fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# earlier step\n## wso2-harden check: fails"),
        "{md}"
    );
    assert!(md.contains("| `apim-2.6.0` | API Manager 2.6.0"), "{md}");
    assert!(md.contains("### Findings that fail the run"), "{md}");
}

#[test]
fn diff_refuses_a_path_outside_the_current_directory() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let inner = tmp.path().join("work");
    fs::create_dir_all(&inner).unwrap();
    tool(&inner)
        .args(["diff", "../apim-2.6.0"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "outside the current directory; `git apply` would skip its changes",
        ));
    tool(tmp.path())
        .args(["diff", "apim-2.6.0"])
        .assert()
        .code(1);
}

#[test]
fn backups_in_a_git_work_tree_never_show_in_git_status() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    assert!(git(d, &["init", "-q"]).status.success());
    assert!(git(d, &["add", "-A"]).status.success());
    assert!(git(d, &["commit", "-qm", "configs"]).status.success());
    tool(d)
        .args(["fix", "--yes", "--select", "tls-protocols"])
        .assert()
        .code(0);
    assert!(d.join("apim-2.6.0/.wso2-harden/.gitignore").is_file());
    let status = git(d, &["status", "--porcelain", "--untracked-files=all"]);
    let status = String::from_utf8(status.stdout).unwrap();
    assert_eq!(
        status.trim(),
        "M apim-2.6.0/repository/conf/tomcat/catalina-server.xml",
        "only the config change shows"
    );
    // --backup-dir keeps them elsewhere, and rollback finds them there.
    let before = snapshot(d);
    let store = tempfile::tempdir().unwrap();
    tool(d)
        .args(["fix", "--yes", "--select", "server-header", "--backup-dir"])
        .arg(store.path())
        .assert()
        .code(0);
    assert_ne!(snapshot(d), before);
    tool(d).args(["rollback"]).assert().code(2); // not in the home
    tool(d)
        .args(["rollback", "--backup-dir"])
        .arg(store.path())
        .assert()
        .code(0);
    assert_eq!(snapshot(d), before);
    // backup = false in the policy keeps none.
    fs::write(d.join("wso2-harden.toml"), "backup = false\n").unwrap();
    let runs = || common::backup_sets(&d.join("apim-2.6.0/.wso2-harden")).len();
    let n = runs();
    tool(d)
        .args(["fix", "--yes", "--select", "session-cleanup-chunk"])
        .assert()
        .code(0);
    assert_eq!(runs(), n);
}

#[test]
fn node_sections_must_match_a_node_and_name_known_values() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    fs::write(
        d.join("wso2-harden.toml"),
        "[values]\nhostname = \"a.example.com\"\n\n[nodes.\"is-7*\"]\nhostname = \"idp.example.com\"\n\n[nodes.\"gw-*\"]\nhostname = \"gw.example.com\"\n",
    )
    .unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wso2-harden.toml:7:8: [nodes.\"gw-*\"] matches no product home",
        ));
    // A run over part of the tree still checks against every home below the policy file.
    fs::write(
        d.join("wso2-harden.toml"),
        "[nodes.\"is-7*\"]\nhostname = \"idp.example.com\"\n",
    )
    .unwrap();
    tool(d)
        .args(["check", "apim-2.6.0", "--select", "hostname"])
        .assert()
        .code(1);
    fs::write(
        d.join("wso2-harden.toml"),
        "[nodes.\"is-7*\"]\nhostnam = \"idp.example.com\"\n",
    )
    .unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wso2-harden.toml:2:1: unknown value `hostnam`",
        ));
}
