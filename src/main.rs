//! The `wso2-harden` binary: parse arguments, run, print the error chain, map the exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = wso2_harden::cli::Cli::parse();
    match wso2_harden::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wso2-harden: {e:#}");
            ExitCode::from(wso2_harden::cli::ERROR)
        }
    }
}
