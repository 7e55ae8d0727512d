//! Edits beyond setting one value: removing a key, lists written as TOML arrays, and one entry
//! of an array of tables found by a key (`[[tomcat.header_security_filters]]` with
//! `name = "hstsEnabled"`). Same contract as `set_in`: splice the original text, re-parse, and
//! refuse anything that changes another key.

use toml_edit::{ArrayOfTables, Item, Value};

use super::{
    basic_string, dotted, insert_lines, line_end, line_start, lookup, new_table_position, render,
    same, splice, value_scalar, TomlFile, TomlScalar,
};
use crate::formats::error::ParseError;

impl TomlScalar {
    /// The items of a list value: the elements of an array of strings, or `None` for any
    /// other value (a string list stays a string and is read as written).
    pub fn list(&self) -> Option<Vec<String>> {
        let TomlScalar::Other(raw) = self else {
            return None;
        };
        let Ok(Value::Array(array)) = raw.trim().parse::<Value>() else {
            return None;
        };
        array
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    }
}

/// `["TLSv1.2", "TLSv1.3"]`: a TOML array of strings.
pub fn string_array<S: AsRef<str>>(items: &[S]) -> TomlScalar {
    let items: Vec<String> = items.iter().map(|s| basic_string(s.as_ref())).collect();
    TomlScalar::Other(format!("[{}]", items.join(", ")))
}

fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Removes the key at `path`, with its line (a trailing comment on that line goes with it).
/// Refused inside an inline table or when other content shares the line.
pub fn remove_in(
    text: &str,
    file: &TomlFile,
    path: &[&str],
) -> Result<(String, TomlFile), ParseError> {
    let name = path.join(".");
    let (key, item) = lookup(file.doc.as_table(), path)
        .ok_or_else(|| ParseError::new(1, 1, format!("`{name}` is not in the file")))?;
    let key_at = key.span().map_or(0, |s| s.start);
    let refuse = |why: &str| {
        Err(ParseError::at(
            text,
            key_at,
            format!("`{name}` {why}; not removed"),
        ))
    };
    let Item::Value(value) = item else {
        return refuse("is a table");
    };
    let Some(value_span) = value.span() else {
        return refuse("has no position");
    };
    let start = line_start(text, key_at);
    let before = &text[start..key_at];
    if before.contains(['{', ',', '=', '[']) {
        return refuse("shares its line with other keys (an inline table)");
    }
    let end = line_end(text, value_span.end);
    let after = text[value_span.end..end].trim();
    if !after.is_empty() && !after.starts_with('#') {
        return refuse("shares its line with other content");
    }
    let out = splice(text, start..end, "");
    let new = TomlFile::parse(&out).map_err(|e| {
        ParseError::new(
            e.line,
            e.col,
            format!("removing {name} breaks the file: {}", e.message),
        )
    })?;
    let others = |f: &TomlFile| {
        let mut v: Vec<_> = f
            .leaves()
            .into_iter()
            .filter(|l| l.path.iter().map(String::as_str).ne(path.iter().copied()))
            .map(|l| (l.path, format!("{:?}", l.value)))
            .collect();
        v.sort();
        v
    };
    if new.get(path).is_some() || others(file) != others(&new) {
        return refuse("cannot be removed alone");
    }
    Ok((out, new))
}

/// One entry of an array of tables: the table of `array` whose `key` is `name`, and its `field`.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub array: &'a [&'a str],
    pub key: &'a str,
    pub name: &'a str,
    pub field: &'a str,
}

/// Where an entry stands in a file.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryState {
    /// The array is not in the file (the product's default array applies).
    NoArray,
    /// The array is written in a form the tool does not edit (an inline array).
    Inline,
    /// No entry has that name.
    NoEntry,
    /// The entry, with its field's value (`None`: absent).
    Field(Option<TomlScalar>),
}

/// What a path holds, seen as an array of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tables {
    Absent,
    /// `[[…]]` elements, addressed as `path.0`, `path.1`, …
    Count(usize),
    /// Something else (an inline array of tables, a value), at this line.
    Other(usize),
}

impl TomlFile {
    /// How many `[[path]]` elements the file has.
    pub fn tables(&self, path: &[&str]) -> Tables {
        match lookup(self.doc.as_table(), path) {
            None => Tables::Absent,
            Some((_, Item::ArrayOfTables(aot))) => Tables::Count(aot.len()),
            Some(_) => Tables::Other(self.line_of(path).unwrap_or(1)),
        }
    }

    pub fn entry(&self, e: &Entry) -> EntryState {
        match lookup(self.doc.as_table(), e.array) {
            None => EntryState::NoArray,
            Some((_, Item::ArrayOfTables(aot))) => match find(aot, e) {
                None => EntryState::NoEntry,
                Some(i) => {
                    let field = aot
                        .get(i)
                        .and_then(|t| t.get(e.field))
                        .and_then(Item::as_value);
                    EntryState::Field(field.map(|v| value_scalar(v, self.doc.raw())))
                }
            },
            Some(_) => EntryState::Inline,
        }
    }
}

fn find(aot: &ArrayOfTables, e: &Entry) -> Option<usize> {
    aot.iter()
        .position(|t| t.get(e.key).and_then(Item::as_str) == Some(e.name))
}

/// Sets the entry's field to `value`: in place, as a new key of the entry, as a new entry
/// after the array's last one, or, when the file has no array, as the whole array: `defaults`
/// (the product's default entries, as `(key, value)` lines) with this entry set. Writing the
/// array replaces the product's default, so its entries must all be written.
pub fn set_entry(
    text: &str,
    file: &TomlFile,
    e: &Entry,
    value: &TomlScalar,
    defaults: &[Vec<(String, TomlScalar)>],
) -> Result<(String, TomlFile), ParseError> {
    let nl = newline(text);
    let header = format!("[[{}]]", dotted(e.array));
    let entry_lines = |fields: &[(String, TomlScalar)]| {
        let mut lines = vec![header.clone()];
        lines.extend(
            fields
                .iter()
                .map(|(k, v)| format!("{} = {}", dotted(&[k]), render(v, ""))),
        );
        lines
    };
    let ours = vec![
        (e.key.to_string(), TomlScalar::String(e.name.to_string())),
        (e.field.to_string(), value.clone()),
    ];
    let root = file.doc.as_table();
    let out = match lookup(root, e.array) {
        Some((_, Item::ArrayOfTables(aot))) => match find(aot, e) {
            Some(i) => {
                let table = aot
                    .get(i)
                    .ok_or_else(|| ParseError::new(1, 1, "entry vanished"))?;
                match table.get(e.field).and_then(Item::as_value) {
                    Some(old) => {
                        let span = old.span().unwrap_or_default();
                        splice(text, span.clone(), &render(value, &text[span]))
                    }
                    None => {
                        let end = table.span().map_or(text.len(), |s| s.end);
                        let line = format!("{} = {}", dotted(&[e.field]), render(value, ""));
                        insert_lines(text, line_end(text, end), &[line], nl, (false, false))
                    }
                }
            }
            None => {
                let end = aot.iter().filter_map(|t| t.span()).map(|s| s.end).max();
                let at = end.map_or(text.len(), |end| line_end(text, end));
                insert_lines(text, at, &entry_lines(&ours), nl, (true, true))
            }
        },
        Some((key, _)) => {
            let at = key.span().map_or(0, |s| s.start);
            return Err(ParseError::at(
                text,
                at,
                format!(
                    "`{}` is an inline array; add the entry by hand",
                    e.array.join(".")
                ),
            ));
        }
        None => {
            let mut lines = Vec::new();
            let mut written = false;
            for fields in defaults {
                let is_ours = fields
                    .iter()
                    .any(|(k, v)| k == e.key && *v == TomlScalar::String(e.name.into()));
                let fields: Vec<(String, TomlScalar)> = fields
                    .iter()
                    .map(|(k, v)| match (is_ours, k == e.field) {
                        (true, true) => (k.clone(), value.clone()),
                        _ => (k.clone(), v.clone()),
                    })
                    .collect();
                written |= is_ours;
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.extend(entry_lines(&fields));
            }
            if !written {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.extend(entry_lines(&ours));
            }
            let at = new_table_position(text, root, e.array);
            insert_lines(text, at, &lines, nl, (true, true))
        }
    };
    verify_entry(file, &out, e, value)
}

/// The entry reads back with the new value, and every leaf outside the array is unchanged;
/// inside it, only the entry's field differs or new leaves appear.
fn verify_entry(
    old: &TomlFile,
    out: &str,
    e: &Entry,
    want: &TomlScalar,
) -> Result<(String, TomlFile), ParseError> {
    let what = format!("{}[{}={}].{}", e.array.join("."), e.key, e.name, e.field);
    let fail = |why: String| ParseError::new(1, 1, format!("editing {what} {why}"));
    let new =
        TomlFile::parse(out).map_err(|err| fail(format!("breaks the file: {}", err.message)))?;
    match new.entry(e) {
        EntryState::Field(Some(v)) if same(&v, want) => {}
        _ => return Err(fail("did not take effect".into())),
    }
    let in_array =
        |p: &[String]| p.len() > e.array.len() && p.iter().zip(e.array).all(|(a, b)| a == b);
    let index = match lookup(old.doc.as_table(), e.array) {
        Some((_, Item::ArrayOfTables(aot))) => find(aot, e).map(|i| i.to_string()),
        _ => None,
    };
    let ours = |p: &[String]| {
        in_array(p)
            && p.len() == e.array.len() + 2
            && Some(&p[e.array.len()]) == index.as_ref()
            && p[e.array.len() + 1] == e.field
    };
    // both sides' leaves sorted by path (paths are unique): each old leaf is looked up, not
    // searched for, and compared without formatting
    let new_leaves = new.sorted_leaves();
    for (path, value) in old.sorted_leaves() {
        let kept = new_leaves
            .binary_search_by(|(p, _)| p.cmp(path))
            .is_ok_and(|i| new_leaves.get(i).is_some_and(|l| same(&l.1, value)));
        if !kept && !ours(path) {
            return Err(fail("would change other keys".into()));
        }
    }
    let outside = |f: &TomlFile| {
        f.sorted_leaves()
            .iter()
            .filter(|(p, _)| !in_array(p))
            .count()
    };
    if outside(old) != outside(&new) {
        return Err(fail("would add keys outside the array".into()));
    }
    Ok((out.to_string(), new))
}

#[cfg(test)]
mod tests;
