//! What check, diff and fix share: the session (catalog selection, policy, values, homes)
//! and the plan they all build the same way.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};

use super::{ordered, RunArgs};
use crate::apply::{journal, lock, Backup};
use crate::catalog::{Catalog, Patch, Values};
use crate::discover::{discover, discover_noting, ProductHome};
use crate::guard::{contain, fault_point};
use crate::plan::effective::EffectiveOptions;
use crate::plan::{
    display_path, plan_home, Decide, Finding, FindingKind, NodePlan, Plan, Settings, TakeAll,
};
use crate::policy::Policy;

/// What a command does to the homes it plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// check, diff, Ansible check mode: a shared lock when one exists; an interrupted run is
    /// reported as a finding.
    Read,
    /// fix, Ansible: the home's exclusive lock from planning to the last write.
    Write,
}

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
    /// How deployment.toml homes are mapped (`--model`).
    pub effective: EffectiveOptions,
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
        let max = match (
            args.max_file_size,
            std::env::var("WSO2_HARDEN_MAX_FILE_SIZE"),
        ) {
            (Some(n), _) => n,
            (None, Ok(v)) => crate::input::parse_size(&v)
                .map_err(|e| anyhow::anyhow!("WSO2_HARDEN_MAX_FILE_SIZE: {e}"))?,
            (None, Err(_)) => crate::input::DEFAULT_MAX_FILE_SIZE,
        };
        crate::input::set_max_file_size(max);
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let mut notes = Vec::new();
        let mut homes = discover_noting(&paths, &mut notes)?;
        for n in notes {
            eprintln!("wso2-harden: warning: {n}");
        }
        let model = super::render::model_override(args.model.as_deref())?;
        super::render::inherit_from_model(&mut homes, model.as_deref());
        if homes.is_empty() {
            bail!(
                "no WSO2 product home found under {} (a home has repository/conf/ or conf/ with carbon.xml or deployment.toml)",
                paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(p) = &policy {
            check_node_sections(p, &paths, &homes)?;
        }
        let effective = EffectiveOptions {
            model,
            map: crate::mapper::MapOptions::default(),
        };
        let unsafe_fixes = args.unsafe_fixes || policy.as_ref().is_some_and(|p| p.unsafe_fixes);
        Ok(Session {
            catalog,
            patches,
            policy,
            set,
            unsafe_fixes,
            cwd,
            homes,
            effective,
        })
    }

    pub fn settings(&self) -> Settings<'_> {
        Settings {
            catalog: self.catalog,
            patches: self.patches.clone(),
            unsafe_fixes: self.unsafe_fixes,
            cwd: self.cwd.clone(),
            waivers: self
                .policy
                .as_ref()
                .map_or(&crate::policy::waiver::NONE, |p| &p.waivers),
            effective: self.effective.clone(),
        }
    }

    /// The plan of a run from its nodes, with the run's own notes: each waiver of the policy
    /// file that matched no finding (a warning: it does not fail the run).
    pub fn plan_of(&self, nodes: Vec<NodePlan>) -> Plan {
        Plan {
            nodes,
            notes: self.run_notes(),
        }
    }

    /// The run's own notes, once every node is planned: each waiver of the policy file that
    /// matched no finding (a warning: it does not fail the run).
    pub fn run_notes(&self) -> Vec<Finding> {
        let mut notes = Vec::new();
        if let Some(policy) = &self.policy {
            let file = display_path(&policy.path, &self.cwd);
            for w in policy.waivers.unmatched() {
                let Some(patch) = self.catalog.get(&w.id) else {
                    continue;
                };
                let mut scope = Vec::new();
                if let Some(n) = &w.node {
                    scope.push(format!("node {}", n.text));
                }
                if let Some(p) = &w.path {
                    scope.push(format!("path {}", p.text));
                }
                let scope = if scope.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", scope.join(", "))
                };
                notes.push(
                    Finding::new(
                        patch,
                        FindingKind::Warning,
                        &file,
                        format!("waiver of `{}`{scope} matches no finding of this run", w.id),
                    )
                    .at(Some(file.clone()), Some(w.line)),
                );
            }
        }
        notes
    }

    /// Where `fix` keeps backups: `--no-backup` or policy `backup = false` keep none.
    pub fn backup(&self, args: &super::BackupArgs) -> Backup {
        if args.no_backup || self.policy.as_ref().is_some_and(|p| !p.backup) {
            Backup::Off
        } else if let Some(dir) = &args.backup_dir {
            Backup::Dir(self.cwd.join(dir))
        } else {
            Backup::InHome
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

    /// Plans every home in parallel, each node independently, and hands each plan to `f` on
    /// a worker thread while its files are in memory and its lock is held; what `f` returns
    /// reaches `sink` on this thread in discovery order. Only a bounded number of nodes is
    /// ever in flight (`ordered::window`), so a fleet of any size streams in flat memory.
    /// `Access::Write` runs on a pool of its own with more threads than cores
    /// (`ordered::io_threads`): fix waits on fsync, and concurrent fsyncs commit together. A
    /// panic while planning or in `f` becomes that node's error. A progress bar shows on a
    /// terminal.
    pub fn stream_nodes<T: Send>(
        &self,
        access: Access,
        f: impl Fn(NodePlan) -> T + Sync + Send,
        mut sink: impl FnMut(T),
    ) {
        let settings = self.settings();
        let run = |h: &ProductHome| {
            self.run_node(h, access, &mut TakeAll, &settings, &|node| {
                let shown = node.display.clone();
                let home = node.home.clone();
                // `f` gets a node that failed instead when it panics (it then writes nothing).
                contain(|| f(node)).unwrap_or_else(|e| {
                    let msg = format!("{shown}: {e}");
                    f(failed_node(home, shown, msg))
                })
            })
        };
        let bar =
            (self.homes.len() >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
                ProgressBar::new(self.homes.len() as u64).with_style(
                    ProgressStyle::with_template("{bar:40} {pos}/{len} product homes {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                )
            });
        // Writing waits on fsync more than on the CPU: more threads, a shorter reach ahead.
        let pool = match access {
            Access::Read => None,
            Access::Write => rayon::ThreadPoolBuilder::new()
                .num_threads(ordered::io_threads())
                .build()
                .ok(),
        };
        let window = match &pool {
            Some(p) => p.current_num_threads() * 2,
            None => ordered::window(rayon::current_num_threads()),
        };
        ordered::for_each_ordered(&self.homes, pool.as_ref(), window, run, |t| {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            sink(t);
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }

    /// `stream_nodes`, keeping what `f` returns for every node (for runs that need the whole
    /// plan at once: the Ansible module's one answer, the interactive overview).
    pub fn each_node<T: Send>(
        &self,
        access: Access,
        f: impl Fn(NodePlan) -> T + Sync + Send,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(self.homes.len());
        self.stream_nodes(access, f, |t| out.push(t));
        out
    }

    /// One node: lock, plan (contained), then `then` with the lock still held.
    pub fn run_node<T>(
        &self,
        home: &ProductHome,
        access: Access,
        decide: &mut dyn Decide,
        settings: &Settings<'_>,
        then: &dyn Fn(NodePlan) -> T,
    ) -> T {
        let shown = display_path(&home.root, &self.cwd);
        let mode = match access {
            Access::Read => lock::Mode::Shared,
            Access::Write => lock::Mode::Exclusive,
        };
        let _lock = match lock::lock(&home.root, &shown, mode) {
            Ok(l) => l,
            Err(e) => {
                let what = match access {
                    Access::Read => "not checked",
                    Access::Write => "nothing of this product home was written",
                };
                return then(failed_node(home.clone(), shown, format!("{e}; {what}")));
            }
        };
        let planned = contain(|| {
            fault_point("plan", &home.root);
            let mut node = plan_home(home.clone(), settings, &self.values_for(home), decide);
            if access == Access::Read {
                if let Ok(Some(tool)) = lock::tool_dir(&home.root, false) {
                    if let Some(j) = journal::read(&tool) {
                        let finding = journal::finding(&home.root, &node.display, &j);
                        node.findings.insert(0, finding);
                    }
                }
            }
            node
        });
        let node = planned.unwrap_or_else(|e| {
            let msg = format!("{shown}: {e}; nothing of this product home was written");
            failed_node(home.clone(), shown, msg)
        });
        then(node)
    }

    /// The plan of every home without file contents: findings and errors, for reports.
    pub fn plan_findings(&self) -> Plan {
        let nodes = self.each_node(Access::Read, |mut node| {
            node.release_files();
            node
        });
        self.plan_of(nodes)
    }
}

/// A node that could not be planned: its error, no change, no finding.
fn failed_node(home: ProductHome, display: String, error: String) -> NodePlan {
    NodePlan {
        home,
        display,
        files: Vec::new(),
        findings: Vec::new(),
        error: Some(error),
        files_changed: 0,
        notes: Vec::new(),
        effective: None,
        analysis: None,
    }
}

/// A `[nodes."<glob>"]` section that matches no product home is an error (a typo there
/// would silently give a node the wrong values). Homes are those of this run, or, when the
/// run covers only part of the policy file's directory, every home below that directory.
fn check_node_sections(
    policy: &Policy,
    paths: &[PathBuf],
    homes: &[ProductHome],
) -> anyhow::Result<()> {
    let roots: Vec<PathBuf> = homes.iter().map(|h| h.root.clone()).collect();
    let mut unmatched = policy.unmatched_nodes(&roots);
    if unmatched.is_empty() {
        return Ok(());
    }
    if let Some(base) = policy.base() {
        let covered = paths
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .any(|p| base.starts_with(&p));
        if !covered {
            let all: Vec<PathBuf> = discover(&[base.to_path_buf()])
                .unwrap_or_default()
                .into_iter()
                .map(|h| h.root)
                .collect();
            unmatched = policy.unmatched_nodes(&all);
        }
    }
    match unmatched.first() {
        None => Ok(()),
        Some(n) => bail!(
            "{}: [nodes.\"{}\"] matches no product home (node patterns are paths or globs relative to the policy file's directory)",
            n.at,
            n.pattern
        ),
    }
}
