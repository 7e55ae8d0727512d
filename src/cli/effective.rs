//! `effective`: per node, every TLS listener in the files the product will generate (file,
//! element, port, protocols, ciphers, each with its source) and the effective value of the
//! deployment.toml keys the catalog's patches set. JSON schema `wso2-harden/effective/v1`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use super::render::{homes, model_override};
use super::{EffectiveArgs, EffectiveFormat, CLEAN, ERROR};
use crate::catalog::listeners::{weaknesses, Governors};
use crate::catalog::{Action, Catalog};
use crate::discover::{Model, ProductHome, ProductKind, Version};
use crate::mapper::effective::{listeners, port_offset, Field, Listener, Source};
use crate::mapper::home::{compute, Computed, Done};
use crate::mapper::render::Select;
use crate::mapper::{MapOptions, Mapped};
use crate::plan::display_path;
use crate::render::{mask, Style, BOLD, DIM, RED};

#[derive(Serialize)]
struct Doc {
    schema: &'static str,
    tool_version: &'static str,
    nodes: Vec<NodeDoc>,
}

#[derive(Serialize)]
struct NodeDoc {
    node: String,
    product: ProductKind,
    version: Option<Version>,
    kernel: Option<Version>,
    model: Model,
    /// False when the effective configuration could not be computed (see `reason`).
    computed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The mapper inputs used (`repository/resources/conf`).
    #[serde(skip_serializing_if = "Option::is_none")]
    model_dir: Option<String>,
    errors: Vec<String>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port_offset: Option<Field>,
    listeners: Vec<ListenerDoc>,
    settings: Vec<Setting>,
}

/// A listener with the tool's verdict: what is weak about it, and which patches set it.
#[derive(Serialize)]
struct ListenerDoc {
    #[serde(flatten)]
    listener: Listener,
    /// True when enabled and nothing is weak.
    strong: bool,
    weaknesses: Vec<String>,
    /// The patches that set its protocols and its ciphers from deployment.toml (`null`: no
    /// patch can; `check` reports it as `unmanaged-tls-listener`).
    set_by: SetBy,
}

#[derive(Serialize)]
struct SetBy {
    protocols: Option<String>,
    ciphers: Option<String>,
}

impl SetBy {
    fn describe(&self) -> String {
        match (&self.protocols, &self.ciphers) {
            (Some(p), Some(c)) if p == c => format!("set by {p}"),
            (Some(p), Some(c)) => format!("set by {p}, {c}"),
            (None, None) => "no patch can set it from deployment.toml".into(),
            (Some(p), None) => format!("protocols set by {p}; no patch can set its ciphers"),
            (None, Some(c)) => format!("ciphers set by {c}; no patch can set its protocols"),
        }
    }
}

/// The effective value of a deployment.toml key a patch sets.
#[derive(Serialize)]
struct Setting {
    key: String,
    patches: Vec<String>,
    value: Option<String>,
    source: Source,
}

/// The catalog's deployment.toml keys (with their aliases) and the patches that set them.
fn governed_keys() -> BTreeMap<String, Vec<String>> {
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &Catalog::builtin().patches {
        for t in &p.targets {
            let Action::TomlKey(a) = &t.action else {
                continue;
            };
            for k in std::iter::once(&a.key).chain(&a.aliases) {
                let ids = keys.entry(k.clone()).or_default();
                if !ids.contains(&p.id) {
                    ids.push(p.id.clone());
                }
            }
        }
    }
    keys
}

/// Built once per run: the catalog is the same for every node.
static GOVERNED: std::sync::LazyLock<BTreeMap<String, Vec<String>>> =
    std::sync::LazyLock::new(governed_keys);

fn settings(mapped: &Mapped) -> Vec<Setting> {
    GOVERNED
        .iter()
        .map(|(key, patches)| {
            let (key, patches) = (key.clone(), patches.clone());
            let (value, source) = match mapped.get(&key) {
                Some(e) => (
                    Some(if mask::secret_name(&key) {
                        mask::MASK.to_string()
                    } else {
                        e.value.java_string()
                    }),
                    Source::of_key(mapped, &key),
                ),
                None => (
                    None,
                    Source::RuntimeDefault {
                        note: "not set and no default: the templates see nothing".into(),
                    },
                ),
            };
            Setting {
                key,
                patches,
                value,
                source,
            }
        })
        .collect()
}

fn node_doc(home: &ProductHome, display: String, result: Computed) -> NodeDoc {
    let mut doc = NodeDoc {
        node: display,
        product: home.product,
        version: home.version.exact,
        kernel: home.kernel.exact,
        model: home.model,
        computed: false,
        reason: None,
        model_dir: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        port_offset: None,
        listeners: Vec::new(),
        settings: Vec::new(),
    };
    match result {
        Computed::NotComputed { reason } => doc.reason = Some(reason),
        Computed::Failed { error } => {
            doc.reason = Some(
                "the mapper inputs are unreadable or the product would refuse this configuration"
                    .into(),
            );
            doc.errors.push(error.to_string());
        }
        Computed::Done(done) => {
            let Done {
                model,
                mapped,
                outcome,
            } = *done;
            let (found, problems) = listeners(&mapped, &outcome);
            doc.computed = true;
            doc.model_dir = Some(model.root.display().to_string());
            doc.errors = outcome.errors.iter().map(ToString::to_string).collect();
            doc.warnings = model
                .warnings
                .iter()
                .chain(&mapped.warnings)
                .chain(&outcome.notes)
                .chain(&problems)
                .cloned()
                .collect();
            doc.port_offset = Some(port_offset(&mapped, &outcome));
            let governors = Governors::of(Catalog::builtin(), home);
            doc.listeners = found
                .into_iter()
                .map(|l| {
                    let weak = weaknesses(&l);
                    let g = governors.listener(&l);
                    ListenerDoc {
                        strong: l.enabled && weak.is_empty(),
                        weaknesses: weak,
                        set_by: SetBy {
                            protocols: g.protocols.map(|p| p.id.clone()),
                            ciphers: g.ciphers.map(|p| p.id.clone()),
                        },
                        listener: l,
                    }
                })
                .collect();
            doc.settings = settings(&mapped);
        }
    }
    doc
}

fn field_line(out: &mut String, name: &str, f: &Field, style: Style) {
    let value = f.value.as_deref().unwrap_or("(not set)");
    let _ = writeln!(
        out,
        "      {name:<10} {value:<40} {}",
        style.paint(DIM, &f.source.describe())
    );
}

fn text(doc: &Doc, homes: &[ProductHome], style: Style) -> String {
    let mut out = String::new();
    for (n, home) in doc.nodes.iter().zip(homes) {
        let _ = writeln!(
            out,
            "{} {}",
            style.paint(BOLD, &n.node),
            style.paint(DIM, &format!("({})", home.describe()))
        );
        for e in &n.errors {
            let _ = writeln!(out, "  {} {e}", style.paint(RED, "error"));
        }
        if !n.computed {
            if let Some(r) = &n.reason {
                let _ = writeln!(out, "  effective configuration not computed: {r}");
            }
            out.push('\n');
            continue;
        }
        if let Some(off) = &n.port_offset {
            let _ = writeln!(
                out,
                "  port offset {}  {}",
                off.value.as_deref().unwrap_or("0"),
                style.paint(DIM, &off.source.describe())
            );
        }
        let _ = writeln!(out, "  TLS listeners ({}):", n.listeners.len());
        for d in &n.listeners {
            let l = &d.listener;
            let state = if l.enabled { "" } else { "  [disabled]" };
            let _ = writeln!(out, "    {}:{} {}{state}", l.file, l.line, l.element);
            field_line(&mut out, "port", &l.port, style);
            field_line(&mut out, "protocols", &l.protocols, style);
            field_line(&mut out, "ciphers", &l.ciphers, style);
            if l.enabled {
                let verdict = if d.strong {
                    "strong".to_string()
                } else {
                    format!("weak: {}", d.weaknesses.join("; "))
                };
                let set_by = d.set_by.describe();
                let paint = if d.strong { DIM } else { RED };
                let _ = writeln!(
                    out,
                    "      {:<10} {}  {}",
                    "verdict",
                    style.paint(paint, &verdict),
                    style.paint(DIM, &format!("[{set_by}]"))
                );
            }
        }
        let set: Vec<&Setting> = n.settings.iter().filter(|s| s.value.is_some()).collect();
        let _ = writeln!(
            out,
            "  settings ({} of {} patch keys set):",
            set.len(),
            n.settings.len()
        );
        for s in set {
            let _ = writeln!(
                out,
                "    {} = {}  {} {}",
                s.key,
                s.value.as_deref().unwrap_or(""),
                style.paint(DIM, &format!("[{}]", s.patches.join(", "))),
                style.paint(DIM, &s.source.describe())
            );
        }
        for w in &n.warnings {
            let _ = writeln!(out, "  note: {w}");
        }
        out.push('\n');
    }
    out
}

pub fn run(args: &EffectiveArgs, style: Style) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("current directory")?;
    let mut homes = homes(&args.paths)?;
    let model = model_override(args.model.as_deref())?;
    super::render::inherit_from_model(&mut homes, model.as_deref());
    let opts = MapOptions::default();
    let nodes: Vec<NodeDoc> = homes
        .par_iter()
        .map(|h| {
            let result = compute(h, model.as_deref(), &opts, Select::All, true);
            node_doc(h, display_path(&h.root, &cwd), result)
        })
        .collect();
    let failed = nodes.iter().any(|n| !n.errors.is_empty());
    let doc = Doc {
        schema: "wso2-harden/effective/v1",
        tool_version: env!("CARGO_PKG_VERSION"),
        nodes,
    };
    match args.format {
        EffectiveFormat::Text => print!("{}", text(&doc, &homes, style)),
        EffectiveFormat::Json => println!("{}", serde_json::to_string_pretty(&doc)?),
    }
    for n in &doc.nodes {
        for e in &n.errors {
            eprintln!("{e}");
        }
    }
    Ok(if failed { ERROR } else { CLEAN })
}
