//! `diff`: the unified diff of every pending fix, exactly what `fix --yes` writes.

use std::io::Write;

use super::common::{report_errors, Session};
use super::{RunArgs, CLEAN, ERROR, FINDINGS};
use crate::render::{diff, Style};

pub fn run(args: &RunArgs, style: Style) -> anyhow::Result<u8> {
    let session = Session::new(args)?;
    let results = session.each_node(|mut node| {
        let bytes = if node.error.is_none() {
            node.changed_files()
                .flat_map(diff::final_file_diff)
                .collect()
        } else {
            Vec::new()
        };
        node.release_files();
        (node, bytes)
    });
    let out: Vec<u8> = results
        .iter()
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    let plan = crate::plan::Plan {
        nodes: results.into_iter().map(|(n, _)| n).collect(),
    };
    std::io::stdout().write_all(&diff::colorize(&out, style))?;
    report_errors(&plan);
    Ok(if plan.has_errors() {
        ERROR
    } else if out.is_empty() {
        CLEAN
    } else {
        FINDINGS
    })
}
