use super::*;

#[test]
fn a_file_two_patterns_name_is_read_and_parsed_once_and_seen_by_both() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apim-2.6.0");
    let home = crate::discover::inspect(root, "repository/conf");
    let handlers: Vec<&Handler> = ["embedded-h2", "datastore-without-tls"]
        .iter()
        .filter_map(|n| HANDLERS.iter().find(|h| h.name == *n))
        .chain(HANDLERS.iter().filter(|h| {
            h.files
                .contains(&"{conf}/datasources/master-datasources.xml")
        }))
        .collect();
    let texts = Texts::load(&home, &handlers, &|_| None);
    let master = |p: &PathBuf| p.ends_with("master-datasources.xml");
    assert_eq!(texts.xml.iter().filter(|(p, _)| master(p)).count(), 1);
    let docs = Docs::parse(&home, &texts);
    let mut out = Vec::new();
    let mut ctx = Ctx {
        home: &home,
        docs: &docs,
        out: &mut out,
    };
    for pattern in [
        "{conf}/datasources/*.xml",
        "{conf}/datasources/master-datasources.xml",
    ] {
        let mut seen = Vec::new();
        ctx.xml(pattern, |_, path, _, _| seen.push(path.to_path_buf()));
        assert!(seen.iter().any(master), "{pattern}: {seen:?}");
    }
}

/// The plan's parse of a file stands for the checks' own: every handler finds the same
/// on it, and the file is not parsed again.
#[test]
fn the_plans_parse_of_a_file_gives_the_findings_of_a_fresh_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apim-2.6.0");
    let home = crate::discover::inspect(root, "repository/conf");
    let handlers: Vec<&Handler> = HANDLERS.iter().collect();
    let texts = Texts::load(&home, &handlers, &|_| None);
    let parsed: Vec<(PathBuf, roxmltree::Document)> = (texts.xml.iter())
        .filter_map(|(p, t)| Some((p.clone(), xml::parse(t).ok()?)))
        .collect();
    assert!(parsed.len() > 2, "{} XML files", parsed.len());
    let own = Docs::parse(&home, &texts);
    let shared = Docs::parse_sharing(&home, &texts, &parsed, None);
    assert!(shared
        .xml
        .iter()
        .flatten()
        .all(|(_, _, d)| matches!(d, Held::Shared(_))));
    let findings =
        |docs: &Docs| -> Vec<Detected> { handlers.iter().flat_map(|h| h.detect(docs)).collect() };
    let expected = findings(&own);
    assert!(!expected.is_empty());
    assert_eq!(findings(&shared), expected);
}

/// The same for deployment.toml: the plan's parse is read, with the same findings.
#[test]
fn the_plans_parse_of_deployment_toml_gives_the_findings_of_a_fresh_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/is-7.0.0");
    let home = crate::discover::inspect(root, "repository/conf");
    let handlers: Vec<&Handler> = HANDLERS.iter().collect();
    let texts = Texts::load(&home, &handlers, &|_| None);
    let (_, text) = texts.toml.as_ref().expect("deployment.toml is loaded");
    let parsed = TomlFile::parse(text).expect("it parses");
    let own = Docs::parse(&home, &texts);
    let shared = Docs::parse_sharing(&home, &texts, &[], Some(&parsed));
    assert!(matches!(shared.toml, Some((_, Cow::Borrowed(_)))));
    let findings =
        |docs: &Docs| -> Vec<Detected> { handlers.iter().flat_map(|h| h.detect(docs)).collect() };
    let expected = findings(&own);
    assert!(!expected.is_empty());
    assert_eq!(findings(&shared), expected);
}
