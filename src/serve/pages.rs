//! The dashboard's files, built into the binary (`assets/`), the login form, and the headers
//! every response carries: a Content-Security-Policy that allows this server's own script and
//! style files and nothing inline, no framing, no sniffing, no referrer to other sites.

use super::api::ApiError;
use super::app::App;
use super::auth::{self, Verdict};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

const INDEX: &str = include_str!("assets/index.html");
const LOGIN: &str = include_str!("assets/login.html");
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
    ),
    ("icon.svg", "image/svg+xml", include_str!("assets/icon.svg")),
];

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                       base-uri 'none'";

/// A failed login waits this long before it answers, so guessing a token is slow.
const LOGIN_PENALTY: Duration = Duration::from_millis(300);

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The page of `/` and `/queues/{q}`: one document; the script reads which from the path.
pub async fn index() -> Response {
    html(StatusCode::OK, INDEX.to_string())
}

pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, kind, body)) => (
            [
                (header::CONTENT_TYPE, *kind),
                // Revalidated each time: a new binary's files are seen at once.
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

fn login_page(status: StatusCode, message: &str) -> Response {
    // The message is one of ours, never anything the request sent.
    let body = LOGIN.replace(
        "<!--message-->",
        &if message.is_empty() {
            String::new()
        } else {
            format!("<p class=\"login-error\" role=\"alert\">{message}</p>")
        },
    );
    html(status, body)
}

pub async fn login_form(State(app): State<Arc<App>>) -> Response {
    if !app.auth.required() {
        return Redirect::to("/").into_response();
    }
    login_page(StatusCode::OK, "")
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

pub async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let given = form.map(|Form(f)| f.token).unwrap_or_default();
    match app.auth.login(&given) {
        Some(id) => {
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                app.auth.set_cookie(&id, auth::behind_tls(&headers)),
            );
            res
        }
        None if !app.auth.required() => Redirect::to("/").into_response(),
        None => {
            tokio::time::sleep(LOGIN_PENALTY).await;
            login_page(
                StatusCode::UNAUTHORIZED,
                "That is not the token this server was started with.",
            )
        }
    }
}

pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    app.auth.logout(&headers);
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        app.auth.set_cookie("", auth::behind_tls(&headers)),
    );
    res
}

/// Lets a request through, or answers 401/403 (the login form, for a page).
pub async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    match app.auth.check(req.method(), &path, req.headers()) {
        Verdict::Allow => next.run(req).await,
        Verdict::Forbidden(why) => ApiError::new(StatusCode::FORBIDDEN, why).into_response(),
        Verdict::Unauthorized if auth::wants_page(&path) => Redirect::to("/login").into_response(),
        Verdict::Unauthorized => {
            let (status, message) = auth::UNAUTHORIZED;
            let mut res = ApiError::new(status, message).into_response();
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            res
        }
    }
}

pub async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Not no-referrer: with it a browser sends `Origin: null` on our own form posts.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
