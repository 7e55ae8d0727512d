//! The mapper run for one product home: its own `repository/resources/conf` (or another
//! installation's, for a config repository) and its `deployment.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use super::render::{self, Outcome, Select};
use super::{map, MapError, MapOptions, Mapped, ModelDir};
use crate::discover::{Model, ProductHome};

/// What a home will generate, or why it cannot be computed.
pub enum Computed {
    /// Not a deployment.toml home, or no mapper inputs to compute with.
    NotComputed {
        reason: String,
    },
    /// The inputs are unreadable, or the product would refuse this configuration.
    Failed {
        error: MapError,
    },
    Done(Box<Done>),
}

/// A computed home: its model, mapped context and rendered files.
pub struct Done {
    pub model: ModelDir,
    pub mapped: Mapped,
    pub outcome: Outcome,
}

/// The deployment.toml read at most (real ones are a few KiB).
const MAX_TOML: u64 = 4 * 1024 * 1024;

/// Maps and renders `home` with the model at `model_dir` (default: the home's own).
pub fn compute(
    home: &ProductHome,
    model_dir: Option<&Path>,
    opts: &MapOptions,
    select: Select,
    trace: bool,
) -> Computed {
    let dir = match model_dir_of(home, model_dir) {
        Ok(d) => d,
        Err(reason) => return Computed::NotComputed { reason },
    };
    let model = match ModelDir::load(&dir) {
        Ok(m) => m,
        Err(error) => return Computed::Failed { error },
    };
    let toml_path = home.conf_path("deployment.toml");
    let text = match read_toml(&toml_path) {
        Ok(t) => t,
        Err(error) => return Computed::Failed { error },
    };
    let mapped = match map(&model, &toml_path, &text, opts) {
        Ok(m) => m,
        Err(error) => return Computed::Failed { error },
    };
    let outcome = render::render(&model, &mapped, select, trace);
    Computed::Done(Box::new(Done {
        model,
        mapped,
        outcome,
    }))
}

/// The mapper inputs to compute `home` with: `model_dir` when given, else the home's own
/// `repository/resources/conf`; `Err` says why there are none (not a deployment.toml home, no
/// inputs, a partial copy).
pub fn model_dir_of(home: &ProductHome, model_dir: Option<&Path>) -> Result<PathBuf, String> {
    if home.model != Model::Toml {
        return Err("not a deployment.toml home: its XML is read as it is".into());
    }
    let Some(dir) = model_dir
        .map(Path::to_path_buf)
        .or_else(|| home.model_dir())
    else {
        return Err("no repository/resources/conf here (a config repository?): the effective configuration was not computed; point --model at an installed home of the same version".into());
    };
    let missing: Vec<&str> = super::model::JSON_FILES
        .into_iter()
        .filter(|f| !dir.join(f).exists())
        .chain((!dir.join("templates").exists()).then_some("templates/"))
        .collect();
    if !missing.is_empty() {
        // the home's own inputs are named as in the home; --model's as given
        let shown = match model_dir {
            Some(d) => d.display().to_string(),
            None => "repository/resources/conf".into(),
        };
        return Err(format!(
            "{shown} lacks {} (a partial copy?): the effective configuration was not computed; point --model at an installed home of the same version",
            missing.join(", ")
        ));
    }
    Ok(dir)
}

/// deployment.toml as the mapper reads it: a regular file (a link is not followed), at most
/// 4 MiB, UTF-8.
pub fn read_toml(path: &Path) -> Result<String, MapError> {
    let meta = fs::symlink_metadata(path).map_err(|e| MapError::file(path, e.to_string()))?;
    if meta.file_type().is_symlink() {
        return Err(MapError::file(path, "a link; not followed".into()));
    }
    if meta.len() > MAX_TOML {
        return Err(MapError::file(path, "larger than 4 MiB; not read".into()));
    }
    let bytes = fs::read(path).map_err(|e| MapError::file(path, e.to_string()))?;
    String::from_utf8(bytes)
        .map_err(|_| MapError::file(path, "not UTF-8 (tomlj would fail too)".into()))
}
