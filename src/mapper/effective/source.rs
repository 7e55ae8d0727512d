//! Where an effective value comes from, for reports and JSON.

use std::path::Path;

use serde::Serialize;

use crate::mapper::origin::{Origin, Provenance};
use crate::mapper::Mapped;

/// The origin of one rendered value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A deployment.toml key (`toml_key` as written, renamed to `key` by key-mappings.json
    /// when they differ).
    DeploymentToml {
        key: String,
        toml_key: String,
        line: u32,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        via: Vec<Source>,
    },
    /// default.json.
    Default {
        key: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        via: Vec<Source>,
    },
    /// Set by infer.json because another key had a value.
    Inferred {
        key: String,
        because: String,
        equals: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        via: Vec<Source>,
    },
    /// Written literally in the template.
    Template { template: String, line: u32 },
    /// Not in the generated file: the component's own default applies.
    RuntimeDefault { note: String },
}

impl Source {
    /// The source of context key `key`, with the sources of the keys `$ref{}` pulled in.
    pub fn of_key(mapped: &Mapped, key: &str) -> Source {
        Self::of_key_depth(mapped, key, 0)
    }

    fn of_key_depth(mapped: &Mapped, key: &str, depth: usize) -> Source {
        let Some(entry) = mapped.get(key) else {
            return Source::Default {
                key: key.to_string(),
                via: Vec::new(),
            };
        };
        let via = if depth < 8 {
            entry
                .prov
                .refs
                .iter()
                .map(|r| Self::of_key_depth(mapped, r, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        Self::from_prov(key, &entry.prov, via)
    }

    fn from_prov(key: &str, prov: &Provenance, via: Vec<Source>) -> Source {
        match &prov.origin {
            Origin::Toml { key: k, line } | Origin::Mapped { from: k, line } => {
                Source::DeploymentToml {
                    key: key.to_string(),
                    toml_key: k.clone(),
                    line: *line,
                    via,
                }
            }
            Origin::Inferred { because, equals } => Source::Inferred {
                key: key.to_string(),
                because: because.clone(),
                equals: equals.clone(),
                via,
            },
            Origin::Default => Source::Default {
                key: key.to_string(),
                via,
            },
        }
    }

    pub fn template(path: &Path, line: u32) -> Source {
        Source::Template {
            template: path.display().to_string(),
            line,
        }
    }

    /// One line: `deployment.toml:12 [apim.wss] ssl_enabled_protocols`, `default.json
    /// broker.transport.amqp.ssl_connection.ssl_enabled_protocols`, …
    pub fn describe(&self) -> String {
        let via = |v: &[Source]| -> String {
            v.iter()
                .map(|s| format!(" ← {}", s.describe()))
                .collect::<String>()
        };
        match self {
            Source::DeploymentToml {
                key,
                toml_key,
                line,
                via: v,
            } => {
                let renamed = if key != toml_key {
                    format!(" (read as {key})")
                } else {
                    String::new()
                };
                format!("deployment.toml:{line} {toml_key}{renamed}{}", via(v))
            }
            Source::Default { key, via: v } => format!("default {key}{}", via(v)),
            Source::Inferred {
                key,
                because,
                equals,
                via: v,
            } => format!("inferred {key} (from {because} = {equals}){}", via(v)),
            Source::Template { template, line } => format!("template {template}:{line}"),
            Source::RuntimeDefault { note } => format!("runtime default ({note})"),
        }
    }
}
