//! `toml-key`: a key of deployment.toml, read semantically (tables, dotted keys and inline
//! tables are the same key) and edited by splicing (`formats::toml`). Alias spellings that the
//! product's key mappings move onto the key are edited in place where a file uses them.

use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::{TomlKey, ValueType};
use crate::formats::error::ParseError;
use crate::formats::toml::{self as tomlfmt, TomlFile, TomlScalar};
use crate::formats::xml::{short, Change};
use crate::formats::Compare;

impl TomlKey {
    fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    fn desired(&self, value: &str) -> Result<TomlScalar, ActionError> {
        Ok(match self.value_type {
            ValueType::String => TomlScalar::String(value.to_string()),
            ValueType::Integer => TomlScalar::Integer(value.trim().parse().map_err(|_| {
                let m = format!("`{value}` is not an integer (for {})", self.key);
                ActionError::Refused(ParseError::new(1, 1, m))
            })?),
            ValueType::Bool => TomlScalar::Bool(value.trim() == "true"),
        })
    }
}

impl Perform for TomlKey {
    fn current(&self, parsed: &Parsed) -> Option<String> {
        let Parsed::Toml(file) = parsed else {
            return None;
        };
        self.spellings()
            .find_map(|k| file.get(&split_key(k)))
            .map(|v| scalar_text(&v))
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Parsed::Toml(file) = ctx.parsed else {
            return Ok(None);
        };
        let compare = ctx.compare(self.compare);
        let desired = self.desired(value)?;
        let mut present: Vec<&str> = self
            .spellings()
            .filter(|k| file.get(&split_key(k)).is_some())
            .collect();
        if present.is_empty() {
            let default_ok = self
                .product_default
                .as_deref()
                .is_some_and(|d| compare.satisfied(d, value));
            if default_ok || compare == Compare::OnlyIfPresent {
                return Ok(None);
            }
            present.push(&self.key);
        }
        let mut new_text = ctx.text.to_string();
        let mut changes = Vec::new();
        let mut reparsed: Option<TomlFile> = None;
        for k in present {
            let path = split_key(k);
            let state = reparsed.as_ref().unwrap_or(file);
            let current = state.get(&path);
            if current
                .as_ref()
                .is_some_and(|c| compare.satisfied(&scalar_text(c), value))
            {
                continue;
            }
            // `set_in` re-parses its output, checks the value took effect and every other key
            // is unchanged, and hands that parse back: it becomes the next state.
            let (edited, reread) = tomlfmt::set_in(&new_text, state, &path, &desired)
                .map_err(ActionError::Refused)?;
            let Some(reread) = reread else { continue };
            let line = reread.line_of(&path).unwrap_or(1);
            reparsed = Some(reread);
            changes.push(Change {
                line,
                what: format!(
                    "{k}: {} → {}",
                    current.map_or("(absent)".into(), |c| short(&scalar_text(&c))),
                    short(value)
                ),
            });
            new_text = edited;
        }
        Ok((!changes.is_empty()).then(|| Edit {
            text: new_text,
            changes,
            parsed: reparsed.map(Parsed::Toml),
        }))
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.key, self.value)
    }
}

fn split_key(key: &str) -> Vec<&str> {
    key.split('.').collect()
}

fn scalar_text(v: &TomlScalar) -> String {
    match v {
        TomlScalar::String(s) => s.clone(),
        TomlScalar::Integer(i) => i.to_string(),
        TomlScalar::Bool(b) => b.to_string(),
        TomlScalar::Float(f) => f.to_string(),
        TomlScalar::Other(raw) => raw.clone(),
    }
}
