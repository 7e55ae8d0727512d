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
use minijinja::value::{Enumerator, Object, ObjectRepr};
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

/// The nested context: an arena of nodes, map children in insertion order.
#[derive(Debug)]
pub struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    Leaf(JValue, Arc<str>),
    Map(IndexMap<String, usize>),
}

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: vec![Node::Map(IndexMap::new())],
        }
    }

    /// A map value from default.json turned into nodes (its keys kept whole).
    fn raw(&mut self, m: JMap, key: &Arc<str>) -> Node {
        let mut children = IndexMap::with_capacity(m.len());
        for (k, v) in m {
            let node = match v {
                JValue::Map(inner) => self.raw(inner, key),
                other => Node::Leaf(other, key.clone()),
            };
            self.nodes.push(node);
            children.insert(k, self.nodes.len() - 1);
        }
        Node::Map(children)
    }

    /// `changeToHierarchicalMap` for one flat key.
    fn insert(&mut self, parts: &[String], value: JValue, key: &Arc<str>) {
        let Some((last, parents)) = parts.split_last() else {
            return;
        };
        let mut at = 0;
        for p in parents {
            let existing = match &self.nodes[at] {
                Node::Map(children) => children.get(p.as_str()).copied(),
                Node::Leaf(..) => None,
            };
            let next = match existing {
                Some(i) if matches!(self.nodes[i], Node::Map(_)) => i,
                Some(i) if matches!(self.nodes[i], Node::Leaf(JValue::Map(_), _)) => {
                    // descend into the default's map object itself
                    let Node::Leaf(JValue::Map(m), k) =
                        std::mem::replace(&mut self.nodes[i], Node::Map(IndexMap::new()))
                    else {
                        return;
                    };
                    let node = self.raw(m, &k);
                    self.nodes[i] = node;
                    i
                }
                _ => {
                    // absent, or not a map: a new map takes the key (keeping its position)
                    self.nodes.push(Node::Map(IndexMap::new()));
                    let i = self.nodes.len() - 1;
                    if let Node::Map(children) = &mut self.nodes[at] {
                        children.insert(p.clone(), i);
                    }
                    i
                }
            };
            at = next;
        }
        let node = match value {
            JValue::List(items) => Node::Leaf(JValue::List(process_list(&items)), key.clone()),
            other => Node::Leaf(other, key.clone()),
        };
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        if let Node::Map(children) = &mut self.nodes[at] {
            children.insert(last.clone(), i);
        }
    }

    /// A node as plain data (for tables inside lists).
    fn to_jvalue(&self, i: usize) -> JValue {
        match &self.nodes[i] {
            Node::Leaf(v, _) => v.clone(),
            Node::Map(children) => JValue::Map(
                children
                    .iter()
                    .map(|(k, &c)| (k.clone(), self.to_jvalue(c)))
                    .collect(),
            ),
        }
    }
}

/// `processArray`: tables in lists are nested like the context itself.
fn process_list(items: &[JValue]) -> Vec<JValue> {
    items
        .iter()
        .map(|v| match v {
            JValue::Map(m) => {
                let mut t = Tree::new();
                let key: Arc<str> = Arc::from("");
                for (k, v) in m {
                    if let Some(parts) = dotted_key_array(k) {
                        t.insert(&parts, v.clone(), &key);
                    }
                }
                t.to_jvalue(0)
            }
            JValue::List(l) => JValue::List(process_list(l)),
            other => other.clone(),
        })
        .collect()
}

/// The template context, and the flat keys left out of it (an unmatched quote — the
/// product's "Couldn't find matching ending" error — or a reserved name).
pub fn build(ctx: &JHashMap<Entry>, trace: bool) -> (Value, Vec<String>) {
    let mut tree = Tree::new();
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
        tree.insert(&parts, e.value.clone(), &Arc::from(k));
    }
    let root = MapNode {
        tree: Arc::new(tree),
        at: 0,
        trace,
    };
    (Value::from_object(root), bad)
}

/// A map of the context, converted to MiniJinja values only where a template looks.
#[derive(Debug)]
struct MapNode {
    tree: Arc<Tree>,
    at: usize,
    trace: bool,
}

impl MapNode {
    fn value_of(&self, i: usize) -> Value {
        match &self.tree.nodes[i] {
            Node::Map(_) => Value::from_object(MapNode {
                tree: self.tree.clone(),
                at: i,
                trace: self.trace,
            }),
            Node::Leaf(v, key) => jvalue(v, self.trace.then_some(key)),
        }
    }

    fn children(&self) -> Option<&IndexMap<String, usize>> {
        match &self.tree.nodes[self.at] {
            Node::Map(c) => Some(c),
            Node::Leaf(..) => None,
        }
    }
}

impl Object for MapNode {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = *self.children()?.get(key.as_str()?)?;
        Some(self.value_of(i))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.children() {
            Some(c) => Enumerator::Values(c.keys().map(|k| Value::from(k.as_str())).collect()),
            None => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.children().map(IndexMap::len)
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
