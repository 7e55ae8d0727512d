//! `fix`: interactive on a terminal, or every safe fix with `--yes`.
//!
//! Interactive: a plan overview, then one numbered question per change, node by node; what
//! was accepted for a node is written before the next node's questions. `q` stops and writes
//! what was accepted; Ctrl-C stops at once and writes nothing of the node being reviewed
//! (nodes finished before stay written, and the message names them).

use std::io::{BufWriter, IsTerminal, Write};
use std::sync::atomic::Ordering;

use super::common::{Access, Session};
use super::fix_report::FixReport;
use super::{FixArgs, ERROR, INTERRUPTED};
use crate::apply::prompt::{Interactive, INTERRUPTED as CTRL_C};
use crate::apply::terminal::TerminalPrompter;
use crate::apply::{apply_node, ApplyError, Backup};
use crate::render::{review, Style};

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
        return all_safe(&session, &backup, style);
    }
    interactive(&session, &backup, style)
}

/// `--yes`: every safe fix of every node, in parallel, each under its home's lock; each node
/// is reported (in discovery order) as soon as it and the nodes before it are written.
fn all_safe(session: &Session, backup: &Backup, style: Style) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut report = FixReport::new(style);
    let mut write_error = None;
    session.stream_nodes(
        Access::Write,
        |mut node| {
            let result = match node.error {
                None => Some(apply_node(&node, backup.clone(), None)),
                Some(_) => None,
            };
            node.release_files();
            (node, result)
        },
        |(node, result)| {
            if let Err(e) = report.node(&mut out, node, result) {
                write_error.get_or_insert(e);
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e.into());
    }
    report.tally.report_errors();
    // Nothing --yes may apply is left once it ran: what remains needs a person.
    let code = report.finish(&mut out, &session.run_notes(), 0, false)?;
    out.flush()?;
    Ok(code)
}

fn interactive(session: &Session, backup: &Backup, style: Style) -> anyhow::Result<u8> {
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
        return Ok(INTERRUPTED);
    }
    let unreviewed = if decider.stopped {
        review::not_reviewed(&overview, &decider.decided)
    } else {
        String::new()
    };
    let declined = decider.declined;
    let open = declined > 0 || decider.values_skipped > 0 || !unreviewed.is_empty();
    print!("{unreviewed}");
    // What the summary calls applied is what was written: accepted changes of a node whose
    // write failed (or was refused) were not applied.
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut report = FixReport::new(style);
    let mut written = written.into_iter().peekable();
    for (i, node) in nodes.into_iter().enumerate() {
        let result = written.next_if(|(w, _)| *w == i).map(|(_, r)| r);
        report.node(&mut out, node, result)?;
    }
    Ok(report.finish(&mut out, &session.run_notes(), declined, open)?)
}
