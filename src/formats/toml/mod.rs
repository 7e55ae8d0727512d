//! Lossless deployment.toml editor: semantic key lookup, in-place value edits, new keys placed next to related ones.
//!
//! Every edit splices the original text at the byte spans toml_edit reports for an unmodified
//! `ImDocument`; nothing is re-rendered, so bytes outside the edit (CRLF, comments, odd spacing)
//! survive. Each edit is re-parsed and checked before it is returned: the target must read back
//! as the new value and every other leaf must be unchanged.
//!
//! Paths are semantic: `[a.b] c = 1`, `[a] b.c = 1`, `a.b.c = 1` and `[a] b = { c = 1 }` all hold
//! `["a", "b", "c"]`. Arrays of tables are never edited in place; an entry can be appended
//! (`array.rs`). `get`, `line_of` and `leaves` reach into
//! them only through an explicit element index segment (`["event_listener", "0", "id"]`), which
//! is how `leaves` reports them; a plain path through an array of tables finds nothing.

mod array;

use std::ops::Range;

pub use array::{append_entry, Collection, EntryLeaves};

use toml_edit::{ImDocument, InlineTable, Item, Key, Table, TableLike, Value};

use crate::formats::error::{line_col, ParseError};

#[derive(Debug, Clone, PartialEq)]
pub enum TomlScalar {
    String(String),
    Integer(i64),
    Bool(bool),
    Float(f64),
    /// Raw text of an array, date-time or inline table, exactly as written.
    Other(String),
}

/// One scalar value with its full path and the 1-based line of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct TomlLeaf {
    pub path: Vec<String>,
    pub value: TomlScalar,
    pub line: usize,
}

/// A parsed deployment.toml that still knows the byte spans of its source.
#[derive(Debug, Clone)]
pub struct TomlFile {
    doc: ImDocument<String>,
    /// Every leaf (path, value) sorted by path, made once per parse: an edit's verification
    /// compares the leaves before and after, and the parse after is the next edit's before.
    sorted: std::sync::OnceLock<Vec<(Vec<String>, TomlScalar)>>,
}

impl TomlFile {
    pub fn parse(text: &str) -> Result<TomlFile, ParseError> {
        ImDocument::parse(text.to_owned())
            .map(|doc| TomlFile {
                doc,
                sorted: std::sync::OnceLock::new(),
            })
            .map_err(|e| {
                let at = e.span().map_or(0, |s| s.start);
                ParseError::at(text, at, e.message().trim_end().replace('\n', "; "))
            })
    }

    pub fn get(&self, path: &[&str]) -> Option<TomlScalar> {
        let (_, item) = lookup(self.doc.as_table(), path)?;
        Some(value_scalar(item.as_value()?, self.doc.raw()))
    }

    /// Line of the key; for a `[header]` table, the line of its header.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        let (key, item) = lookup(self.doc.as_table(), path)?;
        let offset = match item {
            Item::Table(t) if is_header(t) => t.span().map(|s| s.start),
            _ => None,
        }
        .or_else(|| key.span().map(|s| s.start))?;
        Some(line_col(self.doc.raw(), offset).0)
    }

    /// Every leaf with its path, sorted by path (paths are unique in a TOML document).
    fn sorted_leaves(&self) -> &[(Vec<String>, TomlScalar)] {
        self.sorted.get_or_init(|| {
            let mut out = Vec::new();
            collect_leaves(
                self.doc.as_table(),
                &mut Vec::new(),
                self.doc.raw(),
                &mut out,
            );
            let mut v: Vec<_> = out.into_iter().map(|(_, leaf)| leaf).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        })
    }

    /// Every scalar leaf in document order. Inline tables are flattened; arrays are one
    /// `Other` leaf; array-of-tables elements appear under an index segment ("0", "1", ...).
    pub fn leaves(&self) -> Vec<TomlLeaf> {
        let raw = self.doc.raw();
        let mut out = Vec::new();
        collect_leaves(self.doc.as_table(), &mut Vec::new(), raw, &mut out);
        out.sort_by_key(|(offset, _)| *offset);
        // One pass over the text for all leaves, not one per leaf.
        let newlines: Vec<usize> = raw
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i)
            .collect();
        out.into_iter()
            .map(|(offset, (path, value))| TomlLeaf {
                path,
                value,
                line: newlines.partition_point(|&n| n < offset) + 1,
            })
            .collect()
    }
}

/// Returns the new full text; returns `text` unchanged (byte-identical) when the key already holds that value.
pub fn set(text: &str, path: &[&str], value: &TomlScalar) -> Result<String, ParseError> {
    let file = TomlFile::parse(text)?;
    Ok(set_in(text, &file, path, value)?.0)
}

/// `set` with the text's parse at hand (`file` must be `TomlFile::parse(text)`); also returns
/// the parse of the new text that verified it (None when nothing changed).
pub fn set_in(
    text: &str,
    file: &TomlFile,
    path: &[&str],
    value: &TomlScalar,
) -> Result<(String, Option<TomlFile>), ParseError> {
    let Some((leaf, parent)) = path.split_last() else {
        return Err(ParseError::new(1, 1, "empty key path"));
    };
    let expected = normalized(value)?;
    let crlf = text.find('\n').is_some_and(|i| text[..i].ends_with('\r'));
    let nl = if crlf { "\r\n" } else { "\n" };
    let root = file.doc.as_table();
    let out = match resolve(root, path, text)? {
        Target::Existing(old) => {
            if same(&value_scalar(old, text), &expected) {
                return Ok((text.to_owned(), None));
            }
            let span = old.span().unwrap_or_default();
            splice(text, span.clone(), &render(value, &text[span]))
        }
        Target::IntoTable(owner, from) => insert_into_table(text, owner, &path[from..], value, nl),
        Target::IntoInline(table, from) => insert_into_inline(text, table, &path[from..], value),
        Target::NewTable => {
            let header = format!("[{}]", dotted(parent));
            let kv = format!("{} = {}", dotted(&[leaf]), render(value, ""));
            let pos = new_table_position(text, root, parent);
            insert_lines(text, pos, &[header, kv], nl, (true, true))
        }
    };
    let new = verify(file, &out, path, &expected)?;
    Ok((out, Some(new)))
}

enum Target<'a> {
    Existing(&'a Value),
    /// `path[from..] = value` as a new line of a header table's (or the root's) section.
    IntoTable(&'a Table, usize),
    /// `path[from..] = value` inside the braces of an inline table.
    IntoInline(&'a InlineTable, usize),
    /// A new `[parent]` table holding the key.
    NewTable,
}

const TABLE: &str = "is a table, not a value";

/// Finds where `path` lives or should go; refuses paths through values. An array of tables is
/// entered only through an element index (`custom_transport.0.properties.x`), and a new table
/// is never made inside one of its elements.
fn resolve<'a>(root: &'a Table, path: &[&str], text: &str) -> Result<Target<'a>, ParseError> {
    // Each table with the index in `path` where its own keys start.
    let (mut tables, mut inline) = (vec![(root, 0)], None);
    let mut in_array = false;
    let mut cur: &dyn TableLike = root;
    let mut i = 0;
    while let Some(seg) = path.get(i) {
        let Some((key, item)) = cur.get_key_value(seg) else {
            break;
        };
        let last = i + 1 == path.len();
        let at = key.span().map_or(0, |s| s.start);
        let fail = |what: &str| Err(ParseError::at(text, at, format!("`{}` {what}", key.get())));
        cur = match item {
            Item::Value(Value::InlineTable(t)) if last && t.is_dotted() => return fail(TABLE),
            Item::Value(v) if last => return Ok(Target::Existing(v)),
            Item::Table(_) if last => return fail(TABLE),
            // `{ f.g = 1 }` makes `f` a dotted inline table, which has no braces of its own.
            Item::Value(Value::InlineTable(t)) => {
                if !t.is_dotted() {
                    inline = Some((t, i + 1));
                }
                t
            }
            Item::Table(t) => {
                tables.push((t, i + 1));
                t
            }
            Item::ArrayOfTables(array) => {
                let element = path
                    .get(i + 1)
                    .filter(|_| i + 2 < path.len())
                    .and_then(|ix| ix.parse::<usize>().ok())
                    .and_then(|ix| array.get(ix));
                let Some(t) = element else {
                    return fail("is an array of tables: only a key of one element is edited");
                };
                i += 1;
                in_array = true;
                tables.push((t, i + 1));
                t
            }
            _ => return fail("holds a value, not a table"),
        };
        i += 1;
    }
    if let Some((table, from)) = inline {
        return Ok(Target::IntoInline(table, from));
    }
    let n = path.len();
    let (d, deepest) = (tables.len() - 1, tables[tables.len() - 1].1);
    // Dotted keys are written in the section of their nearest non-dotted ancestor.
    let j = tables.iter().rposition(|t| !t.0.is_dotted()).unwrap_or(0);
    let owner_ok = j == 0 || is_header(tables[j].0);
    if owner_ok && (deepest + 1 == n || (deepest + 2 == n && j == d && d > 0)) {
        return Ok(Target::IntoTable(tables[j].0, tables[j].1));
    }
    if in_array {
        let m = format!(
            "`{}` needs a new table inside an array-of-tables element",
            path.join(".")
        );
        return Err(ParseError::new(1, 1, m));
    }
    Ok(Target::NewTable)
}

/// Walks tables and inline tables; an array of tables only through a numeric segment.
fn lookup<'a>(root: &'a Table, path: &[&str]) -> Option<(&'a Key, &'a Item)> {
    let (mut table, mut rest): (&dyn TableLike, _) = (root, path);
    loop {
        let (seg, tail) = rest.split_first()?;
        let found = table.get_key_value(seg)?;
        if tail.is_empty() {
            return Some(found);
        }
        (table, rest) = match found.1 {
            Item::ArrayOfTables(array) => {
                let (index, tail) = tail.split_first()?;
                (array.get(index.parse().ok()?)? as &dyn TableLike, tail)
            }
            item => (item.as_table_like()?, tail),
        };
    }
}

fn value_scalar(v: &Value, raw: &str) -> TomlScalar {
    match v {
        Value::String(s) => TomlScalar::String(s.value().clone()),
        Value::Integer(i) => TomlScalar::Integer(*i.value()),
        Value::Float(f) => TomlScalar::Float(*f.value()),
        Value::Boolean(b) => TomlScalar::Bool(*b.value()),
        other => TomlScalar::Other(
            raw.get(other.span().unwrap_or_default())
                .unwrap_or("")
                .into(),
        ),
    }
}

type RawLeaf = (usize, (Vec<String>, TomlScalar));

fn collect_leaves(table: &dyn TableLike, at: &mut Vec<String>, raw: &str, out: &mut Vec<RawLeaf>) {
    for (name, item) in table.iter() {
        at.push(name.to_owned());
        match item {
            Item::Value(Value::InlineTable(t)) => collect_leaves(t, at, raw, out),
            Item::Value(v) => {
                let key = table.get_key_value(name).and_then(|(k, _)| k.span());
                let offset = key.map_or(0, |s| s.start);
                out.push((offset, (at.clone(), value_scalar(v, raw))));
            }
            Item::Table(t) => collect_leaves(t, at, raw, out),
            Item::ArrayOfTables(array) => {
                for (i, t) in array.iter().enumerate() {
                    at.push(i.to_string());
                    collect_leaves(t, at, raw, out);
                    at.pop();
                }
            }
            Item::None => {}
        }
        at.pop();
    }
}

/// A table opened by its own `[header]` (not implicit, not created by dotted keys).
fn is_header(t: &Table) -> bool {
    !t.is_implicit() && !t.is_dotted()
}

/// Equal as their `Debug` forms are (exact for floats, `-0.0` apart from `0.0`, NaN equal to
/// itself whatever its sign or payload), without formatting them.
fn same(a: &TomlScalar, b: &TomlScalar) -> bool {
    match (a, b) {
        (TomlScalar::String(x), TomlScalar::String(y)) => x == y,
        (TomlScalar::Other(x), TomlScalar::Other(y)) => x == y,
        (TomlScalar::Integer(x), TomlScalar::Integer(y)) => x == y,
        (TomlScalar::Bool(x), TomlScalar::Bool(y)) => x == y,
        (TomlScalar::Float(x), TomlScalar::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        _ => false,
    }
}

/// The value as `get` will report it once written; rejects an `Other` that is not one TOML value.
fn normalized(value: &TomlScalar) -> Result<TomlScalar, ParseError> {
    let repr = render(value, "");
    let probe = format!("x = {repr}");
    let bad = || ParseError::new(1, 1, format!("`{repr}` is not a single TOML value"));
    let doc = ImDocument::parse(probe.as_str()).map_err(|_| bad())?;
    match doc.get("x").and_then(Item::as_value) {
        Some(v) if v.span().is_some_and(|s| s.end == probe.len()) => Ok(value_scalar(v, &probe)),
        _ => Err(bad()),
    }
}

/// Natural TOML repr; a string keeps a literal (`'...'`) `old` repr's style when it can.
fn render(value: &TomlScalar, old: &str) -> String {
    match value {
        TomlScalar::String(s) if old.starts_with('\'') && literal_ok(s) => format!("'{s}'"),
        TomlScalar::String(s) => basic_string(s),
        TomlScalar::Integer(i) => i.to_string(),
        TomlScalar::Bool(b) => b.to_string(),
        // Display gives NaN, inf and -inf; TOML spells them nan, inf and -inf.
        TomlScalar::Float(f) if !f.is_finite() => f.to_string().to_lowercase(),
        // Debug always keeps a `.0` or exponent, which TOML needs to read it back as a float.
        TomlScalar::Float(f) => format!("{f:?}"),
        TomlScalar::Other(raw) => raw.trim().to_owned(),
    }
}

/// Literal strings cannot hold `'` or control characters other than tab.
fn literal_ok(s: &str) -> bool {
    !s.chars()
        .any(|c| c == '\'' || (c.is_control() && c != '\t'))
}

fn basic_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out + "\""
}

/// Dotted key with each segment bare when TOML allows it, else quoted.
fn dotted<S: AsRef<str>>(path: &[S]) -> String {
    let key = |s: &str| match s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
    {
        true if !s.is_empty() => s.to_owned(),
        _ => basic_string(s),
    };
    let keys: Vec<String> = path.iter().map(|s| key(s.as_ref())).collect();
    keys.join(".")
}

fn splice(text: &str, span: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..span.start], &text[span.end..])
}

/// Key and value spans of the key/values written in `table`'s own section, dotted ones included.
fn section_kvs(table: &Table, out: &mut Vec<(Range<usize>, Range<usize>)>) {
    for (name, item) in table.iter() {
        match item {
            Item::Value(v) => {
                let key = table.get_key_value(name).and_then(|(k, _)| k.span());
                if let (Some(k), Some(v)) = (key, v.span()) {
                    out.push((k, v));
                }
            }
            Item::Table(t) if t.is_dotted() => section_kvs(t, out),
            _ => {}
        }
    }
}

/// Adds `rel = value` after the section's last key/value, in the indentation of that line and
/// the `=` spacing most of the section's keys use.
fn insert_into_table(text: &str, owner: &Table, rel: &[&str], v: &TomlScalar, nl: &str) -> String {
    let mut kvs = Vec::new();
    section_kvs(owner, &mut kvs);
    let seps: Vec<&str> = (kvs.iter())
        .filter_map(|(k, v)| text.get(k.end..v.start))
        .filter(|s| s.contains('=') && s.chars().all(|c| matches!(c, ' ' | '\t' | '=')))
        .collect();
    let count = |s: &&&str| seps.iter().filter(|t| t == s).count();
    let sep = seps.iter().rev().max_by_key(count).unwrap_or(&" = ");
    let indent = kvs.iter().max_by_key(|(_, v)| v.end).map_or("", |(k, _)| {
        let line = &text[line_start(text, k.start)..k.start];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    });
    let line = [format!("{indent}{}{sep}{}", dotted(rel), render(v, ""))];
    // A table's span runs from its header to its last value; the root's starts at 0.
    match owner.span().map_or(0, |s| s.end) {
        0 => insert_lines(text, 0, &line, nl, (false, true)),
        end => insert_lines(text, line_end(text, end), &line, nl, (false, false)),
    }
}

fn insert_into_inline(text: &str, t: &InlineTable, rel: &[&str], v: &TomlScalar) -> String {
    let span = t.span().unwrap_or_default();
    // Without braces where the span says, nothing is written and `verify` reports it.
    let Some(inner) = text.get(span.start + 1..span.end.saturating_sub(1)) else {
        return text.to_owned();
    };
    let kv = format!("{} = {}", dotted(rel), render(v, ""));
    let at = span.start + 1 + inner.trim_end().len();
    match inner.trim().is_empty() {
        true => splice(text, span, &format!("{{ {kv} }}")),
        false => splice(text, at..at, &format!(", {kv}")),
    }
}

/// Where a new `[parent]` table goes: after the block of the last header sharing the longest
/// path prefix with it, else (or when that header is an array of tables) at the end.
fn new_table_position(text: &str, root: &Table, parent: &[&str]) -> usize {
    let mut headers = Vec::new();
    collect_headers(root, &mut Vec::new(), false, &mut headers);
    headers.sort_by_key(|h| h.1.start);
    let common = |p: &[String]| p.iter().zip(parent).take_while(|(a, b)| a == *b).count();
    // max_by_key returns the last of equal maxima.
    let anchor = (headers.iter().enumerate()).max_by_key(|(_, h)| common(&h.0));
    let Some((first, (base, _, false))) = anchor.filter(|(_, h)| common(&h.0) > 0) else {
        return text.len();
    };
    let block = headers[first..]
        .iter()
        .take_while(|h| h.0.starts_with(base));
    let pos = line_end(text, block.map(|h| h.1.end).max().unwrap_or(text.len()));
    // Commented-out keys right under the block belong to it, unless they lead into a header.
    let mut q = pos;
    while q < text.len() && text[q..line_end(text, q)].trim_start().starts_with('#') {
        q = line_end(text, q);
    }
    if q == text.len() || is_blank(&text[q..line_end(text, q)]) {
        q
    } else {
        pos
    }
}

/// Explicit headers as (path, span from header to last value, inside an array of tables).
type Header = (Vec<String>, Range<usize>, bool);

fn collect_headers(table: &Table, prefix: &mut Vec<String>, in_array: bool, out: &mut Vec<Header>) {
    // `prefix` is left as it was given (every segment pushed is popped), so it is shared
    // down the recursion instead of copied per table.
    fn visit(t: &Table, prefix: &mut Vec<String>, in_array: bool, out: &mut Vec<Header>) {
        if let (true, Some(span)) = (is_header(t), t.span()) {
            out.push((prefix.clone(), span, in_array));
        }
        collect_headers(t, prefix, in_array, out);
    }
    for (name, item) in table.iter() {
        prefix.push(name.to_owned());
        match item {
            Item::Table(t) => visit(t, prefix, in_array, out),
            Item::ArrayOfTables(array) => array.iter().for_each(|t| visit(t, prefix, true, out)),
            _ => {}
        }
        prefix.pop();
    }
}

/// Start of the line holding byte `at`. Searched on bytes: `at` may sit inside a multi-byte
/// char (one past the end of a last line that ends in `é`), and `\n` never does.
fn line_start(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    (text.as_bytes()[..at].iter())
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// Offset just past the newline ending the line that contains `at`, or the end of the text.
fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    (text.as_bytes()[at..].iter())
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i + 1)
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Inserts whole lines at a line start `pos` (or at the end), optionally set off by a blank
/// line before/after. A file without a final newline keeps lacking one.
fn insert_lines(text: &str, pos: usize, lines: &[String], nl: &str, blank: (bool, bool)) -> String {
    let body = lines.join(nl);
    let prev_blank = pos == 0 || is_blank(&text[line_start(text, pos - 1)..pos]);
    let before = if blank.0 && !prev_blank { nl } else { "" };
    if pos < text.len() {
        let next_blank = is_blank(&text[pos..line_end(text, pos)]);
        let after = if blank.1 && !next_blank { nl } else { "" };
        splice(text, pos..pos, &format!("{before}{body}{nl}{after}"))
    } else if text.is_empty() || text.ends_with('\n') {
        format!("{text}{before}{body}{nl}")
    } else {
        format!("{text}{nl}{before}{body}")
    }
}

/// Re-reads the edit: the target must hold the new value and every other leaf must be as before.
fn verify(
    old: &TomlFile,
    out: &str,
    path: &[&str],
    want: &TomlScalar,
) -> Result<TomlFile, ParseError> {
    let fail = |line, col, why: &str| {
        ParseError::new(line, col, format!("editing {} {why}", path.join(".")))
    };
    let new = TomlFile::parse(out)
        .map_err(|e| fail(e.line, e.col, &format!("breaks the file: {}", e.message)))?;
    if !new.get(path).is_some_and(|v| same(&v, want)) {
        return Err(fail(1, 1, "did not take effect"));
    }
    // every other leaf as before: both sides sorted by path, compared without copies
    let other = |l: &&(Vec<String>, TomlScalar)| {
        l.0.len() < path.len() || l.0.iter().zip(path).any(|(a, b)| a != b)
    };
    let mut before = old.sorted_leaves().iter().filter(other);
    let mut after = new.sorted_leaves().iter().filter(other);
    loop {
        match (before.next(), after.next()) {
            (None, None) => break,
            (Some(a), Some(b)) if a.0 == b.0 && same(&a.1, &b.1) => {}
            _ => return Err(fail(1, 1, "would change other keys")),
        }
    }
    Ok(new)
}

mod entries;
pub use entries::{remove_in, set_entry, string_array, Entry, EntryState, Tables};

#[cfg(test)]
mod tests;
