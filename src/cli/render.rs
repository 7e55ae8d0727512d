//! `render`: what each deployment.toml home would generate at its next start from its current
//! deployment.toml, written under `--out DIR/<node>/…` (never into a home).

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context};
use rayon::prelude::*;

use super::{RenderArgs, CLEAN, ERROR};
use crate::discover::{discover, Known, Model, ProductHome, ProductKind, Source};
use crate::mapper::home::{compute, Computed, Done};
use crate::mapper::render::Select;
use crate::mapper::MapOptions;
use crate::plan::display_path;

/// The homes under `paths` (default `.`), or an error saying none was found.
pub(super) fn homes(paths: &[PathBuf]) -> anyhow::Result<Vec<ProductHome>> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let homes = discover(&paths)?;
    if homes.is_empty() {
        bail!(
            "no WSO2 product home found under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(homes)
}

/// `--model HOME`: an installed home (or unpacked distribution) whose
/// `repository/resources/conf` is used instead of each home's own.
pub(super) fn model_override(model: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    let Some(m) = model else { return Ok(None) };
    let dir = if m.join("default.json").is_file() {
        m.to_path_buf()
    } else {
        m.join("repository/resources/conf")
    };
    if !dir.join("templates").is_dir() {
        bail!(
            "--model {}: no repository/resources/conf/templates there (give an installed product home of the same version)",
            m.display()
        );
    }
    Ok(Some(dir))
}

/// The installed home `--model` names (its root, whichever of the two forms was given).
fn model_home(dir: &Path) -> Option<ProductHome> {
    let root = if dir.ends_with("repository/resources/conf") {
        dir.parent()?.parent()?.parent()?
    } else {
        dir
    };
    let conf = ["repository/conf", "conf"]
        .into_iter()
        .find(|c| root.join(c).is_dir())?;
    Some(crate::discover::inspect(root.to_path_buf(), conf))
}

/// A config repository holding only deployment.toml cannot tell its product version, kernel
/// or Java runtime; `--model` names an installation of the same version, so a deployment.toml
/// home whose own files do not say takes them from it (its start scripts decide TLS 1.3).
pub(super) fn inherit_from_model(homes: &mut [ProductHome], model_dir: Option<&Path>) {
    let Some(model) = model_dir.and_then(model_home) else {
        return;
    };
    for h in homes.iter_mut().filter(|h| h.model == Model::Toml) {
        let same = h.product == model.product || h.product == ProductKind::Unknown;
        if !same || model.product == ProductKind::Unknown {
            continue;
        }
        h.product = model.product;
        let taken = |k: Known| Known {
            source: Some(Source::Model),
            ..k
        };
        if h.version.exact.is_none() && model.version.is_known() {
            h.version = taken(model.version);
        }
        if h.kernel.exact.is_none() && model.kernel.is_known() {
            h.kernel = taken(model.kernel);
        }
        if h.runtime.jdk_min.is_none() {
            h.runtime = model.runtime.clone();
        }
    }
}

/// The directory a node's files go to below `--out`: its display path with root, `.` and
/// `..` components dropped, so nothing lands outside `--out`.
pub fn node_dir(display: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(display).components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::ParentDir => out.push("_"),
            _ => {}
        }
    }
    if out.as_os_str().is_empty() {
        out.push("home");
    }
    out
}

fn absolute(p: &Path, cwd: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    // canonicalize the longest existing ancestor, so links and `..` cannot hide a home
    let mut existing = p.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut base = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        base.push(name);
    }
    base
}

pub fn run(args: &RenderArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("current directory")?;
    let mut homes = homes(&args.paths)?;
    let model = model_override(args.model.as_deref())?;
    inherit_from_model(&mut homes, model.as_deref());
    let out = absolute(&args.out, &cwd);
    for h in &homes {
        let root = absolute(&h.root, &cwd);
        if out.starts_with(&root) {
            bail!(
                "--out {} is inside the product home {}: render never writes into a home",
                args.out.display(),
                h.root.display()
            );
        }
    }
    let opts = MapOptions::default();
    let results: Vec<Computed> = homes
        .par_iter()
        .map(|h| compute(h, model.as_deref(), &opts, Select::All, false))
        .collect();
    let mut code = CLEAN;
    for (home, result) in homes.iter().zip(results) {
        let display = display_path(&home.root, &cwd);
        match result {
            Computed::NotComputed { reason } => println!("{display}: not rendered: {reason}"),
            Computed::Failed { error } => {
                eprintln!("{error}");
                println!("{display}: not rendered: the product would not start with this configuration (see the error)");
                code = ERROR;
            }
            Computed::Done(done) => {
                let Done {
                    model,
                    mapped,
                    outcome,
                } = *done;
                let dir = out.join(node_dir(&display));
                for f in &outcome.files {
                    let dest = dir.join(&f.rel);
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent)
                            .with_context(|| format!("creating {}", parent.display()))?;
                    }
                    fs::write(&dest, &f.text)
                        .with_context(|| format!("writing {}", dest.display()))?;
                }
                println!(
                    "{display}: {} of {} files rendered into {}",
                    outcome.files.len(),
                    model.templates.len(),
                    display_path(&dir, &cwd)
                );
                for n in model
                    .warnings
                    .iter()
                    .chain(&mapped.warnings)
                    .chain(&outcome.notes)
                {
                    println!("  note: {n}");
                }
                for e in &outcome.errors {
                    eprintln!("{e}");
                    code = ERROR;
                }
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_dirs_stay_below_out() {
        assert_eq!(node_dir("fixtures/apim"), PathBuf::from("fixtures/apim"));
        assert_eq!(node_dir("/abs/home"), PathBuf::from("abs/home"));
        assert_eq!(node_dir("../x"), PathBuf::from("_/x"));
        assert_eq!(node_dir("."), PathBuf::from("home"));
    }
}
