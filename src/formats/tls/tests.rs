use super::*;

fn rt(tls13: bool) -> TlsRuntime {
    TlsRuntime {
        tls13,
        why_not: "bin/wso2server.sh starts on JDK 8".into(),
    }
}

fn protocols(current: Option<&str>, tls13: bool) -> Option<String> {
    Compare::StrongProtocols
        .fix(current, "TLSv1.2", &rt(tls13), Sibling::None)
        .map(|f| f.value)
}

const GCM: &str = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

#[test]
fn protocol_lists_lose_weak_entries_in_their_own_syntax() {
    for (before, after) in [
        ("+TLSv1,+TLSv1.1,+TLSv1.2,+TLSv1.3", "+TLSv1.2,+TLSv1.3"),
        ("TLSv1,TLSv1.1,TLSv1.2", "TLSv1.2"),
        ("TLSv1, TLSv1.1, TLSv1.2, TLSv1.3", "TLSv1.2, TLSv1.3"),
        ("SSLv3,tlsv1,TLSv1.2", "TLSv1.2"),
        ("+TLSv1.1+TLSv1.2", "+TLSv1.2"),
        ("TLSv1.2+TLSv1.3+TLSv1", "TLSv1.2+TLSv1.3"),
        ("all,-TLSv1.2,TLSv1.3", "TLSv1.3"),
        ("+SSLv2Hello,+TLSv1.3", "+TLSv1.3"),
    ] {
        assert_eq!(
            protocols(Some(before), true).as_deref(),
            Some(after),
            "{before}"
        );
        // The runtime matters only for a list written from scratch.
        assert_eq!(
            protocols(Some(before), false).as_deref(),
            Some(after),
            "{before}"
        );
    }
}

#[test]
fn strong_protocol_lists_are_kept_tls13_included() {
    for strong in [
        "TLSv1.2",
        "TLSv1.3",
        "+TLSv1.2,+TLSv1.3",
        "TLSv1.2, TLSv1.3",
    ] {
        assert_eq!(protocols(Some(strong), false), None, "{strong}");
        assert_eq!(protocols(Some(strong), true), None, "{strong}");
    }
}

#[test]
fn hopeless_or_absent_protocol_lists_are_written_from_scratch() {
    for weak in [
        None,
        Some(""),
        Some("TLSv1"),
        Some("SSLv3,TLSv1.1"),
        Some("all"),
    ] {
        assert_eq!(protocols(weak, true).as_deref(), Some("TLSv1.2,TLSv1.3"));
        let f = Compare::StrongProtocols
            .fix(weak, "TLSv1.2", &rt(false), Sibling::None)
            .unwrap();
        assert_eq!(f.value, "TLSv1.2");
        assert_eq!(
            f.note.as_deref(),
            Some("TLSv1.3 not added: bin/wso2server.sh starts on JDK 8")
        );
    }
    let plus = Compare::StrongProtocols.fix(None, "+TLSv1.2", &rt(true), Sibling::None);
    assert_eq!(plus.unwrap().value, "+TLSv1.2,+TLSv1.3");
}

#[test]
fn explicit_values_are_enforced_as_given() {
    let c = Compare::StrongProtocols.given(true);
    let f = c.fix(Some("TLSv1.2,TLSv1.3"), "TLSv1.2", &rt(true), Sibling::None);
    assert_eq!(f.unwrap().value, "TLSv1.2");
    assert_eq!(
        c.fix(Some("TLSv1.2"), "TLSv1.2", &rt(true), Sibling::None),
        None
    );
}

fn ciphers(current: Option<&str>, tls13: bool, sibling: Sibling) -> Option<String> {
    Compare::StrongCiphers
        .fix(current, GCM, &rt(tls13), sibling)
        .map(|f| f.value)
}

#[test]
fn cipher_lists_keep_only_forward_secret_aead_suites() {
    let list = "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    assert_eq!(
        ciphers(Some(list), true, Sibling::None).as_deref(),
        Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")
    );
    let openssl = "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305";
    assert_eq!(
        ciphers(Some(openssl), false, Sibling::None).as_deref(),
        Some("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305")
    );
    // A strong custom list is kept, ChaCha20 and TLS 1.3 suites included.
    let strong = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_CHACHA20_POLY1305_SHA256";
    assert_eq!(ciphers(Some(strong), true, Sibling::None), None);
}

#[test]
fn hopeless_cipher_lists_are_written_from_scratch() {
    assert_eq!(
        ciphers(Some("TLS_RSA_WITH_RC4_128_MD5"), false, Sibling::None).as_deref(),
        Some(GCM)
    );
    assert_eq!(
        ciphers(None, true, Sibling::None).as_deref(),
        Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384")
    );
    let f = Compare::StrongCiphers
        .fix(Some("HIGH:!aNULL"), GCM, &rt(false), Sibling::None)
        .unwrap();
    assert_eq!(f.value, GCM);
    assert!(f.note.unwrap().starts_with("TLS 1.3 suites not added"));
}

#[test]
fn tls13_protocols_need_a_tls13_suite() {
    let with13 = Sibling::Protocols(Some("+TLSv1,+TLSv1.2,+TLSv1.3"));
    // Even on an unknown runtime: the protocol list already names TLS 1.3, so the JVM knows it.
    assert_eq!(
        ciphers(Some(GCM), false, with13).as_deref(),
        Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384")
    );
    let colon = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    assert_eq!(
        ciphers(Some(colon), false, with13).as_deref(),
        Some("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384")
    );
    // TLS 1.2 only beside it (kept as is): a strong list stays untouched.
    assert_eq!(
        ciphers(Some(GCM), true, Sibling::Protocols(Some("TLSv1.2"))),
        None
    );
    // Protocols written from scratch on a TLS 1.3 runtime: the suites come with them.
    assert!(ciphers(Some(GCM), true, Sibling::Protocols(None))
        .unwrap()
        .ends_with("TLS_AES_256_GCM_SHA384"));
    assert_eq!(ciphers(Some(GCM), false, Sibling::Protocols(None)), None);
    // Already there: nothing to do.
    let both = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384";
    assert_eq!(ciphers(Some(both), true, with13), None);
}

#[test]
fn other_rules_keep_their_meaning() {
    let r = rt(false);
    let fix =
        |c: Compare, cur: Option<&str>, d: &str| c.fix(cur, d, &r, Sibling::None).map(|f| f.value);
    assert_eq!(fix(Compare::AtLeast, Some("128"), "32"), None);
    assert_eq!(
        fix(Compare::AtLeast, Some("16"), "32").as_deref(),
        Some("32")
    );
    assert_eq!(fix(Compare::AtLeast, None, "32").as_deref(), Some("32"));
    assert_eq!(fix(Compare::OnlyIfPresent, None, "false"), None);
    assert_eq!(
        fix(Compare::OnlyIfPresent, Some(""), "false").as_deref(),
        Some("false")
    );
    assert_eq!(fix(Compare::Equal, Some(" x "), "x"), None);
    assert_eq!(fix(Compare::DefaultIfAbsent, Some("20MB"), "10MB"), None);
    assert_eq!(
        fix(Compare::DefaultIfAbsent, None, "10MB").as_deref(),
        Some("10MB")
    );
}
