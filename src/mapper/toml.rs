//! `TomlParser`: deployment.toml flattened into dotted keys, as tomlj's `dottedKeySet()` gives
//! them to the mapper. Tables (and inline tables) are walked depth-first in the order their keys
//! first appear; a segment that is not a bare key is quoted (`"…"` by tomlj, turned into `'…'`
//! by the mapper); arrays stay values, and each table inside an array becomes an ordered map of
//! its own dotted keys (`[[apim.gateway.environment]]` → a list of maps). Empty tables vanish.
//! `[secrets]` and `[runtime_secrets]` are collected for the `$secret{}` check.

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::origin::{Entry, Origin};
use super::value::{JMap, JValue};
use super::MapError;

/// The flattened document: keys in tomlj's order, and the secret aliases it defines.
#[derive(Debug)]
pub struct Flattened {
    pub entries: Vec<(String, Entry)>,
    pub secrets: Vec<(String, JValue)>,
}

fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A key segment as the mapper spells it: bare, or `'…'`.
pub fn quote_segment(seg: &str) -> String {
    if is_bare(seg) {
        seg.to_string()
    } else {
        format!("'{}'", seg.replace('"', "'"))
    }
}

struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }
    fn line_of(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= offset)).max(1) as u32
    }
}

pub fn flatten(text: &str, path: &std::path::Path) -> Result<Flattened, MapError> {
    let doc = ImDocument::parse(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| {
                let lines = Lines::new(text);
                let line = lines.line_of(s.start);
                let start = lines.starts.get(line as usize - 1).copied().unwrap_or(0);
                (line, (s.start - start + 1) as u32)
            })
            .unwrap_or((1, 1));
        MapError::at(
            path,
            line,
            col,
            format!(
                "{} (the product refuses to start: \"Error parsing deployment configuration\")",
                e.message().trim_end()
            ),
        )
    })?;
    let lines = Lines::new(text);
    let mut entries = Vec::new();
    walk(doc.as_table(), "", &lines, &mut entries);
    let mut secrets = Vec::new();
    for (table, strip_quotes) in [("secrets", true), ("runtime_secrets", false)] {
        if let Some(t) = doc.get(table).and_then(Item::as_table_like) {
            let mut flat = Vec::new();
            walk(t, "", &lines, &mut flat);
            for (k, e) in flat {
                // `extractQuotedContent`: a key quoted as a whole loses its quotes.
                let k = match k.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
                    Some(inner) if strip_quotes => inner.to_string(),
                    _ => k,
                };
                secrets.push((k, e.value));
            }
        }
    }
    Ok(Flattened { entries, secrets })
}

fn walk(table: &dyn TableLike, prefix: &str, lines: &Lines, out: &mut Vec<(String, Entry)>) {
    for (k, item) in table.iter() {
        let key = format!("{prefix}{}", quote_segment(k));
        let line = table
            .get_key_value(k)
            .and_then(|(key, item)| key.span().or_else(|| item.span()))
            .map_or(0, |s| lines.line_of(s.start));
        match item {
            Item::None => {}
            Item::Table(t) => walk(t, &format!("{key}."), lines, out),
            Item::Value(Value::InlineTable(t)) => walk(t, &format!("{key}."), lines, out),
            Item::Value(v) => {
                let value = convert(v);
                out.push((key.clone(), Entry::new(value, Origin::Toml { key, line })));
            }
            Item::ArrayOfTables(a) => {
                let list = a.iter().map(|t| JValue::Map(element(t, lines))).collect();
                out.push((
                    key.clone(),
                    Entry::new(JValue::List(list), Origin::Toml { key, line }),
                ));
            }
        }
    }
}

/// A table inside an array: `processTomlMap`, its own dotted keys in order.
fn element(table: &dyn TableLike, lines: &Lines) -> JMap {
    let mut flat = Vec::new();
    walk(table, "", lines, &mut flat);
    flat.into_iter().map(|(k, e)| (k, e.value)).collect()
}

fn convert(v: &Value) -> JValue {
    match v {
        Value::String(s) => JValue::Str(s.value().clone()),
        Value::Integer(i) => JValue::Long(*i.value()),
        Value::Float(f) => JValue::Double(*f.value()),
        Value::Boolean(b) => JValue::Bool(*b.value()),
        Value::Datetime(d) => JValue::Date(d.value().to_string()),
        Value::Array(a) => JValue::List(
            a.iter()
                .map(|v| match v {
                    Value::InlineTable(t) => JValue::Map(element_inline(t)),
                    other => convert(other),
                })
                .collect(),
        ),
        Value::InlineTable(t) => JValue::Map(element_inline(t)),
    }
}

fn element_inline(t: &toml_edit::InlineTable) -> JMap {
    let lines = Lines::new("");
    element(t, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn keys(toml: &str) -> Vec<String> {
        flatten(toml, Path::new("deployment.toml"))
            .unwrap()
            .entries
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn flattens_tables_dotted_keys_and_quotes() {
        let t = "[server]\nhostname = \"h\"\n[transport.https.properties]\nport = 9443\n[synapse_properties]\n'analytics.id' = \"x\"\n[a]\nb.c = 1\nd = { e = true }\n[empty]\n";
        assert_eq!(
            keys(t),
            [
                "server.hostname",
                "transport.https.properties.port",
                "synapse_properties.'analytics.id'",
                "a.b.c",
                "a.d.e"
            ]
        );
    }

    #[test]
    fn arrays_of_tables_are_lists_of_ordered_maps() {
        let t = "[[apim.gateway.environment]]\nname = \"P\"\nservice_url = \"u\"\n[apim.gateway.environment.x]\ny = 2\n";
        let f = flatten(t, Path::new("d.toml")).unwrap();
        assert_eq!(f.entries.len(), 1);
        let (k, e) = &f.entries[0];
        assert_eq!(k, "apim.gateway.environment");
        assert_eq!(e.value.java_string(), "[{name=P, service_url=u, x.y=2}]");
        assert!(matches!(e.prov.origin, Origin::Toml { line: 1, .. }));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = flatten("[a]\nb = \n", Path::new("d.toml")).unwrap_err();
        assert!(e.to_string().starts_with("d.toml:2:"), "{e}");
    }

    #[test]
    fn secrets_are_collected() {
        let f = flatten(
            "[secrets]\nadmin_password = \"[x]\"\n\"key.with.dots\" = \"y\"\n",
            Path::new("d.toml"),
        )
        .unwrap();
        let names: Vec<_> = f.secrets.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["admin_password", "key.with.dots"]);
    }
}
