use std::process::ExitCode;

fn main() -> ExitCode {
    // A consumer's guard is this binary too (consumer::guard), before any parsing.
    if let Some(code) = rpq::consumer::guard::run_if_asked() {
        return code;
    }
    let cli = match rpq::cli::parse() {
        Ok(cli) => cli,
        // Under --log-format json a usage error is one JSON line like every other.
        Err(e) if e.use_stderr() && rpq::config::json_log_asked() => {
            return rpq::log::usage_error(&e.to_string(), e.exit_code() as u8);
        }
        // clap prints help, version and usage errors itself, with exit 0 or 2.
        Err(e) => e.exit(),
    };
    match rpq::run(cli) {
        Ok(code) => code,
        Err(err) => rpq::log::report(&err),
    }
}
