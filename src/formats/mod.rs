//! Format-preserving editors. Each keeps every byte outside its edit; `text` handles the
//! encoding layer (BOM, UTF-8 or single-byte) shared by all of them.

pub mod error;
pub mod properties;
pub mod script;
pub mod text;
pub mod toml;
pub mod xml;

pub use error::ParseError;

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
}

impl Compare {
    /// Rules that yield to a value the user gave explicitly.
    pub fn relaxed(self) -> bool {
        matches!(
            self,
            Compare::DefaultIfAbsent | Compare::StrongProtocols | Compare::StrongCiphers
        )
    }
}

/// Tomcat/JSSE protocol lists: `TLSv1.2`, `+TLSv1.2,+TLSv1.3`, `TLSv1.2+TLSv1.3`. A `-`
/// (disable) entry or `all` is not judged and does not comply.
fn strong_protocols(list: &str) -> bool {
    let tokens: Vec<&str> = list
        .split([',', ' ', '\t'])
        .flat_map(|part| part.split('+'))
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty()
        && !list.contains('-')
        && tokens
            .iter()
            .all(|t| t.eq_ignore_ascii_case("TLSv1.2") || t.eq_ignore_ascii_case("TLSv1.3"))
}

/// IANA (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) or OpenSSL (`ECDHE-RSA-AES128-GCM-SHA256`)
/// names; every suite must be strong.
fn strong_ciphers(list: &str) -> bool {
    const TLS13: [&str; 4] = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_SHA256",
    ];
    let strong = |s: &str| {
        let u = s.to_ascii_uppercase();
        let aead =
            u.contains("GCM") || u.contains("CHACHA20_POLY1305") || u.contains("CHACHA20-POLY1305");
        let pfs = u.starts_with("TLS_ECDHE_")
            || u.starts_with("TLS_DHE_RSA_")
            || u.starts_with("ECDHE-")
            || u.starts_with("DHE-RSA-");
        let weak = [
            "ANON", "NULL", "EXPORT", "RC4", "DES", "MD5", "CBC", "_DSS_", "-DSS-",
        ]
        .iter()
        .any(|w| u.contains(w));
        TLS13.contains(&u.as_str()) || (aead && pfs && !weak)
    };
    let suites: Vec<&str> = list
        .split([',', ':', ' ', '\t'])
        .filter(|t| !t.is_empty())
        .collect();
    !suites.is_empty() && suites.iter().all(|s| strong(s))
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
