//! Java methods a template may call on context values (`x.items()`, `s.split(':')`,
//! `l.toList()`). jinjava calls the real Java method of the value's type: a string has no
//! `items()`, a map no `split()`. On nothing (`null`) every method is nothing.

use minijinja::value::{Rest, ValueKind};
use minijinja::{Error, Value};

use super::runtime::{fail, java_string, output_string, plain, retrace, split, truthy};

fn type_name(v: &Value) -> &'static str {
    match v.kind() {
        ValueKind::String => "String",
        ValueKind::Map => "Map",
        ValueKind::Seq | ValueKind::Iterable => "List",
        ValueKind::Number => "Number",
        ValueKind::Bool => "Boolean",
        _ => "Object",
    }
}

fn no_method(v: &Value, name: &str) -> Error {
    fail(format!(
        "a {} has no method {name}() (jinjava fails here)",
        type_name(v)
    ))
}

/// Calls `name` on `recv`; `Ok(None)` means "not a known method".
pub fn call(recv: &Value, name: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let p = plain(recv);
    if p.is_undefined() || p.is_none() {
        return Ok(Some(Value::UNDEFINED));
    }
    let arg = |i: usize| args.get(i).map(plain).unwrap_or_default();
    let kind = p.kind();
    let v = match (kind, name) {
        (ValueKind::Map, "items") => Value::from(
            p.try_iter()?
                .map(|k| {
                    let v = p.get_item(&k).unwrap_or_default();
                    Value::from(vec![k, v])
                })
                .collect::<Vec<_>>(),
        ),
        (ValueKind::Map, "keys") => Value::from(p.try_iter()?.collect::<Vec<_>>()),
        (ValueKind::Map, "values") => Value::from(
            p.try_iter()?
                .map(|k| p.get_item(&k).unwrap_or_default())
                .collect::<Vec<_>>(),
        ),
        (ValueKind::Map, "get") => p.get_item(&arg(0)).unwrap_or_default(),
        (ValueKind::Map | ValueKind::Seq, "size") | (ValueKind::String, "length") => {
            Value::from(len(&p))
        }
        (ValueKind::Map | ValueKind::Seq | ValueKind::String, "isEmpty") => {
            Value::from(len(&p) == 0)
        }
        (ValueKind::Seq | ValueKind::Iterable, "toList") => p,
        (ValueKind::Seq, "get") => {
            let i = arg(0)
                .as_usize()
                .ok_or_else(|| fail("get() needs an index"))?;
            p.get_item_by_index(i)
                .map_err(|_| fail("index out of bounds (jinjava fails here)"))?
        }
        (ValueKind::Seq, "contains") => {
            let needle = arg(0);
            let mut found = false;
            for item in p.try_iter()? {
                if super::runtime::el_eq(&item, &needle)? {
                    found = true;
                    break;
                }
            }
            Value::from(found)
        }
        (ValueKind::String, "split") => split(recv, &arg(0))?,
        (ValueKind::String, _) => {
            let s = p.as_str().unwrap_or("");
            let a0 = output_string(&arg(0));
            let out = match name {
                "trim" => Value::from(s.trim_matches(|c: char| c <= ' ')),
                "strip" => Value::from(s.trim()),
                "startsWith" => Value::from(s.starts_with(&a0)),
                "endsWith" => Value::from(s.ends_with(&a0)),
                "contains" => Value::from(s.contains(&a0)),
                "replace" => Value::from(s.replace(&a0, &output_string(&arg(1)))),
                "toLowerCase" => Value::from(s.to_lowercase()),
                "toUpperCase" => Value::from(s.to_uppercase()),
                "equals" => Value::from(arg(0).as_str() == Some(s)),
                "equalsIgnoreCase" => Value::from(
                    arg(0)
                        .as_str()
                        .is_some_and(|o| o.to_lowercase() == s.to_lowercase()),
                ),
                "toString" => Value::from(s),
                _ => return Err(no_method(&p, name)),
            };
            if matches!(out.kind(), ValueKind::String) {
                retrace(recv, out)
            } else {
                out
            }
        }
        (_, "toString") => Value::from(java_string(&p)),
        (_, "equals") => Value::from(p == arg(0)),
        _ => return Err(no_method(&p, name)),
    };
    Ok(Some(v))
}

fn len(v: &Value) -> usize {
    match v.as_str() {
        Some(s) => s.encode_utf16().count(),
        None => v.len().unwrap_or(0),
    }
}

/// A method this renderer does not know, on a value: jinjava would call the Java method;
/// here it is an error of the template, except on nothing.
pub fn generic(recv: Value, name: String, args: Rest<Value>) -> Result<Value, Error> {
    match call(&recv, &name, &args)? {
        Some(v) => Ok(v),
        None => Err(no_method(&plain(&recv), &name)),
    }
}

pub fn named(name: &'static str) -> impl Fn(Value, Rest<Value>) -> Result<Value, Error> {
    move |recv, args| generic(recv, name.to_string(), args)
}

/// `truthy` as a function for the compiled conditions.
pub fn bool_of(v: Value) -> bool {
    truthy(&v)
}
