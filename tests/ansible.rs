//! The Ansible module through real `ansible-playbook`: the README's recipe, run verbatim on a
//! fresh copy of examples/ansible and fixtures/ (three hosts on ansible_connection=local, each
//! with its own product home made by demo-nodes.yml). --check --diff reports changes and
//! writes nothing; a run changes each host and says which patch changed what; a rerun changes
//! nothing; ansible-doc documents every argument. Skipped loudly without ansible-playbook, and
//! a failure under CI=true (where .ci/run installs ansible-core).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{manifest_dir, snapshot};

fn ansible_available() -> bool {
    common::have(
        "ansible-playbook",
        &["--version"],
        "the Ansible module test (pip install ansible-core)",
    )
}

fn playbook(dir: &Path, extra: &[&str]) -> String {
    let mut c = Command::new("ansible-playbook");
    c.args(["-i", "inventory.ini", "playbook.yml"])
        .args(extra)
        .current_dir(dir);
    ansible_env(&mut c, dir);
    let out = c.output().expect("ansible-playbook runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "ansible-playbook {extra:?} failed:\n{text}"
    );
    text
}

/// `changed=N` of each host in the PLAY RECAP.
fn recap_changed(output: &str) -> Vec<(String, u32)> {
    let recap = output.split("PLAY RECAP").nth(1).unwrap_or("");
    let mut hosts: Vec<(String, u32)> = recap
        .lines()
        .filter_map(|l| {
            let (host, rest) = l.split_once(':')?;
            let changed = rest
                .split_whitespace()
                .find_map(|w| w.strip_prefix("changed="))?;
            Some((host.trim().to_string(), changed.parse().ok()?))
        })
        .collect();
    hosts.sort();
    hosts
}

/// The shell block of the README's Ansible section, between its markers.
fn readme_recipe() -> String {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let block = readme
        .split("<!-- ansible-recipe -->")
        .nth(1)
        .expect("README has an <!-- ansible-recipe --> block");
    let block = block.split("```sh\n").nth(1).unwrap();
    block.split("```").next().unwrap().to_string()
}

/// A fresh clone as far as the recipe needs it: examples/ansible (tracked files only),
/// fixtures/, and the module where `cargo build --release` puts it. `cargo` itself is a stub
/// on PATH (the test binary is already built).
fn fresh_clone() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::copy_dir(&manifest_dir().join("fixtures"), &d.join("fixtures"));
    for f in [
        "inventory.ini",
        "playbook.yml",
        "demo-nodes.yml",
        ".gitignore",
        "library/.gitignore",
        "library/wso2_harden.yml",
    ] {
        let to = d.join("examples/ansible").join(f);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(manifest_dir().join("examples/ansible").join(f), to).unwrap();
    }
    fs::create_dir_all(d.join("target/release")).unwrap();
    fs::copy(
        env!("CARGO_BIN_EXE_wso2_harden"),
        d.join("target/release/wso2_harden"),
    )
    .unwrap();
    fs::create_dir_all(d.join("stub-bin")).unwrap();
    fs::write(d.join("stub-bin/cargo"), "#!/bin/sh\nexit 0\n").unwrap();
    let mut perm = fs::metadata(d.join("stub-bin/cargo"))
        .unwrap()
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    fs::set_permissions(d.join("stub-bin/cargo"), perm).unwrap();
    tmp
}

fn ansible_env(c: &mut Command, dir: &Path) {
    c.env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORCE_COLOR", "0")
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", dir.join(".ansible-remote"))
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("ANSIBLE_CONFIG", dir.join("none.cfg"))
        .env("PAGER", "cat");
}

#[test]
fn the_readme_ansible_recipe_works_on_a_fresh_clone() {
    if !ansible_available() {
        return;
    }
    let recipe = readme_recipe();
    assert!(recipe.contains("cargo build --release"), "{recipe}");
    let tmp = fresh_clone();
    let d = tmp.path();
    let path = format!(
        "{}:{}",
        d.join("stub-bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.arg("-ec").arg(&recipe).current_dir(d).env("PATH", &path);
    ansible_env(&mut c, d);
    let out = c.output().expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the README recipe failed:\n{recipe}\n{text}"
    );
    let plays: Vec<&str> = text.split("PLAY [").skip(1).collect();
    assert_eq!(plays.len(), 3, "demo nodes, check, apply:\n{text}");
    let all_changed = |n: u32| {
        vec![
            ("node1".to_string(), n),
            ("node2".to_string(), n),
            ("node3".to_string(), n),
        ]
    };
    let (setup, check, apply) = (plays[0], plays[1], plays[2]);
    assert_eq!(recap_changed(setup), all_changed(1), "{setup}");
    assert_eq!(recap_changed(check), all_changed(1), "{check}");
    assert_eq!(recap_changed(apply), all_changed(1), "{apply}");
    assert!(
        check.contains("+                   sslEnabledProtocols=\"TLSv1.2\""),
        "the diff is shown:\n{check}"
    );
    assert!(
        check.contains("gw2.example.com"),
        "per-host values:\n{check}"
    );
    assert!(
        !check.contains("wso2carbon\""),
        "no secret in the output:\n{check}"
    );
    assert!(
        check.contains("keystorePass=\"********\""),
        "secret lines masked:\n{check}"
    );
    assert!(
        apply.contains("tls-protocols: ") && apply.contains("catalina-server.xml"),
        "which patch changed what, per host:\n{apply}"
    );
    // ansible-doc shows the module's documentation.
    assert!(text.contains("MODULE wso2_harden"), "{text}");
    assert!(text.contains("unsafe_fixes"), "{text}");

    let nodes = d.join("examples/ansible/nodes");
    let carbon = fs::read_to_string(nodes.join("node2/repository/conf/carbon.xml")).unwrap();
    assert!(carbon.contains("<HostName>gw2.example.com</HostName>"));
    let toml = fs::read_to_string(nodes.join("node3/repository/conf/deployment.toml")).unwrap();
    assert!(toml.contains("hostname = \"idp.example.com\""));
    let before: Vec<_> = (1..=3)
        .map(|n| snapshot(&nodes.join(format!("node{n}"))))
        .collect();
    let rerun = playbook(&d.join("examples/ansible"), &[]);
    assert_eq!(recap_changed(&rerun), all_changed(0), "{rerun}");
    let after: Vec<_> = (1..=3)
        .map(|n| snapshot(&nodes.join(format!("node{n}"))))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn every_module_argument_is_documented() {
    if !ansible_available() {
        return;
    }
    let tmp = fresh_clone();
    let lib = tmp.path().join("examples/ansible/library");
    fs::copy(
        tmp.path().join("target/release/wso2_harden"),
        lib.join("wso2_harden"),
    )
    .unwrap();
    let mut c = Command::new("ansible-doc");
    c.args(["--json", "-M"]).arg(&lib).arg("wso2_harden");
    ansible_env(&mut c, tmp.path());
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let options = doc["wso2_harden"]["doc"]["options"].as_object().unwrap();
    let mut documented: Vec<&str> = options.keys().map(String::as_str).collect();
    documented.sort();
    let mut params = wso2_harden::cli::ansible::PARAMS.to_vec();
    params.sort();
    assert_eq!(documented, params);
    let returns = doc["wso2_harden"]["return"].as_object().unwrap();
    for key in [
        "changed", "msg", "files", "patches", "changes", "findings", "manual",
    ] {
        assert!(returns.contains_key(key), "RETURN documents {key}");
    }
}
