//! The markers a home carries: version files, carbon.xml, jar names, and the layout that tells
//! product families apart when no file names the product.

use std::fs;
use std::path::Path;

use super::identify::{Known, Source};
use super::product::{Model, ProductKind};
use super::version::Version;

pub(super) fn read_small(path: &Path, limit: u64) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    fs::read(path)
        .ok()
        .map(|b| crate::formats::text::lossy(&b).into_owned())
}

/// `bin/version.txt` (`WSO2 Identity Server v5.8.0`), `updates/product.txt` (`wso2is-5.8.0`),
/// `carbon.xml` (`<Name>WSO2 Identity Server</Name>`, `<Version>5.8.0</Version>`; build
/// placeholders such as `${product.version}` or `@product.version@` are ignored). The first
/// file naming a product decides it; the first holding a version decides that.
pub(super) fn named_product(root: &Path, conf: &str) -> (ProductKind, Known) {
    let mut product = ProductKind::Unknown;
    let mut version = Known::default();
    let mut take = |kind: ProductKind, v: Option<Version>, source: Source| {
        if product == ProductKind::Unknown {
            product = kind;
        }
        if let (None, Some(v)) = (version.exact, v) {
            version = Known::exact(v, source);
        }
    };
    if let Some(text) = read_small(&root.join("bin/version.txt"), 4096) {
        let text = text.trim();
        let version = text.rfind(" v").and_then(|i| Version::find_in(&text[i..]));
        take(kind_of_name(text), version, Source::VersionTxt);
    }
    if let Some(text) = read_small(&root.join("updates/product.txt"), 4096) {
        let text = text.trim();
        let kind = [
            ("wso2is-", ProductKind::Is),
            ("wso2am-", ProductKind::Apim),
            ("wso2ei-", ProductKind::Ei),
            ("wso2esb-", ProductKind::Esb),
            ("wso2mi-", ProductKind::Mi),
        ]
        .into_iter()
        .find(|(p, _)| text.starts_with(p))
        .map_or(ProductKind::Unknown, |(_, k)| k);
        take(kind, Version::find_in(text), Source::ProductTxt);
    }
    if let Some((name, v)) = carbon_xml(&root.join(conf).join("carbon.xml")) {
        take(kind_of_name(&name), v, Source::CarbonXml);
    }
    (product, version)
}

/// A product name as WSO2 writes it in version.txt and carbon.xml.
fn kind_of_name(text: &str) -> ProductKind {
    // Analytics of EI 6.0/6.1 calls itself "Enterprise Integrator Analytics": not the EI.
    if text.contains("Analytics") {
        return ProductKind::Unknown;
    }
    [
        ("Identity Server", ProductKind::Is),
        ("API Manager", ProductKind::Apim),
        ("Enterprise Integrator", ProductKind::Ei),
        ("Enterprise Service Bus", ProductKind::Esb),
        ("ESB", ProductKind::Esb),
        ("Micro Integrator", ProductKind::Mi),
        ("Carbon", ProductKind::Kernel),
    ]
    .into_iter()
    .find(|(name, _)| text.contains(name))
    .map_or(ProductKind::Unknown, |(_, k)| k)
}

/// `<Server><Name>` and `<Version>` of carbon.xml; an unresolved placeholder is no value.
fn carbon_xml(path: &Path) -> Option<(String, Option<Version>)> {
    let text = read_small(path, 1 << 20)?;
    let doc = crate::formats::xml::parse(&text).ok()?;
    let child = |name: &str| {
        doc.root_element()
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .map(crate::formats::xml::element_text)
            .filter(|t| !t.is_empty() && !t.contains("${") && !t.contains('@'))
    };
    let name = child("Name").unwrap_or_default();
    let version = child("Version").and_then(|v| Version::find_in(&v));
    (!name.is_empty() || version.is_some()).then_some((name, version))
}

/// Without version files, the layout still tells most families apart.
pub(super) fn guess_product(root: &Path, conf: &str, model: Model) -> ProductKind {
    let has = |p: &str| root.join(p).exists();
    let conf_has = |p: &str| root.join(conf).join(p).exists();
    // EI 6.3/6.4 also ship bin/micro-integrator.sh (the wrapper of their MI profile).
    if has("bin/integrator.sh") || has("bin/integrator.bat") {
        return ProductKind::Ei;
    }
    if has("bin/micro-integrator.sh") || (conf == "conf" && model == Model::Toml) {
        return ProductKind::Mi;
    }
    let apim_db = || {
        read_small(
            &root.join(conf).join("datasources/master-datasources.xml"),
            1 << 20,
        )
        .is_some_and(|t| t.contains("WSO2AM_DB"))
    };
    let apim_scripts = ["api-manager", "gateway", "api-cp", "traffic-manager"];
    if apim_scripts.iter().any(|s| has(&format!("bin/{s}.sh")))
        || conf_has("api-manager.xml")
        || apim_db()
    {
        return ProductKind::Apim;
    }
    if conf == "conf" {
        return ProductKind::Ei;
    }
    if model == Model::Toml {
        if let Some(toml) = read_small(&root.join(conf).join("deployment.toml"), 1 << 20) {
            if toml.contains("[apim") || toml.contains("apim_db") {
                return ProductKind::Apim;
            }
            if toml.contains("identity_db") || toml.contains("[authentication") {
                return ProductKind::Is;
            }
        }
        return ProductKind::Unknown;
    }
    if conf_has("identity/identity.xml") {
        return ProductKind::Is;
    }
    if conf_has("synapse.properties") {
        return ProductKind::Esb;
    }
    ProductKind::Unknown
}

/// The kernel's own markers: `bin/wso2carbon-version.txt`, else the version in the name of
/// the bootstrap or server jar, or of the core bundle in `components/plugins`.
pub(super) fn kernel_marker(root: &Path) -> Option<(Version, Source)> {
    if let Some(text) = read_small(&root.join("bin/wso2carbon-version.txt"), 4096) {
        if let Some(v) = text.rfind(" v").and_then(|i| Version::find_in(&text[i..])) {
            return Some((v, Source::CarbonVersionTxt));
        }
    }
    [
        ("bin", "org.wso2.carbon.bootstrap-"),
        ("lib", "org.wso2.carbon.server-"),
        ("repository/components/plugins", "org.wso2.carbon.core_"),
        // EI 6.x keeps its components under wso2/.
        ("wso2/components/plugins", "org.wso2.carbon.core_"),
    ]
    .into_iter()
    .find_map(|(dir, prefix)| jar_version(&root.join(dir), prefix))
    .map(|v| (v, Source::Jar))
}

/// The version in the name of the first `<prefix><version>….jar` in `dir`.
pub(super) fn jar_version(dir: &Path, prefix: &str) -> Option<Version> {
    let entries = fs::read_dir(dir).ok()?;
    let mut found: Vec<Version> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let rest = name.strip_prefix(prefix)?.strip_suffix(".jar")?.to_string();
            Version::find_in(&rest).filter(|_| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    found.sort();
    found.pop()
}
