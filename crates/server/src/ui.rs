//! The web UI: the built files of `frontend/` (embedded in release builds, read from
//! `frontend/dist` in debug builds), served behind the API. API routes keep precedence: only a
//! path that no API route takes for its method reaches the UI. A browser navigation (GET or
//! HEAD accepting `text/html`) to such a path gets the UI's `index.html`, whose client-side
//! router shows the page or its own 404; every other request gets the API's JSON 404 or 405.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../../frontend/dist"]
#[allow_missing = true]
struct Assets;

/// Long-lived caching for content-hashed assets, none for the HTML that names them.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Whether the UI was built into (or, in debug builds, next to) this binary.
pub fn available() -> bool {
    Assets::get("index.html").is_some()
}

/// What a request no API route takes gets: a UI file, the UI's entry page, or a JSON 404.
pub async fn not_found(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if let Some(file) = asset(&method, &uri) {
        return file;
    }
    if navigation(&method, &headers) {
        return index();
    }
    ApiError::NotFound("no such endpoint: see /openapi.json".into()).into_response()
}

/// What a request whose path an API route takes with other methods gets: the UI's entry page
/// for a browser navigation (`/onboarding` is both a page and `POST /onboarding`), else 405.
pub async fn method_not_allowed(method: Method, headers: HeaderMap) -> Response {
    if navigation(&method, &headers) {
        return index();
    }
    let body = serde_json::json!({"error": {"code": "method_not_allowed", "message": "method not allowed on this endpoint", "details": {}}});
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

fn navigation(method: &Method, headers: &HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/html")))
}

fn asset(method: &Method, uri: &Uri) -> Option<Response> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let path = uri.path().trim_start_matches('/');
    if path.is_empty() || path == "index.html" {
        return None;
    }
    let file = Assets::get(path)?;
    let cache = if path.starts_with("assets/") { IMMUTABLE } else { NO_CACHE };
    Some(file_response(file, cache))
}

fn index() -> Response {
    match Assets::get("index.html") {
        Some(file) => file_response(file, NO_CACHE),
        None => ApiError::Unavailable(
            "the web UI is not built into this binary: run scripts/serve.sh, which builds it first".into(),
        )
        .into_response(),
    }
}

fn file_response(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
