//! Finds product homes under the given paths and reads what they are: product, version,
//! kernel and config model. Unknown stays unknown; patches then take their conservative path.

mod fingerprint;
mod identify;
pub mod kernels;
mod markers;
mod product;
mod profiles;
mod runtime;
mod version;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use fingerprint::{jdk_check, Features};
pub use identify::{identify, Identity, Known, Source};
pub use kernels::{kernel_of, Jdk, Release, RELEASES};
pub use product::{Model, ProductKind};
pub use runtime::Runtime;
pub use version::{Version, VersionRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHome {
    /// The home as reached from the given path (not canonicalised, so reports stay readable).
    pub root: PathBuf,
    /// The conf directory relative to the root: `repository/conf` or `conf` (EI, MI).
    pub conf: &'static str,
    pub product: ProductKind,
    /// The product version: exact, bounded, or unknown, and where it was read.
    pub version: Known,
    /// The Carbon kernel (none for MI, which runs no kernel).
    pub kernel: Known,
    pub model: Model,
    /// The Java runtime the home starts on, as far as its start scripts tell.
    pub runtime: Runtime,
    /// An EI 6.x profile (`broker`, `business-process`, …) under `wso2/<profile>`.
    pub profile: Option<String>,
    /// What discovery wants the operator to know about this home (a profile it skipped).
    pub notes: Vec<String>,
}

/// A path that cannot be searched.
#[derive(Debug, thiserror::Error)]
#[error("{}: {err}", path.display())]
pub struct DiscoverError {
    pub path: PathBuf,
    pub err: std::io::Error,
}

const CONF_DIRS: [&str; 2] = ["repository/conf", "conf"];
/// A conf dir holding one of these makes a product home. carbon.xml and deployment.toml are
/// the rule; the Tomcat and Axis2 files also count so that partial copies (config
/// repositories that track only the files they change) are found too.
const MARKERS: [&str; 4] = [
    "carbon.xml",
    "deployment.toml",
    "tomcat/catalina-server.xml",
    "axis2/axis2.xml",
];
const SKIP_DIRS: [&str; 4] = [".git", "target", ".wso2-harden", "node_modules"];

/// Every product home at or below each path, in path order, without duplicates. The homes
/// are inspected in parallel; the order does not depend on it.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<ProductHome>, DiscoverError> {
    discover_noting(paths, &mut Vec::new())
}

/// `discover`, with what was skipped said in `notes`: symlink loops, and a home reached a
/// second time through another path (a symlink to a home that is also listed). Symlinked
/// homes and directories are followed; a home is rooted where it is found (the link's path),
/// and is the same home as its target.
pub fn discover_noting(
    paths: &[PathBuf],
    notes: &mut Vec<String>,
) -> Result<Vec<ProductHome>, DiscoverError> {
    let mut found: Vec<(PathBuf, &'static str)> = Vec::new();
    let mut seen: HashMap<(u64, u64), PathBuf> = HashMap::new();
    for path in paths {
        fs::metadata(path).map_err(|err| DiscoverError {
            path: path.clone(),
            err,
        })?;
        let mut walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if let (Some(at), Some(back)) = (e.path(), e.loop_ancestor()) {
                        notes.push(format!(
                            "{}: symbolic link loop (it leads back to {}); not followed",
                            at.display(),
                            back.display()
                        ));
                    }
                    continue;
                }
            };
            if !entry.file_type().is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if entry.depth() > 0 && SKIP_DIRS.contains(&name.as_ref()) {
                walk.skip_current_dir();
                continue;
            }
            if let Some(conf) = conf_dir(entry.path()) {
                walk.skip_current_dir();
                let id = file_id(entry.path());
                if let Some(first) = id.and_then(|i| seen.get(&i)) {
                    notes.push(format!(
                        "{}: the same product home as {}; planned once",
                        entry.path().display(),
                        first.display()
                    ));
                    continue;
                }
                if let Some(i) = id {
                    seen.insert(i, entry.path().to_path_buf());
                }
                found.push((entry.path().to_path_buf(), conf));
            }
        }
    }
    // The walk is in path order; the homes it found are inspected in parallel (version
    // files, fingerprints, start scripts), and kept in the walk's order.
    let inspected: Vec<Vec<ProductHome>> = found
        .into_par_iter()
        .map(|(root, conf)| {
            let mut home = inspect(root, conf);
            let profiles = profiles::of(&mut home);
            std::iter::once(home).chain(profiles).collect()
        })
        .collect();
    let mut homes: Vec<ProductHome> = inspected.into_iter().flatten().collect();
    homes.dedup_by(|a, b| a.root == b.root);
    Ok(homes)
}

type FileId = Option<(u64, u64)>;

/// Device and inode of a directory (following links): two paths to one home compare equal.
#[cfg(unix)]
fn file_id(path: &Path) -> FileId {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> FileId {
    use std::hash::{Hash, Hasher};
    let canonical = fs::canonicalize(path).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut h);
    Some((0, h.finish()))
}

pub(crate) fn conf_dir(dir: &Path) -> Option<&'static str> {
    CONF_DIRS
        .into_iter()
        .find(|conf| MARKERS.iter().any(|m| dir.join(conf).join(m).is_file()))
}

/// Reads product, version, kernel and model of the home at `root` (an EI profile directory
/// `…/wso2/<profile>` takes them from its product home).
pub fn inspect(root: PathBuf, conf: &'static str) -> ProductHome {
    let model = Model::of(&root, conf);
    if let Some(home) = profiles::inspect_profile(&root, conf) {
        return home;
    }
    let Identity {
        product,
        version,
        kernel,
    } = identify(&root, conf, model);
    let runtime = Runtime::of(&root, product, version.bounds(), kernel.bounds());
    ProductHome {
        root,
        conf,
        product,
        version,
        kernel,
        model,
        runtime,
        profile: None,
        notes: Vec::new(),
    }
}

impl ProductHome {
    pub fn conf_path(&self, rel: &str) -> PathBuf {
        self.root.join(self.conf).join(rel)
    }

    /// The mapper's inputs of an installed home (`repository/resources/conf`, MI too), when
    /// the home has them.
    pub fn model_dir(&self) -> Option<PathBuf> {
        let dir = self.root.join("repository/resources/conf");
        dir.is_dir().then_some(dir)
    }

    /// True when the product regenerates `file` (a path under the root) from a template at
    /// start-up, so a direct edit would be silently undone.
    pub fn is_regenerated(&self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.root) else {
            return false;
        };
        let templates = self.root.join("repository/resources/conf/templates");
        if !templates.is_dir() {
            // A deployment.toml home copied without its templates (a config repository): every
            // conf XML is rendered, except tomcat/context.xml, which only APIM 4.3+ templates
            // (an APIM of unknown version is assumed to).
            let context = rel.ends_with("tomcat/context.xml");
            let apim_templates_context = self.product == ProductKind::Apim
                && self
                    .version
                    .bounds()
                    .is_none_or(|r| r.max.is_none_or(|v| v >= Version(4, 3, 0)));
            return self.model == Model::Toml
                && rel.starts_with(self.conf)
                && file.extension().is_some_and(|e| e == "xml")
                && (!context || apim_templates_context);
        }
        let mut template = templates.join(rel);
        let mut name = template.file_name().unwrap_or_default().to_os_string();
        name.push(".j2");
        template.set_file_name(name);
        template.is_file()
    }

    /// One line for reports: `API Manager 2.6.0 · kernel 4.4.35 · XML config`; bounds
    /// from a fingerprint say so (`kernel 4.4.7–4.4.35 by fingerprint`).
    pub fn describe(&self) -> String {
        let mut s = self.product.label().to_string();
        if let Some(v) = self.version.bounds() {
            s.push_str(&format!(" {v}{}", by(&self.version)));
        }
        if let Some(p) = &self.profile {
            s.push_str(&format!(" {p} profile"));
        }
        match self.kernel.bounds() {
            Some(k) => s.push_str(&format!(" · kernel {k}{}", by(&self.kernel))),
            None if self.product == ProductKind::Mi => s.push_str(" · no Carbon kernel"),
            None => s.push_str(" · kernel unknown"),
        }
        s.push_str(match self.model {
            Model::Xml => " · XML config",
            Model::Toml => " · deployment.toml config",
        });
        s
    }
}

/// " by fingerprint" for what was only narrowed down; version files speak for themselves.
fn by(k: &Known) -> &'static str {
    match k.source {
        Some(Source::Fingerprint) => " by fingerprint",
        _ => "",
    }
}

#[cfg(test)]
mod tests;
