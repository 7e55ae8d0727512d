//! `JinjaParser.getHierarchicalDottedKeyMap`: the flat context as nested maps for the
//! templates. Keys are split on dots outside `'quoted'` segments (`a.'b.c'.d` → a, b.c, d) and
//! nested in `HashMap` iteration order; a non-map in the way is replaced by a new map, and a
//! later key replaces an earlier subtree. A map value from default.json is used as it is —
//! later keys nest into it, and its own keys are not split. Tables inside lists are nested too.
//!
//! With `trace`, every leaf becomes a `Traced` object naming the flat key it came from, so a
//! rendered value can be traced back (see `jinja::runtime`).

use std::sync::Arc;

use indexmap::IndexMap;
use minijinja::Value;

use super::jhashmap::JHashMap;
use super::jinja::runtime::Traced;
use super::origin::Entry;
use super::value::{JMap, JValue};

/// `getDottedKeyArray`: segments, with `'…'` ones kept whole. `None` for an unmatched quote
/// (the product's "Couldn't find matching ending" error).
pub fn dotted_key_array(key: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = key;
    loop {
        match rest.find('\'') {
            None => {
                out.extend(
                    rest.split('.')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
                return Some(out);
            }
            Some(start) => {
                out.extend(
                    rest[..start]
                        .split('.')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
                let end = rest[start + 1..].find('\'')? + start + 1;
                out.push(rest[start + 1..end].to_string());
                rest = &rest[end + 1..];
            }
        }
    }
}

enum Node {
    Leaf(JValue, Arc<str>),
    Map(IndexMap<String, Node>),
}

fn raw(v: &JValue, key: &Arc<str>) -> Node {
    match v {
        JValue::Map(m) => Node::Map(m.iter().map(|(k, v)| (k.clone(), raw(v, key))).collect()),
        other => Node::Leaf(other.clone(), key.clone()),
    }
}

/// `processArray`: tables in lists are nested like the context itself.
fn process_list(items: &[JValue]) -> Vec<JValue> {
    items
        .iter()
        .map(|v| match v {
            JValue::Map(m) => JValue::Map(nest_map(m)),
            JValue::List(l) => JValue::List(process_list(l)),
            other => other.clone(),
        })
        .collect()
}

fn nest_map(m: &JMap) -> JMap {
    let mut root: IndexMap<String, Node> = IndexMap::new();
    let key: Arc<str> = Arc::from("");
    for (k, v) in m {
        let Some(parts) = dotted_key_array(k) else {
            continue;
        };
        insert(&mut root, &parts, v, &key);
    }
    to_jmap(root)
}

fn to_jmap(m: IndexMap<String, Node>) -> JMap {
    m.into_iter()
        .map(|(k, n)| {
            let v = match n {
                Node::Leaf(v, _) => v,
                Node::Map(m) => JValue::Map(to_jmap(m)),
            };
            (k, v)
        })
        .collect()
}

fn insert(root: &mut IndexMap<String, Node>, parts: &[String], value: &JValue, key: &Arc<str>) {
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    let mut map = root;
    for p in parents {
        let slot = map
            .entry(p.clone())
            .or_insert_with(|| Node::Map(IndexMap::new()));
        if let Node::Leaf(JValue::Map(m), k) = slot {
            *slot = raw(&JValue::Map(std::mem::take(m)), k);
        }
        if !matches!(slot, Node::Map(_)) {
            *slot = Node::Map(IndexMap::new());
        }
        let Node::Map(next) = slot else {
            return;
        };
        map = next;
    }
    let node = match value {
        JValue::List(items) => Node::Leaf(JValue::List(process_list(items)), key.clone()),
        other => Node::Leaf(other.clone(), key.clone()),
    };
    map.insert(last.clone(), node);
}

/// The template context, and the flat keys whose quotes do not match (skipped, as errors).
pub fn build(ctx: &JHashMap<Entry>, trace: bool) -> (Value, Vec<String>) {
    let mut root: IndexMap<String, Node> = IndexMap::new();
    let mut bad = Vec::new();
    for (k, e) in ctx.iter() {
        let Some(parts) = dotted_key_array(k) else {
            bad.push(k.to_string());
            continue;
        };
        if parts
            .first()
            .is_some_and(|p| p.starts_with(super::jinja::emit::PREFIX))
        {
            bad.push(k.to_string());
            continue;
        }
        insert(&mut root, &parts, &e.value, &Arc::from(k));
    }
    (to_value_map(root, trace), bad)
}

fn to_value_map(m: IndexMap<String, Node>, trace: bool) -> Value {
    Value::from_pairs(m.into_iter().map(|(k, n)| (k, to_value(n, trace))))
}

fn to_value(n: Node, trace: bool) -> Value {
    match n {
        Node::Map(m) => to_value_map(m, trace),
        Node::Leaf(v, key) => jvalue(&v, trace.then_some(&key)),
    }
}

/// A JValue as a MiniJinja value; leaves traced to `key` when given.
pub fn jvalue(v: &JValue, key: Option<&Arc<str>>) -> Value {
    let leaf = |value: Value| match key {
        Some(k) => Value::from_object(Traced {
            key: k.clone(),
            value,
        }),
        None => value,
    };
    match v {
        JValue::Null => leaf(Value::from(())),
        JValue::Bool(b) => leaf(Value::from(*b)),
        JValue::Long(n) => leaf(Value::from(*n)),
        JValue::Int(n) => leaf(Value::from(i64::from(*n))),
        JValue::Double(d) => leaf(Value::from(*d)),
        JValue::Str(s) | JValue::Date(s) => leaf(Value::from(s.as_str())),
        JValue::List(items) => {
            Value::from(items.iter().map(|i| jvalue(i, key)).collect::<Vec<_>>())
        }
        JValue::Map(m) => Value::from_pairs(m.iter().map(|(k, v)| (k.clone(), jvalue(v, key)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_split_outside_quotes() {
        assert_eq!(
            dotted_key_array("synapse_properties.'analytics.id'").unwrap(),
            ["synapse_properties", "analytics.id"]
        );
        assert_eq!(
            dotted_key_array("a.'b.c'.d.e").unwrap(),
            ["a", "b.c", "d", "e"]
        );
        assert_eq!(dotted_key_array("a..b").unwrap(), ["a", "b"]);
        assert!(dotted_key_array("a.'b").is_none());
    }
}
