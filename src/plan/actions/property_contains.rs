//! `property-contains`: a property's value must contain a token (`%K` in a log pattern). Where
//! it does not, the target's text is added at the start or end of the current value, which is
//! kept as it is; an absent key is not invented. The result is read back like `property`.

use super::property::set_property;
use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::{InsertAt, PropertyContains};
use crate::formats::xml::short;

impl Perform for PropertyContains {
    fn applicable(&self, parsed: &Parsed) -> bool {
        let required = match (&self.requires_key, &self.requires_value) {
            (None, _) => true,
            (Some(k), None) => parsed.property(k).is_some(),
            (Some(k), Some(v)) => parsed.property(k).is_some_and(|c| c.trim() == v.trim()),
        };
        required && parsed.property(&self.key).is_some()
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        parsed.property(&self.key).map(str::to_string)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        if !self.applicable(ctx.parsed) {
            return Ok(None);
        }
        let Some(current) = ctx.parsed.property(&self.key) else {
            return Ok(None);
        };
        if current.contains(&self.token) {
            return Ok(None);
        }
        let new = match self.at {
            InsertAt::Start => format!("{value}{current}"),
            InsertAt::End => format!("{current}{value}"),
        };
        let what = format!("{}: {} → {}", self.key, short(current), short(&new));
        Ok(set_property(ctx, &self.key, &new)?.map(|e| e.describe(what)))
    }

    fn describe(&self) -> String {
        let at = match self.at {
            InsertAt::Start => "at the start",
            InsertAt::End => "at the end",
        };
        let only = match (&self.requires_key, &self.requires_value) {
            (Some(k), Some(v)) => format!(", where {k} = {v}"),
            (Some(k), None) => format!(", where {k} is set"),
            _ => String::new(),
        };
        format!(
            "{} contains {} (\"{}\" added {at}, the rest kept{only})",
            self.key, self.token, self.value
        )
    }
}
