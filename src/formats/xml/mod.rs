//! Lossless XML editor: selects with roxmltree, splices byte ranges into the original text,
//! then re-parses and checks that the tree changed exactly as intended.

pub mod path;
pub mod scan;
mod verify;
mod want;

use std::ops::Range;

use roxmltree::{Document, Node, ParsingOptions};

use crate::formats::error::ParseError;
use crate::formats::Fixed;
pub use path::{plain_attribute, Path, PathError};
use scan::{eol, escape_attr, escape_text, first_on_line, indent_of, indent_unit, start_tag_end};
pub use verify::{check, Expect};
pub use want::{noted, Want};

/// Elements nested deeper than this are refused: no WSO2 file comes near it (they nest a
/// dozen levels), and a file that does is an attack or damage, not configuration.
pub const MAX_DEPTH: usize = 512;

/// Parses with DTDs allowed (web.xml and hand-edited files carry them) and never fetches.
pub fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        if matches!(
            e,
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream
        ) {
            // roxmltree places these at 1:1; the problem is where the text stops.
            let msg = "the file ends before its root element is closed (truncated?)";
            return ParseError::at(text, text.len(), msg);
        }
        let pos = e.pos();
        let message = e.to_string();
        let message = match message.rfind(" at ") {
            Some(i) if message[i + 4..].contains(':') => message[..i].to_string(),
            _ => message,
        };
        ParseError::new(pos.row as usize, pos.col as usize, message)
    })?;
    check_depth(text, &doc)?;
    Ok(doc)
}

/// Refuses absurd nesting, located at the first element past `MAX_DEPTH`. Document order
/// visits a parent before its children, so one pass with a depth per node id suffices.
fn check_depth(text: &str, doc: &Document) -> Result<(), ParseError> {
    let mut depth: Vec<u32> = Vec::new();
    for n in doc.descendants() {
        let d = n.parent().map_or(0, |p| {
            depth.get(p.id().get_usize()).copied().unwrap_or(0) + u32::from(n.is_element())
        });
        if d as usize > MAX_DEPTH {
            let msg = format!("elements nest deeper than {MAX_DEPTH} levels; refusing this file");
            return Err(ParseError::at(text, n.range().start, msg));
        }
        let id = n.id().get_usize();
        if depth.len() <= id {
            depth.resize(id + 1, 0);
        }
        depth[id] = d;
    }
    Ok(())
}

/// One desired state of an XML setting.
#[derive(Debug, Clone)]
pub enum XmlOp<'a> {
    /// Attribute `attr` of every element `path` selects.
    /// With `create`, a missing element is inserted into each parent as `<X attr="v"/>`.
    Attr {
        path: &'a Path,
        attr: &'a str,
        want: Want<'a>,
        create: bool,
    },
    /// Text of every element `path` selects; with `create`, a missing element is inserted
    /// into each parent (next to a commented-out copy of it when there is one).
    Text {
        path: &'a Path,
        want: Want<'a>,
        create: bool,
    },
}

/// What an edit did, for the report: 1-based line in the old text and a short description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub line: usize,
    pub what: String,
}

/// The result of planning one operation against one text.
#[derive(Debug, Clone)]
pub struct XmlEdit {
    pub text: String,
    pub changes: Vec<Change>,
    pub expects: Vec<Expect>,
}

struct Splice {
    range: Range<usize>,
    with: String,
}

/// Plans `op` against `text` (already parsed as `doc`). `None` when nothing needs to change.
/// The returned text has been re-parsed and verified against the expectations.
pub fn plan(
    text: &str,
    doc: &Document,
    op: &XmlOp,
    latin1: bool,
) -> Result<Option<XmlEdit>, ParseError> {
    let edit = plan_unchecked(text, doc, op, latin1)?;
    if let Some(e) = &edit {
        verify::verify(doc, &e.text, &e.expects)?;
    }
    Ok(edit)
}

/// `plan` without the verification: the caller must pass the edit through [`check`] (which
/// returns the new text's parse) before using it.
pub fn plan_unchecked(
    text: &str,
    doc: &Document,
    op: &XmlOp,
    latin1: bool,
) -> Result<Option<XmlEdit>, ParseError> {
    let mut planner = Planner {
        text,
        latin1,
        splices: Vec::new(),
        changes: Vec::new(),
        expects: Vec::new(),
    };
    match op {
        XmlOp::Attr {
            path,
            attr,
            want,
            create,
        } => {
            let nodes = path.select(doc.root_element());
            if nodes.is_empty() && *create {
                planner.create_in_parents(doc, path, want, Some(attr))?;
            }
            for node in nodes {
                planner.attr(node, attr, want)?;
            }
        }
        XmlOp::Text { path, want, create } => {
            let nodes = path.select(doc.root_element());
            if nodes.is_empty() && *create {
                planner.create_in_parents(doc, path, want, None)?;
            }
            for node in nodes {
                planner.text(node, want)?;
            }
        }
    }
    if planner.splices.is_empty() {
        return Ok(None);
    }
    let Planner {
        mut splices,
        changes,
        expects,
        ..
    } = planner;
    let new_text = apply_splices(text, &mut splices)?;
    Ok(Some(XmlEdit {
        text: new_text,
        changes,
        expects,
    }))
}

struct Planner<'t> {
    text: &'t str,
    latin1: bool,
    splices: Vec<Splice>,
    changes: Vec<Change>,
    expects: Vec<Expect>,
}

/// A value a mapper template computes (`{{…}}`, `{% … %}` in an `.xml.j2`): deployment.toml
/// sets it, so the editor never replaces it. Checked in every XML file: no configuration file
/// WSO2 reads holds Jinja markup, and a value that does is not the tool's to rewrite.
fn templated(value: &str) -> bool {
    value.contains("{{") || value.contains("{%")
}

const TEMPLATED: &str =
    "the template computes this value from deployment.toml: set it there, not in the template";

impl Planner<'_> {
    fn line(&self, pos: usize) -> usize {
        crate::formats::error::line_col(self.text, pos).0
    }

    fn attr(&mut self, node: Node, name: &str, want: &Want) -> Result<(), ParseError> {
        let existing = node
            .attributes()
            .find(|a| a.namespace().is_none() && a.name() == name);
        let Some(fixed) = want.fix(node, existing.map(|a| a.value())) else {
            return Ok(());
        };
        if let Some(a) = existing.filter(|a| templated(a.value())) {
            return Err(ParseError::at(self.text, a.range().start, TEMPLATED));
        }
        let value = fixed.value.as_str();
        let elem = label(node);
        match existing {
            Some(a) => {
                let range = a.range_value();
                let quote = self.text[range.end..].chars().next().unwrap_or('"');
                self.changes.push(Change {
                    line: self.line(a.range().start),
                    what: noted(
                        format!("{elem} {name}: {} → {}", short(a.value()), short(value)),
                        &fixed,
                    ),
                });
                self.splices.push(Splice {
                    range,
                    with: escape_attr(value, quote, self.latin1),
                });
            }
            None => {
                let attrs: Vec<_> = node.attributes().collect();
                let (at, with) = match attrs.last() {
                    Some(last) => {
                        let end = last.range().end;
                        let quote = self.text[..end].chars().last().unwrap_or('"');
                        let value = escape_attr(value, quote, self.latin1);
                        let start = last.range().start;
                        // One attribute per line (catalina-server.xml): continue that column.
                        let stacked = first_on_line(self.text, start)
                            && attrs.len() > 1
                            && self.text[attrs[0].range().start..start].contains('\n');
                        if stacked {
                            let indent = indent_of(self.text, start);
                            let eol = eol(self.text);
                            (end, format!("{eol}{indent}{name}={quote}{value}{quote}"))
                        } else {
                            (end, format!(" {name}={quote}{value}{quote}"))
                        }
                    }
                    None => {
                        let start = node.range().start + 1;
                        let name_len = self.text[start..]
                            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                            .unwrap_or(0);
                        let value = escape_attr(value, '"', self.latin1);
                        (start + name_len, format!(" {name}=\"{value}\""))
                    }
                };
                self.changes.push(Change {
                    line: self.line(at),
                    what: noted(
                        format!("{elem} {name}: (absent) → {}", short(value)),
                        &fixed,
                    ),
                });
                self.splices.push(Splice {
                    range: at..at,
                    with,
                });
            }
        }
        self.expects.push(Expect::Attr {
            elem: node.range().start,
            name: name.to_string(),
            value: value.to_string(),
        });
        Ok(())
    }

    fn text(&mut self, node: Node, want: &Want) -> Result<(), ParseError> {
        let current = element_text(node);
        let current = current.as_str();
        let start = node.range().start;
        if node.children().any(|c| c.is_element() || c.is_pi()) {
            return Err(ParseError::at(
                self.text,
                start,
                format!(
                    "<{}> holds elements; refusing to replace its text",
                    node.tag_name().name()
                ),
            ));
        }
        let Some(fixed) = want.fix(node, Some(current)) else {
            return Ok(());
        };
        if templated(current) {
            return Err(ParseError::at(self.text, start, TEMPLATED));
        }
        let value = fixed.value.as_str();
        let (gt, self_closing) = start_tag_end(self.text, start)
            .ok_or_else(|| ParseError::at(self.text, start, "unterminated start tag"))?;
        let qname = qualified_name(self.text, start);
        let escaped = escape_text(value, self.latin1);
        let texts: Vec<Node> = node
            .children()
            .filter(|c| c.is_text() && !c.text().unwrap_or("").trim().is_empty())
            .collect();
        let refuse = |why: &str| {
            Err(ParseError::at(
                self.text,
                gt + 1,
                format!("<{qname}> {why}; refusing to replace its text"),
            ))
        };
        let splice = if self_closing {
            Splice {
                range: gt - 1..gt + 1,
                with: format!(">{escaped}</{qname}>"),
            }
        } else if node.children().any(|c| c.is_comment()) {
            // Comments inside the element stay: only the text itself is replaced.
            match texts.as_slice() {
                [] => {
                    let last = node
                        .children()
                        .rfind(|c| c.is_comment())
                        .map_or(gt + 1, |c| c.range().end);
                    Splice {
                        range: last..last,
                        with: escaped,
                    }
                }
                [t] => {
                    let raw = &self.text[t.range()];
                    if raw.contains('<') {
                        return refuse("holds CDATA");
                    }
                    let lead = raw.len() - raw.trim_start().len();
                    let trail = raw.len() - raw.trim_end().len();
                    Splice {
                        range: t.range().start + lead..t.range().end - trail,
                        with: escaped,
                    }
                }
                _ => return refuse("has text on both sides of a comment"),
            }
        } else {
            let end_tag = self.text[..node.range().end]
                .rfind("</")
                .filter(|&i| i > gt)
                .ok_or_else(|| ParseError::at(self.text, start, "no end tag"))?;
            if self.text[gt + 1..end_tag].contains('<') {
                return refuse("holds CDATA");
            }
            Splice {
                range: gt + 1..end_tag,
                with: escaped,
            }
        };
        self.changes.push(Change {
            line: self.line(start),
            what: noted(
                format!("{}: {} → {}", label(node), short(current), short(value)),
                &fixed,
            ),
        });
        self.splices.push(splice);
        self.expects.push(Expect::Text {
            elem: start,
            value: value.to_string(),
        });
        Ok(())
    }

    /// Inserts the missing element into every element the path's parent selects.
    fn create_in_parents(
        &mut self,
        doc: &Document,
        path: &Path,
        want: &Want,
        attr: Option<&str>,
    ) -> Result<(), ParseError> {
        if let Some(parent) = path.parent() {
            for p in parent.select(doc.root_element()) {
                if let Some(fixed) = want.fix(p, None) {
                    self.insert_child(p, path, &fixed, attr)?;
                }
            }
        }
        Ok(())
    }

    /// Inserts the element `path`'s last step names into `parent`: with text `value`, or,
    /// given `attr`, as an empty element carrying `attr="value"`.
    fn insert_child(
        &mut self,
        parent: Node,
        path: &Path,
        fixed: &Fixed,
        attr: Option<&str>,
    ) -> Result<(), ParseError> {
        let value = fixed.value.as_str();
        let step = path.last();
        let mut new_attrs: Vec<(String, String)> = step
            .required_attributes()
            .iter()
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .collect();
        if let Some(a) = attr {
            // A predicate on the same attribute (`X[@a='v']` with attr `a`) is one attribute:
            // the target's value (the catalog requires them to agree).
            match new_attrs.iter_mut().find(|(n, _)| n == a) {
                Some(existing) => existing.1 = value.to_string(),
                None => new_attrs.push((a.to_string(), value.to_string())),
            }
        }
        let prefix = qualified_name(self.text, parent.range().start)
            .split_once(':')
            .map(|(p, _)| format!("{p}:"))
            .unwrap_or_default();
        let qname = format!("{prefix}{}", step.name);
        let attrs: String = new_attrs
            .iter()
            .map(|(a, v)| format!(" {a}=\"{}\"", escape_attr(v, '"', self.latin1)))
            .collect();
        let element = if attr.is_some() {
            format!("<{qname}{attrs}/>")
        } else {
            format!(
                "<{qname}{attrs}>{}</{qname}>",
                escape_text(value, self.latin1)
            )
        };
        let eol = eol(self.text);
        let commented = parent
            .children()
            .rfind(|c| c.is_comment() && comment_holds(c.text().unwrap_or(""), step));
        let last_element = parent.children().rfind(|c| c.is_element());
        let (at, indent) = match (commented, last_element) {
            (Some(c), _) => (
                after_line_comments(self.text, c.range().end),
                indent_of(self.text, c.range().start).to_string(),
            ),
            (None, Some(e)) => (
                after_line_comments(self.text, e.range().end),
                indent_of(self.text, e.range().start).to_string(),
            ),
            (None, None) => {
                let (gt, self_closing) = start_tag_end(self.text, parent.range().start)
                    .ok_or_else(|| {
                        ParseError::at(self.text, parent.range().start, "unterminated start tag")
                    })?;
                let outer = indent_of(self.text, parent.range().start);
                let indent = format!("{outer}{}", indent_unit(self.text, parent));
                if self_closing {
                    // `<X a="1"/>` becomes `<X a="1">`, the child on its own line, `</X>`.
                    let open_end = self.text[..gt - 1].trim_end_matches([' ', '\t']).len();
                    let qname = qualified_name(self.text, parent.range().start);
                    let with = format!(">{eol}{indent}{element}{eol}{outer}</{qname}>");
                    self.splices.push(Splice {
                        range: open_end..gt + 1,
                        with,
                    });
                    self.inserted(open_end, parent, step, &new_attrs, attr, fixed);
                    return Ok(());
                }
                (gt + 1, indent)
            }
        };
        self.splices.push(Splice {
            range: at..at,
            with: format!("{eol}{indent}{element}"),
        });
        self.inserted(at, parent, step, &new_attrs, attr, fixed);
        Ok(())
    }

    /// Records an inserted element: its change line and what verification must find.
    fn inserted(
        &mut self,
        at: usize,
        parent: Node,
        step: &path::Step,
        attrs: &[(String, String)],
        attr: Option<&str>,
        fixed: &Fixed,
    ) {
        let value = fixed.value.as_str();
        self.changes.push(Change {
            line: self.line(at),
            what: noted(
                format!(
                    "{}{}{}: (absent) → {}",
                    step.name,
                    step.required_attributes()
                        .iter()
                        .map(|(a, v)| format!("[{a}={v}]"))
                        .collect::<String>(),
                    attr.map(|a| format!(" {a}")).unwrap_or_default(),
                    short(value)
                ),
                fixed,
            ),
        });
        self.expects.push(Expect::Insert {
            at,
            namespace: parent.tag_name().namespace().map(str::to_string),
            name: step.name.clone(),
            attrs: attrs.to_vec(),
            value: if attr.is_some() { "" } else { value }.to_string(),
        });
    }
}

/// An element's text: its text children joined and trimmed (comments inside are skipped).
pub fn element_text(node: Node) -> String {
    let joined: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    joined.trim().to_string()
}

/// An element as reports name it: `Connector[port=9443]`, `parameter[name=HttpsProtocols]`.
fn label(node: Node) -> String {
    let name = node.tag_name().name();
    ["name", "port"]
        .iter()
        .find_map(|a| plain_attribute(node, a).map(|v| format!("{name}[{a}={v}]")))
        .unwrap_or_else(|| name.to_string())
}

/// A value quoted for a report; long ones (cipher lists, file patterns) keep head and tail.
pub fn short(value: &str) -> String {
    const HEAD: usize = 22;
    const TAIL: usize = 22;
    let n = value.chars().count();
    if n <= HEAD + TAIL + 1 {
        format!("\"{value}\"")
    } else {
        let head: String = value.chars().take(HEAD).collect();
        let tail: String = value.chars().skip(n - TAIL).collect();
        format!("\"{head}…{tail}\"")
    }
}

/// Past comments that close on the same line as `at` (`<X>1</X> <!-- minutes -->`), so an
/// element inserted after `X` does not take over X's trailing comment.
fn after_line_comments(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let r = &rest[ws..];
        match r.strip_prefix("<!--").and_then(|c| c.find("-->")) {
            Some(end) if !r[..end + 4].contains('\n') => at += ws + 4 + end + 3,
            _ => return at,
        }
    }
}

/// Does a comment hold a commented-out copy of the element `step` describes?
/// (`<!--HostName>www.wso2.org</HostName-->`, `<!--parameter name="WSDLEPRPrefix" ...-->`)
fn comment_holds(comment: &str, step: &path::Step) -> bool {
    let body = comment.trim_start();
    let body = body.strip_prefix('<').unwrap_or(body);
    let Some(rest) = body.strip_prefix(step.name.as_str()) else {
        return false;
    };
    rest.starts_with(['>', '/', ' ', '\t', '\r', '\n'])
        && step.required_attributes().iter().all(|(a, v)| {
            rest.contains(&format!("{a}=\"{v}\"")) || rest.contains(&format!("{a}='{v}'"))
        })
}

/// The element name exactly as written in its start tag (with any prefix).
fn qualified_name(text: &str, element_start: usize) -> &str {
    let rest = &text[element_start + 1..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

fn apply_splices(text: &str, splices: &mut [Splice]) -> Result<String, ParseError> {
    // Stable sort keeps the planning order of insertions at the same offset.
    splices.sort_by_key(|s| (s.range.start, s.range.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut pos = 0;
    for s in splices.iter() {
        if s.range.start < pos {
            return Err(ParseError::at(
                text,
                s.range.start,
                "two edits overlap here",
            ));
        }
        out.push_str(&text[pos..s.range.start]);
        out.push_str(&s.with);
        pos = s.range.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod check_tests;
