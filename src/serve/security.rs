//! The rules every request passes before a handler sees it: the `Host` names this server,
//! the token (from the printed address, then a cookie) is right, a request that changes
//! anything comes from this server's own pages, and every response forbids loading anything
//! from elsewhere.

use super::texts::{Link, Problem};
use super::Desk;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The cookie that carries the token after the first visit: one name per desk (its port), so
/// that two desks on different ports do not overwrite each other's cookie.
pub(crate) fn cookie_name(port: u16) -> String {
    format!("reskontra_token_{port}")
}

/// The query parameter of the printed address that carries the token.
pub(crate) const TOKEN_PARAM: &str = "t";

/// Content-Security-Policy: this server's own scripts, styles and images only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Check the Host, the token and (for changes) the origin; then add the security headers.
pub(crate) async fn guard(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let mut response = match check(&desk, &request) {
        Check::Pass => next.run(request).await,
        Check::SetCookie(to) => set_cookie_and_redirect(&desk.token, desk.port, &to),
        Check::Refuse(status, message) => refusal(status, message),
    };
    add_headers(response.headers_mut());
    response
}

enum Check {
    Pass,
    /// The token came in the address: keep it in a cookie and go on without it.
    SetCookie(String),
    Refuse(StatusCode, &'static str),
}

fn check(desk: &Desk, request: &Request) -> Check {
    let headers = request.headers();
    if !host_is_ours(headers, desk.port) {
        return Check::Refuse(
            StatusCode::FORBIDDEN,
            "Adressen stämmer inte. Öppna sidan med adressen som reskontra serve skrev ut \
             (http://127.0.0.1:PORT/…).",
        );
    }
    let from_query = token_in_query(request.uri().query());
    if request.method() == Method::GET && from_query.as_deref() == Some(desk.token.as_str()) {
        return Check::SetCookie(request.uri().path().to_string());
    }
    if !same_secret(cookie_token(headers, desk.port).as_deref(), &desk.token) {
        return Check::Refuse(
            StatusCode::UNAUTHORIZED,
            "Sidan är låst. Öppna den med hela adressen som reskontra serve skrev ut \
             i terminalen: den innehåller en nyckel som gäller tills programmet stängs.",
        );
    }
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes && !origin_is_ours(headers, desk.port) {
        return Check::Refuse(
            StatusCode::FORBIDDEN,
            "Förfrågan kom inte från reskontras egen sida och stoppades. Gör ändringen på \
             sidan i webbläsaren.",
        );
    }
    Check::Pass
}

/// `Host` is `127.0.0.1:PORT` or `localhost:PORT`: a page of another site whose name was
/// pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
pub(crate) fn host_is_ours(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

/// `Origin` (else `Referer`) is this server: a form on another site posting here is refused.
fn origin_is_ours(headers: &HeaderMap, port: u16) -> bool {
    let ours = [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| ours.iter().any(|s| s == o));
    }
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .is_some_and(|r| {
            ours.iter()
                .any(|s| r == s || r.starts_with(&format!("{s}/")))
        })
}

fn token_in_query(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == TOKEN_PARAM).then(|| v.to_string())
    })
}

fn cookie_token(headers: &HeaderMap, port: u16) -> Option<String> {
    let name = cookie_name(port);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// Compare without stopping at the first difference.
fn same_secret(given: Option<&str>, token: &str) -> bool {
    let Some(given) = given else { return false };
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn set_cookie_and_redirect(token: &str, port: u16, to: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let location = if to.starts_with('/') { to } else { "/" };
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    let cookie = format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/",
        cookie_name(port)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The page of a refused request (the same template as the desk's message pages).
#[derive(askama::Template)]
#[template(path = "desk/message.html")]
struct Refusal<'a> {
    title: &'a str,
    text: &'a str,
    problem: Option<Problem>,
    link: Option<Link>,
}

fn refusal(status: StatusCode, message: &str) -> Response {
    use askama::Template;
    let page = Refusal {
        title: "Stoppad",
        text: message,
        problem: None,
        link: None,
    };
    let body = page.render().unwrap_or_else(|_| message.to_string());
    (status, axum::response::Html(body)).into_response()
}

fn add_headers(headers: &mut HeaderMap) {
    let set = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form post
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_our_host_names_pass() {
        assert!(host_is_ours(
            &headers(&[(header::HOST, "127.0.0.1:8080")]),
            8080
        ));
        assert!(host_is_ours(
            &headers(&[(header::HOST, "localhost:8080")]),
            8080
        ));
        for bad in [
            "127.0.0.1:8081",
            "evil.example:8080",
            "127.0.0.1",
            "localhost.evil:8080",
        ] {
            assert!(
                !host_is_ours(&headers(&[(header::HOST, bad)]), 8080),
                "{bad}"
            );
        }
        assert!(!host_is_ours(&HeaderMap::new(), 8080));
    }

    #[test]
    fn only_our_origin_passes() {
        let ok = headers(&[(header::ORIGIN, "http://127.0.0.1:9")]);
        assert!(origin_is_ours(&ok, 9));
        let evil = headers(&[(header::ORIGIN, "http://evil.example")]);
        assert!(!origin_is_ours(&evil, 9));
        let referer = headers(&[(header::REFERER, "http://localhost:9/runs/1")]);
        assert!(origin_is_ours(&referer, 9));
        let sneaky = headers(&[(header::REFERER, "http://localhost:9.evil.example/")]);
        assert!(!origin_is_ours(&sneaky, 9));
        assert!(!origin_is_ours(&HeaderMap::new(), 9));
    }

    #[test]
    fn the_token_is_read_from_the_cookie_and_compared_whole() {
        let h = headers(&[(
            header::COOKIE,
            "a=1; reskontra_token_9=other; reskontra_token_8=abc; b=2",
        )]);
        assert_eq!(cookie_token(&h, 8).as_deref(), Some("abc"));
        assert_eq!(cookie_token(&h, 9).as_deref(), Some("other"));
        assert_eq!(
            cookie_token(&h, 7),
            None,
            "another desk's cookie is not ours"
        );
        assert!(same_secret(Some("abc"), "abc"));
        assert!(!same_secret(Some("abd"), "abc"));
        assert!(!same_secret(Some("ab"), "abc"));
        assert!(!same_secret(None, "abc"));
        assert_eq!(token_in_query(Some("x=1&t=zz")).as_deref(), Some("zz"));
        assert_eq!(token_in_query(Some("tt=zz")), None);
    }
}
