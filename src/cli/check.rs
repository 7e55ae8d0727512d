//! `check`: findings per product home, in the format asked for; the exit code says whether a
//! finding of a `--fail-on` kind is left. Every format streams: each node is rendered on a
//! worker while its files are in memory, written in discovery order as soon as the nodes
//! before it are, and forgotten but for its counts (`Tally`). What a format must place after
//! every node (JSON's findings array, SARIF's results) waits in a `Spill`, not in memory.

use std::io::{BufWriter, Write};

use super::common::{Access, Session};
use super::tally::Tally;
use super::{CheckArgs, Format, CLEAN, ERROR, FINDINGS};
use crate::plan::{Finding, FindingKind, NodePlan};
use crate::render::json::{self, Items};
use crate::render::spill::Spill;
use crate::render::{ci, report, sarif, Style};

pub fn run(args: &CheckArgs, style: Style) -> anyhow::Result<u8> {
    let session = Session::new(&args.run)?;
    let fail_on = if args.fail_on.is_empty() {
        FindingKind::failing_by_default()
    } else {
        args.fail_on.clone()
    };
    let mut tally = Tally::new(&fail_on);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write_report(&session, args.format, &fail_on, style, &mut tally, &mut out)?;
    out.flush()?;
    drop(out);
    tally.report_errors();
    let failed = tally.counts.failing(&fail_on) > 0;
    tally.step_summary("check", failed);
    Ok(if tally.counts.errors > 0 {
        ERROR
    } else if failed && !args.exit_zero {
        FINDINGS
    } else {
        CLEAN
    })
}

/// The report's destination; the first write error (a closed pipe) ends the output, while
/// planning goes on to the end so that the exit code still tells the truth.
struct Out<'a> {
    out: &'a mut dyn Write,
    failed: Option<std::io::Error>,
}

impl Out<'_> {
    fn emit(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            if let Err(e) = self.out.write_all(bytes) {
                self.failed = Some(e);
            }
        }
    }

    fn copy(&mut self, kept: Spill) {
        if self.failed.is_none() {
            if let Err(e) = kept.copy_to(self.out) {
                self.failed = Some(e);
            }
        }
    }
}

/// Keeps array items (JSON findings, SARIF results) for the end of the document.
fn keep(kept: &mut Spill, items: &mut Items, item: &str) {
    let _ = kept.write_all(items.separator().as_bytes());
    let _ = kept.write_all(item.as_bytes());
}

/// Plans every node and streams it: `render` on a worker (it releases the node's files once
/// it no longer needs them), `emit` in discovery order; each node is counted, and so are the
/// run's notes, which are returned.
fn stream<T: Send>(
    session: &Session,
    tally: &mut Tally,
    render: impl Fn(&mut NodePlan) -> T + Sync + Send,
    mut emit: impl FnMut(T),
) -> Vec<Finding> {
    session.stream_nodes(
        Access::Read,
        |mut node| {
            let t = render(&mut node);
            (node, t)
        },
        |(node, t)| {
            emit(t);
            tally.add(&node);
        },
    );
    let notes = session.run_notes();
    tally.add_notes(&notes);
    notes
}

/// Plans every node and writes the report in `format` to `out` node by node.
fn write_report(
    session: &Session,
    format: Format,
    fail_on: &[FindingKind],
    style: Style,
    tally: &mut Tally,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = Out { out, failed: None };
    match format {
        Format::Text => {
            let notes = stream(
                session,
                tally,
                |node| {
                    node.release_files();
                    let mut text = String::new();
                    report::node_report(node, style, &mut text);
                    text.push('\n');
                    text
                },
                |text| {
                    w.emit(text.as_bytes());
                },
            );
            w.emit(report::check_tail(&notes, &mut tally.table, &tally.counts, style).as_bytes());
        }
        Format::Json => {
            w.emit(json::check_json_head().as_bytes());
            let (mut nodes, mut findings) = (Items::default(), Items::default());
            let mut kept = Spill::new();
            let notes = stream(
                session,
                tally,
                |node| {
                    node.release_files();
                    let text = json::check_json_node(node);
                    let found: Vec<String> =
                        node.findings.iter().map(json::check_json_finding).collect();
                    (text, found)
                },
                |(text, found)| {
                    w.emit(nodes.separator().as_bytes());
                    w.emit(text.as_bytes());
                    for f in &found {
                        keep(&mut kept, &mut findings, f);
                    }
                },
            );
            for f in &notes {
                keep(&mut kept, &mut findings, &json::check_json_finding(f));
            }
            w.emit(json::check_json_middle(&nodes).as_bytes());
            w.copy(kept);
            w.emit(json::check_json_tail(&findings, &tally.counts).as_bytes());
        }
        Format::JsonLines => {
            let notes = stream(
                session,
                tally,
                |node| {
                    node.release_files();
                    json::node_line(node)
                },
                |line| {
                    w.emit(line.as_bytes());
                },
            );
            w.emit(json::closing_lines(&notes, &tally.counts).as_bytes());
        }
        Format::Github => {
            let notes = stream(
                session,
                tally,
                |node| {
                    node.release_files();
                    ci::github_node(node, fail_on)
                },
                |text| {
                    w.emit(text.as_bytes());
                },
            );
            for f in &notes {
                w.emit(ci::github_finding(f, fail_on).as_bytes());
            }
        }
        Format::Sarif => {
            let ctx = sarif::Ctx {
                catalog: session.catalog,
                fail_on,
            };
            let mut results = Items::default();
            let mut kept = Spill::new();
            let notes = stream(
                session,
                tally,
                |node| {
                    // Fixes are read from the node's files: rendered before they are released.
                    let rendered: Vec<String> = sarif::node_results(node, &ctx)
                        .iter()
                        .map(|r| json::item(r, sarif::RESULT_INDENT))
                        .collect();
                    node.release_files();
                    rendered
                },
                |rendered| {
                    for r in &rendered {
                        keep(&mut kept, &mut results, r);
                    }
                },
            );
            for r in sarif::note_results(&notes, &ctx) {
                keep(
                    &mut kept,
                    &mut results,
                    &json::item(&r, sarif::RESULT_INDENT),
                );
            }
            // The frame names the nodes' errors, known only now; results sit inside it.
            let frame = sarif::frame(&tally.errors, &ctx, &session.cwd);
            w.emit(frame.head.as_bytes());
            w.copy(kept);
            w.emit(results.close(sarif::RESULT_INDENT - 2).as_bytes());
            w.emit(frame.tail.as_bytes());
        }
        Format::Gitlab => {
            // A top-level array: entries go out as their nodes come.
            w.emit(b"[");
            let mut entries = Items::default();
            let notes = stream(
                session,
                tally,
                |node| {
                    node.release_files();
                    let found: Vec<String> = ci::gitlab_node(node)
                        .iter()
                        .map(|e| json::item(e, 2))
                        .collect();
                    found
                },
                |found| {
                    for e in &found {
                        w.emit(entries.separator().as_bytes());
                        w.emit(e.as_bytes());
                    }
                },
            );
            for e in ci::gitlab_notes(&notes) {
                w.emit(entries.separator().as_bytes());
                w.emit(json::item(&e, 2).as_bytes());
            }
            w.emit(format!("{}\n", entries.close(0)).as_bytes());
        }
    }
    match w.failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
