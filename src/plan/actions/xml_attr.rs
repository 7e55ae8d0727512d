//! `xml-attr`: an attribute of every element a selector matches.

use super::{xml_applicable, xml_first, xml_plan, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::XmlAttr;
use roxmltree::Node;

use crate::formats::xml::{self, Want, XmlOp};
use crate::formats::Sibling;

impl Perform for XmlAttr {
    fn applicable(&self, parsed: &Parsed) -> bool {
        xml_applicable(&self.select.path, self.create, parsed)
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        let node = xml_first(&self.select.path, parsed)?;
        xml::plain_attribute(node, &self.attr).map(str::to_string)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        // The protocols beside a cipher list: an attribute of the same element (absent on an
        // element about to be created).
        let each = |node: Node, current: Option<&str>| {
            let sibling = match &self.protocols {
                None => Sibling::None,
                Some(_) if current.is_none() && self.create && node_is_parent(node, self) => {
                    Sibling::Protocols(None)
                }
                Some(attr) => Sibling::Protocols(xml::plain_attribute(node, attr)),
            };
            ctx.fix(self.compare, current, value, sibling)
        };
        let op = XmlOp::Attr {
            path: &self.select.path,
            attr: &self.attr,
            want: Want::Each(&each),
            create: self.create,
        };
        xml_plan(ctx, &op)
    }

    fn describe(&self) -> String {
        format!("{} @{} = {}", self.select.source, self.attr, self.value)
    }
}

/// With `create`, the rule is also asked for each parent that lacks the element.
fn node_is_parent(node: Node, target: &XmlAttr) -> bool {
    node.tag_name().name() != target.select.path.last().name
}
