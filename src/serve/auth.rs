//! Who may ask what. With a token, every request but the login form and the static assets
//! (which hold no data) carries it: `Authorization: Bearer TOKEN`, or the HttpOnly,
//! SameSite=Strict session cookie the login form sets. Without one (loopback only), anyone on
//! this machine may; then a Host other than the listening address is refused, so a web page
//! that rebinds its DNS name to 127.0.0.1 cannot read the API. Requests that change something
//! are refused when a browser says they come from another site, and they must send JSON
//! (which a cross-site form cannot) — the handlers ask for it. A second, read-only token (for a
//! Prometheus scraper, a wall screen) opens the GET routes and `/metrics` only: a request that
//! changes something with it is refused (403) naming the full token.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use rand::Rng;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie's name, with the port after it: browsers keep cookies per host, not per
/// port, and two servers on one machine must not sign each other out.
const COOKIE: &str = "rpq_session";

/// How long a login lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// Sessions kept at most; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

pub struct Auth {
    token: Option<String>,
    read_token: Option<String>,
    cookie: String,
    sessions: Mutex<HashMap<String, (Instant, Access)>>,
    /// Without a token: the Host values this server answers to.
    hosts: Vec<String>,
}

/// What a request's token (or the login its cookie stands for) opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Full,
    /// GET routes and `/metrics`: nothing that changes anything.
    Read,
}

impl Access {
    pub fn name(self) -> &'static str {
        match self {
            Access::Full => "full",
            Access::Read => "read",
        }
    }
}

pub const READ_ONLY: &str = "this token may only read; changing anything needs the full token \
                             (the one of rpq serve --token-file)";

/// What the guard decided.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// No token or a wrong one: 401 for the API, the login form for a page.
    Unauthorized,
    Forbidden(&'static str),
}

impl Auth {
    /// `read_token` is ignored without `token`: without one everybody may change everything.
    pub fn new(token: Option<String>, read_token: Option<String>, listen: SocketAddr) -> Auth {
        let port = listen.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            listen.to_string(),
        ];
        if port == 80 {
            hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
        }
        Auth {
            read_token: read_token.filter(|_| token.is_some()),
            token,
            cookie: format!("{COOKIE}_{port}"),
            sessions: Mutex::new(HashMap::new()),
            hosts,
        }
    }

    pub fn required(&self) -> bool {
        self.token.is_some()
    }

    pub fn check(&self, method: &Method, path: &str, headers: &HeaderMap) -> Verdict {
        if self.token.is_none() {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            if let Some(host) = host {
                if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                    return Verdict::Forbidden(
                        "this server answers to its own address only; set a token to serve \
                         other names (rpq serve --token-file)",
                    );
                }
            }
        }
        let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes && cross_site(headers) {
            return Verdict::Forbidden("a request from another site may not change anything");
        }
        // /healthz answers up or down and nothing else (no name, no count, no error), so a
        // probe that cannot send a token may ask it.
        if path == "/login"
            || path == "/healthz"
            || path.starts_with("/assets/")
            || self.token.is_none()
        {
            return Verdict::Allow;
        }
        match self.access(headers) {
            None => Verdict::Unauthorized,
            // Signing out changes nothing but the reader's own session.
            Some(Access::Read) if changes && path != "/logout" => Verdict::Forbidden(READ_ONLY),
            Some(_) => Verdict::Allow,
        }
    }

    /// What the request's bearer token or session cookie opens; Full for everyone when the
    /// server has no token.
    pub fn access(&self, headers: &HeaderMap) -> Option<Access> {
        if self.token.is_none() {
            return Some(Access::Full);
        }
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(bearer);
        match given.and_then(|g| self.token_access(g)) {
            Some(a) => Some(a),
            None => self.session(headers).map(|(_, a)| a),
        }
    }

    fn token_access(&self, given: &str) -> Option<Access> {
        let given = given.trim().as_bytes();
        let is = |t: &Option<String>| t.as_ref().is_some_and(|t| same(given, t.as_bytes()));
        if is(&self.token) {
            Some(Access::Full)
        } else if is(&self.read_token) {
            Some(Access::Read)
        } else {
            None
        }
    }

    /// The session id of a live login and what it opens, from the cookie.
    fn session(&self, headers: &HeaderMap) -> Option<(String, Access)> {
        let id = cookie(headers, &self.cookie)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        match sessions.get(&id) {
            Some((t, a)) if t.elapsed() < SESSION_TTL => Some((id, *a)),
            Some(_) => {
                sessions.remove(&id);
                None
            }
            None => None,
        }
    }

    /// Checks a token typed into the login form (the full or the read-only one); a session
    /// cookie value when it is right.
    pub fn login(&self, token: &str) -> Option<String> {
        let access = self.token_access(token)?;
        let id: String = (0..32)
            .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
            .collect();
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, (t, _)| t.elapsed() < SESSION_TTL);
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(id.clone(), (Instant::now(), access));
        Some(id)
    }

    pub fn logout(&self, headers: &HeaderMap) {
        if let Some((id, _)) = self.session(headers) {
            let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            sessions.remove(&id);
        }
    }

    /// The Set-Cookie value for a session; an empty id with no lifetime clears it. `Secure`
    /// only when the request came over TLS (`behind_tls`): on plain http a browser would drop
    /// a Secure cookie, and the login would never hold.
    pub fn set_cookie(&self, id: &str, secure: bool) -> HeaderValue {
        let age = if id.is_empty() {
            0
        } else {
            SESSION_TTL.as_secs()
        };
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={age}{secure}",
            self.cookie
        ))
        .expect("a hex id is a valid header value")
    }
}

/// The token of an `Authorization: Bearer T` header; the scheme's name is case-insensitive
/// (RFC 7235), so `bearer T` is as good.
fn bearer(h: &str) -> Option<&str> {
    let (scheme, token) = h.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// Whether the request reached us over TLS: we serve plain http only, so that is a proxy in
/// front saying so (`X-Forwarded-Proto: https`, its first value when proxies chain).
pub fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// A browser's word that the request comes from a page of another origin: Sec-Fetch-Site
/// where the browser sends it (no script can set it), else the Origin header.
fn cross_site(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site != "same-origin" && site != "none";
    }
    match (get("origin"), get("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin = origin
                .split_once("://")
                .map_or(origin, |(_, rest)| rest)
                .trim_end_matches('/');
            !origin.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares in time that depends on the length only, so the token cannot be guessed byte by
/// byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 401 for the API, the login form for a page.
pub fn wants_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/metrics" || path == "/healthz")
}

pub const UNAUTHORIZED: (StatusCode, &str) = (
    StatusCode::UNAUTHORIZED,
    "this server needs its token: send Authorization: Bearer TOKEN",
);

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const TOKEN: &str = "0123456789abcdef-token";

    #[test]
    fn a_token_opens_everything_and_nothing_else_does() {
        let a = Auth::new(Some(TOKEN.into()), None, "0.0.0.0:7464".parse().unwrap());
        let get = |h: &HeaderMap, path: &str| a.check(&Method::GET, path, h);
        assert_eq!(get(&headers(&[]), "/api/queues"), Verdict::Unauthorized);
        assert_eq!(get(&headers(&[]), "/metrics"), Verdict::Unauthorized);
        assert_eq!(get(&headers(&[]), "/login"), Verdict::Allow);
        assert_eq!(get(&headers(&[]), "/assets/app.js"), Verdict::Allow);
        let bearer = format!("Bearer {TOKEN}");
        assert_eq!(
            get(&headers(&[("authorization", &bearer)]), "/api/queues"),
            Verdict::Allow
        );
        let wrong = headers(&[("authorization", "Bearer 0123456789abcdef-tokeX")]);
        assert_eq!(get(&wrong, "/api/queues"), Verdict::Unauthorized);
        assert!(a.login("nope").is_none());
        let id = a.login(TOKEN).unwrap();
        let cookie = format!("theme=dark; {COOKIE}_7464={id}");
        let h = headers(&[("cookie", &cookie)]);
        assert_eq!(get(&h, "/"), Verdict::Allow);
        a.logout(&h);
        assert_eq!(get(&h, "/"), Verdict::Unauthorized);
        // Any name will do with a token: a proxy in front may use its own.
        let h = headers(&[("authorization", &bearer), ("host", "queues.example.com")]);
        assert_eq!(get(&h, "/api/queues"), Verdict::Allow);
    }

    #[test]
    fn without_a_token_only_our_own_address_and_our_own_pages() {
        let a = Auth::new(None, None, "127.0.0.1:7464".parse().unwrap());
        let h = headers(&[("host", "localhost:7464")]);
        assert_eq!(a.check(&Method::GET, "/api/queues", &h), Verdict::Allow);
        let h = headers(&[("host", "evil.example.com:7464")]);
        assert!(matches!(
            a.check(&Method::GET, "/api/queues", &h),
            Verdict::Forbidden(_)
        ));
        let post = |pairs: &[(&'static str, &str)]| {
            a.check(&Method::POST, "/api/queues/q/dead/retry", &headers(pairs))
        };
        assert_eq!(post(&[("host", "127.0.0.1:7464")]), Verdict::Allow);
        assert_eq!(
            post(&[
                ("host", "127.0.0.1:7464"),
                ("origin", "http://127.0.0.1:7464"),
                ("sec-fetch-site", "same-origin")
            ]),
            Verdict::Allow
        );
        assert!(matches!(
            post(&[
                ("host", "127.0.0.1:7464"),
                ("origin", "https://evil.example.com")
            ]),
            Verdict::Forbidden(_)
        ));
        assert!(matches!(
            post(&[("host", "127.0.0.1:7464"), ("sec-fetch-site", "cross-site")]),
            Verdict::Forbidden(_)
        ));
    }

    #[test]
    fn the_read_token_reads_and_changes_nothing() {
        const READ: &str = "read-only-token-for-a-scraper";
        let a = Auth::new(
            Some(TOKEN.into()),
            Some(READ.into()),
            "127.0.0.1:7464".parse().unwrap(),
        );
        let bearer = format!("Bearer {READ}");
        let h = headers(&[("authorization", &bearer)]);
        assert_eq!(a.check(&Method::GET, "/metrics", &h), Verdict::Allow);
        assert_eq!(a.check(&Method::GET, "/api/queues", &h), Verdict::Allow);
        for (m, path) in [
            (Method::POST, "/api/queues/q/clear"),
            (Method::POST, "/api/queues/q/tasks"),
            (Method::DELETE, "/api/queues/q/tasks/t1"),
        ] {
            assert_eq!(a.check(&m, path, &h), Verdict::Forbidden(READ_ONLY));
        }
        let full = format!("Bearer {TOKEN}");
        let h = headers(&[("authorization", &full)]);
        assert_eq!(
            a.check(&Method::POST, "/api/queues/q/clear", &h),
            Verdict::Allow
        );
        // A login with the read token reads, signs out, and changes nothing.
        let id = a.login(READ).unwrap();
        let cookie = format!("{COOKIE}_7464={id}");
        let h = headers(&[("cookie", &cookie)]);
        assert_eq!(a.access(&h), Some(Access::Read));
        assert_eq!(a.check(&Method::GET, "/", &h), Verdict::Allow);
        assert_eq!(
            a.check(&Method::POST, "/api/queues/q/pause", &h),
            Verdict::Forbidden(READ_ONLY)
        );
        assert_eq!(a.check(&Method::POST, "/logout", &h), Verdict::Allow);
        // Without a full token there is nothing to be read-only against.
        let open = Auth::new(None, Some(READ.into()), "127.0.0.1:7464".parse().unwrap());
        assert_eq!(open.access(&headers(&[])), Some(Access::Full));
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_strict() {
        let a = Auth::new(Some(TOKEN.into()), None, "127.0.0.1:7464".parse().unwrap());
        let c = a.set_cookie("ab12", false);
        let c = c.to_str().unwrap();
        assert!(c.starts_with("rpq_session_7464=ab12; "));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"));
        assert!(!c.contains("Secure"));
        assert!(a
            .set_cookie("ab12", true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(a
            .set_cookie("", false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }

    #[test]
    fn tls_is_what_the_proxy_says_and_only_that() {
        let tls = |v: &str| behind_tls(&headers(&[("x-forwarded-proto", v)]));
        assert!(tls("https") && tls("HTTPS") && tls("https, http"));
        assert!(!tls("http") && !tls("http, https") && !tls(""));
        assert!(!behind_tls(&headers(&[])));
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_healthz_is_open() {
        let a = Auth::new(Some(TOKEN.into()), None, "127.0.0.1:7464".parse().unwrap());
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let h = format!("{scheme} {TOKEN}");
            let h = headers(&[("authorization", &h)]);
            assert_eq!(a.check(&Method::GET, "/api/queues", &h), Verdict::Allow);
        }
        let h = format!("Basic {TOKEN}");
        let h = headers(&[("authorization", &h)]);
        assert_eq!(
            a.check(&Method::GET, "/api/queues", &h),
            Verdict::Unauthorized
        );
        assert_eq!(
            a.check(&Method::GET, "/healthz", &headers(&[])),
            Verdict::Allow
        );
    }
}
