//! A tiny HTTP/1.1 server on 127.0.0.1 that records every request and answers each with the
//! next status of a script (the last one repeats): what an OTLP collector or a webhook's
//! receiver is to rpq, without a framework or a mock of rpq's side.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    answered: usize,
    delay: Duration,
    /// Requests being answered now, and the most there ever were at once.
    open: usize,
    most_open: usize,
}

pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Answers the n-th request with `script[n]`, and every one past the script with its last.
    pub fn start(script: &[u16]) -> Receiver {
        Receiver::slow(script, Duration::ZERO)
    }

    /// The same, each answer `delay` after its request.
    pub fn slow(script: &[u16], delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            delay,
            ..State::default()
        }));
        let (st, script) = (state.clone(), script.to_vec());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (st, script) = (st.clone(), script.clone());
                std::thread::spawn(move || serve(conn, &st, &script));
            }
        });
        Receiver { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The most requests it was ever answering at once.
    pub fn most_at_once(&self) -> usize {
        self.state.lock().unwrap().most_open
    }

    /// Waits until `cond` holds for the requests so far, or panics after `limit`.
    pub fn wait_for(&self, limit: Duration, what: &str, cond: impl Fn(&[Request]) -> bool) {
        let until = Instant::now() + limit;
        while !cond(&self.requests()) {
            assert!(Instant::now() < until, "waited {limit:?} for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(conn: TcpStream, st: &Mutex<State>, script: &[u16]) {
    let mut w = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    loop {
        let mut first = String::new();
        if r.read_line(&mut first).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = first.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let delay = {
            let mut s = st.lock().unwrap();
            s.open += 1;
            s.most_open = s.most_open.max(s.open);
            s.delay
        };
        std::thread::sleep(delay);
        let status = {
            let mut s = st.lock().unwrap();
            s.open -= 1;
            s.requests.push(Request {
                method,
                path,
                headers,
                body,
            });
            let i = s.answered.min(script.len() - 1);
            s.answered += 1;
            script[i]
        };
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\n{{}}");
        if w.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}
