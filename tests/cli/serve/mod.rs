//! `rpq serve`: the real binary on a free port against a real redis-server, one file per
//! concern: the JSON API (`api`), the dashboard's views of issue 28 (`dash`), `?wait` (`waits`), workers over HTTP (`workers`), who may ask (`auth`), the server as a
//! service (`running`), `/metrics` (`metrics`) and the page in a real browser (`browser`).
//! Here: `Serve`, which runs it, `Reply`, and the fixtures they share.

mod api;
mod auth;
mod browser;
mod dash;
mod flows;
mod groups;
mod metrics;
mod running;
mod waits;
mod workers;

use metrics::Exposition;

use crate::servers::Cluster;
use crate::support::{
    bare, finish_kept, make_dead, ndjson, redis, rpq, stats_json, std_command, task_lines,
    wait_until, Proc,
};
use rpq::server::{free_port, RedisServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret-token-for-tests-0123";

/// `rpq serve` on a free loopback port, stopped (SIGTERM, then SIGKILL) on Drop.
pub(crate) struct Serve {
    child: Option<Child>,
    base: String,
    stderr: Arc<Mutex<String>>,
    token: Option<String>,
}

impl Serve {
    pub(crate) fn start(server: &RedisServer, args: &[&str]) -> Serve {
        let mut cmd = std_command();
        cmd.env_remove("RPQ_SERVE_TOKEN")
            .arg("--url")
            .arg(server.url());
        cmd.args(args);
        Serve::spawn(cmd)
    }

    /// Started with the full token (`RPQ_SERVE_TOKEN`, which requests then carry) and `args`.
    pub(crate) fn with_token(server: &RedisServer, args: &[&std::ffi::OsStr]) -> Serve {
        let mut cmd = std_command();
        cmd.env("RPQ_SERVE_TOKEN", TOKEN)
            .arg("--url")
            .arg(server.url())
            .arg("serve")
            .args(args);
        Serve::spawn(cmd)
    }

    /// Started with the full token and `read` as the read-only one (`--read-token-file`, a
    /// file in `dir`).
    pub(crate) fn with_read_token(server: &RedisServer, read: &str, dir: &Path) -> Serve {
        let file = dir.join("read-token");
        std::fs::write(&file, format!("{read}\n")).unwrap();
        Serve::with_token(server, &["--read-token-file".as_ref(), file.as_os_str()])
    }

    /// Started with `cmd` (rpq ... serve [--listen]); a --listen is added when none is given.
    pub(crate) fn spawn(mut cmd: std::process::Command) -> Serve {
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if !args.iter().any(|a| a == "serve") {
            cmd.arg("serve");
        }
        if !args.iter().any(|a| a == "--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        let token = cmd
            .get_envs()
            .find(|(k, _)| *k == "RPQ_SERVE_TOKEN")
            .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
        let mut child = cmd.spawn().expect("spawning rpq serve");
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let base = loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).unwrap();
            assert!(n > 0, "rpq serve exited before listening; stderr: {seen}");
            seen += &line;
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest
                    .split(' ')
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        };
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        // 0.0.0.0 is answered on loopback too.
        let base = base.replace("0.0.0.0", "127.0.0.1");
        Serve {
            child: Some(child),
            base,
            stderr,
            token,
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        let mut req = Serve::agent().get(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.call())
    }

    pub(crate) fn send(&self, method: &str, path: &str, content_type: &str, body: &str) -> Reply {
        let agent = Serve::agent();
        assert_eq!(method, "POST");
        let mut req = agent
            .post(self.url(path))
            .header("Content-Type", content_type);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.send(body))
    }

    pub(crate) fn delete(&self, path: &str) -> Reply {
        let mut req = Serve::agent().delete(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.call())
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, "application/json", &body.to_string())
    }

    /// Stops it with SIGTERM and returns its exit status and stderr.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let p = Proc::adopt(self.child.take().unwrap());
        p.signal(libc::SIGTERM);
        let out = p.end(Duration::from_secs(10));
        (out.status.code(), self.stderr.lock().unwrap().clone())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

impl Reply {
    pub(crate) fn from(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut r = r.unwrap_or_else(|e| panic!("HTTP request failed: {e}"));
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        Reply {
            status: r.status().as_u16(),
            headers,
            text: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text))
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status, and that an error has the one-line JSON message.
    pub(crate) fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "{}", self.text);
        if status >= 400 {
            let msg = self.json()["error"].as_str().unwrap_or("").to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{}", self.text);
        }
        self
    }
}

/// The numbers of `rpq stats --json` that do not move by themselves.
fn counts(v: &Value) -> Value {
    json!({
        "waiting": v["waiting"], "in_flight": v["in_flight"], "retrying": v["retrying"],
        "dead": v["dead"], "pushed": v["pushed"], "done": v["done"], "failed": v["failed"],
        "recovered": v["recovered"], "last_minute": v["last_minute"],
        "consumers": v["consumers"].as_array().map(|c| c.len()),
    })
}
