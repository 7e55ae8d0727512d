//! `diff`: the unified diff of every pending fix, exactly what `fix --yes` writes. It fails
//! while anything is left to fix: changes, or a fix that waits for a value (so an empty diff
//! is never mistaken for "done"). With `--redact`, secret values are masked (for logs).

use std::io::{BufWriter, Write};
use std::path::Path;

use super::common::{Access, Session};
use super::tally::Tally;
use super::{DiffArgs, CLEAN, ERROR, FINDINGS};
use crate::apply::journal;
use crate::plan::{display_path, FindingKind, NodePlan};
use crate::render::{diff, mask, Style};

pub fn run(args: &DiffArgs, style: Style) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    for path in &args.run.paths {
        if let Some(message) = outside(path, &cwd) {
            eprintln!("wso2-harden: {message}");
            return Ok(ERROR);
        }
    }
    let session = Session::new(&args.run)?;
    let waiting = [FindingKind::NeedsValue];
    let mut tally = Tally::new(&[FindingKind::Fix, FindingKind::NeedsValue]);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut changes, mut needs) = (false, 0);
    let mut interrupted = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    // Each node's diff is made on a worker while its files are in memory and written here in
    // discovery order; then only its counts are kept.
    session.stream_nodes(
        Access::Read,
        |mut node| {
            let mut notes = Vec::new();
            let bytes: Vec<u8> = if node.error.is_some() {
                Vec::new()
            } else if args.rendered {
                rendered(&node, &session.cwd, args.redact, &mut notes)
            } else {
                node.changed_files()
                    .flat_map(|f| {
                        let d = diff::final_file_diff(f);
                        if args.redact {
                            mask::redact_diff(f, &d)
                        } else {
                            d
                        }
                    })
                    .collect()
            };
            node.release_files();
            let bytes = diff::colorize(&bytes, style);
            (node, bytes, notes)
        },
        |(node, bytes, notes)| {
            // said in discovery order, whatever order the workers finish in
            for n in &notes {
                eprintln!("{n}");
            }
            changes |= !bytes.is_empty();
            if write_error.is_none() {
                write_error = out.write_all(&bytes).err();
            }
            needs += node.findings.iter().filter(|f| f.fails(&waiting)).count();
            // An interrupted run is not in the diff (the files it wrote are already new).
            interrupted.extend(
                node.findings
                    .iter()
                    .filter(|f| f.id == journal::FINDING)
                    .map(|f| format!("{}: {}: {}", f.node, f.id, f.message)),
            );
            tally.add(&node);
        },
    );
    let notes = session.run_notes();
    tally.add_notes(&notes);
    needs += notes.iter().filter(|f| f.fails(&waiting)).count();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    out.flush()?;
    drop(out);
    tally.report_errors();
    if needs > 0 {
        eprintln!(
            "wso2-harden: {needs} fix(es) need a value and are not in this diff (see `wso2-harden check`; give them with --set or in the policy file)"
        );
    }
    for line in &interrupted {
        eprintln!("{line}");
    }
    let failed = changes || needs > 0 || !interrupted.is_empty();
    tally.step_summary("diff", failed);
    Ok(if tally.counts.errors > 0 {
        ERROR
    } else if failed && !args.exit_zero {
        FINDINGS
    } else {
        CLEAN
    })
}

/// The diff of the files the product generates from the node's planned deployment.toml; why
/// there is none, when it cannot be made, goes to `notes`.
fn rendered(node: &NodePlan, cwd: &Path, redact: bool, notes: &mut Vec<String>) -> Vec<u8> {
    let toml = node.home.conf_path("deployment.toml");
    let Some(file) = node.changed_files().find(|f| f.path == toml) else {
        return Vec::new();
    };
    let Some(analysis) = &node.analysis else {
        let why = node
            .effective
            .as_ref()
            .and_then(|e| e.reason.clone())
            .unwrap_or_else(|| "not a deployment.toml home".into());
        notes.push(format!("{}: no generated diff: {why}", node.display));
        return Vec::new();
    };
    // the generated files print deployment.toml's secrets as well as their own
    let toml_secrets = || {
        let mut s = mask::secrets_of(&file.path, &file.decoded.text);
        s.extend(mask::secrets_of(&file.path, file.final_text()));
        s
    };
    let toml_secrets = redact.then(toml_secrets).unwrap_or_default();
    match analysis.generated(file.final_text()) {
        Ok(files) => files
            .iter()
            .flat_map(|g| {
                let path = node.home.root.join(&g.rel);
                let display = display_path(&path, cwd);
                let d = diff::generated_diff(&display, &g.current, &g.planned);
                if !redact {
                    return d;
                }
                let mut secrets = toml_secrets.clone();
                secrets.extend(mask::secrets_of(&path, &g.current));
                secrets.extend(mask::secrets_of(&path, &g.planned));
                mask::mask_values(&String::from_utf8_lossy(&d), &secrets).into_bytes()
            })
            .collect(),
        Err(e) => {
            notes.push(format!("{}: no generated diff: {e}", node.display));
            Vec::new()
        }
    }
}

/// Why `path` cannot be in a diff for `git apply` run from `cwd`: it lies outside it, and
/// `git apply` silently skips patches to paths outside its directory.
fn outside(path: &Path, cwd: &Path) -> Option<String> {
    let (Ok(p), Ok(c)) = (std::fs::canonicalize(path), std::fs::canonicalize(cwd)) else {
        return None; // discovery reports a missing path
    };
    if p.starts_with(&c) {
        return None;
    }
    Some(format!(
        "{}: outside the current directory; `git apply` would skip its changes. Run diff (and git apply) from a directory that holds it, e.g. `cd {} && wso2-harden diff`",
        path.display(),
        p.display()
    ))
}
