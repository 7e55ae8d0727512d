//! `KeyMapper`: key-mappings.json renames deployment.toml keys before anything else runs.
//!
//! A mapped key is *moved*: the context holds the target key(s), not the original (unless a
//! list of targets names it again). The original key still gets its default.json value later,
//! so both live on — the original with the default, the target with the user's value. A
//! mapping whose value is neither a string nor a list drops the key. Keys of the form
//! `array:key` rename a key inside every table of an array (`[[transport.mail.sender]]`).

use indexmap::IndexMap;

use super::jhashmap::JHashMap;
use super::origin::{Entry, Origin};
use super::value::{JMap, JValue};
use super::{Locate, MapError};

pub fn map_keys(ctx: &mut JHashMap<Entry>, mappings: &JMap, loc: &Locate) -> Result<(), MapError> {
    // A LinkedHashMap: a repeated key keeps its first position and takes the last value.
    let mut mapped: IndexMap<String, Entry> = IndexMap::with_capacity(ctx.len());
    for (key, entry) in ctx.drain() {
        match mappings.get(&key) {
            None => {
                mapped.insert(key, entry);
            }
            Some(JValue::Str(target)) => {
                let e = renamed(entry, &key);
                mapped.insert(target.clone(), e);
            }
            Some(JValue::List(targets)) => {
                for t in targets {
                    // `(List<String>)`: a non-string target is a ClassCastException.
                    let Some(t) = t.as_str() else {
                        return Err(loc.model_key(
                            "key-mappings.json",
                            &key,
                            format!("mapping of `{key}` lists a non-string target; the product fails to start (ClassCastException)"),
                        ));
                    };
                    mapped.insert(t.to_string(), renamed(entry.clone(), &key));
                }
            }
            Some(_) => {} // neither a string nor a list: Java drops the key
        }
    }
    array_keys(mappings, &mut mapped, loc)?;
    ctx.extend(mapped);
    Ok(())
}

fn renamed(mut e: Entry, from: &str) -> Entry {
    if let Origin::Toml { line, .. } = e.prov.origin {
        e.prov.origin = Origin::Mapped {
            from: from.to_string(),
            line,
        };
    }
    e
}

/// `processArrayKeys`: `"a:b": "a:c"` renames `b` to `c` in every map of the list at `a`.
fn array_keys(
    mappings: &JMap,
    mapped: &mut IndexMap<String, Entry>,
    loc: &Locate,
) -> Result<(), MapError> {
    for (mk, mv) in mappings {
        let parts = java_split(mk, ':');
        if parts.len() > 2 {
            return Err(loc.model_key(
                "key-mappings.json",
                mk,
                format!("Unknown key mapping key with multiple array elements: {mk}"),
            ));
        }
        if parts.len() != 2 {
            continue;
        }
        let (list_key, inner) = (&parts[0], &parts[1]);
        let Some(entry) = mapped.get_mut(list_key.as_str()) else {
            continue;
        };
        let JValue::List(items) = &mut entry.value else {
            continue;
        };
        let targets: Vec<&JValue> = match mv {
            JValue::List(l) => l.iter().collect(),
            other => vec![other],
        };
        for item in items.iter_mut() {
            let JValue::Map(map) = item else { continue };
            let Some(removed) = map.shift_remove(inner.as_str()) else {
                continue;
            };
            if removed == JValue::Null {
                continue;
            }
            for t in &targets {
                let Some(t) = t.as_str() else { continue };
                let tp = java_split(t, ':');
                if tp.len() != 2 {
                    return Err(loc.model_key(
                        "key-mappings.json",
                        mk,
                        format!("Unknown key mapping value with multiple array elements: {t}"),
                    ));
                }
                map.insert(tp[1].clone(), removed.clone());
            }
        }
    }
    Ok(())
}

/// `String.split` on a single literal character: trailing empty strings are dropped.
pub fn java_split(s: &str, sep: char) -> Vec<String> {
    if s.is_empty() {
        return vec![String::new()];
    }
    let mut parts: Vec<String> = s.split(sep).map(str::to_string).collect();
    while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() {
        return Vec::new();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_split_drops_trailing_empties() {
        assert_eq!(java_split("a:b", ':'), ["a", "b"]);
        assert_eq!(java_split("a:", ':'), ["a"]);
        assert_eq!(java_split(":b", ':'), ["", "b"]);
        assert_eq!(java_split("a::b", ':'), ["a", "", "b"]);
        assert_eq!(java_split("ab", ':'), ["ab"]);
        assert!(java_split(":", ':').is_empty());
    }
}
