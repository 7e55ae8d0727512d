//! `UnitResolver`: unit-resolve.json's `time` keys turn `"30m"` into the unit a template wants.
//! The first `number [unit]` in the text is used (Java's `Matcher.find`); no unit keeps the
//! text as it is; numbers become their `String.valueOf`; a conversion that rounds a non-zero
//! value to 0, an unknown unit, or a value of another type stops the product.

use std::sync::OnceLock;

use regex::Regex;

use super::jhashmap::JHashMap;
use super::origin::Entry;
use super::value::{JMap, JValue};
use super::{Locate, MapError};

fn millis(unit: &str) -> Option<i128> {
    Some(match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" => 1_000,
        "ms" => 1,
        _ => return None,
    })
}

fn number_and_unit() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([0-9]+(?:\.[0-9]+)?)[\t\n\x0B\x0C\r ]*([0-9A-Za-z_]*)").expect("static regex")
    })
}

pub fn resolve_units(
    ctx: &mut JHashMap<Entry>,
    units: &JMap,
    loc: &Locate,
) -> Result<(), MapError> {
    let Some(JValue::Map(time)) = units.get("time") else {
        return Ok(());
    };
    for (key, unit) in time {
        let Some(current) = ctx.get(key).map(|e| e.value.clone()) else {
            continue;
        };
        let unit = unit.java_string();
        match convert(key, &current, &unit) {
            Ok(v) => {
                if let Some(e) = ctx.get_mut(key) {
                    if e.value != v {
                        e.prov.unit = Some(unit.clone());
                    }
                    e.value = v;
                }
            }
            Err(msg) => return Err(loc.key(ctx, key, msg)),
        }
    }
    Ok(())
}

fn convert(key: &str, value: &JValue, expected: &str) -> Result<JValue, String> {
    let text = match value {
        JValue::Long(_) | JValue::Int(_) | JValue::Double(_) => {
            return Ok(JValue::Str(value.java_string()))
        }
        JValue::Null => {
            return Err(format!(
                "Invalid value for configuration key {key}. Value is null"
            ))
        }
        JValue::Str(s) => s,
        other => {
            return Err(format!(
                "Invalid value for configuration key {key}. Value type is {}",
                other.java_type()
            ))
        }
    };
    let Some(caps) = number_and_unit().captures(text) else {
        return Err(format!("Invalid configuration value {key} = {text}"));
    };
    let number: f64 = caps[1].parse().unwrap_or(0.0);
    let unit = &caps[2];
    if unit.is_empty() {
        return Ok(value.clone());
    }
    let (Some(from), Some(to)) = (millis(unit), millis(expected)) else {
        let bad = if millis(unit).is_none() {
            unit
        } else {
            expected
        };
        return Err(format!("Invalid unit : {bad}"));
    };
    // Double.longValue() then TimeUnit.convert: truncation toward zero, saturating.
    let n = number as i64;
    let converted = (i128::from(n) * from / to).clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    if converted == 0 && n != 0 {
        return Err(format!("Converted value result in 0 for non zero source value. key: {key}, value given = {text}, converted value = 0"));
    }
    Ok(JValue::Str(converted.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_like_time_unit() {
        let s = |v: &str, u: &str| convert("k", &JValue::Str(v.into()), u);
        assert_eq!(s("30m", "ms"), Ok(JValue::Str("1800000".into())));
        assert_eq!(s("90s", "m"), Ok(JValue::Str("1".into())));
        assert_eq!(s("15", "m"), Ok(JValue::Str("15".into())));
        assert_eq!(s("2 h", "m"), Ok(JValue::Str("120".into())));
        assert!(s("10ms", "m").unwrap_err().contains("result in 0"));
        assert!(s("5mins", "m").unwrap_err().contains("Invalid unit"));
        assert!(s("abc", "m")
            .unwrap_err()
            .contains("Invalid configuration value"));
        assert_eq!(
            convert("k", &JValue::Long(15), "m"),
            Ok(JValue::Str("15".into()))
        );
        assert!(convert("k", &JValue::Bool(true), "m").is_err());
    }
}
