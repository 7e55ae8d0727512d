//! What `fix` prints, node by node as each is written: the files written (at once), what is
//! left for a person (kept in a `Spill` until every node is done, then listed), the summary
//! table and the totals. Nothing of a node is kept but its counts.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use super::tally::Tally;
use super::{CLEAN, ERROR, FINDINGS};
use crate::apply::{Applied, ApplyError};
use crate::plan::{display_path, Finding, FindingKind, NodePlan};
use crate::render::report::waiver_note;
use crate::render::spill::Spill;
use crate::render::{Style, BOLD, DIM};

pub struct FixReport {
    style: Style,
    cwd: PathBuf,
    pub tally: Tally,
    /// Files written, changes (one patch on one file) written.
    files: usize,
    pub changes: usize,
    /// A node failed to plan or to write.
    failed: bool,
    left: Spill,
    left_count: usize,
}

impl FixReport {
    pub fn new(style: Style) -> FixReport {
        FixReport {
            style,
            cwd: std::env::current_dir().unwrap_or_default(),
            tally: Tally::new(&[]),
            files: 0,
            changes: 0,
            failed: false,
            left: Spill::new(),
            left_count: 0,
        }
    }

    /// Reports one node (its files already released): what was written, or the write's error
    /// (printed to stderr now, and the node's error in the table).
    pub fn node(
        &mut self,
        out: &mut dyn Write,
        mut node: NodePlan,
        result: Option<Result<Applied, ApplyError>>,
    ) -> std::io::Result<()> {
        let style = self.style;
        let planned_error = node.error.is_some();
        match result {
            None => {}
            Some(Ok(applied)) if applied.files.is_empty() && applied.completed_interrupted => {
                writeln!(
                    out,
                    "{} an interrupted run had nothing left to write; it is settled",
                    style.paint(BOLD, &node.display)
                )?;
            }
            Some(Ok(applied)) if applied.files.is_empty() => {}
            Some(Ok(applied)) => {
                self.files += applied.files.len();
                self.changes += applied.changes;
                self.written(out, &node, &applied)?;
            }
            Some(Err(e)) => {
                eprintln!("wso2-harden: {e}");
                node.error.get_or_insert_with(|| e.to_string());
            }
        }
        self.failed |= node.error.is_some();
        self.tally.add(&node);
        if !planned_error && node.error.is_some() {
            // A write's error was printed above; only planning errors wait for the end.
            self.tally.errors.pop();
        }
        self.left_to_do(&node)
    }

    fn written(&self, out: &mut dyn Write, node: &NodePlan, a: &Applied) -> std::io::Result<()> {
        let style = self.style;
        writeln!(
            out,
            "{} wrote {} file(s)",
            style.paint(BOLD, &node.display),
            a.files.len()
        )?;
        for f in &a.files {
            writeln!(out, "    {f}")?;
        }
        if a.completed_interrupted {
            let note = "(this completed an interrupted run)";
            writeln!(out, "    {}", style.paint(DIM, note))?;
        }
        for f in &a.read_only {
            writeln!(
                out,
                "    note: {f} was read-only; it was replaced all the same and keeps its mode"
            )?;
        }
        if let Some(b) = &a.backup {
            let backup = format!("backup: {}", display_path(b, &self.cwd));
            writeln!(out, "    {}", style.paint(DIM, &backup))?;
        }
        Ok(())
    }

    /// Keeps what the node leaves for a person, for the list at the end.
    fn left_to_do(&mut self, node: &NodePlan) -> std::io::Result<()> {
        let style = self.style;
        let mut guided = BTreeSet::new();
        for f in node.findings.iter().filter(|f| needs_a_person(f)) {
            self.left_count += 1;
            let out = &mut self.left;
            writeln!(out, "  {} {}", style.paint(BOLD, &f.id), f.place())?;
            writeln!(out, "      {}", f.message)?;
            if let Some(w) = waiver_note(f) {
                writeln!(out, "      {w}")?;
            }
            if let Some(g) = f.guidance.as_ref().filter(|_| guided.insert(&f.id)) {
                writeln!(out, "      {}", style.paint(DIM, &format!("→ {g}")))?;
            }
        }
        Ok(())
    }

    /// Prints what is left for a person, the table and the totals; the exit code. `declined`:
    /// changes the interactive run was refused; `open`: it left offered changes undone
    /// (declined, not reviewed, value skipped).
    pub fn finish(
        mut self,
        out: &mut dyn Write,
        notes: &[Finding],
        declined: usize,
        open: bool,
    ) -> std::io::Result<u8> {
        let style = self.style;
        self.tally.add_notes(notes);
        if self.left_count > 0 {
            writeln!(out, "{}", style.paint(BOLD, "left to do:"))?;
            std::mem::take(&mut self.left).copy_to(out)?;
        }
        let counts = &self.tally.counts;
        if counts.nodes > 1 {
            write!(out, "{}", self.tally.table.render(style))?;
        }
        let cannot_note = if counts.cannot_fix > 0 {
            format!(", {} cannot be fixed here (by hand)", counts.cannot_fix)
        } else {
            String::new()
        };
        let waived = if counts.waived > 0 {
            format!(", {} waived", counts.waived)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} file(s) written: {} change(s) applied, {declined} declined; \
             {} need a value (--set), {} unsafe (--unsafe-fixes), {} manual{cannot_note}{waived}.",
            self.files, self.changes, counts.needs_value, counts.unsafe_fix, counts.manual
        )?;
        Ok(if self.failed {
            ERROR
        } else if open {
            FINDINGS
        } else {
            CLEAN
        })
    }
}

fn needs_a_person(f: &Finding) -> bool {
    !f.waived()
        && matches!(
            f.kind,
            FindingKind::NeedsValue
                | FindingKind::UnsafeFix
                | FindingKind::Manual
                | FindingKind::CannotFix
        )
}
