//! What the interactive fix shows around its questions: the plan overview before the first
//! one (like `git add -p` knowing its hunks), and after `q` the changes nobody reviewed.

use std::collections::HashSet;
use std::fmt::Write;

use super::{Style, BOLD, DIM, RED, YELLOW};
use crate::plan::{FindingKind, Plan};

/// The changes the fix will ask about: planned, not waived.
pub fn questions(plan: &Plan) -> usize {
    plan.findings()
        .filter(|f| f.kind == FindingKind::Fix && !f.waived())
        .count()
}

pub fn overview(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let values: usize = plan
        .findings()
        .filter(|f| f.kind == FindingKind::NeedsValue && !f.waived())
        .count();
    let homes = if plan.nodes.len() == 1 {
        "product home"
    } else {
        "product homes"
    };
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            BOLD,
            &format!(
                "wso2-harden fix: {} {homes}, {} change(s) to review, {values} value(s) to give{}",
                plan.nodes.len(),
                questions(plan),
                if values > 0 {
                    " (a value you give adds the changes it enables)"
                } else {
                    ""
                }
            )
        )
    );
    for n in &plan.nodes {
        let _ = writeln!(
            out,
            "  {} {}",
            style.paint(BOLD, &n.display),
            style.paint(DIM, &format!("({})", n.home.describe()))
        );
        if let Some(e) = &n.error {
            let _ = writeln!(
                out,
                "      {} {e}: left untouched",
                style.paint(RED, "error")
            );
            continue;
        }
        let open = |k: FindingKind| n.open_of(k);
        let mut parts = Vec::new();
        let changes = open(FindingKind::Fix).count();
        let files: HashSet<_> = open(FindingKind::Fix)
            .filter_map(|f| f.file.as_ref())
            .collect();
        parts.push(format!("{changes} change(s) in {} file(s)", files.len()));
        let needs: Vec<String> = open(FindingKind::NeedsValue)
            .map(|f| match f.file_in_node() {
                Some(file) => format!("{} ({file})", f.id),
                None => f.id.clone(),
            })
            .collect();
        if !needs.is_empty() {
            parts.push(style.paint(YELLOW, &format!("needs a value: {}", needs.join(", "))));
        }
        let unsafe_fixes = open(FindingKind::UnsafeFix).count();
        if unsafe_fixes > 0 {
            parts.push(format!(
                "{unsafe_fixes} unsafe fix(es) not offered (--unsafe-fixes)"
            ));
        }
        let manual = open(FindingKind::Manual).count();
        if manual > 0 {
            parts.push(format!("{manual} manual finding(s), listed at the end"));
        }
        let waived = n.findings.iter().filter(|f| f.waived()).count();
        if waived > 0 {
            parts.push(format!("{waived} waived"));
        }
        let _ = writeln!(out, "      {}", parts.join(" · "));
    }
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            DIM,
            "Each change comes with its reason: y apply · n skip · a this and all the rest · \
             q stop (what you accepted is written) · ? help.\n\
             Ctrl-C stops at once and writes nothing of the product home being reviewed."
        )
    );
    out
}

/// The planned changes of `plan` that were never decided (after `q`), one line each.
pub fn not_reviewed(plan: &Plan, decided: &HashSet<(String, String, String)>) -> String {
    let mut out = String::new();
    let left: Vec<_> = plan
        .findings()
        .filter(|f| f.kind == FindingKind::Fix && !f.waived())
        .filter(|f| {
            let file = f.file.clone().unwrap_or_default();
            !decided.contains(&(f.node.clone(), f.id.clone(), file))
        })
        .collect();
    if left.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "not reviewed ({}), left as they are; run `wso2-harden fix` again for them:",
        left.len()
    );
    for f in left {
        let _ = writeln!(
            out,
            "  {} · {}  {}",
            f.node,
            f.id,
            f.file.as_deref().unwrap_or("")
        );
    }
    out
}
