//! The effective configuration of a deployment.toml node, as the plan uses it: what the
//! product will generate from the current deployment.toml (`mapper`), so that a TOML target
//! judges the value the product really uses (a default.json default, an inferred value, a
//! `$ref{}`), every TLS listener in the generated files is seen, and every planned TOML fix is
//! proven by mapping and rendering the planned deployment.toml (`proof`).
//!
//! A node is analysed once per distinct content: the result is cached process-wide by the
//! fingerprint of the mapper inputs (JSON and templates) and the SHA-256 of deployment.toml,
//! so a fleet of identical nodes maps and renders once, and the proof of a planned text once.

mod generated;
mod proof;

pub use generated::Generated;
pub use proof::{Denied, Proven, Why};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::discover::{Model, ProductHome};
use crate::mapper::effective::{listeners, Listener};
use crate::mapper::home::{model_dir_of, read_toml};
use crate::mapper::origin::{Origin, Provenance};
use crate::mapper::render::{render_loaded, Loaded, Select};
use crate::mapper::{map, JValue, MapOptions, Mapped, ModelDir};

/// Where the mapper inputs come from and how to map.
#[derive(Debug, Clone, Default)]
pub struct EffectiveOptions {
    /// `--model HOME`'s inputs, used for every deployment.toml home instead of its own.
    pub model: Option<PathBuf>,
    pub map: MapOptions,
}

/// Whether and how a node's effective configuration was computed.
pub enum NodeEffective {
    /// An XML-generation home: its files are what runs.
    NotToml,
    /// No mapper inputs (a config repository without `--model`): judged on deployment.toml.
    NotComputed { reason: String },
    /// The inputs are unreadable, or the product would refuse the current configuration.
    Failed { reason: String },
    Computed {
        analysis: Arc<Analysis>,
        /// This node's mapper inputs (an analysis may be shared with nodes of equal content).
        model_dir: PathBuf,
    },
}

/// What the reports say about it, once per node (text and JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EffectiveNote {
    pub computed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The mapper inputs used (`repository/resources/conf`, or `--model`'s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_dir: Option<String>,
    /// Templates that could not be rendered, listeners that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A computed node: the mapped context of the current deployment.toml, the TLS listeners of
/// the generated files, and what is needed to prove a planned deployment.toml.
pub struct Analysis {
    model: ModelDir,
    loaded: Loaded,
    pub mapped: Mapped,
    pub listeners: Vec<Listener>,
    pub problems: Vec<String>,
    options: MapOptions,
    /// Proofs of planned texts, by the hash of the planned text and its steps.
    proofs: Mutex<HashMap<[u8; 32], Arc<Proven>>>,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("model", &self.model.root)
            .field("listeners", &self.listeners.len())
            .finish_non_exhaustive()
    }
}

/// A value of the effective configuration, as a rule reads it, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub text: String,
    /// `default.json`, `deployment.toml:12`, `inferred from x = y`, with any `$ref{}`.
    pub source: String,
}

impl NodeEffective {
    pub fn analysis(&self) -> Option<&Analysis> {
        match self {
            NodeEffective::Computed { analysis, .. } => Some(analysis),
            _ => None,
        }
    }

    /// The note for reports (`None` for an XML-generation home).
    pub fn note(&self) -> Option<EffectiveNote> {
        Some(match self {
            NodeEffective::NotToml => return None,
            NodeEffective::NotComputed { reason } | NodeEffective::Failed { reason } => {
                EffectiveNote {
                    computed: false,
                    reason: Some(reason.clone()),
                    ..EffectiveNote::default()
                }
            }
            NodeEffective::Computed {
                analysis,
                model_dir,
            } => EffectiveNote {
                computed: true,
                reason: None,
                model_dir: Some(model_dir.display().to_string()),
                // problems name the model they were found in; say this node's
                problems: (analysis.problems.iter())
                    .map(|p| {
                        p.replace(
                            &*analysis.model.root.to_string_lossy(),
                            &model_dir.to_string_lossy(),
                        )
                    })
                    .collect(),
            },
        })
    }
}

impl Analysis {
    /// The effective value of context key `key`, `None` when neither deployment.toml nor a
    /// default sets it (the templates see nothing).
    pub fn value(&self, key: &str) -> Option<Known> {
        let (v, prov) = self.lookup(key)?;
        Some(Known {
            text: rule_text(v),
            source: brief(prov),
        })
    }

    /// The effective value of a whole array of tables, for `toml-entry`.
    pub fn raw(&self, key: &str) -> Option<&JValue> {
        self.lookup(key).map(|(v, _)| v)
    }

    /// No template reads deployment.toml key `toml_key` (nor the keys key-mappings.json moves
    /// it to), no infer.json rule is keyed by it and no value takes it through `$ref{}`: a
    /// fix writing it cannot reach the generated files.
    pub fn unread(&self, toml_key: &str) -> bool {
        let inputs = &self.model.inputs;
        if inputs.infer.matches(toml_key) {
            return false;
        }
        let targets: Vec<&str> = match inputs.key_mappings.get(toml_key) {
            None => vec![toml_key],
            Some(JValue::Str(t)) => vec![t],
            Some(JValue::List(l)) => l.iter().filter_map(JValue::as_str).collect(),
            Some(_) => Vec::new(),
        };
        if targets.iter().any(|k| self.loaded.read_by_any(k)) {
            return false;
        }
        !self.mapped.ctx.iter().any(|(_, e)| {
            e.prov
                .refs
                .iter()
                .any(|r| r == toml_key || targets.contains(&r.as_str()))
        })
    }

    /// A key's value: its own, or inside a default.json object that a parent key holds
    /// (APIM 3.0 ships `transport.passthru_https.listener.parameters` as one object).
    fn lookup(&self, key: &str) -> Option<(&JValue, &Provenance)> {
        if let Some(e) = self.mapped.get(key) {
            return Some((&e.value, &e.prov));
        }
        let mut cut = key.len();
        while let Some(dot) = key[..cut].rfind('.') {
            cut = dot;
            let Some(parent) = self.mapped.get(&key[..cut]) else {
                continue;
            };
            let mut v = &parent.value;
            for seg in key[cut + 1..].split('.') {
                let JValue::Map(m) = v else { return None };
                v = m.get(seg)?;
            }
            return Some((v, &parent.prov));
        }
        None
    }
}

/// A value as the rules read it: a list of scalars joined by commas (as a template's
/// `|join(',')` prints it), anything else as Java prints it.
pub fn rule_text(v: &JValue) -> String {
    match v {
        JValue::List(items)
            if items
                .iter()
                .all(|i| !matches!(i, JValue::List(_) | JValue::Map(_))) =>
        {
            items
                .iter()
                .map(JValue::java_string)
                .collect::<Vec<_>>()
                .join(",")
        }
        other => other.java_string(),
    }
}

/// Where a value comes from, briefly, for a change or a finding.
pub fn brief(p: &Provenance) -> String {
    let mut s = match &p.origin {
        Origin::Toml { line, .. } => format!("deployment.toml:{line}"),
        Origin::Mapped { from, line } => format!("deployment.toml:{line} {from}"),
        Origin::Inferred { because, equals } => format!("inferred from {because} = {equals}"),
        Origin::Default => "default.json".to_string(),
    };
    for r in &p.refs {
        s.push_str(&format!(" via $ref{{{r}}}"));
    }
    s
}

/// Analyses are kept for this many distinct (inputs, deployment.toml) contents (a fleet of a
/// few configurations shares them; one of all-different nodes keeps memory flat).
const MAX_CACHED: usize = 8;

fn cache() -> &'static Mutex<HashMap<[u8; 32], Arc<Analysis>>> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Arc<Analysis>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The effective configuration of `home`, with the mapper inputs of `model_override` when
/// given (`--model`), else its own.
pub fn analyse(home: &ProductHome, options: &EffectiveOptions) -> NodeEffective {
    let (model_override, opts) = (options.model.as_deref(), &options.map);
    if home.model != Model::Toml {
        return NodeEffective::NotToml;
    }
    let dir: PathBuf = match model_dir_of(home, model_override) {
        Ok(d) => d,
        Err(reason) => return NodeEffective::NotComputed { reason },
    };
    let refused = |e: &dyn std::fmt::Display| NodeEffective::Failed {
        reason: format!("the effective configuration was not computed: {e}"),
    };
    let model = match ModelDir::load(&dir) {
        Ok(m) => m,
        Err(e) => return refused(&e),
    };
    let toml_path = home.conf_path("deployment.toml");
    let text = match read_toml(&toml_path) {
        Ok(t) => t,
        Err(e) => return refused(&e),
    };
    let loaded = Loaded::load(&model);
    let mut hasher = Sha256::new();
    hasher.update(loaded.fingerprint);
    hasher.update(format!("{opts:?}").as_bytes());
    hasher.update(text.as_bytes());
    let key: [u8; 32] = hasher.finalize().into();
    let hit = cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .cloned();
    if let Some(analysis) = hit {
        return NodeEffective::Computed {
            analysis,
            model_dir: dir,
        };
    }
    let mapped = match map(&model, &toml_path, &text, opts) {
        Ok(m) => m,
        Err(e) => {
            return NodeEffective::Failed {
                reason: format!("the product would refuse this configuration ({e}); the effective configuration was not computed"),
            }
        }
    };
    let outcome = render_loaded(&model, &loaded, &mapped, Select::Listeners(&[]), true);
    let (found, mut problems) = listeners(&mapped, &outcome);
    problems.extend(outcome.errors.iter().map(ToString::to_string));
    let analysis = Arc::new(Analysis {
        model,
        loaded,
        mapped,
        listeners: found,
        problems,
        options: opts.clone(),
        proofs: Mutex::new(HashMap::new()),
    });
    let mut c = cache().lock().unwrap_or_else(PoisonError::into_inner);
    if c.len() >= MAX_CACHED {
        c.clear();
    }
    c.insert(key, analysis.clone());
    NodeEffective::Computed {
        analysis,
        model_dir: dir,
    }
}
