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
    let _ = writeln!(out, "diff --git a/{display} b/{display}");
    let _ = writeln!(out, "--- a/{display}");
    let _ = writeln!(out, "+++ b/{display}");
    hunks(old, new, &mut out);
    out
}

/// Lines kept on each side of the changed region: more than the hunks' context radius (3),
/// so the hunks are exactly those of the whole files.
const KEEP: usize = 8;

/// The unified-diff hunks of `old` → `new`. The lines both share at the start and at the end
/// (but `KEEP` next to the changes) are left out of the line diff, which would otherwise
/// tokenize and hash every line of a large file for a one-line change; the hunk headers then
/// count from the lines left out.
fn hunks(old: &[u8], new: &[u8], out: &mut Vec<u8>) {
    let (old_lines, new_lines) = (line_starts(old), line_starts(new));
    let (n_old, n_new) = (old_lines.len() - 1, new_lines.len() - 1);
    let prefix = (0..n_old.min(n_new))
        .take_while(|&i| line(&old_lines, old, i) == line(&new_lines, new, i))
        .count();
    let suffix = (0..(n_old - prefix).min(n_new - prefix))
        .take_while(|&k| {
            line(&old_lines, old, n_old - 1 - k) == line(&new_lines, new, n_new - 1 - k)
        })
        .count();
    let skip = prefix.saturating_sub(KEEP);
    let cut = suffix.saturating_sub(KEEP);
    let old_part = &old[old_lines[skip]..old_lines[n_old - cut]];
    let new_part = &new[new_lines[skip]..new_lines[n_new - cut]];
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old_part, new_part);
    for hunk in diff.unified_diff().iter_hunks() {
        // Writing to a Vec cannot fail.
        let mut text = Vec::new();
        let _ = hunk.to_writer(&mut text);
        if skip == 0 {
            out.extend_from_slice(&text);
        } else {
            shift_header(&text, skip, out);
        }
    }
}

fn line<'t>(starts: &[usize], text: &'t [u8], i: usize) -> &'t [u8] {
    &text[starts[i]..starts[i + 1]]
}

/// Offsets of each line's start in `text`, and its end (lines split after `\n`, as the line
/// diff splits them).
fn line_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' && i + 1 < text.len())
            .map(|(i, _)| i + 1),
    );
    if !text.is_empty() {
        starts.push(text.len());
    }
    starts
}

/// Copies a hunk, its `@@ -a,b +c,d @@` header counted `by` lines further.
fn shift_header(hunk: &[u8], by: usize, out: &mut Vec<u8>) {
    let end = hunk
        .iter()
        .position(|&b| b == b'\n')
        .map_or(hunk.len(), |i| i + 1);
    let header = String::from_utf8_lossy(&hunk[..end]);
    let shifted: Vec<String> = header
        .split(' ')
        .map(|part| {
            let Some((sign, range)) = part
                .strip_prefix('-')
                .map(|r| ("-", r))
                .or_else(|| part.strip_prefix('+').map(|r| ("+", r)))
            else {
                return part.to_string();
            };
            let (start, len) = range.split_once(',').unwrap_or((range, ""));
            match start.parse::<usize>() {
                Ok(n) if len.is_empty() => format!("{sign}{}", n + by),
                Ok(n) => format!("{sign}{},{len}", n + by),
                Err(_) => part.to_string(),
            }
        })
        .collect();
    out.extend_from_slice(shifted.join(" ").as_bytes());
    out.extend_from_slice(&hunk[end..]);
}

/// The diff of a file the product generates at start-up (`diff --rendered`): labelled as
/// generated in a line before the headers and after them (never written by `fix`).
pub fn generated_diff(display: &str, current: &str, planned: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if current == planned {
        return out;
    }
    let display = display.trim_start_matches('/');
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
    hunks(current.as_bytes(), planned.as_bytes(), &mut out);
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

    /// The whole-file line diff, as before lines were left out of it.
    fn whole(old: &[u8], new: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let diff = TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .diff_lines(old, new);
        for hunk in diff.unified_diff().iter_hunks() {
            let _ = hunk.to_writer(&mut out);
        }
        out
    }

    #[test]
    fn hunks_of_the_changed_region_equal_those_of_the_whole_files() {
        let body: Vec<String> = (0..60).map(|i| format!("line {i}\r\n")).collect();
        let text = body.concat();
        let mut cases: Vec<(String, String)> = Vec::new();
        for at in [0, 1, 3, 8, 9, 12, 30, 50, 56, 59] {
            let mut changed = body.clone();
            changed[at] = "changed\r\n".into();
            cases.push((text.clone(), changed.concat()));
            let mut inserted = body.clone();
            inserted.insert(at, "new\r\n".into());
            cases.push((text.clone(), inserted.concat()));
            let mut removed = body.clone();
            removed.remove(at);
            cases.push((text.clone(), removed.concat()));
            let mut two = body.clone();
            two[at] = "a\r\n".into();
            two[(at + 7) % 60] = "b\r\n".into();
            cases.push((text.clone(), two.concat()));
        }
        cases.push((text.trim_end().to_string(), format!("{}x", text)));
        cases.push((String::new(), "a\n".into()));
        cases.push(("a\n".into(), String::new()));
        cases.push((format!("{text}tail"), format!("{text}tail2")));
        for (old, new) in &cases {
            let mut out = Vec::new();
            hunks(old.as_bytes(), new.as_bytes(), &mut out);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&whole(old.as_bytes(), new.as_bytes())),
                "{old:?} -> {new:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn hunks_equal_the_whole_files_diff(
            base in proptest::collection::vec(0u8..6, 0..70),
            edits in proptest::collection::vec((0usize..80, 0u8..3, 0u8..6), 0..5),
            newline_at_end in proptest::bool::ANY,
        ) {
            let render = |lines: &[u8]| {
                let mut t: String = lines.iter().map(|l| format!("l{l}\n")).collect();
                if !newline_at_end {
                    t.pop();
                }
                t
            };
            let mut changed = base.clone();
            for (at, op, v) in edits {
                let at = at.min(changed.len());
                match op {
                    0 if at < changed.len() => changed[at] = v + 10,
                    1 => changed.insert(at, v + 20),
                    _ if at < changed.len() => {
                        changed.remove(at);
                    }
                    _ => {}
                }
            }
            let (old, new) = (render(&base), render(&changed));
            let mut out = Vec::new();
            hunks(old.as_bytes(), new.as_bytes(), &mut out);
            proptest::prop_assert_eq!(out, whole(old.as_bytes(), new.as_bytes()));
        }
    }
}
