//! The real terminal (stderr) for the interactive fix, through dialoguer. Ctrl-C at a prompt
//! comes back as an `Interrupted` error once the fix has installed its handler.

use std::io;

use super::prompt::{Answer, Prompter, HELP};

fn io_error(e: dialoguer::Error) -> io::Error {
    match e {
        dialoguer::Error::IO(e) => e,
    }
}

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
