//! The mapper on one APIM 4.5 home (product + kernel model from ../shared/product-models, the
//! shipped deployment.toml): loading the model (cached by content), mapping, rendering every
//! template, and the fleet hot path (the templates that read TLS settings, traced, and their
//! listeners). `cargo bench --bench render`.

use std::fs;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use wso2_harden::mapper::effective::listeners;
use wso2_harden::mapper::render::{render, Select};
use wso2_harden::mapper::{map, MapOptions, ModelDir};

#[path = "../tests/common/models.rs"]
mod models;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/<rel>` (tests/common/models.rs asks for it), or a loud skip.
fn shared_dir(rel: &str, what: &str) -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared").join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!("!!!!!!!! ../shared/{rel} is missing: {what} did NOT run !!!!!!!!");
    None
}

/// The keys whose templates hold a TLS listener or a setting the TLS patches govern.
const HOT: [&str; 5] = [
    "transport.https",
    "transport.passthru_https",
    "broker.transport.amqp",
    "apim.wss",
    "apim.webhooks",
];

fn bench(c: &mut Criterion) {
    let Some(models_dir) = models::product_models() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let conf = models::install(&models_dir, "apim-4.5.0", Some("kernel-4.9.28"), tmp.path());
    let toml =
        manifest_dir().join("../shared/fixtures-real/apim-4.5.0/repository/conf/deployment.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let model = ModelDir::load(&conf).unwrap();
    let opts = MapOptions::default();
    let toml_path: &Path = &toml;

    c.bench_function("apim-4.5 load model (cached)", |b| {
        b.iter(|| ModelDir::load(&conf).unwrap())
    });
    c.bench_function("apim-4.5 map deployment.toml", |b| {
        b.iter(|| map(&model, toml_path, &text, &opts).unwrap())
    });
    let mapped = map(&model, toml_path, &text, &opts).unwrap();
    c.bench_function("apim-4.5 render all templates", |b| {
        b.iter(|| render(&model, &mapped, Select::All, false))
    });
    c.bench_function(
        "apim-4.5 hot path: map + TLS templates traced + listeners",
        |b| {
            b.iter(|| {
                let mapped = map(&model, toml_path, &text, &opts).unwrap();
                let out = render(&model, &mapped, Select::Reading(&HOT), true);
                listeners(&mapped, &out)
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
