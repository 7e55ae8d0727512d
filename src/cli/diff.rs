//! `diff`: the unified diff of every pending fix, exactly what `fix --yes` writes.

use std::io::Write;

use super::common::{report_errors, Session};
use super::{RunArgs, CLEAN, ERROR, FINDINGS};
use crate::render::{diff, Style};

pub fn run(args: &RunArgs, style: Style) -> anyhow::Result<u8> {
    let session = Session::new(args)?;
    let plan = session.plan();
    let out = diff::plan_diff(&plan);
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
