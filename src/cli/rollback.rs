//! `rollback`: restore a fix run from its backup set, each home under its lock.

use super::{RollbackArgs, CLEAN, ERROR};
use crate::apply::rollback::RollbackError;
use crate::apply::{backup, lock, rollback, Backup};
use crate::discover::discover_noting;
use crate::guard::contain;
use crate::plan::display_path;

pub fn run(args: &RollbackArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    let paths = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths.clone()
    };
    let mut notes = Vec::new();
    let homes = discover_noting(&paths, &mut notes)?;
    for n in notes {
        eprintln!("wso2-harden: warning: {n}");
    }
    let location = match &args.backup_dir {
        Some(dir) => Backup::Dir(cwd.join(dir)),
        None => Backup::InHome,
    };
    let fleet = homes.len() > 1;
    let mut code = CLEAN;
    let mut unknown = 0;
    for home in &homes {
        let shown = display_path(&home.root, &cwd);
        if args.list {
            list(&home.root, &location, &shown);
            continue;
        }
        let _lock = match lock::lock(&home.root, &shown, lock::Mode::Exclusive) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("wso2-harden: {e}; not rolled back");
                code = ERROR;
                continue;
            }
        };
        let outcome = contain(|| {
            rollback::rollback(
                &home.root,
                &location,
                args.run.as_deref(),
                args.force,
                &shown,
            )
        });
        match outcome {
            Ok(Ok(runs)) => {
                for r in runs {
                    for w in &r.warnings {
                        eprintln!("wso2-harden: warning: {w}");
                    }
                    let what = if r.interrupted {
                        "interrupted run"
                    } else {
                        "run"
                    };
                    println!(
                        "{shown}: rolled back {what} {} ({} file(s))",
                        r.run,
                        r.files.len()
                    );
                    for f in r.files {
                        println!("    {f}");
                    }
                }
            }
            // In a fleet, a home that never had a fix run (or not this one) is not an error.
            Ok(Err(RollbackError::NoRun { .. })) if fleet => {
                println!("{shown}: no backup run; nothing to roll back");
            }
            Ok(Err(RollbackError::UnknownRun { run, .. })) if fleet => {
                unknown += 1;
                println!("{shown}: no backup run `{run}`; nothing to roll back");
            }
            Ok(Err(e)) => {
                eprintln!("wso2-harden: {e}");
                code = ERROR;
            }
            Err(e) => {
                eprintln!("wso2-harden: {shown}: {e}");
                code = ERROR;
            }
        }
    }
    if fleet && unknown == homes.len() {
        let run = args.run.as_deref().unwrap_or("");
        eprintln!("wso2-harden: no product home has a backup run `{run}`");
        code = ERROR;
    }
    Ok(code)
}

/// `--list`: every run, those without a readable manifest included.
fn list(root: &std::path::Path, location: &Backup, shown: &str) {
    let tool = match location.open(root, false) {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(e) => {
            eprintln!("wso2-harden: {e}");
            return;
        }
    };
    for run in backup::list_runs(&tool) {
        match &run.manifest {
            Ok(m) => {
                let state = m
                    .rolled_back
                    .as_ref()
                    .map_or(String::new(), |t| format!(" (rolled back {t})"));
                println!(
                    "{shown}  {}  {}  {} file(s){state}",
                    m.run_id,
                    m.time,
                    m.files.len()
                );
                for f in &m.files {
                    println!("    {}", f.path);
                }
            }
            Err(why) => {
                println!(
                    "{shown}  {}  ?  {} file(s) (warning: {why}; `rollback --run {}` restores the copies unchecked)",
                    run.id,
                    run.files.len(),
                    run.id
                );
                for f in &run.files {
                    println!("    {f}");
                }
            }
        }
    }
}
