//! The shims compiled templates call: jinjava's semantics on MiniJinja values.
//! Truthiness is `ObjectTruthValue` (`"false"` and `""` are false), `==` is JUEL's with
//! jinjava's truthy boolean coercion, iteration follows `ObjectIterator` (a map yields its
//! values, a string or number yields itself once), methods are the Java methods of the Java
//! type (a `String` has `split`, `trim`, `startsWith`…; a map `items`, `keys`, `values`,
//! `get`; a list `toList`, `size`), and a method called on nothing is nothing (jinjava only
//! warns). What jinjava would fail on fails here, as an error of that template.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Rest, ValueKind};
use minijinja::{Error, ErrorKind, Value};

use crate::mapper::javaregex;

/// A context leaf that remembers the flat key it came from (trace renders only).
#[derive(Debug)]
pub struct Traced {
    pub key: Arc<str>,
    pub value: Value,
}

impl Object for Traced {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn is_true(self: &Arc<Self>) -> bool {
        truthy(&self.value)
    }
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&java_string(&self.value))
    }
}

/// The value without its trace.
pub fn plain(v: &Value) -> Value {
    match v.downcast_object_ref::<Traced>() {
        Some(t) => t.value.clone(),
        None => v.clone(),
    }
}

/// The key a (traced) value came from.
pub fn trace_key(v: &Value) -> Option<Arc<str>> {
    v.downcast_object_ref::<Traced>().map(|t| t.key.clone())
}

/// Wraps `value` with the trace of `like`, if `like` had one.
pub fn retrace(like: &Value, value: Value) -> Value {
    match trace_key(like) {
        Some(key) => Value::from_object(Traced { key, value }),
        None => value,
    }
}

pub fn fail(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

pub(super) fn is_null(v: &Value) -> bool {
    v.is_undefined() || v.is_none()
}

/// `ObjectTruthValue.evaluate`.
pub fn truthy(v: &Value) -> bool {
    let v = plain(v);
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => false,
        ValueKind::Bool => v.is_true(),
        ValueKind::Number => f64::try_from(v).is_ok_and(|f| f != 0.0),
        ValueKind::String => v
            .as_str()
            .is_some_and(|s| !s.is_empty() && !s.eq_ignore_ascii_case("false")),
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => v.len().unwrap_or(1) != 0,
        _ => true,
    }
}

/// Java's `toString` of a value, as jinjava prints it (`Objects.toString(v, "")` at the top).
pub fn java_string(v: &Value) -> String {
    let v = plain(v);
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => "null".into(),
        ValueKind::Bool => if v.is_true() { "true" } else { "false" }.into(),
        ValueKind::Number if !v.is_integer() => {
            f64::try_from(v).map_or_else(|_| String::new(), crate::mapper::value::java_double)
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| it.map(|i| java_string(&i)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Map => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        let val = v.get_item(&k).unwrap_or_default();
                        format!("{}={}", java_string(&k), java_string(&val))
                    })
                    .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        _ => v.to_string(),
    }
}

/// What `{{ x }}` prints.
pub fn output_string(v: &Value) -> String {
    if is_null(&plain(v)) {
        String::new()
    } else {
        java_string(v)
    }
}

pub use super::arith::{el_add, el_cmp, el_eq, el_neg, el_op};
use super::arith::{number, Num};

pub fn el_cat(a: Value, b: Value) -> Value {
    Value::from(output_string(&a) + &output_string(&b))
}

pub fn el_empty(a: Value) -> bool {
    let a = plain(&a);
    is_null(&a) || a.len() == Some(0)
}

/// `CollectionMembershipOperator`.
pub fn el_in(a: Value, b: Value) -> Result<bool, Error> {
    let (a, b) = (plain(&a), plain(&b));
    match b.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(false),
        ValueKind::String => Ok(b.as_str().unwrap_or("").contains(&output_string(&a))),
        ValueKind::Map => Ok(!b.get_item(&a).unwrap_or_default().is_undefined()),
        ValueKind::Seq | ValueKind::Iterable => {
            for item in b.try_iter()? {
                if el_eq(&item, &a)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// `ObjectIterator.getLoop`: nothing → no items, a map → its values, a list → its items,
/// anything else → itself once.
pub fn el_iter(v: Value) -> Result<Value, Error> {
    let p = plain(&v);
    Ok(match p.kind() {
        ValueKind::Undefined | ValueKind::None => Value::from(Vec::<Value>::new()),
        ValueKind::Seq | ValueKind::Iterable => p,
        ValueKind::Map => {
            let vals: Vec<Value> = p
                .try_iter()?
                .map(|k| p.get_item(&k).unwrap_or_default())
                .collect();
            Value::from(vals)
        }
        _ => Value::from(vec![v]),
    })
}

/// A subscript key without its trace.
pub fn el_key(v: Value) -> Value {
    plain(&v)
}

/// `range(n)` / `range(a, b[, step])`, capped like jinjava's range limit.
pub fn el_range(args: Rest<Value>) -> Result<Value, Error> {
    let n: Vec<i64> = args
        .iter()
        .map(|a| match number(a, false)? {
            Num::Long(l) => Ok(l),
            Num::Double(d) => Ok(d as i64),
        })
        .collect::<Result<_, Error>>()?;
    let (start, end, step) = match n.as_slice() {
        [e] => (0, *e, 1),
        [s, e] => (*s, *e, 1),
        [s, e, st] if *st != 0 => (*s, *e, *st),
        _ => return Err(fail("range() takes 1 to 3 arguments and a non-zero step")),
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < end) || (step < 0 && i > end) {
        if out.len() >= 1000 {
            break; // jinjava's DEFAULT_RANGE_LIMIT
        }
        out.push(Value::from(i));
        i += step;
    }
    Ok(Value::from(out))
}

/// `String.split(regex[, limit])`.
pub fn split(s: &Value, sep: &Value) -> Result<Value, Error> {
    let text = plain(s);
    let Some(text) = text.as_str() else {
        return Err(fail("split() needs a string"));
    };
    let parts = javaregex::java_split(text, &output_string(sep)).map_err(fail)?;
    Ok(Value::from(
        parts
            .into_iter()
            .map(|p| retrace(s, Value::from(p)))
            .collect::<Vec<_>>(),
    ))
}
