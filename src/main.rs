//! The `wso2-harden` binary: parse arguments, run, print the error chain, map the exit code.
//! A panic (a bug) never reaches the user as such: per node it becomes that node's error; an
//! escaped one is reported in one generic line and exits 2, like any other error.

use std::process::ExitCode;

use clap::Parser;

// The plan allocates many short-lived strings and parse trees on two threads: mimalloc's
// per-thread free lists cost far less than glibc's malloc there (see docs/DESIGN.md §9).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // mimalloc asks for transparent huge pages on its arena: each first touch then zeroes 2 MiB,
    // which doubled `fix`'s peak memory (16 write threads) and cost it 8% of its time. The
    // plan's allocations are small and short-lived; 4 KiB pages serve them (DESIGN.md §9).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    wso2_harden::guard::install_hook();
    let cli = wso2_harden::cli::Cli::parse();
    match std::panic::catch_unwind(|| wso2_harden::cli::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("wso2-harden: {e:#}");
            ExitCode::from(wso2_harden::cli::ERROR)
        }
        // The hook already said where; its message is never printed.
        Err(_) => ExitCode::from(wso2_harden::cli::ERROR),
    }
}
