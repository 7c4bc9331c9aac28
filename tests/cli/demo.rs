//! `rpq demo`: the seed's demo in one terminal, on a private server when none answers.

use crate::support::*;
use predicates::prelude::*;

fn dead_url() -> String {
    format!("redis://127.0.0.1:{}", rpq::server::free_port().unwrap())
}

#[test]
fn the_demo_runs_on_a_private_server_and_stops_it() {
    let out = bare()
        .args(["--url", &dead_url(), "demo", "--duration", "2s"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stdout.contains("[Producer] Generated task:"), "{stdout}");
    assert!(stdout.contains("[c1] Got task:"), "{stdout}");
    assert!(stdout.contains("[c2] Got task:"), "{stdout}");
    assert!(stdout.contains("] Done: task "), "{stdout}");
    // The private server named on stderr is gone once the demo is over.
    let port: u16 = stderr
        .split("private redis-server on port ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no port in: {stderr}"));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn the_demo_uses_a_server_that_answers() {
    let r = redis();
    rpq(&r)
        .args(["demo", "--duration", "1s"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "using redis at {}",
            r.url()
        )));
    // Its tasks went to the 'demo' queue of that server.
    let mut c = conn(&r);
    assert!(stat(&mut c, "demo", "pushed") >= 1);
}

#[test]
fn without_redis_server_the_demo_says_how_to_install_it() {
    bare()
        .env("PATH", "/nonexistent")
        .args(["--url", &dead_url(), "demo", "--duration", "1s"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("apt-get install redis-server"));
}

#[test]
fn the_demo_sleeps_while_its_consumers_work() {
    let r = redis();
    let mut cmd = base();
    cmd.args(["--url", &r.url(), "demo", "--duration", "3s"]);
    let (code, cpu, wall) = cpu_of_run(&mut cmd);
    assert_eq!(code, 0);
    eprintln!("demo: {cpu:?} of CPU in {wall:?}");
    // Its consumers' simulated work is a sleep; most of the run is waiting.
    assert!(cpu < wall / 5, "{cpu:?} of CPU in {wall:?}");
}
