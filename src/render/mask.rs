//! Masks secret values in text shown to people (prompts, the Ansible module's results,
//! `diff --redact`). Precise: the value of a key, flag, attribute or element whose name says
//! it is secret (`keystorePass="…"`, `-Djavax.net.ssl.keyStorePassword=…`, `password = "…"`,
//! `<Password>…</Password>`, `<Property name="password">…`), and the secret values a file
//! holds (found by its format) wherever they stand as a whole token. Everything else on the
//! line (`-Dcarbon.home=…`, file lists) is left as it is.

use std::path::Path;

use crate::formats::properties;
use crate::formats::script::{self, ScriptKind};
use crate::formats::text::{Decoded, Encoding};
use crate::formats::toml::{TomlFile, TomlScalar};
use crate::plan::FilePlan;

pub const MASK: &str = "********";

/// Does a key, flag, attribute or element name say its value is secret?
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.trim_start_matches('-');
    if n.ends_with("alias") {
        return false; // Secure Vault aliases name a secret, they are not one
    }
    ["password", "passwd", "passphrase", "secret"]
        .iter()
        .any(|k| n.contains(k))
        || n.ends_with("pass")
        || n.ends_with("pwd")
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '$' | '@')
}

/// Masks the secret values on one line (see the module doc); other bytes are kept.
pub fn mask_line(line: &str) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    assignments(line, &mut spans);
    elements(line, &mut spans);
    if spans.is_empty() {
        return line.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut pos = 0;
    for (s, e) in spans {
        if s < pos {
            continue;
        }
        out.push_str(&line[pos..s]);
        out.push_str(MASK);
        pos = e;
    }
    out.push_str(&line[pos..]);
    out
}

/// `key=value`, `key = "value"`, `key: value`, `attr='value'`, `-Dflag=value`.
fn assignments(line: &str, spans: &mut Vec<(usize, usize)>) {
    let b = line.as_bytes();
    for (i, c) in line.char_indices().filter(|&(_, c)| c == '=' || c == ':') {
        let key_end = line[..i].trim_end_matches([' ', '\t']).len();
        let key_start = line[..key_end]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| key_char(c))
            .last()
            .map_or(key_end, |(k, _)| k);
        let key = &line[key_start..key_end];
        if key.is_empty() || !secret_name(key) {
            continue;
        }
        // `==`, `:=` and `://` are not assignments.
        if b.get(i + 1)
            .is_some_and(|&n| n == b'=' || (c == ':' && n == b'/'))
        {
            continue;
        }
        let v = i + 1 + (line[i + 1..].len() - line[i + 1..].trim_start_matches([' ', '\t']).len());
        match b.get(v) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let end = line[v + 1..]
                    .find(q as char)
                    .map_or(line.len(), |e| v + 1 + e);
                if end > v + 1 {
                    spans.push((v + 1, end));
                }
            }
            Some(_) => {
                // A key opening its line (properties, TOML) owns the rest of it; elsewhere (a
                // flag among flags) the value ends at a blank or markup.
                let before = line[..key_start].trim_start_matches([' ', '\t', '+', '-']);
                let flag = ["-D", "-X", "--"].iter().any(|p| key.starts_with(p));
                let line_key = before.trim().is_empty() && !flag;
                let rest = &line[v..];
                let len = if line_key {
                    rest.trim_end_matches(['\r', '\n', ' ', '\t', '\\']).len()
                } else {
                    rest.find([' ', '\t', '\r', '\n', '"', '\'', '<', '>', '^', '&', '|'])
                        .unwrap_or(rest.len())
                };
                if len > 0 {
                    spans.push((v, v + len));
                }
            }
            None => {}
        }
    }
}

/// `<Password>v</Password>`, `<Property name="…Password">v</Property>`.
fn elements(line: &str, spans: &mut Vec<(usize, usize)>) {
    let mut from = 0;
    while let Some(lt) = line[from..].find('<').map(|i| from + i) {
        from = lt + 1;
        let tag_end = match line[lt..].find('>') {
            Some(e) => lt + e,
            None => break,
        };
        let tag = &line[lt + 1..tag_end];
        if tag.starts_with(['/', '!', '?']) || tag.ends_with('/') {
            continue;
        }
        let name = tag.split([' ', '\t']).next().unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        let named = tag
            .split_once("name=")
            .map(|(_, v)| v.trim_start_matches(['"', '\'']))
            .and_then(|v| v.split(['"', '\'']).next())
            .is_some_and(secret_name);
        if !(secret_name(local) || named) {
            continue;
        }
        let text_end = line[tag_end + 1..]
            .find('<')
            .map_or(line.len(), |e| tag_end + 1 + e);
        let text = &line[tag_end + 1..text_end];
        let trimmed = text.trim_end_matches(['\r', '\n']);
        if !trimmed.trim().is_empty() {
            spans.push((tag_end + 1, tag_end + 1 + trimmed.len()));
        }
    }
}

/// Masks every line of a text (a diff, a message).
pub fn mask(text: &str) -> String {
    text.split_inclusive('\n').map(mask_line).collect()
}

/// Masks `secrets` (values found by `secrets_of`) wherever one stands as a whole token, then
/// the secret values of every line.
pub fn mask_values(text: &str, secrets: &[String]) -> String {
    let mut sorted: Vec<&String> = secrets.iter().filter(|s| s.chars().count() >= 3).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    sorted.dedup();
    let mut out = text.to_string();
    for s in sorted {
        out = replace_tokens(&out, s);
    }
    mask(&out)
}

/// Replaces `needle` where it is not part of a longer word or path (`wso2carbon` as a
/// password, not in `wso2carbon.jks`).
fn replace_tokens(text: &str, needle: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "._-/\\".contains(c));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (i, _) in text.match_indices(needle) {
        if i < pos {
            continue;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        if word(before) || word(after) {
            continue;
        }
        out.push_str(&text[pos..i]);
        out.push_str(MASK);
        pos = i + needle.len();
    }
    out.push_str(&text[pos..]);
    out
}

/// The secret values `text` (the file at `path`) holds, by the file's format.
pub fn secrets_of(path: &Path, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            if let Ok(file) = TomlFile::parse(text) {
                for leaf in file.leaves() {
                    let TomlScalar::String(v) = leaf.value else {
                        continue;
                    };
                    let vault = leaf.path.first().is_some_and(|p| p == "secrets");
                    let named = leaf.path.last().is_some_and(|k| secret_name(k));
                    if vault || named {
                        out.push(v);
                    }
                }
            }
        }
        Some("xml") => {
            if let Ok(doc) = crate::formats::xml::parse(text) {
                for n in doc.descendants().filter(|n| n.is_element()) {
                    let vaulted = n.attributes().any(|a| a.name() == "secretAlias");
                    let named = secret_name(n.tag_name().name())
                        || crate::formats::xml::plain_attribute(n, "name").is_some_and(secret_name);
                    if (vaulted || named) && n.children().all(|c| c.is_text()) {
                        out.push(crate::formats::xml::element_text(n));
                    }
                    for a in n.attributes().filter(|a| secret_name(a.name())) {
                        out.push(a.value().to_string());
                    }
                }
            }
        }
        Some("properties") => {
            for e in properties::entries(text) {
                if secret_name(&e.key) {
                    out.push(e.value);
                }
            }
        }
        _ => {
            if let Some(kind) = ScriptKind::from_path(path) {
                for f in script::flags(text, kind).unwrap_or_default() {
                    if let (true, Some(v)) = (secret_name(&f.name), f.value) {
                        out.push(v);
                    }
                }
            }
        }
    }
    // A reference names a secret without being one.
    out.retain(|v| !v.trim().is_empty() && !v.trim_start().starts_with("$secret{"));
    out
}

/// Masks a planned file's secrets in its diff, before and after values alike. The diff holds
/// the file's own bytes: it is decoded as the file is, masked, and encoded back.
pub fn redact_diff(file: &FilePlan, diff: &[u8]) -> Vec<u8> {
    let mut secrets = secrets_of(&file.path, &file.decoded.text);
    secrets.extend(secrets_of(&file.path, file.final_text()));
    let single = file.decoded.encoding == Encoding::SingleByte;
    let text: String = if single {
        diff.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(diff).into_owned()
    };
    let masked = mask_values(&text, &secrets);
    let enc = Decoded {
        text: String::new(),
        bom: false,
        encoding: file.decoded.encoding,
    };
    enc.encode(&masked).unwrap_or_else(|_| masked.into_bytes())
}

#[cfg(test)]
mod tests;
