//! systemd's notify protocol, for a command that runs as a `Type=notify` service (`consume`,
//! and `serve`): `ready()` once it is connected and can work, `watchdog()` from its main loop.
//! Each is one datagram to `NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace) and
//! does nothing when systemd did not set it, so callers need not ask. `init` takes the socket
//! and the watchdog interval from the config (`config.rs` reads the environment).

use crate::config::Config;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct State {
    socket: String,
    watchdog: Option<Duration>,
    ready: bool,
    last_ping: Option<Instant>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Once, before any command runs.
pub fn init(cfg: &Config) {
    let mut s = STATE.lock().unwrap_or_else(|e| e.into_inner());
    *s = cfg.notify.socket.clone().map(|socket| State {
        socket,
        watchdog: cfg.notify.watchdog,
        ready: false,
        last_ping: None,
    });
}

/// `READY=1`, once: the service is connected (and has run its first script) and works.
pub fn ready() {
    let mut s = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(st) = s.as_mut().filter(|st| !st.ready) {
        st.ready = true;
        send(&st.socket, "READY=1");
    }
}

/// `WATCHDOG=1` when systemd set `WATCHDOG_USEC`, at most twice per interval however often it
/// is called: the main loop may call it on every turn. Nothing before `ready`: until then the
/// start timeout, not the watchdog, is what systemd holds a service to.
pub fn watchdog() {
    let mut s = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let Some(st) = s.as_mut().filter(|st| st.ready) else {
        return;
    };
    let Some(every) = st.watchdog else { return };
    if st.last_ping.is_some_and(|t| t.elapsed() < every / 2) {
        return;
    }
    st.last_ping = Some(Instant::now());
    send(&st.socket, "WATCHDOG=1");
}

/// A lost datagram is not worth failing a consumer for: systemd then restarts it, which it
/// would do anyway were the socket gone.
fn send(socket: &str, msg: &str) {
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let addr = match socket.strip_prefix('@') {
        #[cfg(target_os = "linux")]
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())
        }
        #[cfg(not(target_os = "linux"))]
        Some(_) => return,
        None => SocketAddr::from_pathname(socket),
    };
    if let (Ok(addr), Ok(sock)) = (addr, UnixDatagram::unbound()) {
        let _ = sock.send_to_addr(msg.as_bytes(), &addr);
    }
}
