//! Product, version and kernel of every real home in ../shared/fixtures-real (read in place,
//! never copied): homes with a version marker get their exact version and, where the release
//! table knows it, their kernel; homes without one get what their fingerprint allows.

mod common;

use common::real_corpus;
use wso2_harden::discover::{discover, ProductHome, ProductKind, Source};

fn shown(home: &ProductHome) -> (String, String, String) {
    let b =
        |k: &wso2_harden::discover::Known| k.bounds().map_or("-".to_string(), |r| r.to_string());
    let source = |k: &wso2_harden::discover::Known| {
        k.source.map_or("-".to_string(), |s| s.label().to_string())
    };
    (
        format!("{:?}", home.product).to_lowercase(),
        format!("{} ({})", b(&home.version), source(&home.version)),
        format!("{} ({})", b(&home.kernel), source(&home.kernel)),
    )
}

/// fixture → product, version (source), kernel (source).
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("apim-2.6.0", "apim", "2.0.0–2.6.0 (fingerprint)", "4.4.7–4.4.35 (fingerprint)"),
    ("apim-2.6.0-deployed", "apim", "2.6.0 (carbon.xml)", "4.4.35 (release table)"),
    ("apim-3.0.0", "apim", "3.0.0–3.2.0 (fingerprint)", "4.5.1–4.6.0 (fingerprint)"),
    ("apim-3.0.0-rendered", "apim", "3.0.0 (carbon.xml)", "4.5.1 (release table)"),
    ("apim-3.2.0", "apim", "3.1.0–3.2.0 (fingerprint)", "4.6.0 (fingerprint)"),
    ("apim-3.2.0-docker-compose", "apim", "3.1.0–4.7.0 (fingerprint)", "4.6.0–4.11.18 (fingerprint)"),
    ("apim-4.0.0", "apim", "4.0.0–4.1.0 (fingerprint)", "4.6.2–4.6.3 (fingerprint)"),
    ("apim-4.5.0", "apim", "4.3.0–4.6.0 (fingerprint)", "4.9.26–4.9.33 (fingerprint)"),
    ("apim-4.5.0-docker-compose", "apim", "3.1.0–4.7.0 (fingerprint)", "4.6.0–4.11.18 (fingerprint)"),
    ("apim-4.5.0-rendered", "apim", "4.5.0 (carbon.xml)", "4.9.28 (release table)"),
    ("carbon-kernel-4.10.42", "unknown", "- (-)", "4.10.25–4.12.2 (fingerprint)"),
    ("carbon-kernel-4.4.40", "unknown", "- (-)", "4.4.3–4.4.x (fingerprint)"),
    ("ei-6.6.0", "ei", "6.6.0 (fingerprint)", "4.5.3 (fingerprint)"),
    ("esb-4.9.0", "esb", "4.9.0 (carbon.xml)", "4.4.1 (release table)"),
    ("esb-5.0.0", "esb", "5.0.0 (carbon.xml)", "4.4.8 (release table)"),
    ("is-5.10.0", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-5.11.0", "is", "5.10.0–5.11.0 (fingerprint)", "4.6.0–4.6.1 (fingerprint)"),
    ("is-5.11.0-docker-compose", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-5.11.0-km-for-apim-4.2.0-docker-compose", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-5.5.0", "is", "5.5.0 (carbon.xml)", "4.4.26 (release table)"),
    ("is-5.7.0-docker-compose", "is", "5.7.0 (carbon.xml)", "4.4.35 (release table)"),
    ("is-5.8.0", "unknown", "- (-)", "4.4.3–4.4.x (fingerprint)"),
    ("is-5.8.0-kubernetes", "is", "5.8.0 (carbon.xml)", "4.4.40 (release table)"),
    ("is-5.9.0", "is", "5.9.0–5.11.0 (fingerprint)", "4.5.1–4.6.1 (fingerprint)"),
    ("is-5.9.0-docker-compose", "is", "5.9.0–7.3.0 (fingerprint)", "4.5.1–4.12.34 (fingerprint)"),
    ("is-6.0.0", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-6.1.0", "is", "6.0.0–7.0.0 (fingerprint)", "4.7.1–4.10.9 (fingerprint)"),
    ("is-6.1.0-docker-compose", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-7.0.0", "is", "6.0.0–7.0.0 (fingerprint)", "4.7.1–4.10.9 (fingerprint)"),
    ("is-7.0.0-docker-compose", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-7.2.0", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("is-7.3.0", "is", "5.10.0–7.3.0 (fingerprint)", "4.6.0–4.12.34 (fingerprint)"),
    ("mi-1.2.0", "mi", "1.1.0–4.1.0 (fingerprint)", "- (-)"),
    ("mi-4.2.0", "mi", "4.2.0–4.3.0 (fingerprint)", "- (-)"),
    ("mi-4.2.0-docker-compose", "mi", "1.1.0–4.3.0 (fingerprint)", "- (-)"),
];

#[test]
fn every_real_home_has_its_product_version_and_kernel() {
    let Some(root) = real_corpus() else { return };
    let homes = discover(std::slice::from_ref(&root)).unwrap();
    let mut seen = Vec::new();
    for home in &homes {
        let name = home
            .root
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let got = shown(home);
        // A home with a version marker has its exact version; its kernel too when the table
        // knows the release (MI runs none).
        if [Source::VersionTxt, Source::ProductTxt, Source::CarbonXml]
            .iter()
            .any(|s| home.version.source == Some(*s))
        {
            assert!(home.version.exact.is_some(), "{name}: {got:?}");
            assert!(
                home.kernel.exact.is_some() || home.product == ProductKind::Mi,
                "{name}: {got:?}"
            );
        }
        if let Some((_, product, version, kernel)) =
            EXPECTED.iter().find(|(n, ..)| *n == name.as_str())
        {
            let want = (product.to_string(), version.to_string(), kernel.to_string());
            assert_eq!(got, want, "{name}");
            seen.push(name);
        }
    }
    let missing: Vec<_> = EXPECTED
        .iter()
        .filter(|(n, ..)| !seen.iter().any(|s| s == n))
        .map(|(n, ..)| *n)
        .collect();
    assert!(missing.is_empty(), "not discovered: {missing:?}");
}
