//! Never weaker: how a setting that does not comply is fixed. A TLS protocol or cipher list
//! is fixed by removing its weak entries and keeping the strong ones in the list's own syntax
//! (separators, `+` signs, order); only a list with nothing strong left is written from
//! scratch, with TLS 1.3 where the product's runtime is known to support it. Every action
//! asks [`Compare::fix`] for the value to write, so the rule lives here once.

use super::compare::{cipher_weakness, protocol_weakness, Compare};

/// The TLS 1.3 suites written when TLS 1.3 is enabled: every JDK with TLS 1.3 knows them
/// (ChaCha20 came later, so it is kept where present but never added).
pub const TLS13_SUITES: [&str; 2] = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"];

/// What the home's runtime is known to support (`discover::runtime` decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRuntime {
    /// The JVM the product starts on supports TLS 1.3 (JDK 11 or later).
    pub tls13: bool,
    /// Why TLS 1.3 is not assumed; shown wherever a list is written without it.
    pub why_not: String,
}

impl Default for TlsRuntime {
    fn default() -> Self {
        TlsRuntime {
            tls13: false,
            why_not: "the Java version is unknown".into(),
        }
    }
}

/// The value an action writes, with a note for the report (a conservative choice it made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub value: String,
    pub note: Option<String>,
}

impl Fixed {
    fn plain(value: impl Into<String>) -> Fixed {
        Fixed {
            value: value.into(),
            note: None,
        }
    }
}

/// The protocols enabled beside a cipher list, which decide whether it needs a TLS 1.3 suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sibling<'a> {
    /// The target names no protocol setting.
    None,
    /// The current value of the listener's protocol setting (`None`: absent).
    Protocols(Option<&'a str>),
}

impl Compare {
    /// The value to write over `current` (`None`: the setting is absent), or `None` when it
    /// complies. `desired` is the target's value; a value the user gave explicitly arrives
    /// here as `Equal` (see `Compare::given`) and is written as given.
    pub fn fix(
        self,
        current: Option<&str>,
        desired: &str,
        runtime: &TlsRuntime,
        sibling: Sibling,
    ) -> Option<Fixed> {
        let set = || Some(Fixed::plain(desired));
        match self {
            Compare::Equal => match current {
                Some(c) if self.satisfied(c, desired) => None,
                _ => set(),
            },
            Compare::OnlyIfPresent => match current {
                Some(c) if !self.satisfied(c, desired) => set(),
                _ => None,
            },
            Compare::AtLeast | Compare::DefaultIfAbsent => match current {
                Some(c) if self.satisfied(c, desired) => None,
                _ => set(),
            },
            Compare::StrongProtocols => fix_protocols(present(current), desired, runtime),
            Compare::StrongCiphers => fix_ciphers(present(current), desired, runtime, sibling),
        }
    }
}

fn present(current: Option<&str>) -> Option<&str> {
    current.map(str::trim).filter(|c| !c.is_empty())
}

fn fix_protocols(current: Option<&str>, desired: &str, rt: &TlsRuntime) -> Option<Fixed> {
    if let Some(c) = current {
        if Compare::StrongProtocols.satisfied(c, desired) {
            return None;
        }
        if let Some(kept) = strengthen(c, Kind::Protocols) {
            return Some(Fixed::plain(kept));
        }
    }
    Some(protocols_from_scratch(desired, rt))
}

/// `desired` (`TLSv1.2`), plus TLSv1.3 when the runtime supports it.
fn protocols_from_scratch(desired: &str, rt: &TlsRuntime) -> Fixed {
    let desired = desired.trim();
    if has_tls13(desired) {
        return Fixed::plain(desired);
    }
    if !rt.tls13 {
        return Fixed {
            value: desired.to_string(),
            note: Some(format!("TLSv1.3 not added: {}", rt.why_not)),
        };
    }
    let plus = entries(desired, Kind::Protocols)
        .first()
        .is_some_and(|e| e.sign == "+");
    let sep = if plus { ",+" } else { "," };
    Fixed::plain(format!("{desired}{sep}TLSv1.3"))
}

fn fix_ciphers(
    current: Option<&str>,
    desired: &str,
    rt: &TlsRuntime,
    sibling: Sibling,
) -> Option<Fixed> {
    // TLS 1.3 needs one of its suites in the list, or it is never negotiated.
    let needs13 = match sibling {
        Sibling::None => false,
        Sibling::Protocols(p) => protocols_will_have_tls13(p, rt),
    };
    if let Some(c) = current {
        let kept = if Compare::StrongCiphers.satisfied(c, desired) {
            Some(c.to_string())
        } else {
            strengthen(c, Kind::Ciphers)
        };
        if let Some(kept) = kept {
            let with13 = if needs13 {
                add_tls13_suites(&kept)
            } else {
                kept
            };
            return (with13 != c).then(|| Fixed::plain(with13));
        }
    }
    let desired = desired.trim();
    let from_scratch13 = needs13 || (sibling == Sibling::None && rt.tls13);
    if from_scratch13 {
        return Some(Fixed::plain(add_tls13_suites(desired)));
    }
    let note = (!rt.tls13 && !has_tls13_suite(desired))
        .then(|| format!("TLS 1.3 suites not added: {}", rt.why_not));
    Some(Fixed {
        value: desired.to_string(),
        note,
    })
}

/// Whether the protocol list beside a cipher list enables TLS 1.3 once the protocol rule has
/// run on it (a strong list is kept, a weak one keeps its strong entries, an absent or
/// hopeless one is written from scratch).
fn protocols_will_have_tls13(current: Option<&str>, rt: &TlsRuntime) -> bool {
    match present(current) {
        Some(c) if Compare::StrongProtocols.satisfied(c, "") => has_tls13(c),
        Some(c) => strengthen(c, Kind::Protocols).map_or(rt.tls13, |s| has_tls13(&s)),
        None => rt.tls13,
    }
}

/// The list enables TLS 1.3.
pub fn has_tls13(list: &str) -> bool {
    entries(list, Kind::Protocols)
        .iter()
        .any(|e| e.sign != "-" && e.name.eq_ignore_ascii_case("TLSv1.3"))
}

/// The cipher list holds a TLS 1.3 suite.
pub fn has_tls13_suite(list: &str) -> bool {
    entries(list, Kind::Ciphers).iter().any(|e| {
        let n = e.name.to_ascii_uppercase();
        n.starts_with("TLS_AES_") || n.starts_with("TLS_CHACHA20_")
    })
}

/// Appends the TLS 1.3 suites to a cipher list that has none, in its own separator.
fn add_tls13_suites(list: &str) -> String {
    if has_tls13_suite(list) {
        return list.to_string();
    }
    let sep = entries(list, Kind::Ciphers)
        .get(1)
        .map_or(",", |e| e.sep)
        .to_string();
    let mut out = list.to_string();
    for suite in TLS13_SUITES {
        if !out.is_empty() {
            out.push_str(&sep);
        }
        out.push_str(suite);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Protocols,
    Ciphers,
}

/// One entry of a list: the separator before it, its sign (`+`, `-`, `!`) and its name.
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    sep: &'a str,
    sign: &'a str,
    name: &'a str,
}

/// Splits a list into entries, keeping every separator (`TLSv1.2+TLSv1.3` is two entries, the
/// second with sign `+` and no separator).
fn entries(list: &str, kind: Kind) -> Vec<Entry<'_>> {
    let is_sep = |c: char| match kind {
        Kind::Protocols => c == ',' || c.is_whitespace(),
        Kind::Ciphers => c == ',' || c == ':' || c.is_whitespace(),
    };
    let is_sign = |c: char| matches!(c, '+' | '-' | '!');
    let take = |s: &str, f: &dyn Fn(char) -> bool| s.find(|c: char| !f(c)).unwrap_or(s.len());
    let mut out = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        let s = take(rest, &is_sep);
        let (sep, r) = rest.split_at(s);
        let g = take(r, &is_sign);
        let (sign, r) = r.split_at(g);
        let n = take(r, &|c| !is_sep(c) && c != '+');
        let (name, r) = r.split_at(n);
        if !name.is_empty() {
            out.push(Entry { sep, sign, name });
        }
        if r.len() == rest.len() {
            break;
        }
        rest = r;
    }
    out
}

/// The list without its weak entries, in its own syntax; `None` when nothing strong is left.
fn strengthen(list: &str, kind: Kind) -> Option<String> {
    let all = entries(list.trim(), kind);
    let default_sep = all.get(1).map_or(",", |e| e.sep);
    let kept: Vec<Entry> = all
        .into_iter()
        .filter(|e| match kind {
            Kind::Protocols => {
                e.sign != "-" && e.sign != "!" && protocol_weakness(e.name).is_none()
            }
            Kind::Ciphers => e.sign.is_empty() && cipher_weakness(e.name).is_none(),
        })
        .collect();
    let mut out = String::new();
    for (i, e) in kept.iter().enumerate() {
        if i > 0 {
            out.push_str(if e.sep.is_empty() && e.sign.is_empty() {
                default_sep
            } else {
                e.sep
            });
        }
        out.push_str(e.sign);
        out.push_str(e.name);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests;
