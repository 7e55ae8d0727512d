//! The patch model: what `patches/<id>/patch.toml` declares (its header, values and targets).
//! Plain data: the build script includes this module to check the catalog before it is
//! embedded, so it depends only on serde and the other plain-data modules.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::target::Target;
use crate::catalog::values::ValueSpec;
use crate::discover::{Model, ProductKind, Version, VersionRange};

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
    /// Alternatives on the product's own version (`">=4.1.0"`, `"unknown"`), for targets
    /// that also name `products`.
    #[serde(default)]
    pub version: Vec<VersionCondition>,
    /// Alternatives on the lowest JDK the home's start scripts accept (`">=11"`, `"<11"`,
    /// `"unknown"`): where the version is unknown, the launcher still dates the product.
    #[serde(default)]
    pub jdk: Vec<VersionCondition>,
    /// A path relative to the home (`{conf}` allowed) that must not exist: a report for homes
    /// without the file another target edits (a config repository without its templates).
    #[serde(default)]
    pub absent: Option<String>,
}

/// A kernel condition is a version condition on the kernel.
pub type KernelCondition = VersionCondition;

/// One condition of `when.kernel`, `when.version` or `when.jdk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum VersionCondition {
    /// `"unknown"`: the version could not be determined.
    Unknown,
    /// `">=4.4.17"`
    AtLeast(Version),
    /// `"<4.4.17"`
    Below(Version),
    /// `">=3.1.0,<4.1.0"`: both.
    Range(Version, Version),
}

impl VersionCondition {
    pub fn holds(self, version: Option<Version>) -> bool {
        self.decide(version.map(VersionRange::exact))
            .unwrap_or(self == VersionCondition::Unknown && version.is_none())
    }

    /// Whether a version condition holds for every version within `bounds` (`Some(true)`), for
    /// none (`Some(false)`), or cannot be told (`None`: unknown, or bounds that straddle it).
    /// `"unknown"` is never decided here: see [`fit`].
    pub fn decide(self, bounds: Option<VersionRange>) -> Option<bool> {
        let k = bounds?;
        let below = |v: Version| k.max.is_some_and(|m| m < v);
        match self {
            VersionCondition::Unknown => None,
            VersionCondition::AtLeast(v) if k.min >= v => Some(true),
            VersionCondition::AtLeast(v) if below(v) => Some(false),
            VersionCondition::Below(v) if below(v) => Some(true),
            VersionCondition::Below(v) if k.min >= v => Some(false),
            VersionCondition::Range(lo, hi) if k.min >= lo && below(hi) => Some(true),
            VersionCondition::Range(lo, hi) if below(lo) || k.min >= hi => Some(false),
            _ => None,
        }
    }
}

/// How a target's `when.kernel` (or `when.version`, `when.jdk`) fits a home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// A version condition holds (or there is none).
    Holds,
    /// Only the `"unknown"` alternative holds: the version is not known well enough to decide
    /// the others, and the target is the patch's conservative choice.
    Fallback,
    /// No alternative holds.
    Fails,
    /// No alternative holds, but one might if the version were known: skipped for want of it.
    Undecided,
}

/// How the alternatives `conds` fit `bounds`: exact (`min == max`), only bounded, or `None`
/// (unknown).
pub fn fit(conds: &[VersionCondition], bounds: Option<VersionRange>) -> Fit {
    if conds.is_empty() {
        return Fit::Holds;
    }
    let mut open = false;
    let mut unknown_allowed = false;
    for c in conds {
        match (c, c.decide(bounds)) {
            (VersionCondition::Unknown, _) => unknown_allowed = true,
            (_, Some(true)) => return Fit::Holds,
            (_, Some(false)) => {}
            (_, None) => open = true,
        }
    }
    let exact = bounds.is_some_and(|k| k.single().is_some());
    let only_unknown = conds.iter().all(|c| *c == VersionCondition::Unknown);
    match (unknown_allowed, open || (only_unknown && !exact)) {
        (true, true) => Fit::Fallback,
        (false, true) => Fit::Undecided,
        _ => Fit::Fails,
    }
}

impl TryFrom<String> for VersionCondition {
    type Error = String;

    fn try_from(cond: String) -> Result<Self, String> {
        let c = cond.trim();
        if c == "unknown" {
            return Ok(VersionCondition::Unknown);
        }
        let bad = || {
            format!(
                "bad version condition `{cond}` (expected \">=4.4.17\", \"<4.5.0\", \">=3.1.0,<4.1.0\", \">=11\" or \"unknown\")"
            )
        };
        // A bare major version (`">=11"`, for the JDK) reads as `11.0`.
        let version = |rest: &str| {
            let rest = rest.trim();
            let full = if rest.contains('.') {
                rest.to_string()
            } else {
                format!("{rest}.0")
            };
            Version::find_in(&full)
                .filter(|_| !rest.is_empty())
                .ok_or_else(bad)
        };
        if let Some((lo, hi)) = c.split_once(',') {
            let lo = lo.trim().strip_prefix(">=").ok_or_else(bad)?;
            let hi = hi.trim().strip_prefix('<').ok_or_else(bad)?;
            return Ok(VersionCondition::Range(version(lo)?, version(hi)?));
        }
        match (c.strip_prefix(">="), c.strip_prefix('<')) {
            (Some(r), _) => version(r).map(VersionCondition::AtLeast),
            (None, Some(r)) => version(r).map(VersionCondition::Below),
            (None, None) => Err(bad()),
        }
    }
}

impl fmt::Display for VersionCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionCondition::Unknown => f.write_str("unknown"),
            VersionCondition::AtLeast(v) => write!(f, ">={v}"),
            VersionCondition::Below(v) => write!(f, "<{v}"),
            VersionCondition::Range(lo, hi) => write!(f, ">={lo},<{hi}"),
        }
    }
}
