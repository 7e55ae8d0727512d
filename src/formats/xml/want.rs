//! What an XML target wants an element to hold: a value by a comparison rule, or a value
//! decided per element (never weaker, from the element's current value and its neighbours).

use roxmltree::Node;

use crate::formats::{Compare, Fixed, Sibling, TlsRuntime};

/// The value an element should hold, given its current one.
#[derive(Clone, Copy)]
pub enum Want<'a> {
    /// `value` by a comparison rule, with no knowledge of the runtime or other elements.
    Value(&'a str, Compare),
    /// Decided per element from its current value (`None`: absent): the value to write, or
    /// `None` when it complies. For an element to create, the node is its parent.
    Each(&'a dyn Fn(Node, Option<&str>) -> Option<Fixed>),
}

impl Want<'_> {
    pub(super) fn fix(&self, node: Node, current: Option<&str>) -> Option<Fixed> {
        match self {
            Want::Value(value, compare) => {
                compare.fix(current, value, &TlsRuntime::default(), Sibling::None)
            }
            Want::Each(f) => f(node, current),
        }
    }
}

impl std::fmt::Debug for Want<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Want::Value(v, c) => write!(f, "Value({v:?}, {c:?})"),
            Want::Each(_) => f.write_str("Each(..)"),
        }
    }
}

/// A change description with the note of the value's rule (a conservative choice it made).
pub fn noted(what: String, fixed: &Fixed) -> String {
    match &fixed.note {
        Some(note) => format!("{what} ({note})"),
        None => what,
    }
}
