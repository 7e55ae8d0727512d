//! The text report of `check` (and the summary `fix` prints).

use std::fmt::Write;

use super::{Style, BOLD, CYAN, DIM, RED, YELLOW};
use crate::plan::{Finding, FindingKind, NodePlan, Plan};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub nodes: usize,
    pub findings: usize,
    pub fix: usize,
    pub unsafe_fix: usize,
    pub needs_value: usize,
    pub manual: usize,
    pub cannot_fix: usize,
    pub warnings: usize,
    /// Findings a waiver in force covers (not in `findings`).
    pub waived: usize,
    pub errors: usize,
}

impl Counts {
    pub fn of(plan: &Plan) -> Counts {
        let mut c = Counts {
            nodes: plan.nodes.len(),
            errors: plan.nodes.iter().filter(|n| n.error.is_some()).count(),
            ..Counts::default()
        };
        for f in plan.findings() {
            if f.waived() {
                c.waived += 1;
                continue;
            }
            match f.kind {
                FindingKind::Fix => c.fix += 1,
                FindingKind::UnsafeFix => c.unsafe_fix += 1,
                FindingKind::NeedsValue => c.needs_value += 1,
                FindingKind::Manual => c.manual += 1,
                FindingKind::Warning => c.warnings += 1,
                FindingKind::CannotFix => c.cannot_fix += 1,
            }
        }
        c.findings = c.fix + c.unsafe_fix + c.needs_value + c.manual + c.cannot_fix;
        c
    }
}

fn label(f: &Finding) -> &'static str {
    match f.kind {
        FindingKind::Fix => "fix",
        FindingKind::UnsafeFix => "unsafe",
        FindingKind::NeedsValue => "value?",
        FindingKind::Manual => "manual",
        FindingKind::Warning => "note",
        FindingKind::CannotFix => "cannot",
    }
}

pub fn node_report(node: &NodePlan, style: Style, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {}",
        style.paint(BOLD, &node.display),
        style.paint(DIM, &format!("({})", node.home.describe()))
    );
    if let Some(err) = &node.error {
        let _ = writeln!(out, "  {} {err}", style.paint(RED, "error "));
        let _ = writeln!(
            out,
            "  {}",
            style.paint(DIM, "nothing of this product home is changed")
        );
    }
    for note in &node.notes {
        let _ = writeln!(out, "  {} {note}", style.paint(DIM, "note  "));
    }
    let mut guided = std::collections::BTreeSet::new();
    for f in &node.findings {
        let place = if f.file.is_some() {
            f.place()
        } else {
            String::new()
        };
        let tag = format!("{:<6}", if f.waived() { "waived" } else { label(f) });
        let tag = match f.kind {
            _ if f.waived() => style.paint(DIM, &tag),
            FindingKind::Fix => style.paint(CYAN, &tag),
            FindingKind::Warning => style.paint(DIM, &tag),
            _ => style.paint(YELLOW, &tag),
        };
        let _ = writeln!(
            out,
            "  {tag} {:<6} {}  {}",
            format!("{:?}", f.severity).to_lowercase(),
            style.paint(BOLD, &f.id),
            place
        );
        let _ = writeln!(out, "         {}", f.message);
        if let Some(w) = waiver_note(f) {
            let paint = if f.waived() { DIM } else { YELLOW };
            let _ = writeln!(out, "         {}", style.paint(paint, &w));
        }
        if f.waived() {
            continue;
        }
        if let Some(g) = f.guidance.as_ref().filter(|g| guided.insert((&f.id, *g))) {
            let _ = writeln!(out, "         {}", style.paint(DIM, &format!("→ {g}")));
        }
    }
    if node.error.is_none() && node.findings.is_empty() {
        let _ = writeln!(out, "  {}", style.paint(DIM, "no findings"));
    }
}

/// One line on the waiver of a finding: why it is waived, or that its waiver expired.
pub fn waiver_note(f: &Finding) -> Option<String> {
    let w = f.waiver.as_ref()?;
    Some(match (&w.expires, w.expired) {
        (Some(e), true) => format!(
            "waiver expired on {e} ({}): counts again; it said: {}",
            w.policy, w.reason
        ),
        (Some(e), false) => format!("waived until {e} ({}): {}", w.policy, w.reason),
        (None, _) => format!("waived ({}): {}", w.policy, w.reason),
    })
}

pub fn check_report(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    for node in &plan.nodes {
        node_report(node, style, &mut out);
        out.push('\n');
    }
    for note in &plan.notes {
        let _ = writeln!(
            out,
            "{}: {} {}",
            note.place(),
            style.paint(YELLOW, "warning:"),
            note.message
        );
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    if plan.nodes.len() > 1 {
        out.push_str(&summary_table(plan, style));
        out.push('\n');
    }
    out.push_str(&summary(&Counts::of(plan)));
    out.push('\n');
    out
}

pub fn summary(c: &Counts) -> String {
    let homes = if c.nodes == 1 {
        "product home"
    } else {
        "product homes"
    };
    let mut s = format!("{} finding(s) in {} {homes}", c.findings, c.nodes);
    let mut parts = Vec::new();
    if c.fix > 0 {
        parts.push(format!("{} fixable (see `wso2-harden diff`)", c.fix));
    }
    if c.unsafe_fix > 0 {
        parts.push(format!("{} unsafe (--unsafe-fixes)", c.unsafe_fix));
    }
    if c.needs_value > 0 {
        parts.push(format!("{} need a value (--set)", c.needs_value));
    }
    if c.manual > 0 {
        parts.push(format!("{} manual", c.manual));
    }
    if c.cannot_fix > 0 {
        parts.push(format!("{} cannot be fixed here (by hand)", c.cannot_fix));
    }
    if c.waived > 0 {
        parts.push(format!("{} waived", c.waived));
    }
    if c.errors > 0 {
        parts.push(format!("{} home(s) with errors", c.errors));
    }
    if !parts.is_empty() {
        s.push_str(": ");
        s.push_str(&parts.join(", "));
    }
    s.push('.');
    s
}

/// One row per node: what a fleet run did at a glance. The CANNOT column (fixes an editor
/// refused) shows only when some node has one.
pub fn summary_table(plan: &Plan, style: Style) -> String {
    let width = plan
        .nodes
        .iter()
        .map(|n| n.display.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 60);
    let cannot = plan.findings().any(|f| f.kind == FindingKind::CannotFix);
    let cannot_head = if cannot { "  CANNOT" } else { "" };
    let mut out = style.paint(
        BOLD,
        &format!(
            "{:<width$}  {:>7}  {:>6}  {:>6}{cannot_head}  ERROR\n",
            "NODE", "CHANGES", "VALUE?", "MANUAL"
        ),
    );
    for n in &plan.nodes {
        let count = |k: FindingKind| n.open_of(k).count();
        let changes = count(FindingKind::Fix) + count(FindingKind::UnsafeFix);
        let cannot_cell = if cannot {
            format!("  {:>6}", count(FindingKind::CannotFix))
        } else {
            String::new()
        };
        let error = n
            .error
            .as_deref()
            .map_or(String::from("-"), |e| style.paint(RED, e));
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>6}  {:>6}{cannot_cell}  {error}",
            n.display,
            changes,
            count(FindingKind::NeedsValue),
            count(FindingKind::Manual)
        );
    }
    out
}
