//! After splicing, the new text is parsed again and both trees are compared as canonical event
//! streams: the old stream with the intended changes applied must equal the new stream. Any
//! other difference (a broken quote, a value landing in the wrong element) is refused.

use roxmltree::{Document, Node, NodeType};

use crate::formats::error::ParseError;

/// An intended difference, keyed by byte offsets in the old text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Attr {
        elem: usize,
        name: String,
        value: String,
    },
    Text {
        elem: usize,
        value: String,
    },
    Insert {
        at: usize,
        namespace: Option<String>,
        name: String,
        attrs: Vec<(String, String)>,
        value: String,
    },
}

/// One event, borrowing the document (or the expectation) it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev<'a> {
    Start {
        ns: Option<&'a str>,
        name: &'a str,
        attrs: Vec<(Option<&'a str>, &'a str, &'a str)>,
    },
    End,
    Text(&'a str),
    Comment(&'a str),
    Pi(&'a str, Option<&'a str>),
    /// An expected event added by an insert; compares as the event it wraps.
    Inserted(Box<Ev<'a>>),
}

impl<'a> Ev<'a> {
    fn plain(&self) -> &Ev<'a> {
        match self {
            Ev::Inserted(e) => e,
            e => e,
        }
    }
}

pub(super) fn verify(old: &Document, new_text: &str, expects: &[Expect]) -> Result<(), ParseError> {
    check(old, new_text, expects).map(drop)
}

/// Parses `new_text` (the edit of `old` that `expects` describe) and verifies it; returns its
/// parse, so that the next edit of the same file starts from it instead of parsing again.
pub fn check<'n>(
    old: &Document,
    new_text: &'n str,
    expects: &[Expect],
) -> Result<Document<'n>, ParseError> {
    let new = super::parse(new_text).map_err(|e| {
        ParseError::new(
            e.line,
            e.col,
            format!("the edited text does not parse: {}", e.message),
        )
    })?;
    compare(old, &new, new_text, expects)?;
    Ok(new)
}

fn compare(
    old: &Document,
    new: &Document,
    new_text: &str,
    expects: &[Expect],
) -> Result<(), ParseError> {
    let mut want = events(old.root());
    for expect in expects {
        apply(&mut want, expect);
    }
    // The new document is walked once and compared as it goes: no second event list.
    let mut i = 0;
    let mut attrs = Vec::new();
    let mut first_difference = None;
    walk(new.root(), |at, node| {
        let same = want
            .get(i)
            .is_some_and(|(_, w)| node_is(w.plain(), node, &mut attrs));
        i += 1;
        if !same {
            first_difference = Some(at);
        }
        same
    });
    if first_difference.is_none() && i < want.len() {
        first_difference = Some(new_text.len());
    }
    if let Some(at) = first_difference {
        return Err(ParseError::at(
            new_text,
            at,
            "internal check failed: the edit changed more than the intended setting; nothing written",
        ));
    }
    Ok(())
}

/// What the walk met: a node's start (or its only event), or an element's end.
#[derive(Clone, Copy)]
enum Met<'a, 'i> {
    Node(Node<'a, 'i>),
    End,
}

/// The event `node` would give equals `want` (`attrs`: a scratch buffer).
fn node_is<'a>(
    want: &Ev,
    met: Met<'a, '_>,
    attrs: &mut Vec<(Option<&'a str>, &'a str, &'a str)>,
) -> bool {
    let Met::Node(n) = met else {
        return matches!(want, Ev::End);
    };
    match (want, n.node_type()) {
        (
            Ev::Start {
                ns,
                name,
                attrs: want_attrs,
            },
            NodeType::Element,
        ) => {
            if *ns != n.tag_name().namespace() || *name != n.tag_name().name() {
                return false;
            }
            attrs.clear();
            attrs.extend(n.attributes().map(|a| (a.namespace(), a.name(), a.value())));
            attrs.sort();
            want_attrs.len() == attrs.len()
                && want_attrs
                    .iter()
                    .zip(attrs.iter())
                    .all(|(w, g)| w.0 == g.0 && w.1 == g.1 && w.2 == g.2)
        }
        (Ev::Text(t), NodeType::Text) => *t == n.text().unwrap_or("").trim(),
        (Ev::Comment(t), NodeType::Comment) => *t == n.text().unwrap_or(""),
        (Ev::Pi(target, value), NodeType::PI) => n
            .pi()
            .is_some_and(|pi| pi.target == *target && pi.value == *value),
        _ => false,
    }
}

/// Walks the document in event order with an explicit stack (depth is bounded by `MAX_DEPTH`
/// at parse time, but no walk here may recurse on what a file holds), calling `f` with each
/// event's offset and node until it returns false. Text that is only whitespace and the root
/// give no event.
fn walk<'a, 'i: 'a>(root: Node<'a, 'i>, mut f: impl FnMut(usize, Met<'a, 'i>) -> bool) {
    // (node, its end event is due) pairs; children are pushed in reverse to pop in order.
    let mut stack: Vec<(Node, bool)> = root.children().rev().map(|c| (c, false)).collect();
    while let Some((n, closing)) = stack.pop() {
        if closing {
            if !f(n.range().end.saturating_sub(1), Met::End) {
                return;
            }
            continue;
        }
        let go_on = match n.node_type() {
            NodeType::Element => {
                stack.push((n, true));
                stack.extend(n.children().rev().map(|c| (c, false)));
                f(n.range().start, Met::Node(n))
            }
            NodeType::Text if n.text().unwrap_or("").trim().is_empty() => true,
            NodeType::PI if n.pi().is_none() => true,
            NodeType::Root => true,
            _ => f(n.range().start, Met::Node(n)),
        };
        if !go_on {
            return;
        }
    }
}

/// The document as a flat event stream (`walk`'s events).
fn events<'a, 'i: 'a>(root: Node<'a, 'i>) -> Vec<(usize, Ev<'a>)> {
    let mut out = Vec::new();
    walk(root, |at, met| {
        let Met::Node(n) = met else {
            out.push((at, Ev::End));
            return true;
        };
        let ev = match n.node_type() {
            NodeType::Element => {
                let mut attrs: Vec<_> = n
                    .attributes()
                    .map(|a| (a.namespace(), a.name(), a.value()))
                    .collect();
                attrs.sort();
                Ev::Start {
                    ns: n.tag_name().namespace(),
                    name: n.tag_name().name(),
                    attrs,
                }
            }
            NodeType::Text => Ev::Text(n.text().unwrap_or("").trim()),
            NodeType::Comment => Ev::Comment(n.text().unwrap_or("")),
            _ => match n.pi() {
                Some(pi) => Ev::Pi(pi.target, pi.value),
                None => return true,
            },
        };
        out.push((at, ev));
        true
    });
    out
}

fn apply<'a>(events: &mut Vec<(usize, Ev<'a>)>, expect: &'a Expect) {
    match expect {
        Expect::Attr { elem, name, value } => {
            if let Some((_, Ev::Start { attrs, .. })) = events.iter_mut().find(|(o, _)| o == elem) {
                attrs.retain(|(ns, n, _)| !(ns.is_none() && n == name));
                attrs.push((None, name.as_str(), value.as_str()));
                attrs.sort();
            }
        }
        Expect::Text { elem, value } => {
            if let Some(i) = events
                .iter()
                .position(|(o, e)| o == elem && matches!(e, Ev::Start { .. }))
            {
                // The planner refused elements with child elements, so the events up to End are
                // this element's text and comments: the text goes, comments stay.
                let end = (i + 1..events.len())
                    .find(|&j| events[j].1 == Ev::End)
                    .unwrap_or(events.len());
                let first_text = (i + 1..end).find(|&j| matches!(events[j].1, Ev::Text(_)));
                let offset = events[i].0;
                let mut kept: Vec<(usize, Ev<'a>)> = events[i + 1..end]
                    .iter()
                    .filter(|(_, e)| !matches!(e, Ev::Text(_)))
                    .cloned()
                    .collect();
                let text = value.trim();
                if !text.is_empty() {
                    let at = first_text.map_or(kept.len(), |j| {
                        events[i + 1..j]
                            .iter()
                            .filter(|(_, e)| !matches!(e, Ev::Text(_)))
                            .count()
                    });
                    kept.insert(at, (offset, Ev::Text(text)));
                }
                events.splice(i + 1..end, kept);
            }
        }
        Expect::Insert {
            at,
            namespace,
            name,
            attrs,
            value,
        } => {
            // Skip what earlier inserts at the same offset added: splices keep planning order.
            let i = events
                .iter()
                .position(|(o, e)| o > at || (o == at && !matches!(e, Ev::Inserted(_))))
                .unwrap_or(events.len());
            let mut attrs: Vec<_> = attrs
                .iter()
                .map(|(n, v)| (None, n.as_str(), v.as_str()))
                .collect();
            attrs.sort();
            let mut new = vec![(
                *at,
                Ev::Inserted(Box::new(Ev::Start {
                    ns: namespace.as_deref(),
                    name: name.as_str(),
                    attrs,
                })),
            )];
            if !value.trim().is_empty() {
                new.push((*at, Ev::Inserted(Box::new(Ev::Text(value.trim())))));
            }
            new.push((*at, Ev::Inserted(Box::new(Ev::End))));
            events.splice(i..i, new);
        }
    }
}
