use super::*;
use crate::formats::Compare;
use proptest::prelude::*;

fn run(text: &str, op: &XmlOp) -> Option<XmlEdit> {
    let doc = parse(text).unwrap();
    plan(text, &doc, op, false).unwrap()
}

fn attr_op<'a>(path: &'a Path, attr: &'a str, value: &'a str) -> XmlOp<'a> {
    XmlOp::Attr {
        path,
        attr,
        want: Want::Value(value, Compare::Equal),
        create: false,
    }
}

fn text_op<'a>(path: &'a Path, value: &'a str) -> XmlOp<'a> {
    XmlOp::Text {
        path,
        want: Want::Value(value, Compare::Equal),
        create: true,
    }
}

const CONNECTORS: &str = "<Server>\n    <Service>\n        <!-- Added sslEnabledProtocols=\"TLSv1,TLSv1.1,TLSv1.2\" -->\n        <Connector protocol=\"http\"\n                   port=\"9443\"\n                   sslEnabledProtocols='TLSv1,TLSv1.1,TLSv1.2'\n                   SSLEnabled=\"true\"\n                   URIEncoding=\"UTF-8\"/>\n        <Connector port=\"9763\" server=\"WSO2 Carbon Server\"/>\n    </Service>\n</Server>\n";

#[test]
fn replaces_value_keeping_quote_and_ignores_comments() {
    let p = Path::parse("/Server/Service/Connector[@SSLEnabled='true']").unwrap();
    let e = run(CONNECTORS, &attr_op(&p, "sslEnabledProtocols", "TLSv1.2")).unwrap();
    assert_eq!(
        e.text,
        CONNECTORS.replace("'TLSv1,TLSv1.1,TLSv1.2'", "'TLSv1.2'")
    );
    assert_eq!(e.changes[0].line, 6);
    assert!(run(&e.text, &attr_op(&p, "sslEnabledProtocols", "TLSv1.2")).is_none());
}

#[test]
fn inserts_attribute_in_the_stacked_layout_before_self_close() {
    let p = Path::parse("/Server/Service/Connector[@SSLEnabled='true']").unwrap();
    let e = run(CONNECTORS, &attr_op(&p, "ciphers", "A,B")).unwrap();
    assert_eq!(
        e.text,
        CONNECTORS.replace(
            "URIEncoding=\"UTF-8\"/>",
            "URIEncoding=\"UTF-8\"\n                   ciphers=\"A,B\"/>"
        )
    );
}

#[test]
fn inserts_attribute_inline_when_attributes_share_a_line() {
    let p = Path::parse("/Server/Service/Connector[@port='9763']").unwrap();
    let e = run(CONNECTORS, &attr_op(&p, "maxThreads", "5")).unwrap();
    assert!(e
        .text
        .contains("<Connector port=\"9763\" server=\"WSO2 Carbon Server\" maxThreads=\"5\"/>"));
}

#[test]
fn crlf_and_single_quotes_survive_insertion() {
    let src = CONNECTORS.replace('\n', "\r\n").replace('"', "'");
    let p = Path::parse("/Server/Service/Connector[@SSLEnabled='true']").unwrap();
    let e = run(&src, &attr_op(&p, "server", "Server")).unwrap();
    assert!(e
        .text
        .contains("URIEncoding='UTF-8'\r\n                   server='Server'/>"));
    assert_eq!(e.text.matches('\n').count(), e.text.matches("\r\n").count());
}

#[test]
fn sets_text_including_self_closing_and_escapes() {
    let src = "<a>\n  <b> old </b>\n  <c/>\n</a>";
    let b = Path::parse("/a/b").unwrap();
    let c = Path::parse("/a/c").unwrap();
    assert_eq!(
        run(src, &text_op(&b, "x&y")).unwrap().text,
        "<a>\n  <b>x&amp;y</b>\n  <c/>\n</a>"
    );
    assert_eq!(
        run(src, &text_op(&c, "<v>")).unwrap().text,
        "<a>\n  <b> old </b>\n  <c>&lt;v&gt;</c>\n</a>"
    );
    assert!(
        run(src, &text_op(&b, "old")).is_none(),
        "trimmed equal text is compliant"
    );
}

#[test]
fn inserts_missing_element_next_to_its_commented_out_copy() {
    let src = "<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n    <Name>WSO2</Name>\n    <!--HostName>www.wso2.org</HostName-->\n\n    <!--MgtHostName>mgt.wso2.org</MgtHostName-->\n    <Ports/>\n</Server>\n";
    let p = Path::parse("/Server/HostName").unwrap();
    let e = run(src, &text_op(&p, "idp.example.com")).unwrap();
    assert_eq!(
        e.text,
        src.replace(
            "</HostName-->\n",
            "</HostName-->\n    <HostName>idp.example.com</HostName>\n"
        )
    );
    let again = run(&e.text, &text_op(&p, "idp.example.com"));
    assert!(again.is_none());
}

#[test]
fn inserts_parameter_with_its_name_attribute_after_last_sibling() {
    let src = "<axisconfig>\r\n  <transportReceiver name=\"https\" class=\"org.apache.synapse.transport.passthru.PassThroughHttpSSLListener\">\r\n    <parameter name=\"port\">8243</parameter>\r\n  </transportReceiver>\r\n</axisconfig>";
    let p = Path::parse("/axisconfig/transportReceiver[@class^='org.apache.synapse.transport.passthru.']/parameter[@name='HttpsProtocols']").unwrap();
    let e = run(src, &text_op(&p, "TLSv1.2")).unwrap();
    assert!(e.text.contains(
        "<parameter name=\"port\">8243</parameter>\r\n    <parameter name=\"HttpsProtocols\">TLSv1.2</parameter>\r\n  </transportReceiver>"
    ));
}

#[test]
fn replaces_text_next_to_comments_and_keeps_them() {
    let p = Path::parse("/a/b").unwrap();
    let cases = [
        (
            "<a><b><!-- lb -->old</b></a>",
            "<a><b><!-- lb -->new</b></a>",
        ),
        (
            "<a><b>\n  <!-- c -->\n  old\n</b></a>",
            "<a><b>\n  <!-- c -->\n  new\n</b></a>",
        ),
        (
            "<a><b><!-- only a comment --></b></a>",
            "<a><b><!-- only a comment -->new</b></a>",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(run(src, &text_op(&p, "new")).unwrap().text, want, "{src}");
    }
    assert!(run("<a><b><!-- lb -->new</b></a>", &text_op(&p, "new")).is_none());
}

#[test]
fn refuses_mixed_content_and_cdata() {
    let p = Path::parse("/a/b").unwrap();
    for src in [
        "<a><b>x<c/></b></a>",
        "<a><b><![CDATA[x]]></b></a>",
        "<a><b>x<!--c-->y</b></a>",
    ] {
        let doc = parse(src).unwrap();
        let err = plan(src, &doc, &text_op(&p, "y"), false).unwrap_err();
        assert_eq!(err.line, 1, "{src}: {err}");
    }
}

#[test]
fn doctype_and_entities_are_kept() {
    let src = "<?xml version=\"1.0\"?>\n<!DOCTYPE web-app [<!ENTITY x \"ex\">]>\n<web-app a=\"&x;\">\n  <v>1</v>\n</web-app>\n";
    let p = Path::parse("/web-app/v").unwrap();
    let e = run(src, &text_op(&p, "2")).unwrap();
    assert_eq!(e.text, src.replace("<v>1</v>", "<v>2</v>"));
}

#[test]
fn parse_errors_are_located() {
    let err = parse("<a>\n  <b>\n</a>").unwrap_err();
    assert_eq!((err.line, err.col), (3, 1));
    assert!(!err.message.contains(" at 3:1"), "{}", err.message);
}

#[test]
fn latin1_files_get_references_for_wide_chars() {
    let src = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a b=\"x\"/>";
    let doc = parse(src).unwrap();
    let p = Path::parse("/a").unwrap();
    let e = plan(src, &doc, &attr_op(&p, "b", "€é"), true)
        .unwrap()
        .unwrap();
    assert!(e.text.contains("b=\"&#x20AC;é\""));
}

#[test]
fn at_least_never_lowers_and_only_if_present_never_adds() {
    let src = "<C><M sessionIdLength=\"128\"/><N/></C>";
    let m = Path::parse("/C/M").unwrap();
    let n = Path::parse("/C/N").unwrap();
    let op = |p| XmlOp::Attr {
        path: p,
        attr: "sessionIdLength",
        want: Want::Value("32", Compare::AtLeast),
        create: false,
    };
    assert!(run(src, &op(&m)).is_none());
    assert!(run(src, &op(&n)).is_some());
    let only = XmlOp::Attr {
        path: &n,
        attr: "x",
        want: Want::Value("1", Compare::OnlyIfPresent),
        create: false,
    };
    assert!(run(src, &only).is_none());
}

fn xml_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('&'),
            Just('<'),
            Just('>'),
            Just('"'),
            Just('\''),
            Just('\t'),
            Just('\n'),
            Just('\r'),
            Just(']'),
            any::<char>().prop_filter("XML char", |c| scan::is_xml_char(*c)),
        ],
        0..24,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn any_attribute_value_reads_back(v in xml_value(), single in any::<bool>(), latin1 in any::<bool>()) {
        let src = if single { "<a b='x'/>" } else { "<a b=\"x\"/>" };
        let p = Path::parse("/a").unwrap();
        let doc = parse(src).unwrap();
        for attr in ["b", "c"] {
            let op = attr_op(&p, attr, &v);
            let text = match plan(src, &doc, &op, latin1).unwrap() {
                Some(e) => e.text,
                None => src.to_string(),
            };
            let back = parse(&text).unwrap();
            prop_assert_eq!(back.root_element().attribute(attr).unwrap_or("x"), v.as_str());
        }
    }

    #[test]
    fn any_text_value_reads_back_trimmed(v in xml_value(), latin1 in any::<bool>()) {
        let src = "<a><b>x</b><c/></a>";
        let doc = parse(src).unwrap();
        for sel in ["/a/b", "/a/c", "/a/d"] {
            let p = Path::parse(sel).unwrap();
            let text = match plan(src, &doc, &text_op(&p, &v), latin1).unwrap() {
                Some(e) => e.text,
                None => src.to_string(),
            };
            let back = parse(&text).unwrap();
            let name = &sel[3..];
            let node = back.root_element().children().find(|n| n.has_tag_name(name)).unwrap();
            prop_assert_eq!(node.text().unwrap_or("").trim(), v.trim());
        }
    }
}

#[test]
fn creates_an_element_carrying_the_attribute() {
    let src = "<Context>\n    <Manager className=\"x\">\n    </Manager>\n</Context>\n";
    let p = Path::parse("/Context/Manager/SessionIdGenerator").unwrap();
    let op = XmlOp::Attr {
        path: &p,
        attr: "sessionIdLength",
        want: Want::Value("32", Compare::AtLeast),
        create: true,
    };
    let e = run(src, &op).unwrap();
    assert_eq!(
        e.text,
        "<Context>\n    <Manager className=\"x\">\n        <SessionIdGenerator sessionIdLength=\"32\"/>\n    </Manager>\n</Context>\n"
    );
    assert!(run(&e.text, &op).is_none());
}

#[test]
fn insertion_keeps_a_trailing_comment_with_its_element() {
    let src = "<a>\n  <b>1</b> <!-- minutes -->\n</a>";
    let p = Path::parse("/a/c").unwrap();
    let e = run(src, &text_op(&p, "2")).unwrap();
    assert_eq!(e.text, "<a>\n  <b>1</b> <!-- minutes -->\n  <c>2</c>\n</a>");
}

/// An identity.xml whose SessionDataCleanUp was emptied by hand to `<SessionDataCleanUp/>`.
const IDENTITY_EMPTIED: &str = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n    <JDBCPersistenceManager>\n        <DataSource>\n            <Name>jdbc/WSO2CarbonDB</Name>\n        </DataSource>\n        <SessionDataPersist>\n            <Enable>true</Enable>\n            <Temporary>true</Temporary>\n            <PoolSize>0</PoolSize>\n            <SessionDataCleanUp/>\n            <OperationDataCleanUp>\n                <Enable>true</Enable>\n            </OperationDataCleanUp>\n        </SessionDataPersist>\n    </JDBCPersistenceManager>\n</Server>\n";

#[test]
fn a_self_closing_parent_is_expanded_to_take_a_child() {
    let p = Path::parse(
        "/Server/JDBCPersistenceManager/SessionDataPersist/SessionDataCleanUp/DeleteChunkSize",
    )
    .unwrap();
    let e = run(IDENTITY_EMPTIED, &text_op(&p, "50000")).unwrap();
    assert_eq!(
        e.text,
        IDENTITY_EMPTIED.replace(
            "<SessionDataCleanUp/>",
            "<SessionDataCleanUp>\n                <DeleteChunkSize>50000</DeleteChunkSize>\n            </SessionDataCleanUp>"
        )
    );
    assert_eq!(e.changes[0].line, 11);
    assert!(run(&e.text, &text_op(&p, "50000")).is_none(), "idempotent");

    // Tabs, CRLF, attributes and a space before `/>`: the sibling style is kept.
    let tabbed = "<a>\r\n\t<b>\r\n\t\t<c x=\"1\" />\r\n\t</b>\r\n</a>\r\n";
    let p = Path::parse("/a/b/c/d").unwrap();
    let e = run(tabbed, &text_op(&p, "v")).unwrap();
    assert_eq!(
        e.text,
        "<a>\r\n\t<b>\r\n\t\t<c x=\"1\">\r\n\t\t\t<d>v</d>\r\n\t\t</c>\r\n\t</b>\r\n</a>\r\n"
    );
    // A prefixed parent keeps its prefix on the end tag; an attribute child is self-closing.
    let prefixed = "<s:a xmlns:s=\"urn:x\">\n  <s:b/>\n</s:a>\n";
    let p = Path::parse("/a/b/c").unwrap();
    let op = XmlOp::Attr {
        path: &p,
        attr: "n",
        want: Want::Value("1", Compare::Equal),
        create: true,
    };
    let e = run(prefixed, &op).unwrap();
    assert_eq!(
        e.text,
        "<s:a xmlns:s=\"urn:x\">\n  <s:b>\n    <s:c n=\"1\"/>\n  </s:b>\n</s:a>\n"
    );
}

/// Regression: `create` with a predicate on the attribute it sets wrote the attribute twice
/// (caught only as "the edited text does not parse").
#[test]
fn create_with_a_predicate_on_the_same_attribute_writes_it_once() {
    let text =
        "<Server>\n    <Service>\n        <Engine name=\"Catalina\"/>\n    </Service>\n</Server>\n";
    let p = Path::parse("/Server/Service/Connector[@port='9443']").unwrap();
    let op = XmlOp::Attr {
        path: &p,
        attr: "port",
        want: Want::Value("9443", Compare::Equal),
        create: true,
    };
    let e = run(text, &op).unwrap();
    assert_eq!(
        e.text,
        text.replace(
            "<Engine name=\"Catalina\"/>",
            "<Engine name=\"Catalina\"/>\n        <Connector port=\"9443\"/>"
        )
    );
    assert!(run(&e.text, &op).is_none(), "idempotent");
}

#[test]
fn a_compliant_element_beside_an_edited_one_keeps_its_own_value() {
    let text = "<Server>\n  <Connector SSLEnabled=\"true\" sslEnabledProtocols=\"TLSv1.3\"/>\n  <Connector SSLEnabled=\"true\" sslEnabledProtocols=\"TLSv1,TLSv1.2\"/>\n</Server>\n";
    let p = Path::parse("/Server/Connector[@SSLEnabled='true']").unwrap();
    let op = XmlOp::Attr {
        path: &p,
        attr: "sslEnabledProtocols",
        want: Want::Value("TLSv1.2", Compare::StrongProtocols),
        create: false,
    };
    let e = run(text, &op).unwrap();
    assert_eq!(e.text, text.replace("\"TLSv1,TLSv1.2\"", "\"TLSv1.2\""));
    assert_eq!(e.changes.len(), 1);
}

#[test]
fn deep_xml_is_refused_with_a_located_error_not_a_stack_overflow() {
    // Past the limit: refused where the limit is crossed, on a worker-sized stack.
    let deep = |n: usize| {
        format!(
            "<Server>\n{}{}</Server>\n",
            "<x>".repeat(n),
            "</x>".repeat(n)
        )
    };
    let text = deep(10_000);
    let err = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || parse(&text).map(|_| ()).unwrap_err())
        .unwrap()
        .join()
        .unwrap();
    // <Server> is level 1: the x opened at level MAX_DEPTH + 1 is the one refused.
    assert_eq!((err.line, err.col), (2, 1 + 3 * (MAX_DEPTH - 1)), "{err}");
    assert!(err.message.contains("nest deeper than 512"), "{err}");
    // Within the limit, verification (which walks the whole tree) works on a small stack.
    let text = deep(MAX_DEPTH - 1);
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let doc = parse(&text).unwrap();
            let path = Path::parse("/Server").unwrap();
            let edit = plan(&text, &doc, &attr_op(&path, "a", "1"), false).unwrap();
            assert!(edit.is_some());
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn truncated_xml_is_located_at_the_end_of_the_file() {
    let text = "<Server>\n  <Service>\n    <Connector port=\"1\"/>\n";
    let err = parse(text).unwrap_err();
    assert_eq!((err.line, err.col), (4, 1), "{err}");
    assert!(err.message.contains("truncated"), "{err}");
}
