//! TLS listeners in generated files (work in progress).
