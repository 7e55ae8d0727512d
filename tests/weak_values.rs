//! A weak value from the user is refused with the reason, wherever it comes from: `--set`,
//! the policy file, the interactive prompt, the Ansible module's `values`. The rules are the
//! value kinds (`protocol-list`, `cipher-list`, …) declared in the patches.

mod common;

use std::fs;
use std::io;

use assert_cmd::Command;
use common::{fixture_copy, snapshot};
use predicates::prelude::*;
use wso2_harden::apply::prompt::{Answer, Interactive, Prompter};
use wso2_harden::catalog::Catalog;
use wso2_harden::plan::{Decide, ValueRequest};
use wso2_harden::render::Style;

fn tool(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

const WEAK: &[(&str, &str)] = &[
    ("tls_protocols=SSLv3", "SSLv3 is not allowed: SSL is broken"),
    (
        "tls_protocols=TLSv1,TLSv1.2",
        "TLSv1 is not allowed: TLS 1.0 and 1.1 are deprecated",
    ),
    ("tls_protocols=+TLSv1.2,-TLSv1", "-TLSv1 is not allowed"),
    (
        "ciphers=TLS_RSA_WITH_RC4_128_MD5",
        "TLS_RSA_WITH_RC4_128_MD5 is not allowed: RC4 is broken",
    ),
    (
        "ciphers=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256 is not allowed: no forward secrecy",
    ),
    (
        "ciphers=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 is not allowed: CBC suites are not AEAD",
    ),
    ("dh_key_size=1024", "must be at least 2048"),
    ("session_id_length=16", "must be at least 32"),
    ("log_max_file_size=huge", "must be a size such as 10MB"),
    ("wsdl_epr_prefix=ftp://lb", "not a URL prefix"),
];

#[test]
fn set_refuses_weak_values_with_the_reason_and_writes_nothing() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let before = snapshot(d);
    for (kv, why) in WEAK {
        tool(d)
            .args(["fix", "--yes", "--set", kv])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("--set {kv}: {why}")));
    }
    assert_eq!(snapshot(d), before);
    // Strong values pass: TLS 1.3 alongside 1.2, TLS 1.3 and ECDHE GCM suites, OpenSSL names.
    for kv in [
        "tls_protocols=TLSv1.2,TLSv1.3",
        "ciphers=TLS_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "ciphers=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
        "dh_key_size=3072",
        "wsdl_epr_prefix=https://{hostname}:8243",
    ] {
        tool(d).args(["check", "--set", kv]).assert().code(1);
    }
}

#[test]
fn the_policy_file_refuses_weak_values_at_their_line() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    fs::write(
        d.join("wso2-harden.toml"),
        "[values]\nhostname = \"gw.example.com\"\n\n[nodes.\"apim-*\"]\ntls_protocols = \"TLSv1.1,TLSv1.2\"\n",
    )
    .unwrap();
    tool(d)
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wso2-harden.toml:5:1: `tls_protocols`: TLSv1.1 is not allowed: TLS 1.0 and 1.1 are deprecated",
        ));
}

#[test]
fn ansible_values_refuse_weak_values() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let args = serde_json::json!({
        "path": tmp.path().join("apim-2.6.0"),
        "values": {"ciphers": "TLS_RSA_WITH_RC4_128_MD5"},
    });
    let out = wso2_harden::cli::ansible::run(&args.to_string());
    assert_eq!(out["failed"], true, "{out}");
    assert!(
        out["msg"]
            .as_str()
            .unwrap()
            .contains("TLS_RSA_WITH_RC4_128_MD5 is not allowed: RC4 is broken"),
        "{out}"
    );
}

struct Lines(Vec<&'static str>, String);

impl Prompter for Lines {
    fn show(&mut self, text: &str) {
        self.1.push_str(text);
    }
    fn ask(&mut self, _: &str) -> io::Result<Answer> {
        Ok(Answer::Yes)
    }
    fn ask_line(&mut self, _: &str) -> io::Result<String> {
        Ok(self.0.remove(0).to_string())
    }
}

#[test]
fn the_prompt_refuses_weak_values_and_asks_again() {
    let patch = Catalog::builtin().get("tls-protocols").unwrap();
    let mut p = Lines(vec!["SSLv3", "TLSv1.2,TLSv1.3"], String::new());
    let mut i = Interactive::new(&mut p, Style { color: false });
    let request = ValueRequest {
        node: "n",
        patch,
        name: "tls_protocols",
        file: "n/repository/conf/tomcat/catalina-server.xml",
        setting: "sslEnabledProtocols",
        current: Some("TLSv1,TLSv1.1,TLSv1.2"),
    };
    assert_eq!(i.value(&request).as_deref(), Some("TLSv1.2,TLSv1.3"));
    assert!(
        p.1.contains("SSLv3: SSLv3 is not allowed: SSL is broken"),
        "{}",
        p.1
    );
}
