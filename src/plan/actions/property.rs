//! `property`: a key of a Java properties file (log4j), replaced in place or appended after the
//! last key of the same prefix; the result is read back with the same parser.

use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::Property;
use crate::formats::error::ParseError;
use crate::formats::properties;
use crate::formats::xml::{short, Change};
use crate::formats::Compare;

impl Perform for Property {
    fn applicable(&self, parsed: &Parsed) -> bool {
        self.requires_key
            .as_deref()
            .is_none_or(|k| parsed.property(k).is_some())
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        parsed.property(&self.key).map(str::to_string)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        if !self.applicable(ctx.parsed) {
            return Ok(None);
        }
        let compare = ctx.compare(self.compare);
        let key = self.key.as_str();
        let current = ctx.parsed.property(key).map(str::to_string);
        match &current {
            Some(c) if compare.satisfied(c, value) => return Ok(None),
            Some(c) if self.accept.iter().any(|a| a == c.trim()) => return Ok(None),
            None if compare == Compare::OnlyIfPresent => return Ok(None),
            _ => {}
        }
        let what = format!(
            "{key}: {} → {}",
            current.as_deref().map_or("(absent)".into(), short),
            short(value)
        );
        Ok(set_property(ctx, key, value)?.map(|e| e.describe(what)))
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.key, self.value)
    }
}

/// Sets one property from the parse at hand and reads it back; the read-back parse is the
/// next state. The change's text is filled in by the caller.
pub(super) fn set_property(ctx: &Ctx, key: &str, value: &str) -> Result<Option<Edit>, ActionError> {
    let Parsed::Properties(doc) = ctx.parsed else {
        return Ok(None);
    };
    let new_text = properties::set_in(ctx.text, doc, key, value);
    let reread = properties::parse_doc(&new_text);
    if reread.get(key) != Some(value) {
        let m = format!("internal check failed: {key} does not read back");
        return Err(ActionError::Refused(ParseError::new(1, 1, m)));
    }
    let line = reread.line_of(key).unwrap_or(1);
    Ok(Some(Edit {
        text: new_text,
        changes: vec![Change {
            line,
            what: String::new(),
        }],
        parsed: Some(Parsed::Properties(reread)),
        check: None,
    }))
}
