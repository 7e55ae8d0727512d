//! Command-line interface: clap arguments, resolved into a session, one file per command.

pub mod ansible;
mod check;
mod common;
mod diff;
mod explain;
mod fix;
mod rollback;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use common::Session;

#[derive(Debug, Parser)]
#[command(
    name = "wso2-harden",
    version,
    about = "Production-hardens WSO2 servers (IS, APIM, EI, ESB, MI) with byte-minimal config edits",
    after_help = "Exit codes: 0 clean · 1 findings / pending changes · 2 error.\nDocs: `wso2-harden patches`, `wso2-harden explain ID`, `wso2-harden policy --example`."
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
    Check(CheckArgs),
    /// Print the unified diff of pending fixes; `git apply` accepts it (exit 0 empty, 1 not).
    Diff(RunArgs),
    /// Apply fixes: interactively on a terminal, or all safe ones with --yes.
    Fix(FixArgs),
    /// Restore the files changed by the last (or --run ID) fix.
    Rollback(RollbackArgs),
    /// Print a patch's documentation.
    Explain {
        /// Patch id (see `wso2-harden patches`).
        id: String,
    },
    /// List the patch catalog.
    Patches,
    /// Print the policy file schema, as a commented example.
    Policy {
        /// Print an example wso2-harden.toml.
        #[arg(long)]
        example: bool,
    },
}

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
    /// Do not look for ./wso2-harden.toml (the Ansible module passes everything explicitly).
    #[arg(skip)]
    pub no_policy_search: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Apply every safe fix without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Do not keep a backup set (for trees under version control).
    #[arg(long)]
    pub no_backup: bool,
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
}

/// Exit codes of the command-line contract.
pub const CLEAN: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const ERROR: u8 = 2;

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
        Command::Explain { id } => explain::explain(&id)?,
        Command::Patches => explain::list(style),
        Command::Policy { .. } => {
            print!(
                "{}",
                crate::policy::example(crate::catalog::Catalog::builtin())
            );
            CLEAN
        }
    };
    Ok(ExitCode::from(code))
}
