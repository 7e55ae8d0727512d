//! What a deployment.toml home generates at its next start: a faithful port of wso2/config-mapper
//! (`ConfigParser.parse`) and its jinjava templates.
//!
//! Stages, in the product's order, each in its own module: `toml` (TomlParser) → `keys`
//! (KeyMapper) → `infer` (ValueInferrer) → `defaults` (DefaultParser) → `refs`
//! (ReferenceResolver) → `units` (UnitResolver) → `validate` (Validator) → `context` +
//! `jinja` (JinjaParser). The context is a Java `HashMap` (`jhashmap`), whose iteration order
//! the stages depend on. Every key carries its `Provenance` (`origin`). `render` renders all or
//! selected templates, optionally traced so each printed value names its key; `effective`
//! finds the TLS listeners in the generated XML.
//!
//! Entry points: [`ModelDir::load`], [`map`], [`render::render`], [`effective::effective`].

mod context;
pub mod defaults;
pub mod effective;
pub mod home;
pub mod infer;
mod javaregex;
pub mod jhashmap;
pub mod jinja;
pub mod keys;
pub mod model;
pub mod origin;
pub mod refs;
pub mod render;
pub mod toml;
pub mod units;
pub mod validate;
pub mod value;

use std::fmt;
use std::path::{Path, PathBuf};

pub use jhashmap::JdkFlavor;
pub use model::{ModelDir, TemplateFile};
pub use origin::{Entry, Origin, Provenance};
pub use refs::Runtime;
pub use value::JValue;

use jhashmap::JHashMap;

/// A located error: the file (deployment.toml, a model file or a template), 1-based line and
/// column when known (0 otherwise), and what the product (or this renderer) says.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct MapError {
    pub path: PathBuf,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (0, _) => write!(f, "{}: {}", self.path.display(), self.message),
            (l, 0) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
        }
    }
}

impl MapError {
    pub fn at(path: &Path, line: u32, col: u32, message: String) -> Self {
        MapError {
            path: path.to_path_buf(),
            line,
            col,
            message,
        }
    }
    pub fn file(path: &Path, message: String) -> Self {
        Self::at(path, 0, 0, message)
    }
}

/// Locates errors at the key's origin: its deployment.toml line, or the model file and line
/// that defines it.
pub struct Locate<'a> {
    toml: &'a Path,
    model: Option<&'a ModelDir>,
}

impl Locate<'_> {
    /// For tests of single stages: errors point at `deployment.toml`.
    pub fn detached() -> Locate<'static> {
        Locate {
            toml: Path::new("deployment.toml"),
            model: None,
        }
    }

    pub fn key(&self, ctx: &JHashMap<Entry>, key: &str, message: String) -> MapError {
        let mut origin = ctx.get(key).map(|e| &e.prov.origin);
        for _ in 0..8 {
            match origin {
                Some(Origin::Toml { line, .. } | Origin::Mapped { line, .. }) => {
                    return MapError::at(self.toml, *line, 1, message)
                }
                Some(Origin::Inferred { because, .. }) => {
                    origin = ctx.get(because).map(|e| &e.prov.origin);
                }
                Some(Origin::Default) => return self.model_key("default.json", key, message),
                None => break,
            }
        }
        MapError::file(self.toml, message)
    }

    pub fn model_key(&self, file: &str, key: &str, message: String) -> MapError {
        match self.model {
            Some(m) => {
                let line = m
                    .inputs
                    .texts
                    .get(file)
                    .and_then(|t| model::line_of_key(t, key))
                    .unwrap_or(0);
                MapError::at(&m.root.join(file), line, u32::from(line > 0), message)
            }
            None => MapError::file(Path::new(file), message),
        }
    }
}

/// How to map.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    pub runtime: Runtime,
    pub jdk: JdkFlavor,
}

/// The mapper's context after validation: every key with its value and provenance.
pub struct Mapped {
    pub ctx: JHashMap<Entry>,
    /// Non-fatal notes (a validator rule this tool cannot check, …).
    pub warnings: Vec<String>,
}

impl Mapped {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.ctx.get(key)
    }

    /// The key's provenance, then that of each key it took a value from through `$ref{}`
    /// (depth-first, each key once).
    pub fn explain(&self, key: &str) -> Vec<(String, Provenance)> {
        let mut out: Vec<(String, Provenance)> = Vec::new();
        let mut stack = vec![key.to_string()];
        while let Some(k) = stack.pop() {
            if out.iter().any(|(seen, _)| *seen == k) || out.len() > 32 {
                continue;
            }
            if let Some(e) = self.ctx.get(&k) {
                stack.extend(e.prov.refs.iter().rev().cloned());
                out.push((k, e.prov.clone()));
            }
        }
        out
    }
}

/// `ConfigParser.parse` up to the templates: deployment.toml text → validated context.
pub fn map(
    model: &ModelDir,
    toml_path: &Path,
    toml_text: &str,
    opts: &MapOptions,
) -> Result<Mapped, MapError> {
    let loc = Locate {
        toml: toml_path,
        model: Some(model),
    };
    let inputs = &model.inputs;
    let flat = toml::flatten(toml_text, toml_path)?;
    let mut ctx = JHashMap::new(opts.jdk);
    ctx.extend(flat.entries);
    keys::map_keys(&mut ctx, &inputs.key_mappings, &loc)?;
    infer::infer(&mut ctx, &inputs.infer, &loc)?;
    defaults::add_defaults(&mut ctx, &inputs.defaults);
    refs::resolve(&mut ctx, &flat.secrets, &opts.runtime, &loc)?;
    units::resolve_units(&mut ctx, &inputs.units, &loc)?;
    let mut warnings = Vec::new();
    validate::validate(&ctx, &inputs.validator, &loc, &mut warnings)?;
    if ctx.treeified() {
        warnings.push(
            "the context has a HashMap bucket of 8+ keys: Java orders such a bucket as a tree, \
             so attribute order (not values) may differ from the product's"
                .into(),
        );
    }
    for (k, e) in ctx.iter() {
        for r in &e.prov.runtime {
            warnings.push(format!(
                "`{k}` depends on {r}, resolved only when the server starts"
            ));
        }
    }
    Ok(Mapped { ctx, warnings })
}
