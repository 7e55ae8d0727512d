//! Which product, version and kernel a home is, from the most to the least reliable marker:
//! `bin/version.txt`, `updates/product.txt` and `carbon.xml` name the product and its version;
//! `bin/wso2carbon-version.txt` and the kernel's jars name the kernel; the release table maps a
//! product version to its kernel; and when none of these is there, what the home holds (start
//! scripts and their JDK check, log4j or log4j2, the config model, the Tomcat connector layout,
//! jar names) narrows product, version and kernel down to what `kernels::RELEASES` allows.

use std::path::Path;

use serde::Serialize;

use super::fingerprint::Features;
use super::kernels::{kernel_of, RELEASES};
use super::markers::{guess_product, kernel_marker, named_product};
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
    /// A config repository takes the installation `--model` names.
    #[serde(rename = "model")]
    Model,
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
            Source::Model => "--model home",
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
    pub(super) fn exact(v: Version, source: Source) -> Known {
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
