//! Installed-like product homes built from `../shared/product-models`, the way a product build
//! makes `repository/resources/conf`: wso2-maven-json-merge-plugin (`Utils.mergeMaps`) takes
//! the product's JSON as the base and adds each top-level key of the kernel's file that the
//! base lacks or has as `null`; only unit-resolve.json is merged with `mergeChildren` (nested
//! objects merged the same way, recursively); arrays are never merged. The product's template
//! replaces the kernel's template of the same path. (product-apim's distribution pom runs the
//! plugin with these tasks; the feature files it also includes are not in product-models, so
//! keys only features define are missing here.)
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use wso2_harden::mapper::value::{parse_gson, JMap, JValue};

/// `../shared/product-models`, or a loud skip (a failure under CI=true).
pub fn product_models() -> Option<PathBuf> {
    super::shared_dir("product-models", "the mapper fidelity tests")
}

fn read_json(path: &Path) -> JMap {
    match fs::read_to_string(path) {
        Ok(t) => parse_gson(&t).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(_) => JMap::new(),
    }
}

/// `Utils.mergeMaps(base, include, mergeChildren)`.
pub fn merge_maps(base: &mut JMap, include: &JMap, merge_children: bool) {
    for (k, v) in include {
        match base.get_mut(k) {
            None | Some(JValue::Null) => {
                base.insert(k.clone(), v.clone());
            }
            Some(JValue::Map(b)) if merge_children => {
                if let JValue::Map(inc) = v {
                    merge_maps(b, inc, true);
                }
            }
            Some(_) => {}
        }
    }
}

/// JSON text of a value (numbers as Gson writes doubles).
pub fn to_json(v: &JValue) -> String {
    match v {
        JValue::Null => "null".into(),
        JValue::Bool(b) => b.to_string(),
        JValue::Long(n) => n.to_string(),
        JValue::Int(n) => n.to_string(),
        JValue::Double(_) => v.java_string(),
        JValue::Str(s) | JValue::Date(s) => serde_json::to_string(s).unwrap(),
        JValue::List(items) => format!(
            "[{}]",
            items.iter().map(to_json).collect::<Vec<_>>().join(",\n")
        ),
        JValue::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), to_json(v)))
                .collect::<Vec<_>>()
                .join(",\n")
        ),
    }
}

fn copy_templates(from: &Path, to: &Path) {
    if !from.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Writes an installed-like `repository/resources/conf` for `product` (+ `kernel`) under
/// `home`, and `conf_rel/deployment.toml` from `toml` when given.
pub fn install(models: &Path, product: &str, kernel: Option<&str>, home: &Path) -> PathBuf {
    let conf = home.join("repository/resources/conf");
    fs::create_dir_all(&conf).unwrap();
    for name in [
        "default.json",
        "infer.json",
        "key-mappings.json",
        "validator.json",
        "unit-resolve.json",
    ] {
        let mut base = read_json(&models.join(product).join(name));
        if let Some(k) = kernel {
            let inc = read_json(&models.join(k).join(name));
            merge_maps(&mut base, &inc, name == "unit-resolve.json");
        }
        fs::write(conf.join(name), to_json(&JValue::Map(base))).unwrap();
    }
    if let Some(k) = kernel {
        copy_templates(&models.join(k).join("templates"), &conf.join("templates"));
    }
    copy_templates(
        &models.join(product).join("templates"),
        &conf.join("templates"),
    );
    conf
}

/// The pairs the tests use: (name, product folder, kernel folder, conf dir of the home).
pub const MODELS: [(&str, &str, Option<&str>, &str); 4] = [
    (
        "apim-4.5.0",
        "apim-4.5.0",
        Some("kernel-4.9.28"),
        "repository/conf",
    ),
    (
        "apim-3.2.0",
        "apim-3.2.0",
        Some("kernel-4.5.1"),
        "repository/conf",
    ),
    (
        "is-7.0.0",
        "is-7.0.0",
        Some("kernel-4.10.42"),
        "repository/conf",
    ),
    ("mi-4.2.0", "mi-4.2.0", None, "conf"),
];

pub struct TinyHome {
    pub tmp: tempfile::TempDir,
    pub conf: PathBuf,
    pub toml: PathBuf,
}

/// A tiny hand-written model home: the given JSON inputs (others `{}`), templates, and a
/// deployment.toml.
pub fn tiny_home(json: &[(&str, &str)], templates: &[(&str, &str)], toml: &str) -> TinyHome {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("repository/resources/conf");
    fs::create_dir_all(conf.join("templates")).unwrap();
    for name in [
        "default.json",
        "infer.json",
        "key-mappings.json",
        "validator.json",
        "unit-resolve.json",
    ] {
        let text = json
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("{}", |(_, t)| t);
        fs::write(conf.join(name), text).unwrap();
    }
    for (rel, text) in templates {
        let p = conf.join("templates").join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let toml_path = tmp.path().join("repository/conf/deployment.toml");
    fs::create_dir_all(toml_path.parent().unwrap()).unwrap();
    fs::write(&toml_path, toml).unwrap();
    TinyHome {
        tmp,
        conf,
        toml: toml_path,
    }
}
