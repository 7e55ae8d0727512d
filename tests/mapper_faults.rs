//! Faults in the mapper's inputs and templates: each is a located error (file:line:col), the
//! other templates still render, and nothing panics or runs away.

use std::fs;
use std::path::Path;
use std::time::Instant;

use proptest::prelude::*;
use wso2_harden::mapper::render::{render, Select};
use wso2_harden::mapper::{map, MapError, MapOptions, Mapped, ModelDir};

mod common;
use common::models::{tiny_home as home, TinyHome as Home};

fn mapped(h: &Home) -> Result<(ModelDir, Mapped), MapError> {
    let m = ModelDir::load(&h.conf)?;
    let text = fs::read_to_string(&h.toml).unwrap();
    let mapped = map(&m, &h.toml, &text, &MapOptions::default())?;
    Ok((m, mapped))
}

fn ends_with(p: &Path, tail: &str) -> bool {
    p.to_string_lossy().replace('\\', "/").ends_with(tail)
}

#[test]
fn a_template_syntax_error_is_located_and_the_others_render() {
    let h = home(
        &[],
        &[
            ("conf/bad.xml.j2", "<a>\n  <b>{{ x. }}</b>\n</a>\n"),
            ("conf/good.xml.j2", "<a>{{ y }}</a>\n"),
            ("conf/include.xml.j2", "\n{% include 'other.j2' %}\n"),
        ],
        "y = 1\n",
    );
    let (m, mp) = mapped(&h).unwrap();
    let out = render(&m, &mp, Select::All, false);
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].text, "<a>1</a>\n");
    let bad = out
        .errors
        .iter()
        .find(|e| ends_with(&e.path, "templates/conf/bad.xml.j2"))
        .unwrap();
    assert_eq!((bad.line, bad.col), (2, 12), "{bad}");
    assert!(
        bad.to_string()
            .contains("bad.xml.j2:2:12: cannot parse expression"),
        "{bad}"
    );
    let inc = out
        .errors
        .iter()
        .find(|e| ends_with(&e.path, "include.xml.j2"))
        .unwrap();
    assert_eq!(inc.line, 2);
    assert!(inc.message.contains("no include"), "{inc}");
}

#[test]
fn a_runaway_template_is_stopped_quickly() {
    let big = "x".repeat(1 << 20);
    let h = home(
        &[("default.json", &format!("{{\"big\": \"{big}\", \"list\": [1,2,3,4,5,6,7,8,9,10]}}"))],
        &[
            // ~4 GB of output if it were allowed
            ("a.xml.j2", "{% for a in range(1000) %}{% for b in range(4) %}{{ big }}{% endfor %}{% endfor %}"),
            // a billion iterations
            ("b.xml.j2", "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}.{% endfor %}{% endfor %}{% endfor %}"),
        ],
        "",
    );
    let (m, mp) = mapped(&h).unwrap();
    let start = Instant::now();
    let out = render(&m, &mp, Select::All, false);
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    assert!(out.files.is_empty());
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    for e in &out.errors {
        assert!(
            e.message.contains("limit") || e.message.contains("too much work"),
            "{e}"
        );
    }
}

#[test]
fn a_reference_to_a_missing_key_is_located_in_default_json() {
    let h = home(
        &[(
            "default.json",
            "{\n  \"a.b\": \"x\",\n  \"listener.password\": \"$ref{keystore.nope}\"\n}",
        )],
        &[],
        "",
    );
    let err = mapped(&h).err().expect("fails");
    assert!(ends_with(&err.path, "default.json"), "{err}");
    assert_eq!(err.line, 3, "{err}");
    assert!(
        err.message
            .contains("Configuration with key keystore.nope doesn't exist"),
        "{err}"
    );
}

#[test]
fn a_ref_cycle_is_an_error_at_the_toml_line() {
    let h = home(&[], &[], "[a]\nx = \"$ref{b.y}\"\n[b]\ny = \"$ref{a.x}\"\n");
    let err = mapped(&h).err().expect("fails");
    assert!(
        err.message.contains("References can't be resolved for"),
        "{err}"
    );
    assert!(
        err.message.contains("a.x") && err.message.contains("b.y"),
        "{err}"
    );
    assert!(err.line == 2 || err.line == 4, "{err}");
}

#[test]
fn a_validator_rejection_is_located_at_the_key() {
    let validator = r#"{"user_store.type": [{"regex": "\\Adatabase\\Z|\\Aldap\\Z"}],
        "x.impl": [{"if": {"x.type": "custom"}, "regex": ".+", "error_message": "x.impl is required"}]}"#;
    let h = home(
        &[("validator.json", validator)],
        &[],
        "[user_store]\ntype = \"databse\"\n",
    );
    let err = mapped(&h).err().expect("rejected");
    assert_eq!(err.line, 2, "{err}");
    assert!(
        err.message
            .contains("Validation failed for user_store.type"),
        "{err}"
    );

    // an absent key is "" and fails `.+` when the condition holds: located at the condition
    let h = home(
        &[("validator.json", validator)],
        &[],
        "[user_store]\ntype = \"ldap\"\n[x]\ntype = \"custom\"\n",
    );
    let err = mapped(&h).err().expect("rejected");
    assert_eq!(
        (err.line, err.message.starts_with("x.impl is required")),
        (4, true),
        "{err}"
    );

    // a number where the validator casts to a string stops the product too
    let h = home(
        &[("validator.json", validator)],
        &[],
        "[user_store]\ntype = 1\n",
    );
    let err = mapped(&h).err().expect("rejected");
    assert!(err.message.contains("ClassCastException"), "{err}");
}

#[test]
fn toml_and_json_syntax_errors_are_located() {
    let h = home(&[], &[], "[server]\nhostname = \n");
    let err = mapped(&h).err().expect("fails");
    assert!(
        ends_with(&err.path, "deployment.toml") && err.line == 2,
        "{err}"
    );
    let h = home(&[("infer.json", "{\n  \"a\": {\n    \"b\" \n}")], &[], "");
    let err = mapped(&h).err().expect("fails");
    assert!(ends_with(&err.path, "infer.json") && err.line > 0, "{err}");
    let h = home(
        &[("key-mappings.json", "{\"a.b\": [1]}")],
        &[],
        "[a]\nb = 1\n",
    );
    let err = mapped(&h).err().expect("fails");
    assert!(err.message.contains("ClassCastException"), "{err}");
}

#[test]
fn secrets_must_exist_and_be_encrypted() {
    let h = home(&[], &[], "[keystore.tls]\npassword = \"$secret{tls}\"\n");
    let err = mapped(&h).err().expect("fails");
    assert!(
        err.message
            .contains("Secret references can't be resolved for tls")
            && err.line == 2,
        "{err}"
    );
    let h = home(
        &[],
        &[],
        "[keystore.tls]\npassword = \"$secret{tls}\"\n[secrets]\ntls = \"[plain]\"\n",
    );
    let err = mapped(&h).err().expect("fails");
    assert!(err.message.contains("can't be plain text"), "{err}");
    let h = home(
        &[],
        &[],
        "[keystore.tls]\npassword = \"$secret{tls}\"\n[secrets]\ntls = \"ZW5jcnlwdGVk\"\n",
    );
    assert!(mapped(&h).is_ok());
}

#[test]
fn env_and_sys_placeholders_stay_unresolved_and_are_reported() {
    let h = home(
        &[],
        &[("a.xml.j2", "<a p=\"{{ x.port }}\"/>\n")],
        "[x]\nport = \"$env{HTTPS_PORT}\"\n",
    );
    let (m, mp) = mapped(&h).unwrap();
    assert!(
        mp.warnings.iter().any(|w| w.contains("$env{HTTPS_PORT}")),
        "{:?}",
        mp.warnings
    );
    let out = render(&m, &mp, Select::All, false);
    assert_eq!(out.files[0].text, "<a p=\"$env{HTTPS_PORT}\"/>\n");
}

#[cfg(unix)]
#[test]
fn a_linked_template_is_not_followed() {
    let h = home(&[], &[("a.xml.j2", "<a/>\n")], "");
    std::os::unix::fs::symlink("/etc/hostname", h.conf.join("templates/leak.xml.j2")).unwrap();
    let (m, mp) = mapped(&h).unwrap();
    assert!(m
        .warnings
        .iter()
        .any(|w| w.contains("leak.xml.j2") && w.contains("not followed")));
    let out = render(&m, &mp, Select::All, false);
    assert_eq!(out.files.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Arbitrary template text never panics: it renders or is an error of that template.
    #[test]
    fn arbitrary_templates_never_panic(src in "([a-z{}%#|.()'\" \n=!&<>-]|if|for|endif|endfor|set|in|is|not|items|split|toList){0,60}") {
        let p = wso2_harden::mapper::jinja::prepare(&wso2_harden::mapper::jinja::normalize(src.as_bytes()));
        let ctx = minijinja::Value::from_pairs([("a", minijinja::Value::from("x"))]);
        let _ = wso2_harden::mapper::jinja::render(&p, &ctx);
    }
}
