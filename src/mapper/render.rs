//! Rendering a mapped context through a model's templates: all of them, named ones, or only
//! those that read given keys (the fast path: a check needs only the files holding a governed
//! setting or a listener). A traced render also says, for each value printed from the context,
//! which flat key it came from.

use std::fs;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::jinja::{self, Prepared};
use super::{context, MapError, Mapped, ModelDir, TemplateFile};

/// Which templates to render.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    All,
    /// These generated files (`repository/conf/tomcat/catalina-server.xml`).
    Files(&'a [&'a str]),
    /// The templates that read any of these context keys or a key below or above them
    /// (`transport.https` selects a template reading `transport.https.properties`).
    Reading(&'a [&'a str]),
    /// As `Reading`, plus every template whose text can hold a TLS listener (check's hot
    /// path: the settings patches govern and every listener, nothing else).
    Listeners(&'a [&'a str]),
}

/// One generated file.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Relative to the home: `repository/conf/tomcat/catalina-server.xml`.
    pub rel: String,
    pub template: PathBuf,
    pub text: String,
    /// With `trace`: the byte range of each value printed from the context, and its key.
    pub spans: Vec<jinja::Span>,
    /// With `trace`: where each output range came from in the template.
    pub origins: Vec<(Range<usize>, jinja::From)>,
    /// With `trace`: the compiled template source (same lines as the template).
    pub source: std::sync::Arc<str>,
}

impl Rendered {
    /// The flat key that printed the text at `range` (overlapping), if traced.
    pub fn key_at(&self, range: &Range<usize>) -> Option<&str> {
        self.spans
            .iter()
            .find(|(r, _)| {
                r.start < range.end.max(range.start + 1) && range.start < r.end.max(r.start + 1)
            })
            .map(|(_, k)| &**k)
    }

    /// The template line that printed the byte at `offset`, if traced.
    pub fn template_line(&self, offset: usize) -> Option<u32> {
        let (range, from) = self
            .origins
            .iter()
            .find(|(r, _)| r.start <= offset && offset < r.end)?;
        Some(match *from {
            jinja::From::Line(l) => l,
            jinja::From::Text(src) => {
                let at = (src + (offset - range.start)).min(self.source.len());
                self.source
                    .get(..at)
                    .map_or(0, |s| s.matches('\n').count() as u32 + 1)
            }
        })
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<Rendered>,
    /// Templates that could not be read, compiled or rendered: `template:line:col: message`.
    pub errors: Vec<MapError>,
    /// jinjava behaviour reproduced (a stray end tag dropped, …).
    pub notes: Vec<String>,
}

/// Whether a template reads `key`, a key below it or a key above it.
pub fn reads_key(p: &Prepared, key: &str) -> bool {
    reads_any(p, &[key])
}

fn reads_any(p: &Prepared, keys: &[&str]) -> bool {
    p.reads.iter().any(|r| {
        keys.iter().any(|k| {
            r == k
                || r.strip_prefix(k).is_some_and(|rest| rest.starts_with('.'))
                || k.strip_prefix(r.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

const MAX_TEMPLATE: u64 = 8 * 1024 * 1024;

fn load(t: &TemplateFile) -> Result<Arc<Prepared>, MapError> {
    let meta = fs::symlink_metadata(&t.path).map_err(|e| MapError::file(&t.path, e.to_string()))?;
    if meta.len() > MAX_TEMPLATE {
        return Err(MapError::file(
            &t.path,
            "larger than 8 MiB; not rendered".into(),
        ));
    }
    let bytes = fs::read(&t.path).map_err(|e| MapError::file(&t.path, e.to_string()))?;
    Ok(jinja::prepare(&jinja::normalize(&bytes)))
}

/// Every template of a model, read and compiled (each compiled once per content,
/// process-wide), with a fingerprint of the whole set: a result computed from the same JSON
/// inputs, the same templates and the same deployment.toml is the same.
pub struct Loaded {
    pub templates: Vec<(TemplateFile, Result<Arc<Prepared>, MapError>)>,
    /// SHA-256 over the JSON inputs' hash and each template's path and content hash.
    pub fingerprint: [u8; 32],
}

impl Loaded {
    pub fn load(model: &ModelDir) -> Loaded {
        let mut hasher = Sha256::new();
        hasher.update(model.inputs.hash);
        let templates: Vec<_> = model
            .templates
            .iter()
            .map(|t| {
                let p = load(t);
                hasher.update((t.rel.len() as u64).to_le_bytes());
                hasher.update(t.rel.as_bytes());
                match &p {
                    Ok(p) => hasher.update(p.hash),
                    Err(e) => hasher.update(e.message.as_bytes()),
                }
                (t.clone(), p)
            })
            .collect();
        Loaded {
            templates,
            fingerprint: hasher.finalize().into(),
        }
    }

    /// Whether any template reads `key` (or a key below or above it).
    pub fn read_by_any(&self, key: &str) -> bool {
        self.templates
            .iter()
            .any(|(_, p)| p.as_ref().is_ok_and(|p| reads_key(p, key)))
    }

    /// The generated files whose templates read `key` (or a key below or above it).
    pub fn readers(&self, key: &str) -> Vec<&str> {
        self.templates
            .iter()
            .filter(|(_, p)| p.as_ref().is_ok_and(|p| reads_key(p, key)))
            .map(|(t, _)| t.rel.as_str())
            .collect()
    }
}

/// Renders the selected templates of `model` with `mapped`.
pub fn render(model: &ModelDir, mapped: &Mapped, select: Select, trace: bool) -> Outcome {
    render_loaded(model, &Loaded::load(model), mapped, select, trace)
}

/// Renders the selected templates of an already loaded set.
pub fn render_loaded(
    model: &ModelDir,
    loaded: &Loaded,
    mapped: &Mapped,
    select: Select,
    trace: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let (ctx, bad) = context::build(&mapped.ctx, trace);
    for k in bad {
        out.errors.push(MapError::file(
            &model.root.join("templates"),
            format!("key `{k}` has an unmatched quote or a reserved name; left out of the template context"),
        ));
    }
    for (t, prepared) in &loaded.templates {
        if let Select::Files(files) = select {
            if !files.contains(&t.rel.as_str()) {
                continue;
            }
        }
        let prepared = match prepared {
            Ok(p) => p,
            Err(e) => {
                out.errors.push(e.clone());
                continue;
            }
        };
        let wanted = match select {
            Select::All | Select::Files(_) => true,
            Select::Reading(keys) => reads_any(prepared, keys),
            Select::Listeners(keys) => prepared.listeners || reads_any(prepared, keys),
        };
        if prepared.error.is_none() && !wanted {
            continue;
        }
        for n in &prepared.notes {
            out.notes.push(format!("{}: {n}", t.path.display()));
        }
        let result = if trace {
            jinja::render_traced(prepared, &ctx).map(|tr| Rendered {
                rel: t.rel.clone(),
                template: t.path.clone(),
                text: tr.text,
                spans: tr.spans,
                origins: tr.origins,
                source: tr.source,
            })
        } else {
            jinja::render(prepared, &ctx).map(|text| Rendered {
                rel: t.rel.clone(),
                template: t.path.clone(),
                text,
                spans: Vec::new(),
                origins: Vec::new(),
                source: std::sync::Arc::from(""),
            })
        };
        match result {
            Ok(r) => out.files.push(r),
            Err(e) => {
                let col = prepared
                    .error
                    .as_ref()
                    .map_or(u32::from(e.line > 0), |c| c.col);
                out.errors
                    .push(MapError::at(&t.path, e.line, col, e.message));
            }
        }
    }
    out
}
