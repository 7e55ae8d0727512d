//! Secrets in what people and logs see: the Ansible module's diff and results mask the values
//! of secret keys and flags (and nothing else), `diff --redact` masks them in context and
//! changed lines alike, and the plain `diff` stays exact for `git apply`.

mod common;

use std::fs;

use assert_cmd::Command;
use common::fixture_copy;
use serde_json::json;

const PASSWORD: &str = "s3cretKsPw";

#[test]
fn ansible_diff_masks_secret_flags_on_the_bat_line_but_not_paths() {
    let tmp = fixture_copy(&["windows-ei-6.5.0"]);
    let home = tmp.path().join("windows-ei-6.5.0");
    let bat = home.join("bin/integrator.bat");
    let text = fs::read_to_string(&bat).unwrap();
    let flags = format!(
        r#"-Djavax.net.ssl.keyStore="%CARBON_HOME%\repository\resources\security\wso2carbon.jks" -Djavax.net.ssl.keyStorePassword={PASSWORD} -Dcarbon.home="#
    );
    fs::write(&bat, text.replacen("-Dcarbon.home=", &flags, 1)).unwrap();
    let out = wso2_harden::cli::ansible::run(
        &json!({
            "path": home,
            "values": {"hostname": "ei.example.com"},
            "_ansible_check_mode": true,
            "_ansible_diff": true,
        })
        .to_string(),
    );
    assert_eq!(out["failed"], false, "{out}");
    let all = out.to_string();
    assert!(!all.contains(PASSWORD), "{all}");
    let diff = out["diff"]["prepared"].as_str().unwrap();
    assert!(
        diff.contains("-Djavax.net.ssl.keyStorePassword=******** "),
        "{diff}"
    );
    assert!(diff.contains(r#"-Dcarbon.home="%CARBON_HOME%""#), "{diff}");
    assert!(diff.contains(r#"security\wso2carbon.jks""#), "{diff}");
    assert!(
        !diff.contains("\"********\""),
        "no harmless value masked: {diff}"
    );
    // Messages keep their file lists.
    let messages: Vec<&str> = out["manual"]
        .as_array()
        .unwrap()
        .iter()
        .chain(out["findings"].as_array().unwrap())
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().all(|m| !m.contains("********")),
        "{messages:?}"
    );
}

#[test]
fn diff_redact_masks_context_and_changed_lines_and_plain_diff_stays_exact() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let diff = |redact: bool| {
        let mut c = Command::cargo_bin("wso2-harden").unwrap();
        c.current_dir(d).env("NO_COLOR", "1").args([
            "diff",
            "--select",
            "tls-ciphers,tls-protocols",
        ]);
        if redact {
            c.arg("--redact");
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let (plain, redacted) = (diff(false), diff(true));
    assert!(plain.contains("keystorePass=\"wso2carbon\""), "{plain}");
    assert!(!redacted.contains("wso2carbon\""), "{redacted}");
    assert!(redacted.contains("keystorePass=\"********\""), "{redacted}");
    assert!(
        redacted.contains("wso2carbon.jks"),
        "paths stay: {redacted}"
    );
    // Only secret values differ.
    assert_eq!(plain.lines().count(), redacted.lines().count());
    for (p, r) in plain.lines().zip(redacted.lines()) {
        if p != r {
            assert!(r.contains("********"), "{p}\n{r}");
        }
    }
}
