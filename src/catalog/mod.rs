//! The patch catalog: patch modules embedded from `patches/`, checked at load, and the
//! values they read.

pub mod detect;
pub mod model;

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use model::{ActionKind, Missing, Patch, Safety, Severity, Target, ValueSpec, When};

use crate::formats::xml::Path as XmlPath;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/patches.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("patches/{id}/patch.toml: {message}")]
    Invalid { id: String, message: String },
    #[error("unknown patch id `{0}` (see `wso2-harden patches`)")]
    UnknownId(String),
}

#[derive(Debug)]
pub struct Catalog {
    pub patches: Vec<Patch>,
    /// Every value any patch reads, with its spec (the first declaration; others must agree).
    pub values: BTreeMap<String, ValueSpec>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            // The embedded sources are checked by the test suite; a failure here is a build bug.
            Catalog::load(embedded::PATCH_SOURCES)
                .unwrap_or_else(|e| panic!("built-in catalog: {e}"))
        })
    }

    pub fn load(sources: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut patches = Vec::new();
        let mut values: BTreeMap<String, ValueSpec> = BTreeMap::new();
        for (dir, source) in sources {
            let invalid = |message: String| CatalogError::Invalid {
                id: dir.to_string(),
                message,
            };
            let patch: Patch =
                toml_edit::de::from_str(source).map_err(|e| invalid(e.to_string()))?;
            if patch.id != *dir {
                return Err(invalid(format!(
                    "id `{}` differs from its directory",
                    patch.id
                )));
            }
            validate(&patch).map_err(invalid)?;
            for (name, spec) in &patch.values {
                match values.get(name) {
                    Some(prev) if prev.default != spec.default => {
                        return Err(invalid(format!(
                            "value `{name}` has another default in an earlier patch"
                        )))
                    }
                    Some(_) => {}
                    None => {
                        values.insert(name.clone(), spec.clone());
                    }
                }
            }
            patches.push(patch);
        }
        Ok(Catalog { patches, values })
    }

    pub fn get(&self, id: &str) -> Option<&Patch> {
        self.patches.iter().find(|p| p.id == id)
    }

    /// The patches a run uses: `select` (or every default patch), minus `ignore`.
    pub fn select(
        &self,
        select: &[String],
        ignore: &[String],
    ) -> Result<Vec<&Patch>, CatalogError> {
        for id in select.iter().chain(ignore) {
            if self.get(id).is_none() {
                return Err(CatalogError::UnknownId(id.clone()));
            }
        }
        Ok(self
            .patches
            .iter()
            .filter(|p| {
                if select.is_empty() {
                    p.default
                } else {
                    select.contains(&p.id)
                }
            })
            .filter(|p| !ignore.contains(&p.id))
            .collect())
    }
}

fn validate(patch: &Patch) -> Result<(), String> {
    if patch.safety == Safety::Manual {
        if patch.detect.is_none() || !patch.targets.is_empty() {
            return Err("a manual patch names a `detect` handler and has no targets".into());
        }
        if !detect::HANDLERS.contains(&patch.detect.as_deref().unwrap_or("")) {
            return Err(format!("unknown detect handler {:?}", patch.detect));
        }
        return Ok(());
    }
    if patch.targets.is_empty() {
        return Err("a fix patch needs at least one [[target]]".into());
    }
    for (i, t) in patch.targets.iter().enumerate() {
        let err = |m: &str| format!("target {}: {m}", i + 1);
        let need = |field: &Option<String>, name: &str| {
            field
                .as_ref()
                .map(|_| ())
                .ok_or_else(|| err(&format!("`{name}` is required for this action")))
        };
        match t.action {
            ActionKind::XmlAttr => {
                need(&t.select, "select")?;
                need(&t.attr, "attr")?;
                need(&t.value, "value")?;
            }
            ActionKind::XmlText => {
                need(&t.select, "select")?;
                need(&t.value, "value")?;
            }
            ActionKind::TomlKey => {
                need(&t.key, "key")?;
                need(&t.value, "value")?;
            }
            ActionKind::JvmFlag => {
                need(&t.flag, "flag")?;
                need(&t.value, "value")?;
            }
            ActionKind::JvmHeap => {
                need(&t.value, "value")?;
                if !matches!(t.flag.as_deref(), Some("-Xms" | "-Xmx")) {
                    return Err(err("jvm-heap takes flag -Xms or -Xmx"));
                }
            }
            ActionKind::Property => {
                need(&t.key, "key")?;
                need(&t.value, "value")?;
            }
            ActionKind::Log4j2Counter => need(&t.key, "key")?,
        }
        if !t.accept.is_empty() && t.action != ActionKind::Property {
            return Err(err("`accept` is for property actions"));
        }
        if let Some(sel) = &t.select {
            XmlPath::parse(sel).map_err(|e| err(&e.to_string()))?;
        }
        let xml = matches!(t.action, ActionKind::XmlAttr | ActionKind::XmlText);
        if xml != t.file.ends_with(".xml") {
            return Err(err("xml actions go with .xml files and only there"));
        }
        if matches!(t.action, ActionKind::JvmFlag | ActionKind::JvmHeap)
            != t.file.starts_with("@startup-")
        {
            return Err(err(
                "jvm actions go with @startup-sh / @startup-bat and only there",
            ));
        }
        if t.file.starts_with('@') && !matches!(t.file.as_str(), "@startup-sh" | "@startup-bat") {
            return Err(err("unknown file set"));
        }
        for k in &t.when.kernel {
            if !model::valid_kernel_condition(k) {
                return Err(err(&format!("bad kernel condition `{k}`")));
            }
        }
        for name in placeholders(t.value.as_deref().unwrap_or("")) {
            if !patch.values.contains_key(name) {
                return Err(err(&format!(
                    "value `{{{name}}}` is not declared in [values]"
                )));
            }
        }
    }
    Ok(())
}

/// The `{name}` placeholders of a value template.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n))
}

/// Values in force for one node: defaults < policy `[values]` < node section < `--set`,
/// merged by the caller into `given`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub given: BTreeMap<String, String>,
}

/// A value that a template needs and nobody gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    pub name: String,
    pub missing: Missing,
}

impl Values {
    /// Expands `{name}` placeholders (values may reference others, e.g. `https://{hostname}`).
    pub fn expand(
        &self,
        template: &str,
        specs: &BTreeMap<String, ValueSpec>,
    ) -> Result<String, MissingValue> {
        self.expand_depth(template, specs, 0)
    }

    /// True when a placeholder of `template` was given by the user rather than defaulted.
    pub fn explicit(&self, template: &str) -> bool {
        placeholders(template).any(|n| self.given.contains_key(n))
    }

    fn expand_depth(
        &self,
        template: &str,
        specs: &BTreeMap<String, ValueSpec>,
        depth: usize,
    ) -> Result<String, MissingValue> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let spec = specs.get(name);
            let raw = self
                .given
                .get(name)
                .cloned()
                .or_else(|| spec.and_then(|s| s.default.clone()))
                .filter(|v| !v.is_empty());
            let missing = || MissingValue {
                name: name.to_string(),
                missing: spec.map_or(Missing::NeedsValue, |s| s.missing),
            };
            let raw = raw.ok_or_else(missing)?;
            if depth < 4 && raw.contains('{') {
                out.push_str(&self.expand_depth(&raw, specs, depth + 1)?);
            } else {
                out.push_str(&raw);
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Checks a value's shape before any patch uses it (from --set, the policy file or a prompt).
pub fn validate_value(name: &str, value: &str) -> Result<(), String> {
    match name {
        "hostname" => {
            let ok = !value.is_empty()
                && value.len() <= 253
                && value.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                });
            if ok {
                Ok(())
            } else {
                Err(
                    "not a host name (no scheme, port or path: letters, digits, '-' and '.')"
                        .into(),
                )
            }
        }
        "session_id_length"
        | "log_max_backup_index"
        | "session_cleanup_chunk_size"
        | "dh_key_size" => value
            .trim()
            .parse::<u32>()
            .map(|_| ())
            .map_err(|_| "must be a whole number".into()),
        "jvm_xms" | "jvm_xmx" => {
            let digits = value.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
            if !digits.is_empty()
                && digits.len() + 1 >= value.len()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                Ok(())
            } else {
                Err("must be a JVM size such as 512m or 2g".into())
            }
        }
        _ if value.contains(['\n', '\r']) => Err("must be one line".into()),
        _ => Ok(()),
    }
}
