//! How a current value is compared with the desired one, and the one definition of a
//! "strong" TLS protocol and cipher suite (used both to keep strong settings and to refuse
//! weak values a user gives).

/// How a current value is compared with the desired one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// Compliant only when equal (after trimming); an absent setting is added.
    #[default]
    Equal,
    /// Numeric: compliant when the current value is at least the desired one (never lower it).
    AtLeast,
    /// Like `Equal`, but an absent setting is left absent.
    OnlyIfPresent,
    /// Any present value complies; an absent one gets the default. A value given explicitly
    /// (`--set`, policy) is enforced as `Equal` by the planner.
    DefaultIfAbsent,
    /// A TLS protocol list complies when it enables only TLSv1.2 and/or TLSv1.3 (so a hardened
    /// `TLSv1.2,TLSv1.3` is kept); an explicit value is enforced as `Equal`.
    StrongProtocols,
    /// A cipher list complies when every suite has forward secrecy and AEAD (ECDHE/DHE with
    /// GCM or ChaCha20-Poly1305, or a TLS 1.3 suite); an explicit value is enforced as `Equal`.
    StrongCiphers,
}

impl Compare {
    pub fn satisfied(self, current: &str, desired: &str) -> bool {
        let (current, desired) = (current.trim(), desired.trim());
        match self {
            Compare::Equal | Compare::OnlyIfPresent => current == desired,
            Compare::DefaultIfAbsent => !current.is_empty(),
            Compare::StrongProtocols => strong_protocols(current),
            Compare::StrongCiphers => strong_ciphers(current),
            Compare::AtLeast => match (current.parse::<u64>(), desired.parse::<u64>()) {
                (Ok(c), Ok(d)) => c >= d,
                _ => current == desired,
            },
        }
    }

    /// Rules that yield to a value the user gave explicitly.
    pub fn relaxed(self) -> bool {
        matches!(
            self,
            Compare::DefaultIfAbsent | Compare::StrongProtocols | Compare::StrongCiphers
        )
    }

    /// The rule in force: a relaxed rule becomes `Equal` when the user gave the value.
    pub fn given(self, explicit: bool) -> Compare {
        if explicit && self.relaxed() {
            Compare::Equal
        } else {
            self
        }
    }
}

/// The entries of a Tomcat/JSSE protocol list: `TLSv1.2`, `+TLSv1.2,+TLSv1.3`,
/// `TLSv1.2+TLSv1.3`. A `-` (disable) entry keeps its sign.
pub fn protocol_tokens(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ' ', '\t'])
        .flat_map(|part| part.split('+'))
        .filter(|t| !t.is_empty())
}

/// Why one entry of a protocol list is not strong; `None` for TLSv1.2 and TLSv1.3.
pub fn protocol_weakness(token: &str) -> Option<&'static str> {
    let t = token.trim();
    if t.eq_ignore_ascii_case("TLSv1.2") || t.eq_ignore_ascii_case("TLSv1.3") {
        return None;
    }
    let upper = t.to_ascii_uppercase();
    Some(if t.contains('-') {
        "a disabling (-) entry is not judged; list only the protocols to enable (TLSv1.2, TLSv1.3)"
    } else if upper.starts_with("SSL") {
        "SSL is broken (POODLE, DROWN); only TLSv1.2 and TLSv1.3 are allowed"
    } else if upper == "TLSV1" || upper == "TLSV1.0" || upper == "TLSV1.1" {
        "TLS 1.0 and 1.1 are deprecated (RFC 8996); only TLSv1.2 and TLSv1.3 are allowed"
    } else {
        "not a strong TLS protocol; only TLSv1.2 and TLSv1.3 are allowed"
    })
}

/// A list enables only TLSv1.2 and/or TLSv1.3. `all` or any `-` entry does not comply.
fn strong_protocols(list: &str) -> bool {
    let mut tokens = protocol_tokens(list).peekable();
    tokens.peek().is_some() && tokens.all(|t| protocol_weakness(t).is_none())
}

/// The suites of a cipher list: IANA (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) or OpenSSL
/// (`ECDHE-RSA-AES128-GCM-SHA256`) names, separated by `,`, `:` or blanks.
pub fn cipher_suites(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ':', ' ', '\t']).filter(|t| !t.is_empty())
}

/// Why one cipher suite is not strong; `None` for a forward-secret AEAD suite (ECDHE/DHE with
/// GCM or ChaCha20-Poly1305) or a TLS 1.3 suite.
pub fn cipher_weakness(suite: &str) -> Option<&'static str> {
    const TLS13: [&str; 4] = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_SHA256",
    ];
    const WEAK: [(&str, &str); 9] = [
        ("ANON", "anonymous suites authenticate nobody"),
        ("NULL", "NULL suites do not encrypt"),
        ("EXPORT", "export-grade suites are breakable"),
        ("RC4", "RC4 is broken (crypto-analytical attacks)"),
        ("DES", "DES/3DES are deprecated"),
        ("MD5", "MD5 has known collision attacks"),
        (
            "CBC",
            "CBC suites are not AEAD (GCM is recommended over CBC)",
        ),
        ("_DSS_", "DSS is limited to 1024-bit keys"),
        ("-DSS-", "DSS is limited to 1024-bit keys"),
    ];
    let u = suite.trim().to_ascii_uppercase();
    if TLS13.contains(&u.as_str()) {
        return None;
    }
    if let Some((_, why)) = WEAK.iter().find(|(w, _)| u.contains(w)) {
        return Some(why);
    }
    let pfs = u.starts_with("TLS_ECDHE_")
        || u.starts_with("TLS_DHE_RSA_")
        || u.starts_with("ECDHE-")
        || u.starts_with("DHE-RSA-");
    if !pfs {
        return Some("no forward secrecy (only ECDHE or DHE key exchange has it)");
    }
    let aead =
        u.contains("GCM") || u.contains("CHACHA20_POLY1305") || u.contains("CHACHA20-POLY1305");
    if !aead {
        return Some("not an AEAD cipher (GCM or ChaCha20-Poly1305)");
    }
    None
}

/// Every suite of the list is strong.
fn strong_ciphers(list: &str) -> bool {
    let mut suites = cipher_suites(list).peekable();
    suites.peek().is_some() && suites.all(|s| cipher_weakness(s).is_none())
}

#[cfg(test)]
mod tests {
    use super::Compare;

    #[test]
    fn strong_tls_lists() {
        let p = Compare::StrongProtocols;
        for ok in [
            "TLSv1.2",
            "TLSv1.2,TLSv1.3",
            "+TLSv1.2,+TLSv1.3",
            "TLSv1.2+TLSv1.3",
            "TLSv1.3",
        ] {
            assert!(p.satisfied(ok, "TLSv1.2"), "{ok}");
        }
        for weak in [
            "",
            "TLSv1,TLSv1.1,TLSv1.2",
            "+TLSv1,+TLSv1.1,+TLSv1.2",
            "all",
            "+TLSv1.2,-TLSv1",
            "SSLv3",
        ] {
            assert!(!p.satisfied(weak, "TLSv1.2"), "{weak}");
        }
        let c = Compare::StrongCiphers;
        assert!(c.satisfied("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "x"));
        assert!(c.satisfied(
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
            "x"
        ));
        for weak in [
            "",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA",
        ] {
            assert!(!c.satisfied(weak, "x"), "{weak}");
        }
    }

    #[test]
    fn at_least_never_lowers() {
        assert!(Compare::AtLeast.satisfied("128", "32"));
        assert!(Compare::AtLeast.satisfied(" 32 ", "32"));
        assert!(!Compare::AtLeast.satisfied("16", "32"));
        assert!(!Compare::AtLeast.satisfied("x", "32"));
        assert!(Compare::Equal.satisfied(" TLSv1.2", "TLSv1.2"));
        assert!(!Compare::Equal.satisfied("TLSv1,TLSv1.2", "TLSv1.2"));
        assert!(Compare::DefaultIfAbsent.satisfied("20MB", "10MB"));
        assert!(!Compare::DefaultIfAbsent.satisfied(" ", "10MB"));
    }
}
