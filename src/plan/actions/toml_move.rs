//! `toml-move`: a key the product reads in the wrong place moves to the right one; where the
//! right one is set already, the wrong one is removed.

use super::toml_key::{scalar_text, split_key};
use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::TomlMove;
use crate::formats::toml::{remove_in, set_in};
use crate::formats::xml::{short, Change};

impl Perform for TomlMove {
    fn current(&self, parsed: &Parsed) -> Option<String> {
        let file = parsed.toml()?;
        file.get(&split_key(&self.from)).map(|v| scalar_text(&v))
    }

    fn plan(&self, _value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Some(file) = ctx.parsed.toml() else {
            return Ok(None);
        };
        let (from, to) = (split_key(&self.from), split_key(&self.to));
        let Some(value) = file.get(&from) else {
            return Ok(None);
        };
        let line = file.line_of(&from).unwrap_or(1);
        let mut text = ctx.text.to_string();
        let mut state = file.clone();
        let what = if file.get(&to).is_some() {
            format!("{}: removed ({} is set; this one renders in the wrong place)", self.from, self.to)
        } else {
            let (moved, reread) = set_in(&text, &state, &to, &value).map_err(ActionError::Refused)?;
            if let Some(reread) = reread {
                text = moved;
                state = reread;
            }
            format!("{}: {} moved to {}", self.from, short(&scalar_text(&value)), self.to)
        };
        let (removed, reread) = remove_in(&text, &state, &from).map_err(ActionError::Refused)?;
        Ok(Some(Edit {
            text: removed,
            changes: vec![Change { line, what }],
            parsed: Some(Parsed::Toml(reread)),
            check: None,
        }))
    }

    fn describe(&self) -> String {
        format!("{} moves to {} (removed where that is set)", self.from, self.to)
    }
}
