//! The ready-made integrations, run for real: the GitHub Action's check script with the
//! environment a runner gives it, action.yml's wiring, and the pre-commit hooks through
//! `pre-commit try-repo` (which builds this crate once with the system's cargo).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{fixture_copy, git, manifest_dir};
use serde_json::Value;

fn available(program: &str, args: &[&str], install: &str) -> bool {
    common::have(program, args, &format!("its integration test ({install})"))
}

/// Runs dist/github-action.sh in `dir` as the action's check step does.
fn action_step(dir: &Path, inputs: &[(&str, &str)]) -> (String, String, String) {
    let outputs = dir.join("github-output");
    let summary = dir.join("step-summary.md");
    fs::write(&outputs, "").unwrap();
    fs::write(&summary, "").unwrap();
    let mut c = Command::new("bash");
    c.arg(manifest_dir().join("dist/github-action.sh"))
        .current_dir(dir)
        .env("WSO2_HARDEN", env!("CARGO_BIN_EXE_wso2-harden"))
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1");
    for (k, v) in inputs {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "the step never fails itself: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        fs::read_to_string(&outputs).unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        fs::read_to_string(&summary).unwrap(),
    )
}

#[test]
fn the_action_script_writes_sarif_outputs_and_summary() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    let (outputs, stdout, summary) = action_step(
        d,
        &[
            ("INPUT_PATHS", "apim-2.6.0 is-7.0.0"),
            ("INPUT_ARGS", "--fail-on fix,needs-value,manual"),
            ("INPUT_SARIF_FILE", "report.sarif"),
            ("INPUT_ANNOTATIONS", "true"),
        ],
    );
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(outputs.contains("sarif-file=report.sarif\n"), "{outputs}");
    let sarif: Value = serde_json::from_slice(&fs::read(d.join("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() > 20);
    assert!(stdout.contains("::error file=apim-2.6.0/"), "{stdout}");
    assert!(stdout.contains("findings fail the run"), "{stdout}");
    assert_eq!(
        summary.matches("## wso2-harden check").count(),
        1,
        "one summary, even with annotations:\n{summary}"
    );

    // Clean: only the fix kinds fail, and everything was fixed.
    let tmp = fixture_copy(&["is-7.0.0"]);
    let d = tmp.path();
    let status = Command::new(env!("CARGO_BIN_EXE_wso2-harden"))
        .args(["fix", "--yes", "--set", "hostname=idp.example.com"])
        .current_dir(d)
        .status()
        .unwrap();
    assert!(status.success());
    let (outputs, stdout, _) = action_step(
        d,
        &[(
            "INPUT_ARGS",
            "--fail-on fix,needs-value --set hostname=idp.example.com",
        )],
    );
    assert!(outputs.contains("exit-code=0\n"), "{outputs}\n{stdout}");
    assert!(d.join("wso2-harden.sarif").is_file());

    // An error: exit code 2 recorded, the step itself still passes.
    let (outputs, _, _) = action_step(d, &[("INPUT_POLICY", "missing.toml")]);
    assert!(outputs.contains("exit-code=2\n"), "{outputs}");
    assert!(
        !outputs.contains("sarif-file="),
        "no empty report: {outputs}"
    );
}

#[test]
fn action_yml_runs_the_script_and_uploads_the_sarif() {
    let text = fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    if !available("python3", &["-c", "import yaml"], "pip install pyyaml") {
        return;
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(manifest_dir().join("action.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let action: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let check = steps.iter().find(|s| s["id"] == "check").unwrap();
    assert!(check["run"]
        .as_str()
        .unwrap()
        .contains("$GITHUB_ACTION_PATH/dist/github-action.sh"));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
    // Every input the steps read is declared, and every declared input is read.
    let inputs = action["inputs"].as_object().unwrap();
    for name in inputs.keys() {
        assert!(
            text.contains(&format!("inputs.{name}")),
            "input {name} is never used"
        );
    }
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(inputs.contains_key(&name), "undeclared input {name}");
    }
    // The environment the script reads matches what the step passes.
    let script = fs::read_to_string(manifest_dir().join("dist/github-action.sh")).unwrap();
    for var in check["env"].as_object().unwrap().keys() {
        assert!(script.contains(var.as_str()), "the script ignores {var}");
    }
}

#[test]
fn pre_commit_hooks_run_through_try_repo() {
    if !available("pre-commit", &["--version"], "pip install pre-commit") {
        return;
    }
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let catalina = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let before = fs::read_to_string(&catalina).unwrap();
    fs::write(
        d.join("wso2-harden.toml"),
        "select = [\"tls-protocols\", \"server-header\"]\n",
    )
    .unwrap();
    assert!(git(d, &["init", "-q"]).status.success());
    assert!(git(d, &["add", "-A"]).status.success());
    assert!(git(d, &["commit", "-qm", "configs"]).status.success());
    // One try-repo run, so the crate is built once; the build shares this crate's target
    // directory, where .ci/run's release build already left the dependencies.
    let out = Command::new("pre-commit")
        .args(["try-repo"])
        .arg(manifest_dir())
        .args(["--all-files", "--color", "never"])
        .current_dir(d)
        .env("PRE_COMMIT_HOME", d.join(".pre-commit-home"))
        .env("CARGO_TARGET_DIR", manifest_dir().join("target"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "findings fail the hooks:\n{text}");
    let result = |hook: &str| {
        text.lines()
            .find(|l| l.starts_with(hook) && l.contains("..."))
            .unwrap_or_else(|| panic!("no result line for {hook}:\n{text}"))
            .to_string()
    };
    assert!(result("wso2-harden check").ends_with("Failed"), "{text}");
    assert!(text.contains("tls-protocols"), "{text}");
    assert!(result("wso2-harden diff").ends_with("Failed"), "{text}");
    assert!(
        text.contains("+                   sslEnabledProtocols=\"TLSv1.2\""),
        "{text}"
    );
    assert!(result("wso2-harden fix").ends_with("Failed"), "{text}");
    assert!(text.contains("files were modified by this hook"), "{text}");
    let after = fs::read_to_string(&catalina).unwrap();
    assert_ne!(before, after);
    assert!(
        after.contains("sslEnabledProtocols=\"TLSv1.2\"") && after.contains("server=\"Server\"")
    );
    // The home's lock and journal live in .wso2-harden/ (its .gitignore hides it from git).
    assert!(
        common::backup_sets(&d.join("apim-2.6.0/.wso2-harden")).is_empty(),
        "the fix hook keeps no backups"
    );
    let status = git(d, &["status", "--porcelain", "--untracked-files=all"]);
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(!status.contains(".wso2-harden"), "{status}");
}
