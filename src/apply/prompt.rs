//! Interactive `fix`: one question per change (one patch on one file), behind a small
//! trait so the decisions are unit-testable; the terminal side uses dialoguer.

use std::collections::BTreeSet;
use std::io;

use crate::catalog::{Catalog, Patch};
use crate::plan::{Decide, Decision, Step};
use crate::render::{diff, Style, BOLD, DIM, YELLOW};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    All,
    Quit,
}

pub const HELP: &str = "y - apply this change\nn - skip this change\na - apply this change and all remaining ones\nq - stop: nothing further is applied (what you accepted is written)\n? - this help";

/// The terminal, as far as the interactive fix needs it.
pub trait Prompter {
    fn show(&mut self, text: &str);
    /// One of y/n/a/q; `?` shows help and asks again.
    fn ask(&mut self, question: &str) -> io::Result<Answer>;
    /// A line of input; empty means skip.
    fn ask_line(&mut self, question: &str) -> io::Result<String>;
}

/// Decides each step by asking.
pub struct Interactive<'p> {
    prompter: &'p mut dyn Prompter,
    style: Style,
    all: bool,
    pub applied: usize,
    pub declined: usize,
    pub stopped: bool,
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
            stopped: false,
            skipped_values: BTreeSet::new(),
        }
    }
}

impl Decide for Interactive<'_> {
    fn decide(&mut self, node: &str, patch: &Patch, file: &str, step: &Step) -> Decision {
        if self.stopped {
            return Decision::Stop;
        }
        if self.all {
            self.applied += 1;
            return Decision::Apply;
        }
        let s = self.style;
        let mut text = format!(
            "\n{} {}\n{} {}\n",
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
        let hunks = diff::file_diff(file, step.before.as_bytes(), step.after.as_bytes());
        let secrets = crate::render::mask::secrets_of(std::path::Path::new(file), &step.before);
        let shown = crate::render::mask::mask_values(&String::from_utf8_lossy(&hunks), &secrets);
        text.push_str(&String::from_utf8_lossy(&diff::colorize(
            shown.as_bytes(),
            s,
        )));
        self.prompter.show(&text);
        let answer = self
            .prompter
            .ask("Apply this change [y,n,a,q,?]")
            .unwrap_or(Answer::Quit);
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

    fn value(&mut self, node: &str, patch: &Patch, name: &str) -> Option<String> {
        if self.stopped
            || !self
                .skipped_values
                .insert((node.to_string(), name.to_string()))
        {
            return None;
        }
        loop {
            let line = self
                .prompter
                .ask_line(&format!(
                    "{node} · {} ({}): value for `{name}` (Enter to skip)",
                    patch.id, patch.title
                ))
                .ok()?;
            let line = line.trim();
            if line.is_empty() {
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

fn io_error(e: dialoguer::Error) -> io::Error {
    match e {
        dialoguer::Error::IO(e) => e,
    }
}

/// The real terminal (stderr), through dialoguer.
pub struct TerminalPrompter {
    term: dialoguer::console::Term,
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        TerminalPrompter {
            term: dialoguer::console::Term::stderr(),
        }
    }
}

impl Prompter for TerminalPrompter {
    fn show(&mut self, text: &str) {
        let _ = self.term.write_str(text);
    }

    fn ask(&mut self, question: &str) -> io::Result<Answer> {
        loop {
            let reply: String = dialoguer::Input::new()
                .with_prompt(question)
                .allow_empty(true)
                .interact_text_on(&self.term)
                .map_err(io_error)?;
            match reply.trim() {
                "y" | "Y" | "yes" => return Ok(Answer::Yes),
                "n" | "N" | "no" => return Ok(Answer::No),
                "a" | "A" | "all" => return Ok(Answer::All),
                "q" | "Q" | "quit" => return Ok(Answer::Quit),
                _ => self.show(&format!("{HELP}\n")),
            }
        }
    }

    fn ask_line(&mut self, question: &str) -> io::Result<String> {
        dialoguer::Input::<String>::new()
            .with_prompt(question)
            .allow_empty(true)
            .interact_text_on(&self.term)
            .map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

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
        assert_eq!(
            i.value("n1", patch, "hostname").as_deref(),
            Some("idp.example.com")
        );
        assert_eq!(i.value("n2", patch, "hostname"), None);
        assert_eq!(
            i.value("n2", patch, "hostname"),
            None,
            "not asked twice for a node"
        );
        assert!(p.shown.contains("not a host name"));
    }
}
