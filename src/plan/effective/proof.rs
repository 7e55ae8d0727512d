//! The proof of a node's deployment.toml fixes: the planned text is mapped and rendered again
//! (only the templates that read a changed key) and each fix must reach its generated target
//! with the value it wrote. A target whose key no template reads, whose value the product
//! does not render (a default object that swallows it, a template that prints something
//! else), that makes the mapper or validator.json refuse the configuration, that makes a
//! template fail, or that leaves its TLS listener weak, is denied: the plan drops it and
//! reports `cannot-fix`; the node's other fixes stay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, PoisonError};

use sha2::{Digest, Sha256};

use super::{rule_text, Analysis};
use crate::catalog::{Action, Patch, Target};
use crate::formats::Compare;
use crate::mapper::effective::listeners;
use crate::mapper::origin::Origin;
use crate::mapper::render::{render_loaded, Outcome, Select};
use crate::mapper::{map, toml as flat, JValue, Mapped};
use crate::plan::Step;

/// A target the proof refused, with why (the `cannot-fix` message) and the deployment.toml
/// line of its key in the planned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub patch: String,
    /// Index in the patch's `[[target]]`s.
    pub target: usize,
    pub message: String,
    pub line: Option<usize>,
    pub why: Why,
}

/// Why a fix was dropped, for the guidance given with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its value does not reach the generated files (no template reads the key, or the
    /// templates render something else).
    Unreached,
    /// The product would not start with it (the mapper or validator.json refuse it, or a
    /// template fails to render).
    Refused,
    /// The listener it sets is still weak in the new render.
    StillWeak,
}

impl Why {
    /// What the operator does instead.
    pub fn guidance(self, patch: &str) -> String {
        match self {
            Why::Unreached => format!(
                "This product's templates do not carry the value into the generated files, so deployment.toml cannot set it here: set it in the template under repository/resources/conf/templates (re-apply after updates) or in front of the server; see `wso2-harden explain {patch}`"
            ),
            Why::Refused => format!(
                "The product would not start with this value: make the change by hand, checking repository/resources/conf/validator.json and the templates; see `wso2-harden explain {patch}`"
            ),
            Why::StillWeak => format!(
                "The listener takes its value from elsewhere in its template: harden it there (repository/resources/conf/templates, re-apply after updates); see `wso2-harden explain {patch}`"
            ),
        }
    }
}

/// The outcome of one proof (cached per planned text).
#[derive(Debug, Default)]
pub struct Proven {
    pub denied: Vec<Denied>,
}

/// What one target must show in the generated files: for a deployment.toml key it changed,
/// the context key it became and the texts the templates must print for it.
struct Obligation {
    patch: String,
    target: usize,
    toml_key: String,
    /// Its line in the current deployment.toml (where findings point), and in the planned one.
    line: Option<usize>,
    planned_line: u32,
}

/// The deployment.toml keys a target edits: a `toml-key`'s key and aliases, a `toml-move`'s
/// destination, the array of a `toml-entry` or `toml-each`.
fn target_keys(t: &Target) -> Vec<&str> {
    match &t.action {
        Action::TomlKey(a) => std::iter::once(a.key.as_str())
            .chain(a.aliases.iter().map(String::as_str))
            .collect(),
        Action::TomlMove(a) => vec![&a.to],
        Action::TomlEntry(a) => vec![&a.array],
        Action::TomlEach(a) => vec![&a.array],
        _ => Vec::new(),
    }
}

fn flat_values(text: &str) -> BTreeMap<String, (JValue, u32)> {
    flat::flatten(text, Path::new("deployment.toml"))
        .map(|f| {
            f.entries
                .into_iter()
                .map(|(k, e)| {
                    let line = match e.prov.origin {
                        Origin::Toml { line, .. } => line,
                        _ => 0,
                    };
                    (k, (e.value, line))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The keys the planned text changes, each attributed to the targets that edit it among the
/// patches with a step (no two patches write the same deployment.toml key; where they would,
/// both answer for it). Two texts are flattened, not one per step.
fn obligations(steps: &[Step], patches: &[&Patch]) -> Vec<Obligation> {
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return Vec::new();
    };
    let (before, after) = (flat_values(&first.before), flat_values(&last.after));
    let stepped: Vec<&&Patch> = patches
        .iter()
        .filter(|p| steps.iter().any(|s| s.patch == p.id))
        .collect();
    let mut out = Vec::new();
    for (key, (value, planned_line)) in &after {
        let old = before.get(key);
        if old.is_some_and(|(v, _)| v == value) {
            continue;
        }
        // findings point at the key where the current file has it (else at the file)
        let line = old.map(|(_, l)| *l as usize).filter(|l| *l > 0);
        let mut named = false;
        for patch in &stepped {
            for (i, t) in patch.targets.iter().enumerate() {
                if target_keys(t).iter().any(|k| k == key) {
                    named = true;
                    out.push(Obligation {
                        patch: patch.id.clone(),
                        target: i,
                        toml_key: key.clone(),
                        line,
                        planned_line: *planned_line,
                    });
                }
            }
        }
        if !named {
            // a key no target names (it should not happen): every TOML target answers
            for patch in &stepped {
                for (i, t) in patch.targets.iter().enumerate() {
                    if !target_keys(t).is_empty() {
                        out.push(Obligation {
                            patch: patch.id.clone(),
                            target: i,
                            toml_key: key.clone(),
                            line,
                            planned_line: *planned_line,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The scalar texts that differ between two values of one key (a changed leaf of a list of
/// tables, a whole list of scalars as `a,b`).
fn changed_texts(before: Option<&JValue>, after: &JValue, out: &mut Vec<String>) {
    match (before, after) {
        (Some(b), a) if b == a => {}
        (b, JValue::Map(m)) => {
            for (k, v) in m {
                let old = match b {
                    Some(JValue::Map(bm)) => bm.get(k),
                    _ => None,
                };
                changed_texts(old, v, out);
            }
        }
        (b, JValue::List(items)) if items.iter().any(|i| matches!(i, JValue::Map(_))) => {
            for (i, v) in items.iter().enumerate() {
                let old = match b {
                    Some(JValue::List(bl)) => bl.get(i),
                    _ => None,
                };
                changed_texts(old, v, out);
            }
        }
        (_, a) => out.push(rule_text(a)),
    }
}

fn norm(s: &str) -> String {
    s.split([',', ' ', '\t', '\n'])
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// The texts printed for `key` in a traced render.
fn printed<'a>(outcome: &'a Outcome, key: &str) -> Vec<&'a str> {
    outcome
        .files
        .iter()
        .flat_map(|f| {
            f.spans
                .iter()
                .filter(move |(_, k)| &**k == key)
                .filter_map(move |(r, _)| f.text.get(r.clone()))
        })
        .collect()
}

impl Analysis {
    /// Proves the planned deployment.toml `planned` (the current one is the analysed one):
    /// which targets of `steps` must be dropped. Cached per planned text and steps.
    pub fn prove(&self, planned: &str, steps: &[Step], patches: &[&Patch]) -> Arc<Proven> {
        let mut h = Sha256::new();
        h.update(planned.as_bytes());
        for s in steps {
            h.update(s.patch.as_bytes());
            h.update([0]);
            h.update(s.after.as_bytes());
        }
        let key: [u8; 32] = h.finalize().into();
        let cached = self
            .proofs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(p) = cached {
            return p;
        }
        let proven = Arc::new(Proven {
            denied: self.check(planned, steps, patches),
        });
        let mut c = self.proofs.lock().unwrap_or_else(PoisonError::into_inner);
        if c.len() >= 16 {
            c.clear();
        }
        c.insert(key, proven.clone());
        proven
    }

    fn check(&self, planned: &str, steps: &[Step], patches: &[&Patch]) -> Vec<Denied> {
        let obligations = obligations(steps, patches);
        if obligations.is_empty() {
            return Vec::new();
        }
        let deny = |o: &Obligation, why: Why, message: String| Denied {
            patch: o.patch.clone(),
            target: o.target,
            message,
            line: o.line,
            why,
        };
        let toml_path = Path::new("deployment.toml");
        let after = match map(&self.model, toml_path, planned, &self.options) {
            Ok(m) => m,
            Err(e) => {
                // the product would refuse the planned file: drop the fix that wrote that line
                let at = e.line as usize;
                let guilty: Vec<&Obligation> = obligations
                    .iter()
                    .filter(|o| o.planned_line as usize == at && at > 0)
                    .collect();
                let message = format!(
                    "the product would refuse deployment.toml with this change: {}",
                    e.message
                );
                let all: Vec<&Obligation> = obligations.iter().collect();
                let guilty = if guilty.is_empty() { all } else { guilty };
                return guilty
                    .into_iter()
                    .map(|o| deny(o, Why::Refused, message.clone()))
                    .collect();
            }
        };
        // what each obligation must show: context key → expected texts
        let mut expect: Vec<(&Obligation, String, Vec<String>)> = Vec::new();
        let mut denied = Vec::new();
        for o in &obligations {
            let keys: Vec<&str> = after
                .ctx
                .iter()
                .filter(|(_, e)| match &e.prov.origin {
                    Origin::Toml { key, .. } => *key == o.toml_key,
                    Origin::Mapped { from, .. } => *from == o.toml_key,
                    _ => false,
                })
                .map(|(k, _)| k)
                .collect();
            if keys.is_empty() {
                denied.push(deny(
                    o,
                    Why::Unreached,
                    format!(
                        "`{}` does not reach the generated files: the product's key mappings drop it",
                        o.toml_key
                    ),
                ));
                continue;
            }
            for k in keys {
                let Some(now) = after.get(k) else { continue };
                let mut texts = Vec::new();
                changed_texts(self.mapped.get(k).map(|e| &e.value), &now.value, &mut texts);
                if !texts.is_empty() {
                    expect.push((o, k.to_string(), texts));
                }
            }
        }
        let keys: Vec<&str> = expect.iter().map(|(_, k, _)| k.as_str()).collect();
        let outcome = render_loaded(
            &self.model,
            &self.loaded,
            &after,
            Select::Reading(&keys),
            true,
        );
        let mut before: Option<Outcome> = None;
        let mut render_before = || -> Outcome {
            render_loaded(
                &self.model,
                &self.loaded,
                &self.mapped,
                Select::Reading(&keys),
                false,
            )
        };
        for (o, k, texts) in &expect {
            if denied
                .iter()
                .any(|d: &Denied| d.patch == o.patch && d.target == o.target)
            {
                continue;
            }
            let shown = o.toml_key.as_str();
            if !self.loaded.read_by_any(k) {
                denied.push(deny(
                    o,
                    Why::Unreached,
                    format!("`{shown}` is not read by this product's templates"),
                ));
                continue;
            }
            let spans = printed(&outcome, k);
            if spans.is_empty() {
                let exact = self
                    .loaded
                    .templates
                    .iter()
                    .any(|(_, p)| p.as_ref().is_ok_and(|p| p.reads.contains(k.as_str())));
                let changed = exact && {
                    let b = before.get_or_insert_with(&mut render_before);
                    outcome.files.iter().any(|f| {
                        b.files
                            .iter()
                            .find(|g| g.rel == f.rel)
                            .is_none_or(|g| g.text != f.text)
                    })
                };
                if !changed {
                    let readers = self.loaded.readers(k).join(", ");
                    denied.push(deny(
                        o,
                        Why::Unreached,
                        format!(
                            "`{shown}` does not reach the generated files: {readers} read its table but render no value of it"
                        ),
                    ));
                }
                continue;
            }
            let got: BTreeSet<String> = spans.iter().map(|s| norm(s)).collect();
            if let Some(missing) = texts.iter().find(|t| !got.contains(&norm(t))) {
                let held: Vec<&str> = spans.iter().copied().take(3).collect();
                denied.push(deny(
                    o,
                    Why::Unreached,
                    format!(
                        "`{shown}` = `{missing}` does not reach the generated files: they render `{}` instead",
                        held.join("`, `")
                    ),
                ));
            }
        }
        // a template that no longer renders
        let failing: Vec<_> = outcome.errors.iter().collect();
        if !failing.is_empty() {
            let b = before.get_or_insert_with(&mut render_before);
            for e in failing {
                let old = b
                    .errors
                    .iter()
                    .any(|x| x.path == e.path && x.message == e.message);
                if old {
                    continue;
                }
                let rel = self
                    .loaded
                    .templates
                    .iter()
                    .find(|(t, _)| t.path == e.path)
                    .map(|(t, p)| (t.rel.clone(), p));
                for (o, k, _) in &expect {
                    let reads = rel.as_ref().is_some_and(|(_, p)| {
                        p.as_ref()
                            .is_ok_and(|p| crate::mapper::render::reads_key(p, k))
                    });
                    if reads {
                        let file = rel.as_ref().map_or("a template", |(r, _)| r.as_str());
                        denied.push(deny(
                            o,
                            Why::Refused,
                            format!(
                                "with `{}` the template of {file} fails to render: {}",
                                o.toml_key, e.message
                            ),
                        ));
                    }
                }
            }
        }
        denied.extend(self.weak_listeners(&after, &outcome, &expect));
        dedup(denied)
    }

    /// A listener whose protocols or ciphers a fix wrote must be strong in the new render.
    fn weak_listeners(
        &self,
        after: &Mapped,
        outcome: &Outcome,
        expect: &[(&Obligation, String, Vec<String>)],
    ) -> Vec<Denied> {
        let (found, _) = listeners(after, outcome);
        let mut out = Vec::new();
        for l in found.iter().filter(|l| l.enabled) {
            for (field, rule) in [
                (&l.protocols, Compare::StrongProtocols),
                (&l.ciphers, Compare::StrongCiphers),
            ] {
                let Some(key) = crate::catalog::listeners::source_key(field) else {
                    continue;
                };
                let value = field.value.as_deref().unwrap_or("");
                if rule.satisfied(value, "") {
                    continue;
                }
                for (o, _, _) in expect.iter().filter(|(_, k, _)| k == key) {
                    out.push(Denied {
                        patch: o.patch.clone(),
                        target: o.target,
                        message: format!(
                            "{} {} still renders `{value}` from `{key}` with this change",
                            l.file, l.element
                        ),
                        line: o.line,
                        why: Why::StillWeak,
                    });
                }
            }
        }
        out
    }
}

fn dedup(denied: Vec<Denied>) -> Vec<Denied> {
    let mut seen: HashMap<(String, usize), ()> = HashMap::new();
    denied
        .into_iter()
        .filter(|d| seen.insert((d.patch.clone(), d.target), ()).is_none())
        .collect()
}
