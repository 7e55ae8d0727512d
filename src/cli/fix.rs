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
            node.release_files();
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
        // With --yes every planned safe fix of a node that was written is applied.
        let applied = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(n, _)| {
                n.findings
                    .iter()
                    .filter(|f| f.kind == FindingKind::Fix)
                    .count()
            })
            .sum();
        return Ok(finish(&plan, &results, (applied, 0), style));
    }
    // Interactive: node by node; what was accepted for a node is written before the next
    // node's questions, so stopping (q, Ctrl-C) keeps the nodes already answered.
    let mut prompter = TerminalPrompter::default();
    let mut decider = Interactive::new(&mut prompter, style);
    let mut nodes = Vec::new();
    let mut written = Vec::new();
    for home in &session.homes {
        let mut node = session.plan_one(home, &mut decider);
        match &node.error {
            Some(e) => eprintln!("{e}"),
            None => written.push((nodes.len(), apply_node(&node, !args.no_backup, None))),
        }
        node.release_files();
        nodes.push(node);
        if decider.stopped {
            break;
        }
    }
    let (applied, declined) = (decider.applied, decider.declined);
    let plan = Plan { nodes };
    let results: Vec<_> = written
        .into_iter()
        .map(|(i, r)| (&plan.nodes[i], r))
        .collect();
    Ok(finish(&plan, &results, (applied, declined), style))
}

fn finish(
    plan: &Plan,
    results: &[(&NodePlan, Result<Applied, ApplyError>)],
    (applied, declined): (usize, usize),
    style: Style,
) -> u8 {
    let mut failed = plan.has_errors();
    let mut written = 0;
    let cwd = std::env::current_dir().unwrap_or_default();
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
                            &format!("backup: {}", crate::plan::display_path(b, &cwd))
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
    let mut left = 0;
    let counts = report::Counts::of(plan);
    let (needs, unsafe_left, manual) = (counts.needs_value, counts.unsafe_fix, counts.manual);
    let cannot = counts.cannot_fix;
    for node in &plan.nodes {
        let mut guided = std::collections::BTreeSet::new();
        for f in node.findings.iter().filter(|f| {
            matches!(
                f.kind,
                FindingKind::NeedsValue
                    | FindingKind::UnsafeFix
                    | FindingKind::Manual
                    | FindingKind::CannotFix
            )
        }) {
            if left == 0 {
                println!("{}", style.paint(BOLD, "left to do:"));
            }
            left += 1;
            let place = match (&f.file, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                _ => node.display.clone(),
            };
            println!("  {} {place}", style.paint(BOLD, &f.id));
            println!("      {}", f.message);
            if let Some(g) = f.guidance.as_ref().filter(|_| guided.insert(&f.id)) {
                println!("      {}", style.paint(DIM, &format!("→ {g}")));
            }
        }
    }
    if plan.nodes.len() > 1 {
        print!("{}", report::summary_table(plan, style));
    }
    let cannot_note = if cannot > 0 {
        format!(", {cannot} cannot be fixed here (by hand)")
    } else {
        String::new()
    };
    println!(
        "{written} file(s) written: {applied} change(s) applied, {declined} declined; \
         {needs} need a value (--set), {unsafe_left} unsafe (--unsafe-fixes), {manual} manual{cannot_note}."
    );
    let open = needs + unsafe_left + cannot;
    if failed {
        ERROR
    } else if open > 0 || declined > 0 {
        FINDINGS
    } else {
        CLEAN
    }
}
