//! `toml-entry`: a key of one entry of an array of tables, the entry found by a key. When the
//! file has no array, the product's default entries are written with it, because an array in
//! the file replaces the product's default one.

use super::toml_key::{scalar_text, split_key};
use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::{DefaultValue, TomlEntry, ValueType};
use crate::formats::error::ParseError;
use crate::formats::toml::{set_entry, Entry, EntryState, TomlScalar};
use crate::formats::xml::{noted, short, Change};
use crate::formats::Sibling;
use crate::mapper::JValue;
use crate::plan::effective::Analysis;

impl TomlEntry {
    fn entry<'a>(&'a self, array: &'a [&'a str]) -> Entry<'a> {
        Entry {
            array,
            key: &self.key,
            name: &self.name,
            field: &self.field,
        }
    }

    fn scalar(&self, value: &str) -> Result<TomlScalar, ActionError> {
        Ok(match self.value_type {
            ValueType::Integer => TomlScalar::Integer(value.trim().parse().map_err(|_| {
                let m = format!("`{value}` is not an integer (for {})", self.name);
                ActionError::Refused(ParseError::new(1, 1, m))
            })?),
            ValueType::Bool => TomlScalar::Bool(value.trim() == "true"),
            ValueType::String | ValueType::Array => TomlScalar::String(value.to_string()),
        })
    }

    /// The product's entries, the naming key first.
    fn defaults(&self) -> Vec<Vec<(String, TomlScalar)>> {
        let scalar = |v: &DefaultValue| match v {
            DefaultValue::Bool(b) => TomlScalar::Bool(*b),
            DefaultValue::Integer(i) => TomlScalar::Integer(*i),
            DefaultValue::String(s) => TomlScalar::String(s.clone()),
        };
        (self.product_default.iter())
            .map(|e| {
                let named = e.iter().filter(|(k, _)| **k == self.key);
                let rest = e.iter().filter(|(k, _)| **k != self.key);
                named.chain(rest).map(|(k, v)| (k.clone(), scalar(v))).collect()
            })
            .collect()
    }

    /// The field's value in the product's default array (`None`: not there).
    fn default_field(&self) -> Option<String> {
        let this = self
            .product_default
            .iter()
            .find(|e| e.get(&self.key) == Some(&DefaultValue::String(self.name.clone())))?;
        this.get(&self.field).map(|v| match v {
            DefaultValue::Bool(b) => b.to_string(),
            DefaultValue::Integer(i) => i.to_string(),
            DefaultValue::String(s) => s.clone(),
        })
    }
}

/// A scalar of the product's default array as deployment.toml writes it.
fn scalar_of(v: &JValue) -> Option<TomlScalar> {
    Some(match v {
        JValue::Bool(b) => TomlScalar::Bool(*b),
        JValue::Long(n) => TomlScalar::Integer(*n),
        JValue::Int(n) => TomlScalar::Integer(i64::from(*n)),
        JValue::Double(d) if d.fract() == 0.0 && d.abs() < 1e15 => TomlScalar::Integer(*d as i64),
        JValue::Str(s) => TomlScalar::String(s.clone()),
        _ => return None,
    })
}

impl TomlEntry {
    /// The product's own entries from the effective configuration (default.json), naming
    /// key first; `None` when an entry holds something deployment.toml cannot write here.
    fn effective_defaults(&self, eff: &Analysis) -> Option<Vec<Vec<(String, TomlScalar)>>> {
        let Some(JValue::List(items)) = eff.raw(&self.array) else {
            return Some(Vec::new());
        };
        items
            .iter()
            .map(|item| {
                let JValue::Map(m) = item else { return None };
                let named = m.iter().filter(|(k, _)| **k == self.key);
                let rest = m.iter().filter(|(k, _)| **k != self.key);
                named
                    .chain(rest)
                    .map(|(k, v)| Some((k.clone(), scalar_of(v)?)))
                    .collect()
            })
            .collect()
    }

    /// The field's value in the product's default array, and its entries, as the node's
    /// effective configuration has them (else as the target declares them).
    fn product(&self, eff: Option<&Analysis>) -> (Option<String>, Vec<Vec<(String, TomlScalar)>>) {
        let Some(entries) = eff.and_then(|e| self.effective_defaults(e)) else {
            return (self.default_field(), self.defaults());
        };
        let field = entries
            .iter()
            .find(|e| e.iter().any(|(k, v)| *k == self.key && scalar_text(v) == self.name))
            .and_then(|e| e.iter().find(|(k, _)| *k == self.field))
            .map(|(_, v)| scalar_text(v));
        (field, entries)
    }
}

impl Perform for TomlEntry {
    fn current(&self, parsed: &Parsed) -> Option<String> {
        let file = parsed.toml()?;
        let array = split_key(&self.array);
        match file.entry(&self.entry(&array)) {
            EntryState::Field(Some(v)) => Some(scalar_text(&v)),
            _ => None,
        }
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Some(file) = ctx.parsed.toml() else {
            return Ok(None);
        };
        let array = split_key(&self.array);
        let entry = self.entry(&array);
        let (product_field, product_entries) = self.product(ctx.effective);
        let current = match file.entry(&entry) {
            EntryState::Field(v) => v.map(|v| scalar_text(&v)),
            EntryState::NoEntry => None,
            EntryState::NoArray => product_field,
            EntryState::Inline => {
                let line = file.line_of(&array).unwrap_or(1);
                let m = format!("`{}` is an inline array; set {}={} by hand", self.array, self.name, value);
                return Err(ActionError::Refused(ParseError::new(line, 1, m)));
            }
        };
        let Some(fixed) = ctx.fix(self.compare, current.as_deref(), value, Sibling::None) else {
            return Ok(None);
        };
        ctx.reached(&self.array, file.line_of(&array))?;
        let scalar = self.scalar(&fixed.value)?;
        let (text, reread) = set_entry(ctx.text, file, &entry, &scalar, &product_entries)
            .map_err(ActionError::Refused)?;
        let line = reread.line_of(&array).unwrap_or(1);
        let was = current.map_or("(absent)".to_string(), |c| short(&c));
        let what = format!("{}[{}={}].{}: {was} → {}", self.array, self.key, self.name, self.field, short(&fixed.value));
        Ok(Some(Edit {
            text,
            changes: vec![Change { line, what: noted(what, &fixed) }],
            parsed: Some(Parsed::Toml(reread)),
            check: None,
        }))
    }

    fn describe(&self) -> String {
        format!("[[{}]] {} = \"{}\": {} = {}", self.array, self.key, self.name, self.field, self.value)
    }
}
