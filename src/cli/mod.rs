//! Command-line interface: clap arguments, resolved into a session, one file per command.

pub mod ansible;
mod check;
mod common;
mod diff;
mod effective;
mod explain;
mod fix;
mod fix_report;
mod man;
mod ordered;
mod render;
mod rollback;
mod tally;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::plan::FindingKind;

pub use common::Session;

/// Exit codes of every command, for `--help`, the man page and the README.
const EXIT_CODES: &str = "\
Exit status:
  check     0 nothing fails the run · 1 findings of a --fail-on kind (default: every kind but
            warning; waived findings never count) · 2 error
  diff      0 nothing left to fix · 1 the diff is not empty, or a fix waits for a value · 2 error
  fix       0 done (what is left for a person is listed) · 1 interactive: a change declined or
            not reviewed, or a value skipped · 2 error · 130 interrupted (Ctrl-C)
  rollback  0 restored · 2 error (no run, a file changed since the run, I/O)
  others    0 · 2 error (an unknown patch id)
Errors are printed as path:line:col: message. A product home with an error is never written;
the others are completed, and the exit code is the worst over all homes.";

#[derive(Debug, Parser)]
#[command(
    name = "wso2-harden",
    version,
    about = "Production-hardens WSO2 servers (IS, APIM, EI, ESB, MI) with byte-minimal config edits",
    after_help = concat!(
        "Exit status: 0 clean · 1 findings / changes pending · 2 error (see each command's --help).\n",
        "Docs: `wso2-harden patches`, `wso2-harden explain ID`, `wso2-harden policy --example`, `wso2-harden man`."
    ),
    after_long_help = EXIT_CODES,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report findings per product home (exit 0 none, 1 findings, 2 error).
    #[command(after_help = CHECK_EXIT)]
    Check(CheckArgs),
    /// Print the unified diff of pending fixes; `git apply` accepts it (exit 0 nothing left, 1 changes or values pending).
    #[command(after_help = DIFF_EXIT)]
    Diff(DiffArgs),
    /// Apply fixes: interactively on a terminal, or all safe ones with --yes.
    #[command(after_help = FIX_EXIT)]
    Fix(FixArgs),
    /// Restore the files changed by the last (or --run ID) fix.
    #[command(
        after_help = "Exit status: 0 restored or listed · 2 error (no run to roll back, a file changed after the run, I/O)."
    )]
    Rollback(RollbackArgs),
    /// Write what each deployment.toml home would generate at its next start into --out DIR.
    #[command(
        after_help = "Exit status: 0 rendered (or nothing to render) · 2 error (the product would refuse a configuration, a template fails, I/O)."
    )]
    Render(RenderArgs),
    /// Every TLS listener each node will run with, and where each value comes from.
    #[command(
        after_help = "Exit status: 0 · 2 error (the product would refuse a configuration, a template fails, I/O)."
    )]
    Effective(EffectiveArgs),
    /// Print a patch's documentation.
    #[command(after_help = "Exit status: 0 · 2 unknown patch id.")]
    Explain {
        /// Patch id (see `wso2-harden patches`).
        id: String,
    },
    /// List the patch catalog.
    #[command(after_help = "Exit status: 0.")]
    Patches,
    /// Print the policy file schema, as a commented example.
    #[command(after_help = "Exit status: 0.")]
    Policy {
        /// Print an example wso2-harden.toml.
        #[arg(long)]
        example: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Install, e.g.: wso2-harden completions bash > /etc/bash_completion.d/wso2-harden\nExit status: 0 · 2 an unknown shell."
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page wso2-harden(1) (roff; `man -l FILE` shows it), or write every page.
    #[command(after_help = "Exit status: 0 · 2 the pages could not be written.")]
    Man {
        /// Write wso2-harden.1 and one page per command (wso2-harden-check.1, …) into DIR.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

const CHECK_EXIT: &str = "\
Exit status:
  0  no finding of a --fail-on kind (warnings and waived findings never count)
  1  findings of a --fail-on kind (default: fix, unsafe-fix, needs-value, manual, cannot-fix)
  2  error: bad arguments or policy file, or a product home that could not be read
--exit-zero makes 1 into 0; errors still exit 2.";

const DIFF_EXIT: &str = "\
Exit status:
  0  nothing left to fix: the diff is empty and no fix waits for a value
  1  the diff is not empty, or a fix needs a value (--set), so an empty diff is never \"done\"
  2  error, e.g. a PATH outside the current directory (git apply would skip its patch)
--exit-zero makes 1 into 0; errors still exit 2.";

const FIX_EXIT: &str = "\
Exit status:
  0    done: every change that fix may apply was applied (with --yes: every safe fix); what
       is left for a person (manual findings, values to give, unsafe fixes) is listed
  1    interactive only: a change was declined or not reviewed (q), or a value was skipped
  2    error: a product home with an error is not written; the other homes are completed
  130  interrupted (Ctrl-C): nothing of the product home being reviewed was written";

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Product homes, or directories holding them (default: .).
    pub paths: Vec<PathBuf>,
    /// A value a patch reads, e.g. --set hostname=idp.example.com (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Policy file (default: ./wso2-harden.toml when present).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Only these patches (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    pub select: Vec<String>,
    /// Leave out these patches.
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    pub ignore: Vec<String>,
    /// Also plan fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Refuse config files larger than this (default 16MiB; also WSO2_HARDEN_MAX_FILE_SIZE).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Map every deployment.toml home with this installed home's (or unpacked
    /// distribution's) repository/resources/conf, of the same product version: for a config
    /// repository that holds only deployment.toml.
    #[arg(long, value_name = "HOME")]
    pub model: Option<PathBuf>,
    /// Do not look for ./wso2-harden.toml (the Ansible module passes everything explicitly).
    #[arg(skip)]
    pub no_policy_search: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The report for people.
    Text,
    /// One JSON document (schema wso2-harden/check/v1).
    Json,
    /// JSON lines: one object per product home as it is planned, then a summary.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (::error file=…,line=…::…), shown as annotations.
    Github,
    /// GitLab Code Quality report (artifacts:reports:codequality).
    Gitlab,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Which finding kinds fail the run (comma-separated; default: every kind but warning).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND,…")]
    pub fail_on: Vec<FindingKind>,
    /// Exit 0 even when findings fail the run (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Show instead the diff of the files the product generates from deployment.toml at
    /// start-up, between the current and the planned deployment.toml (labelled as generated;
    /// `fix` never writes them). Needs the mapper inputs (the home's own, or --model).
    #[arg(long)]
    pub rendered: bool,
    /// Exit 0 even when changes are pending (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Mask secret values (passwords, keystore passwords, Secure Vault entries) in context
    /// and changed lines alike, for logs. The result no longer applies with `git apply`.
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Product homes, or directories holding them (default: .).
    pub paths: Vec<PathBuf>,
    /// Where to write: DIR/<node path>/<file relative to the home>. Never inside a home.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Use this installed home's repository/resources/conf (same product version) instead of
    /// each home's own, e.g. for a config repository holding only deployment.toml.
    #[arg(long, value_name = "HOME")]
    pub model: Option<PathBuf>,
}

/// `effective --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EffectiveFormat {
    /// For people: per node, each listener with its values and their sources.
    Text,
    /// One JSON document (schema wso2-harden/effective/v1).
    Json,
}

#[derive(Debug, Args)]
pub struct EffectiveArgs {
    /// Product homes, or directories holding them (default: .).
    pub paths: Vec<PathBuf>,
    /// Output format (JSON schema wso2-harden/effective/v1, see README).
    #[arg(long, value_enum, default_value_t = EffectiveFormat::Text)]
    pub format: EffectiveFormat,
    /// Use this installed home's repository/resources/conf instead of each home's own.
    #[arg(long, value_name = "HOME")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Apply every safe fix without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub backup: BackupArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Keep no backup set (also: `backup = false` in the policy file).
    #[arg(long, conflicts_with = "backup_dir")]
    pub no_backup: bool,
    /// Keep backup sets under DIR (one directory per product home) instead of
    /// <home>/.wso2-harden/; `rollback` needs the same --backup-dir.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Product homes, or directories holding them (default: .).
    pub paths: Vec<PathBuf>,
    /// The run to restore (default: the newest not yet rolled back).
    #[arg(long, value_name = "ID")]
    pub run: Option<String>,
    /// List backup runs instead of restoring.
    #[arg(long)]
    pub list: bool,
    /// Restore even files that changed after the run.
    #[arg(long)]
    pub force: bool,
    /// Where `fix --backup-dir DIR` kept the backup sets.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    crate::input::parse_size(s)
}

/// Exit codes of the command-line contract.
pub const CLEAN: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const ERROR: u8 = 2;
/// Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let style = crate::render::Style { color };
    let code = match cli.command {
        Command::Check(args) => check::run(&args, style)?,
        Command::Diff(args) => diff::run(&args, style)?,
        Command::Fix(args) => fix::run(&args, style)?,
        Command::Rollback(args) => rollback::run(&args)?,
        Command::Render(args) => render::run(&args)?,
        Command::Effective(args) => effective::run(&args, style)?,
        Command::Explain { id } => explain::explain(&id)?,
        Command::Patches => explain::list(style),
        Command::Policy { .. } => {
            print!(
                "{}",
                crate::policy::example(crate::catalog::Catalog::builtin())
            );
            CLEAN
        }
        Command::Completions { shell } => {
            man::completions(shell, &mut std::io::stdout());
            CLEAN
        }
        Command::Man { out_dir: None } => {
            man::page(&mut std::io::stdout())?;
            CLEAN
        }
        Command::Man { out_dir: Some(dir) } => {
            man::write_pages(&dir)?;
            CLEAN
        }
    };
    Ok(ExitCode::from(code))
}
