//! The encoding layer: files are decoded so that re-encoding gives back the same bytes.
//! UTF-8 (with or without BOM) is decoded as such; a file that declares a single-byte
//! encoding, or that is not valid UTF-8, is decoded 1:1 (byte b → U+00bb), which is exact for
//! ISO-8859-1 and keeps every byte of any other single-byte encoding.

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// One byte per char; new non-ASCII content must be written as references (XML) or refused.
    SingleByte,
}

/// A decoded file: its text without BOM, and what is needed to write it back the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub bom: bool,
    pub encoding: Encoding,
}

/// A char that the file's encoding cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ch:?} cannot be written in this single-byte file")]
pub struct EncodeError {
    pub ch: char,
}

/// `String::from_utf8_lossy`, checked strictly first: valid UTF-8 (nearly every input) is
/// validated by the standard library's fast path instead of chunk by chunk.
pub fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

impl Decoded {
    pub fn decode(bytes: &[u8]) -> Decoded {
        let (bom, body) = match bytes.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, bytes),
        };
        if !bom && declares_single_byte(body) {
            return Decoded::single_byte(body, bom);
        }
        match std::str::from_utf8(body) {
            Ok(text) => Decoded {
                text: text.to_string(),
                bom,
                encoding: Encoding::Utf8,
            },
            Err(_) => Decoded::single_byte(body, bom),
        }
    }

    fn single_byte(body: &[u8], bom: bool) -> Decoded {
        // Pure ASCII (most declared-Latin-1 WSO2 files) decodes the same either way.
        let text = match std::str::from_utf8(body) {
            Ok(t) if body.is_ascii() => t.to_string(),
            _ => body.iter().map(|&b| char::from(b)).collect(),
        };
        Decoded {
            text,
            bom,
            encoding: Encoding::SingleByte,
        }
    }

    /// Encodes `text` (this file's decoded text after editing) back to bytes.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        match self.encoding {
            Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
            Encoding::SingleByte => {
                for ch in text.chars() {
                    out.push(u8::try_from(u32::from(ch)).map_err(|_| EncodeError { ch })?);
                }
            }
        }
        Ok(out)
    }

    pub fn single_byte_encoding(&self) -> bool {
        self.encoding == Encoding::SingleByte
    }
}

/// Does an XML declaration at the start name a single-byte encoding (ISO-8859-x, windows-125x)?
fn declares_single_byte(body: &[u8]) -> bool {
    let head = &body[..body.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return false;
    }
    let Some(end) = head.windows(2).position(|w| w == b"?>") else {
        return false;
    };
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    let Some(i) = decl.find("encoding") else {
        return false;
    };
    let value = decl[i + 8..]
        .trim_start_matches([' ', '=', '"', '\''])
        .split(['"', '\''])
        .next()
        .unwrap_or("");
    [
        "iso-8859",
        "iso8859",
        "latin",
        "windows-125",
        "cp125",
        "us-ascii",
        "ascii",
    ]
    .iter()
    .any(|p| value.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_is_from_utf8_lossy() {
        for bytes in [
            &b""[..],
            b"plain",
            "é€😀".as_bytes(),
            b"a\xFFb\xC3",
            b"\xE2\x82",
        ] {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn utf8_with_bom_round_trips() {
        let bytes = b"\xEF\xBB\xBF<a>\xC3\xA9</a>\r\n";
        let d = Decoded::decode(bytes);
        assert!(d.bom);
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.text, "<a>é</a>\r\n");
        assert_eq!(d.encode(&d.text).unwrap(), bytes);
    }

    #[test]
    fn declared_latin1_is_one_to_one() {
        let bytes = b"<?xml version='1.0' encoding=\"ISO-8859-1\"?><a>\xE9\xC3\xA9</a>";
        let d = Decoded::decode(bytes);
        assert_eq!(d.encoding, Encoding::SingleByte);
        assert_eq!(d.text.chars().filter(|c| !c.is_ascii()).count(), 3);
        assert_eq!(d.encode(&d.text).unwrap(), bytes);
        assert_eq!(d.encode("\u{20AC}"), Err(EncodeError { ch: '\u{20AC}' }));
    }

    #[test]
    fn invalid_utf8_falls_back_to_bytes() {
        let bytes = b"<!-- caf\xE9 --><a/>";
        let d = Decoded::decode(bytes);
        assert_eq!(d.encoding, Encoding::SingleByte);
        assert_eq!(d.encode(&d.text).unwrap(), bytes);
    }
}
