//! The summary table of a fleet run: one row per node (what it needs, its error), kept as
//! counts while the nodes stream by and rendered once at the end.

use std::fmt::Write;

use super::{Style, BOLD, RED};
use crate::plan::{FindingKind, NodePlan};

#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
    /// Some node has a fix an editor refused: the CANNOT column shows.
    cannot: bool,
}

#[derive(Debug)]
struct Row {
    node: String,
    changes: usize,
    needs_value: usize,
    manual: usize,
    cannot_fix: usize,
    error: Option<String>,
}

impl Table {
    /// Adds the row of `node` (its open findings by kind, its error).
    pub fn add(&mut self, node: &NodePlan) {
        let count = |k: FindingKind| node.open_of(k).count();
        self.cannot |= node
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::CannotFix);
        self.rows.push(Row {
            node: node.display.clone(),
            changes: count(FindingKind::Fix) + count(FindingKind::UnsafeFix),
            needs_value: count(FindingKind::NeedsValue),
            manual: count(FindingKind::Manual),
            cannot_fix: count(FindingKind::CannotFix),
            error: node.error.clone(),
        });
    }

    /// One row per node: what a fleet run did at a glance. The CANNOT column (fixes an editor
    /// refused) shows only when some node has one.
    pub fn render(&self, style: Style) -> String {
        let width = self
            .rows
            .iter()
            .map(|r| r.node.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 60);
        let cannot_head = if self.cannot { "  CANNOT" } else { "" };
        let mut out = style.paint(
            BOLD,
            &format!(
                "{:<width$}  {:>7}  {:>6}  {:>6}{cannot_head}  ERROR\n",
                "NODE", "CHANGES", "VALUE?", "MANUAL"
            ),
        );
        for r in &self.rows {
            let cannot_cell = if self.cannot {
                format!("  {:>6}", r.cannot_fix)
            } else {
                String::new()
            };
            let error = r
                .error
                .as_deref()
                .map_or(String::from("-"), |e| style.paint(RED, e));
            let _ = writeln!(
                out,
                "{:<width$}  {:>7}  {:>6}  {:>6}{cannot_cell}  {error}",
                r.node, r.changes, r.needs_value, r.manual
            );
        }
        out
    }
}
