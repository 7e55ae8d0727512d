//! What check, diff and fix share: the session (catalog selection, policy, values, homes)
//! and the plan they all build the same way.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};
use indicatif::{ParallelProgressIterator, ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::RunArgs;
use crate::catalog::{Catalog, Patch, Values};
use crate::discover::{discover, ProductHome};
use crate::plan::{plan_home, Decide, NodePlan, Plan, Settings, TakeAll};
use crate::policy::Policy;

/// Below this many homes a progress bar is more noise than help.
const PROGRESS_FROM: usize = 20;

pub struct Session {
    pub catalog: &'static Catalog,
    pub patches: Vec<&'static Patch>,
    pub policy: Option<Policy>,
    pub set: BTreeMap<String, String>,
    pub unsafe_fixes: bool,
    pub cwd: PathBuf,
    pub homes: Vec<ProductHome>,
}

impl Session {
    pub fn new(args: &RunArgs) -> anyhow::Result<Session> {
        let catalog = Catalog::builtin();
        let cwd = std::env::current_dir().context("current directory")?;
        let policy = match (&args.policy, args.no_policy_search) {
            (None, true) => None,
            _ => Policy::find(args.policy.as_deref(), &cwd, catalog)?,
        };
        let select = if args.select.is_empty() {
            policy
                .as_ref()
                .map(|p| p.select.clone())
                .unwrap_or_default()
        } else {
            args.select.clone()
        };
        let mut ignore = args.ignore.clone();
        if let Some(p) = &policy {
            ignore.extend(p.ignore.iter().cloned());
        }
        let patches = catalog.select(&select, &ignore)?;
        let mut set = BTreeMap::new();
        for kv in &args.set {
            let Some((k, v)) = kv.split_once('=') else {
                bail!("--set {kv}: expected KEY=VALUE");
            };
            let key = k.trim().replace('-', "_");
            if !catalog.values.contains_key(&key) {
                let known: Vec<_> = catalog.values.keys().map(String::as_str).collect();
                bail!(
                    "--set {kv}: unknown value `{key}` (known: {})",
                    known.join(", ")
                );
            }
            set.insert(key, v.to_string());
        }
        for (k, v) in &set {
            catalog
                .check_value(k, v)
                .map_err(|e| anyhow::anyhow!("--set {k}={v}: {e}"))?;
        }
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let homes = discover(&paths)?;
        if homes.is_empty() {
            bail!(
                "no WSO2 product home found under {} (a home has repository/conf/ or conf/ with carbon.xml or deployment.toml)",
                paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        let unsafe_fixes = args.unsafe_fixes || policy.as_ref().is_some_and(|p| p.unsafe_fixes);
        Ok(Session {
            catalog,
            patches,
            policy,
            set,
            unsafe_fixes,
            cwd,
            homes,
        })
    }

    pub fn settings(&self) -> Settings<'static> {
        Settings {
            catalog: self.catalog,
            patches: self.patches.clone(),
            unsafe_fixes: self.unsafe_fixes,
            cwd: self.cwd.clone(),
        }
    }

    /// Values for one home: policy `[values]` < matching node sections < `--set`.
    pub fn values_for(&self, home: &ProductHome) -> Values {
        let mut given = self
            .policy
            .as_ref()
            .map(|p| p.values_for(&home.root))
            .unwrap_or_default();
        given.extend(self.set.clone());
        Values { given }
    }

    /// Plans every home in parallel, each node independently, and hands each plan to `f`
    /// while its files are in memory; only what `f` returns is kept (a fleet of thousands of
    /// homes never holds more than a few nodes' files). A progress bar shows on a terminal.
    pub fn each_node<T: Send>(&self, f: impl Fn(NodePlan) -> T + Sync + Send) -> Vec<T> {
        let settings = self.settings();
        let run = |h: &ProductHome| {
            f(plan_home(
                h.clone(),
                &settings,
                &self.values_for(h),
                &mut TakeAll,
            ))
        };
        if self.homes.len() >= PROGRESS_FROM && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(self.homes.len() as u64).with_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} product homes {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let out = self
                .homes
                .par_iter()
                .progress_with(bar.clone())
                .map(run)
                .collect();
            bar.finish_and_clear();
            out
        } else {
            self.homes.par_iter().map(run).collect()
        }
    }

    /// The plan of every home without file contents: findings and errors, for reports.
    pub fn plan_findings(&self) -> Plan {
        Plan {
            nodes: self.each_node(|mut node| {
                node.release_files();
                node
            }),
        }
    }

    /// Plans one home with a decider (the interactive fix).
    pub fn plan_one(&self, home: &ProductHome, decide: &mut dyn Decide) -> NodePlan {
        plan_home(
            home.clone(),
            &self.settings(),
            &self.values_for(home),
            decide,
        )
    }
}

/// Prints node errors to stderr as `path:line:col: message`.
pub fn report_errors(plan: &Plan) {
    for node in &plan.nodes {
        if let Some(e) = &node.error {
            eprintln!("{e}");
        }
    }
}
