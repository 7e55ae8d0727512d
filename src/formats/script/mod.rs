//! Lossless editor for the java launch command in WSO2 startup scripts (bash `.sh` and Windows `.bat`).
//!
//! The launch is the simple command whose first word names java and that runs a `...Bootstrap`
//! main class (Carbon's `org.wso2.carbon.bootstrap.Bootstrap`, MI's
//! `org.wso2.micro.integrator.bootstrap.Bootstrap`), so `"$JAVACMD" -version` probes and echo
//! lines never count. Bash words are split as bash does after joining `\` continuations; `.bat`
//! flags are gathered from the `set CMD_LINE_ARGS=` lines the java line expands. Every edit
//! splices one byte range of the original text; bytes outside it are never rewritten.

use self::ScriptKind::{Bat, Sh};
use crate::formats::error::ParseError;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    Sh,
    Bat,
}

impl ScriptKind {
    /// By extension: `.sh`, or `.bat`/`.cmd` (case-insensitive).
    pub fn from_path(p: &std::path::Path) -> Option<ScriptKind> {
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "sh" => Some(Sh),
            "bat" | "cmd" => Some(Bat),
            _ => None,
        }
    }
}

/// A `-D`/`-X` option of the launch command. `-D` and `-XX:` split at the first `=`, heap sizes
/// after `-Xms`/`-Xmx`/`-Xmn`/`-Xss`, other `-X` options at the first `:`. Values are unquoted,
/// variables left unexpanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub line: usize,
}

/// True when the script launches the Carbon JVM (its java command ends in a `...Bootstrap` main class).
pub fn has_launch(text: &str, kind: ScriptKind) -> bool {
    // A launch with an unterminated quote is still a launch.
    Scan::new(text, kind).has_launch()
}

/// The -D / -X flags of the launch command, in order. Err if there is no launch command.
pub fn flags(text: &str, kind: ScriptKind) -> Result<Vec<Flag>, ParseError> {
    Scan::new(text, kind).flags
}

/// Set `-Dname=value` in the launch command. Returns the new text, or `text` unchanged (identical)
/// when every occurrence already has that value. `name` may omit the `-D`.
/// `only_if_present`: when true and the flag is absent, return the text unchanged.
pub fn set_flag(
    text: &str,
    kind: ScriptKind,
    name: &str,
    value: &str,
    only_if_present: bool,
) -> Result<String, ParseError> {
    Scan::new(text, kind).set_flag(text, name, value, only_if_present)
}

/// Current heap (-Xms, -Xmx) values: from `JVM_MEM_OPTS="-Xms256m -Xmx1024m"` default assignment
/// in .sh (or inline in the launch block, kernel 4.4.0–4.4.2), inline in the .bat command line.
pub fn heap(text: &str, kind: ScriptKind) -> (Option<String>, Option<String>) {
    Scan::new(text, kind).heap(text)
}

/// Replace -Xms/-Xmx values in place (only those given). Unchanged text when equal.
/// Err when a size is malformed or the script has no such option to replace.
pub fn set_heap(
    text: &str,
    kind: ScriptKind,
    xms: Option<&str>,
    xmx: Option<&str>,
) -> Result<String, ParseError> {
    Scan::new(text, kind).set_heap(text, xms, xmx)
}

/// A script's java launch commands, scanned once: the flags and heap are read from it and
/// edits are planned on it, instead of scanning the text again for each flag. A `Scan` is
/// only ever used with the text it was made from.
pub struct Scan {
    kind: ScriptKind,
    launches: Result<Vec<Launch>, ParseError>,
    flags: Result<Vec<Flag>, ParseError>,
}

impl Scan {
    pub fn new(text: &str, kind: ScriptKind) -> Scan {
        let launches = launches(text, kind);
        let flags = match &launches {
            Ok(ls) if ls.is_empty() => Err(no_launch()),
            Ok(ls) => {
                let words = ls.iter().flat_map(|l| &l.flags);
                let flag =
                    |w: &Word| split_flag(&w.text).map(|(name, value)| (name, value, w.line));
                Ok(words
                    .filter_map(flag)
                    .map(|(name, value, line)| Flag { name, value, line })
                    .collect())
            }
            Err(e) => Err(e.clone()),
        };
        Scan {
            kind,
            launches,
            flags,
        }
    }

    pub fn kind(&self) -> ScriptKind {
        self.kind
    }

    /// [`has_launch`] of the scanned text.
    pub fn has_launch(&self) -> bool {
        !matches!(&self.launches, Ok(v) if v.is_empty())
    }

    /// The -D / -X flags of the launch command, in order. Err if there is no launch command.
    pub fn flags(&self) -> &Result<Vec<Flag>, ParseError> {
        &self.flags
    }

    /// The launch commands; Err when there is none.
    fn required(&self) -> Result<&[Launch], ParseError> {
        match &self.launches {
            Ok(ls) if ls.is_empty() => Err(no_launch()),
            Ok(ls) => Ok(ls),
            Err(e) => Err(e.clone()),
        }
    }

    /// [`set_flag`] on the scanned `text`.
    pub fn set_flag(
        &self,
        text: &str,
        name: &str,
        value: &str,
        only_if_present: bool,
    ) -> Result<String, ParseError> {
        let kind = self.kind;
        let ls = self.required()?;
        let at = ls.first().map_or(0, |l| l.at);
        let here = |m: String| ParseError::at(text, at, m);
        let name = normalize_name(name).map_err(here)?;
        check_value(value, kind).map_err(here)?;
        let mut edits = Vec::new();
        for l in ls {
            let mut found = false;
            for w in &l.flags {
                let Some((n, v)) = split_flag(&w.text) else {
                    continue;
                };
                found |= n == name;
                if n == name && v.as_deref() != Some(value) {
                    edits.push(replace_value(text, w, value, kind));
                }
            }
            if found || only_if_present {
                continue;
            }
            let flag = format!("{name}={}", render(value, Q::Bare, kind));
            edits.push(match &l.insert {
                Insert::Line(at, indent, eol) => (*at..*at, format!("{indent}{flag} \\{eol}")),
                Insert::Before(at) => (*at..*at, format!("{flag} ")),
                Insert::After(at) => (*at..*at, format!(" {flag}")),
                Insert::Refuse(at) => {
                    let msg = "cannot append to a set CMD_LINE_ARGS line with & | < > or a final ^";
                    return Err(ParseError::at(
                        text,
                        *at,
                        format!("{msg}; add {name} by hand"),
                    ));
                }
            });
        }
        apply(text, edits)
    }

    /// [`heap`] of the scanned `text`.
    pub fn heap(&self, text: &str) -> (Option<String>, Option<String>) {
        let none = Vec::new();
        let ls = self.launches.as_ref().unwrap_or(&none);
        let get = |key| {
            // An inline option wins over the default: it is what the JVM receives.
            let [defaults, inline] = heap_sites(text, self.kind, ls, key);
            inline
                .last()
                .or(defaults.last())
                .map(|r| text[r.clone()].to_string())
        };
        (get("-Xms"), get("-Xmx"))
    }

    /// [`set_heap`] on the scanned `text`.
    pub fn set_heap(
        &self,
        text: &str,
        xms: Option<&str>,
        xmx: Option<&str>,
    ) -> Result<String, ParseError> {
        let ls = self.launches.as_ref().map_err(Clone::clone)?;
        let mut edits = Vec::new();
        for (key, want) in [("-Xms", xms), ("-Xmx", xmx)] {
            let Some(want) = want else { continue };
            if size_end(want.as_bytes(), 0) != Some(want.len()) {
                let msg = format!("{key} value {want:?} is not a size like 512m or 2g");
                return Err(ParseError::new(1, 1, msg));
            }
            let hits = heap_sites(text, self.kind, ls, key).concat();
            if hits.is_empty() {
                return Err(ParseError::new(1, 1, format!("no {key} option to replace")));
            }
            let stale = hits.into_iter().filter(|r| &text[r.clone()] != want);
            edits.extend(stale.map(|r| (r, want.to_string())));
        }
        apply(text, edits)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Q {
    Bare,
    Double,
    Single,
}

/// A shell/cmd word: byte span, quoted parts (ranges exclude the quotes), unquoted text.
struct Word {
    span: Range<usize>,
    segs: Vec<(Q, Range<usize>)>,
    text: String,
    line: usize,
    /// Starts a simple command (first word, or an operator like `;`, `&&`, `|` came before).
    op_before: bool,
}

/// Where a missing flag goes.
enum Insert {
    /// A new `<indent>-Dk=v \<eol>` line at this offset (the main-class line).
    Line(usize, String, &'static str),
    /// `-Dk=v ` before the main class of a one-line command.
    Before(usize),
    /// ` -Dk=v` at the end of the last `set CMD_LINE_ARGS=` line.
    After(usize),
    /// Appending to that `set` line could land in another command.
    Refuse(usize),
}

struct Launch {
    /// Words between the java command and the main class (`.bat`: `%CMD_LINE_ARGS%` expanded).
    flags: Vec<Word>,
    insert: Insert,
    /// Byte ranges whose `-Xms`/`-Xmx` reach the JVM directly.
    regions: Vec<Range<usize>>,
    /// Start of the command, where value errors point.
    at: usize,
}

/// A physical line: `start..end` is the content without `\n`/`\r\n`; `next` starts the next one.
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let (mut out, mut start) = (Vec::new(), 0);
    // One vectorised pass over the bytes (a search per line costs more than the short lines
    // it scans).
    for i in memchr::memchr_iter(b'\n', b) {
        let cr = usize::from(i > start && b[i - 1] == b'\r');
        out.push(Line {
            start,
            end: i - cr,
            next: i + 1,
        });
        start = i + 1;
    }
    if start < b.len() {
        out.push(Line {
            start,
            end: b.len(),
            next: b.len(),
        });
    }
    out
}

/// A trailing odd run of backslashes continues a bash command on the next line.
fn is_cont(text: &str, l: &Line) -> bool {
    let t = &text[l.start..l.end];
    (t.len() - t.trim_end_matches('\\').len()) % 2 == 1
}

/// Line content without a bash continuation backslash.
fn body(text: &str, l: &Line, kind: ScriptKind) -> Range<usize> {
    l.start..l.end - usize::from(kind == Sh && is_cont(text, l))
}

fn is_comment(text: &str, l: &Line, kind: ScriptKind) -> bool {
    let t = text[l.start..l.end]
        .trim_start()
        .trim_start_matches('@')
        .to_ascii_lowercase();
    match kind {
        Sh => t.starts_with('#'),
        Bat => t.starts_with("::") || t == "rem" || t.starts_with("rem ") || t.starts_with("rem\t"),
    }
}

/// cmd drops stray `\r`s, so for `.bat` they separate words like blanks; bash keeps them.
fn is_blank(c: u8, kind: ScriptKind) -> bool {
    c == b' ' || c == b'\t' || (kind == Bat && c == b'\r')
}

fn is_op(c: u8, kind: ScriptKind) -> bool {
    match kind {
        Sh => matches!(c, b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'),
        Bat => matches!(c, b'&' | b'|' | b'<' | b'>'),
    }
}

/// Splits `text[r]` into words, plus the offset of an unterminated quote (which ends the scan).
/// For bash, `r` may span continuation lines; `line` is the line number at `r.start`.
fn words(text: &str, r: Range<usize>, kind: ScriptKind, line: usize) -> (Vec<Word>, Option<usize>) {
    let (b, sh, end) = (text.as_bytes(), kind == Sh, r.end);
    let (mut out, mut i, mut line, mut counted) = (Vec::new(), r.start, line, r.start);
    loop {
        let mut op = out.is_empty();
        while i < end && (is_blank(b[i], kind) || is_op(b[i], kind) || cont(b, i, end, kind) > 0) {
            op |= is_op(b[i], kind);
            i += cont(b, i, end, kind).max(1);
        }
        if i >= end || (sh && b[i] == b'#') {
            return (out, None);
        }
        let (start, mut segs) = (i, Vec::new());
        while i < end && !is_blank(b[i], kind) && !is_op(b[i], kind) {
            let s = i;
            let q = match b[i] {
                b'"' => Q::Double,
                b'\'' if sh => Q::Single,
                _ => {
                    i = bare_end(b, i, end, kind);
                    segs.push((Q::Bare, s..i));
                    continue;
                }
            };
            i += 1;
            while i < end && b[i] != b[s] {
                i += 1 + usize::from(sh && q == Q::Double && b[i] == b'\\');
            }
            if i >= end {
                return (out, Some(s));
            }
            segs.push((q, s + 1..i));
            i += 1;
        }
        // A continuation right after the word belongs to the layout, not to the word.
        let mut e = i;
        while let Some(n) = [2, 3]
            .into_iter()
            .find(|&n| e >= start + n && cont(b, e - n, e, kind) == n)
        {
            e -= n;
        }
        segs.retain_mut(|(_, r)| {
            r.end = r.end.min(e);
            r.start < e
        });
        line += b[counted..start].iter().filter(|&&c| c == b'\n').count();
        counted = start;
        let txt = segs
            .iter()
            .map(|(q, r)| unquote(&text[r.clone()], *q, kind))
            .collect();
        out.push(Word {
            span: start..e,
            segs,
            text: txt,
            line,
            op_before: op,
        });
    }
}

/// Length of a bash line continuation (`\` + `\n` or `\r\n`) at `i`, else 0.
fn cont(b: &[u8], i: usize, end: usize, kind: ScriptKind) -> usize {
    match (kind, b.get(i..end.min(i + 3))) {
        (Sh, Some([b'\\', b'\n', ..])) => 2,
        (Sh, Some([b'\\', b'\r', b'\n'])) => 3,
        _ => 0,
    }
}

/// End of the unquoted run starting at `i`.
fn bare_end(b: &[u8], mut i: usize, end: usize, kind: ScriptKind) -> usize {
    let sh = kind == Sh;
    while i < end && !is_blank(b[i], kind) && b[i] != b'"' && !is_op(b[i], kind) {
        if sh && b[i] == b'\'' {
            break;
        } else if b[i] == if sh { b'\\' } else { b'^' } {
            i += cont(b, i, end, kind).max(2);
            continue;
        } else if sh && b[i] == b'$' && matches!(b.get(i + 1), Some(b'{' | b'(')) {
            // `${a:-x y}` and `$(cmd arg)` are one word despite the blanks inside.
            let (open, mut depth) = (b[i + 1], 0i32);
            let close = if open == b'{' { b'}' } else { b')' };
            while i + 1 < end {
                i += 1;
                depth += i32::from(b[i] == open) - i32::from(b[i] == close);
                if depth == 0 {
                    break;
                }
            }
        }
        i += 1;
    }
    // An escape may have stepped into a multi-byte char (never ASCII bytes) or past `end`.
    while i < end && b[i] >= 0x80 {
        i += 1;
    }
    i.min(end)
}

/// What a quoted or bare run stands for: escapes and continuations removed, variables as written.
fn unquote(raw: &str, q: Q, kind: ScriptKind) -> String {
    let (esc, any) = match (kind, q) {
        (Sh, Q::Bare) => ('\\', true),
        (Sh, Q::Double) => ('\\', false),
        (Bat, Q::Bare) => ('^', true),
        _ => return raw.to_string(),
    };
    // Without the escape character there is nothing to remove.
    if !raw.contains(esc) {
        return raw.to_string();
    }
    let (mut out, mut rest) = (String::with_capacity(raw.len()), raw);
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let joined = rest
            .strip_prefix('\n')
            .or_else(|| rest.strip_prefix("\r\n"));
        match (joined, rest.chars().next()) {
            (Some(r), _) if c == esc && kind == Sh => rest = r,
            (_, Some(n)) if c == esc && (any || matches!(n, '$' | '`' | '"' | '\\')) => {
                out.push(n);
                rest = &rest[n.len_utf8()..];
            }
            _ => out.push(c),
        }
    }
    out
}

/// A class name whose last part ends in `Bootstrap`, e.g. `org.wso2.carbon.bootstrap.Bootstrap`.
fn is_main(w: &Word) -> bool {
    let ident = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    w.text.ends_with("Bootstrap") && w.text.split('.').all(ident)
}

/// Index of the java executable: the first word after `exec`-like prefixes and `VAR=x`.
fn java_word(ws: &[Word]) -> Option<usize> {
    let var = |k: &str| !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    let i = ws.iter().position(|w| {
        let t = w.text.to_ascii_lowercase();
        let assign = t.split_once('=').is_some_and(|(k, _)| var(k));
        !(t.is_empty() || assign || matches!(t.as_str(), "exec" | "nohup" | "command" | "call"))
    })?;
    ws[i]
        .text
        .to_ascii_lowercase()
        .contains("java")
        .then_some(i)
}

/// (java word, main class word) of the first simple command that runs a `...Bootstrap` with java.
fn launch_words(ws: &[Word]) -> Option<(usize, usize)> {
    ws.iter()
        .enumerate()
        .filter(|(_, w)| is_main(w))
        .find_map(|(m, _)| {
            let start = ws[..=m].iter().rposition(|w| w.op_before).unwrap_or(0);
            java_word(&ws[start..m]).map(|j| (start + j, m))
        })
}

fn unterminated(text: &str, off: usize) -> ParseError {
    ParseError::at(text, off, "unterminated quote in the java launch command")
}

fn no_launch() -> ParseError {
    ParseError::new(1, 1, "no java launch command (…Bootstrap) found")
}

fn launches(text: &str, kind: ScriptKind) -> Result<Vec<Launch>, ParseError> {
    // Only a line naming a `…Bootstrap` class can end a launch: find those with one
    // (vectorised) substring search and split words (the costly part) there alone.
    let at: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), "Bootstrap").collect();
    // Most scripts in bin/ launch nothing: without a `…Bootstrap` there is no line to split.
    if at.is_empty() {
        return Ok(Vec::new());
    }
    let lines = split_lines(text);
    let (mut out, mut from) = (Vec::new(), 0);
    let mut candidates: Vec<usize> = (at.into_iter())
        .map(|at| lines.partition_point(|l| l.start <= at).saturating_sub(1))
        .collect();
    candidates.dedup();
    for i in candidates {
        let l = &lines[i];
        let b = body(text, l, kind);
        if is_comment(text, l, kind) || !text[b.clone()].contains("Bootstrap") {
            continue;
        }
        let (ws, bad) = words(text, b, kind, i + 1);
        // A quote left open before the main class hides it from this line's words; for bash
        // the quote may also come from an earlier line of the block: `sh_launch` decides.
        if !(ws.iter().any(is_main) || (kind == Sh && bad.is_some())) {
            continue;
        }
        let found = match kind {
            Sh => sh_launch(text, &lines, i)?,
            // `set` lines before `from` fed an earlier launch.
            Bat => bat_launch(text, &lines, from, i, (ws, bad))?,
        };
        if let Some(launch) = found {
            out.push(launch);
            from = i + 1;
        }
    }
    Ok(out)
}

/// The bash command whose main class is on line `last`, gathered back through continuations.
fn sh_launch(text: &str, lines: &[Line], last: usize) -> Result<Option<Launch>, ParseError> {
    let mut first = last;
    while first > 0 && is_cont(text, &lines[first - 1]) && !is_comment(text, &lines[first - 1], Sh)
    {
        first -= 1;
    }
    // One scan over the whole block: bash joins continued lines before splitting words.
    let (mut all, bad) = words(text, lines[first].start..lines[last].end, Sh, first + 1);
    if let Some(off) = bad {
        // The scan stopped at a quote that never closes. If a java command had started by
        // then and the rest of the block names the main class, that is the launch, broken.
        let start = all.iter().rposition(|w| w.op_before).unwrap_or(0);
        let rest = &text[off..lines[last].end];
        if java_word(&all[start..]).is_some() && rest.contains("Bootstrap") {
            return Err(unterminated(text, off));
        }
        return Ok(None);
    }
    // Only the first main class after java counts, and it must be the one on `last`.
    let Some((j, m)) = launch_words(&all).filter(|&(_, m)| all[m].line == last + 1) else {
        return Ok(None);
    };
    // A new line fits only if the main class starts its line and no word spans into that line.
    let insert = if all[m - 1].span.end < lines[last].start {
        let (main, prev) = (&lines[last], &lines[last - 1]);
        let p = &text[prev.start..prev.end];
        let mut indent = p[..p.len() - p.trim_start_matches([' ', '\t']).len()].to_string();
        // A flush-left line after `"x"\` would glue onto that word.
        if indent.is_empty() && !p.ends_with(" \\") {
            indent.push(' ');
        }
        let eol = |l: &Line| [None, Some("\n"), Some("\r\n")][l.next - l.end];
        // The new line is a continuation line like `prev`, whatever ending the main line has.
        Insert::Line(main.start, indent, eol(prev).unwrap_or("\n"))
    } else {
        Insert::Before(all[m].span.start)
    };
    all.truncate(m);
    all.drain(..=j);
    let regions = lines[first..=last].iter().map(|l| l.start..l.end).collect();
    let at = lines[first].start;
    Ok(Some(Launch {
        flags: all,
        insert,
        regions,
        at,
    }))
}

/// The `.bat` java line `i`, with the `set CMD_LINE_ARGS=` lines from `from` on that feed it.
fn bat_launch(
    text: &str,
    lines: &[Line],
    from: usize,
    i: usize,
    (ws, bad): (Vec<Word>, Option<usize>),
) -> Result<Option<Launch>, ParseError> {
    let Some((j, m)) = launch_words(&ws) else {
        return Ok(None);
    };
    if let Some(off) = bad.filter(|&o| o < ws[m].span.start) {
        return Err(unterminated(text, off));
    }
    let is_ref = |w: &Word| w.text.eq_ignore_ascii_case("%CMD_LINE_ARGS%");
    let uses_args = ws[j + 1..m].iter().any(is_ref);
    let mut sets: Vec<(Vec<Word>, Range<usize>)> = Vec::new();
    for (k, l) in lines
        .iter()
        .enumerate()
        .take(i)
        .skip(from)
        .filter(|_| uses_args)
    {
        let Some(r) = args_value(text, l) else {
            continue;
        };
        let (sw, bad) = words(text, r.clone(), Bat, k + 1);
        if let Some(off) = bad {
            return Err(unterminated(text, off));
        }
        // A `set` that does not start from `%CMD_LINE_ARGS%` discards what came before.
        if !sw.first().is_some_and(is_ref) {
            sets.clear();
        }
        sets.push((sw, r));
    }
    let insert = match sets.last() {
        Some((_, r)) => {
            let v = text[r.clone()].trim_end_matches([' ', '\t', '\r']);
            // After `&|<>` the flag would reach another command; after `^` it would be escaped.
            if v.contains(['&', '|', '<', '>']) || v.ends_with('^') {
                Insert::Refuse(r.start)
            } else {
                Insert::After(r.start + v.len())
            }
        }
        None => Insert::Before(ws[m].span.start),
    };
    let mut regions: Vec<_> = sets.iter().map(|(_, r)| r.clone()).collect();
    regions.push(lines[i].start..lines[i].end);
    let mut set_words: Vec<Word> = sets.into_iter().flat_map(|(w, _)| w).collect();
    set_words.retain(|w| !is_ref(w));
    let mut flags = Vec::new();
    for w in ws.into_iter().take(m).skip(j + 1) {
        if is_ref(&w) {
            flags.append(&mut set_words);
        } else {
            flags.push(w);
        }
    }
    let at = lines[i].start;
    Ok(Some(Launch {
        flags,
        insert,
        regions,
        at,
    }))
}

/// Value range of a `set CMD_LINE_ARGS=...` line (keywords case-insensitive, `@` allowed).
fn args_value(text: &str, l: &Line) -> Option<Range<usize>> {
    let t = text[l.start..l.end].trim_start().trim_start_matches('@');
    t.get(..4).filter(|p| p.eq_ignore_ascii_case("set "))?;
    let after = t[4..].trim_start();
    after
        .get(..14)
        .filter(|p| p.eq_ignore_ascii_case("CMD_LINE_ARGS="))?;
    Some(l.end - (after.len() - 14)..l.end)
}

fn split_flag(t: &str) -> Option<(String, Option<String>)> {
    let at = |sep: char| match t.split_once(sep) {
        Some((n, v)) => Some((n.to_string(), Some(v.to_string()))),
        None => Some((t.to_string(), None)),
    };
    if t.len() <= 2 || !(t.starts_with("-D") || t.starts_with("-X")) {
        return None;
    }
    if t.starts_with("-D") || t.starts_with("-XX:") {
        return at('=');
    }
    let size = |p: &&str| {
        t.strip_prefix(p)
            .is_some_and(|v| size_end(v.as_bytes(), 0).is_some())
    };
    match ["-Xms", "-Xmx", "-Xmn", "-Xss"].into_iter().find(size) {
        Some(p) => Some((p.to_string(), Some(t[4..].to_string()))),
        None => at(':'),
    }
}

fn normalize_name(name: &str) -> Result<String, String> {
    let full = match name.strip_prefix("-D") {
        Some(_) => name.to_string(),
        None if name.starts_with('-') => return Err(format!("{name:?}: only -D can be set")),
        None => format!("-D{name}"),
    };
    let ok = |c: char| c.is_ascii_alphanumeric() || "_.:/+-".contains(c);
    let first = full[2..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    if first && full[2..].chars().all(ok) {
        return Ok(full);
    }
    Err(format!("{name:?} is not a property name this tool writes"))
}

fn check_value(v: &str, kind: ScriptKind) -> Result<(), String> {
    let (bad, what): (&[char], _) = match kind {
        // Quotes and newlines break the word; `\` and backticks would be reinterpreted.
        Sh => (&['\n', '\r', '"', '`', '\\', '\0'], ".sh"),
        // `%` and `!` expand, `^` escapes, `&|<>` start another command.
        Bat => (
            &['%', '"', '^', '&', '|', '<', '>', '!', '\n', '\r', '\0'],
            ".bat",
        ),
    };
    let why = match v.chars().find(|c| bad.contains(c)) {
        Some(c) => format!("contains {c:?}"),
        None if kind == Sh && v.contains("$(") => "contains a command substitution".into(),
        None => return Ok(()),
    };
    Err(format!("value {v:?} {why}: unsafe in a {what} script"))
}

/// `v` in quoting style `q`; a bare value that needs quoting gets double quotes.
fn render(v: &str, q: Q, kind: ScriptKind) -> String {
    let safe = |c: char| match kind {
        Sh => c.is_ascii_alphanumeric() || "_./:,+@%=-".contains(c),
        Bat => !c.is_whitespace() && !";,=()".contains(c),
    };
    match q {
        Q::Bare if !v.is_empty() && v.chars().all(safe) => v.to_string(),
        Q::Bare | Q::Double => format!("\"{v}\""),
        Q::Single => format!("'{}'", v.replace('\'', r"'\''")),
    }
}

/// Rewrites everything after the flag's `=` (or appends `=value`), keeping its quoting style.
fn replace_value(text: &str, w: &Word, v: &str, kind: ScriptKind) -> (Range<usize>, String) {
    for (s, (q, inner)) in w.segs.iter().enumerate() {
        let Some(p) = text[inner.clone()].find('=').map(|p| p + inner.start) else {
            continue;
        };
        // `-Dk="v"`: the value takes the quoting of the part after `=`.
        let next = w
            .segs
            .get(s + 1)
            .filter(|_| p + 1 == inner.end)
            .map_or(Q::Bare, |n| n.0);
        let rep = match q {
            Q::Bare => render(v, next, kind),
            // `"-Dk=v"`: the rest of the word was value; close the quote again.
            Q::Double => format!("{v}\""),
            Q::Single => format!("{}'", v.replace('\'', r"'\''")),
        };
        return (p + 1..w.span.end, rep);
    }
    // `-Dk` or `"-Dk"` without a value: add `=value` inside the last part.
    match w.segs.last() {
        Some((q, inner)) if *q != Q::Bare => {
            let rep = render(v, *q, kind);
            (inner.end..inner.end, format!("={}", &rep[1..rep.len() - 1]))
        }
        _ => (
            w.span.end..w.span.end,
            format!("={}", render(v, Q::Bare, kind)),
        ),
    }
}

/// Splices the edits into `text`. The same edit found twice (a `JVM_MEM_OPTS=` line that is
/// also part of the launch block) is made once; edits that overlap otherwise are refused.
fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> Result<String, ParseError> {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    edits.dedup();
    let (mut out, mut pos) = (String::with_capacity(text.len() + 64), 0);
    for (r, rep) in edits {
        if r.start < pos {
            return Err(ParseError::at(text, r.start, "two edits overlap here"));
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&rep);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// End of a `<digits>[unit]` size starting at `v`.
fn size_end(s: &[u8], v: usize) -> Option<usize> {
    let digits = s[v..].iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = s.get(v + digits).is_some_and(u8::is_ascii_alphabetic);
    (digits > 0).then_some(v + digits + usize::from(unit))
}

/// Sizes of whole-token `key<size>` options: [in `.sh` `JVM_MEM_OPTS=` lines, in the launch].
fn heap_sites(text: &str, kind: ScriptKind, ls: &[Launch], key: &str) -> [Vec<Range<usize>>; 2] {
    let assigns = |l: &&Line| {
        let t = text[l.start..l.end].trim_start();
        kind == Sh
            && t.trim_start_matches("export ")
                .trim_start()
                .starts_with("JVM_MEM_OPTS=")
    };
    let lines = split_lines(text);
    let defaults = lines.iter().filter(assigns).map(|l| l.start..l.end);
    let inline = ls.iter().flat_map(|l| l.regions.iter().cloned());
    let sep = |c: u8| matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'=' | b'\\');
    let hits = |r: Range<usize>| {
        let s = &text.as_bytes()[r.clone()];
        let found = text[r.clone()].match_indices(key).map(|(k, _)| k);
        let whole = found.filter_map(move |k| {
            let e = size_end(s, k + key.len())?;
            let ok = (k == 0 || sep(s[k - 1])) && s.get(e).is_none_or(|&c| sep(c) && c != b'=');
            ok.then_some(r.start + k + key.len()..r.start + e)
        });
        whole.collect::<Vec<_>>()
    };
    [
        defaults.flat_map(hits).collect(),
        inline.flat_map(hits).collect(),
    ]
}

#[cfg(test)]
mod tests;
