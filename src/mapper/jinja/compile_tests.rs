//! The template compiler.

use super::*;

#[test]
fn rewrites_expressions_and_keeps_lines() {
    let src = "<a x=\"{{ a.b }}\"\n   {% if c.d is defined || e %}\n y\n{% endif %}\n";
    let c = compile(src).unwrap();
    assert_eq!(c.source.matches('\n').count(), src.matches('\n').count());
    assert!(
        c.source
            .contains("__jv_b((__jv_t_defined(c.d) if __jv_b(__jv_t_defined(c.d)) else e))"),
        "{}",
        c.source
    );
    assert!(c.reads.contains("a.b") && c.reads.contains("c.d"));
    // jinjava lstrip: the spaces before the tag go
    assert!(c.source.contains("x=\"{{ a.b }}\"\n{% if"), "{}", c.source);
}

#[test]
fn for_targets_are_locals() {
    let c = compile("{% for k, v in t.p.items() %}{{k}}={{v}}{% endfor %}").unwrap();
    assert!(
        c.source
            .contains("for k, v in __jv_iter(__jv_m_items(t.p))"),
        "{}",
        c.source
    );
    assert!(!c.reads.contains("k") && !c.reads.contains("v"));
    assert!(c.reads.contains("t.p"));
}

#[test]
fn stray_end_tag_is_dropped_and_errors_are_located() {
    let c = compile("a\n{% endif %}\nb").unwrap();
    assert_eq!(c.notes.len(), 1);
    let e = compile("x\n  {% for a in %}\n").unwrap_err();
    assert_eq!(e.line, 2);
    let e = compile("{% include 'x' %}").unwrap_err();
    assert!(e.message.contains("unsupported tag `include`"));
    let e = compile("{% if a %}\n").unwrap_err();
    assert!(e.message.contains("never closed"));
    let e = compile("{% if a %}{% endfor %}").unwrap_err();
    assert!(
        e.message.contains("does not close the `if`"),
        "{}",
        e.message
    );
}

#[test]
fn unclosed_tokens_are_text() {
    let c = compile("a {{ b").unwrap();
    assert_eq!(c.source, "a {{ \"{\" }}{ b");
}
