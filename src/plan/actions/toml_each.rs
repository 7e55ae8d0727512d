//! `toml-each`: a key of every entry of an array of tables whose `where` key is true, each
//! judged on its own (`[[custom_transport]]` connectors with `properties.SSLEnabled = true`).

use super::toml_key::{scalar_text, split_key};
use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::TomlEach;
use crate::formats::error::ParseError;
use crate::formats::toml::{set_in, Tables, TomlFile, TomlScalar};
use crate::formats::xml::{noted, short, Change};
use crate::formats::Sibling;

impl TomlEach {
    /// The indexes of the entries the target applies to.
    fn matching(&self, file: &TomlFile) -> Result<Vec<usize>, ActionError> {
        let array = split_key(&self.array);
        let count = match file.tables(&array) {
            Tables::Absent => 0,
            Tables::Count(n) => n,
            Tables::Other(line) => {
                let m = format!("`{}` is not written as [[{}]] tables; set {} by hand", self.array, self.array, self.key);
                return Err(ActionError::Refused(ParseError::new(line, 1, m)));
            }
        };
        Ok((0..count)
            .filter(|&i| {
                let on = get(file, &self.path(i, &self.where_true));
                matches!(on, Some(TomlScalar::Bool(true)))
                    || matches!(on, Some(TomlScalar::String(ref v)) if v.trim() == "true")
            })
            .collect())
    }

    fn path<'a>(&'a self, index: usize, key: &'a str) -> Vec<String> {
        let mut p: Vec<String> = self.array.split('.').map(str::to_string).collect();
        p.push(index.to_string());
        p.extend(key.split('.').map(str::to_string));
        p
    }
}

fn get(file: &TomlFile, path: &[String]) -> Option<TomlScalar> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    file.get(&path)
}

impl Perform for TomlEach {
    fn applicable(&self, parsed: &Parsed) -> bool {
        let Some(file) = parsed.toml() else {
            return false;
        };
        self.matching(file).is_ok_and(|m| !m.is_empty())
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        let file = parsed.toml()?;
        let first = *self.matching(file).ok()?.first()?;
        get(file, &self.path(first, &self.key)).map(|v| scalar_text(&v))
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Some(file) = ctx.parsed.toml() else {
            return Ok(None);
        };
        let mut text = ctx.text.to_string();
        let mut state: Option<TomlFile> = None;
        let mut changes = Vec::new();
        for i in self.matching(file)? {
            let now = state.as_ref().unwrap_or(file);
            let current = get(now, &self.path(i, &self.key)).map(|v| scalar_text(&v));
            let protocols = (self.protocols.iter())
                .find_map(|k| get(now, &self.path(i, k)))
                .map(|v| scalar_text(&v));
            let sibling = match self.protocols.is_empty() {
                true => Sibling::None,
                false => Sibling::Protocols(protocols.as_deref()),
            };
            let Some(fixed) = ctx.fix(self.compare, current.as_deref(), value, sibling) else {
                continue;
            };
            ctx.reached(&self.array, now.line_of(&split_key(&self.array)))?;
            let path = self.path(i, &self.key);
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let desired = TomlScalar::String(fixed.value.clone());
            let (edited, reread) = set_in(&text, now, &refs, &desired).map_err(ActionError::Refused)?;
            let Some(reread) = reread else { continue };
            let was = current.map_or("(absent)".to_string(), |c| short(&c));
            changes.push(Change {
                line: reread.line_of(&refs).unwrap_or(1),
                what: noted(format!("{}[{i}].{}: {was} → {}", self.array, self.key, short(&fixed.value)), &fixed),
            });
            text = edited;
            state = Some(reread);
        }
        Ok((!changes.is_empty()).then(|| Edit {
            text,
            changes,
            parsed: state.map(Parsed::Toml),
            check: None,
        }))
    }

    fn describe(&self) -> String {
        format!("[[{}]] where {} = true: {} = {}", self.array, self.where_true, self.key, self.value)
    }
}
