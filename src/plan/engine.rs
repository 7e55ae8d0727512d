//! Builds one node's plan: resolves each patch target to files, folds the targets over each
//! file's text in catalog order (`fold`), and runs the detect-only checks.

use std::collections::HashMap;
use std::path::PathBuf;

use super::actions::Parsed;
use super::effective::{analyse, EffectiveOptions, NodeEffective};
use super::files::{display_path, target_files, ScriptRead};
use super::fold::{Fold, NodeFacts};
use super::kernel_note::KernelNote;
use super::proven::fold_proven;
use super::regenerated::{hand_edit_warnings, warn_regenerated};
use super::{FilePlan, Finding, FindingKind, NodePlan, Step};
use crate::catalog::{detect, Catalog, Patch, Safety, Target, Values};
use crate::discover::{Model, ProductHome};
use crate::formats::text::Decoded;
use crate::formats::toml::TomlFile;
use crate::policy::Waivers;

/// What a run plans with: the selected patches and whether unsafe fixes are included.
#[derive(Clone)]
pub struct Settings<'c> {
    pub catalog: &'c Catalog,
    pub patches: Vec<&'c Patch>,
    pub unsafe_fixes: bool,
    /// Paths are shown relative to this directory.
    pub cwd: PathBuf,
    /// The policy file's `[[waive]]` entries (`&policy::waiver::NONE` without one).
    pub waivers: &'c Waivers,
    /// How deployment.toml homes are mapped (`--model`).
    pub effective: EffectiveOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Apply,
    Skip,
    /// Skip this and every later change of the run.
    Stop,
}

/// A value a fix needs and nobody gave, where it is needed.
pub struct ValueRequest<'a> {
    pub node: &'a str,
    pub patch: &'a Patch,
    pub name: &'a str,
    /// The file, as shown to the user.
    pub file: &'a str,
    /// The setting in that file (`/Server/HostName`, `server.hostname`).
    pub setting: &'a str,
    /// Its current value; `None` when absent.
    pub current: Option<&'a str>,
}

/// Decides whether each planned step is taken, and may supply missing values.
/// `check`, `diff` and `fix --yes` take every step; interactive `fix` asks.
pub trait Decide {
    fn decide(&mut self, node: &str, patch: &Patch, file: &str, step: &Step) -> Decision;
    /// Takes every step and gives no value, so a draft fold may stand for the real one.
    fn takes_all(&self) -> bool {
        false
    }
    fn value(&mut self, _request: &ValueRequest) -> Option<String> {
        None
    }
}

/// Takes every step.
pub struct TakeAll;

impl Decide for TakeAll {
    fn decide(&mut self, _: &str, _: &Patch, _: &str, _: &Step) -> Decision {
        Decision::Apply
    }
    fn takes_all(&self) -> bool {
        true
    }
}

pub(super) type Op<'c> = (&'c Patch, &'c Target);

struct Work<'c> {
    path: PathBuf,
    ops: Vec<Op<'c>>,
    /// The file's bytes when resolving the target already read them (start scripts), with
    /// the scan made then: the plan of the file starts from it.
    read: Option<ScriptRead>,
}

pub fn plan_home(
    home: ProductHome,
    settings: &Settings,
    values: &Values,
    decide: &mut dyn Decide,
) -> NodePlan {
    let display = display_path(&home.root, &settings.cwd);
    let effective = analyse(&home, &settings.effective);
    let mut node = NodePlan {
        display,
        files: Vec::new(),
        findings: Vec::new(),
        notes: home.notes.clone(),
        error: None,
        files_changed: 0,
        effective: effective.note(),
        analysis: None,
        home,
    };
    // once per node: why the effective configuration was not computed, or what it met
    if let Some(e) = &node.effective {
        if let Some(reason) = e.reason.as_ref().filter(|_| !e.computed) {
            node.notes.push(reason.clone());
        }
        for p in &e.problems {
            node.notes.push(format!("effective configuration: {p}"));
        }
    }
    let toml_path = node.home.conf_path("deployment.toml");
    let mut values = values.clone();
    let mut stopped = false;
    let waivers = settings.waivers.for_node(&node.home.root);
    let work = collect_work(&mut node, settings);
    // Each planned XML file's original text parsed once: the fold starts from that parse and
    // the detect-only checks read it after the plan (`manual_findings`).
    let originals = bumpalo::Bump::new();
    let mut shared: Vec<(PathBuf, roxmltree::Document)> = Vec::new();
    // deployment.toml's the same way (the detect-only checks read it in that generation)
    let mut shared_toml: Option<TomlFile> = None;
    for w in work {
        let display = display_path(&w.path, &settings.cwd);
        let (read, scan) = match w.read {
            Some(r) => (Ok(r.bytes), Some(r.scan)),
            None => (crate::input::read_config(&w.path), None),
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
        // deployment.toml of a computed node is judged on effective values and proven
        let analysis = effective.analysis().filter(|_| file.path == toml_path);
        // a template reads the effective values too (the keys its `{{…}}` print)
        let template = effective
            .analysis()
            .filter(|_| super::actions::is_xml_template(&file.path));
        let first = match scan {
            Some(scan) => Some(Parsed::Script(scan)),
            None if file.path.extension().is_some_and(|e| e == "xml") => {
                // a text that does not parse is left to the fold, which reports it
                match crate::formats::xml::parse(originals.alloc_str(&file.decoded.text)) {
                    Ok(doc) => {
                        shared.push((file.path.clone(), doc));
                        shared.last().map(|(_, doc)| Parsed::SharedXml(doc))
                    }
                    Err(_) => None,
                }
            }
            None if file.path == toml_path && node.home.model == Model::Toml => {
                shared_toml = TomlFile::parse(&file.decoded.text).ok();
                shared_toml.as_ref().map(Parsed::SharedToml)
            }
            None => None,
        };
        let facts = || NodeFacts {
            home: &node.home,
            display: node.display.clone(),
            runtime: node.home.runtime.tls(),
            waivers: &waivers,
            effective: analysis.or(template),
        };
        let folded = match analysis {
            Some(a) => fold_proven(
                a,
                settings,
                &facts,
                &mut values,
                decide,
                &mut stopped,
                &mut node.findings,
                &mut file,
                &w.ops,
                first.as_ref().and_then(Parsed::toml),
            ),
            None => Fold::new(
                settings,
                facts(),
                &mut values,
                decide,
                &mut stopped,
                &mut node.findings,
            )
            .starting_from(first)
            .run(&mut file, &w.ops),
        };
        if let Err(e) = folded {
            node.error = Some(format!(
                "{}:{}:{}: {}",
                file.display, e.line, e.col, e.message
            ));
            break;
        }
        if !file.steps.is_empty() {
            if let Err(e) = super::files::writable(&file, &node.display, &mut node.findings) {
                node.error = Some(e);
                break;
            }
        }
        node.files.push(file);
    }
    if node.error.is_some() {
        // All-or-nothing: a node with any unreadable file plans no change at all; what needs a
        // person (admin/admin, keystores, …) is still reported below.
        node.files.clear();
        node.findings.clear();
        shared.clear();
        shared_toml = None;
    } else if node.home.model == Model::Toml {
        let warnings = hand_edit_warnings(&node, settings, &values);
        node.findings.extend(warnings);
    }
    let manual = manual_findings(&node, settings, &effective, &shared, shared_toml.as_ref());
    if let NodeEffective::Computed { analysis, .. } = &effective {
        node.analysis = Some(analysis.clone());
    }
    node.findings.extend(manual);
    if !waivers.is_empty() {
        for f in node.findings.iter_mut().filter(|f| f.waiver.is_none()) {
            f.waiver = waivers.find(&f.id, f.file_in_node());
        }
    }
    node
}

/// Which targets apply to which existing files of the node, in catalog order per file.
/// Regenerated files get a note instead of edits.
fn collect_work<'c>(node: &mut NodePlan, settings: &Settings<'c>) -> Vec<Work<'c>> {
    let mut work: Vec<Work> = Vec::new();
    // Each file spec is resolved once per node, and each file read once (scripts are read to
    // see whether they launch the JVM, then planned from the same bytes).
    let mut resolved: HashMap<&str, Vec<PathBuf>> = HashMap::new();
    let mut reads: HashMap<PathBuf, ScriptRead> = HashMap::new();
    // whether a path is regenerated, asked once per path (it looks for its template)
    let mut regenerated: HashMap<PathBuf, bool> = HashMap::new();
    let mut kernel_note = KernelNote::wanted(&node.home).then(KernelNote::default);
    for &patch in &settings.patches {
        if patch.safety == Safety::Manual {
            continue;
        }
        for target in &patch.targets {
            let home = &node.home;
            let mut files_of = |spec: &'c str| {
                resolved
                    .entry(spec)
                    .or_insert_with(|| target_files(home, spec, &mut reads))
                    .clone()
            };
            if let Some(note) = kernel_note.as_mut() {
                note.record(home, patch, target, || !files_of(&target.file).is_empty());
            }
            if !target.when.holds(home) {
                continue;
            }
            let files = files_of(&target.file);
            for path in files {
                let home = &node.home;
                if home.model == Model::Toml
                    && *regenerated
                        .entry(path.clone())
                        .or_insert_with_key(|p| home.is_regenerated(p))
                {
                    let file = display_path(&path, &settings.cwd);
                    warn_regenerated(node, patch, file);
                    continue;
                }
                match work.iter_mut().find(|w| w.path == path) {
                    Some(w) => w.ops.push((patch, target)),
                    None => work.push(Work {
                        path,
                        ops: vec![(patch, target)],
                        read: None,
                    }),
                }
            }
        }
    }
    for w in &mut work {
        w.read = reads.remove(&w.path);
    }
    if let Some(note) = kernel_note.and_then(|n| n.message(&node.home)) {
        node.notes.push(note);
    }
    work
}

/// The detect-only patches' findings: every selected handler on one parse per file.
fn manual_findings(
    node: &NodePlan,
    settings: &Settings,
    effective: &NodeEffective,
    parsed: &[(PathBuf, roxmltree::Document)],
    parsed_toml: Option<&TomlFile>,
) -> Vec<Finding> {
    let detects: Vec<(&Patch, &detect::Handler)> = settings
        .patches
        .iter()
        .filter_map(|&p| Some((p, detect::handler(p.detect.as_deref()?)?)))
        .collect();
    let handlers: Vec<&detect::Handler> = detects.iter().map(|(_, h)| *h).collect();
    // the files the plan read are not read again
    let known = |path: &std::path::Path| {
        node.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.decoded.text.as_str())
    };
    let texts = detect::Texts::load(&node.home, &handlers, &known);
    let docs = detect::Docs::parse_sharing(&node.home, &texts, parsed, parsed_toml)
        .with_listeners(effective.analysis().map(|a| a.listeners.as_slice()));
    let mut manual = Vec::new();
    for (patch, handler) in detects {
        for d in handler.detect(&docs) {
            let message = format!("{}: {}", patch.title, d.message);
            let file = d.file.as_deref().map(|f| display_path(f, &settings.cwd));
            let kind = if d.note {
                FindingKind::Warning
            } else {
                FindingKind::Manual
            };
            let mut finding = Finding::new(patch, kind, &node.display, message)
                .at(file, d.line)
                .guided(patch.guidance.clone());
            if let Some(severity) = d.severity {
                finding.severity = severity;
            }
            manual.push(finding);
        }
    }
    manual
}
