//! `diff`: the unified diff of every pending fix, exactly what `fix --yes` writes. It fails
//! while anything is left to fix: changes, or a fix that waits for a value (so an empty diff
//! is never mistaken for "done"). With `--redact`, secret values are masked (for logs).

use std::io::Write;
use std::path::Path;

use super::common::{report_errors, Access, Session};
use super::{DiffArgs, CLEAN, ERROR, FINDINGS};
use crate::apply::journal;
use crate::plan::{display_path, FindingKind, NodePlan};
use crate::render::{diff, mask, summary, Style};

pub fn run(args: &DiffArgs, style: Style) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    for path in &args.run.paths {
        if let Some(message) = outside(path, &cwd) {
            eprintln!("wso2-harden: {message}");
            return Ok(ERROR);
        }
    }
    let session = Session::new(&args.run)?;
    let results = session.each_node(Access::Read, |mut node| {
        let bytes = if node.error.is_some() {
            Vec::new()
        } else if args.rendered {
            rendered(&node, &session.cwd, args.redact)
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
        (node, bytes)
    });
    let out: Vec<u8> = results
        .iter()
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    let plan = session.plan_of(results.into_iter().map(|(n, _)| n).collect());
    std::io::stdout().write_all(&diff::colorize(&out, style))?;
    report_errors(&plan);
    let waiting = [FindingKind::NeedsValue];
    let needs = plan.findings().filter(|f| f.fails(&waiting)).count();
    if needs > 0 {
        eprintln!(
            "wso2-harden: {needs} fix(es) need a value and are not in this diff (see `wso2-harden check`; give them with --set or in the policy file)"
        );
    }
    // An interrupted run is not in the diff (the files it wrote are already new): say so.
    let mut interrupted = 0;
    for f in plan.findings().filter(|f| f.id == journal::FINDING) {
        interrupted += 1;
        eprintln!("{}: {}: {}", f.node, f.id, f.message);
    }
    let failed = !out.is_empty() || needs > 0 || interrupted > 0;
    let md = summary::markdown(
        "diff",
        &plan,
        &[FindingKind::Fix, FindingKind::NeedsValue],
        failed,
    );
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

/// The diff of the files the product generates from the node's planned deployment.toml.
fn rendered(node: &NodePlan, cwd: &Path, redact: bool) -> Vec<u8> {
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
        eprintln!("{}: no generated diff: {why}", node.display);
        return Vec::new();
    };
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
                // the generated files print deployment.toml's secrets as well as their own
                let mut secrets = mask::secrets_of(&file.path, &file.decoded.text);
                secrets.extend(mask::secrets_of(&file.path, file.final_text()));
                secrets.extend(mask::secrets_of(&path, &g.current));
                secrets.extend(mask::secrets_of(&path, &g.planned));
                mask::mask_values(&String::from_utf8_lossy(&d), &secrets).into_bytes()
            })
            .collect(),
        Err(e) => {
            eprintln!("{}: no generated diff: {e}", node.display);
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
