//! Rendering a mapped context through a model's templates: all of them, named ones, or only
//! those that read given keys (the fast path: a check needs only the files holding a governed
//! setting or a listener). A traced render also says, for each value printed from the context,
//! which flat key it came from.

use std::fs;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

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
    pub source: String,
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

/// Renders the selected templates of `model` with `mapped`.
pub fn render(model: &ModelDir, mapped: &Mapped, select: Select, trace: bool) -> Outcome {
    let mut out = Outcome::default();
    let (ctx, bad) = context::build(&mapped.ctx, trace);
    for k in bad {
        out.errors.push(MapError::file(
            &model.root.join("templates"),
            format!("key `{k}` has an unmatched quote or a reserved name; left out of the template context"),
        ));
    }
    for t in &model.templates {
        if let Select::Files(files) = select {
            if !files.contains(&t.rel.as_str()) {
                continue;
            }
        }
        let prepared = match load(t) {
            Ok(p) => p,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        if let Select::Reading(keys) = select {
            if prepared.error.is_none() && !reads_any(&prepared, keys) {
                continue;
            }
        }
        for n in &prepared.notes {
            out.notes.push(format!("{}: {n}", t.path.display()));
        }
        let result = if trace {
            jinja::render_traced(&prepared, &ctx).map(|tr| Rendered {
                rel: t.rel.clone(),
                template: t.path.clone(),
                text: tr.text,
                spans: tr.spans,
                origins: tr.origins,
                source: tr.source,
            })
        } else {
            jinja::render(&prepared, &ctx).map(|text| Rendered {
                rel: t.rel.clone(),
                template: t.path.clone(),
                text,
                spans: Vec::new(),
                origins: Vec::new(),
                source: String::new(),
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
