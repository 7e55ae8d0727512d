//! Which patch sets each TLS listener a deployment.toml home generates: the one listener →
//! patch correspondence, derived from the catalog's data rather than written per listener.
//!
//! `effective` traces every value of a generated listener to the context key that printed
//! it (`mapper::effective::Source`). A listener's protocols are governed by a patch whose
//! deployment.toml target judges that key as a protocol list (`compare = "strong-protocols"`:
//! `toml-key` by its key or an alias, `toml-each` by its array); its ciphers by a target
//! judging that key as a cipher list, or, when the file prints no cipher list at all, by a
//! cipher target whose `protocols` names the listener's protocol key (it adds the list
//! next to them). Only targets whose `when` holds for the home count. A listener with a value
//! no such target governs (a literal in a template, a runtime default no key can set, a key
//! no patch writes) is one no patch can set: the `unmanaged-tls-listener` finding.

use crate::catalog::{Action, Catalog, Patch};
use crate::discover::ProductHome;
use crate::formats::Compare;
use crate::mapper::effective::{Field, Listener, Source};

/// One deployment.toml target that sets a TLS list.
struct Governor<'c> {
    patch: &'c Patch,
    /// Context keys it writes: a `toml-key`'s key and aliases, a `toml-each`'s array.
    keys: Vec<&'c str>,
    /// For a cipher target: the protocol keys of its listener (`protocols`; for `toml-each`
    /// the array, since its entries are traced as a whole).
    protocols: Vec<&'c str>,
}

/// The protocol and cipher governors of one home.
pub struct Governors<'c> {
    protocols: Vec<Governor<'c>>,
    ciphers: Vec<Governor<'c>>,
}

/// Who sets a listener's protocols and ciphers (`None`: no patch can).
#[derive(Debug, Clone, Copy)]
pub struct Governed<'c> {
    pub protocols: Option<&'c Patch>,
    pub ciphers: Option<&'c Patch>,
}

impl Governed<'_> {
    pub fn fully(&self) -> bool {
        self.protocols.is_some() && self.ciphers.is_some()
    }

    /// The patch ids, without repeats (`["tls-protocols", "tls-ciphers"]`).
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for p in [self.protocols, self.ciphers].into_iter().flatten() {
            if !ids.contains(&p.id.as_str()) {
                ids.push(&p.id);
            }
        }
        ids
    }
}

/// The context key a value was printed from (`None`: a template literal or a runtime default).
pub fn source_key(f: &Field) -> Option<&str> {
    match &f.source {
        Source::DeploymentToml { key, .. }
        | Source::Default { key, .. }
        | Source::Inferred { key, .. } => Some(key),
        Source::Template { .. } | Source::RuntimeDefault { .. } => None,
    }
}

impl<'c> Governors<'c> {
    /// The targets of `catalog` that apply to `home` and set a TLS list in deployment.toml.
    pub fn of(catalog: &'c Catalog, home: &ProductHome) -> Governors<'c> {
        let mut g = Governors {
            protocols: Vec::new(),
            ciphers: Vec::new(),
        };
        for patch in &catalog.patches {
            for t in patch.targets.iter().filter(|t| t.when.holds(home)) {
                let (compare, keys, protocols): (Compare, Vec<&str>, Vec<&str>) = match &t.action {
                    Action::TomlKey(a) => (
                        a.compare,
                        std::iter::once(a.key.as_str())
                            .chain(a.aliases.iter().map(String::as_str))
                            .collect(),
                        a.protocols.iter().map(String::as_str).collect(),
                    ),
                    Action::TomlEach(a) => (a.compare, vec![&a.array], vec![&a.array]),
                    _ => continue,
                };
                let governor = Governor {
                    patch,
                    keys,
                    protocols,
                };
                match compare {
                    Compare::StrongProtocols => g.protocols.push(governor),
                    Compare::StrongCiphers => g.ciphers.push(governor),
                    _ => {}
                }
            }
        }
        g
    }

    /// Who sets `l`'s protocols and ciphers.
    pub fn listener(&self, l: &Listener) -> Governed<'c> {
        let writes = |gs: &[Governor<'c>], key: &str| {
            gs.iter().find(|g| g.keys.contains(&key)).map(|g| g.patch)
        };
        let pkey = source_key(&l.protocols);
        let protocols = pkey.and_then(|k| writes(&self.protocols, k));
        let ciphers = match source_key(&l.ciphers) {
            Some(k) => writes(&self.ciphers, k),
            // no cipher list printed: a cipher target of this listener's protocols adds one
            None if l.ciphers.value.is_none() => pkey.and_then(|p| {
                self.ciphers
                    .iter()
                    .find(|g| g.protocols.contains(&p))
                    .map(|g| g.patch)
            }),
            None => None,
        };
        Governed { protocols, ciphers }
    }
}

/// What makes an enabled listener weak (empty: strong, or disabled): a protocol other than
/// TLS 1.2/1.3, a suite that is not forward-secret AEAD, or a list the file does not set
/// (the component's defaults, which include TLS 1.0/1.1 or CBC suites on most JDKs).
pub fn weaknesses(l: &Listener) -> Vec<String> {
    use crate::formats::{cipher_suites, cipher_weakness, protocol_tokens, protocol_weakness};
    let mut out = Vec::new();
    if !l.enabled {
        return out;
    }
    match l.protocols.value.as_deref().map(str::trim) {
        None | Some("") => out.push("no protocol list (the component's defaults)".to_string()),
        Some(p) => out.extend(
            protocol_tokens(p)
                .filter_map(|t| protocol_weakness(t).map(|w| format!("{t}: {w}")))
                .take(1),
        ),
    }
    match l.ciphers.value.as_deref().map(str::trim) {
        None | Some("") => out.push("no cipher list (the component's defaults)".to_string()),
        Some(c) => {
            let weak: Vec<&str> = cipher_suites(c)
                .filter(|s| cipher_weakness(s).is_some())
                .collect();
            if let Some(first) = weak.first() {
                let why = cipher_weakness(first).unwrap_or_default();
                out.push(format!("{} weak suite(s), e.g. {first}: {why}", weak.len()));
            }
        }
    }
    out
}
