//! Embeds every `patches/<id>/patch.toml` into the binary, in id order, after loading the
//! whole catalog with the crate's own parser (`src/catalog/parse.rs`): a patch with a missing,
//! misspelled or foreign field, an undeclared value or a value without a kind fails the build
//! with `patches/<id>/patch.toml:line:col: message`.

// The included modules are the library's; the build script uses only their parser.
#![allow(dead_code)]

use std::{env, fs, path::Path, process};

/// The plain-data modules the catalog parser needs, at the paths the library gives them.
mod src {
    pub mod catalog {
        pub mod expand;
        pub mod fields;
        pub mod model;
        pub mod parse;
        pub mod target;
        pub mod values;
    }
    pub mod discover {
        mod product;
        mod version;
        pub use product::{Model, ProductKind};
        pub use version::{Version, VersionRange};
    }
    pub mod formats {
        mod compare;
        pub mod error;
        pub mod xml {
            pub mod path;
        }
        pub use compare::{
            cipher_suites, cipher_weakness, protocol_tokens, protocol_weakness, Compare,
        };
    }
}
use src::{catalog, discover, formats};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut ids: Vec<String> = fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("patch.toml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let mut sources = Vec::new();
    for id in &ids {
        let file = root.join(id).join("patch.toml");
        println!("cargo:rerun-if-changed={}", file.display());
        match fs::read_to_string(&file) {
            Ok(text) => sources.push((id.as_str(), text)),
            Err(e) => fail(&format!("patches/{id}/patch.toml: {e}")),
        }
    }
    let refs: Vec<(&str, &str)> = sources.iter().map(|(id, t)| (*id, t.as_str())).collect();
    if let Err(e) = catalog::parse::load(&refs) {
        fail(&e.to_string());
    }
    let mut out = String::from("pub static PATCH_SOURCES: &[(&str, &str)] = &[\n");
    for id in &ids {
        let file = root.join(id).join("patch.toml");
        out.push_str(&format!(
            "    ({id:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("patches.rs");
    fs::write(dest, out).expect("write patches.rs");
}

fn fail(message: &str) -> ! {
    eprintln!("error: the patch catalog does not load\n{message}");
    process::exit(1);
}
