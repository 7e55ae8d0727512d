//! check/diff/fix on the effective configuration, on installed-like homes built from the real
//! homes in ../shared/fixtures-real and the mapper inputs in ../shared/product-models (APIM
//! 4.5 + kernel 4.9.28, IS 7.0 + kernel 4.10.42, MI 4.2, APIM 3.2 + kernel 4.5.1): a weak
//! default is found and fixed, a compliant default is left alone, a fix whose key a template
//! no longer reads is `cannot-fix`, a custom SSL connector in a template is reported with its
//! port, a bare config repository checked with `--model` gives the installed home's findings,
//! and `effective` lists the weak default listeners before `fix` and none after.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::installed::{edit, installed_home};
use serde_json::Value;

fn bin(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir);
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = bin(dir).args(args).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn check(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    json(dir, &all)
}

fn findings<'a>(doc: &'a Value, id: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

fn text(f: &Value, k: &str) -> String {
    f[k].as_str().unwrap_or("").to_string()
}

fn fix(dir: &Path, home: &str, args: &[&str]) {
    let out = bin(dir)
        .args(["fix", "--yes", "--set", "hostname=node.example.com"])
        .args(args)
        .arg(home)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "fix: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_weak_default_is_found_and_fixed_in_deployment_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(home) = installed_home("apim-4.5.0", &tmp.path().join("apim")) else {
        return;
    };
    let toml = home.join("repository/conf/deployment.toml");
    assert!(!fs::read_to_string(&toml).unwrap().contains("[broker"));
    let doc = check(tmp.path(), &["apim"]);
    assert_eq!(doc["nodes"][0]["effective"]["computed"], true, "{doc:#}");
    let broker = findings(&doc, "broker-tls");
    assert_eq!(broker.len(), 1, "{broker:#?}");
    assert_eq!(broker[0]["kind"], "fix");
    let message = text(broker[0], "message");
    assert!(
        message.contains("ssl_enabled_protocols: \"TLSv1\" (default.json) → \"TLSv1.2,TLSv1.3\""),
        "{message}"
    );
    fix(tmp.path(), "apim", &["--select", "broker-tls"]);
    let written = fs::read_to_string(&toml).unwrap();
    assert!(
        written.contains("[broker.transport.amqp.ssl_connection]")
            && written.contains("ssl_enabled_protocols = \"TLSv1.2,TLSv1.3\""),
        "{written}"
    );
    let after = check(tmp.path(), &["apim", "--select", "broker-tls"]);
    assert!(findings(&after, "broker-tls").is_empty(), "{after:#}");
}

/// IS 7.0 as if its product default were strong: no finding, no edit, although
/// deployment.toml has no such key (without the mapper inputs the tool would add one).
#[test]
fn an_already_compliant_default_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(home) = installed_home("is-7.0.0", &tmp.path().join("is")) else {
        return;
    };
    edit(
        &home.join("repository/resources/conf/default.json"),
        "\"+TLSv1,+TLSv1.1,+TLSv1.2\"",
        "\"+TLSv1.2,+TLSv1.3\"",
    );
    let doc = check(tmp.path(), &["is", "--select", "tls-protocols"]);
    assert!(findings(&doc, "tls-protocols").is_empty(), "{doc:#}");
    bin(tmp.path())
        .args(["diff", "--select", "tls-protocols", "is"])
        .assert()
        .code(0)
        .stdout("");
    // judged on deployment.toml alone, the absent key is a fix
    fs::remove_dir_all(home.join("repository/resources/conf")).unwrap();
    let bare = check(tmp.path(), &["is", "--select", "tls-protocols"]);
    assert_eq!(findings(&bare, "tls-protocols").len(), 1, "{bare:#}");
    assert_eq!(bare["nodes"][0]["effective"]["computed"], false);
}

/// broker.xml.j2 edited so that it renders no sslEnabledProtocols: the protocols fix cannot
/// reach the listener and is dropped (never written, never counted as done); the cipher fix
/// of the same patch stays, and the listener is reported as one no patch can set.
#[test]
fn a_template_that_no_longer_reads_the_key_gets_cannot_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(home) = installed_home("apim-4.5.0", &tmp.path().join("apim")) else {
        return;
    };
    edit(
        &home.join("repository/resources/conf/templates/repository/conf/broker.xml.j2"),
        "<sslEnabledProtocols>{{broker.transport.amqp.ssl_connection.ssl_enabled_protocols}}</sslEnabledProtocols>",
        "",
    );
    let doc = check(tmp.path(), &["apim"]);
    let broker = findings(&doc, "broker-tls");
    let cannot: Vec<_> = broker
        .iter()
        .filter(|f| f["kind"] == "cannot-fix")
        .collect();
    assert_eq!(cannot.len(), 1, "{broker:#?}");
    assert!(text(cannot[0], "message").contains(
        "`broker.transport.amqp.ssl_connection.ssl_enabled_protocols` is not read by this product's templates"
    ));
    let fixed: Vec<_> = broker.iter().filter(|f| f["kind"] == "fix").collect();
    assert_eq!(fixed.len(), 1, "{broker:#?}");
    assert!(!text(fixed[0], "message").contains("ssl_enabled_protocols"));
    let unmanaged = findings(&doc, "unmanaged-tls-listener");
    assert!(
        unmanaged
            .iter()
            .any(|f| text(f, "message").contains("port 8672")
                && text(f, "file").ends_with("repository/conf/broker.xml")),
        "{unmanaged:#?}"
    );
    fix(tmp.path(), "apim", &[]);
    let written = fs::read_to_string(home.join("repository/conf/deployment.toml")).unwrap();
    let doc: toml_edit::DocumentMut = written.parse().unwrap();
    let ssl = &doc["broker"]["transport"]["amqp"]["ssl_connection"];
    assert!(ssl.get("ciphers").is_some(), "{written}");
    assert!(ssl.get("ssl_enabled_protocols").is_none(), "{written}");
    let after = check(tmp.path(), &["apim", "--select", "broker-tls"]);
    let kinds: Vec<String> = findings(&after, "broker-tls")
        .iter()
        .map(|f| text(f, "kind"))
        .collect();
    assert_eq!(kinds, ["cannot-fix"], "{after:#}");
}

#[test]
fn a_custom_ssl_connector_in_a_template_is_reported_with_its_port() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(home) = installed_home("is-7.0.0", &tmp.path().join("is")) else {
        return;
    };
    edit(
        &home.join("repository/resources/conf/templates/repository/conf/tomcat/catalina-server.xml.j2"),
        "    </Service>",
        "        <Connector protocol=\"org.apache.coyote.http11.Http11NioProtocol\" port=\"9445\"\n                   SSLEnabled=\"true\" scheme=\"https\" secure=\"true\"\n                   sslEnabledProtocols=\"TLSv1,TLSv1.1,TLSv1.2\"/>\n    </Service>",
    );
    let doc = check(tmp.path(), &["is", "--select", "unmanaged-tls-listener"]);
    let found = findings(&doc, "unmanaged-tls-listener");
    assert_eq!(found.len(), 1, "{doc:#}");
    assert_eq!(found[0]["kind"], "manual");
    assert!(text(found[0], "file").ends_with("repository/conf/tomcat/catalina-server.xml"));
    let message = text(found[0], "message");
    assert!(
        message.contains("Connector[@port=\"9445\"] (port 9445)")
            && message.contains("TLSv1,TLSv1.1,TLSv1.2")
            && message.contains("weak"),
        "{message}"
    );
}

/// The findings about deployment.toml and the generated files, relative to the node.
fn toml_findings(doc: &Value, conf: &str) -> BTreeSet<(String, String, String, String)> {
    let node = doc["nodes"][0]["node"].as_str().unwrap().to_string();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let file = text(f, "file");
            let rel = file.strip_prefix(&format!("{node}/"))?.to_string();
            let generated = f["id"] == "unmanaged-tls-listener";
            (rel == format!("{conf}/deployment.toml") || generated).then(|| {
                let line = f["line"].as_u64().map_or(String::new(), |l| l.to_string());
                (
                    text(f, "id"),
                    text(f, "kind"),
                    format!("{rel}:{line}"),
                    text(f, "message"),
                )
            })
        })
        .collect()
}

#[test]
fn a_bare_config_repository_checked_with_model_gives_the_installed_findings() {
    for (name, conf) in [
        ("apim-4.5.0", "repository/conf"),
        ("is-7.0.0", "repository/conf"),
        ("mi-4.2.0", "conf"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let Some(home) = installed_home(name, &tmp.path().join("installed")) else {
            return;
        };
        let bare = tmp.path().join("repo/node");
        fs::create_dir_all(bare.join(conf)).unwrap();
        fs::copy(
            home.join(conf).join("deployment.toml"),
            bare.join(conf).join("deployment.toml"),
        )
        .unwrap();
        let installed = check(tmp.path(), &["--unsafe-fixes", "installed"]);
        let without = check(tmp.path(), &["--unsafe-fixes", "repo/node"]);
        assert_eq!(without["nodes"][0]["effective"]["computed"], false);
        let with = check(
            tmp.path(),
            &["--unsafe-fixes", "--model", "installed", "repo/node"],
        );
        assert_eq!(with["nodes"][0]["effective"]["computed"], true, "{name}");
        assert_eq!(
            with["nodes"][0]["version"],
            installed["nodes"][0]["version"]
        );
        let (a, b) = (toml_findings(&installed, conf), toml_findings(&with, conf));
        assert!(a.len() > 5, "{name}: {a:#?}");
        assert_eq!(a, b, "{name}");
    }
}

/// Weak listeners (enabled, with a weakness) that a patch sets, from `effective --format json`.
fn weak_settable(doc: &Value) -> Vec<String> {
    doc["nodes"][0]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["enabled"] == true && l["strong"] == false)
        .filter(|l| !l["set_by"]["protocols"].is_null() && !l["set_by"]["ciphers"].is_null())
        .map(|l| format!("{} {}", text(l, "file"), text(l, "element")))
        .collect()
}

#[test]
fn effective_lists_the_weak_default_listeners_before_fix_and_none_after() {
    for name in ["apim-4.5.0", "is-7.0.0", "mi-4.2.0", "apim-3.2.0"] {
        let tmp = tempfile::tempdir().unwrap();
        let Some(_) = installed_home(name, &tmp.path().join("home")) else {
            return;
        };
        let before = json(tmp.path(), &["effective", "--format", "json", "home"]);
        let weak = weak_settable(&before);
        assert!(!weak.is_empty(), "{name}: {before:#}");
        let defaults = before["nodes"][0]["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["strong"] == false && l["protocols"]["source"]["kind"] == "default")
            .count();
        assert!(defaults > 0, "{name}: no weak default listener");
        fix(tmp.path(), "home", &["--unsafe-fixes"]);
        let after = json(tmp.path(), &["effective", "--format", "json", "home"]);
        assert_eq!(
            weak_settable(&after),
            Vec::<String>::new(),
            "{name}: {after:#}"
        );
        // what stays weak is reported: no patch can set it, or a fix the product ignores
        let unsettable = after["nodes"][0]["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["enabled"] == true && l["strong"] == false)
            .count();
        let doc = check(tmp.path(), &["home"]);
        let reported = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == "unmanaged-tls-listener" || f["kind"] == "cannot-fix")
            .count();
        assert!(
            reported >= unsettable,
            "{name}: {unsettable} weak listener(s), {doc:#}"
        );
    }
}

#[test]
fn diff_rendered_shows_the_generated_files_and_fix_never_writes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(home) = installed_home("mi-4.2.0", &tmp.path().join("mi")) else {
        return;
    };
    let out = bin(tmp.path())
        .args(["diff", "--rendered", "--select", "management-api-tls", "mi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("# generated: mi/conf/internal-apis.xml"),
        "{diff}"
    );
    assert!(diff
        .contains("--- a/mi/conf/internal-apis.xml\t(generated from the current deployment.toml)"));
    assert!(diff
        .contains("+++ b/mi/conf/internal-apis.xml\t(generated from the planned deployment.toml)"));
    assert!(diff
        .contains("-        <parameter name=\"httpsProtocols\">TLSv1,TLSv1.1,TLSv1.2</parameter>"));
    assert!(diff.contains("+        <parameter name=\"httpsProtocols\">TLSv1.2</parameter>"));
    assert!(diff.contains("+        <parameter name=\"sslProtocol\">TLS</parameter>"));
    assert!(
        !diff.contains("deployment.toml\n"),
        "the TOML diff is `diff`'s: {diff}"
    );
    let generated = home.join("conf/internal-apis.xml");
    let before = fs::read(&generated).ok();
    fix(tmp.path(), "mi", &["--select", "management-api-tls"]);
    assert_eq!(
        fs::read(&generated).ok(),
        before,
        "fix wrote a generated file"
    );
    bin(tmp.path())
        .args(["diff", "--rendered", "--select", "management-api-tls", "mi"])
        .assert()
        .code(0)
        .stdout("");
}

/// The generated files print deployment.toml's passwords: `--redact` masks them there too.
#[test]
fn diff_rendered_redact_masks_the_secrets_the_generated_files_print() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(_) = installed_home("apim-4.5.0", &tmp.path().join("apim")) else {
        return;
    };
    let plain = bin(tmp.path())
        .args(["diff", "--rendered", "--select", "websocket-tls", "apim"])
        .output()
        .unwrap();
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(
        plain.contains("<parameter name=\"wss.ssl.key.store.pass\">wso2carbon</parameter>"),
        "{plain}"
    );
    let redacted = bin(tmp.path())
        .args([
            "diff",
            "--rendered",
            "--redact",
            "--select",
            "websocket-tls",
            "apim",
        ])
        .output()
        .unwrap();
    let redacted = String::from_utf8(redacted.stdout).unwrap();
    assert!(
        redacted.contains("<parameter name=\"wss.ssl.key.store.pass\">********</parameter>"),
        "{redacted}"
    );
    assert!(!redacted.contains(">wso2carbon<"), "{redacted}");
}
