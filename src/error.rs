//! Error classes and the one mapping from an error to rpq's exit code (SPEC.md's table).

use std::fmt;

/// A usage error found after clap: a bad URL, a bad queue name, a flag combination. Exit 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// Bad data: a `--stdin` line that is not a task, a stored task that cannot be read. Exit 65.
#[derive(Debug)]
pub struct DataError(pub String);

/// A queue stored in another layout than this rpq's (docs/layout-v2.md), refused before any
/// write. Exit 1, as any other failure; its own type so that nothing retries it.
#[derive(Debug)]
pub struct LayoutError(pub String);

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LayoutError {}

/// Stopped by a second signal. Exit 130.
#[derive(Debug)]
pub struct Interrupted;

/// `produce --wait --timeout` ran out before the task finished. Exit 124, as timeout(1).
#[derive(Debug)]
pub struct TimedOut(pub String);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TimedOut {}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}
impl std::error::Error for UsageError {}
impl std::error::Error for DataError {}
impl std::error::Error for Interrupted {}

pub const USAGE: u8 = 2;
pub const DATA: u8 = 65;
pub const INTERRUPTED: u8 = 130;
pub const TIMED_OUT: u8 = 124;

/// How an error ends the process: its exit code, and whether to say anything at all.
pub fn classify(err: &anyhow::Error) -> (u8, bool) {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // `rpq peek | head -1`: the reader left, which is not a failure of ours.
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return (0, false);
            }
        }
        if cause.is::<UsageError>() {
            return (USAGE, true);
        }
        if cause.is::<DataError>() {
            return (DATA, true);
        }
        if cause.is::<Interrupted>() {
            return (INTERRUPTED, false);
        }
        if cause.is::<TimedOut>() {
            return (TIMED_OUT, true);
        }
    }
    (1, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::{anyhow, Context};

    #[test]
    fn exit_codes_follow_the_spec() {
        assert_eq!(classify(&anyhow!("redis is down")), (1, true));
        let usage = anyhow::Error::new(UsageError("bad url".into())).context("connecting");
        assert_eq!(classify(&usage), (2, true));
        let data = Err::<(), _>(DataError("line 3: bad".into()))
            .context("reading stdin")
            .unwrap_err();
        assert_eq!(classify(&data), (65, true));
        assert_eq!(classify(&anyhow::Error::new(Interrupted)), (130, false));
        let late = anyhow::Error::new(TimedOut("not done within 1s".into()));
        assert_eq!(classify(&late), (124, true));
    }

    #[test]
    fn a_broken_pipe_is_a_quiet_success() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let err = anyhow::Error::new(pipe).context("writing to stdout");
        assert_eq!(classify(&err), (0, false));
    }
}
