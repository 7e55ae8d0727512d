//! The summary table of a fleet run: one row per node (what it needs, its error), kept in a
//! `Spill` while the nodes stream by (one JSON line each: flat memory) and rendered once at
//! the end, when the width of the node column is known.

use std::fmt::Write;
use std::io::BufRead;

use super::spill::Spill;
use super::{Style, BOLD, RED};
use crate::plan::{FindingKind, NodePlan};

#[derive(Debug, Default)]
pub struct Table {
    rows: Spill,
    /// Widest node name so far, in chars.
    width: usize,
    /// Some node has a fix an editor refused: the CANNOT column shows.
    cannot: bool,
}

/// node, changes, values needed, manual, cannot fix, error.
type Row = (String, usize, usize, usize, usize, Option<String>);

impl Table {
    /// Adds the row of `node` (its open findings by kind, its error).
    pub fn add(&mut self, node: &NodePlan) {
        let count = |k: FindingKind| node.open_of(k).count();
        self.cannot |= node
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::CannotFix);
        self.width = self.width.max(node.display.chars().count());
        let row: Row = (
            node.display.clone(),
            count(FindingKind::Fix) + count(FindingKind::UnsafeFix),
            count(FindingKind::NeedsValue),
            count(FindingKind::Manual),
            count(FindingKind::CannotFix),
            node.error.clone(),
        );
        // JSON strings hold no raw line break: one row per line.
        let mut line = serde_json::to_vec(&row).unwrap_or_default();
        line.push(b'\n');
        let _ = std::io::Write::write_all(&mut self.rows, &line);
    }

    /// One row per node: what a fleet run did at a glance. The CANNOT column (fixes an editor
    /// refused) shows only when some node has one. The rows are read back once.
    pub fn render(&mut self, style: Style) -> String {
        let width = self.width.clamp(4, 60);
        let cannot_head = if self.cannot { "  CANNOT" } else { "" };
        let mut out = style.paint(
            BOLD,
            &format!(
                "{:<width$}  {:>7}  {:>6}  {:>6}{cannot_head}  ERROR\n",
                "NODE", "CHANGES", "VALUE?", "MANUAL"
            ),
        );
        let Ok(rows) = std::mem::take(&mut self.rows).reader() else {
            return out;
        };
        for line in rows.lines() {
            let Ok((node, changes, needs_value, manual, cannot_fix, error)) = line
                .map_err(serde_json::Error::io)
                .and_then(|l| serde_json::from_str::<Row>(&l))
            else {
                continue;
            };
            let cannot_cell = if self.cannot {
                format!("  {cannot_fix:>6}")
            } else {
                String::new()
            };
            let error = error
                .as_deref()
                .map_or(String::from("-"), |e| style.paint(RED, e));
            let _ = writeln!(
                out,
                "{node:<width$}  {changes:>7}  {needs_value:>6}  {manual:>6}{cannot_cell}  {error}"
            );
        }
        out
    }
}
