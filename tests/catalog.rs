//! The patch catalog as data: every patch on disk loads (the same parser build.rs runs), and
//! a broken `patch.toml` is refused with `patches/<id>/patch.toml:line:col`.

use std::fs;
use std::path::{Path, PathBuf};

use wso2_harden::catalog::{parse_patch, Catalog, PatchError};

fn patches_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("patches")
}

fn sources() -> Vec<(String, String)> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(patches_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("patch.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|d| {
            let id = d.file_name().unwrap().to_string_lossy().into_owned();
            (id, fs::read_to_string(d.join("patch.toml")).unwrap())
        })
        .collect()
}

fn source(id: &str) -> String {
    fs::read_to_string(patches_dir().join(id).join("patch.toml")).unwrap()
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the text"));
    text[..at].matches('\n').count() + 1
}

fn refused(id: &str, text: &str) -> PatchError {
    match parse_patch(id, text) {
        Err(e) => e,
        Ok(_) => panic!("patches/{id}/patch.toml was accepted:\n{text}"),
    }
}

#[test]
fn every_patch_on_disk_loads_and_is_the_builtin_catalog() {
    let sources = sources();
    let refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(i, s)| (i.as_str(), s.as_str()))
        .collect();
    let catalog = Catalog::load(&refs).unwrap_or_else(|e| panic!("{e}"));
    let builtin = Catalog::builtin();
    let ids = |c: &Catalog| c.patches.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&catalog), ids(builtin), "the binary embeds every patch");
    assert!(catalog.patches.len() >= 23);
    assert_eq!(catalog.values, builtin.values);
    for (name, spec) in &catalog.values {
        if let Some(d) = spec.default.as_deref().filter(|d| !d.contains('{')) {
            assert_eq!(spec.kind.validate(d), Ok(()), "{name} default");
        }
        assert_eq!(
            spec.kind.validate(&spec.kind.example()),
            Ok(()),
            "{name} example"
        );
    }
}

#[test]
fn a_misspelled_field_in_a_real_patch_is_refused_with_its_place() {
    let text = source("tls-protocols");
    let broken = text.replacen(
        "attr = \"sslEnabledProtocols\"",
        "atr = \"sslEnabledProtocols\"",
        1,
    );
    let e = refused("tls-protocols", &broken);
    assert_eq!(e.file, "patches/tls-protocols/patch.toml");
    assert_eq!(e.line, line_of(&broken, "atr = "), "{e}");
    assert_eq!(e.col, 1);
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!(
            "patches/tls-protocols/patch.toml:{}:1: unknown field `atr`",
            e.line
        )),
        "{shown}"
    );
    assert!(
        shown.contains("`select`, `attr`, `value`, `compare`, `create`"),
        "{shown}"
    );

    // Misspelled common field, in a TOML target of another patch.
    let text = source("server-header");
    let broken = text.replacen(
        "file = \"{conf}/deployment.toml\"",
        "flie = \"{conf}/deployment.toml\"",
        1,
    );
    let e = refused("server-header", &broken);
    assert_eq!(e.line, line_of(&broken, "flie = "), "{e}");
    assert!(e.message.contains("unknown field `flie`"), "{e}");
}

#[test]
fn foreign_missing_and_mistyped_fields_are_refused_where_they_are() {
    let text = source("session-cleanup-chunk");
    // `create` belongs to the XML actions, not to toml-key.
    let broken = text.replacen(
        "product_default = \"8192\"",
        "product_default = \"8192\"\ncreate = true",
        1,
    );
    let e = refused("session-cleanup-chunk", &broken);
    let last = broken.rfind("create = true").unwrap();
    assert_eq!(e.line, broken[..last].matches('\n').count() + 1, "{e}");
    assert!(e.message.contains("unknown field `create`"), "{e}");
    assert!(e.message.contains("for action `toml-key`"), "{e}");

    // A missing required field: located at its [[target]].
    let text = source("server-header");
    let broken = text.replacen("attr = \"server\"\n", "", 1);
    let e = refused("server-header", &broken);
    assert_eq!(e.line, line_of(&broken, "[[target]]"), "{e}");
    assert!(e.message.contains("missing field `attr`"), "{e}");

    // An unknown action, a bad selector, a bad version condition, a jvm-heap flag.
    let text = source("server-header");
    let e = refused(
        "server-header",
        &text.replacen("\"xml-attr\"", "\"xml-atr\"", 1),
    );
    assert!(
        e.message
            .starts_with("unknown action `xml-atr` (one of: xml-attr"),
        "{e}"
    );
    let e = refused(
        "server-header",
        &text.replacen("\"/Server/Service/Connector\"", "\"Server/Service\"", 1),
    );
    assert!(
        e.message
            .contains("bad selector `Server/Service`: must start with /"),
        "{e}"
    );
    assert_eq!(e.line, line_of(&text, "select = "));
    let text = source("jvm-hostname-verification");
    let e = refused(
        "jvm-hostname-verification",
        &text.replacen("\">=4.4.17\"", "\"=>4.4.17\"", 1),
    );
    assert!(
        e.message.contains("bad version condition `=>4.4.17`"),
        "{e}"
    );
    let text = source("jvm-heap");
    let e = refused("jvm-heap", &text.replacen("\"-Xms\"", "\"-Xss\"", 1));
    assert!(
        e.message
            .contains("unknown variant `-Xss`, expected `-Xms` or `-Xmx`"),
        "{e}"
    );

    // A field of the wrong format for the file.
    let text = source("server-header");
    let e = refused(
        "server-header",
        &text.replacen(
            "{conf}/tomcat/catalina-server.xml",
            "{conf}/deployment.toml",
            1,
        ),
    );
    assert_eq!(
        e.message,
        "`xml-attr` edits an .xml file (or its .xml.j2 template), not `{conf}/deployment.toml`",
        "{e}"
    );
}

#[test]
fn values_need_a_kind_a_declaration_and_a_valid_default() {
    let text = source("session-id-length");
    let e = refused(
        "session-id-length",
        &text.replacen("kind = \"uint\"\n", "", 1),
    );
    assert_eq!(e.line, line_of(&text, "[values.session_id_length]"), "{e}");
    assert!(e.message.contains("missing field `kind`"), "{e}");
    let e = refused(
        "session-id-length",
        &text.replacen("kind = \"uint\"", "kind = \"number\"", 1),
    );
    assert!(e.message.contains("unknown variant `number`"), "{e}");
    let e = refused(
        "session-id-length",
        &text.replacen("default = \"32\"", "default = \"16\"", 1),
    );
    assert!(
        e.message
            .contains("default \"16\" is not a valid uint: must be at least 32"),
        "{e}"
    );
    let e = refused(
        "session-id-length",
        &text.replacen(
            "value = \"{session_id_length}\"",
            "value = \"{session_length}\"",
            1,
        ),
    );
    assert!(
        e.message
            .contains("value `{session_length}` is not declared in [values]"),
        "{e}"
    );
    assert_eq!(e.line, line_of(&text, "value = \"{session_id_length}\""));
    // at-least needs a number.
    let text = source("jvm-dh-key-size");
    let e = refused(
        "jvm-dh-key-size",
        &text
            .replacen(
                "kind = \"uint\"\nmin = 2048\nmax = 8192",
                "kind = \"string\"",
                1,
            )
            .replacen("default = \"2048\"", "default = \"x\"", 1),
    );
    assert!(
        e.message.contains("compare = \"at-least\" needs a number"),
        "{e}"
    );
    // A weak default is refused by its kind.
    let text = source("tls-protocols");
    let e = refused(
        "tls-protocols",
        &text.replacen("default = \"TLSv1.2\"", "default = \"TLSv1.1,TLSv1.2\"", 1),
    );
    assert!(e.message.contains("TLSv1.1 is not allowed"), "{e}");
}

#[test]
fn a_value_declared_two_ways_is_refused() {
    let sources = sources();
    let refs: Vec<(String, String)> = sources
        .into_iter()
        .map(|(id, s)| {
            let s = if id == "tls-ciphers" {
                s.replacen("kind = \"cipher-list\"", "kind = \"string\"", 1)
            } else {
                s
            };
            (id, s)
        })
        .collect();
    let refs: Vec<(&str, &str)> = refs.iter().map(|(i, s)| (i.as_str(), s.as_str())).collect();
    let e = Catalog::load(&refs).unwrap_err().to_string();
    assert!(
        e.starts_with("patches/tls-ciphers/patch.toml:")
            || e.starts_with("patches/passthru-tls/patch.toml:"),
        "{e}"
    );
    assert!(e.contains("value `ciphers` is declared differently"), "{e}");
}

#[test]
fn a_manual_patch_names_a_known_handler() {
    let sources = sources();
    let refs: Vec<(String, String)> = sources
        .into_iter()
        .map(|(id, s)| {
            let s = s.replacen("detect = \"jmx-remote\"", "detect = \"jmx\"", 1);
            (id, s)
        })
        .collect();
    let refs: Vec<(&str, &str)> = refs.iter().map(|(i, s)| (i.as_str(), s.as_str())).collect();
    let e = Catalog::load(&refs).unwrap_err().to_string();
    assert!(
        e.contains("patches/jmx-remote/patch.toml: unknown detect handler `jmx`"),
        "{e}"
    );
}
