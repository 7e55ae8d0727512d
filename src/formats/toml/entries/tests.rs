use super::*;
use TomlScalar::{Bool, Integer as Int};

fn remove(text: &str, path: &str) -> Result<String, ParseError> {
    let file = TomlFile::parse(text).unwrap();
    let path: Vec<&str> = path.split('.').collect();
    remove_in(text, &file, &path).map(|(t, _)| t)
}

#[test]
fn removes_a_key_with_its_line() {
    let t = "[a]\nx = 1\ny = \"v\" # note\r\nz = 3\n";
    assert_eq!(remove(t, "a.y").unwrap(), "[a]\nx = 1\nz = 3\n");
    assert_eq!(
        remove("[a]\nb.c = 1\nd = 2", "a.b.c").unwrap(),
        "[a]\nd = 2"
    );
    assert_eq!(
        remove("[a]\nl = [\n  \"x\",\n]\nk = 1\n", "a.l").unwrap(),
        "[a]\nk = 1\n"
    );
    let e = remove("[a]\nb = { c = 1, d = 2 }\n", "a.b.c").unwrap_err();
    assert!(e.message.contains("inline table"), "{e}");
    assert!(remove("[a]\nx = 1\n", "a").is_err());
}

#[test]
fn lists_read_and_written_as_arrays() {
    let file = TomlFile::parse("[r]\np = [\"TLSv1\", 'TLSv1.2']\ns = \"a,b\"\nn = [1]\n").unwrap();
    let list = |k: &str| file.get(&["r", k]).and_then(|v| v.list());
    assert_eq!(list("p"), Some(vec!["TLSv1".to_string(), "TLSv1.2".into()]));
    assert_eq!(list("s"), None);
    assert_eq!(list("n"), None);
    assert_eq!(
        string_array(&["TLSv1.2", "TLSv1.3"]),
        TomlScalar::Other("[\"TLSv1.2\", \"TLSv1.3\"]".into())
    );
}

const ARRAY: [&str; 2] = ["tomcat", "header_security_filters"];

fn hsts(field: &'static str, name: &'static str) -> Entry<'static> {
    Entry {
        array: &ARRAY,
        key: "name",
        name,
        field,
    }
}

fn defaults() -> Vec<Vec<(String, TomlScalar)>> {
    ["hstsEnabled", "antiClickJackingEnabled"]
        .iter()
        .map(|n| {
            vec![
                ("name".to_string(), TomlScalar::String((*n).into())),
                ("value".to_string(), Bool(false)),
            ]
        })
        .collect()
}

fn set(text: &str, e: &Entry, v: TomlScalar) -> Result<String, ParseError> {
    let file = TomlFile::parse(text).unwrap();
    let out = set_entry(text, &file, e, &v, &defaults())?.0;
    assert_eq!(
        TomlFile::parse(&out).unwrap().entry(e),
        EntryState::Field(Some(v))
    );
    Ok(out)
}

#[test]
fn an_absent_array_is_written_whole_with_the_product_defaults() {
    let t = "[server]\nhostname = \"h\"\n";
    let out = set(t, &hsts("value", "hstsEnabled"), Bool(true)).unwrap();
    assert_eq!(
        out,
        "[server]\nhostname = \"h\"\n\n[[tomcat.header_security_filters]]\nname = \"hstsEnabled\"\nvalue = true\n\n[[tomcat.header_security_filters]]\nname = \"antiClickJackingEnabled\"\nvalue = false\n"
    );
    // A second entry is appended after the last one.
    let out2 = set(&out, &hsts("value", "hstsMaxAgeSeconds"), Int(15768000)).unwrap();
    assert!(out2.starts_with(&out));
    assert!(out2.ends_with(
        "value = false\n\n[[tomcat.header_security_filters]]\nname = \"hstsMaxAgeSeconds\"\nvalue = 15768000\n"
    ));
}

#[test]
fn an_existing_entry_is_edited_in_place() {
    let t = "[[tomcat.header_security_filters]]\r\nname = \"hstsEnabled\"\r\nvalue = false # off\r\n[[tomcat.header_security_filters]]\r\nname = \"x\"\r\n\r\n[other]\r\nk = 1\r\n";
    let out = set(t, &hsts("value", "hstsEnabled"), Bool(true)).unwrap();
    assert_eq!(out, t.replace("value = false # off", "value = true # off"));
    // A missing field goes into that entry's own section.
    let out = set(t, &hsts("value", "x"), Int(5)).unwrap();
    assert_eq!(
        out,
        t.replace("name = \"x\"\r\n", "name = \"x\"\r\nvalue = 5\r\n")
    );
}

#[test]
fn an_inline_array_is_refused() {
    let t = "[tomcat]\nheader_security_filters = [{ name = \"hstsEnabled\", value = false }]\n";
    let file = TomlFile::parse(t).unwrap();
    assert_eq!(
        file.entry(&hsts("value", "hstsEnabled")),
        EntryState::Inline
    );
    assert!(set_entry(
        t,
        &file,
        &hsts("value", "hstsEnabled"),
        &Bool(true),
        &defaults()
    )
    .is_err());
}
