//! `fix`: interactive on a terminal, or every safe fix with `--yes`.
//!
//! Interactive: a plan overview, then one numbered question per change, node by node; what
//! was accepted for a node is written before the next node's questions. `q` stops and writes
//! what was accepted; Ctrl-C stops at once and writes nothing of the node being reviewed
//! (nodes finished before stay written, and the message names them).

use std::io::IsTerminal;
use std::sync::atomic::Ordering;

use super::common::{report_errors, Access, Session};
use super::{FixArgs, CLEAN, ERROR, FINDINGS, INTERRUPTED};
use crate::apply::prompt::{Interactive, INTERRUPTED as CTRL_C};
use crate::apply::terminal::TerminalPrompter;
use crate::apply::{apply_node, Applied, ApplyError, Backup};
use crate::plan::{FindingKind, Plan};
use crate::render::{report, review, Style, BOLD, DIM};

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
    let backup = session.backup(&args.backup);
    if args.yes {
        return Ok(all_safe(&session, &backup, style));
    }
    Ok(interactive(&session, &backup, style))
}

/// `--yes`: every safe fix of every node, in parallel, each under its home's lock.
fn all_safe(session: &Session, backup: &Backup, style: Style) -> u8 {
    let done = session.each_node(Access::Write, |mut node| {
        let result = match node.error {
            None => Some(apply_node(&node, backup.clone(), None)),
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
    let mut plan = session.plan_of(nodes);
    report_errors(&plan);
    let applied = written_changes(&results);
    // Nothing --yes may apply is left once it ran: what remains needs a person.
    finish(&mut plan, &results, (applied, 0), false, style)
}

fn interactive(session: &Session, backup: &Backup, style: Style) -> u8 {
    let overview = session.plan_findings();
    eprint!("{}", review::overview(&overview, style));
    // Ctrl-C sets a flag instead of killing the process mid-way; a prompt then returns.
    let _ = ctrlc::set_handler(|| CTRL_C.store(true, Ordering::Relaxed));
    let mut prompter = TerminalPrompter::default();
    let mut decider = Interactive::new(&mut prompter, style);
    decider.total = review::questions(&overview);
    let mut nodes = Vec::new();
    let mut written = Vec::new();
    let mut interrupted_at = None;
    let settings = session.settings();
    for home in &session.homes {
        // Planned (with the questions) and written under the home's lock.
        let (node, result, stop) =
            session.run_node(home, Access::Write, &mut decider, &settings, &|mut node| {
                if CTRL_C.load(Ordering::Relaxed) {
                    return (node, None, true);
                }
                let result = match &node.error {
                    Some(e) => {
                        eprintln!("{e}");
                        None
                    }
                    None => Some(
                        crate::guard::contain(|| apply_node(&node, backup.clone(), None))
                            .unwrap_or_else(|e| {
                                Err(ApplyError::Prepare {
                                    file: node.display.clone(),
                                    message: e.to_string(),
                                })
                            }),
                    ),
                };
                node.release_files();
                (node, result, false)
            });
        if stop || decider.interrupted {
            interrupted_at = Some(node.display.clone());
            break;
        }
        if let Some(r) = result {
            written.push((nodes.len(), r));
        }
        nodes.push(node);
        if decider.stopped {
            break;
        }
    }
    if let Some(at) = interrupted_at {
        eprintln!("\nwso2-harden: interrupted: nothing of {at} was written.");
        for (i, result) in &written {
            if let (Some(node), Ok(a)) = (nodes.get(*i), result) {
                if !a.files.is_empty() {
                    eprintln!(
                        "  {} was written before ({} file(s)); `wso2-harden rollback {}` undoes it.",
                        node.display,
                        a.files.len(),
                        node.display
                    );
                }
            }
        }
        return INTERRUPTED;
    }
    let unreviewed = if decider.stopped {
        review::not_reviewed(&overview, &decider.decided)
    } else {
        String::new()
    };
    // What the summary calls applied is what was written: accepted changes of a node whose
    // write failed (or was refused) were not applied.
    let (applied, declined) = (written_changes(&written), decider.declined);
    let open = declined > 0 || decider.values_skipped > 0 || !unreviewed.is_empty();
    let mut plan = session.plan_of(nodes);
    print!("{unreviewed}");
    finish(&mut plan, &written, (applied, declined), open, style)
}

type Results = [(usize, Result<Applied, ApplyError>)];

fn written_changes(results: &Results) -> usize {
    results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|a| a.changes)
        .sum()
}

/// Prints what was written and what is left for a person; the exit code. `open`: the
/// interactive run left offered changes undone (declined, not reviewed, value skipped).
fn finish(
    plan: &mut Plan,
    results: &Results,
    (applied, declined): (usize, usize),
    open: bool,
    style: Style,
) -> u8 {
    let mut failed = plan.has_errors();
    let mut written = 0;
    let cwd = std::env::current_dir().unwrap_or_default();
    for (i, result) in results {
        let node = &mut plan.nodes[*i];
        match result {
            Ok(applied) if applied.files.is_empty() => {
                if applied.completed_interrupted {
                    println!(
                        "{} an interrupted run had nothing left to write; it is settled",
                        style.paint(BOLD, &node.display)
                    );
                }
            }
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
                if applied.completed_interrupted {
                    println!(
                        "    {}",
                        style.paint(DIM, "(this completed an interrupted run)")
                    );
                }
                for f in &applied.read_only {
                    println!(
                        "    note: {f} was read-only; it was replaced all the same and keeps its mode"
                    );
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
                node.error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let plan = &*plan;
    let mut left = 0;
    let counts = report::Counts::of(plan);
    let (needs, unsafe_left, manual) = (counts.needs_value, counts.unsafe_fix, counts.manual);
    let cannot = counts.cannot_fix;
    for node in &plan.nodes {
        let mut guided = std::collections::BTreeSet::new();
        for f in node.findings.iter().filter(|f| {
            !f.waived()
                && matches!(
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
            println!("  {} {}", style.paint(BOLD, &f.id), f.place());
            println!("      {}", f.message);
            if let Some(w) = report::waiver_note(f) {
                println!("      {w}");
            }
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
    let waived = if counts.waived > 0 {
        format!(", {} waived", counts.waived)
    } else {
        String::new()
    };
    println!(
        "{written} file(s) written: {applied} change(s) applied, {declined} declined; \
         {needs} need a value (--set), {unsafe_left} unsafe (--unsafe-fixes), {manual} manual{cannot_note}{waived}."
    );
    if failed {
        ERROR
    } else if open {
        FINDINGS
    } else {
        CLEAN
    }
}
