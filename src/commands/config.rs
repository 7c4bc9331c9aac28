//! `rpq config`: the effective settings and where each came from. It connects to nothing.

use crate::cli::ConfigArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, _: &ConfigArgs) -> Result<ExitCode> {
    out.config(cfg)?;
    Ok(ExitCode::SUCCESS)
}
