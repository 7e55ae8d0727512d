//! wso2-harden: production-hardens WSO2 Carbon servers with byte-minimal config edits.

pub mod formats;
