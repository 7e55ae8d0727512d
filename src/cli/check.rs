//! `check`: findings per product home.

use super::common::{report_errors, Session};
use super::{CheckArgs, Format, CLEAN, ERROR, FINDINGS};
use crate::render::{json, report, Style};

pub fn run(args: &CheckArgs, style: Style) -> anyhow::Result<u8> {
    let session = Session::new(&args.run)?;
    let plan = session.plan_findings();
    match args.format {
        Format::Text => print!("{}", report::check_report(&plan, style)),
        Format::Json => print!("{}", json::check_json(&plan)),
    }
    report_errors(&plan);
    Ok(if plan.has_errors() {
        ERROR
    } else if plan.nodes.iter().any(|n| n.open_findings() > 0) {
        FINDINGS
    } else {
        CLEAN
    })
}
