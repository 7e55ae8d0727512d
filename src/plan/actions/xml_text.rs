//! `xml-text`: the text of every element a selector matches.

use super::{xml_applicable, xml_first, xml_plan, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::XmlText;
use roxmltree::Node;

use crate::formats::xml::{self, Want, XmlOp};
use crate::formats::Sibling;

impl Perform for XmlText {
    fn applicable(&self, parsed: &Parsed) -> bool {
        xml_applicable(&self.select.path, self.create, parsed)
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        xml_first(&self.select.path, parsed).map(xml::element_text)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        // The protocols beside a cipher list: the element `protocols` selects under the same
        // parent (for an element about to be created, `node` is that parent).
        let root = ctx.parsed.doc().map(|d| d.root_element());
        let each = |node: Node, current: Option<&str>| {
            let sibling_text = match (&self.protocols, root) {
                (Some(sel), Some(root)) => {
                    let parent = if current.is_none() { Some(node) } else { node.parent() };
                    let found = sel.path.select(root).into_iter().find(|p| p.parent() == parent);
                    Some(found.map(xml::element_text).map(|t| resolved(&t, ctx)))
                }
                _ => None,
            };
            let sibling = match &sibling_text {
                None => Sibling::None,
                Some(text) => Sibling::Protocols(text.as_deref()),
            };
            ctx.fix(self.compare, current, value, sibling)
        };
        let op = XmlOp::Text {
            path: &self.select.path,
            want: Want::Each(&each),
            create: self.create,
        };
        xml_plan(ctx, &op)
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.select.source, self.value)
    }
}

/// In a template, a protocols element that prints one deployment.toml value (`{{key}}`)
/// holds what the product uses for that key (`ctx.effective`); left as written otherwise.
fn resolved(text: &str, ctx: &Ctx) -> String {
    let key = text
        .trim()
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains(['{', '}', '|', ' ']));
    match (key, ctx.effective) {
        (Some(key), Some(effective)) => effective
            .value(key)
            .map(|known| known.text)
            .unwrap_or_else(|| text.to_string()),
        _ => text.to_string(),
    }
}
