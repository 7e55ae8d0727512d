//! `ValueInferrer`: infer.json sets keys from the value of another key
//! (`server.server_role = "gateway-worker"` → a dozen keys). Rules:
//! - a context key matches an infer.json key exactly, else the first infer.json key (file order)
//!   whose `$1`, `$2`… segments, read as `\w+`, make a regex matching it (other regex
//!   characters in the key keep their meaning, as in Java);
//! - the rule is picked by `String.valueOf(value)`; `$n` in inferred keys and string values is
//!   replaced by the matching segment;
//! - inferred values infer further (only string values, without `$n` substitution), and a
//!   directly inferred key wins over a recursively inferred one;
//! - when two context keys infer the same key, the later one in `HashMap` order wins;
//! - whole `Double`s become `Integer`s; the user's own keys win over every inferred one.

use indexmap::IndexMap;
use regex::Regex;

use super::jhashmap::JHashMap;
use super::origin::{Entry, Origin};
use super::value::{JMap, JValue};
use super::{Locate, MapError};

/// infer.json, with its `$n` keys compiled once.
pub struct InferRules {
    pub rules: JMap,
    patterns: Vec<(String, Regex)>,
}

impl InferRules {
    pub fn new(rules: JMap) -> Self {
        let patterns = rules
            .keys()
            .filter_map(|k| {
                let dollar = Regex::new(r"\$[0-9]+").ok()?;
                let re = dollar.replace_all(k, r"[0-9A-Za-z_]+");
                Some((k.clone(), Regex::new(&format!(r"\A(?:{re})\z")).ok()?))
            })
            .collect();
        InferRules { rules, patterns }
    }

    /// Whether a rule is keyed by `key` (exactly or through its `$n` pattern).
    pub fn matches(&self, key: &str) -> bool {
        self.matched_key(key).is_some()
    }

    /// `getMatchedKey`.
    fn matched_key(&self, key: &str) -> Option<&str> {
        if let Some((k, _)) = self.rules.get_key_value(key) {
            return Some(k);
        }
        self.patterns
            .iter()
            .find(|(_, re)| re.is_match(key))
            .map(|(k, _)| k.as_str())
    }
}

pub fn infer(ctx: &mut JHashMap<Entry>, rules: &InferRules, loc: &Locate) -> Result<(), MapError> {
    // A LinkedHashMap: a repeated key keeps its first position and takes the last value.
    let mut inferred: IndexMap<String, Entry> = IndexMap::new();
    for (key, entry) in ctx.iter() {
        let Some(matched) = rules.matched_key(key) else {
            continue;
        };
        let Some(JValue::Map(by_value)) = rules.rules.get(matched) else {
            return Err(loc.model_key(
                "infer.json",
                matched,
                format!("infer.json entry `{matched}` is not an object; the product fails to start (ClassCastException)"),
            ));
        };
        let sv = entry.value.java_string();
        let Some(chosen) = by_value.get(&sv) else {
            continue;
        };
        let JValue::Map(values) = chosen else {
            return Err(loc.model_key(
                "infer.json",
                matched,
                format!("infer.json entry `{matched}` / `{sv}` is not an object; the product fails to start (ClassCastException)"),
            ));
        };
        let values = substitute(matched, key, values);
        let origin = || Origin::Inferred {
            because: key.to_string(),
            equals: sv.clone(),
        };
        recurse(&values, rules, &mut inferred, 0);
        for (k, v) in values {
            inferred.insert(k, Entry::new(v, origin()));
        }
    }
    for (_, e) in inferred.iter_mut() {
        if let JValue::Double(d) = e.value {
            if d == d.round() && d.is_finite() {
                // Double.intValue(): saturating.
                e.value = JValue::Int(d.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32);
            }
        }
    }
    // enrichedContext = inferred; enrichedContext.putAll(context)
    for (k, e) in ctx.drain() {
        inferred.insert(k, e);
    }
    ctx.extend(inferred);
    Ok(())
}

/// `getRecursiveInferredValues`: string values that are themselves infer.json rules.
fn recurse(
    values: &JMap,
    rules: &InferRules,
    inferred: &mut IndexMap<String, Entry>,
    depth: usize,
) {
    if depth > 32 {
        return; // a rule cycle would overflow Java's stack; stop instead of looping
    }
    for (k, v) in values {
        let (Some(matched), JValue::Str(sv)) = (rules.matched_key(k), v) else {
            continue;
        };
        let Some(JValue::Map(by_value)) = rules.rules.get(matched) else {
            continue;
        };
        let Some(JValue::Map(more)) = by_value.get(sv) else {
            continue;
        };
        for (mk, mv) in more {
            let origin = Origin::Inferred {
                because: k.clone(),
                equals: sv.clone(),
            };
            inferred.insert(mk.clone(), Entry::new(mv.clone(), origin));
        }
        recurse(more, rules, inferred, depth + 1);
    }
}

/// `replaceReferences`: `$n` in keys and string values becomes segment n of the matched key.
fn substitute(matched: &str, key: &str, values: &JMap) -> JMap {
    let subs: Vec<(&str, &str)> = matched
        .split('.')
        .zip(key.split('.'))
        .filter(|(m, _)| {
            m.len() > 1 && m.starts_with('$') && m[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    if subs.is_empty() {
        return values.clone();
    }
    let apply = |s: &str| {
        subs.iter()
            .fold(s.to_string(), |acc, (from, to)| acc.replace(from, to))
    };
    let mut out = values.clone();
    for (k, v) in values {
        let nk = apply(k);
        let nv = match v {
            JValue::Str(s) => JValue::Str(apply(s)),
            other => other.clone(),
        };
        out.shift_remove(k);
        out.insert(nk, nv);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::jhashmap::JdkFlavor;
    use crate::mapper::value::parse_gson;

    fn run(toml: &[(&str, JValue)], infer_json: &str) -> JHashMap<Entry> {
        let rules = InferRules::new(parse_gson(infer_json).unwrap());
        let mut ctx = JHashMap::new(JdkFlavor::Jdk19);
        ctx.extend(toml.iter().map(|(k, v)| {
            (
                k.to_string(),
                Entry::new(
                    v.clone(),
                    Origin::Toml {
                        key: k.to_string(),
                        line: 1,
                    },
                ),
            )
        }));
        infer(&mut ctx, &rules, &Locate::detached()).unwrap();
        ctx
    }

    #[test]
    fn infers_by_string_value_with_segment_substitution() {
        let ctx = run(
            &[("database.shared_db.type", JValue::Str("mysql".into()))],
            r#"{"database.$1.type": {"mysql": {"database.$1.driver": "com.mysql.Driver", "database.$1.port": 3306}}}"#,
        );
        assert_eq!(
            ctx.get("database.shared_db.driver").map(|e| &e.value),
            Some(&JValue::Str("com.mysql.Driver".into()))
        );
        // whole doubles become Integer
        assert_eq!(
            ctx.get("database.shared_db.port").map(|e| &e.value),
            Some(&JValue::Int(3306))
        );
    }

    #[test]
    fn user_keys_win_and_booleans_match_by_their_string() {
        let ctx = run(
            &[
                ("a.enable", JValue::Bool(true)),
                ("b.x", JValue::Str("mine".into())),
            ],
            r#"{"a.enable": {"true": {"b.x": "inferred", "b.y": "yes"}}}"#,
        );
        assert_eq!(ctx.get("b.x").unwrap().value, JValue::Str("mine".into()));
        let y = ctx.get("b.y").unwrap();
        assert!(
            matches!(&y.prov.origin, Origin::Inferred { because, equals } if because == "a.enable" && equals == "true")
        );
    }
}
