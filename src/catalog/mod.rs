//! The patch catalog: patch modules embedded from `patches/` (checked by the build script
//! and again at load), and the values they read.

pub mod detect;
pub mod expand;
pub mod fields;
pub mod listeners;
pub mod model;
pub mod parse;
pub mod target;
pub mod values;

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use expand::{placeholders, MissingValue, Values};
pub use model::{fit, Fit, KernelCondition, Patch, Safety, Severity, VersionCondition, When};
pub use parse::{parse_patch, PatchError};
pub use target::{Action, Format, Target, TargetSpec};
pub use values::{Missing, ValueKind, ValueSpec};

use crate::discover::{ProductHome, Version, VersionRange};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/patches.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Invalid(#[from] PatchError),
    #[error("patches/{id}/patch.toml: unknown detect handler `{name}` (known: {known})")]
    UnknownHandler {
        id: String,
        name: String,
        known: String,
    },
    #[error("unknown patch id `{0}` (see `wso2-harden patches`)")]
    UnknownId(String),
}

#[derive(Debug)]
pub struct Catalog {
    pub patches: Vec<Patch>,
    /// Every value any patch reads, with its spec (declared the same way by every patch).
    pub values: BTreeMap<String, ValueSpec>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            // The build script refuses a catalog that does not load, and the test suite loads
            // this one (with its detect handlers): a failure here is a build bug.
            Catalog::load(embedded::PATCH_SOURCES)
                .unwrap_or_else(|e| panic!("built-in catalog: {e}"))
        })
    }

    /// Patches from `(directory, patch.toml source)` pairs, in that order.
    pub fn load(sources: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let (patches, values) = parse::load(sources)?;
        for p in &patches {
            if let Some(name) = p.detect.as_deref().filter(|n| detect::handler(n).is_none()) {
                let known: Vec<&str> = detect::HANDLERS.iter().map(|h| h.name).collect();
                return Err(CatalogError::UnknownHandler {
                    id: p.id.clone(),
                    name: name.to_string(),
                    known: known.join(", "),
                });
            }
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

    /// Checks a value a user gives (`--set`, the policy file, a prompt, Ansible) by its kind;
    /// the error says why it is refused.
    pub fn check_value(&self, name: &str, value: &str) -> Result<(), String> {
        match self.values.get(name) {
            Some(spec) => spec.kind.validate(value),
            None => Err(format!("unknown value `{name}`")),
        }
    }

    /// The patches that read a value, in catalog order.
    pub fn readers(&self, name: &str) -> impl Iterator<Item = &Patch> {
        let name = name.to_string();
        self.patches
            .iter()
            .filter(move |p| p.values.contains_key(&name))
    }
}

impl When {
    pub fn holds(&self, home: &ProductHome) -> bool {
        self.holds_but_versions(home)
            && self
                .fits(home)
                .iter()
                .all(|(_, f)| matches!(f, Fit::Holds | Fit::Fallback))
    }

    /// The conditions other than versions (model, products) hold for `home`.
    pub fn holds_but_versions(&self, home: &ProductHome) -> bool {
        self.model.is_none_or(|m| m == home.model)
            && (self.products.is_empty() || self.products.contains(&home.product))
            && self.absent.as_ref().is_none_or(|rel| {
                // symlink_metadata: a planted link counts as present, and is never followed
                std::fs::symlink_metadata(home.root.join(rel.replace("{conf}", home.conf))).is_err()
            })
    }

    /// How `when.kernel`, `when.version` and `when.jdk` fit the home, decided on what is known
    /// of each: exact, or only bounded (a fingerprint).
    pub fn fits(&self, home: &ProductHome) -> [(&'static str, Fit); 3] {
        let jdk = home
            .runtime
            .jdk_min
            .map(|j| VersionRange::exact(Version(j, 0, 0)));
        [
            ("kernel", fit(&self.kernel, home.kernel.bounds())),
            ("version", fit(&self.version, home.version.bounds())),
            ("JDK", fit(&self.jdk, jdk)),
        ]
    }
}
