//! The text report of `check` (and the summary `fix` prints).

use std::fmt::Write;

pub use super::table::Table;
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
    /// The counts of a whole plan (its nodes, then the run's notes).
    pub fn of(plan: &Plan) -> Counts {
        let mut c = Counts::default();
        for n in &plan.nodes {
            c.add_node(n);
        }
        for f in &plan.notes {
            c.add(f);
        }
        c
    }

    /// Counts one node as it is reported: its error and its findings.
    pub fn add_node(&mut self, node: &NodePlan) {
        self.nodes += 1;
        self.errors += usize::from(node.error.is_some());
        for f in &node.findings {
            self.add(f);
        }
    }

    /// Counts one finding: waived ones apart, the others by kind.
    pub fn add(&mut self, f: &Finding) {
        if f.waived() {
            self.waived += 1;
            return;
        }
        match f.kind {
            FindingKind::Fix => self.fix += 1,
            FindingKind::UnsafeFix => self.unsafe_fix += 1,
            FindingKind::NeedsValue => self.needs_value += 1,
            FindingKind::Manual => self.manual += 1,
            FindingKind::Warning => self.warnings += 1,
            FindingKind::CannotFix => self.cannot_fix += 1,
        }
        self.findings =
            self.fix + self.unsafe_fix + self.needs_value + self.manual + self.cannot_fix;
    }

    /// Findings that fail a run failing on `kinds` (`Finding::fails` of each, summed).
    pub fn failing(&self, kinds: &[FindingKind]) -> usize {
        kinds
            .iter()
            .map(|k| match k {
                FindingKind::Fix => self.fix,
                FindingKind::UnsafeFix => self.unsafe_fix,
                FindingKind::NeedsValue => self.needs_value,
                FindingKind::Manual => self.manual,
                FindingKind::Warning => self.warnings,
                FindingKind::CannotFix => self.cannot_fix,
            })
            .sum()
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

/// What `check`'s text report ends with, after the nodes: the run's notes, the summary table
/// (more than one node) and the totals.
pub fn check_tail(notes: &[Finding], table: &mut Table, counts: &Counts, style: Style) -> String {
    let mut out = String::new();
    for note in notes {
        let _ = writeln!(
            out,
            "{}: {} {}",
            note.place(),
            style.paint(YELLOW, "warning:"),
            note.message
        );
    }
    if !notes.is_empty() {
        out.push('\n');
    }
    if counts.nodes > 1 {
        out.push_str(&table.render(style));
        out.push('\n');
    }
    out.push_str(&summary(counts));
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
