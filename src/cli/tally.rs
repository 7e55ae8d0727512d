//! What a streamed run keeps of its nodes once they are reported: counts, the summary table's
//! rows, the node errors (printed at the end, after the report), and the CI step summary
//! when the environment asks for one. Never a node's findings or files.

use crate::plan::{Finding, FindingKind, NodePlan};
use crate::render::report::{Counts, Table};
use crate::render::summary::{append_step_summary, StepSummary};

#[derive(Debug)]
pub struct Tally {
    pub counts: Counts,
    pub table: Table,
    /// Errors of nodes, as `path:line:col: message`.
    pub errors: Vec<String>,
    step: Option<StepSummary>,
}

impl Tally {
    /// `fail_on`: the kinds the step summary lists as failing the run.
    pub fn new(fail_on: &[FindingKind]) -> Tally {
        Tally {
            counts: Counts::default(),
            table: Table::default(),
            errors: Vec::new(),
            step: StepSummary::from_env(fail_on),
        }
    }

    pub fn add(&mut self, node: &NodePlan) {
        self.counts.add_node(node);
        self.table.add(node);
        if let Some(e) = &node.error {
            self.errors.push(e.clone());
        }
        if let Some(step) = &mut self.step {
            step.add_node(node);
        }
    }

    /// The run's notes, after the last node.
    pub fn add_notes(&mut self, notes: &[Finding]) {
        for f in notes {
            self.counts.add(f);
        }
        if let Some(step) = &mut self.step {
            step.add_notes(notes);
        }
    }

    /// Prints node errors to stderr as `path:line:col: message`.
    pub fn report_errors(&self) {
        for e in &self.errors {
            eprintln!("{e}");
        }
    }

    /// Appends the step summary of `command` to `$GITHUB_STEP_SUMMARY` when it is set.
    pub fn step_summary(&self, command: &str, failed: bool) {
        let Some(step) = &self.step else {
            return;
        };
        if let Err(e) = append_step_summary(&step.markdown(command, &self.counts, failed)) {
            eprintln!("wso2-harden: cannot append to $GITHUB_STEP_SUMMARY: {e}");
        }
    }
}
