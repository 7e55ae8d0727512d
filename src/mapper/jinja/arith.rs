//! JUEL's numbers and comparisons: coercion (null is 0, strings are parsed), `==` with
//! jinjava's truthy boolean coercion, `<`/`>` numeric or lexical, arithmetic, and jinjava's
//! `+` (lists concatenate, a string concatenates text).

use std::cmp::Ordering;

use minijinja::value::ValueKind;
use minijinja::{Error, Value};

use super::runtime::{fail, is_null, java_string, plain, truthy};

pub(super) enum Num {
    Long(i64),
    Double(f64),
}

/// JUEL's coercion to a number (`null` is 0, strings are parsed).
pub(super) fn number(v: &Value, double: bool) -> Result<Num, Error> {
    let v = plain(v);
    if is_null(&v) {
        return Ok(if double {
            Num::Double(0.0)
        } else {
            Num::Long(0)
        });
    }
    if v.kind() == ValueKind::Number {
        if !double && v.is_integer() {
            if let Some(n) = v.as_i64() {
                return Ok(Num::Long(n));
            }
        }
        return f64::try_from(v)
            .map(Num::Double)
            .map_err(|e| fail(e.to_string()));
    }
    if let Some(s) = v.as_str() {
        let s = s.trim();
        if !double && !s.contains(['.', 'e', 'E']) {
            return s.parse().map(Num::Long).map_err(|_| {
                fail(format!(
                    "cannot coerce \"{s}\" to a number (jinjava fails here)"
                ))
            });
        }
        return s.parse().map(Num::Double).map_err(|_| {
            fail(format!(
                "cannot coerce \"{s}\" to a number (jinjava fails here)"
            ))
        });
    }
    Err(fail(format!(
        "cannot coerce a {} to a number (jinjava fails here)",
        v.kind()
    )))
}

pub(super) fn is_float(v: &Value) -> bool {
    let v = plain(v);
    v.kind() == ValueKind::Number && !v.is_integer()
}

fn is_int(v: &Value) -> bool {
    let v = plain(v);
    v.kind() == ValueKind::Number && v.is_integer()
}

/// JUEL `==` with jinjava's `TruthyTypeConverter`.
pub fn el_eq(a: &Value, b: &Value) -> Result<bool, Error> {
    let (a, b) = (plain(a), plain(b));
    if is_null(&a) || is_null(&b) {
        return Ok(is_null(&a) && is_null(&b));
    }
    if is_float(&a) || is_float(&b) {
        return Ok(match (number(&a, true)?, number(&b, true)?) {
            (Num::Double(x), Num::Double(y)) => x == y,
            _ => false,
        });
    }
    if is_int(&a) || is_int(&b) {
        return Ok(match (number(&a, false)?, number(&b, false)?) {
            (Num::Long(x), Num::Long(y)) => x == y,
            (Num::Double(x), Num::Double(y)) => x == y,
            _ => false,
        });
    }
    if a.kind() == ValueKind::Bool || b.kind() == ValueKind::Bool {
        return Ok(truthy(&a) == truthy(&b));
    }
    if a.kind() == ValueKind::String || b.kind() == ValueKind::String {
        return Ok(java_string(&a) == java_string(&b));
    }
    Ok(a == b)
}

/// JUEL `<`, `<=`, `>`, `>=`: numbers numerically, strings lexically; `null` is false.
pub fn el_cmp(a: &Value, op: &str, b: &Value) -> Result<bool, Error> {
    let (a, b) = (plain(a), plain(b));
    if is_null(&a) || is_null(&b) {
        return Ok(false);
    }
    let ord = if is_float(&a) || is_float(&b) || is_int(&a) || is_int(&b) {
        let double = is_float(&a) || is_float(&b);
        match (number(&a, double)?, number(&b, double)?) {
            (Num::Long(x), Num::Long(y)) => x.cmp(&y),
            (Num::Double(x), Num::Double(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        }
    } else if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        x.encode_utf16().cmp(y.encode_utf16())
    } else {
        return Err(fail(format!(
            "cannot compare a {} with a {} (jinjava fails here)",
            a.kind(),
            b.kind()
        )));
    };
    Ok(match op {
        "<" => ord == Ordering::Less,
        "<=" => ord != Ordering::Greater,
        ">" => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

/// Arithmetic (`-`, `*`, `/`, `//`, `%`, `**`) and comparisons by operator.
pub fn el_op(a: Value, op: String, b: Value) -> Result<Value, Error> {
    if matches!(op.as_str(), "<" | "<=" | ">" | ">=") {
        return el_cmp(&a, &op, &b).map(Value::from);
    }
    let double = op == "/" || is_float(&a) || is_float(&b);
    let (x, y) = (number(&a, double)?, number(&b, double)?);
    Ok(match (x, y, op.as_str()) {
        (Num::Long(x), Num::Long(y), "-") => Value::from(x.wrapping_sub(y)),
        (Num::Long(x), Num::Long(y), "*") => Value::from(x.wrapping_mul(y)),
        (Num::Long(_), Num::Long(0), "%" | "//") => {
            return Err(fail("division by zero (jinjava fails here)"))
        }
        (Num::Long(x), Num::Long(y), "%") => Value::from(x.wrapping_rem(y)),
        (Num::Long(x), Num::Long(y), "//") => Value::from(x.div_euclid(y)),
        (Num::Long(x), Num::Long(y), "**") => Value::from((x as f64).powf(y as f64) as i64),
        (x, y, op) => {
            let f = |n: Num| match n {
                Num::Long(l) => l as f64,
                Num::Double(d) => d,
            };
            let (x, y) = (f(x), f(y));
            Value::from(match op {
                "-" => x - y,
                "*" => x * y,
                "/" => x / y,
                "%" => x % y,
                "//" => (x / y).floor(),
                _ => x.powf(y),
            })
        }
    })
}

/// jinjava's `AdditionOperator`: lists concatenate, a string on either side concatenates
/// text, else numbers add.
pub fn el_add(a: Value, b: Value) -> Result<Value, Error> {
    let (pa, pb) = (plain(&a), plain(&b));
    if pa.kind() == ValueKind::Seq {
        let mut items: Vec<Value> = pa.try_iter()?.collect();
        match pb.kind() {
            ValueKind::Seq => items.extend(pb.try_iter()?),
            _ => items.push(b),
        }
        return Ok(Value::from(items));
    }
    if pa.kind() == ValueKind::String || pb.kind() == ValueKind::String {
        return Ok(Value::from(java_string(&pa) + &java_string(&pb)));
    }
    let double = is_float(&pa) || is_float(&pb);
    Ok(match (number(&pa, double)?, number(&pb, double)?) {
        (Num::Long(x), Num::Long(y)) => Value::from(x.wrapping_add(y)),
        (Num::Double(x), Num::Double(y)) => Value::from(x + y),
        _ => Value::UNDEFINED,
    })
}

pub fn el_neg(a: Value) -> Result<Value, Error> {
    Ok(match number(&a, is_float(&a))? {
        Num::Long(n) => Value::from(n.wrapping_neg()),
        Num::Double(d) => Value::from(-d),
    })
}
