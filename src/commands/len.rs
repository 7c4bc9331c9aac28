//! `rpq len`: a bare integer for `n=$(rpq len)`, or the breakdown with `--json`.

use crate::cli::LenArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &LenArgs) -> Result<ExitCode> {
    let lengths = super::open(cfg, out)?.lengths()?;
    out.len(args.priority, &lengths)?;
    Ok(ExitCode::SUCCESS)
}
