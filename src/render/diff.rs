//! Unified diffs that `git apply` accepts: `a/<path>` / `b/<path>` headers relative to the
//! current directory, the file's own bytes (CRLF, Latin-1) and "\ No newline" markers.

use std::io::Write;

use similar::TextDiff;

use super::{Style, CYAN, GREEN, RED};
use crate::plan::FilePlan;

/// The diff of one file, old bytes to new bytes; empty when they are equal.
pub fn file_diff(display: &str, old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if old == new {
        return out;
    }
    // An absolute path (a home outside the current directory) reads as git writes it: a/tmp/x.
    let display = display.trim_start_matches('/');
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let _ = writeln!(out, "diff --git a/{display} b/{display}");
    let _ = writeln!(out, "--- a/{display}");
    let _ = writeln!(out, "+++ b/{display}");
    let udiff = diff.unified_diff();
    for hunk in udiff.iter_hunks() {
        // Writing to a Vec cannot fail.
        let _ = hunk.to_writer(&mut out);
    }
    out
}

/// The diff of a file the product generates at start-up (`diff --rendered`): labelled as
/// generated in a line before the headers and after them (never written by `fix`).
pub fn generated_diff(display: &str, current: &str, planned: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if current == planned {
        return out;
    }
    let display = display.trim_start_matches('/');
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(current.as_bytes(), planned.as_bytes());
    let _ = writeln!(
        out,
        "# generated: {display} is written by the product at start-up from deployment.toml; wso2-harden never writes it"
    );
    let _ = writeln!(
        out,
        "--- a/{display}\t(generated from the current deployment.toml)"
    );
    let _ = writeln!(
        out,
        "+++ b/{display}\t(generated from the planned deployment.toml)"
    );
    for hunk in diff.unified_diff().iter_hunks() {
        let _ = hunk.to_writer(&mut out);
    }
    out
}

/// The diff `fix` would write for one planned file.
pub fn final_file_diff(file: &FilePlan) -> Vec<u8> {
    match file.final_bytes() {
        Ok(new) => file_diff(&file.display, &file.original, &new),
        Err(_) => Vec::new(),
    }
}

/// Colours a diff for a terminal, line by line, keeping the bytes of each line.
pub fn colorize(diff: &[u8], style: Style) -> Vec<u8> {
    if !style.color {
        return diff.to_vec();
    }
    let mut out = Vec::with_capacity(diff.len() + diff.len() / 8);
    for line in diff.split_inclusive(|&b| b == b'\n') {
        let paint = match line.first() {
            _ if line.starts_with(b"+++")
                || line.starts_with(b"---")
                || line.starts_with(b"diff ") =>
            {
                Some(super::BOLD)
            }
            Some(b'+') => Some(GREEN),
            Some(b'-') => Some(RED),
            Some(b'@') => Some(CYAN),
            _ => None,
        };
        match paint {
            Some(s) => {
                let body = line.strip_suffix(b"\n").unwrap_or(line);
                let body = body.strip_suffix(b"\r").unwrap_or(body);
                let _ = write!(out, "{}", s.render());
                out.extend_from_slice(body);
                let _ = write!(out, "{}", s.render_reset());
                out.extend_from_slice(&line[body.len()..]);
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_crlf_and_marks_missing_newline() {
        let d = file_diff("x/a.xml", b"a\r\nb\r\nc", b"a\r\nB\r\nc");
        let s = String::from_utf8(d).unwrap();
        assert!(
            s.starts_with(
                "diff --git a/x/a.xml b/x/a.xml\n--- a/x/a.xml\n+++ b/x/a.xml\n@@ -1,3 +1,3 @@\n"
            ),
            "{s}"
        );
        assert!(s.contains("-b\r\n+B\r\n"));
        assert!(file_diff("f", b"same", b"same").is_empty());
        let d = String::from_utf8(file_diff("f", b"a\nb", b"a\nc")).unwrap();
        assert!(
            d.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{d}"
        );
    }

    #[test]
    fn latin1_bytes_pass_through() {
        let d = file_diff("f", b"caf\xE9\nx\n", b"caf\xE9\ny\n");
        assert!(d.windows(5).any(|w| w == b"caf\xE9\n"));
    }
}
