//! `render` and `effective` through the real binary: on the hand-written model home in
//! fixtures/apim-mini-model, and on an installed-like APIM 4.5 home built from
//! ../shared/product-models with the shipped deployment.toml.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::models::{install, product_models};
use common::{fixture_copy, snapshot};
use predicates::prelude::*;
use serde_json::Value;

fn bin(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir).args(["--color", "never"]);
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = bin(dir)
        .arg("effective")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn listener<'a>(node: &'a Value, file_suffix: &str) -> &'a Value {
    node["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"].as_str().unwrap().ends_with(file_suffix))
        .unwrap_or_else(|| panic!("no listener in {file_suffix}: {node:#}"))
}

#[test]
fn render_writes_below_out_and_never_into_the_home() {
    let tmp = fixture_copy(&["apim-mini-model", "mi-4.2.0"]);
    let before = snapshot(&tmp.path().join("apim-mini-model"));
    bin(tmp.path())
        .args(["render", "apim-mini-model", "mi-4.2.0", "--out", "out"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "apim-mini-model: 4 of 4 files rendered into out/apim-mini-model",
        ))
        .stdout(predicate::str::contains(
            "mi-4.2.0: not rendered: no repository/resources/conf",
        ));
    assert_eq!(snapshot(&tmp.path().join("apim-mini-model")), before);
    let out = tmp.path().join("out/apim-mini-model/repository");
    let catalina = fs::read_to_string(out.join("conf/tomcat/catalina-server.xml")).unwrap();
    assert!(catalina.contains("protocols=\"+TLSv1.2\"") && catalina.contains("port=\"9443\""));
    assert!(out.join("deployment/server/synapse-configs/default/inbound-endpoints/SecureWebSocketInboundEndpoint.xml").is_file());
    assert!(!tmp.path().join("out/mi-4.2.0").exists());
}

#[test]
fn render_refuses_an_output_directory_inside_a_home() {
    let tmp = fixture_copy(&["apim-mini-model"]);
    let before = snapshot(tmp.path());
    bin(tmp.path())
        .args([
            "render",
            "apim-mini-model",
            "--out",
            "apim-mini-model/rendered",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("render never writes into a home"));
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn effective_text_names_each_value_and_its_source() {
    let tmp = fixture_copy(&["apim-mini-model"]);
    bin(tmp.path())
        .args(["effective", "apim-mini-model"])
        .assert()
        .success()
        .stdout(predicate::str::contains("repository/conf/broker.xml:4 amqp/sslConnection"))
        .stdout(predicate::str::is_match(r"protocols +TLSv1 +default broker\.transport\.amqp\.ssl_connection\.ssl_enabled_protocols").unwrap())
        .stdout(predicate::str::is_match(r"protocols +TLSv1\.1,TLSv1\.2 +default apim\.wss\.ssl_enabled_protocols").unwrap())
        .stdout(predicate::str::contains("deployment.toml:14 transport.https.properties.protocols (read as transport.https.sslHostConfig.properties.protocols)"))
        .stdout(predicate::str::contains("ciphers    (not set)"));
}

#[test]
fn effective_json_follows_the_schema() {
    let tmp = fixture_copy(&["apim-mini-model", "apim-2.6.0"]);
    let doc = json(tmp.path(), &["apim-mini-model", "apim-2.6.0"]);
    assert_eq!(doc["schema"], "wso2-harden/effective/v1");
    let node = &doc["nodes"][0];
    assert_eq!(
        (node["node"].as_str(), node["computed"].as_bool()),
        (Some("apim-mini-model"), Some(true))
    );
    let amqp = listener(node, "broker.xml");
    assert_eq!(amqp["kind"], "broker-ssl");
    assert_eq!(amqp["protocols"]["value"], "TLSv1");
    assert_eq!(amqp["protocols"]["source"]["kind"], "default");
    assert_eq!(amqp["ciphers"]["value"], Value::Null);
    assert_eq!(amqp["ciphers"]["source"]["kind"], "runtime-default");
    let tomcat = listener(node, "catalina-server.xml");
    assert_eq!(tomcat["protocols"]["source"]["kind"], "deployment-toml");
    assert_eq!(tomcat["protocols"]["source"]["line"], 14);
    assert_eq!(node["port_offset"]["value"], "0");
    let old = &doc["nodes"][1];
    assert_eq!(old["computed"], false);
    assert!(old["reason"]
        .as_str()
        .unwrap()
        .contains("not a deployment.toml home"));
}

/// An installed-like APIM 4.5 home (product + kernel model) with the shipped deployment.toml.
fn apim45(dir: &Path) -> Option<()> {
    let models = product_models()?;
    let real = common::real_corpus()?;
    install(
        &models,
        "apim-4.5.0",
        Some("kernel-4.9.28"),
        &dir.join("apim"),
    );
    fs::create_dir_all(dir.join("apim/bin")).unwrap();
    fs::create_dir_all(dir.join("apim/repository/conf")).unwrap();
    fs::write(
        dir.join("apim/bin/version.txt"),
        "WSO2 API Manager v4.5.0\n",
    )
    .unwrap();
    fs::copy(
        real.join("apim-4.5.0/repository/conf/deployment.toml"),
        dir.join("apim/repository/conf/deployment.toml"),
    )
    .unwrap();
    Some(())
}

#[test]
fn effective_lists_apim_4_5_weak_default_listeners() {
    let tmp = tempfile::tempdir().unwrap();
    if apim45(tmp.path()).is_none() {
        return;
    }
    let doc = json(tmp.path(), &["apim"]);
    let node = &doc["nodes"][0];
    assert!(node["errors"].as_array().unwrap().is_empty(), "{node:#}");
    let amqp = listener(node, "repository/conf/broker.xml");
    assert_eq!(
        (
            amqp["protocols"]["value"].as_str(),
            amqp["port"]["value"].as_str()
        ),
        (Some("TLSv1"), Some("8672"))
    );
    assert_eq!(
        amqp["protocols"]["source"]["key"],
        "broker.transport.amqp.ssl_connection.ssl_enabled_protocols"
    );
    let wss = listener(node, "SecureWebSocketInboundEndpoint.xml");
    assert_eq!(wss["protocols"]["value"], "TLSv1.1,TLSv1.2");
    assert_eq!(wss["port"]["value"], "8099");
    let tomcat = listener(node, "tomcat/catalina-server.xml");
    assert_eq!(tomcat["element"], "Connector[@port=\"9443\"]/SSLHostConfig");
    assert_eq!(tomcat["protocols"]["value"], "+TLSv1,+TLSv1.1,+TLSv1.2");
    bin(tmp.path())
        .args(["effective", "apim"])
        .assert()
        .success()
        .stdout(predicate::str::contains("repository/conf/broker.xml:79 amqp/sslConnection"))
        .stdout(predicate::str::is_match(r"protocols +TLSv1 +default broker\.transport\.amqp\.ssl_connection\.ssl_enabled_protocols").unwrap())
        .stdout(predicate::str::contains("SecureWebSocketInboundEndpoint.xml:2 inboundEndpoint[@name=\"SecureWebSocketEP\"]"))
        .stdout(predicate::str::is_match(r"protocols +TLSv1\.1,TLSv1\.2 +default apim\.wss\.ssl_enabled_protocols").unwrap());
    let passthru = listener(node, "repository/conf/axis2/axis2.xml");
    assert_eq!(passthru["port"]["value"], "8243");
    assert_eq!(
        passthru["protocols"]["source"]["key"],
        "transport.passthru_https.listener.parameters.HttpsProtocols"
    );
}

#[test]
fn a_config_repository_uses_an_installed_model() {
    let tmp = tempfile::tempdir().unwrap();
    if apim45(tmp.path()).is_none() {
        return;
    }
    let repo = tmp.path().join("repo/apim/repository/conf");
    fs::create_dir_all(&repo).unwrap();
    fs::copy(
        tmp.path().join("apim/repository/conf/deployment.toml"),
        repo.join("deployment.toml"),
    )
    .unwrap();
    let bare = json(tmp.path(), &["repo"]);
    assert_eq!(bare["nodes"][0]["computed"], false);
    let with_model = json(tmp.path(), &["repo", "--model", "apim"]);
    let installed = json(tmp.path(), &["apim"]);
    assert_eq!(
        with_model["nodes"][0]["listeners"],
        installed["nodes"][0]["listeners"]
    );
}
