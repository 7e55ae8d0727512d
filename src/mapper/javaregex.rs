//! Java regular expressions (validator.json, `String.split`) translated for the `regex` crate.
//! Java's `\d \w \s \b` are ASCII; `\Z` allows a final line terminator; `\Q…\E` quotes. What
//! the crate cannot express (look-around, back-references, possessive quantifiers, Java-only
//! `\p{…}` names) is reported as unsupported instead of being guessed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use regex::Regex;

/// `compile(java, true)`, cached per pattern for the process (validator rules repeat).
pub fn compile_whole_cached(java: &str) -> Result<Regex, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<Regex, String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(java)
    {
        return r.clone();
    }
    let r = compile(java, true);
    let mut c = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if c.len() < 4096 {
        c.insert(java.to_string(), r.clone());
    }
    r
}

/// A Java pattern as a `regex::Regex` matching the whole input (`String.matches`) or not.
pub fn compile(java: &str, whole: bool) -> Result<Regex, String> {
    let translated = translate(java)?;
    let pattern = if whole {
        format!(r"\A(?:{translated})\z")
    } else {
        translated
    };
    Regex::new(&pattern).map_err(|e| format!("cannot check Java regex `{java}`: {e}"))
}

fn translate(java: &str) -> Result<String, String> {
    let mut out = String::with_capacity(java.len() + 16);
    let mut chars = java.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    return Err(format!("Java regex `{java}` ends with a backslash"));
                };
                match (n, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', false) => out.push_str("[^0-9]"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('W', false) => out.push_str("[^0-9A-Za-z_]"),
                    ('s', false) => out.push_str(r"[\t\n\x0B\x0C\r ]"),
                    ('S', false) => out.push_str(r"[^\t\n\x0B\x0C\r ]"),
                    ('d', true) => out.push_str("0-9"),
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('s', true) => out.push_str(r"\t\n\x0B\x0C\r "),
                    ('D', true) => out.push_str("[:^digit:]"),
                    ('W', true) => out.push_str("[:^word:]"),
                    ('S', true) => out.push_str("[:^space:]"),
                    ('b', false) => out.push_str(r"(?-u:\b)"),
                    ('B', false) => out.push_str(r"(?-u:\B)"),
                    ('Z', false) => out.push_str(r"(?:\r\n|[\n\r\u{85}\u{2028}\u{2029}])?\z"),
                    ('Q', _) => {
                        let mut lit = String::new();
                        loop {
                            match chars.next() {
                                None => break,
                                Some('\\') if chars.peek() == Some(&'E') => {
                                    chars.next();
                                    break;
                                }
                                Some(ch) => lit.push(ch),
                            }
                        }
                        out.push_str(&regex::escape(&lit));
                    }
                    ('p' | 'P', _) => {
                        return Err(format!("Java regex `{java}` uses \\{n}{{…}} classes"))
                    }
                    ('1'..='9' | 'k', false) => {
                        return Err(format!("Java regex `{java}` uses a back-reference"))
                    }
                    ('h' | 'H' | 'R' | 'X' | 'G', _) => {
                        return Err(format!("Java regex `{java}` uses \\{n}"))
                    }
                    (other, _) => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str(r"\]");
                    chars.next();
                }
            }
            '[' if in_class => {
                return Err(format!("Java regex `{java}` nests character classes"));
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                out.push('(');
                let mut look = chars.clone();
                look.next();
                if let Some('=' | '!' | '<' | '>') = look.peek() {
                    let mut l2 = look.clone();
                    l2.next();
                    let named =
                        matches!(look.peek(), Some('<')) && !matches!(l2.peek(), Some('=' | '!'));
                    if !named {
                        return Err(format!(
                            "Java regex `{java}` uses look-around or atomic groups"
                        ));
                    }
                    // (?<name>…) → (?P<name>…)
                    chars.next();
                    out.push_str("?P");
                }
            }
            '+' if !in_class && out.ends_with(['+', '*', '?', '}']) && !out.ends_with("\\+") => {
                return Err(format!("Java regex `{java}` uses a possessive quantifier"));
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `String.split(regex)`: split around matches, dropping trailing empty strings (and a
/// leading empty string produced by a zero-width match at the start).
pub fn java_split(s: &str, java: &str) -> Result<Vec<String>, String> {
    let special = |c: char| ".$|()[{^?*+\\".contains(c);
    let mut parts: Vec<String> = match java.chars().collect::<Vec<_>>().as_slice() {
        [c] if !special(*c) => s.split(*c).map(str::to_string).collect(),
        ['\\', c] if !c.is_ascii_alphanumeric() => s.split(*c).map(str::to_string).collect(),
        _ => {
            let re = compile(java, false)?;
            let mut out = Vec::new();
            let mut last = 0;
            for m in re.find_iter(s) {
                if m.end() == 0 {
                    continue;
                }
                out.push(s[last..m.start()].to_string());
                last = m.end();
            }
            out.push(s[last..].to_string());
            out
        }
    };
    if s.is_empty() {
        return Ok(vec![String::new()]);
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_the_validator_patterns() {
        let re = compile(r"\Adatabase\Z|\Aread_only_ldap\Z", true).unwrap();
        assert!(re.is_match("database"));
        assert!(re.is_match("read_only_ldap"));
        assert!(!re.is_match("databasex"));
        let re = compile(".+", true).unwrap();
        assert!(!re.is_match(""));
        let re = compile(r"^[\S]{5,30}$", true).unwrap();
        assert!(re.is_match("abcde"));
        assert!(!re.is_match("ab de"));
        assert!(compile(r"(?=x)y", true).is_err());
        assert!(compile(r"a++", true).is_err());
        assert!(compile(r"\d", true).unwrap().is_match("7"));
        assert!(!compile(r"\d", true).unwrap().is_match("٧"));
    }

    #[test]
    fn split_like_java() {
        assert_eq!(java_split("a:b:", ":").unwrap(), ["a", "b"]);
        assert_eq!(java_split("a.b", "\\.").unwrap(), ["a", "b"]);
        assert_eq!(java_split("a.b", ".").unwrap(), Vec::<String>::new());
        assert_eq!(java_split("", ":").unwrap(), [""]);
        assert_eq!(java_split("a, b", ",\\s*").unwrap(), ["a", "b"]);
    }
}
