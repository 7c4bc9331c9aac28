//! `rpq serve` as a service: thousands of idle connections, no file descriptors left, idle
//! timeouts, systemd's notify protocol, and Redis coming and going.

use super::*;

/// `rpq serve` with its open-file limit set to `soft`/`hard` before it starts, as a shell's
/// `ulimit -n` does.
fn serve_with_files(
    server: &RedisServer,
    soft: libc::rlim_t,
    hard: libc::rlim_t,
    args: &[&str],
) -> Serve {
    use std::os::unix::process::CommandExt;
    let mut cmd = std_command();
    cmd.env_remove("RPQ_SERVE_TOKEN")
        .arg("--url")
        .arg(server.url())
        .arg("serve")
        .args(args);
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent's.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Serve::spawn(cmd)
}

/// Raises this test process's own soft open-file limit to its hard one: it opens thousands.
fn raise_own_files() -> libc::rlim_t {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    lim.rlim_cur
}

/// True once the server has closed `sock` (EOF or a reset), waiting until `deadline`.
fn closed_by_server(sock: &mut std::net::TcpStream, deadline: Instant) -> bool {
    use std::io::{ErrorKind, Read};
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match sock.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() >= deadline {
                    return false;
                }
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn serve_answers_healthz_with_2000_idle_connections_open() {
    use std::io::Write;
    use std::net::{SocketAddr, TcpStream};
    let own = raise_own_files();
    assert!(
        own >= 2_300,
        "this test needs 2,300 open files, the hard limit is {own}"
    );
    let server = redis();
    // The default soft limit of many systems, and no room above it: the cap must hold.
    let s = serve_with_files(&server, 1024, 1024, &["--idle-timeout", "3s"]);
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let mut idle = Vec::new();
    let mut failed_in_a_row = 0;
    for _ in 0..2000 {
        // A refused or timed-out connect is counted below, not fatal: the backlog is short.
        // A server that no longer accepts at all ends the loop (5 s a try otherwise).
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(sock) => {
                idle.push(sock);
                failed_in_a_row = 0;
            }
            Err(_) if failed_in_a_row == 2 => break,
            Err(_) => failed_in_a_row += 1,
        }
    }
    assert!(idle.len() > 1024, "only {} connections opened", idle.len());
    // And some that send half a header, a byte at a time.
    let mut slow: Vec<TcpStream> = (0..20)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    for sock in &mut slow {
        let _ = sock.write_all(b"GET /api/queues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    }
    for _ in 0..3 {
        for sock in &mut slow {
            let _ = sock.write_all(b"a");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let quick = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    let quick: ureq::Agent = quick.into();
    let mut answered = 0;
    for _ in 0..6 {
        if let Ok(r) = quick.get(s.url("/healthz")).call() {
            answered += usize::from(r.status() == 200);
        }
    }
    assert_eq!(answered, 6, "/healthz answered {answered} of 6 times");
    s.get("/api/queues").expect(200);
    // Every idle and slow connection is closed by the server, by the cap or the idle timeout.
    let deadline = Instant::now() + Duration::from_secs(30);
    let open = idle
        .iter_mut()
        .chain(slow.iter_mut())
        .map(|sock| !closed_by_server(sock, deadline))
        .filter(|open| *open)
        .count();
    assert_eq!(open, 0, "{open} idle connections still open after 30 s");
    s.get("/healthz").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("at most 512 connections at once"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn serve_out_of_file_descriptors_backs_off_and_still_answers() {
    use std::net::{SocketAddr, TcpStream};
    raise_own_files();
    let server = redis();
    // A cap above what 64 files allow: accepts fail with EMFILE, the case the cap avoids.
    let s = serve_with_files(&server, 64, 64, &["--max-connections", "1000"]);
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let idle: Vec<TcpStream> = (0..200)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    assert!(idle.len() > 64, "only {} connections opened", idle.len());
    for _ in 0..3 {
        s.get("/healthz").expect(200);
    }
    s.get("/api/queues").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let notes = stderr.matches("cannot accept a connection").count();
    assert!(
        (1..=2).contains(&notes),
        "{notes} notes of accept errors: {stderr}"
    );
    assert!(stderr.contains("Too many open files"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn serve_closes_idle_keep_alives_and_slow_headers_after_the_idle_timeout() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let server = redis();
    // A soft limit under the hard one is raised to it at start.
    let s = serve_with_files(&server, 512, 1024, &["--idle-timeout", "1s"]);
    let addr = s.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut quiet = TcpStream::connect(&addr).unwrap();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ").unwrap();
    // A keep-alive that was answered once, then says nothing.
    let mut kept = TcpStream::connect(&addr).unwrap();
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let deadline = Instant::now() + Duration::from_secs(20);
    for (name, sock) in [
        ("quiet", &mut quiet),
        ("slow", &mut slow),
        ("kept", &mut kept),
    ] {
        assert!(
            closed_by_server(sock, deadline),
            "the {name} connection is still open"
        );
    }
    // Not before the timeout: the server measured it, not the test's speed.
    assert!(started.elapsed() >= Duration::from_millis(900));
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("raised the soft limit from 512 to 1024"),
        "{stderr}"
    );
}

/// systemd's notify protocol: READY=1 once it serves, then WATCHDOG=1 from the thread that
/// serves, no closer than half the interval.
#[test]
fn serve_tells_systemd_it_is_ready_and_alive() {
    use crate::support::NotifySocket;
    let server = redis();
    let notify = NotifySocket::new();
    let path = &notify.path;
    let recv = || notify.recv();
    let mut cmd = std_command();
    cmd.env("NOTIFY_SOCKET", path)
        .env("WATCHDOG_USEC", "200000")
        .arg("--url")
        .arg(server.url());
    let s = Serve::spawn(cmd);
    assert_eq!(recv(), "READY=1");
    s.get("/healthz").expect(200);
    // Counted over one second rather than timed ping to ping (a loaded machine reads a ping
    // late, which shortens the next gap as seen here): at most one a half interval (100 ms)
    // was sent in it, plus one due at its start, and the thread is alive, so some come.
    let pings = notify.datagrams_for(Duration::from_secs(1));
    assert!(pings.iter().all(|p| p == "WATCHDOG=1"), "{pings:?}");
    assert!((2..=11).contains(&pings.len()), "{pings:?}");
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// `rpq serve` started before its Redis serves at once (/healthz 503, the page says Redis is
/// unreachable), waits for Redis with a reconnect's backoff and lines, and tells systemd it
/// is READY only once Redis answered; /healthz is 200 from then on.
#[test]
fn serve_started_before_redis_is_ready_once_redis_answers() {
    use crate::support::NotifySocket;
    let port = free_port().unwrap();
    let notify = NotifySocket::new();
    let mut cmd = std_command();
    cmd.env("NOTIFY_SOCKET", &notify.path)
        .args(["--url", &format!("redis://127.0.0.1:{port}")]);
    let s = Serve::spawn(cmd);
    s.get("/healthz").expect(503);
    assert!(notify.datagrams_for(Duration::from_millis(300)).is_empty());
    let _r = RedisServer::start_on(port, &[]).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(notify.recv(), "READY=1");
    s.get("/healthz").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("does not answer"), "{stderr}");
    assert!(stderr.contains("connected to redis"), "{stderr}");
}

#[test]
fn serve_healthz_follows_redis() {
    let mut server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    let s = Serve::start(&server, &[]);
    s.get("/healthz").expect(200);
    server.kill();
    // Open without a token, it says down and nothing of why (an address, a user).
    let down = s.get("/healthz").expect(503).json();
    assert_eq!(down, json!({"error": "redis does not answer"}));
    let r = s.get("/api/queues").expect(503);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("redis is unreachable"),
        "{}",
        r.text
    );
    let m = Exposition::parse(&s.get("/metrics").expect(200).text);
    assert_eq!(m.value("rpq_redis_up", &[]), 0.0);
    // Back again: the next request reconnects.
    server.restart().unwrap();
    wait_until(Duration::from_secs(10), "healthz to answer 200", || {
        s.get("/healthz").status == 200
    });
    s.get("/api/queues").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn serve_closes_a_body_sent_a_byte_at_a_time_after_the_idle_timeout() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let server = redis();
    // Two slots, both taken by pushes whose bodies dribble: busy requests are never closed to
    // make room, so only a deadline on the body frees them.
    let s = serve_with_files(
        &server,
        1024,
        1024,
        &["--max-connections", "2", "--idle-timeout", "1s"],
    );
    let addr = s.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let dribblers: Vec<_> = (0..2)
        .map(|_| {
            let mut sock = TcpStream::connect(&addr).unwrap();
            sock.write_all(
                format!(
                    "POST /api/queues/q/tasks HTTP/1.1\r\nHost: {addr}\r\n\
                     Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                )
                .as_bytes(),
            )
            .unwrap();
            let mut writer = sock.try_clone().unwrap();
            let feed = std::thread::spawn(move || {
                // A byte every 100 ms for up to 30 s, or until the server closes.
                let until = Instant::now() + Duration::from_secs(30);
                while Instant::now() < until && writer.write_all(b" ").is_ok() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            (sock, feed)
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(25);
    for (i, (mut sock, feed)) in dribblers.into_iter().enumerate() {
        sock.set_read_timeout(Some(Duration::from_secs(25)))
            .unwrap();
        let mut head = [0u8; 12];
        let answered = sock.read_exact(&mut head).is_ok();
        assert!(
            answered && &head == b"HTTP/1.1 400",
            "dribbling body {i} got no answer: {:?}",
            String::from_utf8_lossy(&head)
        );
        assert!(
            closed_by_server(&mut sock, deadline),
            "body {i}: still open"
        );
        let _ = sock.shutdown(std::net::Shutdown::Both);
        feed.join().unwrap();
    }
    // Not before the timeout: the server measured it, not the test's speed.
    assert!(started.elapsed() >= Duration::from_millis(900));
    s.get("/healthz").expect(200);
    // No push of a body cut short.
    s.get("/api/queues/q").expect(404);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}
