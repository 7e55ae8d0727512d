//! Containment of internal errors. A panic (a bug) while planning or writing one product home
//! becomes that home's error, `internal error at <source location>`, and the other homes
//! complete. Panic messages are never printed: they can quote the file being edited
//! (passwords included), so the hook prints where the bug is, never what it saw.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// Set while a `contain` call runs on this thread: its panic is reported by the caller.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
    /// Where the last contained panic happened (a source location of this tool).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic caught by `contain`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error at {location} (a bug in wso2-harden; please report it)")]
pub struct InternalError {
    pub location: String,
}

/// Replaces the default panic hook (which prints the panic message) with one that prints a
/// generic line with the source location, and, with `RUST_BACKTRACE` set, the backtrace
/// (function names only). Inside `contain` it prints nothing: the caller reports the error.
pub fn install_hook() {
    set_hook(true);
}

/// `quiet`: outside `contain`, print the generic line (the binaries); otherwise leave such
/// panics to the previous hook (unit tests keep their assertion messages).
fn set_hook(quiet: bool) {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let location = info.location().map_or_else(
            || "an unknown place".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        if CONTAINED.with(Cell::get) {
            LOCATION.with(|l| *l.borrow_mut() = Some(location));
            return;
        }
        if !quiet {
            return previous(info);
        }
        eprintln!(
            "wso2-harden: internal error at {location} (a bug in wso2-harden; its details are \
             not printed because they may quote configuration files)"
        );
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
    }));
}

/// Runs `f`; a panic inside becomes an `InternalError` naming where it happened.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, InternalError> {
    let outer = CONTAINED.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(outer));
    result.map_err(|_| InternalError {
        location: LOCATION
            .with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| "an unknown place".to_string()),
    })
}

/// Test-only fault injection: with `WSO2_HARDEN_TEST_PANIC=<stage>:<name>` in the
/// environment of a debug build, the run panics at `stage` of the product home whose
/// directory is named `<name>`: `plan`, `write` (after the node's first file is written),
/// `module` (where the Ansible module starts, `<name>` naming its `path`); `kill` aborts the
/// process after the node's first file is written, as SIGKILL would. Release builds ignore
/// the variable. The message carries a marker the tests look for, to prove that panic
/// messages never reach the output.
#[cfg(debug_assertions)]
pub fn fault_point(stage: &str, home: &std::path::Path) {
    let Some(spec) = std::env::var_os("WSO2_HARDEN_TEST_PANIC") else {
        return;
    };
    let spec = spec.to_string_lossy();
    let Some((want, name)) = spec.split_once(':') else {
        return;
    };
    let kill = want == "kill" && stage == "write";
    let named = home
        .file_name()
        .is_some_and(|n| n.to_string_lossy() == name);
    if named && kill {
        std::process::abort();
    }
    if named && want == stage {
        panic!("injected fault; SECRET-PANIC-PAYLOAD keystorePass=\"wso2carbon\"");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn fault_point(_stage: &str, _home: &std::path::Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contained_panic_names_its_location_only() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| set_hook(false));
        let err = contain(|| -> u8 { panic!("file content: hunter2") }).unwrap_err();
        assert!(err.location.starts_with("src/guard.rs:"), "{err}");
        assert!(!err.to_string().contains("hunter2"));
        assert_eq!(contain(|| 7).unwrap(), 7);
    }
}
