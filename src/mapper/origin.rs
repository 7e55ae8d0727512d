//! Where each value of the mapper's context comes from. Every flattened key carries one
//! `Provenance` through the stages, so `effective` can say "deployment.toml line 12",
//! "default.json", "inferred from server.server_role = gateway-worker" or "via `$ref{…}`".

use serde::Serialize;

use super::value::JValue;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// A key of deployment.toml, as the mapper spells it (dotted, `'quoted'` segments).
    Toml { key: String, line: u32 },
    /// A deployment.toml key that key-mappings.json renamed to this one.
    Mapped { from: String, line: u32 },
    /// Set by infer.json because another key had a given value.
    Inferred { because: String, equals: String },
    /// default.json.
    Default,
}

/// The origin of one context key plus what the later stages did to its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    #[serde(flatten)]
    pub origin: Origin,
    /// Keys whose values `$ref{}` substituted into this one, in resolution order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// `$env{}` / `$sys{}` names the value depends on at start-up.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime: Vec<String>,
    /// The unit unit-resolve.json converted the value to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Provenance {
    pub fn new(origin: Origin) -> Self {
        Provenance {
            origin,
            refs: Vec::new(),
            runtime: Vec::new(),
            unit: None,
        }
    }

    /// One line for reports: `deployment.toml:12 [transport.https] protocols`,
    /// `default.json`, `inferred (server.server_role = gateway-worker)`, plus refs.
    pub fn describe(&self) -> String {
        let mut s = match &self.origin {
            Origin::Toml { key, line } => format!("deployment.toml:{line} `{key}`"),
            Origin::Mapped { from, line } => {
                format!("deployment.toml:{line} `{from}` (renamed by key-mappings.json)")
            }
            Origin::Inferred { because, equals } => {
                format!("inferred (infer.json: `{because}` = {equals})")
            }
            Origin::Default => "default.json".to_string(),
        };
        for r in &self.refs {
            s.push_str(&format!(" via $ref{{{r}}}"));
        }
        for r in &self.runtime {
            s.push_str(&format!(" (depends on {r} at start-up)"));
        }
        s
    }
}

/// One flattened key of the mapper's context.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub value: JValue,
    pub prov: Provenance,
}

impl Entry {
    pub fn new(value: JValue, origin: Origin) -> Self {
        Entry {
            value,
            prov: Provenance::new(origin),
        }
    }
}
