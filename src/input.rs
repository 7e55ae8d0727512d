//! Reading a config file before it is planned: refused when larger than the size limit (an
//! XML file is parsed and verified in memory several times over, so a huge one would take
//! gigabytes), or when it is in an encoding the editors do not write back (UTF-16/32).

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The default limit: 16 MiB, hundreds of times the largest file WSO2 ships.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Sets the limit for this process (`--max-file-size`, `WSO2_HARDEN_MAX_FILE_SIZE`).
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, Ordering::Relaxed);
}

pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(Ordering::Relaxed)
}

/// `16MiB`, `64M`, `500k`, `1G`, `1048576` (binary units; a trailing `B`/`iB` is optional).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 16MiB, 64M or 1048576"))?;
    let unit = t[digits..].trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches("ib").trim_end_matches('b');
    let mul: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return Err(format!("{s:?}: unknown unit (use k, M or G)")),
    };
    n.checked_mul(mul)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{size} bytes, over the {limit}-byte size limit for a config file; refusing to load it (raise it with --max-file-size or WSO2_HARDEN_MAX_FILE_SIZE if the file is genuine)")]
    TooLarge { size: u64, limit: u64 },
    #[error("{0}-encoded; only UTF-8 and single-byte encodings (ISO-8859-1, …) are edited: convert it (iconv -f {0} -t UTF-8) or edit it by hand")]
    Encoding(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads `path` within the size limit and checks its encoding.
pub fn read_config(path: &Path) -> Result<Vec<u8>, InputError> {
    let limit = max_file_size();
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(InputError::TooLarge { size, limit });
    }
    // A file growing while read is cut at the limit plus one byte, and refused.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    check_encoding(&bytes)?;
    Ok(bytes)
}

/// Refuses UTF-16 and UTF-32 (by byte-order mark, or by the NULs ASCII text has in them).
pub fn check_encoding(bytes: &[u8]) -> Result<(), InputError> {
    let enc = match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32LE"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [c, 0, 0, 0, ..] if c.is_ascii() && *c != 0 => Some("UTF-32LE"),
        [0, 0, 0, c, ..] if c.is_ascii() && *c != 0 => Some("UTF-32BE"),
        [c, 0, d, 0, ..] if c.is_ascii() && d.is_ascii() && *c != 0 => Some("UTF-16LE"),
        [0, c, 0, d, ..] if c.is_ascii() && d.is_ascii() && *c != 0 => Some("UTF-16BE"),
        _ => None,
    };
    match enc {
        Some(e) => Err(InputError::Encoding(e)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("500k"), Ok(500 << 10));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size(" 2 GB "), Ok(2 << 30));
        assert!(parse_size("16 furlongs").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn utf16_and_utf32_are_named() {
        let le: Vec<u8> = "<a/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "<a/>".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let err = |b: &[u8]| check_encoding(b).unwrap_err().to_string();
        assert!(err(&le).starts_with("UTF-16LE-encoded"));
        assert!(err(&be).starts_with("UTF-16BE-encoded"));
        assert!(err(&[[0xFF, 0xFE].as_slice(), &le].concat()).starts_with("UTF-16LE"));
        assert!(err(&[0x3C, 0, 0, 0, 0x61, 0, 0, 0]).starts_with("UTF-32LE"));
        assert!(check_encoding(b"\xEF\xBB\xBF<a/>").is_ok());
        assert!(check_encoding(b"caf\xE9").is_ok());
        assert!(check_encoding(b"").is_ok());
    }
}
