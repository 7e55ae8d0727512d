//! Masks secret values in text shown to people (prompts, the Ansible module's diff): the
//! secret values a file holds (Secure Vault `[secrets]`, password keys, elements and
//! attributes, `$secret{}` references) wherever they appear, and the values of any line that
//! names a password, passphrase or secret.

use std::path::Path;

use crate::formats::properties;
use crate::formats::toml::{TomlFile, TomlScalar};

const KEYWORDS: [&str; 4] = ["pass", "secret", "credential", "$secret{"];
const MASK: &str = "********";

fn line_is_secret(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    KEYWORDS.iter().any(|k| lower.contains(k))
}

/// Masks the values on one line: quoted strings, element text, and an unquoted `k=v` value.
pub fn mask_line(line: &str) -> String {
    if !line_is_secret(line) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.char_indices().peekable();
    let mut masked_any = false;
    while let Some((_, c)) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push(c);
                let mut closed = false;
                for (_, d) in chars.by_ref() {
                    if d == c {
                        closed = true;
                        break;
                    }
                }
                out.push_str(MASK);
                if closed {
                    out.push(c);
                }
                masked_any = true;
            }
            '>' if chars
                .peek()
                .is_some_and(|&(_, n)| n != '<' && n != '\r' && n != '\n') =>
            {
                out.push('>');
                let mut rest = String::new();
                while let Some(&(_, n)) = chars.peek() {
                    if n == '<' {
                        break;
                    }
                    rest.push(n);
                    chars.next();
                }
                out.push_str(if rest.trim().is_empty() { &rest } else { MASK });
                masked_any = true;
            }
            _ => out.push(c),
        }
    }
    if masked_any {
        return out;
    }
    // `key=value` or `key: value` without quotes (properties, scripts).
    match line.find(['=', ':']) {
        Some(i) => {
            let end = line
                .trim_end_matches(['\r', '\n', ' ', '\\'])
                .len()
                .max(i + 1);
            format!("{}{MASK}{}", &line[..=i], &line[end..])
        }
        None => line.to_string(),
    }
}

/// Masks every line of a diff or report.
pub fn mask(text: &str) -> String {
    text.split_inclusive('\n').map(mask_line).collect()
}

/// Masks `secrets` (values found by `secrets_of`) wherever they occur, then every line that
/// names a secret.
pub fn mask_values(text: &str, secrets: &[String]) -> String {
    let mut sorted: Vec<&String> = secrets.iter().filter(|s| s.chars().count() >= 3).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for s in sorted {
        out = out.replace(s.as_str(), MASK);
    }
    mask(&out)
}

fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password") || n.ends_with("pass") || n.contains("secret")
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
                    if vault || named || v.contains("$secret{") {
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
                    for a in n
                        .attributes()
                        .filter(|a| a.name() != "secretAlias" && secret_name(a.name()))
                    {
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
        _ => {}
    }
    out.retain(|v| !v.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_entries_and_password_elements_are_masked_anywhere() {
        let toml = "[server]\nhostname = \"h\"\n\n[secrets]\ndb_conn = \"[S3cr3tPlainDb]\"\n";
        let secrets = secrets_of(Path::new("deployment.toml"), toml);
        assert_eq!(secrets, ["[S3cr3tPlainDb]"]);
        let diff = " [secrets]\n db_conn = \"[S3cr3tPlainDb]\"\n+[x]\n";
        assert!(!mask_values(diff, &secrets).contains("S3cr3t"));
        let xml = "<a xmlns:svns=\"urn:s\"><Password svns:secretAlias=\"x\">hunter22</Password><Property name=\"ConnectionPassword\">pw123</Property><C keystorePass=\"kspass1\"/></a>";
        let secrets = secrets_of(Path::new("user-mgt.xml"), xml);
        assert_eq!(secrets, ["hunter22", "pw123", "kspass1"]);
    }

    #[test]
    fn masks_values_of_secret_lines_only() {
        assert_eq!(
            mask_line(r#"-   keystorePass="wso2carbon""#),
            r#"-   keystorePass="********""#
        );
        assert_eq!(
            mask_line("+ <Password>admin</Password>\n"),
            "+ <Password>********</Password>\n"
        );
        assert_eq!(mask_line("password = 'x y'"), "password = '********'");
        assert_eq!(
            mask_line("db.password=s3cret\r\n"),
            "db.password=********\r\n"
        );
        assert_eq!(mask_line(r#"+server = "Server""#), r#"+server = "Server""#);
        assert_eq!(mask_line(r#"x = "$secret{admin}""#), r#"x = "********""#);
        let diff = "-a\n- keystorePass=\"p\"\n+ keystorePass=\"q\"\n";
        assert!(!mask(diff).contains("\"p\"") && !mask(diff).contains("\"q\""));
    }
}
