//! Notes for the deployment.toml generation: files the product regenerates are never edited,
//! and a hand edit in one of them is pointed out (it is lost at the next start-up).

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::PathBuf;

use super::actions::{self, Parsed};
use super::engine::Settings;
use super::files::display_path;
use super::{Finding, FindingKind, NodePlan};
use crate::catalog::{Patch, Target, Values};
use crate::discover::Model;
use crate::formats::text::Decoded;

/// In the deployment.toml generation, a regenerated XML file that already holds a setting the
/// fix puts into deployment.toml was edited by hand: the next start-up overwrites it. Say so
/// (the fix itself goes to deployment.toml).
pub(super) fn hand_edit_warnings(
    node: &NodePlan,
    settings: &Settings,
    values: &Values,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let runtime = node.home.runtime.tls();
    let fixed_in_toml: BTreeSet<&str> = node
        .findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Fix | FindingKind::UnsafeFix))
        .filter(|f| {
            f.file
                .as_deref()
                .is_some_and(|p| p.ends_with("deployment.toml"))
        })
        .map(|f| f.id.as_str())
        .collect();
    // The candidates in catalog order; each regenerated file is then read and parsed once,
    // however many targets look at it.
    let mut candidates: Vec<(&Patch, &Target, PathBuf, String)> = Vec::new();
    let mut regenerated: HashMap<PathBuf, bool> = HashMap::new();
    for &patch in settings
        .patches
        .iter()
        .filter(|p| fixed_in_toml.contains(p.id.as_str()))
    {
        for target in patch
            .targets
            .iter()
            .filter(|t| t.when.model == Some(Model::Xml))
        {
            let path = node
                .home
                .root
                .join(target.file.replace("{conf}", node.home.conf));
            let wanted = *regenerated
                .entry(path.clone())
                .or_insert_with_key(|p| p.is_file() && node.home.is_regenerated(p));
            if !wanted {
                continue;
            }
            let value = match target.action.spec().value() {
                Some(template) => match values.expand(template, &settings.catalog.values) {
                    Ok(v) => v,
                    Err(_) => continue,
                },
                None => String::new(),
            };
            candidates.push((patch, target, path, value));
        }
    }
    let mut complies = vec![false; candidates.len()];
    let mut paths: Vec<&PathBuf> = candidates.iter().map(|c| &c.2).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let Ok(bytes) = fs::read(path) else { continue };
        let decoded = Decoded::decode(&bytes);
        let Ok(parsed) = Parsed::parse(&decoded.text, path) else {
            continue;
        };
        for (i, (_, target, _, value)) in
            candidates.iter().enumerate().filter(|(_, c)| &c.2 == path)
        {
            if !target.action.perform().applicable(&parsed) {
                continue;
            }
            let ctx = actions::Ctx {
                home: &node.home,
                text: &decoded.text,
                parsed: &parsed,
                single_byte: decoded.single_byte_encoding(),
                explicit: false,
                runtime: &runtime,
                effective: None,
            };
            complies[i] = matches!(actions::run(target, value, &ctx), Ok(None));
        }
    }
    for ((patch, _, path, _), _) in candidates.iter().zip(&complies).filter(|(_, c)| **c) {
        let file = display_path(path, &settings.cwd);
        if out
            .iter()
            .any(|f: &Finding| f.id == patch.id && f.file.as_deref() == Some(&file))
        {
            continue;
        }
        out.push(
            Finding::new(patch, FindingKind::Warning, &node.display, HAND_EDIT.into())
                .at(Some(file), None),
        );
    }
    out
}

const REGENERATED: &str = "the product regenerates this file from deployment.toml at start-up; it is not edited (a hand edit here would be lost)";
const HAND_EDIT: &str = "this setting was edited by hand here, but the product regenerates the file from deployment.toml at start-up and the edit will be lost; the fix goes to deployment.toml";

pub(super) fn warn_regenerated(node: &mut NodePlan, patch: &Patch, file: String) {
    if node
        .findings
        .iter()
        .any(|f| f.id == patch.id && f.file.as_deref() == Some(&file))
    {
        return;
    }
    let warning = Finding::new(
        patch,
        FindingKind::Warning,
        &node.display,
        REGENERATED.into(),
    );
    node.findings.push(warning.at(Some(file), None));
}
