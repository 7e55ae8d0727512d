//! End to end over real homes: for every deployment.toml home in ../shared/fixtures-real that
//! has a product model in ../shared/product-models (APIM 4.5, APIM 3.2, IS 7.0, MI 4.2), build
//! an installed-like home (the real home, its merged mapper inputs and bin/version.txt), run
//! `fix --yes --unsafe-fixes` on it, render the fixed deployment.toml through the product's
//! own templates and defaults (`wso2-harden render`, the Rust mapper) and check every TLS
//! listener in the rendered XML: TLS 1.2/1.3 only, forward-secret AEAD suites only (a TLS 1.3
//! suite where TLS 1.3 is on), a list that had TLS 1.3 before still has it, the PassThrough
//! sender verifies host names strictly, HSTS renders on (APIM 4.x). A listener the product
//! cannot harden from deployment.toml must be reported as `cannot-fix` instead (APIM 3.2's
//! hard-coded HSTS); APIM 3.2's listenerprofiles.xml and WebSocket ciphers and the WebHook
//! server of APIM 4.x are hardened in their templates (template-tls). The checks below are the
//! test's own, not the tool's; tests/mapper_python.rs compares the mapper with the Python
//! reference renderer.

mod common;
#[path = "tls_e2e/listeners.rs"]
mod listeners;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command as Tool;
use common::installed::installed_home;
use common::{copy_dir, real_corpus};
use listeners::{elements, has_tls13, init_params, listeners, param, read, weakness, Listener};
use roxmltree::Document;

struct Home {
    /// The fixture directory.
    name: &'static str,
    /// Lines appended to its deployment.toml before the fix (a variant of the shipped file).
    append: &'static str,
    conf: &'static str,
    /// Listeners this product version cannot harden from deployment.toml, with the patch that
    /// must report them, and how: `cannot-fix`, or `warning` where the tool cannot tell the
    /// version (the HSTS array is then written, in case it is APIM 4.0/4.1).
    reported: &'static [(&'static str, &'static str, &'static str)],
}

/// APIM 3.2 starts on JDK 8 (no TLS 1.3 assumed), with lists that already enable TLS 1.3:
/// their weak entries go, TLS 1.3 stays, and TLS 1.3 suites come with it.
const WITH_TLS13: &str = r#"
[transport.https.sslHostConfig.properties]
protocols = "+TLSv1,+TLSv1.1,+TLSv1.2,+TLSv1.3"

[transport.passthru_https.listener.parameters]
HttpsProtocols = "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"

[apim.wss]
ssl_enabled_protocols = "TLSv1.1,TLSv1.2,TLSv1.3"

[broker.transport.amqp.ssl_connection]
ssl_enabled_protocols = "TLSv1,TLSv1.3"
"#;

const HOMES: [Home; 5] = [
    Home {
        name: "apim-4.5.0",
        append: "",
        conf: "repository/conf",
        reported: &[],
    },
    Home {
        name: "apim-3.2.0",
        append: "",
        conf: "repository/conf",
        reported: &[("hsts", "hsts", "cannot-fix")],
    },
    Home {
        name: "apim-3.2.0",
        append: WITH_TLS13,
        conf: "repository/conf",
        reported: &[("hsts", "hsts", "cannot-fix")],
    },
    Home {
        name: "is-7.0.0",
        append: "",
        conf: "repository/conf",
        reported: &[],
    },
    Home {
        name: "mi-4.2.0",
        append: "",
        conf: "conf",
        reported: &[],
    },
];

/// Renders the home below `tmp` as it would start (`wso2-harden render`, the Rust mapper) into
/// `tmp/<out>`; returns the directory holding the generated files.
fn render(tmp: &Path, home: &Home, out: &str) -> PathBuf {
    let o = Tool::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(tmp)
        .args(["render", home.name, "--out", out])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}: render failed: {}{}",
        home.name,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    tmp.join(out).join(home.name)
}

/// `(patch id, kind)` of every finding `check` reports on the fixed home.
fn findings(dir: &Path) -> BTreeSet<(String, String)> {
    let out = Tool::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("id"), s("kind"))
        })
        .collect()
}

#[test]
fn every_tls_listener_renders_strong_after_fix() {
    let mut problems = Vec::new();
    let mut tls13_kept = 0;
    for home in &HOMES {
        let tmp = tempfile::tempdir().unwrap();
        let Some(dir) = installed_home(home.name, &tmp.path().join(home.name)) else {
            return;
        };
        let toml = dir.join(home.conf).join("deployment.toml");
        let shipped = fs::read_to_string(&toml).unwrap();
        fs::write(&toml, format!("{shipped}\n{}", home.append)).unwrap();
        let before = render(tmp.path(), home, "before");
        let status = Tool::cargo_bin("wso2-harden")
            .unwrap()
            .current_dir(tmp.path())
            .args(["fix", "--yes", "--unsafe-fixes", home.name])
            .output()
            .unwrap()
            .status
            .code();
        assert!(
            matches!(status, Some(0 | 1)),
            "{}: fix exited {status:?}",
            home.name
        );
        let after = render(tmp.path(), home, "after");
        let found = findings(&dir);
        let reported =
            |patch: &str, kind: &str| found.contains(&(patch.to_string(), kind.to_string()));
        let was: Vec<Listener> = listeners(&before, home.conf);
        let now = listeners(&after, home.conf);
        assert!(!now.is_empty(), "{}: no TLS listener rendered", home.name);
        for l in &now {
            let expected_report = home.reported.iter().find(|(n, _, _)| *n == l.name);
            match (weakness(l), expected_report) {
                (None, _) => {}
                (Some(_), Some((_, patch, kind))) if reported(patch, kind) => {}
                (Some(why), _) => problems.push(format!("{} {}: {why} ({l:?})", home.name, l.name)),
            }
            let had13 = was
                .iter()
                .any(|w| w.name == l.name && w.protocols.as_deref().is_some_and(has_tls13));
            if had13 && !l.protocols.as_deref().is_some_and(has_tls13) {
                problems.push(format!(
                    "{} {}: TLS 1.3 was on and is gone",
                    home.name, l.name
                ));
            }
            if had13 {
                tls13_kept += 1;
            }
        }
        for (name, patch, kind) in home.reported {
            if !reported(patch, kind) {
                problems.push(format!("{} {name}: no {kind} from {patch}", home.name));
            }
        }
        // The PassThrough sender verifies host names strictly.
        if let Some(text) = read(&after, &format!("{}/axis2/axis2.xml", home.conf)) {
            let doc = Document::parse(&text).unwrap();
            for s in elements(&doc, "transportSender").filter(|s| {
                s.attribute("name") == Some("https")
                    && s.attribute("class")
                        .is_some_and(|c| c.contains(".passthru."))
            }) {
                if param(s, "HostnameVerifier").as_deref() != Some("Strict") {
                    problems.push(format!("{}: PassThrough sender not Strict", home.name));
                }
            }
        }
        // HSTS on, with a max-age, where the product renders it from deployment.toml.
        let web = [
            "tomcat/carbon/WEB-INF/web.xml",
            "tomcat/carbon/WEB-INF/web_TM_GW.xml",
        ];
        for rel in web.map(|w| format!("{}/{w}", home.conf)) {
            let params = init_params(&after, &rel);
            if params.is_empty() || home.reported.iter().any(|(n, _, _)| *n == "hsts") {
                continue;
            }
            let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            if get("hstsEnabled") != Some("true") {
                problems.push(format!(
                    "{} {rel}: hstsEnabled is {:?}",
                    home.name,
                    get("hstsEnabled")
                ));
            }
            let max_age: u64 = get("hstsMaxAgeSeconds")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let noted = found.contains(&("hsts".into(), "warning".into()));
            if max_age == 0 && !noted {
                problems.push(format!("{} {rel}: HSTS max-age 0, not reported", home.name));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The TLS 1.3 variant is really checked: Tomcat, PassThrough (axis2.xml), WebSocket, AMQP.
    assert!(
        tls13_kept >= 4,
        "only {tls13_kept} listeners had TLS 1.3 before the fix"
    );
}

/// The binary receiver's template is a feature template, absent from the product models (an
/// installed-like home reports its keys as not read: cannot-fix). Judged on deployment.toml
/// alone (the real home without mapper inputs), the fixed file must hold both lists as arrays
/// of strong entries (APIM 4.5).
#[test]
fn binary_receiver_lists_are_strong_arrays() {
    let Some(corpus) = real_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("apim-4.5.0");
    copy_dir(&corpus.join("apim-4.5.0"), &dir);
    Tool::cargo_bin("wso2-harden")
        .unwrap()
        .args(["fix", "--yes", "--select", "binary-receiver-tls"])
        .arg(&dir)
        .assert()
        .code(0);
    let text = fs::read_to_string(dir.join("repository/conf/deployment.toml")).unwrap();
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    let receiver = &doc["transport"]["binary"]["receiver"];
    let list = |k: &str| -> Vec<String> {
        receiver[k]
            .as_array()
            .unwrap_or_else(|| panic!("{k} is not an array"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let l = Listener {
        name: "binary".into(),
        protocols: Some(list("sslEnabledProtocols").join(",")),
        ciphers: Some(list("ciphers").join(",")),
        flaws: Vec::new(),
    };
    assert_eq!(weakness(&l), None, "{l:?}");
}
