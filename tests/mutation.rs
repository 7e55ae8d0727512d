//! A bounded mutation fuzzer for stable CI, over the real WSO2 files in
//! ../shared/fixtures-real (copied to a temp dir, never into the repository). Each iteration
//! mutates one planned file of a real home (bit flips, truncation, splices from another real
//! file, insertions of syntax-laden tokens, line duplication) and checks:
//! - no panic, in the editors (src/formats/selfcheck.rs) or the whole planner;
//! - every file the fix changes re-parses;
//! - once written, a second plan of the home is empty;
//! - a file whose line endings were all CRLF keeps them.
//!
//! Seeded and deterministic: `WSO2_HARDEN_MUTATIONS` (default 200) iterations from
//! `WSO2_HARDEN_MUTATION_SEED` (default 1). Long runs, optimised with overflow checks on:
//! `WSO2_HARDEN_MUTATIONS=200000 cargo test --profile mutation --test mutation`. A failure
//! prints the seed and iteration that reproduce it.

mod common;

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use common::{copy_dir, real_corpus};
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::{discover, ProductHome};
use wso2_harden::formats::script::{self, ScriptKind};
use wso2_harden::formats::selfcheck;
use wso2_harden::formats::toml::TomlFile;
use wso2_harden::formats::{properties, xml};
use wso2_harden::plan::{plan_home, Settings, TakeAll};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"\"",
    b"'",
    b"=",
    b"&",
    b"&amp;",
    b"&#x10FFFF;",
    b"&#0;",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version='1.0'?>",
    b"<!DOCTYPE x [<!ENTITY e 'v'>]>",
    b"\r\n",
    b"\n",
    b"\r",
    b"\t",
    b"\\",
    b"\\\n",
    b"\\\r\n",
    b"\"\"\"",
    b"'''",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b"${",
    b"$(",
    b"`",
    b"#",
    b";",
    b"%",
    b"^",
    b"!",
    b"=\"\"",
    b"\xC3\xA9",
    b"\xE2\x82\xAC",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\x00",
    b"\xC3",
    b"\xF0\x9F\x98",
    b"org.wso2.carbon.bootstrap.Bootstrap",
    b"$JAVACMD \\\n",
    b"-Dx=\"y",
    b"set CMD_LINE_ARGS=",
    b"<Connector port=\"1\" SSLEnabled=\"true\">",
    b"</Connector>",
    b"<HostName>",
    b"[server]",
    b"hostname = ",
    b"a.b.c = 1\n",
    b"log4j.appender.X=",
    b"<a><a><a><a><a><a><a><a>",
];

/// One random mutation of `bytes`, described for the failure message.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, donors: &[Vec<u8>]) -> String {
    let len = bytes.len();
    match rng.below(6) {
        0 if len > 0 => {
            let (i, bit) = (rng.below(len), rng.below(8));
            bytes[i] ^= 1 << bit;
            format!("flip bit {bit} at {i}")
        }
        1 => {
            let at = rng.below(len + 1);
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        2 if !donors.is_empty() => {
            let donor = &donors[rng.below(donors.len())];
            let (from, n) = (rng.below(donor.len() + 1), rng.below(400));
            let piece = &donor[from..(from + n).min(donor.len())];
            let at = rng.below(len + 1);
            let cut = (at + rng.below(200)).min(len);
            bytes.splice(at..cut, piece.iter().copied());
            format!("splice {} donor bytes over {at}..{cut}", piece.len())
        }
        3 => {
            let token = TOKENS[rng.below(TOKENS.len())];
            let at = rng.below(len + 1);
            bytes.splice(at..at, token.iter().copied());
            format!("insert {:?} at {at}", String::from_utf8_lossy(token))
        }
        4 if len > 0 => {
            let at = rng.below(len);
            let start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| at + i + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
            format!("duplicate the line at {start}")
        }
        _ if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(64)).min(len);
            bytes.drain(at..end);
            format!("delete {at}..{end}")
        }
        _ => "none".to_string(),
    }
}

/// The file still parses with its own editor.
fn reparses(path: &Path, text: &str) -> Result<(), String> {
    let ok = match path.extension().and_then(|e| e.to_str()) {
        Some("xml") => xml::parse(text).map(|_| ()).map_err(|e| e.to_string()),
        Some("toml") => TomlFile::parse(text).map(|_| ()).map_err(|e| e.to_string()),
        Some("properties") => {
            properties::parse_doc(text);
            Ok(())
        }
        _ => match ScriptKind::from_path(path) {
            Some(kind) => script::flags(text, kind)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Ok(()),
        },
    };
    ok.map_err(|e| format!("{}: the fixed file does not parse: {e}", path.display()))
}

fn selfcheck(path: &Path, bytes: &[u8]) {
    match path.extension().and_then(|e| e.to_str()) {
        Some("xml") => selfcheck::xml(bytes),
        Some("toml") => selfcheck::toml(bytes),
        Some("properties") => selfcheck::properties(bytes),
        _ => {
            if let Some(kind) = ScriptKind::from_path(path) {
                selfcheck::script(bytes, kind);
            }
        }
    }
}

/// One iteration's checks on the home holding the mutated file.
fn check_home(home: &ProductHome, settings: &Settings, values: &Values) -> Result<(), String> {
    let node = plan_home(home.clone(), settings, values, &mut TakeAll);
    if node.error.is_some() {
        return Ok(()); // refused, located: fine (nothing is written)
    }
    let mut written = Vec::new();
    for f in node.changed_files() {
        let final_text = f.final_text();
        reparses(&f.path, final_text)?;
        if !selfcheck::crlf_kept(&f.decoded.text, final_text) {
            return Err(format!("{}: CRLF line endings lost", f.path.display()));
        }
        let bytes = f
            .final_bytes()
            .map_err(|e| format!("{}: {e}", f.path.display()))?;
        fs::write(&f.path, &bytes).map_err(|e| e.to_string())?;
        written.push(f.path.clone());
    }
    if written.is_empty() {
        return Ok(());
    }
    let again = plan_home(home.clone(), settings, values, &mut TakeAll);
    if let Some(e) = again.error {
        return Err(format!("the fixed home does not plan again: {e}"));
    }
    let left: Vec<String> = again.changed_files().map(|f| f.display.clone()).collect();
    if !left.is_empty() {
        return Err(format!("a second plan still changes {}", left.join(", ")));
    }
    Ok(())
}

#[test]
fn mutations_of_the_real_corpus_never_panic_and_fix_cleanly() {
    let Some(root) = real_corpus() else { return };
    let iterations: usize = std::env::var("WSO2_HARDEN_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("WSO2_HARDEN_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root, tmp.path());
    let catalog = Catalog::builtin();
    let settings = Settings {
        catalog,
        patches: catalog.select(&[], &[]).unwrap(),
        unsafe_fixes: true,
        cwd: tmp.path().to_path_buf(),
        waivers: &wso2_harden::policy::waiver::NONE,
        effective: Default::default(),
    };
    let values = Values {
        given: [
            ("hostname", "node.example.com"),
            ("jvm_xmx", "2048m"),
            ("jvm_xms", "512m"),
            ("wsdl_epr_prefix", "https://node.example.com"),
            ("wsdl_epr_prefix_http", "http://node.example.com"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    // The files a plan of each home reads, with their original bytes.
    let homes = discover(&[tmp.path().to_path_buf()]).unwrap();
    let mut targets: Vec<(usize, PathBuf, Vec<u8>)> = Vec::new();
    for (i, home) in homes.iter().enumerate() {
        let node = plan_home(home.clone(), &settings, &values, &mut TakeAll);
        for f in &node.files {
            targets.push((i, f.path.clone(), f.original.clone()));
        }
    }
    assert!(targets.len() > 100, "{} planned files", targets.len());
    let donors: Vec<Vec<u8>> = targets.iter().map(|t| t.2.clone()).collect();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut failures = Vec::new();
    let started = std::time::Instant::now();
    for iteration in 0..iterations {
        let (h, path, original) = &targets[rng.below(targets.len())];
        let mut bytes = original.clone();
        let what: Vec<String> = (0..1 + rng.below(3))
            .map(|_| mutate(&mut rng, &mut bytes, &donors))
            .collect();
        fs::write(path, &bytes).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            selfcheck(path, &bytes);
            check_home(&homes[*h], &settings, &values)
        }));
        let failed = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .map(String::as_str)
                    .or(p.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            )),
        };
        if let Some(e) = failed {
            let f = format!(
                "seed {seed}, iteration {iteration}: {} after [{}]: {e}",
                path.strip_prefix(tmp.path()).unwrap().display(),
                what.join("; ")
            );
            eprintln!("mutation failure: {f}");
            failures.push(f);
        }
        if (iteration + 1) % 10_000 == 0 {
            eprintln!(
                "mutation: {} iteration(s) in {:.0?}, {} failure(s)",
                iteration + 1,
                started.elapsed(),
                failures.len()
            );
        }
        // Back to the original bytes for every file the iteration may have written.
        for (i, p, orig) in &targets {
            if i == h && fs::read(p).ok().as_ref() != Some(orig) {
                fs::write(p, orig).unwrap();
            }
        }
    }
    eprintln!(
        "mutation: {iterations} iteration(s) from seed {seed} in {:.1?}, {} failure(s)",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {iterations} mutations failed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
