//! The Markdown summary a CI job shows on its page (`$GITHUB_STEP_SUMMARY`): the totals, a
//! row per product home, and the findings that fail the run.

use std::fmt::Write;

use super::report::{summary, waiver_note, Counts};
use crate::plan::{FindingKind, Plan};

/// Findings listed in full; past this the summary says how many more there are.
const MAX_ROWS: usize = 200;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

pub fn markdown(command: &str, plan: &Plan, fail_on: &[FindingKind], failed: bool) -> String {
    let counts = Counts::of(plan);
    let mut out = String::new();
    let verdict = if plan.has_errors() {
        "error"
    } else if failed {
        "fails"
    } else {
        "passes"
    };
    let _ = writeln!(out, "## wso2-harden {command}: {verdict}\n");
    let _ = writeln!(out, "{}\n", summary(&counts));
    let _ = writeln!(
        out,
        "| product home | product | changes | values needed | manual | waived | error |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---|");
    for n in &plan.nodes {
        let count = |k: FindingKind| n.open_of(k).count();
        let waived = n.findings.iter().filter(|f| f.waived()).count();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {waived} | {} |",
            cell(&n.display),
            cell(&n.home.describe()),
            count(FindingKind::Fix) + count(FindingKind::UnsafeFix),
            count(FindingKind::NeedsValue),
            count(FindingKind::Manual),
            n.error.as_deref().map_or("".to_string(), cell)
        );
    }
    let failing: Vec<_> = plan.findings().filter(|f| f.fails(fail_on)).collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "\n### Findings that fail the run ({})\n",
            failing.len()
        );
        let _ = writeln!(out, "| kind | severity | patch | where | finding |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for f in failing.iter().take(MAX_ROWS) {
            let place = f.place();
            let mut msg = f.message.clone();
            if let Some(w) = waiver_note(f) {
                msg.push_str(&format!(" ({w})"));
            }
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | `{}` | {} |",
                f.kind.name(),
                format!("{:?}", f.severity).to_lowercase(),
                f.id,
                cell(&place),
                cell(&msg)
            );
        }
        if failing.len() > MAX_ROWS {
            let _ = writeln!(out, "\n… and {} more.", failing.len() - MAX_ROWS);
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "\n### Policy notes\n");
        for n in &plan.notes {
            let _ = writeln!(out, "- {}: {}", cell(&n.place()), cell(&n.message));
        }
    }
    out.push('\n');
    out
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
