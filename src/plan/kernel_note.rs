//! When a home's kernel (or product version, or JDK) is not known exactly, targets conditioned
//! on a range of it cannot all be decided: those that apply only through their `"unknown"`
//! alternative are the patch's conservative choice, those without one are skipped. The node's
//! report says which, once.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Fit, Patch, Target};
use crate::discover::{Known, ProductHome, ProductKind};

/// The patches a node's unknown (or only bounded) versions affected.
#[derive(Debug, Default)]
pub(super) struct KernelNote {
    fallback: BTreeSet<String>,
    /// Patch → the conditions that could not be decided.
    skipped: BTreeMap<String, BTreeSet<String>>,
    /// What was not known exactly: `kernel`, `version`, `JDK`.
    unknown: BTreeSet<&'static str>,
}

impl KernelNote {
    /// Whether anything about the home is not known exactly.
    pub(super) fn wanted(home: &ProductHome) -> bool {
        home.kernel.exact.is_none()
            || home.version.exact.is_none()
            || home.runtime.jdk_min.is_none()
    }

    /// Records how `target` fared on `home`; `has_files` tells whether the files it names
    /// exist there (a target on an absent file is no loss).
    pub(super) fn record(
        &mut self,
        home: &ProductHome,
        patch: &Patch,
        target: &Target,
        has_files: impl FnOnce() -> bool,
    ) {
        if !target.when.holds_but_versions(home) {
            return;
        }
        let fits = target.when.fits(home);
        // MI runs no kernel: its targets are written for that, and "kernel unknown" is wrong.
        let notable = |name: &str| !(name == "kernel" && home.product == ProductKind::Mi);
        if fits.iter().any(|(_, f)| *f == Fit::Fails) {
            return;
        }
        let open: Vec<(&'static str, Fit)> = fits
            .iter()
            .filter(|(name, f)| matches!(f, Fit::Undecided | Fit::Fallback) && notable(name))
            .copied()
            .collect();
        if open.is_empty() || !has_files() {
            return;
        }
        self.unknown.extend(open.iter().map(|(name, _)| *name));
        let undecided: Vec<String> = (open.iter())
            .filter(|(_, f)| *f == Fit::Undecided)
            .map(|(name, _)| {
                let list = match *name {
                    "kernel" => &target.when.kernel,
                    "version" => &target.when.version,
                    _ => &target.when.jdk,
                };
                // A JDK is named by its major version (`>=11`).
                let alternatives: Vec<String> = list
                    .iter()
                    .map(|c| match *name {
                        "JDK" => c.to_string().replace(".0.0", ""),
                        _ => c.to_string(),
                    })
                    .collect();
                format!("{name} {}", alternatives.join(" or "))
            })
            .collect();
        if undecided.is_empty() {
            self.fallback.insert(patch.id.clone());
        } else {
            self.skipped
                .entry(patch.id.clone())
                .or_default()
                .extend(undecided);
        }
    }

    /// The note, when any patch was affected.
    pub(super) fn message(self, home: &ProductHome) -> Option<String> {
        let fallback: Vec<String> = self.fallback.into_iter().collect();
        // A patch that took its conservative choice is not also "skipped" for its other branch.
        let skipped: Vec<String> = self
            .skipped
            .into_iter()
            .filter(|(id, _)| !fallback.contains(id))
            .map(|(id, conds)| {
                let conds: Vec<String> = conds.into_iter().collect();
                format!("{id} ({})", conds.join("; "))
            })
            .collect();
        if fallback.is_empty() && skipped.is_empty() {
            return None;
        }
        let what = |name: &str, k: &Known| match k.bounds() {
            Some(r) => format!("{name} not known exactly ({r} by fingerprint)"),
            None => format!("{name} unknown"),
        };
        let known: Vec<String> = self
            .unknown
            .iter()
            .map(|dim| match *dim {
                "kernel" => what("kernel", &home.kernel),
                "version" => what("product version", &home.version),
                _ => "lowest JDK unknown".to_string(),
            })
            .collect();
        let mut parts = Vec::new();
        if !fallback.is_empty() {
            parts.push(format!(
                "{} took the choice that is safe on every version",
                fallback.join(", ")
            ));
        }
        if !skipped.is_empty() {
            parts.push(format!("skipped for want of it: {}", skipped.join(", ")));
        }
        Some(format!(
            "{}: {}. A bin/version.txt or bin/wso2carbon-version.txt in the home decides them.",
            known.join(", "),
            parts.join("; ")
        ))
    }
}
