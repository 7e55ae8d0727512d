//! `check`: findings per product home, in the format asked for; the exit code says whether a
//! finding of a `--fail-on` kind is left.

use std::collections::HashMap;
use std::io::Write;

use super::common::{report_errors, Access, Session};
use super::{CheckArgs, Format, CLEAN, ERROR, FINDINGS};
use crate::plan::{FindingKind, NodePlan, Plan};
use crate::render::{ci, json, report, sarif, summary, Style};

pub fn run(args: &CheckArgs, style: Style) -> anyhow::Result<u8> {
    let session = Session::new(&args.run)?;
    let fail_on = if args.fail_on.is_empty() {
        FindingKind::failing_by_default()
    } else {
        args.fail_on.clone()
    };
    let (plan, text) = render(&session, args.format, &fail_on, style);
    std::io::stdout().write_all(text.as_bytes())?;
    report_errors(&plan);
    let failed = plan.findings().any(|f| f.fails(&fail_on));
    let md = summary::markdown("check", &plan, &fail_on, failed);
    if let Err(e) = summary::append_step_summary(&md) {
        eprintln!("wso2-harden: cannot append to $GITHUB_STEP_SUMMARY: {e}");
    }
    Ok(if plan.has_errors() {
        ERROR
    } else if failed && !args.exit_zero {
        FINDINGS
    } else {
        CLEAN
    })
}

/// Plans every node and renders it in `format`, node by node while its files are in memory.
fn render(
    session: &Session,
    format: Format,
    fail_on: &[FindingKind],
    style: Style,
) -> (Plan, String) {
    let per_node = |f: &(dyn Fn(&NodePlan) -> String + Sync)| {
        let done = session.each_node(Access::Read, |mut node| {
            let text = f(&node);
            node.release_files();
            (node, text)
        });
        let mut out = String::new();
        let mut nodes = Vec::with_capacity(done.len());
        for (node, text) in done {
            out.push_str(&text);
            nodes.push(node);
        }
        (session.plan_of(nodes), out)
    };
    match format {
        Format::Text => {
            let plan = session.plan_findings();
            let text = report::check_report(&plan, style);
            (plan, text)
        }
        Format::Json => {
            let plan = session.plan_findings();
            let text = json::check_json(&plan);
            (plan, text)
        }
        Format::JsonLines => {
            let (plan, mut out) = per_node(&json::node_line);
            out.push_str(&json::closing_lines(&plan));
            (plan, out)
        }
        Format::Github => {
            let (plan, mut out) = per_node(&|n| ci::github_node(n, fail_on));
            for f in &plan.notes {
                out.push_str(&ci::github_finding(f, fail_on));
            }
            (plan, out)
        }
        Format::Sarif => {
            let ctx = sarif::Ctx {
                catalog: session.catalog,
                fail_on,
            };
            let done = session.each_node(Access::Read, |mut node| {
                let results = sarif::node_results(&node, &ctx);
                node.release_files();
                (node, results)
            });
            let (nodes, results): (Vec<_>, Vec<_>) = done.into_iter().unzip();
            let plan = session.plan_of(nodes);
            let results = results.into_iter().flatten().collect();
            let text = sarif::document(&plan, results, &ctx, &session.cwd);
            (plan, text)
        }
        Format::Gitlab => {
            let plan = session.plan_findings();
            let mut seen = HashMap::new();
            let mut entries = Vec::new();
            for n in &plan.nodes {
                entries.extend(ci::gitlab_node(n, &mut seen));
            }
            entries.extend(
                plan.notes
                    .iter()
                    .filter_map(|f| ci::gitlab_finding(f, &mut seen)),
            );
            let text = serde_json::to_string_pretty(&entries).unwrap_or_default() + "\n";
            (plan, text)
        }
    }
}
