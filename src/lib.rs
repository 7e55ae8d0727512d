//! wso2-harden: production-hardens WSO2 Carbon servers with byte-minimal config edits.

pub mod apply;
pub mod catalog;
pub mod cli;
pub mod discover;
pub mod formats;
pub mod guard;
pub mod input;
pub mod mapper;
pub mod plan;
pub mod policy;
pub mod render;
