//! The policy file `wso2-harden.toml`: which patches, and the values they read, globally and
//! per node. Precedence: `--set` > `[nodes."<glob>"]` > `[values]` > patch defaults.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use toml_edit::{ImDocument, Item, Value};

use crate::catalog::Catalog;
use crate::formats::error::line_col;

mod example;
pub mod waiver;

pub use example::example;
pub use waiver::{WaiverStatus, Waivers};

pub const FILE_NAME: &str = "wso2-harden.toml";

#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct PolicyError {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Policy {
    pub path: PathBuf,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub unsafe_fixes: bool,
    /// `backup = false`: `fix` keeps no backup set.
    pub backup: bool,
    pub values: BTreeMap<String, String>,
    pub nodes: Vec<NodeSection>,
    pub waivers: Waivers,
    /// The policy file's directory, canonical: node globs are relative to it.
    base: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct NodeSection {
    pub pattern: String,
    matcher: GlobMatcher,
    pub values: BTreeMap<String, String>,
    /// `file:line:col` of the section's header.
    pub at: String,
}

/// The policy text with its shown path, for located errors.
pub(crate) struct Spanned<'t> {
    text: &'t str,
    shown: String,
}

impl Spanned<'_> {
    fn line_col(&self, span: Option<std::ops::Range<usize>>) -> (usize, usize) {
        line_col(self.text, span.map_or(0, |s| s.start))
    }

    fn err(&self, span: Option<std::ops::Range<usize>>, message: String) -> PolicyError {
        let (line, col) = self.line_col(span);
        PolicyError {
            path: self.shown.clone(),
            line,
            col,
            message,
        }
    }
}

impl Policy {
    /// `--policy FILE`, else `wso2-harden.toml` in `cwd` when present.
    pub fn find(
        explicit: Option<&Path>,
        cwd: &Path,
        catalog: &Catalog,
    ) -> Result<Option<Policy>, PolicyError> {
        match explicit {
            Some(p) => Policy::load(p, catalog).map(Some),
            None => {
                let p = cwd.join(FILE_NAME);
                if p.is_file() {
                    Policy::load(&p, catalog).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    pub fn load(path: &Path, catalog: &Catalog) -> Result<Policy, PolicyError> {
        let shown = crate::plan::display_path(path, &std::env::current_dir().unwrap_or_default());
        let text = fs::read_to_string(path).map_err(|e| PolicyError {
            path: shown.clone(),
            line: 1,
            col: 1,
            message: e.to_string(),
        })?;
        Policy::parse(&text, path, catalog)
    }

    pub fn parse(text: &str, path: &Path, catalog: &Catalog) -> Result<Policy, PolicyError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let src = Spanned {
            text,
            shown: crate::plan::display_path(path, &cwd),
        };
        let err = |span: Option<std::ops::Range<usize>>, message: String| src.err(span, message);
        let doc = ImDocument::parse(text).map_err(|e| err(e.span(), e.message().to_string()))?;
        let base = fs::canonicalize(match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        })
        .ok();
        let mut policy = Policy {
            path: path.to_path_buf(),
            backup: true,
            base: base.clone(),
            ..Policy::default()
        };
        for (key, item) in doc.as_table().iter() {
            let span = doc.as_table().key(key).and_then(|k| k.span());
            match key {
                "select" | "ignore" => {
                    let ids = string_list(item).ok_or_else(|| err(span.clone(), format!("`{key}` is a list of patch ids")))?;
                    for id in &ids {
                        if catalog.get(id).is_none() {
                            return Err(err(item.span().or(span.clone()), format!("unknown patch id `{id}`")));
                        }
                    }
                    if key == "select" {
                        policy.select = ids;
                    } else {
                        policy.ignore = ids;
                    }
                }
                "unsafe_fixes" | "backup" => {
                    let b = item
                        .as_bool()
                        .ok_or_else(|| err(span.clone(), format!("`{key}` is true or false")))?;
                    if key == "backup" {
                        policy.backup = b;
                    } else {
                        policy.unsafe_fixes = b;
                    }
                }
                "values" => policy.values = value_table(item, catalog, &err)?,
                "nodes" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| err(span.clone(), "`nodes` holds [nodes.\"<path or glob>\"] tables".into()))?;
                    for (pattern, section) in table.iter() {
                        let pspan = table.get_key_value(pattern).and_then(|(k, _)| k.span());
                        let glob = Glob::new(pattern.trim_end_matches('/'))
                            .map_err(|e| err(pspan.clone(), format!("bad node pattern: {e}")))?;
                        let (line, col) = src.line_col(pspan.clone());
                        policy.nodes.push(NodeSection {
                            pattern: pattern.to_string(),
                            matcher: glob.compile_matcher(),
                            values: value_table(section, catalog, &err)?,
                            at: format!("{}:{line}:{col}", src.shown),
                        });
                    }
                }
                "waive" => {
                    policy.waivers = Waivers::new(waiver::parse(item, catalog, &src)?, base.clone());
                }
                other => {
                    return Err(err(
                        span,
                        format!("unknown key `{other}` (expected select, ignore, unsafe_fixes, backup, [values], [nodes.\"…\"], [[waive]])"),
                    ))
                }
            }
        }
        Ok(policy)
    }

    /// `[values]` overlaid with every node section matching `home` (in file order).
    pub fn values_for(&self, home: &Path) -> BTreeMap<String, String> {
        let mut values = self.values.clone();
        if self.nodes.is_empty() {
            return values;
        }
        let Some(rel) = self.base.as_deref().and_then(|b| rel_below(b, home)) else {
            return values;
        };
        for node in &self.nodes {
            if node.matcher.is_match(&rel) {
                values.extend(node.values.clone());
            }
        }
        values
    }

    /// Node sections that match none of `homes`.
    pub fn unmatched_nodes<'p>(&'p self, homes: &[PathBuf]) -> Vec<&'p NodeSection> {
        if self.nodes.is_empty() {
            return Vec::new();
        }
        let rels: Vec<PathBuf> = homes
            .iter()
            .filter_map(|h| self.base.as_deref().and_then(|b| rel_below(b, h)))
            .collect();
        self.nodes
            .iter()
            .filter(|n| !rels.iter().any(|r| n.matcher.is_match(r)))
            .collect()
    }

    /// The policy file's directory (canonical), where node globs start.
    pub fn base(&self) -> Option<&Path> {
        self.base.as_deref()
    }
}

/// `path` relative to the canonical directory `base`, when it lies below it.
pub(crate) fn rel_below(base: &Path, path: &Path) -> Option<PathBuf> {
    let path = fs::canonicalize(path).ok()?;
    path.strip_prefix(base).ok().map(Path::to_path_buf)
}

fn string_list(item: &Item) -> Option<Vec<String>> {
    item.as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn value_table(
    item: &Item,
    catalog: &Catalog,
    err: &dyn Fn(Option<std::ops::Range<usize>>, String) -> PolicyError,
) -> Result<BTreeMap<String, String>, PolicyError> {
    let table = item
        .as_table_like()
        .ok_or_else(|| err(item.span(), "expected a table of values".into()))?;
    let mut out = BTreeMap::new();
    for (name, v) in table.iter() {
        let span = table.get_key_value(name).and_then(|(k, _)| k.span());
        if !catalog.values.contains_key(name) {
            let known: Vec<_> = catalog.values.keys().map(String::as_str).collect();
            return Err(err(
                span,
                format!("unknown value `{name}` (known: {})", known.join(", ")),
            ));
        }
        let value = match v.as_value() {
            Some(Value::String(s)) => s.value().clone(),
            Some(Value::Integer(i)) => i.value().to_string(),
            Some(Value::Boolean(b)) => b.value().to_string(),
            _ => {
                return Err(err(
                    span,
                    format!("`{name}` must be a string, integer or boolean"),
                ))
            }
        };
        catalog
            .check_value(name, &value)
            .map_err(|e| err(span, format!("`{name}`: {e}")))?;
        out.insert(name.to_string(), value);
    }
    Ok(out)
}
