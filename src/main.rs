use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match rpq::cli::parse() {
        Ok(cli) => cli,
        // clap prints help, version and usage errors itself, with exit 0 or 2.
        Err(e) => e.exit(),
    };
    match rpq::run(cli) {
        Ok(code) => code,
        Err(err) => rpq::error::report(&err),
    }
}
