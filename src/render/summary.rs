//! The Markdown summary a CI job shows on its page (`$GITHUB_STEP_SUMMARY`): the totals, a
//! row per product home, and the findings that fail the run. Built while the nodes stream by
//! (a row per node, the first `MAX_ROWS` failing findings, counts), written once at the end.

use std::fmt::Write;

use super::report::{summary, waiver_note, Counts};
use crate::plan::{Finding, FindingKind, NodePlan};

/// Findings listed in full; past this the summary says how many more there are.
const MAX_ROWS: usize = 200;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// The step summary of one run, fed node by node.
#[derive(Debug)]
pub struct StepSummary {
    fail_on: Vec<FindingKind>,
    rows: String,
    failing: String,
    failing_total: usize,
    notes: String,
}

impl StepSummary {
    /// A summary when the environment asks for one (`$GITHUB_STEP_SUMMARY` names a file).
    pub fn from_env(fail_on: &[FindingKind]) -> Option<StepSummary> {
        std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|p| !p.is_empty())
            .map(|_| StepSummary::new(fail_on))
    }

    pub fn new(fail_on: &[FindingKind]) -> StepSummary {
        StepSummary {
            fail_on: fail_on.to_vec(),
            rows: String::new(),
            failing: String::new(),
            failing_total: 0,
            notes: String::new(),
        }
    }

    pub fn add_node(&mut self, n: &NodePlan) {
        let count = |k: FindingKind| n.open_of(k).count();
        let waived = n.findings.iter().filter(|f| f.waived()).count();
        let _ = writeln!(
            self.rows,
            "| `{}` | {} | {} | {} | {} | {waived} | {} |",
            cell(&n.display),
            cell(&n.home.describe()),
            count(FindingKind::Fix) + count(FindingKind::UnsafeFix),
            count(FindingKind::NeedsValue),
            count(FindingKind::Manual),
            n.error.as_deref().map_or("".to_string(), cell)
        );
        for f in &n.findings {
            self.add_finding(f);
        }
    }

    /// The run's notes (waivers that matched nothing), after the last node.
    pub fn add_notes(&mut self, notes: &[Finding]) {
        for n in notes {
            self.add_finding(n);
            let _ = writeln!(self.notes, "- {}: {}", cell(&n.place()), cell(&n.message));
        }
    }

    fn add_finding(&mut self, f: &Finding) {
        if !f.fails(&self.fail_on) {
            return;
        }
        self.failing_total += 1;
        if self.failing_total > MAX_ROWS {
            return;
        }
        let mut msg = f.message.clone();
        if let Some(w) = waiver_note(f) {
            msg.push_str(&format!(" ({w})"));
        }
        let _ = writeln!(
            self.failing,
            "| {} | {} | `{}` | `{}` | {} |",
            f.kind.name(),
            format!("{:?}", f.severity).to_lowercase(),
            f.id,
            cell(&f.place()),
            cell(&msg)
        );
    }

    /// The Markdown: verdict, totals, the row of every node, failing findings, policy notes.
    pub fn markdown(&self, command: &str, counts: &Counts, failed: bool) -> String {
        let mut out = String::new();
        let verdict = if counts.errors > 0 {
            "error"
        } else if failed {
            "fails"
        } else {
            "passes"
        };
        let _ = writeln!(out, "## wso2-harden {command}: {verdict}\n");
        let _ = writeln!(out, "{}\n", summary(counts));
        let _ = writeln!(
            out,
            "| product home | product | changes | values needed | manual | waived | error |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---|");
        out.push_str(&self.rows);
        if self.failing_total > 0 {
            let _ = writeln!(
                out,
                "\n### Findings that fail the run ({})\n",
                self.failing_total
            );
            let _ = writeln!(out, "| kind | severity | patch | where | finding |");
            let _ = writeln!(out, "|---|---|---|---|---|");
            out.push_str(&self.failing);
            if self.failing_total > MAX_ROWS {
                let _ = writeln!(out, "\n… and {} more.", self.failing_total - MAX_ROWS);
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n### Policy notes\n");
            out.push_str(&self.notes);
        }
        out.push('\n');
        out
    }
}

/// Appends `markdown` to the file `$GITHUB_STEP_SUMMARY` names, when it is set.
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(markdown.as_bytes())
}
