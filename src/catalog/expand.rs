//! Values in force for one node, and the expansion of `{name}` placeholders in value templates.
//! Plain data: the build script includes it.

use std::collections::BTreeMap;

use crate::catalog::values::{Missing, ValueSpec};

/// The `{name}` placeholders of a value template.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n))
}

/// Values in force for one node: defaults < policy `[values]` < node section < `--set`,
/// merged by the caller into `given`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub given: BTreeMap<String, String>,
}

/// A value that a template needs and nobody gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    pub name: String,
    pub missing: Missing,
}

impl Values {
    /// Expands `{name}` placeholders (values may reference others, e.g. `https://{hostname}`).
    pub fn expand(
        &self,
        template: &str,
        specs: &BTreeMap<String, ValueSpec>,
    ) -> Result<String, MissingValue> {
        self.expand_depth(template, specs, 0)
    }

    /// True when a placeholder of `template` was given by the user rather than defaulted.
    pub fn explicit(&self, template: &str) -> bool {
        placeholders(template).any(|n| self.given.contains_key(n))
    }

    fn expand_depth(
        &self,
        template: &str,
        specs: &BTreeMap<String, ValueSpec>,
        depth: usize,
    ) -> Result<String, MissingValue> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let spec = specs.get(name);
            let raw = self
                .given
                .get(name)
                .cloned()
                .or_else(|| spec.and_then(|s| s.default.clone()))
                .filter(|v| !v.is_empty());
            let missing = || MissingValue {
                name: name.to_string(),
                missing: spec.map_or(Missing::NeedsValue, |s| s.missing),
            };
            let raw = raw.ok_or_else(missing)?;
            if depth < 4 && raw.contains('{') {
                out.push_str(&self.expand_depth(&raw, specs, depth + 1)?);
            } else {
                out.push_str(&raw);
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}
