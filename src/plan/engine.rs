//! Builds one node's plan: resolves each patch target to files, folds the targets over each
//! file's text in catalog order (one step per patch), and runs the detect-only checks.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::PathBuf;

use super::actions::{self, Edit, Parsed};
use super::files::{display_path, target_files};
use super::regenerated::{hand_edit_warnings, warn_regenerated};
use super::{FilePlan, Finding, FindingKind, NodePlan, Step};
use crate::catalog::{detect, Catalog, Missing, Patch, Safety, Target, Values};
use crate::discover::{Model, ProductHome};
use crate::formats::error::ParseError;
use crate::formats::text::Decoded;
use crate::formats::xml;

/// What a run plans with: the selected patches and whether unsafe fixes are included.
pub struct Settings<'c> {
    pub catalog: &'c Catalog,
    pub patches: Vec<&'c Patch>,
    pub unsafe_fixes: bool,
    /// Paths are shown relative to this directory.
    pub cwd: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Apply,
    Skip,
    /// Skip this and every later change of the run.
    Stop,
}

/// Decides whether each planned step is taken, and may supply missing values.
/// `check`, `diff` and `fix --yes` take every step; interactive `fix` asks.
pub trait Decide {
    fn decide(&mut self, node: &str, patch: &Patch, file: &str, step: &Step) -> Decision;
    fn value(&mut self, _node: &str, _patch: &Patch, _name: &str) -> Option<String> {
        None
    }
}

/// Takes every step.
pub struct TakeAll;

impl Decide for TakeAll {
    fn decide(&mut self, _: &str, _: &Patch, _: &str, _: &Step) -> Decision {
        Decision::Apply
    }
}

struct Work<'c> {
    path: PathBuf,
    ops: Vec<(&'c Patch, &'c Target)>,
    /// The file's bytes when resolving the target already read them.
    bytes: Option<Vec<u8>>,
}

pub fn plan_home(
    home: ProductHome,
    settings: &Settings,
    values: &Values,
    decide: &mut dyn Decide,
) -> NodePlan {
    let display = display_path(&home.root, &settings.cwd);
    let mut node = NodePlan {
        display,
        files: Vec::new(),
        findings: Vec::new(),
        error: None,
        files_changed: 0,
        home,
    };
    let mut values = values.clone();
    let mut stopped = false;
    let work = collect_work(&mut node, settings);
    for w in work {
        let display = display_path(&w.path, &settings.cwd);
        let read = match w.bytes {
            Some(bytes) => Ok(bytes),
            None => fs::read(&w.path),
        };
        let original = match read {
            Ok(b) => b,
            Err(e) => {
                node.error = Some(format!("{display}: {e}"));
                break;
            }
        };
        let decoded = Decoded::decode(&original);
        let mut file = FilePlan {
            path: w.path,
            display,
            original,
            decoded,
            steps: Vec::new(),
        };
        let fold = Fold {
            settings,
            node_display: node.display.clone(),
            values: &mut values,
            decide,
            stopped: &mut stopped,
            findings: &mut node.findings,
            needs_reported: BTreeSet::new(),
        };
        if let Err(e) = fold.run(&mut file, &w.ops) {
            node.error = Some(format!(
                "{}:{}:{}: {}",
                file.display, e.line, e.col, e.message
            ));
            break;
        }
        node.files.push(file);
    }
    if node.error.is_some() {
        // All-or-nothing: a node with any unreadable file plans no change at all; what needs a
        // person (admin/admin, keystores, …) is still reported below.
        node.files.clear();
        node.findings.clear();
    } else if node.home.model == Model::Toml {
        let warnings = hand_edit_warnings(&node, settings, &values);
        node.findings.extend(warnings);
    }
    let manual = manual_findings(&node, settings);
    node.findings.extend(manual);
    node
}

/// Which targets apply to which existing files of the node, in catalog order per file.
/// Regenerated files get a note instead of edits.
fn collect_work<'c>(node: &mut NodePlan, settings: &Settings<'c>) -> Vec<Work<'c>> {
    let mut work: Vec<Work> = Vec::new();
    // Each file spec is resolved once per node, and each file read once (scripts are read to
    // see whether they launch the JVM, then planned from the same bytes).
    let mut resolved: HashMap<&str, Vec<PathBuf>> = HashMap::new();
    let mut reads: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for &patch in &settings.patches {
        if patch.safety == Safety::Manual {
            continue;
        }
        for target in &patch.targets {
            if !target.when.holds(&node.home) {
                continue;
            }
            let files = resolved
                .entry(target.file.as_str())
                .or_insert_with(|| target_files(&node.home, &target.file, &mut reads))
                .clone();
            for path in files {
                if node.home.model == Model::Toml && node.home.is_regenerated(&path) {
                    let file = display_path(&path, &settings.cwd);
                    warn_regenerated(node, patch, file);
                    continue;
                }
                match work.iter_mut().find(|w| w.path == path) {
                    Some(w) => w.ops.push((patch, target)),
                    None => work.push(Work {
                        path,
                        ops: vec![(patch, target)],
                        bytes: None,
                    }),
                }
            }
        }
    }
    for w in &mut work {
        w.bytes = reads.remove(&w.path);
    }
    work
}

/// The detect-only patches' findings: every selected handler on one parse per file.
fn manual_findings(node: &NodePlan, settings: &Settings) -> Vec<Finding> {
    let detects: Vec<&Patch> = settings
        .patches
        .iter()
        .copied()
        .filter(|p| p.detect.is_some())
        .collect();
    let handlers: Vec<&str> = detects.iter().filter_map(|p| p.detect.as_deref()).collect();
    let texts = detect::Texts::load(&node.home, &handlers);
    let docs = detect::Docs::parse(&node.home, &texts);
    let mut manual = Vec::new();
    for patch in detects {
        for d in detect::run(patch.detect.as_deref().unwrap_or(""), &docs) {
            let message = format!("{}: {}", patch.title, d.message);
            let file = d.file.as_deref().map(|f| display_path(f, &settings.cwd));
            manual.push(
                Finding::new(patch, FindingKind::Manual, &node.display, message)
                    .at(file, d.line)
                    .guided(patch.guidance.clone()),
            );
        }
    }
    manual
}

struct Fold<'a, 'c> {
    settings: &'a Settings<'c>,
    node_display: String,
    values: &'a mut Values,
    decide: &'a mut dyn Decide,
    stopped: &'a mut bool,
    findings: &'a mut Vec<Finding>,
    needs_reported: BTreeSet<String>,
}

/// The edits of the patch currently being folded into a file.
struct Open<'c> {
    patch: &'c Patch,
    before: String,
    changes: Vec<xml::Change>,
}

enum Next {
    Edit(usize, Box<Edit>),
    Boundary,
    Done,
}

impl<'c> Fold<'_, 'c> {
    fn run(
        mut self,
        file: &mut FilePlan,
        ops: &[(&'c Patch, &'c Target)],
    ) -> Result<(), ParseError> {
        let single_byte = file.decoded.single_byte_encoding();
        let mut text = file.decoded.text.clone();
        let mut open: Option<Open> = None;
        let mut carried: Option<Parsed<'static>> = None;
        let mut j = 0;
        loop {
            let next: Next = {
                let parsed: Parsed = match carried.take() {
                    Some(p) => p,
                    None => Parsed::parse(&text, &file.path)?,
                };
                let mut next = Next::Done;
                while j < ops.len() {
                    let (patch, target) = ops[j];
                    if open.as_ref().is_some_and(|o| o.patch.id != patch.id) {
                        next = Next::Boundary;
                        break;
                    }
                    let template = target.value.as_deref().unwrap_or("");
                    let value = match self.values.expand(template, &self.settings.catalog.values) {
                        Ok(v) => v,
                        Err(m) => {
                            // Ask (interactive) or report only where the value really matters:
                            // the target applies, the setting is unset, the value not optional.
                            let current = actions::current(target, &parsed);
                            if self.needs_value(target, &parsed, &m, current.as_deref()) {
                                let asked = self.decide.value(&self.node_display, patch, &m.name);
                                if let Some(v) = asked {
                                    self.values.given.insert(m.name, v);
                                    continue; // the same op again, now with its value
                                }
                                self.report_missing(file, patch, target, &m, current.as_deref());
                            }
                            j += 1;
                            continue;
                        }
                    };
                    let ctx = actions::Ctx {
                        text: &text,
                        parsed: &parsed,
                        single_byte,
                    };
                    let explicit = self.values.explicit(template);
                    match actions::run(target, &value, explicit, &ctx)? {
                        Some(edit) => {
                            next = Next::Edit(j, Box::new(edit));
                            break;
                        }
                        None => j += 1,
                    }
                }
                next
            };
            match next {
                Next::Edit(k, edit) => {
                    let o = open.get_or_insert_with(|| Open {
                        patch: ops[k].0,
                        before: text.clone(),
                        changes: Vec::new(),
                    });
                    o.changes.extend(edit.changes);
                    text = edit.text;
                    carried = edit.parsed;
                    j = k + 1;
                }
                Next::Boundary | Next::Done => {
                    if let Some(o) = open.take() {
                        text = self.close(file, o, text);
                    }
                    if matches!(next, Next::Done) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the open patch: records its step and finding, or reverts it when it is unsafe,
    /// declined or the run was stopped. Returns the text to continue from.
    fn close(&mut self, file: &mut FilePlan, open: Open<'c>, text: String) -> String {
        let patch = open.patch;
        let line = open.changes.iter().map(|c| c.line).min();
        let what: Vec<_> = open.changes.iter().map(|c| c.what.as_str()).collect();
        let step = Step {
            patch: patch.id.clone(),
            before: open.before,
            after: text,
            changes: open.changes.clone(),
        };
        let fixable = patch.safety == Safety::Safe || self.settings.unsafe_fixes;
        let kind = if fixable {
            FindingKind::Fix
        } else {
            FindingKind::UnsafeFix
        };
        let message = format!("{}: {}", patch.title, what.join("; "));
        let unsafe_note =
            "unsafe fix: apply with --unsafe-fixes after reading `wso2-harden explain`";
        self.findings.push(
            Finding::new(patch, kind, &self.node_display, message)
                .at(Some(file.display.clone()), line)
                .guided((!fixable).then(|| unsafe_note.to_string())),
        );
        if !fixable || *self.stopped {
            return step.before;
        }
        match self
            .decide
            .decide(&self.node_display, patch, &file.display, &step)
        {
            Decision::Apply => {
                let after = step.after.clone();
                file.steps.push(step);
                after
            }
            Decision::Skip => step.before,
            Decision::Stop => {
                *self.stopped = true;
                step.before
            }
        }
    }

    /// A missing value matters when it is not optional, the target applies to this file,
    /// and the setting is absent or still a shipped placeholder (`localhost`).
    fn needs_value(
        &self,
        target: &Target,
        parsed: &Parsed,
        missing: &crate::catalog::MissingValue,
        current: Option<&str>,
    ) -> bool {
        if missing.missing == Missing::Skip || !actions::applicable(target, parsed) {
            return false;
        }
        let spec = self.settings.catalog.values.get(&missing.name);
        let configured = current.map(str::trim).is_some_and(|c| {
            !c.is_empty() && !spec.is_some_and(|s| s.unset.iter().any(|u| u == c))
        });
        !configured
    }

    fn report_missing(
        &mut self,
        file: &FilePlan,
        patch: &Patch,
        target: &Target,
        missing: &crate::catalog::MissingValue,
        current: Option<&str>,
    ) {
        if !self
            .needs_reported
            .insert(format!("{}/{}", patch.id, missing.name))
        {
            return;
        }
        let what = target
            .select
            .as_deref()
            .or(target.key.as_deref())
            .unwrap_or(&file.display);
        let message = format!(
            "{}: needs a value for `{}` ({what} is {}); give it with --set {}=… or in the policy file",
            patch.title,
            missing.name,
            current.map_or("absent".to_string(), |c| format!("\"{c}\"")),
            missing.name
        );
        self.findings.push(
            Finding::new(patch, FindingKind::NeedsValue, &self.node_display, message)
                .at(Some(file.display.clone()), None),
        );
    }
}
