//! Masks secret values in text shown to people (prompts, the Ansible module's diff): any line
//! that names a password, passphrase or secret has its values replaced by `********`.

const KEYWORDS: [&str; 4] = ["pass", "secret", "credential", "$secret{"];
const MASK: &str = "********";

pub fn line_is_secret(line: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
