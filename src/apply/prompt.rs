//! Interactive `fix`: one question per change (one patch on one file), numbered `[3/11]`,
//! behind a small trait so the decisions are unit-testable; the terminal side
//! (`terminal.rs`) uses dialoguer.

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::{Catalog, Patch};
use crate::plan::{Decide, Decision, Step, ValueRequest};
use crate::render::{diff, mask, words, Style, BOLD, DIM, YELLOW};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    All,
    Quit,
}

pub const HELP: &str = "y - apply this change\nn - skip this change\na - apply this change and all remaining ones\nq - stop: nothing further is applied (what you accepted is written)\n? - this help\nCtrl-C - stop at once: nothing of this product home is written";

/// The terminal, as far as the interactive fix needs it.
pub trait Prompter {
    fn show(&mut self, text: &str);
    /// One of y/n/a/q; `?` shows help and asks again.
    fn ask(&mut self, question: &str) -> io::Result<Answer>;
    /// A line of input; empty means skip.
    fn ask_line(&mut self, question: &str) -> io::Result<String>;
}

/// Set by the Ctrl-C handler of the interactive fix: stop asking, write nothing more.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Decides each step by asking.
pub struct Interactive<'p> {
    prompter: &'p mut dyn Prompter,
    style: Style,
    all: bool,
    pub applied: usize,
    pub declined: usize,
    /// Values the user was asked for and left empty.
    pub values_skipped: usize,
    pub stopped: bool,
    /// Stopped by Ctrl-C (rather than `q`).
    pub interrupted: bool,
    /// Questions expected (from the plan overview); grows if given values add changes.
    pub total: usize,
    asked: usize,
    /// Every change decided (asked, or applied by `a`): node, patch, file.
    pub decided: HashSet<(String, String, String)>,
    skipped_values: BTreeSet<(String, String)>,
}

impl<'p> Interactive<'p> {
    pub fn new(prompter: &'p mut dyn Prompter, style: Style) -> Self {
        Interactive {
            prompter,
            style,
            all: false,
            applied: 0,
            declined: 0,
            values_skipped: 0,
            stopped: false,
            interrupted: false,
            total: 0,
            asked: 0,
            decided: HashSet::new(),
            skipped_values: BTreeSet::new(),
        }
    }

    /// Notes a Ctrl-C (from the handler or a prompt): stop, and say so.
    fn interrupt(&mut self) {
        // A prompt can see the Ctrl-C (EINTR) before the handler thread sets the flag: set it
        // here too, so that the node's write, which checks the flag, never starts after it.
        INTERRUPTED.store(true, Ordering::Relaxed);
        self.interrupted = true;
        self.stopped = true;
    }

    fn check_interrupt(&mut self) -> bool {
        if INTERRUPTED.load(Ordering::Relaxed) {
            self.interrupt();
        }
        self.stopped
    }

    /// A prompt's failure: Ctrl-C interrupts; anything else (end of input) stops like `q`.
    fn failed(&mut self, e: &io::Error) {
        if e.kind() == io::ErrorKind::Interrupted || INTERRUPTED.load(Ordering::Relaxed) {
            self.interrupt();
        } else {
            self.stopped = true;
        }
    }
}

impl Decide for Interactive<'_> {
    fn decide(&mut self, node: &str, patch: &Patch, file: &str, step: &Step) -> Decision {
        if self.check_interrupt() {
            return Decision::Stop;
        }
        self.decided
            .insert((node.to_string(), patch.id.clone(), file.to_string()));
        if self.all {
            self.applied += 1;
            return Decision::Apply;
        }
        self.asked += 1;
        self.total = self.total.max(self.asked);
        let s = self.style;
        let mut text = format!(
            "\n{} {} {}\n{} {}\n",
            s.paint(DIM, &format!("[{}/{}]", self.asked, self.total)),
            s.paint(BOLD, &format!("{node} · {}:", patch.id)),
            patch.title,
            s.paint(DIM, "why:"),
            patch.summary
        );
        if patch.restart {
            text.push_str(&format!(
                "{}\n",
                s.paint(YELLOW, "restart needed after this change")
            ));
        }
        let shown = words::review_diff(file, &step.before, &step.after);
        let secrets = crate::render::mask::secrets_of(std::path::Path::new(file), &step.before);
        let shown = crate::render::mask::mask_values(&shown, &secrets);
        text.push_str(&String::from_utf8_lossy(&diff::colorize(
            shown.as_bytes(),
            s,
        )));
        self.prompter.show(&text);
        let answer = match self.prompter.ask("Apply this change [y,n,a,q,?]") {
            Ok(a) => a,
            Err(e) => {
                self.failed(&e);
                return Decision::Stop;
            }
        };
        match answer {
            Answer::Yes => {
                self.applied += 1;
                Decision::Apply
            }
            Answer::All => {
                self.all = true;
                self.applied += 1;
                Decision::Apply
            }
            Answer::No => {
                self.declined += 1;
                Decision::Skip
            }
            Answer::Quit => {
                self.stopped = true;
                self.declined += 1;
                Decision::Stop
            }
        }
    }

    fn value(&mut self, req: &ValueRequest) -> Option<String> {
        let (node, name) = (req.node, req.name);
        if self.check_interrupt()
            || !self
                .skipped_values
                .insert((node.to_string(), name.to_string()))
        {
            return None;
        }
        let s = self.style;
        let why = Catalog::builtin()
            .values
            .get(name)
            .map_or(String::new(), |v| format!("{} ", v.description));
        let current = req.current.map_or("absent".to_string(), |c| {
            format!("\"{}\"", mask::mask_line(c))
        });
        self.prompter.show(&format!(
            "\n{} {}\n  {} {} ({})\n  {} {current}\n  {} {why}({}: {})\n",
            s.paint(BOLD, &format!("{node} · {}:", req.patch.id)),
            format_args!("needs a value for `{name}`"),
            s.paint(DIM, "file:   "),
            req.file,
            req.setting,
            s.paint(DIM, "current:"),
            s.paint(DIM, "why:    "),
            req.patch.title,
            req.patch.summary,
        ));
        loop {
            let line = match self
                .prompter
                .ask_line(&format!("value for `{name}` (Enter to skip)"))
            {
                Ok(l) => l,
                Err(e) => {
                    self.failed(&e);
                    return None;
                }
            };
            let line = line.trim();
            if line.is_empty() {
                self.values_skipped += 1;
                return None;
            }
            match Catalog::builtin().check_value(name, line) {
                Ok(()) => {
                    self.skipped_values
                        .remove(&(node.to_string(), name.to_string()));
                    return Some(line.to_string());
                }
                Err(e) => self.prompter.show(&format!("{line}: {e}\n")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Script {
        answers: Vec<Answer>,
        lines: Vec<String>,
        shown: String,
    }

    impl Prompter for Script {
        fn show(&mut self, text: &str) {
            self.shown.push_str(text);
        }
        fn ask(&mut self, _: &str) -> io::Result<Answer> {
            Ok(self.answers.remove(0))
        }
        fn ask_line(&mut self, _: &str) -> io::Result<String> {
            Ok(self.lines.remove(0))
        }
    }

    fn step() -> Step {
        Step {
            patch: "server-header".into(),
            before: "a\n".into(),
            after: "b\n".into(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn yes_no_all_quit() {
        let patch = &Catalog::builtin().patches[0];
        let mut p = Script {
            answers: vec![Answer::Yes, Answer::No, Answer::All],
            lines: vec![],
            shown: String::new(),
        };
        let mut i = Interactive::new(&mut p, Style { color: false });
        assert_eq!(i.decide("n", patch, "f", &step()), Decision::Apply);
        assert_eq!(i.decide("n", patch, "f", &step()), Decision::Skip);
        assert_eq!(i.decide("n", patch, "f", &step()), Decision::Apply);
        assert_eq!(
            i.decide("n", patch, "f", &step()),
            Decision::Apply,
            "a applies the rest"
        );
        assert_eq!((i.applied, i.declined), (3, 1));
        assert!(p.shown.contains("-a\n+b\n"));

        let mut p = Script {
            answers: vec![Answer::Quit],
            lines: vec![],
            shown: String::new(),
        };
        let mut i = Interactive::new(&mut p, Style { color: false });
        assert_eq!(i.decide("n", patch, "f", &step()), Decision::Stop);
        assert_eq!(i.decide("n", patch, "f", &step()), Decision::Stop);
    }

    #[test]
    fn values_are_validated_and_enter_skips_once() {
        let patch = Catalog::builtin().get("hostname").unwrap();
        let mut p = Script {
            answers: vec![],
            lines: vec![
                "https://bad:9443".into(),
                "idp.example.com".into(),
                "".into(),
            ],
            shown: String::new(),
        };
        let mut i = Interactive::new(&mut p, Style { color: false });
        let req = |node| ValueRequest {
            node,
            patch,
            name: "hostname",
            file: "n/repository/conf/carbon.xml",
            setting: "/Server/HostName",
            current: Some("localhost"),
        };
        assert_eq!(i.value(&req("n1")).as_deref(), Some("idp.example.com"));
        assert_eq!(i.value(&req("n2")), None);
        assert_eq!(i.value(&req("n2")), None, "not asked twice for a node");
        assert_eq!(i.values_skipped, 1);
        assert!(p.shown.contains("not a host name"));
        assert!(
            p.shown
                .contains("n/repository/conf/carbon.xml (/Server/HostName)")
                && p.shown.contains("current: \"localhost\""),
            "the prompt names the file, the setting and its value:\n{}",
            p.shown
        );
    }

    #[test]
    fn questions_are_numbered_and_decisions_recorded() {
        let patch = &Catalog::builtin().patches[0];
        let mut p = Script {
            answers: vec![Answer::Yes, Answer::Quit],
            lines: vec![],
            shown: String::new(),
        };
        let mut i = Interactive::new(&mut p, Style { color: false });
        i.total = 3;
        assert_eq!(i.decide("n", patch, "f1", &step()), Decision::Apply);
        assert_eq!(i.decide("n", patch, "f2", &step()), Decision::Stop);
        assert_eq!(i.decide("n", patch, "f3", &step()), Decision::Stop);
        assert_eq!(i.decided.len(), 2, "the third change was never reviewed");
        assert!(!i.interrupted);
        assert!(
            p.shown.contains("[1/3]") && p.shown.contains("[2/3]"),
            "{}",
            p.shown
        );
    }
}
