//! `ReferenceResolver`: `$secret{}` checked against `[secrets]`, then `$sys{}` and `$env{}`
//! substituted, then `$ref{}` resolved by Java's fixed-point loop.
//!
//! `$sys{}`/`$env{}` are the server's start-up environment, which this tool does not have: by
//! default they stay as written and the value's provenance names them (`Runtime::Unresolved`);
//! `Runtime::Given` supplies values (tests, or a caller that knows the target's environment).
//! The process's own environment is never read here.
//!
//! `$ref{k}` is replaced by `k`'s value as text, except that a list or boolean value replaces
//! the whole referring value. A reference to a missing key, or a cycle, is the product's
//! start-up error, located at the referring key.

use std::collections::{BTreeMap, HashSet};

use indexmap::IndexMap;

use super::jhashmap::JHashMap;
use super::origin::Entry;
use super::value::JValue;
use super::{Locate, MapError};

/// What `$sys{}` and `$env{}` resolve to.
#[derive(Debug, Clone, Default)]
pub enum Runtime {
    /// Keep the placeholders and record the dependency.
    #[default]
    Unresolved,
    /// Resolve from these; a missing name fails as the product does.
    Given {
        env: BTreeMap<String, String>,
        sys: BTreeMap<String, String>,
    },
}

/// `StringUtils.substringsBetween(s, open, close)`.
pub fn substrings_between<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + close.len() < s.len() {
        let Some(start) = s[pos..].find(open).map(|i| i + pos + open.len()) else {
            break;
        };
        let Some(end) = s
            .get(start..)
            .and_then(|r| r.find(close))
            .map(|i| i + start)
        else {
            break;
        };
        out.push(&s[start..end]);
        pos = end + close.len();
    }
    out
}

pub fn resolve(
    ctx: &mut JHashMap<Entry>,
    secrets: &[(String, JValue)],
    runtime: &Runtime,
    loc: &Locate,
) -> Result<(), MapError> {
    check_secrets(ctx, secrets, loc)?;
    for (prefix, kind) in [("$sys{", "sys"), ("$env{", "env")] {
        let mut failed: Option<(String, String)> = None;
        let _ = ctx.try_for_each_mut(|key, entry| {
            let mut names = Vec::new();
            let result = substitute_runtime(&mut entry.value, prefix, kind, runtime, &mut names);
            for n in names {
                let dep = format!("{prefix}{n}}}");
                if !entry.prov.runtime.contains(&dep) {
                    entry.prov.runtime.push(dep);
                }
            }
            result.map_err(|msg| failed = Some((key.to_string(), msg)))
        });
        if let Some((key, msg)) = failed {
            return Err(loc.key(ctx, &key, msg));
        }
    }
    resolve_refs(ctx, loc)
}

fn substitute_runtime(
    v: &mut JValue,
    prefix: &str,
    kind: &str,
    runtime: &Runtime,
    names: &mut Vec<String>,
) -> Result<(), String> {
    match v {
        JValue::Str(s) => {
            let refs: Vec<String> = substrings_between(s, prefix, "}")
                .into_iter()
                .map(str::to_string)
                .collect();
            for r in refs {
                names.push(r.clone());
                if let Runtime::Given { env, sys } = runtime {
                    let table = if kind == "env" { env } else { sys };
                    match table.get(&r) {
                        Some(val) if kind == "env" || !val.is_empty() => {
                            *s = s.replace(&format!("{prefix}{r}}}"), val);
                        }
                        _ if kind == "env" => {
                            return Err(format!("Environment variable {r} not defined in system"))
                        }
                        _ => return Err(format!("Error while retrieving {r} system property")),
                    }
                }
            }
            Ok(())
        }
        JValue::List(items) => items
            .iter_mut()
            .try_for_each(|i| substitute_runtime(i, prefix, kind, runtime, names)),
        JValue::Map(m) => m
            .values_mut()
            .try_for_each(|i| substitute_runtime(i, prefix, kind, runtime, names)),
        _ => Ok(()),
    }
}

/// `resolveSecrets`: every `$secret{alias}` needs an `alias` in `[secrets]` (or
/// `[runtime_secrets] enable = true`), and that secret must not be `[plain text]`.
fn check_secrets(
    ctx: &JHashMap<Entry>,
    secrets: &[(String, JValue)],
    loc: &Locate,
) -> Result<(), MapError> {
    let runtime_enabled = secrets
        .iter()
        .any(|(k, v)| k == "enable" && v.java_string().eq_ignore_ascii_case("true"));
    let check = |key: &str, s: &str| -> Result<(), MapError> {
        for alias in substrings_between(s, "$secret{", "}") {
            match secrets.iter().find(|(k, _)| k == alias) {
                None if runtime_enabled => {}
                None => {
                    return Err(loc.key(
                        ctx,
                        key,
                        format!("Secret references can't be resolved for {alias}"),
                    ))
                }
                Some((_, JValue::Str(v))) => {
                    if !substrings_between(v, "[", "]").is_empty() {
                        return Err(loc.key(
                            ctx,
                            key,
                            format!("Secret references can't be plain text for {alias} (encrypt [secrets] with the cipher tool before start-up)"),
                        ));
                    }
                }
                Some(_) => {
                    return Err(loc.key(
                        ctx,
                        key,
                        format!("[secrets] {alias} is not a string; the product fails to start"),
                    ))
                }
            }
        }
        Ok(())
    };
    for (key, entry) in ctx.iter() {
        match &entry.value {
            JValue::Str(s) => check(key, s)?,
            JValue::List(items) => {
                for item in items {
                    match item {
                        JValue::Str(s) => check(key, s)?,
                        JValue::Map(m) => {
                            for v in m.values() {
                                if let JValue::Str(s) = v {
                                    check(key, s)?;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

const REF: &str = "$ref{";

/// `resolveConfigReferences`: repeatedly resolve the references whose own value has none left.
fn resolve_refs(ctx: &mut JHashMap<Entry>, loc: &Locate) -> Result<(), MapError> {
    // key → refs it uses (keys with pending refs); ref → keys that use it
    let mut unresolved: IndexMap<String, HashSet<String>> = IndexMap::new();
    let mut to_resolve: IndexMap<String, Vec<String>> = IndexMap::new();
    for (key, entry) in ctx.iter() {
        let mut extract = |s: &str| {
            for r in substrings_between(s, REF, "}") {
                let deps = to_resolve.entry(r.to_string()).or_default();
                if !deps.iter().any(|d| d == key) {
                    deps.push(key.to_string());
                }
                unresolved
                    .entry(key.to_string())
                    .or_default()
                    .insert(r.to_string());
            }
        };
        match &entry.value {
            JValue::Str(s) => extract(s),
            JValue::List(items) => items
                .iter()
                .filter_map(JValue::as_str)
                .for_each(&mut extract),
            _ => {}
        }
    }
    let mut progress = true;
    while !to_resolve.is_empty() && progress {
        progress = false;
        let mut done = Vec::new();
        let pending: Vec<(String, Vec<String>)> = to_resolve
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (r, deps) in pending {
            if !unresolved.contains_key(&r) {
                substitute_ref(ctx, &r, &deps, loc)?;
                done.push(r);
                progress = true;
            }
        }
        let still: HashSet<String> = unresolved.keys().cloned().collect();
        for refs in unresolved.values_mut() {
            refs.retain(|r| still.contains(r));
        }
        unresolved.retain(|_, refs| !refs.is_empty());
        for r in done {
            to_resolve.shift_remove(&r);
        }
    }
    if let Some(first) = unresolved.keys().next() {
        let keys: Vec<&str> = unresolved.keys().map(String::as_str).collect();
        return Err(loc.key(
            ctx,
            first,
            format!(
                "References can't be resolved for {} (a $ref{{}} cycle)",
                keys.join(",")
            ),
        ));
    }
    Ok(())
}

/// `resolvePropertyPlaceholders`.
fn substitute_ref(
    ctx: &mut JHashMap<Entry>,
    r: &str,
    deps: &[String],
    loc: &Locate,
) -> Result<(), MapError> {
    let value = match ctx.get(r).map(|e| &e.value) {
        None | Some(JValue::Null) => {
            let at = deps.first().map_or(r, String::as_str);
            return Err(loc.key(
                ctx,
                at,
                format!("Configuration with key {r} doesn't exist (referenced as $ref{{{r}}})"),
            ));
        }
        Some(v) => v.clone(),
    };
    let placeholder = format!("{REF}{r}}}");
    let text = value.java_string();
    for k in deps {
        let Some(current) = ctx.get(k).map(|e| &e.value) else {
            continue;
        };
        let replaced = match (&value, current) {
            (JValue::List(_) | JValue::Bool(_), _) => Some(value.clone()),
            (_, JValue::Str(s)) => Some(JValue::Str(s.replace(&placeholder, &text))),
            (_, JValue::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Some(s) = item.as_str() else {
                        let msg = format!("`{k}` mixes strings and other values with $ref{{{r}}}; the product fails to start (ClassCastException)");
                        return Err(loc.key(ctx, k, msg));
                    };
                    out.push(JValue::Str(s.replace(&placeholder, &text)));
                }
                Some(JValue::List(out))
            }
            _ => None,
        };
        if let (Some(v), Some(entry)) = (replaced, ctx.get_mut(k)) {
            entry.value = v;
            entry.prov.refs.push(r.to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_between_matches_commons_lang() {
        assert_eq!(
            substrings_between("a$ref{x}b$ref{y}", "$ref{", "}"),
            ["x", "y"]
        );
        assert!(substrings_between("$ref{x", "$ref{", "}").is_empty());
        assert!(substrings_between("plain", "$ref{", "}").is_empty());
        assert_eq!(substrings_between("[abc]", "[", "]"), ["abc"]);
    }
}
