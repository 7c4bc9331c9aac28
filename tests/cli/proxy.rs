//! A fault-injecting TCP proxy between rpq and a redis-server, for outages that a kill cannot
//! make: a link that delays, one that is blackholed (a partition: nothing passes either way,
//! and what was sent waits in the socket buffers and arrives once it is lifted, as TCP's
//! retransmits would deliver it), and one that is cut (both ends closed at once; what waited is
//! gone). Faults apply to every link, or to one link by the order it was accepted in. Every
//! thread polls its link at least every 20 ms and ends when the proxy is dropped, so a fault
//! test is bounded by its own deadlines, never by the proxy.

#![allow(dead_code)]

use rpq::server::RedisServer;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a pump looks at its link's fault and at the proxy's stop flag.
const TICK: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Bytes pass as they come.
    Pass,
    /// Each chunk waits this long before it is passed on.
    Delay(Duration),
    /// Requests pass as they come, each reply's chunks wait this long: a call lands on the
    /// server at once and its reply is late, which is the window a test acts in (half the
    /// wall time of `Delay` for the same window).
    DelayReplies(Duration),
    /// Nothing passes either way until the link is set to something else.
    Blackhole,
    /// Requests pass, replies wait (as under Blackhole) until the link is set to something
    /// else: a call that ran on the server but whose reply was lost to its client.
    HoldReplies,
    /// Passes everything until a request holding these bytes went by, then holds the link's
    /// replies from that request's on: one given call ran, and its reply is lost.
    HoldRepliesAfter(&'static str),
}

struct Link {
    fault: Fault,
    client: TcpStream,
    server: TcpStream,
    /// Set when the link was cut: its pumps end and drop what they hold.
    cut: Arc<AtomicBool>,
    /// Bytes passed on to the client so far: a test can wait for a reply to have reached it.
    to_client: Arc<AtomicU64>,
}

struct Shared {
    /// The fault a new link starts with.
    default: Mutex<Fault>,
    links: Mutex<Vec<Link>>,
    stop: AtomicBool,
}

pub struct Proxy {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free loopback port in front of `server`, passing everything.
    pub fn start(server: &RedisServer) -> Proxy {
        let target: SocketAddr = format!("127.0.0.1:{}", server.port).parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the proxy");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            default: Mutex::new(Fault::Pass),
            links: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        let accept = std::thread::spawn(move || accept_loop(&listener, target, &s));
        Proxy {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// The URL rpq connects to instead of the server's.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// How many links were accepted so far (cut ones included): the next one has this number.
    pub fn links(&self) -> usize {
        self.shared.links.lock().unwrap().len()
    }

    /// Sets the fault of every link, and of the links still to come.
    pub fn set(&self, fault: Fault) {
        *self.shared.default.lock().unwrap() = fault;
        for l in self.shared.links.lock().unwrap().iter_mut() {
            l.fault = fault;
        }
    }

    /// Sets the fault of link `i` alone.
    pub fn set_link(&self, i: usize, fault: Fault) {
        self.shared.links.lock().unwrap()[i].fault = fault;
    }

    /// How many bytes link `i` has passed on to its client so far.
    pub fn to_client(&self, i: usize) -> u64 {
        self.shared.links.lock().unwrap()[i]
            .to_client
            .load(Ordering::SeqCst)
    }

    /// Closes both ends of every link now; what was waiting in them is lost. New links are
    /// accepted as before, with the current default fault.
    pub fn cut(&self) {
        let n = self.links();
        (0..n).for_each(|i| self.cut_link(i));
    }

    /// Closes both ends of link `i` now.
    pub fn cut_link(&self, i: usize) {
        let links = self.shared.links.lock().unwrap();
        let l = &links[i];
        l.cut.store(true, Ordering::SeqCst);
        let _ = l.client.shutdown(Shutdown::Both);
        let _ = l.server.shutdown(Shutdown::Both);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for l in self.shared.links.lock().unwrap().iter() {
            let _ = l.client.shutdown(Shutdown::Both);
            let _ = l.server.shutdown(Shutdown::Both);
        }
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, target: SocketAddr, s: &Arc<Shared>) {
    while !s.stop.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((c, _)) => c,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(TICK);
                continue;
            }
            Err(_) => return,
        };
        let Ok(server) = TcpStream::connect_timeout(&target, Duration::from_secs(3)) else {
            continue;
        };
        client.set_nonblocking(false).unwrap();
        for sock in [&client, &server] {
            sock.set_nodelay(true).unwrap();
            sock.set_read_timeout(Some(TICK)).unwrap();
        }
        let cut = Arc::new(AtomicBool::new(false));
        let to_client = Arc::new(AtomicU64::new(0));
        let tripped = Arc::new(AtomicBool::new(false));
        let i = {
            let mut links = s.links.lock().unwrap();
            links.push(Link {
                fault: *s.default.lock().unwrap(),
                client: client.try_clone().unwrap(),
                server: server.try_clone().unwrap(),
                cut: Arc::clone(&cut),
                to_client: Arc::clone(&to_client),
            });
            links.len() - 1
        };
        for (from, to, count, replies) in [
            (
                client.try_clone().unwrap(),
                server.try_clone().unwrap(),
                Arc::new(AtomicU64::new(0)),
                false,
            ),
            (
                server.try_clone().unwrap(),
                client.try_clone().unwrap(),
                to_client,
                true,
            ),
        ] {
            let s = Arc::clone(s);
            let cut = Arc::clone(&cut);
            let tripped = Arc::clone(&tripped);
            std::thread::spawn(move || pump(from, to, (i, replies), &s, &cut, &count, &tripped));
        }
    }
}

/// Copies one direction of link `i` while its fault lets it; ends at EOF, on an error, when the
/// link is cut or the proxy stops (and then closes the other end's writing half, as TCP would
/// pass the FIN on). `replies`: this is the direction from the server to the client.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    (i, replies): (usize, bool),
    s: &Shared,
    cut: &AtomicBool,
    passed: &AtomicU64,
    tripped: &AtomicBool,
) {
    let mut buf = [0u8; 16 * 1024];
    // HoldReplies is a blackhole of the replies' direction alone (HoldRepliesAfter once its
    // request went by, `tripped`), DelayReplies a delay of that direction alone.
    let fault = || match s.links.lock().unwrap()[i].fault {
        Fault::HoldReplies if replies => Fault::Blackhole,
        Fault::DelayReplies(d) if replies => Fault::Delay(d),
        Fault::DelayReplies(_) => Fault::Pass,
        Fault::HoldRepliesAfter(_) if replies && tripped.load(Ordering::SeqCst) => Fault::Blackhole,
        Fault::HoldReplies | Fault::HoldRepliesAfter(_) => Fault::Pass,
        f => f,
    };
    let trips = |chunk: &[u8]| match s.links.lock().unwrap()[i].fault {
        Fault::HoldRepliesAfter(what) if !replies => {
            chunk.windows(what.len()).any(|w| w == what.as_bytes())
        }
        _ => false,
    };
    let over = || cut.load(Ordering::SeqCst) || s.stop.load(Ordering::SeqCst);
    loop {
        if over() {
            return;
        }
        // Blackholed: nothing is read, so what was sent waits in the kernel's buffers.
        if fault() == Fault::Blackhole {
            std::thread::sleep(TICK);
            continue;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        // A chunk read just as a blackhole began (or delayed when one began) waits for its end
        // too.
        loop {
            match fault() {
                Fault::Blackhole if !over() => std::thread::sleep(TICK),
                Fault::Delay(d) => {
                    std::thread::sleep(d);
                    if fault() != Fault::Blackhole {
                        break;
                    }
                }
                _ => break,
            }
        }
        // Tripped before the request reaches the server, so its reply is held.
        if trips(&buf[..n]) {
            tripped.store(true, Ordering::SeqCst);
        }
        if over() || to.write_all(&buf[..n]).is_err() {
            return;
        }
        passed.fetch_add(n as u64, Ordering::SeqCst);
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::*;
    use std::time::Instant;

    fn ping(url: &str, timeout: Duration) -> redis::RedisResult<String> {
        let client = redis::Client::open(url).unwrap();
        let mut c = client.get_connection_with_timeout(timeout)?;
        c.set_read_timeout(Some(timeout))?;
        redis::cmd("PING").query(&mut c)
    }

    #[test]
    fn the_proxy_passes_delays_blackholes_and_cuts() {
        let r = redis();
        let p = Proxy::start(&r);
        assert_eq!(ping(&p.url(), Duration::from_secs(5)).unwrap(), "PONG");

        p.set(Fault::Delay(Duration::from_millis(300)));
        let t = Instant::now();
        assert_eq!(ping(&p.url(), Duration::from_secs(5)).unwrap(), "PONG");
        assert!(
            t.elapsed() >= Duration::from_millis(300),
            "{:?}",
            t.elapsed()
        );

        // Replies alone delayed: a call lands at once, and its reply comes a second late.
        p.set(Fault::Pass);
        let mut c = redis::Client::open(p.url())
            .unwrap()
            .get_connection()
            .unwrap();
        p.set(Fault::DelayReplies(Duration::from_secs(1)));
        let answered = Arc::new(AtomicBool::new(false));
        let sent = Instant::now();
        let call = std::thread::spawn({
            let answered = Arc::clone(&answered);
            move || {
                let n: i64 = redis::cmd("INCR").arg("late").query(&mut c).unwrap();
                answered.store(true, Ordering::SeqCst);
                n
            }
        });
        let mut direct = conn(&r);
        wait_until(Duration::from_secs(5), "the call to land", || {
            redis::cmd("GET")
                .arg("late")
                .query::<Option<i64>>(&mut direct)
                .unwrap()
                == Some(1)
        });
        assert!(
            !answered.load(Ordering::SeqCst),
            "landed only with its reply"
        );
        assert_eq!(call.join().unwrap(), 1);
        assert!(
            sent.elapsed() >= Duration::from_secs(1),
            "{:?}",
            sent.elapsed()
        );

        // A command sent into a blackhole is answered only once it is lifted.
        p.set(Fault::Pass);
        let mut c = redis::Client::open(p.url())
            .unwrap()
            .get_connection()
            .unwrap();
        let link = p.links() - 1;
        p.set_link(link, Fault::Blackhole);
        c.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let sent = redis::cmd("INCR").arg("k").query::<i64>(&mut c);
        assert!(sent.is_err_and(|e| e.is_timeout()));
        let mut direct = conn(&r);
        let k: Option<i64> = redis::cmd("GET").arg("k").query(&mut direct).unwrap();
        assert_eq!(k, None, "nothing passed the blackhole");
        p.set_link(link, Fault::Pass);
        wait_until(Duration::from_secs(5), "the held command to arrive", || {
            redis::cmd("GET")
                .arg("k")
                .query::<Option<i64>>(&mut direct)
                .unwrap()
                == Some(1)
        });

        // A cut link is closed at once, and the next connection goes through.
        let mut c = redis::Client::open(p.url())
            .unwrap()
            .get_connection()
            .unwrap();
        let _: String = redis::cmd("PING").query(&mut c).unwrap();
        p.cut();
        let cut = redis::cmd("PING").query::<String>(&mut c);
        assert!(cut.is_err());
        assert_eq!(ping(&p.url(), Duration::from_secs(5)).unwrap(), "PONG");
    }
}
