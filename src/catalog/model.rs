//! The patch model: what `patches/<id>/patch.toml` declares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discover::{Model, ProductHome, ProductKind, Version};
use crate::formats::Compare;

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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub safety: Safety,
    /// The server must restart for the change to take effect.
    pub restart: bool,
    /// In the default selection. Patches that need a deliberate decision set this false.
    #[serde(default = "yes")]
    pub default: bool,
    /// One line: why, from the guideline.
    pub summary: String,
    /// The guideline's words, quoted.
    pub rationale: String,
    pub references: Vec<String>,
    /// Human-readable applicability (products, generations, kernels) for `explain`.
    pub applies: String,
    /// What an operator does for a manual finding, or must know before applying.
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub values: BTreeMap<String, ValueSpec>,
    #[serde(default, rename = "target")]
    pub targets: Vec<Target>,
    /// Name of the Rust handler of a detect-only patch.
    #[serde(default)]
    pub detect: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub description: String,
    #[serde(default)]
    pub default: Option<String>,
    /// What a missing value means: report "needs a value", or skip silently (optional tuning).
    #[serde(default)]
    pub missing: Missing,
    /// Current values that count as "not configured" (shipped placeholders such as
    /// `localhost`), so a missing value is reported only where the setting is really unset.
    #[serde(default)]
    pub unset: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    #[default]
    NeedsValue,
    Skip,
}

/// One place a patch edits, with the conditions under which it applies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub when: When,
    /// `{conf}/tomcat/catalina-server.xml`, a path relative to the home, or `@startup-sh` /
    /// `@startup-bat` for every script that launches the JVM.
    pub file: String,
    pub action: ActionKind,
    #[serde(default)]
    pub select: Option<String>,
    #[serde(default)]
    pub attr: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub compare: Compare,
    /// xml-text / xml-attr: insert the element when it is missing (next to a commented-out
    /// copy, else after its last sibling element).
    #[serde(default)]
    pub create: bool,
    /// property: only when this key exists (the appender is configured at all).
    #[serde(default)]
    pub requires_key: Option<String>,
    /// property: current values that already comply (alternatives to `value`).
    #[serde(default)]
    pub accept: Vec<String>,
    /// toml-key: the value the product uses when the key is absent.
    #[serde(default)]
    pub product_default: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    XmlAttr,
    XmlText,
    TomlKey,
    JvmFlag,
    JvmHeap,
    Property,
    Log4j2Counter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    #[default]
    String,
    Integer,
    Bool,
}

/// Conditions on the home; all given ones must hold.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default)]
    pub model: Option<Model>,
    #[serde(default)]
    pub products: Vec<ProductKind>,
    /// Alternatives: `">=4.4.17"`, `"<4.4.17"`, `"unknown"`; one must hold.
    #[serde(default)]
    pub kernel: Vec<String>,
}

impl When {
    pub fn holds(&self, home: &ProductHome) -> bool {
        self.model.is_none_or(|m| m == home.model)
            && (self.products.is_empty() || self.products.contains(&home.product))
            && (self.kernel.is_empty()
                || self.kernel.iter().any(|k| kernel_matches(k, home.kernel)))
    }
}

/// Checks one kernel condition; a malformed one never holds (the catalog test rejects it).
pub fn kernel_matches(cond: &str, kernel: Option<Version>) -> bool {
    let cond = cond.trim();
    if cond == "unknown" {
        return kernel.is_none();
    }
    let Some(k) = kernel else { return false };
    let (op, rest) = if let Some(r) = cond.strip_prefix(">=") {
        (">=", r)
    } else if let Some(r) = cond.strip_prefix('<') {
        ("<", r)
    } else {
        return false;
    };
    match Version::find_in(rest) {
        Some(v) if op == ">=" => k >= v,
        Some(v) => k < v,
        None => false,
    }
}

pub fn valid_kernel_condition(cond: &str) -> bool {
    let c = cond.trim();
    c == "unknown"
        || c.strip_prefix(">=")
            .or_else(|| c.strip_prefix('<'))
            .is_some_and(|r| Version::find_in(r).is_some())
}
