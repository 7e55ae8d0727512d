//! `Validator`: validator.json rules, in file order, the first failure stops the product.
//!
//! A rule applies when every `if` key is present and `equals` its value (type-strict: a TOML
//! `true` equals JSON `true`, a TOML `1` never equals JSON `1`). Only `regex` is enforced —
//! `match_regex`, used by most shipped rules, is not read by the Java code, so those rules
//! never fire. The value is cast to a string before the regex is looked at, so a rule whose
//! key holds a boolean, number or list makes the product fail with a ClassCastException.
//! `a:b` keys check `b` in every map of the list `a`. An absent key validates as "".

use super::javaregex;
use super::jhashmap::JHashMap;
use super::origin::Entry;
use super::value::{JMap, JValue};
use super::{Locate, MapError};

pub fn validate(
    ctx: &JHashMap<Entry>,
    rules: &JMap,
    loc: &Locate,
    warnings: &mut Vec<String>,
) -> Result<(), MapError> {
    for (key, list) in rules {
        let JValue::List(list) = list else {
            return Err(loc.model_key(
                "validator.json",
                key,
                format!("validator.json entry `{key}` is not a list; the product fails to start"),
            ));
        };
        for rule in list {
            let JValue::Map(rule) = rule else {
                return Err(loc.model_key(
                    "validator.json",
                    key,
                    format!("a rule of `{key}` is not an object; the product fails to start"),
                ));
            };
            if let Some(JValue::Map(cond)) = rule.get("if") {
                let applies = cond
                    .iter()
                    .all(|(ck, cv)| ctx.get(ck).is_some_and(|e| e.value.java_equals(cv)));
                if !applies {
                    continue;
                }
            }
            let values = values_of(ctx, key).map_err(|(at, msg)| loc.key(ctx, &at, msg))?;
            let Some(JValue::Str(regex)) = rule.get("regex") else {
                continue;
            };
            let re = match javaregex::compile_whole_cached(regex) {
                Ok(re) => re,
                Err(e) => {
                    warnings.push(format!("validator.json rule for `{key}` not checked: {e}"));
                    continue;
                }
            };
            for v in values {
                let Some(v) = v else {
                    return Err(loc.key(
                        ctx,
                        key,
                        format!("validator.json checks `{key}`, which is null; the product fails to start (NullPointerException)"),
                    ));
                };
                if !re.is_match(&v) {
                    let msg = match rule.get("error_message") {
                        Some(JValue::Str(m)) => m.clone(),
                        _ => {
                            let lower = key.to_ascii_lowercase();
                            let shown = if v.is_empty() {
                                "an empty string"
                            } else if lower.contains("password") || lower.contains("secret") {
                                "********"
                            } else {
                                &v
                            };
                            format!(
                                "Validation failed for {key}. Expected value to match \"{regex}\", but was {shown}"
                            )
                        }
                    };
                    let at = if ctx.contains_key(key) {
                        key.as_str()
                    } else {
                        cond_key(rule).unwrap_or(key)
                    };
                    return Err(loc.key(
                        ctx,
                        at,
                        format!("{msg} (validator.json rejects this configuration)"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn cond_key(rule: &JMap) -> Option<&str> {
    match rule.get("if") {
        Some(JValue::Map(c)) => c.keys().next().map(String::as_str),
        _ => None,
    }
}

/// `getConfigurationValues`, with Java's `(String)` casts.
fn values_of(ctx: &JHashMap<Entry>, key: &str) -> Result<Vec<Option<String>>, (String, String)> {
    let cast = |v: &JValue, what: &str| {
        match v {
        JValue::Str(s) => Ok(Some(s.clone())),
        JValue::Null => Ok(None),
        other => Err((
            key.split(':').next().unwrap_or(key).to_string(),
            format!(
                "validator.json reads `{what}` as a string but it is a {}; the product fails to start (ClassCastException)",
                other.java_type()
            ),
        )),
    }
    };
    let parts: Vec<&str> = key.split(':').filter(|p| !p.is_empty()).collect();
    if let [list, inner] = parts.as_slice() {
        let mut out = Vec::new();
        if let Some(JValue::List(items)) = ctx.get(list).map(|e| &e.value) {
            for item in items {
                if let JValue::Map(m) = item {
                    match m.get(*inner) {
                        None | Some(JValue::Null) => out.push(Some(String::new())),
                        Some(v) => out.push(cast(v, key)?),
                    }
                }
            }
        }
        return Ok(out);
    }
    match ctx.get(key).map(|e| &e.value) {
        None => Ok(vec![Some(String::new())]),
        Some(v) => Ok(vec![cast(v, key)?]),
    }
}
