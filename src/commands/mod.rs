//! One module per subcommand: flags in, `Queue` calls, `Output` out.

pub mod bench;
pub mod clear;
pub mod completions;
pub mod consume;
pub mod dead;
pub mod demo;
pub mod len;
pub mod peek;
pub mod produce;
pub mod serve;
pub mod stats;
