//! The values the mapper moves around, typed the way the Java mapper sees them: tomlj gives
//! `Long`/`Double`/`Boolean`/`String`, Gson reads every JSON number as a `Double`, the value
//! inferrer turns whole `Double`s into `Integer`s. The types matter: `Validator` compares with
//! `equals` (a `Long` never equals a `Double`), `String.valueOf` picks inference rules, and
//! templates print `2.0` for a Gson number but `2` for a TOML one.

use std::fmt::{self, Write as _};

use indexmap::IndexMap;

/// An insertion-ordered map, as Java's `LinkedHashMap` (tomlj tables) and Gson's
/// `LinkedTreeMap` (JSON objects) are.
pub type JMap = IndexMap<String, JValue>;

#[derive(Debug, Clone, PartialEq)]
pub enum JValue {
    Null,
    Bool(bool),
    /// `java.lang.Long`: every TOML integer.
    Long(i64),
    /// `java.lang.Integer`: whole numbers the value inferrer narrowed.
    Int(i32),
    /// `java.lang.Double`: TOML floats and every JSON number.
    Double(f64),
    Str(String),
    /// A TOML date or time, kept as text (Java would hold a `java.time` object).
    Date(String),
    List(Vec<JValue>),
    Map(JMap),
}

impl JValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Java's simple class name, for messages that mirror the product's.
    pub fn java_type(&self) -> &'static str {
        match self {
            JValue::Null => "null",
            JValue::Bool(_) => "java.lang.Boolean",
            JValue::Long(_) => "java.lang.Long",
            JValue::Int(_) => "java.lang.Integer",
            JValue::Double(_) => "java.lang.Double",
            JValue::Str(_) => "java.lang.String",
            JValue::Date(_) => "java.time.temporal.Temporal",
            JValue::List(_) => "java.util.ArrayList",
            JValue::Map(_) => "java.util.LinkedHashMap",
        }
    }

    /// `Object.equals` as the validator uses it: same Java type and value.
    pub fn java_equals(&self, other: &JValue) -> bool {
        match (self, other) {
            (JValue::Double(a), JValue::Double(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }

    /// `String.valueOf(value)` / `toString()`.
    pub fn java_string(&self) -> String {
        let mut s = String::new();
        self.write_java(&mut s);
        s
    }

    fn write_java(&self, out: &mut String) {
        match self {
            JValue::Null => out.push_str("null"),
            JValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JValue::Long(n) => {
                let _ = write!(out, "{n}");
            }
            JValue::Int(n) => {
                let _ = write!(out, "{n}");
            }
            JValue::Double(d) => out.push_str(&java_double(*d)),
            JValue::Str(s) | JValue::Date(s) => out.push_str(s),
            JValue::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_java(out);
                }
                out.push(']');
            }
            JValue::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    v.write_java(out);
                }
                out.push('}');
            }
        }
    }
}

/// `Double.toString(d)`: plain notation with at least one decimal in [1e-3, 1e7), else
/// `d.dddE±n`. Rust's shortest round-trip digits match Java's (JDK 19+ exactly; older JDKs
/// differ only for a few values that need 17 digits).
pub fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') {
            s
        } else {
            s + ".0"
        }
    } else {
        let s = format!("{d:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exp}")
    }
}

impl fmt::Display for JValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.java_string())
    }
}

/// Reads JSON the way `new Gson().fromJson(reader, Map.class)` does: objects keep their order,
/// every number is a `Double`, a duplicate key is an error.
pub fn parse_gson(text: &str) -> Result<JMap, GsonError> {
    let value: GsonValue = serde_json::from_str(text).map_err(|e| GsonError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    match value.0 {
        JValue::Map(m) => Ok(m),
        JValue::Null => Ok(JMap::new()),
        other => Err(GsonError {
            line: 1,
            column: 1,
            message: format!("expected a JSON object, found {}", other.java_type()),
        }),
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct GsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

struct GsonValue(JValue);

impl<'de> serde::Deserialize<'de> for GsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(GsonVisitor).map(GsonValue)
    }
}

struct GsonVisitor;

impl<'de> serde::de::Visitor<'de> for GsonVisitor {
    type Value = JValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<JValue, E> {
        Ok(JValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JValue, E> {
        Ok(JValue::Double(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<JValue, E> {
        Ok(JValue::Double(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<JValue, E> {
        Ok(JValue::Double(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<JValue, E> {
        Ok(JValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<JValue, E> {
        Ok(JValue::Str(v))
    }
    fn visit_unit<E>(self) -> Result<JValue, E> {
        Ok(JValue::Null)
    }
    fn visit_none<E>(self) -> Result<JValue, E> {
        Ok(JValue::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JValue, A::Error> {
        let mut out = Vec::new();
        while let Some(GsonValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(JValue::List(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JValue, A::Error> {
        let mut out = JMap::new();
        while let Some((k, GsonValue(v))) = map.next_entry::<String, GsonValue>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!("duplicate key: {k}")));
            }
            out.insert(k, v);
        }
        Ok(JValue::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_double_formats_like_java() {
        assert_eq!(java_double(2.0), "2.0");
        assert_eq!(java_double(0.1), "0.1");
        assert_eq!(java_double(9443.0), "9443.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1.5e-4), "1.5E-4");
        assert_eq!(java_double(-3.25), "-3.25");
    }

    #[test]
    fn gson_reads_numbers_as_doubles_and_keeps_order() {
        let m = parse_gson(r#"{"b": 1, "a": [true, "x", null], "c": {"z": 2.5}}"#).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(m["b"], JValue::Double(1.0));
        assert_eq!(m["b"].java_string(), "1.0");
        assert_eq!(m["a"].java_string(), "[true, x, null]");
        assert_eq!(m["c"].java_string(), "{z=2.5}");
        assert!(parse_gson(r#"{"a": 1, "a": 2}"#).is_err());
    }

    #[test]
    fn java_equals_is_type_strict() {
        assert!(!JValue::Long(1).java_equals(&JValue::Double(1.0)));
        assert!(JValue::Bool(true).java_equals(&JValue::Bool(true)));
        assert!(!JValue::Str("true".into()).java_equals(&JValue::Bool(true)));
    }
}
