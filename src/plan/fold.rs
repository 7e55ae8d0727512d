//! The fold over one file: the applicable targets run in catalog order against the current
//! text, the edits of one patch form one step, and each step is decided (taken, declined,
//! or held back as unsafe) before the next patch sees the text. The text is parsed once per
//! state: targets that change nothing share one parse.

use std::collections::BTreeSet;

use super::actions::{self, ActionError, Ctx, Edit, Parsed, Reported};
use super::effective::{Analysis, Why};
use super::engine::{Decide, Decision, Op, Settings, ValueRequest};
use super::{FilePlan, Finding, FindingKind, Step};
use crate::catalog::{Missing, MissingValue, Patch, Safety, Target, Values};
use crate::discover::ProductHome;
use crate::formats::error::ParseError;
use crate::formats::xml::{self, Change};
use crate::formats::TlsRuntime;
use crate::policy::waiver::NodeWaivers;

/// What the fold knows of the node whose files it plans.
pub(super) struct NodeFacts<'a> {
    /// The product home (an action may ask it whether an edit can work there).
    pub home: &'a ProductHome,
    /// The node as shown to the user.
    pub display: String,
    /// What the home's Java runtime supports.
    pub runtime: TlsRuntime,
    /// The node's `[[waive]]` entries.
    pub waivers: &'a NodeWaivers<'a>,
    /// The effective configuration, for the node's deployment.toml (`None` elsewhere, or
    /// where it was not computed).
    pub effective: Option<&'a Analysis>,
}

pub(super) struct Fold<'a, 'c> {
    settings: &'a Settings<'c>,
    node: NodeFacts<'a>,
    values: &'a mut Values,
    decide: &'a mut dyn Decide,
    stopped: &'a mut bool,
    findings: &'a mut Vec<Finding>,
    needs_reported: BTreeSet<String>,
    /// Targets the proof dropped (`effective::proof`): not planned.
    deny: &'a [&'c Target],
    /// The parse of the file's text made before the fold (a start script's scan, the XML
    /// parse the detect-only checks share).
    first: Option<Parsed<'a>>,
}

/// The edits of the patch currently being folded into a file.
struct Open<'c> {
    patch: &'c Patch,
    before: String,
    changes: Vec<Change>,
}

/// Verifies an XML edit of `text` (parsed as `parsed`), returning the edited text's parse.
fn verified<'b>(
    parsed: &Parsed,
    text: &str,
    edited: &'b str,
    expects: &[xml::Expect],
) -> Result<roxmltree::Document<'b>, ParseError> {
    match parsed.doc() {
        Some(old) => xml::check(old, edited, expects),
        // an XML edit is planned on an XML parse; were it not, the text is parsed for it
        None => xml::check(&xml::parse(text)?, edited, expects),
    }
}

/// An edit with its text in the fold's arena and, when one was made (the read-back of TOML,
/// properties and scripts, the verification of XML), that text's parse.
struct Edited<'b> {
    edit: Edit,
    text: &'b str,
    parsed: Option<Parsed<'b>>,
}

/// What the targets on one parse led to.
enum Next<'b> {
    /// Target `k` edited the text.
    Edit(usize, Box<Edited<'b>>),
    /// The open patch's targets are done; the next target belongs to another patch.
    Boundary,
    /// Every target ran.
    Done,
}

impl<'a, 'c> Fold<'a, 'c> {
    pub(super) fn new(
        settings: &'a Settings<'c>,
        node: NodeFacts<'a>,
        values: &'a mut Values,
        decide: &'a mut dyn Decide,
        stopped: &'a mut bool,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Fold {
            settings,
            node,
            values,
            decide,
            stopped,
            findings,
            needs_reported: BTreeSet::new(),
            deny: &[],
            first: None,
        }
    }

    /// Leaves `deny` out of the plan (the proof dropped them).
    pub(super) fn denying(mut self, deny: &'a [&'c Target]) -> Self {
        self.deny = deny;
        self
    }

    /// Starts from `parsed`, the parse of the file's decoded text already made.
    pub(super) fn starting_from(mut self, parsed: Option<Parsed<'a>>) -> Self {
        self.first = parsed;
        self
    }

    /// Folds `ops` into the file's steps. Only a file that does not parse is an error (its
    /// node is left untouched); a target an editor refuses becomes a `cannot-fix` finding.
    pub(super) fn run(mut self, file: &mut FilePlan, ops: &[Op<'c>]) -> Result<(), ParseError> {
        // Every text state the fold parses lives here until the file is done, so that a
        // parse made by one edit's verification is the one the next targets read.
        let arena = bumpalo::Bump::new();
        let mut text = file.decoded.text.clone();
        let mut current: &str = arena.alloc_str(&text);
        let mut carried: Option<Parsed> = self.first.take();
        let mut open: Option<Open> = None;
        let mut j = 0;
        loop {
            let parsed = match carried.take() {
                Some(p) => p,
                None => Parsed::parse(current, &file.path)?,
            };
            let patch = open.as_ref().map(|o| o.patch.id.as_str());
            let next = self.patch_targets(&arena, file, ops, &mut j, patch, current, &parsed)?;
            match next {
                Next::Edit(k, edited) => {
                    let Edited {
                        edit,
                        text: edited,
                        parsed: parse,
                    } = *edited;
                    let o = open.get_or_insert_with(|| Open {
                        patch: ops[k].0,
                        before: text.clone(),
                        changes: Vec::new(),
                    });
                    o.changes.extend(edit.changes);
                    text = edit.text;
                    current = edited;
                    carried = parse;
                    j = k + 1;
                }
                Next::Boundary | Next::Done => {
                    // the text is unchanged by the targets that ran: its parse serves on
                    carried = Some(parsed);
                    if let Some(o) = open.take() {
                        text = self.close(file, o, text);
                        if text != current {
                            current = arena.alloc_str(&text);
                            carried = None;
                        }
                    }
                    if matches!(next, Next::Done) {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Runs targets from `*j` on one parse of `text` until one edits, or the open patch's
    /// targets end (`open`: the patch with edits in progress).
    #[allow(clippy::too_many_arguments)]
    fn patch_targets<'b>(
        &mut self,
        arena: &'b bumpalo::Bump,
        file: &FilePlan,
        ops: &[Op<'c>],
        j: &mut usize,
        open: Option<&str>,
        text: &str,
        parsed: &Parsed,
    ) -> Result<Next<'b>, ParseError> {
        while let Some(&(patch, target)) = ops.get(*j) {
            if open.is_some_and(|id| id != patch.id) {
                return Ok(Next::Boundary);
            }
            if self.deny.iter().any(|d| std::ptr::eq(*d, target)) {
                *j += 1;
                continue;
            }
            for r in target.action.perform().report(parsed, text) {
                self.reported(file, patch, r);
            }
            let template = target.action.spec().value();
            // An action without a value template (log4j2-counter) computes its own.
            let value = match template {
                Some(t) => self.value_for(file, patch, target, t, parsed),
                None => Some(String::new()),
            };
            if let Some(value) = value {
                let ctx = Ctx {
                    text,
                    parsed,
                    single_byte: file.decoded.single_byte_encoding(),
                    explicit: template.is_some_and(|t| self.values.explicit(t)),
                    runtime: &self.node.runtime,
                    home: self.node.home,
                    effective: self.node.effective,
                };
                match actions::run(target, &value, &ctx) {
                    Ok(Some(mut edit)) => {
                        let edited: &'b str = arena.alloc_str(&edit.text);
                        let parse = match edit.check.take() {
                            None => edit.parsed.take(),
                            Some(expects) => match verified(parsed, text, edited, &expects) {
                                Ok(doc) => Some(Parsed::Xml(doc)),
                                // the edit did not verify: refused, as by the editor
                                Err(e) => {
                                    self.cannot_fix(file, patch, &e);
                                    *j += 1;
                                    continue;
                                }
                            },
                        };
                        let edited = Edited {
                            edit,
                            text: edited,
                            parsed: parse,
                        };
                        return Ok(Next::Edit(*j, Box::new(edited)));
                    }
                    Ok(None) => {}
                    Err(ActionError::Refused(e)) => self.cannot_fix(file, patch, &e),
                    Err(e @ ActionError::Unreached { .. }) => self.unreached(file, patch, &e),
                    Err(ActionError::Parse(e)) => return Err(e),
                }
            }
            *j += 1;
        }
        Ok(Next::Done)
    }

    /// The target's value, expanded. A missing value is asked for (interactive) or reported,
    /// but only where it really matters: the target applies, the setting is unset, the value
    /// is not optional.
    fn value_for(
        &mut self,
        file: &FilePlan,
        patch: &Patch,
        target: &Target,
        template: &str,
        parsed: &Parsed,
    ) -> Option<String> {
        loop {
            let missing = match self.values.expand(template, &self.settings.catalog.values) {
                Ok(v) => return Some(v),
                Err(m) => m,
            };
            let current = target
                .action
                .perform()
                .current_in(parsed, self.node.effective);
            if !self.needs_value(target, parsed, &missing, current.as_deref()) {
                return None;
            }
            let request = ValueRequest {
                node: &self.node.display,
                patch,
                name: &missing.name,
                file: &file.display,
                setting: target.action.spec().subject(),
                current: current.as_deref(),
            };
            match self.decide.value(&request) {
                // The same target again, now with its value.
                Some(v) => self.values.given.insert(missing.name, v),
                None => {
                    self.report_missing(file, patch, target, &missing, current.as_deref());
                    return None;
                }
            };
        }
    }

    /// Ends the open patch: records its step and finding, or reverts it when it is unsafe,
    /// declined or the run was stopped. Returns the text to continue from.
    fn close(&mut self, file: &mut FilePlan, open: Open<'c>, text: String) -> String {
        let patch = open.patch;
        let line = open.changes.iter().map(|c| c.line).min();
        let what: Vec<_> = open.changes.iter().map(|c| c.what.as_str()).collect();
        let message = format!("{}: {}", patch.title, what.join("; "));
        let step = Step {
            patch: patch.id.clone(),
            before: open.before,
            after: text,
            changes: open.changes,
        };
        let fixable = patch.safety == Safety::Safe || self.settings.unsafe_fixes;
        let kind = if fixable {
            FindingKind::Fix
        } else {
            FindingKind::UnsafeFix
        };
        let unsafe_note =
            "unsafe fix: apply with --unsafe-fixes after reading `wso2-harden explain`";
        let mut finding = Finding::new(patch, kind, &self.node.display, message)
            .at(Some(file.display.clone()), line)
            .guided((!fixable).then(|| unsafe_note.to_string()));
        finding.waiver = self.node.waivers.find(&patch.id, finding.file_in_node());
        // A waived fix is not planned: the run leaves that setting as it is.
        let waived = finding.waived();
        self.findings.push(finding);
        if !fixable || waived || *self.stopped {
            return step.before;
        }
        match self
            .decide
            .decide(&self.node.display, patch, &file.display, &step)
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

    /// A target an editor refuses on this file (mixed content, a parent it cannot extend, an
    /// edit that does not verify): reported with the reason; the other targets still run.
    fn cannot_fix(&mut self, file: &FilePlan, patch: &Patch, e: &ParseError) {
        let message = format!("{}: cannot be fixed here: {}", patch.title, e.message);
        let guidance = format!(
            "make this change by hand (see `wso2-harden explain {}`); the other fixes are unaffected",
            patch.id
        );
        self.findings.push(
            Finding::new(patch, FindingKind::CannotFix, &self.node.display, message)
                .at(Some(file.display.clone()), Some(e.line))
                .guided(Some(guidance)),
        );
    }

    /// A fix whose key no template reads: what the proof would say, known before mapping.
    fn unreached(&mut self, file: &FilePlan, patch: &Patch, e: &ActionError) {
        let ActionError::Unreached { line, .. } = e else {
            return;
        };
        let message = format!("{}: {e}; this fix is not applied", patch.title);
        if self
            .findings
            .iter()
            .any(|f| f.id == patch.id && f.message == message)
        {
            return;
        }
        self.findings.push(
            Finding::new(patch, FindingKind::CannotFix, &self.node.display, message)
                .at(Some(file.display.clone()), *line)
                .guided(Some(Why::Unreached.guidance(&patch.id))),
        );
    }

    /// A finding a `report` target raises: what this file cannot harden, and what to do.
    fn reported(&mut self, file: &FilePlan, patch: &Patch, r: Reported) {
        let kind = if r.warning {
            FindingKind::Warning
        } else {
            FindingKind::CannotFix
        };
        let message = format!("{}: {}", patch.title, r.message);
        self.findings.push(
            Finding::new(patch, kind, &self.node.display, message)
                .at(Some(file.display.clone()), r.line)
                .guided(r.guidance),
        );
    }

    /// A missing value matters when it is not optional, the target applies to this file,
    /// and the setting is absent or still a shipped placeholder (`localhost`).
    fn needs_value(
        &self,
        target: &Target,
        parsed: &Parsed,
        missing: &MissingValue,
        current: Option<&str>,
    ) -> bool {
        if missing.missing == Missing::Skip || !target.action.perform().applicable(parsed) {
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
        missing: &MissingValue,
        current: Option<&str>,
    ) {
        if !self
            .needs_reported
            .insert(format!("{}/{}", patch.id, missing.name))
        {
            return;
        }
        let what = target.action.spec().subject();
        let message = format!(
            "{}: needs a value for `{}` ({what} is {}); give it with --set {}=… or in the policy file",
            patch.title,
            missing.name,
            current.map_or("absent".to_string(), |c| format!("\"{c}\"")),
            missing.name
        );
        self.findings.push(
            Finding::new(patch, FindingKind::NeedsValue, &self.node.display, message)
                .at(Some(file.display.clone()), None),
        );
    }
}
