use super::{set, TomlFile, TomlScalar};
use proptest::prelude::*;
use TomlScalar::{Bool, Integer as Int};

fn s(v: &str) -> TomlScalar {
    TomlScalar::String(v.to_owned())
}

fn split(path: &str) -> Vec<&str> {
    path.split('.').collect()
}

/// Sets `path`, checks it reads back, and that the output is `text` with the first `from`
/// replaced by `to` (an empty `from` appends `to`).
fn check(text: &str, path: &str, value: TomlScalar, (from, to): (&str, &str)) {
    let out = set(text, &split(path), &value).unwrap();
    assert_eq!(
        TomlFile::parse(&out).unwrap().get(&split(path)),
        Some(value)
    );
    let want = match from {
        "" => format!("{text}{to}"),
        _ => text.replacen(from, to, 1),
    };
    assert_eq!(out, want, "{path}");
}

#[test]
fn one_key_many_spellings() {
    for (text, line) in [
        ("[a.b]\nc = 1\n", 2),
        ("[a]\nb.c = 1\n", 2),
        ("[a]\nb = { c = 1 }\n", 2),
        ("a.b.c = 1\n", 1),
        ("a.b = { c = 1 }\n[x]\n", 1),
    ] {
        let file = TomlFile::parse(text).unwrap();
        assert_eq!(file.get(&split("a.b.c")), Some(Int(1)), "{text}");
        assert_eq!(file.line_of(&split("a.b.c")), Some(line));
        check(text, "a.b.c", Int(2), ("1", "2"));
    }
}

#[test]
fn replace_keeps_decor_and_quote_style() {
    let t = "[server]\nhostname = 'localhost'\nmode = \"single\" #single or ha\n";
    check(t, "server.hostname", s("h.x"), ("localhost", "h.x"));
    check(t, "server.hostname", s("it's"), ("'localhost'", "\"it's\""));
    check(t, "server.mode", s("ha"), ("\"single\" #", "\"ha\" #"));
    check(t, "server.mode", Int(3), ("\"single\"", "3"));
    let t = "[keystore.primary]\nfile_name = \"a.p12\"\ntype=\"PKCS12\"\n";
    check(t, "keystore.primary.type", s("JKS"), ("PKCS12", "JKS"));
}

#[test]
fn equal_value_returns_identical_bytes() {
    let t = "[a]\nx = 'v'\ny = 0x10\nz = \"$ref{server.hostname}\" # c\r\n[[arr]]\nn = 1";
    for (path, value) in [
        ("a.x", s("v")),
        ("a.y", Int(16)),
        ("a.z", s("$ref{server.hostname}")),
    ] {
        assert_eq!(set(t, &split(path), &value).unwrap(), t);
    }
}

#[test]
fn ref_placeholders_are_left_alone() {
    let t = "[server]\nhostname = \"localhost\"\nbase = \"https://$ref{server.hostname}:${p}\"\n";
    check(t, "server.hostname", s("h"), ("\"localhost\"", "\"h\""));
    check(
        t,
        "server.url",
        s("${x}$ref{y}"),
        ("", "url = \"${x}$ref{y}\"\n"),
    );
}

#[test]
fn new_key_goes_after_last_key_of_its_table() {
    let t = "[trust]\nfile=\"t\"\npass=\"x\"\n#type=\"JKS\"\n\n[apim.analytics]\t\non = true\t\n\n[b]\t\n";
    check(t, "trust.type", s("P"), ("\"x\"\n", "\"x\"\ntype=\"P\"\n"));
    check(
        t,
        "apim.analytics.url",
        s("u"),
        ("\t\n\n", "\t\nurl = \"u\"\n\n"),
    );
    check(t, "b.c", Bool(false), ("", "c = false\n"));
    // A relative path of two segments becomes a dotted key in the ancestor table.
    check(
        t,
        "trust.hsts.on",
        Bool(true),
        ("\"x\"\n", "\"x\"\nhsts.on=true\n"),
    );
    check(
        "[a]\nb = { c = 1 }\n",
        "a.b.d",
        s("x"),
        ("1 }", "1, d = \"x\" }"),
    );
    check("[a]\n\"k.q\" = 1\n", "a.x.y", s("v"), ("", "x.y = \"v\"\n"));
    check(
        "[a]\nb = { f.g = 1 }\n",
        "a.b.f.h",
        Int(2),
        ("1 }", "1, f.h = 2 }"),
    );
    check("a.k = 1\n\n[b]\n", "a.q", Int(2), ("1\n", "1\na.q = 2\n"));
}

#[test]
fn new_table_goes_after_related_tables() {
    let t = "[server]\nh = 1\n\n[transport.http]\np = 1\n\n[transport.http.properties]\nx = 1\n# y = 2\n\n[db]\n";
    let new = "# y = 2\n\n[transport.https.properties]\nserver = \"S\"\n";
    check(
        t,
        "transport.https.properties.server",
        s("S"),
        ("# y = 2\n", new),
    );
    // Nothing related: appended after one blank line. `a.b` needs quotes.
    let out = set(t, &["z", "a.b"], &s("v")).unwrap();
    assert_eq!(out, format!("{t}\n[z]\n\"a.b\" = \"v\"\n"));
    // Commented-out headers are comments; a blank line is kept before the next header.
    let t = "[keystore.primary]\nalias = \"a\"\n#[keystore.tls]\n[x]\n";
    let new = "\"a\"\n\n[keystore.tls]\nalias = \"c\"\n\n";
    check(t, "keystore.tls.alias", s("c"), ("\"a\"\n", new));
}

#[test]
fn line_endings_and_missing_final_newline() {
    let t = "[server]\r\nhost = \"h\"\r\n\r\n[x]\r\ny = 1\r\n";
    check(
        t,
        "server.port",
        Int(9),
        ("\"h\"\r\n", "\"h\"\r\nport = 9\r\n"),
    );
    check(
        t,
        "session.cleanup.c",
        Int(8),
        ("", "\r\n[session.cleanup]\r\nc = 8\r\n"),
    );
    let t = "[server]\nhost = \"h\"\n\n[x]\ny = 1";
    check(t, "x.z", Int(2), ("", "\nz = 2"));
    check(t, "q.z", Int(2), ("", "\n\n[q]\nz = 2"));
    check(t, "x.y", Int(2), ("y = 1", "y = 2"));
}

#[test]
fn arrays_of_tables_are_edited_only_by_element() {
    let t = "[apim]\na = 1\n\n[[apim.gw.env]]\nname = \"D\"\n[apim.gw.env.x]\nk = 1\n\n[[ev]]\nid = \"t\"\n[ev.props]\nu = \"x\"\n";
    for path in [
        "apim.gw.env.name",
        "ev.props.u",
        "ev.id2",
        "ev.0",
        "ev.1.id",
        "ev.0.q.r.s",
    ] {
        assert!(set(t, &split(path), &s("v")).is_err(), "{path}");
    }
    // One element's keys, addressed by index: in place, or in that element's own section.
    check(t, "ev.0.id", s("v"), ("\"t\"", "\"v\""));
    check(t, "ev.0.props.u", s("v"), ("\"x\"", "\"v\""));
    check(
        t,
        "ev.0.props.w",
        Int(1),
        ("u = \"x\"\n", "u = \"x\"\nw = 1\n"),
    );
    check(
        t,
        "apim.gw.env.0.z",
        Int(1),
        ("name = \"D\"\n", "name = \"D\"\nz = 1\n"),
    );
    check(
        t,
        "ev.0.q.r",
        Int(1),
        ("id = \"t\"\n", "id = \"t\"\nq.r = 1\n"),
    );
    let file = TomlFile::parse(t).unwrap();
    assert_eq!(file.get(&split("ev.props.u")), None);
    assert_eq!(file.get(&split("ev.0.props.u")), Some(s("x")));
    let paths: Vec<String> = file.leaves().iter().map(|l| l.path.join(".")).collect();
    let want = [
        "apim.a",
        "apim.gw.env.0.name",
        "apim.gw.env.0.x.k",
        "ev.0.id",
        "ev.0.props.u",
    ];
    assert_eq!(paths, want);
    // Related to an array of tables: appended at the end, never inside an element.
    check(
        t,
        "apim.gw.other.k",
        Int(1),
        ("", "\n[apim.gw.other]\nk = 1\n"),
    );
}

#[test]
fn errors_are_located() {
    let e = TomlFile::parse("[a]\nx = = 1\n").err().unwrap();
    assert_eq!((e.line, e.col), (2, 5));
    let e = set("[a]\nx = 1\n", &["a", "x", "y"], &s("v"))
        .err()
        .unwrap();
    assert_eq!((e.line, e.col), (2, 1));
    assert!(set("[a]\nx = 1\n", &["a"], &s("v")).is_err());
    assert!(set("[a]\n", &["a", "x"], &TomlScalar::Other("1 2".into())).is_err());
    assert!(set("[a]\nx = 1\n", &[], &s("v")).is_err());
}

proptest! {
    #[test]
    fn any_string_round_trips(v in any::<String>()) {
        for t in ["[a]\nb = 'x'\n", "[a]\nb = \"x\"\n", "[a]\nc = 1", "a = { z = 1 }\n", "[q]\r\n"] {
            let out = set(t, &["a", "b"], &s(&v)).unwrap();
            prop_assert_eq!(TomlFile::parse(&out).unwrap().get(&["a", "b"]), Some(s(&v)));
        }
    }
}

#[test]
fn toml_non_ascii_last_line_without_newline_does_not_panic() {
    // A new table goes at the end; the last line ends in a multi-byte char and no newline.
    for text in [
        "[server]\nhostname = \"localhost\"\n# café",
        "[server]\nhostname = \"localhost\"\n# 日本",
        "a = \"é\"",
        "# é\r\n[x]\r\ny = 1\r\n# ü",
    ] {
        let out = set(text, &split("transport.https.x"), &s("v")).unwrap();
        assert!(out.starts_with(text), "{out}");
        assert_eq!(
            TomlFile::parse(&out)
                .unwrap()
                .get(&split("transport.https.x")),
            Some(s("v"))
        );
    }
}

#[test]
fn same_is_the_debug_equality_it_replaced() {
    use super::same;
    use TomlScalar::{Float, Other};
    let values = [
        Float(0.0),
        Float(-0.0),
        Float(f64::NAN),
        Float(-f64::NAN),
        Float(1.5),
        Float(f64::INFINITY),
        Int(0),
        Int(1),
        Bool(true),
        s("x"),
        s("a\"b"),
        Other("x".into()),
        Other("\"x\"".into()),
    ];
    for a in &values {
        for b in &values {
            let debug = format!("{a:?}") == format!("{b:?}");
            assert_eq!(same(a, b), debug, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn an_edit_of_a_carried_parse_is_verified_against_its_leaves() {
    use super::{set_in, verify};
    let text = "a = 1\nb = 2\n[t]\nc = \"x\"\n";
    let file = TomlFile::parse(text).unwrap();
    let (out, carried) = set_in(text, &file, &["a"], &Int(5)).unwrap();
    let carried = carried.expect("the verifying parse is handed on");
    assert_eq!(out, "a = 5\nb = 2\n[t]\nc = \"x\"\n");
    // the carried parse (its leaves already sorted by the first verify) checks the next edit
    let (out2, _) = set_in(&out, &carried, &["t", "c"], &s("y")).unwrap();
    assert_eq!(out2, "a = 5\nb = 2\n[t]\nc = \"y\"\n");
    let e = verify(
        &carried,
        "a = 5\nb = 3\n[t]\nc = \"y\"\n",
        &["t", "c"],
        &s("y"),
    )
    .unwrap_err();
    assert!(
        e.message.contains("would change other keys"),
        "{}",
        e.message
    );
    let e = verify(
        &carried,
        "a = 5\nb = 2\nd = 1\n[t]\nc = \"y\"\n",
        &["t", "c"],
        &s("y"),
    );
    assert!(e.is_err(), "an added key is another key changed");
    let e = verify(&carried, "a = 5\n[t]\nc = \"y\"\n", &["t", "c"], &s("y"));
    assert!(e.is_err(), "a removed key is another key changed");
}
