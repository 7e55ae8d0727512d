//! Format-preserving editors. Each keeps every byte outside its edit; `text` handles the
//! encoding layer (BOM, UTF-8 or single-byte) shared by all of them.

pub mod error;
pub mod properties;
pub mod script;
#[doc(hidden)]
pub mod selfcheck;
pub mod text;
pub mod toml;
pub mod xml;

pub use error::ParseError;

mod compare;
pub mod tls;

pub use compare::{cipher_suites, cipher_weakness, protocol_tokens, protocol_weakness, Compare};
pub use tls::{Fixed, Sibling, TlsRuntime};
