//! Installed-like product homes made from the real homes of ../shared/fixtures-real and the
//! merged mapper inputs of ../shared/product-models (`models::install`).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use super::models::{install, product_models, MODELS};

/// The product name `bin/version.txt` carries for a model folder (`apim-4.5.0`).
fn version_line(product: &str) -> String {
    let (kind, version) = product.split_once('-').unwrap_or((product, ""));
    let name = match kind {
        "apim" => "WSO2 API Manager",
        "is" => "WSO2 Identity Server",
        "mi" => "WSO2 Micro Integrator",
        _ => "WSO2 Carbon Kernel",
    };
    format!("{name} v{version}\n")
}

/// An installed-like home at `dest`: the real home `../shared/fixtures-real/<name>` (its
/// start scripts and configuration), the mapper inputs merged from its product-models pair
/// (`MODELS`), and the `bin/version.txt` a distribution carries. APIM 3.2's shipped
/// `database_unique_id` user store is renamed `database`: the modelled kernel 4.5.1
/// validator does not know it (APIM 3.2 really runs kernel 4.6.0). `None` when the shared
/// folders are missing (said loudly).
pub fn installed_home(name: &str, dest: &Path) -> Option<PathBuf> {
    let models = product_models()?;
    let real = super::real_corpus()?;
    let (_, product, kernel, conf) = MODELS.iter().find(|(n, ..)| *n == name)?;
    super::copy_dir(&real.join(name), dest);
    install(&models, product, *kernel, dest);
    fs::create_dir_all(dest.join("bin")).unwrap();
    fs::write(dest.join("bin/version.txt"), version_line(product)).unwrap();
    let toml = dest.join(conf).join("deployment.toml");
    if name == "apim-3.2.0" {
        let text = fs::read_to_string(&toml).unwrap();
        fs::write(&toml, text.replace("database_unique_id", "database")).unwrap();
    }
    Some(dest.to_path_buf())
}

/// Replaces `from` by `to` in a file, which must contain it.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}
