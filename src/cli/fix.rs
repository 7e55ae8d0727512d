//! `fix`: interactive on a terminal, or every safe fix with `--yes`.

use std::io::IsTerminal;

use super::common::{report_errors, Session};
use super::{FixArgs, CLEAN, ERROR, FINDINGS};
use crate::apply::prompt::{Interactive, TerminalPrompter};
use crate::apply::{apply_node, Applied, ApplyError};
use crate::plan::{FindingKind, NodePlan, Plan};
use crate::render::{report, Style, BOLD, DIM};

pub fn run(args: &FixArgs, style: Style) -> anyhow::Result<u8> {
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.yes && !terminal {
        eprintln!(
            "wso2-harden: fix asks before each change and needs a terminal; \
             use `wso2-harden fix --yes` to apply every safe fix (see `wso2-harden diff` first)"
        );
        return Ok(ERROR);
    }
    let session = Session::new(&args.run)?;
    if args.yes {
        let done = session.each_node(|mut node| {
            let result = match node.error {
                None => Some(apply_node(&node, !args.no_backup, None)),
                Some(_) => None,
            };
            node.files.clear();
            (node, result)
        });
        let mut nodes = Vec::new();
        let mut results = Vec::new();
        for (i, (node, result)) in done.into_iter().enumerate() {
            nodes.push(node);
            if let Some(r) = result {
                results.push((i, r));
            }
        }
        let plan = Plan { nodes };
        report_errors(&plan);
        let results: Vec<_> = results
            .into_iter()
            .map(|(i, r)| (&plan.nodes[i], r))
            .collect();
        return Ok(finish(&plan, &results, 0, style));
    }
    // Interactive: node by node, so that what was accepted is written before the next node.
    let mut prompter = TerminalPrompter::default();
    let mut decider = Interactive::new(&mut prompter, style);
    let mut nodes = Vec::new();
    for home in &session.homes {
        let node = session.plan_one(home, &mut decider);
        if let Some(e) = &node.error {
            eprintln!("{e}");
        }
        nodes.push(node);
        if decider.stopped {
            break;
        }
    }
    let declined = decider.declined;
    let plan = Plan { nodes };
    let results: Vec<_> = plan
        .nodes
        .iter()
        .filter(|n| n.error.is_none())
        .map(|n| (n, apply_node(n, !args.no_backup, None)))
        .collect();
    Ok(finish(&plan, &results, declined, style))
}

fn finish(
    plan: &Plan,
    results: &[(&NodePlan, Result<Applied, ApplyError>)],
    declined: usize,
    style: Style,
) -> u8 {
    let mut failed = plan.has_errors();
    let mut written = 0;
    for (node, result) in results {
        match result {
            Ok(applied) if applied.files.is_empty() => {}
            Ok(applied) => {
                written += applied.files.len();
                println!(
                    "{} wrote {} file(s)",
                    style.paint(BOLD, &node.display),
                    applied.files.len()
                );
                for f in &applied.files {
                    println!("    {f}");
                }
                if let Some(b) = &applied.backup {
                    println!(
                        "    {}",
                        style.paint(
                            DIM,
                            &format!(
                                "backup: {}",
                                crate::plan::display_path(
                                    b,
                                    &std::env::current_dir().unwrap_or_default()
                                )
                            )
                        )
                    );
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("wso2-harden: {e}");
            }
        }
    }
    let mut open = 0;
    for node in &plan.nodes {
        for f in node
            .findings
            .iter()
            .filter(|f| f.kind != FindingKind::Fix && f.kind != FindingKind::Warning)
        {
            if f.kind != FindingKind::Manual {
                open += 1;
            }
            let place = f.file.as_deref().map(|p| match f.line {
                Some(l) => format!("{p}:{l}"),
                None => p.to_string(),
            });
            println!(
                "{} {} {}",
                style.paint(DIM, "left:"),
                f.id,
                place.unwrap_or_default()
            );
            println!("      {}", f.message);
            if let Some(g) = &f.guidance {
                println!("      {}", style.paint(DIM, &format!("→ {g}")));
            }
        }
    }
    if plan.nodes.len() > 1 {
        print!("{}", report::summary_table(plan, style));
    }
    let counts = report::Counts::of(plan);
    println!("{written} file(s) written. {}", report::summary(&counts));
    if failed {
        ERROR
    } else if open > 0 || declined > 0 {
        FINDINGS
    } else {
        CLEAN
    }
}
