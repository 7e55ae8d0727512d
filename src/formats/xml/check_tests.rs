//! `plan_unchecked` + `check`: the verification the fold runs on the parse it keeps. It is
//! as strict as `plan`'s, located, and returns the parse of the edited text.

use super::*;
use crate::formats::Compare;

const TEXT: &str = "<Server>\n  <A x=\"1\"/>\n  <B y=\"2\"/>\n  <C>old</C>\n</Server>\n";

fn set_attr<'t>(text: &str, doc: &Document<'t>, select: &str, attr: &str, v: &str) -> XmlEdit {
    let path = Path::parse(select).unwrap();
    let op = XmlOp::Attr {
        path: &path,
        attr,
        want: Want::Value(v, Compare::Equal),
        create: false,
    };
    plan_unchecked(text, doc, &op, false).unwrap().unwrap()
}

#[test]
fn check_returns_the_parse_of_the_edited_text_and_plan_agrees() {
    let doc = parse(TEXT).unwrap();
    let edit = set_attr(TEXT, &doc, "/Server/A", "x", "5");
    let new = check(&doc, &edit.text, &edit.expects).unwrap();
    let a = new.root_element().first_element_child().unwrap();
    assert_eq!(a.attribute("x"), Some("5"));
    // the verifying planner makes the same edit
    let path = Path::parse("/Server/A").unwrap();
    let op = XmlOp::Attr {
        path: &path,
        attr: "x",
        want: Want::Value("5", Compare::Equal),
        create: false,
    };
    assert_eq!(
        plan(TEXT, &doc, &op, false).unwrap().unwrap().text,
        edit.text
    );
}

#[test]
fn a_change_beyond_the_expectations_is_refused_where_it_is() {
    let doc = parse(TEXT).unwrap();
    let edit = set_attr(TEXT, &doc, "/Server/A", "x", "5");
    // the same edit, plus a change the expectations do not name (line 3)
    let tampered = edit.text.replace("y=\"2\"", "y=\"3\"");
    let e = check(&doc, &tampered, &edit.expects).unwrap_err();
    assert!(e.message.contains("internal check failed"), "{}", e.message);
    assert_eq!(e.line, 3);
    // text changed in another element is caught as well
    let tampered = edit.text.replace(">old<", ">new<");
    let e = check(&doc, &tampered, &edit.expects).unwrap_err();
    assert_eq!(e.line, 4);
}

#[test]
fn an_edit_that_breaks_the_file_is_located() {
    let doc = parse(TEXT).unwrap();
    let edit = set_attr(TEXT, &doc, "/Server/A", "x", "5");
    let broken = edit.text.replace("<B y=\"2\"/>", "<B y=\"2\">");
    let e = check(&doc, &broken, &edit.expects).unwrap_err();
    assert!(
        e.message.starts_with("the edited text does not parse"),
        "{}",
        e.message
    );
    assert!(
        e.line >= 4,
        "located after the unclosed element: {}",
        e.line
    );
}

#[test]
fn a_second_edit_is_verified_against_the_parse_the_first_check_returned() {
    let doc = parse(TEXT).unwrap();
    let first = set_attr(TEXT, &doc, "/Server/A", "x", "5");
    let after_first = check(&doc, &first.text, &first.expects).unwrap();
    let second = set_attr(&first.text, &after_first, "/Server/B", "y", "7");
    let after_second = check(&after_first, &second.text, &second.expects).unwrap();
    let b = after_second.root_element().last_element_child().unwrap();
    assert_eq!(b.tag_name().name(), "C");
    assert!(second.text.contains("x=\"5\"") && second.text.contains("y=\"7\""));
    // undoing the first edit inside the second is a change its expectations do not name
    let undone = second.text.replace("x=\"5\"", "x=\"1\"");
    let e = check(&after_first, &undone, &second.expects).unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn a_missing_tail_a_changed_comment_or_pi_is_refused_where_it_is() {
    let text =
        "<?xml version=\"1.0\"?>\n<?pi a?>\n<S>\n  <!-- c -->\n  <A x=\"1\"/>\n  <B/>\n</S>\n";
    let doc = parse(text).unwrap();
    let edit = set_attr(text, &doc, "/S/A", "x", "5");
    assert!(check(&doc, &edit.text, &edit.expects).is_ok());
    let comment = edit.text.replace("<!-- c -->", "<!-- d -->");
    let e = check(&doc, &comment, &edit.expects).unwrap_err();
    assert_eq!(e.line, 4, "a changed comment");
    let pi = edit.text.replace("<?pi a?>", "<?pi b?>");
    let e = check(&doc, &pi, &edit.expects).unwrap_err();
    assert_eq!(e.line, 2, "a changed processing instruction");
    // an element gone: the new stream ends early; located at the end of the element
    let shorter = edit.text.replace("  <B/>\n", "");
    let e = check(&doc, &shorter, &edit.expects).unwrap_err();
    assert!(e.message.contains("internal check failed"), "{}", e.message);
    // an element added that nothing expects
    let longer = edit.text.replace("<B/>", "<B/><C/>");
    assert_eq!(check(&doc, &longer, &edit.expects).unwrap_err().line, 6);
}
