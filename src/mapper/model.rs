//! The mapper's inputs as an installed home holds them in `repository/resources/conf/`:
//! default.json, infer.json, key-mappings.json, validator.json, unit-resolve.json (each the
//! build-time merge of product, kernel and feature files) and `templates/**.j2`, whose paths
//! are the generated files' paths relative to the home.
//!
//! The JSON inputs are parsed once per distinct content (a process-wide cache keyed by their
//! SHA-256), so a fleet of one product version shares one copy. Templates are listed here and
//! read only when rendered; their compiled form is cached by content in `jinja`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sha2::{Digest, Sha256};

use super::infer::InferRules;
use super::value::{parse_gson, JMap};
use super::MapError;

pub const JSON_FILES: [&str; 5] = [
    "default.json",
    "infer.json",
    "key-mappings.json",
    "validator.json",
    "unit-resolve.json",
];

/// The five JSON inputs, parsed.
pub struct Inputs {
    pub defaults: JMap,
    pub infer: InferRules,
    pub key_mappings: JMap,
    pub validator: JMap,
    pub units: JMap,
    /// File texts, to find the line of a key in error messages.
    pub texts: HashMap<&'static str, String>,
    pub hash: [u8; 32],
}

/// One template: the file it renders (`repository/conf/tomcat/catalina-server.xml`,
/// relative to the home) and where the template is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub rel: String,
    pub path: PathBuf,
}

/// A model directory: an installed home's `repository/resources/conf`.
pub struct ModelDir {
    pub root: PathBuf,
    pub inputs: Arc<Inputs>,
    pub templates: Vec<TemplateFile>,
    /// Things skipped while listing (links), for reports.
    pub warnings: Vec<String>,
}

fn cache() -> &'static Mutex<HashMap<[u8; 32], Arc<Inputs>>> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Arc<Inputs>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The largest model file read (the real ones are under 100 KiB).
const MAX_JSON: u64 = 16 * 1024 * 1024;

impl ModelDir {
    /// Loads `root` (a `repository/resources/conf` directory).
    pub fn load(root: &Path) -> Result<ModelDir, MapError> {
        let mut texts = HashMap::new();
        let mut hasher = Sha256::new();
        for name in JSON_FILES {
            let path = root.join(name);
            let meta = fs::symlink_metadata(&path).map_err(|e| {
                MapError::file(&path, format!("{e} (the product needs it to start)"))
            })?;
            if meta.file_type().is_symlink() || !meta.is_file() {
                return Err(MapError::file(&path, "not a regular file; not read".into()));
            }
            if meta.len() > MAX_JSON {
                return Err(MapError::file(&path, "larger than 16 MiB; not read".into()));
            }
            let text =
                fs::read_to_string(&path).map_err(|e| MapError::file(&path, e.to_string()))?;
            hasher.update(name.as_bytes());
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
            texts.insert(name, text);
        }
        let hash: [u8; 32] = hasher.finalize().into();
        let cached = cache()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            .cloned();
        let inputs = match cached {
            Some(i) => i,
            None => {
                let inputs = Arc::new(parse_inputs(root, texts, hash)?);
                let mut c = cache().lock().unwrap_or_else(PoisonError::into_inner);
                if c.len() >= 64 {
                    c.clear();
                }
                c.insert(hash, inputs.clone());
                inputs
            }
        };
        let (templates, warnings) = list_templates(&root.join("templates"))?;
        Ok(ModelDir {
            root: root.to_path_buf(),
            inputs,
            templates,
            warnings,
        })
    }

    /// The template that renders `rel` (`repository/conf/axis2/axis2.xml`).
    pub fn template(&self, rel: &str) -> Option<&TemplateFile> {
        self.templates.iter().find(|t| t.rel == rel)
    }
}

fn parse_inputs(
    root: &Path,
    mut texts: HashMap<&'static str, String>,
    hash: [u8; 32],
) -> Result<Inputs, MapError> {
    let mut parsed = Vec::new();
    for name in JSON_FILES {
        let text = texts.get(name).map_or("", String::as_str);
        let map = parse_gson(text).map_err(|e| {
            MapError::at(
                &root.join(name),
                e.line as u32,
                e.column as u32,
                format!("{} (the product fails to start)", e.message),
            )
        })?;
        parsed.push(map);
    }
    let mut it = parsed.into_iter();
    let mut next = || it.next().unwrap_or_default();
    let (defaults, infer, key_mappings, validator, units) =
        (next(), next(), next(), next(), next());
    texts.shrink_to_fit();
    Ok(Inputs {
        defaults,
        infer: InferRules::new(infer),
        key_mappings,
        validator,
        units,
        texts,
        hash,
    })
}

fn list_templates(dir: &Path) -> Result<(Vec<TemplateFile>, Vec<String>), MapError> {
    let meta = fs::symlink_metadata(dir).map_err(|e| {
        MapError::file(
            dir,
            format!("{e} (\"Template directory does not exist\": the product fails to start)"),
        )
    })?;
    if !meta.is_dir() {
        return Err(MapError::file(dir, "not a directory".into()));
    }
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                warnings.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if !name.ends_with(".j2") {
            continue;
        }
        if entry.path_is_symlink() {
            warnings.push(format!(
                "{}: a link; not followed (the product would render it)",
                entry.path().display()
            ));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let mut rel = rel.join("/");
        rel.truncate(rel.len() - 3);
        out.push(TemplateFile {
            rel,
            path: entry.path().to_path_buf(),
        });
    }
    Ok((out, warnings))
}

/// The line of `"key"` in a model file's text, for locating errors.
pub fn line_of_key(text: &str, key: &str) -> Option<u32> {
    let quoted = serde_json::to_string(key).ok()?;
    let at = text.find(&quoted).or_else(|| {
        // Gson writes `'` as \u0027
        text.find(&quoted.replace('\'', "\\u0027"))
    })?;
    Some(text[..at].matches('\n').count() as u32 + 1)
}
