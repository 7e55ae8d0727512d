//! Which product, version and kernel a home is, from the most to the least reliable marker:
//! `bin/version.txt`, `updates/product.txt` and `carbon.xml` name the product and its version;
//! `bin/wso2carbon-version.txt` and the kernel's jars name the kernel; the release table maps a
//! product version to its kernel; and when none of these is there, what the home holds (start
//! scripts and their JDK check, log4j or log4j2, the config model, the Tomcat connector layout,
//! jar names) narrows product, version and kernel down to what `kernels::RELEASES` allows.

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::fingerprint::Features;
use super::kernels::{kernel_of, RELEASES};
use super::product::{Model, ProductKind};
use super::version::{Version, VersionRange};

/// Where a version or kernel was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    #[serde(rename = "version.txt")]
    VersionTxt,
    #[serde(rename = "product.txt")]
    ProductTxt,
    #[serde(rename = "carbon.xml")]
    CarbonXml,
    #[serde(rename = "wso2carbon-version.txt")]
    CarbonVersionTxt,
    /// A jar's name (`org.wso2.carbon.bootstrap-4.4.40.jar`).
    #[serde(rename = "jar")]
    Jar,
    /// The product version → kernel table (`discover/kernels.rs`).
    #[serde(rename = "table")]
    Table,
    /// Narrowed down by what the home holds (start scripts, logging, config model, jars).
    #[serde(rename = "fingerprint")]
    Fingerprint,
    /// An EI profile takes its product home's.
    #[serde(rename = "product home")]
    Parent,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::VersionTxt => "bin/version.txt",
            Source::ProductTxt => "updates/product.txt",
            Source::CarbonXml => "carbon.xml",
            Source::CarbonVersionTxt => "bin/wso2carbon-version.txt",
            Source::Jar => "jar name",
            Source::Table => "release table",
            Source::Fingerprint => "fingerprint",
            Source::Parent => "product home",
        }
    }
}

/// What is known of a version: exact, or only bounds, and from where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known {
    pub exact: Option<Version>,
    /// Bounds when only a fingerprint narrows it (never set together with `exact`).
    pub range: Option<VersionRange>,
    pub source: Option<Source>,
}

impl Known {
    fn exact(v: Version, source: Source) -> Known {
        Known {
            exact: Some(v),
            range: None,
            source: Some(source),
        }
    }

    fn bounded(r: VersionRange, source: Source) -> Known {
        match r.single() {
            Some(v) => Known::exact(v, source),
            None => Known {
                exact: None,
                range: Some(r),
                source: Some(source),
            },
        }
    }

    /// Exact or bounded, as a range (`None`: nothing known).
    pub fn bounds(&self) -> Option<VersionRange> {
        self.exact.map(VersionRange::exact).or(self.range)
    }

    pub fn is_known(&self) -> bool {
        self.exact.is_some() || self.range.is_some()
    }
}

/// Product, version and kernel of one home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub product: ProductKind,
    pub version: Known,
    pub kernel: Known,
}

pub(super) fn read_small(path: &Path, limit: u64) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

pub fn identify(root: &Path, conf: &str, model: Model) -> Identity {
    let (mut product, mut version) = named_product(root, conf);
    if product == ProductKind::Unknown {
        product = guess_product(root, conf, model);
    }
    let mut kernel = Known::default();
    if product != ProductKind::Mi {
        if let Some((k, source)) = kernel_marker(root) {
            kernel = Known::exact(k, source);
        } else if product == ProductKind::Kernel {
            kernel = version;
        } else if let Some(k) = version.exact.and_then(|v| kernel_of(product, v)) {
            kernel = Known::exact(k, Source::Table);
        }
    }
    let mi_without_kernel = product == ProductKind::Mi;
    if !version.is_known() || (!kernel.is_known() && !mi_without_kernel) {
        let features = Features::observe(root, conf, model);
        fingerprint(&features, &mut product, &mut version, &mut kernel);
    }
    Identity {
        product,
        version,
        kernel,
    }
}

/// Narrows what the markers left open to the releases whose homes look like this one.
fn fingerprint(f: &Features, product: &mut ProductKind, version: &mut Known, kernel: &mut Known) {
    let matching: Vec<_> = RELEASES.iter().filter(|r| f.matches(r)).collect();
    let of_product: Vec<_> = matching
        .iter()
        .filter(|r| *product == ProductKind::Unknown || r.product == *product)
        .filter(|r| {
            version
                .exact
                .is_none_or(|v| r.versions.contains(Version(v.0, v.1, 0)))
        })
        .copied()
        .collect();
    // A product or version the table does not know still gets the bounds every release
    // shaped like this home shares.
    let candidates = if of_product.is_empty() {
        &matching
    } else {
        &of_product
    };
    let Some(first) = candidates.first() else {
        return;
    };
    if *product == ProductKind::Unknown && candidates.iter().all(|r| r.product == first.product) {
        *product = first.product;
    }
    if !version.is_known() && !of_product.is_empty() && *product != ProductKind::Unknown {
        let hull = of_product
            .iter()
            .map(|r| r.versions)
            .reduce(VersionRange::hull);
        if let Some(h) = hull {
            *version = Known::bounded(h, Source::Fingerprint);
        }
    }
    if !kernel.is_known() && *product != ProductKind::Mi {
        let hull = candidates
            .iter()
            .filter_map(|r| r.kernel)
            .reduce(VersionRange::hull);
        // What the files say of the kernel narrows the releases' span further.
        let narrowed = hull.map(|h| f.kernel.and_then(|k| h.intersect(k)).unwrap_or(h));
        if let Some(h) = narrowed {
            *kernel = Known::bounded(h, Source::Fingerprint);
        }
    }
}

/// `bin/version.txt` (`WSO2 Identity Server v5.8.0`), `updates/product.txt` (`wso2is-5.8.0`),
/// `carbon.xml` (`<Name>WSO2 Identity Server</Name>`, `<Version>5.8.0</Version>`; build
/// placeholders such as `${product.version}` or `@product.version@` are ignored). The first
/// file naming a product decides it; the first holding a version decides that.
fn named_product(root: &Path, conf: &str) -> (ProductKind, Known) {
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
fn guess_product(root: &Path, conf: &str, model: Model) -> ProductKind {
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
fn kernel_marker(root: &Path) -> Option<(Version, Source)> {
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
