//! Arrays of tables (`[[catalina.valves]]`): reading their entries, and appending one.
//!
//! Entries are read the way the product's templates (jinjava) iterate them: the tables of an
//! array of tables, the inline tables of an inline array, or, for a table written as a map
//! (`[catalina.valves.valve.properties]`), its values. Appending splices a new `[[path]]`
//! section after the array's last entry (or next to related tables), and is verified like
//! every other edit: one more entry holding exactly the new keys, every other leaf unchanged.

use toml_edit::{Item, TableLike, Value};

use super::{
    collect_headers, collect_leaves, dotted, insert_lines, line_end, lookup, new_table_position,
    render, same, TomlFile, TomlScalar,
};
use crate::formats::error::ParseError;

/// How the key at a path is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Collection {
    Absent,
    /// `[[path]]` sections or `path = [{…}, …]`, with their entries' leaves.
    Array(Vec<EntryLeaves>),
    /// A table whose values are tables (`[path.name.…]`): jinjava iterates the values.
    Map(Vec<EntryLeaves>),
    /// A scalar, or an array of plain values: not a collection of tables.
    Other,
}

/// One entry's leaves, by path relative to the entry.
pub type EntryLeaves = Vec<(Vec<String>, TomlScalar)>;

impl TomlFile {
    /// The entries of the collection at `path`.
    pub fn collection(&self, path: &[&str]) -> Collection {
        let raw = self.doc.raw();
        let Some((_, item)) = lookup(self.doc.as_table(), path) else {
            return Collection::Absent;
        };
        let leaves = |t: &dyn TableLike| {
            let mut out = Vec::new();
            collect_leaves(t, &mut Vec::new(), raw, &mut out);
            out.sort_by_key(|(offset, _)| *offset);
            out.into_iter()
                .map(|(_, leaf)| leaf)
                .collect::<EntryLeaves>()
        };
        match item {
            Item::ArrayOfTables(a) => Collection::Array(a.iter().map(|t| leaves(t)).collect()),
            Item::Value(Value::Array(a)) if a.iter().all(|v| v.is_inline_table()) => {
                Collection::Array(
                    a.iter()
                        .filter_map(Value::as_inline_table)
                        .map(|t| leaves(t))
                        .collect(),
                )
            }
            Item::Table(_) | Item::Value(Value::InlineTable(_)) => {
                let Some(t) = item.as_table_like() else {
                    return Collection::Other;
                };
                Collection::Map(
                    t.iter()
                        .filter_map(|(_, v)| v.as_table_like())
                        .map(leaves)
                        .collect(),
                )
            }
            _ => Collection::Other,
        }
    }
}

/// Appends a `[[path]]` entry holding `keys` (paths relative to the entry). Refused unless
/// `path` is absent or already an array of tables written as `[[path]]` sections.
pub fn append_entry(
    text: &str,
    file: &TomlFile,
    path: &[&str],
    keys: &[(Vec<String>, TomlScalar)],
) -> Result<(String, TomlFile), ParseError> {
    let name = path.join(".");
    let refuse = |why: String| ParseError::new(1, 1, why);
    let root = file.doc.as_table();
    let pos = match lookup(root, path) {
        None => {
            if path.len() > 1 && lookup(root, &path[..path.len() - 1]).is_some_and(|(_, i)| !i.is_table()) {
                return Err(refuse(format!("`{}` is not a table", path[..path.len() - 1].join("."))));
            }
            new_table_position(text, root, path)
        }
        Some((_, Item::ArrayOfTables(_))) => {
            // After the last entry's section and the sub-tables written under it.
            let mut headers = Vec::new();
            collect_headers(root, &mut Vec::new(), false, &mut headers);
            let end = headers
                .iter()
                .filter(|h| h.0.len() >= path.len() && h.0.iter().zip(path).all(|(a, b)| a == b))
                .map(|h| h.1.end)
                .max()
                .unwrap_or(text.len());
            line_end(text, end)
        }
        Some(_) => {
            return Err(refuse(format!(
                "`{name}` is not written as [[{name}]] sections (a map or an inline array); add the entry there by hand"
            )))
        }
    };
    let crlf = text.find('\n').is_some_and(|i| text[..i].ends_with('\r'));
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut lines = vec![format!("[[{}]]", dotted(path))];
    lines.extend(
        keys.iter()
            .map(|(k, v)| format!("{} = {}", dotted(k), render(v, ""))),
    );
    let out = insert_lines(text, pos, &lines, nl, (true, true));
    let new = verify_append(file, &out, path, keys)?;
    Ok((out, new))
}

fn verify_append(
    old: &TomlFile,
    out: &str,
    path: &[&str],
    keys: &[(Vec<String>, TomlScalar)],
) -> Result<TomlFile, ParseError> {
    let fail = |why: &str| ParseError::new(1, 1, format!("appending to {} {why}", path.join(".")));
    let new = TomlFile::parse(out).map_err(|e| fail(&format!("breaks the file: {}", e.message)))?;
    let count = |c: Collection| match c {
        Collection::Array(v) => Some(v),
        Collection::Absent => Some(Vec::new()),
        _ => None,
    };
    let (Some(before), Some(mut after)) =
        (count(old.collection(path)), count(new.collection(path)))
    else {
        return Err(fail("did not make an array of tables"));
    };
    let added = after.pop().unwrap_or_default();
    let wanted_ok = added.len() == keys.len()
        && keys
            .iter()
            .all(|(k, v)| added.iter().any(|(p, w)| p == k && same(v, w)));
    if before != after || !wanted_ok {
        return Err(fail("did not add exactly the new entry"));
    }
    let index = before.len().to_string();
    let others = |f: &TomlFile| {
        let mut v: Vec<_> = (f.leaves().into_iter())
            .filter(|l| {
                !(l.path.len() > path.len()
                    && l.path.iter().zip(path).all(|(a, b)| a == b)
                    && l.path[path.len()] == index)
            })
            .map(|l| (l.path, format!("{:?}", l.value)))
            .collect();
        v.sort();
        v
    };
    if others(old) != others(&new) {
        return Err(fail("would change other keys"));
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xss() -> Vec<(Vec<String>, TomlScalar)> {
        vec![(
            vec!["properties".into(), "className".into()],
            TomlScalar::String("org.wso2.carbon.ui.valve.XSSValve".into()),
        )]
    }

    #[test]
    fn appends_a_new_array_next_to_related_tables() {
        let text = "[server]\nhostname = \"a\"\n\n[catalina.access_log]\nenable = true\n\n[keystore.tls]\nfile_name = \"x.jks\"\n";
        let f = TomlFile::parse(text).unwrap();
        assert_eq!(f.collection(&["catalina", "valves"]), Collection::Absent);
        let (out, new) = append_entry(text, &f, &["catalina", "valves"], &xss()).unwrap();
        assert_eq!(
            out,
            "[server]\nhostname = \"a\"\n\n[catalina.access_log]\nenable = true\n\n[[catalina.valves]]\nproperties.className = \"org.wso2.carbon.ui.valve.XSSValve\"\n\n[keystore.tls]\nfile_name = \"x.jks\"\n"
        );
        assert!(
            matches!(new.collection(&["catalina", "valves"]), Collection::Array(v) if v.len() == 1)
        );
    }

    #[test]
    fn appends_after_the_last_entry_and_its_sub_tables_keeping_crlf() {
        let text = "[[catalina.valves]]\r\n[catalina.valves.properties]\r\nclassName = \"B\"\r\nx = 1\r\n\r\n[server]\r\nhostname = \"h\"";
        let f = TomlFile::parse(text).unwrap();
        let (out, _) = append_entry(text, &f, &["catalina", "valves"], &xss()).unwrap();
        assert_eq!(
            out,
            "[[catalina.valves]]\r\n[catalina.valves.properties]\r\nclassName = \"B\"\r\nx = 1\r\n\r\n[[catalina.valves]]\r\nproperties.className = \"org.wso2.carbon.ui.valve.XSSValve\"\r\n\r\n[server]\r\nhostname = \"h\""
        );
    }

    #[test]
    fn reads_the_map_form_as_jinjava_iterates_it_and_refuses_to_append_there() {
        let text = "[catalina.valves.valve.properties]\nclassName = \"org.wso2.carbon.ui.valve.XSSValve\"\n";
        let f = TomlFile::parse(text).unwrap();
        let Collection::Map(entries) = f.collection(&["catalina", "valves"]) else {
            panic!("a map");
        };
        assert_eq!(
            entries,
            [vec![(
                vec!["properties".to_string(), "className".to_string()],
                TomlScalar::String("org.wso2.carbon.ui.valve.XSSValve".into())
            )]]
        );
        let e = append_entry(text, &f, &["catalina", "valves"], &xss()).unwrap_err();
        assert!(e.message.contains("by hand"), "{}", e.message);
        let inline = "catalina.valves = [{ properties = { className = \"A\" } }]\n";
        let f = TomlFile::parse(inline).unwrap();
        assert!(
            matches!(f.collection(&["catalina", "valves"]), Collection::Array(v) if v.len() == 1)
        );
        assert!(append_entry(inline, &f, &["catalina", "valves"], &xss()).is_err());
    }
}
