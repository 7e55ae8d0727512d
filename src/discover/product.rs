//! What a product home is: its product family and its configuration model (plain data,
//! shared with the build script that checks the patch catalog).

use serde::Serialize;

/// The product family, which decides file locations and TOML key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductKind {
    Is,
    Apim,
    Ei,
    Esb,
    Mi,
    Kernel,
    Unknown,
}

impl ProductKind {
    pub fn label(self) -> &'static str {
        match self {
            ProductKind::Is => "Identity Server",
            ProductKind::Apim => "API Manager",
            ProductKind::Ei => "Enterprise Integrator",
            ProductKind::Esb => "ESB",
            ProductKind::Mi => "Micro Integrator",
            ProductKind::Kernel => "Carbon kernel",
            ProductKind::Unknown => "unknown product",
        }
    }
}

/// Where the configuration's source of truth is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Carbon 4.4 generation: the XML files are edited directly.
    Xml,
    /// deployment.toml generation (IS 5.9+, APIM 3+, MI): XML is regenerated at start-up.
    Toml,
}

impl Model {
    /// The generation of the home at `root` whose configuration is in `conf`: deployment.toml
    /// there makes it the TOML one.
    pub fn of(root: &std::path::Path, conf: &str) -> Model {
        if root.join(conf).join("deployment.toml").is_file() {
            Model::Toml
        } else {
            Model::Xml
        }
    }
}
