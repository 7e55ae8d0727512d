//! A backup set as one file, `backups/<run-id>.tar`: the manifest first (`manifest.json`),
//! then each original as `files/<path in the home>` with its mode, owner and the time of the
//! run. One file per run: a set costs one new inode and one fsync however many files it
//! keeps (the directory tree of copies it replaced cost a directory per path component, a
//! file per copy and an fsync for each), and `tar -tvf` / `tar -xf` read it without the tool.
//! Sets are read whole (config files are small; the size limit bounds each) and entries are
//! matched by name only: nothing is ever extracted by an archive's own paths.

use std::io::{self, Read};

use super::{Manifest, Original, FILES, MANIFEST};

/// The file name of run `id`'s set.
pub fn file_name(id: &str) -> String {
    format!("{id}{EXT}")
}

pub const EXT: &str = ".tar";

/// The archive bytes of a set.
pub fn build(manifest: &Manifest, originals: &[Original]) -> io::Result<Vec<u8>> {
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let size = json.len()
        + originals
            .iter()
            .map(|o| o.bytes.len() + 1024)
            .sum::<usize>();
    let mut tar = tar::Builder::new(Vec::with_capacity(size + 4096));
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mtime(mtime);
    header.set_mode(0o600);
    header.set_uid(0);
    header.set_gid(0);
    header.set_size(json.len() as u64);
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    for o in originals {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mtime(mtime);
        header.set_mode(o.meta.mode & 0o7777);
        header.set_uid(u64::from(o.meta.uid));
        header.set_gid(u64::from(o.meta.gid));
        header.set_size(o.bytes.len() as u64);
        tar.append_data(&mut header, format!("{FILES}/{}", o.rel), o.bytes)?;
    }
    tar.into_inner()
}

/// What a set's archive holds: its manifest (or why there is none) and the home-relative
/// paths of its copies, sorted. A damaged archive yields what precedes the damage.
pub fn index(bytes: &[u8]) -> (Result<Manifest, String>, Vec<String>) {
    let mut manifest = Err(format!("{MANIFEST} is missing"));
    let mut files = Vec::new();
    let _ = each(bytes, |name, entry| {
        if name == MANIFEST {
            let mut json = Vec::new();
            manifest = match entry.read_to_end(&mut json) {
                Ok(_) => serde_json::from_slice::<Manifest>(&json)
                    .map_err(|e| format!("{MANIFEST} is unreadable ({e})")),
                Err(e) => Err(format!("{MANIFEST}: {e}")),
            };
        } else if let Some(rel) = copy_path(name) {
            files.push(rel.to_string());
        }
        Ok(true)
    });
    files.sort();
    files.dedup();
    (manifest, files)
}

/// The bytes kept for `rel` (a path relative to the home).
pub fn copy(bytes: &[u8], rel: &str) -> io::Result<Vec<u8>> {
    let mut found = None;
    each(bytes, |name, entry| {
        if copy_path(name) == Some(rel) {
            let mut out = Vec::new();
            entry.read_to_end(&mut out)?;
            found = Some(out);
            return Ok(false);
        }
        Ok(true)
    })?;
    found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not in the backup set"))
}

/// The set with its manifest replaced (a rollback marks the run): every copy kept as it was,
/// headers included.
pub fn with_manifest(bytes: &[u8], manifest: &Manifest) -> io::Result<Vec<u8>> {
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    let mut tar = tar::Builder::new(Vec::with_capacity(bytes.len() + json.len()));
    let mut wrote_manifest = false;
    each(bytes, |name, entry| {
        let mut header = entry.header().clone();
        if name == MANIFEST {
            header.set_size(json.len() as u64);
            tar.append_data(&mut header, MANIFEST, json.as_slice())?;
            wrote_manifest = true;
        } else {
            let mut data = Vec::new();
            entry.read_to_end(&mut data)?;
            tar.append_data(&mut header, name, data.as_slice())?;
        }
        Ok(true)
    })?;
    if !wrote_manifest {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o600);
        header.set_uid(0);
        header.set_gid(0);
        header.set_size(json.len() as u64);
        tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    }
    tar.into_inner()
}

/// Calls `f` with the name and reader of each regular-file entry until it returns false.
fn each(
    bytes: &[u8],
    mut f: impl FnMut(&str, &mut tar::Entry<&[u8]>) -> io::Result<bool>,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        if !f(&name, &mut entry)? {
            break;
        }
    }
    Ok(())
}

/// `files/<rel>` → `rel`, when `rel` is a plain relative path (no `.`, `..` or empty part).
fn copy_path(name: &str) -> Option<&str> {
    let rel = name.strip_prefix(FILES)?.strip_prefix('/')?;
    super::plain_rel(rel).then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::safe_fs::Entry;

    fn manifest() -> Manifest {
        Manifest {
            run_id: "20261130T000000Z".into(),
            time: "2026-11-30T00:00:00Z".into(),
            tool_version: "0".into(),
            files: Vec::new(),
            rolled_back: None,
        }
    }

    fn meta(mode: u32) -> Entry {
        Entry {
            is_dir: false,
            is_file: true,
            is_symlink: false,
            mode,
            uid: 1234,
            gid: 2345,
            nlink: 1,
            size: 0,
        }
    }

    #[test]
    fn a_set_reads_back_byte_for_byte_with_long_paths_and_its_modes() {
        let long = format!("repository/{}catalina-server.xml", "deep/".repeat(40));
        let originals = [
            Original {
                rel: "repository/conf/carbon.xml",
                bytes: b"\xef\xbb\xbf<a/>\r\n",
                meta: meta(0o640),
            },
            Original {
                rel: &long,
                bytes: b"",
                meta: meta(0o400),
            },
        ];
        let bytes = build(&manifest(), &originals).unwrap();
        let (m, files) = index(&bytes);
        assert_eq!(m.unwrap(), manifest());
        assert_eq!(
            files,
            vec!["repository/conf/carbon.xml".to_string(), long.clone()]
        );
        assert_eq!(
            copy(&bytes, "repository/conf/carbon.xml").unwrap(),
            b"\xef\xbb\xbf<a/>\r\n"
        );
        assert_eq!(copy(&bytes, &long).unwrap(), b"");
        assert!(copy(&bytes, "repository/conf/other.xml").is_err());
        let mut archive = tar::Archive::new(bytes.as_slice());
        let modes: Vec<(u32, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let h = e.unwrap().header().clone();
                (h.mode().unwrap(), h.uid().unwrap())
            })
            .collect();
        assert_eq!(modes, vec![(0o600, 0), (0o640, 1234), (0o400, 1234)]);
    }

    #[test]
    fn marking_a_run_keeps_every_copy_and_a_damaged_set_yields_what_precedes_the_damage() {
        let originals = [Original {
            rel: "bin/api-manager.sh",
            bytes: b"#!/bin/sh\n",
            meta: meta(0o755),
        }];
        let bytes = build(&manifest(), &originals).unwrap();
        let mut marked = manifest();
        marked.rolled_back = Some("2026-11-30T01:00:00Z".into());
        let again = with_manifest(&bytes, &marked).unwrap();
        assert_eq!(index(&again).0.unwrap(), marked);
        assert_eq!(copy(&again, "bin/api-manager.sh").unwrap(), b"#!/bin/sh\n");
        let cut = &bytes[..bytes.len() / 2];
        let (m, _) = index(cut);
        assert!(m.is_ok(), "the manifest comes first");
        assert!(index(b"not a tar at all").0.is_err());
    }

    #[test]
    fn entries_outside_files_or_with_dot_dot_are_not_copies() {
        for bad in [
            "files/../etc/passwd",
            "files//x",
            "files/./x",
            "other/x",
            "files/",
        ] {
            assert_eq!(copy_path(bad), None, "{bad}");
        }
        assert_eq!(copy_path("files/bin/x.sh"), Some("bin/x.sh"));
    }
}
