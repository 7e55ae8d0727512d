//! Embeds every `patches/<id>/patch.toml` into the binary, in id order.

use std::{env, fs, path::Path};

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
    let mut out = String::from("pub static PATCH_SOURCES: &[(&str, &str)] = &[\n");
    for id in &ids {
        let file = root.join(id).join("patch.toml");
        println!("cargo:rerun-if-changed={}", file.display());
        out.push_str(&format!(
            "    ({id:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("patches.rs");
    fs::write(dest, out).expect("write patches.rs");
}
