//! `rollback`: restore a fix run from its backup set.

use super::{RollbackArgs, CLEAN, ERROR};
use crate::apply::{backup, rollback, Backup};
use crate::discover::discover;
use crate::plan::display_path;

pub fn run(args: &RollbackArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    let paths = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths.clone()
    };
    let homes = discover(&paths)?;
    let location = match &args.backup_dir {
        Some(dir) => Backup::Dir(cwd.join(dir)),
        None => Backup::InHome,
    };
    let mut code = CLEAN;
    for home in homes {
        let shown = display_path(&home.root, &cwd);
        let Some(tool) = location.tool_dir(&home.root) else {
            continue;
        };
        if args.list {
            for (_, m) in backup::list_runs(&tool) {
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
            continue;
        }
        match rollback::rollback(&home.root, &tool, args.run.as_deref(), args.force, &shown) {
            Ok((run, files)) => {
                println!("{shown}: rolled back run {run} ({} file(s))", files.len());
                for f in files {
                    println!("    {f}");
                }
            }
            Err(e) => {
                eprintln!("wso2-harden: {e}");
                code = ERROR;
            }
        }
    }
    Ok(code)
}
