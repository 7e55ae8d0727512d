//! Invariants every editor keeps on any input, for the fuzz targets (`fuzz/`) and the
//! mutation test (`tests/mutation.rs`): never a panic; an input that does not parse is a
//! located error inside the text; an edit re-parses, reads back, is idempotent (the same edit
//! on its output changes nothing) and keeps CRLF line endings. Each check panics when an
//! invariant breaks, which is what a fuzzer reports.

use super::error::ParseError;
use super::script::{self, ScriptKind};
use super::text::Decoded;
use super::toml::{self as tomlfmt, TomlFile, TomlScalar};
use super::{properties, xml, Compare};

/// The input as the tool would see it, or `None` for encodings it refuses.
fn decode(bytes: &[u8]) -> Option<Decoded> {
    crate::input::check_encoding(bytes).ok()?;
    Some(Decoded::decode(bytes))
}

/// Every line ending of `before` is CRLF (and there is one): then so are those of `after`.
pub fn crlf_kept(before: &str, after: &str) -> bool {
    let all_crlf = |t: &str| {
        let b = t.as_bytes();
        b.contains(&b'\n') && (0..b.len()).all(|i| b[i] != b'\n' || (i > 0 && b[i - 1] == b'\r'))
    };
    !all_crlf(before) || all_crlf(after)
}

fn located(text: &str, e: &ParseError) {
    let lines = text.split('\n').count();
    assert!(
        e.line >= 1 && e.col >= 1 && e.line <= lines + 1,
        "error outside the text: {e} ({lines} lines)"
    );
}

/// XML: attribute and element edits like the catalog's, on any input.
pub fn xml(bytes: &[u8]) {
    let Some(d) = decode(bytes) else { return };
    let doc = match xml::parse(&d.text) {
        Ok(doc) => doc,
        Err(e) => return located(&d.text, &e),
    };
    let root = doc.root_element().tag_name().name().to_string();
    let paths = [
        format!("/{root}/Service/Connector"),
        format!("/{root}/HostName"),
        format!("/{root}/transportReceiver[@name='https']/parameter[@name='HttpsProtocols']"),
    ];
    for (i, sel) in paths.iter().enumerate() {
        let Ok(path) = xml::Path::parse(sel) else {
            continue;
        };
        let op = match i {
            1 => xml::XmlOp::Text {
                path: &path,
                want: xml::Want::Value("node.example.com", Compare::Equal),
                create: true,
            },
            _ => xml::XmlOp::Attr {
                path: &path,
                attr: "sslEnabledProtocols",
                want: xml::Want::Value("TLSv1.2", Compare::StrongProtocols),
                create: i == 2,
            },
        };
        let latin1 = d.single_byte_encoding();
        let Ok(Some(edit)) = xml::plan(&d.text, &doc, &op, latin1) else {
            continue;
        };
        let again = xml::parse(&edit.text).expect("an XML edit re-parses");
        assert!(
            matches!(xml::plan(&edit.text, &again, &op, latin1), Ok(None)),
            "an XML edit is idempotent ({sel})"
        );
        assert!(crlf_kept(&d.text, &edit.text), "CRLF kept ({sel})");
        assert!(d.encode(&edit.text).is_ok(), "the edit encodes ({sel})");
    }
}

/// deployment.toml: an existing key, a key in a new table, a dotted key.
pub fn toml(bytes: &[u8]) {
    let Some(d) = decode(bytes) else { return };
    if let Err(e) = TomlFile::parse(&d.text) {
        return located(&d.text, &e);
    }
    let sets: [(&[&str], TomlScalar); 3] = [
        (
            &["server", "hostname"],
            TomlScalar::String("node.example.com".into()),
        ),
        (
            &["transport", "https", "properties", "server"],
            TomlScalar::String("Server".into()),
        ),
        (&["session", "id_length"], TomlScalar::Integer(32)),
    ];
    for (path, value) in sets {
        let Ok(out) = tomlfmt::set(&d.text, path, &value) else {
            continue;
        };
        let file = TomlFile::parse(&out).expect("a TOML edit re-parses");
        assert_eq!(file.get(path).as_ref(), Some(&value), "reads back");
        assert_eq!(
            tomlfmt::set(&out, path, &value).ok(),
            Some(out.clone()),
            "idempotent"
        );
        assert!(crlf_kept(&d.text, &out), "CRLF kept");
    }
}

/// Java properties: replace or append a key.
pub fn properties(bytes: &[u8]) {
    let Some(d) = decode(bytes) else { return };
    for (key, value) in [
        ("log4j.appender.CARBON_LOGFILE.MaxFileSize", "10MB"),
        ("appender.CARBON_LOGFILE.type", "RollingFile"),
    ] {
        let out = properties::set(&d.text, key, value);
        assert_eq!(
            properties::get(&out, key).as_deref(),
            Some(value),
            "reads back"
        );
        assert_eq!(properties::set(&out, key, value), out, "idempotent");
        assert!(crlf_kept(&d.text, &out), "CRLF kept");
        if d.single_byte_encoding() {
            assert!(d.encode(&out).is_ok(), "the edit encodes");
        }
    }
}

/// Startup scripts: set a JVM flag in the launch command.
pub fn script(bytes: &[u8], kind: ScriptKind) {
    let Some(d) = decode(bytes) else { return };
    let _ = script::has_launch(&d.text, kind);
    let _ = script::heap(&d.text, kind);
    if let Err(e) = script::flags(&d.text, kind) {
        return located(&d.text, &e);
    }
    let (flag, value) = ("-Djdk.tls.ephemeralDHKeySize", "2048");
    let Ok(out) = script::set_flag(&d.text, kind, flag, value, false) else {
        return;
    };
    let flags = script::flags(&out, kind).expect("a script edit re-parses");
    assert!(
        flags
            .iter()
            .any(|f| f.name == flag && f.value.as_deref() == Some(value)),
        "reads back"
    );
    let again = script::set_flag(&out, kind, flag, value, false).expect("still edits");
    assert_eq!(again, out, "idempotent");
    assert!(crlf_kept(&d.text, &out), "CRLF kept");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_rule() {
        assert!(crlf_kept("a\r\nb\r\n", "a\r\nx\r\nb\r\n"));
        assert!(!crlf_kept("a\r\nb\r\n", "a\r\nx\nb\r\n"));
        assert!(crlf_kept("a\nb\r\n", "a\nb\n"));
        assert!(crlf_kept("", "x\n"));
    }

    #[test]
    fn fixture_files_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            let p = e.path();
            let Ok(bytes) = std::fs::read(p) else {
                continue;
            };
            match p.extension().and_then(|e| e.to_str()) {
                Some("xml") => xml(&bytes),
                Some("toml") => toml(&bytes),
                Some("properties") => properties(&bytes),
                _ => {
                    if let Some(kind) = ScriptKind::from_path(p) {
                        script(&bytes, kind);
                    }
                }
            }
        }
    }
}
