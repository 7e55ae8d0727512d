//! A tiny absolute selector language for WSO2 config elements.
//!
//! `/Server/Service/Connector[@SSLEnabled='true'][!SSLHostConfig]` selects elements by local
//! name from the root, with predicates: `[@a]` attribute present, `[@a='v']` equal,
//! `[@a^='v']` starts with, `[!child]` no such child element, `[child]` has one,
//! `[child='text']` has a child whose trimmed text equals. Names match the local name in any
//! namespace (WSO2 files use one default namespace each); attributes match only un-prefixed ones.

use roxmltree::Node;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub predicates: Vec<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    HasAttr(String),
    AttrEq(String, String),
    AttrStartsWith(String, String),
    HasChild(String),
    NoChild(String),
    ChildTextEq(String, String),
}

/// A selector that does not parse; it comes from a patch definition, never from a config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad selector `{path}`: {why}")]
pub struct PathError {
    pub path: String,
    pub why: String,
}

impl Path {
    pub fn parse(src: &str) -> Result<Path, PathError> {
        let err = |why: &str| PathError {
            path: src.to_string(),
            why: why.to_string(),
        };
        let rest = src
            .strip_prefix('/')
            .ok_or_else(|| err("must start with /"))?;
        let mut steps = Vec::new();
        for raw in split_steps(rest) {
            let (name, mut preds) = match raw.find('[') {
                Some(i) => (&raw[..i], &raw[i..]),
                None => (raw, ""),
            };
            if name.is_empty() || !name.chars().all(is_name_char) {
                return Err(err("empty or invalid element name"));
            }
            let mut predicates = Vec::new();
            while !preds.is_empty() {
                let body_end = closing_bracket(preds).ok_or_else(|| err("unclosed ["))?;
                predicates.push(
                    parse_predicate(&preds[1..body_end]).ok_or_else(|| err("bad predicate"))?,
                );
                preds = &preds[body_end + 1..];
            }
            steps.push(Step {
                name: name.to_string(),
                predicates,
            });
        }
        if steps.is_empty() {
            return Err(err("no steps"));
        }
        Ok(Path { steps })
    }

    /// The path without its last step (the parent of what it selects).
    pub fn parent(&self) -> Option<Path> {
        (self.steps.len() > 1).then(|| Path {
            steps: self.steps[..self.steps.len() - 1].to_vec(),
        })
    }

    pub fn last(&self) -> &Step {
        &self.steps[self.steps.len() - 1]
    }

    /// Every element the path selects, in document order.
    pub fn select<'a, 'i>(&self, root: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
        let first = &self.steps[0];
        let mut current: Vec<Node<'a, 'i>> = if first.matches(root) {
            vec![root]
        } else {
            Vec::new()
        };
        for step in &self.steps[1..] {
            current = current
                .iter()
                .flat_map(|n| n.children().filter(|c| step.matches(*c)))
                .collect();
        }
        current
    }
}

impl Step {
    pub fn matches(&self, node: Node) -> bool {
        node.is_element()
            && node.tag_name().name() == self.name
            && self.predicates.iter().all(|p| p.holds(node))
    }

    /// Attributes a new element needs to satisfy this step's equality predicates.
    pub fn required_attributes(&self) -> Vec<(&str, &str)> {
        self.predicates
            .iter()
            .filter_map(|p| match p {
                Predicate::AttrEq(a, v) => Some((a.as_str(), v.as_str())),
                _ => None,
            })
            .collect()
    }
}

impl Predicate {
    fn holds(&self, node: Node) -> bool {
        match self {
            Predicate::HasAttr(a) => plain_attribute(node, a).is_some(),
            Predicate::AttrEq(a, v) => plain_attribute(node, a) == Some(v.as_str()),
            Predicate::AttrStartsWith(a, v) => {
                plain_attribute(node, a).is_some_and(|x| x.starts_with(v.as_str()))
            }
            Predicate::HasChild(c) => child_elements(node, c).next().is_some(),
            Predicate::NoChild(c) => child_elements(node, c).next().is_none(),
            Predicate::ChildTextEq(c, v) => {
                child_elements(node, c).any(|e| e.text().unwrap_or("").trim() == v)
            }
        }
    }
}

/// The value of an attribute without a namespace prefix (roxmltree matches any namespace).
pub fn plain_attribute<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.namespace().is_none() && a.name() == name)
        .map(|a| a.value())
}

pub fn child_elements<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits on `/` outside brackets and quotes.
fn split_steps(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0usize);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '/') if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn closing_bracket(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_predicate(body: &str) -> Option<Predicate> {
    let unquote = |v: &str| {
        let v = v.trim();
        let q = v.chars().next()?;
        (matches!(q, '\'' | '"') && v.len() >= 2 && v.ends_with(q))
            .then(|| v[1..v.len() - 1].to_string())
    };
    let name_ok = |n: &str| !n.is_empty() && n.chars().all(is_name_char);
    if let Some(child) = body.strip_prefix('!') {
        return name_ok(child).then(|| Predicate::NoChild(child.to_string()));
    }
    if let Some(attr) = body.strip_prefix('@') {
        if let Some((a, v)) = attr.split_once("^=") {
            return name_ok(a).then(|| Some(Predicate::AttrStartsWith(a.into(), unquote(v)?)))?;
        }
        if let Some((a, v)) = attr.split_once('=') {
            return name_ok(a).then(|| Some(Predicate::AttrEq(a.into(), unquote(v)?)))?;
        }
        return name_ok(attr).then(|| Predicate::HasAttr(attr.to_string()));
    }
    if let Some((c, v)) = body.split_once('=') {
        return name_ok(c).then(|| Some(Predicate::ChildTextEq(c.into(), unquote(v)?)))?;
    }
    name_ok(body).then(|| Predicate::HasChild(body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:x="urn:x">
  <Service>
    <Connector port="9763" server="WSO2"/>
    <!--Connector port="1" SSLEnabled="true"/-->
    <Connector port="9443" SSLEnabled="true" x:SSLEnabled="false"/>
    <Connector port="9444" SSLEnabled="true"><SSLHostConfig protocols="x"/></Connector>
  </Service>
  <filter><filter-name> HttpHeaderSecurityFilter </filter-name></filter>
</Server>"#;

    fn ports(path: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(DOC).unwrap();
        Path::parse(path)
            .unwrap()
            .select(doc.root_element())
            .iter()
            .map(|n| {
                n.attribute("port")
                    .unwrap_or(n.tag_name().name())
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn selects_by_name_and_predicates() {
        assert_eq!(ports("/Server/Service/Connector"), ["9763", "9443", "9444"]);
        assert_eq!(
            ports("/Server/Service/Connector[@SSLEnabled='true']"),
            ["9443", "9444"]
        );
        assert_eq!(
            ports("/Server/Service/Connector[@SSLEnabled='true'][!SSLHostConfig]"),
            ["9443"]
        );
        assert_eq!(ports("/Server/Service/Connector[SSLHostConfig]"), ["9444"]);
        assert_eq!(
            ports("/Server/Service/Connector[@port^='94']"),
            ["9443", "9444"]
        );
        assert_eq!(
            ports("/Server/filter[filter-name='HttpHeaderSecurityFilter']"),
            ["filter"]
        );
        assert!(ports("/Other/Service").is_empty());
    }

    #[test]
    fn prefixed_attribute_is_not_the_plain_one() {
        assert_eq!(
            ports("/Server/Service/Connector[@SSLEnabled='false']"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn rejects_malformed_selectors() {
        for bad in [
            "Server",
            "/",
            "/Server[",
            "/Server[@a='x]",
            "/Ser ver",
            "/S[@='x']",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad} should be rejected");
        }
        let p = Path::parse("/a/b[@name='x/y']").unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.last().required_attributes(), [("name", "x/y")]);
    }
}
