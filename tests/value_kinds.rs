//! Value kinds: what each kind accepts and refuses, the one definition of strong TLS shared
//! with the file comparisons, and `policy --example` generated from the catalog's values.

use std::path::Path;

use wso2_harden::catalog::Catalog;

#[test]
fn value_kinds_accept_and_refuse_by_their_rules() {
    use wso2_harden::catalog::ValueKind::*;
    let ok = |k: wso2_harden::catalog::ValueKind, v: &str| {
        assert_eq!(k.validate(v), Ok(()), "{} {v:?}", k.name());
    };
    let no = |k: wso2_harden::catalog::ValueKind, v: &str, why: &str| match k.validate(v) {
        Err(e) => assert!(e.contains(why), "{} {v:?}: {e}", k.name()),
        Ok(()) => panic!("{} accepted {v:?}", k.name()),
    };
    ok(Hostname, "idp.example.com");
    no(Hostname, "https://idp:9443", "not a host name");
    no(Hostname, "a\nb", "one line");
    let uint = Uint {
        min: Some(2048),
        max: Some(8192),
    };
    ok(uint, "4096");
    no(uint, "1024", "at least 2048");
    no(uint, "16384", "at most 8192");
    no(uint, "2k", "whole number");
    ok(JvmSize, "512m");
    ok(JvmSize, "2G");
    no(JvmSize, "2gb", "JVM size");
    ok(DataSize, "10MB");
    ok(DataSize, "512kb");
    ok(DataSize, "1048576");
    no(DataSize, "10 MB", "size such as 10MB");
    ok(ProtocolList, "TLSv1.2");
    ok(ProtocolList, "+TLSv1.2,+TLSv1.3");
    ok(ProtocolList, "TLSv1.2+TLSv1.3");
    no(ProtocolList, "SSLv3", "SSLv3 is not allowed: SSL is broken");
    no(
        ProtocolList,
        "TLSv1,TLSv1.2",
        "TLSv1 is not allowed: TLS 1.0 and 1.1",
    );
    no(ProtocolList, "all", "all is not allowed");
    no(ProtocolList, " , ", "at least one protocol");
    ok(
        CipherList,
        "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    );
    ok(CipherList, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    no(CipherList, "TLS_RSA_WITH_RC4_128_MD5", "RC4 is broken");
    no(
        CipherList,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "no forward secrecy",
    );
    no(
        CipherList,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "CBC suites are not AEAD",
    );
    no(CipherList, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DSS");
    no(
        CipherList,
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "DES/3DES",
    );
    ok(UrlPrefix, "https://api.example.com:443/esb");
    ok(UrlPrefix, "http://{hostname}");
    no(UrlPrefix, "api.example.com", "not a URL prefix");
    no(UrlPrefix, "https://api.example.com:x", "not a URL prefix");
    ok(String, "Server");
}

#[test]
fn the_strength_rules_are_the_same_for_files_and_for_values() {
    use wso2_harden::catalog::ValueKind;
    use wso2_harden::formats::Compare;
    for list in [
        "TLSv1.2",
        "TLSv1.2,TLSv1.3",
        "TLSv1,TLSv1.1,TLSv1.2",
        "SSLv3",
        "+TLSv1.2,-TLSv1",
        "all",
        "TLSv1.3 TLSv1.2",
    ] {
        assert_eq!(
            Compare::StrongProtocols.satisfied(list, "TLSv1.2"),
            ValueKind::ProtocolList.validate(list).is_ok(),
            "{list}"
        );
    }
    for list in [
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA",
        "TLS_AES_256_GCM_SHA384",
    ] {
        assert_eq!(
            Compare::StrongCiphers.satisfied(list, "x"),
            ValueKind::CipherList.validate(list).is_ok(),
            "{list}"
        );
    }
}

#[test]
fn policy_example_lists_every_value_and_parses_uncommented() {
    use wso2_harden::policy::{example, Policy};
    let catalog = Catalog::builtin();
    let text = example(catalog);
    for (name, spec) in &catalog.values {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("# {name} = ")))
            .unwrap_or_else(|| panic!("{name} missing from policy --example:\n{text}"));
        if let Some(d) = &spec.default {
            assert!(line.contains(&format!("{d:?}")), "{line}");
        }
        assert!(
            text.contains(&format!("# kind: {}", spec.kind.describe())),
            "{name}: its kind"
        );
        assert!(
            text.contains(&format!("# {}\n", spec.description)),
            "{name}"
        );
    }
    let path = Path::new("wso2-harden.toml");
    Policy::parse(&text, path, catalog).unwrap_or_else(|e| panic!("as printed: {e}"));
    // Every value line uncommented is a valid policy (defaults and examples pass their kinds).
    let (values, nodes) = text.split_once("# Per node").unwrap();
    let uncommented: String = values
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(v)
                if catalog
                    .values
                    .keys()
                    .any(|n| v.starts_with(&format!("{n} = "))) =>
            {
                v
            }
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "# Per node"
        + nodes;
    let policy = Policy::parse(&uncommented, path, catalog).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(policy.values.len(), catalog.values.len());
}
