//! jinjava's filters and expression tests, as the compiled templates call them
//! (`__jv_f_default(x, 'a')`, `__jv_t_defined(x)`).

use minijinja::value::{Rest, ValueKind};
use minijinja::{Environment, Error, Value};

use super::emit::PREFIX;
use super::runtime::{
    el_cmp, el_eq, el_in, el_iter, fail, java_string, output_string, plain, retrace, truthy,
};

fn null(v: &Value) -> bool {
    let p = plain(v);
    p.is_undefined() || p.is_none()
}

/// `DefaultFilter`: the value unless null (or, with a true second argument, unless falsy);
/// the default as text unless it is a list or map.
fn default(v: Value, args: Rest<Value>) -> Value {
    let truthy_mode = args.get(1).is_some_and(|a| plain(a).is_true());
    let keep = if truthy_mode { truthy(&v) } else { !null(&v) };
    if keep {
        return v;
    }
    match args.first() {
        None => Value::UNDEFINED,
        Some(d) => {
            let p = plain(d);
            if null(&p) || matches!(p.kind(), ValueKind::Seq | ValueKind::Map) {
                p
            } else {
                Value::from(java_string(&p))
            }
        }
    }
}

/// `LengthFilter`: 0 for null, UTF-16 length of a string, size of a collection, else 0.
fn length(v: Value) -> i64 {
    let p = plain(&v);
    match p.as_str() {
        Some(s) => s.encode_utf16().count() as i64,
        None => match p.kind() {
            ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => p.len().unwrap_or(0) as i64,
            _ => 0,
        },
    }
}

/// `JoinFilter`: items of `ObjectIterator`, each `Objects.toString(v, "")`.
fn join(v: Value, args: Rest<Value>) -> Result<Value, Error> {
    let sep = args.first().map(output_string).unwrap_or_default();
    let items = el_iter(v.clone())?;
    let mut parts = Vec::new();
    let mut keys = Vec::new();
    for item in items.try_iter()? {
        keys.push(super::runtime::trace_key(&item));
        parts.push(output_string(&item));
    }
    let joined = Value::from(parts.join(&sep));
    // a join of one traced list keeps the list's trace
    Ok(match keys.first() {
        Some(Some(k)) if keys.iter().all(|x| x.as_deref() == Some(&**k)) => {
            Value::from_object(super::runtime::Traced {
                key: k.clone(),
                value: joined,
            })
        }
        _ => joined,
    })
}

fn string_filter(v: Value, f: impl Fn(&str) -> String) -> Value {
    match plain(&v).as_str() {
        Some(s) => retrace(&v, Value::from(f(s))),
        None => v,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn to_int(v: Value, args: Rest<Value>) -> Value {
    let d = args.first().map(plain).unwrap_or(Value::from(0));
    let p = plain(&v);
    match p.kind() {
        ValueKind::Number => Value::from(f64::try_from(p).map_or(0, |f| f as i64)),
        ValueKind::String => p
            .as_str()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map_or(d, Value::from),
        _ => d,
    }
}

fn to_float(v: Value, args: Rest<Value>) -> Value {
    let d = args.first().map(plain).unwrap_or(Value::from(0.0));
    let p = plain(&v);
    match p.kind() {
        ValueKind::Number => Value::from(f64::try_from(p).unwrap_or(0.0)),
        ValueKind::String => p
            .as_str()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .map_or(d, Value::from),
        _ => d,
    }
}

fn first_last(v: Value, last: bool) -> Result<Value, Error> {
    let items: Vec<Value> = el_iter(v)?.try_iter()?.collect();
    Ok(if last { items.last() } else { items.first() }
        .cloned()
        .unwrap_or_default())
}

fn f<F, Rv, Args>(env: &mut Environment<'static>, name: &str, func: F)
where
    F: minijinja::functions::Function<Rv, Args> + Send + Sync + 'static,
    Rv: minijinja::value::FunctionResult,
    Args: for<'a> minijinja::value::FunctionArgs<'a>,
{
    env.add_function(format!("{PREFIX}{name}"), func);
}

pub fn register(env: &mut Environment<'static>) {
    for name in ["f_default", "f_d"] {
        f(env, name, default);
    }
    for name in ["f_length", "f_count"] {
        f(env, name, length);
    }
    f(env, "f_join", join);
    f(env, "f_lower", |v: Value| {
        string_filter(v, str::to_lowercase)
    });
    f(env, "f_upper", |v: Value| {
        string_filter(v, str::to_uppercase)
    });
    f(env, "f_trim", |v: Value| {
        string_filter(v, |s| s.trim().to_string())
    });
    f(env, "f_capitalize", |v: Value| {
        string_filter(v, |s| {
            let mut c = s.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase()
            })
        })
    });
    f(env, "f_title", |v: Value| {
        string_filter(v, |s| {
            s.split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map_or(String::new(), |f| {
                        f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase()
                    })
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
    });
    for name in ["f_escape", "f_e"] {
        f(env, name, |v: Value| {
            Value::from(escape(&output_string(&v)))
        });
    }
    f(env, "f_replace", |v: Value, a: Value, b: Value| {
        let (a, b) = (output_string(&a), output_string(&b));
        string_filter(v, move |s| s.replace(&a, &b))
    });
    f(env, "f_int", to_int);
    f(env, "f_float", to_float);
    f(env, "f_string", |v: Value| {
        retrace(&v, Value::from(output_string(&v)))
    });
    f(env, "f_first", |v: Value| first_last(v, false));
    f(env, "f_last", |v: Value| first_last(v, true));
    f(env, "f_list", |v: Value| -> Result<Value, Error> {
        let p = plain(&v);
        if let Some(s) = p.as_str() {
            return Ok(Value::from(
                s.chars()
                    .map(|c| Value::from(c.to_string()))
                    .collect::<Vec<_>>(),
            ));
        }
        el_iter(v)
    });
    f(
        env,
        "filter",
        |name: String, _v: Value, _a: Rest<Value>| -> Result<Value, Error> {
            Err(fail(format!(
                "filter `{name}` is not supported by this renderer"
            )))
        },
    );

    // tests
    f(env, "t_defined", |v: Value| !null(&v));
    f(env, "t_undefined", |v: Value| null(&v));
    for name in ["t_none", "t_null"] {
        f(env, name, |v: Value| null(&v));
    }
    f(env, "t_sameas", |v: Value, o: Value| {
        let (a, b) = (plain(&v), plain(&o));
        match (a.kind(), b.kind()) {
            (ValueKind::Bool, ValueKind::Bool) => a == b,
            (ValueKind::Undefined | ValueKind::None, ValueKind::Undefined | ValueKind::None) => {
                true
            }
            // Long.valueOf caches -128..127: the same object
            (ValueKind::Number, ValueKind::Number) if a.is_integer() && b.is_integer() => {
                a == b && a.as_i64().is_some_and(|n| (-128..=127).contains(&n))
            }
            _ => false,
        }
    });
    f(env, "t_string", |v: Value| {
        plain(&v).kind() == ValueKind::String
    });
    f(env, "t_number", |v: Value| {
        plain(&v).kind() == ValueKind::Number
    });
    f(env, "t_mapping", |v: Value| {
        plain(&v).kind() == ValueKind::Map
    });
    for name in ["t_iterable", "t_sequence"] {
        f(env, name, |v: Value| {
            matches!(plain(&v).kind(), ValueKind::Seq | ValueKind::Iterable)
        });
    }
    f(env, "t_boolean", |v: Value| {
        plain(&v).kind() == ValueKind::Bool
    });
    f(env, "t_true", |v: Value| plain(&v) == Value::from(true));
    f(env, "t_false", |v: Value| plain(&v) == Value::from(false));
    f(env, "t_truthy", |v: Value| truthy(&v));
    f(env, "t_even", |v: Value| {
        plain(&v).as_i64().is_some_and(|n| n % 2 == 0)
    });
    f(env, "t_odd", |v: Value| {
        plain(&v).as_i64().is_some_and(|n| n % 2 != 0)
    });
    f(env, "t_divisibleby", |v: Value, n: Value| {
        match (plain(&v).as_i64(), plain(&n).as_i64()) {
            (Some(a), Some(b)) if b != 0 => a % b == 0,
            _ => false,
        }
    });
    for name in ["t_equalto", "t_eq"] {
        f(env, name, |v: Value, o: Value| el_eq(&v, &o));
    }
    f(env, "t_ne", |v: Value, o: Value| el_eq(&v, &o).map(|b| !b));
    for (name, op) in [("t_lt", "<"), ("t_gt", ">"), ("t_le", "<="), ("t_ge", ">=")] {
        f(env, name, move |v: Value, o: Value| el_cmp(&v, op, &o));
    }
    for name in ["t_in", "t_within"] {
        f(env, name, |v: Value, o: Value| el_in(v, o));
    }
    f(env, "t_containing", |v: Value, o: Value| el_in(o, v));
    f(
        env,
        "test",
        |name: String, _v: Value, _a: Rest<Value>| -> Result<bool, Error> {
            Err(fail(format!(
                "test `{name}` is not supported by this renderer"
            )))
        },
    );
}
