//! The diff the interactive fix shows: a unified diff in which a changed pair of very long
//! lines (the one-line `.bat` `set CMD_LINE_ARGS=…` of 1,600 characters) is shown as the words
//! that changed with a little context, `[-old-]{+new+}`, instead of two full lines.

use similar::{ChangeTag, TextDiff};

/// Lines longer than this (in characters) are shown word by word.
pub const LONG: usize = 200;
/// Characters of unchanged text kept on each side of a change.
const CONTEXT: usize = 40;

/// The unified diff of `before` → `after` for `file`, long line pairs condensed.
pub fn review_diff(file: &str, before: &str, after: &str) -> String {
    let unified = super::diff::file_diff(file, before.as_bytes(), after.as_bytes());
    let text = String::from_utf8_lossy(&unified);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len().min(64 * 1024));
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if !line.starts_with('-') || line.starts_with("---") {
            out.push_str(line);
            i += 1;
            continue;
        }
        let dels = lines[i..]
            .iter()
            .take_while(|l| l.starts_with('-') && !l.starts_with("---"))
            .count();
        let adds = lines[i + dels..]
            .iter()
            .take_while(|l| l.starts_with('+') && !l.starts_with("+++"))
            .count();
        let block = &lines[i..i + dels + adds];
        let long = block.iter().any(|l| l.chars().count() > LONG);
        if long && dels == adds {
            for k in 0..dels {
                let old = body(block[k]);
                let new = body(block[dels + k]);
                out.push_str(&format!(
                    "~ (a line of {} characters; only the changed words are shown)\n~ {}\n",
                    new.chars().count(),
                    word_diff(old, new)
                ));
            }
        } else {
            block.iter().for_each(|l| out.push_str(l));
        }
        i += dels + adds;
    }
    out
}

/// A diff line without its `-`/`+` and line ending.
fn body(line: &str) -> &str {
    line.get(1..)
        .unwrap_or("")
        .trim_end_matches('\n')
        .trim_end_matches('\r')
}

/// The changed words of `old` → `new` as `[-removed-]{+added+}`, with up to CONTEXT characters
/// of unchanged text around each change and `…` for what is left out.
pub fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_words(old, new);
    // Runs of the same tag, in order.
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for c in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, text)) if *tag == c.tag() => text.push_str(c.value()),
            _ => runs.push((c.tag(), c.value().to_string())),
        }
    }
    let mut out = String::new();
    let n = runs.len();
    for (i, (tag, text)) in runs.iter().enumerate() {
        match tag {
            ChangeTag::Delete => out.push_str(&format!("[-{text}-]")),
            ChangeTag::Insert => out.push_str(&format!("{{+{text}+}}")),
            ChangeTag::Equal => {
                let first = i == 0;
                let last = i + 1 == n;
                out.push_str(&context(text, !first, !last));
            }
        }
    }
    out
}

/// Unchanged text between changes: its head (after a change) and tail (before a change).
fn context(text: &str, head: bool, tail: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let keep = usize::from(head) * CONTEXT + usize::from(tail) * CONTEXT;
    if chars.len() <= keep + 1 {
        return text.to_string();
    }
    let mut s = String::new();
    if head {
        s.extend(&chars[..CONTEXT]);
    }
    s.push('…');
    if tail {
        s.extend(&chars[chars.len() - CONTEXT..]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_line_pairs_show_only_the_changed_words() {
        let filler: String = (0..120).map(|i| format!(" -Dk{i}=v")).collect();
        let before = format!(
            "@echo off\r\nset CMD_LINE_ARGS=-Xms256m{filler} -Dx=AllowAll -Dz=1\r\nrem\r\n"
        );
        let after = before.replace("-Dx=AllowAll", "-Dx=Strict");
        let shown = review_diff("bin/a.bat", &before, &after);
        assert!(shown.contains("[--Dx=AllowAll-]{+-Dx=Strict+}"), "{shown}");
        assert!(shown.contains('…'));
        assert!(shown.lines().all(|l| l.chars().count() < 200), "{shown}");
        assert!(shown.starts_with("diff --git a/bin/a.bat"), "{shown}");
        // Short lines stay a normal diff.
        let shown = review_diff("f", "a\nb\n", "a\nc\n");
        assert!(shown.contains("-b\n+c\n"), "{shown}");
    }

    #[test]
    fn word_diff_keeps_context_and_insertions() {
        assert_eq!(word_diff("a b c", "a b c d"), "a b c{+ d+}");
        let long: String = "x ".repeat(100);
        let shown = word_diff(&format!("{long}old"), &format!("{long}new"));
        assert!(
            shown.starts_with('…') && shown.ends_with("[-old-]{+new+}"),
            "{shown}"
        );
    }
}
