//! The plan: for every product home, the file changes the selected patches make and the
//! findings they raise. `check`, `diff` and `fix` all read the same plan.

pub mod actions;
pub mod effective;
mod engine;
mod files;
mod fold;
mod kernel_note;
mod proven;
mod regenerated;

use std::path::PathBuf;

use serde::Serialize;

pub use engine::{plan_home, Decide, Decision, Settings, TakeAll, ValueRequest};
pub use files::display_path;

use crate::catalog::{Safety, Severity};
use crate::discover::ProductHome;
use crate::formats::text::Decoded;
use crate::formats::xml::Change;
use crate::policy::WaiverStatus;

#[derive(Debug, Default)]
pub struct Plan {
    pub nodes: Vec<NodePlan>,
    /// Findings of the run rather than of a node: a waiver that matched nothing.
    pub notes: Vec<Finding>,
}

#[derive(Debug)]
pub struct NodePlan {
    pub home: ProductHome,
    /// The home as shown to the user (relative to the current directory when possible).
    pub display: String,
    pub files: Vec<FilePlan>,
    pub findings: Vec<Finding>,
    /// What the operator should know about the node as a whole (not findings): an EI profile
    /// that was not checked, patches decided without knowing the kernel.
    pub notes: Vec<String>,
    /// Set when any file of the node could not be read or planned: nothing of it is written.
    pub error: Option<String>,
    /// How many files the plan changes, kept after `release_files`.
    pub files_changed: usize,
    /// Whether the effective configuration was computed (deployment.toml homes only).
    pub effective: Option<effective::EffectiveNote>,
    /// The effective configuration, while the node's files are held (`diff --rendered`).
    pub analysis: Option<std::sync::Arc<effective::Analysis>>,
}

#[derive(Debug)]
pub struct FilePlan {
    pub path: PathBuf,
    /// Path for reports and diff headers.
    pub display: String,
    pub original: Vec<u8>,
    pub decoded: Decoded,
    /// One step per patch that changes this file, in catalog order.
    pub steps: Vec<Step>,
}

/// The change one patch makes to one file.
#[derive(Debug, Clone)]
pub struct Step {
    pub patch: String,
    /// Decoded text before and after this step.
    pub before: String,
    pub after: String,
    pub changes: Vec<Change>,
}

/// What a finding asks for. `--fail-on` takes these names; every kind but `warning` fails a
/// run by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A fix is planned (it is in the diff).
    Fix,
    /// A fix exists but is unsafe; it is planned only with `--unsafe-fixes`.
    UnsafeFix,
    /// The fix needs a value nobody gave (`--set name=…`).
    NeedsValue,
    /// Detect-only: an operator must act.
    Manual,
    /// Not an edit: something the operator should know (a file the product regenerates).
    Warning,
    /// The fix cannot be applied to this file (an editor refuses, e.g. mixed content); the
    /// node's other fixes are still planned. An operator makes this change by hand.
    CannotFix,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub safety: Safety,
    pub node: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// A `[[waive]]` of the policy file that matches (in force or expired).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverStatus>,
}

impl Finding {
    pub fn new(
        patch: &crate::catalog::Patch,
        kind: FindingKind,
        node: &str,
        message: String,
    ) -> Finding {
        Finding {
            id: patch.id.clone(),
            kind,
            severity: patch.severity,
            safety: patch.safety,
            node: node.to_string(),
            file: None,
            line: None,
            message,
            guidance: None,
            waiver: None,
        }
    }

    pub fn at(mut self, file: Option<String>, line: Option<usize>) -> Finding {
        self.file = file;
        self.line = line;
        self
    }

    pub fn guided(mut self, guidance: Option<String>) -> Finding {
        self.guidance = guidance;
        self
    }

    /// Waived by a waiver still in force: shown, never counted.
    pub fn waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|w| !w.expired)
    }

    /// Whether this finding fails a run that fails on `kinds`.
    pub fn fails(&self, kinds: &[FindingKind]) -> bool {
        !self.waived() && kinds.contains(&self.kind)
    }

    /// Where the finding is: `file:line`, the file, or (for a node-wide finding) the node.
    pub fn place(&self) -> String {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.clone(),
            _ => self.node.clone(),
        }
    }

    /// The file relative to its product home, when the finding names one.
    pub fn file_in_node(&self) -> Option<&str> {
        let file = self.file.as_deref()?;
        if self.node == "." {
            return Some(file);
        }
        Some(
            file.strip_prefix(self.node.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(file),
        )
    }
}

impl FindingKind {
    /// The kinds that fail `check` unless `--fail-on` says otherwise: all but `warning`.
    pub fn failing_by_default() -> Vec<FindingKind> {
        use clap::ValueEnum;
        FindingKind::value_variants()
            .iter()
            .copied()
            .filter(|k| *k != FindingKind::Warning)
            .collect()
    }

    /// The name `--fail-on`, JSON and SARIF use (`needs-value`).
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Fix => "fix",
            FindingKind::UnsafeFix => "unsafe-fix",
            FindingKind::NeedsValue => "needs-value",
            FindingKind::Manual => "manual",
            FindingKind::Warning => "warning",
            FindingKind::CannotFix => "cannot-fix",
        }
    }
}

impl FilePlan {
    /// The decoded text after every step.
    pub fn final_text(&self) -> &str {
        self.steps.last().map_or(&self.decoded.text, |s| &s.after)
    }

    /// The bytes `fix` writes.
    pub fn final_bytes(&self) -> Result<Vec<u8>, crate::formats::text::EncodeError> {
        self.decoded.encode(self.final_text())
    }
}

impl NodePlan {
    pub fn changed_files(&self) -> impl Iterator<Item = &FilePlan> {
        self.files.iter().filter(|f| !f.steps.is_empty())
    }

    /// Drops the file contents once the plan has been reported or written (a fleet never
    /// holds more than a few nodes' files), keeping the count of changed files.
    pub fn release_files(&mut self) {
        self.files_changed = self.changed_files().count();
        self.files = Vec::new();
        self.analysis = None;
    }

    /// Findings of `kind` that no waiver in force covers.
    pub fn open_of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.kind == kind && !f.waived())
    }

    /// Findings that keep `check` from passing by default (warnings and waived ones do not).
    pub fn open_findings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.kind != FindingKind::Warning && !f.waived())
            .count()
    }
}

impl Plan {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.nodes
            .iter()
            .flat_map(|n| n.findings.iter())
            .chain(&self.notes)
    }

    pub fn has_errors(&self) -> bool {
        self.nodes.iter().any(|n| n.error.is_some())
    }
}
