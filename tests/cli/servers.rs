//! Test servers beyond a plain redis-server: a Redis Cluster on loopback, a TLS server with a
//! CA made here with the openssl CLI, and rpq run against them with a clean environment.

#![allow(dead_code)]

use crate::support::{bare, std_command, wait_until, Proc};
use assert_cmd::Command;
use rpq::server::{free_port, RedisServer};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A Redis Cluster of `primaries` primaries with `replicas` replicas each, every node a
/// throwaway redis-server. Dropped with its nodes.
pub struct Cluster {
    pub nodes: Vec<RedisServer>,
}

impl Cluster {
    pub fn start(primaries: usize, replicas: usize) -> Cluster {
        Cluster::start_with(primaries, replicas, |_| vec![])
    }

    /// The same, with more redis-server arguments per node (`extra` gets a free port to use).
    pub fn start_with(
        primaries: usize,
        replicas: usize,
        extra: impl Fn(u16) -> Vec<String>,
    ) -> Cluster {
        let nodes: Vec<RedisServer> = (0..primaries * (1 + replicas))
            .map(|_| {
                // The bus port defaults to port + 10000, which may not be free (or valid).
                let bus = free_port().unwrap().to_string();
                let more = extra(free_port().unwrap());
                let mut args = vec![
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    &bus,
                    "--cluster-node-timeout",
                    "1000",
                    // A replica takes over however stale it is: the test kills primaries.
                    "--cluster-replica-validity-factor",
                    "0",
                ];
                args.extend(more.iter().map(String::as_str));
                RedisServer::start(&args).unwrap_or_else(|e| panic!("{e:#}"))
            })
            .collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        tool(
            std::process::Command::new("redis-cli")
                .arg("--cluster")
                .arg("create")
                .args(&addrs)
                .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"]),
        );
        let c = Cluster { nodes };
        c.wait_ok();
        c
    }

    /// Until every live node says cluster_state:ok and sees every slot served.
    pub fn wait_ok(&self) {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self.nodes.iter().filter(|n| n.pid().is_some()).all(|n| {
                let info = info(n, "CLUSTER", Some("INFO"));
                info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384")
            });
            if ok {
                return;
            }
            assert!(Instant::now() < end, "the cluster did not become ok in 30s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Until every replica has all its primary wrote.
    pub fn wait_replicated(&self) {
        wait_until(Duration::from_secs(30), "replicas to catch up", || {
            self.primaries().iter().all(|p| {
                let info = info(p, "INFO", Some("replication"));
                let field = |name: &str| {
                    info.lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim().to_string())
                };
                let offset = field("master_repl_offset:").unwrap_or_default();
                let replica = field("slave0:").unwrap_or_default();
                !replica.is_empty() && replica.contains(&format!("offset={offset},"))
            })
        });
    }

    /// Seed URLs, comma-separated, for --url.
    pub fn url(&self) -> String {
        self.nodes
            .iter()
            .map(|n| n.url())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The nodes that are primaries now.
    pub fn primaries(&self) -> Vec<&RedisServer> {
        self.nodes
            .iter()
            .filter(|n| n.pid().is_some() && info(n, "ROLE", None).starts_with("master"))
            .collect()
    }

    /// The primary that serves `key`.
    pub fn primary_of(&self, key: &str) -> &RedisServer {
        let slot: u16 = query(
            self.primaries()[0],
            redis::cmd("CLUSTER").arg("KEYSLOT").arg(key),
        );
        self.primaries()
            .into_iter()
            .find(|n| {
                let mine: String = query(n, redis::cmd("CLUSTER").arg("NODES"));
                mine.lines()
                    .find(|l| l.contains("myself"))
                    .is_some_and(|l| serves(l, slot))
            })
            .expect("some primary serves every slot")
    }

    /// `rpq --cluster --url SEEDS`, with the environment cleared.
    pub fn rpq(&self) -> Command {
        let mut cmd = bare();
        cmd.arg("--cluster").arg("--url").arg(self.url());
        cmd
    }

    /// The same as a live process, for tests that run several at once.
    pub fn spawn(&self, args: &[&str]) -> Proc {
        Proc::spawn(
            std_command()
                .arg("--cluster")
                .arg("--url")
                .arg(self.url())
                .args(args),
        )
    }
}

/// True when a CLUSTER NODES line lists `slot` among its ranges.
fn serves(line: &str, slot: u16) -> bool {
    line.split(' ').skip(8).any(|r| {
        let mut it = r.split('-');
        match (
            it.next().and_then(|a| a.parse::<u16>().ok()),
            it.next().map(|b| b.parse::<u16>().ok()),
        ) {
            (Some(a), None) => a == slot,
            (Some(a), Some(Some(b))) => (a..=b).contains(&slot),
            _ => false,
        }
    })
}

pub fn query<T: redis::FromRedisValue>(n: &RedisServer, cmd: &mut redis::Cmd) -> T {
    let mut c = redis::Client::open(n.url())
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .unwrap();
    cmd.query(&mut c).unwrap()
}

fn info(n: &RedisServer, cmd: &str, sub: Option<&str>) -> String {
    let mut c = redis::cmd(cmd);
    if let Some(s) = sub {
        c.arg(s);
    }
    let v: redis::Value = query(n, &mut c);
    match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
        redis::Value::VerbatimString { text, .. } => text,
        redis::Value::Array(items) => match items.first() {
            Some(redis::Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Number of keys a node holds.
pub fn dbsize(n: &RedisServer) -> u64 {
    query(n, &mut redis::cmd("DBSIZE"))
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl
/// CLI in a temporary directory.
pub struct Certs {
    pub dir: tempfile::TempDir,
}

impl Certs {
    pub fn make() -> Certs {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ext = d.join("ext.cnf");
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        openssl(
            d,
            &[
                &["req", "-x509", "-nodes"],
                &ec[..],
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.crt",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=rpq test CA",
                ],
            ],
        );
        for who in ["server", "client"] {
            let (key, csr, crt) = (
                format!("{who}.key"),
                format!("{who}.csr"),
                format!("{who}.crt"),
            );
            openssl(
                d,
                &[
                    &["req", "-new", "-nodes"],
                    &ec[..],
                    &[
                        "-keyout",
                        &key,
                        "-out",
                        &csr,
                        "-subj",
                        &format!("/CN=rpq test {who}"),
                    ],
                ],
            );
            openssl(
                d,
                &[&[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.crt",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &crt,
                    "-days",
                    "2",
                    "-extfile",
                    "ext.cnf",
                ]],
            );
        }
        Certs { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// The redis-server arguments that serve TLS on `port` with these certificates;
    /// `auth_clients` ("yes" or "no") says whether a client must show a certificate.
    pub fn server_args(&self, port: u16, auth_clients: &str) -> Vec<String> {
        [
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &self.arg("server.crt"),
            "--tls-key-file",
            &self.arg("server.key"),
            "--tls-ca-cert-file",
            &self.arg("ca.crt"),
            "--tls-auth-clients",
            auth_clients,
        ]
        .map(String::from)
        .to_vec()
    }
}

fn openssl(dir: &Path, parts: &[&[&str]]) {
    let args: Vec<&str> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    tool(
        std::process::Command::new("openssl")
            .args(&args)
            .current_dir(dir),
    );
}

/// Runs a tool the test servers need (redis-cli, openssl): a missing one fails with the install
/// hint, a failing one with its output.
fn tool(cmd: &mut std::process::Command) {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}; is it installed? run .ci/install-deps"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A redis-server that speaks TLS on `tls_port` (and plain on its usual port, for the test to
/// look inside), asking clients for a certificate signed by the CA.
pub fn tls_server(certs: &Certs) -> (RedisServer, u16) {
    let tls_port = free_port().unwrap();
    let args = certs.server_args(tls_port, "yes");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = RedisServer::start(&args).unwrap_or_else(|e| panic!("{e:#}"));
    (s, tls_port)
}
