//! jinjava semantics of the compiled templates, one behaviour per test.

use minijinja::Value;

use super::*;

fn ctx(json: &str) -> Value {
    let m = crate::mapper::value::parse_gson(json).unwrap();
    crate::mapper::context::jvalue(&crate::mapper::value::JValue::Map(m), None)
}

fn r(src: &str, json: &str) -> String {
    let p = prepare(&normalize(src.as_bytes()));
    render(&p, &ctx(json)).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message))
}

fn err(src: &str, json: &str) -> RenderError {
    let p = prepare(&normalize(src.as_bytes()));
    render(&p, &ctx(json)).unwrap_err()
}

#[test]
fn booleans_none_and_numbers_print_like_java() {
    assert_eq!(
        r(
            "{{a}}|{{b}}|{{c}}|{{d}}|{{e}}",
            r#"{"a": true, "b": null, "c": 2, "d": [1, "x"]}"#
        ),
        "true||2.0|[1.0, x]|\n"
    );
}

#[test]
fn items_and_length_on_undefined_are_empty() {
    assert_eq!(
        r(
            "{% for k,v in x.y.items() %}{{k}}{% endfor %}[{{x.y|length}}]",
            "{}"
        ),
        "[0]\n"
    );
}

#[test]
fn items_follow_map_order() {
    assert_eq!(
        r(
            "{% for k,v in m.items() %}{{k}}={{v}};{% endfor %}",
            r#"{"m": {"b": "1", "a": "2"}}"#
        ),
        "b=1;a=2;"
    );
}

#[test]
fn string_false_is_falsy_as_in_jinjava() {
    assert_eq!(
        r("{% if a %}T{% else %}F{% endif %}", r#"{"a": "false"}"#),
        "F"
    );
    assert_eq!(
        r("{% if a %}T{% else %}F{% endif %}", r#"{"a": "FALSE"}"#),
        "F"
    );
    assert_eq!(
        r("{% if a %}T{% else %}F{% endif %}", r#"{"a": "no"}"#),
        "T"
    );
}

#[test]
fn el_equality_coerces() {
    assert_eq!(
        r(
            "{% if a == true %}T{% else %}F{% endif %}",
            r#"{"a": "true"}"#
        ),
        "T"
    );
    assert_eq!(
        r(
            "{% if a == true %}T{% else %}F{% endif %}",
            r#"{"a": "false"}"#
        ),
        "F"
    );
    assert_eq!(
        r(
            "{% if a == 8243 %}T{% else %}F{% endif %}",
            r#"{"a": "8243"}"#
        ),
        "T"
    );
    assert_eq!(
        r(
            "{% if a == \"x\" %}T{% else %}F{% endif %}",
            r#"{"a": "x"}"#
        ),
        "T"
    );
    assert_eq!(r("{% if a != \"x\" %}T{% else %}F{% endif %}", "{}"), "T");
}

#[test]
fn sameas_is_strict() {
    let t = "{% if a is sameas true %}T{% else %}F{% endif %}";
    assert_eq!(r(t, r#"{"a": true}"#), "T");
    assert_eq!(r(t, r#"{"a": "true"}"#), "F");
}

#[test]
fn java_operators_and_methods() {
    assert_eq!(
        r(
            "{% if a is defined || b is defined %}T{% endif %}",
            r#"{"b": 1}"#
        ),
        "T"
    );
    assert_eq!(
        r(
            "{% if a && b is defined %}T{% else %}F{% endif %}",
            r#"{"a": true}"#
        ),
        "F"
    );
    assert_eq!(
        r("{% for h in l.toList() %}{{h}}{% if loop.index < l.toList()|length %},{% endif %}{% endfor %}", r#"{"l": ["a", "b"]}"#),
        "a,b"
    );
    assert_eq!(
        r(
            "{% set s = m.split(':') %}{{s[0]}}/{{s[1]}}",
            r#"{"m": "h:4000"}"#
        ),
        "h/4000\n"
    );
    // outside a loop `loop.last` is null, so jinjava prints the comma
    assert_eq!(r("{{ \",\" if not loop.last }}", "{}"), ",\n");
}

#[test]
fn iterating_a_map_yields_values_and_a_string_itself() {
    assert_eq!(
        r(
            "{% for v in m %}{{v}}{% endfor %}",
            r#"{"m": {"a": "1", "b": "2"}}"#
        ),
        "12"
    );
    assert_eq!(
        r("{% for v in s %}[{{v}}]{% endfor %}", r#"{"s": "abc"}"#),
        "[abc]"
    );
}

#[test]
fn default_and_join_follow_jinjava() {
    assert_eq!(
        r("{{a | default('x')}}{{b|default('y')}}", r#"{"b": ""}"#),
        "x\n"
    );
    assert_eq!(r("{{l | join(\",\")}}", r#"{"l": ["a", "b"]}"#), "a,b\n");
}

#[test]
fn whitespace_follows_jinjava_lstrip_and_trim() {
    // the spaces before a tag go even after text; one newline after a tag goes
    assert_eq!(
        r("<a   {% if true %}\n b{% endif %}\n</a>", "{}"),
        "<a b</a>\n"
    );
    assert_eq!(
        r(
            "x\n    {% for i in l %}\n  {{i}}\n    {% endfor %}\ny",
            r#"{"l": [1, 2]}"#
        ),
        "x\n  1.0\n  2.0\ny\n"
    );
}

#[test]
fn unknown_methods_on_values_fail_but_on_nothing_are_nothing() {
    assert_eq!(r("[{{ a.b.lower() }}]", "{}"), "[]\n");
    let e = err("\n{{ a.lower() }}", r#"{"a": "X"}"#);
    assert_eq!(e.line, 2);
    assert!(e.message.contains("no method lower()"), "{}", e.message);
}

#[test]
fn runaway_templates_are_stopped() {
    let e = err("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}", "{}");
    assert!(
        e.message.contains("too much work") || e.message.contains("exceeds"),
        "{}",
        e.message
    );
}

#[test]
fn normalize_reads_lines_like_java() {
    assert_eq!(normalize(b"a\r\nb\rc"), "a\nb\nc\n");
    assert_eq!(normalize(b"a\n"), "a\n");
    assert_eq!(normalize(b""), "");
}

#[test]
fn trace_markers_name_the_key() {
    let p = prepare("x=\"{{a}}\" y=\"{{b}}\"");
    let ctx = Value::from_pairs([
        ("a", traced("t.a", Value::from("1"))),
        ("b", Value::from("2")),
    ]);
    let out = render(&p, &ctx).unwrap();
    let (clean, spans) = strip_markers(&out);
    assert_eq!(clean, "x=\"1\" y=\"2\"");
    assert_eq!(spans.len(), 1);
    assert_eq!(&clean[spans[0].0.clone()], "1");
    assert_eq!(&*spans[0].1, "t.a");
}
