//! What each released product looks like on disk: the Carbon kernel it runs on, its start
//! scripts and their JDK check, its logging and its configuration model. The kernel column
//! answers "product version → kernel"; the other columns let a home without any version file
//! be narrowed down by what it holds (a fingerprint).
//!
//! Sources (tags of the public WSO2 repositories; docs/DESIGN.md §4 repeats them):
//! - kernel: `<carbon.kernel.version>` in the product's root `pom.xml` at its release tag
//!   (wso2/product-is `v5.1.0`…`v7.3.0`; wso2/product-apim `v2.0.0`…`v4.4.0` `pom.xml`,
//!   `v4.5.0`…`v4.7.0` `all-in-one-apim/pom.xml`; wso2/product-ei `v6.0.0`…`v6.6.0`;
//!   wso2/product-esb `v4.9.0`, `v5.0.0`); MI pins kernel libraries only and runs no kernel
//!   (wso2/micro-integrator `pom.xml`), so its kernel is `None`;
//! - JDK check: the `java_version_formatted -lt … -gt …` line (or the Carbon 4.4
//!   `grep "1.[7|8]"` check) of the start script: wso2/carbon-kernel
//!   `distribution/kernel/carbon-home/bin/wso2server.sh` at every `v4.*` tag (IS ships the
//!   kernel's script), wso2/product-apim `…/src/main/startup-scripts/*.sh`, wso2/product-ei
//!   `distribution/src/scripts/integrator.sh`, wso2/micro-integrator
//!   `distribution/src/scripts/micro-integrator.sh`;
//! - logging: `log4j.properties` up to kernel 4.4.x, `log4j2.properties` from kernel 4.5.0
//!   (wso2/carbon-kernel `distribution/kernel/carbon-home/repository/conf/` at v4.4.40 and
//!   v4.5.0), EI 6.6 and MI 1.1+ (`distribution/src/conf/` at their tags);
//! - model: `deployment.toml` from IS 5.9, APIM 3.0, MI 1.1 and kernel 4.5.0.

use super::product::ProductKind;
use super::version::{Version, VersionRange};

/// The JDK check a start script makes before it launches the JVM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jdk {
    /// Carbon 4.4: `jdk_17=… grep "1.[7|8]"` (JDK 7 or 8).
    Legacy,
    /// `if [ $java_version_formatted -lt MIN ] || [ … -gt MAX ]` (`0107`, `1100`, `1700`, `2100`, `2500`).
    Range(u16, Option<u16>),
}

/// One released product (or, for the kernel itself, a span of kernel releases that share a
/// script) and what its home holds.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    pub product: ProductKind,
    /// The product versions the row covers (one release: equal bounds).
    pub versions: VersionRange,
    /// The kernel it runs on; `None`: no Carbon kernel runtime (MI).
    pub kernel: Option<VersionRange>,
    /// The start scripts in `bin/` that launch the JVM (any one of them identifies it).
    pub scripts: &'static [&'static str],
    pub jdk: Jdk,
    pub log4j2: bool,
    pub toml: bool,
}

/// Any patch level of a kernel line (`4.10.x`): the line may still get releases.
const ANY: u32 = Version::ANY_PATCH;

impl Release {
    /// Its conf directory: `conf` for EI and MI, `repository/conf` for the others
    /// (wso2-config-map.md §0.2).
    pub fn conf(&self) -> &'static str {
        match self.product {
            ProductKind::Ei | ProductKind::Mi => "conf",
            _ => "repository/conf",
        }
    }
}

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version(a, b, c)
}

const fn one(x: Version) -> VersionRange {
    VersionRange {
        min: x,
        max: Some(x),
    }
}

const fn span(a: Version, b: Option<Version>) -> VersionRange {
    VersionRange { min: a, max: b }
}

const WSO2SERVER: &[&str] = &["wso2server.sh"];
const APIM4: &[&str] = &["api-manager.sh"];
/// APIM 4.5+ ships all-in-one, gateway, control-plane (and key manager) and traffic-manager packs.
const APIM45: &[&str] = &[
    "api-manager.sh",
    "gateway.sh",
    "api-cp.sh",
    "key-manager.sh",
    "traffic-manager.sh",
];
const EI: &[&str] = &["integrator.sh"];
const MI: &[&str] = &["micro-integrator.sh"];
const J44: Jdk = Jdk::Legacy;
const J8: Jdk = Jdk::Range(107, Some(1100));
const J17: Jdk = Jdk::Range(1100, Some(1700));
const J21: Jdk = Jdk::Range(1100, Some(2100));
const J25: Jdk = Jdk::Range(2100, Some(2500));
const J21UP: Jdk = Jdk::Range(2100, None);

macro_rules! releases {
    ($($product:ident $ver:expr => $kernel:expr, $scripts:expr, $jdk:expr, $log4j2:expr, $toml:expr;)*) => {
        &[$(Release {
            product: ProductKind::$product,
            versions: $ver,
            kernel: $kernel,
            scripts: $scripts,
            jdk: $jdk,
            log4j2: $log4j2,
            toml: $toml,
        },)*]
    };
}

/// Every release the tool knows, oldest first per product.
pub static RELEASES: &[Release] = releases! {
    Is one(v(5, 1, 0)) => Some(one(v(4, 4, 3))), WSO2SERVER, J44, false, false;
    Is one(v(5, 2, 0)) => Some(one(v(4, 4, 9))), WSO2SERVER, J44, false, false;
    Is one(v(5, 3, 0)) => Some(one(v(4, 4, 11))), WSO2SERVER, J44, false, false;
    Is one(v(5, 4, 0)) => Some(one(v(4, 4, 20))), WSO2SERVER, J44, false, false;
    Is one(v(5, 5, 0)) => Some(one(v(4, 4, 26))), WSO2SERVER, J44, false, false;
    Is one(v(5, 6, 0)) => Some(one(v(4, 4, 32))), WSO2SERVER, J44, false, false;
    Is one(v(5, 7, 0)) => Some(one(v(4, 4, 35))), WSO2SERVER, J44, false, false;
    Is one(v(5, 8, 0)) => Some(one(v(4, 4, 40))), WSO2SERVER, J44, false, false;
    Is one(v(5, 9, 0)) => Some(one(v(4, 5, 1))), WSO2SERVER, J8, true, true;
    Is one(v(5, 10, 0)) => Some(one(v(4, 6, 0))), WSO2SERVER, J8, true, true;
    Is one(v(5, 11, 0)) => Some(one(v(4, 6, 1))), WSO2SERVER, J8, true, true;
    Is one(v(6, 0, 0)) => Some(one(v(4, 7, 1))), WSO2SERVER, J17, true, true;
    Is one(v(6, 1, 0)) => Some(one(v(4, 9, 0))), WSO2SERVER, J17, true, true;
    Is one(v(7, 0, 0)) => Some(one(v(4, 10, 9))), WSO2SERVER, J17, true, true;
    Is one(v(7, 1, 0)) => Some(one(v(4, 10, 42))), WSO2SERVER, J21, true, true;
    Is one(v(7, 2, 0)) => Some(one(v(4, 10, 101))), WSO2SERVER, J21, true, true;
    Is one(v(7, 3, 0)) => Some(one(v(4, 12, 34))), WSO2SERVER, J21UP, true, true;
    Apim one(v(2, 0, 0)) => Some(one(v(4, 4, 7))), WSO2SERVER, J44, false, false;
    Apim one(v(2, 1, 0)) => Some(one(v(4, 4, 11))), WSO2SERVER, J44, false, false;
    Apim one(v(2, 2, 0)) => Some(one(v(4, 4, 26))), WSO2SERVER, J44, false, false;
    Apim one(v(2, 5, 0)) => Some(one(v(4, 4, 32))), WSO2SERVER, J44, false, false;
    Apim one(v(2, 6, 0)) => Some(one(v(4, 4, 35))), WSO2SERVER, J44, false, false;
    Apim one(v(3, 0, 0)) => Some(one(v(4, 5, 1))), WSO2SERVER, J8, true, true;
    Apim one(v(3, 1, 0)) => Some(one(v(4, 6, 0))), WSO2SERVER, J8, true, true;
    Apim one(v(3, 2, 0)) => Some(one(v(4, 6, 0))), WSO2SERVER, J8, true, true;
    Apim one(v(4, 0, 0)) => Some(one(v(4, 6, 2))), APIM4, J8, true, true;
    Apim one(v(4, 1, 0)) => Some(one(v(4, 6, 3))), APIM4, J8, true, true;
    Apim one(v(4, 2, 0)) => Some(one(v(4, 8, 1))), APIM4, J17, true, true;
    Apim one(v(4, 3, 0)) => Some(one(v(4, 9, 26))), APIM4, J21, true, true;
    Apim one(v(4, 4, 0)) => Some(one(v(4, 9, 27))), APIM4, J21, true, true;
    Apim one(v(4, 5, 0)) => Some(one(v(4, 9, 28))), APIM45, J21, true, true;
    Apim one(v(4, 6, 0)) => Some(one(v(4, 9, 33))), APIM45, J21, true, true;
    Apim one(v(4, 7, 0)) => Some(one(v(4, 11, 18))), APIM45, J25, true, true;
    Ei one(v(6, 0, 0)) => Some(one(v(4, 4, 14))), EI, J44, false, false;
    Ei one(v(6, 1, 0)) => Some(one(v(4, 4, 16))), EI, J44, false, false;
    Ei one(v(6, 2, 0)) => Some(one(v(4, 4, 26))), EI, J44, false, false;
    Ei one(v(6, 3, 0)) => Some(one(v(4, 4, 32))), EI, J44, false, false;
    Ei one(v(6, 4, 0)) => Some(one(v(4, 4, 36))), EI, J44, false, false;
    Ei one(v(6, 5, 0)) => Some(one(v(4, 4, 40))), EI, J44, false, false;
    Ei one(v(6, 6, 0)) => Some(one(v(4, 5, 3))), EI, J8, true, false;
    Esb one(v(4, 9, 0)) => Some(one(v(4, 4, 1))), WSO2SERVER, J44, false, false;
    Esb one(v(5, 0, 0)) => Some(one(v(4, 4, 8))), WSO2SERVER, J44, false, false;
    Mi one(v(1, 0, 0)) => None, MI, J44, false, false;
    Mi span(v(1, 1, 0), Some(v(4, 1, 0))) => None, MI, J8, true, true;
    Mi span(v(4, 2, 0), Some(v(4, 3, 0))) => None, MI, J17, true, true;
    // The kernel's own distribution, by the spans of tags that share a start script.
    Kernel span(v(4, 4, 0), Some(v(4, 4, ANY))) => Some(span(v(4, 4, 0), Some(v(4, 4, ANY)))), WSO2SERVER, J44, false, false;
    Kernel span(v(4, 5, 0), Some(v(4, 6, ANY))) => Some(span(v(4, 5, 0), Some(v(4, 6, ANY)))), WSO2SERVER, J8, true, true;
    Kernel span(v(4, 7, 0), Some(v(4, 10, 24))) => Some(span(v(4, 7, 0), Some(v(4, 10, 24)))), WSO2SERVER, J17, true, true;
    Kernel span(v(4, 10, 25), Some(v(4, 10, ANY))) => Some(span(v(4, 10, 25), Some(v(4, 10, ANY)))), WSO2SERVER, J21, true, true;
    Kernel span(v(4, 11, 0), Some(v(4, 11, 14))) => Some(span(v(4, 11, 0), Some(v(4, 11, 14)))), WSO2SERVER, J17, true, true;
    Kernel span(v(4, 11, 15), Some(v(4, 11, ANY))) => Some(span(v(4, 11, 15), Some(v(4, 11, ANY)))), WSO2SERVER, J25, true, true;
    Kernel span(v(4, 12, 0), Some(v(4, 12, 2))) => Some(span(v(4, 12, 0), Some(v(4, 12, 2)))), WSO2SERVER, J21, true, true;
    Kernel span(v(4, 12, 3), None) => Some(span(v(4, 12, 3), None)), WSO2SERVER, J21UP, true, true;
};

/// The kernel a released product version runs on (by major.minor: update levels of a
/// product keep their kernel line). `None` for MI, the kernel itself and unknown releases.
pub fn kernel_of(product: ProductKind, version: Version) -> Option<Version> {
    RELEASES
        .iter()
        .filter(|r| r.product == product && r.product != ProductKind::Kernel)
        .find(|r| (r.versions.min.0, r.versions.min.1) == (version.0, version.1))
        .and_then(|r| r.kernel)
        .and_then(|k| k.single())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_versions_map_to_their_kernel() {
        use ProductKind::*;
        assert_eq!(kernel_of(Is, v(5, 8, 0)), Some(v(4, 4, 40)));
        assert_eq!(kernel_of(Is, v(7, 0, 0)), Some(v(4, 10, 9)));
        assert_eq!(kernel_of(Apim, v(2, 6, 0)), Some(v(4, 4, 35)));
        assert_eq!(kernel_of(Apim, v(4, 5, 2)), Some(v(4, 9, 28)));
        assert_eq!(kernel_of(Ei, v(6, 6, 0)), Some(v(4, 5, 3)));
        assert_eq!(kernel_of(Esb, v(4, 9, 0)), Some(v(4, 4, 1)));
        assert_eq!(kernel_of(Mi, v(4, 2, 0)), None);
        assert_eq!(kernel_of(Kernel, v(4, 4, 40)), None);
        assert_eq!(kernel_of(Is, v(4, 0, 0)), None);
    }

    #[test]
    fn the_table_is_consistent() {
        for r in RELEASES {
            assert!(r.versions.max.is_none_or(|m| m >= r.versions.min), "{r:?}");
            assert!(!r.scripts.is_empty());
            // Every kernel 4.4 release is log4j 1, XML and checks for JDK 7/8; 4.5+ is not.
            if let Some(k) = r.kernel {
                let k44 = k.max.is_some_and(|m| m < v(4, 5, 0));
                assert_eq!(k44, !r.log4j2, "{r:?}");
                assert_eq!(k44, r.jdk == Jdk::Legacy, "{r:?}");
            }
        }
    }
}
