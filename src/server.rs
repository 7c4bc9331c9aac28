//! A private `redis-server` on a free loopback port in a temporary directory: the demo and the
//! bench use one when no server answers, and the tests start one per test. Stopped on Drop.

use anyhow::{bail, Context, Result};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str =
    "redis-server is not installed; install it with `sudo apt-get install redis-server` \
     (Debian, Ubuntu) or `brew install redis` (macOS)";

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts a server with no persistence; `extra` are more `redis-server` arguments.
    pub fn start(extra: &[&str]) -> Result<RedisServer> {
        let mut last = None;
        // A free port found by binding can be taken by someone else before redis binds it.
        for _ in 0..5 {
            let port = free_port()?;
            match RedisServer::start_on(port, extra) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one attempt was made"))
    }

    /// Starts a server on `port`.
    pub fn start_on(port: u16, extra: &[&str]) -> Result<RedisServer> {
        let dir = temp_dir()?;
        let mut s = RedisServer {
            child: None,
            port,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        s.spawn()?;
        Ok(s)
    }

    fn spawn(&mut self) -> Result<()> {
        let mut cmd = Command::new("redis-server");
        cmd.arg("--port")
            .arg(self.port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--dir")
            .arg(&self.dir)
            .arg("--save")
            .arg("")
            .arg("--appendonly")
            .arg("no")
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl+C meant for rpq must not kill the server under it;
            // rpq stops it on Drop once it has finished (and cleaned up).
            .process_group(0);
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(INSTALL_HINT),
            Err(e) => return Err(e).context("starting redis-server"),
        };
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let client = redis::Client::open(self.url())?;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                let last = log.lines().last().unwrap_or("").to_string();
                bail!("redis-server exited at start ({status}): {last}");
            }
            if let Ok(mut c) = client.get_connection_with_timeout(Duration::from_millis(200)) {
                if redis::cmd("PING").query::<String>(&mut c).is_ok() && self.is_ours(&mut c) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "redis-server on port {} did not answer within 10s",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server that answers on our port is the one we started: its process, or a
    /// child of it (a redis-server that is a wrapper). Another process (a second test run on
    /// the machine) can take the port found free before our server binds it: ours then fails
    /// to bind and exits, but until it does, that other server answers the PING, and a test
    /// would use it, and lose it when its owner stops it. A server that does not say counts as
    /// ours.
    fn is_ours(&self, c: &mut redis::Connection) -> bool {
        let Some(ours) = self.child.as_ref().map(Child::id) else {
            return true;
        };
        let Some(pid) = crate::conn::info_field(c, "server", "process_id")
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            return true;
        };
        // The parent's pid is the 2nd field after the command name in parentheses.
        let parent = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                let rest = s.get(s.rfind(')')? + 2..)?.to_string();
                rest.split(' ').nth(1)?.parse::<u32>().ok()
            });
        pid == ours || parent == Some(ours)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server hard (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port and directory (after `kill`).
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port that was free a moment ago, never the same twice in one process, and below the
/// range the kernel gives outgoing connections: a port that range gives (as binding port 0
/// does) can become some client's source port before a server binds it, or between a kill
/// and a restart on it, and a client that retries a connect to it can even connect to itself
/// (a test's `redis-server` then failed with "Failed listening on port").
pub fn free_port() -> Result<u16> {
    use rand::Rng;
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    if low > 11024 {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let port = rng.random_range(low - 10000..low);
            if !given.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
                given.insert(port);
                return Ok(port);
            }
        }
    }
    let l = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    let port = l.local_addr()?.port();
    given.insert(port);
    Ok(port)
}

fn temp_dir() -> Result<PathBuf> {
    use rand::Rng;
    let dir = std::env::temp_dir().join(format!(
        "rpq-redis-{}-{:08x}",
        std::process::id(),
        rand::rng().random::<u32>()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
