//! deployment.toml of a node whose effective configuration is computed: a draft fold takes
//! every step without asking, the proof (`effective::proof`) maps and renders the drafted
//! file and names the targets whose fix does not reach the generated files, and the fold runs
//! again without them until the proof holds. Each dropped target is a `cannot-fix` finding;
//! the other fixes stay. `check`, `diff` and `fix --yes` keep the last draft as it is; the
//! interactive fix folds once more, asking, without the dropped targets. An unsafe fix is in
//! the draft (and proven) when the run takes unsafe fixes.

use super::actions::Parsed;
use super::effective::Analysis;
use super::engine::{Decide, Op, Settings, TakeAll};
use super::fold::{Fold, NodeFacts};
use super::{FilePlan, Finding, FindingKind};
use crate::catalog::{Target, Values};
use crate::formats::error::ParseError;
use crate::formats::toml::TomlFile;

/// Rounds of draft and proof (each round drops at least one target; real nodes need one).
const ROUNDS: usize = 4;

fn draft_of(file: &FilePlan) -> FilePlan {
    FilePlan {
        path: file.path.clone(),
        display: file.display.clone(),
        original: file.original.clone(),
        decoded: file.decoded.clone(),
        steps: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn fold_proven<'a, 'c>(
    analysis: &Analysis,
    settings: &'a Settings<'c>,
    facts: &dyn Fn() -> NodeFacts<'a>,
    values: &'a mut Values,
    decide: &'a mut dyn Decide,
    stopped: &'a mut bool,
    findings: &'a mut Vec<Finding>,
    file: &mut FilePlan,
    ops: &[Op<'c>],
    parsed: Option<&'a TomlFile>,
) -> Result<(), ParseError> {
    let mut deny: Vec<&'c Target> = Vec::new();
    let mut dropped: Vec<Finding> = Vec::new();
    let mut draft = draft_of(file);
    let mut draft_findings = Vec::new();
    for round in 0..ROUNDS {
        draft = draft_of(file);
        draft_findings = Vec::new();
        let mut draft_values = values.clone();
        let mut stop = false;
        Fold::new(
            settings,
            facts(),
            &mut draft_values,
            &mut TakeAll,
            &mut stop,
            &mut draft_findings,
        )
        .denying(&deny)
        .starting_from(parsed.map(Parsed::SharedToml))
        .run(&mut draft, ops)?;
        if draft.steps.is_empty() || round + 1 == ROUNDS {
            break;
        }
        let proven = analysis.prove(draft.final_text(), &draft.steps, &settings.patches);
        let before = deny.len();
        for d in &proven.denied {
            let Some(patch) = settings.patches.iter().find(|p| p.id == d.patch) else {
                continue;
            };
            let Some(target) = patch.targets.get(d.target) else {
                continue;
            };
            if deny.iter().any(|t| std::ptr::eq(*t, target)) {
                continue;
            }
            deny.push(target);
            let message = format!("{}: {}; this fix is not applied", patch.title, d.message);
            if dropped
                .iter()
                .any(|f| f.id == patch.id && f.message == message)
            {
                continue;
            }
            let guidance = d.why.guidance(&patch.id);
            dropped.push(
                Finding::new(patch, FindingKind::CannotFix, &facts().display, message)
                    .at(Some(file.display.clone()), d.line)
                    .guided(Some(guidance)),
            );
        }
        if deny.len() == before {
            break;
        }
    }
    if decide.takes_all() {
        file.steps = draft.steps;
        findings.append(&mut draft_findings);
    } else {
        Fold::new(settings, facts(), values, decide, stopped, findings)
            .denying(&deny)
            .starting_from(parsed.map(Parsed::SharedToml))
            .run(file, ops)?;
    }
    findings.append(&mut dropped);
    Ok(())
}
