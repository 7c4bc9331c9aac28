//! One module per subcommand: flags in, one engine or `Queue` call, the result to `Output`, an
//! exit code out.

pub mod bench;
pub mod clear;
pub mod completions;
pub mod config;
pub mod consume;
pub mod dead;
pub mod demo;
pub mod len;
pub mod peek;
pub mod produce;
pub mod stats;
