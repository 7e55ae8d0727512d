//! Lossless editor for Java `.properties` files: logical lines, separators and escapes, in-place value edits.
//!
//! Parsing follows `java.util.Properties.load` (including lone `\r` line ends, dangling
//! continuations at EOF and lenient `\u` handling); every edit splices one byte range of the
//! original text, so bytes outside that range are never rewritten.

/// One key/value pair, unescaped as `java.util.Properties` would load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// 1-based first physical line of the logical line.
    pub line: usize,
}

/// An entry plus the byte offsets an edit needs.
struct Located {
    entry: Entry,
    /// Leading whitespace of the first physical line, reused as indentation for inserts.
    indent: (usize, usize),
    key_end: usize,
    val_start: usize,
    /// End of the last physical line's content (before its terminator).
    val_end: usize,
    /// Start of the line after the logical line (or text end).
    next: usize,
    /// The logical line has `=`/`:` between key and value.
    has_sep: bool,
}

/// A parsed file: parse once, then read any number of keys and plan an edit from it.
pub struct Doc {
    entries: Vec<Located>,
    /// Start of a logical line cut off by EOF inside a continuation: text appended after it
    /// would join it.
    dangling: Option<usize>,
}

/// Java's whitespace for properties: space, tab, form feed (not `\r`/`\n`, which end lines).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0c')
}

/// Physical lines as `(start, content_end, next_start)`; `\r\n`, `\r` and `\n` all end a line.
fn physical_lines(b: &[u8]) -> Vec<(usize, usize, usize)> {
    let (mut out, mut start) = (Vec::new(), 0);
    for i in memchr::memchr2_iter(b'\n', b'\r', b) {
        // the `\n` of a `\r\n` already ended its line
        if i < start {
            continue;
        }
        let next = i + 1 + usize::from(b[i] == b'\r' && b.get(i + 1) == Some(&b'\n'));
        out.push((start, i, next));
        start = next;
    }
    if start < b.len() {
        out.push((start, b.len(), b.len()));
    }
    out
}

fn skip_ws(b: &[u8], i: usize, end: usize) -> usize {
    i + b[i..end].iter().take_while(|&&c| is_ws(c)).count()
}

/// Mirrors `Properties.LineReader` of Java 9+ (Java 8 differs only in degenerate cases such
/// as a comment right after an empty continued line).
fn parse(text: &str) -> Doc {
    let b = text.as_bytes();
    let lines = physical_lines(b);
    let (mut entries, mut dangling, mut i) = (Vec::new(), None, 0);
    // one buffer pair for every logical line (cleared, not reallocated): the logical bytes,
    // and the runs they were copied from as (start in `s`, start in the text, length)
    let (mut s, mut runs): (Vec<u8>, Vec<(usize, usize, usize)>) = (Vec::new(), Vec::new());
    while i < lines.len() {
        let (start, end, _) = lines[i];
        let first = skip_ws(b, start, end);
        // Comments are only recognised at the start of a logical line and never continue.
        if first == end || b[first] == b'#' || b[first] == b'!' {
            i += 1;
            continue;
        }
        let line = i + 1;
        // Logical content as bytes, with the text offset each byte came from.
        s.clear();
        runs.clear();
        let mut cur = first;
        let (val_end, next, dangles) = loop {
            let (_, e, n) = lines[i];
            let odd = b[cur..e].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
            let keep = e - usize::from(odd);
            if keep > cur {
                runs.push((s.len(), cur, keep - cur));
            }
            s.extend_from_slice(&b[cur..keep]);
            i += 1;
            // Java treats an empty continued buffer as a new logical line (comments included),
            // which is what restarting the outer loop does.
            let dangles = odd && i == lines.len();
            if !odd || dangles || s.is_empty() {
                break (e, n, dangles);
            }
            cur = skip_ws(b, lines[i].0, lines[i].1);
        };
        if dangles {
            dangling = Some(start);
        }
        // Java drops empty logical lines, but EOF inside a continuation yields an entry even
        // when empty: a lone `\` ending the text (bare, or before a one-byte line end) is `""=""`.
        let logical_end = match runs.last() {
            Some(&(_, from, len)) => from + len,
            None if dangles && next - val_end < 2 => val_end - 1,
            None => continue,
        };
        let (key_len, vs, has_sep) = split_key(&s);
        // the text offset byte `k` of `s` came from (the end of the line past the last byte)
        let at = |k: usize| {
            let run = runs.partition_point(|&(at, _, _)| at <= k).checked_sub(1);
            run.and_then(|r| runs.get(r))
                .filter(|&&(at, _, len)| k < at + len)
                .map_or(logical_end, |&(at, from, _)| from + (k - at))
        };
        let (key, value) = (unescape(&s[..key_len]), unescape(&s[vs..]));
        entries.push(Located {
            entry: Entry { key, value, line },
            indent: (start, first),
            key_end: at(key_len),
            val_start: at(vs),
            val_end,
            next,
            has_sep,
        });
    }
    Doc { entries, dangling }
}

/// Key length, value start and whether an `=`/`:` separates them, per `Properties.load0`.
fn split_key(s: &[u8]) -> (usize, usize, bool) {
    let len = s.len();
    let (mut key_len, mut vs, mut has_sep, mut escaped) = (len, len, false, false);
    for (k, &c) in s.iter().enumerate() {
        if !escaped && (c == b'=' || c == b':' || is_ws(c)) {
            (key_len, vs, has_sep) = (k, k + 1, !is_ws(c));
            break;
        }
        escaped = c == b'\\' && !escaped;
    }
    while vs < len && (is_ws(s[vs]) || (!has_sep && (s[vs] == b'=' || s[vs] == b':'))) {
        has_sep |= !is_ws(s[vs]);
        vs += 1;
    }
    (key_len, vs, has_sep)
}

/// `loadConvert`, except that a malformed `\u` yields a literal `u` instead of an error;
/// unpaired UTF-16 surrogates become U+FFFD.
fn unescape(raw: &[u8]) -> String {
    // Most keys and values hold no escape: take them as they are.
    if !raw.contains(&b'\\') {
        return crate::formats::text::lossy(raw).into_owned();
    }
    let text = crate::formats::text::lossy(raw);
    let (mut units, mut chars) = (Vec::with_capacity(text.len()), text.chars());
    while let Some(c) = chars.next() {
        let c = match (c, if c == '\\' { chars.next() } else { None }) {
            ('\\', Some('u')) => {
                let hex = chars.as_str().get(..4);
                let hex = hex.filter(|h| h.bytes().all(|d| d.is_ascii_hexdigit()));
                if let Some(u) = hex.and_then(|h| u16::from_str_radix(h, 16).ok()) {
                    units.push(u);
                    chars.nth(3);
                    continue;
                }
                'u'
            }
            ('\\', Some('t')) => '\t',
            ('\\', Some('n')) => '\n',
            ('\\', Some('r')) => '\r',
            ('\\', Some('f')) => '\x0c',
            ('\\', Some(other)) => other,
            ('\\', None) => break,
            (c, _) => c,
        };
        units.extend_from_slice(c.encode_utf16(&mut [0; 2]));
    }
    String::from_utf16_lossy(&units)
}

/// Escapes for writing; `leading_sep` escapes a leading `=`/`:` (needed when the line has no
/// explicit separator, else it would be read as one), `key` escapes what would end a key.
fn escape(s: &str, key: bool, leading_sep: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x0c' => out.push_str("\\f"),
            ' ' | '=' | ':' | '#' | '!' if escaped_at(c, i, key, leading_sep) => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\x7f' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Spaces and separators end a key, a leading space is skipped before a value, and a leading
/// `#`/`!` would make the line a comment.
fn escaped_at(c: char, i: usize, key: bool, leading_sep: bool) -> bool {
    match c {
        ' ' => key || i == 0,
        '=' | ':' => key || (i == 0 && leading_sep),
        _ => key && i == 0,
    }
}

/// Parses `text` for repeated reads (`Doc::get`) and edits (`set_in`).
pub fn parse_doc(text: &str) -> Doc {
    parse(text)
}

impl Doc {
    fn last(&self, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .map(|l| &l.entry)
            .find(|e| e.key == key)
    }

    /// The value Java would load for `key` (the last occurrence wins).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.last(key).map(|e| e.value.as_str())
    }

    /// First physical line of the occurrence `get` reads.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.last(key).map(|e| e.line)
    }
}

/// All entries in document order, duplicates included.
pub fn entries(text: &str) -> Vec<Entry> {
    parse(text).entries.into_iter().map(|l| l.entry).collect()
}

fn last(text: &str, key: &str) -> Option<Entry> {
    entries(text).into_iter().rev().find(|e| e.key == key)
}

/// The value Java would load for `key` (the last occurrence wins).
pub fn get(text: &str, key: &str) -> Option<String> {
    last(text, key).map(|e| e.value)
}

/// First physical line of the occurrence of `key` that `get` reads.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    last(text, key).map(|e| e.line)
}

/// Set `key` to `value`. Returns the new text, or `text` unchanged (byte-identical) when the effective value is already equal.
pub fn set(text: &str, key: &str, value: &str) -> String {
    set_in(text, &parse(text), key, value)
}

/// `set` with the text's parse already at hand (`doc` must be `parse_doc(text)`).
pub fn set_in(text: &str, doc: &Doc, key: &str, value: &str) -> String {
    match doc.entries.iter().rev().find(|l| l.entry.key == key) {
        Some(l) if l.entry.value == value => text.to_string(),
        Some(l) => {
            // A value that starts on a continuation line (`key \` then the value) is moved up
            // behind a plain `=`: splicing it alone could leave the continuation pointing at the
            // next line, or join a lone `\r` and a `\n` into one line end.
            let continued = text[l.key_end..l.val_start].contains(['\r', '\n']);
            let start = if continued { l.key_end } else { l.val_start };
            // A bare `key` has no separator to keep, so one is added.
            let sep = if continued || l.key_end == l.val_start {
                "="
            } else {
                ""
            };
            let new = escape(value, false, !l.has_sep && sep.is_empty());
            let (pre, post) = (&text[..start], &text[l.val_end..]);
            format!("{pre}{sep}{new}{post}")
        }
        None => insert(text, doc, key, value),
    }
}

fn insert(text: &str, doc: &Doc, key: &str, value: &str) -> String {
    let shared = |l: &Located| {
        let pairs = l.entry.key.split('.').zip(key.split('.'));
        pairs.take_while(|(x, y)| x == y).count()
    };
    // `max_by_key` keeps the last of equal maxima: new keys land after the last of their group.
    let best = (doc.entries.iter().map(|l| (shared(l), l)))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, l)| l);
    let indent = best.map_or("", |l| &text[l.indent.0..l.indent.1]);
    let raw = best.map_or("", |l| &text[l.key_end..l.val_start]);
    // A separator spanning a continuation is not a style to copy; an empty key needs `=`.
    let plain = !raw.is_empty() && !raw.contains(['\\', '\r', '\n']) && !key.is_empty();
    let sep = if plain { raw } else { "=" };
    let line = format!(
        "{indent}{}{sep}{}",
        escape(key, true, false),
        escape(value, false, !sep.contains(['=', ':']))
    );
    let mut at = best.map_or(text.len(), |l| l.next);
    if at == text.len() {
        at = doc.dangling.unwrap_or(at);
    }
    // Reuse the terminator of the line we follow: a `\n` after a lone `\r` would merge into CRLF.
    const ENDS: [&str; 3] = ["\r\n", "\r", "\n"];
    let first_end = text.find(['\r', '\n']).map_or("", |i| &text[i..]);
    let nl = (ENDS.iter().find(|t| text[..at].ends_with(*t)))
        .or_else(|| ENDS.iter().find(|t| first_end.starts_with(*t)))
        .map_or("\n", |t| *t);
    let (pre, post) = text.split_at(at);
    if post.is_empty() && !pre.is_empty() && !pre.ends_with(['\n', '\r']) {
        // No final newline: keep it that way.
        format!("{pre}{nl}{line}")
    } else {
        format!("{pre}{line}{nl}{post}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LOG4J: &str = "# CARBON_LOGFILE is a DailyRollingFileAppender\n\
        log4j.rootLogger=INFO, CARBON_CONSOLE, CARBON_LOGFILE\n\
        log4j.appender.CARBON_LOGFILE=org.wso2.carbon.utils.logging.appenders.CarbonDailyRollingFileAppender\n\
        log4j.appender.CARBON_LOGFILE.threshold=DEBUG\n\
        #log4j.appender.CARBON_LOGFILE.MaxFileSize=5MB\n\
        \n\
        log4j.appender.AUDIT_LOGFILE = org.apache.log4j.DailyRollingFileAppender\n";

    const LOG4J2: &str = "appenders = CARBON_CONSOLE, CARBON_LOGFILE\n\
        appender.CARBON_LOGFILE.type = RollingFile\n\
        appender.CARBON_LOGFILE.filePattern = ${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}.log\n\
        appender.CARBON_LOGFILE.policies.size.size=10MB\n\
        appender.CARBON_LOGFILE.filter.threshold.level = DEBUG\n\
        \n\
        loggers = AUDIT_LOG, trace-messages, \\\n\
        \t  org-apache-coyote, \\\n\
        \x20 com-hazelcast\n\
        \n\
        rootLogger.level = INFO\n";

    fn get_(t: &str, k: &str) -> String {
        get(t, k).unwrap_or_else(|| panic!("{k} missing"))
    }

    #[test]
    fn replace_keeps_key_separator_and_spacing() {
        let v = "org.wso2.carbon.utils.logging.appenders.CarbonRollingFileAppender";
        let t = set(LOG4J, "log4j.appender.CARBON_LOGFILE", v);
        assert_eq!(t, LOG4J.replace("CarbonDailyRolling", "CarbonRolling"));
        let t = set(LOG4J2, "appender.CARBON_LOGFILE.type", "Console");
        assert_eq!(t, LOG4J2.replace(".type = RollingFile", ".type = Console"));
    }

    #[test]
    fn colon_and_whitespace_separators() {
        let t = "a.b : one\nc.d\t two\ne.f\n";
        assert_eq!([get_(t, "a.b"), get_(t, "c.d")], ["one", "two"]);
        assert_eq!(set(t, "a.b", "1"), "a.b : 1\nc.d\t two\ne.f\n");
        // without `=`/`:` a leading `=` must be escaped; a bare key gains a separator
        assert_eq!(set(t, "c.d", "=x"), "a.b : one\nc.d\t \\=x\ne.f\n");
        assert_eq!(set(t, "e.f", "=x"), "a.b : one\nc.d\t two\ne.f==x\n");
    }

    #[test]
    fn continuation_value_replaced_on_one_line() {
        let old = "AUDIT_LOG, trace-messages, \\\n\t  org-apache-coyote, \\\n  com-hazelcast";
        let joined = "AUDIT_LOG, trace-messages, org-apache-coyote, com-hazelcast";
        assert_eq!(get_(LOG4J2, "loggers"), joined);
        assert_eq!(line_of(LOG4J2, "loggers"), Some(7));
        assert_eq!(line_of(LOG4J2, "rootLogger.level"), Some(11));
        let t = set(LOG4J2, "loggers", "AUDIT_LOG");
        assert_eq!(t, LOG4J2.replace(old, "AUDIT_LOG"));
    }

    #[test]
    fn escapes_in_key_and_value() {
        let t = "a\\=b\\:c\\ d=x\\ty\\u0041\\\\z\n";
        let e = Entry {
            key: "a=b:c d".into(),
            value: "x\tyA\\z".into(),
            line: 1,
        };
        assert_eq!(entries(t), vec![e]);
        let want = "a\\=b\\:c\\ d=\\ a\\\\b\\n:#\n";
        assert_eq!(set(t, "a=b:c d", " a\\b\n:#"), want);
    }

    #[test]
    fn last_occurrence_wins() {
        let t = "k=1\nx=0\nk = 2\n";
        assert_eq!((get_(t, "k"), line_of(t, "k")), ("2".into(), Some(3)));
        assert_eq!(set(t, "k", "3"), "k=1\nx=0\nk = 3\n");
    }

    #[test]
    fn insert_after_last_same_prefix_key_with_its_style() {
        let t = set(LOG4J, "log4j.appender.CARBON_LOGFILE.MaxFileSize", "10MB");
        let line = "threshold=DEBUG\nlog4j.appender.CARBON_LOGFILE.MaxFileSize=10MB\n";
        assert_eq!(t, LOG4J.replace("threshold=DEBUG\n", line));
        let t = set(LOG4J2, "appender.CARBON_LOGFILE.strategy.max", "20");
        let line = "level = DEBUG\nappender.CARBON_LOGFILE.strategy.max = 20\n";
        assert_eq!(t, LOG4J2.replace("level = DEBUG\n", line));
        // after the neighbour's last continuation line
        let t = set(LOG4J2, "loggers.x", "y");
        assert_eq!(
            t,
            LOG4J2.replace("hazelcast\n", "hazelcast\nloggers.x = y\n")
        );
    }

    #[test]
    fn insert_without_shared_prefix_appends() {
        assert_eq!(set("a.b=1\n", "c.d", "2"), "a.b=1\nc.d=2\n");
        assert_eq!(set("", "c", "2"), "c=2\n");
        // a dangling continuation at EOF would swallow an appended line
        let t = set("a=b\\", "c", "2");
        assert_eq!((get_(&t, "a"), get_(&t, "c")), ("b".into(), "2".into()));
    }

    #[test]
    fn crlf_and_missing_final_newline_kept() {
        let t = "#c\r\nsynapse.a=1\r\nother=2\r\n";
        let want = "#c\r\nsynapse.a=1\r\nsynapse.b=x\r\nother=2\r\n";
        assert_eq!(set(t, "synapse.b", "x"), want);
        assert_eq!(set(t, "z", "x"), format!("{t}z=x\r\n"));
        assert_eq!(set("a=1\r\nb=2", "c", "3"), "a=1\r\nb=2\r\nc=3");
        assert_eq!(set("a=1\nb=2", "b", "3"), "a=1\nb=3");
    }

    #[test]
    fn comments_never_match() {
        let (t, k) = ("#log4j.a.M=5MB\n  ! log4j.a.M=5MB\n", "log4j.a.M");
        assert!(entries(t).is_empty());
        assert_eq!(set(t, k, "10MB"), format!("{t}{k}=10MB\n"));
    }

    #[test]
    fn equal_value_is_byte_identical() {
        for t in [LOG4J, LOG4J2, "k = a\\\n   b  \n", "k=\\u0041\\:"] {
            for e in entries(t) {
                assert_eq!(set(t, &e.key, &get_(t, &e.key)), t);
            }
        }
    }

    #[test]
    fn file_pattern_replaced_intact() {
        let k = "appender.CARBON_LOGFILE.filePattern";
        let v = "${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}-%i.log";
        let t = set(LOG4J2, k, v);
        assert_eq!(t, LOG4J2.replace("yyyy}.log", "yyyy}-%i.log"));
        assert_eq!(get_(&t, k), v);
    }

    proptest! {
        #[test]
        fn set_then_get_round_trips(
            v in r"[ -~\\=:#! é€😀\t]{0,24}",
            k in prop::sample::select(&["appender.CARBON_LOGFILE.type", "loggers", "x.y", "a=b c"][..]),
            t in prop::sample::select(&[LOG4J, LOG4J2, "", "x=1", "a\\\n b=\\\r\n"][..]),
        ) {
            let once = set(t, k, &v);
            prop_assert_eq!(get(&once, k), Some(v.clone()));
            prop_assert_eq!(set(&once, k, &v), once.clone());
            let others = |s: &str| entries(s).into_iter().filter(|e| e.key != k).map(|e| e.value);
            prop_assert!(others(&once).eq(others(t)));
        }

        #[test]
        fn arbitrary_text_never_panics(t in r"[a.=: \t\\#!\r\nu0-9é]{0,40}", v in r"[ -~é]{0,6}") {
            let k = entries(&t).last().map(|e| e.key.clone()).unwrap_or_default();
            prop_assert_eq!(get(&set(&t, &k, &v), &k), Some(v));
        }
    }
}
#[cfg(test)]
mod continued_value {
    use super::*;

    /// Found by `arbitrary_text_never_panics`: emptying a value that starts on a continuation
    /// line after a lone `\r` joined that `\r` and the next `\n` into one line end, so the
    /// following line became the value.
    #[test]
    fn emptying_a_value_on_a_continuation_line_keeps_the_next_line_out() {
        let t = "a\t\\\r\\#\n!";
        assert_eq!(get(t, "a"), Some("#".to_string()));
        let out = set(t, "a", "");
        assert_eq!(get(&out, "a"), Some(String::new()));
        assert_eq!(entries(&out).len(), 1);
        let out = set("k = \\\n    v\nz=1\n", "k", "w");
        assert_eq!(get(&out, "k"), Some("w".to_string()));
        assert_eq!(get(&out, "z"), Some("1".to_string()));
    }
}
