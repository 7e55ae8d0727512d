//! The Ansible module through real `ansible-playbook`: three hosts on ansible_connection=local,
//! each with its own product home. --check --diff reports changes and writes nothing; a run
//! changes each host; a rerun changes nothing. Skipped loudly without ansible-playbook, and a
//! failure under CI=true (where .ci/run installs ansible-core).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{fixture_copy, manifest_dir, snapshot};

fn ansible_available() -> bool {
    let ok = Command::new("ansible-playbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = "\n!!!!!!!! ansible-playbook not found: the Ansible module test did NOT run (pip install ansible-core) !!!!!!!!\n";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        common::loud(msg);
    }
    ok
}

fn playbook(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new("ansible-playbook")
        .args(["-i", "inventory.ini", "playbook.yml"])
        .args(extra)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORCE_COLOR", "0")
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", dir.join(".ansible-remote"))
        .env("ANSIBLE_PYTHON_INTERPRETER", "auto_silent")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("ANSIBLE_CONFIG", dir.join("none.cfg"))
        .output()
        .expect("ansible-playbook runs");
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

#[test]
fn playbook_check_run_rerun_on_three_local_hosts() {
    if !ansible_available() {
        return;
    }
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    let d = tmp.path();
    for n in 1..=3 {
        let from = if n == 3 { "is-7.0.0" } else { "apim-2.6.0" };
        common::copy_dir(&d.join(from), &d.join(format!("node{n}")));
    }
    fs::create_dir_all(d.join("library")).unwrap();
    fs::copy(
        env!("CARGO_BIN_EXE_wso2_harden"),
        d.join("library/wso2_harden"),
    )
    .unwrap();
    fs::copy(
        manifest_dir().join("examples/ansible/playbook.yml"),
        d.join("playbook.yml"),
    )
    .unwrap();
    let mut inventory = String::from("[wso2]\n");
    for n in 1..=3 {
        inventory.push_str(&format!(
            "node{n} ansible_connection=local wso2_home={} wso2_hostname=node{n}.example.com\n",
            d.join(format!("node{n}")).display()
        ));
    }
    fs::write(d.join("inventory.ini"), inventory).unwrap();
    let homes = |d: &Path| {
        (1..=3)
            .map(|n| snapshot(&d.join(format!("node{n}"))))
            .collect::<Vec<_>>()
    };
    let before = homes(d);

    let check = playbook(d, &["--check", "--diff"]);
    let all_changed = |n: u32| {
        vec![
            ("node1".to_string(), n),
            ("node2".to_string(), n),
            ("node3".to_string(), n),
        ]
    };
    assert_eq!(recap_changed(&check), all_changed(1), "{check}");
    assert_eq!(homes(d), before, "check mode wrote nothing");
    assert!(
        check.contains("+                   sslEnabledProtocols=\"TLSv1.2\""),
        "the diff is shown:\n{check}"
    );
    assert!(
        check.contains("node2.example.com"),
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

    let run = playbook(d, &[]);
    assert_eq!(recap_changed(&run), all_changed(1), "{run}");
    let carbon = fs::read_to_string(d.join("node2/repository/conf/carbon.xml")).unwrap();
    assert!(carbon.contains("<HostName>node2.example.com</HostName>"));
    let toml = fs::read_to_string(d.join("node3/repository/conf/deployment.toml")).unwrap();
    assert!(toml.contains("hostname = \"node3.example.com\""));

    let rerun = playbook(d, &[]);
    assert_eq!(recap_changed(&rerun), all_changed(0), "{rerun}");
}
