//! The patch model: what `patches/<id>/patch.toml` declares (its header, values and targets).
//! Plain data: the build script includes this module to check the catalog before it is
//! embedded, so it depends only on serde and the other plain-data modules.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::target::Target;
use crate::catalog::values::ValueSpec;
use crate::discover::{Model, ProductKind, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

/// Whether `fix` may apply the patch on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Applied by `fix --yes`.
    Safe,
    /// Correct but can lock users or clients out; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Detect-only: reported with guidance, never edited.
    Manual,
}

/// One patch module.
#[derive(Debug, Clone)]
pub struct Patch {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub safety: Safety,
    /// The server must restart for the change to take effect.
    pub restart: bool,
    /// In the default selection. Patches that need a deliberate decision set this false.
    pub default: bool,
    /// One line: why, from the guideline.
    pub summary: String,
    /// The guideline's words, quoted.
    pub rationale: String,
    pub references: Vec<String>,
    /// Human-readable applicability (products, generations, kernels) for `explain`.
    pub applies: String,
    /// What an operator does for a manual finding, or must know before applying.
    pub guidance: Option<String>,
    /// The values the targets read, by name.
    pub values: BTreeMap<String, ValueSpec>,
    /// Where a fix patch edits (`[[target]]`, in order).
    pub targets: Vec<Target>,
    /// The detect-only handler of a manual patch (`detect = "<name>"`).
    pub detect: Option<String>,
}

/// The fields of `patch.toml` other than `[[target]]`, exactly as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub safety: Safety,
    pub restart: bool,
    #[serde(default = "yes")]
    pub default: bool,
    pub summary: String,
    pub rationale: String,
    pub references: Vec<String>,
    pub applies: String,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub values: BTreeMap<String, crate::catalog::values::RawValueSpec>,
    /// Read separately, one table at a time (see `parse`).
    #[serde(default, rename = "target")]
    pub _targets: serde::de::IgnoredAny,
    #[serde(default)]
    pub detect: Option<String>,
}

fn yes() -> bool {
    true
}

/// Conditions on the home; all given ones must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default)]
    pub model: Option<Model>,
    #[serde(default)]
    pub products: Vec<ProductKind>,
    /// Alternatives: `">=4.4.17"`, `"<4.4.17"`, `"unknown"`; one must hold.
    #[serde(default)]
    pub kernel: Vec<KernelCondition>,
}

/// One kernel condition of `when.kernel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum KernelCondition {
    /// `"unknown"`: the kernel could not be determined.
    Unknown,
    /// `">=4.4.17"`
    AtLeast(Version),
    /// `"<4.4.17"`
    Below(Version),
}

impl KernelCondition {
    pub fn holds(self, kernel: Option<Version>) -> bool {
        match (self, kernel) {
            (KernelCondition::Unknown, k) => k.is_none(),
            (KernelCondition::AtLeast(v), Some(k)) => k >= v,
            (KernelCondition::Below(v), Some(k)) => k < v,
            (_, None) => false,
        }
    }
}

impl TryFrom<String> for KernelCondition {
    type Error = String;

    fn try_from(cond: String) -> Result<Self, String> {
        let c = cond.trim();
        if c == "unknown" {
            return Ok(KernelCondition::Unknown);
        }
        let bad = || {
            format!(
                "bad kernel condition `{cond}` (expected \">=4.4.17\", \"<4.5.0\" or \"unknown\")"
            )
        };
        let version = |rest: &str| Version::find_in(rest).ok_or_else(bad);
        match (c.strip_prefix(">="), c.strip_prefix('<')) {
            (Some(r), _) => version(r).map(KernelCondition::AtLeast),
            (None, Some(r)) => version(r).map(KernelCondition::Below),
            (None, None) => Err(bad()),
        }
    }
}

impl fmt::Display for KernelCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelCondition::Unknown => f.write_str("unknown"),
            KernelCondition::AtLeast(v) => write!(f, ">={v}"),
            KernelCondition::Below(v) => write!(f, "<{v}"),
        }
    }
}
